"""A permission class's request check is read per HTTP method: what its ``has_permission``
lets through without a check of the caller (``if request.method in SAFE_METHODS: return True``,
or a ``return True`` the other methods fall through to) is not guarded by it. There the class's
object check still guards an item route (or a handler that runs it on what it fetched), and a
view whose filter backend filters by ``request.user`` serves only what the caller may read; a
collection action that does neither is open (Kolibri's ``restore``, which any anonymous caller
could POST)."""
from routeguard import scan_sources

SCHOOL = {
    "school/__init__.py": "",
    "school/settings.py": """
INSTALLED_APPS = ["rest_framework", "people"]
ROOT_URLCONF = "school.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
""",
    "school/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from people.api import DeletedLearnerViewSet, LearnerViewSet, NoticeViewSet, RemoveImportedLearnerView

router = DefaultRouter()
router.register(r"learners", LearnerViewSet)
router.register(r"deletedlearners", DeletedLearnerViewSet)
router.register(r"notices", NoticeViewSet)
urlpatterns = [
    path("api/", include(router.urls)),
    path("api/removeimported/<str:learner_id>", RemoveImportedLearnerView.as_view()),
]
""",
    "people/__init__.py": "",
    "people/permissions.py": """
from rest_framework import filters, permissions


class RecordPermissions(permissions.BasePermission):
    \"\"\"Defers to the user model's own permission methods.\"\"\"

    def validator(self, request, view, datum):
        model = view.get_serializer_class().Meta.model
        return request.user.can_create(model, datum)

    def has_permission(self, request, view):
        # has_object_permission isn't called for POST/create, so check here
        if request.method == "POST" and request.data:
            data = request.data if isinstance(request.data, list) else [request.data]
            return all(self.validator(request, view, datum) for datum in data)
        # other methods are checked object by object below
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return request.user.can_read(obj)
        if request.method in ("PUT", "PATCH"):
            return request.user.can_update(obj)
        return request.user.can_delete(obj)


class ReadableFilter(filters.BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if request.method == "GET":
            return request.user.filter_readable(queryset)
        return queryset


class IsStaffOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_staff)
""",
    "people/models.py": """
from django.conf import settings
from django.db import models


class Learner(models.Model):
    username = models.CharField(max_length=150)
    deleted = models.DateTimeField(null=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


class Notice(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
""",
    "people/api.py": """
from rest_framework import decorators, serializers, status, views, viewsets
from rest_framework.response import Response

from .models import Learner, Notice
from .permissions import IsStaffOrReadOnly, ReadableFilter, RecordPermissions


class LearnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Learner
        fields = ["id", "username"]


class LearnerViewSet(viewsets.ModelViewSet):
    queryset = Learner.objects.all()
    serializer_class = LearnerSerializer
    permission_classes = (RecordPermissions,)
    filter_backends = (ReadableFilter,)


class DeletedLearnerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Learner.objects.filter(deleted__isnull=False)
    serializer_class = LearnerSerializer
    permission_classes = (RecordPermissions,)
    filter_backends = (ReadableFilter,)

    @decorators.action(detail=False, methods=["post"])
    def restore(self, request):
        learners = self.filter_queryset(self.get_queryset())
        learners.update(deleted=None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RemoveImportedLearnerView(views.APIView):
    permission_classes = [RecordPermissions]

    def delete(self, request, learner_id):
        learner = Learner.objects.get(id=learner_id)
        self.check_object_permissions(request, learner)
        learner.delete()
        return Response({"id": learner_id})


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "title", "body"]


class NoticeViewSet(viewsets.ModelViewSet):
    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    permission_classes = [IsStaffOrReadOnly]
""",
}


def _scan():
    report = scan_sources(SCHOOL)
    return report, {(r.method, r.path): r for r in report.graph.routes}


def test_a_collection_action_the_request_check_lets_through_is_open():
    report, routes = _scan()
    restore = routes[("POST", "/api/deletedlearners/restore/")]
    assert restore.auth.value == "unprotected"
    assert any("lets POST through" in g.reason for g in restore.inert)
    assert any(f.rule_id == "RG101" and "/api/deletedlearners/restore/" in f.message for f in report.findings)


def test_the_object_check_still_guards_item_routes_and_handlers_that_run_it():
    _, routes = _scan()
    for key in (("DELETE", "/api/learners/<pk>/"), ("PATCH", "/api/learners/<pk>/"),
                ("DELETE", "/api/removeimported/<str:learner_id>")):
        assert routes[key].auth.value == "protected", key
    # a create with a body is what the request check judges
    assert routes[("POST", "/api/learners/")].auth.value == "protected"


def test_reads_a_filter_backend_scopes_to_the_caller_are_not_open():
    report, routes = _scan()
    listing = routes[("GET", "/api/learners/")]
    assert listing.auth.value == "protected" and "filter backend" in listing.guards[0].reason
    assert not any(f.rule_id == "RG101" and "GET /api/learners/" in f.message for f in report.findings)


def test_a_method_test_that_grants_reads_makes_them_public_and_leaves_writes_checked():
    _, routes = _scan()
    assert routes[("GET", "/api/notices/")].auth.value == "public"
    assert routes[("POST", "/api/notices/")].auth.value == "protected"
    assert routes[("DELETE", "/api/notices/<pk>/")].auth.value == "protected"


def test_a_write_the_method_test_grants_to_everyone_is_open_beside_guarded_reads():
    sources = dict(SCHOOL)
    sources["people/permissions.py"] += '''

class SuggestionsWelcome(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method == "POST":
            return True
        return request.user.is_authenticated
'''
    sources["people/api.py"] = sources["people/api.py"].replace(
        "permission_classes = [IsStaffOrReadOnly]", "permission_classes = [SuggestionsWelcome]").replace(
        "from .permissions import IsStaffOrReadOnly,", "from .permissions import SuggestionsWelcome,")
    report = scan_sources(sources)
    routes = {(r.method, r.path): r for r in report.graph.routes}
    create = routes[("POST", "/api/notices/")]
    assert create.auth.value == "unprotected" and "lets everyone POST" in create.inert[0].reason
    assert routes[("GET", "/api/notices/")].auth.value == "protected"
    rules = {f.rule_id for f in report.findings if "/api/notices/" in f.message}
    assert {"RG101", "RG103"} <= rules and "RG205" not in rules


DEVICE = {
    "school/__init__.py": "",
    "school/settings.py": 'INSTALLED_APPS = ["rest_framework", "device"]\nROOT_URLCONF = "school.urls"\n',
    "school/urls.py": """
from django.urls import path

from device.api import DeviceNameView, DeviceSettingsView

urlpatterns = [
    path("api/device/settings/", DeviceSettingsView.as_view()),
    path("api/device/name/", DeviceNameView.as_view()),
]
""",
    "device/__init__.py": "",
    "device/permissions.py": """
from rest_framework.permissions import BasePermission

DEVICE_PERMISSION_FIELDS = ("is_superuser", "can_manage_content")


class HasAnyDevicePermission(BasePermission):
    def has_permission(self, request, view):
        return any(getattr(request.user, field) for field in DEVICE_PERMISSION_FIELDS)


class CanManageContent(BasePermission):
    def has_permission(self, request, view):
        return request.user.can_manage_content
""",
    "device/api.py": """
from rest_framework import views
from rest_framework.response import Response

from .models import DeviceSettings
from .permissions import CanManageContent, HasAnyDevicePermission


class DeviceSettingsView(views.APIView):
    permission_classes = (HasAnyDevicePermission,)

    def patch(self, request):
        settings = DeviceSettings.objects.get()
        settings.allow_guest_access = request.data["allow_guest_access"]
        settings.save()
        return Response({"ok": True})


class DeviceNameView(views.APIView):
    permission_classes = (CanManageContent,)

    def patch(self, request):
        settings = DeviceSettings.objects.get()
        settings.name = request.data["name"]
        settings.save()
        return Response({"name": settings.name})
""",
    "device/models.py": """
from django.db import models


class DeviceSettings(models.Model):
    name = models.CharField(max_length=50)
    allow_guest_access = models.BooleanField(default=True)
""",
}


def test_a_request_check_that_returns_a_flag_of_the_callers_account_checks_the_caller():
    routes = {(r.method, r.path): r for r in scan_sources(DEVICE).graph.routes}
    for path in ("/api/device/settings/", "/api/device/name/"):
        assert routes[("PATCH", path)].auth.value == "protected", path


def test_a_method_test_joined_to_another_check_grants_nothing_alone():
    """``return super().has_permission(request, view) and (request.method in SAFE_METHODS or
    request.user.is_superuser)`` (Ralph): reads still need what the base class checks."""
    sources = dict(SCHOOL)
    sources["people/permissions.py"] += '''

class IsSuperuserOrReadonly(permissions.IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and (
            request.method in permissions.SAFE_METHODS or (request.user and request.user.is_superuser))
'''
    sources["people/api.py"] = sources["people/api.py"].replace(
        "permission_classes = [IsStaffOrReadOnly]", "permission_classes = [IsSuperuserOrReadonly]").replace(
        "from .permissions import IsStaffOrReadOnly,", "from .permissions import IsSuperuserOrReadonly,")
    routes = {(r.method, r.path): r for r in scan_sources(sources).graph.routes}
    assert routes[("GET", "/api/notices/")].auth.value == "protected"
    assert routes[("DELETE", "/api/notices/<pk>/")].auth.value == "protected"


BOOKS = {
    "shelf/__init__.py": "",
    "shelf/settings.py": """
INSTALLED_APPS = ["rest_framework", "books"]
ROOT_URLCONF = "shelf.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
""",
    "shelf/urls.py": """
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from books.api import BookViewSet

router = DefaultRouter()
router.register(r"books", BookViewSet)
urlpatterns = [path("api/", include(router.urls))]
""",
    "books/__init__.py": "",
    "books/models.py": """
from django.conf import settings
from django.db import models


class Book(models.Model):
    name = models.CharField(max_length=128)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
""",
    "books/api.py": """
from django.db.models.deletion import Collector
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Book


class IsOwner(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user


class DeleteRelationMixin:
    @action(detail=True, methods=["GET"])
    def cascading(self, request, pk):
        obj = self.queryset.filter(pk=pk).first()
        collector = Collector(using="default")
        collector.collect([obj])
        return Response([str(o) for o in collector.data])

    @action(detail=True, methods=["GET"])
    def summary(self, request, pk):
        obj = self.get_object()
        return Response({"name": obj.name})


class BookViewSet(viewsets.ModelViewSet, DeleteRelationMixin):
    queryset = Book.objects
    permission_classes = [IsOwner]

    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)
""",
}


def test_an_object_check_guards_only_the_actions_that_fetch_through_get_object():
    """Tandoor: ``IsOwner.has_object_permission`` runs where DRF fetches the object
    (``get_object()``: retrieve, update, an action that calls it), not in a custom detail
    action that queries by the id itself; ``queryset = Book.objects`` (a bare manager) is the
    class's lookup of Book."""
    report = scan_sources(BOOKS)
    hits = [f.message.split(" fetches")[0] for f in report.findings if f.rule_id == "RG105"]
    assert hits == ["GET /api/books/<pk>/cascading/"]


def test_a_subclass_of_a_library_login_view_keeps_its_open_permission_classes():
    """``class CustomAuthToken(ObtainAuthToken)`` (Tandoor's /api-token-auth/) inherits DRF's
    ``permission_classes = ()``: the settings' IsAuthenticated does not apply to it."""
    sources = dict(SCHOOL)
    sources["people/auth.py"] = """
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class CustomAuthToken(ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        serializer = self.serializer_class(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})
"""
    sources["school/urls.py"] = sources["school/urls.py"].replace(
        "urlpatterns = [", "from people.auth import CustomAuthToken\n\nurlpatterns = [\n    path(\"api-token-auth/\", CustomAuthToken.as_view()),")
    routes = {(r.method, r.path): r for r in scan_sources(sources).graph.routes}
    login = routes[("POST", "/api-token-auth/")]
    assert login.auth.value == "public" and not any(g.layer.value == "settings" for g in login.guards)


def test_an_item_read_through_a_filter_backend_that_filters_by_the_caller_is_scoped():
    """Kolibri's ValuesViewset.retrieve reads ``self.filter_queryset(self.get_queryset())`` (no
    ``get_object``): the object check never runs, but the filter backend serves the caller only what
    ``request.user.filter_readable(...)`` lets them read; a write action that neither fetches nor
    filters stays open (Kolibri's ``update-pin``)."""
    sources = dict(SCHOOL)
    sources["people/api.py"] = sources["people/api.py"].replace('''    permission_classes = (RecordPermissions,)
    filter_backends = (ReadableFilter,)


class DeletedLearnerViewSet''', '''    permission_classes = (RecordPermissions,)
    filter_backends = (ReadableFilter,)

    def retrieve(self, request, pk=None):
        learner = self.filter_queryset(self.get_queryset()).filter(pk=pk).first()
        return Response(LearnerSerializer(learner).data)

    @decorators.action(detail=True, methods=["patch"], url_path="set-pin")
    def set_pin(self, request, pk):
        learner = Learner.objects.get(pk=pk)
        learner.username = request.data["username"]
        learner.save()
        return Response({"ok": True})


class DeletedLearnerViewSet''')
    report = scan_sources(sources)
    routes = {(r.method, r.path): r for r in report.graph.routes}
    assert routes[("GET", "/api/learners/<pk>/")].auth.value == "protected"
    assert routes[("PATCH", "/api/learners/<pk>/set-pin/")].auth.value == "unprotected"
    assert not [f for f in report.findings if f.rule_id == "RG105" and "GET /api/learners/<pk>/" in f.message]
