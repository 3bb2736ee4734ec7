"""Django adapter: URLconfs, function and class-based views, auth decorators and mixins,
settings (``MIDDLEWARE``, ``DEBUG``, ``SECRET_KEY``), models, ``ModelForm``s and
``ModelSerializer``s (their ``Meta`` has the same shape).

Every URLconf module (one with a top-level ``urlpatterns``) is a Router of kind
"urlconf" whose id is the module name; ``include("app.urls")`` and ``include(module)``
are Mounts; a list included inline or through a module-level variable becomes a
router of its own.  A URLconf that nothing includes is a root, with the prefix "/".
Routes are registered by reference (``path("x/", views.x)``): the view's own
decorators, wherever it is defined, are its guards, and findings are reported on the
``path()`` line.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace

import libcst as cst

from ..facts import FieldFact, Gate, GuardUse, Mount, PathExemption, Route, Router, SchemaFact, SchemaUse, Setting
from ..fields import classify, masked_type
from ..names import and_operands, assignments, base_exprs, call_arg, dotted, literal, render_path, string_list, view_receiver
from ..walk import collect, walk
from ..libraries.django_orm import AUTH_MODELS, USER_MODEL_FUNCS
from .base import COMMON_ROLE_ATTRIBUTES, HTTP_CLIENTS, Adapter, setting_value
from ..states import Effect

UPPER = re.compile(r"^[A-Z][A-Z0-9_]*$")
URL_FUNCS = {
    "django.urls.path": "path", "django.urls.re_path": "re_path", "django.conf.urls.url": "re_path",
    "django.urls.conf.path": "path", "django.urls.conf.re_path": "re_path",
}
INCLUDE_FUNCS = {"django.urls.include", "django.conf.urls.include", "django.urls.conf.include"}
# ``i18n_patterns(path(...), ...)``: its entries are served below the active language's code
# (``/en/...``), chosen per request: shown as a ``{language_code}`` pattern
I18N_PATTERNS = {"django.conf.urls.i18n.i18n_patterns"}
# The djangosnippets helper (#532) that many projects copy: ``decorated_patterns(func, *urls)``
# applies a decorator (or a list of them) to every URL it is given
DECORATED_PATTERNS = frozenset({"decorated_patterns"})
LANGUAGE_PREFIX = "{language_code}/"
LOGIN_NOT_REQUIRED = ("django.contrib.auth.decorators.login_not_required",)
# The steps of the libraries' login, sign-up, confirmation and recovery flows: the way in,
# public by design (each checks what the request brings: a password, a mailed key, a pending
# login in the session)
LOGIN_FLOW_VIEWS = (
    *(f"django.contrib.auth.views.{v}" for v in (
        "LoginView", "LogoutView", "PasswordResetView", "PasswordResetDoneView", "PasswordResetConfirmView",
        "PasswordResetCompleteView")),
    *(f"allauth.account.views.{v}" for v in (
        "LoginView", "login", "SignupView", "signup", "ConfirmEmailView", "confirm_email", "LogoutView", "logout",
        "PasswordResetView", "password_reset", "PasswordResetDoneView", "password_reset_done",
        "PasswordResetFromKeyView", "password_reset_from_key", "PasswordResetFromKeyDoneView",
        "password_reset_from_key_done", "EmailVerificationSentView", "email_verification_sent",
        "RequestLoginCodeView", "request_login_code", "ConfirmLoginCodeView", "confirm_login_code")),
    *(f"allauth.mfa.{m}.{v}" for m in ("views", "base.views") for v in ("authenticate", "AuthenticateView")),
    *(f"allauth.socialaccount.views.{v}" for v in ("signup", "SignupView")),
    *(f"dj_rest_auth.views.{v}" for v in ("LoginView", "LogoutView", "PasswordResetView", "PasswordResetConfirmView")),
    *(f"dj_rest_auth.registration.views.{v}" for v in (
        "RegisterView", "VerifyEmailView", "ResendEmailVerificationView", "SocialLoginView")),
    *(f"social_django.views.{v}" for v in ("auth", "complete")),  # python-social-auth's OAuth start and callback
    # django-oauth-toolkit's token endpoints: the client proves itself with its credentials, a code
    # or the token it revokes
    *(f"oauth2_provider.views.{m}{v}" for m in ("", "base.") for v in ("TokenView", "RevokeTokenView")),
)
LOGIN_MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"
METHOD_DECORATOR = "django.utils.decorators.method_decorator"
METHOD_RESTRICTIONS = {
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_safe": ("GET", "HEAD"),
}
REQUIRE_METHODS = "django.views.decorators.http.require_http_methods"
ADMIN_URLS = ("django.contrib.admin.site.urls", "django.contrib.admin.sites.site.urls")

_G = "django.views.generic"
_VIEWS = {
    "View": (), "TemplateView": ("get",), "RedirectView": ("get", "post", "put", "patch", "delete"),
    "ListView": ("get",), "DetailView": ("get",), "FormView": ("get", "post"), "CreateView": ("get", "post"),
    "UpdateView": ("get", "post"), "DeleteView": ("get", "post", "delete"), "ArchiveIndexView": ("get",),
    "YearArchiveView": ("get",), "MonthArchiveView": ("get",), "DayArchiveView": ("get",),
    "DateDetailView": ("get",), "TodayArchiveView": ("get",), "WeekArchiveView": ("get",),
}
_VIEW_MODULES = {"View": ("base",), "TemplateView": ("base",), "RedirectView": ("base",), "ListView": ("list",),
                 "DetailView": ("detail",), "FormView": ("edit",), "CreateView": ("edit",),
                 "UpdateView": ("edit",), "DeleteView": ("edit",)}


def _view_names():
    for name, methods in _VIEWS.items():
        names = [f"{_G}.{name}", *(f"{_G}.{m}.{name}" for m in _VIEW_MODULES.get(name, ("dates",)))]
        if name == "View":
            names.append("django.views.View")
        for q in names:
            yield q, methods


# django-vanilla-views: the same views, simpler (GenericView and GenericModelView serve nothing themselves)
_VANILLA = {"GenericView": ("views", ()), "TemplateView": ("views", ("get",)), "FormView": ("views", ("get", "post")),
            "GenericModelView": ("model_views", ()), "ListView": ("model_views", ("get",)),
            "DetailView": ("model_views", ("get",)), "CreateView": ("model_views", ("get", "post")),
            "UpdateView": ("model_views", ("get", "post")), "DeleteView": ("model_views", ("get", "post"))}
PROVIDED = dict(_view_names()) | {q: methods for name, (module, methods) in _VANILLA.items()
                                  for q in (f"vanilla.{name}", f"vanilla.{module}.{name}")}

READ_ONLY_FIELDS = ("ReadOnlyField", "HiddenField", "SerializerMethodField")


# django-guardian: login plus a model or per-object permission
GUARDIAN = ("guardian.decorators.permission_required", "guardian.decorators.permission_required_or_403",
            "guardian.mixins.PermissionRequiredMixin", "guardian.mixins.LoginRequiredMixin")


class DjangoAdapter(Adapter):
    name = "django"
    path_only_parameters = frozenset({"django"})
    first_match_frameworks = frozenset({"django"})
    method_allow_attrs = frozenset({"http_method_names"})
    settings_keys = {"django": "INSTALLED_APPS"}
    debug_variables = {"django": "DJANGO_DEBUG"}
    markers = ("django", "urlpatterns", "ROOT_URLCONF", "INSTALLED_APPS", "MIDDLEWARE", "rest_framework",
               "DEBUG", "SECRET_KEY", "get_response")
    known_guards = {
        **dict.fromkeys([
            "django.contrib.auth.decorators.login_required",
            "django.contrib.auth.decorators.permission_required",
            "django.contrib.auth.decorators.user_passes_test",
            "django.contrib.admin.views.decorators.staff_member_required",
            "django.contrib.auth.mixins.LoginRequiredMixin",
            "django.contrib.auth.mixins.PermissionRequiredMixin",
            "django.contrib.auth.mixins.UserPassesTestMixin",
            # django-rules: the same mixin and decorator, its permissions resolved through rules
            "rules.contrib.views.PermissionRequiredMixin", "rules.contrib.views.permission_required",
            *GUARDIAN,
            "django.contrib.auth.middleware.LoginRequiredMiddleware",
            "django.contrib.admin.sites.AdminSite.admin_view",
            # views that Django itself wraps in login_required
            "django.contrib.auth.views.PasswordChangeView", "django.contrib.auth.views.PasswordChangeDoneView",
            # django-oauth-toolkit: the authorization page needs a signed-in user; introspection
            # a client's credentials or a token with the introspection scope
            "oauth2_provider.views.AuthorizationView", "oauth2_provider.views.base.AuthorizationView",
            "oauth2_provider.views.IntrospectTokenView", "oauth2_provider.views.introspect.IntrospectTokenView",
        ], Effect.AUTH),
        **dict.fromkeys(LOGIN_NOT_REQUIRED, Effect.PUBLIC),
        **dict.fromkeys(LOGIN_FLOW_VIEWS, Effect.PUBLIC),
    }
    # redirecting to the login page, and Django's 403 response (``HttpResponse(status=403)`` spelled as a class)
    auth_calls = frozenset({"django.contrib.auth.views.redirect_to_login", "django.http.HttpResponseForbidden",
                            "django.http.response.HttpResponseForbidden"})
    refusal_responses = frozenset({"django.http.HttpResponseForbidden", "django.http.response.HttpResponseForbidden"})
    delegated_methods = dict.fromkeys((f"{_G}.RedirectView", f"{_G}.base.RedirectView"), "get")
    data_hooks = frozenset({"get_context_data", "get_queryset", "get_object", "render_to_response"})
    flash_calls = frozenset({"django.contrib.messages.add_message", "django.contrib.messages.api.add_message"})
    rejecting_methods = frozenset({"handle_no_permission"})
    auth_attributes = frozenset({"is_authenticated", "is_anonymous", "is_staff", "is_superuser"})
    auth_exceptions = frozenset({"django.core.exceptions.PermissionDenied"})
    signature_checks = frozenset({"hmac.compare_digest", "secrets.compare_digest",
                                  "django.utils.crypto.constant_time_compare"})
    signature_errors = frozenset({"django.core.signing.BadSignature", "django.core.signing.SignatureExpired"})
    provided_methods = PROVIDED
    # django.contrib.syndication's Feed: ``__call__`` passes the request and the path's parameters
    # to ``get_object`` and renders what ``items`` returns as RSS or Atom; it never writes
    view_hooks = dict.fromkeys(("django.contrib.syndication.views.Feed", "django.contrib.gis.feeds.Feed"),
                               ("GET", ("get_object", "items")))
    chain_ends = frozenset(PROVIDED)
    # what runs before the handler: a view's dispatch; django-formtools' FormPreview calls parse_params first
    entry_methods = frozenset({"dispatch", "parse_params"})
    # a MiddlewareMixin-style middleware decides in these hooks (returning a response ends the request)
    guard_methods = {"process_request": "request", "process_view": "request"}
    view_constructors = frozenset({"as_view"})
    request_attrs = frozenset({"POST", "GET", "body"})
    request_types = frozenset({"django.http.HttpRequest", "django.http.request.HttpRequest"})
    response_wrappers = frozenset({"django.http.JsonResponse", "django.http.response.JsonResponse"})
    read_views = frozenset({
        "django.contrib.sitemaps.views.index", "django.contrib.sitemaps.views.sitemap",
        "django.views.static.serve", "django.views.i18n.JavaScriptCatalog", "django.views.i18n.JSONCatalog",
        "allauth.account.views.account_inactive", "allauth.socialaccount.views.login_cancelled",
        "allauth.socialaccount.views.login_error",
        # a redirect to a fixed address or a pattern name, whatever the method (RedirectView answers
        # every method with the redirect); a template rendered with no stored data
        "django.views.generic.RedirectView", "django.views.generic.base.RedirectView",
        "django.views.generic.TemplateView", "django.views.generic.base.TemplateView"})
    # django-tables2 renders rows, django-filter narrows a query, factory_boy builds test data
    not_schemas = frozenset({
        "django_tables2.Table", "django_tables2.tables.Table", "django_filters.FilterSet",
        "django_filters.filterset.FilterSet", "django_filters.rest_framework.FilterSet",
        "factory.django.DjangoModelFactory", "factory.DjangoModelFactory"})
    admin_classes = frozenset({
        "django.contrib.admin.ModelAdmin", "django.contrib.admin.options.ModelAdmin",
        "django.contrib.admin.TabularInline", "django.contrib.admin.StackedInline",
        "django.contrib.admin.options.TabularInline", "django.contrib.admin.options.StackedInline",
        "django.contrib.auth.admin.UserAdmin", "django.contrib.auth.admin.GroupAdmin",
        # ModelAdmin subclasses of admin extensions (a project's admin often reaches ModelAdmin only
        # through them: ralph's RalphAdmin(ImportExportModelAdmin, VersionAdmin))
        "reversion.admin.VersionAdmin", "import_export.admin.ImportExportModelAdmin",
        "import_export.admin.ImportExportMixin", "import_export.admin.ExportMixin", "import_export.admin.ImportMixin",
        "import_export.admin.ExportActionModelAdmin", "import_export.admin.ImportExportActionModelAdmin",
        "mptt.admin.MPTTModelAdmin", "mptt.admin.DraggableMPTTAdmin", "guardian.admin.GuardedModelAdmin",
        "polymorphic.admin.PolymorphicParentModelAdmin", "polymorphic.admin.PolymorphicChildModelAdmin",
        "simple_history.admin.SimpleHistoryAdmin", "nested_admin.NestedModelAdmin", "unfold.admin.ModelAdmin"})
    fixed_responses = {
        "django.shortcuts.render": "template", "django.template.response.TemplateResponse": "template",
        "django.http.FileResponse": "file", "django.shortcuts.redirect": "redirect",
        "django.http.HttpResponseRedirect": "redirect", "django.http.HttpResponsePermanentRedirect": "redirect",
        "django.http.HttpResponse": "text", "django.http.HttpResponseNotFound": "text",
        "django.urls.reverse": "url", "django.urls.reverse_lazy": "url",
        "django.templatetags.static.static": "url", "django.contrib.staticfiles.storage.staticfiles_storage.path": "url"}
    client_inputs = {
        "request.COOKIES": "cookie", "request.headers": "header", "request.GET": "query", "request.POST": "body",
        "request.META": "header:HTTP_", "request.META[REMOTE_ADDR]": "address",
        "request.META[HTTP_X_FORWARDED_FOR]": "forwarded", "request.META[HTTP_X_REAL_IP]": "forwarded",
    }
    config_objects = frozenset({"django.conf.settings"})
    response_sinks = frozenset(f"django.http.{c}" for c in (
        "HttpResponse", "HttpResponseBadRequest", "HttpResponseForbidden", "HttpResponseServerError",
        "HttpResponseNotFound", "response.HttpResponse"))
    # django-cors-headers settings (old and new names).
    cors_settings = {"CORS_ALLOW_ALL_ORIGINS": "any", "CORS_ORIGIN_ALLOW_ALL": "any",
                     "CORS_ALLOW_CREDENTIALS": "credentials", "CORS_ALLOWED_ORIGIN_REGEXES": "regex",
                     "CORS_ORIGIN_REGEX_WHITELIST": "regex"}
    # -- authorization (analyzer/authz.py) --
    authz_guards = {
        "django.contrib.auth.decorators.permission_required": "role",
        "django.contrib.admin.views.decorators.staff_member_required": "role",
        "django.contrib.auth.mixins.PermissionRequiredMixin": "role",
        "rules.contrib.views.PermissionRequiredMixin": "role", "rules.contrib.views.permission_required": "role",
        **dict.fromkeys(GUARDIAN, "role"),
        "django.contrib.admin.sites.AdminSite.admin_view": "role",
        "django.contrib.auth.decorators.user_passes_test": "test",
        "django.contrib.auth.mixins.UserPassesTestMixin": "test",
    }
    caller_names = frozenset({"request.user", "self.request.user", "request.auth", "self.request.auth"})
    client_sources = frozenset({
        "request.GET", "request.POST", "request.body", "request.FILES", "request.COOKIES", "request.META",
        "request.headers", "self.kwargs", "self.request.GET", "self.request.POST", "self.request.body",
    })
    role_attributes = COMMON_ROLE_ATTRIBUTES
    role_calls = frozenset({".has_perm", ".has_perms", ".has_module_perms"})
    implicit_lookup_attrs = frozenset({"model", "queryset"})
    object_methods = frozenset({"get_queryset", "get_object", "test_func", "dispatch"})
    server_responses = HTTP_CLIENTS

    def extract(self, ctx, sink) -> None:
        _DjangoFile(ctx, sink).run()


class _DjangoFile:
    def __init__(self, ctx, sink):
        self.ctx = ctx
        self.sink = sink
        self.module = ctx.module
        # module-level list variables: what each is bound to, then what ``+=`` adds (``ur = []``, ``ur += finding_urls``)
        self.lists: dict[str, list[cst.BaseExpression]] = {}
        self.emitted: set[str] = set()
        self.top = list(_top_statements(ctx.tree.body))
        self.prefix_ref = ""  # the imported constant that names the prefix of the include being read
        self.rebinding = ""  # reading ``urlpatterns = ...``: "move" (unconditional) or "copy" (under an ``if``)

    def path(self, expr) -> str:
        return render_path(expr, self.ctx.strings, self.ctx.code)

    def run(self) -> None:
        assigns = [(t, v, n) for t, v, n in self._assignments()]
        names = {t for t, _, _ in assigns}
        for t, v, n in assigns:
            if (isinstance(v, (cst.List, cst.Tuple, cst.BinaryOperation))  # api_urlpatterns = router.urls, too
                    or isinstance(v, cst.Attribute) and v.attr.value == "urls") and t not in self.lists:
                self.lists[t] = [v]
            elif isinstance(n, cst.AugAssign) and (t in self.lists or isinstance(v, (cst.List, cst.Tuple))):
                # a list grown with +=, also when it began as something else (ralph's ``api_urls =
                # list(map(...))`` then ``api_urls += [url(r'^', include(router.urls))]``)
                self.lists.setdefault(t, []).append(v)
        for stmt in self.top:  # ... or with .append(entry) / .extend(entries), under an ``if`` too (umap)
            call = stmt.body[0].value if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 \
                and isinstance(stmt.body[0], cst.Expr) else None
            if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.args \
                    and isinstance(call.func.value, cst.Name) and call.func.value.value in self.lists \
                    and call.func.value.value != "urlpatterns" and call.func.attr.value in ("append", "extend"):
                value = call.args[0].value
                self.lists[call.func.value.value].append(
                    cst.List([cst.Element(value)]) if call.func.attr.value == "append" else value)
        if "urlpatterns" in names:
            self._urlconf(assigns)
        elif self.ctx.imports.get("urlpatterns", "").endswith(".urlpatterns"):
            self._appended()
        self._fragments()
        if self._is_settings(names):
            self._settings(assigns)
        self._functions()
        self._classes()
        self._middleware()
        self._path_methods(assigns)

    def _fragments(self) -> None:
        """Each module-level list of URL patterns that this module does not serve itself
        (``base_patterns``, ``common_patterns = base_patterns + control_patterns``): a router that
        another URLconf may include or add to its own (``from pretix.urls import common_patterns``)."""
        for name in sorted(self.lists):
            child = f"{self.module}.{name}"
            if name == "urlpatterns" or child in self.emitted or not self._holds_urls(name, set()):
                continue
            self.emitted.add(child)
            self.sink.routers.append(Router(child, "urlconf", "django", "", "", self.ctx.loc(self.lists[name][0]),
                                            fragment=True))
            for value in self.lists[name]:
                self._patterns(value, child)

    def _holds_urls(self, name: str, seen: set) -> bool:
        """The list ``name`` holds URL entries, or lists of this module that do."""
        seen.add(name)
        return any(any(URL_FUNCS.get(self.ctx.resolve(c.func)) for c in collect(value, cst.Call))
                   or any(n.value in self.lists and n.value not in seen and self._holds_urls(n.value, seen)
                          for n in collect(value, cst.Name))
                   for value in self.lists[name])

    # -- module level -----------------------------------------------------------------
    def _assignments(self):
        """(name, value, statement) for top-level ``NAME = value`` / ``NAME += value``."""
        for stmt in self.top:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            yield t.target.value, small.value, small
                elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
                    yield small.target.value, small.value, small
                elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                    yield small.target.value, small.value, small

    def _is_settings(self, names) -> bool:
        return "settings" in self.module.split(".") or bool(names & {"INSTALLED_APPS", "ROOT_URLCONF", "MIDDLEWARE"})

    # -- settings ------------------------------------------------------------------------
    def _settings(self, assigns) -> None:
        ctx = self.ctx
        parts = self.module.split(".")
        scope = parts[-1] if "settings" in parts[:-1] else ""
        have = {(s.key, s.location) for s in self.sink.settings}
        root_urlconf = None
        for name, value, stmt in assigns:
            if not UPPER.match(name) or isinstance(stmt, cst.AugAssign):
                continue
            v, is_literal, fallback = setting_value(ctx, value)
            loc = ctx.loc(stmt)
            if name == "ROOT_URLCONF" and isinstance(v, str):
                root_urlconf = v
            if (name, loc) not in have:
                self.sink.settings.append(Setting(name, v, loc, is_literal, fallback, scope, ctx.code(stmt)))
        if root_urlconf is None:
            base = parts[:-2] if "settings" in parts[:-1] else parts[:-1]
            root_urlconf = ".".join([*base, "urls"])
        for name, value, stmt in assigns:
            value = ctx.constant(value)  # MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES
            if name != "MIDDLEWARE" or not isinstance(value, (cst.List, cst.Tuple)):
                continue
            for el in value.elements:
                entry = literal(el.value)
                if not isinstance(entry, str) or (entry.startswith("django.") and entry != LOGIN_MIDDLEWARE):
                    continue
                # Django's LoginRequiredMiddleware, or a project's subclass of it named the same
                # (Mayan's), lets through the views marked login_not_required, its own login flow's among them
                login = entry.rpartition(".")[2] == LOGIN_MIDDLEWARE.rpartition(".")[2]
                self.sink.gates.append(Gate(
                    root_urlconf, entry, ctx.loc(el.value), "app", kind="middleware",
                    exempt_guards=(*LOGIN_NOT_REQUIRED, *LOGIN_FLOW_VIEWS) if login else ()))

    # -- URLconfs -------------------------------------------------------------------------
    def _urlconf(self, assigns) -> None:
        ctx = self.ctx
        app_name = next((literal(v) for t, v, _ in assigns if t == "app_name"), "")
        stmts = [n for t, _, n in assigns if t == "urlpatterns"]
        self.sink.routers.append(Router(self.module, "urlconf", "django", app_name if isinstance(app_name, str) else "",
                                        "/", ctx.loc(stmts[0])))
        # in the order they are written: ``urlpatterns = [path("", include(urlpatterns))]`` takes the
        # entries declared before it
        values = {id(n): v for t, v, n in assigns if t == "urlpatterns"}
        unconditional = {id(stmt) for stmt in ctx.tree.body}
        for stmt in self.top:  # also urlpatterns.append(...) / .extend(...)
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if id(small) in values and not self._decorates(values[id(small)]):
                    self.rebinding = "move" if id(stmt) in unconditional else "copy"
                    self._patterns(values[id(small)], self.module)
                    self.rebinding = ""
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    call = small.value
                    if isinstance(call.func, cst.Attribute) and dotted(call.func.value) == "urlpatterns":
                        if call.func.attr.value == "append" and call.args:
                            self._entry(call.args[0].value, self.module)
                        elif call.func.attr.value == "extend" and call.args:
                            self._patterns(call.args[0].value, self.module)

    def _appended(self) -> None:
        """``from proj.urls import urlpatterns; urlpatterns.append(path("api/v1/", include(router.urls)))``
        in another module (an AppConfig's ``ready()``, a plugin's setup): entries of that URLconf."""
        router, file = self.ctx.imports["urlpatterns"].rpartition(".")[0], self

        class Finder(cst.CSTVisitor):
            def visit_Call(self, call: cst.Call) -> None:
                func = call.func
                if isinstance(func, cst.Attribute) and dotted(func.value) == "urlpatterns" and call.args:
                    if func.attr.value == "append":
                        file._entry(call.args[0].value, router)
                    elif func.attr.value == "extend":
                        file._patterns(call.args[0].value, router)

        walk(self.ctx.tree, Finder())

    def _decorates(self, value) -> bool:
        """``urlpatterns = decorate_urlpatterns(urlpatterns, require_admin_access)``: the entries
        declared so far get the decorator (wagtail's and many projects' idiom)."""
        if not (isinstance(value, cst.Call) and len(value.args) >= 2 and dotted(value.args[0].value) == "urlpatterns"
                and "decorat" in (dotted(value.func) or "").lower()):
            return False
        use = self.ctx.guard_use(value.args[1].value)
        self.sink.routes[:] = [replace(r, guards=(*r.guards, use)) if r.router == self.module else r
                               for r in self.sink.routes]
        self.sink.mounts[:] = [replace(m, guards=(*m.guards, use)) if m.parent == self.module else m
                               for m in self.sink.mounts]
        return True

    def _patterns(self, expr, router: str) -> None:
        """Entries of a urlpatterns-like expression: a list, ``a + b``, ``router.urls``, a variable."""
        if isinstance(expr, (cst.List, cst.Tuple)):
            for el in expr.elements:
                if isinstance(el, cst.StarredElement) or isinstance(el.value, cst.Name) and el.value.value in self.lists:
                    self._patterns(el.value, router)  # groups = [basic_urls, api_urls]: a list of lists
                else:
                    self._entry(el.value, router)
        elif isinstance(expr, cst.Call) and self.ctx.resolve(expr.func) in CONCATENATIONS and expr.args:
            # reduce(add, groups), sum(groups, []): the lists, one after the other
            self._patterns(expr.args[-1 if self.ctx.resolve(expr.func) != "sum" else 0].value, router)
        elif isinstance(expr, cst.BinaryOperation):
            self._patterns(expr.left, router)
            self._patterns(expr.right, router)
        elif isinstance(expr, cst.Attribute) and expr.attr.value == "urls":
            self.sink.mounts.append(Mount(router, self.ctx.resolve(expr.value), self.ctx.loc(expr), ""))
        elif isinstance(expr, cst.Call) and self.ctx.resolve(expr.func).endswith(("format_suffix_patterns",)) and expr.args:
            self._patterns(expr.args[0].value, router)
        elif isinstance(expr, cst.Call) and (dotted(expr.func) or "").rpartition(".")[2] in DECORATED_PATTERNS \
                and expr.args:
            # ``decorated_patterns([login_required, team_members_only], path(...), ...)``: the entries,
            # each wrapped in the decorators of the first argument
            loc = self.ctx.loc(expr)
            child = f"{self.module}.<decorated@{loc.line}:{loc.col}>"
            first = expr.args[0].value
            items = [e.value for e in first.elements] if isinstance(first, (cst.List, cst.Tuple)) else [first]
            self.sink.routers.append(Router(child, "urlconf", "django", "", "", loc))
            self.sink.mounts.append(Mount(router, child, loc, "", None, tuple(self.ctx.guard_use(e) for e in items)))
            for arg in expr.args[1:]:
                if arg.keyword is None:
                    self._patterns(arg.value, child) if arg.star or isinstance(arg.value, (cst.List, cst.Tuple)) \
                        else self._entry(arg.value, child)
        elif isinstance(expr, cst.Call) and self.ctx.resolve(expr.func) in I18N_PATTERNS:
            loc = self.ctx.loc(expr)
            child = f"{self.module}.<i18n@{loc.line}:{loc.col}>"
            self.sink.routers.append(Router(child, "urlconf", "django", "", "", loc))
            self.sink.mounts.append(Mount(router, child, loc, LANGUAGE_PREFIX))
            for arg in expr.args:
                if arg.keyword is None:
                    self._patterns(arg.value, child) if arg.star else self._entry(arg.value, child)
        elif isinstance(expr, cst.Name) and expr.value in self.lists and expr.value != "urlpatterns":
            for value in self.lists[expr.value]:
                self._patterns(value, router)
        elif isinstance(expr, cst.Name) and expr.value in self.ctx.imports:
            # ``from dojo.finding.urls import urlpatterns as finding_urls``: that URLconf's entries, here
            self._include_target(expr, router, "", self.ctx.loc(expr), [], None)

    def _entry(self, expr, router: str, at=None) -> None:
        """One ``path()``/``re_path()``/``url()`` entry; ``at``: where it is written, when the call
        is made elsewhere (a method that calls ``path()`` with its arguments)."""
        if not isinstance(expr, cst.Call):
            return
        ctx = self.ctx
        kind = "path" if at is not None else URL_FUNCS.get(ctx.resolve(expr.func))
        if kind is None:
            return
        route_arg = call_arg(expr, "route", 0)
        view = call_arg(expr, "view", 1)
        if route_arg is None or view is None:
            return
        path = self.path(route_arg)
        if kind == "re_path":
            path = path.removeprefix("^").removesuffix("$").removeprefix("\\A").removesuffix("\\Z")
        loc = at or ctx.loc(expr)
        name = literal(call_arg(expr, "name", 3))
        name = name if isinstance(name, str) else ""
        guards, view = self._wrappers(view)
        if isinstance(view, cst.Call) and ctx.resolve(view.func) in INCLUDE_FUNCS | {"include"} \
                or isinstance(view, cst.Call) and (dotted(view.func) or "").endswith("decorator_include"):
            self.prefix_ref = ctx.resolve(route_arg) if isinstance(route_arg, cst.Name) \
                and route_arg.value not in ctx.strings else ""
            self._include(view, router, path, loc, guards)
            self.prefix_ref = ""
            return
        if isinstance(view, (cst.List, cst.Tuple)):  # path("x/", ([...], "app", "ns"))
            self._include_target(view.elements[0].value if view.elements else None, router, path, loc, guards, None)
            return
        if isinstance(view, cst.Attribute) and view.attr.value == "urls":
            target = ctx.resolve(view)
            if target in ADMIN_URLS or target.endswith(".site.urls") and "admin" in target:
                self.sink.routes.append(Route(
                    router, "django", path, ("ANY",), target, None, loc, name or "admin",
                    (*guards, GuardUse("django.contrib.admin.sites.AdminSite.admin_view", "Django admin login",
                                       loc, "decorator", effect=Effect.AUTH)),
                    span_start=loc.line, by_reference=True, locate_at_route=True))
            else:
                self.sink.mounts.append(Mount(router, ctx.resolve(view.value), loc, path, None, tuple(guards)))
            return
        handler, view_class, actions = self._view(view)
        if not handler:
            return
        # ``Endpoint.as_view(http_method_names=["get", "post"])``: any other method gets 405
        allowed = string_list(call_arg(view, "http_method_names")) if view_class and isinstance(view, cst.Call) else None
        methods = tuple(m.upper() for m in allowed if m.lower() not in ("head", "options")) if allowed else ()
        self.sink.routes.append(Route(
            router, "django", path, methods, handler, None, loc, name, tuple(guards), (), view_class, loc.line,
            by_reference=True, actions=actions, locate_at_route=True))

    def _path_methods(self, assigns) -> None:
        """``router.add_detail_path("profile", "profile", ProfileView.as_view())``: a method of a
        class in this module that passes its parameters on to ``path()`` (babybuddy's router adds
        its extra views so) registers that view under the instance, as ``path()`` would."""
        ctx, methods = self.ctx, None
        made = {name: ctx.resolve(value.func) for name, value, _ in assigns if isinstance(value, cst.Call)}
        for stmt in self.top:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                call = small.value if isinstance(small, cst.Expr) else None
                if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                        and isinstance(call.func.value, cst.Name) and call.func.value.value in made):
                    continue
                if methods is None:  # the module's methods, read once a call on one of its instances is seen
                    methods = {q: n for q, n in _defs(self.module, ctx.tree.body) if isinstance(n, cst.FunctionDef)}
                method = methods.get(f"{made[call.func.value.value]}.{call.func.attr.value}")
                found = _passes_to_path(method, ctx) if method is not None else None
                if found is None:
                    continue
                given = [a.value for a in call.args if a.keyword is None and not a.star]
                route_arg, view = (given[i] if i is not None and i < len(given) else None for i in found)
                if route_arg is not None and view is not None:
                    router = f"{self.module}.{call.func.value.value}"
                    self._entry(cst.Call(cst.Name("path"), [cst.Arg(route_arg), cst.Arg(view)]), router, ctx.loc(call))

    def _wrappers(self, expr):
        """``login_required(view)``, ``permission_required("p")(view)``: (guards, inner view)."""
        guards = []
        while isinstance(expr, cst.Call) and expr.args:
            func = expr.func
            q = self.ctx.resolve(func.func if isinstance(func, cst.Call) else func)
            if isinstance(func, cst.Attribute) and func.attr.value == "as_view" or q in INCLUDE_FUNCS \
                    or q.endswith("decorator_include") or q in URL_FUNCS or _instance(q):
                break  # a view, not a decorator around one
            guards.append(self.ctx.guard_use(func))
            expr = expr.args[0].value
        return guards, expr

    def _view(self, expr):
        """(handler, view class, actions) of a view expression."""
        ctx = self.ctx
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "as_view":
            cls = ctx.resolve(view_receiver(expr.func.value))
            actions = ()
            mapping = call_arg(expr, "actions", 0)
            if isinstance(mapping, cst.Dict):
                actions = tuple((str(literal(e.key)).upper(), str(literal(e.value)))
                                for e in mapping.elements if isinstance(e, cst.DictElement)
                                and isinstance(literal(e.key), str) and isinstance(literal(e.value), str))
            return cls, cls, actions
        if isinstance(expr, cst.Call) and _instance(ctx.resolve(expr.func)):
            cls = ctx.resolve(expr.func)  # ``EmailListFormPreview(EmailListForm)``: the instance is the view
            return cls, cls, ()
        return ctx.resolve(expr), "", ()

    def _include(self, call: cst.Call, router: str, path: str, loc, guards) -> None:
        ctx = self.ctx
        if (dotted(call.func) or "").endswith("decorator_include") or ctx.resolve(call.func).endswith("decorator_include"):
            decos = call_arg(call, None, 0)
            items = decos.elements if isinstance(decos, (cst.List, cst.Tuple)) else []
            guards = [*guards, *(ctx.guard_use(e.value) for e in items)] if items else \
                [*guards, ctx.guard_use(decos)] if decos is not None else guards
            target = call_arg(call, None, 1)
            namespace = literal(call_arg(call, "namespace", 2))
        else:
            target = call_arg(call, "arg", 0)
            namespace = literal(call_arg(call, "namespace", 1))
        namespace = namespace if isinstance(namespace, str) else None
        if isinstance(target, cst.Tuple) and target.elements:  # include(("app.urls", "app_name"))
            app = literal(target.elements[1].value) if len(target.elements) > 1 else None
            namespace = namespace or (app if isinstance(app, str) else None)
            target = target.elements[0].value
        self._include_target(target, router, path, loc, guards, namespace)

    def _include_target(self, target, router, path, loc, guards, namespace) -> None:
        ctx = self.ctx
        if target is None:
            return
        value = literal(target)
        if isinstance(value, str):
            child = value
        elif isinstance(target, (cst.List, cst.Tuple, cst.BinaryOperation)):  # include(locale_patterns + [...])
            child = f"{self.module}.<include@{loc.line}:{loc.col}>"
            self.sink.routers.append(Router(child, "urlconf", "django", "", "", ctx.loc(target)))
            self._patterns(target, child)
        elif isinstance(target, cst.Name) and target.value == "urlpatterns" and self.rebinding and router == self.module:
            child = f"{self.module}.<include@{loc.line}:{loc.col}>"
            self._rehome(child, ctx.loc(target))
        elif isinstance(target, cst.Name) and target.value in self.lists:
            child = f"{self.module}.{target.value}"
            if child not in self.emitted:
                self.emitted.add(child)
                self.sink.routers.append(Router(child, "urlconf", "django", "", "", ctx.loc(self.lists[target.value][0])))
                for value in self.lists[target.value]:
                    self._patterns(value, child)
        elif isinstance(target, cst.Attribute) and target.attr.value == "urls":
            # include(router.urls) or include(app.urls) of an imported module: the linker keeps
            # the mount whose child is a router
            self.sink.mounts.append(Mount(router, ctx.resolve(target), loc, None if self.prefix_ref else path,
                                          namespace, tuple(guards), prefix_ref=self.prefix_ref))
            child = ctx.resolve(target.value)
        else:
            child = ctx.resolve(target)
            if child.endswith(".urlpatterns"):  # include(finding_urls), imported from that URLconf
                child = child.rpartition(".")[0]
        if child:  # a prefix named by an imported constant is looked up when linking
            self.sink.mounts.append(Mount(router, child, loc, None if self.prefix_ref else path, namespace,
                                          tuple(guards), prefix_ref=self.prefix_ref))

    def _rehome(self, child: str, loc) -> None:
        """``urlpatterns = [path("", include((urlpatterns, "linkding")))]``: the entries declared so far
        are served below the include, not beside it: they move to ``child``; under an ``if``
        (``if settings.LD_CONTEXT_PATH:``) they are served either way, and are copied."""
        sink, module = self.sink, self.module
        self.sink.routers.append(Router(child, "urlconf", "django", "", "", loc))
        routes = [replace(r, router=child) for r in sink.routes if r.router == module]
        mounts = [replace(m, parent=child) for m in sink.mounts if m.parent == module]
        if self.rebinding == "move":
            sink.routes[:] = [r for r in sink.routes if r.router != module]
            sink.mounts[:] = [m for m in sink.mounts if m.parent != module]
        sink.routes.extend(routes)
        sink.mounts.extend(mounts)

    # -- functions: HTTP method restrictions ------------------------------------------------
    def _functions(self) -> None:
        ctx = self.ctx
        restricted = {}
        for qual, node in _defs(self.module, ctx.tree.body):
            if not isinstance(node, cst.FunctionDef):
                continue
            methods: tuple[str, ...] = ()
            for d in node.decorators:
                expr = d.decorator
                q = ctx.resolve(expr.func if isinstance(expr, cst.Call) else expr)
                if q in METHOD_RESTRICTIONS:
                    methods = METHOD_RESTRICTIONS[q]
                elif q == REQUIRE_METHODS and isinstance(expr, cst.Call):
                    found = string_list(call_arg(expr, "request_method_list", 0))
                    methods = tuple(m.upper() for m in found or ())
            methods = methods or _allowed_by_first_test(node)
            if methods:
                restricted[qual] = methods
        if restricted:
            self.sink.functions[:] = [replace(f, methods=restricted[f.qualname]) if f.qualname in restricted else f
                                      for f in self.sink.functions]
        self._dispatchers()
        self._applying()

    def _applying(self) -> None:
        """A project decorator that only applies another to the view it is given
        (``def access_exempt(view_class): return method_decorator(login_not_required,
        name="dispatch")(view_class)``) is that decorator: its uses join the function's own."""
        added = {}
        for stmt in self.ctx.tree.body:
            body = stmt.body.body if isinstance(stmt, cst.FunctionDef) and stmt.params.params else ()
            body = [b for b in body if not (isinstance(b, cst.SimpleStatementLine) and isinstance(b.body[0], cst.Expr))]
            ret = body[0].body[0] if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) else None
            value = ret.value if isinstance(ret, cst.Return) else None
            if not (isinstance(value, cst.Call) and len(value.args) == 1 and dotted(value.args[0].value)
                    == stmt.params.params[0].name.value):
                continue
            applied = value.func
            if isinstance(applied, cst.Call) and self.ctx.resolve(applied.func) == METHOD_DECORATOR:
                uses = self._unwrap_method_decorator(applied)
            elif dotted(applied) or isinstance(applied, cst.Call) and dotted(applied.func):
                uses = [self.ctx.guard_use(applied)]
            else:
                continue
            added[f"{self.module}.{stmt.name.value}"] = tuple(uses)
        self._add_decorators(added)

    def _dispatchers(self) -> None:
        """A view that only picks another view of its module by the request and returns its
        response (``if request.method == "POST": return create_check(request)``) is guarded when
        every view it can hand the request to is: each combination of one decorator per target
        is a guard that authenticates when all of its alternatives do."""
        top = {stmt.name.value: stmt for stmt in self.ctx.tree.body if isinstance(stmt, cst.FunctionDef)}
        added = {}
        for name, node in top.items():
            targets = _delegates(node.body)
            if not targets or not all(t in top and t != name and top[t].decorators for t in targets):
                continue
            choices = [[self.ctx.resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator)
                        for d in top[t].decorators] for t in targets]
            if math.prod(len(c) for c in choices) > 32:
                continue
            where = self.ctx.loc(node.name)
            shown = f"dispatches to {', '.join(targets)}"
            added[f"{self.module}.{name}"] = tuple(
                GuardUse("", shown, where, "decorator", alternatives=combo) for combo in itertools.product(*choices))
        self._add_decorators(added)

    def _add_decorators(self, added: dict) -> None:
        """Join ``added`` (function qualname -> guard uses) to those functions' own decorators."""
        if added:
            self.sink.functions[:] = [replace(f, decorators=(*f.decorators, *added[f.qualname]))
                                      if f.qualname in added else f for f in self.sink.functions]

    # -- classes: method_decorator, models, forms and serializers -----------------------------
    def _classes(self) -> None:
        ctx = self.ctx
        updates = {}
        for qual, node in _defs(self.module, ctx.tree.body):
            if not isinstance(node, cst.ClassDef):
                continue
            class_guards = []
            for d in node.decorators:
                expr = d.decorator
                if isinstance(expr, cst.Call) and ctx.resolve(expr.func) == METHOD_DECORATOR:
                    name = literal(call_arg(expr, "name", 1))
                    methods = () if name in ("dispatch", None) or not isinstance(name, str) else (name.upper(),)
                    class_guards.extend(replace(u, methods=methods) for u in self._unwrap_method_decorator(expr))
                elif dotted(expr.func if isinstance(expr, cst.Call) else expr):
                    class_guards.append(ctx.guard_use(d))  # @access_exempt: judged by the linker
            wrapping = _view_wrapper(node)
            if wrapping is not None:  # def as_view(cls, ...): return event_permission_required(cls.permission)(view)
                class_guards.append(ctx.guard_use(wrapping))
            method_guards = {}
            for stmt in node.body.body:
                if isinstance(stmt, cst.FunctionDef):
                    uses = [u for d in stmt.decorators if isinstance(d.decorator, cst.Call)
                            and ctx.resolve(d.decorator.func) == METHOD_DECORATOR
                            for u in self._unwrap_method_decorator(d.decorator)]
                    if uses:
                        method_guards[stmt.name.value] = uses
            if class_guards or method_guards:
                updates[qual] = (class_guards, method_guards)
            for name, value, small in assignments(node.body.body):
                # the form a generic edit view or a ModelAdmin builds: ``form_class = ImageForm``
                if name in ("form_class", "form", "add_form") and ctx.resolve(value):
                    self.sink.schema_uses.append(SchemaUse(qual, ctx.resolve(value), ctx.loc(small)))
            self._model(qual, node)
            self._schema(qual, node)
        if updates:
            out = []
            for c in self.sink.classes:
                if c.qualname in updates:
                    cg, mg = updates[c.qualname]
                    c = replace(c, decorators=(*c.decorators, *cg), methods=tuple(
                        replace(m, decorators=(*m.decorators, *mg[m.name])) if m.name in mg else m for m in c.methods))
                out.append(c)
            self.sink.classes[:] = out

    # -- middleware: a request hook that always passes the request on guards nothing ---------
    def _middleware(self) -> None:
        """A middleware's request hooks (``__call__``, ``process_request``, ``process_view`` of a
        class; the inner function of a ``def mw(get_response)`` factory) reject a caller only by
        returning something other than the next handler's response (``get_response(request)``,
        ``None`` from a ``process_*`` hook) or by raising. When none of them does, reading
        ``request.user.is_authenticated`` there only adapts the request (healthchecks'
        TeamAccessMiddleware): the hook's own checks are no evidence. What the functions it calls
        do is still followed, unless the hook runs the view before anything else (``response =
        self.get_response(request)`` first: Flagsmith's telemetry middleware, whose helper asserts
        ``request.user.is_authenticated`` after the view has answered)."""
        passing, after_view = set(), set()
        deferred: dict[str, set[str]] = {}  # a passing hook -> the functions it defines and never calls
        for qual, node in _defs(self.module, self.ctx.tree.body):
            if isinstance(node, cst.ClassDef):
                defs = {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}
                init = defs.get("__init__")
                middleware = "process_request" in defs or "process_view" in defs or init is not None and any(
                    p.name.value == "get_response" for p in init.params.params)
                nodes = [n for name, n in defs.items() if name in MIDDLEWARE_HOOKS]
                scope = [p for n in nodes for p in self._handed_on_unless(n)] if middleware else []
                if scope:  # if not request.path.startswith("/control"): return self.get_response(request)
                    self.sink.exemptions.append(PathExemption(qual, self.ctx.loc(node.name), scope_prefixes=tuple(scope)))
                if middleware and nodes and not any(_rejects(n) for n in nodes):
                    passing.update(f"{qual}.{n.name.value}" for n in nodes)
                    deferred.update({f"{qual}.{n.name.value}": d for n in nodes if (d := _deferred(n, f"{qual}.{n.name.value}"))})
                after_view.update(f"{qual}.{n.name.value}" for n in nodes if middleware and _runs_view_first(n))
            elif qual.count(".") == self.module.count(".") + 1 and _takes_get_response(node):
                inner = [(f"{qual}.{s.name.value}", s) for s in node.body.body if isinstance(s, cst.FunctionDef)]
                if inner and not any(_rejects(n) for _, n in inner):
                    passing.update([qual, *(q for q, _ in inner)])
                if inner and all(_runs_view_first(n) for _, n in inner):  # the factory holds its inner's checks
                    after_view.update([qual, *(q for q, _ in inner)])
        if deferred:  # request.user_source_user = SimpleLazyObject(get_user): that runs later, if ever
            later = {q: {c for f in self.sink.functions if f.qualname in names for c in f.calls}
                     for q, names in deferred.items()}
            self.sink.functions[:] = [replace(f, calls=tuple(c for c in f.calls if c not in later[f.qualname]))
                                      if f.qualname in later else f for f in self.sink.functions]
        if passing or after_view:  # a hook that runs the view first decides nothing for it, nor do its helpers
            self.sink.functions[:] = [replace(f, evidence=(), calls=()) if f.qualname in after_view
                                      else replace(f, evidence=()) if f.qualname in passing and f.evidence else f
                                      for f in self.sink.functions]

    def _handed_on_unless(self, hook: cst.FunctionDef) -> list[str]:
        """The path prefixes a middleware hook is made for: a top-level ``if not
        request.path.startswith(P) [and ...]:`` whose block only hands the request on (pretix's
        PermissionMiddleware: ``get_script_prefix() + 'control'``, the script prefix being "/")."""
        found = []
        for stmt in hook.body.body:
            if not isinstance(stmt, cst.If) or stmt.orelse is not None or _rejects(stmt.body):
                continue
            for term in and_operands(stmt.test):
                call = term.expression if isinstance(term, cst.UnaryOperation) and isinstance(term.operator, cst.Not) \
                    else None
                if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) \
                        and call.func.attr.value == "startswith" and (dotted(call.func.value) or "").endswith(
                            (".path", ".path_info")) and call.args:
                    prefix = self._script_path(call.args[0].value)
                    if prefix:
                        found.append(prefix)
        return found

    def _script_path(self, expr) -> str | None:
        """A path a test compares with: literals and ``+`` of them, ``get_script_prefix()`` as "/"."""
        if isinstance(expr, cst.Call) and self.ctx.resolve(expr.func) in SCRIPT_PREFIX:
            return "/"
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left, right = self._script_path(expr.left), self._script_path(expr.right)
            return None if left is None or right is None else left.rstrip("/") + "/" + right.lstrip("/")
        value = self.ctx.constant(expr) if isinstance(expr, cst.Name) else expr
        text = literal(value) if value is not None else None
        return text if isinstance(text, str) else None

    def _unwrap_method_decorator(self, call: cst.Call):
        arg = call_arg(call, "decorator", 0)
        items = [e.value for e in arg.elements] if isinstance(arg, (cst.List, cst.Tuple)) else [arg] if arg else []
        return [self.ctx.guard_use(e) for e in items]

    def _model(self, qual: str, node: cst.ClassDef) -> None:
        # the model's own fields are read by the data pass (analyzer/dataflow.py), with their types
        ctx = self.ctx
        for base in (ctx.resolve(b) for b in base_exprs(node)):
            if base in AUTH_MODELS:
                self._auth_model(base, ctx.loc(node.name))

    def _auth_model(self, q: str, loc) -> None:
        for name in AUTH_MODELS[q]:
            self.sink.field_facts.append(FieldFact(q, name, loc, classify(name)))

    def _schema(self, qual: str, node: cst.ClassDef) -> None:
        ctx = self.ctx
        meta = next((s for s in node.body.body if isinstance(s, cst.ClassDef) and s.name.value == "Meta"), None)
        if meta is None or not node.bases:
            return
        values, locs = {}, {}
        for name, value, small in assignments(meta.body.body):
            values[name] = value
            locs[name] = ctx.loc(small)
        model = values.get("model")
        if model is None:
            return
        if isinstance(model, cst.Call) and ctx.resolve(model.func) in USER_MODEL_FUNCS:
            model_name = "django.contrib.auth.models.User"
        else:
            model_name = ctx.resolve(model)
        if model_name in AUTH_MODELS:
            self._auth_model(model_name, ctx.loc(model))
        fields = literal(values.get("fields"))
        exclude = string_list(values.get("exclude")) if "exclude" in values else None
        hidden = []
        extra = values.get("extra_kwargs")
        if isinstance(extra, cst.Dict):
            for el in extra.elements:
                if isinstance(el, cst.DictElement) and isinstance(el.value, cst.Dict):
                    opts = {literal(e.key): literal(e.value) for e in el.value.elements if isinstance(e, cst.DictElement)}
                    if opts.get("write_only") is True and isinstance(literal(el.key), str):
                        hidden.append(literal(el.key))
        declared = [(name, value) for name, value, _ in assignments(node.body.body) if isinstance(value, cst.Call)]
        # password = serializers.CharField(write_only=True)
        hidden += [name for name, value in declared if literal(call_arg(value, "write_only")) is True
                   or masked_type(dotted(value.func) or "")]  # ObfuscatedPasswordField: sent as "****"
        hidden += _dropped(node, {n.name.value: n for n in ctx.tree.body if isinstance(n, cst.ClassDef)})
        named = values.get("read_only_fields")
        if isinstance(named, cst.Name) and named.value in values:  # read_only_fields = fields
            named = values[named.value]
        read_only = list(string_list(named) or ())
        # a ModelAdmin's ``readonly_fields`` (a class attribute) are shown, never edited
        read_only += [n for name, value, _ in assignments(node.body.body) if name == "readonly_fields"
                      for n in string_list(value) or ()]
        if isinstance(extra, cst.Dict):
            for el in extra.elements:
                if isinstance(el, cst.DictElement) and isinstance(el.value, cst.Dict) and isinstance(literal(el.key), str) \
                        and any(isinstance(e, cst.DictElement) and literal(e.key) == "read_only" and literal(e.value) is True
                                for e in el.value.elements):
                    read_only.append(literal(el.key))
        # owner = serializers.ReadOnlyField(...) / HiddenField / read_only=True
        read_only += [name for name, value in declared if literal(call_arg(value, "read_only")) is True
                      or (dotted(value.func) or "").endswith(READ_ONLY_FIELDS)]
        bases = [ctx.resolve(b) for b in base_exprs(node)]
        kind = "serializer" if any(b.startswith("rest_framework") or b.endswith("Serializer") for b in bases) else "form"
        where = locs.get("exclude") if fields is not True and "exclude" in values and fields != "__all__" else locs.get("fields")
        self.sink.schemas.append(SchemaFact(
            qual, ctx.loc(node.name), kind, model_name, fields == "__all__",
            tuple(fields) if isinstance(fields, tuple) else (), exclude, tuple(hidden), where or locs.get("exclude"),
            read_only=tuple(read_only)))


