"""The auth judge: whether a guard (a decorator, dependency, permission class, gate or
middleware) or a handler's own code authenticates the caller, and what stands in for a guard
on a route that has none (a capability URL, the way in, an owner check, the configuration's
allow-list, conventional public endpoints, a reverse proxy that keeps outside clients away).

AppGraph holds one (``graph.auth_judge``); the route expander (analyzer/routes.py) asks it
about every guard of every route. It reads the graph's tables (functions, classes,
dependencies, the adapters' ``Knowledge``, the configuration) and shares the graph's memo.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from .authz import NOT_CLIENT
from .extract import SIGNATURE_REASON, STATUS_KEYWORDS, VERIFIES
from .facts import FunctionFact, GuardUse, Location, Route
from .proxies import PROXY_REASON
from .states import VISIBILITY_REASON, Effect, Layer

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
_CONVENTIONAL_PUBLIC = re.compile("|".join(fnmatch.translate(p) for p in CONVENTIONAL_PUBLIC))  # one test per word
# ... but an OAuth or SAML word that names what an administrator manages is no sign-in step
# (fief's ``get_oauth_provider`` at ``/admin/api/oauth-providers/{id}``, ``oauth_clients``)
_MANAGED_ENTITY = re.compile(r"^(oauth|saml).*(provider|client|app|application|config|configuration|setting|"
                             r"integration|connection)s?$")
_VERB_PREFIX = re.compile(r"^(get|post|put|patch|delete|head|options|request|send|resend|handle|do)_(?=.)")
# Path parameters: Flask/Django ``<conv:name>``, FastAPI ``{name}``, Django regex ``(?P<name>...)``
# why a health probe is public (a view class's write to the same path is no probe's)
PROBE_REASON = "health check endpoints are public by convention"
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


def _object_after(path: str, word: str | None) -> bool:
    """A path parameter (not an unresolved ``{PREFIX}`` constant) after the segment ``word`` (None:
    anywhere in the path)."""
    segments = path.strip("/").split("/")
    start = next((i for i, s in enumerate(segments) if s.lower() == word), -1) + 1 if word else 0
    return any(not (m.group(2) or "").isupper() for s in segments[start:] for m in _PATH_PARAM.finditer(s))


def _conventional_kind(word: str) -> str:
    """What kind of conventional public endpoint a name is: "login", "health check"..."""
    return next((kind for kind, stems in _KINDS if word.startswith(stems)), "second-factor login"
                if word.endswith("otp") else "login")


def _any_of(verdicts) -> Effect | None:
    """The effect of passing when any of several guards passes (their verdicts): AUTH when each
    authenticates, PUBLIC when one lets everyone in, else None."""
    if all(v and v[0] == Effect.AUTH for v in verdicts):
        return Effect.AUTH
    return Effect.PUBLIC if any(v and v[0] == Effect.PUBLIC for v in verdicts) else None


class AuthJudge:
    """AppGraph's judgement of guards and handlers (``graph.auth_judge``); ``g`` is the graph."""

    def __init__(self, graph):
        self.g = graph
        self._auth_memo: dict[str, str | None] = {}
        self._helper_memo: dict[str, str | None] = {}
        self._nested: dict[str, list] = {}  # decorator -> the functions defined inside it

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
        f = self.g.functions.get(qname)
        deps = self.g.dependencies.get(qname, ())
        if (f is None and not deps) or qname in _stack:
            return None
        reason = f.evidence[0] if f and f.evidence else f.answers[0] if f and f.answers and not helper else None
        if reason is None and f is not None:
            reason = self.verified_by(f)
        if reason is None and f is not None:
            for call in f.calls:
                if call in f.swallowed:
                    continue
                c = self.g.canonical(call)
                value = self.rejecting_value(call)
                if value:
                    reason = f"uses {value[0].rpartition('.')[2]}, which {value[1]}"
                elif c in self.g.k.auth_calls or self.g.k.known_guards.get(c) == Effect.AUTH:
                    reason = f"calls {c}"
                elif c in self.g.classes and (self.function_auth(f"{c}.__init__", _stack | {qname}, helper)
                                              or self._status_error(c, qname)):
                    reason = f"calls {c}"  # an exception class that rejects with 401/403
                else:
                    c = self.g.method(c)
                    # a callee's answer counts where this function tests it to end the request, or,
                    # in a guard, returns it as its own verdict; a call whose answer it drops
                    # (weblate's middleware adjusting the session's expiry) checks only what ends
                    # the request by itself
                    tested = call in f.tested and not (helper and call in f.answer_tests)
                    as_helper = not tested and (helper or call not in f.returned_calls)
                    inner = self.function_auth(c, _stack | {qname}, as_helper) if c else None
                    if inner:  # a signature the helper checks is one wherever it is checked
                        reason = f"{inner} (in {c})" if inner.startswith(SIGNATURE_REASON) else f"calls {c}"
                if reason:
                    break
        if reason is None and f is not None and f.returned_calls:
            # ``return set_task_instance_note(...)``: it hands every request to handlers whose guard
            # decorators run on those calls (not when one of its ways out is unguarded)
            handed = [self._delegated(self.g.method(self.g.canonical(c)) or "", _stack | {qname})
                      for c in f.returned_calls]
            reason = handed[0] if all(handed) else None
        if reason is None:
            for dep in deps:  # what a dependency checks, its user checks too
                verdict = self.judge(dep.target, _stack | {qname})
                if verdict and verdict[0] == Effect.AUTH:
                    reason = f"depends on {dep.display or dep.target}"
                    break
        memo[qname] = reason
        return reason

    def _delegated(self, callee: str, _stack: frozenset) -> str | None:
        """``return set_task_instance_note(...)``: the function hands the request to another
        handler, whose guard decorator runs on that call (Airflow's mapped-task routes)."""
        handler = self.g.functions.get(callee) if callee not in _stack else None
        for use in handler.decorators if handler is not None else ():
            verdict = self.judge(use.target, _stack)
            if verdict and verdict[0] == Effect.AUTH:
                return f"hands the request to {callee.rpartition('.')[2]}, which {use.display} guards"
        return None

    def self_calls_auth(self, f, view_class: str, mro) -> str | None:
        """Why a method that calls ``self.x()`` checks the caller, where ``x`` is looked up on
        the route's view class rather than the class the method is written in: a mixin's
        ``by_ref`` returning ``self.retrieve(...)`` runs the viewset's ``retrieve``."""
        for call in f.calls:
            owner, _, name = call.rpartition(".")
            if owner in mro:
                c = self.g.method_function(view_class, name)
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
            c = self.g.canonical(call)
            if mro and c.rpartition(".")[0] in mro:
                c = self.g.method(f"{mro[0]}.{c.rpartition('.')[2]}") or c
            g = self.g.functions.get(self.g.method(c) or c)
            if g is not None and g.compares:
                return f"rejects unless {g.qualname} {g.compares[0]}"
        return None

    def read_only_base(self, use) -> str:
        """The library permission a project permission class extends that lets anyone read and
        only signed-in users write (DRF's ``IsAuthenticatedOrReadOnly``), or ''."""
        q = self.g.canonical(use.target)
        if use.kind != "permission" or q not in self.g.classes:
            return ""
        return next((c.rpartition(".")[2] for c in self.g.mro(q)[1:] if self.g.k.authz_guards.get(c) == "readonly"), "")

    def method_only(self, target: str) -> bool:
        """A project permission class that decides by the request's method alone (``return
        request.method in SAFE_METHODS``): it lets everyone read and nobody write."""
        q = self.g.canonical(target)
        if q not in self.g.classes or "&" in target or "+" in target:
            return False
        checks = [m for name, scope in self.g.k.guard_methods.items() if scope != "item"
                  if (m := self.g.method(f"{q}.{name}"))]
        return bool(checks) and all(
            not self.g.functions[m].evidence and not self.g.functions[m].calls and self.g.request_reads.get(m)
            and all(r.kind == "method" for r in self.g.request_reads[m]) for m in checks)

    def _status_error(self, cls: str, raiser: str) -> bool:
        """An error class whose class attribute says 401 (``class UnauthorizedError(ServerError):
        HTTP_STATUS = 401``, turned into the response by an exception handler), raised outside a
        view class that dispatches to permission classes (a vendored DRF's ``permission_denied``
        answers 401 only for what those classes turn away)."""
        if self.g.method(f"{raiser.rpartition('.')[0]}.check_permissions"):
            return False
        mro = self.g.mro(cls)
        return any(c.rpartition(".")[2].endswith(("Error", "Exception")) for c in mro) and any(
            _UNAUTHORIZED.search(self.g.rejecting_values.get(f"{c}.{attr}", ""))
            for c in mro for attr in STATUS_ATTRIBUTES)

    def rejecting_value(self, qname: str) -> tuple[str, str] | None:
        """(name, why) when ``qname`` names a module or class level value that rejects (a
        pre-built 401 exception, a 403 status): ``self.denied`` is looked up along the class's
        bases."""
        if not self.g.rejecting_values:
            return None
        q = self.g.alias(qname)
        if q in self.g.rejecting_values:
            return q, self.g.rejecting_values[q]
        cls, _, attr = q.rpartition(".")
        for c in self.g.mro(cls) if cls in self.g.classes else ():
            if f"{c}.{attr}" in self.g.rejecting_values:
                return f"{c}.{attr}", self.g.rejecting_values[f"{c}.{attr}"]
        return None

    def judge(self, target: str, _stack: frozenset = frozenset(), hook: bool = False) -> tuple[str, str] | None:
        """(effect, reason) if the decorator/dependency/class ``target`` is a guard. A ``hook``
        (middleware, ``before_request``) hands the request on when it returns nothing, so an
        answer of a helper it calls turns no one away unless it tests the answer (pretalx's
        ``return self._gate(request) or self.get_response(request)``)."""
        q = self.g.canonical(target)
        if q in self.g.k.known_guards:
            return self.g.k.known_guards[q], q
        base = self.inherited_guard(q)
        if base in self.g.k.known_guards:
            return self.g.k.known_guards[base], base
        reason = self.function_auth(q, _stack, hook)
        f = self.g.functions.get(q)
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
            maker = self.g.canonical(use.target)
            verdict = self.judge(maker, _stack | {q}, hook) if maker in self.g.functions else None
            if verdict and verdict[0] == Effect.AUTH:
                return Effect.AUTH, f"made by {maker.rpartition('.')[2]}, which {verdict[1]}"
            if self.g.k.known_guards.get(maker) == Effect.PUBLIC:  # def access_exempt(view): return ...(login_not_required)
                return Effect.PUBLIC, f"applies {maker.rpartition('.')[2]}"
        visible = self.visibility(q)
        if visible:
            return Effect.PUBLIC, visible
        cls = self.g.instances.get(q)
        if cls and q not in _stack:  # using an instance calls its class's __call__
            verdict = self.judge(cls, _stack | {q}, hook)
            if verdict:
                return verdict[0], f"{q.rpartition('.')[2]} is a {cls.rpartition('.')[2]}: {verdict[1]}"
        for made in self.g.returned_types(q) if f is not None and q not in _stack else ():
            call = self.g.method(f"{made}.__call__")  # Depends(factory(...)): FastAPI calls what it made
            reason = call and made in self.g.classes and self.function_auth(call, _stack | {q})
            if reason:
                return Effect.AUTH, f"{q.rpartition('.')[2]} returns a {made.rpartition('.')[2]}: {reason}"
        if q in self.g.classes:
            for base in self.g.mro(q)[1:]:
                if base in self.g.k.known_guards:
                    return self.g.k.known_guards[base], f"subclass of {base}"
            call = self.function_auth(f"{q}.__call__", _stack, hook)
            if call:
                return Effect.AUTH, call
            for name, scope in self.g.k.guard_methods.items():  # guard classes decide in these methods
                for c in self.g.mro(q) if scope == "request" else ():
                    reason = self.function_auth(f"{c}.{name}", _stack, hook)
                    if reason:
                        return Effect.AUTH, reason
        return None

    def inherited_guard(self, q: str) -> str:
        """The library guard method ``q`` names through a project subclass or an instance of one
        (a class attribute too: OctoPrint's ``Permissions.ADMIN.require``, ``ADMIN`` an instance of a
        ``flask_principal.Permission`` subclass): ``flask_principal.Permission.require``; ''."""
        owner, _, name = q.rpartition(".")
        cls = owner if owner in self.g.classes else self.g.alias(self.g.instances.get(owner, ""))
        if not cls or self.g.method(q):
            return ""
        return next((f"{b}.{name}" for b in self.g.mro(cls) if f"{b}.{name}" in self.g.k.known_guards
                     or f"{b}.{name}" in self.g.k.authz_guards), "")

    def visibility(self, qname: str, _depth: int = 0) -> str:
        """Why ``qname`` serves only records their owners made public: it (or a project function
        or dependency it calls) ends the request on a record's visibility flag. Reads only:
        the routes of other methods drop it."""
        key = ("visibility", qname)
        if key in self.g.memo:
            return self.g.memo[key]
        self.g.memo[key] = ""  # a cycle finds nothing
        f = self.g.functions.get(qname)
        found = ""
        if f is not None and f.visibility:
            found = f"{VISIBILITY_REASON}: it ends the request on `{f.visibility[0]}`"
        elif f is not None and _depth < 3:
            callees = [self.g.method(self.g.canonical(c)) for c in f.calls]
            callees += [self.g.canonical(d.target) for d in self.g.dependencies.get(qname, ())]
            found = next((v for v in (self.visibility(c, _depth + 1) for c in callees if c) if v), "")
        self.g.memo[key] = found
        return found

    def _optional_dependency(self, q: str, f: FunctionFact | None, _stack: frozenset) -> str:
        """Why the dependency ``q`` is optional authentication, or '': a security scheme made
        with ``auto_error=False``, or a function that reads one and returns None when the
        caller brings no credential (``Optional[User] = Depends(get_optional_user)``)."""
        cls = self.g.instances.get(q, "")
        if cls.endswith(("(auto_error=False)", "(optional=True)")):
            return f"optional authentication: {q.rpartition('.')[2]} is a {cls.rpartition('.')[2]}"
        if f is None or not f.returns_none or q in _stack:
            return ""
        for dep in self.g.dependencies.get(q, ()):
            inner = self._optional_dependency(self.g.canonical(dep.target), self.g.functions.get(self.g.canonical(dep.target)),
                                              _stack | {q})
            if inner:
                return f"{inner}, and {q.rpartition('.')[2]} returns None without a credential"
        return ""

    def guard_scope(self, target: str) -> str:
        """"item" when the guard class ``target`` only decides on individual objects
        (it defines item-level methods and no request-level one), else ""."""
        q = self.g.canonical(target)
        if q not in self.g.classes or not self.g.k.guard_methods:
            return ""
        scopes = set()
        for c in self.g.mro(q):
            if c in self.g.k.known_guards:
                return ""
            cls = self.g.classes.get(c)
            scopes.update(self.g.k.guard_methods[mf.name] for mf in (cls.methods if cls else ())
                          if mf.name in self.g.k.guard_methods)
        return "item" if scopes == {"item"} else ""

    def unchecked(self, target: str, method: str, handler: str) -> str:
        """How the permission class ``target``'s request check lets ``method`` through without a
        check of the caller: "declared" (a method test grants it: ``if request.method in
        SAFE_METHODS: return True``), "default" (a ``return True`` the method falls through to;
        also one reached only without a body, on a handler that reads none), or ''."""
        q = self.g.canonical(target)
        if q not in self.g.classes:
            return ""
        for name, scope in self.g.k.guard_methods.items():
            m = self.g.method(f"{q}.{name}") if scope == "request" else None
            f = self.g.functions.get(m) if m else None
            if f is None or not f.unchecked:
                continue
            if f"{method}:declared" in f.unchecked:
                return "declared"
            if method in f.unchecked or f"{method}:empty" in f.unchecked and handler in self.g.functions and not any(
                    r.kind in ("body", "raw", "payload") for r in self.g.request_reads.get(handler, ())):
                return "default"
        return ""

    def asks_object_check(self, handler: str, _depth: int = 0) -> bool:
        """The handler runs the view's object-level permission check on what it fetched itself
        (``self.check_object_permissions(request, user)``), or fetches through ``self.get_object()``
        (itself or in a method of its class it calls), which runs it."""
        f = self.g.functions.get(handler)
        if f is None:
            return False
        cls, _, name = handler.rpartition(".")
        if name in f.super_calls and self.g.find_method(self.g.mro(cls)[1:], name)[1] is None:
            return True  # def retrieve(...): return super().retrieve(...): the framework's own, which fetches
        asks = tuple(self.g.k.object_permission_calls) + tuple(f".{m}" for m in self.g.k.object_fetchers)
        return any(c.endswith(asks) for c in f.calls) or _depth < 2 and any(
            self.asks_object_check(m, _depth + 1) for c in f.calls
            if c.startswith(cls + ".") and (m := self.g.method(c)) and m != handler)

    def fetches_object(self, route, handler: str) -> bool:
        """An item route whose handler the framework's object check runs for: a provided action
        (``retrieve``, ``update``...), or one of the project's that fetches through ``get_object``;
        not a custom ``@action(detail=True)`` that queries by the id itself (Tandoor's
        ``cascading``: ``self.queryset.filter(pk=pk)``)."""
        return bool(route.item) and (handler not in self.g.functions or self.asks_object_check(handler))

    def runs_object_check(self, route, handler: str) -> bool:
        """The view's object-level check runs for this route: an item route that fetches its
        object through the framework, or a handler that asks for the check itself."""
        return self.fetches_object(route, handler) or self.asks_object_check(handler)

    def object_guard(self, target: str) -> str:
        """Why the object-level guard class ``target`` turns away the anonymous caller on a route
        that fetches one object: its object check verifies something of the caller (``request.user.
        is_staff or obj == request.user``), which the framework runs on that object; or ''."""
        q = self.g.canonical(target)
        for c in self.g.mro(q) if q in self.g.classes else ():
            for name, scope in self.g.k.guard_methods.items():
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
        cls = self.g.canonical(use.target)
        if cls not in self.g.classes or not self.g.method(f"{cls}.__call__"):
            return None
        reasons = []
        for name in use.given:
            q = self.g.canonical(name)
            if q not in self.g.classes and q not in self.g.functions:
                continue
            init = self.g.method(f"{q}.__init__") if q in self.g.classes else None
            verdict = self.judge(q) or ((Effect.AUTH, self.function_auth(init)) if init and self.function_auth(init) else None)
            if not verdict or verdict[0] != Effect.AUTH:
                return None
            reasons.append(f"runs {q.rpartition('.')[2]}: {verdict[1]}")
        return (Effect.AUTH, reasons[0]) if reasons else None

    def object_check(self, qname: str, route: Route) -> str:
        """The rejection ``qname`` makes only when there is an object (FunctionFact.if_object), on a
        route that addresses one (an id in its own rule): there the caller who is not its owner,
        and so the anonymous one, is turned away; a form that creates an object has none."""
        f = self.g.functions.get(qname)
        if f is None or not f.if_object or route.item is False or not (route.item or _PATH_PARAM.search(route.path)):
            return ""
        return f"{f.if_object[0]} when the object exists"

    def gate_info(self, gate, layer: str, endpoint: str, path: str, own_targets=frozenset()) -> GuardInfo | None:
        verdict = self.judge(self.g.alias(gate.func), hook=True)
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
            exempt_endpoints.extend(self.g.constants.get(self.g.alias(ref), ()))
        exact, prefixes = set(), list(gate.exempt_paths)
        scope_exact, scope_prefixes = [], list(gate.scope_paths)
        gate_function = self.g.functions.get(self.g.alias(gate.func))
        # its allow-list, or that of a helper it calls (agenta's ``_check_authentication_token``)
        for ex in (ex for q in (gate.func, *(gate_function.calls if gate_function else ()))
                   for ex in self.g.exemptions.get(self.g.alias(q), ())):
            exact.update(ex.exact)
            prefixes.extend(ex.prefixes)
            scope_exact.extend(ex.scope_exact)
            scope_prefixes.extend(ex.scope_prefixes)
            for ref in ex.exact_refs:
                exact.update(self.g.constants.get(self.g.alias(ref), ()))
            for ref in ex.prefix_refs:
                prefixes.extend(self.g.constants.get(self.g.alias(ref), ()))
        short = endpoint.rpartition(".")[2]
        kind = gate.kind or "gate"
        if any(fnmatch.fnmatchcase(endpoint, e) or e == short for e in exempt_endpoints) \
                or any(path.startswith(p) for p in prefixes) or path in exact:
            return GuardInfo(kind, name, layer, gate.location, Effect.PUBLIC, "exempted by the gate's allow-list")
        if (scope_exact or scope_prefixes or gate.scope_endpoints) and not (
                path in scope_exact or any(path.startswith(p) for p in scope_prefixes)
                or any(fnmatch.fnmatchcase(endpoint, e) or e == short for e in gate.scope_endpoints)):
            return None  # ``if request.path.startswith("/admin") and ...``: made for other routes
        if gate_function is not None and gate_function.optional:  # if not token: return await call_next(request)
            owner = gate.func.rpartition(".")[0].rpartition(".")[2]
            return GuardInfo(kind, name, layer, gate.location, Effect.PUBLIC,
                             f"optional authentication: {owner if name == '__call__' else name} {gate_function.optional}")
        if gate.condition:  # ``if auth_string is not None: app.add_middleware(...)``: configuration decides
            return GuardInfo(kind, name, layer, gate.location, Effect.PUBLIC,
                             f"optional authentication: {name} runs only if {gate.condition}")
        return GuardInfo(kind, name, layer, gate.location, Effect.AUTH, reason, target=self.g.alias(gate.func))

    def _bare_refusal(self, q: str, reason: str) -> bool:
        """The hook ``q`` refuses (``HttpResponseForbidden``) on a test that reads no credential,
        itself or in what it calls: umap's read-only maintenance middleware, which refuses every
        write to everyone."""
        refusal = reason.removeprefix("calls ")
        f = self.g.functions.get(self.g.alias(q))
        if refusal not in self.g.k.refusal_responses or f is None or any(
                e.removeprefix("calls ") not in self.g.k.refusal_responses for e in f.evidence):
            return False
        other_rejections = self.g.k.auth_calls - self.g.k.refusal_responses
        return not any(self.g.canonical(c) in other_rejections or self.rejecting_value(c)
                       or (m := self.g.method(self.g.canonical(c))) and self.function_auth(m) for c in f.calls)

    def way_in(self, hf: FunctionFact | None, shared: list[GuardInfo]) -> str:
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
            callee in self.g.functions and any(self.g.functions[c].lets_in for c in self._callees(callee)))
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
        inner = self.g.functions.get(callee)
        if inner is None or not set(hf.used) - NOT_CLIENT or not set(inner.used) - NOT_CLIENT:
            return False
        why = self.function_auth(callee) or ""  # it verifies a signed value, not who the caller is
        return why.startswith(SIGNATURE_REASON) or why.startswith("calls ") and why[6:] in self.g.k.auth_calls

    def logs_in(self, qname: str) -> str:
        """How a function lets the caller in after verifying credentials taken from the request,
        itself or through the project functions it calls (a SAML response parsed, then a
        helper's ``login_user``), or ''."""
        def answer(q: str) -> str:
            found = [self.g.functions[c] for c in self._callees(q)]
            direct = next((f.lets_in for f in found if f.verifies and f.lets_in), "")  # both in one function
            lets_in = next((f.lets_in for f in found if f.lets_in), "")
            return direct or (lets_in if any(f.verifies for f in found) else "")
        return self.g.remembered("logs in", qname, answer) if qname in self.g.functions else ""

    def signup_switch(self, qname: str) -> str:
        """The setting that switches off a function that opens sign-up, itself or in the project
        functions it calls (``if not settings.new_accounts_allowed: raise ...`` before an
        account is made), or ''."""
        def answer(q: str) -> str:
            return next((t for c in self._callees(q) for t in self.g.functions[c].switches if SIGNUP_SETTING.search(t)), "")
        return self.g.remembered("signup switch", qname, answer) if qname in self.g.functions else ""

    def _callees(self, qname: str) -> list[str]:
        """``qname`` and the project functions it calls, two calls deep, breadth first."""
        return [q for q, *_ in self.g.reachable(qname, 2)]

    def implicit_guards(self, path: str, handler: str, h_loc, decorators=()) -> list[GuardInfo]:
        """What stands in for a guard on a route that has none, by what its handler (or a
        decorator around it) does: a capability (a secret in the path or the request), an owner
        check that turns others away, a query restricted to the caller's rows, or a step of a
        library's login flow."""
        capability = self.capability(path, handler, h_loc, decorators)
        if capability:
            return capability
        lookups, checks = self.g.authz.authz_index()[:2]
        owner = next((c for c in checks.get(handler, ()) if c.kind == "owner" and c.rejects), None)
        if owner is not None:  # if photo.owner != request.user: return 403
            return [GuardInfo("inline", "owner check", Layer.INLINE, h_loc, Effect.AUTH,
                              f"turns away anyone but the object's owner ({owner.display[:80]}): "
                              "an anonymous caller is never the owner")]
        scoped = next((lk for lk in lookups.get(handler, ()) if lk.scoped), None)
        if scoped is not None:  # Project.objects.filter(owner=request.user): nothing for an anonymous caller
            return [GuardInfo("inline", "scoped to the caller", Layer.INLINE, h_loc, Effect.AUTH,
                              f"acts only on the caller's own rows ({scoped.display[:80]}): an anonymous caller has none")]
        if handler not in self.g.functions and self.g.k.known_guards.get(self.g.alias(handler)) == Effect.PUBLIC:
            return [GuardInfo("inline", handler.rpartition(".")[2], Layer.INLINE, h_loc, Effect.PUBLIC,
                              f"{self.g.alias(handler)} is a step of a library's login flow")]
        return []

    def scoped_view(self, view_class: str, h_loc) -> list[GuardInfo]:
        """A view class that fetches what it serves through a query restricted to the caller's
        rows (``get_queryset`` returning ``Organization.objects.for_user(self.request.user)``, or
        a ``get_object`` that calls a mixin's scoped lookup): on its reads and on the writes of a
        path that names what they act on, an anonymous caller gets nothing. Not on a collection's
        create, which fetches nothing."""
        scoped = self.g.authz.scoped_fetch(view_class)
        if scoped is None:
            return []
        return [GuardInfo("inline", "scoped to the caller", Layer.INLINE, h_loc, Effect.AUTH,
                          f"its view fetches only the caller's own rows ({scoped.display[:80]}): an anonymous "
                          "caller has none")]

    def capability(self, path: str, handler: str, h_loc, decorators=()) -> list[GuardInfo]:
        """A capability URL: the handler, or the wrapper a decorator of the route puts around
        it (``def wrapped(self, token, ...): validate_share_token(token)``), looks up or verifies
        a path parameter named as a secret (passes it to a call, compares it); knowing the URL
        is the credential."""
        f = self.g.functions.get(handler)
        if f is None:
            return []
        used = {*f.used, *(p for d in decorators for w in self._wrappers(d) for p in w.used)}
        for name, before in _capabilities(path):
            if name in used and _secret_param(name, before):
                return [GuardInfo("capability", name, Layer.PATH, h_loc, Effect.PUBLIC,
                                  f"capability URL: the {name} in the path is the credential")]
        # a bare ``code`` is as often a public identifier (a check's UUID) as a mailed secret
        secret = next((lk for lk in self.g.authz.authz_index()[0].get(handler, ())
                       if lk.secret and lk.secret.split("__")[0] != "code"), None)
        if secret is not None:  # User.objects.get(email_token=token): whoever holds the token is its owner
            return [GuardInfo("capability", secret.display[:60] or secret.source, Layer.INLINE, h_loc, Effect.PUBLIC,
                              f"acts only for the holder of the secret it looks up ({secret.source or secret.display[:60]})")]
        return []

    def _wrappers(self, decorator: str) -> list:
        """The functions defined inside a decorator (or decorator factory): what runs around
        the view it decorates."""
        q = self.g.canonical(decorator)
        if q not in self._nested:
            self._nested[q] = [f for name, f in self.g.functions.items() if name.startswith(q + ".")] \
                if q in self.g.functions else []
        return self._nested[q]

    def proxied(self, path: str) -> list[GuardInfo]:
        """The reverse proxy the project ships keeps outside clients from ``path``: in each nginx
        configuration that has a location for it, the one nginx picks (an exact match, else the
        longest prefix) takes only internal requests or local addresses."""
        chosen: dict[str, object] = {}
        for rule in self.g.proxy_rules:
            if (path == rule.prefix) if rule.exact else path.startswith(rule.prefix):
                best = chosen.get(rule.location.file)
                if best is None or (rule.exact, len(rule.prefix)) > (best.exact, len(best.prefix)):
                    chosen[rule.location.file] = rule
        if not chosen or not all(r.internal for r in chosen.values()):
            return []
        rule = min(chosen.values(), key=lambda r: (r.location.file, r.location.line))
        return [GuardInfo("proxy", f"location {'= ' if rule.exact else ''}{rule.prefix}", Layer.CONFIG, rule.location,
                          Effect.AUTH, PROXY_REASON)]

    def allow_listed(self, path: str, handler: str) -> list[GuardInfo]:
        for pattern in self.g.config.public_routes:
            if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(handler, pattern):
                return [GuardInfo("allow-list", pattern, Layer.CONFIG, None, Effect.PUBLIC, "public-routes in the configuration")]
        if self.g.config.default_public_routes:
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
                                  PROBE_REASON)]
            if ".well-known" in words[1:]:  # RFC 8615 metadata: OpenID discovery, JWKS, security.txt
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  "well-known URIs (RFC 8615) are public by convention")]
            # a step of a flow names the flow before it (``/reset_password/finalize``, ``/2fa/fido2/begin``)
            flow = last[-2:-1] if last and _FLOW_STEP.match(last[-1]) else []
            # ... or the last two words together, on a path that names no object (Karrot's
            # ``/auth/password/request_reset/``, ``/auth/email/verify/``; not ``/users/<id>/password/reset``)
            pair = ["_".join(last[-2:])] if len(last) > 1 and not _PATH_PARAM.search(path) else []
            word = next((w for w in words[:1] + last[-1:] + flow + pair if _conventional(w)), None)
            if word is not None and _conventional_kind(word) == "health check" and handler in self.g.classes \
                    and _object_after(path, None if word == words[0] else word):
                # a view class serving an object by its id is a resource, not a probe (Nautobot's
                # /health-check-monitors/<pk>/); a ping function given a check's id is one (healthchecks),
                # and so is an object's own heartbeat action (Read the Docs' /build/<pk>/healthcheck/)
                word = None
            if word is not None:
                return [GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None, Effect.PUBLIC,
                                  f"{_conventional_kind(word)} endpoints are public by convention")]
        return []
