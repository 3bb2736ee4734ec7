from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, per_route
from routeguard.states import AuthState, Effect

DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "accounts"]
ROOT_URLCONF = "proj.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
DRF_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from accounts.views import UserAdminViewSet

router = DefaultRouter()
router.register("admin/users", UserAdminViewSet)
urlpatterns = [path("api/", include(router.urls))]
"""
DJANGO_URLS = """
from django.urls import path
from accounts import views

urlpatterns = [path("users/<int:pk>/role/", views.set_role)]
"""
FASTAPI_DEPS = """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(token: str = Depends(oauth2)):
    return token

def get_current_admin(user=Depends(get_current_user)):
    if not user.is_admin:
        raise HTTPException(status_code=403)
    return user
"""


class PrivilegedRouteWithoutAuthorization(Check):
    """
    ## What it does
    Flags a privileged route that authenticates the caller but checks no role,
    permission or scope: a route under an `admin` path segment, one that manages roles
    or permissions, or one that changes or deletes another user's account
    (`PUT /users/<id>`, `DELETE /users/<id>`, `POST /users/<id>/role`). A comparison of
    the target user with the caller (changing only one's own account) counts as a check.

    ## Why is this bad
    "Logged in" is not "allowed". When the only guard is authentication, every
    registered user can reach the admin API, promote themselves, or delete other
    people's accounts: broken function level authorization.

    ## Example
    ```python
    @admin_bp.delete("/users/<int:user_id>")
    @login_required
    def delete_user(user_id):
        ...
    ```

    ## Use instead
    ```python
    @admin_bp.delete("/users/<int:user_id>")
    @roles_required("admin")
    def delete_user(user_id):
        ...
    ```
    or check the role inside (`if not current_user.is_admin: abort(403)`), use
    `IsAdminUser` / `permission_required`, or a dependency that requires an admin.

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-285: Improper Authorization
    """

    id = "RG104"
    name = "privileged-route-without-authorization"
    summary = "Admin or user-management route that authenticates but checks no role, permission or scope"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 285
    owasp = "API5:2023"

    VALID = (
        Valid("""
from flask import Flask, abort
from flask_login import current_user, login_required

app = Flask(__name__)

@app.delete("/admin/users/<int:user_id>")
@login_required
def delete_user(user_id):
    if not current_user.is_admin:
        abort(403)
    return "", 204
"""),
        Valid("""
from flask import Flask, abort
from flask_login import current_user, login_required

app = Flask(__name__)

@app.put("/users/<int:user_id>")
@login_required
def update_user(user_id):
    if user_id != current_user.id:
        abort(403)
    return "", 204
"""),
        Valid({"app/deps.py": FASTAPI_DEPS, "app/main.py": """
from fastapi import Depends, FastAPI
from app.deps import get_current_admin

app = FastAPI()

@app.delete("/users/{user_id}")
def delete_user(user_id: int, admin=Depends(get_current_admin)):
    return None
"""}),
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "accounts/views.py": """
from rest_framework import viewsets
from rest_framework.permissions import IsAdminUser
from accounts.models import User

class UserAdminViewSet(viewsets.ModelViewSet):
    queryset = User.objects.all()
    permission_classes = [IsAdminUser]
"""}),
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "accounts/views.py": """
from django.contrib.auth.decorators import permission_required
from django.views.decorators.http import require_POST

@require_POST
@permission_required("auth.change_user")
def set_role(request, pk):
    ...
"""}),
    )
    INVALID = (
        Invalid("""
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.delete("/admin/users/<int:user_id>")  # expect: RG104
@login_required
def delete_user(user_id):
    return "", 204
"""),
        Invalid({"app/deps.py": FASTAPI_DEPS, "app/main.py": """
from fastapi import Depends, FastAPI
from app.deps import get_current_user

app = FastAPI()

@app.patch("/users/{user_id}/role")  # expect: RG104
def set_role(user_id: int, role: str, user=Depends(get_current_user)):
    return None
"""}),
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "accounts/views.py": """
from rest_framework import viewsets
from accounts.models import User

class UserAdminViewSet(viewsets.ModelViewSet):  # expect: RG104
    queryset = User.objects.all()
"""}),
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "accounts/views.py": """
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_POST

@require_POST
@login_required
def set_role(request, pk):  # expect: RG104
    ...
"""}),
    )

    def run(self, graph):
        hits = []
        for r in graph.routes:
            if r.auth != AuthState.PROTECTED:
                continue
            why = graph.authz.privileged(r)
            if why and not graph.authz.route_authorization(r):
                hits.append((r, why))
        for group, verbs in per_route(hits):
            r, why = group[0]
            guards = [g for g in r.guards if g.effect == Effect.AUTH]
            names = ", ".join(dict.fromkeys(g.name for g in guards))
            related = [Related(g.location, f"{g.name} authenticates the caller but checks no role or permission")
                       for g in guards if g.location is not None][:3]
            yield self.finding(
                f"{verbs} {r.path} is privileged ({why}) but only authenticates the caller ({names}): "
                "no role, permission or scope is checked, so any signed-in user can use it.",
                r.location, self.severity, related, r.suppress_lines, routes=[h[0] for h in group])