CONCATENATIONS = frozenset({"functools.reduce", "sum"})  # of lists of URL patterns
SCRIPT_PREFIX = frozenset({"django.urls.get_script_prefix", "django.urls.base.get_script_prefix"})
MIDDLEWARE_HOOKS = frozenset({"__call__", "__acall__", "process_request", "process_view"})


def _dropped(node: cst.ClassDef, classes: dict[str, cst.ClassDef], lists=None) -> list[str]:
    """Fields a serializer's ``to_representation`` takes out of what it sends: ``result.pop("password")``,
    ``del data["token"]``, or each name of a class attribute list (``for attr in self.secure_fields:
    result.pop(attr, None)``); also that of a base class of the same module (``classes``, by name:
    label-studio's ``S3StorageSerializerMixin``), the subclass's lists overriding the base's."""
    lists = {**{name: string_list(value) or () for name, value, _ in assignments(node.body.body)}, **(lists or {})}
    method = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "to_representation"),
                  None)
    if method is None:
        bases = [classes.pop(b.value) for b in base_exprs(node) if isinstance(b, cst.Name) and b.value in classes]
        return [name for base in bases for name in _dropped(base, classes, lists)]
    loops = {loop.target.value: lists.get((dotted(loop.iter) or "").removeprefix("self."), ())
             for loop in collect(method, cst.For) if isinstance(loop.target, cst.Name)}
    out = []
    for call in collect(method, cst.Call):
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "pop" and call.args:
            key = call.args[0].value
            out.extend([literal(key)] if isinstance(literal(key), str) else
                       loops.get(key.value, ()) if isinstance(key, cst.Name) else ())
    for target in (t for d in collect(method, cst.Del)
                   for t in ([e.value for e in d.target.elements] if isinstance(d.target, cst.Tuple) else [d.target])):
        if isinstance(target, cst.Subscript) and isinstance(target.slice[0].slice, cst.Index) \
                and isinstance(literal(target.slice[0].slice.value), str):
            out.append(literal(target.slice[0].slice.value))
    return out


