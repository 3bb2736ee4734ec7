"""What counts as turning a caller away (issue 12, items 5, 6, 7 and 11): a rejection of the
caller without a credential, before the work it protects, that does not depend on a setting
alone; the way in (login, registration, SSO) is public; optional authentication is public by
declaration."""
from pathlib import Path

from routeguard import scan_paths, scan_sources

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def routes_of(project: str):
    report = scan_paths([FIXTURES / project], root=FIXTURES / project, cache=False)
    return {(r.method, r.path): r for r in report.routes}


def routes(files):
    return {(r.method, r.path): r for r in scan_sources(files).routes}


def reasons(route) -> str:
    return " | ".join(f"{g.name}: {g.reason}" for g in route.guards)


def test_session_checks_that_send_the_caller_to_login_are_guards():
    r = routes_of("flask/member_portal")
    # the Flask tutorial's login_required on g.user, and a "user_id" not in session check
    assert r[("GET", "/members/me")].auth == "protected"
    assert "checks g.user" in reasons(r[("GET", "/members/me")])
    assert r[("POST", "/members/notes")].auth == "protected"
    assert "checks session" in reasons(r[("POST", "/members/notes")])
    # a role test on top of them is authorization as well
    assert r[("POST", "/admin/members/<int:member_id>/role")].auth == "protected"


def test_branches_that_do_not_turn_the_anonymous_caller_away_are_not_guards():
    r = routes_of("flask/member_portal")
    assert r[("GET", "/members/<int:member_id>/contact")].auth == "unprotected"  # only logs
    assert r[("POST", "/members/guestbook")].auth == "unprotected"  # turns away members
    assert r[("POST", "/members/avatar")].auth == "unprotected"  # checked after the write


def test_login_sso_and_token_endpoints_are_the_way_in():
    r = routes_of("flask/member_portal")
    for key in [("POST", "/auth/login"), ("POST", "/auth/kiosk"), ("POST", "/api/session"),
                ("GET", "/auth/sso"), ("GET", "/auth/sso/callback")]:
        assert r[key].auth == "public", key
        assert "login endpoint" in reasons(r[key]), key
    assert "sends the caller to an identity provider" in reasons(r[("GET", "/auth/sso")])
    # registration whose 403 is a feature flag (ALLOW_SIGNUP) is public by its name
    assert r[("POST", "/auth/register")].auth == "public"
    assert "registration endpoints are public" in reasons(r[("POST", "/auth/register")])


def test_a_guard_that_calls_the_view_when_configured_public_is_not_authentication():
    r = routes_of("flask/member_portal")
    directory = r[("GET", "/members/")]
    assert directory.auth == "public"
    assert 'calls the view with no credential check when mode == "public"' in reasons(directory)


def test_fastapi_feature_flags_login_and_optional_users():
    r = routes_of("fastapi/recipe_box")
    assert r[("POST", "/api/auth/token")].auth == "public"
    assert "login endpoint" in reasons(r[("POST", "/api/auth/token")])
    assert r[("POST", "/api/users/register")].auth == "public"  # its 403 is ALLOW_SIGNUP
    assert r[("PUT", "/api/setup/first-admin")].auth == "unprotected"  # its 403 is FIRST_RUN
    recipes = r[("GET", "/api/recipes/")]
    assert recipes.auth == "public"
    assert "optional authentication" in reasons(recipes) and "auto_error=False" in reasons(recipes)
    assert r[("POST", "/api/recipes/")].auth == "protected"


def test_a_check_that_turns_away_logged_in_users_is_not_a_guard():
    r = routes({"app.py": """
from flask import Flask, redirect, request, url_for
from flask_login import current_user
from .models import Subscriber, db

app = Flask(__name__)

@app.post("/newsletter")
def subscribe():
    if current_user.is_authenticated:
        return redirect(url_for("account"))  # members manage it from their account page
    db.session.add(Subscriber(email=request.form["email"]))
    db.session.commit()
    return redirect("/")

@app.post("/comments")
def comment():
    if not current_user.is_authenticated:
        return redirect(url_for("login"))
    return "ok"

@app.post("/drafts")
def drafts():
    if current_user.is_authenticated:
        pass
    else:
        return redirect(url_for("login"))
    return "ok"
"""})
    assert r[("POST", "/newsletter")].auth == "unprotected"
    assert r[("POST", "/comments")].auth == "protected"
    assert r[("POST", "/drafts")].auth == "protected"


