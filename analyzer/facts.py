"""The neutral, picklable facts that extraction produces and linking consumes.

Facts never hold CST nodes: only strings, numbers, tuples and other facts, so that
files can be extracted in worker processes and cached.  Every name in a fact is a
*qualified* name (``package.module.attr``) resolved through the file's imports; the
linker joins facts from different files on those names.
"""
from __future__ import annotations

from dataclasses import dataclass, field

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, order=True)
class Location:
    """A span in a project file. Lines and columns are 1-based; ``end_col`` is exclusive."""

    file: str
    line: int
    col: int = 1
    end_line: int = 0
    end_col: int = 0


@dataclass(frozen=True)
class GuardUse:
    """One place where something that may guard a route is applied.

    ``target`` is the qualified name of the decorator, dependency, permission class,
    mixin or gate function.  Whether it really authenticates is decided at link time,
    from the adapters' tables of known guards, the project configuration and the
    summaries of the project's own functions.  ``effect`` is set when the adapter
    already knows it ("auth" or "public").
    """

    target: str
    display: str
    location: Location
    kind: str = "decorator"  # decorator | dependency | permission | mixin | gate | middleware
    methods: tuple[str, ...] = ()  # empty: every method
    effect: str = ""


@dataclass(frozen=True)
class Router:
    """An application, blueprint, router, API object or URLconf that routes hang off."""

    id: str
    kind: str  # app | blueprint | router | api | urlconf
    framework: str
    name: str = ""
    prefix: str = ""
    location: Location | None = None
    guards: tuple[GuardUse, ...] = ()  # guards every route of this router gets


@dataclass(frozen=True)
class Mount:
    """``parent`` includes ``child``: register_blueprint, include_router, include(), Api(bp)."""

    parent: str
    child: str
    location: Location
    prefix: str | None = None  # None: the child's own prefix applies
    name: str | None = None
    guards: tuple[GuardUse, ...] = ()


@dataclass(frozen=True)
class Route:
    """A route as declared on one router (before mount prefixes are applied).

    For a class-based view ``view_class`` names the class; its HTTP-verb methods
    and class-level guards are resolved by the linker (bases may be in other files).
    """

    router: str
    framework: str
    path: str
    methods: tuple[str, ...]
    handler: str
    handler_location: Location | None
    location: Location
    endpoint: str = ""
    guards: tuple[GuardUse, ...] = ()
    misplaced: tuple[GuardUse, ...] = ()
    view_class: str = ""
    span_start: int = 0  # first line of the handler's decorators (suppression scope)
    # Registered by a call (add_url_rule, path()) rather than a decorator: the handler's
    # own decorators, wherever it is defined, are its guards.
    by_reference: bool = False


@dataclass(frozen=True)
class Gate:
    """A hook that runs before the routes of a router (``before_request``, middleware)."""

    router: str
    func: str
    location: Location
    scope: str = "router"  # router: this router and what it mounts; app: the whole app it is mounted in
    exempt_endpoints: tuple[str, ...] = ()
    exempt_paths: tuple[str, ...] = ()  # path prefixes
    exempt_refs: tuple[str, ...] = ()  # qualified names of constants holding more exemptions
    kind: str = "gate"


@dataclass(frozen=True)
class MethodFact:
    name: str
    location: Location
    span_start: int
    decorators: tuple[GuardUse, ...] = ()


@dataclass(frozen=True)
class ClassFact:
    qualname: str
    location: Location
    bases: tuple[str, ...] = ()
    methods: tuple[MethodFact, ...] = ()
    guard_attrs: tuple[tuple[str, tuple[GuardUse, ...]], ...] = ()
    attrs: tuple[tuple[str, str], ...] = ()  # other class attributes holding a literal string list, joined by ","


@dataclass(frozen=True)
class FunctionFact:
    """What a function does, as far as authentication goes.

    ``evidence`` lists direct signs that it checks a credential (a call to a known
    auth primitive, a read of ``is_authenticated``, a 401/403 rejection); ``calls``
    the qualified names it calls, so that the linker can follow helpers transitively.
    Nested functions (a decorator's wrapper) are folded into the outer function.
    """

    qualname: str
    location: Location
    span_start: int
    evidence: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    decorators: tuple[GuardUse, ...] = ()
    params: tuple[str, ...] = ()  # positional parameter names, in order


@dataclass(frozen=True)
class Setting:
    """A configuration value: ``DEBUG = True``, ``app.config["SECRET_KEY"] = "x"``..."""

    key: str
    value: object
    location: Location
    literal: bool = True
    fallback: bool = False  # the literal is the default of an environment lookup
    scope: str = ""  # enclosing class, if any
    via: str = ""


@dataclass(frozen=True)
class Suppression:
    line: int
    ids: tuple[str, ...]  # empty: a bare ignore


@dataclass(frozen=True)
class ModuleFacts:
    path: str
    module: str
    lines: int = 0
    error: str | None = None
    imports: tuple[tuple[str, str], ...] = ()
    instances: tuple[tuple[str, str], ...] = ()  # (qualified variable, qualified class)
    constants: tuple[tuple[str, tuple[str, ...]], ...] = ()
    routers: tuple[Router, ...] = ()
    mounts: tuple[Mount, ...] = ()
    routes: tuple[Route, ...] = ()
    gates: tuple[Gate, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    settings: tuple[Setting, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    # (callee, parameter position or keyword, qualified value): ``register_blueprints(app)``
    # makes the callee's parameter an alias of the caller's router.
    bindings: tuple[tuple[str, str, str], ...] = ()


@dataclass
class FactSink:
    """Mutable collector the extractors write into; frozen into ModuleFacts at the end."""

    instances: list = field(default_factory=list)
    constants: list = field(default_factory=list)
    routers: list = field(default_factory=list)
    mounts: list = field(default_factory=list)
    routes: list = field(default_factory=list)
    gates: list = field(default_factory=list)
    functions: list = field(default_factory=list)
    classes: list = field(default_factory=list)
    settings: list = field(default_factory=list)
    bindings: list = field(default_factory=list)