def _delegates(block) -> list[str] | None:
    """Names of the module functions a view body hands the request to, when all it does is
    choose one (``if``s and ``return f(request, ...)``); else None."""
    found: list[str] = []
    for stmt in block.body:
        if isinstance(stmt, cst.If):
            for branch in (stmt.body, stmt.orelse.body if isinstance(stmt.orelse, cst.Else) else stmt.orelse):
                if branch is None:
                    continue
                inner = _delegates(branch) if not isinstance(branch, cst.If) else _delegates(
                    cst.IndentedBlock(body=[branch]))
                if inner is None:
                    return None
                found += [n for n in inner if n not in found]
            continue
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            return None
        small = stmt.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
            continue  # docstring
        if not (isinstance(small, cst.Return) and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Name)):
            return None
        if small.value.func.value not in found:
            found.append(small.value.func.value)
    return found


def _takes_get_response(node) -> bool:
    params = node.params.params
    return isinstance(node, cst.FunctionDef) and len(params) == 1 and params[0].name.value == "get_response"


def _view_wrapper(node: cst.ClassDef):
    """What a view class's own ``as_view`` wraps the view it makes in: ``view =
    super().as_view(**initkwargs)`` then ``return event_permission_required(cls.permission)(view)``
    (pretix's permission mixins) gives ``event_permission_required(cls.permission)``; None if
    it wraps it in nothing."""
    method = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "as_view"), None)
    if method is None:
        return None
    made = {t.target.value for a in collect(method.body, cst.Assign) for t in a.targets
            if isinstance(t.target, cst.Name) and isinstance(a.value, cst.Call)
            and isinstance(a.value.func, cst.Attribute) and a.value.func.attr.value == "as_view"
            and isinstance(a.value.func.value, cst.Call) and dotted(a.value.func.value.func) == "super"}
    for ret in collect(method.body, cst.Return):
        value = ret.value
        if isinstance(value, cst.Call) and len(value.args) == 1 and isinstance(value.args[0].value, cst.Name) \
                and value.args[0].value.value in made and (dotted(value.func) or isinstance(value.func, cst.Call)):
            return value.func
    return None


