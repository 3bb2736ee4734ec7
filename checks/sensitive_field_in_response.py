from __future__ import annotations

from routeguard.authz_graph import is_param
from routeguard.fields import credential
from routeguard.states import AuthState
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, route_severity, staff_only

FLASK_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255))
    password_hash = db.Column(db.String(255))

    def to_dict(self):
        return {"id": self.id, "email": self.email}
"""
FLASK_APP = """
from flask import Flask, jsonify
from flask_login import login_required
from app.models import User

app = Flask(__name__)

@app.get("/users/<int:user_id>")
@login_required
def show_user(user_id):
    user = User.query.get_or_404(user_id)
    return jsonify({BODY})
"""
DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "accounts"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
DJANGO_MODELS = """
from django.db import models

class Customer(models.Model):
    email = models.EmailField()
    ssn = models.CharField(max_length=11)
    api_key = models.CharField(max_length=64)
"""
DRF_URLS = """
from django.urls import path
from accounts.views import CustomerDetail

urlpatterns = [path("customers/<int:pk>/", CustomerDetail.as_view())]
"""
DRF_VIEWS = """
from rest_framework import generics
from accounts.models import Customer
from accounts.serializers import CustomerSerializer

class CustomerDetail(generics.RetrieveAPIView):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
"""
FASTAPI_SCHEMAS = """
from pydantic import BaseModel

class UserOut(BaseModel):
    id: int
    email: str
{EXTRA}
"""
FASTAPI_APP = """
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer
from app.schemas import UserOut

app = FastAPI()
oauth2 = OAuth2PasswordBearer(tokenUrl="token")

@app.get("/me", response_model=UserOut)  # expect: RG301
def read_me(token: str = Depends(oauth2)):
    return load_user(token)
"""


class SensitiveFieldInResponse(Check):
    """
    ## What it does
    Flags a route whose response carries a sensitive field (a password or its hash, a
    token, an API or private key, a secret, a social security or card number):

    - a dict (or `jsonify(...)`/`JsonResponse(...)` keywords) whose value is read off an
      object's sensitive attribute: `{"hash": user.password_hash}`;
    - a whole object dumped into the response: `user.__dict__`, `vars(user)`,
      `model_to_dict(user)`, `jsonable_encoder(user)`, `jsonify(user)`, `user.to_dict()`
      (the project's own `to_dict` is read: it is fine when it lists safe keys);
    - a FastAPI response schema (a Pydantic model, not the table model) that declares one;
    - a DRF serializer whose explicit `fields` list names one that is not write-only.

    Sensitive fields are recognised by name and declared type (`routeguard.fields`):
    passwords and hashes, tokens, keys, national identity numbers (ssn, cedula, dni, cpf,
    nif, curp, rut, aadhaar, pesel, personnummer, codice_fiscale, steuer_id, sin, nino...)
    and card data (card_number, pan, cvv/cvc, card expiry). A boolean (`has_password`), a
    masked field (`ObfuscatedPasswordField`) or a write-only / load-only / excluded one is
    not sent. The `sensitive-fields` setting adds project-specific names or globs. The
    severity is raised when a route that sends the field requires no authentication.

    Personal data (phone, postal address, birth date; the `personal-fields` setting adds
    names) in a response schema is reported as a note, and only on a route that requires
    no authentication: a signed-in user reading their own profile is the normal case.
    Routes that only administrators or staff reach (each checks a role) are not reported:
    they manage those records, their secrets included (a settings page, an account an
    administrator creates with a generated password).

    Boundaries: serializers and forms with `fields = "__all__"` or an `exclude` list are
    RG302's; a FastAPI route that returns an ORM object with no response model, or uses
    the table model as its response model, is RG303's. This check reports neither.
    Minted tokens in a dict (`{"access_token": token}`) are what login routes are for and
    are not reported, nor is a credential (API key, token, client secret; not a password or
    hash) in the response of a POST that creates it: the new key goes to its holder once, nor
    a serializer used only by routes that answer a signed-in caller about their own record
    (`GET /api/profile/`, naming no object): the key goes back to its holder.

    ## Why is this bad
    Password hashes can be cracked offline, tokens and keys replayed, and identity
    numbers sold. An API that sends them to its clients (often to every client, through a
    list endpoint) leaks them to anyone who can call it, and to every log and cache in
    between. Dumping a whole row also leaks every sensitive column added later.

    ## Example
    ```python
    @app.get("/users/<int:user_id>")
    def show_user(user_id):
        user = User.query.get_or_404(user_id)
        return jsonify(user.__dict__)  # includes password_hash
    ```

    ## Use instead
    ```python
    @app.get("/users/<int:user_id>")
    def show_user(user_id):
        user = User.query.get_or_404(user_id)
        return jsonify({"id": user.id, "email": user.email})
    ```

    ## References
    - OWASP API Security Top 10 2023, API3: Broken Object Property Level Authorization
    - CWE-213: Exposure of Sensitive Information Due to Incompatible Policies
    - OWASP Cheat Sheet: Mass Assignment / Excessive Data Exposure
    """

    id = "RG301"
    name = "sensitive-field-in-response"
    summary = "Response carries a sensitive field (password hash, token, key, SSN) of a model or schema"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 213
    owasp = "API3:2023"

    VALID = (
        Valid({"app/models.py": FLASK_MODELS,
               "app/main.py": FLASK_APP.replace("{BODY}", '{"id": user.id, "email": user.email}')}),
        Valid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", "user.to_dict()")}),
        Valid({"app/schemas.py": FASTAPI_SCHEMAS.replace("{EXTRA}", ""), "app/main.py": FASTAPI_APP}),
        Valid({"app/schemas.py": FASTAPI_SCHEMAS.replace("{EXTRA}", "    api_key: str"),  # the caller's own key
               "app/main.py": FASTAPI_APP.replace("def read_me(token: str = Depends(oauth2)):\n    return load_user(token)",
                                                  "def read_me(current_user=Depends(get_current_user)):\n"
                                                  "    return current_user").replace("  # expect: RG301", "")
               + "\ndef get_current_user(token: str = Depends(oauth2)):\n    return load_user(token)\n"}),
        Valid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "accounts/models.py": DJANGO_MODELS,
            "accounts/views.py": DRF_VIEWS,
            "accounts/serializers.py": """
from rest_framework import serializers
from .models import Customer

class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "api_key"]
        extra_kwargs = {"api_key": {"write_only": True}}
