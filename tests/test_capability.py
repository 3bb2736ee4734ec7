"""Credentials that are not a login: a signature or shared secret the handler verifies
(guard kind "signature"), and capability URLs (a secret in the path, shown as public)."""
from routeguard import scan_sources


def scan(files):
    report = scan_sources(files)
    routes = {(r.method, r.path): r for r in report.routes}
    rg101 = {f.location.line for f in report.visible() if f.rule_id == "RG101"}
    return routes, rg101, report


def kinds(route):
    return {(g.kind, g.effect) for g in route.guards}


# -- webhooks that verify a signature -------------------------------------------------

FLASK_WEBHOOKS = {
    "hooks/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom . import github, stripe_hook, audit\n",
    "hooks/security.py": '''
import hashlib
import hmac

from flask import current_app


def valid_signature(payload: bytes, header: str) -> bool:
    secret = current_app.config["GITHUB_WEBHOOK_SECRET"].encode()
    expected = "sha256=" + hmac.new(secret, payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header or "")
''',
    "hooks/github.py": '''
from flask import request, jsonify
from . import app
from .security import valid_signature
from .services import sync_repository


@app.route("/hooks/github", methods=["POST"])
def github_hook():
    if not valid_signature(request.get_data(), request.headers.get("X-Hub-Signature-256")):
        return jsonify(error="bad signature"), 400
    sync_repository(request.get_json())
    return "", 204
''',
    "hooks/stripe_hook.py": '''
import hashlib
import hmac

from flask import request, abort
from . import app
from .services import record_payment


@app.route("/hooks/stripe", methods=["POST"])
def stripe_hook():
    digest = hmac.new(app.config["STRIPE_SECRET"].encode(), request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest, request.headers.get("Stripe-Signature", "")):
        abort(400)
    record_payment(request.get_json())
    return "", 204
''',
    "hooks/audit.py": '''
import hashlib
import hmac
import logging

from flask import request
from . import app
from .services import record_event

log = logging.getLogger(__name__)


@app.route("/hooks/audit", methods=["POST"])
def audit_hook():
    digest = hmac.new(app.config["AUDIT_SECRET"].encode(), request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(digest, request.headers.get("X-Signature", "")):
        log.warning("audit hook: signature mismatch")
    record_event(request.get_json())  # acts whatever the signature says
    return "", 204
''',
    "hooks/services.py": "from .models import Event, db\n\n\ndef sync_repository(p):\n    pass\n\n\ndef record_payment(p):\n    pass\n\n\n"
                         "def record_event(p):\n    db.session.add(Event(payload=p))\n    db.session.commit()\n",
    "hooks/models.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
                       "class Event(db.Model):\n    payload = db.Column(db.JSON)\n",
}


def test_flask_webhook_verified_by_a_helper_or_inline_is_protected_by_its_signature():
    routes, rg101, _ = scan(FLASK_WEBHOOKS)
    github = routes[("POST", "/hooks/github")]
    assert github.auth == "protected" and ("signature", "auth") in kinds(github)
    assert "hooks.security.valid_signature" in github.guards[0].reason
    stripe = routes[("POST", "/hooks/stripe")]
    assert stripe.auth == "protected" and ("signature", "auth") in kinds(stripe)


def test_webhook_that_only_logs_a_bad_signature_stays_a_finding():
    routes, rg101, report = scan(FLASK_WEBHOOKS)
    assert routes[("POST", "/hooks/audit")].auth == "unprotected"
    assert any(f.rule_id == "RG101" and f.location.file == "hooks/audit.py" for f in report.visible())


