"""Django and Django REST Framework: URLconfs, guards at every layer, settings, DRF routers,
permissions and the DRF checks, on small in-memory projects."""
from routeguard import scan_sources
from helpers import validate_sarif

SETTINGS = """
DEBUG = False
import os
SECRET_KEY = os.environ["SECRET_KEY"]
ROOT_URLCONF = "proj.urls"
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "rest_framework", "shop"]
"""


def scan(files, settings=SETTINGS, config=None):
    sources = {"proj/__init__.py": "", "proj/settings.py": settings, **files}
    return scan_sources(sources, config=config)


def routes(report):
    return {(r.method, r.path): r for r in report.routes}


def findings(report, rule=None):
    return sorted((f.rule_id, f.location.file, f.location.line) for f in report.findings
                  if rule is None or f.rule_id == rule)


def related(report, rule, location):
    """(file, line) of the related locations of the ``rule`` finding at ``location``."""
    f = next(f for f in report.findings if f.rule_id == rule and f.location == location)
    return {(x.location.file, x.location.line) for x in f.related}


def guard_names(route):
    return {g.name for g in route.guards if g.effect == "auth"}


# -- URLconfs -------------------------------------------------------------------------------------

STAFF_ONLY = """
from django.core.exceptions import PermissionDenied

def staff_only(view):
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapper
"""


def test_urlconf_includes_prefixes_namespaces_and_regexes():
    report = scan({
        "proj/urls.py": """
from django.urls import include, path, re_path
from django.conf.urls import url
import blog.urls
from shop import urls as shop_urls
from blog import views

extra = [
    path("feed/", views.feed),
]

urlpatterns = [
    path("", views.home),
    path("blog/", include("blog.urls", namespace="blog")),
    path("blog2/", include(blog.urls)),
    path("shop/", include((shop_urls, "shop"), namespace="store")),
    path("misc/", include(extra)),
    path("inline/", include([path("a/", views.feed), path("b/", views.feed)])),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.archive),
    url(r"^legacy/$", views.feed),
]
""",
        "blog/__init__.py": "",
        "blog/urls.py": """
from django.urls import path, include
from . import views
app_name = "blog"
urlpatterns = [
    path("posts/<int:pk>/", views.post, name="post"),
    path("comments/", include("comments.urls")),
]
""",
        "blog/views.py": "def home(r): ...\ndef feed(r): ...\ndef archive(r, year): ...\ndef post(r, pk): ...\n",
        "blog/auth.py": STAFF_ONLY,  # the project authenticates somewhere: RG101 is per route
        "comments/__init__.py": "",
        "comments/urls.py": """
from django.urls import path
from comments.views import recent
urlpatterns = [path("recent/", recent)]
""",
        "comments/views.py": "def recent(r): ...\n",
        "shop/__init__.py": "",
        "shop/urls.py": """
from django.urls import path
from shop.views import cart
urlpatterns = [path("cart/", cart)]
""",
        "shop/views.py": "def cart(r): ...\n",
    }, config={"report-public-reads": True})  # the handlers are stubs: public reads, listed as notes
    paths = {r.path for r in report.routes}
    assert {"/", "/blog/posts/<int:pk>/", "/blog2/posts/<int:pk>/", "/blog/comments/recent/",
            "/shop/cart/", "/misc/feed/", "/inline/a/", "/inline/b/", "/archive/(?P<year>[0-9]{4})/",
            "/legacy/"} <= paths
    r = routes(report)[("ANY", "/blog/posts/<int:pk>/")]
    assert r.endpoint == "blog.post" and r.framework == "django"
    assert (r.registration.file, r.registration.line) == ("blog/urls.py", 6)
    assert r.location.file == "blog/views.py" and r.location == r.handler_location
    assert r.auth == "unprotected"
    # RG101 is reported on the handler; the path() line is a related location
    assert ("RG101", "blog/views.py", r.location.line) in findings(report)
    assert ("blog/urls.py", 6) in related(report, "RG101", r.location)
    assert not report.notifications


def test_i18n_patterns_serve_their_entries_below_the_language_code():
    # wger's root URLconf: the site's pages are translated, the API is not
    report = scan({
        "proj/urls.py": """
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from core import views

urlpatterns = i18n_patterns(
    path("", include(("core.urls", "core"), namespace="core")),
    path("dashboard/", views.dashboard, name="dashboard"),
)
urlpatterns += [
    path("api/v2/status/", views.status),
]
""",
        "core/__init__.py": "",
        "core/urls.py": """
from django.urls import path
from core import views
urlpatterns = [path("user/<int:pk>/edit/", views.edit_user, name="edit")]
""",
        "core/views.py": "def dashboard(r): ...\ndef status(r): ...\ndef edit_user(r, pk): ...\n",
    })
    paths = {r.path for r in report.routes}
    assert paths == {"/{language_code}/user/<int:pk>/edit/", "/{language_code}/dashboard/", "/api/v2/status/"}
    assert routes(report)[("ANY", "/{language_code}/user/<int:pk>/edit/")].endpoint == "core.edit"


def test_an_app_config_that_appends_to_the_root_urlconf_when_ready_mounts_there():
    # taiga: optional apps add their API router to the project's urlpatterns from ready()
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from .routers import router

urlpatterns = [
    path("api/v1/", include(router.urls)),
]
""",
        "proj/routers.py": """
from rest_framework.routers import DefaultRouter
from projects.api import ProjectViewSet

router = DefaultRouter(trailing_slash=False)
router.register(r"projects", ProjectViewSet, basename="projects")
""",
        "projects/__init__.py": "",
        "projects/api.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

class ProjectViewSet(viewsets.ViewSet):
    permission_classes = (IsAuthenticated,)
    def list(self, request): ...
""",
        "feedback/__init__.py": "",
        "feedback/api.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

class FeedbackViewSet(viewsets.ViewSet):
    permission_classes = (IsAuthenticated,)
    def create(self, request, **kwargs): ...
""",
        "feedback/routers.py": """
from rest_framework.routers import DefaultRouter
from . import api

router = DefaultRouter(trailing_slash=False)
router.register(r"feedback", api.FeedbackViewSet, basename="feedback")
""",
        "feedback/apps.py": """
from django.apps import AppConfig
from django.conf import settings
from django.urls import include, path


class FeedbackAppConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        if settings.FEEDBACK_ENABLED:
            from proj.urls import urlpatterns
            from .routers import router
            urlpatterns.append(path("api/v1/", include(router.urls)))
""",
    })
    assert ("POST", "/api/v1/feedback") in routes(report)
    assert ("POST", "/feedback") not in routes(report)


def test_nested_registrations_chained_on_a_router_are_served_below_their_parents_items():
    # drf-extensions' NestedRouterMixin (taiga vendors a copy): register() returns an item whose
    # own register() nests the next viewset below the parent's objects
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from .routers import router

urlpatterns = [path("api/v1/", include(router.urls))]
""",
        "proj/routers.py": """
from rest_framework.routers import DefaultRouter
from rest_framework_extensions.routers import NestedRouterMixin
from epics.api import EpicViewSet, EpicRelatedUserStoryViewSet, EpicCommentViewSet


class ApiRouter(NestedRouterMixin, DefaultRouter):
    pass


router = ApiRouter(trailing_slash=False)
router.register(r"epics", EpicViewSet, basename="epics")\\
      .register(r"related_userstories", EpicRelatedUserStoryViewSet,
                basename="epics-related-userstories",
                parents_query_lookups=["epic"])\\
      .register(r"comments", EpicCommentViewSet, basename="epic-comments",
                parents_query_lookups=["epic", "userstory"])
""",
        "epics/__init__.py": "",
        "epics/api.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated


class EpicViewSet(viewsets.ModelViewSet):
    permission_classes = (IsAuthenticated,)


class EpicRelatedUserStoryViewSet(viewsets.ModelViewSet):
    permission_classes = (IsAuthenticated,)


class EpicCommentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = (IsAuthenticated,)
""",
    })
    r = routes(report)
    assert ("GET", "/api/v1/epics/<pk>") in r
    assert ("POST", "/api/v1/epics/<epic>/related_userstories") in r
    assert ("DELETE", "/api/v1/epics/<epic>/related_userstories/<pk>") in r
    assert ("GET", "/api/v1/epics/<epic>/related_userstories/<userstory>/comments/<pk>") in r
    assert not [p for _, p in r if p.startswith(("/api/v1/related_userstories", "/api/v1/comments"))]


def test_urls_beside_settings_is_the_root_when_root_urlconf_is_absent_and_orphans_are_roots():
    report = scan({
        "proj/urls.py": """
from django.urls import path
from proj.views import a
urlpatterns = [path("a/", a)]
""",
        "proj/views.py": "def a(r): ...\n",
        "other/urls.py": """
from django.urls import path
from proj.views import a
urlpatterns = [path("orphan/", a)]
""",
    }, settings="DEBUG = False\nMIDDLEWARE = ['django.contrib.auth.middleware.LoginRequiredMiddleware']\n")
    rs = routes(report)
    assert rs[("ANY", "/a/")].auth == "protected"  # middleware attached to proj.urls beside settings.py
    assert ("ANY", "/orphan/") in rs


def test_views_wrapped_in_urls_and_decorator_include():
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from django.contrib.auth.decorators import login_required, permission_required, user_passes_test
from decorator_include import decorator_include
from proj import views

urlpatterns = [
    path("a/", login_required(views.a)),
    path("b/", permission_required("shop.change_order")(views.b)),
    path("c/", user_passes_test(lambda u: u.is_staff)(views.c)),
    path("d/", login_required(views.DView.as_view())),
    path("staff/", decorator_include(login_required, "staffapp.urls")),
    path("open/", views.a),
]
""",
        "proj/views.py": """
from django.views import View
def a(r): ...
def b(r): ...
def c(r): ...
class DView(View):
    def get(self, request): ...
""",
        "staffapp/__init__.py": "",
        "staffapp/urls.py": """
from django.urls import path
from proj.views import a
urlpatterns = [path("x/", a)]
""",
    })
    rs = routes(report)
    assert guard_names(rs[("ANY", "/a/")]) == {"login_required"}
    assert rs[("ANY", "/b/")].auth == "protected"
    assert rs[("ANY", "/c/")].auth == "protected"
    assert rs[("GET", "/d/")].auth == "protected"
    staff = rs[("ANY", "/staff/x/")]
    assert staff.auth == "protected" and staff.guards[0].layer == "include"
    assert rs[("ANY", "/open/")].auth == "unprotected"


def test_admin_site_is_protected_by_its_own_login():
    report = scan({"proj/urls.py": """
from django.contrib import admin
from django.urls import path
urlpatterns = [path("admin/", admin.site.urls)]
"""})
    r = routes(report)[("ANY", "/admin/")]
    assert r.auth == "protected" and findings(report) == []


# -- function views --------------------------------------------------------------------------------

FUNC_URLS = """
from django.urls import path
from shop import views
urlpatterns = [
    path("login-req/", views.login_req),
    path("perm/", views.perm),
    path("test/", views.tested),
    path("staff/", views.staff),
    path("post-only/", views.post_only),
    path("methods/", views.methods),
    path("custom/", views.custom),
    path("inline/", views.inline),
    path("denied/", views.denied),
    path("audited/", views.audited_view),
]
"""
FUNC_VIEWS = """
import functools
from django.contrib.auth.decorators import login_required, permission_required, user_passes_test
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.views.decorators.http import require_POST, require_http_methods
from .auth import api_key_required

@login_required
def login_req(request): ...

@permission_required("shop.view_order", raise_exception=True)
def perm(request): ...

@user_passes_test(lambda u: u.is_superuser)
def tested(request): ...

@staff_member_required
def staff(request): ...

@require_POST
def post_only(request): Order.objects.create(note=request.POST["note"])

@require_http_methods(["GET", "PUT"])
@login_required
def methods(request): ...

@api_key_required
def custom(request): ...

def inline(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return None

def denied(request):
    if request.user.is_anonymous:
        raise PermissionDenied
    return None

def audit(view):
    @functools.wraps(view)
    def wrapper(request, *a, **kw):
        print("audit")
        return view(request, *a, **kw)
    return wrapper

@audit
def audited_view(request): ...
"""
FUNC_AUTH = """
import functools
from django.http import JsonResponse

def api_key_required(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.headers.get("X-Api-Key") != "k":
            return JsonResponse({"error": "no"}, status=401)
        return view(request, *args, **kwargs)
    return wrapper
"""


def test_function_view_guards_methods_and_inline_checks():
    report = scan({"proj/urls.py": FUNC_URLS, "shop/__init__.py": "", "shop/views.py": FUNC_VIEWS,
                   "shop/auth.py": FUNC_AUTH})
    rs = routes(report)
    for p in ("login-req", "perm", "test", "staff", "custom"):
        assert rs[("ANY", f"/{p}/")].auth == "protected", p
    assert rs[("POST", "/post-only/")].auth == "unprotected"
    assert {m for m, p in rs if p == "/methods/"} == {"GET", "PUT"}
    assert rs[("GET", "/methods/")].auth == "protected"
    for p in ("inline", "denied"):
        r = rs[("ANY", f"/{p}/")]
        assert r.auth == "protected" and r.guards[0].layer == "inline", p
    assert rs[("ANY", "/audited/")].auth == "unprotected"
    post_only = rs[("POST", "/post-only/")].location  # on the handler, the path() line related
    assert post_only.file == "shop/views.py" and ("RG101", "shop/views.py", post_only.line) in findings(report)
    assert ("proj/urls.py", 9) in related(report, "RG101", post_only)


# -- class-based views -------------------------------------------------------------------------------

CBV_URLS = """
from django.urls import path
from shop import views
urlpatterns = [
    path("mixin/", views.MixinView.as_view()),
    path("late-mixin/", views.LateMixinView.as_view()),
    path("perm-mixin/", views.PermView.as_view()),
    path("test-mixin/", views.TestView.as_view()),
    path("md-class/", views.DecoratedView.as_view()),
    path("md-method/", views.DispatchDecorated.as_view()),
    path("md-get/", views.GetOnly.as_view()),
    path("dispatch/", views.DispatchCheck.as_view()),
    path("base-other-module/", views.FromBase.as_view()),
    path("template/", views.About.as_view()),
    path("generic/", views.OrderCreate.as_view()),
]
"""
CBV_VIEWS = """
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin, UserPassesTestMixin
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import CreateView, TemplateView
from shop.base import ProtectedView

class MixinView(LoginRequiredMixin, View):
    def get(self, request): ...

class LateMixinView(View, LoginRequiredMixin):
    def get(self, request): ...

class PermView(PermissionRequiredMixin, View):
    permission_required = "shop.view_order"
    def get(self, request): ...

class TestView(UserPassesTestMixin, View):
    def test_func(self):
        return self.request.user.is_staff
    def get(self, request): ...

@method_decorator(login_required, name="dispatch")
class DecoratedView(View):
    def get(self, request): ...
    def post(self, request): ...

class DispatchDecorated(View):
    @method_decorator(login_required)
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)
    def get(self, request): ...

@method_decorator(login_required, name="post")
class GetOnly(View):
    def get(self, request): ...
    def post(self, request): ...

class DispatchCheck(View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
    def get(self, request): ...

class FromBase(ProtectedView):
    def get(self, request): ...

class About(TemplateView):
    template_name = "about.html"

class OrderCreate(CreateView):
    fields = ["item"]
"""
CBV_BASE = """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views import View

class ProtectedView(LoginRequiredMixin, View):
    pass
"""


def test_class_views_mixins_order_method_decorator_dispatch_and_bases():
    report = scan({"proj/urls.py": CBV_URLS, "shop/__init__.py": "", "shop/views.py": CBV_VIEWS,
                   "shop/base.py": CBV_BASE},
                  config={"report-public-reads": True})  # stub handlers: public reads, as notes
    rs = routes(report)
    mixin = rs[("GET", "/mixin/")]
    assert mixin.auth == "protected"
    g = next(g for g in mixin.guards if g.name == "LoginRequiredMixin")
    assert g.layer == "class" and g.kind == "mixin" and g.location.file == "shop/views.py"
    assert rs[("GET", "/late-mixin/")].auth == "unprotected"  # after View in the MRO: never runs
    assert rs[("GET", "/perm-mixin/")].auth == "protected"
    assert rs[("GET", "/test-mixin/")].auth == "protected"
    assert rs[("GET", "/md-class/")].auth == rs[("POST", "/md-class/")].auth == "protected"
    assert rs[("GET", "/md-method/")].auth == "protected"
    assert rs[("GET", "/md-get/")].auth == "unprotected" and rs[("POST", "/md-get/")].auth == "protected"
    assert rs[("GET", "/dispatch/")].auth == "protected"
    assert rs[("GET", "/base-other-module/")].auth == "protected"
    assert rs[("GET", "/template/")].auth == "unprotected"  # methods provided by TemplateView
    assert {m for m, p in rs if p == "/generic/"} == {"GET", "POST"}
    # one RG101 per path() line, methods grouped
    late = [f for f in report.findings if f.rule_id == "RG101"
            and any((x.location.file, x.location.line) == ("proj/urls.py", 6) for x in f.related)]
    assert len(late) == 1 and late[0].location == rs[("GET", "/late-mixin/")].handler_location


# -- settings ---------------------------------------------------------------------------------------

