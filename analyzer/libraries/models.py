"""Model classes, as the model libraries declare them: which classes are stored models (ORM),
which are data schemas, what fields each declares, and what a settings class's fields default
to. The SQLAlchemy/SQLModel and pydantic adapters share this reading (``ModelLibrary``); what
makes a class a model comes from their tables (``declarative_bases``, ``schema_bases``,
``settings_bases``, ``model_decorators``, ``model_factories``), so a new model library is a
table. The Django ORM's models are read by the Django adapter."""
from __future__ import annotations

import libcst as cst

from ..facts import ModelFact
from ..frameworks.base import Adapter, ScopedVisitor, add_setting
from ..names import base_exprs, literal
from ..walk import walk

TABLE_NAMES = ("__tablename__", "__table__")  # SQLAlchemy: a class that names its table is mapped to it
NOT_FIELDS = ("model_config", "Config")  # pydantic's model configuration


class ModelLibrary(Adapter):
    """A library whose classes are models: its files are read for model classes."""

    def extract(self, ctx, sink) -> None:
        walk(ctx.tree, _ModelPass(ctx, sink))


class _ModelPass(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.k = ctx.knowledge

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._model(node)
        self.stack.append(node.name.value)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_def(node.name.value)
        self._enter(node)

    def _assign(self, target, value, stmt) -> None:
        if not self._bound(target):
            return
        if not self.funcs and not self.stack and isinstance(value, cst.Call) \
                and self.resolve(value.func) in self.k.model_factories:  # Base = declarative_base()
            self.sink.models.append(ModelFact(f"{self.ctx.module}.{target.value}", self.ctx.loc(target), "orm"))

    def _model(self, node: cst.ClassDef) -> None:
        ctx, k = self.ctx, self.k
        qualname = self._qualname(node.name.value)
        bases = [self.resolve(b) for b in base_exprs(node)]
        table = any(a.keyword is not None and a.keyword.value == "table" and literal(a.value) is True
                    for a in (*node.bases, *node.keywords))  # SQLModel: class Hero(SQLModel, table=True)
        fields, dunder_table = [], False
        settings_class = any(b in k.settings_bases for b in bases)
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                target = small.target if isinstance(small, cst.AnnAssign) else \
                    small.targets[0].target if isinstance(small, cst.Assign) else None
                if not isinstance(target, cst.Name):
                    continue
                name = target.value
                if name in TABLE_NAMES:
                    dunder_table = True
                elif not name.startswith("_") and name not in NOT_FIELDS:
                    fields.append(name)
                    value = small.value
                    if settings_class and value is not None and (isinstance(small, cst.AnnAssign) or not name.isupper()):
                        add_setting(ctx, self.sink, name, value, small, scope=node.name.value, env=True)
                    if value is not None and isinstance(literal(value), str):
                        self.sink.constants.append((f"{qualname}.{name}", (literal(value),)))
        decorators = {self.resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                      for d in node.decorators}
        if table or dunder_table or decorators & k.model_decorators or any(b in k.declarative_bases for b in bases):
            kind = "orm"
        elif any(b in k.schema_bases for b in bases):
            kind = "schema"
        else:
            kind = ""
        if kind or bases:
            self.sink.models.append(ModelFact(qualname, ctx.loc(node.name), kind, tuple(fields)))
