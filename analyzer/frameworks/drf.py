"""Django REST Framework adapter: routers and viewsets, ``@action``, ``@api_view``,
permission classes (with ``&``, ``|``, ``~``), ``REST_FRAMEWORK`` defaults and the
serializers that views use.

- ``router.register("users", UserViewSet)`` emits a list route (``users/``: list,
  create) and a detail route (``users/<pk>/``: retrieve, update, partial_update,
  destroy); the linker keeps the actions the viewset defines or inherits from DRF's
  mixins, and adds the viewset's ``@action`` methods below them.  Findings on these
  routes are reported on the viewset method (or action) when the project defines it,
  else on the ``register()`` line.
- An ``@api_view`` function is, as in DRF, a view class: it is emitted as a class fact
  whose methods are the listed HTTP verbs, handled by the function itself, with its
  ``@permission_classes`` as the class's ``permission_classes``.
- ``DEFAULT_PERMISSION_CLASSES`` is a settings-level default for ``permission_classes``
  (absent: AllowAny, so views that set nothing are unprotected).
"""
from __future__ import annotations

import re

from dataclasses import replace

import libcst as cst

from ..walk import collect, walk
from ..facts import ClassFact, DefaultGuards, GuardUse, MethodFact, Route, Router, SchemaUse
from ..names import NOT_LITERAL, assignments, base_exprs, call_arg, dotted, literal, method_names, render_path, string_list
from .base import Adapter
from .django import _defs, _top_statements
from ..states import Effect

P = "rest_framework.permissions."
SAFE = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Permission classes that authenticate writes only (reads are public).
READ_ONLY_FOR_ANON = {P + "IsAuthenticatedOrReadOnly", P + "DjangoModelPermissionsOrAnonReadOnly"}
ROUTERS = {"rest_framework.routers.DefaultRouter", "rest_framework.routers.SimpleRouter",
           "rest_framework_nested.routers.DefaultRouter", "rest_framework_nested.routers.SimpleRouter",
           "rest_framework_extensions.routers.ExtendedSimpleRouter",
           "rest_framework_extensions.routers.ExtendedDefaultRouter"}
# drf-nested-routers: ``NestedSimpleRouter(parent_router, "vendors", lookup="vendor")`` serves its
# registrations below an item of the parent's ``vendors/<vendor_pk>/``
NESTED_ROUTERS = {"rest_framework_nested.routers.NestedSimpleRouter", "rest_framework_nested.routers.NestedDefaultRouter"}
ROUTERS |= NESTED_ROUTERS
LIST_ACTIONS = (("GET", "list"), ("POST", "create"))
DETAIL_ACTIONS = (("GET", "retrieve"), ("PUT", "update"), ("PATCH", "partial_update"), ("DELETE", "destroy"))
API_VIEW = "rest_framework.decorators.api_view"
ACTION = {"rest_framework.decorators.action", "rest_framework.decorators.detail_route",
          "rest_framework.decorators.list_route"}
ROUTE_DECORATORS = ("detail_route", "list_route")  # DRF 2's, kept by vendored copies
PERMISSION_DECORATOR = "rest_framework.decorators.permission_classes"
DRF_DECORATORS = {API_VIEW, PERMISSION_DECORATOR, "rest_framework.decorators.authentication_classes",
                  "rest_framework.decorators.throttle_classes", "rest_framework.decorators.renderer_classes",
                  "rest_framework.decorators.parser_classes", "rest_framework.decorators.schema"}

_MIXINS = {
    "ListModelMixin": ("list",), "CreateModelMixin": ("create",), "RetrieveModelMixin": ("retrieve",),
    "UpdateModelMixin": ("update", "partial_update"), "DestroyModelMixin": ("destroy",),
}
_GENERICS = {
    "ListAPIView": ("get",), "CreateAPIView": ("post",), "RetrieveAPIView": ("get",),
    "DestroyAPIView": ("delete",), "UpdateAPIView": ("put", "patch"), "ListCreateAPIView": ("get", "post"),
    "RetrieveUpdateAPIView": ("get", "put", "patch"), "RetrieveDestroyAPIView": ("get", "delete"),
    "RetrieveUpdateDestroyAPIView": ("get", "put", "patch", "delete"), "GenericAPIView": (),
}
_VIEWSETS = {
    "ModelViewSet": ("list", "create", "retrieve", "update", "partial_update", "destroy"),
    "ReadOnlyModelViewSet": ("list", "retrieve"), "ViewSet": (), "GenericViewSet": (), "ViewSetMixin": (),
}
PROVIDED = {
    **{f"rest_framework.mixins.{k}": v for k, v in _MIXINS.items()},
    **{f"rest_framework.generics.{k}": v for k, v in _GENERICS.items()},
    **{f"rest_framework.viewsets.{k}": v for k, v in _VIEWSETS.items()},
    "rest_framework.views.APIView": (),
}


