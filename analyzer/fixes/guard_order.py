"""RG102: move the guard decorator below the route decorator, where it wraps the function
the route registers."""
from __future__ import annotations

import libcst as cst

from . import Edit
from ._cst import positions, starting_at


def fix(finding, module: cst.Module, graph) -> Edit | None:
    if not finding.routes:
        return None
    _, pos = positions(module)
    loc = finding.location
    guard = starting_at(module, loc.line, loc.col, cst.Decorator, pos)
    route_loc = finding.routes[0].location
    route = starting_at(module, route_loc.line, route_loc.col, cst.Decorator, pos)
    if guard is None or route is None:
        return None
    owner = next((n for n in pos if isinstance(n, (cst.FunctionDef, cst.ClassDef))
                  and any(d is guard for d in n.decorators)), None)
    if owner is None or not any(d is route for d in owner.decorators):
        return None
    decorators = list(owner.decorators)
    gi, ri = decorators.index(guard), decorators.index(route)
    if gi > ri:
        return None
    # Every decorator from the guard down to the route moves up one; the guard goes just below
    # the route. The first line keeps its leading blank lines and comments.
    moved = decorators[:gi] + decorators[gi + 1:ri + 1] + [guard] + decorators[ri + 1:]
    if gi == 0:
        lead = guard.leading_lines
        moved[0] = moved[0].with_changes(leading_lines=lead)
        moved[ri] = guard.with_changes(leading_lines=decorators[1].leading_lines)
    return Edit(module.deep_replace(owner, owner.with_changes(decorators=moved)))
