"""One field vocabulary (routeguard.fields) used by every check: a field's meaning comes from its
name, its declared type and how the schema declares it (write-only, load-only, masked), the
project's configuration adds names, and the owner-field definition is shared by RG105 and RG304."""
from routeguard import scan_sources
from routeguard.fields import classify, owner_field
from routeguard.findings import Severity
from helpers import hits


# -- the vocabulary -----------------------------------------------------------------------------
def test_identity_numbers_and_card_data_beyond_english():
    for name in ("cedula", "dni", "cpf", "nif", "curp", "rut", "aadhaar", "pesel", "personnummer", "codice_fiscale",
                 "steuer_id", "ssn", "sin", "nino", "tax_id", "national_id", "customer_cpf", "dni_number",
                 "card_number", "pan", "cvv", "cvc", "card_expiry", "creditCardNumber"):
        assert classify(name) == "secret", name
    # whole words only: 'pan' is not in company, 'rut' not in route, 'sin' not in business
    for name in ("company", "route", "span", "business", "rutabaga", "pantry", "trust_level", "sinks"):
        assert classify(name) == "", name
    for name in ("phone", "phone_number", "mobile", "address", "street_address", "birth_date", "date_of_birth", "dob"):
        assert classify(name) == "personal", name
    for name in ("ip_address", "email_address", "wallet_address", "remote_address"):
        assert classify(name) == "", name


def test_type_and_declaration_decide_over_the_name():
    assert classify("has_password", "bool") == ""
    assert classify("password_set") == ""
    assert classify("is_token", "models.BooleanField(") == ""
    assert classify("llm_api_key", "ObfuscatedPasswordField(") == ""
    assert classify("password", "fields.String(", hidden=True) == ""
    assert classify("pan", "float") == ""  # a camera's, not a card's
    # baserow's ``public_view_has_password`` property and DefectDojo's ``password_last_reset``,
    # ``token_last_reset`` (DateTimeField): a question about the secret and a time, no secret
    assert classify("public_view_has_password") == ""
    assert classify("password_last_reset") == ""
    assert classify("token_rotated", "models.DateTimeField(") == ""
    assert classify("api_token_created", "Column( DateTime") == ""
    assert classify("card_expiry", "models.DateField(") == "secret"
    assert classify("birth_date", "models.DateField(") == "personal"
    assert classify("public_view_password") == "secret"
    # Polar's ``client_secret_last_4``: the last four characters shown to recognise the secret
    assert classify("client_secret_last_4", "str") == ""
    assert classify("client_secret", "str") == "secret"
    assert classify("owner", "Column( String") == ""  # a name or a contact
    assert classify("owner", "Optional str") == ""
    assert classify("owner", "relationship( 'User'") == "privileged"
    assert classify("owner_id", "str") == "privileged"  # an id held as text is still a reference
    assert classify("is_admin", "Boolean") == "privileged"
    assert owner_field("owner", "Column(String)") is False
    assert owner_field("owner_email") is False
    assert owner_field("owner_id") is True
    assert owner_field("creator", "ForeignKey(settings.AUTH_USER_MODEL)") is True


# -- one classifier for every framework ------------------------------------------------------------
DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "catalog"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""


def test_django_and_sqlalchemy_fields_are_judged_alike():
    # sort_key was secret on a Django model (the adapter's own regex) and not on a SQLAlchemy one
    files = {
        "proj/settings.py": DJANGO_SETTINGS,
        "catalog/models.py": """
from django.db import models

class Section(models.Model):
    title = models.CharField(max_length=80)
    sort_key = models.CharField(max_length=20)
""",
        "catalog/serializers.py": """
from rest_framework import serializers
from .models import Section

class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = "__all__"
""",
    }
    assert hits(files, "RG302") == []
    files["catalog/models.py"] = files["catalog/models.py"].replace("sort_key", "api_key")
    assert len(hits(files, "RG302")) == 1


SQLA_USER = """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class Member(Base):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    pin_code = Column(String)
"""