class DRFAdapter(Adapter):
    name = "drf"
    # also vendored copies (taiga ships its own DRF fork): viewsets, routers and permissions by shape
    markers = ("rest_framework", "REST_FRAMEWORK", "ViewSet", "APIView", r"\.register\(", r"def register\(",
               "permission_classes", "_perms =", "detail_route", "list_route")
    known_guards = {
        **dict.fromkeys([P + n for n in (
            "IsAuthenticated", "IsAdminUser", "DjangoModelPermissions", "DjangoObjectPermissions")], Effect.AUTH),
        **dict.fromkeys([
            "oauth2_provider.contrib.rest_framework.TokenHasScope",
            "oauth2_provider.contrib.rest_framework.TokenHasReadWriteScope",
            "oauth2_provider.contrib.rest_framework.IsAuthenticatedOrTokenHasScope",
        ], Effect.AUTH),
        P + "AllowAny": Effect.PUBLIC,
        # the token endpoints of the REST token libraries: the way in (they check the credentials
        # or the token the request brings), public by design, and so are project subclasses of them
        **dict.fromkeys([
            *(f"rest_framework_simplejwt.views.{v}" for v in (
                "TokenObtainPairView", "TokenObtainSlidingView", "TokenRefreshView", "TokenRefreshSlidingView",
                "TokenVerifyView", "TokenBlacklistView", "token_obtain_pair", "token_refresh", "token_verify",
                "token_blacklist")),
            "rest_framework.authtoken.views.ObtainAuthToken", "rest_framework.authtoken.views.obtain_auth_token",
            # djangorestframework-jwt (WebODM) and its maintained fork drf-jwt
            *(f"rest_framework_jwt.views.{v}" for v in (
                "ObtainJSONWebToken", "RefreshJSONWebToken", "VerifyJSONWebToken", "obtain_jwt_token",
                "refresh_jwt_token", "verify_jwt_token")),
        ], Effect.PUBLIC),
    }
    auth_exceptions = frozenset({
        "rest_framework.exceptions.NotAuthenticated", "rest_framework.exceptions.PermissionDenied",
        "rest_framework.exceptions.AuthenticationFailed",
    })
    class_guard_attrs = {"permission_classes": "permission"}
    provided_methods = PROVIDED
    chain_ends = frozenset(k for k in PROVIDED if not k.startswith("rest_framework.mixins."))
    entry_methods = frozenset({"initial", "check_permissions", "get_permissions"})
    guard_methods = {"has_permission": "request", "has_object_permission": "item",
                     "check_permissions": "request"}  # a vendored DRF 2 fork's permission components
    # taiga's ResourcePermission: ``list_perms = AllowAny()``, ``update_perms = IsTheSameUser()``...
    action_guard_attrs = {"_perms": ("global_perms", "enough_perms")}
    framework_methods = frozenset({"initial", "get_permissions", "check_permissions", "permission_denied"})
    request_attrs = frozenset({"data", "query_params"})
    request_types = frozenset({"rest_framework.request.Request"})
    response_wrappers = frozenset({"rest_framework.response.Response"})
    # ``password = CharField(write_only=True)``; ``class Meta: exclude = ("password",)``
    hiding_keywords = frozenset({"write_only", "exclude"})
    read_views = frozenset(f"drf_spectacular.views.Spectacular{v}View" for v in ("API", "JSONAPI", "YAMLAPI", "Swagger", "Redoc"))
    client_inputs = {"request.query_params": "query", "request.data": "body"}
    response_sinks = frozenset(f"rest_framework.exceptions.{c}" for c in (
        "APIException", "ValidationError", "ParseError", "PermissionDenied", "NotFound"))
    # -- authorization (analyzer/authz.py) --
    authz_guards = {
        P + "IsAdminUser": "role", P + "DjangoModelPermissions": "role", P + "DjangoObjectPermissions": "owner",
        P + "DjangoModelPermissionsOrAnonReadOnly": "role",
        P + "IsAuthenticatedOrReadOnly": "readonly",
        "oauth2_provider.contrib.rest_framework.TokenHasScope": "role",
        "oauth2_provider.contrib.rest_framework.TokenHasReadWriteScope": "role",
        "oauth2_provider.contrib.rest_framework.TokenMatchesOASRequirements": "role",
    }
    caller_names = frozenset({"request.user", "self.request.user", "request.auth", "self.request.auth"})
    client_sources = frozenset({"request.data", "request.query_params", "self.request.query_params", "self.kwargs",
                                "self.request.data",
                                # DRF 2's names, still what vendored forks of it (taiga) use
                                "request.DATA", "request.QUERY_PARAMS", "self.request.DATA", "self.request.QUERY_PARAMS"})
    object_permission_calls = frozenset({".check_object_permissions"})
    object_fetchers = frozenset({"get_object"})
    implicit_lookup_attrs = frozenset({"queryset", "model"})
    object_methods = frozenset({"get_queryset", "get_object", "initial", "check_object_permissions"})

    def extract(self, ctx, sink) -> None:
        _DRFFile(ctx, sink).run()