def test_login_required_middleware_and_login_not_required_in_split_settings():
    report = scan_sources({
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": """
ROOT_URLCONF = "proj.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]
""",
        "proj/settings/production.py": "from .base import *\nDEBUG = False\n",
        "proj/urls.py": """
from django.urls import path
from proj import views
urlpatterns = [path("dash/", views.dash), path("landing/", views.landing)]
""",
        "proj/views.py": """
from django.contrib.auth.decorators import login_not_required

def dash(request): ...

@login_not_required
def landing(request): ...
""",
    })
    rs = routes(report)
    dash = rs[("ANY", "/dash/")]
    assert dash.auth == "protected"
    assert dash.guards[0].kind == "middleware" and dash.guards[0].layer == "middleware"
    assert dash.guards[0].location.file == "proj/settings/base.py"
    assert rs[("ANY", "/landing/")].auth == "public"
    assert findings(report) == []


def test_debug_and_secret_key_in_settings():
    report = scan_sources({
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": 'SECRET_KEY = "django-insecure-abc123"\nDEBUG = True\nROOT_URLCONF = "proj.urls"\n',
        "proj/settings/dev.py": "from .base import *\nDEBUG = True\n",
        "proj/settings/prod.py": "import os\nfrom .base import *\nDEBUG = False\n"
                                 "SECRET_KEY = os.environ.get('SECRET_KEY', 'fallback')\n",
    })
    got = findings(report)
    assert ("RG403", "proj/settings/base.py", 1) in got
    assert ("RG401", "proj/settings/base.py", 2) in got
    assert ("RG403", "proj/settings/prod.py", 4) in got
    assert not any(f[1] == "proj/settings/dev.py" for f in got)  # development settings may debug
    assert len([f for f in got if f == ("RG401", "proj/settings/base.py", 2)]) == 1


# -- DRF ---------------------------------------------------------------------------------------------

DRF_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter, SimpleRouter
from api import views

router = DefaultRouter()
router.register(r"notes", views.NoteViewSet, basename="note")
router.register("tags", views.TagViewSet)
router.register("logs", views.LogViewSet)

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/ping-me/", views.whoami),
    path("api/orders/", views.OrderList.as_view()),
]
"""
DRF_VIEWS = """
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated

class NoteViewSet(viewsets.ModelViewSet):
    def destroy(self, request, pk=None): ...

    @action(detail=True, methods=["post"], permission_classes=[AllowAny])
    def publish(self, request, pk=None): note = self.get_object(); note.published = True; note.save()

    @action(detail=False)
    def recent(self, request): ...

class TagViewSet(viewsets.ReadOnlyModelViewSet):
    pass

class LogViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAdminUser]

@api_view(["GET", "POST"])
def whoami(request): ...

class OrderList(generics.ListCreateAPIView):
    permission_classes = [AllowAny]
"""


def test_router_routes_actions_and_methods_without_default_are_unprotected():
    report = scan({"proj/urls.py": DRF_URLS, "api/__init__.py": "", "api/views.py": DRF_VIEWS},
                  config={"report-public-reads": True})  # whoami is a stub: a public read, listed as a note
    rs = routes(report)
    notes = {m for m, p in rs if p == "/api/notes/"}
    detail = {m for m, p in rs if p == "/api/notes/<pk>/"}
    assert notes == {"GET", "POST"} and detail == {"GET", "PUT", "PATCH", "DELETE"}
    assert {m for m, p in rs if p == "/api/tags/"} == {"GET"}
    assert {m for m, p in rs if p == "/api/tags/<pk>/"} == {"GET"}
    assert {m for m, p in rs if p.startswith("/api/logs/")} == {"GET", "DELETE"}
    assert rs[("GET", "/api/logs/")].auth == "protected"
    assert rs[("POST", "/api/notes/<pk>/publish/")].auth == "public"
    assert ("GET", "/api/notes/recent/") in rs
    # no DEFAULT_PERMISSION_CLASSES: AllowAny, so unprotected (not public)
    assert rs[("GET", "/api/notes/")].auth == "unprotected"
    assert rs[("GET", "/api/ping-me/")].auth == "unprotected"
    assert {m for m, p in rs if p == "/api/ping-me/"} == {"GET", "POST"}
    # locations: a method the viewset defines; else the viewset class; the api_view function;
    # the register() and path() lines are the registrations
    assert rs[("DELETE", "/api/notes/<pk>/")].location == rs[("DELETE", "/api/notes/<pk>/")].handler_location
    assert rs[("DELETE", "/api/notes/<pk>/")].location.file == "api/views.py"
    assert (rs[("GET", "/api/notes/")].location.file, rs[("GET", "/api/notes/")].location.line) == ("api/views.py", 6)
    assert (rs[("GET", "/api/notes/")].registration.file, rs[("GET", "/api/notes/")].registration.line) == \
        ("proj/urls.py", 7)
    assert rs[("GET", "/api/notes/recent/")].location.line == 13  # the def line of the action
    assert (rs[("GET", "/api/ping-me/")].location.file, rs[("GET", "/api/ping-me/")].location.line) == ("api/views.py", 22)
    got = findings(report, "RG101")
    assert ("RG101", "api/views.py", 7) in got and ("RG101", "api/views.py", 6) in got
    assert ("RG101", "api/views.py", 22) in got
    assert ("proj/urls.py", 7) in related(report, "RG101", rs[("GET", "/api/notes/")].location)


def test_default_permission_classes_apply_where_the_view_sets_none():
    settings = SETTINGS + """
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
"""
    report = scan({"proj/urls.py": DRF_URLS, "api/__init__.py": "", "api/views.py": DRF_VIEWS}, settings)
    rs = routes(report)
    g = rs[("GET", "/api/notes/")].guards[0]
    assert g.layer == "settings" and g.name == "IsAuthenticated" and g.location.file == "proj/settings.py"
    assert rs[("GET", "/api/ping-me/")].auth == "protected"
    assert rs[("POST", "/api/notes/<pk>/publish/")].auth == "public"  # the action's own permission_classes
    assert rs[("GET", "/api/orders/")].auth == "public"
    assert findings(report, "RG101") == []
    # RG204 for AllowAny on a writable view, on the permission's line
    assert findings(report, "RG204") == [("RG204", "api/views.py", 9), ("RG204", "api/views.py", 25)]


def test_permission_operators_custom_classes_inheritance_and_get_permissions():
    report = scan({
        "proj/urls.py": """
from django.urls import path
from api import views
urlpatterns = [
    path("and/", views.AndView.as_view()),
    path("or/", views.OrView.as_view()),
    path("or-open/", views.OrOpenView.as_view()),
    path("or-of-and/", views.OrOfAndView.as_view()),
    path("or-of-and-open/", views.OrOfAndOpenView.as_view()),
    path("not/", views.NotView.as_view()),
    path("custom/", views.CustomView.as_view()),
    path("inherited/", views.Inherited.as_view()),
    path("get-perms/", views.GetPerms.as_view()),
    path("read-only/", views.ReadOnly.as_view()),
    path("fbv/", views.fbv),
]
""",
        "api/__init__.py": "",
        "api/perms.py": """
from rest_framework.permissions import BasePermission

class HasApiKey(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class ReadOnlyMethods(BasePermission):
    def has_permission(self, request, view):
        return request.method in ("GET", "HEAD")
""",
        "api/base.py": """
from rest_framework.views import APIView
from rest_framework.permissions import IsAuthenticated

class SecureAPIView(APIView):
    permission_classes = [IsAuthenticated]
""",
        "api/views.py": """
from rest_framework.views import APIView
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated, IsAdminUser, IsAuthenticatedOrReadOnly
from .perms import HasApiKey, IsOwner, ReadOnlyMethods
from .base import SecureAPIView

class AndView(APIView):
    permission_classes = [IsAuthenticated & IsOwner]
    def get(self, request): ...

class OrView(APIView):
    permission_classes = [IsAdminUser | HasApiKey]
    def get(self, request): ...

class OrOpenView(APIView):
    permission_classes = [IsAuthenticated | ReadOnlyMethods]
    def get(self, request): ...

class OrOfAndView(APIView):  # Tandoor's SpaceViewSet: each alternative requires a signed-in class
    permission_classes = [((ReadOnlyMethods | IsOwner) & HasApiKey) | IsOwner & IsAdminUser]
    def get(self, request): ...

class OrOfAndOpenView(APIView):  # reads need nothing: the first alternative lets anyone read
    permission_classes = [(ReadOnlyMethods & ReadOnlyMethods) | HasApiKey & IsAdminUser]
    def get(self, request): ...

class NotView(APIView):
    permission_classes = [~IsAdminUser]
    def get(self, request): ...

class CustomView(APIView):
    permission_classes = (HasApiKey,)
    def get(self, request): ...

class Inherited(SecureAPIView):
    def get(self, request): ...

class GetPerms(APIView):
    def get_permissions(self):
        return [IsAdminUser()]
    def get(self, request): ...

class ReadOnly(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    def get(self, request): ...
    def post(self, request): ...

@api_view(["POST"])
@permission_classes([IsAuthenticated])
def fbv(request): ...
""",
    })
    rs = routes(report)
    assert rs[("GET", "/and/")].auth == "protected"
    assert rs[("GET", "/or/")].auth == "protected"
    # a class that decides by the method alone lets everyone read, as IsAuthenticatedOrReadOnly does
    assert rs[("GET", "/or-open/")].auth == "public"
    assert rs[("GET", "/or-of-and/")].auth == "protected"
    assert rs[("GET", "/or-of-and-open/")].auth == "unprotected"
    assert rs[("GET", "/not/")].auth == "unprotected"
    assert rs[("GET", "/custom/")].auth == "protected"
    inherited = rs[("GET", "/inherited/")]
    assert inherited.auth == "protected" and inherited.guards[0].location.file == "api/base.py"
    assert rs[("GET", "/get-perms/")].auth == "protected"
    assert rs[("GET", "/read-only/")].auth == "public" and rs[("POST", "/read-only/")].auth == "protected"
    assert rs[("POST", "/fbv/")].auth == "protected"


def test_permission_classes_above_api_view_are_misplaced():
    report = scan({
        "proj/urls.py": "from django.urls import path\nfrom api.views import f\nurlpatterns = [path('f/', f)]\n",
        "api/views.py": """
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated

@permission_classes([IsAuthenticated])
@api_view(["POST"])
def f(request): ...
""",
    })
    assert findings(report, "RG102") == [("RG102", "api/views.py", 5)]
    assert findings(report, "RG101") == []  # RG102 explains it


def test_object_permission_only_on_collection_routes():
    report = scan({
        "proj/urls.py": DRF_URLS.replace("views.NoteViewSet", "views.Notes"),
        "api/__init__.py": "",
        "api/views.py": DRF_VIEWS + """
from rest_framework.permissions import BasePermission

class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class Notes(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
""",
    })
    rs = routes(report)
    assert [g.name for g in rs[("GET", "/api/notes/")].inert] == ["IsOwner"]
    assert rs[("GET", "/api/notes/<pk>/")].inert == ()
    assert findings(report, "RG205") == [("RG205", "api/views.py", 34)]


def test_serializer_exposing_sensitive_fields_is_worse_on_open_views():
    report = scan({
        "proj/urls.py": """
from django.urls import path
from accounts import views
urlpatterns = [path("users/", views.UserList.as_view()), path("me/", views.me)]
""",
        "accounts/__init__.py": "",
        "accounts/models.py": """
from django.contrib.auth.models import AbstractUser
from django.db import models

class User(AbstractUser):
    api_token = models.CharField(max_length=40)
    bio = models.TextField()

class Profile(models.Model):
    bio = models.TextField()
""",
        "accounts/serializers.py": """
from rest_framework import serializers
from .models import Profile, User

class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = "__all__"

class SafeUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        exclude = ["password", "api_token", "is_staff", "is_superuser", "groups", "user_permissions"]

class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        exclude = ["password"]

class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profile
        fields = "__all__"
""",
        "accounts/views.py": """
from rest_framework import generics
from rest_framework.decorators import api_view
from rest_framework.permissions import IsAuthenticated
from .serializers import UserSerializer, MeSerializer

class UserList(generics.ListAPIView):
    serializer_class = UserSerializer

@api_view(["GET"])
def me(request):
    return MeSerializer(request.user).data
""",
    })
    hits = {f.location.line: f for f in report.findings if f.rule_id == "RG302"}
    assert set(hits) == {8, 18}
    assert hits[8].severity.level == "error" and "password" in hits[8].message
    assert "api_token" in hits[18].message and "password" not in hits[18].message.split(":")[1]
    validate_sarif(report.render("sarif"))


def test_fields_a_serializer_takes_out_of_its_representation_are_not_sent():
    """Label Studio's storage serializers take every field of the model and drop the
    credentials in ``to_representation`` (``result.pop("password")``, or each name of a
    ``secure_fields`` list): what is dropped is never sent (RG302 names only what is left)."""
    report = scan({
        "storages/__init__.py": "",
        "storages/models.py": """
from django.db import models


class RedisStorage(models.Model):
    host = models.CharField(max_length=256)
    password = models.CharField(max_length=256, blank=True)


class S3Storage(models.Model):
    bucket = models.CharField(max_length=256)
    aws_access_key_id = models.TextField(blank=True)
    aws_secret_access_key = models.TextField(blank=True)
    aws_session_token = models.TextField(blank=True)
""",
        "storages/serializers.py": """
from rest_framework import serializers

from .models import RedisStorage, S3Storage


class RedisStorageSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedisStorage
        fields = "__all__"

    def to_representation(self, instance):
        result = super().to_representation(instance)
        result.pop("password")
        return result


class S3StorageSerializer(serializers.ModelSerializer):
    secure_fields = ["aws_access_key_id", "aws_secret_access_key"]

    class Meta:
        model = S3Storage
        fields = "__all__"

    def to_representation(self, instance):
        result = super().to_representation(instance)
        for attr in self.secure_fields:
            result.pop(attr, None)
        return result
""",
    })
    hits = [f for f in report.findings if f.rule_id == "RG302"]
    assert [(f.location.line, f.message.rpartition(":")[2].split(" are ")[0].split(" is ")[0].strip()) for f in hits] \
        == [(23, "aws_session_token")]


def test_fields_a_serializer_mixin_takes_out_of_its_representation_are_not_sent():
    """The credentials can be dropped by a mixin of the serializer, defined beside it (Label
    Studio's ``S3StorageSerializerMixin``): its ``to_representation`` pops each name of its
    ``secure_fields``, and a subclass's own list overrides the mixin's."""
    report = scan({
        "storages/__init__.py": "",
        "storages/models.py": """
from django.db import models


class GCSStorage(models.Model):
    bucket = models.CharField(max_length=256)
    google_application_credentials = models.TextField(blank=True)


class AzureStorage(models.Model):
    container = models.CharField(max_length=256)
    account_key = models.TextField(blank=True)
    sas_token = models.TextField(blank=True)
""",
        "storages/serializers.py": """
from rest_framework import serializers

from .models import AzureStorage, GCSStorage


class SecureFieldsMixin:
    secure_fields = ["google_application_credentials"]

    def to_representation(self, instance):
        result = super().to_representation(instance)
        for attr in self.secure_fields:
            result.pop(attr, None)
        return result


class GCSStorageSerializer(SecureFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = GCSStorage
        fields = "__all__"


class AzureStorageSerializer(SecureFieldsMixin, serializers.ModelSerializer):
    secure_fields = ["account_key"]

    class Meta:
        model = AzureStorage
        fields = "__all__"
""",
    })
    hits = [f for f in report.findings if f.rule_id == "RG302"]
    assert [(f.location.line, f.message.rpartition(":")[2].split(" are ")[0].split(" is ")[0].strip()) for f in hits] \
        == [(28, "sas_token")]


def test_who_last_acted_on_a_row_is_a_record_not_a_privilege():
    """``updated_by`` and ``approved_by`` record who last acted on a label, ``comment_authors``
    who wrote its comments; writing them grants nothing (Label Studio's label, task and annotation
    serializers). ``created_by``, whose row it is, stays a privileged field."""
    report = scan({
        "labels/__init__.py": "",
        "labels/models.py": """
from django.conf import settings
from django.db import models


class Label(models.Model):
    title = models.CharField(max_length=2048)
    value = models.JSONField()
    approved = models.BooleanField(default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="labels_approved")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="labels_updated")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="labels")
    comment_authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="commented_labels")


class Comment(models.Model):
    text = models.TextField()
    last_edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
""",
        "labels/serializers.py": """
from rest_framework import serializers

from .models import Comment, Label


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = "__all__"


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = "__all__"
""",
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from labels.api import CommentViewSet, LabelViewSet

router = DefaultRouter()
router.register("labels", LabelViewSet)
router.register("comments", CommentViewSet)

urlpatterns = [path("api/", include(router.urls))]
""",
        "labels/api.py": """
from rest_framework import viewsets

from .models import Comment, Label
from .serializers import CommentSerializer, LabelSerializer


class LabelViewSet(viewsets.ModelViewSet):
    serializer_class = LabelSerializer

    def get_queryset(self):
        return Label.objects.filter(created_by=self.request.user)


class CommentViewSet(viewsets.ModelViewSet):
    queryset = Comment.objects.all()
    serializer_class = CommentSerializer
""",
    }, SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n")
    hits = [f.message for f in report.findings if f.rule_id == "RG302"]
    assert hits == ["LabelSerializer takes every field of Label: created_by is sent to clients and writable."]


KIWI_STYLE_CASES = {
    "cases/__init__.py": "",
    "cases/models.py": """
from django.conf import settings
from django.db import models


class TestCase(models.Model):
    summary = models.CharField(max_length=255)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="cases_authored", on_delete=models.CASCADE)
    default_tester = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, related_name="cases_as_tester",
                                       on_delete=models.SET_NULL)
""",
    "cases/forms.py": """
from django import forms

from .models import TestCase


class NewCaseForm(forms.ModelForm):
    class Meta:
        model = TestCase
        fields = "__all__"
""",
    "cases/views.py": """
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import NewCaseForm


@login_required
def new_case(request):
    form = NewCaseForm(request.POST or None)
    if form.is_valid():
        case = form.save()
        return redirect("case", case.pk)
    return render(request, "new_case.html", {"form": form})
""",
    "proj/urls.py": "from django.urls import path\nfrom cases.views import new_case\n"
                    "urlpatterns = [path('cases/new/', new_case)]\n",
}


def test_a_user_relation_no_authorization_reads_is_a_record_not_a_privilege():
    """Kiwi TCMS' ``TestCase.author`` and ``default_tester`` (and DefectDojo's risk-acceptance
    ``owner``): access goes through other checks, and nothing in the project compares these
    relations with the caller, so the form that sets them lets the client name a colleague, not
    take a privilege (no RG302). Once a query is restricted to the caller by one of them, it is
    an ownership the client must not choose."""
    assert not [f for f in scan(KIWI_STYLE_CASES).findings if f.rule_id == "RG302"]
    owned = dict(KIWI_STYLE_CASES)
    owned["cases/views.py"] = owned["cases/views.py"].replace(
        "from .forms import NewCaseForm", "from .forms import NewCaseForm\nfrom .models import TestCase") + (
        "\n\ndef my_cases(request):\n"
        "    return render(request, 'cases.html', {'cases': TestCase.objects.filter(author=request.user)})\n")
    hits = [f.message for f in scan(owned).findings if f.rule_id == "RG302"]
    assert len(hits) == 1 and "author" in hits[0] and "default_tester" not in hits[0], hits


def test_a_serializer_chosen_in_get_serializer_class_serves_the_views_routes():
    """A view that picks its serializer per method (``get_serializer_class``) uses it on its
    routes: the token a POST to the caller's own ``/api/token/`` creates goes back to them once
    (Label Studio's ``LSAPITokenView``), while the same serializer on a route that names
    another user's record is reported, with that route."""
    report = scan({
        "proj/urls.py": """
from django.urls import path

from tokens import api

urlpatterns = [
    path("api/token/", api.TokenView.as_view()),
    path("api/users/<int:pk>/token/", api.UserTokenView.as_view()),
]
""",
        "tokens/__init__.py": "",
        "tokens/models.py": """
from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token = models.CharField(max_length=64)
""",
        "tokens/serializers.py": """
from rest_framework import serializers

from .models import ApiToken


class TokenCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "token"]


class TokenListSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id"]


class TokenDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "user", "token"]
""",
        "tokens/api.py": """
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from .models import ApiToken
from .serializers import TokenCreateSerializer, TokenDetailSerializer, TokenListSerializer


class TokenView(generics.ListCreateAPIView):
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return ApiToken.objects.filter(user=self.request.user)

    def get_serializer_class(self):
        if self.request.method == "POST":
            return TokenCreateSerializer
        return TokenListSerializer

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)


class UserTokenView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    queryset = ApiToken.objects.all()

    def get_serializer_class(self):
        return TokenDetailSerializer
""",
    })
    hits = [f for f in report.findings if f.rule_id == "RG301"]
    assert [f.location.line for f in hits] == [22]
    assert [x.message for x in hits[0].related if x.message.startswith("used by")] == [
        "used by GET /api/users/<int:pk>/token/"]


def test_a_form_of_an_admin_built_on_admin_extensions_is_staff_only():
    """ralph's admin classes reach ModelAdmin only through django-import-export's and
    django-reversion's bases: the form of such an admin is edited by staff on the admin site
    (RG302 silent), while the same form in a public view is reported."""
    report = scan({
        "assets/__init__.py": "",
        "assets/models.py": """
from django.conf import settings
from django.db import models


class SIMCard(models.Model):
    phone_number = models.CharField(max_length=16, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    api_token = models.CharField(max_length=64, blank=True)
""",
        "assets/admin.py": """
from django import forms
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from reversion.admin import VersionAdmin

from .models import SIMCard


class AssetAdmin(ImportExportModelAdmin, VersionAdmin):
    list_per_page = 100


class SIMCardForm(forms.ModelForm):
    class Meta:
        model = SIMCard
        exclude = []


@admin.register(SIMCard)
class SIMCardAdmin(AssetAdmin):
    form = SIMCardForm
    search_fields = ["phone_number"]
""",
        "assets/forms.py": """
from django import forms

from .models import SIMCard


class PublicSIMCardForm(forms.ModelForm):
    class Meta:
        model = SIMCard
        exclude = ["phone_number"]
""",
    })
    assert [f.location.file for f in report.findings if f.rule_id == "RG302"] == ["assets/forms.py"]


def test_a_routers_urls_bound_to_a_name_keep_the_prefix_they_are_included_under():
    """Label Studio binds a router's URLs to a name, then includes it under ``api/`` with an
    application namespace: the viewsets are served at /api/labels/, not at /labels/."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, re_path

urlpatterns = [re_path(r"^", include("labels.urls"))]
""",
        "labels/__init__.py": "",
        "labels/api.py": """
from rest_framework import viewsets

from .models import Label


class LabelAPI(viewsets.ModelViewSet):
    queryset = Label.objects.all()
""",
        "labels/models.py": """
from django.db import models


class Label(models.Model):
    title = models.CharField(max_length=200)
""",
        "labels/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import api

app_name = "labels"

router = DefaultRouter()
router.register(r"labels", api.LabelAPI, basename="label")
api_urlpatterns = router.urls

urlpatterns = [
    path("api/", include((api_urlpatterns, app_name), namespace="api-labels")),
]
""",
    })
    assert sorted({p for _, p in routes(report)} - {"/api/"}) == ["/api/labels/", "/api/labels/<pk>/"]


def test_a_view_mixin_that_answers_handle_no_permission_rejects():
    """NetBox's ObjectPermissionRequiredMixin checks ``user.has_perms(...)`` in ``dispatch`` and
    answers ``return self.handle_no_permission()`` (Django's AccessMixin: a 403, or the login page
    for an anonymous caller): its views are protected; a view without the mixin is not."""
    report = scan({
        "proj/urls.py": """
from django.urls import path

from circuits import views

urlpatterns = [
    path("circuits/<int:pk>/", views.CircuitView.as_view()),
    path("circuits/<int:pk>/history/", views.CircuitHistoryView.as_view()),
]
""",
        "circuits/__init__.py": "",
        "circuits/models.py": """
from django.db import models


class Circuit(models.Model):
    cid = models.CharField(max_length=100)
    commit_rate = models.PositiveIntegerField(null=True)
""",
        "utilities/__init__.py": "",
        "utilities/views.py": """
from django.contrib.auth.mixins import AccessMixin


class ObjectPermissionRequiredMixin(AccessMixin):
    additional_permissions = []

    def has_permission(self):
        user = self.request.user
        permission_required = self.get_required_permission()
        if user.has_perms((permission_required, *self.additional_permissions)):
            return True
        return False

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
""",
        "circuits/views.py": """
from django.shortcuts import get_object_or_404, render
from django.views.generic import View

from utilities.views import ObjectPermissionRequiredMixin

from .models import Circuit


class CircuitView(ObjectPermissionRequiredMixin, View):
    def get_required_permission(self):
        return "circuits.view_circuit"

    def get(self, request, pk):
        circuit = get_object_or_404(Circuit, pk=pk)
        return render(request, "circuits/circuit.html", {"object": circuit, "rate": circuit.commit_rate})


class CircuitHistoryView(View):
    def get(self, request, pk):
        circuit = get_object_or_404(Circuit, pk=pk)
        return render(request, "circuits/history.html", {"object": circuit, "rate": circuit.commit_rate})
""",
    })
    states = {p: r.auth for (m, p), r in routes(report).items()}
    assert states == {"/circuits/<int:pk>/": "protected", "/circuits/<int:pk>/history/": "unprotected"}


def test_the_token_views_of_djangorestframework_jwt_are_the_way_in():
    """WebODM logs API clients in with djangorestframework-jwt's ``obtain_jwt_token``: a public
    endpoint by design, like simplejwt's and DRF's own token views."""
    report = scan({"proj/urls.py": """
from django.urls import path
from rest_framework_jwt.views import obtain_jwt_token, refresh_jwt_token

urlpatterns = [
    path("api/token-auth/", obtain_jwt_token),
    path("api/token-refresh/", refresh_jwt_token),
]
"""}, SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n")
    assert {p: r.auth for (m, p), r in routes(report).items()} == {"/api/token-auth/": "public",
                                                                  "/api/token-refresh/": "public"}


def test_a_not_found_answer_to_a_caller_without_the_permission_is_a_check():
    """WebODM's import views are AllowAny and answer 404 unless ``request.user.has_perm(...)`` on
    the project: anonymous callers, who hold no permission, are turned away (RG204 silent). The
    same view without the test opens the write to anyone."""
    views = """
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Project


class TaskImport(APIView):
    permission_classes = (AllowAny,)

    def post(self, request, project_pk=None):
        project = Project.objects.get(pk=project_pk)
        if not request.user.has_perm("change_project", project):
            raise exceptions.NotFound()
        project.name = request.data["name"]
        project.save()
        return Response({})
"""
    files = {
        "proj/urls.py": """
from django.urls import path

from app.views import TaskImport

urlpatterns = [path("api/projects/<int:project_pk>/tasks/import", TaskImport.as_view())]
""",
        "app/__init__.py": "",
        "app/models.py": """
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=255)
""",
        "app/views.py": views,
    }
    assert [f.rule_id for f in scan(files).findings if f.rule_id in ("RG101", "RG204")] == []
    files["app/views.py"] = views.replace("""        if not request.user.has_perm("change_project", project):
            raise exceptions.NotFound()
""", "")
    assert [f.rule_id for f in scan(files).findings if f.rule_id in ("RG101", "RG204")] == ["RG204"]


def test_one_router_shared_by_every_app_module_serves_their_viewsets():
    """ralph makes one router in ``ralph.api.routers``, re-exports it from ``ralph.api``, and each
    app module registers its viewsets on the imported instance; the root URLconf includes its urls
    last, in a list grown with ``+=``: the viewsets are served under /api/. A registry of other
    things (indico's ``Serializer.register("json", JSONSerializer)``) is no router."""
    report = scan({
        "proj/urls.py": """
from django.conf.urls import include, url

from assets.api import router

api_urls = list(map(lambda u: url(r"^", include(u)), ["supports.api"]))
api_urls += [url(r"^", include(router.urls))]

urlpatterns = [url(r"^api/", include(api_urls))]
""",
        "assets/__init__.py": "",
        "assets/api/__init__.py": "from assets.api.routers import router\n",
        "assets/api/routers.py": """
from rest_framework import routers


class AssetRouter(routers.DefaultRouter):
    pass


router = AssetRouter()
""",
        "exports/__init__.py": "",
        "exports/serializers.py": """
from assets.registry import Serializer


class JSONSerializer:
    encoding = "json"


Serializer.register("json", JSONSerializer)
""",
        "supports/__init__.py": "",
        "supports/models.py": """
from django.db import models


class Support(models.Model):
    name = models.CharField(max_length=255)
""",
        "supports/api.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated

from assets.api import router
from assets.permissions import IsAdminOrReadOnly

from .models import Support


class SupportViewSet(viewsets.ModelViewSet):
    queryset = Support.objects.all()
    permission_classes = [IsAuthenticated]


class SupportTypeViewSet(SupportViewSet):
    permission_classes = SupportViewSet.permission_classes + [IsAdminOrReadOnly]


router.register(r"supports", SupportViewSet)
router.register(r"support-types", SupportTypeViewSet)
urlpatterns = []
""",
    })
    assert sorted({p for _, p in routes(report)} - {"/api/"}) == [
        "/api/support-types/", "/api/support-types/<pk>/", "/api/supports/", "/api/supports/<pk>/"]
    # a subclass's permissions written as the base's plus one more keep the base's
    assert {r.auth for r in report.routes if r.path != "/api/"} == {"protected"}


def test_urls_wrapped_by_decorated_patterns_and_a_shadowed_registration():
    """umap grows its URL list with the djangosnippets helper ``decorated_patterns([decorators],
    *urls)``: each URL gets the decorators as guards. It includes ``datalayer_urls`` twice, with
    its permission decorator and then with ``never_cache`` only; Django answers with the first
    pattern that matches, so the second registration is never reached and is not listed. An entry
    appended under a setting (``i18n_urls.append(...)``) is served too."""
    report = scan({
        "proj/urls.py": """
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.decorators.cache import never_cache

from maps import views
from maps.decorators import can_edit_datalayer
from maps.utils import decorated_patterns

datalayer_urls = [
    path("map/<int:map_id>/datalayer/update/<int:pk>/", views.datalayer_update, name="datalayer_update"),
]
i18n_urls = [path("about/", views.about, name="about")]
i18n_urls += decorated_patterns(
    [login_required],
    path("me", views.dashboard, name="user_dashboard"),
    path("team/create/", views.team_new, name="team_new"),
)
if settings.ALLOW_EDIT_PROFILE:
    i18n_urls.append(path("me/profile", login_required(views.dashboard), name="user_profile"))
i18n_urls += decorated_patterns([can_edit_datalayer, never_cache], *datalayer_urls)
i18n_urls += decorated_patterns([never_cache], *datalayer_urls)

urlpatterns = [path("", include(i18n_urls))]
""",
        "maps/__init__.py": "",
        "maps/decorators.py": """
from functools import wraps

from django.http import HttpResponseForbidden


def can_edit_datalayer(view_func):
    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseForbidden()
        return view_func(request, *args, **kwargs)

    return wrapper
""",
        "maps/utils.py": """
def decorated_patterns(func, *urls):
    return list(urls)
""",
        "maps/views.py": """
from django.http import JsonResponse


def about(request):
    return JsonResponse({"version": 1})


def dashboard(request):
    return JsonResponse({"maps": []})


def team_new(request):
    return JsonResponse({})


def datalayer_update(request, map_id, pk):
    return JsonResponse({"id": pk})
""",
    })
    states = {p: r.auth for (m, p), r in routes(report).items()}
    assert states == {"/about/": "unprotected", "/me": "protected", "/team/create/": "protected",
                      "/me/profile": "protected", "/map/<int:map_id>/datalayer/update/<int:pk>/": "protected"}
    assert len([r for r in report.routes if "datalayer" in r.path]) == 1


def test_staff_flags_written_only_through_a_superuser_route_are_not_reported():
    """ralph's users API sends ``is_staff``/``is_superuser`` and lets only superusers write
    (``IsSuperuserOrReadonly``): the flags are set by administrators, as intended (RG302 silent);
    the same serializer behind a route any signed-in user writes through is reported."""
    files = {
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet)
urlpatterns = [path("api/", include(router.urls))]
""",
        "accounts/__init__.py": "",
        "accounts/permissions.py": """
from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsSuperuserOrReadonly(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or request.user.is_superuser
""",
        "accounts/api.py": """
from django.contrib.auth import get_user_model
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from .permissions import IsSuperuserOrReadonly


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        exclude = ("user_permissions", "password", "groups")


class UserViewSet(viewsets.ModelViewSet):
    queryset = get_user_model().objects.all()
    serializer_class = UserSerializer
    permission_classes = [IsAuthenticated, IsSuperuserOrReadonly]
""",
    }
    assert [f.rule_id for f in scan(files).findings if f.rule_id == "RG302"] == []
    files["accounts/api.py"] = files["accounts/api.py"].replace(", IsSuperuserOrReadonly]", "]")
    assert [f.rule_id for f in scan(files).findings if f.rule_id == "RG302"] == ["RG302"]


def test_routes_command_output_lists_viewset_methods_and_guards():
    settings = SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ('rest_framework.permissions.IsAuthenticated',)}\n"
    report = scan({"proj/urls.py": DRF_URLS, "api/__init__.py": "", "api/views.py": DRF_VIEWS}, settings)
    data = report.routes_json()
    notes = [d for d in data if d["path"] == "/api/notes/<pk>/"]
    assert [d["method"] for d in notes] == ["GET", "PUT", "PATCH", "DELETE"]
    assert all(d["guards"][0]["layer"] == "settings" for d in notes)


def test_object_permission_with_a_requester_scoped_queryset_is_not_inert():
    report = scan({
        "proj/urls.py": DRF_URLS.replace("views.NoteViewSet", "views.Notes"),
        "api/__init__.py": "",
        "api/views.py": DRF_VIEWS + """
from rest_framework.permissions import BasePermission

class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class Notes(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, IsOwner]

    def get_queryset(self):
        return Note.objects.filter(owner=self.request.user)
""",
    })
    assert routes(report)[("GET", "/api/notes/")].inert == ()
    assert findings(report, "RG205") == []


def test_router_without_trailing_slash_and_urlpatterns_concatenation():
    report = scan({
        "proj/urls.py": """
from django.urls import path
from rest_framework.routers import SimpleRouter
from api import views

router = SimpleRouter(trailing_slash=False)
router.register("notes", views.NoteViewSet, basename="note")
urlpatterns = router.urls + [path("x", views.whoami)]
""",
        "api/__init__.py": "",
        "api/views.py": DRF_VIEWS,
    })
    paths = {p for _, p in routes(report)}
    assert {"/notes", "/notes/<pk>", "/notes/<pk>/publish", "/notes/recent", "/x"} <= paths


def test_login_not_required_on_a_class_view_and_project_middleware():
    report = scan_sources({
        "proj/__init__.py": "",
        "proj/settings.py": """
ROOT_URLCONF = "proj.urls"
MIDDLEWARE = ["django.contrib.auth.middleware.LoginRequiredMiddleware"]
MIDDLEWARE += ["proj.middleware.AuditMiddleware"]
""",
        "proj/middleware.py": """
class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
    def __call__(self, request):
        print(request.path)
        return self.get_response(request)
""",
        "proj/urls.py": """
from django.urls import path
from proj import views
urlpatterns = [path("about/", views.About.as_view()), path("inbox/", views.Inbox.as_view())]
""",
        "proj/views.py": """
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

@method_decorator(login_not_required, name="dispatch")
class About(TemplateView):
    template_name = "about.html"

class Inbox(TemplateView):
    template_name = "inbox.html"
""",
    })
    rs = routes(report)
    assert rs[("GET", "/about/")].auth == "public"
    inbox = rs[("GET", "/inbox/")]
    assert inbox.auth == "protected" and [g.name for g in inbox.guards] == [
        "django.contrib.auth.middleware.LoginRequiredMiddleware".rpartition(".")[2]]


def test_urlpatterns_decorated_as_a_whole():
    report = scan_sources({
        "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n",
        "proj/urls.py": """
from django.urls import path
from django.contrib.auth.decorators import login_required
from proj.utils import decorate_urlpatterns
from proj import views

urlpatterns = [
    path("reports/", views.reports),
]
urlpatterns = decorate_urlpatterns(urlpatterns, login_required)
urlpatterns += [
    path("open/", views.open_view),
]
""",
        "proj/views.py": "def reports(request): ...\ndef open_view(request): ...\n",
    })
    auth = {r.path: r.auth for r in report.routes}
    assert auth == {"/reports/": "protected", "/open/": "unprotected"}


def test_overrides_that_call_super_keep_the_checks_of_the_base_method():
    """A base's dispatch (decorated, or checking the user itself) still runs when a subclass
    overrides dispatch and calls super().dispatch(); an override without super() replaces it.
    The same holds for a handler method: get() calling super().get()."""
    report = scan({
        "proj/urls.py": """
from django.urls import path
from shop import views

urlpatterns = [
    path("decorated/", views.Decorated.as_view()),
    path("checked/", views.Checked.as_view()),
    path("replaced/", views.Replaced.as_view()),
    path("handler/", views.Handler.as_view()),
]
""",
        "shop/__init__.py": "",
        "shop/base.py": """
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.decorators import method_decorator
from django.views import View


class StaffView(View):
    @method_decorator(login_required)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class PermissionCheckedMixin:
    permission_required = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReportView(View):
    def get(self, request):
        if not request.user.is_authenticated:
            raise PermissionDenied
        return None
""",
        "shop/views.py": """
from django.http import Http404, JsonResponse
from django.views import View

from .base import PermissionCheckedMixin, ReportView, StaffView


class Decorated(StaffView):
    def dispatch(self, request, *args, **kwargs):
        self.started = True
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        return JsonResponse({})


class Checked(PermissionCheckedMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.method == "TRACE":
            raise Http404
        return super(Checked, self).dispatch(request, *args, **kwargs)

    def delete(self, request):
        return JsonResponse({})


class Replaced(PermissionCheckedMixin, View):
    def dispatch(self, request, *args, **kwargs):
        return View.dispatch(self, request, *args, **kwargs)

    def post(self, request):
        request.user.orders.all().delete()
        return JsonResponse({})


class Handler(ReportView):
    def get(self, request):
        response = super().get(request)
        return response
""",
    })
    r = routes(report)
    assert r[("POST", "/decorated/")].auth == "protected"
    assert "login_required" in guard_names(r[("POST", "/decorated/")])
    assert r[("DELETE", "/checked/")].auth == "protected"
    assert r[("POST", "/replaced/")].auth == "unprotected"
    assert r[("GET", "/handler/")].auth == "protected"
    replaced = r[("POST", "/replaced/")]  # Replaced.post only, with its path() line related
    assert findings(report, "RG101") == [("RG101", "shop/views.py", replaced.handler_location.line)]
    assert ("proj/urls.py", 8) in related(report, "RG101", replaced.location)


def test_classvar_annotated_attributes_and_view_variables_from_other_modules():
    """``permission_classes: ClassVar[list] = [...]`` (as linters ask for mutable class
    attributes) is read like a plain assignment; ``dashboard = Dash.as_view()`` in views.py,
    routed from urls.py, is the Dash view; Django's own PasswordChangeView requires login."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from shop import views

router = DefaultRouter()
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    path("api/", include(router.urls)),
    path("dashboard/", views.dashboard),
    path("catalog/", views.catalog),
    path("password/", views.password_change),
]
""",
        "shop/__init__.py": "",
        "shop/views.py": """
from typing import ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import PasswordChangeView
from django.views.generic import TemplateView
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticated


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes: ClassVar[list] = [IsAuthenticated]


class Dashboard(LoginRequiredMixin, TemplateView):
    template_name = "dashboard.html"


class Catalog(TemplateView):
    template_name = "catalog.html"


dashboard = Dashboard.as_view()
catalog = Catalog.as_view()
password_change = PasswordChangeView.as_view(template_name="password.html")
""",
    })
    r = routes(report)
    assert r[("GET", "/api/orders/")].auth == r[("GET", "/api/orders/<pk>/")].auth == "protected"
    assert r[("GET", "/dashboard/")].auth == "protected" and r[("GET", "/dashboard/")].handler == "shop.views.Dashboard"
    assert r[("ANY", "/password/")].auth == "protected"
    catalog = r[("GET", "/catalog/")]  # the Catalog class, which defines no get()
    assert catalog.auth == "unprotected" and catalog.location == report.graph.classes["shop.views.Catalog"].location
    # a template that names no data is a public read, not a finding
    assert findings(report, "RG101") == []