def test_an_admin_route_is_not_public_by_its_name():
    r = routes({"main.py": """
from fastapi import APIRouter, FastAPI
app = FastAPI()
admin = APIRouter(prefix="/admin/users")

@admin.post("/password-reset-token")
def generate_token(email: str):
    return {"token": "x"}

@app.post("/password-reset")
def reset_password(email: str):
    return {}

app.include_router(admin)
"""})
    assert r[("POST", "/admin/users/password-reset-token")].auth == "unprotected"
    assert r[("POST", "/password-reset")].auth == "public"
    assert "password reset endpoints are public" in reasons(r[("POST", "/password-reset")])


def test_a_login_handler_that_also_checks_the_session_keeps_its_check():
    """Re-authenticating to change a password checks the session first: that check stays."""
    r = routes({"app.py": """
from flask import Flask, abort, request, session
from flask_login import login_user
from .models import User

app = Flask(__name__)

@app.post("/account/confirm-password")
def confirm_password():
    if "user_id" not in session:
        abort(401)
    user = User.query.get(session["user_id"])
    if not user.check_password(request.form["password"]):
        abort(403)
    login_user(user, fresh=True)
    return "ok"
"""})
    route = r[("POST", "/account/confirm-password")]
    assert route.auth == "protected"
    assert "checks session" in reasons(route)


def test_django_sign_in_view_is_the_way_in_and_a_members_redirect_is_no_guard():
    r = routes_of("django/newsroom")
    desk = r[("ANY", "/accounts/desk/")]
    assert desk.auth == "public"
    assert "login endpoint" in reasons(desk)
    assert r[("ANY", "/accounts/newsletter/")].auth == "unprotected"
    assert r[("POST", "/accounts/settings/")].auth == "protected"  # if not is_authenticated: redirect


def test_middleware_that_hands_anonymous_callers_on_is_not_global_auth():
    r = routes_of("django/newsroom")
    export = r[("ANY", "/articles/export/")]
    assert export.auth == "unprotected"
    assert not any(g.layer == "middleware" for g in export.guards)


def test_a_dispatcher_that_calls_guarded_view_functions_is_protected():
    route = routes_of("django/newsroom")[("ANY", "/articles/<int:pk>/comments/")]
    assert route.auth == "protected"  # by the views it dispatches to (the django adapter's rule)


def test_role_checks_in_guards_are_authorization():
    """flask-httpauth's login_required(role=...) and a claim read with .get("role") in a
    project decorator check a role: RG104 stays silent (issue 12, item 11)."""
    report = scan_sources({"app.py": """
import functools

import jwt
from flask import Flask, abort, current_app, request
from flask_httpauth import HTTPBasicAuth

app = Flask(__name__)
auth = HTTPBasicAuth()


def admin_token_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        try:
            payload = jwt.decode(request.headers["X-Token"], current_app.config["SECRET_KEY"], algorithms=["HS256"])
        except (KeyError, jwt.InvalidTokenError):
            abort(401)
        if payload.get("role") != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@app.delete("/admin/users/<int:user_id>")
@auth.login_required(role="admin")
def delete_user(user_id):
    return ""


@app.delete("/admin/teams/<int:team_id>")
@admin_token_required
def delete_team(team_id):
    return ""


@app.delete("/users/<int:user_id>")
@auth.login_required
def delete_account(user_id):
    return ""
"""})
    flagged = {f.message.split(" is privileged")[0] for f in report.findings if f.rule_id == "RG104"}
    assert flagged == {"DELETE /users/<int:user_id>"}