class _DRFFile:
    def __init__(self, ctx, sink):
        self.ctx = ctx
        self.sink = sink
        self.module = ctx.module

    def run(self) -> None:
        self._routers()
        self._settings()
        self._built_settings()
        self._classes()
        self._api_views()

    # -- permission expressions --------------------------------------------------------------
    def permission_uses(self, expr) -> list[GuardUse]:
        """Guard uses for one permission expression: ``A & B`` is both, ``A | B`` passes if
        either does, ``~A`` is no guard; the "...OrReadOnly" classes guard writes only."""
        ctx = self.ctx
        if isinstance(expr, cst.BinaryOperation):
            if isinstance(expr.operator, cst.BitAnd):
                return self.permission_uses(expr.left) + self.permission_uses(expr.right)
            if isinstance(expr.operator, cst.BitOr):
                alts = [self._leaves(expr)]
                targets = tuple(t for t in alts[0] if t)
                return [GuardUse("", ctx.code(expr), ctx.loc(expr), "permission", alternatives=targets or ("",))]
            return []
        if isinstance(expr, cst.UnaryOperation):
            return []
        if isinstance(expr, cst.BooleanOperation):  # [IsAdminUser or IsOwner]: Python picks the first class
            return self.permission_uses(expr.left if isinstance(expr.operator, cst.Or) else expr.right)
        target_expr = expr.func if isinstance(expr, cst.Call) else expr
        target = ctx.resolve(target_expr)
        loc, code = ctx.loc(expr), ctx.code(expr)
        if target in READ_ONLY_FOR_ANON:
            return [GuardUse(target, code, loc, "permission", WRITES, Effect.AUTH),
                    GuardUse(target, code, loc, "permission", SAFE, Effect.PUBLIC)]
        return [GuardUse(target, code, loc, "permission")]

    def _leaves(self, expr) -> list[str]:
        """The alternatives of an ``|`` expression: a class, or a chain that passes only when
        each of its factors does, ``A&B`` (``(A|B)&C`` is ``A+B&C``); '' for what is not judged
        (``~A``, ``A - B``)."""
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
            return self._leaves(expr.left) + self._leaves(expr.right)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitAnd):
            factors = self._factors(expr)
            return ["&".join(factors)] if all(factors) else [""]
        if isinstance(expr, (cst.BinaryOperation, cst.UnaryOperation)):
            return [""]
        return [self.ctx.resolve(expr.func if isinstance(expr, cst.Call) else expr)]

    def _factors(self, expr) -> list[str]:
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitAnd):
            return self._factors(expr.left) + self._factors(expr.right)
        alts = self._leaves(expr)  # one class, or an | of classes
        return ["+".join(alts)] if all(alts) and not any("&" in a for a in alts) else [""]

    def permission_list(self, expr) -> tuple[GuardUse, ...]:
        if isinstance(expr, (cst.List, cst.Tuple)) and not expr.elements:
            # ``permission_classes = []`` checks nothing, on purpose: public, as AllowAny says it
            return (GuardUse(P + "AllowAny", f"{self.ctx.code(expr)} (no permission class)", self.ctx.loc(expr),
                             "permission"),)
        if isinstance(expr, (cst.List, cst.Tuple)):
            return tuple(u for e in expr.elements if isinstance(e, cst.Element) for u in self.permission_uses(e.value))
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            # RalphAPIViewSet.permission_classes + [IsSuperuserOrReadonly]: the linker expands the base's
            return self.permission_list(expr.left) + self.permission_list(expr.right)
        return tuple(self.permission_uses(expr))

    # -- routers ----------------------------------------------------------------------------
    def _routers(self) -> None:
        ctx = self.ctx
        made, registers = {}, []
        for stmt in _top_statements(ctx.tree.body):
            if isinstance(stmt, cst.FunctionDef):
                self._registering_function(stmt)
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.Expr)) and isinstance(small.value, cst.Call):
                    self._router_passed(small.value, made)
                if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call) \
                        and isinstance(small.targets[0].target, cst.Name) and ctx.resolve(small.value.func):
                    name = small.targets[0].target.value
                    if name not in made or not _passes(small.value, name):
                        made[name] = small  # (``v2_api = add_user_urls(v2_api)`` keeps the router it had)
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    chain, call = [], small.value  # router.register("epics", E).register("related", R, ...)
                    while isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                            and call.func.attr.value == "register":
                        chain.insert(0, call)
                        call = call.func.value
                    if chain and isinstance(call, cst.Name) and (call.value in made or call.value in ctx.imports
                                                                 and _registers_views(ctx, chain)):
                        registers.append(chain)  # a router made here, or one shared from another module
        # a known router class, or any instance that registers viewsets under a path prefix: its
        # class hierarchy decides when linking (a project subclass, a vendored copy)
        routers = {}
        for chain in registers:
            call = chain[0]
            name = call.func.value.value
            literal_prefix = isinstance(call_arg(call, "prefix", 0), (cst.SimpleString, cst.FormattedString,
                                                                        cst.ConcatenatedString))
            router_id = f"{self.module}.{name}" if name in made else ctx.resolve(call.func.value)
            if name not in routers and name not in made:
                # ``from ralph.api import router``: one instance that every app module registers its
                # viewsets on; it is named here by where it is imported from, as the URLconf that
                # includes its urls names it
                if not literal_prefix:
                    continue
                routers[name] = "/"
                self.sink.routers.append(Router(router_id, "router", "django", "", "/", ctx.loc(call)))
            elif name not in routers:
                assign = made[name]
                cls = ctx.resolve(assign.value.func)
                if cls not in ROUTERS and not literal_prefix:
                    continue
                routers[name] = _slash(made, name)
                self.sink.routers.append(Router(router_id, "router", "django", "", "/",
                                                ctx.loc(assign), cls="" if cls in ROUTERS else cls))
            ancestors = []  # a nested registration (drf-extensions' NestedRouterMixin) is served below
            nesting = _nesting(made, name) if name in made else []
            for call in chain:  # an item of each registration it is chained to, named by its lookups
                lookups = list(string_list(call_arg(call, "parents_query_lookups")) or ())
                lookups = (["pk"] * len(ancestors) + lookups)[len(lookups):] if ancestors else []
                prefix = self._register(router_id, routers[name], call,
                                        nesting + list(zip(ancestors, lookups)))
                if prefix is None:
                    break
                ancestors.append(prefix)

    def _router_passed(self, call: cst.Call, made: dict) -> None:
        """``add_user_urls(v2_api)``: a router made here handed to a project function, which
        registers its views on it (the linker binds the function's parameter to it)."""
        for i, arg in enumerate(call.args):
            if isinstance(arg.value, cst.Name) and arg.value.value in made and not arg.star:
                self.sink.bindings.append((self.ctx.resolve(call.func), arg.keyword.value if arg.keyword else str(i),
                                           f"{self.module}.{arg.value.value}"))

    def _registering_function(self, node: cst.FunctionDef) -> None:
        """``def add_user_urls(router): router.register(r"users", UserViewSet)``: the views a
        module-level function registers on the router it is given, under literal prefixes, are
        routes of whatever router its callers pass."""
        params = {p.name.value for p in node.params.params}
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                call = small.value if isinstance(small, cst.Expr) else None
                if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                        and call.func.attr.value == "register" and isinstance(call.func.value, cst.Name) \
                        and call.func.value.value in params and _registers_views(self.ctx, [call]) \
                        and isinstance(call_arg(call, "prefix", 0), (cst.SimpleString, cst.ConcatenatedString)):
                    router_id = f"{self.module}.{node.name.value}.{call.func.value.value}"
                    if not any(r.id == router_id for r in self.sink.routers):
                        self.sink.routers.append(Router(router_id, "router", "django", "", "/", self.ctx.loc(call)))
                    self._register(router_id, "/", call)

    def _router_class(self, qual: str, node: cst.ClassDef) -> None:
        """A router class wherever it is defined: a subclass of DRF's, or a class that defines
        the router protocol itself, ``register(self, prefix, viewset, ...)`` (a vendored copy).
        Instances of its subclasses are routers (the linker follows the bases)."""
        bases = [self.ctx.resolve(b) for b in base_exprs(node)]
        register = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "register"),
                        None)
        params = [p.name.value for p in register.params.params] if register is not None else []
        if any(b in ROUTERS for b in bases) or params[1:3] == ["prefix", "viewset"]:
            self.sink.routers.append(Router(qual, "class", "django", "", "", self.ctx.loc(node.name)))

    def _register(self, router: str, slash: str, call: cst.Call, parents=()) -> str | None:
        """Routes of ``router.register(prefix, viewset)``; ``parents``: (prefix, lookup) of the
        registrations it is nested below. Returns its own prefix."""
        ctx = self.ctx
        viewset = call_arg(call, "viewset", 1)
        if viewset is None:
            return None
        own = render_path(call_arg(call, "prefix", 0), ctx.strings, ctx.code).lstrip("^").rstrip("$")
        prefix = "/".join([*(f"{p.rstrip('/')}/<{lookup}>" for p, lookup in parents), own])
        cls = ctx.resolve(viewset)
        basename = literal(call_arg(call, "basename", 2) or call_arg(call, "base_name"))
        base = basename if isinstance(basename, str) else cls.rpartition(".")[2].lower().removesuffix("viewset")
        loc = ctx.loc(call)
        list_path = prefix.rstrip("/") + slash if prefix else ""
        detail_path = (prefix.rstrip("/") + "/" if prefix else "") + "<pk>" + slash
        for path, actions, group, item, suffix in ((list_path, LIST_ACTIONS, "list", False, "list"),
                                                   (detail_path, DETAIL_ACTIONS, "detail", True, "detail")):
            self.sink.routes.append(Route(
                router, "django", path, (), cls, None, loc, f"{base}-{suffix}", view_class=cls,
                span_start=loc.line, by_reference=True, actions=actions, subroutes=group, item=item))
        return own

    # -- settings ------------------------------------------------------------------------------
    def _settings(self) -> None:
        ctx = self.ctx
        for stmt in _top_statements(ctx.tree.body):
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if not isinstance(small, cst.Assign):
                    continue
                target = small.targets[0].target
                if isinstance(target, cst.Name) and target.value == "REST_FRAMEWORK" and isinstance(small.value, cst.Dict):
                    self._dict_default(small.value)
                elif isinstance(target, cst.Name) and target.value == "REST_FRAMEWORK" and isinstance(small.value, cst.Call):
                    # REST_FRAMEWORK = get_drf_settings(require_login=REQUIRE_LOGIN): what that function returns
                    self.sink.defaults.append(DefaultGuards("permission_classes", (), ctx.loc(small), ("rest_framework.",),
                                                            via=ctx.resolve(small.value.func)))
                elif isinstance(target, cst.Subscript) and getattr(target.value, "value", None) == "REST_FRAMEWORK" \
                        and isinstance(target.slice[0].slice, cst.Index) \
                        and literal(target.slice[0].slice.value) == "DEFAULT_PERMISSION_CLASSES":
                    self._default(small.value, ctx.loc(small))

    def _built_settings(self) -> None:
        """A module-level function returning a dict with ``DEFAULT_PERMISSION_CLASSES``: the
        defaults of the settings it builds (they apply where some settings module calls it)."""
        for qual, node in _defs(self.module, self.ctx.tree.body):
            if not isinstance(node, cst.FunctionDef) or qual.count(".") != self.module.count(".") + 1:
                continue
            for ret in collect(node.body, cst.Return):
                if isinstance(ret.value, cst.Dict):
                    self._dict_default(ret.value, source=qual)

    def _dict_default(self, settings: cst.Dict, source: str = "") -> None:
        """The ``DEFAULT_PERMISSION_CLASSES`` of a settings dict written out."""
        for el in settings.elements:
            if isinstance(el, cst.DictElement) and literal(el.key) == "DEFAULT_PERMISSION_CLASSES":
                self._default(el.value, self.ctx.loc(el), source=source)

    def _default(self, value, loc, source: str = "") -> None:
        ctx = self.ctx
        if isinstance(value, (cst.List, cst.Tuple)) and any(isinstance(el.value, cst.IfExp) for el in value.elements):
            # ["...IsAuthenticated" if require_login else "...IsAuthenticatedOrReadOnly"]: a switch the
            # deployment sets; the checks hold only what both settings guarantee, so the one that lets more in
            value = value.with_changes(elements=[el.with_changes(value=_more_open(el.value)) for el in value.elements])
        names = string_list(value)
        uses = []
        if names is not None:
            elements = value.elements if isinstance(value, (cst.List, cst.Tuple)) else [None] * len(names)
            for name, el in zip(names, elements):
                where = ctx.loc(el.value) if el is not None else loc
                if name in READ_ONLY_FOR_ANON:
                    uses += [GuardUse(name, name.rpartition(".")[2], where, "permission", WRITES, Effect.AUTH),
                             GuardUse(name, name.rpartition(".")[2], where, "permission", SAFE, Effect.PUBLIC)]
                else:
                    uses.append(GuardUse(name, name.rpartition(".")[2], where, "permission"))
        else:
            uses = list(self.permission_list(value))
        self.sink.defaults.append(DefaultGuards("permission_classes", tuple(uses), loc, ("rest_framework.",),
                                                source=source))

    # -- classes: permission operators, actions, permission methods, serializer use -----------------
    def _classes(self) -> None:
        ctx = self.ctx
        updates, evidence, asked, decided, unchecked = {}, {}, {}, {}, {}
        for qual, node in _defs(self.module, ctx.tree.body):
            if not isinstance(node, cst.ClassDef):
                continue
            self._router_class(qual, node)
            perms = None
            methods = {}
            per_action = []
            for name, value, small in assignments(node.body.body):
                if name == "permission_classes":
                    perms = self.permission_list(value)
                elif name.endswith("_perms"):
                    per_action.append((name, self._action_perms(value, per_action)))
                elif name == "serializer_class" and ctx.resolve(value):
                    self.sink.schema_uses.append(SchemaUse(qual, ctx.resolve(value), ctx.loc(small)))
                elif name == "filter_backends" and isinstance(value, (cst.List, cst.Tuple)):
                    backends = [b for e in value.elements if (b := ctx.resolve(e.value))]
                    methods["__filters__"] = ",".join(backends)
            for stmt in node.body.body:
                if isinstance(stmt, cst.FunctionDef):
                    action = self._action(stmt)
                    if action:
                        methods[stmt.name.value] = action
                    checks = _checked_actions(stmt)
                    if checks:  # judged by the view's permission classes for these actions, not
                        asked[f"{qual}.{stmt.name.value}"] = f"{qual}.check_permissions"  # as its own check
                    if checks and checks != (stmt.name.value,):
                        methods.setdefault(stmt.name.value, {})["checks"] = checks
                    if stmt.name.value in ("get_queryset", "filter_queryset") and _reads_user(stmt):
                        methods.setdefault("__scoped__", True)
                    if stmt.name.value == "get_permissions":  # read by the linker per action (RouteExpander._handlers)
                        per_action.extend((f"permission_classes:{action}", uses)
                                          for action, uses in self._permissions_by_action(stmt).items())
                    if stmt.name.value in ("has_permission", "has_object_permission", "check_permissions"):
                        found = _user_checks(stmt, {s.name.value: s for s in node.body.body
                                                    if isinstance(s, cst.FunctionDef) and s is not stmt})
                        if found:
                            evidence[f"{qual}.{stmt.name.value}"] = found
                            if stmt.name.value == "has_permission":
                                unchecked[f"{qual}.has_permission"] = _unchecked_methods(stmt)
                        verdicts = [ctx.resolve(r.value.func) for r in collect(stmt.body, cst.Return)
                                    if type(r.value) is cst.Call]
                        verdicts = [v for v in verdicts if v]
                        if verdicts:  # return check_admin(request.user): the helper's answer is the verdict
                            decided[f"{qual}.{stmt.name.value}"] = verdicts
                    self._serializer_calls(f"{qual}.{stmt.name.value}", stmt)
            if perms is not None or methods or per_action:
                updates[qual] = (perms, methods, per_action)
        if updates:
            out = []
            for c in self.sink.classes:
                if c.qualname in updates:
                    perms, methods, per_action = updates[c.qualname]
                    if methods.pop("__scoped__", False):
                        c = replace(c, scoped=True)
                    if "__filters__" in methods:  # read with the class's scoping (RouteExpander)
                        c = replace(c, attrs=(*c.attrs, ("filter_backends", methods.pop("__filters__"))))
                    if per_action:
                        c = replace(c, guard_attrs=(*c.guard_attrs, *per_action))
                    if perms is not None:
                        c = replace(c, guard_attrs=tuple((a, perms if a == "permission_classes" else u)
                                                         for a, u in c.guard_attrs))
                    c = replace(c, methods=tuple(replace(m, **methods[m.name]) if m.name in methods else m
                                                 for m in c.methods))
                out.append(c)
            self.sink.classes[:] = out
        if asked:
            self.sink.functions[:] = [
                replace(f, calls=tuple(c for c in f.calls if c != asked[f.qualname])) if f.qualname in asked else f
                for f in self.sink.functions]
        if decided:
            self.sink.functions[:] = [
                replace(f, tested=tuple(sorted({*f.tested, *decided[f.qualname]}))) if f.qualname in decided else f
                for f in self.sink.functions]
        if evidence:
            self.sink.functions[:] = [
                replace(f, evidence=tuple(sorted({*f.evidence, *evidence[f.qualname]})),
                        unchecked=unchecked.get(f.qualname, ())) if f.qualname in evidence else f
                for f in self.sink.functions]

    def _permissions_by_action(self, node: cst.FunctionDef) -> dict:
        """The permission classes ``get_permissions`` picks for the actions it names: ``if
        self.action in ("list", "retrieve"): permission_classes = [IsOwner]`` (or ``return
        [IsOwner()]``) -> {"list": uses, "retrieve": uses}; "*": those it picks for every other
        action (set before the tests, in the last ``else``, or returned after them). Without a
        "*" (``return super().get_permissions()``) the other actions keep the class's."""
        out: dict = {}

        def chosen(body) -> tuple:
            value = next((v for name, v, _ in assignments(body) if name == "permission_classes"), None)
            if value is None:
                value = next((small.value for line in body if isinstance(line, cst.SimpleStatementLine)
                              for small in line.body if isinstance(small, cst.Return) and small.value is not None), None)
            if isinstance(value, cst.ListComp):  # [permission() for permission in [...]]
                value = value.for_in.iter
            return self.permission_list(value) if isinstance(value, (cst.List, cst.Tuple)) else ()

        for stmt in node.body.body:
            if not isinstance(stmt, cst.If):
                uses = chosen([stmt])
                if uses and "*" not in out:
                    out["*"] = uses
                continue
            branch = stmt
            while branch is not None:
                uses = chosen(branch.body.body)
                for action in _actions_tested(branch.test) if uses else ():
                    out.setdefault(action, uses)
                if isinstance(branch.orelse, cst.Else) and chosen(branch.orelse.body.body):
                    out["*"] = chosen(branch.orelse.body.body)
                branch = branch.orelse if isinstance(branch.orelse, cst.If) else None
        return out

    def _action_perms(self, value, earlier) -> tuple[GuardUse, ...]:
        """The guards of one per-action permission attribute: ``None`` is none; a component
        named AllowAny lets everyone in; any other component is a custom permission check;
        ``retrieve_perms`` (another attribute) is that attribute's guards."""
        if isinstance(value, cst.Name) and value.value == "None":
            return ()
        if isinstance(value, cst.Name):
            found = dict(earlier).get(value.value)
            if found is not None:
                return found
        out = []
        for u in self.permission_list(value):
            if u.alternatives or u.target in self.ctx.knowledge.known_guards:
                out.append(u)
            else:
                out.append(replace(u, effect=Effect.PUBLIC if u.target.rpartition(".")[2] == "AllowAny" else Effect.AUTH))
        return tuple(out)

    def _action(self, node: cst.FunctionDef):
        ctx = self.ctx
        for d in node.decorators:
            expr = d.decorator
            q = ctx.resolve(expr.func if isinstance(expr, cst.Call) else expr)
            route_style = q.rpartition(".")[2] in ROUTE_DECORATORS
            if q not in ACTION and not route_style:
                continue
            call = expr if isinstance(expr, cst.Call) else None
            detail = literal(call_arg(call, "detail", 0)) if call else None
            if q.endswith("detail_route"):
                detail = True
            elif q.endswith("list_route"):
                detail = False
            methods = method_names(call_arg(call, "methods", 0 if route_style else None)) if call else None
            url_path = literal(call_arg(call, "url_path")) if call else None
            suffix = (url_path if isinstance(url_path, str) else node.name.value).strip("/") + "/"
            out = {"subroute": ("detail" if detail is True else "list", suffix,
                                tuple(m.upper() for m in methods) if methods else ("GET",), detail is True)}
            perms = call_arg(call, "permission_classes") if call else None
            if perms is not None:
                out["guard_attrs"] = (("permission_classes", self.permission_list(perms)),)
            return out
        return None

    def _serializer_calls(self, owner: str, node: cst.FunctionDef) -> None:
        """Serializer classes a view method or function instantiates or returns."""
        ctx, sink = self.ctx, self.sink

        class Finder(cst.CSTVisitor):
            def visit_Call(self, call: cst.Call) -> None:
                q = ctx.resolve(call.func)
                if q.endswith(("Serializer", "Validator")):  # taiga names its input serializers validators
                    positional = [a for a in call.args if a.keyword is None and not a.star]
                    renders = len(positional) < 2 and not any(a.keyword and a.keyword.value == "data" or a.star
                                                              for a in call.args)
                    sink.schema_uses.append(SchemaUse(owner, q, ctx.loc(call), renders))

            def visit_Return(self, ret: cst.Return) -> None:
                if ret.value is not None and not isinstance(ret.value, cst.Call):
                    q = ctx.resolve(ret.value)
                    if q.endswith("Serializer"):
                        sink.schema_uses.append(SchemaUse(owner, q, ctx.loc(ret)))

        walk(node.body, Finder())
    # -- @api_view functions --------------------------------------------------------------------
    def _api_views(self) -> None:
        ctx = self.ctx
        for qual, node in _defs(self.module, ctx.tree.body):
            if not isinstance(node, cst.FunctionDef):
                continue
            decos = [d.decorator for d in node.decorators]
            names = [ctx.resolve(d.func if isinstance(d, cst.Call) else d) for d in decos]
            if API_VIEW not in names:
                continue
            at = names.index(API_VIEW)
            api = decos[at]
            methods = string_list(call_arg(api, "http_method_names", 0)) if isinstance(api, cst.Call) else None
            methods = tuple(m.upper() for m in methods) if methods else ("GET",)
            perms, misplaced, others = None, [], []
            for i, (d, q) in enumerate(zip(decos, names)):
                if q == PERMISSION_DECORATOR and isinstance(d, cst.Call):
                    uses = self.permission_list(call_arg(d, "permission_classes", 0))
                    if i < at:
                        misplaced.extend(uses)
                    else:
                        perms = (perms or ()) + uses
                elif q not in DRF_DECORATORS:
                    others.append(ctx.guard_use(d))
            span = ctx.span_start(node)
            loc = ctx.loc(node.name)
            self.sink.classes.append(ClassFact(
                qual, loc, ("rest_framework.views.APIView",),
                tuple(MethodFact(m.lower(), loc, span, tuple(others), handler=qual) for m in methods),
                (("permission_classes", perms),) if perms is not None else ()))
            if misplaced:
                self.sink.functions[:] = [replace(f, misplaced=(*f.misplaced, *misplaced)) if f.qualname == qual else f
                                          for f in self.sink.functions]
            self._serializer_calls(qual, node)