""",
        }),
        Valid({
            "proj/settings.py": DJANGO_SETTINGS, "accounts/models.py": DJANGO_MODELS,
            "proj/urls.py": """
from django.urls import path
from accounts import views

urlpatterns = [path("customers/<int:pk>/", views.customer)]
""",
            "accounts/views.py": """
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from .models import Customer

@login_required
def customer(request, pk):
    obj = get_object_or_404(Customer, pk=pk)
    return JsonResponse(model_to_dict(obj, fields=["id", "email"]))
""",
        }),
    )
    INVALID = (
        Invalid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY})", "user.__dict__)  # expect: RG301")}),
        Invalid({"app/models.py": FLASK_MODELS,
                 "app/main.py": FLASK_APP.replace("{BODY})", '{"id": user.id, "hash": user.password_hash})  # expect: RG301')}),
        Invalid({"app/schemas.py": FASTAPI_SCHEMAS.replace("{EXTRA}", "    hashed_password: str"),
                 "app/main.py": FASTAPI_APP}),
        Invalid({
            "app/models.py": """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    api_key = Column(String)
""",
            "app/main.py": """
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from sqlalchemy.orm import Session
from app.models import User

app = FastAPI()

@app.get("/users/{user_id}")
def read_user(user_id: int, db: Session):
    return jsonable_encoder(db.get(User, user_id))  # expect: RG301
""",
        }),
        Invalid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "accounts/models.py": DJANGO_MODELS,
            "accounts/views.py": DRF_VIEWS,
            "accounts/serializers.py": """
from rest_framework import serializers
from .models import Customer

class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "ssn"]  # expect: RG301
""",
        }),
        Invalid({
            "proj/settings.py": DJANGO_SETTINGS, "accounts/models.py": DJANGO_MODELS,
            "proj/urls.py": """
from django.urls import path
from accounts import views

urlpatterns = [path("customers/<int:pk>/", views.customer)]
""",
            "accounts/views.py": """
from django.forms.models import model_to_dict
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from .models import Customer

def customer(request, pk):
    obj = get_object_or_404(Customer, pk=pk)
    return JsonResponse(model_to_dict(obj))  # expect: RG301
