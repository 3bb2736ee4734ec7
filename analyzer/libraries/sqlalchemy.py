"""SQLAlchemy, SQLModel and Flask-SQLAlchemy's query API: declarative bases, relations,
foreign keys, queries that load one row, and SQLModel's update method."""
from __future__ import annotations

from .. import functions
from .models import ModelLibrary

DECLARATIVE_BASES = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta", "sqlalchemy.orm.decl_api.DeclarativeBase",
})


class SQLAlchemyAdapter(ModelLibrary):
    name = "sqlalchemy"
    markers = ("sqlalchemy", "sqlmodel")
    passes = (functions.read,)  # what a function's queries return
    declarative_bases = DECLARATIVE_BASES
    model_bases = dict.fromkeys(DECLARATIVE_BASES, "orm")
    model_factories = frozenset({
        "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
        "sqlalchemy.orm.registry.generate_base",
    })
    model_decorators = frozenset({"sqlalchemy.orm.as_declarative", "sqlalchemy.ext.declarative.as_declarative",
                                  "sqlalchemy.orm.declarative_mixin"})
    schema_bases = frozenset({"sqlmodel.SQLModel"})  # a SQLModel class is a schema unless it is a table
    # relationship("User") / Relationship(back_populates=...): many rows, or either way
    relation_fields = {"relationship": ("many", ""), "Relationship": ("many", "")}
    foreign_key_calls = frozenset({"ForeignKey"})  # Column(Integer, ForeignKey("users.id"))
    foreign_key_keywords = frozenset({"foreign_key"})  # SQLModel Field(foreign_key="users.id")
    field_types = {
        "Boolean": "bool", "Float": "number", "Numeric": "number",
        **dict.fromkeys(("DateTime", "Date", "Time", "Interval", "TIMESTAMP"), "time"),
        **dict.fromkeys(("String", "Text", "Unicode", "UnicodeText", "VARCHAR", "CHAR"), "text"),
        **dict.fromkeys(("ForeignKey", "relationship", "Relationship"), "relation"),
        # sqlalchemy_utils: columns that store a hash or a ciphertext
        **dict.fromkeys(("PasswordType", "EncryptedType", "StringEncryptedType"), "secret"),
    }
    type_words = frozenset({"Column", "Mapped", "ForeignKey", "Integer", "BigInteger", "String", "Text", "Unicode",
                            "UnicodeText", "Boolean", "DateTime", "Relationship", "Query"})
    write_methods = frozenset({"sqlmodel_update"})
    update_methods = frozenset({"sqlmodel_update"})
    lookup_builders = frozenset({"query", "sqlalchemy.select", "sqlalchemy.future.select", "sqlmodel.select",
                                 "sqlalchemy.sql.select", "sqlalchemy.orm.Query"})
    select_calls = frozenset({"sqlalchemy.select", "sqlalchemy.future.select", "sqlalchemy.sql.select", "sqlmodel.select"})
    row_queries = frozenset({"query", "get", "get_one"})
    result_methods = frozenset({"exec", "execute", "scalars", "scalar"})
    lookup_sessions = frozenset({"get", "get_or_404", "get_one"})
    lookup_managers = frozenset({"query"})
    query_filters = frozenset({"filter", "filter_by", "where", "get", "get_or_404", "first_or_404", "one_or_404"})
    collection_terminals = frozenset({"all", "paginate", "count", "scalars_all", "exists"})
