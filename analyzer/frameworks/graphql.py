"""GraphQL servers: graphene (and graphene-django), strawberry and ariadne.

A GraphQL endpoint is one URL that serves many operations. This adapter records the
schemas built in code (their root Query/Mutation types), the fields of the object types with
the functions that resolve them and the permission classes given with them, and the views
that serve a schema (``GraphQLView.as_view(schema=schema, graphiql=True)``). The linker
turns the route of such a view into one operation per root field, each guarded by the
view's guards and its resolver's own (analyzer/operations.py).
"""
from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from ..facts import GraphQLField, GraphQLSchema, GraphQLServe, GuardUse, Route
from ..names import assignments, base_exprs, call_arg, literal
from ..walk import collect, walk
from .base import Adapter, ScopedVisitor
from .drf import _user_checks
from ..states import Effect

# Classes (and functions) that build a schema -> the keywords naming its root types.
SCHEMA_BUILDERS = {
    "graphene.Schema": "roots", "graphene.types.schema.Schema": "roots",
    "strawberry.Schema": "roots", "strawberry.schema.Schema": "roots", "strawberry.federation.Schema": "roots",
    "ariadne.make_executable_schema": "bindables", "ariadne.executable_schema.make_executable_schema": "bindables",
}
ROOT_KEYWORDS = ("query", "mutation", "subscription")
# ariadne's bindables for the root types
BINDABLES = {"ariadne.QueryType": "query", "ariadne.MutationType": "mutation", "ariadne.SubscriptionType": "subscription",
             "ariadne.ObjectType": "", "ariadne.objects.ObjectType": "", "ariadne.objects.QueryType": "query",
             "ariadne.objects.MutationType": "mutation"}
# Decorators (and field functions) that declare a strawberry field -> its operation type when
# it sits on a root type ("" : the root's).
STRAWBERRY_FIELDS = {
    "strawberry.field": "", "strawberry.mutation": "mutation", "strawberry.subscription": "subscription",
    "strawberry_django.field": "", "strawberry_django.mutation": "mutation",
    "strawberry.django.field": "", "strawberry.django.mutation": "mutation",
}
# Views and apps that serve a schema: qualified name -> how the schema is given to them
# ("as_view": ``X.as_view(schema=...)``, "call": ``X(schema, ...)``).
GRAPHQL_VIEWS = {
    "flask_graphql.GraphQLView": "as_view", "graphql_server.flask.GraphQLView": "as_view",
    "graphene_django.views.GraphQLView": "as_view", "graphene_file_upload.django.FileUploadGraphQLView": "as_view",
    "strawberry.flask.views.GraphQLView": "as_view", "strawberry.flask.views.AsyncGraphQLView": "as_view",
    "strawberry.django.views.GraphQLView": "as_view", "strawberry.django.views.AsyncGraphQLView": "as_view",
    "ariadne.contrib.django.views.GraphQLView": "as_view",
    "strawberry.fastapi.GraphQLRouter": "call", "strawberry.asgi.GraphQL": "call",
    "starlette.graphql.GraphQLApp": "call", "starlette_graphene3.GraphQLApp": "call",
    "ariadne.asgi.GraphQL": "call", "ariadne.wsgi.GraphQL": "call",
}

# Functions that run a request against the schema given to them first (ariadne's documented
# Flask and Django views: ``success, result = graphql_sync(schema, data)``), and the methods of a
# schema that do (graphene's ``schema.execute(query)``, strawberry's ``schema.execute_sync``): a
# view function that calls one serves that schema.
EXECUTORS = frozenset({
    "ariadne.graphql_sync", "ariadne.graphql", "ariadne.graphql.graphql_sync", "ariadne.graphql.graphql",
    "graphql.graphql_sync", "graphql.graphql", "graphql.graphql.graphql_sync", "graphql.graphql.graphql",
    "graphql.execute", "graphql.execute_sync",
})
EXECUTE_METHODS = frozenset({"execute", "execute_sync", "execute_async"})

