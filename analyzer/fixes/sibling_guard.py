"""RG101: add the guard that the other routes of the same blueprint or router already use on
their handlers: the same decorator, dependency parameter or ``dependencies=[...]`` entry,
copied as written (so it is imported the way the file already imports it); for Django, the
``permission_classes`` the other view classes of the module set, or the decorator its other
view functions have. No fix when the
sibling routes do not agree on one guard, or when none has a guard of its own: a guard the
project lacks is never invented. The open route must be the one that was forgotten: the only
open handler of its group, beside at least two guarded ones, and for a read, one of them a
read too. Modules where public and private handlers mix (lnbits' public pages beside its
wallet pages, healthchecks' signup and login beside its account views) get no fix; neither
does a public listing whose siblings guard only their writes (CTFd's brackets)."""
from __future__ import annotations

import libcst as cst

from . import Edit
from ._cst import code, positions, starting_at
from ..states import AuthState, Effect, Layer

READS = frozenset({"GET", "HEAD", "OPTIONS", "ANY"})


def _receiver(decorator: cst.Decorator | None) -> str | None:
    """``bp`` of ``@bp.route(...)``, ``router`` of ``@router.get(...)``."""
    d = decorator.decorator if decorator is not None else None
    if isinstance(d, cst.Call) and isinstance(d.func, cst.Attribute):
        return code(d.func.value)
    return None


def _site(module, pos, route):
    """(group, handler node, route decorator or None) of a route in this file: routes declared
    by ``@<receiver>.<verb>(...)`` group by receiver; Django views (registered in a URLconf,
    located at their name) group as the view classes and the view functions of the module."""
    loc = route.location
    decorator = starting_at(module, loc.line, loc.col, cst.Decorator, pos)
    receiver = _receiver(decorator)
    if receiver:
        handler = next((n for n in pos if isinstance(n, cst.FunctionDef)
                        and any(d is decorator for d in n.decorators)), None)
        return ("router", receiver), handler, decorator
    node = next((n for n in pos if isinstance(n, (cst.ClassDef, cst.FunctionDef))
                 and pos[n.name].start.line == loc.line and pos[n.name].start.column == loc.col - 1), None)
    return (type(node).__name__,), node, None


