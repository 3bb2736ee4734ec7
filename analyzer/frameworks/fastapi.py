"""FastAPI (and Starlette underneath) adapter: apps, routers, dependencies, scopes, responses.

Receivers are recognised by construction (``app = FastAPI()``, ``router = APIRouter()``);
a route decorator on a receiver imported from another module is emitted with the
receiver's qualified name and the linker keeps it only if that is a FastAPI router.

Dependencies are emitted as guard uses (on routes, routers and include sites) or as
``Dependency`` facts (a dependency's own parameters, type aliases such as
``CurrentUser = Annotated[User, Depends(get_current_user)]``), so that the linker decides
what authenticates by following what each dependency does.  The scopes a route requires
and enforces, and the response model it declares, become neutral facts for the scope and
exposure checks; what its functions return and the scopes their tokens grant are read by the
neutral function pass (analyzer/functions.py), which this adapter lists in ``passes``.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import libcst as cst

from ..functions import (ANNOTATED, injected_dependency, read as read_functions, type_name as _type_name,
                         unwrap_annotation as _unwrap_annotation)
from ..walk import collect, walk
from ..facts import (
    ANY_ATTRIBUTE, Dependency, Gate, GuardUse, Mount, PathExemption, ReturnFact, Route, Router,
    SchemaExclusion, ScopeFact,
)
from ..names import base_exprs, call_arg, dotted, literal, method_names, path_text, render_path, string_list
from .base import Adapter, COMMON_ROLE_ATTRIBUTES, HTTP_CLIENTS, ScopedVisitor, add_setting, rejections
from ..states import Effect

APPS = {"fastapi.FastAPI", "fastapi.applications.FastAPI"}
# cadwyn (API versioning for FastAPI, Airflow's execution API): a VersionedAPIRouter is an APIRouter,
# a Cadwyn app a FastAPI app, and ``app.generate_and_include_versioned_routers(router)`` includes one
ROUTERS = {"fastapi.APIRouter", "fastapi.routing.APIRouter", "cadwyn.VersionedAPIRouter",
           "cadwyn.routing.VersionedAPIRouter", "cadwyn.Cadwyn", "cadwyn.applications.Cadwyn"}
INCLUDES = ("include_router", "generate_and_include_versioned_routers")
DEPENDS = {"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"}
SECURITY = {"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"}
# classy-fastapi: methods of a ``Routable`` subclass decorated with ``@get("/x")`` are routes of
# the router each instance builds (``app.include_router(UserRoutes(dao).router)``).
ROUTABLES = {"classy_fastapi.Routable", "classy_fastapi.routable.Routable"}
CLASSY_VERBS = {f"{m}.{v}": v for m in ("classy_fastapi", "classy_fastapi.decorators")
                for v in ("get", "post", "put", "patch", "delete", "head", "options", "trace", "api_route", "websocket")}
VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "head": "HEAD",
         "options": "OPTIONS", "trace": "TRACE", "api_route": None, "websocket": "WEBSOCKET"}
_SCHEMES = ("OAuth2PasswordBearer", "OAuth2AuthorizationCodeBearer", "OAuth2", "HTTPBearer", "HTTPBasic",
            "HTTPDigest", "HTTPBase", "APIKeyHeader", "APIKeyCookie", "APIKeyQuery", "APIKeyBase",
            "OpenIdConnect", "SecurityBase")
_SCHEME_MODULES = ("fastapi.security", "fastapi.security.oauth2", "fastapi.security.http",
                   "fastapi.security.api_key", "fastapi.security.open_id_connect_url", "fastapi.security.base")
SCHEMES = frozenset(f"{m}.{c}" for m in _SCHEME_MODULES for c in _SCHEMES)
FORMS = frozenset(f"{m}.{c}" for m in ("fastapi.security", "fastapi.security.oauth2")
                  for c in ("OAuth2PasswordRequestForm", "OAuth2PasswordRequestFormStrict"))
SECURITY_SCOPES = frozenset({"fastapi.security.SecurityScopes", "fastapi.security.oauth2.SecurityScopes"})
# Packages whose classes are never a project's router class (``x = Cls(...)`` is not a router).
LIBRARIES = ("fastapi.", "starlette.", "pydantic.", "pydantic_settings.", "sqlalchemy.", "sqlmodel.", "typing.",
             "logging.", "collections.", "datetime.", "pathlib.", "enum.", "uuid.", "httpx.", "requests.", "redis.",
             "jinja2.", "passlib.", "celery.", "asyncio.", "threading.", "concurrent.", "decimal.", "re.",
             "rest_framework.", "django.", "flask.")


class FastAPIAdapter(Adapter):
    name = "fastapi"
    # "Router": a module that only uses a project router class (UserAPIRouter) from elsewhere; a
    # route decorator: one that only uses a router imported from elsewhere (``@base_router.get(...)``)
    markers = ("fastapi", "starlette", "Router", "include_router",
               r"@\w+(\.\w+)*\.(get|post|put|patch|delete|head|options|trace|api_route|websocket)\(")
    passes = (read_functions,)  # what handlers and the functions they call return, the scopes tokens grant
    router_classes = frozenset(ROUTERS)
    known_guards = {
        **dict.fromkeys(SCHEMES, Effect.AUTH),
        **dict.fromkeys(FORMS, Effect.PUBLIC),
        "fastapi_users.FastAPIUsers.current_user": Effect.AUTH,
        "fastapi_users.fastapi_users.FastAPIUsers.current_user": Effect.AUTH,
        # Starlette's @requires("authenticated"): the scopes the AuthenticationMiddleware's
        # backend granted, or 403 (a redirect, a closed websocket)
        "starlette.authentication.requires": Effect.AUTH,
    }
    request_attrs = frozenset({"json", "form", "query_params"})
    # Starlette's SessionMiddleware: ``request.session`` is a signed cookie the server wrote
    session_names = frozenset({"request.session"})
    request_types = frozenset({"fastapi.Request", "starlette.requests.Request", "fastapi.requests.Request"})
    fixed_responses = {
        **{f"{m}.{c}": kind for m in ("fastapi.responses", "starlette.responses")
           for c, kind in (("FileResponse", "file"), ("RedirectResponse", "redirect"), ("HTMLResponse", "text"),
                           ("PlainTextResponse", "text"), ("Response", "text"))},
        "fastapi.Response": "text",  # from fastapi import Response
        ".TemplateResponse": "template"}  # Jinja2Templates(...).TemplateResponse(request, "page.html", {...})
    response_wrappers = frozenset(f"{m}.{c}" for m in ("fastapi.responses", "starlette.responses")
                                  for c in ("JSONResponse", "ORJSONResponse", "UJSONResponse"))
    object_dumpers = frozenset({"fastapi.encoders.jsonable_encoder"})
    credential_forms = FORMS
    error_bases = frozenset({"fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                             "starlette.exceptions.HTTPException"})
    injected_modules = frozenset({"fastapi.", "starlette."})
    client_inputs = {
        "request.cookies": "cookie", "request.headers": "header", "request.query_params": "query",
        "request.client.host": "address", "request.client": "address",
    }
    type_words = frozenset({"Depends", "Body", "Path", "Form"})  # user: User = Depends(current_user)
    client_params = {f"{m}.{c}": kind for m in ("fastapi", "fastapi.params", "fastapi.param_functions")
                     for c, kind in (("Header", "header"), ("Cookie", "cookie"), ("Query", "query"),
                                     ("Form", "body"), ("Body", "body"))}
    response_sinks = frozenset({
        "fastapi.HTTPException", "fastapi.exceptions.HTTPException", "starlette.exceptions.HTTPException",
        *(f"{m}.{c}" for m in ("fastapi.responses", "starlette.responses", "fastapi")
          for c in ("Response", "PlainTextResponse", "HTMLResponse")),
    })
    cors_calls = {q: ("allow_origins", "allow_credentials", "allow_origin_regex", "") for q in (
        "starlette.middleware.cors.CORSMiddleware", "fastapi.middleware.cors.CORSMiddleware")}
    # -- authorization (analyzer/authz.py) --
    injected_defaults = frozenset(DEPENDS | SECURITY)
    # ``self.user`` in a class-based view is the ``user = Depends(get_current_user)`` attribute
    caller_names = frozenset({"request.state.user", "request.user", "self.user", "self.current_user"})
    client_sources = frozenset({
        "request.query_params", "request.path_params", "request.json", "request.form", "request.headers",
        "request.cookies", "fastapi.Request.query_params", "fastapi.Request.path_params",
    })
    role_attributes = COMMON_ROLE_ATTRIBUTES
    scope_attributes = frozenset({"scopes"})
    role_calls = frozenset({".has_role", ".has_roles", ".has_permission", ".has_permissions", ".has_scope"})
    server_responses = HTTP_CLIENTS
    user_models = frozenset(f"{m}.{c}" for m in ("fastapi_users_db_sqlalchemy", "fastapi_users.db")
                            for c in ("SQLAlchemyBaseUserTable", "SQLAlchemyBaseUserTableUUID"))

    def extract(self, ctx, sink) -> None:
        visitor = _Visitor(ctx, sink)
        walk(ctx.tree, visitor)
        if visitor.view_attrs:
            sink.classes[:] = [replace(c, guard_attrs=c.guard_attrs + visitor.view_attrs[c.qualname])
                               if c.qualname in visitor.view_attrs else c for c in sink.classes]


def _base_init(call: cst.Call) -> bool:
    """``super().__init__(...)`` or ``Base.__init__(self, ...)``."""
    f = call.func
    return isinstance(f, cst.Attribute) and f.attr.value == "__init__" and (
        isinstance(f.value, cst.Call) and dotted(f.value.func) == "super" or dotted(f.value) is not None)


class _Visitor(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.top_defs = {s.name.value: s for s in ctx.tree.body if isinstance(s, cst.FunctionDef)}
        self._included: dict[str, tuple[list[str], set]] = {}  # see _includes
        self._serialized: dict[str, tuple] = {}
        self.classes: list[str] = []  # qualified names of the enclosing classes
        self.view_attrs: dict[str, tuple] = {}  # class -> its dependency attributes (class-based views)
        self.loop_targets: set[str] = set()  # names a function's for loop binds
        self.listed: dict[str, list[str]] = {}  # for router in [a.router, b.router]: what the name takes
        # dependencies = [Depends(a)]; if enabled: dependencies.append(Depends(b)): a list a name is
        # built into, for ``APIRouter(dependencies=dependencies)``
        self.built: dict[str, list] = {}
        text = ctx.source
        self.mentions_path = ".url.path" in text or "scope[" in text or "scope.get(" in text  # route handler -> (schema, schema location)

    # -- helpers -----------------------------------------------------------------
    def _dep_call(self, expr) -> str:
        """'depends' | 'security' | '' for a ``Depends(...)``/``Security(...)`` call."""
        if isinstance(expr, cst.Call):
            q = self.resolve(expr.func)
            if q in DEPENDS:
                return "depends"
            if q in SECURITY:
                return "security"
        return ""

    def _use(self, call: cst.Call, annotation=None):
        """(target, display, location, scopes) of a Depends/Security call; target '' if unknown."""
        ctx = self.ctx
        dep, target = injected_dependency(ctx, call, annotation, self.local)
        display = ctx.code(call)
        if call_arg(call, "dependency", 0) is None and dep is not None:
            display = ctx.code(dep)
        scopes = string_list(call_arg(call, "scopes", 1)) if self._dep_call(call) == "security" else None
        return target, display, ctx.loc(call), tuple(scopes or ()), self._given(dep)

    def _given(self, dep) -> tuple[str, ...]:
        """Names handed to a dependency made in place: ``PermissionsDependency([A, B])`` -> (A, B)."""
        if not isinstance(dep, cst.Call):
            return ()
        values = []
        for arg in dep.args:
            v = arg.value
            values.extend([e.value for e in v.elements if isinstance(e, cst.Element)]
                          if isinstance(v, (cst.List, cst.Tuple)) else [v])
        return tuple(q for q in (self.resolve(v) for v in values if dotted(v)) if q)

    def _dependency_list(self, expr) -> list:
        """``dependencies=[Depends(a), Security(b, scopes=[...])]`` -> uses; ``[Depends(a)] if
        enforce else []``: the list a switch turns on (a guard under a setting, as elsewhere)."""
        uses = []
        if isinstance(expr, cst.IfExp):
            return self._dependency_list(expr.body) or self._dependency_list(expr.orelse)
        if isinstance(expr, (cst.List, cst.Tuple)):
            expr = [el.value for el in expr.elements if isinstance(el, cst.Element)]
        elif isinstance(expr, cst.Name):  # a list built in a local, appended to under a switch too
            value = self.ctx.constant(expr)  # or a module constant: _AUTH_DEPENDENCIES: Final = (Depends(auth),)
            expr = self.built.get(self.resolve(expr)) or ([e.value for e in value.elements if isinstance(e, cst.Element)]
                                                          if isinstance(value, (cst.List, cst.Tuple)) else [])
        for value in expr if isinstance(expr, list) else ():
            if self._dep_call(value):
                uses.append(self._use(value))
        return uses

    def _build(self, name, value, append: bool = False) -> None:
        """Record what a local list of dependencies is made of (``name = [...]``) or given
        (``name.append(x)``, ``name.extend([...])``, ``name += [...]``)."""
        key = self.resolve(name) if isinstance(name, cst.Name) else ""
        if not key or append and key not in self.built:
            return
        items = [e.value for e in value.elements if isinstance(e, cst.Element)] \
            if isinstance(value, (cst.List, cst.Tuple)) else [value] if append else None
        if items is not None:
            self.built[key] = [*self.built.get(key, []), *items] if append else items

    def _param_uses(self, params: cst.Parameters) -> list:
        """Every dependency a function's parameters declare: Depends/Security defaults,
        ``Annotated[..., Depends(...)]`` and annotations that may be such aliases."""
        uses = []
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            uses.extend(self._declared_uses(p.annotation.annotation if p.annotation else None, p.default))
        return uses

    def _declared_uses(self, ann, default) -> list:
        """The dependencies one declared name (a parameter, a class-based view's attribute)
        carries in its annotation and default."""
        if default is not None and self._dep_call(default):
            return [self._use(default, ann)]
        if ann is None:
            return []
        inner, deps = _unwrap_annotation(self.ctx, ann, self.local)
        calls = [d for d in deps if self._dep_call(d)]
        if calls:
            return [self._use(c, inner) for c in calls]
        if dotted(ann):
            q = self.resolve(ann)
            if q and "." in q and not q.startswith(("typing.", "fastapi.", "starlette.", "pydantic.", "sqlalchemy.")) \
                    and q.rpartition(".")[2][:1].isupper():
                # Maybe an alias defined elsewhere (CurrentUser); the linker decides.
                return [(q, self.ctx.code(ann), self.ctx.loc(ann), (), ())]
            return []
        use = self._factory_use(ann)  # ``user: require_scopes(...)``: a factory of such an alias
        return [use] if use else []

    def _includes(self, name: str) -> tuple[list[str], set]:
        """(parameters, the names it includes as routers) of the module's function ``name``, read once."""
        if name not in self._included:
            target = self.top_defs[name]
            self._included[name] = ([p.name.value for p in target.params.params], {
                dotted(call_arg(c, "router", 0)) for c in collect(target.body, cst.Call)
                if isinstance(c.func, cst.Attribute) and c.func.attr.value == "include_router"})
        return self._included[name]

    def _factory_use(self, expr):
        """A call of a project function whose result the linker judges as a dependency (the
        alias or ``Depends(...)`` it returns), as a use; else None."""
        q = self.resolve(expr.func) if isinstance(expr, cst.Call) and dotted(expr.func) else ""
        if q and "." in q and not q.startswith(LIBRARIES):
            return q, self.ctx.code(expr), self.ctx.loc(expr), (), ()
        return None

    def _guards(self, uses) -> tuple[GuardUse, ...]:
        return tuple(GuardUse(t, d, loc, "dependency", given=given) for t, d, loc, _, given in uses if t)

    def _scopes_required(self, owner: str, uses) -> None:
        for target, _, loc, scopes, _ in uses:
            if scopes:
                self.sink.scopes.append(ScopeFact("required", owner, loc, scopes, target))

    # -- classes -------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qualname = self._qualname(node.name.value)
        self._view_attrs(node, qualname)
        self._router_class(node, qualname)
        self.stack.append(node.name.value)
        self.classes.append(qualname)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()
        self.classes.pop()

    def _in_class(self) -> str:
        """The class whose body directly holds the current definition, or ''."""
        here = ".".join([self.ctx.module, *self.stack])
        return here if self.classes and self.classes[-1] == here else ""

    def _view_attrs(self, node: cst.ClassDef, qualname: str) -> None:
        """Class attributes that a class-based view (fastapi-utils ``@cbv``, a vendored copy)
        turns into dependencies of every route method: ``user: User = Depends(get_user)``.
        Names starting with ``_`` and ``ClassVar`` annotations are not injected."""
        attrs = []
        for stmt in node.body.body:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    name, ann, default = small.target.value, small.annotation.annotation, small.value
                    base = ann.value if isinstance(ann, cst.Subscript) else ann
                    if self.resolve(base) == "typing.ClassVar":
                        continue
                elif isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name):
                    name, ann, default = small.targets[0].target.value, None, small.value
                else:
                    continue
                if name.startswith("_") or (default is None and ann is None):
                    continue
                if default is not None and not self._dep_call(default):
                    continue  # a plain default: a value, not a dependency
                guards = self._guards(self._declared_uses(ann, default))
                if guards:
                    attrs.append((name, guards))
        if attrs:
            self.view_attrs[qualname] = tuple(attrs)

    def _router_class(self, node: cst.ClassDef, qualname: str) -> None:
        """``class AdminAPIRouter(APIRouter)`` whose ``__init__`` passes ``dependencies=`` (and
        maybe a ``prefix=``) to the base: its instances are routers with those guards. A
        subclass of a project class is one if the linker finds a router class along its bases."""
        bases = [self.resolve(b) for b in base_exprs(node)]
        root = any(b in ROUTERS for b in bases)
        init = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        call = next((c for c in collect(init, cst.Call) if _base_init(c)), None) if init is not None else None
        if any(b in ROUTABLES for b in bases):  # its instances' ``.router``, one router for all
            uses = self._dependency_list(call_arg(call, "dependencies")) if call is not None else []
            self._scopes_required(qualname, uses)
            self.sink.routers.append(Router(f"{qualname}.router", "router", "fastapi", "",
                                            self._prefix(call_arg(call, "prefix")) if call is not None else "",
                                            self.ctx.loc(node.name), self._guards(uses)))
            return
        if not root and (call is None or not bases or not any(
                a.keyword is not None and a.keyword.value in ("dependencies", "prefix") for a in call.args)):
            return
        uses = self._dependency_list(call_arg(call, "dependencies")) if call is not None else []
        self._scopes_required(qualname, uses)
        prefix = self._prefix(call_arg(call, "prefix")) if call is not None else ""
        self.sink.routers.append(Router(qualname, "class", "fastapi", "", prefix, self.ctx.loc(node.name),
                                        self._guards(uses), cls="" if root else bases[0]))

    # -- functions -------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_def(node.name.value)
        qualname = self._qualname(node.name.value)
        is_route = self._route_decorators(node, qualname)
        self._middleware_decorators(node, qualname)
        uses = self._param_uses(node.params)
        if not is_route:
            owners = [qualname, *self.funcs]  # nested: a dependency factory's checker
            if node.name.value == "__init__" and self.stack and not self.funcs:
                owners.append(qualname.rpartition(".")[0])  # Depends(SomeClass) runs its __init__
            for owner in owners:
                for target, display, loc, *_ in uses:
                    if target:
                        self.sink.dependencies.append(Dependency(owner, target, loc, target.rpartition(".")[2]))
        self._scopes_required(qualname, uses)
        _FunctionReader(self, node, qualname, is_route).read()
        self._enter(node)

    def _option(self, call: cst.Call, keyword: str):
        """A route option as written (``methods=[...]``, a module constant), or from a module-level
        dict of options unpacked into the call (``@router.api_route("/mcp", **route_config)``)."""
        ctx = self.ctx
        found = call_arg(call, keyword)
        if found is not None:
            return ctx.constant(found)
        for arg in call.args:
            options = ctx.constant(arg.value) if arg.star == "**" else None
            if isinstance(options, cst.Dict):
                for el in options.elements:
                    if isinstance(el, cst.DictElement) and literal(el.key) == keyword:
                        return ctx.constant(el.value)
        return None

    def _route_call(self, expr):
        """(receiver: an expression or a router id, verb) of a route decorator, else None."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
                and expr.func.attr.value in VERBS and dotted(expr.func.value):
            return expr.func.value, expr.func.attr.value
        if isinstance(expr, cst.Call) and self.resolve(expr.func) in CLASSY_VERBS and self._in_class():
            return f"{self._in_class()}.router", CLASSY_VERBS[self.resolve(expr.func)]
        return None

    def _route_decorators(self, node: cst.FunctionDef, qualname: str) -> bool:
        decorators = list(node.decorators)
        idx = [i for i, d in enumerate(decorators) if self._route_call(d.decorator)]
        if not idx:
            return False
        ctx = self.ctx
        param_uses = self._param_uses(node.params)
        misplaced = tuple(ctx.guard_use(d, local=self.local) for d in decorators[: idx[0]])
        for i in idx:
            call = decorators[i].decorator
            receiver, verb = self._route_call(call)
            methods = (VERBS[verb],) if VERBS[verb] else tuple(m.upper() for m in method_names(self._option(call, "methods")) or ("GET",))
            deco_uses = self._dependency_list(call_arg(call, "dependencies"))
            self._scopes_required(qualname, deco_uses)
            # A method of a class-based view: the class's dependency attributes (its bases'
            # too, wherever they are) guard it, and its decorators; the linker reads them.
            view = self._in_class()
            guards = self._guards(param_uses) + self._guards(deco_uses) + tuple(
                ctx.guard_use(d, local=self.local) for j, d in enumerate(decorators)
                if j > i and j not in idx and not view)
            router = receiver if isinstance(receiver, str) else self.resolve(receiver)
            if literal(call_arg(call, "include_in_schema")) is False:
                self.sink.schema_exclusions.append(SchemaExclusion(ctx.loc(decorators[i])))
            path = call_arg(call, "path", 0)
            self.sink.routes.append(Route(
                router, "fastapi", path_text(path, ctx.code, ctx.strings), methods,  # "" under a prefix: the prefix itself
                qualname, ctx.loc(node.name), ctx.loc(decorators[i]), node.name.value, guards, misplaced, view,
                ctx.span_start(node), actions=tuple((m, node.name.value) for m in methods) if view else (),
                locate_at_route=bool(view),
                # a constant of another module (``@router.get(urls.ID_VERIFICATION_CONFIG)``): looked up when linking
                path_ref=self.constant_ref(path)))
        call = decorators[idx[0]].decorator
        self._response(node, qualname, call)
        return True

    def _response(self, node: cst.FunctionDef, qualname: str, call: cst.Call) -> None:
        model = call_arg(call, "response_model")
        schema, schema_loc = "", None
        if model is not None:
            schema_loc = self.ctx.loc(model)
            schema = "None" if literal(model) is None else (_type_name(self.ctx, model, self.local) or "?")
        self._serialized[qualname] = (schema, schema_loc)

    def _middleware_decorators(self, node: cst.FunctionDef, qualname: str) -> None:
        for d in node.decorators:
            if self._http_middleware(d.decorator):
                self.sink.gates.append(Gate(self.resolve(d.decorator.func.value), qualname, self.ctx.loc(d),
                                            kind="middleware", condition=self.condition()))

    @staticmethod
    def _http_middleware(expr) -> bool:
        """``app.middleware("http")``: what it is applied to runs before every route of the app."""
        return isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
            and expr.func.attr.value == "middleware" and literal(call_arg(expr, "middleware_type", 0)) == "http"

    # -- assignments ---------------------------------------------------------------------
    def _assign(self, target, value, stmt) -> None:
        if not self._bound(target):
            return
        ctx = self.ctx
        if self.funcs and isinstance(value, (cst.List, cst.Tuple)):
            self._build(target, value)
        at_module = not self.funcs and not self.stack
        if isinstance(value, cst.Call):
            cls = self.resolve(value.func)
            if cls in APPS or cls in ROUTERS:
                self._router(self._bind(target.value), "app" if cls in APPS else "router", value)
                return
            if "." in cls and not cls.startswith(LIBRARIES) and (cls.rpartition(".")[2][:1].isupper() or at_module):
                # Maybe a project router class (UserAPIRouter(prefix=...)) or a router factory
                # (router = create_crud_router(...)): the linker decides.
                self._router(self._bind(target.value), "router", value, cls)
            qname = f"{ctx.module}.{target.value}"
            if at_module and cls in SCHEMES:
                self._scheme(qname, cls, value)
            elif at_module and cls.rpartition(".")[2] == "current_user" and literal(call_arg(value, "optional")) is True:
                # fastapi-users: optional_user = fastapi_users.current_user(optional=True) lets anyone through
                self.sink.instances.append((qname, f"{cls}(optional=True)"))
        if at_module and isinstance(value, cst.Subscript):
            self._alias(f"{ctx.module}.{target.value}", value)

    def visit_TypeAlias(self, node) -> None:  # type CurrentUser = Annotated[User, Depends(...)]
        if not self.funcs and not self.stack and isinstance(node.value, cst.Subscript):
            self._alias(f"{self.ctx.module}.{node.name.value}", node.value)

    def _router(self, qname: str, kind: str, call: cst.Call, cls: str = "") -> None:
        ctx = self.ctx
        uses = self._dependency_list(call_arg(call, "dependencies"))
        if not cls:
            self._scopes_required(qname, uses)
        prefix = self._prefix(call_arg(call, "prefix")) if kind == "router" else ""
        prefix_ref = self.constant_ref(call_arg(call, "prefix")) if kind == "router" and not prefix else ""
        if literal(call_arg(call, "include_in_schema")) is False:
            self.sink.schema_exclusions.append(SchemaExclusion(ctx.loc(call)))
        if kind == "app" and call_arg(call, "openapi_url") is not None and not literal(call_arg(call, "openapi_url")):
            self.sink.schema_exclusions.append(SchemaExclusion(ctx.loc(call), app=True))
        self.sink.routers.append(Router(qname, kind, "fastapi", "", prefix, ctx.loc(call), self._guards(uses),
                                        cls=cls, prefix_ref=prefix_ref))
        if kind == "app":
            debug = call_arg(call, "debug")
            if debug is not None:
                add_setting(self.ctx, self.sink, "DEBUG", debug, call, via=ctx.code(call))

    def _prefix(self, expr) -> str:
        """A router prefix: the literal, or an f-string with this module's string constants
        filled in (``f"{base_prefix}/tags"``), other fields kept as ``{name}``."""
        if isinstance(expr, cst.FormattedString):
            return render_path(expr, self.ctx.strings, self.ctx.code)
        value = literal(expr)
        return value if isinstance(value, str) else ""

    def _scheme(self, qname: str, cls: str, call: cst.Call) -> None:
        ctx = self.ctx
        if literal(call_arg(call, "auto_error")) is False:
            # Lets requests without a credential through: not a guard by itself.
            self.sink.instances.append((qname, f"{cls}(auto_error=False)"))
        scopes = call_arg(call, "scopes")
        if scopes is None:
            return
        keys, ref = (), ""
        if isinstance(scopes, cst.Dict):
            keys = tuple(k for k in (literal(e.key) for e in scopes.elements if isinstance(e, cst.DictElement))
                         if isinstance(k, str))
        elif dotted(scopes):
            ref = self.resolve(scopes)
            keys = dict(self.sink.constants).get(ref, ())
        if keys or ref:
            self.sink.scopes.append(ScopeFact("declared", qname, ctx.loc(scopes), keys, ref=ref))

    def _alias(self, qname: str, value: cst.Subscript) -> None:
        """``CurrentUser = Annotated[User, Depends(get_current_user)]``."""
        if self.resolve(value.value) not in ANNOTATED:
            return
        inner, deps = _unwrap_annotation(self.ctx, value, self.local)
        # Annotated[Role, RoleACL(allow_user=True)]: a project function that returns the
        # Depends(...) (its nested checker is folded into it)
        uses = [self._use(d, inner) for d in deps if self._dep_call(d)] or [
            u for u in map(self._factory_use, deps) if u]
        if not uses:
            return
        for target, display, loc, *_ in uses:
            if target:
                self.sink.dependencies.append(Dependency(qname, target, loc, target.rpartition(".")[2]))
        self._scopes_required(qname, uses)
        t = _type_name(self.ctx, inner, self.local)
        self.sink.returns.append(ReturnFact(qname, self.ctx.loc(value), (f"call:{t}",) if t else (),
                                            "", False))

    # -- calls ----------------------------------------------------------------------------
    def visit_For(self, node: cst.For) -> None:
        if isinstance(node.target, cst.Name) and self.scopes:
            self.loop_targets.add(node.target.value)
        if isinstance(node.target, cst.Name) and isinstance(node.iter, (cst.List, cst.Tuple)) \
                and node.iter.elements and all(dotted(e.value) for e in node.iter.elements):
            # for router in [info.router, users.router]: api_v1.include_router(router)
            self.listed[node.target.value] = [self.resolve(e.value) for e in node.iter.elements]
        elif isinstance(node.target, cst.Name) and dotted(node.iter):
            # for route in v1_routes: app.include_router(route, prefix="/v1"), the list imported
            # (Letta): the linker mounts each router the list holds (``collections`` facts)
            self.listed[node.target.value] = [self.resolve(node.iter)]

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.operator, cst.AddAssign) and isinstance(node.value, (cst.List, cst.Tuple)):
            for el in node.value.elements:
                self._build(node.target, el.value, append=True)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        ctx = self.ctx
        if isinstance(func, cst.Attribute) and func.attr.value in ("append", "extend") and len(node.args) == 1:
            value = node.args[0].value
            for item in ([e.value for e in value.elements if isinstance(e, cst.Element)]
                         if func.attr.value == "extend" and isinstance(value, (cst.List, cst.Tuple)) else [value]):
                self._build(func.value, item, append=True)
        if not self.scopes and isinstance(func, cst.Name) and func.value in ctx.imports:
            for i, arg in enumerate(node.args):  # install_plugin_events(api_router): the parameter is the router
                if isinstance(arg.value, cst.Name) and arg.value.value in ctx.imports and not arg.star:
                    self.sink.bindings.append((self.resolve(func), arg.keyword.value if arg.keyword else str(i),
                                               self.resolve(arg.value)))
        if isinstance(func, cst.Name) and func.value in self.top_defs:
            # _include_workspace_scoped_router(app, workflow_router): the helper's router parameter is
            # each router its callers pass (the linker mounts every one)
            params, mounted = self._includes(func.value)
            for i, arg in enumerate(node.args):
                name = arg.keyword.value if arg.keyword else params[i] if i < len(params) else None
                if name in mounted and dotted(arg.value) and not arg.star:
                    self.sink.bindings.append((self.resolve(func), name, self.resolve(arg.value)))
        if ctx.resolve(func) == "uvicorn.run" and literal(call_arg(node, "debug")) is True:
            add_setting(self.ctx, self.sink, "DEBUG", call_arg(node, "debug"), node, via=ctx.code(node))
        registered = self._route_call(func)  # call form: ``router.post("/register")(register_user)``
        if registered and node.args and dotted(node.args[0].value):
            receiver, verb = registered
            self._route_by_reference(self.resolve(receiver), func, call_arg(func, "path", 0), node.args[0].value, node,
                                     (VERBS[verb],) if VERBS[verb] else None)
        if self._http_middleware(func) and node.args and dotted(node.args[0].value):
            # call form: ``app.middleware("http")(auth_middleware)``
            self.sink.gates.append(Gate(self.resolve(func.func.value), self.resolve(node.args[0].value),
                                        ctx.loc(node), kind="middleware", condition=self.condition()))
        if not isinstance(func, cst.Attribute) or not dotted(func.value):
            return
        attr, receiver = func.attr.value, self.resolve(func.value)
        if attr in INCLUDES:
            child = call_arg(node, "router", 0)
            plugin = isinstance(child, cst.Attribute) and isinstance(child.value, cst.Name) \
                and child.value.value in self.loop_targets  # for plugin in plugins.all(): ...(plugin.events)
            if child is not None and dotted(child):
                prefix_expr = call_arg(node, "prefix")
                prefix = literal(prefix_expr)
                ref = self.resolve(prefix_expr) if prefix_expr is not None and dotted(prefix_expr) else ""
                if isinstance(prefix_expr, cst.FormattedString):
                    prefix = path_text(prefix_expr, ctx.code, ctx.strings)  # "{settings.API_PREFIX}/admin"
                if literal(call_arg(node, "include_in_schema")) is False:
                    self.sink.schema_exclusions.append(SchemaExclusion(ctx.loc(node)))
                uses = self._dependency_list(call_arg(node, "dependencies"))
                self._scopes_required(receiver, uses)
                children = self.listed.get(child.value) if isinstance(child, cst.Name) else None
                for target in children or [f"{ANY_ATTRIBUTE}{child.attr.value}" if plugin else self.resolve(child)]:
                    self.sink.mounts.append(Mount(receiver, target, ctx.loc(node),
                                                  prefix if isinstance(prefix, str) and prefix else None,
                                                  guards=self._guards(uses), keep_prefix=True, prefix_ref=ref))
        elif attr == "mount":
            path, child = literal(call_arg(node, "path", 0)), call_arg(node, "app", 1)
            if isinstance(path, str) and child is not None and dotted(child):
                self.sink.mounts.append(Mount(receiver, self.resolve(child), ctx.loc(node), path,
                                              keep_prefix=True, isolated=True))
        elif attr in ("add_api_route", "add_api_websocket_route"):
            self._add_api_route(receiver, node, attr)
        elif attr == "add_middleware":
            cls = call_arg(node, "middleware_class", 0)
            if cls is not None and dotted(cls):
                for method in ("dispatch", "__call__"):  # BaseHTTPMiddleware subclass, or pure ASGI
                    self.sink.gates.append(Gate(receiver, f"{self.resolve(cls)}.{method}", ctx.loc(node),
                                                kind="middleware", condition=self.condition()))

    def _add_api_route(self, receiver: str, call: cst.Call, attr: str) -> None:
        endpoint = call_arg(call, "endpoint", 1)
        if endpoint is None or not dotted(endpoint):
            return
        self._route_by_reference(receiver, call, call_arg(call, "path", 0), endpoint, call,
                                 ("WEBSOCKET",) if attr == "add_api_websocket_route" else None)

    def _route_by_reference(self, receiver: str, call: cst.Call, path, endpoint, at: cst.Call,
                            methods: tuple[str, ...] | None) -> None:
        """A route whose handler is named, not decorated: ``add_api_route(path, endpoint)``,
        ``router.post(path)(endpoint)``; ``call`` holds the path and options, ``at`` is where."""
        ctx = self.ctx
        handler = self.resolve(endpoint)
        methods = methods or tuple(m.upper() for m in method_names(self._option(call, "methods")) or ("GET",))
        uses = self._dependency_list(call_arg(call, "dependencies"))
        self._scopes_required(handler, uses)
        fdef = self.top_defs.get(endpoint.value) if isinstance(endpoint, cst.Name) else None
        if fdef is not None:
            uses = uses + self._param_uses(fdef.params)
        loc = ctx.loc(at)
        if literal(call_arg(call, "include_in_schema")) is False:
            self.sink.schema_exclusions.append(SchemaExclusion(loc))
        self.sink.routes.append(Route(
            receiver, "fastapi", path_text(path, ctx.code, ctx.strings), methods, handler,
            ctx.loc(fdef.name) if fdef is not None else None, loc, handler.rpartition(".")[2],
            self._guards(uses), (), "", loc.line, by_reference=True))


class _FunctionReader:
    """Per-function facts of FastAPI's own: the scopes a route enforces through ``SecurityScopes``,
    a route's declared response schema, the ``Annotated`` dependency aliases a factory returns,
    and path exemptions (middleware allow-lists). What a function returns and the scopes its
    tokens grant are the neutral pass's (analyzer/functions.py)."""

    def __init__(self, visitor: _Visitor, node: cst.FunctionDef, qualname: str, is_route: bool):
        self.v = visitor
        self.ctx = visitor.ctx
        self.node = node
        self.qualname = qualname
        self.is_route = is_route

    @cached_property
    def source(self) -> str:
        """The function's source text (sliced from the file: no code generation)."""
        return self.ctx.positions.text(self.ctx.loc(self.node))

    def read(self) -> None:
        self._enforced()
        self._exemptions()
        self._returns()

    def _enforced(self) -> None:
        """``security_scopes.scopes`` read by a dependency given a ``SecurityScopes`` parameter."""
        ctx, v = self.ctx, self.v
        if "scope" not in self.source:
            return
        reads = {p.name.value for p in (*self.node.params.posonly_params, *self.node.params.params,
                                        *self.node.params.kwonly_params)
                 if p.annotation is not None and _type_name(ctx, p.annotation.annotation, v.local) in SECURITY_SCOPES}
        if reads and any(isinstance(a.value, cst.Name) and a.value.value in reads and a.attr.value == "scopes"
                         for a in _own(self.node, cst.Attribute)):
            v.sink.scopes.append(ScopeFact("enforced", self.qualname, ctx.loc(self.node.name)))

    # -- path exemptions (middleware allow-lists) ------------------------------------------
    def _exemptions(self) -> None:
        ctx, v = self.ctx, self.v
        if not v.mentions_path:
            return
        code = self.source
        if ".url.path" not in code and "scope[" not in code and "scope.get(" not in code:
            return
        path_names: set[str] = set()
        exact, prefixes, exact_refs, prefix_refs = [], [], [], []
        scope_exact, scope_prefixes = [], []  # the paths its check is made for alone
        rejecting_exact, rejecting_prefixes = [], []  # ... by the tests of branches that turn requests away
        loops: dict[str, cst.BaseExpression] = {}
        negated: set[int] = set()

        def is_path(expr) -> bool:
            d = dotted(expr) or ""
            if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
                return literal(expr.slice[0].slice.value) == "path" and dotted(expr.value) == "scope"
            if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" \
                    and dotted(expr.func.value) == "scope" and literal(call_arg(expr, None, 0)) == "path":
                return True
            return d.endswith(".url.path") or (isinstance(expr, cst.Name) and expr.value in path_names)

        def add(values_expr, kind, scope=False):
            if scope and isinstance(values_expr, cst.Name):  # GUARDED_PATHS = frozenset({"/auth/login"}) in the module
                values_expr = ctx.constant(values_expr) or values_expr
                while isinstance(values_expr, cst.Call) and dotted(values_expr.func) in ("frozenset", "set", "tuple", "list") \
                        and len(values_expr.args) == 1:
                    values_expr = values_expr.args[0].value
            values = string_list(values_expr)
            if isinstance(values_expr, cst.Name) and values_expr.value in loops:
                values_expr = loops[values_expr.value]
                values = string_list(values_expr)
            target, refs = (exact, exact_refs) if kind == "exact" else (prefixes, prefix_refs)
            if scope:
                scopes = (scope_exact, scope_prefixes) if active[0] else (rejecting_exact, rejecting_prefixes)
                scopes[kind != "exact"].extend(values or ())
            elif values is not None:
                target.extend(values)
            elif dotted(values_expr):
                refs.append(v.resolve(values_expr))

        # response = await call_next(request); ...; return response: the view's answer, handed on
        handed = {t.target.value for a in collect(self.node.body, cst.Assign) for t in a.targets
                  if isinstance(t.target, cst.Name) and "call_next(" in ctx.code(a.value)}

        def answers(block) -> list:  # where it answers the request itself (``return JSONResponse(..., 401)``)
            return rejections(block, lambda r: "call_next(" in ctx.code(r) or "self.app(" in ctx.code(r)
                              or isinstance(r.value, cst.Name) and r.value.value in handed)

        inside: set[int] = set()  # the rejections made only for the paths of a scope

        def passes(block) -> bool:  # the branch hands the request on without a credential check
            text = ctx.code(block)
            # or, in a helper the middleware calls, goes back to it before any check
            # (``if request.url.path.startswith(PUBLIC_ENDPOINTS): return``)
            smalls = [small for stmt in block.body
                      for small in (stmt.body if type(stmt) is cst.SimpleStatementLine else (stmt,))] \
                if isinstance(block, cst.IndentedBlock) else []
            return "call_next(" in text or "self.app(" in text or \
                len(smalls) == 1 and type(smalls[0]) is cst.Return and smalls[0].value is None

        flags: set[str] = set()  # names tested by a pass-through branch: is_public = path in PUBLIC
        # names tested by a branch that turns requests away: is_guarded = path in GUARDED_PATHS and ...
        scope_flags: set[str] = set()
        scoped_by: set[str] = set()  # those of them whose value names the paths

        class Flags(cst.CSTVisitor):
            def visit_If(self, node):
                if passes(node.body):
                    flags.update(n.value for n in _names(node.test))
                elif answers(node.body) and isinstance(node.test, cst.Name):
                    scope_flags.add(node.test.value)

        walk(self.node.body, Flags())
        active = [0]
        scoping = [0]  # reading the test of a branch that turns the request away

        # the module's functions, whose paths a test that calls one tests (``_is_metrics_route(scope)``)
        helpers = {s.name.value: s for s in ctx.tree.body if isinstance(s, cst.FunctionDef)}
        seen_helpers: set[str] = set()
        helper_scope: list[bool] = []  # inside such a helper: what the call's place in the test made it

        def scope(node) -> bool | None:
            """False: an exemption (a pass-through branch's test); True: a scope (``if
            path.startswith("/admin") and ...: return 401``, ``if not path.startswith("/api"):
            return await call_next(request)``); None: neither."""
            if helper_scope:
                return helper_scope[-1]
            if active[0]:
                return id(node) in negated
            return True if scoping[0] and id(node) not in negated else None

        class Finder(cst.CSTVisitor):
            def visit_If(self, node):
                if passes(node.body):
                    active[0] += 1
                    walk(node.test, self)
                    active[0] -= 1
                elif answers(node.body):
                    scoping[0] += 1
                    before = len(rejecting_exact) + len(rejecting_prefixes)
                    walk(node.test, self)
                    scoping[0] -= 1
                    if len(rejecting_exact) + len(rejecting_prefixes) > before or \
                            isinstance(node.test, cst.Name) and node.test.value in scoped_by:
                        inside.update(map(id, answers(node.body)))
                else:
                    walk(node.test, self)
                walk(node.body, self)
                if node.orelse is not None:
                    walk(node.orelse, self)
                return False

            def visit_Assign(self, node):
                if is_path(node.value):
                    for t in node.targets:
                        if isinstance(t.target, cst.Name):
                            path_names.add(t.target.value)
                if any(isinstance(t.target, cst.Name) and t.target.value in flags for t in node.targets):
                    active[0] += 1
                    walk(node.value, self)
                    active[0] -= 1
                    return False
                names = [t.target.value for t in node.targets if isinstance(t.target, cst.Name)]
                if any(n in scope_flags for n in names):
                    scoping[0] += 1
                    before = len(rejecting_exact) + len(rejecting_prefixes)
                    walk(node.value, self)
                    scoping[0] -= 1
                    if len(rejecting_exact) + len(rejecting_prefixes) > before:
                        scoped_by.update(names)
                    return False

            def visit_For(self, node):
                if isinstance(node.target, cst.Name):
                    loops[node.target.value] = node.iter

            def visit_CompFor(self, node):
                if isinstance(node.target, cst.Name):
                    loops[node.target.value] = node.iter

            def visit_UnaryOperation(self, node):
                if isinstance(node.operator, cst.Not):
                    negated.add(id(node.expression))

            def visit_Comparison(self, node):
                kind = scope(node)
                if kind is None or not is_path(node.left) or (kind and id(node) in negated):
                    return
                for c in node.comparisons:
                    if isinstance(c.operator, (cst.In, cst.Equal)):
                        add(c.comparator, "exact", kind)

            def visit_Call(self, node):
                f = node.func
                kind = scope(node)
                if kind is None:
                    return
                if isinstance(f, cst.Attribute) and f.attr.value == "startswith" and is_path(f.value) and node.args:
                    add(node.args[0].value, "prefix", kind)
                helper = helpers.get(f.value) if isinstance(f, cst.Name) and f.value not in seen_helpers else None
                if helper is not None:  # ``not _is_metrics_route(scope)``: the paths the module's helper tests
                    seen_helpers.add(f.value)
                    for stmt in helper.body.body:
                        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                                [small.target] if isinstance(small, cst.AnnAssign) else []
                            if isinstance(small.value if targets else None, cst.Call) \
                                    and (dotted(small.value.func) or "").lower().endswith("path"):
                                path_names.update(t.value for t in targets if isinstance(t, cst.Name))
                    helper_scope.append(kind)
                    for ret in collect(helper.body, cst.Return):
                        if ret.value is not None:
                            walk(ret.value, self)
                    helper_scope.pop()

        walk(self.node.body, Finder())
        if all(id(r) in inside for r in answers(self.node.body)):  # it turns none away elsewhere
            scope_exact.extend(rejecting_exact)
            scope_prefixes.extend(rejecting_prefixes)
        if exact or prefixes or exact_refs or prefix_refs or scope_exact or scope_prefixes:
            v.sink.exemptions.append(PathExemption(self.qualname, ctx.loc(self.node.name), tuple(exact),
                                                   tuple(prefixes), tuple(exact_refs), tuple(prefix_refs),
                                                   tuple(scope_exact), tuple(scope_prefixes)))

    # -- what a route's response is, what a factory's alias is -----------------------------
    def _returns(self) -> None:
        v = self.v
        for ret in _own(self.node, cst.Return):
            if isinstance(ret.value, cst.Subscript):  # a factory of ``Annotated[User, Depends(...)]``
                v._alias(self.qualname, ret.value)
        if self.is_route:  # FastAPI serializes what a route returns, through its response model if declared
            schema, schema_loc = v._serialized.pop(self.qualname, ("", None))
            v.sink.returns.append(ReturnFact(self.qualname, self.ctx.loc(self.node.name), serialized=True,
                                             schema=schema, schema_location=schema_loc))


def _own(node: cst.FunctionDef, kind) -> list:
    """The nodes of class ``kind`` in a function's body, not in the functions it defines."""
    nested = {id(n) for d in collect(node.body, cst.FunctionDef) for n in collect(d, kind)}
    return [n for n in collect(node.body, kind) if id(n) not in nested]


def _names(expr) -> list:
    return collect(expr, cst.Name)
