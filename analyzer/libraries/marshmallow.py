"""marshmallow (and the Flask libraries built on it: flask-marshmallow, flask-smorest): the
field keyword and ``Meta`` options that keep a field out of every dump."""
from __future__ import annotations

from ..frameworks.base import Adapter


class MarshmallowAdapter(Adapter):
    name = "marshmallow"
    markers = ("marshmallow",)
    # ``password = fields.String(load_only=True)``; ``class Meta: load_only = ("password",)``,
    # ``exclude = ("password",)``
    hiding_keywords = frozenset({"load_only", "exclude"})