def test_a_token_endpoint_that_asks_who_the_caller_is_stays_protected():
    r = routes({"main.py": """
from fastapi import FastAPI, HTTPException, Request
from .auth import get_current_user
app = FastAPI()

@app.get("/api/token")
def token(request: Request):
    user = get_current_user(request)
    return {"token": user.api_token}
""", "auth.py": """
from fastapi import HTTPException, Request
def get_current_user(request: Request):
    user = request.state.user
    if user is None:
        raise HTTPException(status_code=401)
    return user
"""})
    assert r[("GET", "/api/token")].auth == "protected"


def test_django_forbidden_response_under_a_setting_or_for_members_is_no_guard():
    r = routes({
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["accounts"]\nREGISTRATION_OPEN = True\n',
        "proj/urls.py": """
from django.urls import path
from accounts import views
urlpatterns = [path("signup/csrf/", views.signup_csrf), path("reports/", views.reports),
               path("metrics/", views.metrics)]
""",
        "accounts/views.py": """
from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden

def signup_csrf(request):
    if not settings.REGISTRATION_OPEN or request.user.is_authenticated:
        return HttpResponseForbidden()
    return HttpResponse("token")

def reports(request):
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return HttpResponse("reports")

def metrics(request):
    if not settings.METRICS_KEY:
        return HttpResponseForbidden()
    key = request.headers.get("X-Metrics-Key")
    if key != settings.METRICS_KEY:  # the client's key against the configured one: a credential
        return HttpResponseForbidden()
    return HttpResponse("metrics")
""",
    })
    assert r[("ANY", "/signup/csrf/")].auth == "unprotected"
    assert r[("ANY", "/reports/")].auth == "protected"
    assert r[("ANY", "/metrics/")].auth == "protected"


def test_the_bundled_example_lists_its_login_and_registration_as_public():
    r = routes_of("flask/blog")
    login, register = r[("POST", "/auth/login")], r[("POST", "/auth/register")]
    assert login.auth == "public" and "login endpoint" in reasons(login)
    assert register.auth == "public" and "registration endpoints are public" in reasons(register)


def test_site_files_and_legal_pages_are_public_by_convention():
    from routeguard import scan_sources

    report = scan_sources({"app.py": """
from flask import Flask, send_from_directory
from flask_login import login_required

app = Flask(__name__)

@app.get("/robots.txt")
def robots():
    return send_from_directory("static", "robots.txt")

@app.get("/privacy")
def privacy():
    return "privacy"

@app.get("/password-recovery/<email>")
def recover_password(email):
    return "sent"

@app.get("/account/recovery-codes")
def recovery_codes():
    return "codes"

@app.get("/orders")
@login_required
def orders():
    return "orders"

# PowerDNS-Admin: the SAML service provider's metadata and single-logout endpoints, which the
# identity provider fetches and redirects to
@app.get("/saml/metadata")
def saml_metadata():
    return open("/etc/pda/saml/cert.crt").read()

@app.get("/saml/sls")
def saml_logout():
    return "bye"

# FitTrackee: a reset link asked for by someone who cannot sign in
@app.post("/auth/password/reset-request")
def request_password_reset():
    return "sent"

# open-webui: the OpenSearch description browsers fetch to add the site as a search engine
@app.get("/opensearch.xml")
def opensearch():
    return open("templates/opensearch.xml").read()
"""})
    auth = {r.path: r.auth for r in report.routes}
    assert auth == {"/robots.txt": "public", "/privacy": "public", "/password-recovery/<email>": "public",
                    "/account/recovery-codes": "unprotected", "/orders": "protected",
                    "/saml/metadata": "public", "/saml/sls": "public", "/opensearch.xml": "public",
                    "/auth/password/reset-request": "public"}


def test_feature_flag_constants_and_a_signin_helper_that_issues_the_session():
    r = routes_of("fastapi/chat_hub")
    # open-webui: ``if not ENABLE_PASSWORD_AUTH: raise HTTPException(403)`` switches sign-in off; its
    # 401 is in create_signin_response, the helper that issues the token
    signin = r[("POST", "/api/v1/auths/signin")]
    assert signin.auth == "public"
    assert "login endpoint" in reasons(signin)
    assert r[("POST", "/api/v1/auths/ldap")].auth != "protected"
    # the audit middleware reads the caller only to log it
    assert r[("GET", "/api/v1/users/active")].auth == "unprotected"
    assert not any(g.kind == "middleware" for g in r[("GET", "/api/v1/files/")].guards)


