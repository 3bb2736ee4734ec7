"""What an anonymous caller gains from a route that takes any method, and which routes are
public reads because everything they return is fixed in the code: a help page rendered
from a template with no stored data, a favicon or robots.txt served from a fixed path, a
redirect to a fixed address. The careful cases stay findings: a file whose path comes from
the URL, a template fed with rows from the database, a view that acts on a POST."""
from routeguard import scan_sources

# robots.txt, favicon and service-worker.js are also public by their names: these tests judge
# routes by what their handlers do, so the name convention is off
BY_WHAT_IT_DOES = {"default-public-routes": False}

SETTINGS = 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.auth", "support"]\nROOT_URLCONF = "site_conf.urls"\n'

DJANGO = {
    "site_conf/__init__.py": "",
    "site_conf/settings.py": SETTINGS + 'SUPPORT_EMAIL = "help@example.com"\nSTATIC_DIR = "/srv/static"\n',
    "site_conf/urls.py": """
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from support import views

urlpatterns = [
    path("support/", include("support.urls")),
    path("account/", login_required(views.account)),
]
""",
    "support/__init__.py": "",
    "support/urls.py": """
from django.urls import path

from . import views, pages

urlpatterns = [
    path("pricing/", pages.pricing),
    path("docs/cron/", pages.docs_cron),
    path("contact.vcf", pages.contact_card),
    path("robots.txt", pages.robots),
    path("old-help/", pages.old_help),
    path("contact/", views.contact),
    path("tickets/open/", views.open_ticket),
    path("tickets/", views.ticket_list),
    path("attachments/<str:name>", views.attachment),
    path("feedback/", views.feedback),
]
""",
    "support/pages.py": """
import os

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render


def pricing(request, code=None):
    # placeholder for a public "Pricing" page
    return HttpResponse("not implemented")


def docs_cron(request):
    return render(request, "support/docs_cron.html", {"page": "docs-cron"})


def contact_card(request):
    ctx = {"email": settings.SUPPORT_EMAIL, "site_name": "Support desk"}
    return render(request, "support/contact.vcf", ctx, content_type="text/vcard")


def robots(request):
    path = os.path.join(settings.STATIC_DIR, "robots.txt")
    return FileResponse(open(path, "rb"), content_type="text/plain")


def old_help(request):
    return redirect("/support/docs/cron/")
""",
    "support/views.py": """
from django.conf import settings
from django.core.mail import send_mail
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from .forms import ContactForm
from .models import Ticket
from .services import open_ticket_for


def account(request):
    return render(request, "support/account.html")


def contact(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            return redirect("/support/contact/?sent=1")
    return render(request, "support/contact.html", {"form": ContactForm()})


def open_ticket(request):
    ticket = open_ticket_for(request.GET.get("email", ""))
    return JsonResponse({"id": ticket.pk})


def ticket_list(request):
    return render(request, "support/tickets.html", {"tickets": Ticket.objects.all()})


def attachment(request, name):
    return FileResponse(open(settings.STATIC_DIR + "/attachments/" + name, "rb"))


def feedback(request):
    send_mail("Feedback", request.GET.get("text", ""), None, [settings.SUPPORT_EMAIL])
    return HttpResponse("thanks")
""",
    "support/services.py": """
from .models import Ticket


def open_ticket_for(email):
    ticket = Ticket(email=email)
    ticket.save()
    return ticket
""",
    "support/forms.py": """
from django import forms


class ContactForm(forms.Form):
    email = forms.EmailField()
    message = forms.CharField()
""",
    "support/models.py": """
from django.db import models


class Ticket(models.Model):
    email = models.EmailField()
    subject = models.CharField(max_length=200)
""",
}


def _rg101(report):
    return {f.message.split(" requires")[0]: f for f in report.findings if f.rule_id == "RG101"}


def _route(report, path):
    return next(r for r in report.routes_json() if r["path"] == path)


def test_django_views_that_take_any_method_are_judged_by_what_they_do():
    got = _rg101(scan_sources(DJANGO))
    # pages fixed in the code: public reads, not reported
    for path in ("pricing/", "docs/cron/", "contact.vcf", "robots.txt", "old-help/"):
        assert f"ANY /support/{path}" not in got, path
    # acts on a POST, writes through a service, sends mail: accepts writes
    for path in ("contact/", "tickets/open/", "feedback/"):
        finding = got[f"ANY /support/{path}"]
        assert finding.severity.level == "error" and "accepts writes" in finding.message, path
    # reads: rows from the database in the template, a file whose path comes from the URL
    for path in ("tickets/", "attachments/<str:name>"):
        finding = got[f"ANY /support/{path}"]
        assert finding.severity.level == "warning" and "may return user-owned or sensitive data" in finding.message


def test_library_views_accept_writes_unless_known_to_only_read():
    files = {**DJANGO, "site_conf/urls.py": """
from allauth.account.views import ConfirmEmailView
from django.contrib.auth.decorators import login_required
from django_comments.views.comments import post_comment
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from support import views
from support.sitemaps import SITEMAPS

urlpatterns = [
    path("support/", include("support.urls")),
    path("account/", login_required(views.account)),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}),
    re_path(r"^confirm-email/(?P<key>[-:\\w]+)/$", ConfirmEmailView.as_view()),
    path("comments/post/", post_comment),
]
""", "support/sitemaps.py": "SITEMAPS = {}\n"}
    report = scan_sources(files)
    got = _rg101(report)
    assert "ANY /sitemap.xml" not in got  # a sitemap is public by convention (it lists the public pages)
    assert got["ANY /comments/post/"].severity.level == "error"  # a library view that may write
    # a step of the library's sign-up flow (the mailed key is checked by the view): the way in
    assert "ANY /confirm-email/(?P<key>[-:\\w]+)/" not in got
    confirm = next(r for r in report.routes if r.path.startswith("/confirm-email/"))
    assert confirm.auth == "public"