def _checked_actions(node: cst.FunctionDef) -> tuple[str, ...]:
    """Action names a view method passes to ``self.check_permissions(request, "name", ...)``."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "check_permissions" \
                    and dotted(func.value) == "self":
                name = literal(call_arg(call, "action", 1))
                if isinstance(name, str) and name not in found:
                    found.append(name)

    walk(node.body, Finder())
    return tuple(found)


# What an authentication class leaves on the request: ``request.auth``, ``request.organization_token``
_CREDENTIAL_ATTR = re.compile(r"^auth$|token|api_?key|credential", re.IGNORECASE)


_USER = ("request.user", "self.request.user")


def _user_checks(node: cst.FunctionDef, siblings: dict | None = None) -> list[str]:
    """Signs that a permission method tests the requesting user (``return request.user.is_authenticated``),
    asks the user's own permission methods for its verdict (Kolibri's ``return
    request.user.can_update(obj)``), or tests the credential an authentication class verified and
    left on the request (``return bool(getattr(request, "organization_token", None))``, ``request.auth``);
    ``siblings``: the class's other methods, whose checks count where this one calls them
    (``return all(self.validator(request, view, d) for d in data)``)."""
    found = []
    siblings = siblings or {}

    class Finder(cst.CSTVisitor):
        def visit_Return(self, r: cst.Return) -> None:
            asked = r.value.func if type(r.value) is cst.Call else None
            if type(asked) is cst.Attribute and dotted(asked.value) in _USER \
                    and f"{dotted(asked)}()" not in found:
                found.append(f"{dotted(asked)}()")
            # return request.user.can_manage_content / any(getattr(request.user, f) for f in FIELDS):
            # the verdict is a flag of the caller's account, which no anonymous caller has set
            for node in collect(r.value, cst.Attribute) if r.value is not None else ():
                if dotted(node.value) in _USER and f"{dotted(node)}" not in found:
                    found.append(dotted(node))
            for call in collect(r.value, cst.Call) if r.value is not None else ():
                if dotted(call.func) == "getattr" and call.args and dotted(call.args[0].value) in _USER \
                        and "getattr(request.user, ...)" not in found:
                    found.append("getattr(request.user, ...)")

        def visit_Attribute(self, a: cst.Attribute) -> None:
            if a.attr.value in ("is_authenticated", "is_staff", "is_superuser") and a.attr.value not in found:
                found.append(a.attr.value)
            elif dotted(a.value) == "request" and _CREDENTIAL_ATTR.search(a.attr.value) and a.attr.value not in found:
                found.append(f"request.{a.attr.value}")

        def visit_Call(self, c: cst.Call) -> None:
            called = dotted(c.func) or ""
            if called.startswith("self.") and called[5:] in siblings:
                found.extend(x.removeprefix("checks ") for x in _user_checks(siblings.pop(called[5:]), siblings)
                             if x.removeprefix("checks ") not in found)
            name = literal(call_arg(c, None, 1)) if dotted(c.func) == "getattr" and len(c.args) >= 2 \
                and dotted(c.args[0].value) == "request" else None
            if isinstance(name, str) and _CREDENTIAL_ATTR.search(name) and f"request.{name}" not in found:
                found.append(f"request.{name}")

    walk(node.body, Finder())
    return [f"checks {a}" for a in found]


_BODY = frozenset({"request.data", "request.DATA", "request.body", "request.POST", "request.FILES"})


def _unchecked_methods(node: cst.FunctionDef) -> tuple[str, ...]:
    """The HTTP methods a permission class's request check lets through with no check of the
    caller: "GET:declared" where a method test grants them (``if request.method in SAFE_METHODS:
    return True``, ``return request.method in SAFE_METHODS or ...``), "GET" where a ``return
    True`` reached by default does (Kolibri's ``# other methods get checked below``), "POST:empty"
    where only a request without a body reaches it (``if request.method == "POST" and
    request.data: return all(...)``). Paths are (method, body) pairs followed through the
    ``if``s; a return of anything else than a literal truth or a method test is a check."""
    every = frozenset((m, b) for m in _METHOD_ACTIONS for b in ("data", "empty"))
    passed: dict[tuple[str, str], str] = {}

    def method_test(test) -> tuple[frozenset, bool] | None:
        """The paths on which a test of the method (True) or of the body's presence (False) holds."""
        if isinstance(test, cst.Comparison) and dotted(test.left) in ("self.request.method", "request.method"):
            actions = set(_actions_tested(test))
            return frozenset(p for p in every if set(_METHOD_ACTIONS[p[0]]) <= actions), True
        if dotted(test) in _BODY or isinstance(test, cst.Call) and dotted(test.func) in ("len", "bool") \
                and len(test.args) == 1 and dotted(test.args[0].value) in _BODY:
            return frozenset(p for p in every if p[1] == "data"), False
        return None

    def split(test, cur: frozenset) -> tuple[frozenset, frozenset, bool, bool]:
        """(paths on which ``test`` may hold, paths on which it may fail, whether a method test
        decided, whether it tests nothing else: a test of the caller makes what follows checked)."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            t, f, m, pure = split(test.expression, cur)
            return f, t, m, pure
        if isinstance(test, cst.BooleanOperation):
            lt, lf, lm, lp = split(test.left, cur)
            if isinstance(test.operator, cst.And):
                rt, rf, rm, rp = split(test.right, lt)
                return rt, lf | rf, lm or rm, lp and rp
            rt, rf, rm, rp = split(test.right, lf)
            return lt | rt, rf, lm or rm, lp and rp
        known = method_test(test)
        if known is None:
            return cur, cur, False, False
        return cur & known[0], cur - known[0], known[1], True

    def surely(test, cur: frozenset) -> frozenset:
        """The paths on which ``test`` holds whatever else it tests: ``A or B`` where A is a method
        test, not ``super().has_permission(...) and (A or B)``."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return cur - split(test.expression, cur)[0]
        if isinstance(test, cst.BooleanOperation):
            left, right = surely(test.left, cur), surely(test.right, cur)
            return left & right if isinstance(test.operator, cst.And) else left | right
        known = method_test(test)
        return cur & known[0] if known and known[1] else frozenset()

    def grant(paths, how):
        for p in paths:
            if passed.get(p) != "declared":
                passed[p] = how

    def run(stmts, cur: frozenset, declared: bool, checked: bool) -> tuple[frozenset, bool]:
        """The paths that fall through ``stmts``, and whether the statements themselves make what
        follows checked (``if request.user.is_anonymous: return False``)."""
        made = False
        for stmt in stmts:
            if not cur:
                break
            if isinstance(stmt, cst.If):
                t, f, m, pure = split(stmt.test, cur)
                after, m1 = run(stmt.body.body, t, declared or m, checked or not pure)
                rest, m2 = (f, False) if stmt.orelse is None else run(
                    [stmt.orelse] if isinstance(stmt.orelse, cst.If) else stmt.orelse.body.body, f,
                    declared or m, checked or not pure)
                here = (not pure and (not after or not rest)) or (m2 if not after else m1 if not rest else m1 and m2)
                made, checked, cur = made or here, checked or here, after | rest
            elif isinstance(stmt, (cst.For, cst.While, cst.With, cst.Try)):
                cur = cur | run(stmt.body.body, cur, declared, checked)[0]
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Raise):
                        return frozenset(), made
                    if not isinstance(small, cst.Return):
                        continue
                    value = small.value
                    if isinstance(value, cst.Name) and value.value == "True" and not checked:
                        grant(cur, "declared" if declared else "default")
                    elif value is not None and not checked:
                        grant(surely(value, cur), "declared")  # return request.method in SAFE_METHODS [or ...]
                    return frozenset(), made
        return cur, made

    run(node.body.body, every, False, False)
    out = []
    for method in _METHOD_ACTIONS:
        data, empty = passed.get((method, "data")), passed.get((method, "empty"))
        if data and empty:
            out.append(f"{method}:declared" if "declared" in (data, empty) else method)
        elif empty:
            out.append(f"{method}:empty")
    return tuple(out)