def test_a_project_error_whose_status_is_an_error_code_member_rejects():
    """onyx: ``raise OnyxError(OnyxErrorCode.INSUFFICIENT_PERMISSIONS)`` where the code enum's
    member carries its HTTP status (``("INSUFFICIENT_PERMISSIONS", 403)``) and an exception
    handler answers with it. A member that carries a 400 is a validation error, not a guard."""
    files = {
        "app/__init__.py": "",
        "app/errors.py": """
from enum import Enum


class ErrorCode(Enum):
    INVALID_INPUT = ("INVALID_INPUT", 400)
    UNAUTHENTICATED = ("UNAUTHENTICATED", 401)
    INSUFFICIENT_PERMISSIONS = ("INSUFFICIENT_PERMISSIONS", 403)

    @property
    def status_code(self) -> int:
        return self.value[1]


class AppError(Exception):
    def __init__(self, code: ErrorCode, detail: str | None = None) -> None:
        super().__init__(detail)
        self.code = code
""",
        "app/permissions.py": """
from fastapi import Depends, Request

from app.errors import AppError, ErrorCode


def get_user(request: Request):
    return getattr(request.state, "user", None)


def require_permission(required: str):
    async def dependency(user=Depends(get_user)):
        if user is None or required not in user.permissions:
            raise AppError(ErrorCode.INSUFFICIENT_PERMISSIONS, "not allowed")
        return user
    return dependency


def require_valid_name(name: str):
    if not name.isidentifier():
        raise AppError(ErrorCode.INVALID_INPUT, "bad name")
    return name
""",
        "app/main.py": """
from fastapi import APIRouter, Depends, FastAPI

from app.permissions import require_permission, require_valid_name

router = APIRouter(prefix="/admin/connectors")


@router.put("/{connector_id}")
def update_connector(connector_id: int, payload: dict, _=Depends(require_permission("manage_connectors"))):
    return {"id": connector_id}


@router.delete("/{name}")
def delete_connector(name: str = Depends(require_valid_name)):
    return None


app = FastAPI()
app.include_router(router)
""",
    }
    r = routes(files)
    assert r[("PUT", "/admin/connectors/{connector_id}")].auth == "protected"
    assert r[("DELETE", "/admin/connectors/{name}")].auth == "unprotected"


def test_a_denied_check_answered_as_not_found_is_a_guard():
    """CKAN hides what a caller may not see: ``except NotAuthorized: abort(404)`` after a check
    that raises; Django's ``except PermissionDenied: raise Http404``. The denial ends the request
    whatever status answers it. Catching a lookup's ``NotFound`` alone decides nothing."""
    r = routes({
        "portal/__init__.py": """
from flask import Flask
from portal.views import files

app = Flask(__name__)
app.register_blueprint(files)
""",
        "portal/logic.py": """
class NotFound(Exception):
    pass


class NotAuthorized(Exception):
    pass


def check_access(action, context, data_dict):
    if not context.get("user"):
        raise NotAuthorized()
    return True


def get_file(context, data_dict):
    return {"id": data_dict["id"]}
""",
        "portal/views.py": """
from flask import Blueprint, abort, send_file
from flask_login import current_user

from portal import logic

files = Blueprint("files", __name__, url_prefix="/file")


@files.route("/download/<id>")
def download(id):
    context = {"user": current_user.name}
    try:
        logic.check_access("file_download", context, {"id": id})
        item = logic.get_file(context, {"id": id})
    except (logic.NotFound, logic.NotAuthorized):
        return abort(404)
    return send_file(item["path"])


@files.route("/preview/<id>")
def preview(id):
    try:
        item = logic.get_file({}, {"id": id})
    except logic.NotFound:
        return abort(404)
    return send_file(item["path"])
""",
    })
    assert r[("GET", "/file/download/<id>")].auth == "protected"
    assert "NotAuthorized is caught" in reasons(r[("GET", "/file/download/<id>")])
    assert r[("GET", "/file/preview/<id>")].auth == "unprotected"


