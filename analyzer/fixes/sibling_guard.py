"""RG101: add the guard that the other routes of the same blueprint or router already use on
their handlers: the same decorator, dependency parameter or ``dependencies=[...]`` entry,
copied as written (so it is imported the way the file already imports it). No fix when the
sibling routes do not agree on one guard, or when none has a guard of its own: a guard the
project lacks is never invented."""
from __future__ import annotations

import libcst as cst

from . import Edit
from ._cst import code, positions, starting_at


def _receiver(decorator: cst.Decorator | None) -> str | None:
    """``bp`` of ``@bp.route(...)``, ``router`` of ``@router.get(...)``."""
    d = decorator.decorator if decorator is not None else None
    if isinstance(d, cst.Call) and isinstance(d.func, cst.Attribute):
        return code(d.func.value)
    return None


def _handler(pos, decorator):
    return next((n for n in pos if isinstance(n, cst.FunctionDef) and any(d is decorator for d in n.decorators)), None)


def _guard_nodes(module, pos, route, decorator):
    """{code: (kind, node)} of the guards ``route`` has on its own handler, in this file."""
    found = {}
    for g in route.guards:
        if g.layer not in ("decorator", "dependency") or g.effect != "auth" or g.location is None or g.location.file != route.location.file:
            continue
        line, col = g.location.line, g.location.col
        dec = starting_at(module, line, col, cst.Decorator, pos)
        if dec is not None:
            found.setdefault(code(dec).strip(), ("decorator", dec))
            continue
        param = next((n for n in pos if isinstance(n, cst.Param) and any(
            x is not None and x in pos and _within(pos[x], line, col) for x in (n.name, n.annotation, n.default))),
            None)
        if param is not None:
            found.setdefault(code(param.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip(), ("param", param))
            continue
        element = next((n for n, r in pos.items() if isinstance(n, cst.Element) and _within(r, line, col)
                        and _in_dependencies(decorator, n)), None)
        if element is not None:
            found.setdefault(code(element.value).strip(), ("dependency", element))
    return found


def _within(r, line, col) -> bool:
    return (r.start.line, r.start.column) <= (line, col - 1) <= (r.end.line, r.end.column)


def _in_dependencies(decorator, element) -> bool:
    call = decorator.decorator
    return isinstance(call, cst.Call) and any(
        a.keyword and a.keyword.value == "dependencies" and isinstance(a.value, (cst.List, cst.Tuple))
        and any(e is element for e in a.value.elements) for a in call.args)


def fix(finding, module: cst.Module, graph) -> Edit | None:
    if not finding.routes or graph is None:
        return None
    _, pos = positions(module)
    target = finding.routes[0]
    loc = target.location
    decorator = starting_at(module, loc.line, loc.col, cst.Decorator, pos)
    receiver = _receiver(decorator)
    handler = _handler(pos, decorator) if receiver else None
    if handler is None:
        return None
    common = None
    first: dict = {}
    seen = set()
    for r in graph.routes:
        if r.location.file != loc.file or r.location == loc or r.auth != "protected" or r.location in seen:
            continue
        seen.add(r.location)
        dec = starting_at(module, r.location.line, r.location.col, cst.Decorator, pos)
        if _receiver(dec) != receiver:
            continue
        guards = _guard_nodes(module, pos, r, dec)
        if not guards:
            continue
        for k, v in guards.items():
            first.setdefault(k, v)
        common = set(guards) if common is None else common & set(guards)
    if not common:
        return None
    chosen = next(k for k in first if k in common)
    kind, node = first[chosen]
    if kind == "decorator":
        decorators = list(handler.decorators)
        i = decorators.index(decorator)
        decorators.insert(i + 1, node.with_changes(leading_lines=()))
        return Edit(module.deep_replace(handler, handler.with_changes(decorators=decorators)))
    if kind == "param":
        return _add_param(module, handler, node)
    return _add_dependency(module, decorator, node)


def _add_param(module, handler: cst.FunctionDef, param: cst.Param) -> Edit | None:
    params = handler.params
    if any(p.name.value == param.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)):
        return None
    new = param.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_param=cst.SimpleWhitespace(""))
    if params.kwonly_params or isinstance(params.star_arg, cst.Param):
        kw = list(params.kwonly_params) + [new]
        if len(kw) > 1:
            kw[-2] = kw[-2].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        params = params.with_changes(kwonly_params=kw)
    elif new.default is None:
        # No default: before the parameters that have one (a dependency alias, ``Annotated``).
        lst = list(params.params)
        i = next((j for j, p in enumerate(lst) if p.default is not None), len(lst))
        lst.insert(i, new)
        params = params.with_changes(params=_commas(lst))
    else:
        params = params.with_changes(params=_commas(list(params.params) + [new]))
    return Edit(module.deep_replace(handler, handler.with_changes(params=params)))


def _commas(params: list) -> list:
    """A comma after every parameter but the last, keeping the commas already written."""
    out = []
    for i, p in enumerate(params):
        if i < len(params) - 1 and p.comma is cst.MaybeSentinel.DEFAULT:
            p = p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif i == len(params) - 1 and i > 0 and params[i - 1].comma is not cst.MaybeSentinel.DEFAULT \
                and p.comma is not cst.MaybeSentinel.DEFAULT and p is not params[-1]:
            p = p.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        out.append(p)
    return out


def _add_dependency(module, decorator: cst.Decorator, element: cst.Element) -> Edit | None:
    call = decorator.decorator
    value = element.value
    args = list(call.args)
    for i, a in enumerate(args):
        if a.keyword and a.keyword.value == "dependencies":
            if not isinstance(a.value, cst.List):
                return None
            elements = list(a.value.elements)
            if elements and elements[-1].comma is cst.MaybeSentinel.DEFAULT:
                elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            elements.append(cst.Element(value))
            args[i] = a.with_changes(value=a.value.with_changes(elements=elements))
            break
    else:
        if args and args[-1].comma is cst.MaybeSentinel.DEFAULT:
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(cst.Arg(cst.List([cst.Element(value)]), keyword=cst.Name("dependencies"),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
    return Edit(module.deep_replace(decorator, decorator.with_changes(decorator=call.with_changes(args=args))))
