"""Link: join every file's facts into one AppGraph (networkx) and answer, for every
route, its full path, its methods, its effective guards with their provenance, and
its auth state: protected, public (explicitly) or unprotected.

The linker is framework-neutral: it joins facts on qualified names and consults the
adapters' tables only through ``Knowledge``.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, replace

import networkx as nx

from .authz import NOT_CLIENT
from .authz_graph import AuthzQueries, is_param
from .operations import OperationQueries
from .specs import SpecQueries
from .extract import MADE, SIGNATURE_REASON, STATUS_KEYWORDS, VERIFIES
from . import fields as _fields
from .names import RULE_ARG
from .resolver import NameResolver
from .states import VISIBILITY_REASON, AuthState, Effect, Layer
from .proxies import PROXY_REASON
from .facts import CONFIG_REF, CORS_DEFAULTS, HTTP_METHODS, WRITE_METHODS, DataWrite, FunctionFact, GuardUse, Location, MethodFact, ModuleFacts, Mount, Route, Router, index_facts

LAYER_OF_ROUTER = {"app": Layer.APP, "blueprint": Layer.BLUEPRINT, "router": Layer.ROUTER, "api": Layer.APP, "urlconf": Layer.URLCONF}
# Endpoints that are public by convention; configurable (default-public-routes = false turns it off).
CONVENTIONAL_PUBLIC = (
    "login", "logout", "signin", "sign_in", "signout", "sign_out", "register", "signup", "sign_up",
    "login_with_*", "login_via_*", "signin_with_*", "sign_in_with_*",
    "token", "refresh", "token_auth", "token-auth", "token_blacklist", "token-blacklist", "forgot*", "reset*password*", "password*reset*", "password*remind*", "verify*email*",
    "confirm*mail*", "resend*confirm*", "resend*verif*", "email*verif*", "mail*verif*",
    "health*", "ping", "ready*", "live*", "static", "docs", "redoc", "swagger*", "openapi*", "callback", "oauth*",
    "authorize", "password*recover*", "recover*password*", "schema", "robots.txt", "favicon*", "sitemap*",
    "manifest*", "service-worker*", "security.txt", "privacy*", "terms*", "tos",
    "totp", "two_factor", "2fa", "mfa", "*otp", "fido*", "webauthn*", "passkey*", "magic*", "saml*", "opensearch*",
)
# A name or path word about administration: ``admin``, ``admin_views``, ``site_admin``, ``administration``
_ADMIN_WORD = re.compile(r"(^|[_-])admin")
# First-run setup, public until the application is set up: as the whole path (``/setup``), since
# ``/projects/<id>/setup`` is an ordinary operation, or as the last word of a path with no
# parameters when the word says "first" (``/api/v1/auth/first_install``)
FIRST_RUN = frozenset({"setup", "first_install", "install", "first-run", "first_run", "first_setup", "onboarding"})
# Settings that open sign-up: a handler switched off by one creates accounts for newcomers
SIGNUP_SETTING = re.compile(r"sign_?up|regist|new_(accounts?|users?)|guest_users?", re.IGNORECASE)
# The collection of authentications, REST style: ``/api/v1/auth``, not ``/users/<id>/auth`` (an
# object's own settings)
_LOGIN_COLLECTION = re.compile(r"^[\w/.-]*/auth/?$")
_CONVENTIONAL_PUBLIC = re.compile("|".join(fnmatch.translate(p) for p in CONVENTIONAL_PUBLIC))  # one test per word
# ... but an OAuth or SAML word that names what an administrator manages is no sign-in step
# (fief's ``get_oauth_provider`` at ``/admin/api/oauth-providers/{id}``, ``oauth_clients``)
_MANAGED_ENTITY = re.compile(r"^(oauth|saml).*(provider|client|app|application|config|configuration|setting|"
                             r"integration|connection)s?$")


_VERB_PREFIX = re.compile(r"^(get|post|put|patch|delete|head|options|request|send|resend|handle|do)_(?=.)")
# Path parameters: Flask/Django ``<conv:name>``, FastAPI ``{name}``, Django regex ``(?P<name>...)``
_PATH_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)(?::[^}]*)?\}|\(\?P<(\w+)>")
# names of path parameters that carry a secret: the URL is the credential (word parts split on "_")
_SECRET_PARTS = frozenset({"token", "secret", "signature", "signed", "key"})
STATUS_ATTRIBUTES = (*STATUS_KEYWORDS, "HTTP_STATUS", "http_status")  # an error class's status
_UNAUTHORIZED = re.compile(r"rejects with (401|\w*401\w*|\w*UNAUTHORIZED)$")
REJECTS_ONLY = "rejects with "  # the reason of a check that only answers 401/403, reading no credential


def _capabilities(path: str):
    """(name, literal segment before it) for each path parameter of ``path``."""
    for m in _PATH_PARAM.finditer(path):
        before = [w for w in re.split(r"[/.]", path[:m.start()]) if w and not w.startswith(("<", "{", "("))]
        yield m.group(1) or m.group(2) or m.group(3), before[-1].lower() if before else ""


def _secret_param(name: str, before: str) -> bool:
    """A path parameter named as a secret (``token``, ``signed_token``, ``ping_key``) or the
    slug of a share link. A ``<uuid:code>`` is not one: projects use random codes as object
    ids too (``/checks/<uuid:code>/pause/``), and nothing tells the two apart."""
    return bool(set(name.lower().split("_")) & _SECRET_PARTS) or (name == "slug" and before in ("share", "shared"))


@dataclass(frozen=True)
class GuardInfo:
    kind: str  # decorator | dependency | permission | mixin | gate | middleware | inline | signature | capability | allow-list
    name: str
    layer: Layer
    location: Location | None
    effect: Effect
    reason: str = ""
    target: str = ""  # qualified name of the guard (decorator, dependency, class, gate function)
    given: tuple[str, ...] = ()  # what the guard was handed where it was made, and runs (GuardUse.given)
    keywords: tuple[str, ...] = ()  # GuardUse.keywords


@dataclass(frozen=True)
class RouteInfo:
    framework: str
    method: str
    path: str
    handler: str
    handler_location: Location | None
    location: Location
    endpoint: str
    auth: AuthState
    guards: tuple[GuardInfo, ...]
    misplaced: tuple[GuardInfo, ...] = ()
    mounts: tuple[Location, ...] = ()
    suppress_lines: tuple[int, int] = (0, 0)
    view_class: str = ""
    item: bool | None = None  # the route addresses one object (True), a collection (False), unknown (None)
    inert: tuple[GuardInfo, ...] = ()  # guards applied to the route that never run on it
    # guards applied to the route that do not authenticate (object-level permissions...): what
    # they authorize is judged by the authorization queries
    applied: tuple[GuardInfo, ...] = ()
    # Where a route registered by a call (path(), router.register(), add_url_rule) is
    # registered; ``location`` is then its handler, where findings about it go.
    registration: Location | None = None
    # What kind of operation it is (http | graphql-query | graphql-mutation | graphql-subscription)
    # and, for one of the operations a GraphQL endpoint serves, its name (analyzer/operations.py).
    kind: str = "http"
    operation: str = ""

    def display(self, verbs: str = "") -> str:
        """How messages name the operation: ``GET /users/<id>``, ``GraphQL mutation deleteBook at /graphql``."""
        if self.kind == "http":
            return f"{verbs or self.method} {self.path}"
        return f"GraphQL {self.kind.partition('-')[2]} {self.operation} at {self.path}"

    def sort_key(self):
        return (self.path, HTTP_METHODS.index(self.method) if self.method in HTTP_METHODS else 99,
                self.location, self.handler)


def _first_matches(routes) -> list[RouteInfo]:
    """Django answers a request with the first URL pattern that matches: the same view registered
    again at the same path (umap's ``datalayer_urls``, included once with its permission
    decorators and once more with ``never_cache`` only) is never reached there; only the first
    registration, in the order its includes are listed, is kept."""
    kept, seen = [], set()
    for r in sorted(routes, key=lambda r: (r.mounts, r.registration or r.location)):
        key = (r.method, r.path, r.handler)
        if r.framework == "django" and key in seen:
            continue
        seen.add(key)
        kept.append(r)
    return kept


def join_paths(prefix: str, rule: str) -> str:
    if not prefix:
        return rule
    if not rule:
        return prefix
    return prefix.rstrip("/") + "/" + rule.lstrip("/")


# the layer a route's own guard use is at, by its kind: an OpenAPI document's security is the document's
LAYER_OF_USE = {"dependency": Layer.DEPENDENCY, "spec": Layer.DOCUMENT}


class AppGraph(AuthzQueries, OperationQueries, SpecQueries):
    def __init__(self, modules: list[ModuleFacts], knowledge, config):
        self.modules = sorted(modules, key=lambda m: m.path)
        self.k = knowledge
        self.config = config
        # routers, the mounts between them, and the router that registers each route: what is read
        # (mount chains, specs.py's documents, the HTML report's tree)
        self.graph = nx.MultiDiGraph()
        analyzed = [m for m in self.modules if not m.error]
        self.imports: dict[str, dict[str, str]] = {m.module: dict(m.imports) for m in analyzed}
        # the indexes the fact kinds declare (facts.ModuleFacts): functions, classes, models and
        # schemas by qualified name, dependencies by user, field_facts by model and name, ...
        self.__dict__.update(index_facts(analyzed))
        self.routers: dict[str, Router] = {}
        self.module_alias = _module_aliases(self.modules)
        self.param_alias: dict[str, str] = {}
        self.results: dict[str, str] = {}  # x in ``x = make_router()`` -> the variable make_router returns
        self.collections: dict[str, list[str]] = {}  # a name -> what it holds (collections facts, arguments)
        self.names = NameResolver(self.imports, self.module_alias, self.classes, self.functions, self.instances,
                                  self.constants, self.param_alias, self.results, self.k.provided_methods)
        for m in self.modules:
            for name, items in m.collections:
                self.collections.setdefault(name, []).extend(items)
        # only names that can be a project function are resolved (alias() is not memoized yet)
        defined = {q.rpartition(".")[2] for q in self.functions}
        for m in self.modules:
            for callee, slot, value in m.bindings:
                f = self.functions.get(callee) or (self.functions.get(self.alias(callee))
                                                   if callee.rpartition(".")[2] in defined else None)
                if f is None:
                    continue
                param = f.params[int(slot)] if slot.isdigit() and int(slot) < len(f.params) else slot
                if param in f.params:
                    self.param_alias.setdefault(f"{f.qualname}.{param}", value)
                    self.collections.setdefault(f"{f.qualname}.{param}", []).append(value)  # every value passed
        returning = {q.rpartition(".")[2] for q, f in self.functions.items() if len(f.returns) == 1}
        made_by_factory = {}
        # router = create_crud_router(...): routes added to it there are its own, and the routes the
        # factory adds to the router it makes are those of every router it makes (a mount, not an alias)
        call_made = {r.id for m in self.modules for r in m.routers if r.cls}
        self._factory_mounts: dict[str, str] = {}
        for name, made in self.instances.items():  # x = make_router(): x is what make_router returns
            f = None if made.rpartition(".")[2] not in returning else \
                self.functions.get(made) or self.functions.get(self.alias(made))
            if f is not None and len(f.returns) == 1 and f.returns[0].endswith(MADE):
                made_by_factory[name] = f.returns[0][:-len(MADE)]  # auth = Provider.new_instance()
                continue
            if f is not None and len(f.returns) == 1 and f.returns[0] != name:
                back = f.returns[0]
                if not back.startswith(f"{f.qualname}.") and not any(
                        back in known for known in (self.functions, self.classes, self.instances, self.constants)):
                    # a function it defines inside and returns, whose body is folded into its own:
                    # ``current_active_user = current_user(active=True)`` runs current_user's checks
                    back = f.qualname
                if name in call_made and back.startswith(f"{f.qualname}.") and self._makes_router(f.qualname):
                    self._factory_mounts[name] = back
                    continue
                self.results[name] = back
        self.instances.update(made_by_factory)
        self._link_callbacks()
        for r in self._instance_routers([r for m in self.modules for r in m.routers]):
            if r.id in self.param_alias:  # a parameter used as an app: the router its caller passes
                continue
            if r.id not in self.routers and (rid := self.alias(r.id)) != r.id:
                # a shared router named where it is imported (``from ralph.api import router``), as
                # routes and mounts name it once aliased
                r = replace(r, id=rid)
            self.routers[r.id] = r
            self.graph.add_node(("router", r.id))
        self.mounts = []
        self.detached: dict[str, list] = {}  # router -> mounts with a prefix on an unknown parent
        made = [Mount(name, back, self.routers[name].location) for name, back in self._factory_mounts.items()
                if name in self.routers and back in self.routers]
        for m in [*self.modules, ModuleFacts("", "", mounts=tuple(made))]:
            for mount in m.mounts:
                parent, child = self.alias(mount.parent), self.alias(mount.child)
                made = self.functions.get(child)
                if made is not None and len(made.returns) == 1:  # register_blueprint(construct_blueprint(ds))
                    child = self.alias(made.returns[0])
                if child not in self.routers:  # ``user_routes.router``: the router its class builds
                    child = self.canonical(mount.child)
                several = len(self.collections.get(mount.child, ())) > 1  # a helper's parameter, called for each
                for child in [child] if child in self.routers and not several else self._members(mount.child):
                    if parent in self.routers and parent != child:
                        self.mounts.append(mount)
                        self.graph.add_edge(("router", parent), ("router", child), key=len(self.mounts) - 1,
                                            relation="mounts", mount=mount)
                    elif mount.prefix is not None or mount.prefix_ref:
                        # registered on an app that is a parameter (a plugin hook's ``app``): its prefix holds
                        self.detached.setdefault(child, []).append(mount)
        self.gates: dict[str, list] = {}
        for m in self.modules:
            for gate in m.gates:
                self.gates.setdefault(self.alias(gate.router), []).append(gate)
        self._auth_memo: dict[str, str | None] = {}
        self._helper_memo: dict[str, str | None] = {}
        self._nested: dict[str, list] = {}  # decorator -> the functions defined inside it
        self._app_gate_memo: dict[str, list] = {}
        self.mount_graph = nx.DiGraph((u[1], v[1]) for u, v, d in self.graph.edges(data=True)
                                      if d.get("relation") == "mounts")
        self._memo: dict[tuple, object] = self.names.complete()  # the name tables are complete: answers are remembered
        self.data_writes = [*self.data_writes, *self._handed_writes()]
        # routes registered on an instance of a project class that is no router routeguard knows
        # (indico's IndicoBlueprint): receiver -> (its class, the routes); a gap in the verdict,
        # reported as a notification
        self.unplaced: dict[str, tuple[str, list[Route]]] = {}
        self.routes: list[RouteInfo] = sorted(_first_matches(self._link_routes()), key=RouteInfo.sort_key)

    def _handed_writes(self) -> list[DataWrite]:
        """Client data handed to a project function that sets every key of one of its parameters
        as an attribute of another (facts.DataHandoff): a DataWrite at the call, of the class of
        the argument the callee writes into."""
        writers: dict[str, list] = {}
        for h in self.handoffs:
            if h.how == "writes":
                writers.setdefault(h.function, []).append(h)
        out = []
        for h in self.handoffs if writers else ():
            callee = self.method(self.canonical(h.callee)) if h.how == "passes" else None
            if callee not in writers:
                continue
            params = self.functions[callee].params
            names = params[1:] if params[:1] in (("self",), ("cls",)) else params
            slot = {n: str(i) for i, n in enumerate(names)}
            for w in writers[callee]:
                if h.data not in (w.data, slot.get(w.data)):
                    continue
                args = dict(h.args)
                target = args.get("self") if w.target == "self" else args.get(w.target) or args.get(slot.get(w.target, ""))
                out.append(DataWrite(h.function, h.location, "setattr", h.source, target or "",
                                     f"{h.display}, through {callee.rpartition('.')[0].rpartition('.')[2]}."
                                     f"{callee.rpartition('.')[2]}", h.source_location, h.overwritten))
        return out

    def _link_callbacks(self) -> None:
        """A function handed to a callee that calls that parameter (a hook's ``__call__(self,
        action, *args)`` running ``action(*args)``: Misago's ``check_hook(_check_action, user)``)
        is called by whoever handed it over."""
        for q, f in list(self.functions.items()):
            run = [fn for callee, slot, fn in f.hands if self._runs_argument(callee, int(slot))]
            if run:
                self.functions[q] = replace(f, calls=tuple(sorted({*f.calls, *run})))

    def _runs_argument(self, callee: str, position: int) -> bool:
        """The callee (a function, or an instance of a class whose ``__call__`` calls it, or
        hands it on to ``super().__call__``) calls the parameter it gets at ``position``."""
        g = self.functions.get(callee) or self.functions.get(self.alias(callee))
        if g is not None:  # a method called on self or an instance takes its arguments after self
            position += g.params[:1] in (("self",), ("cls",))
            return position < len(g.params) and g.params[position] in g.runs
        made = self.instances.get(callee) or self.instances.get(self.alias(callee))
        for m in (self.functions.get(f"{c}.__call__") for c in (self.mro(self.alias(made)) if made else ())):
            if m is None:
                continue
            if position + 1 < len(m.params) and m.params[position + 1] in m.runs:
                return True
            if "__call__" not in m.super_calls:
                return False
        return False

    def _members(self, name: str) -> list[str]:
        """The routers a collection holds (``for bp in blueprints: app.register_blueprint(bp)``):
        through the values passed for a parameter and the names a collection lists."""
        found, seen, todo = [], set(), [name]
        while todo:
            q = todo.pop()
            if q in seen or len(seen) > 200:
                continue
            seen.add(q)
            if self.alias(q) in self.routers:
                found.append(self.alias(q))
            todo.extend(reversed(self.collections.get(q) or self.collections.get(self.alias(q), [])))
        return list(dict.fromkeys(found))

    def _makes_router(self, function: str) -> bool:
        """``function`` says it returns a router (``def create_crud_router(...) -> APIRouter``)."""
        made = self.returns.get(function)
        return made is not None and bool(made.annotation) and self.alias(made.annotation) in self.k.router_classes

    def _instance_routers(self, routers: list[Router]) -> list[Router]:
        """Routers, with instances of project router classes kept only when a class along
        their bases is one (``kind="class"``): they get its guards and default prefix."""
        classes = {r.id: r for r in routers if r.kind == "class"}
        out = []
        for r in routers:
            if r.kind == "class":
                continue
            if r.cls and r.cls not in self.classes and self._makes_router(self.alias(r.cls)):
                r = replace(r, cls="")  # router = create_crud_router(...)
            elif r.cls:
                bases = [classes[q] for q in self.mro(r.cls) if q in classes]
                if all(b.cls for b in bases) or any(b.framework != r.framework for b in bases):
                    continue
                kind = next((b.name for b in bases if b.framework == "flask" and b.name), r.kind)  # Flask: its base's kind
                r = replace(r, kind=kind, prefix=r.prefix or next((b.prefix for b in bases if b.prefix), ""), cls="",
                            guards=tuple(g for b in bases for g in b.guards) + r.guards)
            out.append(r)
        return out

    # -- names (routeguard.resolver) ------------------------------------------------
    def _remembered(self, kind: str, qname: str, answer):
        """``answer(qname)``, computed once per name when the name tables are complete; while
        they are being built, computed every time (the resolver's one memo, ``self._memo``)."""
        return self.names.remembered(kind, qname, answer)

    def alias(self, qname: str, depth: int = 0) -> str:
        return self.names.alias(qname, depth)

    def canonical(self, qname: str) -> str:
        return self.names.canonical(qname)

    def mro(self, qname: str) -> list[str]:
        return self.names.mro(qname)

    # -- what authenticates ----------------------------------------------------------
    def function_auth(self, qname: str, _stack: frozenset = frozenset(), helper: bool = False) -> str | None:
        """Why the project function ``qname`` checks a credential, or None. For the code of a
        handler (``helper``: the handler and what it calls), a test whose branch only answers no
        (``if user.is_anonymous: return False``) turns no one away: the handler decides what a
        no means (misago's ``can_see_last_thread`` only hides a link), unless it tests the answer
        in a branch that ends the request. In a guard (a permission class, a dependency, a
        decorator) the answer is the guard's verdict."""
        memo = self._helper_memo if helper else self._auth_memo
        if qname in memo:
            return memo[qname]
        f = self.functions.get(qname)
        deps = self.dependencies.get(qname, ())
        if (f is None and not deps) or qname in _stack:
            return None
        reason = f.evidence[0] if f and f.evidence else f.answers[0] if f and f.answers and not helper else None
        if reason is None and f is not None:
            reason = self.verified_by(f)
        if reason is None and f is not None:
            for call in f.calls:
                if call in f.swallowed:
                    continue
                c = self.canonical(call)
                value = self.rejecting_value(call)
                if value:
                    reason = f"uses {value[0].rpartition('.')[2]}, which {value[1]}"
                elif c in self.k.auth_calls or self.k.known_guards.get(c) == Effect.AUTH:
                    reason = f"calls {c}"
                elif c in self.classes and (self.function_auth(f"{c}.__init__", _stack | {qname}, helper)
                                            or self._status_error(c, qname)):
                    reason = f"calls {c}"  # an exception class that rejects with 401/403
                else:
                    c = self.method(c)
                    # a helper's answer counts where this function tests it to end the request
                    inner = self.function_auth(c, _stack | {qname}, helper and call not in f.tested) if c else None
                    if inner:  # a signature the helper checks is one wherever it is checked
                        reason = f"{inner} (in {c})" if inner.startswith(SIGNATURE_REASON) else f"calls {c}"
                if reason:
                    break
        if reason is None:
            for dep in deps:  # what a dependency checks, its user checks too
                verdict = self.judge(dep.target, _stack | {qname})
                if verdict and verdict[0] == Effect.AUTH:
                    reason = f"depends on {dep.display or dep.target}"
                    break
        memo[qname] = reason
        return reason

    def _self_calls_auth(self, f, view_class: str, mro) -> str | None:
        """Why a method that calls ``self.x()`` checks the caller, where ``x`` is looked up on
        the route's view class rather than the class the method is written in: a mixin's
        ``by_ref`` returning ``self.retrieve(...)`` runs the viewset's ``retrieve``."""
        for call in f.calls:
            owner, _, name = call.rpartition(".")
            if owner in mro:
                c = self.method_function(view_class, name)
                if c and c != call:
                    reason = self.function_auth(c, helper=True)
                    if reason:
                        return f"calls {c}: {reason}"
        return None

    def verified_by(self, f, mro=None) -> str | None:
        """Why ``f`` rejects a request whose signature or shared secret does not match: it
        raises or returns when a function it calls, which compares one, says no. ``self.x()``
        is looked up along ``mro`` (the route's view class) when given."""
        for call in f.tested:
            c = self.canonical(call)
            if mro and c.rpartition(".")[0] in mro:
                c = self.method(f"{mro[0]}.{c.rpartition('.')[2]}") or c
            g = self.functions.get(self.method(c) or c)
            if g is not None and g.compares:
                return f"rejects unless {g.qualname} {g.compares[0]}"
        return None

    def _read_only_base(self, use) -> str:
        """The library permission a project permission class extends that lets anyone read and
        only signed-in users write (DRF's ``IsAuthenticatedOrReadOnly``), or ''."""
        q = self.canonical(use.target)
        if use.kind != "permission" or q not in self.classes:
            return ""
        return next((c.rpartition(".")[2] for c in self.mro(q)[1:] if self.k.authz_guards.get(c) == "readonly"), "")

    def _method_only(self, target: str) -> bool:
        """A project permission class that decides by the request's method alone (``return
        request.method in SAFE_METHODS``): it lets everyone read and nobody write."""
        q = self.canonical(target)
        if q not in self.classes or "&" in target or "+" in target:
            return False
        checks = [m for name, scope in self.k.guard_methods.items() if scope != "item"
                  if (m := self.method(f"{q}.{name}"))]
        return bool(checks) and all(
            not self.functions[m].evidence and not self.functions[m].calls and self.request_reads.get(m)
            and all(r.kind == "method" for r in self.request_reads[m]) for m in checks)

    def _status_error(self, cls: str, raiser: str) -> bool:
        """An error class whose class attribute says 401 (``class UnauthorizedError(ServerError):
        HTTP_STATUS = 401``, turned into the response by an exception handler), raised outside a
        view class that dispatches to permission classes (a vendored DRF's ``permission_denied``
        answers 401 only for what those classes turn away)."""
        if self.method(f"{raiser.rpartition('.')[0]}.check_permissions"):
            return False
        mro = self.mro(cls)
        return any(c.rpartition(".")[2].endswith(("Error", "Exception")) for c in mro) and any(
            _UNAUTHORIZED.search(self.rejecting_values.get(f"{c}.{attr}", ""))
            for c in mro for attr in STATUS_ATTRIBUTES)

    def rejecting_value(self, qname: str) -> tuple[str, str] | None:
        """(name, why) when ``qname`` names a module or class level value that rejects (a
        pre-built 401 exception, a 403 status): ``self.denied`` is looked up along the class's
        bases."""
        if not self.rejecting_values:
            return None
        q = self.alias(qname)
        if q in self.rejecting_values:
            return q, self.rejecting_values[q]
        cls, _, attr = q.rpartition(".")
        for c in self.mro(cls) if cls in self.classes else ():
            if f"{c}.{attr}" in self.rejecting_values:
                return f"{c}.{attr}", self.rejecting_values[f"{c}.{attr}"]
        return None

    def judge(self, target: str, _stack: frozenset = frozenset(), hook: bool = False) -> tuple[str, str] | None:
        """(effect, reason) if the decorator/dependency/class ``target`` is a guard. A ``hook``
        (middleware, ``before_request``) hands the request on when it returns nothing, so an
        answer of a helper it calls turns no one away unless it tests the answer (pretalx's
        ``return self._gate(request) or self.get_response(request)``)."""
        q = self.canonical(target)
        if q in self.k.known_guards:
            return self.k.known_guards[q], q
        base = self.inherited_guard(q)
        if base in self.k.known_guards:
            return self.k.known_guards[base], base
        reason = self.function_auth(q, _stack, hook)
        f = self.functions.get(q)
        if f is not None and f.passes and (reason or f.gated):  # check_account_visibility
            return Effect.PUBLIC, f"calls the view with no credential check when {f.passes[0]} (a setting)"
        optional = self._optional_dependency(q, f, _stack)
        if optional:
            return Effect.PUBLIC, optional
        if f is not None and f.optional and not reason:
            return Effect.PUBLIC, f"optional authentication: {f.optional}"
        if reason:
            return Effect.AUTH, reason
        for use in f.decorators if f is not None and q not in _stack else ():
            # @permissions_wrapper def global_admin(...): the name is what the project decorator makes of
            # the check (a wrapper that requires login and answers 403 unless the check passes)
            maker = self.canonical(use.target)
            verdict = self.judge(maker, _stack | {q}, hook) if maker in self.functions else None
            if verdict and verdict[0] == Effect.AUTH:
                return Effect.AUTH, f"made by {maker.rpartition('.')[2]}, which {verdict[1]}"
            if self.k.known_guards.get(maker) == Effect.PUBLIC:  # def access_exempt(view): return ...(login_not_required)
                return Effect.PUBLIC, f"applies {maker.rpartition('.')[2]}"
        visible = self.visibility(q)
        if visible:
            return Effect.PUBLIC, visible
        cls = self.instances.get(q)
        if cls and q not in _stack:  # using an instance calls its class's __call__
            verdict = self.judge(cls, _stack | {q}, hook)
            if verdict:
                return verdict[0], f"{q.rpartition('.')[2]} is a {cls.rpartition('.')[2]}: {verdict[1]}"
        for made in self.returned_types(q) if f is not None and q not in _stack else ():
            call = self.method(f"{made}.__call__")  # Depends(factory(...)): FastAPI calls what it made
            reason = call and made in self.classes and self.function_auth(call, _stack | {q})
            if reason:
                return Effect.AUTH, f"{q.rpartition('.')[2]} returns a {made.rpartition('.')[2]}: {reason}"
        if q in self.classes:
            for base in self.mro(q)[1:]:
                if base in self.k.known_guards:
                    return self.k.known_guards[base], f"subclass of {base}"
            call = self.function_auth(f"{q}.__call__", _stack, hook)
            if call:
                return Effect.AUTH, call
            for name, scope in self.k.guard_methods.items():  # guard classes decide in these methods
                for c in self.mro(q) if scope == "request" else ():
                    reason = self.function_auth(f"{c}.{name}", _stack, hook)
                    if reason:
                        return Effect.AUTH, reason
        return None

    def inherited_guard(self, q: str) -> str:
        """The library guard method ``q`` names through a project subclass or an instance of one
        (a class attribute too: OctoPrint's ``Permissions.ADMIN.require``, ``ADMIN`` an instance of a
        ``flask_principal.Permission`` subclass): ``flask_principal.Permission.require``; ''."""
        owner, _, name = q.rpartition(".")
        cls = owner if owner in self.classes else self.alias(self.instances.get(owner, ""))
        if not cls or self.method(q):
            return ""
        return next((f"{b}.{name}" for b in self.mro(cls) if f"{b}.{name}" in self.k.known_guards
                     or f"{b}.{name}" in self.k.authz_guards), "")

    def visibility(self, qname: str, _depth: int = 0) -> str:
        """Why ``qname`` serves only records their owners made public: it (or a project function
        or dependency it calls) ends the request on a record's visibility flag. Reads only:
        the routes of other methods drop it."""
        key = ("visibility", qname)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = ""  # a cycle finds nothing
        f = self.functions.get(qname)
        found = ""
        if f is not None and f.visibility:
            found = f"{VISIBILITY_REASON}: it ends the request on `{f.visibility[0]}`"
        elif f is not None and _depth < 3:
            callees = [self.method(self.canonical(c)) for c in f.calls]
            callees += [self.canonical(d.target) for d in self.dependencies.get(qname, ())]
            found = next((v for v in (self.visibility(c, _depth + 1) for c in callees if c) if v), "")
        self._memo[key] = found
        return found

    def _optional_dependency(self, q: str, f: FunctionFact | None, _stack: frozenset) -> str:
        """Why the dependency ``q`` is optional authentication, or '': a security scheme made
        with ``auto_error=False``, or a function that reads one and returns None when the
        caller brings no credential (``Optional[User] = Depends(get_optional_user)``)."""
        cls = self.instances.get(q, "")
        if cls.endswith(("(auto_error=False)", "(optional=True)")):
            return f"optional authentication: {q.rpartition('.')[2]} is a {cls.rpartition('.')[2]}"
        if f is None or not f.returns_none or q in _stack:
            return ""
        for dep in self.dependencies.get(q, ()):
            inner = self._optional_dependency(self.canonical(dep.target), self.functions.get(self.canonical(dep.target)),
                                              _stack | {q})
            if inner:
                return f"{inner}, and {q.rpartition('.')[2]} returns None without a credential"
        return ""

    def guard_scope(self, target: str) -> str:
        """"item" when the guard class ``target`` only decides on individual objects
        (it defines item-level methods and no request-level one), else ""."""
        q = self.canonical(target)
        if q not in self.classes or not self.k.guard_methods:
            return ""
        scopes = set()
        for c in self.mro(q):
            if c in self.k.known_guards:
                return ""
            cls = self.classes.get(c)
            scopes.update(self.k.guard_methods[mf.name] for mf in (cls.methods if cls else ())
                          if mf.name in self.k.guard_methods)
        return "item" if scopes == {"item"} else ""

    def _object_guard(self, target: str) -> str:
        """Why the object-level guard class ``target`` turns away the anonymous caller on a route
        that fetches one object: its object check verifies something of the caller (``request.user.
        is_staff or obj == request.user``), which the framework runs on that object; or ''."""
        q = self.canonical(target)
        for c in self.mro(q) if q in self.classes else ():
            for name, scope in self.k.guard_methods.items():
                reason = self.function_auth(f"{c}.{name}") if scope == "item" else ""
                if reason:
                    return f"{reason} on the object the route fetches"
        return ""

    def guard_info(self, use: GuardUse, layer: str) -> GuardInfo | None:
        if use.effect == Effect.NONE:
            return None
        if use.alternatives:  # passes when any alternative passes
            effect = _any_of([self._chain_verdict(t) for t in use.alternatives])
            if effect == Effect.AUTH:
                return GuardInfo(use.kind, use.display, layer, use.location, Effect.AUTH, "every alternative authenticates",
                                 target="|".join(use.alternatives))
            if effect == Effect.PUBLIC:
                return GuardInfo(use.kind, use.display, layer, use.location, Effect.PUBLIC, "an alternative lets everyone in")
            return None
        if use.effect:
            return GuardInfo(use.kind, use.display, layer, use.location, use.effect, use.target, target=use.target)
        verdict = self.judge(use.target) or self._given_verdict(use)
        if verdict is None:
            return None
        return GuardInfo(use.kind, use.display, layer, use.location, *verdict, target=use.target, given=use.given,
                         keywords=use.keywords)

    def _chain_verdict(self, target: str) -> tuple[str, str] | None:
        """The verdict of one alternative of a permission expression: a class, or ``A+B&C``
        (``(A|B) & C``), which authenticates when one of its factors does and is public when
        all of them are (a factor ``A+B``: authenticates when each of A and B does, is public
        when one is)."""
        if "&" not in target and "+" not in target:
            return self.judge(target)
        factors = [_any_of([self.judge(t) for t in factor.split("+")]) for factor in target.split("&")]
        if Effect.AUTH in factors:
            return Effect.AUTH, "a class it requires authenticates"
        return (Effect.PUBLIC, "every class it requires lets everyone in") if all(factors) else None

    def _given_verdict(self, use: GuardUse) -> tuple[str, str] | None:
        """A callable guard made with the checks it runs (``PermissionsDependency([A, B])``,
        whose ``__call__`` instantiates each): it authenticates when every project class or
        function it was handed does (a class by its ``__init__`` or ``__call__``)."""
        cls = self.canonical(use.target)
        if cls not in self.classes or not self.method(f"{cls}.__call__"):
            return None
        reasons = []
        for name in use.given:
            q = self.canonical(name)
            if q not in self.classes and q not in self.functions:
                continue
            init = self.method(f"{q}.__init__") if q in self.classes else None
            verdict = self.judge(q) or ((Effect.AUTH, self.function_auth(init)) if init and self.function_auth(init) else None)
            if not verdict or verdict[0] != Effect.AUTH:
                return None
            reasons.append(f"runs {q.rpartition('.')[2]}: {verdict[1]}")
        return (Effect.AUTH, reasons[0]) if reasons else None

    # -- routes -----------------------------------------------------------------------
    def _chains(self, router: str) -> list[list]:
        """Every mount chain from a root router down to ``router``: [(router id, mount or None)]."""
        chains = []

        def up(node, tail, seen):
            preds = [(p, d["mount"]) for p, _, d in self.graph.in_edges(("router", node), data=True)
                     if p[1] not in seen and self._served(p[1])]
            if not preds and self._served(node):
                chains.extend([(node, m), *tail] for m in self.detached.get(node, [None]))
            for (_, parent), mount in preds:
                up(parent, [(node, mount), *tail], seen | {parent})

        up(router, [], {router})
        return chains

    def _served(self, router: str, _seen: frozenset = frozenset()) -> bool:
        """A router that serves what it holds: any but a list of URL patterns that no URLconf
        includes (a module's ``basic_urls`` concatenated in a way not read, Read the Docs'
        ``reduce(add, groups)``: what it includes then stands on its own, as before)."""
        r = self.routers.get(router)
        if r is None or not r.fragment or router in self.detached:
            return True
        key = ("served", router)
        if key not in self._memo:
            self._memo[key] = any(p[1] not in _seen and self._served(p[1], _seen | {router})
                                  for p, _ in self.graph.in_edges(("router", router)))
        return self._memo[key]

    def _built_rule(self, function: str, rule: str) -> str | None:
        """``org_scoped_rule("/x")``: what the project's rule builder makes of the rule (its
        default, unconditional return); None if ``function`` is not one."""
        template = self.rule_builders.get(self.alias(function))
        return template.replace(RULE_ARG, rule) if template is not None else None

    def _link_routes(self):
        helper_routes = self._helper_routes()
        for routes in [*(m.routes for m in self.modules), helper_routes, self._spec_routes()]:
            for route in [row for r in routes for row in self._table_rows(r)]:
                if route.rule_call:  # a runtime rule: evaluated, else shown as a {builder(rule)} pattern
                    built = self._built_rule(*route.rule_call)
                    route = replace(route, path=built if built is not None else
                                    "{%s(%s)}" % (route.rule_call[0].rpartition(".")[2], route.rule_call[1]))
                placed = self._routers_of(route)
                made = self.alias(self.instances.get(self.alias(route.router), ""))
                if not placed and made in self.classes and self.alias(route.router) not in self.routers:
                    self.unplaced.setdefault(route.router, (made, []))[1].append(route)
                for router in placed:
                    for r in [*([] if route.container else [route]), *self._subroutes(route)]:
                        for chain in self._chains(router.id):
                            yield from self._expand(r, chain)

    def _table_rows(self, route: Route) -> list[Route]:
        """``route`` itself, or for the registration of each row of a route table, one route
        per row (a view class at its rule)."""
        if not route.table:
            return [route]
        rows = self.route_tables.get(self.alias(route.table), ())
        return [replace(route, path=rule, handler=cls, view_class=cls, endpoint=cls.rpartition(".")[2].lower(),
                        table="") for rule, cls in rows]

    def _routers_of(self, route: Route) -> list[Router]:
        """The router a route is registered on; a registration helper's parameter stands for
        each router its callers pass (CKAN: ``register_group_plugin_rules(group)`` and
        ``(organization)``)."""
        passed = self.collections.get(route.router) if route.router in self.param_alias else None
        ids = dict.fromkeys(self.alias(v) for v in passed) if passed else [self.alias(route.router)]
        return [r for r in map(self.routers.get, ids) if r is not None and r.framework == route.framework]

    def _helper_routes(self) -> list[Route]:
        """The registrations that calls of a registration helper make (RouteHelper): the
        caller's rules, view and receiver (an argument, or the object a helper method is called
        on), as given: what the helper does to a rule (``org_scoped_rule``) is not executed."""
        helpers = {h.function: h for m in self.modules for h in m.route_helpers}
        if not helpers:
            return []
        found = []
        for m in self.modules:
            for call in m.helper_calls:
                h = helpers.get(self.alias(call.callee)) or helpers.get(self.method(self.canonical(call.callee)) or "")
                if h is None:
                    continue
                skip = 1 if call.receiver and h.params[:1] == ("self",) else 0
                bound: dict[tuple[str, str], list] = {}  # (parameter, "paths" | "view") -> values
                for slot, kind, value in call.args:
                    i = int(slot) + skip if slot.isdigit() else -1
                    param = slot if i < 0 else h.params[i] if i < len(h.params) else h.star
                    bound.setdefault((param, kind), []).append(value)
                receiver = call.receiver if h.receiver == "self" else \
                    next((v[0] for v in bound.get((h.receiver, "view"), ()) if not v[1]), "")
                if h.kind == "table":  # each (rule, view class) row, wrapped in the decorators passed
                    wraps = tuple(g for gs in bound.get((h.wraps, "guards"), ()) for g in gs) if h.wraps else ()
                    found.extend(Route(receiver, "flask", rule, (), handler, None, call.location, endpoint,
                                       guards + wraps, (), view_class, call.location.line, by_reference=True)
                                 for table in (bound.get((h.rule, "table"), ()) if receiver else ())
                                 for rule, (handler, view_class, endpoint, guards) in table)
                    continue
                views = bound.get((h.view, "view"), [])
                rules = [r for v in bound.get((h.rule, "paths"), ()) for r in v]
                if not receiver or len(views) != 1 or not rules:
                    continue
                handler, view_class, endpoint, guards = views[0]
                if h.kind == "resource":
                    view_class, endpoint = handler, handler.rpartition(".")[2].lower()
                given = [v for v in bound.get(("endpoint", "paths"), ()) if len(v) == 1]
                methods = call.methods or (() if view_class else ("GET",))
                for rule in rules:
                    rule = self._built_rule(h.transform, rule) or rule if h.transform else rule
                    found.append(Route(receiver, "flask", rule, methods, handler, None, call.location,
                                       given[0][0] if given else endpoint, guards, (), view_class,
                                       call.location.line, by_reference=True))
        return found

    def _view_class(self, route: Route) -> str:
        """The view class of a route; a by-reference handler that is a class is one too, and
        so is a variable made from one in another module (``dashboard = Dash.as_view()``)."""
        if route.view_class or not route.by_reference:
            return route.view_class
        h = self.alias(route.handler)
        if h in self.classes:
            return h
        cls, _, made_by = self.instances.get(h, "").rpartition(".")
        return self.alias(cls) if cls and made_by in self.k.view_constructors else ""

    def _subroutes(self, route: Route) -> list[Route]:
        """Routes that methods of the view class add below ``route`` (``subroute`` facts)."""
        vc = self._view_class(route)
        if not route.subroutes or not vc:
            return []
        dropped: set[str] = set()
        if route.subroutes in self.k.subroute_bases:
            based = self._subroute_base(route, vc)
            if based is None:
                return []
            route, dropped = based
        found, seen = [], set()
        for q in self.mro(vc):
            cls = self.classes.get(q)
            for mf in cls.methods if cls else ():
                if mf.subroute and mf.subroute[0] == route.subroutes and mf.name not in seen:
                    seen.add(mf.name)
                    _, suffix, methods, item = mf.subroute
                    if dropped:  # base_args = ['workspace_name']: given by the prefix, no segment of its own
                        suffix = "".join(f"/{s}" for s in suffix.split("/") if s and s.strip("<>") not in dropped)
                    path = join_paths(route.path, suffix) if suffix.startswith("/") else \
                        join_paths(route.path, suffix.strip("/")) + ("/" if route.path.endswith("/") else "")
                    found.append(replace(route, path=path, subroutes="", item=item,
                                         actions=tuple((m, mf.name) for m in methods),
                                         endpoint=f"{route.endpoint}-{mf.name}" if route.endpoint else ""))
        return found

    def _subroute_base(self, route: Route, vc: str) -> tuple[Route, set[str]] | None:
        """The registration of a view class whose library base adds routes of its methods below
        a prefix and a base path read along its bases (Flask-Classful's ``route_prefix`` and
        ``route_base``, by default the class name without "View", lowercased), with the
        parameters the prefix gives (``base_args``); None when no base of the class is that
        library's."""
        bases, prefix_attr, base_attr, args_attr, suffix = self.k.subroute_bases[route.subroutes]
        if not any(c in bases for c in self.mro(vc)):
            return None
        name = vc.rpartition(".")[2]
        base = self._class_attr(vc, base_attr) or (name.removesuffix(suffix) if name != suffix else name).lower()
        return (replace(route, path=join_paths(self._class_attr(vc, prefix_attr), base).rstrip("/")),
                set(self._class_attr(vc, args_attr).split(",")) - {""})

    def _class_attr(self, cls: str, attr: str) -> str:
        """The literal string (list joined by ",") a class attribute holds, looked up along the bases."""
        for q in self.mro(cls):
            c = self.classes.get(q)
            value = next((v for a, v in c.attrs if a == attr), None) if c else None
            if value is not None:
                return value
        return ""

    def _config_text(self, ref: str) -> tuple[str, ...]:
        """The string a configuration key is set to (``USER_URL_PREFIX = "/user"``), first found;
        not set in the project: a ``/{KEY}`` pattern."""
        if not ref.startswith(CONFIG_REF):
            return ()
        key = ref.removeprefix(CONFIG_REF)
        return next(((s.value,) for s in self.settings if s.key == key and s.literal and isinstance(s.value, str)),
                    ("/{%s}" % key,))

    def _expand(self, route: Route, chain):
        prefix, names, chain_guards, mounts = "", [], [], []
        root = chain[0][0]
        for rid, mount in chain:
            r = self.routers[rid]
            own = r.prefix or next(iter(self.constants.get(self.canonical(r.prefix_ref)) or ()), "")
            mount_prefix = mount.prefix if mount else None
            if mount and mount_prefix is None and mount.prefix_ref:
                values = self.constants.get(self.canonical(mount.prefix_ref)) or self._config_text(mount.prefix_ref) \
                    or ("{%s}" % mount.prefix_ref.rpartition(".")[2],)
                mount_prefix = values[0]
            if mount_prefix is not None:
                own = join_paths(mount_prefix, own) if mount.keep_prefix else mount_prefix
            prefix = join_paths(prefix, own)
            if mount and mount.isolated:
                chain_guards.clear()
            name = mount.name if mount and mount.name else r.name
            if name:
                names.append(name)
            layer = LAYER_OF_ROUTER.get(r.kind, r.kind)
            if mount:
                mounts.append(mount.location)
                chain_guards.extend((Layer.INCLUDE, g) for g in mount.guards)
            chain_guards.extend((layer, g) for g in r.guards)
        values = self.constants.get(self.canonical(route.path_ref)) if route.path_ref else None
        path = join_paths(prefix, values[0] if values and len(values) == 1 else route.path) or "/"
        endpoint = ".".join([*names, route.endpoint]) if route.endpoint else ""
        gates = [(LAYER_OF_ROUTER.get(self.routers[rid].kind, Layer.ROUTER), g)
                 for rid, _ in chain for g in self.gates.get(rid, []) if g.scope == "router"]
        gates += [(Layer.APP, g) for g in self._app_gates(root)]

        shared: list[GuardInfo] = []
        for layer, use in chain_guards:
            info = self.guard_info(use, layer)
            if info:
                shared.append(info)
        shared.extend(self._allow_listed(path, route.handler))
        shared.extend(self._proxied(path))
        view_class = self._view_class(route)

        mro = self.mro(view_class) if view_class else []
        scoped = any(c.scoped for c in map(self.classes.get, mro) if c)
        for method, handler, h_loc, loc, span, own, *op in self._handlers(route):
            loc, span = self._handler_site(route, handler, loc, span) if not op else (loc, span)
            guards = [g for g in shared]
            if method == "POST" and self.config.default_public_routes and _LOGIN_COLLECTION.search(path):
                # creating an authentication, REST style, is logging in (``POST /api/v1/auth``)
                guards.append(GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None,
                                        Effect.PUBLIC, "login endpoints are public by convention"))
            own = [u if isinstance(u, tuple) else (u, Layer.CLASS if u.kind == "class" else Layer.DECORATOR) for u in own]
            own_targets = frozenset(self.canonical(u.target) for u, _ in own)
            for layer, gate in gates:
                info = self._gate(gate, Layer.MIDDLEWARE if gate.kind == "middleware" else layer, endpoint, path,
                                  own_targets)
                if info:
                    guards.append(info)
            inert, applied = [], []
            for use, layer in own:
                if use.methods and method not in use.methods:
                    continue
                base = self._read_only_base(use) if not use.methods else ""
                if base:  # class IsOwnerOrReadOnly(IsAuthenticatedOrReadOnly): reads for all, writes signed in
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location,
                                            Effect.AUTH if method in WRITE_METHODS else Effect.PUBLIC,
                                            f"a subclass of {base}: writes need a signed-in user, reads are open",
                                            target=use.target))
                    continue
                readonly = [t for t in use.alternatives if self._method_only(t)]
                if readonly and method not in WRITE_METHODS:  # [HasKey | ReadOnlyPermission]: reads for all
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.PUBLIC,
                                            f"{readonly[0].rpartition('.')[2]} lets everyone read"))
                    continue
                if readonly:  # a write passes only through the other alternatives
                    use = replace(use, alternatives=tuple(t for t in use.alternatives if t not in readonly))
                info = self.guard_info(use, layer) if use.alternatives or not readonly else GuardInfo(
                    use.kind, use.display, layer, use.location, Effect.AUTH, "no alternative lets a write through")
                if info:
                    guards.append(info)
                elif route.item is False and self.guard_scope(use.target) == "item" and not scoped:
                    inert.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.NONE,
                                           "checks individual objects only, and this route fetches none"))
                elif route.item and self.guard_scope(use.target) == "item" and (why := self._object_guard(use.target)):
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.AUTH, why,
                                            target=use.target))
                elif use.effect != Effect.NONE and use.target:
                    applied.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.NONE, target=use.target))
            inline = self.function_auth(handler, helper=True) or self._object_check(handler, route)
            for c, m in self.super_chain(handler, mro) if view_class and not inline else ():
                inline = self.function_auth(f"{c}.{m.name}", helper=True)
                if inline:
                    break
            if not inline and view_class and handler in self.functions:  # self._validate_signature() of the view's class
                inline = self.verified_by(self.functions[handler], mro)
            if not inline and view_class and handler in self.functions:
                inline = self._self_calls_auth(self.functions[handler], view_class, mro)
            hf = self.functions.get(handler)
            if inline and hf is not None and hf.visibility and inline in hf.evidence and all(
                    e.startswith((REJECTS_ONLY, "raises ")) for e in hf.evidence):
                inline = None  # its bare 403 answers a record not marked public (umap's oEmbed): a visibility check
            way_in = self._way_in(hf, shared)
            if way_in:
                inline = None  # its 401 on bad credentials turns away a wrong password, not a caller
                if self.logs_in(hf.qualname):  # what it does says more than its name
                    guards = [g for g in guards if g.name != "conventional public endpoint"]
                guards.append(GuardInfo("inline", "the way in", Layer.INLINE, h_loc, Effect.PUBLIC, way_in))
            elif hf is not None and inline and hf.first_write and hf.first_check and hf.first_write < hf.first_check:
                inline = None  # checked after the write it should protect (line {first_write})
            elif hf is not None and hf.optional and not inline:
                guards.append(GuardInfo("inline", "optional authentication", Layer.INLINE, h_loc, Effect.PUBLIC,
                                        f"optional authentication: {hf.optional}"))
            elif hf is not None and not inline and self.visibility(handler):
                guards.append(GuardInfo("inline", "visibility check", Layer.INLINE, h_loc, Effect.PUBLIC,
                                        self.visibility(handler)))
            if method in WRITE_METHODS:  # a record marked public is there to be read, not changed
                guards = [g for g in guards if VISIBILITY_REASON not in g.reason]
            if inline and inline.startswith(REJECTS_ONLY) and (
                    capability := self._capability(path, handler, h_loc, [g.target for g in applied])):
                # a bare 403 on a share link's route (comments disabled for this link) turns away
                # the link's holder from one action: the secret in the URL is the credential
                inline = None
                guards.extend(capability)
            if inline:
                kind = "signature" if inline.startswith(SIGNATURE_REASON) else "inline"
                guards.append(GuardInfo(kind, "check in the handler", Layer.INLINE, h_loc, Effect.AUTH, inline))
            if not guards:
                guards.extend(self._implicit_guards(path, handler, h_loc, [g.target for g in applied]))
            if not guards and view_class and (method not in WRITE_METHODS or route.item
                                              or route.item is None and any(map(is_param, path.split("/")))):
                guards.extend(self._scoped_view(view_class, h_loc))
            misplaced = tuple(i for i in (self.guard_info(u, Layer.DECORATOR)
                                          for u in (*route.misplaced, *(hf.misplaced if hf else ())))
                              if i and i.effect == Effect.AUTH)
            effects = {g.effect for g in guards}
            auth = AuthState.PROTECTED if Effect.AUTH in effects else AuthState.PUBLIC if Effect.PUBLIC in effects \
                else AuthState.UNPROTECTED
            info = RouteInfo(route.framework, method, path, handler, h_loc, loc, endpoint, auth,
                             tuple(sorted(guards, key=_guard_key)), misplaced, tuple(mounts), span,
                             "" if op else view_class, route.item, tuple(inert), applied=tuple(applied),
                             registration=route.location if route.by_reference or op else None,
                             **({"kind": op[0].kind, "operation": op[0].name} if op else {}))
            # the router that registers the route (its mount chains: specs.py, the HTML report)
            self.graph.add_edge(("router", chain[-1][0]), ("route", info.path, method, handler, loc), relation="registers")
            yield info

    def _handler_site(self, route: Route, handler: str, loc: Location, span):
        """(location, suppression span) of the handler of a route registered by a call: the
        function's def line (its decorators may carry the suppression), or the view class
        when it defines no method for the operation. Unknown handlers stay at the call."""
        if loc != route.location or not route.by_reference:
            return loc, span
        f = self.functions.get(handler)
        if f is not None:
            return f.location, (f.span_start, f.location.line)
        cls = self.classes.get(handler)
        if cls is not None:
            return cls.location, (cls.location.line, cls.location.line)
        return loc, span

    def _app_gates(self, root: str) -> list:
        """Gates that cover the whole application mounted at ``root`` (from any router in it)."""
        if root not in self._app_gate_memo:
            routers = nx.descendants(self.mount_graph, root) | {root} if root in self.mount_graph else {root}
            gates = [g for rid in sorted(routers) for g in self.gates.get(rid, []) if g.scope == "app"]
            if getattr(self.routers.get(root), "kind", "") == "urlconf":
                # Django runs its MIDDLEWARE for every URLconf of the project, also one a middleware
                # picks per request (pretix's custom-domain URLconfs): the settings' middleware
                # covers each root URLconf of the same top-level package
                gates += [g for rid in sorted(self.gates) if rid not in routers and rid.split(".")[0] == root.split(".")[0]
                          and getattr(self.routers.get(rid), "kind", "") == "urlconf"
                          for g in self.gates[rid] if g.kind == "middleware" and g.scope == "app"]
            self._app_gate_memo[root] = gates
        return self._app_gate_memo[root]

    def _handlers(self, route: Route):
        """(method, handler, handler location, finding location, suppression span, guard uses) per method.

        Guard uses are (GuardUse, layer) pairs.
        """
        view_class = self._view_class(route)
        if not view_class:
            f = self.functions.get(self.alias(route.handler))
            h_loc = route.handler_location or (f.location if f else None)
            own = [(u, LAYER_OF_USE.get(u.kind, Layer.DECORATOR)) for u in route.guards]
            if route.by_reference and f:
                own.extend((u, Layer.DECORATOR) for u in f.decorators)
            operations = self.graphql_operations(route, "", []) if f else None
            if operations:  # a view function that runs a GraphQL schema: its checks guard every operation
                if self.function_auth(f.qualname):
                    own.append((GuardUse(f.qualname, f"{f.qualname.rpartition('.')[2]}()", f.location, "inline",
                                         effect=Effect.AUTH), Layer.INLINE))
                for op in operations:
                    yield op.method, op.handler, op.location, op.location, op.span, own + list(op.uses), op
                return
            start = route.span_start or (h_loc.line if h_loc else route.location.line)
            span = (start, h_loc.line if h_loc and h_loc.file == route.location.file else route.location.line)
            for method in route.methods or (f.methods if f else ()) or ("ANY",):
                yield method, self.alias(route.handler), h_loc, route.location, span, own
            return
        mro = self.mro(view_class)
        base_uses, attrs = self._class_guards(mro, route)
        own_route = [(u, Layer.DEPENDENCY if u.kind == "dependency" else Layer.DECORATOR) for u in route.guards]
        operations = self.graphql_operations(route, view_class, mro)
        if operations:  # a GraphQL endpoint: one route per query and mutation
            for op in operations:
                yield op.method, op.handler, op.location, op.location, op.span, \
                    base_uses + self._attr_uses(mro, attrs) + own_route + list(op.uses), op
            return
        head = self.classes.get(mro[0])
        head_loc = head.location if head else route.location
        at_route = (route.location, (route.span_start, route.location.line))
        pairs = list(route.actions)
        if not pairs:
            seen = set()
            for q in mro:
                cls = self.classes.get(q)
                for name in [mf.name for mf in cls.methods] if cls else self.k.provided_methods.get(q, ()):
                    verb = name.upper()
                    if verb in HTTP_METHODS and verb not in seen and verb not in ("HEAD", "OPTIONS"):
                        seen.add(verb)
                        pairs.append((verb, name))
            hooks = next((self.k.view_hooks[q] for q in mro if q in self.k.view_hooks), None)
            own = [n for n in hooks[1] if self._find_method(mro, n)[1]] if hooks and not pairs else ()
            if own:  # a library view that answers from the subclass's hooks (a syndication Feed)
                pairs.append((hooks[0], own[0]))
            if not pairs:
                for method in route.methods or ("ANY",):
                    yield method, mro[0], head_loc, route.location, at_route[1], \
                        base_uses + self._attr_uses(mro, attrs) + own_route
                return
            pairs.sort(key=lambda x: HTTP_METHODS.index(x[0]))
        for verb, name in pairs:
            if route.methods and verb not in route.methods:
                continue
            q, mf = self._find_method(mro, name)
            if q is None:
                continue
            delegate = next((self.k.delegated_methods[c] for c in mro if c in self.k.delegated_methods), "")
            if mf is None and delegate and delegate != name and self._find_method(mro, delegate)[1]:
                q, mf = self._find_method(mro, delegate)  # RedirectView.post runs the subclass's own get
                name = delegate
            # a method's own permission classes, else those ``get_permissions`` picks for its action
            picked = attrs.get(f"permission_classes:{name}") or attrs.get("permission_classes:*")
            own_attrs = mf.guard_attrs if mf and mf.guard_attrs else (("permission_classes", picked),) if picked else ()
            uses = self._per_action(base_uses + self._attr_uses(mro, attrs, own_attrs),
                                    mf.checks if mf and mf.checks else (name,)) + own_route
            if mf is None:
                yield verb, mro[0], head_loc, route.location, at_route[1], uses
                continue
            loc, span = at_route if route.locate_at_route else (mf.location, (mf.span_start, mf.location.line))
            chain = [mf, *(m for _, m in self.super_chain(f"{q}.{name}", mro))]
            # registered by one of its own decorators (``@router.get`` on a method): that one
            # and those above it do not wrap what is registered
            at = route.location.line if mf.location.file == route.location.file \
                and mf.span_start <= route.location.line <= mf.location.line else 0
            yield verb, mf.handler or f"{q}.{name}", mf.location, loc, span, \
                uses + [(d, Layer.DECORATOR) for m in chain for d in m.decorators if m is not mf or d.location.line > at]

    def _per_action(self, uses: list, actions: tuple[str, ...]) -> list:
        """Guard classes that decide per action (``list_perms = AllowAny()``): the guards they
        declare for the handler's ``actions`` and for every action stand for the class on that action's route;
        one that lets everyone in whatever the action (``enough_perms = AllowAny()``) makes it public."""
        if not self.k.action_guard_attrs:
            return uses
        out = []
        for use, layer in uses:
            declared: dict = {}
            for c in self.mro(self.canonical(use.target)) if use.kind == "permission" and use.target else ():
                for attr, attr_uses in self.classes[c].guard_attrs if c in self.classes else ():
                    declared.setdefault(attr, attr_uses)
            per = [(suffix, every) for suffix, every in self.k.action_guard_attrs.items()
                   if any(a.endswith(suffix) for a in declared)]
            if not per:
                out.append((use, layer))
                continue
            for suffix, (every, enough) in per:
                if any(u.effect == Effect.PUBLIC for u in declared.get(enough, ())):  # passes everyone
                    out.extend((u, layer) for u in declared[enough])
                    continue
                found = [declared[a + suffix] for a in actions if a + suffix in declared]
                if not found and not declared.get(every):  # nothing declared for these actions:
                    out.append((use, layer))  # judged as the class as a whole
                    continue
                out.extend((replace(u, kind="permission"), layer)
                           for u in (*declared.get(every, ()), *(u for own in found for u in own)))
        return out

    def method(self, qname: str) -> str | None:
        return self.names.method(qname)

    def super_chain(self, method: str, mro: list[str]) -> list[tuple[str, MethodFact]]:
        return self.names.super_chain(method, mro)

    def _find_method(self, mro: list[str], name: str):
        return self.names.find_method(mro, name)

    def _class_guards(self, mro: list[str], route: Route):
        """Guards of a view class that do not depend on the method: guard mixins that run
        (before any base that ends the dispatch chain), class decorators, entry methods
        (their decorators and the checks they make); and the class guard attributes,
        nearest class first."""
        uses, attrs, entries, active = [], {}, set(), True
        head = self.classes.get(mro[0])
        for q in mro:
            cls = self.classes.get(q)
            # a guard base of the view, or the view itself when it is a framework's own guarded view
            if (q != mro[0] or q not in self.classes) and active and self.k.known_guards.get(q):
                site = next((c.location for c in map(self.classes.get, mro)
                             if c and q in {self.alias(b) for b in c.bases}), None)
                uses.append((GuardUse(q, q.rpartition(".")[2], site or (head.location if head else route.location),
                                      "mixin"), Layer.CLASS))
            if q in self.k.chain_ends:
                active = False
            if not cls:
                continue
            uses.extend((u, Layer.CLASS) for u in cls.decorators)
            for attr, attr_uses in cls.guard_attrs:
                attrs.setdefault(attr, self._inherited_attr(attr, attr_uses))
            vendored = self.k.framework_methods and self.k.framework_methods <= {mf.name for mf in cls.methods}
            for mf in cls.methods if active and not vendored else ():  # a copy of the framework's own base:
                if mf.name in self.k.entry_methods and mf.name not in entries:  # its machinery, not a check
                    entries.add(mf.name)
                    for c, m in [(q, mf), *self.super_chain(f"{q}.{mf.name}", mro)]:
                        uses.extend((u, Layer.CLASS) for u in m.decorators)
                        reason = self.function_auth(f"{c}.{m.name}") or self._object_check(f"{c}.{m.name}", route)
                        if reason:
                            uses.append((GuardUse(f"{c}.{m.name}", f"{c.rpartition('.')[2]}.{m.name}()", m.location,
                                                  "class", effect=Effect.AUTH), Layer.CLASS))
        return uses, attrs

    def _object_check(self, qname: str, route: Route) -> str:
        """The rejection ``qname`` makes only when there is an object (FunctionFact.if_object), on a
        route that addresses one (an id in its own rule): there the caller who is not its owner,
        and so the anonymous one, is turned away; a form that creates an object has none."""
        f = self.functions.get(qname)
        if f is None or not f.if_object or route.item is False or not (route.item or _PATH_PARAM.search(route.path)):
            return ""
        return f"{f.if_object[0]} when the object exists"

    def _inherited_attr(self, attr: str, uses, depth: int = 0) -> tuple:
        """A class guard attribute's uses, with a reference to another class's same attribute
        (``decorators = BaseResource.decorators + [...]``) replaced by that attribute's uses."""
        out = []
        for u in uses:
            cls, _, name = self.alias(u.target).rpartition(".")
            if name == attr and cls in self.classes and depth < 5:
                base = next((au for q in self.mro(cls) if q in self.classes
                             for a, au in self.classes[q].guard_attrs if a == attr), ())
                out.extend(self._inherited_attr(attr, base, depth + 1))
            else:
                out.append(u)
        return tuple(out)

    def _attr_uses(self, mro: list[str], attrs: dict, overrides=()) -> list:
        """Guard uses from class guard attributes (a method's overrides first), and the
        settings-level defaults for the attributes that no class defines."""
        merged = {a: u for a, u in {**attrs, **dict(overrides)}.items() if ":" not in a}  # per action: _handlers
        out = [(replace(u, kind="class" if u.kind == "decorator" else u.kind), Layer.CLASS)
               for attr_uses in merged.values() for u in attr_uses]
        for d in self.defaults:
            if d.attr not in merged and (not d.scope or any(q.startswith(d.scope) for q in mro)):
                out.extend((u, Layer.SETTINGS) for u in d.guards)
        return out

    def _gate(self, gate, layer: str, endpoint: str, path: str, own_targets=frozenset()) -> GuardInfo | None:
        verdict = self.judge(self.alias(gate.func), hook=True)
        reason = verdict[1] if verdict and verdict[0] == Effect.AUTH else None
        if not reason or reason == f"{REJECTS_ONLY}403" or self._bare_refusal(gate.func, reason):
            return None  # a bare 403 that reads no credential (``if import_in_progress(): return "...", 403``)
        if gate.params and not any(p in gate.params for p, _ in _capabilities(path)):
            return None  # it checks a URL parameter that this route does not carry
        name = gate.func.rpartition(".")[2]
        exempt = [t for t in gate.exempt_guards if t in own_targets]
        if exempt:
            return GuardInfo(gate.kind or "gate", name, layer, gate.location, Effect.PUBLIC,
                             f"the view is exempted by {exempt[0].rpartition('.')[2]}")
        exempt_endpoints = list(gate.exempt_endpoints)
        for ref in gate.exempt_refs:
            exempt_endpoints.extend(self.constants.get(self.alias(ref), ()))
        exact, prefixes = set(), list(gate.exempt_paths)
        scope_exact, scope_prefixes = [], list(gate.scope_paths)
        gate_function = self.functions.get(self.alias(gate.func))
        # its allow-list, or that of a helper it calls (agenta's ``_check_authentication_token``)
        for ex in (ex for q in (gate.func, *(gate_function.calls if gate_function else ()))
                   for ex in self.exemptions.get(self.alias(q), ())):
            exact.update(ex.exact)
            prefixes.extend(ex.prefixes)
            scope_exact.extend(ex.scope_exact)
            scope_prefixes.extend(ex.scope_prefixes)
            for ref in ex.exact_refs:
                exact.update(self.constants.get(self.alias(ref), ()))
            for ref in ex.prefix_refs:
                prefixes.extend(self.constants.get(self.alias(ref), ()))
        short = endpoint.rpartition(".")[2]
        kind = gate.kind or "gate"
        if any(fnmatch.fnmatchcase(endpoint, e) or e == short for e in exempt_endpoints) \
                or any(path.startswith(p) for p in prefixes) or path in exact:
            return GuardInfo(kind, name, layer, gate.location, Effect.PUBLIC, "exempted by the gate's allow-list")
        if (scope_exact or scope_prefixes or gate.scope_endpoints) and not (
                path in scope_exact or any(path.startswith(p) for p in scope_prefixes)
                or any(fnmatch.fnmatchcase(endpoint, e) or e == short for e in gate.scope_endpoints)):
            return None  # ``if request.path.startswith("/admin") and ...``: made for other routes
        return GuardInfo(kind, name, layer, gate.location, Effect.AUTH, reason, target=self.alias(gate.func))

    def _bare_refusal(self, q: str, reason: str) -> bool:
        """The hook ``q`` refuses (``HttpResponseForbidden``) on a test that reads no credential,
        itself or in what it calls: umap's read-only maintenance middleware, which refuses every
        write to everyone."""
        refusal = reason.removeprefix("calls ")
        f = self.functions.get(self.alias(q))
        if refusal not in self.k.refusal_responses or f is None or any(
                e.removeprefix("calls ") not in self.k.refusal_responses for e in f.evidence):
            return False
        other_rejections = self.k.auth_calls - self.k.refusal_responses
        return not any(self.canonical(c) in other_rejections or self.rejecting_value(c)
                       or (m := self.method(self.canonical(c))) and self.function_auth(m) for c in f.calls)

    def _way_in(self, hf: FunctionFact | None, shared: list[GuardInfo]) -> str:
        """Why the handler is the way in, not a protected route: it verifies credentials
        taken from the request and starts a session or issues a token (a login, an OAuth
        callback), or it is a conventional public endpoint (registration, password reset,
        first-run setup) whose own rejections never read the caller's credential. A handler
        that also tests the caller's session or identity is not."""
        if hf is None or any(e.startswith("checks ") for e in hf.evidence):
            return ""
        reason = self.function_auth(hf.qualname) or ""
        callee = reason[len("calls "):] if reason.startswith("calls ") else ""
        helper = callee and not VERIFIES.match(callee.rpartition(".")[2]) and not (
            callee in self.functions and any(self.functions[c].lets_in for c in self._callees(callee)))
        if helper and not self._verifies_what_it_is_given(hf, callee):
            # it asks a helper who the caller is (get_current_user()), not whether a password is
            # right; a helper that issues the session (create_signin_response) is the way in too
            return ""
        logs_in = "" if helper else self.logs_in(hf.qualname)
        if logs_in:
            return f"login endpoint: verifies credentials from the request and {logs_in}"
        switch = "" if helper else self.signup_switch(hf.qualname)
        if switch:
            return f"sign-up endpoint: open to newcomers while the settings allow it ({switch[:80]})"
        named = next((g for g in shared if g.kind == "allow-list" and g.name == "conventional public endpoint"), None)
        if named is None or not reason:
            return ""
        kind = named.reason.replace(" endpoints are public by convention", "")
        return f"{kind} endpoint: its own 401/403 answers the request's content, not a missing credential"

    def _verifies_what_it_is_given(self, hf: FunctionFact, callee: str) -> bool:
        """The handler hands its own request values to the helper that checks (a mailed token:
        ``email = confirm_token(token)``, which verifies the token it is given): the check is on
        the request's content, not on who the caller is."""
        inner = self.functions.get(callee)
        if inner is None or not set(hf.used) - NOT_CLIENT or not set(inner.used) - NOT_CLIENT:
            return False
        why = self.function_auth(callee) or ""  # it verifies a signed value, not who the caller is
        return why.startswith(SIGNATURE_REASON) or why.startswith("calls ") and why[6:] in self.k.auth_calls

    def logs_in(self, qname: str) -> str:
        """How a function lets the caller in after verifying credentials taken from the request,
        itself or through the project functions it calls (a SAML response parsed, then a
        helper's ``login_user``), or ''."""
        def answer(q: str) -> str:
            found = [self.functions[c] for c in self._callees(q)]
            direct = next((f.lets_in for f in found if f.verifies and f.lets_in), "")  # both in one function
            lets_in = next((f.lets_in for f in found if f.lets_in), "")
            return direct or (lets_in if any(f.verifies for f in found) else "")
        return self._remembered("logs in", qname, answer) if qname in self.functions else ""

    def signup_switch(self, qname: str) -> str:
        """The setting that switches off a function that opens sign-up, itself or in the project
        functions it calls (``if not settings.new_accounts_allowed: raise ...`` before an
        account is made), or ''."""
        def answer(q: str) -> str:
            return next((t for c in self._callees(q) for t in self.functions[c].switches if SIGNUP_SETTING.search(t)), "")
        return self._remembered("signup switch", qname, answer) if qname in self.functions else ""

    def reachable(self, qname: str, depth: int, follow=None) -> list[tuple[str, int, str, str]]:
        """``qname`` and the project functions it calls, ``depth`` calls deep, breadth first:
        (function, level, its caller, the call) for each, caller and call '' for ``qname``.
        ``follow(call)`` says which calls to follow (all by default)."""
        out, seen, level = [(qname, 0, "", "")], {qname}, [qname]
        for i in range(1, depth + 1):
            nxt = []
            for name in level:
                for call in self.functions[name].calls:
                    c = self.method(self.canonical(call)) if follow is None or follow(call) else None
                    if c and c not in seen:
                        seen.add(c)
                        nxt.append(c)
                        out.append((c, i, name, call))
            level = nxt
        return out

    def _callees(self, qname: str) -> list[str]:
        """``qname`` and the project functions it calls, two calls deep, breadth first."""
        return [q for q, *_ in self.reachable(qname, 2)]

    def _implicit_guards(self, path: str, handler: str, h_loc, decorators=()) -> list[GuardInfo]:
        """What stands in for a guard on a route that has none, by what its handler (or a
        decorator around it) does: a capability (a secret in the path or the request), an owner
        check that turns others away, a query restricted to the caller's rows, or a step of a
        library's login flow."""
        capability = self._capability(path, handler, h_loc, decorators)
        if capability:
            return capability
        lookups, checks = self._authz_index()[:2]
        owner = next((c for c in checks.get(handler, ()) if c.kind == "owner" and c.rejects), None)
        if owner is not None:  # if photo.owner != request.user: return 403
            return [GuardInfo("inline", "owner check", Layer.INLINE, h_loc, Effect.AUTH,
                              f"turns away anyone but the object's owner ({owner.display[:80]}): "
                              "an anonymous caller is never the owner")]
        scoped = next((lk for lk in lookups.get(handler, ()) if lk.scoped), None)
        if scoped is not None:  # Project.objects.filter(owner=request.user): nothing for an anonymous caller
            return [GuardInfo("inline", "scoped to the caller", Layer.INLINE, h_loc, Effect.AUTH,
                              f"acts only on the caller's own rows ({scoped.display[:80]}): an anonymous caller has none")]
        if handler not in self.functions and self.k.known_guards.get(self.alias(handler)) == Effect.PUBLIC:
            return [GuardInfo("inline", handler.rpartition(".")[2], Layer.INLINE, h_loc, Effect.PUBLIC,
                              f"{self.alias(handler)} is a step of a library's login flow")]
        return []

    def _scoped_view(self, view_class: str, h_loc) -> list[GuardInfo]:
        """A view class that fetches what it serves through a query restricted to the caller's
        rows (``get_queryset`` returning ``Organization.objects.for_user(self.request.user)``, or
        a ``get_object`` that calls a mixin's scoped lookup): on its reads and on the writes of a
        path that names what they act on, an anonymous caller gets nothing. Not on a collection's
        create, which fetches nothing."""
        scoped = self.scoped_fetch(view_class)
        if scoped is None:
            return []
        return [GuardInfo("inline", "scoped to the caller", Layer.INLINE, h_loc, Effect.AUTH,
                          f"its view fetches only the caller's own rows ({scoped.display[:80]}): an anonymous "
                          "caller has none")]

    def _capability(self, path: str, handler: str, h_loc, decorators=()) -> list[GuardInfo]:
        """A capability URL: the handler, or the wrapper a decorator of the route puts around
        it (``def wrapped(self, token, ...): validate_share_token(token)``), looks up or verifies
        a path parameter named as a secret (passes it to a call, compares it); knowing the URL
        is the credential."""
        f = self.functions.get(handler)
        if f is None:
            return []
        used = {*f.used, *(p for d in decorators for w in self._wrappers(d) for p in w.used)}
        for name, before in _capabilities(path):
            if name in used and _secret_param(name, before):
                return [GuardInfo("capability", name, Layer.PATH, h_loc, Effect.PUBLIC,
                                  f"capability URL: the {name} in the path is the credential")]
        # a bare ``code`` is as often a public identifier (a check's UUID) as a mailed secret
        secret = next((lk for lk in self._authz_index()[0].get(handler, ())
                       if lk.secret and lk.secret.split("__")[0] != "code"), None)
        if secret is not None:  # User.objects.get(email_token=token): whoever holds the token is its owner
            return [GuardInfo("capability", secret.display[:60] or secret.source, Layer.INLINE, h_loc, Effect.PUBLIC,
                              f"acts only for the holder of the secret it looks up ({secret.source or secret.display[:60]})")]
        return []

    def _wrappers(self, decorator: str) -> list:
        """The functions defined inside a decorator (or decorator factory): what runs around
        the view it decorates."""
        q = self.canonical(decorator)
        if q not in self._nested:
            self._nested[q] = [f for name, f in self.functions.items() if name.startswith(q + ".")] \
                if q in self.functions else []
        return self._nested[q]

    def _proxied(self, path: str) -> list[GuardInfo]:
        """The reverse proxy the project ships keeps outside clients from ``path``: in each nginx
        configuration that has a location for it, the one nginx picks (an exact match, else the
        longest prefix) takes only internal requests or local addresses."""
        chosen: dict[str, object] = {}
        for rule in self.proxy_rules:
            if (path == rule.prefix) if rule.exact else path.startswith(rule.prefix):
                best = chosen.get(rule.location.file)
                if best is None or (rule.exact, len(rule.prefix)) > (best.exact, len(best.prefix)):
                    chosen[rule.location.file] = rule
        if not chosen or not all(r.internal for r in chosen.values()):
            return []
        rule = min(chosen.values(), key=lambda r: (r.location.file, r.location.line))
        return [GuardInfo("proxy", f"location {'= ' if rule.exact else ''}{rule.prefix}", Layer.CONFIG, rule.location,
                          Effect.AUTH, PROXY_REASON)]

    def _allow_listed(self, path: str, handler: str) -> list[GuardInfo]:
        for pattern in self.config.public_routes:
            if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(handler, pattern):
                return [GuardInfo("allow-list", pattern, Layer.CONFIG, None, Effect.PUBLIC, "public-routes in the configuration")]
        if self.config.default_public_routes:
            name = _VERB_PREFIX.sub("", handler.rpartition(".")[2].lower())  # get_health: health
            words = [name] + [s.lower() for s in path.strip("/").split("/") if s]
            last = [w for w in words[1:] if not w.startswith(("<", "{", "(", "^", ":"))]
            if not _conventional(words[0]) and any(_ADMIN_WORD.search(w) for w in [
                    *handler.lower().split("."), *last]):
                # an admin's endpoint is not public by its path (an admin's password-reset-token); a
                # word that only ends in "admin" names the project (``powerdnsadmin.routes.index``); a
                # parameter or a prefix not known before run time (Mailu's ``{WEB_ADMIN}``) is no word
                return []
            if path in ("", "/"):
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  "the site's root is public by convention")]
            if path.strip("/").lower() in FIRST_RUN or last and last[-1].lower().startswith(("first_", "first-")) \
                    and last[-1].lower().replace("-", "_") in FIRST_RUN and not _PATH_PARAM.search(path):
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  "first-run setup endpoints are public by convention")]
            if words[1:2] and words[1].partition(".")[0] == "status" and not _PATH_PARAM.search(path):
                # a service's status probe at its root (``/status``, ``/status.txt``, ``/status/influx``)
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  "health check endpoints are public by convention")]
            if ".well-known" in words[1:]:  # RFC 8615 metadata: OpenID discovery, JWKS, security.txt
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  "well-known URIs (RFC 8615) are public by convention")]
            # a step of a flow names the flow before it (``/reset_password/finalize``, ``/2fa/fido2/begin``)
            flow = last[-2:-1] if last and _FLOW_STEP.match(last[-1]) else []
            # ... or the last two words together, on a path that names no object (Karrot's
            # ``/auth/password/request_reset/``, ``/auth/email/verify/``; not ``/users/<id>/password/reset``)
            pair = ["_".join(last[-2:])] if len(last) > 1 and not _PATH_PARAM.search(path) else []
            word = next((w for w in words[:1] + last[-1:] + flow + pair if _conventional(w)), None)
            if word is not None:
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  f"{_conventional_kind(word)} endpoints are public by convention")]
        return []

    # -- data and scopes: what checks ask about models, responses and scopes -------------
    def model_kind(self, qname: str) -> str:
        """'orm' | 'schema' | '' for a class, following its bases (and instances of model roots)."""
        for q in self.mro(qname):
            for name in (q, self.alias(self.instances.get(q, ""))):
                mf = self.models.get(name)
                if mf is not None and mf.kind:
                    return mf.kind
        return ""

    def model_fields(self, qname: str) -> tuple[str, ...]:
        """Every field of a model, its bases' included."""
        fields: list[str] = []
        for q in self.mro(qname):
            mf = self.models.get(q)
            fields.extend(f for f in (mf.fields if mf else ()) if f not in fields)
        return tuple(fields)

    def returned_types(self, function: str, _depth: int = 0) -> tuple[str, ...]:
        """Classes whose instances ``function`` returns, following calls of project functions."""
        rf = self.returns.get(self.alias(function))
        if rf is None or _depth > 8:
            return ()
        refs = (rf.annotation,) if rf.annotation else rf.values
        found: list[str] = []
        for ref in refs:
            for t in self._resolve_type(ref, _depth):
                if t not in found:
                    found.append(t)
        return tuple(found)

    def _resolve_type(self, ref: str, depth: int) -> tuple[str, ...]:
        if not ref.startswith("call:"):
            return (self.alias(ref),)
        q = self.canonical(ref[5:])
        if q in self.models or q in self.classes:
            return (q,)
        if self.model_kind(q):
            return (q,)
        return self.returned_types(q, depth + 1)

    def dependency_closure(self, target: str) -> list[str]:
        """``target`` and every dependency it (transitively) uses, canonical names."""
        order, stack = [], [target]
        while stack:
            q = self.canonical(stack.pop())
            if q in order:
                continue
            order.append(q)
            inst = self.instances.get(q)
            if inst:
                stack.append(inst)
            for user in (q, f"{q}.__call__"):
                stack.extend(d.target for d in self.dependencies.get(user, ()))
        return order


    def routes_using(self, schema: str) -> list[RouteInfo]:
        """Routes whose view class (or a base of it) or handler function uses ``schema``."""
        index = self._memo.get(("schema routes",))
        if index is None:
            by_user: dict[str, list[int]] = {}
            for i, r in enumerate(self.routes):
                for user in {*(self.mro(r.view_class) if r.view_class else ()), self.alias(r.handler)}:
                    by_user.setdefault(user, []).append(i)
            index = self._memo[("schema routes",)] = {}
            for u in self.schema_uses:
                user = self.alias(u.user)
                if user not in by_user and user.rpartition(".")[0] in self.classes:
                    # a method of the view class that is no route's handler (``get_serializer_class``,
                    # ``perform_create``): it serves the class's routes
                    user = user.rpartition(".")[0]
                index.setdefault(self.alias(u.schema), set()).update(by_user.get(user, ()))
            for user, found in by_user.items():  # a view function that makes it: form = TicketCCForm(request.POST)
                f = self.functions.get(user)
                for c in f.calls if f is not None else ():
                    if (q := self.canonical(c)) in self.schemas:
                        index.setdefault(q, set()).update(found)
        return [self.routes[i] for i in sorted(index.get(schema, ()))]

    # -- the data side: marked fields, responses, client data, CORS ------------------------------
    def field_mark(self, name: str, ff=None) -> str:
        """"secret" | "privileged" | "personal" | "" for a field: the configured additions, else
        the mark its declaration got (name and type, ``routeguard.fields``), else its name's."""
        for mark, patterns in (("secret", self.config.sensitive_fields), ("privileged", self.config.privileged_fields),
                               ("personal", self.config.personal_fields)):
            if _fields.matches(name, patterns):
                return mark
        return ff.mark if ff is not None else _fields.classify(name)

    def field_marks(self, model: str) -> dict:
        """{field name: (mark, FieldFact or None)} of a class's marked fields, bases included."""
        found: dict = {}
        seen: set = set()
        for q in self.mro(self.canonical(model)):
            facts = self.field_facts.get(q, {})
            mf = self.models.get(q)
            for name in [*facts, *(n for n in (mf.fields if mf else ()) if n not in facts)]:
                if name in seen:
                    continue
                seen.add(name)
                ff = facts.get(name)
                mark = self._model_mark(model, name, ff)
                if mark:
                    found[name] = (mark, ff)
        return found

    def _model_mark(self, model: str, name: str, ff) -> str:
        """The mark of ``model``'s field ``name``: a role is a privilege only on people's rows."""
        mark = self.field_mark(name, ff)
        if mark == "privileged" and _fields.ROLE_FIELD.match(name):
            people = any(self.canonical(q) in self.k.user_models or _fields.signs_in(q.rpartition(".")[2])
                         for q in self.mro(self.canonical(model)))
            return mark if people else ""
        return mark

    def model_field_mark(self, model: str, name: str) -> str:
        """The mark of field ``name`` as ``model`` (or a base) declares it, else by its name."""
        for q in self.mro(self.canonical(model)) if model else ():
            ff = self.field_facts.get(q, {}).get(name)
            if ff is not None:
                return self._model_mark(model, name, ff)
        return self._model_mark(model, name, None) if model else self.field_mark(name)

    def stored_model(self, qname: str) -> bool:
        """The class is a stored (ORM) model, by its own facts or a known model base."""
        if not qname or self.model_kind(qname) == "orm":
            return bool(qname)
        return any(self.canonical(q) in self.k.model_bases for q in self.mro(self.canonical(qname)))

    def method_function(self, cls: str, name: str) -> str:
        """Qualified name of the project function that implements ``cls.name``, or ''."""
        return self.method(f"{self.canonical(cls)}.{name}") or ""

    def exposed_fields(self, function: str, _depth: int = 0) -> list:
        """[(response data where it leaves ``function``, field, FieldFact or None, response data
        where the field is put in)] for every secret field in what ``function`` returns."""
        out = []
        for rd in self.responses.get(self.alias(function), ()):
            out.extend((rd, name, ff, inner) for name, ff, inner in self._exposed(rd, _depth))
        return out

    def _exposed(self, rd, depth: int) -> list:
        if depth > 4:
            return []
        if rd.kind == "keys":  # only values read off an object; minted tokens are meant to be returned
            return [(attr, None, rd) for _, attr in rd.keys
                    if attr and "token" not in attr.lower() and self.field_mark(attr) == "secret"]
        if rd.kind == "object":  # tokens only count when they are stored columns
            excluded = {n for k, n in rd.keys if k == "-"}
            stored = self.stored_model(rd.ref)
            return [(name, ff, rd) for name, (mark, ff) in self.field_marks(rd.ref).items()
                    if mark == "secret" and name not in excluded and (stored or "token" not in name.lower())]
        if rd.kind == "method":
            impl = self.method_function(rd.ref, rd.method)
            if not impl:  # a library's dump of the whole object
                return self._exposed(replace(rd, kind="object"), depth + 1)
            return [(name, ff, inner) for _, name, ff, inner in self.exposed_fields(impl, depth + 1)]
        if rd.kind == "call":  # a project function, or a method of a project class
            target = rd.ref
            if self.alias(target) not in self.responses:
                cls, _, name = target.rpartition(".")
                target = self.method_function(cls, name) if cls else ""
            return [(name, ff, inner) for _, name, ff, inner in self.exposed_fields(target, depth + 1)] if target else []
        return []

    def _routes_by_function(self) -> tuple[dict, dict]:
        """Routes by their handler, and by each function their handler calls (in route order)."""
        return self._remembered("routes by function", "", self._index_routes)

    def _index_routes(self, _) -> tuple[dict, dict]:
        handled, called = {}, {}
        for r in self.routes:
            handler = self.alias(r.handler)
            handled.setdefault(handler, []).append(r)
            f = self.functions.get(handler)
            for callee in dict.fromkeys(self.canonical(c) for c in f.calls) if f else ():
                called.setdefault(callee, []).append(r)
        return handled, called

    def handled_by(self, function: str) -> list[RouteInfo]:
        """Routes that ``function`` handles."""
        return list(self._routes_by_function()[0].get(self.alias(function), ()))

    def routes_of(self, function: str) -> list[RouteInfo]:
        """Routes that ``function`` handles, else the routes whose handler calls it."""
        handled, called = self._routes_by_function()
        function = self.alias(function)
        return list(handled.get(function) or called.get(function, ()))

    def cors_policies(self) -> list:
        """Every complete CORS policy: pieces of one ``group`` (settings spread over modules)
        combined into one, at the piece that opens the origins."""
        out, groups = [], {}
        for p in self.cors:
            if p.group:
                groups.setdefault(p.group, []).append(p)
            else:
                out.append(p)
        defaults = groups.pop(CORS_DEFAULTS, ())
        if defaults:  # the app's config: what calls that name no origins or credentials get
            origins = {p.origins for p in defaults if p.origins}
            opened = next(iter(origins & {"any", "reflect"}), None) or ("listed" if origins == {"listed"} else
                                                                       "unknown" if origins else None)
            cred = next((p for p in defaults if p.credentials is not None), None)
            out = [replace(p, **({"origins": opened} if opened and p.origins_location is None else {}),
                           **({"credentials": cred.credentials, "credentials_location": cred.credentials_location}
                              if cred and p.credentials_location is None else {}))
                   for p in out]
        for pieces in groups.values():
            cred = next((p for p in pieces if p.credentials is not None), None)
            for opener in (p for p in pieces if p.origins in ("any", "reflect")):
                out.append(replace(opener, credentials=cred.credentials if cred else False,
                                   credentials_location=cred.credentials_location if cred else None))
        return out


