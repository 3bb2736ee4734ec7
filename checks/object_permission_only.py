from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid
from routeguard.states import GRANTED_REASON, AuthState

SETTINGS = """
INSTALLED_APPS = ["rest_framework"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from notes.views import NoteViewSet

router = DefaultRouter()
router.register("notes", NoteViewSet)
urlpatterns = [path("api/", include(router.urls))]
"""


class ObjectPermissionOnly(Check):
    """
    ## What it does
    Flags a custom permission that implements only the object-level check
    (`has_object_permission`, no `has_permission`) used on list or create routes:
    there no single object is fetched, so the check never runs. Reported once per
    place the permission is applied, listing the routes where it is inert.

    ## Why is this bad
    `IsOwner` on a `ModelViewSet` reads as "only the owner gets in", but the list
    route returns every user's records and the create route accepts anything: the
    framework only calls the object-level check when a view fetches one object.
    This is the classic broken object level authorization.

    ## Example
    ```python
    class IsOwner(BasePermission):
        def has_object_permission(self, request, view, obj):
            return obj.owner == request.user

    class NoteViewSet(viewsets.ModelViewSet):
        queryset = Note.objects.all()
        permission_classes = [IsAuthenticated, IsOwner]
    ```

    ## Use instead
    ```python
    class NoteViewSet(viewsets.ModelViewSet):
        permission_classes = [IsAuthenticated, IsOwner]

        def get_queryset(self):
            return Note.objects.filter(owner=self.request.user)
    ```

    ## References
    - OWASP API Security Top 10 2023, API1: Broken Object Level Authorization
    - CWE-862: Missing Authorization
    - Django REST framework documentation, "Object level permissions"
    """

    id = "RG205"
    name = "object-permission-only"
    summary = "Object-level-only permission used on list or create routes, where it never runs"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 862
    owasp = "API1:2023"

    VALID = (
        Valid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": URLS,
            "notes/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

class IsOwner(BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class NoteViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
""",
        }),
        Valid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": URLS,
            "notes/views.py": """
from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class NoteViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsOwner]
""",
        }),
    )
    INVALID = (
        Invalid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": URLS,
            "notes/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated

class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user

class NoteViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated & IsOwner]  # expect: RG205
""",
        }),
    )

    def run(self, graph):
        inert: dict = {}
        for r in graph.routes:
            for g in r.inert:
                if g.reason.startswith(GRANTED_REASON):  # not an object check: a write granted to everyone
                    continue
                inert.setdefault((g.location, g.name), []).append(r)
        for (location, name), routes in sorted(inert.items(), key=lambda kv: (kv[0][0] or kv[0][0], kv[0][1])):
            if location is None:
                continue
            labels = []
            for r in routes:
                if f"{r.method} {r.path}" not in labels:
                    labels.append(f"{r.method} {r.path}")
            open_route = any(r.auth != AuthState.PROTECTED for r in routes)
            related, seen = [], set()
            for r in routes:
                if r.location not in seen and r.location != location:
                    seen.add(r.location)
                    related.append(Related(r.location, f"{r.method} {r.path}"))
            yield self.finding(
                f"{name} only checks individual objects: on {', '.join(labels)} no single object is "
                "fetched, so it never runs and every record is reachable.",
                location, Severity.ERROR if open_route else self.severity, related[:5])
