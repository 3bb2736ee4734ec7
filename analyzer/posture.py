"""What a change does to an API's posture: two scans (before and after) compared.

Routes are matched by operation (method and path); a matched route whose auth state or
authenticating guards differ is a change, ``weakened`` when it lost protection (protected
-> unprotected, a public marker added, an authenticating guard removed). Findings are
matched by the baseline's fingerprints, so code that only moved is neither introduced nor
fixed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .baseline import fingerprints
from .findings import Severity
from .report.json import finding_dict, route_dict
from .states import AuthState, Effect

RANK = {AuthState.UNPROTECTED: 0, AuthState.PUBLIC: 1, AuthState.PROTECTED: 2}


@dataclass
class RouteChange:
    before: object  # RouteInfo
    after: object
    change: str
    weakened: bool
    guards_removed: tuple[str, ...] = ()
    guards_added: tuple[str, ...] = ()


@dataclass
class Posture:
    base: str
    head: str
    added: list = field(default_factory=list)  # RouteInfo
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # RouteChange
    introduced: list = field(default_factory=list)  # Finding
    fixed: list = field(default_factory=list)
    head_report: object = None

    def exit_code(self, fail_on: str) -> int:
        level = Severity.parse(fail_on)
        return 1 if any(c.weakened for c in self.changed) or any(f.severity >= level for f in self.introduced) else 0


def _guards(route) -> set[str]:
    return {g.name for g in route.guards if g.effect == Effect.AUTH}


def _markers(route) -> set[str]:
    return {g.name for g in route.guards if g.effect == Effect.PUBLIC}


def route_change(before, after) -> RouteChange | None:
    removed = tuple(sorted(_guards(before) - _guards(after)))
    added = tuple(sorted(_guards(after) - _guards(before)))
    if before.auth != after.auth:
        if after.auth == AuthState.PUBLIC:
            marker = ", ".join(sorted(_markers(after) - _markers(before))) or "a public marker"
            change = f"{before.auth} -> public ({marker} added)"
        else:
            change = f"{before.auth} -> {after.auth}"
        if removed and after.auth != AuthState.PROTECTED:
            change += f": {', '.join(removed)} removed"
        return RouteChange(before, after, change, RANK[after.auth] < RANK[before.auth] or
                           (before.auth == AuthState.PROTECTED and after.auth != AuthState.PROTECTED), removed, added)
    if removed or added:
        parts = ([f"{', '.join(removed)} removed"] if removed else []) + ([f"{', '.join(added)} added"] if added else [])
        return RouteChange(before, after, f"{after.auth}, guard {'; '.join(parts)}", bool(removed), removed, added)
    return None


def _by_operation(routes) -> dict:
    out = defaultdict(list)
    for r in routes:
        out[(r.method, r.path)].append(r)
    return out


def compare(base_report, head_report, base: str, head: str) -> Posture:
    posture = Posture(base, head, head_report=head_report)
    old, new = _by_operation(base_report.routes), _by_operation(head_report.routes)
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key, []), new.get(key, [])
        for b, a in zip(before, after):
            change = route_change(b, a)
            if change:
                posture.changed.append(change)
        posture.removed += before[len(after):]
        posture.added += after[len(before):]

    def keyed(report):
        found = [f for f in report.findings if not f.suppressed]
        return list(zip(fingerprints(found, report.texts), found))

    before_fps = defaultdict(int)
    for fp, _ in keyed(base_report):
        before_fps[fp] += 1
    after = keyed(head_report)
    after_fps = defaultdict(int)
    for fp, f in after:
        after_fps[fp] += 1
        if after_fps[fp] > before_fps[fp]:
            posture.introduced.append(f)
    seen = defaultdict(int)
    for fp, f in keyed(base_report):
        seen[fp] += 1
        if seen[fp] > after_fps[fp]:
            posture.fixed.append(f)
    return posture


def _route_line(r) -> str:
    h = r.handler_location or r.location
    return f"{r.method} {r.path} ({r.auth}; {r.handler.rpartition('.')[2]} {h.file}:{h.line})"


def _finding_line(f) -> str:
    return f"{f.location.file}:{f.location.line}: {f.rule_id} [{f.severity.level}] {f.message}"


def as_json(p: Posture) -> dict:
    graph = p.head_report.graph if p.head_report else None
    return {
        "base": p.base, "head": p.head,
        "routes_added": [route_dict(r, graph) for r in p.added],
        "routes_removed": [route_dict(r) for r in p.removed],
        "auth_changed": [{"method": c.after.method, "path": c.after.path, "before": c.before.auth,
                          "after": c.after.auth, "change": c.change, "weakened": c.weakened,
                          "guards_removed": list(c.guards_removed), "guards_added": list(c.guards_added),
                          "route": route_dict(c.after, graph)} for c in p.changed],
        "findings_introduced": [finding_dict(f, graph) for f in p.introduced],
        "findings_fixed": [finding_dict(f) for f in p.fixed],
    }


def counts(p: Posture) -> str:
    weakened = sum(1 for c in p.changed if c.weakened)
    return (f"{len(p.added)} route(s) added, {len(p.removed)} removed, {len(p.changed)} auth change(s) "
            f"({weakened} weakened), {len(p.introduced)} finding(s) introduced, {len(p.fixed)} fixed")


def as_text(p: Posture) -> str:
    lines = [f"routeguard diff {p.base} -> {p.head}"]
    sections = [("Routes added", [_route_line(r) for r in p.added]),
                ("Routes removed", [_route_line(r) for r in p.removed]),
                ("Auth changed", [f"{'WEAKENED ' if c.weakened else ''}{c.after.method} {c.after.path}: {c.change}"
                                  for c in p.changed]),
                ("Findings introduced", [_finding_line(f) for f in p.introduced]),
                ("Findings fixed", [_finding_line(f) for f in p.fixed])]
    for title, items in sections:
        if items:
            lines += ["", f"{title}:"] + [f"  {i}" for i in items]
    lines += ["", counts(p) + "."]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(p: Posture) -> str:
    """A pull-request comment."""
    out = [f"### routeguard: API posture of `{_md(p.base)}` -> `{_md(p.head)}`", "", counts(p) + "."]
    if p.changed:
        out += ["", "#### Auth changed", "", "| | Operation | Change |", "|---|---|---|"]
        out += [f"| {':warning:' if c.weakened else ''} | `{c.after.method} {_md(c.after.path)}` | {_md(c.change)} |"
                for c in p.changed]
    for title, routes in (("Routes added", p.added), ("Routes removed", p.removed)):
        if routes:
            out += ["", f"#### {title}", "", "| Operation | Auth | Handler |", "|---|---|---|"]
            out += [f"| `{r.method} {_md(r.path)}` | {r.auth} | `{_md((r.handler_location or r.location).file)}:"
                    f"{(r.handler_location or r.location).line}` |" for r in routes]
    for title, found in (("Findings introduced", p.introduced), ("Findings fixed", p.fixed)):
        if found:
            out += ["", f"#### {title}", "", "| Rule | Level | Where | Message |", "|---|---|---|---|"]
            out += [f"| {f.rule_id} | {f.severity.level} | `{_md(f.location.file)}:{f.location.line}` | {_md(f.message)} |"
                    for f in found]
    return "\n".join(out) + "\n"


def as_sarif(p: Posture) -> str:
    """The head's SARIF with only the findings the change introduces."""
    report = p.head_report
    report.findings = list(p.introduced)
    report.baseline = None
    return report.render("sarif")
