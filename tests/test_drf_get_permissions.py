"""``get_permissions`` picks permission classes per action (``if self.action in ("list",
"retrieve"): return [AllowAny()]``): each route gets those of its action, inherited actions
(``update``, ``destroy`` of a ModelViewSet) included, and the actions it does not name keep
the class's own (``return super().get_permissions()``). A queryset that only branches on
``request.user.is_anonymous`` is not scoped to the caller."""
from pathlib import Path

from routeguard import scan_paths, scan_sources

GALLERY = Path(__file__).parent.parent / "fixtures" / "django" / "photo_gallery"


def _routes():
    report = scan_paths([GALLERY], root=GALLERY, cache=False)
    return {(r.method, r.path): r for r in report.graph.routes}


def test_each_action_gets_the_permission_classes_get_permissions_picks_for_it():
    routes = _routes()
    assert routes[("GET", "/api/albums/")].auth.value == "public"  # AllowAny for list
    for method in ("POST", "PUT", "PATCH", "DELETE"):  # inherited actions: the classes returned after the tests
        assert [g.name for g in routes[(method, "/api/albums/<pk>/" if method != "POST" else "/api/albums/")].guards] \
            == ["IsOwner()"]


def test_actions_get_permissions_does_not_name_keep_the_class_permission_classes():
    routes = _routes()
    assert [g.name for g in routes[("DELETE", "/api/people/<pk>/")].guards] == ["IsClusterOwner"]
    assert [g.name for g in routes[("GET", "/api/people/")].guards] == ["IsClusterOwner()"]


def test_an_object_only_permission_picked_for_the_list_action_is_inert_there():
    routes = _routes()
    assert [g.name for g in routes[("GET", "/api/photos/")].inert] == ["IsSharedWithCaller"]


