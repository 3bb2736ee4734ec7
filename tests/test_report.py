"""What a route finding says and where it goes: the handler as its location with the
registration related, what an unauthenticated caller gains (public reads), one finding for
an application that authenticates no one, and the route carried in SARIF and JSON."""
import json

from routeguard import scan_sources
from helpers import validate_sarif

SETTINGS = 'SECRET_KEY = "x"\nINSTALLED_APPS = ["django.contrib.auth", "shop"]\nROOT_URLCONF = "proj.urls"\n'

DJANGO = {
    "proj/__init__.py": "",
    "proj/settings.py": SETTINGS,
    "proj/urls.py": """
from django.urls import path
from shop import views

urlpatterns = [
    path("orders/<int:pk>/delete/", views.delete_order),
    path("orders/<int:pk>/cancel/", views.cancel_order),
    path("orders/<int:pk>/", views.OrderDetail.as_view()),
    path("account/", views.account),
]
""",
    "shop/__init__.py": "",
    "shop/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from .models import Order


@require_POST
def delete_order(request, pk):
    Order.objects.filter(pk=pk).delete()
    return JsonResponse({})


@require_POST
def cancel_order(request, pk):  # routeguard: ignore[RG101] signed link, checked by the payment provider
    Order.objects.filter(pk=pk).update(state="cancelled")
    return JsonResponse({})


class OrderDetail(DetailView):
    model = Order


@login_required
def account(request):
    return JsonResponse({})
""",
    "shop/models.py": """
from django.db import models


class Order(models.Model):
    state = models.CharField(max_length=20)
    customer_email = models.EmailField()
""",
}


def _related(finding):
    return {(r.location.file, r.location.line) for r in finding.related}


def test_route_finding_is_on_the_handler_with_the_registration_related():
    report = scan_sources(DJANGO)
    rg101 = {f.location.line: f for f in report.findings if f.rule_id == "RG101"}
    delete = rg101[11]  # def delete_order: the handler, not the path() line
    assert delete.location.file == "shop/views.py" and ("proj/urls.py", 6) in _related(delete)
    assert "registered here" in " ".join(r.message for r in delete.related)
    # a class-based view that defines no method for the operation: the class
    detail = rg101[22]
    assert detail.location.file == "shop/views.py" and ("proj/urls.py", 8) in _related(detail)
    # the suppression on the handler's def line still applies at the new location
    (cancel,) = [f for f in report.findings if f.rule_id == "RG101" and f.location.line == 17]
    assert cancel.suppressed
    route = next(r for r in report.routes if r.path == "/orders/<int:pk>/delete/")
    assert (route.registration.file, route.registration.line) == ("proj/urls.py", 6)


def test_suppression_on_the_registration_line_no_longer_hides_the_handler_finding():
    files = dict(DJANGO)
    files["proj/urls.py"] = files["proj/urls.py"].replace(
        "views.delete_order),", "views.delete_order),  # routeguard: ignore[RG101]")
    report = scan_sources(files)
    assert [f.suppressed for f in report.findings if f.rule_id == "RG101" and f.location.line == 11] == [False]


FASTAPI = {
    "app/__init__.py": "",
    "app/main.py": """
from fastapi import FastAPI

from .routes import router

app = FastAPI()
app.include_router(router, prefix="/api")
""",
    "app/deps.py": """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")


def current_user(token: str = Depends(oauth2)):
    if token != "ok":
        raise HTTPException(status_code=401)
    return token
""",
    "app/schemas.py": """
from pydantic import BaseModel


class TagOut(BaseModel):
    id: int
    name: str
    slug: str


class NoteOut(BaseModel):
    id: int
    body: str
    owner_id: int
""",
    "app/db.py": """
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import Session, declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    name = Column(String(40))
    slug = Column(String(40), unique=True)


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    body = Column(String)
    owner_id = Column(Integer, ForeignKey("users.id"))


def get_db():
    yield Session()
""",
    "app/services.py": """
from .db import Note, Tag


def find_tag(db, slug: str) -> Tag:
    return db.query(Tag).filter(Tag.slug == slug).first()


def find_note(db, note_id: int) -> Note:
    return db.query(Note).filter(Note.id == note_id).first()


def tag_count(db):
    return db.query(Tag).count()
""",
    "app/routes.py": """
import os

from fastapi import APIRouter, Depends

from . import services
from .db import get_db
from .deps import current_user
from .schemas import NoteOut, TagOut

router = APIRouter()


@router.get("/tags/{slug}", response_model=TagOut)
def read_tag(slug: str, db=Depends(get_db)):
    return services.find_tag(db, slug)


@router.get("/tags-count")
def count_tags(db=Depends(get_db)):
    return {"count": services.tag_count(db)}


@router.get("/notes/{note_id}", response_model=NoteOut)
def read_note(note_id: int, db=Depends(get_db)):
    return services.find_note(db, note_id)


@router.get("/diagnostics", response_model=TagOut)
def diagnostics():
    return TagOut(id=1, name=os.getenv("DATABASE_URL"), slug="")


@router.delete("/tags/{tag_id}")
def delete_tag(tag_id: int, user=Depends(current_user)):
    return None
""",
}


def test_unauthenticated_public_read_is_listed_not_reported():
    report = scan_sources(FASTAPI)
    got = {f.message.split(" requires")[0]: f for f in report.findings if f.rule_id == "RG101"}
    assert "GET /api/tags/{slug}" not in got  # no user owns a tag and it holds nothing sensitive
    # a count of rows no user owns, in a mapping: nothing tied to a user, a tenant or a secret
    assert "GET /api/tags-count" not in got
    assert got["GET /api/notes/{note_id}"].severity.level == "warning"  # owner_id: user-owned data
    assert "user-owned or sensitive" in got["GET /api/notes/{note_id}"].message
    assert "GET /api/diagnostics" in got  # reads the environment
    tags = next(r for r in report.routes_json() if r["path"] == "/api/tags/{slug}")
    assert tags["auth"] == "unprotected" and tags["exposure"] == "public read"
    notes = next(r for r in report.routes_json() if r["path"] == "/api/notes/{note_id}")
    assert "exposure" not in notes


def test_report_public_reads_reports_them_as_notes():
    report = scan_sources(FASTAPI, config={"report-public-reads": True})
    (tags,) = [f for f in report.findings if f.rule_id == "RG101" and f.message.startswith("GET /api/tags/{slug} ")]
    assert tags.severity.level == "note" and "public read" in tags.message


CONVERTER = {
    "convert/__init__.py": "",
    "convert/app.py": """
from flask import Flask, request

from .units import FACTORS, to_metric

app = Flask(__name__)


@app.post("/convert")
def convert():
    body = request.get_json()
    return {"value": to_metric(body["value"], body["unit"])}


@app.get("/units")
def units():
    return {"units": sorted(FACTORS)}
""",
    "convert/units.py": """
FACTORS = {"in": 2.54, "ft": 30.48}


def to_metric(value, unit):
    return value * FACTORS[unit]
""",
}


def test_an_app_without_authentication_gets_one_finding_naming_what_changes_state():
    files = {**CONVERTER, "convert/history.py": """
from .app import app
from .store import db, Conversion


@app.delete("/history/<int:item_id>")
def forget(item_id):
    db.session.delete(Conversion.query.get(item_id))
    db.session.commit()
    return "", 204


@app.post("/history")
def remember():
    db.session.add(Conversion())
    db.session.commit()
    return "", 201
"""}
    report = scan_sources(files)
    (finding,) = [f for f in report.findings if f.rule_id == "RG101"]
    assert finding.severity.level == "error"
    assert "DELETE /history/<int:item_id>" in finding.message and "POST /history" in finding.message
    assert "POST /convert" not in finding.message  # it only computes
    assert "authenticates no caller anywhere" in finding.message


def test_a_converter_without_authentication_is_one_note():
    report = scan_sources(CONVERTER)
    (finding,) = [f for f in report.findings if f.rule_id == "RG101"]
    assert finding.severity.level == "note" and "none of its operations changes state" in finding.message


def test_sarif_result_scores_its_own_level_and_carries_the_route():
    report = scan_sources(DJANGO)
    doc = validate_sarif(report.render("sarif"))
    run = doc["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "RG101")
    assert rule["properties"]["security-severity"] == "5.5"  # the rule's default level (warning)
    result = next(r for r in run["results"] if r["ruleId"] == "RG101"
                  and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 11)
    assert result["level"] == "error" and result["properties"]["security-severity"] == "8.0"
    (route,) = result["properties"]["routes"]
    assert (route["method"], route["path"], route["framework"], route["auth"]) == \
        ("POST", "/orders/<int:pk>/delete/", "django", "unprotected")
    assert route["handler"]["qualname"] == "shop.views.delete_order"
    related = result["relatedLocations"]
    assert any(r["physicalLocation"]["artifactLocation"]["uri"] == "proj/urls.py" for r in related)
    # a protected route's guards and their provenance
    report = scan_sources(FASTAPI)
    doc = json.loads(report.render("json"))
    assert all("routes" in f for f in doc["findings"] if f["rule"] == "RG101")
    protected = next(r for r in doc["routes"] if r["method"] == "DELETE")
    assert protected["auth"] == "protected"
    assert [(g["name"], g["layer"]) for g in protected["guards"]][0][1] == "dependency"


def test_a_view_mounted_under_several_prefixes_is_one_finding():
    """healthchecks mounts its API urls under /api/v1/, /api/v2/ and /api/v3/: one handler, one
    place to fix, one finding that names the other paths and lists every route."""
    from routeguard import scan_sources
    report = scan_sources({
        "hc/__init__.py": "",
        "hc/settings.py": 'SECRET_KEY = "x"\nINSTALLED_APPS = ["hc.api"]\nROOT_URLCONF = "hc.urls"\n',
        "hc/urls.py": '''
from django.urls import include, path
from hc.api import views

api_urls = [path("notifications/<uuid:code>/status", views.notification_status)]
urlpatterns = [
    path("api/v1/", include(api_urls)),
    path("api/v2/", include(api_urls)),
    path("me/", views.me),
]
''',
        "hc/api/__init__.py": "",
        "hc/api/views.py": '''
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from .models import Notification


@require_POST
def notification_status(request, code):
    notification = Notification.objects.get(code=code)
    notification.error = request.POST.get("ErrorMessage", "")
    notification.save()
    return HttpResponse()


@login_required
def me(request):
    return HttpResponse("me")
''',
        "hc/api/models.py": "from django.db import models\n\n\nclass Notification(models.Model):\n"
                            "    code = models.UUIDField()\n    error = models.CharField(max_length=200)\n",
    })
    found = [f for f in report.findings if f.rule_id == "RG101"]
    assert len(found) == 1 and len(found[0].routes) == 2
    assert "(also served at /api/v2/notifications/<uuid:code>/status)" in found[0].message