def _reads_user(node: cst.FunctionDef) -> bool:
    """The method uses ``request.user`` as a value (a queryset filtered to the requester's
    objects); a read of one of its flags only (``if self.request.user.is_anonymous:``) picks
    between querysets and does not scope them."""
    found, flags = [], set()

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, a: cst.Attribute) -> None:
            if a.attr.value.startswith("is_"):
                flags.add(id(a.value))  # visited before the ``request.user`` it reads off
            if a.attr.value == "user" and isinstance(a.value, (cst.Name, cst.Attribute)) \
                    and (a.value.value if isinstance(a.value, cst.Name) else a.value.attr.value) == "request" \
                    and id(a) not in flags:
                found.append(a)

    walk(node.body, Finder())
    return bool(found)


# What a method test in ``get_permissions`` picks: the view methods and viewset actions each
# HTTP method runs (``if self.request.method == "PATCH": return [IsInstanceAdmin()]``).
_METHOD_ACTIONS = {"GET": ("get", "list", "retrieve"), "HEAD": ("head",), "OPTIONS": ("options",),
                   "POST": ("post", "create"), "PUT": ("put", "update"), "PATCH": ("patch", "partial_update"),
                   "DELETE": ("delete", "destroy")}
_SAFE = ("GET", "HEAD", "OPTIONS")