""",
        }),
        Invalid({"app/models.py": FLASK_MODELS.replace("password_hash", "pin_code"),
                 "app/main.py": FLASK_APP.replace("{BODY})", "vars(user))  # expect: RG301")},
                config={"sensitive-fields": ["pin_*"]}),
    )

    def run(self, graph):
        groups: dict = {}
        for r in graph.routes:
            groups.setdefault(graph.alias(r.handler), []).append(r)
        for handler in sorted(groups):
            routes = groups[handler]
            yield from self._handler(graph, handler, routes)
        yield from self._serializers(graph)

    def _handler(self, graph, handler, routes):
        if staff_only(graph, routes):
            return  # administrators manage these records, secrets included
        where = f"{'/'.join(dict.fromkeys(r.method for r in routes))} {routes[0].path}"
        severity, tail = route_severity(self.severity, routes)
        # a POST that creates a key or token returns it to its new holder once: that is its purpose;
        # GET /me returning the current_user it was given shows the caller their own key
        f = graph.functions.get(handler)
        own = f is not None and all(_own_record(graph, r) for r in routes) and any(
            x.rpartition(".")[0] == handler and x.rpartition(".")[2] in f.params for x in f.returns)
        issued = credential if own or all(r.method == "POST" for r in routes) else (lambda name: False)
        rf = graph.returns.get(handler)
        if rf is not None and rf.serialized:
            declared = "" if rf.schema == "None" else (rf.schema or rf.annotation)
            if declared == "?":
                return
            if declared:  # the framework filters the response through this schema
                if graph.model_kind(declared) == "orm":
                    return  # RG303
                marks = {n: ff for n, (mark, ff) in graph.field_marks(declared).items()
                         if mark == "secret" and "token" not in n.lower() and not issued(n)}  # a token schema issues tokens
                personal = {} if marks or not tail else \
                    {n: ff for n, (mark, ff) in graph.field_marks(declared).items() if mark == "personal"}
                if marks or personal:
                    related = [Related(ff.location, f"{n} is declared here") for n, ff in (marks or personal).items() if ff]
                    what = ", ".join(marks) if marks else f"personal data ({', '.join(personal)})"
                    yield self.finding(
                        f"{where} responds with the schema {declared.rpartition('.')[2]}, which includes "
                        f"{what}: {'it is' if len(marks or personal) == 1 else 'they are'} sent to the client{tail}.",
                        rf.schema_location or routes[0].location, severity if marks else Severity.NOTE, related[:5],
                        suppress_lines=routes[0].suppress_lines, routes=routes)
                return
        by_site: dict = {}
        for outer, name, ff, inner in graph.exposed_fields(handler):
            if issued(name):
                continue
            by_site.setdefault(outer.location, (outer, {}))[1].setdefault(name, (ff, inner))
        for loc in sorted(by_site):
            outer, fields = by_site[loc]
            related = []
            for name, (ff, inner) in fields.items():
                if inner.location != outer.location:
                    related.append(Related(inner.location, f"{name} is put in the response here ({inner.display})"))
                if ff is not None:
                    owner = ff.model.rpartition(".")[2]
                    related.append(Related(ff.location, f"{owner}.{name} is a sensitive field"))
            names = ", ".join(fields)
            yield self.finding(
                f"{where} sends {names} to the client (through {outer.display}){tail}.",
                outer.location, severity, tuple(dict.fromkeys(related))[:5], suppress_lines=_lines(outer.location, routes),
                routes=routes)

    def _serializers(self, graph):
        for name in sorted(graph.schemas):
            schema = graph.schemas[name]
            if schema.kind != "serializer" or schema.all_fields or schema.exclude is not None:
                continue  # RG302 reports "__all__" and exclude lists
            marks = graph.field_marks(schema.model) if schema.model else {}
            secret = [f for f in schema.fields if f not in schema.hidden
                      and graph.model_field_mark(schema.model, f) == "secret"]
            if not secret:
                continue
            routes = graph.routes_using(schema.qualname)
            if staff_only(graph, routes):
                continue
            if routes and all(_own_record(graph, r) for r in routes):
                continue  # the caller's own profile: their key goes back to them, and to no one else
            severity, tail = route_severity(self.severity, routes)
            related = [Related(marks[f][1].location, f"{f} is a sensitive field of {schema.model.rpartition('.')[2]}")
                       for f in secret if f in marks and marks[f][1] is not None]
            related += [Related(r.location, f"used by {r.method} {r.path}") for r in routes[:3]]
            yield self.finding(
                f"{name.rpartition('.')[2]} lists {', '.join(secret)} in its fields without making "
                f"{'it' if len(secret) == 1 else 'them'} write-only: every response it builds sends "
                f"{'it' if len(secret) == 1 else 'them'} to the client{tail}.",
                schema.fields_location or schema.location, severity, tuple(dict.fromkeys(related))[:5])




def _own_record(graph, route) -> bool:
    """The route answers a signed-in caller about their own record: it names no object (no path
    parameter, no lookup by a client-supplied id), so the key it shows is the caller's own
    (``GET /api/profile/``)."""
    return route.auth == AuthState.PROTECTED and not any(is_param(seg) for seg in route.path.split("/")) and not graph.authz.route_lookups(route)


def _lines(location, routes):
    """Suppression scope: the reported line, or the handler's decorator and def lines when
    the finding is on them."""
    start, end = routes[0].suppress_lines
    if routes[0].location.file == location.file and start <= location.line <= end:
        return (start, end)
    return None
