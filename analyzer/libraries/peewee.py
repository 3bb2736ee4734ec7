"""peewee: its relation field."""
from __future__ import annotations

from ..frameworks.base import Adapter


class PeeweeAdapter(Adapter):
    name = "peewee"
    markers = ("peewee",)
    relation_fields = {"ForeignKeyField": ("one", "to")}
    type_words = frozenset({"ForeignKeyField"})
