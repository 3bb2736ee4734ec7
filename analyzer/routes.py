"""The route expander: every route the facts register, through every mount chain from a root
application down to its router, with its full path, its methods and handlers, and the guards
that apply to it at each layer (app, blueprint or router, include, class, decorator,
dependency, gate, middleware, inline), judged by the auth judge (analyzer/judge.py) into the
route's auth state.

AppGraph holds one (``graph.route_expander``) and runs it once while it is built, after the
routers, mounts and gates are linked: its routes are ``graph.routes``. It reads the graph's
tables and shares the graph's memo.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import networkx as nx

from .authz_graph import is_param
from .extract import SIGNATURE_REASON
from .facts import CONFIG_REF, HTTP_METHODS, WRITE_METHODS, GuardUse, Location, Route, Router
from .judge import PROBE_REASON, REJECTS_ONLY, GuardInfo
from .names import RULE_ARG
from .states import GRANTED_REASON, VISIBILITY_REASON, AuthState, Effect, Layer

LAYER_OF_ROUTER = {"app": Layer.APP, "blueprint": Layer.BLUEPRINT, "router": Layer.ROUTER, "api": Layer.APP, "urlconf": Layer.URLCONF}
# The collection of authentications, REST style: ``/api/v1/auth``, not ``/users/<id>/auth`` (an
# object's own settings)
_LOGIN_COLLECTION = re.compile(r"^[\w/.-]*/auth/?$")


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


def _first_matches(routes, first_match) -> list[RouteInfo]:
    """Django answers a request with the first URL pattern that matches: the same view registered
    again at the same path (umap's ``datalayer_urls``, included once with its permission
    decorators and once more with ``never_cache`` only) is never reached there; only the first
    registration, in the order its includes are listed, is kept."""
    kept, seen = [], set()
    for r in sorted(routes, key=lambda r: (r.mounts, r.registration or r.location)):
        key = (r.method, r.path, r.handler, r.operation)  # GraphQL operations share one URL and handler
        if r.framework in first_match and key in seen:
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


def _guard_key(g: GuardInfo):
    return (g.effect, g.layer, g.location or Location("", 0), g.name)


class RouteExpander:
    """AppGraph's expansion of routes (``graph.route_expander``); ``g`` is the graph, ``auth``
    its auth judge."""

    def __init__(self, graph):
        self.g = graph
        self.auth = graph.auth_judge
        self._app_gate_memo: dict[str, list] = {}

    def chains(self, router: str) -> list[list]:
        """Every mount chain from a root router down to ``router``: [(router id, mount or None)]."""
        chains = []

        def up(node, tail, seen):
            preds = [(p, d["mount"]) for p, _, d in self.g.graph.in_edges(("router", node), data=True)
                     if p[1] not in seen and self._served(p[1])]
            if not preds and self._served(node):
                chains.extend([(node, m), *tail] for m in self.g.detached.get(node, [None]))
            for (_, parent), mount in preds:
                up(parent, [(node, mount), *tail], seen | {parent})

        up(router, [], {router})
        return chains

    def _served(self, router: str, _seen: frozenset = frozenset()) -> bool:
        """A router that serves what it holds: any but a list of URL patterns that no URLconf
        includes (a module's ``basic_urls`` concatenated in a way not read, Read the Docs'
        ``reduce(add, groups)``: what it includes then stands on its own, as before)."""
        r = self.g.routers.get(router)
        if r is None or not r.fragment or router in self.g.detached:
            return True
        key = ("served", router)
        if key not in self.g.memo:
            self.g.memo[key] = any(p[1] not in _seen and self._served(p[1], _seen | {router})
                                    for p, _ in self.g.graph.in_edges(("router", router)))
        return self.g.memo[key]

    def _built_rule(self, function: str, rule: str) -> str | None:
        """``org_scoped_rule("/x")``: what the project's rule builder makes of the rule (its
        default, unconditional return); None if ``function`` is not one."""
        template = self.g.rule_builders.get(self.g.alias(function))
        return template.replace(RULE_ARG, rule) if template is not None else None

    def routes(self) -> list[RouteInfo]:
        """Every route, through every mount chain, judged; Django's first matches only
        (``_first_matches``); in route order."""
        return sorted(_first_matches(self._link_routes(), self.g.k.first_match_frameworks), key=RouteInfo.sort_key)

    def _link_routes(self):
        helper_routes = self._helper_routes()
        for routes in [*(m.routes for m in self.g.modules), helper_routes, self.g.specs.spec_routes()]:
            for route in [row for r in routes for row in self._table_rows(r)]:
                if route.rule_call:  # a runtime rule: evaluated, else shown as a {builder(rule)} pattern
                    built = self._built_rule(*route.rule_call)
                    route = replace(route, path=built if built is not None else
                                    "{%s(%s)}" % (route.rule_call[0].rpartition(".")[2], route.rule_call[1]))
                placed = self._routers_of(route)
                made = self.g.alias(self.g.instances.get(self.g.alias(route.router), ""))
                if not placed and made in self.g.classes and self.g.alias(route.router) not in self.g.routers:
                    self.g.unplaced.setdefault(route.router, (made, []))[1].append(route)
                for router in placed:
                    for r in [*([] if route.container else [route]), *self._subroutes(route)]:
                        for chain in self.chains(router.id):
                            yield from self._expand(r, chain)

    def _table_rows(self, route: Route) -> list[Route]:
        """``route`` itself, or for the registration of each row of a route table, one route
        per row (a view class at its rule)."""
        if not route.table:
            return [route]
        rows = self.g.route_tables.get(self.g.alias(route.table), ())
        return [replace(route, path=rule, handler=cls, view_class=cls, endpoint=cls.rpartition(".")[2].lower(),
                        table="") for rule, cls in rows]

    def _routers_of(self, route: Route) -> list[Router]:
        """The router a route is registered on; a registration helper's parameter stands for
        each router its callers pass (CKAN: ``register_group_plugin_rules(group)`` and
        ``(organization)``)."""
        passed = self.g.collections.get(route.router) if route.router in self.g.param_alias else None
        ids = dict.fromkeys(self.g.alias(v) for v in passed) if passed else [self.g.alias(route.router)]
        return [r for r in map(self.g.routers.get, ids) if r is not None and r.framework == route.framework]

    def _helper_routes(self) -> list[Route]:
        """The registrations that calls of a registration helper make (RouteHelper): the
        caller's rules, view and receiver (an argument, or the object a helper method is called
        on), as given: what the helper does to a rule (``org_scoped_rule``) is not executed."""
        helpers = {h.function: h for m in self.g.modules for h in m.route_helpers}
        if not helpers:
            return []
        found = []
        for m in self.g.modules:
            for call in m.helper_calls:
                h = helpers.get(self.g.alias(call.callee)) or helpers.get(self.g.method(self.g.canonical(call.callee)) or "")
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
                    found.extend(Route(receiver, h.framework, rule, (), handler, None, call.location, endpoint,
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
                    found.append(Route(receiver, h.framework, rule, methods, handler, None, call.location,
                                       given[0][0] if given else endpoint, guards, (), view_class,
                                       call.location.line, by_reference=True))
        return found

    def _view_class(self, route: Route) -> str:
        """The view class of a route; a by-reference handler that is a class is one too, and
        so is a variable made from one in another module (``dashboard = Dash.as_view()``)."""
        if route.view_class or not route.by_reference:
            return route.view_class
        h = self.g.alias(route.handler)
        if h in self.g.classes:
            return h
        cls, _, made_by = self.g.instances.get(h, "").rpartition(".")
        return self.g.alias(cls) if cls and made_by in self.g.k.view_constructors else ""

    def _subroutes(self, route: Route) -> list[Route]:
        """Routes that methods of the view class add below ``route`` (``subroute`` facts)."""
        vc = self._view_class(route)
        if not route.subroutes or not vc:
            return []
        dropped: set[str] = set()
        if route.subroutes in self.g.k.subroute_bases:
            based = self._subroute_base(route, vc)
            if based is None:
                return []
            route, dropped = based
        found, seen = [], set()
        for q in self.g.mro(vc):
            cls = self.g.classes.get(q)
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
        bases, prefix_attr, base_attr, args_attr, suffix = self.g.k.subroute_bases[route.subroutes]
        if not any(c in bases for c in self.g.mro(vc)):
            return None
        name = vc.rpartition(".")[2]
        base = self._class_attr(vc, base_attr) or (name.removesuffix(suffix) if name != suffix else name).lower()
        return (replace(route, path=join_paths(self._class_attr(vc, prefix_attr), base).rstrip("/")),
                set(self._class_attr(vc, args_attr).split(",")) - {""})

    def _class_attr(self, cls: str, attr: str) -> str:
        """The literal string (list joined by ",") a class attribute holds, looked up along the bases."""
        for q in self.g.mro(cls):
            c = self.g.classes.get(q)
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
        return next(((s.value,) for s in self.g.settings if s.key == key and s.literal and isinstance(s.value, str)),
                    ("/{%s}" % key,))

    def _expand(self, route: Route, chain):
        prefix, names, chain_guards, mounts = "", [], [], []
        root = chain[0][0]
        for rid, mount in chain:
            r = self.g.routers[rid]
            own = r.prefix or next(iter(self.g.constants.get(self.g.canonical(r.prefix_ref)) or ()), "")
            mount_prefix = mount.prefix if mount else None
            if mount and mount_prefix is None and mount.prefix_ref:
                values = self.g.constants.get(self.g.canonical(mount.prefix_ref)) or self._config_text(mount.prefix_ref) \
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
        values = self.g.constants.get(self.g.canonical(route.path_ref)) if route.path_ref else None
        path = join_paths(prefix, values[0] if values and len(values) == 1 else route.path) or "/"
        endpoint = ".".join([*names, route.endpoint]) if route.endpoint else ""
        gates = [(LAYER_OF_ROUTER.get(self.g.routers[rid].kind, Layer.ROUTER), g)
                 for rid, _ in chain for g in self.g.gates.get(rid, []) if g.scope == "router"]
        gates += [(Layer.APP, g) for g in self._app_gates(root)]

        shared: list[GuardInfo] = []
        for layer, use in chain_guards:
            info = self.auth.guard_info(use, layer)
            if info:
                shared.append(info)
        shared.extend(self.auth.allow_listed(path, route.handler))
        shared.extend(self.auth.proxied(path))
        view_class = self._view_class(route)

        mro = self.g.mro(view_class) if view_class else []
        scoped = any(c.scoped for c in map(self.g.classes.get, mro) if c) or self.g.authz.filtered_by_caller(mro)
        for method, handler, h_loc, loc, span, own, *op in self._handlers(route):
            loc, span = self._handler_site(route, handler, loc, span) if not op else (loc, span)
            # a view class's write is no probe (a heartbeat function or action that takes a POST is one)
            guards = [g for g in shared if not (method in WRITE_METHODS and g.reason == PROBE_REASON
                                                and handler in self.g.classes)]
            if method == "POST" and self.g.config.default_public_routes and _LOGIN_COLLECTION.search(path):
                # creating an authentication, REST style, is logging in (``POST /api/v1/auth``)
                guards.append(GuardInfo("allow-list", "conventional public endpoint", Layer.CONFIG, None,
                                        Effect.PUBLIC, "login endpoints are public by convention"))
            own = [u if isinstance(u, tuple) else (u, Layer.CLASS if u.kind == "class" else Layer.DECORATOR) for u in own]
            own_targets = frozenset(self.g.canonical(u.target) for u, _ in own)
            for layer, gate in gates:
                info = self.auth.gate_info(gate, Layer.MIDDLEWARE if gate.kind == "middleware" else layer, endpoint,
                                           path, own_targets)
                if info:
                    guards.append(info)
            inert, applied = [], []
            for use, layer in own:
                if use.methods and method not in use.methods:
                    continue
                how = self.auth.unchecked(use.target, method, handler) if use.target and not use.alternatives else ""
                if how and self.auth.runs_object_check(route, handler) and (why := self.auth.object_guard(use.target)):
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.AUTH, why, target=use.target))
                    continue
                if how == "declared":  # if request.method in SAFE_METHODS: return True
                    (inert if method in WRITE_METHODS else guards).append(GuardInfo(
                        use.kind, use.display, layer, use.location,
                        Effect.NONE if method in WRITE_METHODS else Effect.PUBLIC, f"{GRANTED_REASON} {method}"))
                    continue
                if how and scoped and method not in WRITE_METHODS:
                    guards.append(GuardInfo("inline", "scoped to the caller", Layer.CLASS, h_loc, Effect.AUTH,
                                            "its view filters what it serves by the caller (get_queryset or a "
                                            "filter backend reads request.user)"))
                    continue
                if how:
                    inert.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.NONE,
                                           f"its request check lets {method} through without a check of the caller"))
                    continue
                base = self.auth.read_only_base(use) if not use.methods else ""
                if base:  # class IsOwnerOrReadOnly(IsAuthenticatedOrReadOnly): reads for all, writes signed in
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location,
                                            Effect.AUTH if method in WRITE_METHODS else Effect.PUBLIC,
                                            f"a subclass of {base}: writes need a signed-in user, reads are open",
                                            target=use.target))
                    continue
                readonly = [t for t in use.alternatives if self.auth.method_only(t)]
                if readonly and method not in WRITE_METHODS:  # [HasKey | ReadOnlyPermission]: reads for all
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.PUBLIC,
                                            f"{readonly[0].rpartition('.')[2]} lets everyone read"))
                    continue
                if readonly:  # a write passes only through the other alternatives
                    use = replace(use, alternatives=tuple(t for t in use.alternatives if t not in readonly))
                info = self.auth.guard_info(use, layer) if use.alternatives or not readonly else GuardInfo(
                    use.kind, use.display, layer, use.location, Effect.AUTH, "no alternative lets a write through")
                if info:
                    guards.append(info)
                elif route.item is not None and not self.auth.fetches_object(route, handler) \
                        and self.auth.guard_scope(use.target) == "item" and not scoped:
                    # a collection, or a custom action that queries by the id itself
                    inert.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.NONE,
                                           "checks individual objects only, and this route fetches none"
                                           + (" through get_object" if route.item else "")))
                elif route.item and (why := self.auth.object_guard(use.target)):
                    # the object check the framework runs on the object an item route fetches
                    guards.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.AUTH, why,
                                            target=use.target))
                elif use.effect != Effect.NONE and use.target:
                    applied.append(GuardInfo(use.kind, use.display, layer, use.location, Effect.NONE, target=use.target))
            inline = self.auth.function_auth(handler, helper=True) or self.auth.object_check(handler, route)
            for c, m in self.g.super_chain(handler, mro) if view_class and not inline else ():
                inline = self.auth.function_auth(f"{c}.{m.name}", helper=True)
                if inline:
                    break
            if not inline and view_class and handler in self.g.functions:  # self._validate_signature() of the view's class
                inline = self.auth.verified_by(self.g.functions[handler], mro)
            if not inline and view_class and handler in self.g.functions:
                inline = self.auth.self_calls_auth(self.g.functions[handler], view_class, mro)
            hf = self.g.functions.get(handler)
            if inline and hf is not None and hf.visibility and inline in hf.evidence and all(
                    e.startswith((REJECTS_ONLY, "raises ")) for e in hf.evidence):
                inline = None  # its bare 403 answers a record not marked public (umap's oEmbed): a visibility check
            way_in = self.auth.way_in(hf, shared)
            if way_in:
                inline = None  # its 401 on bad credentials turns away a wrong password, not a caller
                if self.auth.logs_in(hf.qualname):  # what it does says more than its name
                    guards = [g for g in guards if g.name != "conventional public endpoint"]
                guards.append(GuardInfo("inline", "the way in", Layer.INLINE, h_loc, Effect.PUBLIC, way_in))
            elif hf is not None and inline and hf.first_write and hf.first_check and hf.first_write < hf.first_check:
                inline = None  # checked after the write it should protect (line {first_write})
            elif hf is not None and hf.optional and not inline:
                guards.append(GuardInfo("inline", "optional authentication", Layer.INLINE, h_loc, Effect.PUBLIC,
                                        f"optional authentication: {hf.optional}"))
            elif hf is not None and not inline and self.auth.visibility(handler):
                guards.append(GuardInfo("inline", "visibility check", Layer.INLINE, h_loc, Effect.PUBLIC,
                                        self.auth.visibility(handler)))
            if method in WRITE_METHODS:  # a record marked public is there to be read, not changed
                guards = [g for g in guards if VISIBILITY_REASON not in g.reason]
            if inline and inline.startswith(REJECTS_ONLY) and (
                    capability := self.auth.capability(path, handler, h_loc, [g.target for g in applied])):
                # a bare 403 on a share link's route (comments disabled for this link) turns away
                # the link's holder from one action: the secret in the URL is the credential
                inline = None
                guards.extend(capability)
            if inline:
                kind = "signature" if inline.startswith(SIGNATURE_REASON) else "inline"
                guards.append(GuardInfo(kind, "check in the handler", Layer.INLINE, h_loc, Effect.AUTH, inline))
            if not guards:
                guards.extend(self.auth.implicit_guards(path, handler, h_loc, [g.target for g in applied]))
            if not guards and view_class and (method not in WRITE_METHODS or route.item
                                              or route.item is None and any(map(is_param, path.split("/")))):
                guards.extend(self.auth.scoped_view(view_class, h_loc))
            misplaced = tuple(i for i in (self.auth.guard_info(u, Layer.DECORATOR)
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
            self.g.graph.add_edge(("router", chain[-1][0]), ("route", info.path, method, handler, loc), relation="registers")
            yield info

    def _handler_site(self, route: Route, handler: str, loc: Location, span):
        """(location, suppression span) of the handler of a route registered by a call: the
        function's def line (its decorators may carry the suppression), or the view class
        when it defines no method for the operation. Unknown handlers stay at the call."""
        if loc != route.location or not route.by_reference:
            return loc, span
        f = self.g.functions.get(handler)
        if f is not None:
            return f.location, (f.span_start, f.location.line)
        cls = self.g.classes.get(handler)
        if cls is not None:
            return cls.location, (cls.location.line, cls.location.line)
        return loc, span

    def _app_gates(self, root: str) -> list:
        """Gates that cover the whole application mounted at ``root`` (from any router in it)."""
        if root not in self._app_gate_memo:
            routers = nx.descendants(self.g.mount_graph, root) | {root} if root in self.g.mount_graph else {root}
            gates = [g for rid in sorted(routers) for g in self.g.gates.get(rid, []) if g.scope == "app"]
            if getattr(self.g.routers.get(root), "kind", "") == "urlconf":
                # Django runs its MIDDLEWARE for every URLconf of the project, also one a middleware
                # picks per request (pretix's custom-domain URLconfs): the settings' middleware
                # covers each root URLconf of the same top-level package
                # (also ROOT_URLCONF = "mayan.urls" whose package only re-exports ``from .base import *``)
                gates += [g for rid in sorted(self.g.gates) if rid not in routers and rid.split(".")[0] == root.split(".")[0]
                          and (getattr(self.g.routers.get(rid), "kind", "") == "urlconf"
                               or rid not in self.g.routers and any(
                                   k.startswith(rid + ".") and r.kind == "urlconf" for k, r in self.g.routers.items()))
                          for g in self.g.gates[rid] if g.kind == "middleware" and g.scope == "app"]
            self._app_gate_memo[root] = gates
        return self._app_gate_memo[root]

    def _handlers(self, route: Route):
        """(method, handler, handler location, finding location, suppression span, guard uses) per method.

        Guard uses are (GuardUse, layer) pairs.
        """
        view_class = self._view_class(route)
        if not view_class:
            f = self.g.functions.get(self.g.alias(route.handler))
            h_loc = route.handler_location or (f.location if f else None)
            own = [(u, LAYER_OF_USE.get(u.kind, Layer.DECORATOR)) for u in route.guards]
            if route.by_reference and f:
                own.extend((u, Layer.DECORATOR) for u in f.decorators)
            operations = self.g.operations.graphql_operations(route, "", []) if f else None
            if operations:  # a view function that runs a GraphQL schema: its checks guard every operation
                if self.auth.function_auth(f.qualname):
                    own.append((GuardUse(f.qualname, f"{f.qualname.rpartition('.')[2]}()", f.location, "inline",
                                         effect=Effect.AUTH), Layer.INLINE))
                for op in operations:
                    yield op.method, op.handler, op.location, op.location, op.span, own + list(op.uses), op
                return
            start = route.span_start or (h_loc.line if h_loc else route.location.line)
            span = (start, h_loc.line if h_loc and h_loc.file == route.location.file else route.location.line)
            for method in route.methods or (f.methods if f else ()) or ("ANY",):
                yield method, self.g.alias(route.handler), h_loc, route.location, span, own
            return
        mro = self.g.mro(view_class)
        base_uses, attrs = self._class_guards(mro, route)
        own_route = [(u, Layer.DEPENDENCY if u.kind == "dependency" else Layer.DECORATOR) for u in route.guards]
        operations = self.g.operations.graphql_operations(route, view_class, mro)
        if operations:  # a GraphQL endpoint: one route per query and mutation
            for op in operations:
                yield op.method, op.handler, op.location, op.location, op.span, \
                    base_uses + self._attr_uses(mro, attrs) + own_route + list(op.uses), op
            return
        head = self.g.classes.get(mro[0])
        head_loc = head.location if head else route.location
        at_route = (route.location, (route.span_start, route.location.line))
        pairs = list(route.actions)
        if not pairs:
            seen = set()
            for q in mro:
                cls = self.g.classes.get(q)
                for name in [mf.name for mf in cls.methods] if cls else self.g.k.provided_methods.get(q, ()):
                    verb = name.upper()
                    if verb in HTTP_METHODS and verb not in seen and verb not in ("HEAD", "OPTIONS"):
                        seen.add(verb)
                        pairs.append((verb, name))
            hooks = next((self.g.k.view_hooks[q] for q in mro if q in self.g.k.view_hooks), None)
            own = [n for n in hooks[1] if self.g.find_method(mro, n)[1]] if hooks and not pairs else ()
            if own:  # a library view that answers from the subclass's hooks (a syndication Feed)
                pairs.append((hooks[0], own[0]))
            if not pairs:
                for method in route.methods or ("ANY",):
                    yield method, mro[0], head_loc, route.location, at_route[1], \
                        base_uses + self._attr_uses(mro, attrs) + own_route
                return
            pairs.sort(key=lambda x: HTTP_METHODS.index(x[0]))
        allowed = next((set(v.upper().split(",")) for c in map(self.g.classes.get, mro) if c
                        for a, v in c.attrs if a in self.g.k.method_allow_attrs), None)
        for verb, name in pairs:
            if route.methods and verb not in route.methods or allowed is not None and verb not in allowed:
                continue
            q, mf = self.g.find_method(mro, name)
            if q is None:
                continue
            delegate = next((self.g.k.delegated_methods[c] for c in mro if c in self.g.k.delegated_methods), "")
            if mf is None and delegate and delegate != name and self.g.find_method(mro, delegate)[1]:
                q, mf = self.g.find_method(mro, delegate)  # RedirectView.post runs the subclass's own get
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
            chain = [mf, *(m for _, m in self.g.super_chain(f"{q}.{name}", mro))]
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
        if not self.g.k.action_guard_attrs:
            return uses
        out = []
        for use, layer in uses:
            declared: dict = {}
            for c in self.g.mro(self.g.canonical(use.target)) if use.kind == "permission" and use.target else ():
                for attr, attr_uses in self.g.classes[c].guard_attrs if c in self.g.classes else ():
                    declared.setdefault(attr, attr_uses)
            per = [(suffix, every) for suffix, every in self.g.k.action_guard_attrs.items()
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

    def _class_guards(self, mro: list[str], route: Route):
        """Guards of a view class that do not depend on the method: guard mixins that run
        (before any base that ends the dispatch chain), class decorators, entry methods
        (their decorators and the checks they make); and the class guard attributes,
        nearest class first."""
        uses, attrs, entries, active = [], {}, set(), True
        head = self.g.classes.get(mro[0])
        for q in mro:
            cls = self.g.classes.get(q)
            # a guard base of the view, or the view itself when it is a framework's own guarded view
            if (q != mro[0] or q not in self.g.classes) and active and self.g.k.known_guards.get(q):
                site = next((c.location for c in map(self.g.classes.get, mro)
                             if c and q in {self.g.alias(b) for b in c.bases}), None)
                uses.append((GuardUse(q, q.rpartition(".")[2], site or (head.location if head else route.location),
                                      "mixin"), Layer.CLASS))
            if q in self.g.k.chain_ends:
                active = False
            if not cls:
                continue
            uses.extend((u, Layer.CLASS) for u in cls.decorators)
            for attr, attr_uses in cls.guard_attrs:
                attrs.setdefault(attr, self._inherited_attr(attr, attr_uses))
            vendored = self.g.k.framework_methods and self.g.k.framework_methods <= {mf.name for mf in cls.methods}
            for mf in cls.methods if active and not vendored else ():  # a copy of the framework's own base:
                if mf.name in self.g.k.entry_methods and mf.name not in entries:  # its machinery, not a check
                    entries.add(mf.name)
                    for c, m in [(q, mf), *self.g.super_chain(f"{q}.{mf.name}", mro)]:
                        uses.extend((u, Layer.CLASS) for u in m.decorators)
                        reason = self.auth.function_auth(f"{c}.{m.name}") or self.auth.object_check(f"{c}.{m.name}", route)
                        if reason:
                            uses.append((GuardUse(f"{c}.{m.name}", f"{c.rpartition('.')[2]}.{m.name}()", m.location,
                                                  "class", effect=Effect.AUTH), Layer.CLASS))
        return uses, attrs

    def _inherited_attr(self, attr: str, uses, depth: int = 0) -> tuple:
        """A class guard attribute's uses, with a reference to another class's same attribute
        (``decorators = BaseResource.decorators + [...]``) replaced by that attribute's uses."""
        out = []
        for u in uses:
            cls, _, name = self.g.alias(u.target).rpartition(".")
            if name == attr and cls in self.g.classes and depth < 5:
                base = next((au for q in self.g.mro(cls) if q in self.g.classes
                             for a, au in self.g.classes[q].guard_attrs if a == attr), ())
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
        built = {d.via for d in self.g.defaults if d.via}  # settings built by these project functions
        # a library view that lets everyone in sets the attribute itself (DRF's ObtainAuthToken:
        # ``permission_classes = ()``), for the project's subclasses too
        opened = any(self.g.k.known_guards.get(q) == Effect.PUBLIC for q in mro if q not in self.g.classes)
        for d in self.g.defaults if not opened else ():
            if d.attr not in merged and (not d.scope or any(q.startswith(d.scope) for q in mro)) \
                    and (not d.source or d.source in built):
                out.extend((u, Layer.SETTINGS) for u in d.guards)
        return out