def test_rg303_reads_the_sensitive_fields_setting():
    files = {
        "app/models.py": SQLA_USER,
        "app/routes/members.py": """
from fastapi import APIRouter
from sqlalchemy.orm import Session
from app.models import Member

router = APIRouter()

@router.get("/members/{member_id}", response_model=Member)
def read_member(member_id: int, db: Session):
    return db.get(Member, member_id)
""",
        "app/main.py": """
from fastapi import FastAPI
from app.routes import members

app = FastAPI()
app.include_router(members.router)
""",
    }
    assert hits(files, "RG303") == []
    found = hits(files, "RG303", {"sensitive-fields": ["pin_*"]})
    assert len(found) == 1 and "pin_code" in found[0].message


# -- Flask / SQLAlchemy / marshmallow (CTFd's shapes) -----------------------------------------------
CTF_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class Teams(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(128))
    password = db.Column(db.String(128))
    secret = db.Column(db.String(128))

    def get_invite_code(self):
        key = self.password.encode("utf-8") if self.password else b""
        return sign({"id": self.id}, key)
"""
CTF_SCHEMAS = """
from marshmallow import Schema, fields
from ctf.models import Teams

class TeamSchema(Schema):
    class Meta:
        load_only = ("password",)

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True)
    password = fields.String(required=True)
    members = fields.List(fields.Integer())
"""
CTF_API = """
from flask import Blueprint
from flask_login import login_required
from ctf.models import Teams
from ctf.schemas import TeamSchema

api = Blueprint("api", __name__)

@api.get("/teams/<int:team_id>/members")
@login_required
def team_members(team_id):
    team = Teams.query.filter_by(id=team_id).first_or_404()
    response = TeamSchema().dump(team)
    members = response.get("members")
    return {"success": True, "data": members}

@api.get("/teams/<int:team_id>")
@login_required
def team_detail(team_id):
    team = Teams.query.filter_by(id=team_id).first_or_404()
    schema = TeamSchema()
    response = schema.dump(team)
    return {"success": True, "data": response}

@api.post("/teams/<int:team_id>/invite")
@login_required
def team_invite(team_id):
    team = Teams.query.filter_by(id=team_id).first_or_404()
    invite_code = team.get_invite_code()
    return {"success": True, "data": {"code": invite_code}}

@api.get("/statistics/teams")
@login_required
def team_statistics():
    registered = Teams.query.count()
    return {"success": True, "data": {"registered": registered}}
"""


def test_marshmallow_load_only_key_reads_counts_and_method_results_send_no_secret():
    files = {"ctf/models.py": CTF_MODELS, "ctf/schemas.py": CTF_SCHEMAS, "ctf/api.py": CTF_API,
             "ctf/__init__.py": "from flask import Flask\nfrom ctf.api import api\napp = Flask(__name__)\n"
                                "app.register_blueprint(api)\n"}
    assert hits(files, "RG301") == []
    files["ctf/schemas.py"] = CTF_SCHEMAS.replace('load_only = ("password",)', 'ordered = True')
    assert {f.message.split(" sends")[0] for f in hits(files, "RG301")} == {"GET /teams/<int:team_id>"}


# -- FastAPI / pydantic ------------------------------------------------------------------------------
FASTAPI_APP = """
from fastapi import Depends, FastAPI
from app.auth import current_user
from app.schemas import UserOut, PatientOut

app = FastAPI()

@app.get("/me", response_model=UserOut)
def read_me(user=Depends(current_user)):
    return user

@app.get("/patients/{patient_id}", response_model=PatientOut)
def read_patient(patient_id: int):
    return load(patient_id)
"""
FASTAPI_AUTH = """
from fastapi import HTTPException, Request

def current_user(request: Request):
    if "user" not in request.session:
        raise HTTPException(status_code=401)
    return request.session["user"]
"""


def test_pydantic_booleans_excluded_fields_and_identity_numbers():
    schemas = """
from pydantic import BaseModel, Field

class UserOut(BaseModel):
    id: int
    has_password: bool
    password: str = Field(exclude=True)