def test_a_view_class_handed_back_by_an_extension_registry():
    """Misago builds its views through a plugin registry that returns the class it is given
    (or a subclass of it): ``extensions.get(EventHideView).as_view()``, in a module variable or
    in place, is the EventHideView view with its methods and checks."""
    report = scan({
        "proj/urls.py": """
from django.urls import path
from forum import views
from forum.plugins import extensions

event_hide_view = extensions.get(views.EventHideView).as_view()

urlpatterns = [
    path("t/<int:thread_id>/event/<int:event_id>/hide/", event_hide_view),
    path("t/<int:thread_id>/event/<int:event_id>/show/", extensions.get(views.EventShowView).as_view()),
]
""",
        "forum/__init__.py": "",
        "forum/plugins.py": """
class ExtensionRegistry:
    def __init__(self):
        self._extensions = {}

    def get(self, base_type: type) -> type:
        if base_type not in self._extensions:
            return base_type
        return type(f"Extended{base_type.__name__}", (*self._extensions[base_type], base_type), {})


extensions = ExtensionRegistry()
""",
        "forum/views.py": """
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views import View

from forum.models import ThreadEvent


class EventHideView(View):
    def post(self, request, thread_id: int, event_id: int):
        if request.user.is_anonymous:
            raise PermissionDenied("You can't hide thread events.")
        ThreadEvent.objects.filter(thread_id=thread_id, id=event_id).update(is_hidden=True)
        return redirect("thread", thread_id)


class EventShowView(View):
    def post(self, request, thread_id: int, event_id: int):
        ThreadEvent.objects.filter(thread_id=thread_id, id=event_id).update(is_hidden=False)
        return redirect("thread", thread_id)
""",
    })
    r = routes(report)
    hide = r[("POST", "/t/<int:thread_id>/event/<int:event_id>/hide/")]
    assert hide.auth == "protected" and hide.handler == "forum.views.EventHideView.post"
    show = r[("POST", "/t/<int:thread_id>/event/<int:event_id>/show/")]
    assert show.auth == "unprotected" and show.handler == "forum.views.EventShowView.post"
    assert not any(m == "ANY" for m, _ in r)