def _actions_tested(test) -> tuple[str, ...]:
    """The action names a test compares ``self.action`` with (``==``, ``in``), joined by ``or``;
    or the methods and actions of the HTTP methods it compares ``self.request.method`` with
    (``in SAFE_METHODS``, ``not in SAFE_METHODS``)."""
    if isinstance(test, cst.BooleanOperation):
        return _actions_tested(test.left) + _actions_tested(test.right) if isinstance(test.operator, cst.Or) else ()
    if isinstance(test, cst.Comparison) and dotted(test.left) in ("self.request.method", "request.method") \
            and len(test.comparisons) == 1:
        op, value = test.comparisons[0], test.comparisons[0].comparator
        methods = (literal(value),) if isinstance(op.operator, (cst.Equal, cst.NotEqual)) else \
            _SAFE if (dotted(value) or "").rpartition(".")[2] == "SAFE_METHODS" else string_list(value) or ()
        methods = {m.upper() for m in methods if isinstance(m, str)}
        if isinstance(op.operator, (cst.NotEqual, cst.NotIn)):
            methods = set(_METHOD_ACTIONS) - methods
        elif not isinstance(op.operator, (cst.Equal, cst.In)):
            return ()
        return tuple(a for m in sorted(methods) for a in _METHOD_ACTIONS.get(m, ()))
    if not (isinstance(test, cst.Comparison) and dotted(test.left) == "self.action" and len(test.comparisons) == 1):
        return ()
    op = test.comparisons[0]
    if isinstance(op.operator, cst.Equal):
        return (op.comparator.raw_value,) if isinstance(op.comparator, cst.SimpleString) else ()
    if isinstance(op.operator, cst.In) and isinstance(op.comparator, (cst.List, cst.Tuple, cst.Set)):
        return tuple(e.value.raw_value for e in op.comparator.elements if isinstance(e.value, cst.SimpleString))
    return ()