DJANGO_WEBHOOKS = {
    "integrations/api.py": '''
import hashlib
import hmac

from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .models import Project


class BaseHookViewSet(viewsets.ViewSet):
    authentication_classes = []
    permission_classes = []

    def _validate_signature(self, project, request):
        raise NotImplementedError

    def create(self, request):
        project = Project.objects.get(id=request.GET.get("project"))
        if not self._validate_signature(project, request):
            raise ValidationError("Bad signature")
        project.process(request.data)
        return Response(status=204)


class GitHubHookViewSet(BaseHookViewSet):
    def _validate_signature(self, project, request):
        signature = request.headers.get("x-hub-signature", "")
        mac = hmac.new(project.secret.encode(), msg=request.body, digestmod=hashlib.sha1)
        return hmac.compare_digest(mac.hexdigest(), signature)


class GitLabHookViewSet(BaseHookViewSet):
    def _validate_signature(self, project, request):
        key = request.GET.get("key")
        project_secret = project.config.get("gitlab_secret")
        return project_secret == key
''',
    "integrations/models.py": "from django.db import models\n\n\nclass Project(models.Model):\n"
                              "    secret = models.CharField(max_length=64)\n",
    "integrations/urls.py": '''
from rest_framework.routers import DefaultRouter
from .api import GitHubHookViewSet, GitLabHookViewSet

router = DefaultRouter()
router.register("github-hook", GitHubHookViewSet, basename="github-hook")
router.register("gitlab-hook", GitLabHookViewSet, basename="gitlab-hook")
urlpatterns = router.urls
''',
}


def test_drf_webhook_base_class_rejects_when_the_subclass_check_fails():
    routes, rg101, _ = scan(DJANGO_WEBHOOKS)
    hooks = {path: r for (method, path), r in routes.items() if method == "POST"}
    assert set(hooks) >= {"/github-hook/", "/gitlab-hook/"}, sorted(routes)
    for path in ("/github-hook/", "/gitlab-hook/"):
        assert hooks[path].auth == "protected", (path, hooks[path].guards)
        assert ("signature", "auth") in kinds(hooks[path])
    assert "GitHubHookViewSet._validate_signature" in hooks["/github-hook/"].guards[0].reason
    assert "project_secret" in hooks["/gitlab-hook/"].guards[0].reason


DJANGO_SIGNED_LINKS = {
    "accounts/urls.py": '''
from django.urls import path
from . import views

urlpatterns = [
    path("accounts/unsubscribe/<str:signed_username>/", views.unsubscribe_reports),
    path("accounts/unsubscribe-any/<str:signed_username>/", views.unsubscribe_anyway),
    path("p/<slug:ping_key>/fail", views.ping_failure),
    path("integrations/<uuid:code>/verify/<slug:token>/", views.verify),
    path("users/<uuid:user_id>/", views.profile_card),
    path("projects/<uuid:code>/pricing/", views.pricing),
]
''',
    "accounts/views.py": '''
from django.core import signing
from django.core.signing import BadSignature, TimestampSigner
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Channel, Check, User


def unsubscribe_reports(request, signed_username):
    try:
        username = TimestampSigner(salt="reports").unsign(signed_username)
    except BadSignature:
        return render(request, "bad_link.html")
    User.objects.filter(username=username).update(reports=False)
    return render(request, "unsubscribed.html")


def unsubscribe_anyway(request, signed_username):
    try:
        username = signing.loads(signed_username)
    except signing.BadSignature:
        username = signed_username  # falls back to the raw value: no check at all
    User.objects.filter(username=username).update(reports=False)
    return HttpResponse("ok")


def ping_failure(request, ping_key):
    check = get_object_or_404(Check, ping_key=ping_key)
    check.ping(failed=True)
    return HttpResponse("OK")


def verify(request, code, token):
    channel = get_object_or_404(Channel, code=code)
    if channel.make_token() == token:
        channel.verified = True
        channel.save()
    return render(request, "verified.html")


def profile_card(request, user_id):
    user = get_object_or_404(User, id=user_id)
    return render(request, "card.html", {"user": user})


def pricing(request, code=None):
    return HttpResponse("not implemented")
''',
    "accounts/models.py": "from django.db import models\n\n\nclass User(models.Model):\n    pass\n\n\n"
                          "class Check(models.Model):\n    pass\n\n\nclass Channel(models.Model):\n    pass\n",
}