USERS = {
    "site/__init__.py": "",
    "site/settings.py": """
INSTALLED_APPS = ["rest_framework", "accounts"]
ROOT_URLCONF = "site.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
""",
    "site/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.views import ProfileViewSet

router = DefaultRouter()
router.register(r"api/users", ProfileViewSet, basename="user")
urlpatterns = [path("", include(router.urls))]
""",
    "accounts/__init__.py": "",
    "accounts/permissions.py": """
from rest_framework import permissions


class IsAdminOrSelf(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user and request.user.is_staff or obj == request.user


class IsOwnerOrReadOnly(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner == request.user
""",
    "accounts/views.py": """
from django.contrib.auth import get_user_model
from rest_framework import viewsets
from rest_framework.permissions import AllowAny, IsAdminUser

from .permissions import IsAdminOrSelf, IsOwnerOrReadOnly


class ProfileViewSet(viewsets.ModelViewSet):
    queryset = get_user_model().objects.all()

    def get_permissions(self):
        permission_classes = [IsAdminUser]
        if self.action in ["list", "retrieve"]:
            permission_classes = [AllowAny]
        elif self.action in ["update", "partial_update"]:
            permission_classes = [IsAdminOrSelf]
        elif self.action == "create":
            permission_classes = [IsAdminUser or IsOwnerOrReadOnly]
        return [p() for p in permission_classes]
""",
}


def test_the_default_set_before_the_tests_and_an_object_check_of_the_caller_on_an_item_route():
    from routeguard import scan_sources
    routes = {(r.method, r.path): r for r in scan_sources(USERS).graph.routes}
    assert [g.name for g in routes[("DELETE", "/api/users/<pk>/")].guards] == ["IsAdminUser"]
    assert [g.name for g in routes[("GET", "/api/users/")].guards] == ["AllowAny"]
    # the object check reads request.user.is_staff, on the object the update fetches
    put = routes[("PUT", "/api/users/<pk>/")]
    assert put.auth.value == "protected" and [g.name for g in put.guards] == ["IsAdminOrSelf"]
    # ``IsAdminUser or IsOwnerOrReadOnly`` is IsAdminUser: ``or`` picks the first class
    assert [g.name for g in routes[("POST", "/api/users/")].guards] == ["IsAdminUser"]


OPENCVE_STYLE = {
    "cvewatch/__init__.py": "",
    "cvewatch/settings.py": "INSTALLED_APPS = ['rest_framework', 'projects']\nROOT_URLCONF = 'cvewatch.urls'\n",
    "cvewatch/urls.py": """
from django.urls import include, path

urlpatterns = [path("api/v2/", include("cvewatch.api.urls"))]
""",
    "cvewatch/api/__init__.py": "",
    "cvewatch/api/authentication.py": """
from rest_framework import authentication
from projects.tokens import authenticate_organization_token


class OrganizationTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        org_token = authenticate_organization_token(request)
        if org_token is None:
            return None
        request.organization_token = org_token
        return (org_token.created_by, org_token)
""",
    "cvewatch/api/permissions.py": """
from rest_framework import permissions


class IsOrganizationTokenAuthenticated(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(getattr(request, "organization_token", None))
""",
    "cvewatch/api/viewsets.py": """
from rest_framework import viewsets
from cvewatch.api.authentication import OrganizationTokenAuthentication
from cvewatch.api.permissions import IsOrganizationTokenAuthenticated
from projects.models import Notification, Project
from projects.serializers import NotificationSerializer, ProjectSerializer


class ViewSetMixin:
    authentication_classes = [OrganizationTokenAuthentication]
    permission_classes = [IsOrganizationTokenAuthenticated]


class ProjectViewSet(ViewSetMixin, viewsets.ModelViewSet):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.filter(organization=self.request.organization_token.organization)


class NotificationViewSet(ViewSetMixin, viewsets.ModelViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return Notification.objects.filter(project__organization=self.request.organization_token.organization,
                                           project_id=self.kwargs["project_pk"])
""",
    "cvewatch/api/urls.py": """
from rest_framework_nested import routers
from cvewatch.api.viewsets import NotificationViewSet, ProjectViewSet

router = routers.SimpleRouter(trailing_slash=False)
router.register(r"projects", ProjectViewSet, basename="v2-project")

projects_router = routers.NestedSimpleRouter(router, r"projects", lookup="project")
projects_router.register(r"notifications", NotificationViewSet, basename="v2-project-notification")

urlpatterns = router.urls + projects_router.urls
""",
    "projects/__init__.py": "",
    "projects/tokens.py": "def authenticate_organization_token(request):\n    return None\n",
    "projects/models.py": """
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=100)
    organization = models.ForeignKey("organizations.Organization", on_delete=models.CASCADE)


class Notification(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    url = models.URLField()
""",
    "projects/serializers.py": """
from rest_framework import serializers
from projects.models import Notification, Project


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ["id", "name"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "url"]
""",
}


def test_nested_routers_and_a_permission_on_the_verified_token():
    """opencve's API v2: drf-nested-routers serve the notifications below a project
    (``projects/<project_pk>/notifications``); every viewset's permission class passes only a
    request that its authentication class verified a token for (``getattr(request,
    "organization_token", None)``): authentication, as ``request.user.is_authenticated`` is."""
    report = scan_sources(OPENCVE_STYLE)
    paths = {(r.method, r.path, r.auth.value) for r in report.graph.routes}
    assert ("GET", "/api/v2/projects/<project_pk>/notifications", "protected") in paths
    assert ("DELETE", "/api/v2/projects/<project_pk>/notifications/<pk>", "protected") in paths
    assert {auth for _, _, auth in paths} == {"protected"}
    assert [f.rule_id for f in report.findings] == []
    files = dict(OPENCVE_STYLE)
    files["cvewatch/api/permissions.py"] = files["cvewatch/api/permissions.py"].replace(
        'return bool(getattr(request, "organization_token", None))', "return True")
    mutated = scan_sources(files)
    assert {f.rule_id for f in mutated.findings} <= {"RG101", "RG103"}
    # the reads and the item writes still fetch only through the token's organization (an
    # anonymous caller has none); creating a project fetches nothing, so nothing guards it
    states = {(r.method, r.path): r.auth.value for r in mutated.graph.routes}
    assert states[("POST", "/api/v2/projects")] == "unprotected"
    assert states[("DELETE", "/api/v2/projects/<pk>")] == "protected"
    assert any(f.rule_id == "RG101" and "POST /api/v2/projects " in f.message for f in mutated.findings)


def test_a_lookup_scoped_to_the_tenant_the_auth_layer_put_on_the_request():
    """opencve: the organization middleware sets ``request.current_organization`` for members, the
    token authentication ``request.authenticated_organization``; a project looked up within it
    belongs to the caller's tenant (no RG105). Looked up by the URL's id alone, it does not."""
    files = dict(OPENCVE_STYLE)
    files["organizations/__init__.py"] = ""
    files["organizations/models.py"] = """
from django.conf import settings
from django.db import models


class Organization(models.Model):
    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
"""
    files["cvewatch/settings.py"] = files["cvewatch/settings.py"].replace("'projects'", "'projects', 'organizations'")
    files["projects/views.py"] = """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView
from projects.models import Project


class ProjectDetailView(LoginRequiredMixin, DetailView):
    template_name = "projects/detail.html"

    def get_object(self):
        return get_object_or_404(Project, organization=self.request.current_organization, pk=self.kwargs["pk"])
"""
    files["cvewatch/urls.py"] = """
from django.urls import include, path
from projects.views import ProjectDetailView

urlpatterns = [
    path("api/v2/", include("cvewatch.api.urls")),
    path("org/<org_name>/projects/<int:pk>", ProjectDetailView.as_view()),
]
"""
    assert [f.rule_id for f in scan_sources(files).findings] == []
    files["projects/views.py"] = files["projects/views.py"].replace(
        "organization=self.request.current_organization, ", "")
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG105"]


def test_get_permissions_choosing_by_the_request_method():
    """Plane's ``InstanceEndpoint.get_permissions``: ``if self.request.method == "PATCH": return
    [InstanceAdminPermission()]`` then ``return [AllowAny()]``: the reads are public, the PATCH is
    for instance admins (it was read as AllowAny for every method: a public write and a false
    RG204); ``in permissions.SAFE_METHODS`` picks the reads."""
    def states(body):
        report = scan_sources({
            "proj/__init__.py": "", "inst/__init__.py": "",
            "proj/settings.py": "INSTALLED_APPS = ['rest_framework', 'inst']\nROOT_URLCONF = 'proj.urls'\n"
                                "REST_FRAMEWORK = {'DEFAULT_PERMISSION_CLASSES': "
                                "['rest_framework.permissions.IsAuthenticated']}\n",
            "proj/urls.py": "from django.urls import path\nfrom inst.views import InstanceEndpoint\n"
                            "urlpatterns = [path('api/instances/', InstanceEndpoint.as_view())]\n",
            "inst/permissions.py": """
from rest_framework.permissions import BasePermission


class InstanceAdminPermission(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
""",
            "inst/views.py": """
from rest_framework import permissions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .permissions import InstanceAdminPermission


class InstanceEndpoint(APIView):
    def get_permissions(self):
""" + body + """

    def get(self, request):
        return Response({"name": "plane"})

    def patch(self, request):
        return Response(request.data)
""",
        })
        return {r.method: r.auth for r in report.routes}

    assert states('        if self.request.method == "PATCH":\n            return [InstanceAdminPermission()]\n'
                  '        return [AllowAny()]') == {"GET": "public", "PATCH": "protected"}
    assert states('        if self.request.method in permissions.SAFE_METHODS:\n            return [AllowAny()]\n'
                  '        return [InstanceAdminPermission()]') == {"GET": "public", "PATCH": "protected"}