def _code(node: cst.FunctionDef) -> list:
    """The function's statements, its docstring left out."""
    return [s for s in node.body.body if not (isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.Expr)
                                              and isinstance(s.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))]


def _allowed_by_first_test(node: cst.FunctionDef) -> tuple[str, ...]:
    """The methods a view serves when its first statement turns every other one away
    (Flagsmith's SPA index: ``if request.method != "GET": return HttpResponse(status=405)``;
    ``if request.method not in ("GET", "HEAD"): return HttpResponseNotAllowed(...)``)."""
    body = _code(node)
    first = body[0] if body else None
    if not isinstance(first, cst.If) or first.orelse is not None or not isinstance(first.test, cst.Comparison) \
            or len(first.test.comparisons) != 1 or not (dotted(first.test.left) or "").endswith(".method"):
        return ()
    op = first.test.comparisons[0]
    allowed = string_list(op.comparator)
    if not allowed or not isinstance(op.operator, (cst.NotEqual, cst.NotIn)):
        return ()
    code = cst.Module([]).code_for_node(first.body)
    if "405" not in code and "NotAllowed" not in code:
        return ()
    return tuple(m.upper() for m in allowed)


def _deferred(hook: cst.FunctionDef, qual: str) -> set[str]:
    """The functions a hook defines and does not call itself (it hands them to a lazy object):
    their qualified names."""
    nested = {s.name.value for s in hook.body.body if isinstance(s, cst.FunctionDef)}
    called = {c.func.value for stmt in hook.body.body if not isinstance(stmt, cst.FunctionDef)
              for c in collect(stmt, cst.Call) if isinstance(c.func, cst.Name)}
    return {f"{qual}.{name}" for name in nested - called}