def test_django_signed_value_caught_as_bad_signature_protects_the_view():
    routes, _, _ = scan(DJANGO_SIGNED_LINKS)
    r = routes[("ANY", "/accounts/unsubscribe/<str:signed_username>/")]
    assert r.auth == "protected" and ("signature", "auth") in kinds(r)
    # BadSignature caught and ignored: nothing is rejected
    assert routes[("ANY", "/accounts/unsubscribe-any/<str:signed_username>/")].auth != "protected"


def test_django_capability_urls_are_public_and_object_ids_are_not():
    routes, _, report = scan(DJANGO_SIGNED_LINKS)
    ping = routes[("ANY", "/p/<slug:ping_key>/fail")]
    assert ping.auth == "public"
    assert ping.guards[0].reason == "capability URL: the ping_key in the path is the credential"
    verify = routes[("ANY", "/integrations/<uuid:code>/verify/<slug:token>/")]
    assert verify.auth == "public" and verify.guards[0].name == "token"
    # an object id is not a secret, and a code the handler never uses proves nothing
    assert routes[("ANY", "/users/<uuid:user_id>/")].auth == "unprotected"
    assert routes[("ANY", "/projects/<uuid:code>/pricing/")].auth == "unprotected"
    flagged = {f.message.split(" requires")[0] for f in report.visible() if f.rule_id == "RG101"}
    assert any("/users/<uuid:user_id>/" in m for m in flagged)
    assert not any("ping_key" in m or "<slug:token>" in m for m in flagged)


FASTAPI_SHARES = {
    "app/main.py": '''
from fastapi import FastAPI
from .routes import shared

app = FastAPI()
app.include_router(shared.router, prefix="/api")
''',
    "app/routes/__init__.py": "",
    "app/routes/shared.py": '''
from uuid import UUID

from fastapi import APIRouter, HTTPException

from ..repos import share_tokens, recipes

router = APIRouter()


@router.get("/recipes/shared/{token_id}")
def get_shared_recipe(token_id: UUID):
    token = share_tokens.get_one(token_id)
    if token is None:
        raise HTTPException(status_code=404)
    return token.recipe


@router.get("/recipes/{recipe_id}")
def get_recipe(recipe_id: UUID):
    return recipes.get_one(recipe_id)


@router.get("/shared/{share_token}/preview")
def preview(share_token: str):
    return {"preview": True}
''',
    "app/repos.py": "class Repo:\n    def get_one(self, key):\n        return None\n\n\n"
                    "share_tokens = Repo()\nrecipes = Repo()\n",
}


def test_fastapi_share_token_looked_up_is_a_capability_url():
    routes, _, _ = scan(FASTAPI_SHARES)
    shared = routes[("GET", "/api/recipes/shared/{token_id}")]
    assert shared.auth == "public" and ("capability", "public") in kinds(shared)
    assert routes[("GET", "/api/recipes/{recipe_id}")].auth == "unprotected"
    # named like a secret, but the handler never looks it up: not a credential
    assert routes[("GET", "/api/shared/{share_token}/preview")].auth == "unprotected"


