"""Flask adapter: apps, blueprints, Flask-RESTful/flask-restx APIs, Flask-AppBuilder
views and APIs, guards and config.

Receivers are recognised by construction (``app = Flask(__name__)``,
``bp = Blueprint(...)``, ``api = Api(bp)``); a route decorator on a receiver that is
imported from another module is emitted with the receiver's qualified name, and
the linker keeps it only if that name is a Flask router.
"""
from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from ..walk import collect, walk
from ..facts import CONFIG_REF, GuardUse, Gate, HelperCall, Mount, Route, RouteHelper, Router, Setting
from ..names import (assignments, method_names, base_exprs, call_arg, dotted, literal, operands, path_text,
                     render_path, string_list)
from .base import (COMMON_ROLE_ATTRIBUTES, HTTP_CLIENTS, Adapter, ScopedVisitor, function_params, rejections,
                   setting_value)
from ..states import Effect

# Hooks that run before every view of their blueprint (or of the app): a check there guards them
GATE_HOOKS = frozenset({"before_request", "before_app_request", "url_value_preprocessor", "app_url_value_preprocessor"})
ROUTE_VERBS = {"route": None, "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
REGISTRATIONS = frozenset({"add_url_rule", *ROUTE_VERBS})  # the methods that add a rule
OPTIONAL_KEYWORD = re.compile(r"(^|_)(optional|allow_anonymous)($|_)")  # a guard told to let anonymous callers in
ROUTERS = {
    "flask.Flask": "app",
    "flask.Blueprint": "blueprint",
    "flask_smorest.Blueprint": "blueprint",
    "apiflask.APIFlask": "app",
    "apiflask.APIBlueprint": "blueprint",
    "flask_restful.Api": "api",
    "flask_restx.Api": "api",
    "flask_restplus.Api": "api",
    "flask_restx.Namespace": "namespace",
    "flask_restplus.Namespace": "namespace",
    "flask_appbuilder.AppBuilder": "api",
    "flask_appbuilder.base.AppBuilder": "api",
}
# Flask-AppBuilder: ``@expose(url, methods=[...])`` on a method of a view or API class routes
# it below the class's ``route_base``; ``appbuilder.add_view(Cls)`` / ``add_api(Cls)`` serve it.
FAB_EXPOSE = frozenset({"flask_appbuilder.expose", "flask_appbuilder.api.expose", "flask_appbuilder.views.expose",
                        "flask_appbuilder.baseviews.expose"})
FAB_REGISTER = frozenset({"add_view", "add_view_no_menu", "add_api"})
# Flask-Classful: FlaskView subclasses register their public methods as routes
CLASSFUL = ("flask_classful", "flask_classy")
CLASSFUL_BASES = frozenset({"flask_classful.FlaskView", "flask_classy.FlaskView"})
CLASSFUL_ROUTE = frozenset({"flask_classful.route", "flask_classy.route"})
CLASSFUL_VERBS = {"index": "GET", "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
CLASSFUL_GROUP = "classful"
# flask-allows: ``allows.requires(IsAdmin, on_fail=...)`` checks requirements against the user's
# identity (an anonymous user's too) and fails the request when they are not met.
ALLOWS_GUARDS = tuple(f"{m}.{q}" for m in ("flask_allows", "flask_allows2")  # flask-allows2: its maintained fork
                      for q in ("Allows.requires", "allows.Allows.requires", "requires", "decorators.requires"))
FAB_GUARDS = (
    "flask_appbuilder.has_access", "flask_appbuilder.security.decorators.has_access",
    "flask_appbuilder.has_access_api", "flask_appbuilder.security.decorators.has_access_api",
    "flask_appbuilder.api.protect", "flask_appbuilder.security.decorators.protect",
)
CONFIG_MODULES = {"config", "settings", "configuration", "default_settings", "default_config"}
# flask-httpauth: ``auth.login_required(role="admin")`` checks the user's roles too (the
# guard's target gets the suffix ``(role)``).
HTTPAUTH_ROLE = tuple(f"flask_httpauth.{c}.login_required(role)"
                      for c in ("HTTPBasicAuth", "HTTPDigestAuth", "HTTPTokenAuth", "MultiAuth"))
UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class FlaskAdapter(Adapter):
    name = "flask"
    path_only_parameters = frozenset({"flask"})
    debug_variables = {"flask": "FLASK_DEBUG"}  # the variable Flask reads itself
    subroute_bases = {CLASSFUL_GROUP: (CLASSFUL_BASES, "route_prefix", "route_base", "base_args", "View")}
    markers = (
        "flask", "Flask", "add_url_rule", "register_blueprint", r"before_(?:app_)?request", "add_resource",
        "add_namespace", "init_app", r"\.add_(?:view|view_no_menu|api)\(", "MethodView", "SECRET", "DEBUG",
        r"\.add_\w*(?:resource|view|route|rule)\w*\(",  # a registration helper method: api.add_org_resource(...)
        "secret_key", r"\.debug\b", r"\bdebug\s*=",
        r"\.as_view\(", r"@\s*[\w.]+\.(?:route|get|post|put|patch|delete)\s*\(",  # a route on an imported receiver
    )
    known_guards = {
        **dict.fromkeys([
            "flask_login.login_required", "flask_login.fresh_login_required",
            "flask_login.utils.login_required", "flask_login.utils.fresh_login_required",
            "flask_jwt_extended.jwt_required", "flask_jwt_extended.view_decorators.jwt_required",
            "flask_jwt_extended.fresh_jwt_required", "flask_jwt_extended.jwt_optional_never",
            "flask_jwt.jwt_required",
            "flask_httpauth.HTTPBasicAuth.login_required", "flask_httpauth.HTTPDigestAuth.login_required",
            "flask_httpauth.HTTPTokenAuth.login_required", "flask_httpauth.MultiAuth.login_required",
            "flask_principal.Permission.require", "flask_principal.Permission.required",
            "flask_security.login_required", "flask_security.auth_required",
            "flask_security.auth_token_required", "flask_security.http_auth_required",
            "flask_security.roles_required", "flask_security.roles_accepted",
            "flask_security.permissions_required", "flask_security.permissions_accepted",
            "flask_security.decorators.auth_required", "flask_security.decorators.roles_required",
            "flask_user.login_required", "flask_user.roles_required",
            "flask_praetorian.auth_required", "flask_praetorian.roles_required",
            "flask_praetorian.roles_accepted",
            "flask_smorest.Blueprint.login_required",
            *FAB_GUARDS, *HTTPAUTH_ROLE, *ALLOWS_GUARDS,
        ], Effect.AUTH),
    }
    known_guards = {**known_guards, **dict.fromkeys([  # optional authentication, declared
        "flask_jwt_extended.jwt_optional", "flask_jwt_extended.view_decorators.jwt_optional"], Effect.PUBLIC)}
    auth_calls = frozenset({
        "flask_jwt_extended.verify_jwt_in_request", "flask_jwt_extended.view_decorators.verify_jwt_in_request",
        "flask_jwt_extended.verify_fresh_jwt_in_request", "flask_jwt_extended.decode_token",
        "flask_login.LoginManager.unauthorized", "flask_httpauth.HTTPTokenAuth.current_user",
        "jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode", "itsdangerous.URLSafeTimedSerializer.loads",
    })
    # ``current_user.is_authenticated``; ``session.logged_in()`` on a project's own session (SecureDrop)
    auth_attributes = frozenset({"is_authenticated", "is_anonymous", "logged_in", "is_logged_in"})
    session_names = frozenset({"flask.session", "flask.globals.session"})
    auth_exceptions = frozenset({
        "werkzeug.exceptions.Unauthorized", "werkzeug.exceptions.Forbidden",
        "flask_jwt_extended.exceptions.NoAuthorizationError",
    })
    signature_errors = frozenset({"itsdangerous.BadSignature", "itsdangerous.BadTimeSignature", "itsdangerous.BadData",
                                  "itsdangerous.exc.BadSignature", "itsdangerous.exc.BadTimeSignature",
                                  "itsdangerous.exc.BadData", "itsdangerous.SignatureExpired"})
    class_guard_attrs = {"decorators": "decorator", "method_decorators": "decorator"}
    view_constructors = frozenset({"as_view"})
    request_data = frozenset(f"flask.request.{a}" for a in ("json", "get_json", "form", "values", "args", "data"))
    response_wrappers = frozenset({"flask.jsonify", "flask.json.jsonify", "flask.make_response"})
    value_classes = frozenset(f"werkzeug.datastructures.{c}" for c in (
        "Headers", "EnvironHeaders", "MultiDict", "ImmutableMultiDict", "CombinedMultiDict", "OrderedMultiDict"))
    fixed_responses = {"flask.render_template": "template", "flask.send_from_directory": "file",
                       "flask.send_file": "file", "flask.redirect": "redirect", "werkzeug.utils.redirect": "redirect",
                       "flask.url_for": "url", "flask.Response": "text", "flask.make_response": "text",
                       ".send_static_file": "file"}  # current_app.send_static_file("embed.js")
    client_inputs = {
        "flask.request.cookies": "cookie", "flask.request.headers": "header", "flask.request.args": "query",
        "flask.request.values": "query", "flask.request.form": "body", "flask.request.json": "body",
        "flask.request.get_json": "body", "flask.request.remote_addr": "address",
        "flask.request.access_route": "forwarded", "flask.request.user_agent": "header:user-agent",
        "flask.request.referrer": "header:referer",
        # the WSGI environ: the request's headers (``HTTP_*``) and peer address, not the process environment
        "flask.request.environ": "header:HTTP_", "flask.request.environ[REMOTE_ADDR]": "address",
        "flask.request.environ[HTTP_X_FORWARDED_FOR]": "forwarded", "flask.request.environ[HTTP_X_REAL_IP]": "forwarded",
    }
    config_objects = frozenset({"flask.current_app.config", "flask.Flask.config", "flask.app.Flask.config"})
    response_sinks = frozenset({"flask.abort", "flask.Response", "werkzeug.exceptions.abort", "flask_restful.abort"})
    error_bases = frozenset({"werkzeug.exceptions.HTTPException"})
    managers = frozenset({"query"})
    model_bases = {"flask_sqlalchemy.SQLAlchemy.Model": "orm", "flask_sqlalchemy.extension.SQLAlchemy.Model": "orm",
                   "flask_appbuilder.Model": "orm", "flask_appbuilder.models.sqla.Model": "orm"}
    # flask-cors allows every origin unless told otherwise, by the call or by the app's config
    cors_calls = {q: ("origins", "supports_credentials", "", "any") for q in (
        "flask_cors.CORS", "flask_cors.cross_origin", "flask_cors.extension.CORS", "flask_cors.decorator.cross_origin")}
    cors_settings = {"CORS_ORIGINS": "default-origins", "CORS_SUPPORTS_CREDENTIALS": "default-credentials"}
    # -- authorization (analyzer/authz.py) --
    authz_guards = {
        **dict.fromkeys([
            "flask_principal.Permission.require", "flask_principal.Permission.required",
            "flask_security.roles_required", "flask_security.roles_accepted",
            "flask_security.permissions_required", "flask_security.permissions_accepted",
            "flask_security.decorators.roles_required", "flask_security.decorators.roles_accepted",
            "flask_user.roles_required", "flask_praetorian.roles_required", "flask_praetorian.roles_accepted",
            "flask_jwt_extended.verify_jwt_in_request_roles", *HTTPAUTH_ROLE,
            *FAB_GUARDS,  # a permission of the user's roles on this view and method
            *ALLOWS_GUARDS,  # requirements on the user (IsAdmin, CanEditPost...)
        ], "role"),
    }
    lookup_functions = {"flask_sqlalchemy.SQLAlchemy.get_or_404": 0, "flask_sqlalchemy.SQLAlchemy.first_or_404": 0}
    caller_names = frozenset({
        "flask_login.current_user", "flask_login.utils.current_user", "flask_jwt_extended.current_user",
        "flask.g.user", "flask.g.current_user", "flask.g.identity", "flask.g.account", "flask_security.current_user",
        "flask_principal.g.identity", "flask_praetorian.current_user",
    })
    caller_calls = frozenset({
        "flask_jwt_extended.get_jwt_identity", "flask_jwt_extended.get_current_user", "flask_jwt_extended.get_jwt",
        "flask_jwt.current_identity", "flask_praetorian.current_user", "flask_praetorian.current_user_id",
        ".current_user",  # flask_httpauth: auth.current_user()
    })
    client_sources = frozenset({
        "flask.request.args", "flask.request.form", "flask.request.values", "flask.request.json",
        "flask.request.get_json", "flask.request.data", "flask.request.view_args", "flask.request.files",
        "flask.request.headers", "flask.request.cookies",
    })
    role_attributes = COMMON_ROLE_ATTRIBUTES
    role_calls = frozenset({
        ".has_role", ".has_roles", ".has_permission", ".has_permissions", ".can", ".require",
        "flask_security.utils.has_role", ".is_admin", ".is_administrator", ".has_any_role",
        # flask-allows: ``if not Permission(Has("makehidden"), IsModeratorInForum(forum)):`` tests the
        # requirements against the identity its loader gives (the current user) when none is passed
        *(f"{m}.{q}" for m in ("flask_allows", "flask_allows2") for q in ("Permission", "permission.Permission")),
        ".fulfill",
    })
    server_responses = HTTP_CLIENTS
    user_models = frozenset({"flask_login.UserMixin", "flask_login.mixins.UserMixin", "flask_security.UserMixin",
                             "flask_security.core.UserMixin", "flask_security.models.fsqla_v3.FsUserMixin",
                             "table:ab_user", "flask_appbuilder.security.sqla.models.User"})  # Flask-AppBuilder's

    def extract(self, ctx, sink) -> None:
        visitor = _FlaskVisitor(ctx, sink)
        walk(ctx.tree, visitor)
        if visitor.exposed:  # the routes that Flask-AppBuilder methods add below their class
            sink.classes[:] = [replace(c, methods=tuple(replace(m, subroute=visitor.exposed[f"{c.qualname}.{m.name}"])
                                                        if f"{c.qualname}.{m.name}" in visitor.exposed else m
                                                        for m in c.methods))
                               for c in sink.classes]


class _FlaskVisitor(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.classes: list[str] = []
        self.loops: dict[str, list[str]] = {}
        self.bound: set[str] = set()  # routers and parameters bound in this file
        self.views: dict[str, tuple] = {}  # local name -> (class, endpoint) of ``X.as_view("name")``
        self.config_module = ctx.module.rpartition(".")[2] in CONFIG_MODULES
        self.exposed: dict[str, tuple] = {}  # method qualname -> MethodFact.subroute (Flask-AppBuilder)
        # registration helpers: subclasses of a router defined in this module (``class ApiExt(Api)``)
        # -> kind, and those of them that define a helper method (their instances are routers here),
        # the enclosing functions' (positional names, *args name), loop variables over a parameter
        # (``for route in routes``), and the calls a parameter's new value goes through
        self.router_bases: dict[str, str] = {}
        self.router_classes: dict[str, str] = {}
        self.signatures: list[tuple[tuple[str, ...], str]] = []
        self.param_loops: dict[str, str] = {}
        self.table_views: dict[str, str] = {}  # ``for path, resource in routes``: resource -> routes
        self.table_loops: dict[str, str] = {}  # ``for route in API_ROUTES``: route -> the table it walks
        self.wrapped: dict[str, str] = {}  # ``view = decorator(view)`` for each of a parameter -> it
        self.transforms: dict[str, str] = {}
        self._restx = any(t.startswith(("flask_restx", "flask_restplus")) for t in ctx.imports.values())
        # a module of Flask-Classful views: it imports the library, or registers a class (its views
        # may extend a project base defined elsewhere)
        self._classful = any(t.startswith(CLASSFUL) for t in ctx.imports.values()) or ".register(" in ctx.source
        self.collections: set[str] = set()  # names bound to a collection here (``collections`` facts)
        self.params: set[str] = set()  # parameters of the functions in this file
        self.param_routers: set[str] = set()  # those used or annotated as an app or blueprint

    # -- definitions -------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind_def(node.name.value)  # a class defined in a function (faraday's ``CustomFlask`` in create_app)
        self._route_decorators(node, is_class=True)
        self._exposed(node)
        if self._classful:
            self._classful_methods(node)
        kind = next((ROUTERS[b] for b in (self.resolve(e) for e in base_exprs(node)) if b in ROUTERS), None)
        if kind:
            qualname = self._qualname(node.name.value)
            self.router_bases[qualname] = kind
            if not any(isinstance(s, cst.FunctionDef) and s.name.value in REGISTRATIONS and not _passes_on(s)
                       for s in node.body.body):
                # ``class CustomFlask(Flask): request_class = ...``: its instances are routers of that kind;
                # one that overrides how a rule is added (indico's ``IndicoBlueprint``) registers
                # something routeguard does not know, and its routes stay a reported gap, unless the
                # override ends by adding the rule as given (faraday's rule filter: ``return
                # super().add_url_rule(rule, endpoint, view_func, **options)``)
                self.router_classes[qualname] = kind
                self.sink.routers.append(Router(qualname, "class", "flask", kind, "", self.ctx.loc(node.name)))
        self.classes.append(node.name.value)
        self.stack.append(node.name.value)
        if self.config_module or node.name.value.endswith(("Config", "Settings", "Configuration")):
            self._config_class(node)

    def leave_ClassDef(self, node) -> None:
        self.classes.pop()
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_def(node.name.value)
        self._route_decorators(node, is_class=False)
        self._gate_decorators(node)
        qualname = self._qualname(node.name.value)
        params = function_params(node, qualname)
        self.bound.update(params.values())
        self.params.update(params.values())
        for p in (*node.params.posonly_params, *node.params.params):
            kind = ROUTERS.get(self.resolve(p.annotation.annotation)) if p.annotation is not None else None
            if kind in ("app", "blueprint"):  # def create_app(app: Flask): app.add_url_rule(...)
                self._param_router(params[p.name.value], kind, p)
        self._enter(node, params)
        star = node.params.star_arg
        self.signatures.append((tuple(params), star.name.value if isinstance(star, cst.Param) else ""))

    def leave_FunctionDef(self, node) -> None:
        super().leave_FunctionDef(node)
        self.signatures.pop()

    def visit_For(self, node: cst.For) -> None:
        source = node.iter.left if isinstance(node.iter, cst.BooleanOperation) else node.iter  # decorators or []
        if isinstance(source, cst.Name) and self.signatures and source.value in (*self.signatures[-1][0],
                                                                                   self.signatures[-1][1] or None):
            if isinstance(node.target, cst.Name):
                self.param_loops[node.target.value] = source.value  # for route in routes: one rule of a parameter
            elif isinstance(node.target, cst.Tuple) and len(node.target.elements) == 2 \
                    and all(isinstance(e.value, cst.Name) for e in node.target.elements):
                rule, view = (e.value.value for e in node.target.elements)  # for path, resource in routes
                self.param_loops[rule] = self.table_views[view] = source.value
        if isinstance(node.target, cst.Name) and isinstance(node.iter, (cst.List, cst.Tuple)):
            targets = [self.resolve(e.value) for e in node.iter.elements]
            self.loops[node.target.value] = [t for t in targets if t]
        elif isinstance(node.target, cst.Name) and dotted(source) and node.target.value not in self.param_loops:
            self.table_loops[node.target.value] = self.resolve(source)  # for route in API_ROUTES: each row

    # -- assignments: routers and settings ------------------------------------------
    def _assign(self, target, value, stmt) -> None:
        if isinstance(target, cst.Name) and not self.classes:
            self._collection(target, value)
        if isinstance(target, cst.Name) and self.scopes:
            self._bind(target.value)  # a local: pkg.f.name, not pkg.name
            if self.signatures and target.value == self.signatures[-1][1] and isinstance(value, cst.ListComp) \
                    and isinstance(value.elt, cst.Call):  # urls = [org_scoped_rule(url) for url in urls]
                self.transforms[self.resolve(target)] = self.resolve(value.elt.func)
        if isinstance(target, cst.Name) and isinstance(value, cst.Call):
            made = self.resolve(value.func)
            kind = ROUTERS.get(made) or self.router_classes.get(made)
            if kind:
                qname = self._bind(target.value)
                self.bound.add(qname)
                self._router(qname, kind, value)
                return
            if isinstance(value.func, cst.Attribute) and value.func.attr.value == "namespace" \
                    and dotted(value.func.value) and self._restx and isinstance(literal(call_arg(value, "name", 0)), str):
                # relay = api.namespace("relay"): a namespace of that Api, added to it (flask-restx)
                qname = self._bind(target.value)
                self.bound.add(qname)
                self._router(qname, "namespace", value)
                self.sink.mounts.append(Mount(self.resolve(value.func.value), qname, self.ctx.loc(value)))
                return
            if not self.scopes and made.rpartition(".")[2][:1].isupper() and made not in self.router_bases:
                # ``api = HelpdeskApi()``: a router if the class (defined elsewhere) is a router class
                # with a registration helper (a "class" Router fact); the linker decides
                self.sink.routers.append(Router(f"{self.ctx.module}.{target.value}", "api", "flask", "", "",
                                                self.ctx.loc(value), cls=made))
            if isinstance(value.func, cst.Attribute) and value.func.attr.value == "as_view":
                self.views[target.value] = self._unwrap_view(value)
            elif isinstance(value.func, cst.Name) and value.func.value in self.param_loops \
                    and [dotted(a.value) for a in value.args] == [target.value]:
                self.wrapped[target.value] = self.param_loops[value.func.value]  # view = decorator(view)
        if isinstance(target, cst.Name) and not self.scopes and not self.classes and self.config_module \
                and UPPER.match(target.value):
            self._setting(target.value, value, stmt)
        elif isinstance(target, cst.Attribute) and target.attr.value in ("secret_key", "debug"):
            key = "SECRET_KEY" if target.attr.value == "secret_key" else "DEBUG"
            self._setting(key, value, stmt)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute) \
                and target.value.attr.value == "config" and len(target.slice) == 1:
            key = literal(target.slice[0].slice.value) if isinstance(target.slice[0].slice, cst.Index) else None
            if isinstance(key, str):
                self._setting(key, value, stmt)

    def _collection(self, target: cst.Name, value) -> None:
        """``BLUEPRINTS = (users_bp, roles_bp)`` at module level; in a function, a parameter
        rebound to a sum of such names (``blueprints = blueprints + DEFAULT_BLUEPRINTS``): what
        the name holds, for a loop that registers each (``for bp in blueprints``)."""
        if isinstance(value, (cst.List, cst.Tuple)) and not self.scopes:
            items = [e.value for e in value.elements if not isinstance(e, cst.StarredElement)]
        elif self.scopes and target.value in self.local:
            items = operands(value, cst.BinaryOperation, cst.Add)
        else:
            return
        if items and all(dotted(e) for e in items):
            qname = self.local.get(target.value) or f"{self.ctx.module}.{target.value}"
            self.collections.add(qname)
            self.sink.collections.append((qname, tuple(self.resolve(e) for e in items)))

    def _router(self, qname: str, kind: str, call: cst.Call) -> None:
        ctx = self.ctx
        name = literal(call_arg(call, "name", 0)) if kind in ("blueprint", "namespace") else ""
        prefix_kw = "path" if kind == "namespace" else "prefix" if kind == "api" else "url_prefix"
        prefix = literal(call_arg(call, prefix_kw))
        if kind == "namespace" and not isinstance(prefix, str) and isinstance(name, str):
            prefix = "/" + name
        guards = ()
        if kind == "api":
            decorators = call_arg(call, "decorators")
            if isinstance(decorators, (cst.List, cst.Tuple)):
                guards = tuple(ctx.guard_use(e.value, local=self.local) for e in decorators.elements)
            parent = call_arg(call, "app", 0)
            if parent is not None and self.resolve(parent):
                self.sink.mounts.append(Mount(self.resolve(parent), qname, ctx.loc(call)))
        self.sink.routers.append(Router(
            qname, "blueprint" if kind == "namespace" else kind, "flask",
            name if isinstance(name, str) else "", prefix if isinstance(prefix, str) else "",
            ctx.loc(call), guards))

    def _param_router(self, qname: str, kind: str, node) -> None:
        """A function parameter used as a Flask app (``def init_app(app): app.add_url_rule(...)``,
        ``app.before_request(...)``) or annotated ``Flask``/``Blueprint``: a router of its own,
        which the linker drops when a caller in the project passes the router it stands for."""
        if qname in self.param_routers:
            return
        self.param_routers.add(qname)
        self.sink.routers.append(Router(qname, kind, "flask", "", "", self.ctx.loc(node)))

    def _used_as_app(self, receiver, rule=None) -> None:
        """A route with a rule known before the call (a literal or a constant, not a value the
        function computes: ``rule = "/" + asset_path``) or a gate on a parameter."""
        qname = self.resolve(receiver) if isinstance(receiver, cst.Name) else ""
        if qname not in self.params:
            return
        if rule is not None and not isinstance(literal(rule), str) and (
                not self.constant_ref(rule) or any(self.constant_ref(rule).startswith(f + ".") for f in self.funcs)):
            return
        self._param_router(qname, "app", receiver)

    def _config_class(self, node: cst.ClassDef) -> None:
        for name, value, small in assignments(node.body.body):
            if UPPER.match(name):
                self._setting(name, value, small, scope=node.name.value)

    def _setting(self, key: str, value, stmt, scope: str | None = None, via: str = "") -> None:
        v, is_literal, fallback = setting_value(self.ctx, value)
        self.sink.settings.append(Setting(
            key, v, self.ctx.loc(stmt), is_literal, fallback,
            scope if scope is not None else (self.classes[-1] if self.classes else ""),
            via or self.ctx.code(stmt)))

    # -- calls: registration, gates, config -----------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        registration = node.args[0].value if node.args else None
        if self.resolve(func) == "functools.partial" and isinstance(registration, cst.Attribute) \
                and registration.attr.value == "register_blueprint":
            # functools.partial(app.register_blueprint, api, url_prefix="/api"): a registration made later
            self._register(registration.value, node.with_changes(func=registration, args=node.args[1:]), at=node)
        for i, arg in enumerate(node.args):
            if isinstance(arg.value, cst.Name) and not arg.star and (self.resolve(arg.value) in self.bound
                                                                     or self.resolve(arg.value) in self.collections):
                slot = arg.keyword.value if arg.keyword else str(i)
                self.sink.bindings.append((self.resolve(func), slot, self.resolve(arg.value)))
        if not isinstance(func, cst.Attribute):
            self._helper_call(node, None)
            return
        attr = func.attr.value
        receiver = func.value
        if attr not in ("register_blueprint", "add_url_rule", "add_resource", *ROUTE_VERBS):
            self._helper_call(node, receiver)
        if attr == "register_blueprint":
            self._register(receiver, node)
        elif attr in ("add_namespace", "init_app") and call_arg(node, None, 0) is not None:
            child, parent = (node.args[0].value, receiver) if attr == "add_namespace" else (receiver, node.args[0].value)
            prefix = literal(call_arg(node, "path"))
            if self.resolve(child) and self.resolve(parent):
                self.sink.mounts.append(Mount(self.resolve(parent), self.resolve(child), self.ctx.loc(node),
                                              prefix if isinstance(prefix, str) else None))
        elif attr == "add_url_rule":
            self._add_url_rule(receiver, node)
        elif attr == "add_resource":
            self._add_resource(receiver, node)
        elif attr in FAB_REGISTER and node.args and node.args[0].keyword is None:
            self._add_view(receiver, node)
        elif attr == "register" and node.args and node.args[0].keyword is None and not node.args[0].star \
                and (dotted(receiver) or "").rpartition(".")[2][:1].isupper() \
                and not isinstance(literal(node.args[0].value), str):
            self._classful_register(receiver, node)
        elif attr in ("before_request", "before_app_request") and node.args:
            self._used_as_app(receiver)
            target = self.resolve(node.args[0].value)
            if target:
                self.sink.gates.append(Gate(self.resolve(receiver), target, self.ctx.loc(node),
                                            "app" if attr == "before_app_request" else "router",
                                            condition=self.condition()))
        elif attr == "run" and literal(call_arg(node, "debug")) is True:
            host = literal(call_arg(node, "host", 0))
            # a development server reachable from this machine only (CTFd's serve.py) is no deployment
            scope = f"a local development server on {host}" if host in LOOPBACK else None
            self._setting("DEBUG", call_arg(node, "debug"), node, scope=scope, via=self.ctx.code(node))
        elif attr in ("update", "from_mapping") and isinstance(receiver, cst.Attribute) and receiver.attr.value == "config":
            for arg in node.args:
                if arg.keyword is not None:
                    self._setting(arg.keyword.value, arg.value, node)
                elif isinstance(arg.value, cst.Dict):
                    for el in arg.value.elements:
                        if isinstance(el, cst.DictElement) and isinstance(literal(el.key), str):
                            self._setting(literal(el.key), el.value, node)

    def _register(self, receiver, call: cst.Call, at=None) -> None:
        child = call_arg(call, "blueprint", 0)
        if child is None:
            return
        children = self.loops.get(child.value) if isinstance(child, cst.Name) and child.value in self.loops else None
        if isinstance(child, cst.Name) and child.value in self.param_loops:  # for bp in blueprints: each one
            children = [self.resolve(cst.Name(self.param_loops[child.value]))]
        prefix_arg = call_arg(call, "url_prefix")
        prefix = render_path(prefix_arg, self.ctx.strings, None)  # f"/api/{API_VERSION}"
        name = literal(call_arg(call, "name"))
        key = _config_key(prefix_arg)  # url_prefix=app.config["USER_URL_PREFIX"]: the setting's value
        for target in children or [self.resolve(child.func if isinstance(child, cst.Call) else child)]:
            if target:
                self.sink.mounts.append(Mount(
                    self.resolve(receiver), target, self.ctx.loc(at or call),
                    prefix if isinstance(prefix, str) else None, name if isinstance(name, str) else None,
                    prefix_ref=f"{CONFIG_REF}{key}" if key else ""))

    def _unwrap_view(self, expr):
        """``login_required(view)`` / ``Cls.as_view("name")`` -> (handler, view_class, endpoint, guards)."""
        guards = []
        if isinstance(expr, cst.Name) and expr.value in self.views:
            return self.views[expr.value]
        while isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and func.attr.value == "as_view":
                endpoint = literal(call_arg(expr, "name", 0))
                cls = self.resolve(func.value)
                return cls, cls, endpoint if isinstance(endpoint, str) else "", guards
            if not expr.args:
                break
            guards.append(self.ctx.guard_use(func, local=self.local))
            expr = expr.args[0].value
        handler = self.resolve(expr)
        return handler, "", handler.rpartition(".")[2], guards

    def _add_url_rule(self, receiver, call: cst.Call) -> None:
        rule = path_text(call_arg(call, "rule", 0), self.ctx.code, self.ctx.strings)
        view = call_arg(call, "view_func", 2)
        if view is None:
            return
        handler, view_class, endpoint, guards = self._unwrap_view(view)
        rule_arg = call_arg(call, "rule", 0)
        rule_arg = rule_arg if isinstance(rule_arg, cst.Name) else None
        table = self.table_views.get(view_class.rpartition(".")[2]) if isinstance(view, cst.Name) else None
        if table:  # for path, resource in routes: add_url_rule(path, view_func=resource.as_view(...))
            self._helper("table", receiver, cst.Name(table), rule_arg, call, wraps=self.wrapped.get(view.value, ""))
            return
        if handler in self.bound:  # a registration helper's view_func parameter: which view is the caller's
            self._helper("url_rule", receiver, view, rule_arg, call)
            return
        if self.scopes and rule_arg is not None and rule == "{%s}" % rule_arg.value and isinstance(view, cst.Name) \
                and view.value not in self.ctx.imports and not any(
                    isinstance(s, (cst.FunctionDef, cst.ClassDef)) and s.name.value == view.value for s in self.ctx.tree.body):
            # a rule and a view both computed at run time (OctoPrint's plugin machinery registering
            # whatever its @route decorator recorded): no route of its own, a phantom ``{rule}`` otherwise
            return
        self._used_as_app(receiver, call_arg(call, "rule", 0))
        ep = literal(call_arg(call, "endpoint", 1))
        methods = method_names(call_arg(call, "methods"))
        loc = self.ctx.loc(call)
        self.sink.routes.append(Route(
            self.resolve(receiver), "flask", rule,
            tuple(m.upper() for m in methods) if methods else (() if view_class else ("GET",)),
            handler, None, loc, ep if isinstance(ep, str) else endpoint, tuple(guards), (),
            view_class, loc.line, by_reference=True, rule_call=self._rule_call(call_arg(call, "rule", 0)),
            path_ref=self.constant_ref(call_arg(call, "rule", 0))))

    def _helper(self, kind: str, receiver, view, rule, call: cst.Call, wraps: str = "") -> None:
        """A registration whose receiver, rule(s) and view are all parameters of the enclosing
        function: that function is a registration helper (its callers register the routes)."""
        if isinstance(receiver, cst.Attribute) and dotted(receiver.value) == "self":
            receiver = cst.Name("self")  # self.blueprint.add_url_rule(...): the instance's own router
        if isinstance(view, cst.Name) and view.value in self.views and self.views[view.value][0] in self.bound:
            view = cst.Name(self.views[view.value][0].rpartition(".")[2])  # view = resource.as_view(...)
        if not self.signatures or not all(isinstance(e, cst.Name) for e in (receiver, view, rule)):
            return
        params, star = self.signatures[-1]
        names = {*params, star} - {""}
        rule_param = self.param_loops.get(rule.value, rule.value)
        if receiver.value in names and view.value in names and rule_param in names:
            function = self.funcs[-1]
            cls = function.rpartition(".")[0]
            # api = ApiExt(): a router that the helper method registers on; a plain class whose
            # method registers on a router it holds (``self.blueprint.add_url_rule``) makes one too
            base = self.router_bases.get(cls) or ("blueprint" if receiver.value == "self" and self.classes
                                                  else "")
            if base and cls not in self.router_classes:
                self.router_classes[cls] = base
                self.sink.routers.append(Router(cls, "class", "flask", base, "",
                                                self.ctx.loc(call)))  # name: the kind of its instances
            self.sink.route_helpers.append(RouteHelper(
                function, kind, params, star, receiver.value, rule_param, view.value, self.ctx.loc(call),
                self.transforms.get(f"{function}.{rule_param}", ""), wraps, "flask"))

    def _helper_call(self, call: cst.Call, receiver) -> None:
        """A call that passes a literal path (``"/x"`` or a list of them): the linker makes it a
        registration if its callee is a registration helper."""
        paths = [string_list(a.value) for a in call.args]
        tables = [self._route_table(a.value) for a in call.args]
        if not any(p and all(x.startswith("/") for x in p) for p in paths) and not any(tables):
            return
        args = []
        for i, (arg, p, table) in enumerate(zip(call.args, paths, tables)):
            if arg.star:
                break
            slot = arg.keyword.value if arg.keyword else str(i)
            if p is not None:
                args.append((slot, "paths", p))
            elif table:
                args.append((slot, "table", table))
            elif isinstance(arg.value, (cst.List, cst.Tuple)):  # decorators=[jwt_required(), ...]
                args.append((slot, "guards", tuple(self.ctx.guard_use(e.value, local=self.local)
                                                   for e in arg.value.elements)))
            elif isinstance(arg.value, (cst.Name, cst.Attribute, cst.Call)):
                handler, view_class, endpoint, guards = self._unwrap_view(arg.value)
                if handler:
                    args.append((slot, "view", (handler, view_class, endpoint, tuple(guards))))
        methods = method_names(call_arg(call, "methods"))
        self.sink.helper_calls.append(HelperCall(
            self.resolve(call.func), self.resolve(receiver) if receiver is not None else "", tuple(args),
            self.ctx.loc(call), tuple(m.upper() for m in methods or ())))

    def _route_table(self, expr) -> tuple:
        """The rows of a module-level table of (rule, view class) pairs that a call passes
        (``routes = [("/data/departments", DepartmentsResource), ...]``), else ()."""
        value = self.ctx.constant(expr)
        if not isinstance(value, (cst.List, cst.Tuple)) or not value.elements:
            return ()
        rows = []
        for element in value.elements:
            row = element.value
            if not (isinstance(row, cst.Tuple) and len(row.elements) == 2 and dotted(row.elements[1].value)):
                return ()
            rule = render_path(row.elements[0].value, self.ctx.strings, None)
            if not isinstance(rule, str):
                return ()
            cls = self.resolve(row.elements[1].value)
            rows.append((rule, (cls, cls, cls.rpartition(".")[2], ())))
        return tuple(rows)

    def _add_resource(self, receiver, call: cst.Call) -> None:
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        star = next((a.value for a in call.args if a.star == "*"), None)
        if not positional and isinstance(star, cst.Name) and star.value in self.table_loops:
            loc = self.ctx.loc(call)  # for route in API_ROUTES: api.add_resource(*route)
            self.sink.routes.append(Route(self.resolve(receiver), "flask", "", (), "", None, loc, span_start=loc.line,
                                          by_reference=True, table=self.table_loops[star.value]))
            return
        if not positional:
            return
        cls = self.resolve(positional[0])
        if cls in self.bound:  # a helper method's resource parameter: ``self.add_resource(resource, *urls)``
            star = next((a.value for a in call.args if a.star == "*" and isinstance(a.value, cst.Name)), None)
            self._helper("resource", receiver, positional[0], star or (positional[1] if len(positional) > 1 else None),
                         call)
            return
        ep = literal(call_arg(call, "endpoint"))
        loc = self.ctx.loc(call)
        for url in positional[1:]:
            self.sink.routes.append(Route(
                self.resolve(receiver), "flask", path_text(url, self.ctx.code, self.ctx.strings), (),
                cls, None, loc, ep if isinstance(ep, str) else cls.rpartition(".")[2].lower(),
                view_class=cls, span_start=loc.line, by_reference=True))

    # -- Flask-AppBuilder ------------------------------------------------------------
    def _exposed(self, node: cst.ClassDef) -> None:
        """The route each ``@expose`` method adds: below ``route_base``, which defaults to
        ``/api/<version>/<resource_name>`` for an API class and ``/<class name>`` for a view."""
        ctx, found = self.ctx, {}
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef):
                expose = next((d.decorator for d in stmt.decorators if isinstance(d.decorator, cst.Call)
                               and ctx.resolve(d.decorator.func) in FAB_EXPOSE), None)
                if expose is not None:
                    found[stmt.name.value] = expose
        if not found:
            return
        attrs = {name: literal(value) for name, value, _ in assignments(node.body.body)}
        name = node.name.value
        base = attrs.get("route_base")
        if not (isinstance(base, str) and base):
            bases = [ctx.resolve(b) for b in base_exprs(node)]
            if "resource_name" in attrs or any(b.startswith("flask_appbuilder.api") or b.endswith("Api") for b in bases):
                version, resource = attrs.get("version"), attrs.get("resource_name")
                base = (f"/api/{version if isinstance(version, str) else 'v1'}/"
                        f"{resource if isinstance(resource, str) else name.lower()}")
            else:
                base = "/" + name.lower()
        qualname = self._qualname(name)
        for method, call in found.items():
            url = path_text(call_arg(call, "url", 0), ctx.code, ctx.strings) or "/"
            methods = method_names(call_arg(call, "methods", 1))
            path = "/" + (base.strip("/") + "/" + url.lstrip("/")).lstrip("/")
            last = path.rstrip("/").rpartition("/")[2]
            self.exposed[f"{qualname}.{method}"] = (
                "expose", path, tuple(m.upper() for m in methods) if methods else ("GET",), last.startswith("<"))

    def _add_view(self, receiver, call: cst.Call) -> None:
        """``appbuilder.add_view(Cls, "Name")`` / ``add_api(Cls)``: the class's ``@expose``
        methods become routes of the app builder (the registration itself is not one)."""
        view = call.args[0].value
        cls = self.resolve(view.func if isinstance(view, cst.Call) else view)
        if not cls:
            return
        loc = self.ctx.loc(call)
        self.sink.routes.append(Route(
            self.resolve(receiver), "flask", "", (), cls, None, loc, cls.rpartition(".")[2].lower(),
            view_class=cls, span_start=loc.line, by_reference=True, subroutes="expose", container=True))

    # -- Flask-Classful ----------------------------------------------------------------
    def _classful_register(self, view, call: cst.Call) -> None:
        """``HostView.register(host_api)``: the routes the class's methods add on that blueprint
        or app (``subroute`` "classful"), below the ``route_prefix`` and ``route_base`` the
        linker reads along its bases; kept only when a base is Flask-Classful's ``FlaskView``."""
        cls = self.resolve(view)
        target = self.resolve(call.args[0].value)
        if not cls or not target:
            return
        loc = self.ctx.loc(call)
        self.sink.routes.append(Route(
            target, "flask", "", (), cls, None, loc, cls.rpartition(".")[2], view_class=cls, span_start=loc.line,
            by_reference=True, subroutes=CLASSFUL_GROUP, container=True))

    def _classful_methods(self, node: cst.ClassDef) -> None:
        """The route each public method of a (possible) Flask-Classful view adds, as Flask-Classful
        builds it: ``index``/``get``/``post``/``put``/``patch``/``delete`` on their verb, any other
        method on ``GET /<name>/``, each required argument a ``<param>`` (the linker drops the
        view's ``base_args``); a method with ``@route(rule, methods=[...])`` on that rule alone."""
        qualname = self._qualname(node.name.value)
        for stmt in node.body.body:
            if not isinstance(stmt, cst.FunctionDef) or stmt.name.value.startswith("_") \
                    or stmt.name.value.startswith(("before_", "after_")) or stmt.name.value == "register":
                continue
            decorators = [d.decorator for d in stmt.decorators]
            if any(dotted(d) in ("classmethod", "staticmethod", "property") for d in decorators):
                continue
            name = stmt.name.value
            rule = next((d for d in decorators if isinstance(d, cst.Call) and self.resolve(d.func) in CLASSFUL_ROUTE), None)
            if rule is not None:
                suffix = path_text(call_arg(rule, "rule", 0), self.ctx.code, self.ctx.strings) or ""
                methods = method_names(call_arg(rule, "methods")) or ("GET",)
            else:
                params = [p for p in stmt.params.params if p.default is None][1:]  # after self
                args = "".join(f"/<{p.name.value}>" for p in params)
                suffix = args if name in CLASSFUL_VERBS else f"/{name}{args}"
                methods = (CLASSFUL_VERBS.get(name, "GET"),)
            self.exposed[f"{qualname}.{name}"] = (
                CLASSFUL_GROUP, "/" + suffix.lstrip("/") if suffix.strip("/") else "", tuple(m.upper() for m in methods),
                "<" in suffix)

    # -- decorators: routes and gates -------------------------------------------------
    def _route_decorators(self, node, is_class: bool) -> None:
        decorators = [d.decorator for d in node.decorators]
        route_idx = [i for i, d in enumerate(decorators) if self._route_call(d) is not None]
        if not route_idx:
            return
        ctx = self.ctx
        qualname = self._qualname(node.name.value)
        misplaced = tuple(ctx.guard_use(d, local=self.local) for d in node.decorators[: route_idx[0]])
        for i in route_idx:
            call = decorators[i]
            receiver, verb = self._route_call(call)
            self._used_as_app(receiver, call_arg(call, "rule", 0))
            # ``@bp.route("")`` is the blueprint's prefix itself (``/api/auth``, not ``/api/auth/``)
            rule = path_text(call_arg(call, "rule", 0), ctx.code, ctx.strings) if call_arg(call, "rule", 0) is not None else "/"
            built = self._rule_call(call_arg(call, "rule", 0))
            methods = method_names(call_arg(call, "methods"))
            if verb:
                methods = (verb,)
            elif not methods:
                methods = () if is_class else ("GET",)
            endpoint = literal(call_arg(call, "endpoint"))
            guards = tuple(self._guard(d) for j, d in enumerate(node.decorators) if j > i and j not in route_idx)
            self.sink.routes.append(Route(
                self.resolve(receiver), "flask",
                rule,
                tuple(m.upper() for m in methods), qualname, ctx.loc(node.name), ctx.loc(node.decorators[i]),
                endpoint if isinstance(endpoint, str) else node.name.value, guards, misplaced,
                qualname if is_class else "", ctx.span_start(node), rule_call=built,
                path_ref=self.constant_ref(call_arg(call, "rule", 0))))

    def _rule_call(self, expr) -> tuple[str, str]:
        """``org_scoped_rule("/x")``: (the function, "/x"); the linker evaluates it."""
        if isinstance(expr, cst.Call) and len(expr.args) == 1 and expr.args[0].keyword is None \
                and isinstance(literal(expr.args[0].value), str) and dotted(expr.func):
            return self.resolve(expr.func), literal(expr.args[0].value)
        return ()

    def _guard(self, decorator: cst.Decorator) -> GuardUse:
        use = self.ctx.guard_use(decorator, local=self.local)
        expr = decorator.decorator
        optional = next((a.keyword.value for a in expr.args if a.keyword is not None
                         and OPTIONAL_KEYWORD.search(a.keyword.value) and literal(a.value) is True), "") \
            if isinstance(expr, cst.Call) else ""
        if optional:
            # jwt_required(optional=True), FitTrackee's require_auth(optional_auth_user=True): anonymous
            # callers come in, public by the author's declaration
            return replace(use, target=f"{use.target}({optional}=True)", effect=Effect.PUBLIC)
        if isinstance(expr, cst.Call) and use.target.endswith(".login_required") and call_arg(expr, "role") is not None:
            return replace(use, target=f"{use.target}(role)")  # flask-httpauth: a role check too
        return use

    @staticmethod
    def _route_call(expr):
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) \
                and expr.func.attr.value in ROUTE_VERBS and dotted(expr.func.value):
            return expr.func.value, ROUTE_VERBS[expr.func.attr.value]
        return None

    def _gate_decorators(self, node: cst.FunctionDef) -> None:
        for d in node.decorators:
            expr = d.decorator
            if isinstance(expr, cst.Attribute) and expr.attr.value in GATE_HOOKS:
                # a url_value_preprocessor gets (endpoint, values): the URL parameters it reads
                params = [p.name.value for p in node.params.params]
                url = expr.attr.value.endswith("url_value_preprocessor") and len(params) == 2
                endpoints, paths, refs, scope = _exemptions(self.ctx, node, params[0] if url else "")
                self.sink.gates.append(Gate(
                    self.resolve(expr.value), self._qualname(node.name.value), self.ctx.loc(d),
                    "app" if expr.attr.value.startswith(("before_app", "app_")) else "router", endpoints, paths, refs,
                    params=_keys_read(node, params[1]) if url else (), scope_endpoints=scope[0], scope_paths=scope[1],
                    condition=self.condition()))