def test_a_check_run_through_a_plugin_hook_is_the_views_check():
    """Misago's permission checks run through a filter hook: ``check_x(...)`` calls
    ``check_x_hook(_check_x_action, ...)``, and the hook class's ``__call__(self, action, *args)``
    calls ``action(*args)``. The action's ``raise PermissionDenied`` is the view's check. A hook
    that only stores what it is given (a signal's ``connect``) runs nothing."""
    report = scan({
        "proj/urls.py": """
from django.urls import path
from forum import views

urlpatterns = [
    path("threads/start/", views.start_thread),
    path("threads/subscribe/", views.subscribe),
]
""",
        "forum/__init__.py": "",
        "forum/hooks.py": """
class FilterHook:
    def __init__(self):
        self._filters = []

    def append_filter(self, filter_):
        self._filters.append(filter_)

    def __call__(self, action, *args, **kwargs):
        if not self._filters:
            return action(*args, **kwargs)
        return self._filters[0](action, *args, **kwargs)


class CheckStartThreadPermissionHook(FilterHook):
    pass


class Registry:
    def __init__(self):
        self.handlers = []

    def connect(self, handler):
        self.handlers.append(handler)


check_start_thread_permission_hook = CheckStartThreadPermissionHook()
subscriptions = Registry()
""",
        "forum/permissions.py": """
from django.core.exceptions import PermissionDenied

from forum.hooks import check_start_thread_permission_hook, subscriptions


def check_start_thread_permission(user, category):
    check_start_thread_permission_hook(_check_start_thread_permission_action, user, category)


def _check_start_thread_permission_action(user, category):
    if user.is_anonymous:
        raise PermissionDenied("Sign in to start threads.")


def register_subscriber(user):
    subscriptions.connect(_check_start_thread_permission_action)
""",
        "forum/views.py": """
from django.shortcuts import redirect

from forum.models import Thread
from forum.permissions import check_start_thread_permission, register_subscriber


def start_thread(request):
    check_start_thread_permission(request.user, None)
    thread = Thread.objects.create(title=request.POST["title"], category_id=request.POST["category"])
    return redirect(thread.get_absolute_url())


def subscribe(request):
    register_subscriber(request.user)
    Thread.objects.filter(pk=request.POST["thread"]).update(subscribed=True)
    return redirect("/")
""",
    })
    r = routes(report)
    assert r[("ANY", "/threads/start/")].auth == "protected"
    assert r[("ANY", "/threads/subscribe/")].auth == "unprotected"


def test_middleware_protects_only_when_it_turns_the_anonymous_caller_away():
    """A middleware that reads ``is_authenticated`` and always passes the request on adapts it;
    one that answers the anonymous caller itself (a redirect to the login page, a raise) guards
    every route. Both styles: classes with ``__call__`` / ``process_view``, and factories."""
    views = "def home(request): ...\ndef inbox(request): ...\n"
    urls = ("from django.urls import path\nfrom proj import views\n"
            "urlpatterns = [path('', views.home), path('inbox/', views.inbox)]\n")
    middleware = {
        "adapts": """
class TeamMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        request.team = request.user.team
        response = self.get_response(request)
        return response
""",
        "adapts_factory": """
def team_middleware(get_response):
    def middleware(request):
        if request.user.is_anonymous:
            return get_response(request)
        request.team = request.user.team
        return get_response(request)
    return middleware
""",
        "redirects": """
from django.shortcuts import redirect

class TeamMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and request.path != "/":
            return redirect("/accounts/login/")
        return self.get_response(request)
""",
        # Flagsmith's telemetry: the view answers first; what follows only logs, and its helper's
        # assert runs after the view has answered
        "adapts_after_the_view": """
import logging

logger = logging.getLogger(__name__)

class TeamMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.user or not request.user.is_authenticated:
            return response
        logger.info("tool.called", team=self._team_id(request), status=response.status_code)
        return response

    def _team_id(self, request):
        assert request.user.is_authenticated  # protected upstream
        return request.user.team_id
""",
        # baserow: a user found from a second token, lazily, when something asks for it
        "adapts_lazily": """
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils.deprecation import MiddlewareMixin
from django.utils.functional import SimpleLazyObject


class TeamMiddleware(MiddlewareMixin):
    def process_request(self, request):
        def get_team_user():
            token = request.META.get("HTTP_X_TEAM_TOKEN")
            if token is None:
                return AnonymousUser()
            if not request.user.is_authenticated:
                raise PermissionDenied("bad team token")
            return request.user

        request.team_user = SimpleLazyObject(get_team_user)
""",
        "adapts_after_the_view_factory": """
def team_middleware(get_response):
    def middleware(request):
        response = get_response(request)
        if request.user.is_anonymous:
            raise PermissionError("no team")
        return response
    return middleware
""",
        "raises": """
from django.core.exceptions import PermissionDenied
from django.utils.deprecation import MiddlewareMixin

class TeamMiddleware(MiddlewareMixin):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied
        return None
""",
    }
    for style, code in middleware.items():
        entry = "proj.middleware.team_middleware" if "factory" in style else "proj.middleware.TeamMiddleware"
        report = scan_sources({
            "proj/__init__.py": "",
            "proj/settings.py": f"ROOT_URLCONF = 'proj.urls'\nMIDDLEWARE = ['{entry}']\n",
            "proj/middleware.py": code,
            "proj/urls.py": urls,
            "proj/views.py": views,
        })
        auth = {r.path: r.auth for r in report.routes}
        expected = "unprotected" if style.startswith("adapts") else "protected"
        assert auth["/inbox/"] == expected, style


def test_paths_built_at_runtime_are_evaluated_or_shown_as_patterns():
    """``path(prefix, include(...))`` with a module constant, f-string paths and constants
    imported from another module are evaluated; a conditional override keeps the default; what
    is not a constant is shown as a ``{name}`` pattern, never as source text (a lookup by a
    literal key by its key: DefectDojo's ``"^{}".format(get_system_setting("url_prefix"))``)."""
    report = scan_sources({
        "proj/__init__.py": "",
        "proj/settings.py": "ROOT_URLCONF = 'proj.urls'\n",
        "proj/constants.py": "API_PREFIX = 'api/v2/'\n",
        "proj/urls.py": """
import os
from django.conf import settings
from django.urls import include, path, re_path
from proj import views
from proj.constants import API_PREFIX
from proj.settings_store import get_system_setting
from proj.constants import pattern_opts

prefix = ""
if settings.SUBPATH:
    prefix = f"{settings.SUBPATH}/"
tenant = os.environ["TENANT"]

urlpatterns = [
    path(f"{prefix}about/", views.about),
    path(prefix + "shop/", include("shop.urls")),
    path(API_PREFIX, include("api.urls")),
    path(f"{tenant}/reports/", views.reports),
    path(settings.STATUS_PATH, views.status),
    re_path(r"^{}history/(?P<oid>\\d+)$".format(get_system_setting("url_prefix")), views.history),
    re_path(r"^hooks/(?P<project_slug>{project_slug})/(?P<pk>{pk})/$".format(**pattern_opts), views.status),
    re_path(r"^feeds/{kind}/{0}$".format(API_PREFIX, kind="rss"), views.reports),
]
""",
        "proj/views.py": "def about(r): ...\ndef reports(r): ...\ndef status(r): ...\ndef history(r, oid): ...\n",
        "shop/__init__.py": "",
        "shop/urls.py": "from django.urls import path\nfrom proj import views\nurlpatterns = [path('cart/', views.about)]\n",
        "api/__init__.py": "",
        "api/urls.py": "from django.urls import path\nfrom proj import views\nurlpatterns = [path('items/', views.about)]\n",
    })
    assert sorted(r.path for r in report.routes) == sorted([
        "/about/", "/api/v2/items/", "/shop/cart/", "/{settings.STATUS_PATH}", "/{tenant}/reports/",
        "/{url_prefix}history/(?P<oid>\\d+)", "/feeds/rss/{API_PREFIX}",
        "/hooks/(?P<project_slug>{project_slug})/(?P<pk>{pk})/"])


def test_routers_are_recognised_by_their_class_hierarchy():
    """A project subclass of a DRF router is a router; so is a vendored copy that defines
    ``register(self, prefix, viewset)`` itself; a plugin registry whose ``register`` takes a
    name and a class is not, even when it is called with a string."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from core.routers import OptionalSlashRouter
from core.plugins import exporters
from shop.views import OrderViewSet, PdfExporter

router = OptionalSlashRouter()
router.register(r"orders", OrderViewSet)
exporters.register("pdf", PdfExporter)

urlpatterns = [path("api/", include(router.urls))]
""",
        "core/__init__.py": "",
        "core/routers.py": """
from rest_framework.routers import DefaultRouter

class OptionalSlashRouter(DefaultRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"
""",
        "core/plugins.py": """
class Registry:
    def __init__(self):
        self.items = {}

    def register(self, name, cls):
        self.items[name] = cls

exporters = Registry()
""",
        "shop/__init__.py": "",
        "shop/views.py": """
from rest_framework import permissions, viewsets
from core.api import ProjectViewSet

class OrderViewSet(ProjectViewSet):
    permission_classes = [permissions.IsAuthenticated]

class PdfExporter:
    pass
""",
        "core/api.py": """
from rest_framework import viewsets

class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    pass
""",
    })
    assert {(r.method, r.path, r.auth) for r in report.routes} == {
        ("GET", "/api/orders/", "protected"), ("GET", "/api/orders/<pk>/", "protected")}


def test_per_action_permission_classes_of_a_vendored_framework():
    """taiga-back style: a vendored DRF fork whose APIView runs the permission machinery itself
    (no check of its own), and permission classes that declare a component per action
    (``list_perms = AllowAny()``), asked by name in the handler
    (``self.check_permissions(request, "get_token")``)."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from proj.routers import router
urlpatterns = [path("api/v1/", include(router.urls))]
""",
        "proj/routers.py": """
from vendor import routers
from proj.api import AuthViewSet, NoteViewSet
router = routers.DefaultRouter(trailing_slash=False)
router.register(r"auth", AuthViewSet, base_name="auth")
router.register(r"notes", NoteViewSet, base_name="notes")
""",
        "vendor/__init__.py": "",
        "vendor/routers.py": """
class BaseRouter(object):
    def __init__(self):
        self.registry = []
    def register(self, prefix, viewset, base_name=None):
        self.registry.append((prefix, viewset, base_name))

class DefaultRouter(BaseRouter):
    def __init__(self, trailing_slash=True):
        super().__init__()
""",
        "vendor/views.py": """
from django.http import HttpResponseForbidden
from django.views.generic import View

class APIView(View):
    permission_classes = ()
    def get_permissions(self):
        return [p(request=self.request, view=self) for p in self.permission_classes]
    def permission_denied(self, request):
        return HttpResponseForbidden()
    def check_permissions(self, request, action=None, obj=None):
        for permission in self.get_permissions():
            if not permission.check_permissions(action=action, obj=obj):
                self.permission_denied(request)
    def initial(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            self.permission_denied(request)

class ViewSet(APIView):
    def list(self, request):
        self.check_permissions(request, "list")
    def destroy(self, request, pk=None):
        self.check_permissions(request, "destroy")
""",
        "vendor/permissions.py": """
class ResourcePermission(object):
    global_perms = None
    enough_perms = None
    list_perms = None
    destroy_perms = None

class AllowAny(object):
    def check_permissions(self, request, view, obj=None):
        return True

class IsAuthenticated(object):
    def check_permissions(self, request, view, obj=None):
        return request.user.is_authenticated
""",
        "proj/api.py": """
from vendor.views import ViewSet
from vendor.permissions import AllowAny, IsAuthenticated, ResourcePermission

class AuthPermission(ResourcePermission):
    get_token_perms = AllowAny()

class NotePermission(ResourcePermission):
    list_perms = AllowAny()
    destroy_perms = IsAuthenticated()

class AuthViewSet(ViewSet):
    permission_classes = (AuthPermission,)
    def create(self, request):
        self.check_permissions(request, "get_token")

class NoteViewSet(ViewSet):
    permission_classes = (NotePermission,)
""",
    })
    auth = {(r.method, r.path): r.auth for r in report.routes}
    assert auth == {("POST", "/api/v1/auth"): "public", ("GET", "/api/v1/notes"): "public",
                    ("DELETE", "/api/v1/notes/<pk>"): "protected",
                    # AuthPermission declares nothing for list and destroy: nothing guards them
                    ("GET", "/api/v1/auth"): "unprotected", ("DELETE", "/api/v1/auth/<pk>"): "unprotected"}


def test_a_view_class_named_like_the_base_it_imports():
    """wger's gym views: ``class ListView(LoginRequiredMixin, ..., ListView)`` shadows the imported
    ListView; a use of contract.ListView is the project's class, with its mixins."""
    from routeguard import scan_sources

    report = scan_sources({
        "gym/__init__.py": "", "gym/views/__init__.py": "",
        "gym/models.py": "from django.db import models\n\nclass Contract(models.Model):\n    amount = models.IntegerField()\n",
        "gym/views/contract.py": (
            "from django.contrib.auth.mixins import LoginRequiredMixin\nfrom django.views.generic import ListView\n"
            "from gym.models import Contract\n\n\nclass ListView(LoginRequiredMixin, ListView):\n    model = Contract\n"),
        "gym/urls.py": ("from django.urls import path\nfrom gym.views import contract\n\n"
                        "urlpatterns = [path('contracts/', contract.ListView.as_view())]\n"),
    })
    assert [(r.path, r.auth) for r in report.routes] == [("/contracts/", "protected")]
    assert not report.findings


def test_a_generic_viewset_base_keeps_its_routes():
    """paperless-ngx: ``class DocumentTypeViewSet(ModelViewSet[DocumentType])`` is a ModelViewSet."""
    from routeguard import scan_sources

    report = scan_sources({
        "docs/__init__.py": "",
        "docs/views.py": (
            "from rest_framework.permissions import IsAuthenticated\nfrom rest_framework.viewsets import ModelViewSet\n"
            "from docs.models import DocumentType\n\n\nclass DocumentTypeViewSet(ModelViewSet[DocumentType]):\n"
            "    permission_classes = (IsAuthenticated,)\n    queryset = DocumentType.objects.all()\n"),
        "docs/models.py": "from django.db import models\n\nclass DocumentType(models.Model):\n    name = models.CharField()\n",
        "docs/urls.py": ("from rest_framework.routers import DefaultRouter\nfrom docs.views import DocumentTypeViewSet\n\n"
                         "router = DefaultRouter()\nrouter.register('document_types', DocumentTypeViewSet)\n"
                         "urlpatterns = router.urls\n"),
    })
    routes = sorted((r.method, r.path, r.auth) for r in report.routes)
    assert [(m, a) for m, _, a in routes] == [("DELETE", "protected"), ("GET", "protected"), ("GET", "protected"),
                                             ("PATCH", "protected"), ("POST", "protected"), ("PUT", "protected")]


