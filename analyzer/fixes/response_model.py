"""RG303: declare the response model of a route that returns an ORM object, when the project
clearly has the public schema for it: a pydantic / SQLModel schema (not a table) named
``<Model>Public``, ``<Model>Out``, ``<Model>Read``, ``<Model>Response`` or ``<Model>Schema``
that carries none of the model's secret fields. ``response_model=`` is added to the route
decorator (or replaces the storage model there), and the schema imported from its module
when the file does not have it yet."""
from __future__ import annotations

import libcst as cst

from . import Edit
from ._cst import code, positions, starting_at

SUFFIXES = ("Public", "Out", "Read", "Response", "Schema")


def _public_schema(graph, model: str) -> str | None:
    short = model.rpartition(".")[2]
    secret = {f for f, (mark, _) in graph.field_marks(model).items() if mark == "secret"}
    found = []
    for suffix in SUFFIXES:
        for q in graph.models:
            if q.rpartition(".")[2] == short + suffix and graph.model_kind(q) == "schema" \
                    and not secret & set(graph.model_fields(q)):
                found.append(q)
        if found:
            break
    return found[0] if len(set(found)) == 1 else None


def _model(graph, finding) -> str | None:
    route = finding.routes[0]
    rf = graph.returns.get(route.handler)
    if rf is not None and rf.schema and rf.schema not in ("None", "?") and graph.model_kind(rf.schema) == "orm":
        return rf.schema
    orm = [t for t in graph.returned_types(route.handler) if graph.model_kind(t) == "orm"]
    return orm[0] if len(orm) == 1 else None


def _bound_names(module: cst.Module) -> dict:
    """{module-level name: its source} for the names the file imports or defines."""
    names = {}
    for stmt in module.body:
        if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
            names[stmt.name.value] = "def"
        for small in getattr(stmt, "body", ()) if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    names[(alias.asname.name.value if alias.asname else code(alias.name))] = code(alias.name)
            elif isinstance(small, cst.Import):
                for alias in small.names:
                    names[(alias.asname.name.value if alias.asname else code(alias.name).split(".")[0])] = \
                        code(alias.name)
    return names


def fix(finding, module: cst.Module, graph) -> Edit | None:
    if not finding.routes or graph is None:
        return None
    model = _model(graph, finding)
    schema = _public_schema(graph, model) if model else None
    if schema is None:
        return None
    route = finding.routes[0]
    _, pos = positions(module)
    decorator = starting_at(module, route.location.line, route.location.col, cst.Decorator, pos)
    if decorator is None or not isinstance(decorator.decorator, cst.Call):
        return None
    mod, _, short = schema.rpartition(".")
    names = _bound_names(module)
    imports = ()
    if short in names:
        ref = short
    else:
        attr = next((n for n, full in names.items() if full == mod), None)
        ref = f"{attr}.{short}" if attr else short
        imports = () if attr else ((_module_name(graph, module, finding.location.file, schema), short),)
    call = decorator.decorator
    value = cst.parse_expression(ref)
    args = list(call.args)
    for i, a in enumerate(args):
        if a.keyword and a.keyword.value == "response_model":
            args[i] = a.with_changes(value=value)
            break
    else:
        if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(cst.Arg(value, keyword=cst.Name("response_model"),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return Edit(module.deep_replace(decorator, decorator.with_changes(decorator=call.with_changes(args=args))), imports)


def _module_name(graph, module: cst.Module, path: str, schema: str) -> str:
    """How this file names the module that defines ``schema``: the module of one of its own
    ``from X import Y`` whose Y is defined beside the schema (``from app.models import Item``),
    else the schema's file as a dotted path from the project root."""
    mod = schema.rpartition(".")[0]
    here = next((m.module for m in graph.modules if m.path == path), "")
    for stmt in module.body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                continue
            for alias in small.names:
                local = alias.asname.name.value if alias.asname else code(alias.name)
                if graph.alias(f"{here}.{local}").rpartition(".")[0] == mod:
                    return "." * len(small.relative) + (code(small.module) if small.module else "")
    cls = graph.classes.get(schema)
    where = cls.location.file if cls is not None else mod.replace(".", "/") + ".py"
    return where.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
