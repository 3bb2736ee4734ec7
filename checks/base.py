"""Check, Valid, Invalid and the registry.

A check reads the AppGraph only: it never walks CST and knows no framework's API
names.  Its docstring (sections "What it does", "Why is this bad", "Example",
"Use instead", "References") feeds ``routeguard explain``, the README table and the
SARIF rule; its VALID and INVALID examples become tests.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import ClassVar, Iterable

from routeguard.findings import Finding, Related, Severity
from routeguard.states import AuthState

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")


@dataclass(frozen=True)
class Example:
    files: dict[str, str]
    config: dict = field(default_factory=dict)
    valid: bool = True


def Valid(code: str | dict[str, str], config: dict | None = None) -> Example:
    return Example(code if isinstance(code, dict) else {"app.py": code}, config or {}, True)


def Invalid(code: str | dict[str, str], config: dict | None = None) -> Example:
    return Example(code if isinstance(code, dict) else {"app.py": code}, config or {}, False)


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


# The scope of settings meant for development or test runs: a ``DevelopmentConfig`` or
# ``Testing`` class, a ``settings/local_dev.py`` or ``settings/ci.py`` module
_NON_PRODUCTION = re.compile(r"dev(?!ice)|test|local|debug|^ci$", re.IGNORECASE)


def non_production(scope: str) -> bool:
    return bool(_NON_PRODUCTION.search(scope))


# a settings template the installer copies and fills in (local_settings.example.py, config.sample.py,
# Weblate's settings_example.py)
_TEMPLATE = re.compile(r"[._-](example|sample|template|dist)\.py$", re.IGNORECASE)


def is_settings_template(path: str) -> bool:
    return bool(_TEMPLATE.search(path))


class Check:
    id: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[str]  # high | medium | low (SARIF precision)
    cwe: ClassVar[int]
    owasp: ClassVar[str]  # OWASP API Security Top 10 (2023) category, e.g. "API2:2023"
    VALID: ClassVar[tuple[Example, ...]] = ()
    INVALID: ClassVar[tuple[Example, ...]] = ()

    def run(self, graph) -> Iterable[Finding]:  # pragma: no cover - protocol
        raise NotImplementedError

    def finding(self, message, location, severity=None, related=(), suppress_lines=None, routes=()) -> Finding:
        """A finding; ``routes`` (RouteInfo) are the operations it is about: their registration
        and include sites become related locations, and reports carry their method, path and
        auth state."""
        routes = tuple(routes)
        sites: dict = {}  # registration or include site -> the operations it registers or mounts
        for r in routes:
            for site, what in ((r.registration, "registered"), *((m, "mounted") for m in r.mounts)):
                if site is not None and site != location:
                    sites.setdefault((site, what), {}).setdefault(r.display(), None)
        related = [*related, *(Related(site, f"registered here: {', '.join(ops)}" if what == "registered"
                                       else "mounted here") for (site, what), ops in sites.items())]
        return Finding(self.id, message, location, severity or self.severity,
                       tuple(dict.fromkeys(related)), suppress_lines, routes=routes)

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


def all_checks() -> list[type[Check]]:
    """Every check class in the checks package, sorted by id."""
    package = importlib.import_module(__package__)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name != "base":
            importlib.import_module(f"{__package__}.{info.name}")
    found = {c.id: c for c in _subclasses(Check)}
    return [found[k] for k in sorted(found)]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


OPEN_ROUTE = " on a route that requires no authentication"


def staff_only(graph, routes) -> bool:
    """Every route checks a role: only administrators or staff reach them."""
    return bool(routes) and all(any(a.kind == "role" for a in graph.authz.route_authorization(r)) for r in routes)


def route_severity(base: Severity, routes) -> tuple[Severity, str]:
    """Severity follows the route: one step up, and a message tail saying why, when any of
    ``routes`` requires no authentication."""
    if any(r.auth == AuthState.UNPROTECTED for r in routes):
        return base.raised(), OPEN_ROUTE
    return base, ""


def per_route(items: Iterable, route=lambda item: item[0]):
    """``items`` grouped by the route declaration they are about (its location and handler: a
    view mounted under several prefixes is one place to fix, and one finding), each group with
    its methods joined: ``(group, "PUT/PATCH")``. ``route(item)`` gives an item's RouteInfo (by
    default its first element)."""
    key = lambda item: (route(item).location, route(item).handler)  # noqa: E731
    order = lambda item: (*key(item), route(item).path)  # noqa: E731
    for _, group in groupby(sorted(items, key=order), key=key):
        group = list(group)
        yield group, "/".join(dict.fromkeys(route(item).method for item in group))


def markdown_table(checks) -> str:
    """The README's table of checks (``routeguard rules --format markdown``)."""
    rows = ["| ID | Name | Severity | CWE | OWASP API | What it finds |", "|---|---|---|---|---|---|"]
    rows += [f"| {c.id} | `{c.name}` | {c.severity.level} | CWE-{c.cwe} | {c.owasp} | {c.summary} |" for c in checks]
    return "\n".join(rows) + "\n"