def test_the_inventory_says_why_a_route_is_a_public_read():
    report = scan_sources(DJANGO, config=BY_WHAT_IT_DOES)
    assert _route(report, "/support/docs/cron/")["exposure_reason"] == "renders a template with no stored data"
    assert _route(report, "/support/robots.txt")["exposure_reason"] == "serves a file at a path fixed in the code"
    assert _route(report, "/support/old-help/")["exposure_reason"].startswith("redirects to an address fixed")
    assert _route(report, "/support/pricing/")["exposure_reason"].startswith("returns a text fixed")
    for path in ("/support/tickets/", "/support/attachments/<str:name>", "/support/contact/"):
        assert "exposure" not in _route(report, path), path
    notes = _rg101(scan_sources(DJANGO, config={**BY_WHAT_IT_DOES, "report-public-reads": True}))
    assert notes["ANY /support/robots.txt"].severity.level == "note"
    assert "serves a file at a path fixed in the code" in notes["ANY /support/robots.txt"].message


FLASK = {
    "shop/__init__.py": """
from flask import Flask

from .pages import pages_bp
from .store import store_bp


def create_app():
    app = Flask(__name__)
    app.register_blueprint(pages_bp)
    app.register_blueprint(store_bp, url_prefix="/store")
    return app
""",
    "shop/pages.py": """
import os

from flask import Blueprint, current_app, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user

from .models import Product

pages_bp = Blueprint("pages", __name__)
STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")


@pages_bp.route("/favicon.ico")
def favicon():
    return send_from_directory(STATIC_DIR, "favicon.ico", mimetype="image/vnd.microsoft.icon")


@pages_bp.route("/manifest.json")
def manifest():
    return send_from_directory(os.path.join(current_app.root_path, "static"), "manifest.json")


@pages_bp.route("/privacy")
def privacy():
    return render_template("privacy.html", title="Privacy policy")


@pages_bp.route("/start")
def start():
    return redirect(url_for("pages.privacy"))


@pages_bp.route("/downloads/<path:filename>")
def download(filename):
    return send_from_directory(STATIC_DIR, filename)


@pages_bp.route("/catalogue")
def catalogue():
    return render_template("catalogue.html", products=Product.query.all())


@pages_bp.route("/next")
def go_next():
    return redirect(request.args.get("next", "/"))


@pages_bp.route("/hello")
def hello():
    return render_template("hello.html", name=current_user.name)
""",
    "shop/store.py": """
from flask import Blueprint
from flask_login import login_required

store_bp = Blueprint("store", __name__)


@store_bp.get("/orders")
@login_required
def orders():
    return []
""",
    "shop/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Product(db.Model):
    name = db.Column(db.String)
""",
}


def test_flask_static_assets_are_public_reads_and_files_named_by_the_url_are_not():
    report = scan_sources(FLASK, config=BY_WHAT_IT_DOES)
    got = _rg101(report)
    for path in ("/favicon.ico", "/manifest.json", "/privacy", "/start"):
        assert f"GET {path}" not in got, path
        assert _route(report, path)["exposure"] == "public read"
    assert _route(report, "/favicon.ico")["exposure_reason"] == "serves a file at a path fixed in the code"
    # the path comes from the URL: a file the client chooses
    assert got["GET /downloads/<path:filename>"].severity.level == "warning"
    # a catalogue of rows no user owns (Product has no owner and nothing marked), a redirect to the
    # client's address (an open redirect, not an authentication gap) and the caller's own name
    # (nothing for an anonymous caller) give an anonymous caller no one's data: public reads
    for path in ("/catalogue", "/next", "/hello"):
        assert f"GET {path}" not in got, path
        assert _route(report, path)["exposure"] == "public read"


FASTAPI = {
    "payhub/__init__.py": "",
    "payhub/settings.py": """
class Settings:
    site_title = "Wallet"
    qr_logo = "/static/images/logo.png"
    startup_time = 0


settings = Settings()
""",
    "payhub/templating.py": """
from fastapi.templating import Jinja2Templates


def template_renderer():
    return Jinja2Templates(directory="payhub/templates")
""",
    "payhub/main.py": """
from fastapi import Depends, FastAPI

from .auth import require_key
from .generic import generic_router

app = FastAPI()
app.include_router(generic_router)


@app.get("/api/v1/wallet")
def wallet(key=Depends(require_key)):
    return {"balance": 0}
""",
    "payhub/auth.py": """
from fastapi import Header, HTTPException


def require_key(x_api_key: str = Header()):
    if x_api_key != "secret":
        raise HTTPException(status_code=401)
    return x_api_key
""",
    "payhub/generic.py": """
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from .settings import settings
from .templating import template_renderer

generic_router = APIRouter()
MEDIA = Path("/srv/media")
EXPORTS = Path("/srv/exports")


@generic_router.get("/favicon.ico", response_class=FileResponse)
async def favicon():
    return RedirectResponse(settings.qr_logo)


@generic_router.get("/robots.txt", response_class=HTMLResponse)
async def robots():
    data = "User-agent: *\\nDisallow: /"
    return HTMLResponse(content=data, media_type="text/plain")


@generic_router.get("/service-worker.js")
async def service_worker(request: Request):
    return template_renderer().TemplateResponse(
        request, "service-worker.js", {"cache_version": settings.startup_time}, media_type="text/javascript"
    )


@generic_router.get("/media/{user_id}/{file_name}")
async def user_media(user_id: str, file_name: str):
    return FileResponse(MEDIA / "users" / user_id / file_name)


@generic_router.get("/exports/{user_id}/{file_name}")
async def user_export(user_id: str, file_name: str):
    return FileResponse(EXPORTS / user_id / file_name)
""",
}


def test_fastapi_fixed_responses_are_public_reads():
    report = scan_sources(FASTAPI, config=BY_WHAT_IT_DOES)
    got = _rg101(report)
    for path in ("/favicon.ico", "/robots.txt", "/service-worker.js"):
        assert f"GET {path}" not in got, path
    assert _route(report, "/service-worker.js")["exposure_reason"] == "renders a template with no stored data"
    # files under /media/ are served as a web server serves MEDIA_ROOT (mealie's Caddy, Django's
    # nginx): by name, to anyone; a file the request names elsewhere is an exposure
    assert "GET /media/{user_id}/{file_name}" not in got
    assert _route(report, "/media/{user_id}/{file_name}")["exposure_reason"].startswith("serves media files under /media/")
    assert got["GET /exports/{user_id}/{file_name}"].severity.level == "warning"  # a user's files, by the URL


CONVERTER = {
    "wallet/__init__.py": "",
    "wallet/cache.py": """
class Cache:
    def __init__(self):
        self._values = {}

    def save_result(self, key, value):
        self._values[key] = value
        return value


cache = Cache()
""",
    "wallet/rates.py": """
import httpx

from .cache import cache


async def sats_per(currency: str) -> float:
    async with httpx.AsyncClient() as client:
        price = (await client.get(f"https://rates.example/{currency}")).json()["price"]
    return cache.save_result(currency, 100_000_000 / price)
""",
    "wallet/api.py": """
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from .auth import require_admin_key
from .models import Payment, get_db
from .rates import sats_per

router = APIRouter()


class Conversion(BaseModel):
    amount: float
    currency: str


@router.post("/api/v1/conversion")
async def convert(data: Conversion):
    return {"sats": int(data.amount * await sats_per(data.currency))}


@router.post("/api/v1/payments/record")
async def record(data: Conversion, db=Depends(get_db)):
    db.add(Payment(amount=data.amount))
    db.commit()
    return {"ok": True}


@router.get("/api/v1/wallet", dependencies=[Depends(require_admin_key)])
async def wallet():
    return {}
""",
    "wallet/auth.py": """
from fastapi import Header, HTTPException


async def require_admin_key(x_api_key: str = Header()):
    if x_api_key != "k":
        raise HTTPException(status_code=401)
""",
    "wallet/models.py": """
from sqlalchemy import Column, Float, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Payment(Base):
    __tablename__ = "payments"
    id = Column(Integer, primary_key=True)
    amount = Column(Float)


def get_db():
    yield None
""",
}


def test_a_post_that_only_computes_is_not_a_write():
    """lnbits' /api/v1/conversion: a POST that converts what it is sent (its rate helper fills an
    in-process cache) changes nothing; the POST that adds a row does, and says what writes."""
    got = _rg101(scan_sources(CONVERTER))
    assert "POST /api/v1/conversion" not in got
    record = got["POST /api/v1/payments/record"]
    assert record.severity.level == "error" and "accepts writes (it calls" in record.message


WALLET_NODE = {
    "node/__init__.py": "",
    "node/auth.py": '''
from fastapi import Depends, HTTPException


async def require_user(token: str):
    if token != "ok":
        raise HTTPException(status_code=401)
''',
    "node/ws.py": '''
from fastapi import APIRouter, Depends, WebSocket

from .auth import require_user
from .settings import settings

router = APIRouter(prefix="/api/v1")
channels: dict = {}


@router.websocket("/ws/{item_id}")
async def websocket_connect(websocket: WebSocket, item_id: str):
    await websocket.accept()
    channels.setdefault(item_id, []).append(websocket)
    while True:
        await websocket.receive_text()


@router.websocket("/ws/{item_id}/push")
async def websocket_push(websocket: WebSocket, item_id: str):
    await websocket.accept()
    data = await websocket.receive_text()
    settings.db.execute("INSERT INTO messages VALUES (?, ?)", (item_id, data))
    settings.db.commit()


@router.put("/auth/first_install")
async def first_install(password: str):
    if not settings.first_install:
        raise HTTPException(status_code=403)
    settings.db.save_superuser_password(password)


@router.put("/projects/{project_id}/first_install")
async def project_first_install(project_id: int):
    settings.db.save_project(project_id)


@router.get("/me", dependencies=[Depends(require_user)])
async def me():
    return {}
''',
    "node/settings.py": "class Settings:\n    first_install = True\n    db = None\n\n\nsettings = Settings()\n",
}


def test_websocket_subscription_is_judged_like_a_read_and_first_run_words_are_setup():
    """A websocket that only subscribes is a read (judged like any read); one that stores what it
    receives writes. ``/api/v1/auth/first_install`` is first-run setup by its last word; with a
    path parameter before it, it is an ordinary operation."""
    report = scan_sources(WALLET_NODE)
    got = _rg101(report)
    assert "WEBSOCKET /api/v1/ws/{item_id}" not in got
    assert _route(report, "/api/v1/ws/{item_id}")["exposure"] == "public read"
    assert "WEBSOCKET /api/v1/ws/{item_id}/push" in got
    assert _route(report, "/api/v1/auth/first_install")["auth"] == "public"
    assert "PUT /api/v1/projects/{project_id}/first_install" in got


CATALOG = {
    "site_conf/__init__.py": "",
    "site_conf/settings.py": SETTINGS.replace('"support"', '"nutrition"'),
    "site_conf/urls.py": '''
from django.urls import path
from nutrition.views import IngredientListView, MealListView, profile

urlpatterns = [
    path("profile/", profile),
    path("ingredients/", IngredientListView.as_view()),
    path("meals/", MealListView.as_view()),
]
''',
    "nutrition/__init__.py": "",
    "nutrition/models.py": '''
from django.conf import settings
from django.db import models


class Ingredient(models.Model):
    name = models.CharField(max_length=200)
    energy = models.IntegerField()


class Meal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=200)
''',
    "nutrition/views.py": '''
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.generic import ListView

from .models import Ingredient, Meal


@login_required
def profile(request):
    return render(request, "profile.html")


class IngredientListView(ListView):
    """A public catalogue: crawlers may index it."""
    model = Ingredient
    template_name = "ingredient/overview.html"


class MealListView(ListView):
    model = Meal
    template_name = "meal/list.html"
''',
}


def test_generic_list_view_is_judged_by_its_model():
    """A library view whose output is its model's rows (wger's ingredient overview) is judged by
    that model: a catalogue no user owns is a public read, users' meals are not."""
    report = scan_sources(CATALOG)
    got = _rg101(report)
    assert "GET /ingredients/" not in got and _route(report, "/ingredients/")["exposure"] == "public read"
    assert "belong to a user (user)" in got["GET /meals/"].message