def _nested(call: cst.Call) -> bool:
    """The call makes a drf-nested-routers router (``routers.NestedSimpleRouter(...)``)."""
    return (dotted(call.func) or "").rpartition(".")[2] in {q.rpartition(".")[2] for q in NESTED_ROUTERS}


def _passes(call: cst.Call, name: str) -> bool:
    """``call`` is given the plain name ``name`` as an argument."""
    return any(isinstance(a.value, cst.Name) and a.value.value == name for a in call.args)


def _registers_views(ctx, chain) -> bool:
    """The registrations hand views to the receiver (``router.register("supports", SupportViewSet)``),
    not other things a registry keeps (indico's ``Serializer.register("json", JSONSerializer)``)."""
    return all((ctx.resolve(view) or "").rpartition(".")[2].endswith(("ViewSet", "Viewset", "View", "API", "Api"))
               for call in chain if (view := call_arg(call, "viewset", 1)) is not None)


def _slash(made: dict, name: str, depth: int = 0) -> str:
    """What the router ends its paths with: "" for ``trailing_slash=False``; a nested router
    given none ends them as its parent does."""
    call = made[name].value
    slash = literal(call_arg(call, "trailing_slash"))
    parent = call_arg(call, "parent_router", 0)
    if slash is NOT_LITERAL and isinstance(parent, cst.Name) and parent.value in made and depth < 8 and _nested(call):
        return _slash(made, parent.value, depth + 1)
    return "" if slash is False else "/"