def test_permission_class_whose_verdict_is_a_helpers_answer():
    """Tube Archivist: ``AdminOnly.has_permission`` returns ``check_admin(request.user)``, a
    module function that answers ``user.is_staff or user.groups.filter(name="admin").exists()``.
    The helper's answer is the permission's verdict: an anonymous caller is no admin, so the view
    is protected, and only staff pass, so it is authorization (before: the class was read as no
    guard at all, and every AdminOnly view got RG101)."""
    report = scan({
        "common/__init__.py": "",
        "common/views_base.py": """
from rest_framework import permissions
from rest_framework.views import APIView

def check_admin(user):
    return user.is_staff or user.groups.filter(name="admin").exists()

class AdminOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        return check_admin(request.user)

class ApiBaseView(APIView):
    permission_classes = [permissions.IsAuthenticated]
""",
        "shop/__init__.py": "",
        "shop/views.py": """
from rest_framework.response import Response
from common.views_base import AdminOnly, ApiBaseView
from shop.models import Channel

class ChannelApiView(ApiBaseView):
    permission_classes = [AdminOnly]

    def delete(self, request, channel_id):
        Channel.objects.filter(channel_id=channel_id).delete()
        return Response(status=204)
""",
        "shop/models.py": "from django.db import models\n\nclass Channel(models.Model):\n"
                          "    channel_id = models.CharField(max_length=64)\n",
        "proj/urls.py": """
from django.urls import path
from shop.views import ChannelApiView

urlpatterns = [path("api/channel/<slug:channel_id>/", ChannelApiView.as_view())]
""",
    })
    (route,) = report.routes
    assert route.auth == "protected"
    assert [a.kind for a in report.graph.authz.route_authorization(route)] == ["role"]
    assert not report.findings


# -- syndication feeds, URLconfs rebound into an include, checks through locals --------------------

FEEDS = {
    "links/__init__.py": "",
    "links/models.py": """
from django.contrib.auth.models import User
from django.db import models


class Link(models.Model):
    url = models.URLField()
    owner = models.ForeignKey(User, on_delete=models.CASCADE)


class FeedToken(models.Model):
    key = models.CharField(max_length=40, primary_key=True)
    user = models.OneToOneField(User, on_delete=models.CASCADE)
""",
    "links/feeds.py": """
from django.contrib.auth.models import User
from django.contrib.syndication.views import Feed

from links.models import FeedToken, Link


class BaseLinksFeed(Feed):
    def get_object(self, request, feed_key):
        return FeedToken.objects.get(key__exact=feed_key)

    def items(self, token):
        return Link.objects.filter(owner=token.user)[:100]


class AllLinksFeed(BaseLinksFeed):
    title = "All links"
    link = "/links"


class UserLinksFeed(Feed):
    title = "Links"
    link = "/"

    def get_object(self, request, username):
        return User.objects.get(username=username)

    def items(self, user):
        return Link.objects.filter(owner=user)[:100]
""",
    "proj/urls.py": """
from django.urls import path
from links import feeds

urlpatterns = [
    path("feeds/<str:feed_key>/all", feeds.AllLinksFeed(), name="feeds.all"),
    path("feeds/users/<str:username>", feeds.UserLinksFeed(), name="feeds.user"),
]
""",
}


def test_a_syndication_feed_reads_through_its_own_hooks():
    """django.contrib.syndication's Feed answers from the subclass's ``get_object`` (given the
    request and the path's parameters) and ``items``, and only renders them: a read, judged by
    those methods, not a library view that may write. The feed key it looks up is a capability."""
    report = scan(FEEDS)
    got = routes(report)
    token_feed = got[("GET", "/feeds/<str:feed_key>/all")]
    assert token_feed.handler == "links.feeds.BaseLinksFeed.get_object"
    assert token_feed.auth == "public" and token_feed.guards[0].kind == "capability"
    user_feed = got[("GET", "/feeds/users/<str:username>")]
    assert user_feed.auth == "unprotected"
    assert ("ANY", "/feeds/users/<str:username>") not in got
    messages = [f.message for f in report.findings if f.rule_id == "RG101"]
    assert len(messages) == 1 and "/feeds/users/<str:username>" in messages[0]
    assert "write" not in messages[0]