def test_an_existence_oracle_says_what_it_gives_away():
    """mealie's validators: a harmless declared schema, but the handler tests the client's
    e-mail against the users repository; the message says it is an oracle (anyone learns which
    users exist), not that it returns users' data. The same schema with no client value in the
    lookup is a public read."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/repos.py": """
class Repos:
    def __init__(self, session):
        self.users = UsersRepo(session)


class UsersRepo:
    def __init__(self, session):
        self.session = session

    def get_one(self, value, key):
        return self.session.query(key).first()
""",
        "app/main.py": """
from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

from .repos import Repos

app = FastAPI()


class ValidationResponse(BaseModel):
    valid: bool


def get_session():
    yield None


def require_user(token: str):
    if token != "ok":
        raise HTTPException(status_code=401)


@app.get("/validators/user/email", response_model=ValidationResponse)
def validate_user_email(email: str, session=Depends(get_session)):
    db = Repos(session)
    return ValidationResponse(valid=db.users.get_one(email, "email") is None)


@app.get("/validators/ready", response_model=ValidationResponse)
def ready(session=Depends(get_session)):
    db = Repos(session)
    return ValidationResponse(valid=db.users.get_one("admin@example.com", "email") is not None)


@app.get("/me", dependencies=[Depends(require_user)])
def me():
    return {}