_KINDS = (
    ("login", ("login", "signin", "sign_in", "token", "refresh")), ("logout", ("logout", "signout", "sign_out")),
    ("second-factor login", ("totp", "two_factor", "2fa", "mfa", "otp", "fido", "webauthn", "passkey")),
    ("registration", ("register", "signup", "sign_up")),
    ("password reset", ("forgot", "reset", "password", "recover")),
    ("email verification", ("verify", "confirm")), ("OAuth and SSO", ("callback", "oauth", "authorize", "saml")),
    ("health check", ("health", "ping", "ready", "live")), ("static file", ("static",)),
    ("API documentation", ("docs", "redoc", "swagger", "openapi", "schema")),
    ("site file", ("robots", "favicon", "sitemap", "manifest", "service-worker", "security.txt", "opensearch")),
    ("legal page", ("privacy", "terms", "tos")),
)


# The words for a step of a multi-step flow (a sign-in, a reset, a verification)
_FLOW_STEP = re.compile(r"^(begin|start|complete|finish|finalize|confirm|done)$")


def _conventional(word: str) -> bool:
    return bool(_CONVENTIONAL_PUBLIC.match(word)) and not _MANAGED_ENTITY.match(word.replace("-", "_"))


def _conventional_kind(word: str) -> str:
    """What kind of conventional public endpoint a name is: "login", "health check"..."""
    return next((kind for kind, stems in _KINDS if word.startswith(stems)), "second-factor login"
                if word.endswith("otp") else "login")


