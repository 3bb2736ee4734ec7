"""Link: join every file's facts into one AppGraph (networkx) and answer, for every
route, its full path, its methods, its effective guards with their provenance, and
its auth state: protected, public (explicitly) or unprotected.

The linker is framework-neutral: it joins facts on qualified names and consults the
adapters' tables only through ``Knowledge``.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import networkx as nx

from .facts import HTTP_METHODS, ClassFact, FunctionFact, GuardUse, Location, ModuleFacts, Route, Router

LAYER_OF_ROUTER = {"app": "app", "blueprint": "blueprint", "router": "router", "api": "app", "urlconf": "urlconf"}
# Endpoints that are public by convention; configurable (default-public-routes = false turns it off).
CONVENTIONAL_PUBLIC = (
    "login", "logout", "signin", "sign_in", "signout", "sign_out", "register", "signup", "sign_up",
    "token", "refresh", "forgot*", "reset*password*", "password*reset*", "verify*email*",
    "health*", "ping", "ready*", "live*", "static", "docs", "openapi*", "callback", "oauth*", "authorize",
)


@dataclass(frozen=True)
class GuardInfo:
    kind: str  # decorator | dependency | permission | mixin | gate | middleware | inline | allow-list
    name: str
    layer: str  # decorator | class | blueprint | router | app | include | settings | middleware | inline | config
    location: Location | None
    effect: str  # auth | public
    reason: str = ""


@dataclass(frozen=True)
class RouteInfo:
    framework: str
    method: str
    path: str
    handler: str
    handler_location: Location | None
    location: Location
    endpoint: str
    auth: str  # protected | public | unprotected
    guards: tuple[GuardInfo, ...]
    misplaced: tuple[GuardInfo, ...] = ()
    mounts: tuple[Location, ...] = ()
    suppress_lines: tuple[int, int] = (0, 0)

    def sort_key(self):
        return (self.path, HTTP_METHODS.index(self.method) if self.method in HTTP_METHODS else 99,
                self.location, self.handler)


def join_paths(prefix: str, rule: str) -> str:
    if not prefix:
        return rule
    if not rule:
        return prefix
    return prefix.rstrip("/") + "/" + rule.lstrip("/")


class AppGraph:
    def __init__(self, modules: list[ModuleFacts], knowledge, config):
        self.modules = sorted(modules, key=lambda m: m.path)
        self.k = knowledge
        self.config = config
        self.graph = nx.MultiDiGraph()
        self.imports: dict[str, dict[str, str]] = {}
        self.functions: dict[str, FunctionFact] = {}
        self.classes: dict[str, ClassFact] = {}
        self.instances: dict[str, str] = {}
        self.constants: dict[str, tuple[str, ...]] = {}
        self.routers: dict[str, Router] = {}
        self.settings = []
        self.module_alias = _module_aliases(self.modules)
        self.dependencies: dict[str, list] = {}  # user -> [Dependency]
        self.scope_facts: list = []  # ScopeFact
        self.models: dict[str, object] = {}  # qualname -> ModelFact
        self.returns: dict[str, object] = {}  # function -> ReturnFact
        self.exemptions: dict[str, list] = {}  # gate function -> [PathExemption]
        self.param_alias: dict[str, str] = {}
        for m in self.modules:
            if m.error:
                continue
            self.imports[m.module] = dict(m.imports)
            self.functions.update((f.qualname, f) for f in m.functions)
            self.classes.update((c.qualname, c) for c in m.classes)
            self.instances.update(m.instances)
            self.constants.update(m.constants)
            self.settings.extend(m.settings)
            for d in m.dependencies:
                self.dependencies.setdefault(d.user, []).append(d)
            self.scope_facts.extend(m.scopes)
            self.models.update((mf.qualname, mf) for mf in m.models)
            self.returns.update((r.function, r) for r in m.returns)
            for e in m.exemptions:
                self.exemptions.setdefault(e.func, []).append(e)
        for m in self.modules:
            for callee, slot, value in m.bindings:
                f = self.functions.get(self.alias(callee))
                if f is None:
                    continue
                param = f.params[int(slot)] if slot.isdigit() and int(slot) < len(f.params) else slot
                if param in f.params:
                    self.param_alias.setdefault(f"{f.qualname}.{param}", value)
        for m in self.modules:
            for r in m.routers:
                self.routers[r.id] = r
                self.graph.add_node(("router", r.id), kind=r.kind, framework=r.framework, prefix=r.prefix)
        self.mounts = []
        for m in self.modules:
            for mount in m.mounts:
                parent, child = self.alias(mount.parent), self.alias(mount.child)
                if parent in self.routers and child in self.routers and parent != child:
                    self.mounts.append(mount)
                    self.graph.add_edge(("router", parent), ("router", child), key=len(self.mounts) - 1,
                                        relation="mounts", mount=mount)
        self.gates: dict[str, list] = {}
        for m in self.modules:
            for gate in m.gates:
                self.gates.setdefault(self.alias(gate.router), []).append(gate)
        self._auth_memo: dict[str, str | None] = {}
        self.routes: list[RouteInfo] = sorted(self._link_routes(), key=RouteInfo.sort_key)

    # -- names --------------------------------------------------------------------
    def alias(self, qname: str, depth: int = 0) -> str:
        """Follow re-exports: ``pkg.bp`` where pkg/__init__ did ``from .views import bp``."""
        parts = qname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            canonical = self.module_alias.get(".".join(parts[:i]))
            if canonical:
                parts = [*canonical.split("."), *parts[i:]]
                qname = ".".join(parts)
                break
        for i in range(len(parts), 1, -1):
            bound = self.param_alias.get(".".join(parts[:i]))
            if bound and depth < 20:
                return self.alias(".".join([bound, *parts[i:]]), depth + 1)
        for i in range(len(parts) - 1, 0, -1):
            table = self.imports.get(".".join(parts[:i]))
            if table is not None:
                target = table.get(parts[i])
                if target and depth < 20:
                    resolved = ".".join([target, *parts[i + 1:]])
                    if resolved != qname:
                        return self.alias(resolved, depth + 1)
                break
        return qname

    def canonical(self, qname: str) -> str:
        """Alias, then replace an instance by its class: ``auth.login_required`` on ``auth = HTTPBasicAuth()``."""
        qname = self.alias(qname)
        parts = qname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            cls = self.instances.get(".".join(parts[:i]))
            if cls:
                return ".".join([self.alias(cls), *parts[i:]])
        return qname

    def mro(self, qname: str) -> list[str]:
        order, stack, seen = [], [self.alias(qname)], set()
        while stack:
            q = stack.pop(0)
            if q in seen:
                continue
            seen.add(q)
            order.append(q)
            cls = self.classes.get(q)
            if cls:
                stack[0:0] = [self.alias(b) for b in cls.bases]
        return order

    # -- what authenticates ----------------------------------------------------------
    def function_auth(self, qname: str, _stack: frozenset = frozenset()) -> str | None:
        """Why the project function ``qname`` checks a credential, or None."""
        if qname in self._auth_memo:
            return self._auth_memo[qname]
        f = self.functions.get(qname)
        deps = self.dependencies.get(qname, ())
        if (f is None and not deps) or qname in _stack:
            return None
        reason = f.evidence[0] if f and f.evidence else None
        if reason is None and f is not None:
            for call in f.calls:
                c = self.canonical(call)
                if c in self.k.auth_calls or self.k.known_guards.get(c) == "auth":
                    reason = f"calls {c}"
                elif c in self.functions and self.function_auth(c, _stack | {qname}):
                    reason = f"calls {c}"
                if reason:
                    break
        if reason is None:
            for dep in deps:  # what a dependency checks, its user checks too
                verdict = self.judge(dep.target, _stack | {qname})
                if verdict and verdict[0] == "auth":
                    reason = f"depends on {dep.display or dep.target}"
                    break
        self._auth_memo[qname] = reason
        return reason

    def judge(self, target: str, _stack: frozenset = frozenset()) -> tuple[str, str] | None:
        """(effect, reason) if the decorator/dependency/class ``target`` is a guard."""
        q = self.canonical(target)
        if q in self.k.known_guards:
            return self.k.known_guards[q], q
        reason = self.function_auth(q, _stack)
        if reason:
            return "auth", reason
        cls = self.instances.get(q)
        if cls and q not in _stack:  # using an instance calls its class's __call__
            verdict = self.judge(cls, _stack | {q})
            if verdict:
                return verdict[0], f"{q.rpartition('.')[2]} is a {cls.rpartition('.')[2]}: {verdict[1]}"
        if q in self.classes:
            for base in self.mro(q)[1:]:
                if base in self.k.known_guards:
                    return self.k.known_guards[base], f"subclass of {base}"
            call = self.function_auth(f"{q}.__call__", _stack)
            if call:
                return "auth", call
        return None

    def guard_info(self, use: GuardUse, layer: str) -> GuardInfo | None:
        if use.effect == "none":
            return None
        if use.effect:
            return GuardInfo(use.kind, use.display, layer, use.location, use.effect, use.target)
        verdict = self.judge(use.target)
        if verdict is None:
            return None
        return GuardInfo(use.kind, use.display, layer, use.location, *verdict)

    # -- routes -----------------------------------------------------------------------
    def _chains(self, router: str) -> list[list]:
        """Every mount chain from a root router down to ``router``: [(router id, mount or None)]."""
        chains = []

        def up(node, tail, seen):
            preds = [(p, d["mount"]) for p, _, d in self.graph.in_edges(("router", node), data=True)
                     if p[1] not in seen]
            if not preds:
                chains.append([(node, None), *tail])
            for (_, parent), mount in preds:
                up(parent, [(node, mount), *tail], seen | {parent})

        up(router, [], {router})
        return chains

    def _link_routes(self):
        for m in self.modules:
            for route in m.routes:
                router = self.routers.get(self.alias(route.router))
                if router is None or router.framework != route.framework:
                    continue
                for chain in self._chains(router.id):
                    yield from self._expand(route, chain)

    def _expand(self, route: Route, chain):
        prefix, names, chain_guards, mounts = "", [], [], []
        root = chain[0][0]
        for rid, mount in chain:
            r = self.routers[rid]
            own = r.prefix
            if mount and mount.prefix is not None:
                own = join_paths(mount.prefix, r.prefix) if mount.keep_prefix else mount.prefix
            prefix = join_paths(prefix, own)
            if mount and mount.isolated:
                chain_guards.clear()
            name = mount.name if mount and mount.name else r.name
            if name:
                names.append(name)
            layer = LAYER_OF_ROUTER.get(r.kind, r.kind)
            if mount:
                mounts.append(mount.location)
                chain_guards.extend(("include", g) for g in mount.guards)
            chain_guards.extend((layer, g) for g in r.guards)
        path = join_paths(prefix, route.path) or "/"
        endpoint = ".".join([*names, route.endpoint]) if route.endpoint else ""
        gates = [(LAYER_OF_ROUTER.get(self.routers[rid].kind, "router"), g)
                 for rid, _ in chain for g in self.gates.get(rid, []) if g.scope == "router"]
        gates += [("app", g) for rid in nx.descendants(self.graph, ("router", root)) | {("router", root)}
                  for g in self.gates.get(rid[1], []) if g.scope == "app"]

        shared: list[GuardInfo] = []
        for layer, use in chain_guards:
            info = self.guard_info(use, layer)
            if info:
                shared.append(info)
        for layer, gate in gates:
            info = self._gate(gate, layer, endpoint, path)
            if info:
                shared.append(info)
        shared.extend(self._allow_listed(path, route.handler))

        for method, handler, h_loc, loc, span, own in self._handlers(route):
            guards = [g for g in shared]
            for use in own:
                info = self.guard_info(use, "class" if use.kind == "class" else "decorator")
                if info and (not use.methods or method in use.methods):
                    guards.append(info)
            inline = self.function_auth(handler)
            if inline:
                guards.append(GuardInfo("inline", "check in the handler", "inline", h_loc, "auth", inline))
            misplaced = tuple(i for i in (self.guard_info(u, "decorator") for u in route.misplaced)
                              if i and i.effect == "auth")
            effects = {g.effect for g in guards}
            auth = "protected" if "auth" in effects else "public" if "public" in effects else "unprotected"
            info = RouteInfo(route.framework, method, path, handler, h_loc, loc, endpoint, auth,
                             tuple(sorted(guards, key=_guard_key)), misplaced, tuple(mounts), span)
            self.graph.add_node(("route", info.path, method, handler, loc), info=info)
            self.graph.add_edge(("router", chain[-1][0]), ("route", info.path, method, handler, loc), relation="registers")
            self.graph.add_edge(("route", info.path, method, handler, loc), ("handler", handler), relation="handled_by")
            for g in guards:
                self.graph.add_edge(("guard", g.name, g.location), ("route", info.path, method, handler, loc),
                                    relation="guards", layer=g.layer)
            yield info

    def _handlers(self, route: Route):
        """(method, handler, handler location, finding location, suppression span, guard uses) per method."""
        if not route.view_class:
            f = self.functions.get(self.alias(route.handler))
            h_loc = route.handler_location or (f.location if f else None)
            own = list(route.guards)
            if route.by_reference and f:
                own.extend(f.decorators)
            start = route.span_start or (h_loc.line if h_loc else route.location.line)
            span = (start, h_loc.line if h_loc and h_loc.file == route.location.file else route.location.line)
            for method in route.methods or ("ANY",):
                yield method, self.alias(route.handler), h_loc, route.location, span, own
            return
        mro = self.mro(route.view_class)
        class_uses, seen_attrs = [], set()
        for q in mro:
            cls = self.classes.get(q)
            if q != mro[0] and self.k.known_guards.get(q):
                class_uses.append(GuardUse(q, q.rpartition(".")[2], self.classes[mro[0]].location
                                           if mro[0] in self.classes else route.location, "mixin"))
            if not cls:
                continue
            for attr, uses in cls.guard_attrs:
                if attr not in seen_attrs:
                    seen_attrs.add(attr)
                    class_uses.extend(GuardUse(u.target, u.display, u.location, "class", u.methods, u.effect)
                                      for u in uses)
        methods, seen = [], set()
        for q in mro:
            cls = self.classes.get(q)
            for mf in cls.methods if cls else ():
                verb = mf.name.upper()
                if verb in HTTP_METHODS and verb not in seen and verb not in ("HEAD", "OPTIONS"):
                    seen.add(verb)
                    methods.append((verb, f"{q}.{mf.name}", mf))
        own_route = list(route.guards)
        if not methods:
            cls = self.classes.get(mro[0])
            loc = cls.location if cls else route.location
            for method in route.methods or ("ANY",):
                yield method, mro[0], loc, route.location, (route.span_start, route.location.line), \
                    class_uses + own_route
            return
        for verb, handler, mf in sorted(methods, key=lambda x: HTTP_METHODS.index(x[0])):
            if route.methods and verb not in route.methods:
                continue
            yield verb, handler, mf.location, mf.location, (mf.span_start, mf.location.line), \
                class_uses + own_route + list(mf.decorators)

    def _gate(self, gate, layer: str, endpoint: str, path: str) -> GuardInfo | None:
        reason = self.function_auth(self.alias(gate.func))
        if not reason:
            return None
        name = gate.func.rpartition(".")[2]
        exempt_endpoints = list(gate.exempt_endpoints)
        for ref in gate.exempt_refs:
            exempt_endpoints.extend(self.constants.get(self.alias(ref), ()))
        exact, prefixes = set(), list(gate.exempt_paths)
        for ex in self.exemptions.get(self.alias(gate.func), ()):
            exact.update(ex.exact)
            prefixes.extend(ex.prefixes)
            for ref in ex.exact_refs:
                exact.update(self.constants.get(self.alias(ref), ()))
            for ref in ex.prefix_refs:
                prefixes.extend(self.constants.get(self.alias(ref), ()))
        short = endpoint.rpartition(".")[2]
        kind = gate.kind or "gate"
        if any(fnmatch.fnmatchcase(endpoint, e) or e == short for e in exempt_endpoints) \
                or any(path.startswith(p) for p in prefixes) or path in exact:
            return GuardInfo(kind, name, layer, gate.location, "public", "exempted by the gate's allow-list")
        return GuardInfo(kind, name, layer, gate.location, "auth", reason)

    def _allow_listed(self, path: str, handler: str) -> list[GuardInfo]:
        for pattern in self.config.public_routes:
            if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(handler, pattern):
                return [GuardInfo("allow-list", pattern, "config", None, "public", "public-routes in the configuration")]
        if self.config.default_public_routes:
            words = [handler.rpartition(".")[2].lower()] + [s.lower() for s in path.strip("/").split("/") if s]
            last = [w for w in words[1:] if not w.startswith(("<", "{", "(", "^", ":"))]
            if path in ("", "/") or any(fnmatch.fnmatchcase(w, p) for w in words[:1] + last[-1:]
                                        for p in CONVENTIONAL_PUBLIC):
                return [GuardInfo("allow-list", "conventional public endpoint", "config", None, "public",
                                  "login, health and similar endpoints are public by convention")]
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
    return {name: next(iter(c)) for name, c in candidates.items() if len(c) == 1 and name not in known}


def _guard_key(g: GuardInfo):
    return (g.effect, g.layer, g.location or Location("", 0), g.name)