def test_a_helper_that_answers_anonymous_callers_is_no_guard_of_the_handler():
    """A helper that returns a value to its caller when the user is anonymous (Misago's
    ``get_unread_categories``: ``if request.user.is_anonymous: return set()``) turns no one
    away: the handler that calls it is open. The same answer inside a permission class is the
    permission's verdict (taiga's ``HasProjectPerm`` whose helper returns None for anonymous
    users); so is a helper whose answer the handler tests to send the caller away (tandoor's
    ``if has_group_permission(...): return render(...)`` else redirect), and a helper that
    redirects the caller to the login page still guards."""
    files = {
        "proj/__init__.py": "",
        "proj/settings.py": 'ROOT_URLCONF = "proj.urls"\nINSTALLED_APPS = ["rest_framework", "forum"]\n',
        "proj/urls.py": """
from django.urls import path
from forum import views

urlpatterns = [
    path("categories/", views.categories),
    path("inbox/", views.inbox),
    path("print/<int:pk>/", views.print_view),
    path("api/threads/", views.ThreadList.as_view()),
]
""",
        "forum/__init__.py": "",
        "forum/tracker.py": """
from django.shortcuts import redirect


def get_unread_categories(request, categories):
    if not categories or request.user.is_anonymous:
        return set()
    return {c.id for c in categories if c.last_post_on > request.user.joined_on}


def get_membership(user, project):
    if user.is_anonymous:
        return None
    return project.memberships.filter(user=user).first()


def login_redirect(request):
    if request.user.is_anonymous:
        return redirect("/login/")
    return None
""",
        "forum/views.py": """
from django.shortcuts import redirect, render
from rest_framework import generics
from rest_framework.permissions import BasePermission

from forum.models import Category, Thread
from forum.tracker import get_membership, get_unread_categories, login_redirect


def categories(request):
    items = list(Category.objects.all())
    unread = get_unread_categories(request, items)
    Category.objects.filter(id__in=unread).update(seen=True)
    return render(request, "categories.html", {"items": items, "unread": unread})


def inbox(request):
    response = login_redirect(request)
    if response:
        return response
    Thread.objects.filter(private=True).update(seen=True)
    return render(request, "inbox.html")


def print_view(request, pk):
    # tandoor: the page renders only for a member, else the caller is sent away
    if get_membership(request.user, Thread.objects.get(pk=pk).project) is not None:
        Thread.objects.filter(pk=pk).update(printed=True)
        return render(request, "print.html")
    return redirect("/")


class IsMember(BasePermission):
    def has_permission(self, request, view):
        return get_membership(request.user, view.project) is not None


class ThreadList(generics.ListCreateAPIView):
    permission_classes = [IsMember]
    queryset = Thread.objects.all()
""",
    }
    r = routes(files)
    assert r[("ANY", "/categories/")].auth == "unprotected"
    assert r[("ANY", "/inbox/")].auth == "protected"
    assert r[("ANY", "/print/<int:pk>/")].auth == "protected"  # it tests the answer, and sends the caller away
    assert r[("POST", "/api/threads/")].auth == "protected"