class PatientOut(BaseModel):
    id: int
    name: str
    route: str
"""
    files = {"app/main.py": FASTAPI_APP, "app/auth.py": FASTAPI_AUTH, "app/schemas.py": schemas}
    assert hits(files, "RG301") == []
    files["app/schemas.py"] = schemas.replace("    route: str", "    cpf: str")
    found = hits(files, "RG301")
    assert len(found) == 1 and "cpf" in found[0].message and "/patients" in found[0].message


def test_personal_data_is_a_note_on_unauthenticated_routes_only():
    schemas = """
from pydantic import BaseModel

class UserOut(BaseModel):
    id: int
    phone: str

class PatientOut(BaseModel):
    id: int
    birth_date: str
    home_address: str
"""
    files = {"app/main.py": FASTAPI_APP, "app/auth.py": FASTAPI_AUTH, "app/schemas.py": schemas}
    found = hits(files, "RG301")
    assert [(f.severity, "/patients" in f.message, "birth_date" in f.message) for f in found] == \
        [(Severity.NOTE, True, True)]  # the signed-in user's own phone on /me is not reported
    found = hits(files, "RG301", {"personal-fields": ["insurer"]})
    assert len(found) == 1
    files["app/schemas.py"] = schemas.replace("birth_date: str\n    home_address: str", "insurer: str")
    assert len(hits(files, "RG301", {"personal-fields": ["insurer"]})) == 1
    assert hits(files, "RG301") == []


DISPATCH_MODELS = """
from sqlalchemy import Column, Integer, String
from app.database import Base

class Signal(Base):
    __tablename__ = "signals"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    owner = Column(String)
"""
DISPATCH_SCHEMAS = """
from typing import Optional
from pydantic import BaseModel

class SignalCreate(BaseModel):
    name: str
    owner: Optional[str] = None
"""
DISPATCH_VIEWS = """
from fastapi import APIRouter
from sqlalchemy.orm import Session
from app.models import Signal
from app.schemas import SignalCreate

router = APIRouter()

@router.post("/signals")
def create_signal(signal_in: SignalCreate, db: Session):
    signal = Signal(**signal_in.dict())
    db.add(signal)
    return {"id": signal.id}

@router.delete("/signals/{signal_id}")
def delete_signal(signal_id: int, db: Session):
    db.query(Signal).filter(Signal.id == signal_id).delete()
"""


def test_a_text_owner_column_is_a_contact_not_an_ownership_tie():
    files = {"app/database.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
             "app/models.py": DISPATCH_MODELS, "app/schemas.py": DISPATCH_SCHEMAS, "app/views.py": DISPATCH_VIEWS,
             "app/main.py": "from fastapi import FastAPI\nfrom app.views import router\napp = FastAPI()\n"
                            "app.include_router(router)\n"}
    assert hits(files, "RG304") == []
    assert hits(files, "RG105") == []
    files["app/schemas.py"] = DISPATCH_SCHEMAS.replace("owner: Optional[str]", "owner_id: Optional[int]")
    assert len(hits(files, "RG304")) == 1


# -- Django / DRF ------------------------------------------------------------------------------------
def test_drf_masked_and_boolean_fields_send_no_secret():
    files = {
        "proj/settings.py": DJANGO_SETTINGS.replace("catalog", "mail"),
        "proj/urls.py": """
from django.urls import path
from mail.views import AccountDetail

urlpatterns = [path("accounts/<int:pk>/", AccountDetail.as_view())]
""",
        "mail/models.py": """
from django.db import models

class MailAccount(models.Model):
    name = models.CharField(max_length=256)
    password = models.CharField(max_length=2048)
    is_token = models.BooleanField(default=False)
""",
        "mail/fields.py": """
from rest_framework import serializers

class ObfuscatedPasswordField(serializers.CharField):
    def to_representation(self, value):
        return "*" * len(value)
""",
        "mail/serializers.py": """
from rest_framework import serializers
from .fields import ObfuscatedPasswordField
from .models import MailAccount