# Calls that put an ASGI app or router under a path: method -> ((keyword, position) of the app,
# (keyword, position) of the path, or () when the path is a ``prefix`` keyword).
MOUNTS = {"mount": (("app", 1), ("path", 0)), "add_route": (("route", 1), ("path", 0)),
          "include_router": (("router", 0), ("prefix", None))}

# graphql-jwt's mutations that issue, refresh, verify or revoke a token: the way in, public.
WAY_IN = frozenset({"ObtainJSONWebToken", "Refresh", "Verify", "Revoke", "DeleteJSONWebTokenCookie",
                    "DeleteRefreshTokenCookie"})

# Object types generated from a model by a Meta class (its ``fields`` / ``exclude``): what
# they take is sent to clients, never written.
MODEL_TYPES = frozenset({"graphene_django.DjangoObjectType", "graphene_django.types.DjangoObjectType"})
# Keywords of a GraphQL view that switch its in-browser IDE on or off, the explorer classes
# that switch it on, and the views that serve one unless told not to.
IDE_KEYWORDS = frozenset({"graphiql", "graphql_ide", "playground", "explorer", "enable_playground"})
IDE_EXPLORERS = frozenset({"ExplorerGraphiQL", "ExplorerPlayground", "ExplorerApollo"})
IDE_BY_DEFAULT = frozenset({
    "strawberry.flask.views.GraphQLView", "strawberry.flask.views.AsyncGraphQLView",
    "strawberry.django.views.GraphQLView", "strawberry.django.views.AsyncGraphQLView",
    "strawberry.fastapi.GraphQLRouter", "strawberry.asgi.GraphQL", "ariadne.asgi.GraphQL", "ariadne.wsgi.GraphQL",
    "ariadne.contrib.django.views.GraphQLView", "starlette.graphql.GraphQLApp",
})
# Validation rules and extensions that bound a query's depth, cost, size or aliases.
LIMITS = re.compile(r"depth|cost|complexity|max_?tokens|max_?aliases|query_?limit", re.IGNORECASE)


class GraphQLAdapter(Adapter):
    name = "graphql"
    markers = (r"graphene|strawberry|ariadne|graphql|GraphQL",)
    known_guards = {
        "graphql_jwt.decorators.login_required": Effect.AUTH, "graphql_jwt.decorators.staff_member_required": Effect.AUTH,
        "graphql_jwt.decorators.superuser_required": Effect.AUTH, "graphql_jwt.decorators.permission_required": Effect.AUTH,
        "graphql_jwt.decorators.user_passes_test": Effect.AUTH,
        "strawberry_django.permissions.IsAuthenticated": Effect.AUTH, "strawberry_django.permissions.IsStaff": Effect.AUTH,
        "strawberry_django.permissions.IsSuperuser": Effect.AUTH, "strawberry_django.permissions.HasPerm": Effect.AUTH,
    }
    authz_guards = {
        "graphql_jwt.decorators.staff_member_required": "role", "graphql_jwt.decorators.superuser_required": "role",
        "graphql_jwt.decorators.permission_required": "role",
        "strawberry_django.permissions.IsStaff": "role", "strawberry_django.permissions.IsSuperuser": "role",
        "strawberry_django.permissions.HasPerm": "role",
    }
    auth_exceptions = frozenset({"graphql_jwt.exceptions.PermissionDenied"})
    guard_methods = {"has_permission": "request"}
    caller_names = frozenset({"info.context.user", "info.context.request.user"})
    graphql_views = frozenset(GRAPHQL_VIEWS)
    # a mutation's arguments (its input type) decide what a client sets, not its Meta's model fields
    not_schemas = frozenset({"graphene.Mutation", "graphene.types.mutation.Mutation"})

    def extract(self, ctx, sink) -> None:
        visitor = _GraphQLVisitor(ctx, sink)
        walk(ctx.tree, visitor)
        if visitor.output_types:  # a DjangoObjectType's Meta (read by the Django adapter) shapes what clients get
            sink.schemas[:] = [replace(s, kind="output") if s.qualname in visitor.output_types else s
                               for s in sink.schemas]
        if visitor.evidence:  # permission classes' ``has_permission`` that return a test of the user
            sink.functions[:] = [
                replace(f, evidence=tuple(sorted({*f.evidence, *visitor.evidence[f.qualname]})))
                if f.qualname in visitor.evidence else f for f in sink.functions]