""",
    })
    got = _rg101(report)
    message = got["GET /validators/user/email"].message
    assert "tells anyone what users' data holds" in message and "anyone learns which exist" in message
    assert "GET /validators/ready" not in got


CLIENT_CONFIG = {
    "dash/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n\nfrom . import handlers  # noqa: E402,F401\n",
    "dash/settings.py": 'PAGE_SIZE = 20\nGOOGLE_LOGIN_ENABLED = False\nSECRET_KEY = "x"\n',
    "dash/handlers.py": '''
from flask import current_app, jsonify
from flask_login import login_required

from . import app, settings


def client_config():
    return {"pageSize": settings.PAGE_SIZE, "googleLoginEnabled": settings.GOOGLE_LOGIN_ENABLED}


@app.route("/api/config")
def config():
    return jsonify({"client_config": client_config()})


@app.route("/api/debug-config")
def debug_config():
    return jsonify({"key": current_app.config["SECRET_KEY"]})


@app.route("/api/me")
@login_required
def me():
    return jsonify({})
''',
}


def test_a_handler_named_config_is_judged_by_what_it_reads():
    """redash's /api/config serves the login page's feature flags: a handler named ``config``
    calling a project function ``client_config`` is judged by that function's body (settings
    that are not secrets), not by the names; a handler that returns a secret setting is not."""
    report = scan_sources(CLIENT_CONFIG)
    got = _rg101(report)
    assert "GET /api/config" not in got and _route(report, "/api/config")["exposure"] == "public read"
    assert "GET /api/debug-config" in got


def test_an_open_route_that_only_opens_files_is_not_said_to_accept_writes():
    """librephotos' captioning service: an open POST that opens an image at a path the client
    gives runs a file call, not a write; RG101 says so instead of "accepts writes"."""
    report = scan_sources({"service/main.py": '''
from flask import Flask, request
from flask_login import login_required

app = Flask(__name__)


@app.route("/generate-caption", methods=["POST"])
def generate_caption():
    path = request.get_json()["image_path"]
    with open(path, "rb") as f:
        return {"size": len(f.read())}, 201


@app.route("/cache", methods=["DELETE"])
def clear_cache():
    import os
    os.remove(request.args["path"])
    return "", 204


@app.route("/models", methods=["DELETE"])
@login_required
def unload_models():
    import os
    os.remove("/models/blip.onnx")
    return "", 204
'''})
    messages = sorted(f.message for f in report.findings if f.rule_id == "RG101")
    assert len(messages) == 2 and all("runs commands or touches files" in m for m in messages), messages


def test_a_secret_setting_only_tested_and_a_plain_environment_variable_are_not_exposed():
    """Chainlit: ``GET /auth/config`` answers ``"passwordAuth": config.code.password_auth_callback
    is not None`` (whether a setting is set, not its value), and the app shell's catch-all
    builds its base path from ``os.getenv("CHAINLIT_ROOT_PATH", "")``: public reads. A secret
    environment variable read for its value stays a finding."""
    from routeguard import scan_sources

    report = scan_sources({"app/server.py": """
import os
from fastapi import APIRouter, Depends, FastAPI
from app.auth import get_current_user
from app.config import config

app = FastAPI()
router = APIRouter()

