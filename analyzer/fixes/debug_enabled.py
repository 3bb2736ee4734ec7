"""RG401: debug mode from the environment instead of ``True``: ``debug=True`` (a keyword of
``app.run``, ``FastAPI(...)``, ``uvicorn.run``) and ``DEBUG = True`` / ``app.debug = True`` /
``app.config["DEBUG"] = True`` become ``os.environ.get("<VAR>") == "1"``, off unless the
environment turns it on; ``import os`` is added when the file lacks it."""
from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from . import Edit
from ._cst import positions, starting_at

def _variable(module: cst.Module, graph) -> str:
    """The variable the file's framework reads its debug mode from (the adapters'
    ``debug_variables``: Flask's FLASK_DEBUG); a neutral one otherwise."""
    if graph is None:
        return "DEBUG"
    variables = graph.k.debug_variables
    for name in sorted(variables):
        if m.findall(module, m.ImportFrom(module=m.Name(name) | m.Attribute(value=m.Name(name)))) \
                or m.findall(module, m.ImportAlias(name=m.Name(name))):
            return variables[name]
    frameworks = {r.framework for r in graph.routes}
    if len(frameworks) == 1:
        return variables.get(frameworks.pop(), "DEBUG")
    return "DEBUG"


def _env(variable: str) -> cst.BaseExpression:
    return cst.parse_expression(f'os.environ.get("{variable}") == "1"')


def fix(finding, module: cst.Module, graph) -> Edit | None:
    _, pos = positions(module)
    loc = finding.location
    value = _env(_variable(module, graph))
    call = starting_at(module, loc.line, loc.col, cst.Call, pos)
    if call is not None:
        args = [a.with_changes(value=value) if a.keyword and a.keyword.value == "debug"
                and m.matches(a.value, m.Name("True")) else a for a in call.args]
        if args == list(call.args):
            return None
        return Edit(module.deep_replace(call, call.with_changes(args=args)), (("os", None),))
    stmt = starting_at(module, loc.line, loc.col, (cst.Assign, cst.AnnAssign), pos) or next(
        (n for n, r in pos.items() if isinstance(n, (cst.Assign, cst.AnnAssign)) and r.start.line == loc.line), None)
    if stmt is None or not m.matches(stmt.value, m.Name("True")):
        return None
    return Edit(module.deep_replace(stmt, stmt.with_changes(value=value)), (("os", None),))