class _GraphQLVisitor(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.bindables: dict[str, str] = {}  # variable -> operation type of an ariadne bindable made here
        self.seen: set = set()  # calls already recorded as a schema or a served view
        self.evidence: dict[str, list[str]] = {}  # permission method -> what it checks
        self.served: dict[str, str] = {}  # variable -> the GraphQL view or app bound to it here
        # a router factory's (``def create_graphql_router(schema): router = GraphQLRouter(schema,
        # prefix="/graphql"); return router``): the prefix of a router, the router it returns, the
        # parameter it serves as the schema; and the locals bound to a call (``r = create_...(...)``)
        self.prefixes: dict[str, str] = {}
        self.returned: dict[str, str] = {}
        self.schema_params: dict[str, set[str]] = {}
        self.made: dict[str, str] = {}
        self.params: dict[str, set[str]] = {}  # function -> its parameters' names, keyword-only too
        self.dependencies: dict[str, tuple] = {}  # router -> its ``dependencies=[Depends(...)]`` guards
        self.output_types: set[str] = set()  # object types generated from a model (``DjangoObjectType``)

    # -- object types and their fields --------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        owner = self._qualname(node.name.value)
        if any(self.resolve(b) in MODEL_TYPES for b in base_exprs(node)):
            self.output_types.add(owner)
        strawberry_type = any(self.resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                              .startswith(("strawberry.", "strawberry_django.")) for d in node.decorators)
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef):
                self._method_field(owner, stmt, strawberry_type)
                if stmt.name.value == "has_permission" and "info" in [p.name.value for p in stmt.params.params]:
                    found = _user_checks(stmt)  # strawberry: ``return info.context.request.user.is_authenticated``
                    if found:
                        self.evidence[f"{owner}.has_permission"] = found
        for name, value, small in assignments(node.body.body if isinstance(node.body, cst.IndentedBlock) else ()):
            if not isinstance(value, cst.Call):
                continue
            func = self.resolve(value.func)
            loc = self.ctx.loc(small)
            if isinstance(value.func, cst.Attribute) and value.func.attr.value == "Field" \
                    and not func.startswith("graphene."):  # graphene: ``add_book = AddBook.Field()``
                via = self.resolve(value.func.value)
                if via:
                    way_in = (GuardUse(via, f"{self.ctx.code(value.func.value)} (the way in)", loc, effect=Effect.PUBLIC),) \
                        if via.rpartition(".")[2] in WAY_IN and via.startswith("graphql_jwt.") else ()
                    self.sink.graphql_fields.append(GraphQLField(owner, name, False, loc, via=via, guards=way_in))
                continue
            resolver = call_arg(value, "resolver")
            resolver = self.resolve(resolver) if resolver is not None else ""
            # ``circuit: CircuitType = strawberry_django.field()``: resolved by the library from the model;
            # a project's own field class given a resolver too (saleor's ``BaseField(Type, resolver=...)``)
            if resolver or strawberry_type and func in STRAWBERRY_FIELDS:
                self.sink.graphql_fields.append(GraphQLField(owner, *self._field_name(value, name), loc, resolver=resolver,
                                                             guards=self._permissions(value),
                                                             root=STRAWBERRY_FIELDS.get(func, "")))
        self.stack.append(node.name.value)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def _method_field(self, owner: str, node: cst.FunctionDef, strawberry_type: bool) -> None:
        name = node.name.value
        resolver = f"{owner}.{name}"
        for d in node.decorators:
            expr = d.decorator
            func = self.resolve(expr.func if isinstance(expr, cst.Call) else expr)
            if func in STRAWBERRY_FIELDS:
                call = expr if isinstance(expr, cst.Call) else None
                self.sink.graphql_fields.append(GraphQLField(
                    owner, *self._field_name(call, name), self.ctx.loc(node), resolver,
                    guards=self._permissions(call) if call else (), root=STRAWBERRY_FIELDS[func]))
                return
        if name.startswith("resolve_") and len(name) > 8 and not strawberry_type:  # graphene
            self.sink.graphql_fields.append(GraphQLField(owner, name[8:], False, self.ctx.loc(node), resolver))

    def _field_name(self, call, default: str) -> tuple[str, bool]:
        given = literal(call_arg(call, "name")) if call is not None else None
        return (given, True) if isinstance(given, str) else (default, False)

    def _permissions(self, call) -> tuple[GuardUse, ...]:
        """``permission_classes=[IsAuthenticated]`` (strawberry), ``extensions=[PermissionExtension(
        permissions=[...])]``: each class, judged at link time by its ``has_permission``."""
        value = call_arg(call, "permission_classes") if call is not None else None
        found = []
        if isinstance(value, (cst.List, cst.Tuple)):
            found = [e.value for e in value.elements]
        extensions = call_arg(call, "extensions") if call is not None else None
        for e in extensions.elements if isinstance(extensions, (cst.List, cst.Tuple)) else ():
            perms = call_arg(e.value, "permissions") if isinstance(e.value, cst.Call) else None
            if isinstance(perms, (cst.List, cst.Tuple)):
                found += [p.value for p in perms.elements]
        uses = []
        for expr in found:
            use = self.ctx.guard_use(expr, "permission", self.local)
            if use.target:
                uses.append(use)
        return tuple(uses)

    # -- functions: ariadne resolvers ---------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_def(node.name.value)
        qualname = self._qualname(node.name.value)
        for d in node.decorators:  # ``@mutation.field("editPost")``
            expr = d.decorator
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "field":
                name = literal(call_arg(expr, None, 0))
                owner = self.resolve(expr.func.value)
                if isinstance(name, str) and owner and not owner.startswith(("strawberry", "graphene")):
                    self.sink.graphql_fields.append(GraphQLField(owner, name, True, self.ctx.loc(node), qualname,
                                                                 root=self.bindables.get(owner, "")))
        p = node.params
        self.params[qualname] = {a.name.value for a in (*p.posonly_params, *p.params, *p.kwonly_params)}
        self._enter(node)

    # -- schemas, bindables and the views that serve them -------------------------------------
    def _assign(self, target, value, stmt) -> None:
        if not isinstance(value, cst.Call) or not isinstance(target, cst.Name):
            return
        bound = self._bind(target.value)
        func = self.resolve(value.func)
        self.made[bound] = func
        if func in BINDABLES:
            kind = BINDABLES[func] or {"Query": "query", "Mutation": "mutation", "Subscription": "subscription"}.get(
                literal(call_arg(value, "name", 0)) or "", "")
            self.bindables[bound] = kind
            return
        self._call(value, bound)

    def visit_Call(self, node: cst.Call) -> None:
        self._call(node, "")

    def visit_Return(self, node: cst.Return) -> None:
        """``def build_schema(): return graphene.Schema(query=Query)``: the schema is the function's
        (``schema = build_schema()`` and ``as_view(schema=build_schema())`` serve it)."""
        if self.funcs and isinstance(node.value, cst.Call) and self.resolve(node.value.func) in SCHEMA_BUILDERS:
            self._call(node.value, self.funcs[-1])
        elif self.funcs and isinstance(node.value, cst.Name) and self.resolve(node.value) in self.served:
            self.returned[self.funcs[-1]] = self.resolve(node.value)  # return router

    def _call(self, node: cst.Call, bound: str) -> None:
        if id(node) in self.seen:
            return
        func = self.resolve(node.func)
        for a in node.args if func in self.schema_params else ():  # create_graphql_router(graphql_schema=s)
            if a.keyword is not None and a.keyword.value in self.schema_params[func] and self.resolve(a.value):
                self.sink.bindings.append((func, a.keyword.value, self.resolve(a.value)))
        if func in SCHEMA_BUILDERS:
            self.seen.add(id(node))
            self._schema(node, func, bound)
            return
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "as_view":
            view = self.resolve(node.func.value)
            given = {a.keyword.value for a in node.args if a.keyword}
            if GRAPHQL_VIEWS.get(view) == "as_view" or given & {"schema", "graphiql"}:
                self.seen.add(id(node))
                self._serve(node, view, bound, call_arg(node, "schema"))
        elif GRAPHQL_VIEWS.get(func) == "call":
            self.seen.add(id(node))
            self._serve(node, func, bound, call_arg(node, "schema", 0))
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in MOUNTS:
            self._mounted(node, node.func.attr.value)
        elif bound and func and any(a.keyword and a.keyword.value in ROOT_KEYWORDS for a in node.args):
            self.seen.add(id(node))  # ``schema = build_schema(Query, mutation=Mutation)``
            roots = tuple((a.keyword.value if a.keyword else str(i), self.resolve(a.value))
                          for i, a in enumerate(node.args) if not a.star and self.resolve(a.value))
            self.sink.graphql_schemas.append(GraphQLSchema(bound, self.ctx.loc(node), roots, built_by=func))
        elif self.funcs and (func in EXECUTORS or isinstance(node.func, cst.Attribute)
                             and node.func.attr.value in EXECUTE_METHODS and self.resolve(node.func.value)):
            # a view function that runs the schema itself; a receiver that is not a schema is
            # dropped by the linker
            self.seen.add(id(node))
            self._serve(node, func if func in EXECUTORS else "", self.funcs[-1],
                        call_arg(node, "schema", 0) if func in EXECUTORS else node.func.value)

    def _mounted(self, node: cst.Call, how: str) -> None:
        """``app.mount("/graphql", GraphQL(schema))``, ``app.add_route("/graphql", app)``,
        ``app.include_router(graphql_app, prefix="/graphql")`` on a FastAPI application: a route
        to the served schema (its operations are listed by the linker)."""
        app = call_arg(node, *MOUNTS[how][0])
        path = literal(call_arg(node, *MOUNTS[how][1])) if MOUNTS[how][1] else None
        path = path if isinstance(path, str) else "" if how == "include_router" else None
        if app is None or path is None:
            return
        handler = self.resolve(app) if not isinstance(app, cst.Call) else ""
        if handler and handler not in self.served:  # graphql_router = create_graphql_router(...)
            handler = self.returned.get(self.made.get(handler, ""), handler)
        if isinstance(app, cst.Call):
            view = self.resolve(app.func)
        else:
            view = self.served.get(handler, "")
        if GRAPHQL_VIEWS.get(view) != "call":
            return
        handler = handler or view
        if how == "include_router" and not path:  # GraphQLRouter(schema, prefix="/graphql")
            path = self.prefixes.get(handler, "")
        self.sink.routes.append(Route(self.resolve(node.func.value), "fastapi", path, ("POST",), handler, None,
                                      self.ctx.loc(node), guards=self.dependencies.get(handler, ()), view_class=view,
                                      span_start=self.ctx.loc(node).line, by_reference=True))

    def _serve(self, node: cst.Call, view: str, bound: str, schema) -> None:
        ide, ide_code = ("default", f"{view.rpartition('.')[2]}'s default") if view in IDE_BY_DEFAULT else ("", "")
        for a in node.args:
            if a.keyword and a.keyword.value in IDE_KEYWORDS:
                value = literal(a.value)
                code = f"{a.keyword.value}={self.ctx.code(a.value)}"
                if value is None or value is False or value == "":
                    ide, ide_code = "", ""
                elif value is True or isinstance(value, str) or isinstance(a.value, cst.Call) \
                        and self.resolve(a.value.func).rpartition(".")[2] in IDE_EXPLORERS:
                    ide, ide_code = "on", code
                else:  # ``graphiql=settings.DEBUG``: decided by the environment
                    ide, ide_code = "", ""
        limits, introspection = self._rules(node, ("validation_rules", "middleware"))
        value = literal(call_arg(node, "introspection"))
        if isinstance(value, bool):
            introspection = value
        if bound:
            self.served[bound] = view
            prefix = literal(call_arg(node, "prefix"))
            if isinstance(prefix, str):
                self.prefixes[bound] = prefix
            deps = call_arg(node, "dependencies")  # a list, or one a switch turns on (``(...) if enabled else ()``)
            self.dependencies[bound] = tuple(
                self.ctx.guard_use(d.args[0].value, "dependency", self.local) for d in collect(deps, cst.Call)
                if d.args and self.resolve(d.func).rpartition(".")[2] in ("Depends", "Security")) if deps else ()
        if isinstance(schema, cst.Call):  # ``schema=build_schema()``
            schema = schema.func
        given = self.resolve(schema) if schema else ""
        if isinstance(schema, cst.Name) and self.funcs and schema.value in self.params.get(self.funcs[-1], ()):
            self.schema_params.setdefault(self.funcs[-1], set()).add(schema.value)  # a parameter of the factory
            given = f"{self.funcs[-1]}.{schema.value}"  # (keyword-only too), bound where it is called
        self.sink.graphql_serves.append(GraphQLServe(self.ctx.loc(node), view, given,
                                                     bound, ide, ide_code, introspection, limits))

    def _schema(self, node: cst.Call, func: str, bound: str) -> None:
        roots = []
        if SCHEMA_BUILDERS[func] == "roots":
            for i, kw in enumerate(ROOT_KEYWORDS):
                arg = call_arg(node, kw, i)
                if arg is not None and self.resolve(arg):
                    roots.append((kw, self.resolve(arg)))
        else:  # ariadne: type definitions, then bindables (or lists of them)
            for a in node.args[1:]:
                if a.keyword is not None:
                    continue
                items = [e.value for e in a.value.elements] if isinstance(a.value, (cst.List, cst.Tuple)) else [a.value]
                roots += [("", self.resolve(e)) for e in items if self.resolve(e)]
        limits, introspection = self._rules(node, ("extensions", "validation_rules", "middleware"))
        camel = literal(call_arg(node, "auto_camelcase"))  # graphene; strawberry says it in its config
        config = call_arg(node, "config")
        if isinstance(config, cst.Call):
            camel = literal(call_arg(config, "auto_camel_case"))
        self.sink.graphql_schemas.append(GraphQLSchema(bound or f"{self.ctx.module}.<schema>", self.ctx.loc(node),
                                                       tuple(roots), limits, introspection, camel is not False))

    def _rules(self, node: cst.Call, keywords) -> tuple[tuple[str, ...], bool | None]:
        """(the rules or extensions given that bound a query's depth or cost, False when one
        of them turns introspection off) among the list arguments ``keywords`` of ``node``."""
        limits, introspection = [], None
        for kw in keywords:
            value = call_arg(node, kw)
            for e in value.elements if isinstance(value, (cst.List, cst.Tuple)) else ():
                name = self.resolve(e.value.func if isinstance(e.value, cst.Call) else e.value).rpartition(".")[2]
                if LIMITS.search(name):
                    limits.append(name)
                if "introspection" in name.lower():
                    introspection = False
        return tuple(limits), introspection