class MailAccountSerializer(serializers.ModelSerializer):
    password = ObfuscatedPasswordField()

    class Meta:
        model = MailAccount
        fields = ["id", "name", "password", "is_token"]
""",
        "mail/views.py": """
from rest_framework import generics
from .models import MailAccount
from .serializers import MailAccountSerializer

class AccountDetail(generics.RetrieveUpdateAPIView):
    queryset = MailAccount.objects.all()
    serializer_class = MailAccountSerializer
""",
    }
    assert hits(files, "RG301") == []
    files["mail/serializers.py"] = files["mail/serializers.py"].replace("    password = ObfuscatedPasswordField()\n", "")
    found = hits(files, "RG301")
    assert len(found) == 1 and "password" in found[0].message and "is_token" not in found[0].message


# -- RG304: the server's own value overwrites the client's ------------------------------------------
FLASK_NOTES = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    body = db.Column(db.Text)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
"""
FLASK_VIEWS = """
from flask import Blueprint, request
from flask_login import current_user, login_required
from notes.models import Note, db

bp = Blueprint("notes", __name__)

@bp.post("/notes")
@login_required
def create_note():
    data = request.get_json()
    data["user_id"] = current_user.id
    note = Note(**data)
    db.session.add(note)
    db.session.commit()
    return {"id": note.id}, 201
"""


def test_rg304_silent_when_the_server_sets_the_owner_before_the_write():
    files = {"notes/models.py": FLASK_NOTES, "notes/views.py": FLASK_VIEWS,
             "notes/__init__.py": "from flask import Flask\nfrom notes.views import bp\napp = Flask(__name__)\n"
                                  "app.register_blueprint(bp)\n"}
    assert hits(files, "RG304") == []
    files["notes/views.py"] = FLASK_VIEWS.replace('    data["user_id"] = current_user.id\n', "")
    found = hits(files, "RG304")
    assert len(found) == 1 and "user_id" in found[0].message


def test_rg304_silent_when_the_owner_is_set_on_the_object_after_the_copy():
    files = {
        "proj/settings.py": DJANGO_SETTINGS.replace("catalog", "tasks"),
        "proj/urls.py": """
from django.urls import path
from tasks import views

urlpatterns = [path("tasks/", views.create_task)]
""",
        "tasks/models.py": """
from django.conf import settings
from django.db import models

class Task(models.Model):
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
""",
        "tasks/views.py": """
import json
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from .models import Task

@login_required
def create_task(request):
    task = Task(**json.loads(request.body))
    task.owner = request.user
    task.save()
    return JsonResponse({"id": task.id})
""",
    }
    assert hits(files, "RG304") == []
    files["tasks/views.py"] = files["tasks/views.py"].replace("    task.owner = request.user\n", "")
    assert len(hits(files, "RG304")) == 1