def _runs_view_first(node: cst.FunctionDef) -> bool:
    """The hook's first statement (after a docstring) calls the next handler: what follows
    post-processes the view's answer."""
    body = _code(node)
    if not body or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
        return False
    small = body[0].body[0]
    value = small.value if isinstance(small, (cst.Assign, cst.Expr, cst.AnnAssign)) else None
    if isinstance(value, cst.Await):
        value = value.expression
    return isinstance(value, cst.Call) and (dotted(value.func) or "").rpartition(".")[2] == "get_response"


def _rejects(node) -> bool:
    """The hook (or a block of it) raises, or returns something other than the next handler's
    response."""
    passed_on = set()  # locals holding the next handler's response

    def passes(expr) -> bool:
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if expr is None or isinstance(expr, cst.Name) and (expr.value == "None" or expr.value in passed_on):
            return True
        if isinstance(expr, cst.Call):
            name = dotted(expr.func) or ""
            if name.rpartition(".")[2] == "get_response":
                return True
            func = expr.func
            return isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) \
                and dotted(func.value.func) == "super" and func.attr.value in MIDDLEWARE_HOOKS
        return False

    found = []

    class Finder(cst.CSTVisitor):
        def visit_Assign(self, a: cst.Assign) -> None:
            if passes(a.value):
                passed_on.update(t.target.value for t in a.targets if isinstance(t.target, cst.Name))

        def visit_Raise(self, r: cst.Raise) -> None:
            found.append(r)

        def visit_Return(self, r: cst.Return) -> None:
            if not passes(r.value):
                found.append(r)

        def visit_FunctionDef(self, f: cst.FunctionDef) -> bool:
            return f is node  # a nested function is not this hook

    walk(node, Finder())
    return bool(found)


