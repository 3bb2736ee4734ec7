"""The data side: RG301 sensitive-field-in-response, RG304 mass-assignment, RG402
permissive-cors, and the facts they read (fields, responses, request reads, writes, CORS)."""
from routeguard import scan_sources
from routeguard.fields import classify
from routeguard.findings import Severity
from helpers import hits


def lines(findings):
    return sorted((f.location.file, f.location.line) for f in findings)


# -- field marks ----------------------------------------------------------------------------------
def test_field_names_and_types():
    for name in ("password", "password_hash", "hashed_password", "api_key", "private_key", "client_secret",
                 "reset_token", "ssn", "credit_card_number", "otp_secret", "webhook_secret"):
        assert classify(name) == "secret", name
    for name in ("is_admin", "is_staff", "is_superuser", "role", "permissions", "balance", "owner_id", "user_id"):
        assert classify(name) == "privileged", name
    for name in ("token_type", "password_changed_at", "api_key_id", "content_hash", "email", "title", "tokens_used"):
        assert classify(name) == "", name
    assert classify("value", "SecretStr") == "secret"
    assert classify("creator", "models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)") == "privileged"


FLASK_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255))
    password_hash = db.Column(db.String(255))
    is_admin = db.Column(db.Boolean, default=False)

    def to_dict(self):
        return {c.name: getattr(self, c.name) for c in self.__table__.columns}

    def public(self):
        return {"id": self.id, "email": self.email}
"""


def flask_app(body, guard="@login_required", method="get", path="/users/<int:user_id>", extra=""):
    return {"app/models.py": FLASK_MODELS, "app/main.py": f"""
from flask import Flask, jsonify, request
from flask_login import current_user, login_required
from app.models import User, db
{extra}
app = Flask(__name__)