def _config_key(expr) -> str:
    """The key of ``app.config["KEY"]`` / ``current_app.config.get("KEY")``, else ""."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get":
        key, holder = literal(call_arg(expr, None, 0)), expr.func.value
    elif isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        key, holder = literal(expr.slice[0].slice.value), expr.value
    else:
        return ""
    return key if isinstance(key, str) and isinstance(holder, cst.Attribute) and holder.attr.value == "config" else ""


def _keys_read(func: cst.FunctionDef, name: str) -> tuple[str, ...]:
    """The literal keys ``func`` reads from its parameter ``name``: ``values.pop("project_id")``,
    ``values.get("x")``, ``values["x"]``."""
    keys = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            f = node.func
            if isinstance(f, cst.Attribute) and f.attr.value in ("pop", "get") and dotted(f.value) == name:
                keys.append(literal(call_arg(node, None, 0)))

        def visit_Subscript(self, node: cst.Subscript) -> None:
            if dotted(node.value) == name and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                keys.append(literal(node.slice[0].slice.value))

    walk(func.body, Finder())
    return tuple(dict.fromkeys(k for k in keys if isinstance(k, str)))


def _passes_on(method: cst.FunctionDef) -> bool:
    """The override's last statement returns the base class's same method called with the
    override's own parameters, none of them reassigned before."""
    body = method.body.body if isinstance(method.body, cst.IndentedBlock) else ()
    last = body[-1].body[-1] if body and isinstance(body[-1], cst.SimpleStatementLine) else None
    call = last.value if isinstance(last, (cst.Return, cst.Expr)) else None
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == method.name.value and isinstance(call.func.value, cst.Call)
            and dotted(call.func.value.func) == "super"):
        return False
    params = {p.name.value for p in (*method.params.params, *method.params.kwonly_params)}
    params |= {p.name.value for p in (method.params.star_arg, method.params.star_kwarg) if isinstance(p, cst.Param)}
    targets = [t.target for a in collect(method.body, cst.Assign) for t in a.targets]
    targets += [a.target for a in collect(method.body, cst.AugAssign)]
    rebound = {t.value for target in targets for t in collect(target, cst.Name)}  # indico: ``rule = rule[1:]``
    return all(isinstance(a.value, cst.Name) and a.value.value in params - rebound for a in call.args)


