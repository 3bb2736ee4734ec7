from __future__ import annotations

from routeguard.exposure import state_changes
from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid
from routeguard.states import AuthState, Effect, Layer

SETTINGS = """
INSTALLED_APPS = ["rest_framework"]
ROOT_URLCONF = "proj.urls"
"""
ROUTER_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from articles.views import ArticleViewSet

router = DefaultRouter()
router.register("articles", ArticleViewSet)
urlpatterns = [path("api/", include(router.urls))]
"""


class AllowAnyOnWritableView(Check):
    """
    ## What it does
    Flags an explicitly public permission (DRF's `AllowAny` or an empty `permission_classes`
    list, on the view, on one of its actions or as the settings default) on a view that
    creates, updates or deletes:
    a `ModelViewSet` with `permission_classes = [AllowAny]`, say. Reported once per
    place the permission is written, listing the write routes it opens. Endpoints that
    are public by convention (sign-up, login, token) and the configured `public-routes`
    are not reported.

    ## Why is this bad
    Generated viewsets often copy `AllowAny` from a tutorial to make the first request
    work. On a read-only view that is a deliberate choice; on a viewset it also lets
    anonymous callers create, overwrite and delete every record.

    ## Example
    ```python
    class ArticleViewSet(viewsets.ModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer
        permission_classes = [AllowAny]
    ```

    ## Use instead
    ```python
    class ArticleViewSet(viewsets.ModelViewSet):
        queryset = Article.objects.all()
        serializer_class = ArticleSerializer
        permission_classes = [IsAuthenticatedOrReadOnly]
    ```

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-862: Missing Authorization
    - Django REST framework documentation, "Permissions"
    """

    id = "RG204"
    name = "allow-any-on-writable-view"
    summary = "Explicitly public permission on a view that creates, updates or deletes"
    severity = Severity.ERROR
    confidence = "medium"
    cwe = 862
    owasp = "API5:2023"

    VALID = (
        Valid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": ROUTER_URLS,
            "articles/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly

class ArticleViewSet(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
""",
        }),
        Valid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": """
from django.urls import path
from articles.views import ArticleList

urlpatterns = [path("articles/", ArticleList.as_view())]
""",
            "articles/views.py": """
from rest_framework import generics
from rest_framework.permissions import AllowAny

class ArticleList(generics.ListAPIView):
    permission_classes = [AllowAny]
""",
        }),
    )
    INVALID = (
        Invalid({  # an empty list checks nothing, as AllowAny says
            "proj/settings.py": SETTINGS + 'REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\n',
            "proj/urls.py": ROUTER_URLS,
            "articles/views.py": """
from rest_framework import viewsets

class ArticleViewSet(viewsets.ModelViewSet):
    permission_classes = []  # expect: RG204
""",
        }),
        Invalid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": ROUTER_URLS,
            "articles/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

class ArticleViewSet(viewsets.ModelViewSet):
    permission_classes = [AllowAny]  # expect: RG204
""",
        }),
        Invalid({
            "proj/settings.py": SETTINGS,
            "proj/urls.py": """
from django.urls import path
from articles import views

urlpatterns = [path("articles/<int:pk>/delete/", views.delete_article)]
""",
            "articles/views.py": """
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

@api_view(["DELETE"])
@permission_classes([AllowAny])  # expect: RG204
def delete_article(request, pk):
    ...
""",
        }),
    )

    def run(self, graph):
        opened: dict = {}
        for r in graph.routes:
            if r.auth != AuthState.PUBLIC or not (r.method in WRITE_METHODS or r.method == "ANY"):
                continue
            if any(g.layer == Layer.CONFIG or g.name == "the way in" for g in r.guards):
                continue  # public by configuration or convention, or the way in (a login, a registration)
            if graph.authz.secret_lookups(r):
                continue  # acts on the row of whoever holds the mailed token it is sent
            if state_changes(graph, r):
                kind = "write"
            elif graph.authz.route_lookups(r):
                kind = "read"
            else:
                continue  # computes or validates what it is sent (a token check, a preview)
            for g in r.guards:
                if g.kind == "permission" and g.effect == Effect.PUBLIC and g.location is not None:
                    opened.setdefault((g.location, g.name), []).append((r, kind))
        for (location, name), found in sorted(opened.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            writes = [r for r, kind in found if kind == "write"]
            routes = writes or [r for r, _ in found]
            where = []
            for r in routes:
                label = f"{r.method} {r.path}"
                if label not in where:
                    where.append(label)
            shown = ", ".join(where[:4]) + (f" and {len(where) - 4} more" if len(where) > 4 else "")
            related = [Related(r.location, f"{r.method} {r.path}") for r in routes[:5]
                       if r.location != location]
            if writes:
                yield self.finding(
                    f"{name} makes writes public: anyone can create, change or delete data through {shown}.",
                    location, related=_unique(related), routes=routes)
                continue
            lk = graph.authz.route_lookups(routes[0])[0]
            model = lk.model.rpartition(".")[2] or "object"
            yield self.finding(
                f"{name} makes {shown} public; it changes nothing, but it loads a stored {model} by an id "
                f"the caller chooses ({lk.display}), so anyone can read through it what that object holds.",
                location, Severity.WARNING, related=_unique(related), routes=routes)


def _unique(related):
    seen, out = set(), []
    for r in related:
        if r.location not in seen:
            seen.add(r.location)
            out.append(r)
    return out