FLASK_LINKS = {
    "portal/__init__.py": "from flask import Flask\napp = Flask(__name__)\nfrom . import links\n",
    "portal/links.py": '''
from flask import abort, render_template
from itsdangerous import BadSignature, URLSafeTimedSerializer

from . import app
from .models import Invite, Report


def _serializer():
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="digest")


@app.route("/digest/unsubscribe/<signed_email>", methods=["POST"])
def unsubscribe_digest(signed_email):
    try:
        email = _serializer().loads(signed_email, max_age=86400)
    except BadSignature:
        abort(400)
    Report.query.filter_by(email=email).delete()
    return render_template("unsubscribed.html")


@app.route("/invites/<invite_token>")
def show_invite(invite_token):
    invite = Invite.query.filter_by(token=invite_token).first_or_404()
    return render_template("invite.html", invite=invite)


@app.route("/reports/<int:report_id>")
def show_report(report_id):
    return render_template("report.html", report=Report.query.get_or_404(report_id))
''',
    "portal/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Invite(db.Model):
    token = db.Column(db.String(64))


class Report(db.Model):
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    body = db.Column(db.Text)
""",
}


def test_flask_itsdangerous_bad_signature_and_capability_url():
    routes, _, report = scan(FLASK_LINKS)
    unsub = routes[("POST", "/digest/unsubscribe/<signed_email>")]
    assert unsub.auth == "protected" and ("signature", "auth") in kinds(unsub)
    invite = routes[("GET", "/invites/<invite_token>")]
    assert invite.auth == "public" and invite.guards[0].name == "invite_token"
    assert routes[("GET", "/reports/<int:report_id>")].auth == "unprotected"
    assert any(f.rule_id == "RG101" and "/reports/" in f.message for f in report.visible())


# -- a vendored token library and a project's own get_object_or_404 (taiga's layout) -----------

DRF_VENDORED_TOKENS = {
    "proj/__init__.py": "",
    "proj/urls.py": '''
from rest_framework.routers import DefaultRouter
from .api import ApplicationTokenViewSet, UsersViewSet

router = DefaultRouter()
router.register("application-tokens", ApplicationTokenViewSet, basename="application-tokens")
router.register("users", UsersViewSet, basename="users")
urlpatterns = router.urls
''',
    "proj/utils.py": '''
from django.http import Http404


def get_object_or_404(model, **kwargs):
    try:
        return model.objects.get(**kwargs)
    except model.DoesNotExist:
        raise Http404
''',
    "proj/tokens.py": '''
class TokenError(Exception):
    pass


class CancelToken:
    def __init__(self, token):
        if not token:
            raise TokenError("bad token")
        self.payload = {"user_id": token}
''',
    "proj/api.py": '''
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import models
from .tokens import CancelToken, TokenError
from .utils import get_object_or_404


class ApplicationTokenViewSet(viewsets.ViewSet):
    @action(detail=False, methods=["post"])
    def validate(self, request):
        application_id = request.data.get("application")
        auth_code = request.data.get("auth_code")
        token = get_object_or_404(models.ApplicationToken, application__id=application_id, auth_code=auth_code)
        token.generate_token()
        token.save()
        return Response({"token": token.token})


class UsersViewSet(viewsets.ViewSet):
    @action(detail=False, methods=["post"])
    def cancel(self, request):
        try:
            user_id = CancelToken(token=request.data["cancel_token"]).payload["user_id"]
            user = models.User.objects.get(id=user_id)
        except (models.User.DoesNotExist, TokenError, KeyError):
            return Response({"detail": "Invalid token"}, status=400)
        user.is_active = False
        user.save()
        return Response(status=204)
''',
    "proj/models.py": '''
from django.conf import settings
from django.db import models


class User(models.Model):
    is_active = models.BooleanField(default=True)


class ApplicationToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    application_id = models.IntegerField()
    auth_code = models.CharField(max_length=64)
    token = models.CharField(max_length=64)
''',
}


def test_secret_column_in_a_project_lookup_and_a_vendored_token_error_protect_the_handler():
    """A row matched by the auth code the client presents (through the project's own
    get_object_or_404) is the holder's; a token class whose TokenError is caught and answered
    with a 400 verifies the client's token (taiga's application tokens and account cancel)."""
    routes, rg101, _ = scan(DRF_VENDORED_TOKENS)
    validate = routes[("POST", "/application-tokens/validate/")]
    assert validate.auth == "public" and ("capability", "public") in kinds(validate)
    cancel = routes[("POST", "/users/cancel/")]
    assert cancel.auth == "protected" and ("signature", "auth") in kinds(cancel)
    assert not rg101