def _guard_nodes(module, pos, route, decorator):
    """{code: (kind, node, anchor)} of the guards ``route`` has on its own handler or view class,
    in this file."""
    found = {}
    for g in route.guards:
        if g.layer not in (Layer.DECORATOR, Layer.DEPENDENCY, Layer.CLASS) or g.effect != Effect.AUTH or g.location is None \
                or g.location.file != route.location.file:
            continue
        line, col = g.location.line, g.location.col
        # the guard decorator, or one its location is in (``@permission_classes([IsAuthenticated])``)
        dec = starting_at(module, line, col, cst.Decorator, pos) or next(
            (n for n, r in pos.items() if isinstance(n, cst.Decorator) and n is not decorator
             and _within(r, line, col)), None)
        if dec is not None:
            owner = next((n for n in pos if isinstance(n, (cst.FunctionDef, cst.ClassDef))
                          and any(d is dec for d in n.decorators)), None)
            above = list(owner.decorators) if owner is not None else []
            anchor = _callee(above[above.index(dec) - 1]) if dec in above[1:] else None
            found.setdefault(code(dec.decorator).strip(), ("decorator", dec, anchor))
            continue
        param = next((n for n in pos if isinstance(n, cst.Param) and any(
            x is not None and x in pos and _within(pos[x], line, col) for x in (n.name, n.annotation, n.default))),
            None)
        if param is not None:
            found.setdefault(code(param.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip(),
                             ("param", param, None))
            continue
        element = next((n for n, r in pos.items() if isinstance(n, cst.Element) and _within(r, line, col)), None)
        if element is None:
            continue
        if decorator is not None and _in_dependencies(decorator, element):
            found.setdefault(code(element.value).strip(), ("dependency", element, None))
            continue
        attr = next((n for n in pos if isinstance(n, cst.Assign) and len(n.targets) == 1
                     and isinstance(n.targets[0].target, cst.Name) and isinstance(n.value, (cst.List, cst.Tuple))
                     and any(e is element for e in n.value.elements)), None)
        if attr is not None:  # permission_classes = [IsAuthenticated]
            name = attr.targets[0].target.value
            found.setdefault(f"{name} = {code(element.value).strip()}", ("attribute", element, name))
    return found


def _callee(decorator: cst.Decorator) -> str:
    """``api_view`` of ``@api_view(["GET"])``."""
    d = decorator.decorator
    return code(d.func if isinstance(d, cst.Call) else d).strip()


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
    group, handler, decorator = _site(module, pos, target)
    if handler is None:
        return None
    common = None
    first: dict = {}
    seen = set()
    guarded, open_handlers, guarded_reads = set(), {handler}, False
    for r in graph.routes:
        if r.location.file != loc.file or r.location == loc or r.location in seen:
            continue
        seen.add(r.location)
        r_group, r_handler, r_decorator = _site(module, pos, r)
        if r_group != group or r_handler is None:
            continue
        if r.auth != AuthState.PROTECTED:
            open_handlers.add(r_handler)
            continue
        guards = _guard_nodes(module, pos, r, r_decorator)
        if not guards:
            continue
        guarded.add(r_handler)
        guarded_reads = guarded_reads or r.method in READS
        for k, v in guards.items():
            first.setdefault(k, v)
        common = set(guards) if common is None else common & set(guards)
    if not common or len(guarded) < 2 or open_handlers - guarded != {handler}:
        return None
    if all(r.method in READS for r in finding.routes) and not guarded_reads:
        return None
    chosen = [k for k in first if k in common]
    kind, node, anchor = first[chosen[0]]
    if kind == "decorator":
        return _add_decorator(module, handler, decorator, node, anchor)
    if kind == "param":
        return _add_param(module, handler, node)
    if kind == "attribute":
        values = [first[k][1].value for k in chosen if first[k][0] == "attribute" and first[k][2] == anchor]
        return _add_attribute(module, handler, anchor, values)
    return _add_dependency(module, decorator, node)


def _add_decorator(module, handler, route_decorator, guard: cst.Decorator, anchor: str | None) -> Edit:
    """Below the route decorator; for a Django view, below the decorator the sibling has it
    under (``@api_view([...])`` above ``@permission_classes(...)``), else outermost."""
    original = handler
    decorators = list(handler.decorators)
    if route_decorator is not None:
        i = decorators.index(route_decorator) + 1
    else:
        i = next((j + 1 for j, d in enumerate(decorators) if anchor and _callee(d) == anchor), 0)
    new = guard.with_changes(leading_lines=())
    if i == 0 and decorators:  # the comments and blank lines above the first decorator stay above
        new = guard.with_changes(leading_lines=decorators[0].leading_lines)
        decorators[0] = decorators[0].with_changes(leading_lines=())
    elif i == 0:
        new = guard.with_changes(leading_lines=handler.leading_lines)
        handler = handler.with_changes(leading_lines=())
    decorators.insert(i, new)
    return Edit(module.deep_replace(original, handler.with_changes(decorators=decorators)))


def _add_attribute(module, cls: cst.ClassDef, name: str, values) -> Edit | None:
    """``name = [values]`` as the first statement of the class (after its docstring), unless the
    class sets ``name`` already (then it decided, and there is no single fix)."""
    body = list(cls.body.body) if isinstance(cls.body, cst.IndentedBlock) else None
    if body is None or any(isinstance(st, cst.SimpleStatementLine) and any(
            isinstance(sm, (cst.Assign, cst.AnnAssign)) and code(sm).lstrip().startswith(name) for sm in st.body)
            for st in body):
        return None
    stmt = cst.parse_statement(f"{name} = [{', '.join(code(v).strip() for v in values)}]\n")
    docstring = bool(body) and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
        and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    body.insert(1 if docstring else 0, stmt)
    return Edit(module.deep_replace(cls, cls.with_changes(body=cls.body.with_changes(body=body))))


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
    return [p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            if i < len(params) - 1 and p.comma is cst.MaybeSentinel.DEFAULT else p for i, p in enumerate(params)]


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