def test_a_csrf_token_kept_in_the_session_is_not_a_session_check():
    """The Flask snippet that keeps a CSRF token in the session and aborts when the form's copy
    differs (indico's ``RH._check_csrf``: ``token != session.csrf_token``) stops forged
    requests from any caller, signed in or not; a ``"user_id" not in session`` test in the same
    hook is still a guard."""
    files = {
        "guestbook/app.py": """
from flask import Flask, abort, request, session

from guestbook.models import Entry, db

app = Flask(__name__)


@app.before_request
def csrf_protect():
    if request.method == "POST":
        token = request.form.get("_csrf_token") or request.headers.get("X-CSRF-Token")
        if not token or token != session.get("_csrf_token"):
            abort(400)


@app.route("/entries", methods=["POST"])
def add_entry():
    db.session.add(Entry(text=request.form["text"]))
    db.session.commit()
    return "", 201


@app.route("/entries/<int:entry_id>", methods=["POST"])
def edit_entry(entry_id):
    if request.form.get("state") != session.get("oauth_state"):
        abort(400)
    entry = Entry.query.get_or_404(entry_id)
    entry.text = request.form["text"]
    db.session.commit()
    return "", 204


@app.route("/entries/<int:entry_id>/delete", methods=["POST"])
def delete_entry(entry_id):
    if session.get("user_id") is None or request.form.get("csrf") != session["csrf"]:
        abort(403)
    db.session.delete(Entry.query.get_or_404(entry_id))
    db.session.commit()
    return "", 204
""",
        "guestbook/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Entry(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.Text)
""",
    }
    r = routes(files)
    assert r[("POST", "/entries")].auth == "unprotected", reasons(r[("POST", "/entries")])
    assert r[("POST", "/entries/<int:entry_id>")].auth == "unprotected"
    assert r[("POST", "/entries/<int:entry_id>/delete")].auth == "protected"


def test_app_hooks_that_turn_away_no_anonymous_caller_are_no_gates():
    """CTFd's app-level hooks, on its own ``CTFdFlask(Flask)``: a 403 while an import runs
    (reads no credential), a token verified only when the request presents one (``token =
    request.headers.get("Authorization"); if token: ... except Expired: abort(401)``) and a CSRF
    nonce kept in the session guard no route; a hook that sends callers without a session to
    the login page still does, and so does SecureDrop's 403 for an API caller whose own session
    object says it is not ``logged_in()``."""
    hooks = """
from flask import Flask, abort, redirect, request, session, url_for

from ctf.models import Solve, db
from ctf.tokens import TokenExpired, lookup_user_token
from ctf.state import import_in_progress


class CTFFlask(Flask):
    pass


app = CTFFlask(__name__)


@app.before_request
def importing():
    if import_in_progress():
        return "Import currently in progress", 403


@app.before_request
def tokens():
    token = request.headers.get("Authorization")
    if token and request.is_json:
        try:
            session["id"] = lookup_user_token(token.split(" ", 1)[1]).id
        except TokenExpired:
            abort(401, description="Your access token has expired")


@app.before_request
def csrf():
    if request.method == "POST" and session.get("nonce") != request.form.get("nonce"):
        abort(403)


@app.route("/solves", methods=["POST"])
def solve():
    db.session.add(Solve(challenge_id=request.form["challenge_id"]))
    db.session.commit()
    return "", 201
"""
    files = {
        "ctf/app.py": hooks,
        "ctf/models.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n\n"
                         "class Solve(db.Model):\n    id = db.Column(db.Integer, primary_key=True)\n",
        "ctf/tokens.py": "class TokenExpired(Exception):\n    pass\n\n\ndef lookup_user_token(token):\n"
                         "    raise TokenExpired()\n",
        "ctf/state.py": "def import_in_progress():\n    return False\n",
        "ctf/sessions.py": "class Session:\n    def logged_in(self):\n        return False\n\n\nsession = Session()\n",
    }
    r = routes(files)
    assert r[("POST", "/solves")].auth == "unprotected", reasons(r[("POST", "/solves")])
    guarded = hooks.replace("app = CTFFlask(__name__)\n", """app = CTFFlask(__name__)


@app.before_request
def members_only():
    if "id" not in session:
        return redirect(url_for("login"))
""")
    r = routes({**files, "ctf/app.py": guarded})
    assert r[("POST", "/solves")].auth == "protected"
    assert "checks session" in reasons(r[("POST", "/solves")])
    api = hooks.replace("app = CTFFlask(__name__)\n", """app = CTFFlask(__name__)


@app.before_request
def setup_g():
    from ctf.sessions import session as journalist_session
    if request.path.split("/")[1] == "api" and not journalist_session.logged_in():
        abort(403)
""")
    r = routes({**files, "ctf/app.py": api})
    assert r[("POST", "/solves")].auth == "protected", reasons(r[("POST", "/solves")])


def test_a_middleware_helper_that_answers_anonymous_callers_with_nothing_hands_them_on():
    """pretalx's ``EmailVerificationMiddleware``: ``return self._gate(request) or
    self.get_response(request)``, where ``_gate`` returns None for the anonymous caller and
    redirects only signed-in users whose address is unverified. Its None hands the request on:
    the middleware authenticates no one. A middleware that tests the helper's answer to send
    the caller to the login page does."""
    gate = """
from django.shortcuts import redirect


class EmailVerificationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._gate(request) or self.get_response(request)

    def _gate(self, request):
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated:
            return None
        if user.email_verified:
            return None
        return redirect("/verify/")
"""
    files = {
        "conf/__init__.py": "",
        "conf/settings.py": 'ROOT_URLCONF = "conf.urls"\nMIDDLEWARE = ["common.middleware.EmailVerificationMiddleware"]\n',
        "conf/urls.py": """
from django.urls import path

from talks import views

urlpatterns = [path("talks/<int:pk>/delete/", views.delete_talk)]
""",
        "common/__init__.py": "",
        "common/middleware.py": gate,
        "talks/__init__.py": "",
        "talks/views.py": """
from django.http import HttpResponse

from talks.models import Talk


def delete_talk(request, pk):
    Talk.objects.filter(pk=pk).delete()
    return HttpResponse(status=204)
""",
    }
    r = routes(files)
    assert r[("ANY", "/talks/<int:pk>/delete/")].auth == "unprotected", reasons(r[("ANY", "/talks/<int:pk>/delete/")])
    tested = gate.replace("        return self._gate(request) or self.get_response(request)\n",
                          "        if self._signed_in(request) is None:\n"
                          "            return redirect(\"/login/\")\n"
                          "        return self.get_response(request)\n") + """
    def _signed_in(self, request):
        if request.user.is_anonymous:
            return None
        return request.user
"""
    r = routes({**files, "common/middleware.py": tested})
    assert r[("ANY", "/talks/<int:pk>/delete/")].auth == "protected"


def test_a_check_made_only_for_some_paths_guards_only_those():
    """``if request.path.startswith("/admin") and "user_id" not in session: return redirect(...)``
    guards the admin area, not the whole app (it was read the other way round: /admin as the
    allow-list, everything else protected); the same for an early hand-on of the other paths
    (``if not request.path.startswith("/admin"): return``) and for a FastAPI middleware. A hook
    that also turns requests away whatever their path still guards them all."""
    flask_app = """
from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)