def _instance(qname: str) -> bool:
    """A call that makes an object, by the name it calls (``FormPreview(form)``): as the view
    of a route, the object is the view (its ``__call__`` answers), not a decorator's result."""
    return qname.rpartition(".")[2][:1].isupper()


def _passes_to_path(method: cst.FunctionDef, ctx) -> tuple[int, int | None] | None:
    """(index of the route argument, index of the view argument or None) among the positional
    arguments a caller gives ``method`` (``self`` left out), when its body calls ``path()`` or
    ``re_path()`` with its own parameters: ``path(url_path, *args, **kwargs)`` takes the view
    from the first argument beyond the named ones."""
    params = [p.name.value for p in method.params.params][1:]
    star = isinstance(method.params.star_arg, cst.Param) and method.params.star_arg.name.value
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            if found or URL_FUNCS.get(ctx.resolve(call.func)) is None or len(call.args) < 2:
                return
            route, view = call.args[0], call.args[1]
            if isinstance(route.value, cst.Name) and route.value.value in params and not route.star:
                if view.star == "*" and isinstance(view.value, cst.Name) and view.value.value == star:
                    found.append((params.index(route.value.value), len(params)))
                elif not view.star and isinstance(view.value, cst.Name) and view.value.value in params:
                    found.append((params.index(route.value.value), params.index(view.value.value)))

    walk(method, Finder())
    return found[0] if found else None


def _top_statements(body):
    """Module-level statements, including those under ``if`` / ``try`` blocks."""
    for stmt in body:
        if isinstance(stmt, cst.If):
            yield from _top_statements(stmt.body.body)
            if stmt.orelse is not None:
                yield from _top_statements(stmt.orelse.body.body if isinstance(stmt.orelse, cst.Else)
                                           else [stmt.orelse])
        elif isinstance(stmt, cst.Try):
            yield from _top_statements(stmt.body.body)
        else:
            yield stmt


def _defs(prefix: str, body):
    """(qualified name, node) of every class and function, nested ones included."""
    for stmt in body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            q = f"{prefix}.{stmt.name.value}"
            yield q, stmt
            inner = stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ()
            yield from _defs(q, inner)
