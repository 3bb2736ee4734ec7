"""RG302: a model serializer or form that takes every field (``fields = "__all__"``) lists the
model's fields instead, without its secret and privileged ones; one whose ``exclude`` leaves
sensitive fields excludes them too. Only when the model's fields are known (declared in the
project)."""
from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from . import Edit
from ._cst import positions

SENSITIVE = ("secret", "privileged")


def _schema(graph, finding):
    loc = finding.location
    for s in graph.schemas.values():
        if (s.fields_location or s.location) == loc:
            return s
    return None


def fix(finding, module: cst.Module, graph) -> Edit | None:
    schema = _schema(graph, finding) if graph is not None else None
    if schema is None or not schema.model:
        return None
    fields = _model_fields(graph, graph.canonical(schema.model))
    marks = graph.field_marks(schema.model)
    sensitive = [f for f, (mark, _) in marks.items() if mark in SENSITIVE and f not in schema.hidden]
    _, pos = positions(module)
    loc = finding.location
    stmt = next((n for n, r in pos.items() if isinstance(n, cst.Assign) and r.start.line == loc.line
                 and len(n.targets) == 1 and m.matches(n.targets[0].target, m.Name("fields") | m.Name("exclude"))),
                None)
    if stmt is None:
        return None
    if stmt.targets[0].target.value == "fields":
        if not fields or not m.matches(stmt.value, m.SimpleString()) or stmt.value.evaluated_value != "__all__":
            return None
        keep = [f for f in fields if f not in sensitive]
        if schema.kind == "serializer" and "id" not in fields:
            keep.insert(0, "id")  # the primary key Django adds, which "__all__" included (a form never edits it)
        quote = stmt.value.quote
        value = cst.parse_expression("[" + ", ".join(f"{quote}{f}{quote}" for f in keep) + "]")
        return Edit(module.deep_replace(stmt, stmt.with_changes(value=value)))
    if not isinstance(stmt.value, (cst.List, cst.Tuple)):
        return None
    missing = [f for f in sensitive if f not in (schema.exclude or ())]
    if not missing:
        return None
    elements = list(stmt.value.elements)
    quote = next((e.value.quote for e in elements if isinstance(e.value, cst.SimpleString)), '"')
    if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
        elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    for i, f in enumerate(missing):
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if i < len(missing) - 1 else cst.MaybeSentinel.DEFAULT
        elements.append(cst.Element(cst.SimpleString(f"{quote}{f}{quote}"), comma=comma))
    return Edit(module.deep_replace(stmt, stmt.with_changes(value=stmt.value.with_changes(elements=elements))))




def _model_fields(graph, model: str) -> list[str]:
    """Every field of ``model`` when all of them are known: the model and each base with fields
    are project classes; [] otherwise (a model deriving from ``AbstractUser`` has fields that
    the project never declares)."""
    fields: list[str] = []
    for q in graph.mro(model):
        if q not in graph.classes:
            if q == "object" or q in graph.k.fieldless_bases:  # no fields of its own (or only the primary key)
                continue
            return []
        mf = graph.models.get(q)
        for name in [*graph.field_facts.get(q, {}), *(mf.fields if mf else ())]:
            if name not in fields:
                fields.append(name)
    return fields