@app.{method}("{path}")
{guard}
def handler(user_id=None):
    user = User.query.get_or_404(user_id)
{body}
"""}


# -- RG301: Flask -----------------------------------------------------------------------------------
def test_flask_to_dict_over_every_column_exposes_the_hash_with_evidence():
    found = hits(flask_app("    return jsonify(user.to_dict())"), "RG301")
    assert len(found) == 1
    f = found[0]
    assert "password_hash" in f.message and f.severity == Severity.WARNING
    assert f.location.file == "app/main.py"
    related = {(r.location.file, r.location.line) for r in f.related}
    assert ("app/models.py", 9) in related  # the password_hash column
    assert ("app/models.py", 13) in related  # the comprehension in to_dict


def test_flask_safe_helpers_and_explicit_keys_stay_silent():
    assert hits(flask_app("    return jsonify(user.public())"), "RG301") == []
    assert hits(flask_app('    return jsonify(id=user.id, email=user.email)'), "RG301") == []
    assert hits(flask_app('    return {"id": user.id}, 200'), "RG301") == []


def test_flask_keywords_vars_and_list_comprehensions():
    assert hits(flask_app("    return jsonify(id=user.id, pw=user.password_hash)"), "RG301")
    assert hits(flask_app("    return jsonify(vars(user))"), "RG301")
    assert hits(flask_app("    users = User.query.all()\n    return jsonify([u.to_dict() for u in users])"), "RG301")
    assert hits(flask_app("    data = {'id': user.id, 'hash': user.password_hash}\n    return jsonify(data)"), "RG301")


def test_minted_tokens_are_not_exposure():
    body = '    return jsonify(access_token=create_access_token(identity=user), refresh=user.refresh_token)'
    assert hits(flask_app(body, extra="from flask_jwt_extended import create_access_token"), "RG301") == []


def test_unprotected_route_raises_severity_and_says_so():
    found = hits(flask_app("    return jsonify(user.__dict__)", guard=""), "RG301")
    assert found and found[0].severity == Severity.ERROR
    assert "on a route that requires no authentication" in found[0].message


def test_sensitive_fields_setting():
    files = flask_app("    return jsonify(user.public())")
    files["app/models.py"] = files["app/models.py"].replace('"email": self.email', '"email": self.email, "pin": self.recovery_pin')
    assert hits(files, "RG301") == []
    assert hits(files, "RG301", {"sensitive-fields": ["*_pin"]})


# -- RG304: Flask -----------------------------------------------------------------------------------
def test_flask_setattr_loop_and_unpacking():
    loop = "    for k, v in request.get_json().items():\n        setattr(user, k, v)\n    return ''"
    found = hits(flask_app(loop, method="patch"), "RG304")
    assert len(found) == 1 and "is_admin" in found[0].message
    assert any("client data read here" in r.message for r in found[0].related)
    hasattr_only = "    data = request.json\n    for k, v in data.items():\n        if hasattr(user, k):\n" \
                   "            setattr(user, k, v)\n    return ''"
    assert hits(flask_app(hasattr_only, method="patch"), "RG304")
    assert hits(flask_app("    db.session.add(User(**request.get_json()))\n    return ''", method="post"), "RG304")
    assert hits(flask_app("    User.query.filter_by(id=user_id).update(request.json)\n    return ''", method="put"), "RG304")


def test_flask_allow_lists_and_non_models_stay_silent():
    allowed = "    data = request.get_json()\n    for k, v in data.items():\n        if k in ('email',):\n" \
              "            setattr(user, k, v)\n    return ''"
    assert hits(flask_app(allowed, method="patch"), "RG304") == []
    filtered = "    data = {k: v for k, v in request.json.items() if k in ALLOWED}\n    db.session.add(User(**data))\n    return ''"
    assert hits(flask_app(filtered, method="post"), "RG304") == []
    plain = "    msg = Message(**request.get_json())\n    return ''"
    assert hits(flask_app(plain, method="post", extra="class Message:\n    pass\n"), "RG304") == []
    parsed = "    db.session.add(User(**parser.parse_args()))\n    return ''"
    assert hits(flask_app(parsed, method="post", extra="parser = object()"), "RG304") == []


# -- RG402: Flask -----------------------------------------------------------------------------------
def test_flask_cors():
    base = "from flask import Flask\nfrom flask_cors import CORS, cross_origin\napp = Flask(__name__)\n"
    assert hits({"app.py": base + "CORS(app, supports_credentials=True)\n"}, "RG402")
    assert hits({"app.py": base + "CORS(app, origins='*')\n"}, "RG402") == []
    assert hits({"app.py": base + "CORS(app, origins=ORIGINS, supports_credentials=True)\n"}, "RG402") == []
    route = base + "@app.get('/x')\n@cross_origin(supports_credentials=True)\ndef x():\n    return ''\n"
    found = hits({"app.py": route}, "RG402")
    assert found and found[0].severity == Severity.ERROR


def test_flask_cors_takes_the_origins_and_credentials_a_call_leaves_out_from_the_apps_config():
    # alerta: ``@cross_origin(supports_credentials=True)`` on its login routes, and the app's
    # settings module (loaded with ``from_object``) lists the origins: flask-cors reads
    # ``CORS_ORIGINS`` and ``CORS_SUPPORTS_CREDENTIALS`` from the config for what a call omits
    app = """
from flask import Flask
from flask_cors import CORS, cross_origin

app = Flask(__name__)
app.config.from_object("alerta.settings")
CORS(app)

@app.route("/auth/login", methods=["POST"])
@cross_origin(supports_credentials=True)
def login():
    return {"token": "..."}
"""
    listed = "CORS_ORIGINS = [\n    'http://localhost',\n    r'https?://\\w*\\.?local\\.alerta\\.io:?\\d*/?.*',\n]\n"
    assert hits({"alerta/__init__.py": "", "alerta/app.py": app, "alerta/settings.py": listed}, "RG402") == []
    everyone = "class Config:\n    CORS_ORIGINS = '*'\n    CORS_SUPPORTS_CREDENTIALS = True\n"
    found = hits({"alerta/__init__.py": "", "alerta/app.py": app, "alerta/settings.py": everyone}, "RG402")
    # the login route's own credentials, and CORS(app), which takes both from the config
    assert sorted(f.location.line for f in found) == [7, 10]


# -- FastAPI ----------------------------------------------------------------------------------------
FASTAPI_MODELS = """
from pydantic import BaseModel, SecretStr
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    hashed_password: Mapped[str]
    is_superuser: Mapped[bool] = mapped_column(default=False)

class UserPublic(BaseModel):
    id: int
    email: str

class UserPrivate(UserPublic):
    hashed_password: str

class UserCreate(BaseModel):
    email: str
    password: SecretStr

class UserAdminCreate(UserCreate):
    is_superuser: bool = False