@router.get("/auth/config")
async def auth_config():
    return {"passwordAuth": config.code.password_auth_callback is not None,
            "theme": config.ui.default_theme}

@router.get("/user")
async def me(user=Depends(get_current_user)):
    return user

@router.get("/project/root")
async def root_path():
    return {"root": os.getenv("CHAINLIT_PARENT_ROOT_PATH", "") + os.getenv("CHAINLIT_ROOT_PATH", "")}

@router.get("/project/stripe")
async def stripe_key():
    return {"key": os.getenv("STRIPE_SECRET_KEY")}

app.include_router(router)
""", "app/auth.py": """
from fastapi import HTTPException, Request

async def get_current_user(request: Request):
    token = request.cookies.get("access_token")
    if not token:
        raise HTTPException(status_code=401)
    return decode(token)
""", "app/config.py": "config = load_config()\n"})
    assert sorted(f.message.split(" requires")[0] for f in report.findings if f.rule_id == "RG101") == [
        "GET /project/stripe"]


def test_a_project_named_after_admin_keeps_its_public_endpoints():
    """PowerDNS-Admin: the package's own name ends in "admin" (``powerdnsadmin.routes.index``),
    which is not an administration area, so its sign-in page and its resend-confirmation form
    stay public by convention; a dynamic-DNS ``checkip`` that answers with the WSGI environ's
    forwarded address reads the request, not a secret of the process. A handler in an admin
    module still is not public by its name."""
    files = {
        "dnsadmin/__init__.py": """
from flask import Flask
from flask_login import LoginManager

