"""Link: join every file's facts into one AppGraph (networkx) and answer, for every
route, its full path, its methods, its effective guards with their provenance, and
its auth state: protected, public (explicitly) or unprotected.

The graph holds the linked facts, the routers and the mounts between them, and the objects
that answer from them: the name resolver (analyzer/resolver.py), the route expander
(analyzer/routes.py, which computes ``routes`` while the graph is built), the auth judge
(analyzer/judge.py) and the authorization, GraphQL and OpenAPI queries (``authz``,
``operations``, ``specs``).

The linker is framework-neutral: it joins facts on qualified names and consults the
adapters' tables only through ``Knowledge``.
"""
from __future__ import annotations

from dataclasses import replace

import networkx as nx

from .authz_graph import AuthzQueries
from .operations import OperationQueries
from .specs import SpecQueries
from .extract import MADE
from . import fields as _fields
from .judge import AuthJudge
from .resolver import NameResolver
from .routes import RouteExpander, RouteInfo
from .facts import CORS_DEFAULTS, DataWrite, Location, MethodFact, ModuleFacts, Mount, Route, Router, index_facts


class AppGraph:
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
                if param in f.params or not slot.isdigit():  # a keyword: keyword-only parameters too
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
        self._passed_on: dict[str, list[tuple[str, str]]] = {}  # a parameter -> (callee, slot) it is passed to
        for q, f in self.functions.items():
            for callee, slot, fn in f.hands:
                if fn.startswith(q + ".") and fn[len(q) + 1:] in f.params:
                    self._passed_on.setdefault(fn, []).append((callee, slot))
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
        # the queries over the linked facts: authorization (authz_graph.py), GraphQL operations
        # (operations.py), OpenAPI documents (specs.py); each computes its indexes when first asked
        self.authz = AuthzQueries(self)
        self.operations = OperationQueries(self)
        self.specs = SpecQueries(self)
        # what authenticates (analyzer/judge.py), and the routes with their guards (analyzer/routes.py)
        self.auth_judge = AuthJudge(self)
        self.route_expander = RouteExpander(self)
        self.mount_graph = nx.DiGraph((u[1], v[1]) for u, v, d in self.graph.edges(data=True)
                                      if d.get("relation") == "mounts")
        self.memo: dict[tuple, object] = self.names.complete()  # the name tables are complete: answers are remembered
        self.data_writes = [*self.data_writes, *self._handed_writes()]
        # routes registered on an instance of a project class that is no router routeguard knows
        # (indico's IndicoBlueprint): receiver -> (its class, the routes); a gap in the verdict,
        # reported as a notification
        self.unplaced: dict[str, tuple[str, list[Route]]] = {}
        # GraphQL endpoints whose schema's operations could not be read: where -> the endpoint's path
        self.unread_schemas: dict[Location, str] = {}
        self.routes: list[RouteInfo] = self.route_expander.routes()

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
            run = [fn for callee, slot, fn in f.hands if fn not in self._passed_on and self._runs_argument(callee, int(slot))]
            if run:
                self.functions[q] = replace(f, calls=tuple(sorted({*f.calls, *run})))

    def _runs_argument(self, callee: str, position: int, _depth: int = 0) -> bool:
        """The callee (a function, or an instance of a class whose ``__call__`` calls it, or
        hands it on to ``super().__call__``) calls the parameter it gets at ``position``, itself
        or in the function it passes the parameter on to (Argilla's ``authorize(actor, policy)``
        -> ``is_authorized(actor, policy)`` -> ``await policy(actor)``)."""
        g = self.functions.get(callee) or self.functions.get(self.alias(callee))
        if g is not None:  # a method called on self or an instance takes its arguments after self
            position += g.params[:1] in (("self",), ("cls",))
            if position >= len(g.params):
                return False
            if g.params[position] in g.runs:
                return True
            passed = f"{g.qualname}.{g.params[position]}"
            return _depth < 2 and any(slot.isdigit() and self._runs_argument(nxt, int(slot), _depth + 1)
                                      for nxt, slot in self._passed_on.get(passed, ()))
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

    def _made_class(self, name: str) -> str:
        """The class a class factory returns, for the name bound to its result (Polar's ``APIRouter =
        get_api_router_class(APIRoute)``, whose ``class _CustomAPIRouter(APIRouter)`` is defined in
        the factory and returned), else ''."""
        function = self.alias(name)
        f = self.functions.get(function)
        if f is None or len(f.returns) != 1:
            return ""
        made = f.returns[0]
        return next((c for c in (f"{function}.{made.rpartition('.')[2]}", made) if c in self.classes), "")

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
                bases = [classes[q] for q in self.mro(self._made_class(r.cls) or r.cls) if q in classes]
                if all(b.cls for b in bases) or any(b.framework != r.framework for b in bases):
                    continue
                kind = next((b.name for b in bases if b.name), r.kind)  # a base that names its instances' kind (Flask)
                r = replace(r, kind=kind, prefix=r.prefix or next((b.prefix for b in bases if b.prefix), ""), cls="",
                            guards=tuple(g for b in bases for g in b.guards) + r.guards)
            out.append(r)
        return out

    # -- names (routeguard.resolver) ------------------------------------------------
    def remembered(self, kind: str, qname: str, answer):
        """``answer(qname)``, computed once per name when the name tables are complete; while
        they are being built, computed every time (the resolver's one memo, ``self.memo``)."""
        return self.names.remembered(kind, qname, answer)

    def alias(self, qname: str, depth: int = 0) -> str:
        return self.names.alias(qname, depth)

    def canonical(self, qname: str) -> str:
        return self.names.canonical(qname)

    def mro(self, qname: str) -> list[str]:
        return self.names.mro(qname)

    def method(self, qname: str) -> str | None:
        return self.names.method(qname)

    def super_chain(self, method: str, mro: list[str]) -> list[tuple[str, MethodFact]]:
        return self.names.super_chain(method, mro)

    def find_method(self, mro: list[str], name: str):
        return self.names.find_method(mro, name)

    # -- facts and calls ----------------------------------------------------------------
    def facts_of(self, kind: str) -> list:
        """Every fact of ``kind`` (a field of ModuleFacts: ``decisions``, ``disclosures``), in
        file order."""
        return [x for m in self.modules if not m.error for x in getattr(m, kind, ())]

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


    def routes_using(self, schema: str, writing: bool = False) -> list[RouteInfo]:
        """Routes whose view class (or a base of it) or handler function uses ``schema``;
        ``writing``: to take client data (not only to render objects)."""
        index = self.memo.get(("schema routes", writing))
        if index is None:
            by_user: dict[str, list[int]] = {}
            for i, r in enumerate(self.routes):
                for user in {*(self.mro(r.view_class) if r.view_class else ()), self.alias(r.handler)}:
                    by_user.setdefault(user, []).append(i)
            index = self.memo[("schema routes", writing)] = {}
            for u in self.schema_uses:
                if writing and u.renders:
                    continue
                user = self.alias(u.user)
                if user not in by_user and user.rpartition(".")[0] in self.classes:
                    # a method of the view class that is no route's handler (``get_serializer_class``,
                    # ``perform_create``): it serves the class's routes
                    user = user.rpartition(".")[0]
                index.setdefault(self.alias(u.schema), set()).update(by_user.get(user, ()))
            for user, found in by_user.items():  # a view function that makes it: form = TicketCCForm(request.POST)
                f = self.functions.get(user)
                for c in f.calls if f is not None else ():
                    if (q := self.canonical(c)) in self.schemas and not (writing and self.schemas[q].kind == "serializer"):
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
        return self.remembered("routes by function", "", self._index_routes)

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
    aliases = {name: next(iter(c)) for name, c in candidates.items()
               if len(c) == 1 and name not in known and name not in imported[next(iter(c))]}
    # what the project imports from under each name: ``from django.conf import settings`` wants
    # ``conf`` from ``django``
    wanted: dict[str, set[str]] = {}
    for m in modules:
        for _, target in m.imports:
            parts = target.split(".")
            for i in range(1, len(parts)):
                wanted.setdefault(".".join(parts[:i]), set()).add(parts[i])
    children: dict[str, set[str]] = {}  # a package's modules and subpackages
    for k in known:
        parent, _, child = k.rpartition(".")
        while parent:
            children.setdefault(parent, set()).add(child)
            parent, _, child = parent.rpartition(".")
    by_module = {m.module: m for m in modules}
    return {name: module for name, module in aliases.items()
            if not _a_library(wanted.get(name, set()), by_module[module], children.get(module, set()))}


def _a_library(wanted: set[str], m, holds: set[str]) -> bool:
    """Of what the project imports from a name, module ``m`` neither holds (``holds``: its
    submodules) nor defines anything, so the name is a library's: Weblate's empty package
    ``weblate/addons/extractors/django/`` is no alias of ``django`` while its other modules
    import ``django.conf.settings``."""
    if not wanted:
        return False
    defines = {q.rpartition(".")[2] for q in (*(f.qualname for f in m.functions), *(c.qualname for c in m.classes),
                                              *(q for q, _ in m.instances), *(q for q, _ in m.constants))}
    defines |= {local for local, _ in m.imports}
    return not wanted & (holds | defines)
