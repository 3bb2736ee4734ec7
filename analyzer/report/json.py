"""Machine-readable JSON: findings, routes and notifications, sorted, no timestamps."""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as _string

from ..exposure import public_read
from ..states import AuthState


def dumps(value, newline: str = "\n") -> str:
    """``json.dumps(value, indent=2)``, byte for byte, at twice its speed: the standard
    library's encoder runs in pure Python whenever it indents. Dict keys must be strings.
    ``newline`` is the line break and indentation that close the value's brackets."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = newline + "  "
        return "{" + inner + ("," + inner).join(
            _string(k) + ": " + dumps(v, inner) for k, v in value.items()) + newline + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(dumps(v, inner) for v in value) + newline + "]"
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value)  # floats, booleans, None, and anything unusual as the library writes it


def loc_dict(loc):
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "col": loc.col}


def route_dict(r, graph=None) -> dict:
    """A route as the inventory lists it; with the graph, an unprotected read of data that no
    user owns and that holds nothing sensitive is tagged ``"exposure": "public read"``, with
    ``"exposure_reason"`` saying why (what it returns)."""
    d = {
        "method": r.method,
        "path": r.path,
        "framework": r.framework,
        "handler": {"file": r.handler_location.file if r.handler_location else r.location.file,
                    "line": r.handler_location.line if r.handler_location else r.location.line,
                    "qualname": r.handler},
        "auth": r.auth,
        "guards": [{"kind": g.kind, "name": g.name, "layer": g.layer, "effect": g.effect, "reason": g.reason,
                    "file": g.location.file if g.location else None,
                    "line": g.location.line if g.location else None} for g in r.guards],
    }
    if r.kind != "http":  # one of the operations a GraphQL endpoint serves
        d["operation"] = {"kind": r.kind, "name": r.operation}
    if r.registration is not None:  # registered by a call, or declared in an OpenAPI document
        d["registration"] = loc_dict(r.registration)
    if graph is not None:
        d.update(graph.specs.documentation(r))
    if graph is not None and r.auth == AuthState.UNPROTECTED and public_read(graph, r):
        d["exposure"] = "public read"
        d["exposure_reason"] = public_read(graph, r)
    return d


def finding_dict(f, graph=None) -> dict:
    d = {
        "rule": f.rule_id,
        "severity": f.severity.level,
        "message": f.message,
        **loc_dict(f.location),
        "related": [{"message": r.message, **loc_dict(r.location)} for r in f.related],
    }
    if f.routes:
        d["routes"] = [route_dict(r, graph) for r in f.routes]
    if f.suppressed:
        d["suppressed"] = True
    return d


def render(report, show_suppressed: bool = False) -> str:
    from routeguard import __version__

    doc = {
        "tool": {"name": "routeguard", "version": __version__},
        "files": report.files,
        "findings": [finding_dict(f, report.graph) for f in report.visible(show_suppressed)],
        "notifications": [{"file": n.file, "line": n.line, "col": n.col, "level": n.level, "message": n.message}
                          for n in report.notifications],
        "routes": [route_dict(r, report.graph) for r in report.routes],
    }
    if report.baseline is not None:  # the findings above are the new ones
        doc["baseline"] = report.baseline.as_json()
        if report.baseline.include_matched:
            doc["baseline"]["matched_findings"] = [finding_dict(f, report.graph) for f in report.baseline.matched]
    return dumps(doc) + "\n"
