from __future__ import annotations

from routeguard.facts import WRITE_METHODS
from routeguard.exposure import state_changes
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, per_route
from routeguard.authz_graph import is_param
from routeguard.states import AuthState, Effect, Layer

DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "blog"]
ROOT_URLCONF = "proj.urls"
"""
DRF_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from blog.views import PostViewSet

router = DefaultRouter()
router.register("posts", PostViewSet)
urlpatterns = [path("api/", include(router.urls))]
"""
DJANGO_URLS = """
from django.urls import path
from blog.views import PostView

urlpatterns = [path("posts/<int:pk>/", PostView.as_view())]
"""


def _resource(path: str) -> str:
    """The resource a route serves: its path without a trailing object id."""
    segs = [s for s in path.rstrip("/").split("/")]
    if segs and is_param(segs[-1]):
        segs = segs[:-1]
    return "/".join(segs)


def _view(route) -> tuple:
    """The view serving a route: its class (or handler function) and resource."""
    return (route.framework, route.view_class or route.handler, _resource(route.path))


class WriteUnderReadOnlyGuard(Check):
    """
    ## What it does
    Flags a write that is allowed where only reads are guarded:

    - a route that changes one object (PUT, PATCH, DELETE) whose only guard is a
      read-only-style permission (`IsAuthenticatedOrReadOnly`) with no ownership, role
      or object-permission check next to it: any signed-in user may change or delete
      anyone's object;
    - a write left with no authentication while the reads of the same view (the same
      view class or handler, on the same path or the same path with or without the object
      id) are guarded by a guard of their own: the guard was applied per method, to the
      reads only (`method_decorators = {"get": [...]}`, `@method_decorator(..., name="get")`,
      a `methods=` restriction). An unguarded write in a separate handler is RG101's alone.

    ## Why is this bad
    `IsAuthenticatedOrReadOnly` answers "may this caller write at all?", not "may this
    caller write *this* object?". Guards copied onto `get` but not onto `post`/`delete`
    leave the dangerous half of a resource open.

    ## Example
    ```python
    class PostViewSet(viewsets.ModelViewSet):
        queryset = Post.objects.all()
        permission_classes = [IsAuthenticatedOrReadOnly]
    ```

    ## Use instead
    ```python
    class IsAuthorOrReadOnly(BasePermission):
        def has_object_permission(self, request, view, obj):
            return request.method in SAFE_METHODS or obj.author == request.user

    class PostViewSet(viewsets.ModelViewSet):
        queryset = Post.objects.all()
        permission_classes = [IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
    ```

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-862: Missing Authorization
    """

    id = "RG103"
    name = "write-under-read-only-guard"
    summary = "Write allowed where only reads are guarded (read-only-style permission, or guard on reads only)"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 862
    owasp = "API5:2023"

    VALID = (
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "blog/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticatedOrReadOnly
from blog.models import Post

class IsAuthorOrReadOnly(BasePermission):
    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or obj.author == request.user

class PostViewSet(viewsets.ModelViewSet):
    queryset = Post.objects.all()
    permission_classes = [IsAuthenticatedOrReadOnly, IsAuthorOrReadOnly]
"""}),
        Valid("""
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.get("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    return {}

@app.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    return "", 204
"""),
        Valid({"app/main.py": """
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()

@app.get("/items/{item_id}")
def read_item(item_id: int, token: str = Depends(oauth2)):
    return {}

@app.put("/items/{item_id}")
def update_item(item_id: int, token: str = Depends(oauth2)):
    return {}
"""}),
    )
    INVALID = (
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "blog/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from blog.models import Post

class PostViewSet(viewsets.ModelViewSet):  # expect: RG103
    queryset = Post.objects.all()
    permission_classes = [IsAuthenticatedOrReadOnly]
"""}),
        Invalid("""
from flask import Flask
from flask_login import login_required
from flask_restful import Api, Resource

app = Flask(__name__)
api = Api(app)

class NoteResource(Resource):
    method_decorators = {"get": [login_required]}

    def get(self, note_id):
        return {}

    def delete(self, note_id):  # expect: RG103
        return "", 204

api.add_resource(NoteResource, "/notes/<int:note_id>")
"""),
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "blog/views.py": """
from django.contrib.auth.decorators import login_required
from django.utils.decorators import method_decorator
from django.views import View

@method_decorator(login_required, name="get")
class PostView(View):
    def get(self, request, pk):
        ...

    def delete(self, request, pk):  # expect: RG103
        ...
"""}),
    )

    def run(self, graph):
        # 1. writes behind a read-only-style permission only
        hits = []
        for r in graph.routes:
            g = graph.authz.read_only_guarded(r)
            if g is not None:
                hits.append((r, g))
        for group, verbs in per_route(hits):
            r, g = group[0]
            yield self.finding(
                f"{verbs} {r.path} is guarded only by {g.name}, which lets any signed-in user write: nothing "
                "checks that the caller owns the object or may change it.",
                r.location, self.severity,
                [Related(g.location, f"{g.name} authenticates writes but authorizes nothing")] if g.location else [],
                r.suppress_lines, routes=[h[0] for h in group])
        # 2. unguarded writes next to guarded reads of the same resource
        own_layers = (Layer.DECORATOR, Layer.CLASS, Layer.DEPENDENCY, Layer.INLINE)
        reads: dict = {}
        for r in graph.routes:
            if r.method in ("GET", "HEAD") and r.auth == AuthState.PROTECTED:
                guard = next((g for g in r.guards if g.effect == Effect.AUTH and g.layer in own_layers), None)
                if guard is not None:
                    reads.setdefault(_view(r), []).append((r, guard))
        open_writes = [r for r in graph.routes if r.method in WRITE_METHODS and r.auth == AuthState.UNPROTECTED
                       and not r.misplaced and _view(r) in reads and state_changes(graph, r)]
        for group, verbs in per_route(open_writes, route=lambda r: r):
            r = group[0]
            read, guard = reads[_view(r)][0]
            yield self.finding(
                f"{verbs} {r.path} has no authentication while {read.method} {read.path} is guarded by {guard.name}: "
                "the reads of this resource are protected and the writes are not, on a route that requires no "
                "authentication.",
                r.location, self.severity.raised(),
                [Related(guard.location, f"{read.method} {read.path} is guarded here")] if guard.location else [],
                r.suppress_lines, routes=group)