def _nesting(made: dict, name: str, depth: int = 0) -> list[tuple[str, str]]:
    """(prefix, lookup) of the items a nested router serves its registrations below, outermost
    first: ``NestedSimpleRouter(organizations_router, "projects", lookup="project")`` nested in
    one for ``organizations`` -> [("organizations", "organization_pk"), ("projects", "project_pk")]."""
    assign = made.get(name)
    call = assign.value if assign is not None else None
    if call is None or depth > 8 or not _nested(call):
        return []
    parent, prefix, lookup = call_arg(call, "parent_router", 0), literal(call_arg(call, "parent_prefix", 1)), \
        literal(call_arg(call, "lookup", 2))
    if not isinstance(prefix, str) or not isinstance(lookup, str):
        return []
    above = _nesting(made, parent.value, depth + 1) if isinstance(parent, cst.Name) else []
    return [*above, (prefix.strip("^$/"), f"{lookup}_pk")]


def _more_open(expr):
    """Of ``a if switch else b`` (permission class names), the one that lets more callers in:
    AllowAny, then a class that lets anonymous callers read, else ``a``."""
    if not isinstance(expr, cst.IfExp):
        return expr
    options = (expr.body, expr.orelse)
    rank = lambda e: 2 if str(literal(e)).endswith("AllowAny") else 1 if literal(e) in READ_ONLY_FOR_ANON else 0  # noqa: E731
    return max(options, key=rank)