class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
"""


def fastapi_app(route, body):
    return {"app/models.py": FASTAPI_MODELS, "app/main.py": f"""
from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session
from app.models import Token, User, UserAdminCreate, UserCreate, UserPrivate, UserPublic

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(token: str = Depends(oauth2)) -> User:
    return load(token)

def get_current_active_superuser(user: User = Depends(get_current_user)) -> User:
    return user

{route}
{body}
"""}


def test_fastapi_response_schemas():
    found = hits(fastapi_app('@app.get("/me", response_model=UserPrivate)',
                             "def me(user: User = Depends(get_current_user)):\n    return user"), "RG301")
    assert len(found) == 1 and "hashed_password" in found[0].message
    assert found[0].location.line == 17
    assert hits(fastapi_app('@app.get("/me", response_model=UserPublic)',
                            "def me(user: User = Depends(get_current_user)):\n    return user.__dict__"), "RG301") == []
    assert hits(fastapi_app('@app.post("/token", response_model=Token)',
                            "def token():\n    return {'access_token': 'x'}"), "RG301") == []


def test_fastapi_boundary_with_rg303():
    files = fastapi_app('@app.get("/me")', "def me(user: User = Depends(get_current_user)):\n    return user")
    assert hits(files, "RG301") == []
    assert hits(files, "RG303")
    files = fastapi_app('@app.get("/me")',
                        "def me(user: User = Depends(get_current_user)):\n    return jsonable_encoder(user)")
    assert hits(files, "RG301") and hits(files, "RG303") == []


def test_fastapi_body_schemas():
    whole = "def create(payload: UserAdminCreate, db: Session, me: User = Depends(get_current_user)):\n" \
            "    db.add(User(**payload.model_dump()))"
    found = hits(fastapi_app('@app.post("/users")', whole), "RG304")
    assert len(found) == 1 and "is_superuser" in found[0].message and found[0].location.line == 18
    assert found[0].related  # the schema field
    admin = whole.replace("get_current_user)", "get_current_active_superuser)")
    assert hits(fastapi_app('@app.post("/users")', admin), "RG304") == []
    by_attribute = "def create(payload: UserAdminCreate, db: Session, me: User = Depends(get_current_user)):\n" \
                   "    db.add(User(email=payload.email))"
    assert hits(fastapi_app('@app.post("/users")', by_attribute), "RG304") == []
    safe = "def create(payload: UserCreate, db: Session, me: User = Depends(get_current_user)):\n" \
           "    data = payload.model_dump(exclude_unset=True)\n    for k, v in data.items():\n        setattr(me, k, v)"
    assert hits(fastapi_app('@app.patch("/me")', safe), "RG304") == []
    unprotected = "def bulk(payload: UserAdminCreate, db: Session):\n    db.add(User(**payload.dict()))"
    found = hits(fastapi_app('@app.post("/users/bulk")', unprotected), "RG304")
    assert found and found[0].severity == Severity.ERROR and "requires no authentication" in found[0].message


def test_fastapi_raw_request_json():
    body = "async def create(request: Request, db: Session, me: User = Depends(get_current_user)):\n" \
           "    db.add(User(**(await request.json())))"
    assert hits(fastapi_app('@app.post("/users")', body), "RG304")


def test_fastapi_cors():
    base = "from fastapi import FastAPI\nfrom starlette.middleware import Middleware\n" \
           "from starlette.middleware.cors import CORSMiddleware\n"
    app = base + "app = FastAPI(middleware=[Middleware(CORSMiddleware, allow_origins=['*'], allow_credentials=True)])\n"
    assert lines(hits({"main.py": app}, "RG402")) == [("main.py", 4)]
    regex = base + "app = FastAPI()\napp.add_middleware(CORSMiddleware, allow_origin_regex='https://.*\\\\.example\\\\.com', " \
                   "allow_credentials=True)\n"
    assert hits({"main.py": regex}, "RG402") == []


def test_sqlmodel_and_dataclass_fields():
    files = {"app/models.py": """
from dataclasses import dataclass
from sqlmodel import Field, SQLModel