def _module_aliases(modules) -> dict[str, str]:
    """Other names a module may be imported by: its dotted path from the project root and
    each unambiguous suffix of it (for directories without ``__init__.py``)."""
    candidates: dict[str, set[str]] = {}
    for m in modules:
        parts = m.path[:-3].split("/") if m.path.endswith(".py") else m.path.split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for i in range(len(parts)):
            name = ".".join(parts[i:])
            if name and name != m.module:
                candidates.setdefault(name, set()).add(m.module)
    known = {m.module for m in modules}
    # a module that imports from a name of its own is importing the library of that name
    # (lnbits/bolt11.py: ``from bolt11 import decode``), so the name is not its alias
    imported = {m.module: {n for _, target in m.imports for n in (target, target.rpartition(".")[0])}
                for m in modules}
    return {name: next(iter(c)) for name, c in candidates.items()
            if len(c) == 1 and name not in known and name not in imported[next(iter(c))]}


def _any_of(verdicts) -> Effect | None:
    """The effect of passing when any of several guards passes (their verdicts): AUTH when each
    authenticates, PUBLIC when one lets everyone in, else None."""
    if all(v and v[0] == Effect.AUTH for v in verdicts):
        return Effect.AUTH
    return Effect.PUBLIC if any(v and v[0] == Effect.PUBLIC for v in verdicts) else None


def _guard_key(g: GuardInfo):
    return (g.effect, g.layer, g.location or Location("", 0), g.name)