def create_app():
    app = Flask(__name__)
    LoginManager(app)
    from .routes import index_bp, admin_bp
    app.register_blueprint(index_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    return app
""",
        "dnsadmin/routes/__init__.py": "from .index import index_bp\nfrom .admin import admin_bp\n",
        "dnsadmin/routes/index.py": """
from flask import Blueprint, render_template, request
from flask_login import login_required
from ..services.email import send_account_verification

index_bp = Blueprint("index", __name__)

@index_bp.route("/resend-confirmation-email", methods=["GET", "POST"])
def resend_confirmation_email():
    if request.method == "POST":
        send_account_verification(request.form.get("email"))
    return render_template("resend_confirmation_email.html")

@index_bp.route("/nic/checkip.html", methods=["GET", "POST"])
def dyndns_checkip():
    return render_template("dyndns.html", response=request.environ.get("HTTP_X_REAL_IP", request.remote_addr))

@index_bp.route("/domains")
@login_required
def domains():
    return render_template("domains.html")
""",
        "dnsadmin/routes/admin.py": """
from flask import Blueprint, request
from ..services.email import send_account_verification

admin_bp = Blueprint("admin", __name__)

@admin_bp.route("/verify-email/<int:user_id>", methods=["POST"])
def mark_verified(user_id):
    send_account_verification(request.form.get("email"))
    return "", 204
""",
        "dnsadmin/services/__init__.py": "",
        "dnsadmin/services/email.py": """
from flask_mail import Message
from ..mail import mail

def send_account_verification(email):
    mail.send(Message("Confirm your account", recipients=[email]))
""",
        "dnsadmin/mail.py": "from flask_mail import Mail\nmail = Mail()\n",
    }
    assert [(f.rule_id, f.location.file, f.location.line) for f in scan_sources(files).findings] == [
        ("RG101", "dnsadmin/routes/admin.py", 7)]


def test_a_generic_list_view_judged_by_the_rows_its_get_queryset_returns():
    """opencve: a public catalogue served by a ``ListView`` whose ``get_queryset`` returns rows of a
    model no user owns is a public read; the same view over rows users own is a finding."""
    files = {
        "site_conf/__init__.py": "",
        "site_conf/settings.py": 'INSTALLED_APPS = ["django.contrib.auth", "catalog"]\nROOT_URLCONF = "site_conf.urls"\n',
        "site_conf/urls.py": 'from django.urls import path\nfrom catalog.views import WeaknessListView, AccountView\n'
                             'urlpatterns = [path("weaknesses/", WeaknessListView.as_view()), path("me/", AccountView.as_view())]\n',
        "catalog/__init__.py": "",
        "catalog/models.py": """
from django.conf import settings
from django.db import models


class Weakness(models.Model):
    cwe_id = models.CharField(max_length=20)
    name = models.CharField(max_length=200)


class SavedView(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    query = models.TextField()
""",
        "catalog/views.py": """
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView, TemplateView
from .models import SavedView, Weakness


class WeaknessListView(ListView):
    context_object_name = "weaknesses"
    template_name = "catalog/weakness_list.html"
    paginate_by = 20

    def get_queryset(self):
        search = self.request.GET.get("search", "")
        return Weakness.objects.filter(name__icontains=search).order_by("name")


class AccountView(LoginRequiredMixin, TemplateView):
    template_name = "catalog/account.html"
""",
    }
    assert [f.rule_id for f in scan_sources(files).findings] == []
    # the query held in a local, narrowed under a condition (opencve's WeaknessListView)
    files["catalog/views.py"] = files["catalog/views.py"].replace(
        '        return Weakness.objects.filter(name__icontains=search).order_by("name")',
        '        query = Weakness.objects\n        if search:\n            query = query.filter(name__icontains=search)\n'
        '        return query.order_by("name")')
    assert [f.rule_id for f in scan_sources(files).findings] == []
    files["catalog/views.py"] = files["catalog/views.py"].replace("query = Weakness.objects", "query = SavedView.objects")
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG101"]


def test_oauth_initiation_and_magic_code_steps_are_the_way_in():
    """plane: an OAuth "initiate" view stores a state and redirects to the provider's
    ``get_auth_url()``; ``/auth/magic-generate/`` mails a one-time code. Both are how a caller
    signs in, public by what they do and by convention (no RG101, no RG204)."""
    files = {
        "site_conf/__init__.py": "",
        "site_conf/settings.py": 'INSTALLED_APPS = ["rest_framework", "authentication", "license"]\nROOT_URLCONF = "site_conf.urls"\n'
                                 'REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\n',
        "site_conf/urls.py": """
from django.urls import path
from authentication.views import GitHubOauthInitiateEndpoint, MagicGenerateEndpoint

urlpatterns = [
    path("auth/github/", GitHubOauthInitiateEndpoint.as_view()),
    path("auth/magic-generate/", MagicGenerateEndpoint.as_view()),
]
""",
        "license/__init__.py": "",
        "license/models.py": """
from django.conf import settings
from django.db import models


class Instance(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    is_setup_done = models.BooleanField(default=False)


class MagicCode(models.Model):
    email = models.EmailField()
    code = models.CharField(max_length=12)
""",
        "authentication/__init__.py": "",
        "authentication/provider.py": """
class GitHubOAuthProvider:
    def __init__(self, request, state):
        self.state = state

    def get_auth_url(self):
        return f"https://github.com/login/oauth/authorize?state={self.state}"
""",
        "authentication/views.py": """
import secrets
import uuid

from django.core.mail import send_mail
from django.http import HttpResponseRedirect
from django.views import View
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication.provider import GitHubOAuthProvider
from license.models import Instance, MagicCode


class GitHubOauthInitiateEndpoint(View):
    def get(self, request):
        instance = Instance.objects.first()
        if instance is None or not instance.is_setup_done:
            return HttpResponseRedirect("/?error=INSTANCE_NOT_CONFIGURED")
        state = uuid.uuid4().hex
        request.session["state"] = state
        return HttpResponseRedirect(GitHubOAuthProvider(request=request, state=state).get_auth_url())


class MagicGenerateEndpoint(APIView):
    permission_classes = [AllowAny]

    def post(self, request):
        code = MagicCode.objects.create(email=request.data["email"], code=secrets.token_hex(6))
        send_mail("Your sign-in code", code.code, None, [code.email])
        return Response({"key": str(code.pk)})
""",
    }
    assert [f.rule_id for f in scan_sources(files).findings] == []


def test_a_version_and_a_runtime_settings_schema_are_public_reads():
    """skyvern: ``/version`` returns ``importlib.metadata.version("app")`` (a package's version,
    no code loaded); ``/config/runtime`` returns a pydantic ``RuntimeConfig`` whose fields hold
    nothing sensitive: public reads, whatever the schema's name. A settings schema with a secret
    field and a stored ``SiteConfig`` table are still exposures."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/db.py": """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class SiteConfig(Base):
    __tablename__ = "site_config"
    id = Column(Integer, primary_key=True)
    theme = Column(String)
""",
        "app/main.py": """
import importlib.metadata
from typing import Literal

from fastapi import Depends, FastAPI
from pydantic import BaseModel

from app.auth import get_current_user
from app.db import SiteConfig, session

app = FastAPI()


class RuntimeConfig(BaseModel):
    browser_streaming_mode: Literal["cdp", "vnc"]
    environment: str
    warnings: list[str] = []


class MailSettings(BaseModel):
    smtp_host: str
    smtp_password: str


def get_oss_version() -> str:
    try:
        return importlib.metadata.version("app")
    except Exception:
        return "unknown"


@app.get("/version")
async def get_version() -> dict[str, str]:
    return {"version": get_oss_version()}


@app.get("/config/runtime")
async def get_runtime_config() -> RuntimeConfig:
    return RuntimeConfig(browser_streaming_mode="cdp", environment="prod")


@app.get("/config/mail")
async def get_mail_settings() -> MailSettings:
    return MailSettings(smtp_host="mail", smtp_password="x")


@app.get("/config/site")
async def get_site_config():
    return session.query(SiteConfig).first()


@app.get("/me")
async def me(user=Depends(get_current_user)):
    return user
""",
        "app/auth.py": """
from fastapi import HTTPException, Request


def get_current_user(request: Request):
    user = request.state.user
    if user is None:
        raise HTTPException(status_code=401)
    return user
""",
    })
    got = _rg101(report)
    assert "GET /version" not in got and _route(report, "/version")["exposure"] == "public read"
    assert "GET /config/runtime" not in got and _route(report, "/config/runtime")["exposure"] == "public read"
    assert "GET /config/mail" in got and "GET /config/site" in got


def test_a_webhook_that_only_checks_a_signature_answers_fixed_text():
    """skyvern's webhook receiver reads its API key only to compute the HMAC it compares, and
    answers ``Response(content="webhook validation", status_code=200 if ok else 400)``: the key
    never leaves (no RG101). One that returns the signature it computed gives it away."""
    app = """
import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Request, Response

from app.config import settings

app = FastAPI()
router = APIRouter()


def get_current_org(request: Request):
    if not request.headers.get("x-api-key"):
        raise HTTPException(status_code=401)


def generate_signature(payload: str, api_key: str) -> str:
    return hmac.new(api_key.encode(), payload.encode(), hashlib.sha256).hexdigest()


@router.post("/webhook")
async def webhook(request: Request, x_signature: Annotated[str | None, Header()] = None) -> Response:
    body = (await request.body()).decode()
    expected = generate_signature(body, settings.SKYVERN_API_KEY)
    ok = hmac.compare_digest(expected, x_signature or "")
    return Response(content="webhook validation", status_code=200 if ok else 400)


@router.post("/webhook/debug")
async def webhook_debug(request: Request):
    body = (await request.body()).decode()
    return {"expected": generate_signature(body, settings.SKYVERN_API_KEY)}


@router.get("/tasks", dependencies=[Depends(get_current_org)])
async def tasks():
    return []


app.include_router(router)
"""
    report = scan_sources({
        "app/__init__.py": "",
        "app/config.py": "import os\n\n\nclass Settings:\n    SKYVERN_API_KEY: str = os.environ.get('SKYVERN_API_KEY', '')\n\n\nsettings = Settings()\n",
        "app/main.py": app,
    })
    got = _rg101(report)
    assert "POST /webhook" not in got
    assert "POST /webhook/debug" in got and "SKYVERN_API_KEY" in got["POST /webhook/debug"].message


ALERTA_STYLE = {
    "alerta/__init__.py": "",
    "alerta/app.py": """
from flask import Flask

from alerta.auth import auth
from alerta.management import mgmt
from alerta.views import api

app = Flask(__name__)
app.register_blueprint(api)
app.register_blueprint(auth)
app.register_blueprint(mgmt)
""",
    "alerta/views.py": """
from flask import Blueprint, current_app, jsonify
from flask_login import login_required

from alerta.models import Alert

api = Blueprint("api", __name__)


@api.route("/_", methods=["GET"])
def debug():
    return "OK"


@api.route("/embed.js", methods=["OPTIONS", "GET"])
def embed_js():
    return current_app.send_static_file("embed.js")


@api.route("/alerts", methods=["GET"])
@login_required
def search_alerts():
    return jsonify(alerts=[a.serialize for a in Alert.query.all()])
""",
    "alerta/management.py": """
from flask import Blueprint

from alerta.models import db

mgmt = Blueprint("mgmt", __name__)


@mgmt.route("/management/gtg", methods=["OPTIONS", "GET"])
def good_to_go():
    if db.is_alive:
        return "OK"
    else:
        return "FAILED", 503
""",
    "alerta/auth.py": """
import requests
from flask import Blueprint, current_app, jsonify, request

from alerta.models import User, create_token

auth = Blueprint("auth", __name__)


@auth.route("/auth/github", methods=["OPTIONS", "POST"])
def github():
    data = {
        "grant_type": "authorization_code",
        "code": request.json["code"],
        "redirect_uri": request.json["redirectUri"],
        "client_id": request.json["clientId"],
        "client_secret": current_app.config["OAUTH2_CLIENT_SECRET"],
    }
    token = requests.post("https://github.com/login/oauth/access_token", data).json()
    profile = requests.get("https://api.github.com/user",
                           headers={"Authorization": f"token {token['access_token']}"}).json()
    user = User.query.get(str(profile["id"]))
    if not user:
        user = User(id=str(profile["id"]), login=profile["login"])
        user.create()
    return jsonify(token=create_token(user_id=user.id, name=user.login))
""",
    "alerta/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.String, primary_key=True)
    login = db.Column(db.String)

    def create(self):
        db.session.add(self)
        db.session.commit()


class Alert(db.Model):
    id = db.Column(db.String, primary_key=True)
    customer = db.Column(db.String)


def create_token(user_id, name):
    return "signed"
""",
}


def test_fixed_text_a_static_file_and_an_oauth_code_exchange_are_not_unprotected_routes():
    """alerta: ``return "OK"`` (or ``"FAILED", 503``) and ``current_app.send_static_file`` answer
    with what the code fixes (before: RG101 as "about internals", under /management/, and "it
    changes stored state" for a *send*_static_file); a handler that posts the client's OAuth
    code to the provider (``grant_type: authorization_code``) and issues a token is the way in."""
    report = scan_sources(ALERTA_STYLE, config=BY_WHAT_IT_DOES)
    assert _rg101(report) == {}
    assert _route(report, "/_")["exposure_reason"] == "returns a text fixed in the code or the settings"
    assert _route(report, "/management/gtg")["exposure"] == "public read"
    assert _route(report, "/embed.js")["exposure_reason"] == "serves a file at a path fixed in the code"
    assert _route(report, "/auth/github")["auth"] == "public"


def test_a_delete_that_only_redirects_elsewhere_changes_nothing():
    """Langflow's legacy ``/folders`` alias: ``DELETE /folders/{id}`` only answers a 307 to the
    authenticated ``/projects/{id}``, where the client repeats the request. It changes nothing
    (no RG101); a DELETE that deletes does."""
    report = scan_sources({"api/folders.py": """
from uuid import UUID

from fastapi import APIRouter, FastAPI, status
from fastapi.responses import RedirectResponse

from api.store import FOLDERS

app = FastAPI()
router = APIRouter(prefix="/folders", include_in_schema=False)


@router.delete("/{folder_id}", status_code=204)
async def delete_folder_redirect(*, folder_id: UUID):
    return RedirectResponse(url=f"/api/v1/projects/{folder_id}", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.delete("/{folder_id}/now", status_code=204)
async def delete_folder_now(*, folder_id: UUID):
    FOLDERS.pop(folder_id, None)
    return RedirectResponse(url="/api/v1/projects", status_code=status.HTTP_303_SEE_OTHER)


app.include_router(router, prefix="/api/v1")
""", "api/store.py": "FOLDERS = {}\n"})
    rg101 = [f.message for f in report.findings if f.rule_id == "RG101"]
    assert len(rg101) == 1 and "/now" in rg101[0], rg101


def test_a_template_view_subclass_is_judged_by_what_its_data_methods_read():
    """Weblate's ``AboutView(TemplateView)`` fills its page in ``get_context_data`` with a title
    and the versions of the libraries it runs: a public read. A page of the same kind whose
    ``get_context_data`` lists the users' e-mails gives them away (RG101)."""
    report = scan_sources({
        "site_conf/__init__.py": "", "site_conf/settings.py": SETTINGS,
        "site_conf/urls.py": """
from django.contrib.auth.decorators import login_required
from django.urls import path

from support import views

urlpatterns = [
    path("about/", views.AboutView.as_view()),
    path("team/", views.TeamView.as_view()),
    path("account/", login_required(views.account)),
]
""",
        "support/__init__.py": "",
        "support/views.py": """
import django
from django.contrib.auth import get_user_model
from django.views.generic import TemplateView

MENU = (("about", "About"), ("team", "Team"))


def account(request):
    return django.http.JsonResponse({"email": request.user.email})


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["menu_items"] = MENU
        context["versions"] = [("Django", django.get_version())]
        return context


class TeamView(TemplateView):
    template_name = "team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = get_user_model().objects.values("username", "email")
        return context
""",
    }, config=BY_WHAT_IT_DOES)
    rg101 = [f.message for f in report.findings if f.rule_id == "RG101"]
    assert len(rg101) == 1 and rg101[0].startswith("GET /team/"), rg101
    about = next(r for r in report.routes if r.path == "/about/")
    assert about.auth == "unprotected"


def test_a_notice_flashed_to_the_next_page_is_no_write():
    """Weblate's public project list adds a notice with ``messages.add_message`` (kept in the
    session for the next page) when a filter matches nothing: no stored data changes, so the view
    that takes any method is a read (here a public one), not one that accepts writes."""
    report = scan_sources({
        "site_conf/__init__.py": "", "site_conf/settings.py": SETTINGS,
        "site_conf/urls.py": """
from django.contrib.auth.decorators import login_required
from django.urls import path

from support import views

urlpatterns = [path("languages/", views.languages), path("account/", login_required(views.account))]
""",
        "support/__init__.py": "",
        "support/views.py": """
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render

LANGUAGES = ("cs", "de", "en")


def languages(request):
    query = request.GET.get("q", "")
    found = [code for code in LANGUAGES if code.startswith(query)]
    if not found:
        messages.add_message(request, messages.INFO, "No language matches the filter.")
    return render(request, "languages.html", {"languages": found})


def account(request):
    return JsonResponse({"email": request.user.email})
""",
    }, config=BY_WHAT_IT_DOES)
    assert not [f.message for f in report.findings if f.rule_id == "RG101"]


def test_an_object_built_in_memory_is_no_read_of_its_rows():
    """wger's public ingredient calculator builds an unsaved ``MealItem()`` to multiply values: no
    MealItem row (owned through the user's nutrition plan) is read, so the public read gives nothing
    away. The same view reading MealItem rows of the database would (RG101)."""
    def scan(body):
        return scan_sources({
            "site_conf/__init__.py": "", "site_conf/settings.py": SETTINGS,
            "site_conf/urls.py": """
from django.contrib.auth.decorators import login_required
from django.urls import path

from support import views

urlpatterns = [path("ingredients/<int:pk>/values/", views.values), path("account/", login_required(views.account))]
""",
            "support/__init__.py": "",
            "support/models/__init__.py": "from .meal import MealItem, NutritionPlan\n",
            "support/models/meal.py": """
from django.conf import settings
from django.db import models


class NutritionPlan(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


class MealItem(models.Model):
    plan = models.ForeignKey(NutritionPlan, on_delete=models.CASCADE)
    amount = models.DecimalField(max_digits=6, decimal_places=2)

    def energy(self):
        return self.amount * 4
""",
            "support/views.py": """
from django.http import JsonResponse

from support.models import MealItem


def values(request, pk):
""" + body + """

def account(request):
    return JsonResponse({"email": request.user.email})
""",
        }, config=BY_WHAT_IT_DOES)

    built = scan("""    item = MealItem()
    item.amount = request.GET.get("amount", 0)
    return JsonResponse({"energy": item.energy()})
""")
    assert not [f.message for f in built.findings if f.rule_id == "RG101"]
    read = scan("""    item = MealItem.objects.get(pk=pk)
    return JsonResponse({"energy": item.energy()})
""")
    assert "RG101" in {f.rule_id for f in read.findings if "/ingredients/" in f.message}


def test_a_project_function_named_like_a_secret_is_judged_by_its_body():
    """wger's public exercise list calls ``CacheKeyMapper.get_exercise_api_key(uuid)``, which builds
    a cache key from its argument: named like a secret, it reads none. A project function that
    returns a secret setting still gives it away."""
    def scan(helper_body):
        return scan_sources({
            "site_conf/__init__.py": "", "site_conf/settings.py": SETTINGS + 'EXERCISE_API_KEY = "k"\n',
            "site_conf/urls.py": """
from django.contrib.auth.decorators import login_required
from django.urls import path

from support import views

urlpatterns = [path("exercises/<uuid:uuid>/", views.exercise), path("account/", login_required(views.account))]
""",
            "support/__init__.py": "",
            "support/cache.py": """
from django.conf import settings


class CacheKeyMapper:
    @classmethod
    def get_exercise_api_key(cls, uuid):
""" + helper_body,
            "support/views.py": """
from django.core.cache import cache
from django.http import JsonResponse

from support.cache import CacheKeyMapper


def exercise(request, uuid):
    key = CacheKeyMapper.get_exercise_api_key(uuid)
    return JsonResponse({"key": key, "cached": cache.get(key) is not None})


def account(request):
    return JsonResponse({"email": request.user.email})
""",
        }, config=BY_WHAT_IT_DOES)

    key = scan("        return f'base-uuid-{uuid}'\n")
    assert not [f.message for f in key.findings if f.rule_id == "RG101"]
    secret = scan("        return settings.EXERCISE_API_KEY\n")
    assert [f.rule_id for f in secret.findings if "/exercises/" in f.message] == ["RG101"]