def test_urlpatterns_rebound_into_an_include_of_themselves_are_listed_once():
    """``urlpatterns = [path("", include((urlpatterns, "app")))]`` serves the entries declared so far
    below the include (namespaced), not beside it; a later ``if settings.X: urlpatterns =
    [path(settings.X, include(urlpatterns))]`` serves all of them, those added after the first
    rebinding too, below the prefix as well."""
    report = scan({
        "proj/urls.py": """
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from links import views

urlpatterns = [
    path("links", views.index, name="links.index"),
]

if settings.DEBUG:
    urlpatterns.append(path("live_reload", views.live_reload, name="live_reload"))

urlpatterns = [path("", include((urlpatterns, "links")))]

urlpatterns += [path("login/", auth_views.LoginView.as_view(), name="login")]

if settings.CONTEXT_PATH:
    urlpatterns = [path(settings.CONTEXT_PATH, include(urlpatterns))]
""",
        "links/__init__.py": "",
        "links/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def index(request):
    return HttpResponse("links")


def live_reload(request):
    return HttpResponse("")
""",
    })
    rows = [(r.method, r.path) for r in report.routes]
    assert len(rows) == len(set(rows))
    assert set(rows) == {(m, p) for m in ("ANY",) for p in (
        "/links", "/live_reload", "/login/",
        "/{settings.CONTEXT_PATH}/links", "/{settings.CONTEXT_PATH}/live_reload", "/{settings.CONTEXT_PATH}/login/")}


def test_an_ownership_check_written_through_locals_turns_others_away():
    """``is_owner = note.owner == request.user`` tested by ``if not is_owner: raise Http404`` is the
    same check as the comparison written in the ``if``: an anonymous caller is never the owner."""
    views = """
from django.http import Http404, JsonResponse
from notes.models import Note


def note_detail(request, note_id):
    note = Note.objects.get(pk=note_id)
    is_owner = note.owner == request.user
    if not is_owner:
        raise Http404("Note does not exist")
    return JsonResponse({"text": note.text})


def note_preview(request, note_id):
    note = Note.objects.get(pk=note_id)
    is_owner = note.owner == request.user
    return JsonResponse({"text": note.text, "mine": is_owner})
"""
    report = scan({
        "proj/urls.py": """
from django.urls import path
from notes import views

urlpatterns = [
    path("notes/<int:note_id>", views.note_detail),
    path("notes/<int:note_id>/preview", views.note_preview),
]
""",
        "notes/__init__.py": "",
        "notes/models.py": """
from django.contrib.auth.models import User
from django.db import models


class Note(models.Model):
    text = models.TextField()
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
""",
        "notes/views.py": views,
    })
    got = routes(report)
    detail = got[("ANY", "/notes/<int:note_id>")]
    assert detail.auth == "protected" and [g.name for g in detail.guards] == ["owner check"]
    # compared, but only to show it: nobody is turned away
    assert got[("ANY", "/notes/<int:note_id>/preview")].auth == "unprotected"


def test_an_owner_filter_on_another_model_does_not_tie_the_object_loaded_by_id():
    """linkding 1.8.5's edit IDOR: the view loads a Bookmark by the URL's id with no owner and
    passes the caller on to the service that files it under the caller's tags
    (``Tag.objects.get(name__iexact=name, owner=user)``). That filter ties the tags, not the
    bookmark; a filter on the bookmark itself, in the service, does."""
    services = """
from django.contrib.auth.models import User
from django.utils import timezone

from bookmarks.models import Bookmark, Tag


def get_or_create_tag(name: str, user: User):
    try:
        return Tag.objects.get(name__iexact=name, owner=user)
    except Tag.DoesNotExist:
        return Tag.objects.create(name=name, owner=user, date_added=timezone.now())


def _update_bookmark_tags(bookmark: Bookmark, tag_string: str, user: User):
    bookmark.tags.set([get_or_create_tag(name, user) for name in tag_string.split(",") if name])


def update_bookmark(bookmark: Bookmark, tag_string: str, current_user: User):
    _update_bookmark_tags(bookmark, tag_string, current_user)
    bookmark.date_modified = timezone.now()
    bookmark.save()
    return bookmark


def archive_bookmark(bookmark_id: int, current_user: User):
    bookmark = Bookmark.objects.get(pk=bookmark_id, owner=current_user)
    bookmark.is_archived = True
    bookmark.save()
"""
    views = """
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse

from bookmarks.models import Bookmark
from bookmarks.services import archive_bookmark, update_bookmark


@login_required
def index(request):
    return JsonResponse({"urls": list(Bookmark.objects.filter(owner=request.user).values_list("url", flat=True))})


@login_required
def edit(request, bookmark_id: int):
    bookmark = Bookmark.objects.get(pk=bookmark_id)
    if request.method == "POST":
        bookmark.title = request.POST["title"]
        update_bookmark(bookmark, request.POST.get("tag_string", ""), request.user)
        return HttpResponseRedirect("/bookmarks")
    return JsonResponse({"url": bookmark.url, "title": bookmark.title})


@login_required
def archive(request, bookmark_id: int):
    archive_bookmark(bookmark_id, request.user)
    return HttpResponseRedirect("/bookmarks")
"""
    report = scan({
        "proj/urls.py": """
from django.urls import path
from bookmarks import views

urlpatterns = [
    path("bookmarks", views.index),
    path("bookmarks/<int:bookmark_id>/edit", views.edit),
    path("bookmarks/<int:bookmark_id>/archive", views.archive),
]
""",
        "bookmarks/__init__.py": "",
        "bookmarks/models.py": """
from django.contrib.auth.models import User
from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=64)
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    date_added = models.DateTimeField()


class Bookmark(models.Model):
    url = models.URLField()
    title = models.CharField(max_length=512)
    is_archived = models.BooleanField(default=False)
    tags = models.ManyToManyField(Tag)
    owner = models.ForeignKey(User, on_delete=models.CASCADE)
    date_modified = models.DateTimeField(null=True)
""",
        "bookmarks/services.py": services,
        "bookmarks/views.py": views,
    })
    edit = views.splitlines().index("def edit(request, bookmark_id: int):") + 1
    assert findings(report, "RG105") == [("RG105", "bookmarks/views.py", edit)]


def test_django_rules_permission_mixin_is_authorization():
    """pretalx: the project's ``PermissionRequired(rules.contrib.views.PermissionRequiredMixin)``
    with ``permission_required = "person.administrator_user"`` guards the instance admin pages
    the way Django's own mixin does: a permission check, so RG104 stays silent on /orga/admin/."""
    report = scan({
        "common/__init__.py": "",
        "common/mixins.py": """
from rules.contrib.views import PermissionRequiredMixin

class PermissionRequired(PermissionRequiredMixin):
    write_permission_required = None
""",
        "orga/__init__.py": "",
        "orga/views.py": """
from django.views.generic import FormView
from common.mixins import PermissionRequired

class UpdateCheckView(PermissionRequired, FormView):
    template_name = "orga/admin/update.html"
    permission_required = "person.administrator_user"

    def post(self, request, *args, **kwargs):
        trigger_update_check()
        return super().post(request, *args, **kwargs)
""",
        "proj/urls.py": """
from django.urls import path
from orga.views import UpdateCheckView

urlpatterns = [path("orga/admin/update/", UpdateCheckView.as_view())]
""",
    })
    assert {r.auth for r in report.routes} == {"protected"}
    assert not findings(report, "RG104")


def test_django_guardian_object_permissions_guard_a_view():
    """Kiwi TCMS: ``from guardian.decorators import permission_required as
    object_permission_required`` on its edit pages requires a login and a model or per-object
    permission (no RG101, no RG105); the same page without it is open."""
    report = scan({
        "tcms/__init__.py": "",
        "tcms/testruns/__init__.py": "",
        "tcms/testruns/models.py": """
from django.conf import settings
from django.db import models


class TestRun(models.Model):
    summary = models.CharField(max_length=255)
    manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
""",
        "tcms/testruns/views.py": """
from django.shortcuts import get_object_or_404, redirect
from guardian.decorators import permission_required as object_permission_required

from tcms.testruns.models import TestRun


@object_permission_required("testruns.change_testrun", (TestRun, "pk", "pk"), accept_global_perms=True)
def edit(request, pk):
    run = get_object_or_404(TestRun, pk=pk)
    run.summary = request.POST["summary"]
    run.save()
    return redirect("testruns-get", pk=pk)


def rename(request, pk):
    run = get_object_or_404(TestRun, pk=pk)
    run.summary = request.POST["summary"]
    run.save()
    return redirect("testruns-get", pk=pk)
""",
        "proj/urls.py": """
from django.urls import path
from tcms.testruns import views

urlpatterns = [
    path("runs/<int:pk>/edit/", views.edit),
    path("runs/<int:pk>/rename/", views.rename),
]
""",
    })
    r = routes(report)
    assert r[("ANY", "/runs/<int:pk>/edit/")].auth == "protected"
    assert r[("ANY", "/runs/<int:pk>/rename/")].auth == "unprotected"
    edit, rename = r[("ANY", "/runs/<int:pk>/edit/")].location, r[("ANY", "/runs/<int:pk>/rename/")].location
    assert not [f for f in findings(report) if f[1:] == (edit.file, edit.line)]
    assert ("RG101", rename.file, rename.line) in findings(report)


def test_a_model_method_given_the_caller_that_raises_is_an_ownership_check():
    """bookwyrm's views call a permission method of the row they loaded with the caller:
    ``group.raise_not_editable(request.user)`` (the base model raises PermissionDenied unless the
    viewer owns it). That ties the object to the caller (no RG105); a view that only logs who
    looked does not."""
    report = scan({
        "shelf/__init__.py": "",
        "shelf/models.py": """
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models


class BookWyrmModel(models.Model):
    class Meta:
        abstract = True

    def raise_not_editable(self, viewer):
        if self.user == viewer or viewer.has_perm("shelf.moderate"):
            return
        raise PermissionDenied()


class Group(BookWyrmModel):
    name = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    def record_view_by(self, viewer):
        pass
""",
        "shelf/views.py": """
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect

from shelf.models import Group


@login_required
def rename_group(request, group_id):
    group = get_object_or_404(Group, id=group_id)
    group.raise_not_editable(request.user)
    group.name = request.POST["name"]
    group.save()
    return redirect("/")


@login_required
def retitle_group(request, group_id):
    group = get_object_or_404(Group, id=group_id)
    group.record_view_by(request.user)
    group.name = request.POST["name"]
    group.save()
    return redirect("/")
""",
        "proj/urls.py": """
from django.urls import path
from shelf import views

urlpatterns = [
    path("group/<int:group_id>/rename/", views.rename_group),
    path("group/<int:group_id>/retitle/", views.retitle_group),
]
""",
    })
    hits = [f for f in report.findings if f.rule_id == "RG105"]
    assert len(hits) == 1 and "retitle" in hits[0].message


def test_read_only_permission_subclass_and_a_middleware_switched_by_a_setting():
    """pinry: ``class IsOwnerOrReadOnly(permissions.IsAuthenticatedOrReadOnly)`` lets anyone read
    and only signed-in users write, like the class it extends (before: read as an object check
    only, so a create was unguarded); the ``Public`` middleware turns anonymous callers away only
    ``if settings.PUBLIC is False and not request.user.is_authenticated`` (a switch, off by
    default: not a guard of every route)."""
    report = scan({
        "core/__init__.py": "",
        "core/permissions.py": """
from rest_framework import permissions

class IsOwnerOrReadOnly(permissions.IsAuthenticatedOrReadOnly):
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.submitter == request.user
""",
        "core/middleware.py": """
from django.conf import settings
from django.http import HttpResponseForbidden
from django.utils.deprecation import MiddlewareMixin

class Public(MiddlewareMixin):
    def process_request(self, request):
        if settings.PUBLIC is False and not request.user.is_authenticated:
            return HttpResponseForbidden()
""",
        "core/models.py": "from django.db import models\n\nclass Pin(models.Model):\n"
                          "    submitter = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n",
        "core/views.py": """
from rest_framework import viewsets
from core.models import Pin
from core.permissions import IsOwnerOrReadOnly

class PinViewSet(viewsets.ModelViewSet):
    queryset = Pin.objects.all()
    permission_classes = [IsOwnerOrReadOnly]
""",
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from core.views import PinViewSet

router = DefaultRouter()
router.register(r"pins", PinViewSet)
urlpatterns = [path("api/v2/", include(router.urls))]
""",
    }, settings=SETTINGS + 'MIDDLEWARE = ["core.middleware.Public"]\nPUBLIC = True\n')
    r = routes(report)
    assert r[("POST", "/api/v2/pins/")].auth == "protected"
    assert r[("GET", "/api/v2/pins/")].auth == "public"
    assert not any(g.kind == "middleware" and g.effect == "auth" for g in r[("GET", "/api/v2/pins/")].guards)


def test_secret_in_base_settings_overridden_from_the_environment_and_a_settings_template():
    """A settings package whose ``base.py`` holds a literal SECRET_KEY that ``docker.py`` reads from
    the environment: the literal is the default of deployments that do not load docker.py (a note,
    not an error); ``local_settings.example.py`` is a template the installer copies and fills in
    (pinry: no finding there)."""
    from routeguard import scan_sources

    report = scan_sources({
        "board/__init__.py": "", "board/settings/__init__.py": "",
        "board/settings/base.py": 'SECRET_KEY = "fake-key"\nROOT_URLCONF = "board.urls"\nDEBUG = False\n',
        "board/settings/docker.py": 'import os\nfrom .base import *\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
        "board/settings/local_settings.example.py": 'SECRET_KEY = "PLEASE_REPLACE_ME_WITH_A_REAL_KEY"\n',
        "board/urls.py": "urlpatterns = []\n",
    })
    found = [(f.location.file, f.severity.level) for f in report.findings if f.rule_id == "RG403"]
    assert found == [("board/settings/base.py", "note")]


DOJO_STYLE = {
    "tracker/__init__.py": "",
    "tracker/settings/__init__.py": "",
    "tracker/settings/settings.py": '''
import environ
env = environ.Env()
SECRET_KEY = env("TRACKER_SECRET_KEY")
ROOT_URLCONF = "tracker.urls"
LOGIN_URL = "/login"
LOGIN_EXEMPT_URLS = (r"^static/", r"^login")
DJANGO_MIDDLEWARE_CLASSES = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.middleware.LoginRequiredMiddleware",
]
MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES
''',
    "tracker/middleware.py": '''
import re
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponseRedirect

EXEMPT_URLS = [re.compile(settings.LOGIN_URL.lstrip("/"))]
if hasattr(settings, "LOGIN_EXEMPT_URLS"):
    EXEMPT_URLS += [re.compile(expr) for expr in settings.LOGIN_EXEMPT_URLS]


class LoginRequiredMiddleware:
    """Every page but LOGIN_URL and LOGIN_EXEMPT_URLS needs a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            path = request.path_info.lstrip("/")
            if not any(m.match(path) for m in EXEMPT_URLS):
                return HttpResponseRedirect(f"{settings.LOGIN_URL}?next={quote(request.get_full_path())}")
        return self.get_response(request)
''',
    "tracker/finding/__init__.py": "",
    "tracker/finding/models.py": '''
from django.db import models

class Finding(models.Model):
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=20)
''',
    "tracker/finding/views.py": '''
from django.shortcuts import get_object_or_404, redirect, render
from .models import Finding

def view_finding(request, fid):
    return render(request, "finding.html", {"finding": get_object_or_404(Finding, pk=fid)})

def delete_finding(request, fid):
    Finding.objects.filter(pk=fid).delete()
    return redirect("/findings")
''',
    "tracker/finding/urls.py": '''
from django.urls import re_path
from . import views

urlpatterns = [
    re_path(r"^finding/(?P<fid>\\d+)$", views.view_finding, name="view_finding"),
    re_path(r"^finding/(?P<fid>\\d+)/delete$", views.delete_finding, name="delete_finding"),
]
''',
    "tracker/urls.py": '''
from django.conf import settings
from django.urls import include, re_path
from tracker.finding.urls import urlpatterns as finding_urls

ur = []
ur += finding_urls

urlpatterns = [re_path(r"^", include(ur))]
''',
}


def test_login_middleware_named_through_a_settings_variable_with_an_exempt_list():
    """DefectDojo: ``MIDDLEWARE = DJANGO_MIDDLEWARE_CLASSES``; the login middleware redirects every
    anonymous request except those on an allow-list of paths (``if not any(m.match(path) for m in
    EXEMPT_URLS)``); the UI's URLconfs are gathered into a list (``ur += finding_urls``) included
    at the root. Its routes are behind the middleware; without it they are open."""
    report = scan_sources(DOJO_STYLE)
    assert {(r.path, r.auth.value) for r in report.graph.routes} == {
        ("/finding/(?P<fid>\\d+)", "protected"), ("/finding/(?P<fid>\\d+)/delete", "protected")}
    assert [f.rule_id for f in report.findings] == []
    files = dict(DOJO_STYLE)
    files["tracker/settings/settings.py"] = files["tracker/settings/settings.py"].replace(
        '    "tracker.middleware.LoginRequiredMiddleware",\n', "")
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG101"]


def test_a_function_view_that_deletes_the_row_it_looked_up_writes():
    """A Django function view answers every method; one that deletes (or changes) the row it
    loaded (``finding = get_object_or_404(Finding, pk=fid); finding.delete()``,
    ``Finding.objects.get(pk=fid).delete()``) accepts writes: open to anyone, an error."""
    files = dict(DOJO_STYLE)
    files["tracker/settings/settings.py"] = files["tracker/settings/settings.py"].replace(
        '    "tracker.middleware.LoginRequiredMiddleware",\n', "")
    for body in ("    finding = get_object_or_404(Finding, pk=fid)\n    finding.delete()\n",
                 "    Finding.objects.get(pk=fid).delete()\n"):
        files["tracker/finding/views.py"] = DOJO_STYLE["tracker/finding/views.py"].replace(
            "    Finding.objects.filter(pk=fid).delete()\n", body)
        found = [(f.rule_id, f.severity.level) for f in scan_sources(files).findings]
        assert found == [("RG101", "error")], body


def test_an_included_urlconf_whose_package_name_is_also_a_module_elsewhere():
    """doccano: ``include("examples.urls")`` where ``examples`` is both the app package
    (backend/examples/) and a module of another package (backend/data_import/pipeline/
    examples.py). The include names the module as a whole, which is unambiguous (before: its
    routes lost their ``v1/projects/<int:project_id>/`` prefix and were listed at the root)."""
    report = scan_sources({
        "backend/__init__.py": "",
        "backend/config/__init__.py": "",
        "backend/config/settings.py": "ROOT_URLCONF = 'config.urls'\nINSTALLED_APPS = ['rest_framework', 'examples']\n",
        "backend/config/urls.py": """
from django.urls import include, path

urlpatterns = [
    path("v1/projects/<int:project_id>/", include("examples.urls")),
]
""",
        "backend/examples/__init__.py": "",
        "backend/examples/urls.py": """
from django.urls import path

from .views import ExampleList

urlpatterns = [
    path(route="examples", view=ExampleList.as_view(), name="example_list"),
]
""",
        "backend/examples/views.py": """
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated


class ExampleList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
""",
        "backend/data_import/__init__.py": "",
        "backend/data_import/pipeline/__init__.py": "",
        "backend/data_import/pipeline/examples.py": "class Examples:\n    pass\n",
    })
    assert sorted({r.path for r in report.routes}) == ["/v1/projects/<int:project_id>/examples"]


def test_a_permission_that_delegates_to_a_policy_picked_per_action_is_not_one_policy():
    """misago: ``policy = UnbannedAnonOnly()`` for create, else ``policy = IsAuthenticatedOrReadOnly()``,
    then ``return policy.has_permission(request, view)``: the local holds either, so it is not
    read as the last one (which would make every read of the public profiles "protected")."""
    report = scan_sources({
        "forum/__init__.py": "",
        "forum/settings.py": "ROOT_URLCONF = 'forum.urls'\nINSTALLED_APPS = ['rest_framework', 'forum']\n",
        "forum/urls.py": """
from rest_framework.routers import DefaultRouter

from forum.api import UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")
urlpatterns = router.urls
""",
        "forum/api.py": """
from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from forum.models import User
from forum.permissions import IsAuthenticatedOrReadOnly, UnbannedAnonOnly


class UserViewSetPermission(BasePermission):
    def has_permission(self, request, view):
        if view.action == "create":
            policy = UnbannedAnonOnly()
        else:
            policy = IsAuthenticatedOrReadOnly()
        return policy.has_permission(request, view)


class UserViewSet(viewsets.GenericViewSet):
    permission_classes = (UserViewSetPermission,)
    queryset = User.objects

    def retrieve(self, request, pk=None):
        profile = self.get_object()
        return Response({"username": profile.username})
""",
        "forum/permissions.py": """
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission


class UnbannedAnonOnly(BasePermission):
    def has_permission(self, request, view):
        return request.user.is_anonymous


class IsAuthenticatedOrReadOnly(BasePermission):
    def has_permission(self, request, view):
        if request.user.is_anonymous and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise PermissionDenied("This action is not available to guests.")
        return True
""",
        "forum/models.py": """
from django.db import models


class User(models.Model):
    username = models.CharField(max_length=150)
""",
    })
    assert {(r.method, r.path): r.auth.value for r in report.routes}[("GET", "/users/<pk>/")] != "protected"


def test_dj_rest_auth_and_social_auth_views_are_the_way_in():
    """doccano: ``class OktaLogin(SocialLoginView)`` (dj-rest-auth) at ``social/complete/okta-oauth2/``
    is an OAuth sign-in, public by design (before: RG101, "a library view that may write")."""
    report = scan_sources({
        "backend/__init__.py": "",
        "backend/config/__init__.py": "",
        "backend/config/settings.py": "ROOT_URLCONF = 'config.urls'\nINSTALLED_APPS = ['rest_framework', 'social']\n",
        "backend/config/urls.py": """
from django.urls import include, path
from dj_rest_auth.views import LoginView
from oauth2_provider import views as oauth2_views

urlpatterns = [
    path("v1/auth/login/", LoginView.as_view()),
    path("social/", include("social.urls")),
    # django-oauth-toolkit (Flagsmith): the client proves itself; introspection needs a credential
    path("o/token/", oauth2_views.TokenView.as_view()),
    path("o/revoke_token/", oauth2_views.RevokeTokenView.as_view()),
    path("o/introspect/", oauth2_views.IntrospectTokenView.as_view()),
]
""",
        "backend/social/__init__.py": "",
        "backend/social/urls.py": """
from django.urls import path

from .okta import OktaLogin

urlpatterns = [
    path("complete/okta-oauth2/", OktaLogin.as_view(), name="okta_login"),
]
""",
        "backend/social/okta.py": """
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.okta.views import OktaOAuth2Adapter
from dj_rest_auth.registration.views import SocialLoginView


class OktaLogin(SocialLoginView):
    adapter_class = OktaOAuth2Adapter
    callback_url = "/projects"
    client_class = OAuth2Client
""",
    })
    assert {r.path: r.auth.value for r in report.routes} == {
        "/v1/auth/login/": "public", "/social/complete/okta-oauth2/": "public", "/o/token/": "public",
        "/o/revoke_token/": "public", "/o/introspect/": "protected"}
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_project_marker_that_applies_login_not_required_and_guardians_login_mixin():
    """ephios: ``@access_exempt`` (``return method_decorator(login_not_required, name="dispatch")(view_class)``)
    marks a view public on purpose, and ``guardian.mixins.LoginRequiredMixin`` requires login
    (before: RG101 on both kinds, 10 of ephios' 12 findings)."""
    report = scan_sources({
        "ephios/__init__.py": "",
        "ephios/settings.py": "ROOT_URLCONF = 'ephios.urls'\nINSTALLED_APPS = ['guardian', 'ephios']\n",
        "ephios/urls.py": """
from django.urls import path

from ephios.views import OfflineView, QuestionnaireView

urlpatterns = [
    path("offline/", OfflineView.as_view()),
    path("questionnaires/<int:pk>/", QuestionnaireView.as_view()),
]
""",
        "ephios/auth.py": '''
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator


def access_exempt(view_class):
    """Mark a view class as intentionally public."""
    return method_decorator(login_not_required, name="dispatch")(view_class)
''',
        "ephios/views.py": """
from django.views.generic import DetailView, TemplateView
from guardian.mixins import LoginRequiredMixin

from ephios.auth import access_exempt
from ephios.models import Questionnaire


@access_exempt
class OfflineView(TemplateView):
    template_name = "offline.html"


class QuestionnaireView(LoginRequiredMixin, DetailView):
    model = Questionnaire
""",
        "ephios/models.py": """
from django.conf import settings
from django.db import models


class Questionnaire(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    answers = models.TextField()
""",
    })
    states = {r.path: r.auth.value for r in report.routes}
    assert states == {"/offline/": "public", "/questionnaires/<int:pk>/": "protected"}
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_model_form_only_staff_views_bind_is_no_mass_assignment():
    """django-helpdesk: ``EditTicketForm`` (Meta exclude leaves ``secret_key``) is made only in
    ``edit_ticket``, a function view behind ``staff_member_required`` (before: RG302, the form's
    users were not found because the view instantiates it instead of naming a ``form_class``).
    The same form bound by a view any signed-in user reaches is reported."""
    files = {
        "helpdesk/__init__.py": "",
        "helpdesk/settings.py": "ROOT_URLCONF = 'helpdesk.urls'\nINSTALLED_APPS = ['helpdesk']\n",
        "helpdesk/urls.py": """
from django.urls import path

from helpdesk.views import staff

urlpatterns = [
    path("tickets/<int:ticket_id>/edit/", staff.edit_ticket, name="edit"),
]
""",
        "helpdesk/forms.py": """
from django import forms

from helpdesk.models import Ticket


class EditTicketForm(forms.ModelForm):
    class Meta:
        model = Ticket
        exclude = ("created", "modified")
""",
        "helpdesk/models.py": """
from django.conf import settings
from django.db import models


class Ticket(models.Model):
    title = models.CharField(max_length=200)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    secret_key = models.CharField(max_length=36)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)
""",
        "helpdesk/views/__init__.py": "",
        "helpdesk/views/staff.py": """
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render

from helpdesk.forms import EditTicketForm
from helpdesk.models import Ticket


@staff_member_required
def edit_ticket(request, ticket_id):
    ticket = get_object_or_404(Ticket, id=ticket_id)
    form = EditTicketForm(request.POST or None, instance=ticket)
    if form.is_valid():
        form.save()
        return redirect("view", ticket_id=ticket.id)
    return render(request, "edit_ticket.html", {"form": form})
""",
    }
    assert not [f for f in scan_sources(files).findings if f.rule_id == "RG302"]
    files["helpdesk/views/staff.py"] = files["helpdesk/views/staff.py"].replace(
        "from django.contrib.admin.views.decorators import staff_member_required",
        "from django.contrib.auth.decorators import login_required as staff_member_required")
    assert [f.rule_id for f in scan_sources(files).findings if f.rule_id == "RG302"] == ["RG302"]


def test_an_alternative_that_decides_by_the_method_alone_opens_reads_and_never_writes():
    """Read the Docs' API v2: ``permission_classes = [HasBuildAPIKey | ReadOnlyPermission]``, where
    the project's ``ReadOnlyPermission.has_permission`` is ``return request.method in
    SAFE_METHODS``: reads are open to everyone, a write needs the build API key (before: the
    whole expression was no guard, and 10 writes read as unauthenticated)."""
    report = scan({
        "proj/urls.py": """
from rest_framework.routers import DefaultRouter

from api.views import BuildViewSet

router = DefaultRouter()
router.register(r"build", BuildViewSet, basename="build")
urlpatterns = router.urls
""",
        "api/permissions.py": """
from rest_framework import permissions


class ReadOnlyPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


class HasBuildAPIKey(permissions.BasePermission):
    def has_permission(self, request, view):
        key = request.headers.get("Authorization", "").removeprefix("Token ")
        return bool(key) and request.auth is not None and request.user.is_authenticated
""",
        "api/views.py": """
from rest_framework import mixins, viewsets

from api.permissions import HasBuildAPIKey, ReadOnlyPermission
from builds.models import Build


class BuildViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasBuildAPIKey | ReadOnlyPermission]
    queryset = Build.objects.all()
""",
        "builds/models.py": "from django.db import models\n\nclass Build(models.Model):\n    state = models.CharField(max_length=20)\n",
    })
    rs = routes(report)
    assert rs[("GET", "/build/<pk>/")].auth == "public"
    assert rs[("PATCH", "/build/<pk>/")].auth == "protected"


def test_django_vanilla_views_serve_the_methods_they_define():
    """django-vanilla-views (Read the Docs' organization pages): ``vanilla.DetailView`` and
    ``ListView`` answer GET only, ``UpdateView`` GET and POST, ``GenericView`` nothing of its own;
    a public organization page is a read of the organization's rows, not a view that may write."""
    report = scan_sources({
        "proj/__init__.py": "", "proj/settings.py": SETTINGS.replace('"shop"', '"orgs"'),
        "orgs/__init__.py": "",
        "orgs/models.py": ("from django.conf import settings\nfrom django.db import models\n\n\n"
                           "class Organization(models.Model):\n    slug = models.SlugField()\n"
                           "    owners = models.ManyToManyField(settings.AUTH_USER_MODEL)\n"),
        "orgs/views.py": """
from django.contrib.auth.mixins import LoginRequiredMixin
from vanilla import DetailView, GenericView, ListView, UpdateView

from orgs.models import Organization


class OrganizationDetail(DetailView):
    model = Organization
    lookup_field = "slug"
    template_name = "orgs/detail.html"


class OrganizationList(ListView):
    model = Organization


class EditOrganization(LoginRequiredMixin, UpdateView):
    model = Organization
    fields = ["slug"]


class OrganizationMembers(GenericView):
    def get(self, request, *args, **kwargs):
        ...
""",
        "proj/urls.py": """
from django.urls import path
from orgs import views

urlpatterns = [
    path("orgs/", views.OrganizationList.as_view()),
    path("orgs/<slug>/", views.OrganizationDetail.as_view()),
    path("orgs/<slug>/edit/", views.EditOrganization.as_view()),
    path("orgs/<slug>/members/", views.OrganizationMembers.as_view()),
]
""",
    })
    assert sorted((r.method, r.path, r.auth) for r in report.routes) == [
        ("GET", "/orgs/", "unprotected"), ("GET", "/orgs/<slug>/", "unprotected"),
        ("GET", "/orgs/<slug>/edit/", "protected"), ("GET", "/orgs/<slug>/members/", "unprotected"),
        ("POST", "/orgs/<slug>/edit/", "protected")]
    messages = [f.message for f in report.findings if f.rule_id == "RG101"]
    assert messages and not any("accepts writes" in m or m.startswith("ANY") for m in messages)


def test_a_view_class_that_fetches_through_a_query_scoped_to_the_caller():
    """Read the Docs' organization views: no login mixin, but every object the view serves
    comes from ``Organization.objects.for_user(user=self.request.user)`` (in ``get_queryset``,
    or in a mixin's ``get_organization`` that ``get_object`` calls): an anonymous caller gets a
    404. A create view of the same mixin fetches nothing and stays unprotected."""
    report = scan_sources({
        "proj/__init__.py": "", "proj/settings.py": SETTINGS.replace('"shop"', '"orgs"'),
        "orgs/__init__.py": "",
        "orgs/querysets.py": """
from django.db import models
from django.db.models import Q


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(Q(owners__in=[user]) | Q(teams__members__in=[user])).distinct()
""",
        "orgs/models.py": """
from django.conf import settings
from django.db import models

from orgs.querysets import OrganizationQuerySet


class Organization(models.Model):
    slug = models.SlugField()
    billing_email = models.EmailField()
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL)
    objects = OrganizationQuerySet.as_manager()
""",
        "orgs/views.py": """
from django.shortcuts import get_object_or_404
from django.views.generic import CreateView, DetailView, UpdateView

from orgs.models import Organization


class OrganizationMixin:
    def get_organization(self):
        return get_object_or_404(Organization.objects.for_user(user=self.request.user), slug=self.kwargs["slug"])


class OrganizationDetail(DetailView):
    def get_queryset(self):
        return Organization.objects.for_user(user=self.request.user)


class EditOrganization(OrganizationMixin, UpdateView):
    fields = ["billing_email"]

    def get_object(self, queryset=None):
        return self.get_organization()


class CreateOrganization(CreateView):
    model = Organization
    fields = ["slug", "billing_email"]
""",
        "proj/urls.py": """
from django.urls import path
from orgs import views

urlpatterns = [
    path("organizations/<slug:slug>/", views.OrganizationDetail.as_view()),
    path("organizations/<slug:slug>/edit/", views.EditOrganization.as_view()),
    path("organizations/create/", views.CreateOrganization.as_view()),
]
""",
    })
    states = {(r.method, r.path): r.auth.value for r in report.routes}
    assert states == {("GET", "/organizations/<slug:slug>/"): "protected",
                      ("GET", "/organizations/<slug:slug>/edit/"): "protected",
                      ("POST", "/organizations/<slug:slug>/edit/"): "protected",
                      ("GET", "/organizations/create/"): "unprotected",
                      ("POST", "/organizations/create/"): "unprotected"}
    assert [f.message.split(" requires")[0] for f in report.findings if f.rule_id == "RG101"] == [
        "GET/POST /organizations/create/"]


PRETIX_STYLE = {
    "tix/__init__.py": "",
    "tix/settings.py": """
import os
DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
ROOT_URLCONF = "tix.multidomain.maindomain_urlconf"
INSTALLED_APPS = ["django.contrib.auth", "tix.base", "tix.control", "tix.presale"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tix.control.middleware.PermissionMiddleware",
]
""",
    "tix/base/__init__.py": "",
    "tix/base/models.py": """
from django.conf import settings
from django.db import models


class Event(models.Model):
    slug = models.SlugField()
    organizer = models.ForeignKey("Organizer", on_delete=models.CASCADE)


class Organizer(models.Model):
    slug = models.SlugField()
    members = models.ManyToManyField(settings.AUTH_USER_MODEL)
""",
    "tix/base/views.py": "from django.http import HttpResponse\n\n\ndef healthcheck(request):\n    return HttpResponse('')\n",
    "tix/urls.py": """
from django.urls import include, re_path

import tix.control.urls
from tix.base.views import healthcheck

base_patterns = [
    re_path(r'^healthcheck/$', healthcheck, name='healthcheck'),
]

control_patterns = [
    re_path(r'^control/', include((tix.control.urls, 'control'))),
]

common_patterns = base_patterns + control_patterns
""",
    "tix/multidomain/__init__.py": "",
    "tix/multidomain/maindomain_urlconf.py": """
from django.urls import include, re_path

from tix.presale.urls import event_patterns
from tix.urls import common_patterns

presale_patterns_main = [
    re_path(r'', include(([
        re_path(r'^(?P<organizer>[^/]+)/(?P<event>[^/]+)/', include(event_patterns)),
    ], 'presale')))
]

urlpatterns = common_patterns + presale_patterns_main
""",
    # the URLconf a middleware picks for an event's own domain
    "tix/multidomain/event_domain_urlconf.py": """
from django.urls import include, re_path

from tix.presale.urls import event_patterns
from tix.urls import common_patterns

urlpatterns = common_patterns + [re_path(r'', include(event_patterns))]
""",
    "tix/control/__init__.py": "",
    "tix/control/middleware.py": """
from django.contrib.auth.views import redirect_to_login
from django.urls import get_script_prefix, resolve


class PermissionMiddleware:
    EXCEPTIONS = ("auth.login",)

    def __init__(self, get_response=None):
        self.get_response = get_response

    def __call__(self, request):
        url = resolve(request.path_info)
        if not request.path.startswith(get_script_prefix() + 'control'):
            # this middleware only touches the /control subpath
            return self.get_response(request)
        if url.url_name in self.EXCEPTIONS:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
""",
    "tix/control/permissions.py": """
from django.core.exceptions import PermissionDenied


def organizer_permission_required(permission):
    def decorator(function):
        def wrapper(request, *args, **kw):
            if not request.user.is_authenticated:
                raise PermissionDenied()
            if not request.user.has_organizer_permission(request.organizer, permission, request=request):
                raise PermissionDenied("You do not have permission to view this content.")
            return function(request, *args, **kw)
        return wrapper
    return decorator


class OrganizerPermissionRequiredMixin:
    permission = None

    @classmethod
    def as_view(cls, **initkwargs):
        view = super(OrganizerPermissionRequiredMixin, cls).as_view(**initkwargs)
        return organizer_permission_required(cls.permission)(view)
""",
    "tix/control/views.py": """
from django.views.generic import DeleteView, ListView

from tix.base.models import Event
from tix.control.permissions import OrganizerPermissionRequiredMixin


class EventList(ListView):
    model = Event
    template_name = "control/events.html"


class EventDelete(OrganizerPermissionRequiredMixin, DeleteView):
    permission = "organizer.events:write"
    model = Event
""",
    "tix/control/urls.py": """
from django.urls import re_path

from tix.control import views

urlpatterns = [
    re_path(r'^events/$', views.EventList.as_view(), name='events'),
    re_path(r'^events/(?P<pk>\\d+)/delete$', views.EventDelete.as_view(), name='event.delete'),
]
""",
    "tix/presale/__init__.py": "",
    "tix/presale/views.py": """
from django.views.generic import DetailView

from tix.base.models import Event


class EventIndex(DetailView):
    model = Event
    template_name = "presale/event.html"
""",
    "tix/presale/urls.py": """
from django.urls import re_path

from tix.presale import views

event_patterns = [
    re_path(r'^$', views.EventIndex.as_view(), name='event.index'),
]
""",
}


def test_a_root_urlconf_assembled_from_lists_of_other_modules():
    """pretix: the ROOT_URLCONF serves ``common_patterns`` imported from ``tix/urls.py`` (a module
    with no ``urlpatterns`` of its own, whose list is ``base_patterns + control_patterns``) and
    the shop's ``event_patterns``; a second URLconf (an event's own domain) serves the same lists.
    Every operation has its full path, once per URLconf; a list is no root of its own. The
    settings' middleware runs for both URLconfs; it is made for ``/control`` alone
    (``get_script_prefix() + 'control'``), and a mixin whose ``as_view`` wraps the view in a
    permission decorator guards its views."""
    report = scan_sources(PRETIX_STYLE)
    states = {(r.method, r.path): (r.auth.value, sorted(g.name for g in r.guards)) for r in report.routes}
    assert states[("GET", "/control/events/")] == ("protected", ["PermissionMiddleware"])
    assert states[("POST", "/control/events/(?P<pk>\\d+)/delete")][0] == "protected"
    assert "organizer_permission_required" in " ".join(states[("POST", "/control/events/(?P<pk>\\d+)/delete")][1])
    assert states[("ANY", "/healthcheck/")][0] == "public"
    # the shop is outside the middleware's /control scope
    assert states[("GET", "/(?P<organizer>[^/]+)/(?P<event>[^/]+)/")] == ("unprotected", [])
    assert "PermissionMiddleware" not in states[("GET", "/")][1]  # the event domain's index
    assert not any(p.startswith(("/events/", "/(?P<pk>")) for _, p in states)  # no list served at the root


def test_urlpatterns_concatenated_from_groups_of_lists():
    """Read the Docs: ``groups = [basic_urls, project_urls]``, ``groups.append(admin_urls)`` under a
    setting, then ``urlpatterns = reduce(add, groups)``: every group is served, with its includes'
    prefixes. A list that nothing serves (``unused_urls``) leaves what it includes on its own."""
    report = scan_sources({
        "proj/__init__.py": "", "proj/settings.py": SETTINGS.replace('"shop"', '"projects"'),
        "projects/__init__.py": "",
        "projects/views.py": "def detail(request, slug): ...\ndef home(request): ...\ndef legacy(request): ...\n",
        "projects/urls.py": ("from django.urls import path\nfrom projects import views\n\n"
                             "urlpatterns = [path('<slug:slug>/', views.detail)]\n"),
        "projects/legacy_urls.py": ("from django.urls import path\nfrom projects import views\n\n"
                                    "urlpatterns = [path('old/', views.legacy)]\n"),
        "proj/urls.py": """
from functools import reduce
from operator import add

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from projects import views

basic_urls = [path("", views.home)]
project_urls = [path("projects/", include("projects.urls"))]
admin_urls = [path("admin/", admin.site.urls)]
unused_urls = [path("legacy/", include("projects.legacy_urls"))]

groups = [basic_urls, project_urls]
if settings.ALLOW_ADMIN:
    groups.append(admin_urls)

urlpatterns = reduce(add, groups)
""",
    })
    paths = {r.path for r in report.routes}
    assert {"/", "/projects/<slug:slug>/", "/old/"} <= paths
    assert "/<slug:slug>/" not in paths and not any(p.startswith("/legacy") for p in paths)


def test_a_view_that_turns_away_every_other_method_first_serves_those_it_allows():
    """Flagsmith's SPA index: ``if request.method != "GET": return HttpResponse(status=405)`` is its
    first statement, so it serves GET alone (a page rendered from a fixed template, a public
    read), not any method that may write."""
    report = scan_sources({
        "proj/__init__.py": "", "proj/settings.py": SETTINGS,
        "proj/views.py": """
from django.http import HttpResponse
from django.template import loader
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def index(request):
    if request.method != "GET":
        return HttpResponse(status=405, content_type="application/json")
    template = loader.get_template("webpack/index.html")
    return HttpResponse(template.render(request=request))
""",
        "proj/urls.py": "from django.urls import re_path\nfrom proj import views\n\nurlpatterns = [re_path('^.*$', views.index)]\n",
    })
    assert [(r.method, r.path) for r in report.routes] == [("GET", "/.*")]
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_maintenance_switch_is_no_guard_and_a_redirect_view_runs_its_own_get():
    """umap: ``readonly_middleware`` refuses every write to everyone while a setting is on (a
    maintenance switch; it reads no credential), so it guards nothing; a ``RedirectView``
    answers POST, PUT, PATCH and DELETE with its own ``get`` (here the signed anonymous-edit
    link, checked there); a ``TemplateView`` subclass that only names its template, or a
    ``RedirectView`` that only builds its URL, serves no data and writes nothing."""
    report = scan_sources({
        "proj/__init__.py": "",
        "proj/settings.py": SETTINGS.replace('"shop"', '"proj"') + "MIDDLEWARE = ['proj.middleware.readonly_middleware']\n",
        "proj/middleware.py": """
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponseForbidden


def readonly_middleware(get_response):
    if not settings.UMAP_READONLY:
        raise MiddlewareNotUsed

    def middleware(request):
        if request.method not in ["GET", "OPTIONS", "HEAD"]:
            return HttpResponseForbidden("Site is readonly for maintenance")
        return get_response(request)

    return middleware
""",
        "proj/models.py": ("from django.conf import settings\nfrom django.db import models\n\n\nclass Map(models.Model):\n"
                           "    name = models.CharField(max_length=200)\n"
                           "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)\n"),
        "proj/views.py": """
from django.core.signing import BadSignature, Signer
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import RedirectView, TemplateView

from proj.models import Map


class MapShortUrl(RedirectView):
    permanent = True

    def get_redirect_url(self, **kwargs):
        return f"/map/{get_object_or_404(Map, pk=kwargs['pk']).pk}/"


class MapAnonymousEditUrl(RedirectView):
    def get(self, request, *args, **kwargs):
        try:
            pk = Signer().unsign(self.kwargs["signature"])
        except BadSignature:
            return HttpResponseForbidden()
        map_inst = get_object_or_404(Map, pk=pk)
        response = redirect(f"/map/{map_inst.pk}/")
        response.set_signed_cookie(f"anonymous_owner|{map_inst.pk}", map_inst.pk)
        return response


class DesignSystem(TemplateView):
    template_name = "design_system.html"


def delete_map(request, pk):
    Map.objects.filter(pk=pk).delete()
""",
        "proj/urls.py": """
from django.urls import path
from proj import views

urlpatterns = [
    path("m/<int:pk>/", views.MapShortUrl.as_view()),
    path("map/anonymous-edit/<signature>", views.MapAnonymousEditUrl.as_view()),
    path("design_system/", views.DesignSystem.as_view()),
    path("map/<int:pk>/delete/", views.delete_map),
]
""",
    })
    states = {(r.method, r.path): r.auth.value for r in report.routes}
    assert {m for (m, p), a in states.items() if p == "/map/anonymous-edit/<signature>" and a == "protected"} == \
        {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert states[("ANY", "/map/<int:pk>/delete/")] == "unprotected"
    flagged = {f.message.split(" requires")[0] for f in report.findings if f.rule_id == "RG101"}
    assert flagged == {"ANY /map/<int:pk>/delete/"}


def test_a_project_package_named_like_a_library_is_not_that_library():
    """Weblate ships an empty package ``weblate/addons/extractors/django/`` (an add-on for Django
    projects it translates). Its other modules import ``django.conf.settings``,
    ``django.contrib.auth.decorators.login_required``: ``django`` there is the framework, not that
    package, so the decorator still guards and the generic view still serves GET only."""
    report = scan({
        "proj/urls.py": "from django.urls import path\nfrom proj import views\n"
                        "urlpatterns = [path('profile/', views.profile), path('about/', views.AboutView.as_view())]\n",
        "proj/views.py": """
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.generic import TemplateView


@login_required
def profile(request):
    return JsonResponse({"email": request.user.email, "site": settings.SITE_TITLE})


class AboutView(TemplateView):
    template_name = "about.html"
""",
        "proj/addons/__init__.py": "",
        "proj/addons/extractors/__init__.py": "",
        "proj/addons/extractors/django/__init__.py": "",
        "proj/addons/extractors/django/forms.py": '"""Settings of the Django extractor add-on."""\nEXTENSIONS = (".py", ".html")\n',
    })
    r = routes(report)
    assert r[("ANY", "/profile/")].auth == "protected"
    assert "login_required" in guard_names(r[("ANY", "/profile/")])
    assert [m for m, p in r if p == "/about/"] == ["GET"]


def test_a_middleware_that_only_adjusts_the_session_of_signed_in_users_guards_nothing():
    """Weblate's ``AuthenticationMiddleware`` loads the user and, for a signed-in one, refreshes
    the session's expiry through helpers that test the session and answer their caller (``if not
    should_update(...): return``, ``return SESSION_SCOPE_2FA``); it never turns a request away,
    so it guards nothing. A middleware that returns the redirect a helper makes for the anonymous
    caller does guard."""
    views = "def home(request): ...\ndef inbox(request): ...\n"
    urls = ("from django.urls import path\nfrom proj import views\n"
            "urlpatterns = [path('dashboard/', views.home), path('inbox/', views.inbox)]\n")
    helpers = """
import time

from django.shortcuts import redirect

SESSION_SCOPE_2FA = "2fa"
SESSION_SCOPE_AUTHENTICATED = "authenticated"


def get_session_scope(request, user):
    if user.profile.has_2fa and "otp_device_id" not in request.session:
        return SESSION_SCOPE_2FA
    return SESSION_SCOPE_AUTHENTICATED


def should_update(request, scope):
    if request.session.get("expiry_scope") != scope:
        return True
    return False


def adjust_session_expiry(request, user):
    scope = get_session_scope(request, user)
    if not should_update(request, scope):
        return
    request.session["expiry_scope"] = scope
    request.session.set_expiry(3600)


def login_redirect(request):
    if not request.user.is_authenticated:
        return redirect("/accounts/login/")
    return None
"""
    adjusts = """
from django.contrib.auth import get_user

from proj.session import adjust_session_expiry


class AuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.prepare_request(request)
        return self.get_response(request)

    def prepare_request(self, request):
        request.user = user = get_user(request)
        if user.is_authenticated:
            adjust_session_expiry(request, user)
        return user
"""
    refuses = """
from proj.session import login_redirect


class RequireLoginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = login_redirect(request)
        if response:
            return response
        return self.get_response(request)
"""
    for source, name, state in ((adjusts, "AuthenticationMiddleware", "unprotected"),
                                (refuses, "RequireLoginMiddleware", "protected")):
        settings = SETTINGS + f"MIDDLEWARE = ['proj.middleware.{name}']\n"
        report = scan({"proj/urls.py": urls, "proj/views.py": views, "proj/session.py": helpers,
                       "proj/middleware.py": source}, settings=settings)
        assert {p: r.auth for (_, p), r in routes(report).items()} == {"/dashboard/": state, "/inbox/": state}, name


def test_drf_settings_built_by_a_project_function():
    """Weblate: ``REST_FRAMEWORK = get_drf_settings(require_login=REQUIRE_LOGIN)``, a function of
    another module returning the dict, with ``IsAuthenticated if require_login else
    IsAuthenticatedOrReadOnly``: the defaults are that function's, and with the switch unknown
    the checks hold what both settings guarantee (writes need a caller, reads do not). A function
    returning such a dict that no settings module calls sets nothing."""
    spectacular = """
def get_drf_settings(*, require_login: bool) -> dict:
    return {
        "DEFAULT_PERMISSION_CLASSES": [
            "rest_framework.permissions.IsAuthenticated"
            if require_login
            else "rest_framework.permissions.IsAuthenticatedOrReadOnly"
        ],
        "PAGE_SIZE": 50,
    }


def get_test_settings() -> dict:
    return {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"]}
"""
    views = """
from rest_framework import viewsets

from shop.models import Language
from shop.serializers import LanguageSerializer


class LanguageViewSet(viewsets.ModelViewSet):
    queryset = Language.objects.all()
    serializer_class = LanguageSerializer
"""
    files = {
        "proj/urls.py": "from rest_framework.routers import DefaultRouter\nfrom shop.views import LanguageViewSet\n"
                        "router = DefaultRouter()\nrouter.register('languages', LanguageViewSet)\nurlpatterns = router.urls\n",
        "shop/__init__.py": "", "shop/views.py": views, "proj/spectacular.py": spectacular,
        "shop/models.py": "from django.db import models\n\nclass Language(models.Model):\n    code = models.CharField(max_length=10)\n",
        "shop/serializers.py": "from rest_framework import serializers\nfrom shop.models import Language\n\n"
                               "class LanguageSerializer(serializers.ModelSerializer):\n    class Meta:\n"
                               "        model = Language\n        fields = ['code']\n",
    }
    settings = SETTINGS + "REQUIRE_LOGIN = False\nfrom proj.spectacular import get_drf_settings\n" \
                          "REST_FRAMEWORK = get_drf_settings(require_login=REQUIRE_LOGIN)\n"
    r = routes(scan(files, settings=settings))
    assert r[("POST", "/languages/")].auth == "protected"
    assert r[("DELETE", "/languages/<pk>/")].auth == "protected"
    assert r[("GET", "/languages/")].auth == "public"
    # without the settings calling it, the function's dict is no default
    r = routes(scan(files))
    assert r[("POST", "/languages/")].auth == "unprotected"


def test_a_permission_whose_answer_is_made_of_a_membership_lookup_authenticates():
    """taiga's ``HasProjectPerm``: its verdict is ``perm in get_user_project_permissions(user,
    project)``, which builds the permissions from ``membership = _get_user_project_membership(user,
    project)`` (None for the anonymous user): the lookup's answer is part of the guard's own, so the
    anonymous caller's no counts and the writes are protected. (A middleware that drops such an
    answer guards nothing: test_a_middleware_that_only_adjusts_the_session_of_signed_in_users_guards_nothing.)"""
    report = scan({
        "proj/urls.py": "from rest_framework.routers import DefaultRouter\nfrom shop.views import StoryViewSet\n"
                        "router = DefaultRouter()\nrouter.register('stories', StoryViewSet, basename='story')\n"
                        "urlpatterns = router.urls\n",
        "shop/__init__.py": "",
        "shop/services.py": """
def _get_user_project_membership(user, project):
    if user.is_anonymous:
        return None
    return project.memberships.filter(user=user).first()


def calculate_permissions(is_member=False, role_permissions=(), anon_permissions=()):
    if is_member:
        return set(role_permissions) | set(anon_permissions)
    return set(anon_permissions)


def get_user_project_permissions(user, project):
    membership = _get_user_project_membership(user, project)
    return calculate_permissions(is_member=membership is not None,
                                 role_permissions=membership.role.permissions if membership else (),
                                 anon_permissions=project.anon_permissions)


def user_has_perm(user, perm, project):
    if not project:
        return False
    return perm in get_user_project_permissions(user, project)
""",
        "shop/views.py": """
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from shop import services


class HasProjectPerm(permissions.BasePermission):
    def has_permission(self, request, view):
        return services.user_has_perm(request.user, "add_us", view.get_project())


class StoryViewSet(viewsets.ViewSet):
    permission_classes = [HasProjectPerm]

    def create(self, request):
        return Response(status=201)
""",
    })
    assert routes(report)[("POST", "/stories/")].auth == "protected"


def test_a_view_that_restricts_its_methods_serves_only_those():
    """wger's ``NutritionPlanInfoViewSet(NutritionPlanViewSet)`` with ``http_method_names = ['get',
    'head', 'options']``: Django's View answers any other method with 405, so the router serves the
    subclass's reads only (its writes were listed, and reported as open writes). A Django class-based
    view does the same."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop import views

router = DefaultRouter()
router.register("nutritionplan", views.NutritionPlanViewSet, basename="nutritionplan")
router.register("nutritionplaninfo", views.NutritionPlanInfoViewSet, basename="nutritionplaninfo")
urlpatterns = [
    path("api/v2/", include(router.urls)),
    path("export/", views.ExportView.as_view()),
]
""",
        "shop/__init__.py": "",
        "shop/views.py": """
from django.http import JsonResponse
from django.views import View
from rest_framework import viewsets

from shop.models import NutritionPlan
from shop.serializers import NutritionPlanSerializer, NutritionPlanInfoSerializer


class NutritionPlanViewSet(viewsets.ModelViewSet):
    serializer_class = NutritionPlanSerializer

    def get_queryset(self):
        return NutritionPlan.objects.filter(user=self.request.user)


class NutritionPlanInfoViewSet(NutritionPlanViewSet):
    serializer_class = NutritionPlanInfoSerializer
    http_method_names = ["get", "head", "options"]


class ExportView(View):
    http_method_names = ["get"]

    def get(self, request):
        return JsonResponse({"plans": list(NutritionPlan.objects.filter(user=request.user).values("id"))})

    def post(self, request):
        NutritionPlan.objects.filter(user=request.user).delete()
        return JsonResponse({})
""",
    })
    served = {k for k in routes(report) if "nutritionplan" in k[1] or k[1] == "/export/"}
    assert {k for k in served if "nutritionplaninfo" in k[1]} == {
        ("GET", "/api/v2/nutritionplaninfo/"), ("GET", "/api/v2/nutritionplaninfo/<pk>/")}
    assert ("POST", "/api/v2/nutritionplan/") in served
    assert {k for k in served if k[1] == "/export/"} == {("GET", "/export/")}



def test_a_serializer_served_only_for_reading_and_deleting_is_not_written_through():
    """Nautobot's ``JobResultViewSet(mixins.DestroyModelMixin, ReadOnlyModelViewSet)``: its serializer
    takes every field of JobResult, ``user`` among them, but no route deserializes into it: the
    DELETE sends no fields, so the privileged column is only sent to clients (no RG302). The same
    serializer on a viewset that creates rows is written through."""
    def scan_with(viewset_bases):
        return scan({
            "shop/__init__.py": "",
            "shop/models.py": """
from django.conf import settings
from django.db import models


class JobResult(models.Model):
    name = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
""",
            "shop/api.py": """
from rest_framework import mixins, serializers, viewsets

from .models import JobResult


class JobResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobResult
        fields = "__all__"


class JobResultViewSet(""" + viewset_bases + """):
    serializer_class = JobResultSerializer

    def get_queryset(self):
        return JobResult.objects.filter(user=self.request.user)
""",
            "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.api import JobResultViewSet

router = DefaultRouter()
router.register("job-results", JobResultViewSet)
urlpatterns = [path("api/", include(router.urls))]
""",
        }, SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n")

    read_only = scan_with("mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet")
    assert ("DELETE", "/api/job-results/<pk>/") in routes(read_only)
    assert not [f for f in read_only.findings if f.rule_id == "RG302"]
    writable = scan_with("viewsets.ModelViewSet")
    assert [f.rule_id for f in writable.findings if f.rule_id == "RG302"] == ["RG302"]


def test_a_resource_named_like_a_health_probe_is_no_probe_for_its_objects_and_writes():
    """Nautobot's ``HealthCheckMonitorViewSet`` (a load balancer's health monitors, a model) is named
    like a health probe, but a view class serving an object by its id is a resource and a probe
    answers reads: its routes with an id and its writes are not public by that convention (its list
    read still is, a known limit). healthchecks' ``ping(request, code)`` function stays a probe."""
    report = scan({
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop import views

router = DefaultRouter()
router.register("health-check-monitors", views.HealthCheckMonitorViewSet)
urlpatterns = [
    path("api/load-balancers/", include(router.urls)),
    path("health/", views.HealthCheckView.as_view()),
    path("ping/<uuid:code>/", views.ping),
]
""",
        "shop/__init__.py": "",
        "shop/views.py": """
from django.http import HttpResponse, JsonResponse
from django.views import View
from rest_framework import viewsets

from shop.models import Check, HealthCheckMonitor


def ping(request, code):
    Check.objects.filter(code=code).update(last_ping=request.headers.get("Date"))
    return HttpResponse("OK")


class HealthCheckMonitorViewSet(viewsets.ModelViewSet):
    queryset = HealthCheckMonitor.objects.all()


class HealthCheckView(View):
    def get(self, request):
        return JsonResponse({"status": "ok"})
""",
    })
    r = routes(report)
    assert r[("DELETE", "/api/load-balancers/health-check-monitors/<pk>/")].auth == "unprotected"
    assert r[("GET", "/api/load-balancers/health-check-monitors/<pk>/")].auth == "unprotected"
    assert r[("POST", "/api/load-balancers/health-check-monitors/")].auth == "unprotected"
    assert r[("GET", "/health/")].auth == "public"
    # healthchecks' ping: a function given the check's id is still the probe it is named after
    assert r[("ANY", "/ping/<uuid:code>/")].auth == "public"


def test_a_warning_when_the_scanned_tree_holds_no_django_settings():
    """wger scanned from its ``wger/`` folder: its ``settings/`` package, with the default permission
    class that requires login, is beside it. The routes are judged without those defaults, and the
    run says so; with the settings in the tree it says nothing."""
    app = {
        "shop/__init__.py": "",
        "shop/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shop.views import WeightEntryViewSet

router = DefaultRouter()
router.register("weightentry", WeightEntryViewSet, basename="weightentry")
urlpatterns = [path("api/v2/", include(router.urls))]
""",
        "shop/views.py": """
from rest_framework import viewsets

from shop.models import WeightEntry


class WeightEntryViewSet(viewsets.ModelViewSet):
    is_private = True

    def get_queryset(self):
        return WeightEntry.objects.filter(user=self.request.user)
""",
    }
    from routeguard import scan_sources

    alone = scan_sources(app)
    assert [n.file for n in alone.notifications if "no django settings" in n.message] == ["shop/urls.py"]
    with_settings = scan({**app, "proj/urls.py": "from django.urls import include, path\n"
                          "urlpatterns = [path('', include('shop.urls'))]\n"})
    assert not [n for n in with_settings.notifications if "no django settings" in n.message]


def test_a_drf_router_handed_to_functions_that_register_on_it():
    """DefectDojo's ``dojo/urls.py``: ``v2_api = DefaultRouter()`` then ``v2_api =
    add_user_urls(v2_api)`` for each app, whose ``urls.py`` defines ``def add_user_urls(router):
    router.register(r"users", UsersViewSet); return router``. The rebinding keeps the router, and
    the registrations made on the parameter are routes of the router passed in (the whole
    ``/api/v2/`` surface, ~310 operations, was missing)."""
    from helpers import routes as route_map

    r, _ = route_map({
        "proj/__init__.py": "", "things/__init__.py": "", "things/api/__init__.py": "",
        "proj/settings.py": 'INSTALLED_APPS = ["rest_framework", "things"]\nROOT_URLCONF = "proj.urls"\n'
                            'REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": '
                            '["rest_framework.permissions.IsAuthenticated"]}\n',
        "things/models.py": "from django.db import models\n\n\nclass Thing(models.Model):\n"
                            "    name = models.CharField(max_length=10)\n",
        "things/api/views.py": """
from rest_framework import viewsets
from things.models import Thing


class UserViewSet(viewsets.ModelViewSet):
    queryset = Thing.objects.all()


class ContactViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Thing.objects.all()


class TagViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Thing.objects.all()
""",
        "things/api/urls.py": """
from things.api.views import ContactViewSet, UserViewSet


def add_user_urls(router):
    router.register(r"users", UserViewSet, basename="user")
    router.register(r"contacts", ContactViewSet, basename="contact")
    return router
""",
        "proj/urls.py": """
from django.urls import include, re_path
from rest_framework.routers import DefaultRouter

from things.api.urls import add_user_urls
from things.api.views import TagViewSet

v2_api = DefaultRouter()
v2_api = add_user_urls(v2_api)
v2_api.register(r"tags", TagViewSet, basename="tag")

urlpatterns = [re_path(r"^api/v2/", include(v2_api.urls))]
""",
    })
    assert {("GET", "/api/v2/tags/"), ("POST", "/api/v2/users/"), ("DELETE", "/api/v2/users/<pk>/"),
            ("GET", "/api/v2/contacts/<pk>/")} <= set(r)
    assert r[("POST", "/api/v2/users/")].auth == "protected"


def test_a_serializer_a_write_route_only_renders_its_answer_with_is_not_written_through():
    """Plane's ``CycleUserPropertiesEndpoint.patch`` sets the fields it accepts by hand and answers
    with ``CycleUserPropertiesSerializer(props).data``: the serializer takes every field (the
    ``user`` it belongs to among them) but is never given the client's data, so the privileged
    column is only sent, not writable (no RG302). Given ``data=request.data``, it is."""
    def scan_with(build):
        return scan({
            "cycles/__init__.py": "",
            "cycles/models.py": """
from django.conf import settings
from django.db import models


class CycleUserProperties(models.Model):
    cycle_id = models.IntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    filters = models.JSONField(default=dict)
""",
            "cycles/views.py": """
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import CycleUserProperties


class CycleUserPropertiesSerializer(serializers.ModelSerializer):
    class Meta:
        model = CycleUserProperties
        fields = "__all__"


class CycleUserPropertiesEndpoint(APIView):
    def patch(self, request, cycle_id):
        props = CycleUserProperties.objects.get(user=request.user, cycle_id=cycle_id)
        props.filters = request.data.get("filters", props.filters)
        props.save()
        serializer = """ + build + """
        return Response(serializer.data, status=status.HTTP_200_OK)
""",
            "proj/urls.py": """
from django.urls import path

from cycles.views import CycleUserPropertiesEndpoint

urlpatterns = [path("api/cycles/<int:cycle_id>/user-properties/", CycleUserPropertiesEndpoint.as_view())]
""",
        }, SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n")

    assert not [f for f in scan_with("CycleUserPropertiesSerializer(props)").findings if f.rule_id == "RG302"]
    written = scan_with("CycleUserPropertiesSerializer(props, data=request.data, partial=True)")
    assert [f.rule_id for f in written.findings if f.rule_id == "RG302"] == ["RG302"]


def test_as_view_http_method_names_limits_the_methods_served():
    """Plane's ``CycleListCreateAPIEndpoint.as_view(http_method_names=["get", "post"])``: the class
    defines ``get``, ``post``, ``patch`` and ``delete`` for two URLs; each URL answers 405 to the
    methods it does not list (27 phantom operations on Plane)."""
    report = scan({
        "cycles/__init__.py": "",
        "cycles/views.py": """
from rest_framework.response import Response
from rest_framework.views import APIView


class CycleEndpoint(APIView):
    def get(self, request, pk=None):
        return Response([])

    def post(self, request):
        return Response({}, status=201)

    def patch(self, request, pk):
        return Response({})

    def delete(self, request, pk):
        return Response(status=204)
""",
        "proj/urls.py": """
from django.urls import path

from cycles.views import CycleEndpoint

urlpatterns = [
    path("api/cycles/", CycleEndpoint.as_view(http_method_names=["get", "post"])),
    path("api/cycles/<int:pk>/", CycleEndpoint.as_view(http_method_names=["get", "patch", "delete"])),
]
""",
    }, SETTINGS + "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': ['rest_framework.permissions.IsAuthenticated']}\n")
    assert sorted(routes(report)) == sorted([
        ("GET", "/api/cycles/"), ("POST", "/api/cycles/"),
        ("GET", "/api/cycles/<int:pk>/"), ("PATCH", "/api/cycles/<int:pk>/"), ("DELETE", "/api/cycles/<int:pk>/")])


def test_a_form_field_drawn_as_a_password_box_sends_no_secret():
    """DefectDojo's ``BaseJiraForm`` redeclares ``password = forms.CharField(widget=
    forms.PasswordInput)``: Django's PasswordInput never renders the stored value, so the form that
    takes every other field of ``JIRA_Instance`` does not send it (no RG302); declared as a plain
    text field, it is sent back in the page."""
    def found(declaration):
        return [f for f in scan({
            "jira/__init__.py": "",
            "jira/models.py": """
from django.db import models


class JiraInstance(models.Model):
    url = models.URLField()
    username = models.CharField(max_length=200)
    password = models.CharField(max_length=600)
""",
            "jira/forms.py": """
from django import forms

from .models import JiraInstance


class JiraForm(forms.ModelForm):
""" + declaration + """

    class Meta:
        model = JiraInstance
        exclude = [""]
""",
            "jira/views.py": """
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import JiraForm


@login_required
def new_jira(request):
    form = JiraForm(request.POST or None)
    if form.is_valid():
        form.save()
        return redirect("/jira/")
    return render(request, "jira.html", {"form": form})
""",
            "proj/urls.py": "from django.urls import path\nfrom jira.views import new_jira\n"
                            "urlpatterns = [path('jira/add/', new_jira)]\n",
        }).findings if f.rule_id == "RG302"]

    assert found("    password = forms.CharField(widget=forms.PasswordInput, required=True)") == []
    assert found("    password = forms.CharField(required=True)")


def test_a_permission_class_that_asks_the_users_own_permission_methods():
    """Kolibri's ``KolibriAuthPermissions``: ``has_permission`` checks a POST's data through a
    sibling method (``return all(self.validator(request, view, d) for d in data)``, which returns
    ``request.user.can_create(model, data)``) and lets other methods through; ``has_object_permission``
    returns ``request.user.can_read(obj)`` / ``can_update`` / ``can_delete``: the user's own
    permission methods decide (an anonymous user's say no). Item routes are protected by the object
    check, creation by the validator (78 RG101 on Kolibri, most of them false)."""
    report = scan({
        "classes/__init__.py": "",
        "classes/models.py": "from django.db import models\n\n\nclass Classroom(models.Model):\n"
                             "    name = models.CharField(max_length=100)\n",
        "classes/api.py": """
from rest_framework import permissions, viewsets

from .models import Classroom


class ModelPermissions(permissions.BasePermission):
    def validator(self, request, view, datum):
        model = view.get_serializer_class().Meta.model
        return request.user.can_create(model, view.get_serializer().to_internal_value(datum))

    def has_permission(self, request, view):
        if request.method == "POST" and request.data:
            data = request.data if type(request.data) is list else [request.data]
            return all(self.validator(request, view, datum) for datum in data)
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return request.user.can_read(obj)
        if request.method in ["PUT", "PATCH"]:
            return request.user.can_update(obj)
        if request.method == "DELETE":
            return request.user.can_delete(obj)
        return False


class ClassroomViewSet(viewsets.ModelViewSet):
    permission_classes = (ModelPermissions,)
    queryset = Classroom.objects.all()
""",
        "proj/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from classes.api import ClassroomViewSet

router = DefaultRouter()
router.register("classroom", ClassroomViewSet)
urlpatterns = [path("api/", include(router.urls))]
""",
    })
    states = routes(report)
    assert states[("PATCH", "/api/classroom/<pk>/")].auth == "protected"
    assert states[("DELETE", "/api/classroom/<pk>/")].auth == "protected"
    assert states[("POST", "/api/classroom/")].auth == "protected"
    assert not [f for f in report.findings if f.rule_id in ("RG101", "RG103")]


def test_a_project_login_middleware_covers_app_urlconfs_mounted_at_startup():
    """Mayan: ``ROOT_URLCONF = "mayan.urls"`` whose package only re-exports ``from .base import *``,
    each app's urlconf appended at startup (so every one is a root), and ``MIDDLEWARE`` naming the
    project's subclass of Django's ``LoginRequiredMiddleware``: every app route is behind it, and
    the login view stays public (the subclass keeps Django's exemptions)."""
    from routeguard import scan_sources
    report = scan_sources({
        "edms/__init__.py": "",
        "edms/settings/__init__.py": "",
        "edms/settings/base.py": """
INSTALLED_APPS = ["edms.apps.documents", "edms.apps.authentication"]
ROOT_URLCONF = "edms.urls"
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "edms.apps.authentication.middleware.LoginRequiredMiddleware",
]
""",
        "edms/urls/__init__.py": "from .base import *  # NOQA\n",
        "edms/urls/base.py": """
from django.urls import path

from edms.apps.authentication.views import EdmsLoginView

urlpatterns = [path("login/", EdmsLoginView.as_view(), name="login")]
""",
        "edms/apps/__init__.py": "",
        "edms/apps/authentication/__init__.py": "",
        "edms/apps/authentication/middleware.py": """
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        return super().process_view(request, view_func, view_args, view_kwargs)
""",
        "edms/apps/authentication/views.py": """
from django.contrib.auth.views import LoginView


class EdmsLoginView(LoginView):
    template_name = "authentication/login.html"
""",
        "edms/apps/documents/__init__.py": "",
        "edms/apps/documents/urls.py": """
from django.urls import path

from .views import DocumentDeleteView

urlpatterns = [path("documents/<int:document_id>/delete/", DocumentDeleteView.as_view())]
""",
        "edms/apps/documents/views.py": """
from django.http import HttpResponseRedirect
from django.views import View

from .models import Document


class DocumentDeleteView(View):
    def post(self, request, document_id):
        Document.objects.filter(pk=document_id).delete()
        return HttpResponseRedirect("/")
""",
        "edms/apps/documents/models.py": """
from django.db import models


class Document(models.Model):
    label = models.CharField(max_length=255)
""",
    })
    routes = {(r.method, r.path): r for r in report.graph.routes}
    assert routes[("POST", "/documents/<int:document_id>/delete/")].auth.value == "protected"
    assert next(r for (m, p), r in routes.items() if p == "/login/").auth.value == "public"
    assert not [f for f in report.findings if f.rule_id == "RG101"]
