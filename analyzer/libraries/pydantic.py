"""pydantic (v1 and v2) and pydantic-settings: schema and settings base classes, and the
methods that dump a model's data."""
from __future__ import annotations

from .. import functions
from .models import ModelLibrary


class PydanticAdapter(ModelLibrary):
    name = "pydantic"
    markers = ("pydantic",)
    passes = (functions.read,)  # which schema a function returns
    schema_bases = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel"})
    settings_bases = frozenset({"pydantic_settings.BaseSettings", "pydantic.BaseSettings",
                                "pydantic.env_settings.BaseSettings"})
    data_methods = frozenset({"dict", "model_dump"})  # v1, v2
    dump_methods = frozenset({"dict", "model_dump", "json", "model_dump_json"})
    field_types = {"SecretStr": "secret", "SecretBytes": "secret", "StrictBool": "bool", "EmailStr": "text",
                   "constr": "text"}
    type_words = frozenset({"Field"})
    hiding_keywords = frozenset({"exclude"})  # ``Field(exclude=True)``