@app.before_request
def admin_area():
    if request.path.startswith("/admin") and "user_id" not in session:
        return redirect(url_for("login"))


@app.post("/admin/users/<int:user_id>/delete")
def delete_user(user_id):
    return "", 204


@app.post("/comments")
def add_comment():
    return "", 201
"""
    for source in (flask_app, flask_app.replace(
            '    if request.path.startswith("/admin") and "user_id" not in session:\n',
            '    if not request.path.startswith("/admin"):\n        return\n    if "user_id" not in session:\n')):
        r = routes({"app.py": source})
        assert r[("POST", "/admin/users/<int:user_id>/delete")].auth == "protected"
        assert r[("POST", "/comments")].auth == "unprotected", reasons(r[("POST", "/comments")])
    everywhere = flask_app.replace('        return redirect(url_for("login"))\n',
                                   '        return redirect(url_for("login"))\n    if not session.get("user_id"):\n'
                                   '        return redirect(url_for("login"))\n')
    assert routes({"app.py": everywhere})[("POST", "/comments")].auth == "protected"
    r = routes({"main.py": """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.middleware("http")
async def admin_guard(request: Request, call_next):
    if request.url.path.startswith("/admin") and not request.headers.get("Authorization"):
        return JSONResponse({"detail": "Not authenticated"}, status_code=401)
    return await call_next(request)


@app.post("/admin/users/{user_id}/delete")
def delete_user(user_id: int):
    return {}


@app.post("/comments")
def add_comment():
    return {}
"""})
    assert r[("POST", "/admin/users/{user_id}/delete")].auth == "protected"
    assert r[("POST", "/comments")].auth == "unprotected", reasons(r[("POST", "/comments")])