# -- RG301: the caller's own newly issued key -------------------------------------------------------
KEYS_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class ApiKey(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))
    api_key = db.Column(db.String(64), unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
"""
KEYS_VIEWS = """
import secrets
from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required
from keys.models import ApiKey, db

bp = Blueprint("keys", __name__, url_prefix="/api/keys")

@bp.post("/")
@login_required
def create_key():
    key = ApiKey(name=request.json["name"], api_key=secrets.token_hex(32), user_id=current_user.id)
    db.session.add(key)
    db.session.commit()
    return jsonify({"id": key.id, "api_key": key.api_key}), 201

@bp.get("/<int:key_id>")
@login_required
def show_key(key_id):
    key = ApiKey.query.filter_by(id=key_id, user_id=current_user.id).first_or_404()
    return jsonify({"id": key.id, "api_key": key.api_key})
"""


def test_rg301_silent_on_the_post_that_issues_a_key_not_on_later_reads():
    files = {"keys/models.py": KEYS_MODELS, "keys/views.py": KEYS_VIEWS,
             "keys/__init__.py": "from flask import Flask\nfrom keys.views import bp\napp = Flask(__name__)\n"
                                 "app.register_blueprint(bp)\n"}
    found = hits(files, "RG301")
    assert [f.message.split(" sends")[0] for f in found] == ["GET /api/keys/<int:key_id>"]


def test_rg301_silent_on_recovery_codes_issued_at_second_factor_enrolment():
    """open-webui's MFA enrolment answers its new recovery codes once, to the user who enrols
    (``MfaRecoveryCodesResponse``): issued like a new API key. A later read of them is reported."""
    files = {"app/main.py": """
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from app.auth import get_verified_user, new_recovery_codes, stored_recovery_codes

app = FastAPI()


class MfaRecoveryCodesResponse(BaseModel):
    recovery_codes: list[str]


@app.post("/api/v1/auths/mfa/enroll/confirm", response_model=MfaRecoveryCodesResponse)
def confirm_enrolment(user=Depends(get_verified_user)):
    return {"recovery_codes": new_recovery_codes(user)}


@app.get("/api/v1/auths/mfa/recovery-codes", response_model=MfaRecoveryCodesResponse)
def show_codes(user=Depends(get_verified_user)):
    return {"recovery_codes": stored_recovery_codes(user)}
""", "app/auth.py": """
from fastapi import Header, HTTPException


def get_verified_user(authorization: str = Header()):
    if not authorization:
        raise HTTPException(status_code=401)
    return authorization


def new_recovery_codes(user):
    return []


def stored_recovery_codes(user):
    return []
"""}
    found = hits(files, "RG301")
    assert [f.message.split(" responds")[0] for f in found] == ["GET /api/v1/auths/mfa/recovery-codes"]


def test_an_owner_relation_to_a_thing_is_not_an_ownership_tie():
    # dispatch: Source.owner = relationship("Service"); SourceCreate.owner: ServiceRead | None
    assert classify("owner", "relationship( 'Service' uselist False") == ""
    assert classify("owner", "ServiceRead None") == ""
    assert owner_field("owner", "relationship('Service', uselist=False)") is False
    assert owner_field("owner_id", "Column(Integer, ForeignKey('service.id'))") is False
    assert owner_field("owner_id", "Column(Integer, ForeignKey('users.id'))") is True
    assert owner_field("author_id", "ObjectId") is True
    assert classify("owner", "Mapped['User'] relationship(") == "privileged"
    assert owner_field("owner", "models.ForeignKey(Team, on_delete=models.CASCADE)") is True  # owned through a team
    files = {"app/database.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
             "app/models.py": DISPATCH_MODELS.replace("owner = Column(String)", 'owner = relationship("Service")')
             .replace("from app.database import Base", "from sqlalchemy.orm import relationship\nfrom app.database import Base"),
             "app/schemas.py": DISPATCH_SCHEMAS.replace("owner: Optional[str]", "owner: Optional[ServiceRead]")
             .replace("class SignalCreate", "class ServiceRead(BaseModel):\n    id: int\n\n\nclass SignalCreate"),
             "app/views.py": DISPATCH_VIEWS,
             "app/main.py": "from fastapi import FastAPI\nfrom app.views import router\napp = FastAPI()\n"
                            "app.include_router(router)\n"}
    assert hits(files, "RG304") == []
    assert hits(files, "RG105") == []
    files["app/schemas.py"] = files["app/schemas.py"].replace("ServiceRead", "UserRead")
    assert len(hits(files, "RG304")) == 1


def test_rg302_skips_privileged_fields_a_schema_makes_read_only_or_declares_itself():
    files = {
        "proj/settings.py": DJANGO_SETTINGS.replace("catalog", "mail"),
        "mail/models.py": """
from django.conf import settings
from django.db import models

class ProcessedMail(models.Model):
    subject = models.CharField(max_length=256)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
""",
        "mail/admin.py": """
from django.contrib import admin
from .models import ProcessedMail

class ProcessedMailAdmin(admin.ModelAdmin):
    class Meta:
        model = ProcessedMail
        fields = "__all__"

    readonly_fields = ["owner", "subject"]
""",
        "mail/validators.py": """
from rest_framework import serializers
from .fields import UserRelatedField
from .models import ProcessedMail

class ProcessedMailImportValidator(serializers.ModelSerializer):
    owner = UserRelatedField(required=False)

    class Meta:
        model = ProcessedMail
        exclude = ("id",)
""",
        "mail/fields.py": "from rest_framework import serializers\n\nclass UserRelatedField(serializers.RelatedField):\n"
                          "    pass\n",
    }
    assert hits(files, "RG302") == []
    # the validator is what the import endpoint writes through
    files["mail/views.py"] = """
from rest_framework.response import Response
from rest_framework.views import APIView
from .models import ProcessedMail
from .validators import ProcessedMailImportValidator

class MailImportView(APIView):
    def get(self, request):  # each user's own mail: owner decides who reads a row
        return Response([m.pk for m in ProcessedMail.objects.filter(owner=request.user)])

    def post(self, request):
        validator = ProcessedMailImportValidator(data=request.data)
        validator.is_valid(raise_exception=True)
        return Response(validator.save().pk)
"""
    files["proj/urls.py"] = 'from django.urls import path\nfrom mail.views import MailImportView\n' \
                            'urlpatterns = [path("mail/import/", MailImportView.as_view())]\n'
    assert hits(files, "RG302") == []
    files["mail/admin.py"] = files["mail/admin.py"].replace('"owner", ', "")
    files["mail/validators.py"] = files["mail/validators.py"].replace("    owner = UserRelatedField(required=False)\n", "")
    assert len(hits(files, "RG302")) == 2


# -- one vocabulary: owner and party fields, personal data, visibility flags --------------------
def test_one_vocabulary_for_ownership_personal_data_and_visibility():
    from routeguard.fields import OWNER_FIELD, SELECTS_VISIBLE, TIED_FIELD, VISIBILITY_FIELD, VISIBILITY_FLAG, personal_data

    # every owner field ties a row to someone, and so do the parties that own rows for members
    for name in ("assignee_id", "uploaded_by", "seller", "profile", "team_id", "workspace", "updated_by"):
        assert TIED_FIELD.match(name), name
    assert all(TIED_FIELD.match(n) for n in ("owner", "user_id", "tenant")) and OWNER_FIELD.match("assignee_id")
    assert not OWNER_FIELD.match("team_id")  # a party is not a person (RG105 / RG304)
    # personal data: what classify() calls personal, and what identifies or reaches a person
    assert personal_data("email") and personal_data("last_login_ip") and personal_data("home_address")
    assert not personal_data("wallet_address") and not personal_data("server_address")  # technical addresses
    assert not personal_data("has_phone")  # a question about it
    # one list of visibility words: a record's flag, a stored flag field, and a query selecting the shown
    for name in ("draft", "is_shared", "unlisted", "private_group"):
        assert VISIBILITY_FLAG.match(name), name
    for name in ("shared_wallet_id", "shared_secret", "draft_id"):  # an id or a secret, not a flag
        assert not VISIBILITY_FLAG.match(name), name
    for name in ("is_public", "unpublished", "listed", "shared", "draft"):
        assert VISIBILITY_FIELD.match(name), name
    assert SELECTS_VISIBLE.search("Post.published_posts") and not SELECTS_VISIBLE.search("get_private_notes")


def test_an_anonymous_list_of_assigned_rows_is_not_a_public_read():
    """A list of tasks that each name their assignee hands out who works on what: an owner
    field (as RG105 and RG304 know it) is evidence for RG101 as well."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class Task(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    assignee_id = db.Column(db.Integer)
""",
        "app/views.py": """
from flask import Flask, jsonify
from flask_login import current_user, login_required
from app.models import Task

app = Flask(__name__)

@app.get("/me")
@login_required
def me():
    return jsonify({"id": current_user.id})

@app.get("/board")
def board():
    return jsonify([{"title": t.title, "assignee": t.assignee_id} for t in Task.query.all()])
""",
    }, config={"select": ["RG101"]})
    (finding,) = [f for f in report.findings if f.rule_id == "RG101"]
    assert "assignee_id" in finding.message