def _exemptions(ctx, func: cst.FunctionDef, endpoint: str = ""):
    """Endpoints and path prefixes that a before_request gate lets through, and those it is
    made for alone (``if request.path.startswith("/admin") and "user_id" not in session: return
    redirect(...)``: a scope, not an exemption); ``endpoint``: the parameter that holds the
    endpoint (a url_value_preprocessor's first)."""
    endpoints, paths, refs = [], [], []
    scope_endpoints, scope_paths = [], []
    # the address tests that scope the gate (read by Finder below): of a branch that hands the
    # other requests on (``if not request.path.startswith("/admin"): return``), and of branches
    # that turn requests away, when it turns none away elsewhere
    scoped, rejecting, inside = set(), set(), set()
    for node in collect(func, cst.If):
        rejects, passes = _branch_ends(node.body)
        for atom, negated in _address_tests(node.test):
            if passes and negated:
                scoped.add(id(atom))
            elif rejects and not negated:
                rejecting.add(id(atom))
                inside.update(map(id, rejections(node.body)))
    if all(id(r) in inside for r in rejections(func.body)):
        scoped |= rejecting

    class Finder(cst.CSTVisitor):
        def visit_Comparison(self, node: cst.Comparison) -> None:
            left = dotted(node.left) or ""
            ends, prefixes = (scope_endpoints, scope_paths) if id(node) in scoped else (endpoints, paths)
            for target in node.comparisons:
                values = string_list(target.comparator)
                if left.endswith(".endpoint") or endpoint and left == endpoint:
                    if values is not None:
                        ends.extend(values)
                    elif dotted(target.comparator) and ends is endpoints:
                        refs.append(ctx.resolve(target.comparator))
                elif left.endswith(".path") and values is not None:
                    prefixes.extend(values)
                elif left.endswith(".blueprint") and values is not None:  # request.blueprint == "rss"
                    ends.extend(f"{v}.*" for v in values)
                elif isinstance(target.operator, cst.In) and isinstance(literal(node.left), str) \
                        and (dotted(target.comparator) or "").endswith(".endpoint"):
                    ends.append(f"*{literal(node.left)}*")  # "login" in request.endpoint

        def visit_Call(self, node: cst.Call) -> None:
            f = node.func
            if isinstance(f, cst.Attribute) and f.attr.value == "startswith" \
                    and (dotted(f.value) or "").endswith((".path", ".endpoint")):
                values = string_list(call_arg(node, None, 0))
                ends, prefixes = (scope_endpoints, scope_paths) if id(node) in scoped else (endpoints, paths)
                if values is None and dotted(call_arg(node, None, 0) or cst.Name("x")) and ends is endpoints:
                    refs.append(ctx.resolve(call_arg(node, None, 0)))
                target = prefixes if dotted(f.value).endswith(".path") else ends
                target.extend(v + ("" if target is prefixes else "*") for v in values or ())

    walk(func.body, Finder())
    return tuple(endpoints), tuple(paths), tuple(refs), (tuple(scope_endpoints), tuple(scope_paths))


def _address_tests(test, negated: bool = False):
    """(test of the request's endpoint or path, whether it is negated) in an ``if`` test."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        yield from _address_tests(test.expression, not negated)
    elif isinstance(test, cst.BooleanOperation):
        yield from _address_tests(test.left, negated)
        yield from _address_tests(test.right, negated)
    elif isinstance(test, cst.Comparison) and (dotted(test.left) or "").endswith((".path", ".endpoint", ".blueprint")):
        yield test, negated ^ isinstance(test.comparisons[0].operator, (cst.NotIn, cst.NotEqual))
    elif isinstance(test, cst.Call) and isinstance(test.func, cst.Attribute) and test.func.attr.value == "startswith" \
            and (dotted(test.func.value) or "").endswith((".path", ".endpoint")):
        yield test, negated


def _branch_ends(block) -> tuple[bool, bool]:
    """(the block turns the request away somewhere in it, the block only hands it on with a bare
    ``return``/``return None``)."""
    rejects = bool(rejections(block))
    return rejects, bool(collect(block, cst.Return)) and not rejects