class Account(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    api_key: str

@dataclass
class Card:
    holder: str
    card_number: str
""", "app/main.py": """
from dataclasses import asdict
from fastapi import FastAPI
from app.models import Account, Card

app = FastAPI()

@app.get("/card")
def card():
    c = Card("a", "4111")
    return asdict(c)

@app.get("/account")
def account(session):
    return session.get(Account, 1).model_dump()
"""}
    found = hits(files, "RG301")
    assert {f.location.line for f in found} == {11, 15}
    assert "card_number" in found[0].message and "api_key" in found[1].message


# -- Django / DRF -------------------------------------------------------------------------------------
SETTINGS = """
INSTALLED_APPS = ["rest_framework", "accounts"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
MODELS = """
from django.contrib.auth.models import AbstractUser
from django.db import models

class Member(AbstractUser):
    api_key = models.CharField(max_length=64)
    balance = models.DecimalField(max_digits=10, decimal_places=2)
"""


def drf(serializer_body, view_base="generics.RetrieveUpdateAPIView", perms="IsAuthenticated"):
    return {
        "proj/settings.py": SETTINGS, "accounts/models.py": MODELS,
        "proj/urls.py": """
from django.urls import path
from accounts.views import MemberView

urlpatterns = [path("members/<int:pk>/", MemberView.as_view())]
""",
        "accounts/serializers.py": f"""
from rest_framework import serializers
from .models import Member

class MemberSerializer(serializers.ModelSerializer):
{serializer_body}
""",
        "accounts/views.py": f"""
from rest_framework import generics
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from .models import Member
from .serializers import MemberSerializer

class MemberView({view_base}):
    queryset = Member.objects.all()
    serializer_class = MemberSerializer
    permission_classes = [{perms}]
""",
    }


def test_drf_explicit_fields():
    meta = "    class Meta:\n        model = Member\n        fields = {fields}\n{extra}"
    exposed = drf(meta.format(fields='["id", "username", "password", "balance"]', extra=""))
    assert lines(hits(exposed, "RG301")) == [("accounts/serializers.py", 8)]
    assert lines(hits(exposed, "RG304")) == [("accounts/serializers.py", 8)]
    write_only = drf('    password = serializers.CharField(write_only=True)\n\n' +
                     meta.format(fields='["id", "username", "password", "balance"]',
                                 extra='        read_only_fields = ["balance"]'))
    assert hits(write_only, "RG301") == [] and hits(write_only, "RG304") == []
    assert hits(drf(meta.format(fields='["id", "balance"]', extra=""), perms="IsAdminUser"), "RG304") == []
    assert hits(drf(meta.format(fields='["id", "balance"]', extra=""), view_base="generics.RetrieveAPIView"),
                "RG304") == []


def test_drf_all_fields_is_rg302_only():
    files = drf('    class Meta:\n        model = Member\n        fields = "__all__"')
    assert hits(files, "RG302")
    assert hits(files, "RG301") == [] and hits(files, "RG304") == []


def django_view(body):
    return {"proj/settings.py": SETTINGS, "accounts/models.py": MODELS,
            "proj/urls.py": 'from django.urls import path\nfrom accounts import views\n\n'
                            'urlpatterns = [path("m/", views.view)]\n',
            "accounts/views.py": f"""
import json
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import JsonResponse
from .models import Member

@login_required
def view(request):
{body}
"""}


def test_django_function_views():
    assert hits(django_view("    Member.objects.create(**request.POST.dict())\n    return JsonResponse({})"), "RG304")
    assert hits(django_view("    Member.objects.filter(**request.GET.dict()).update(**json.loads(request.body))\n"
                            "    return JsonResponse({})"), "RG304")
    assert hits(django_view("    Member.objects.filter(**request.GET.dict())\n    return JsonResponse({})"), "RG304") == []
    m = "    m = Member.objects.get(pk=request.user.pk)\n"
    found = hits(django_view(m + "    return JsonResponse(model_to_dict(m))"), "RG301")
    assert found and "password" in found[0].message and "api_key" in found[0].message
    assert hits(django_view(m + "    return JsonResponse(model_to_dict(m, exclude=['password', 'api_key']))"),
                "RG301") == []
    assert hits(django_view(m + "    return JsonResponse(list(Member.objects.values('id', 'username')), safe=False)"),
                "RG301") == []
    assert hits(django_view(m + "    return JsonResponse(list(Member.objects.values()), safe=False)"), "RG301")


def test_django_cors_settings():
    base = 'INSTALLED_APPS = ["corsheaders"]\nCORS_ALLOW_CREDENTIALS = True\n'
    assert hits({"proj/settings/base.py": base + "CORS_ALLOW_ALL_ORIGINS = True\n"}, "RG402")
    assert hits({"proj/settings/base.py": base,
                 "proj/settings/prod.py": "from .base import *\nCORS_ORIGIN_ALLOW_ALL = True\n"}, "RG402")
    assert hits({"proj/settings/base.py": base,
                 "proj/settings/local.py": "from .base import *\nCORS_ORIGIN_ALLOW_ALL = True\n"}, "RG402") == []
    assert hits({"proj/settings.py": base + 'CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://\\w+\\.example\\.com$"]\n'},
                "RG402") == []
    assert hits({"proj/settings.py": base + 'CORS_ALLOWED_ORIGIN_REGEXES = [r"^https?://.*$"]\n'}, "RG402")
    assert hits({"proj/settings.py": 'CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOW_CREDENTIALS = False\n'}, "RG402") == []


def test_reflected_origin_header():
    hook = """
from flask import Flask, request
app = Flask(__name__)

@app.after_request
def cors(resp):
    origin = request.headers.get("Origin")
    resp.headers["Access-Control-Allow-Origin"] = origin
{tail}
    return resp
"""
    assert hits({"app.py": hook.format(tail='    resp.headers["Access-Control-Allow-Credentials"] = "true"')}, "RG402")
    assert hits({"app.py": hook.format(tail="")}, "RG402") == []


def test_facts_reach_the_graph():
    from routeguard.api import scan_sources as scan  # noqa: F401
    from routeguard.extract import extract_source
    from routeguard.frameworks import ADAPTERS
    from routeguard.frameworks.base import Knowledge

    files = flask_app("    data = request.get_json()\n    db.session.add(User(**data))\n    return jsonify(user.to_dict())",
                      method="post")
    m = extract_source("app/main.py", files["app/main.py"], "app.main", False, Knowledge(ADAPTERS))
    # the body as a whole (for mass assignment) and a read of the body (the handler acts on what it is sent)
    assert sorted(r.kind for r in m.request_reads) == ["payload", "raw"]
    assert [(w.how, w.source, w.target) for w in m.data_writes] == [("unpack", "raw", "app.models.User")]
    assert [(r.kind, r.ref, r.method) for r in m.responses] == [("method", "app.models.User", "to_dict")]


def test_inline_role_check_exempts_privileged_schemas():
    body = "def create(payload: UserAdminCreate, db: Session, me: User = Depends(get_current_user)):\n" \
           "    if not me.is_superuser:\n        raise HTTPException(status_code=403)\n" \
           "    db.add(User(**payload.model_dump()))"
    files = fastapi_app('@app.post("/users")', body)
    files["app/main.py"] = files["app/main.py"].replace("from fastapi import Depends", "from fastapi import HTTPException, Depends")
    assert hits(files, "RG304") == []
    # a role named after what it administers (Flagsmith's ``request.user.is_organisation_admin(org)``)
    org_admin = body.replace("me.is_superuser", "me.is_organisation_admin(payload.organisation_id)")
    files = fastapi_app('@app.post("/users")', org_admin)
    files["app/main.py"] = files["app/main.py"].replace("from fastapi import Depends", "from fastapi import HTTPException, Depends")
    assert hits(files, "RG304") == []


def test_config_keys_are_validated():
    import pytest

    from routeguard.config import ConfigError, from_mapping

    assert from_mapping({"privileged-fields": "plan"}).privileged_fields == ("plan",)
    with pytest.raises(ConfigError, match="sensitive-fields"):
        from_mapping({"sensitive-fields": [3]})


def test_fastapi_dict_body_parameter():
    body = "def update(item_id: int, data: dict, db: Session, me: User = Depends(get_current_user)):\n" \
           "    user = db.get(User, item_id)\n    for k, v in data.items():\n        setattr(user, k, v)"
    found = hits(fastapi_app('@app.patch("/users/{item_id}")', body), "RG304")
    assert len(found) == 1 and "the request body (data)" in found[0].message
    helper = "def apply(user: User, data: dict):\n    for k, v in data.items():\n        setattr(user, k, v)"
    assert hits(fastapi_app("", helper), "RG304") == []
