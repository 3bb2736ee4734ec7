from __future__ import annotations

import re

from routeguard.facts import WRITE_METHODS
from routeguard.fields import OWNER_FIELD
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, route_severity
from routeguard.states import Effect

# Guards whose names say they restrict a route to administrators or to holders of a role
# or permission: those routes may legitimately let their callers set privileged fields.
ADMIN_GUARD = re.compile(r"admin|superuser|staff|role|permission", re.IGNORECASE)
_WORDS = re.compile(r"[A-Za-z_][\w.]*")

FLASK_MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()

class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255))
    is_admin = db.Column(db.Boolean, default=False)
"""
FLASK_APP = """
from flask import Flask, jsonify, request
from flask_login import current_user, login_required
from app.models import User, db

app = Flask(__name__)

@app.patch("/profile")
@login_required
def update_profile():
    user = User.query.get_or_404(current_user.id)
    data = request.get_json()
{BODY}
    db.session.commit()
    return jsonify(id=user.id)
"""
FASTAPI_MODELS = """
from pydantic import BaseModel
from sqlalchemy import Boolean, Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    role = Column(String, default="member")

class UserCreate(BaseModel):
    email: str
{EXTRA}
"""
FASTAPI_APP = """
from fastapi import FastAPI
from sqlalchemy.orm import Session
from app.models import User, UserCreate

app = FastAPI()

@app.post("/signup")
def signup(payload: UserCreate, db: Session):  # expect: RG304
    user = User(**payload.model_dump())
    db.add(user)
    db.commit()
    return {"id": user.id}
"""
DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "tasks"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
DJANGO_MODELS = """
from django.conf import settings
from django.db import models

class Task(models.Model):
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
"""
DJANGO_URLS = """
from django.urls import path
from tasks import views

urlpatterns = [path("tasks/", views.create_task)]
"""
DRF_URLS = """
from django.urls import path
from tasks.views import TaskList

urlpatterns = [path("tasks/", TaskList.as_view())]
"""
DRF_VIEWS = """
from rest_framework import generics
from tasks.models import Task
from tasks.serializers import TaskSerializer

class TaskList(generics.ListCreateAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        return Task.objects.filter(owner=self.request.user)

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
"""


class MassAssignment(Check):
    """
    ## What it does
    Flags client data written into a stored model as a whole, and input schemas that let
    the client write privileged fields:

    - the request's data (or a FastAPI handler's plain `dict` body parameter) unpacked or
      merged into a model: `User(**request.json)`,
      `Task.objects.create(**request.data)`, `obj.update(**data)`, `query.update(data)`,
      `for k, v in data.items(): setattr(obj, k, v)` (with no allow-list test on `k`);
    - a route that writes (POST, PUT, PATCH, DELETE) and takes a body schema (a Pydantic
      model, a SQLModel) declaring privileged fields: `is_admin`, `is_staff`, `role`,
      `permissions`, `balance`, `is_verified`, owner/user ids;
    - a DRF serializer used by a writing route whose explicit `fields` list names a
      privileged field that is not read-only.

    Privileged fields are recognised by name and type (foreign keys to the user model
    are owner fields); the `privileged-fields` setting adds project-specific names or
    globs. Routes that check a role or permission (an admin, staff, role or permission
    guard, or an inline check such as `if not current_user.is_admin: abort(403)`) may let
    their callers set privileged fields and are not reported for the schema cases. The
    severity is raised on a route that requires no authentication.

    A privileged field set by name from a value the client sends is reported the same
    way on a route that checks no role: `user.role = request.json["role"]`,
    `user.is_admin = data.get("is_admin", user.is_admin)`, `User(email=..., role=payload.get("role"))`,
    a handler's plain `role` parameter written into the row. (An owner field set from the
    URL's id is the parent the row is filed under: an ownership question for RG105.)

    Boundaries: a serializer or form with `fields = "__all__"` or an `exclude` list is
    RG302's (which reports it as writable when privileged fields are left in). A body
    schema without privileged fields unpacked into a model (`Item(**item.model_dump())`)
    is the documented FastAPI pattern and is not reported.

    ## Why is this bad
    Whatever keys the client sends become columns: `{"is_admin": true}` on a profile
    update makes the caller an administrator, `{"owner_id": 7}` moves an object into
    someone else's account, `{"balance": 1e9}` needs no explanation. Columns added
    to the model later become writable the day they are added.

    ## Example
    ```python
    @app.patch("/profile")
    @login_required
    def update_profile():
        for key, value in request.get_json().items():
            setattr(current_user, key, value)
    ```

    ## Use instead
    ```python
    EDITABLE = ("display_name", "bio")

    @app.patch("/profile")
    @login_required
    def update_profile():
        data = request.get_json()
        for key in EDITABLE:
            if key in data:
                setattr(current_user, key, data[key])
    ```

    ## References
    - OWASP API Security Top 10 2023, API3: Broken Object Property Level Authorization
    - CWE-915: Improperly Controlled Modification of Dynamically-Determined Object Attributes
    - OWASP Mass Assignment Cheat Sheet
    """

    id = "RG304"
    name = "mass-assignment"
    summary = "Client data written into a model as a whole, or an input schema with privileged fields"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 915
    owasp = "API3:2023"

    VALID = (
        Valid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    user.email = data.get("email", user.email)
    if current_user.is_admin:
        user.is_admin = bool(data.get("is_admin"))""")}),
        Valid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    for key in ("email",):
        if key in data:
            setattr(user, key, data[key])""")}),
        Valid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    for key, value in data.items():
        if key not in {"email"}:
            continue
        setattr(user, key, value)""")}),
        Valid({"app/models.py": FASTAPI_MODELS.replace("{EXTRA}", ""), "app/main.py": FASTAPI_APP}),
        Valid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "tasks/models.py": DJANGO_MODELS,
            "tasks/views.py": DRF_VIEWS,
            "tasks/serializers.py": """
from rest_framework import serializers
from .models import Task

class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "owner"]
        read_only_fields = ["owner"]
""",
        }),
        Valid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "tasks/models.py": DJANGO_MODELS,
            "tasks/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from .models import Task

@login_required
def create_task(request):
    task = Task.objects.create(title=request.POST["title"], owner=request.user)
    return JsonResponse({"id": task.id})
""",
        }),
        # the handler curates the client's dict (it sets the dashboard itself, after checking it)
        # and Widget has no privileged or secret field left for the client to choose
        Valid({"app/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Dashboard(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))


class Widget(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.Text)
    width = db.Column(db.Integer)
    dashboard_id = db.Column(db.Integer, db.ForeignKey("dashboard.id"))
    dashboard = db.relationship(Dashboard)
""", "app/widgets.py": """
from flask import Flask, abort, request
from flask_login import current_user, login_required

from .models import Dashboard, Widget, db

app = Flask(__name__)


@app.post("/api/widgets")
@login_required
def create_widget():
    props = request.get_json(force=True)
    dashboard = Dashboard.query.get_or_404(props.pop("dashboard_id"))
    if dashboard.user_id != current_user.id:
        abort(403)
    props["dashboard"] = dashboard
    widget = Widget(**props)
    db.session.add(widget)
    db.session.commit()
    return {"id": widget.id}
"""}),
    )
    INVALID = (
        Invalid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    for key, value in data.items():
        setattr(user, key, value)  # expect: RG304""")}),
        Invalid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    user.email = data.get("email", user.email)
    user.is_admin = data.get("is_admin", user.is_admin)  # expect: RG304""")}),
        Invalid({"app/models.py": FLASK_MODELS, "app/main.py": FLASK_APP.replace("{BODY}", """\
    user = User(**data)  # expect: RG304""")}),
        Invalid({"app/models.py": FASTAPI_MODELS.replace("{EXTRA}", "    role: str = 'member'"),
                 "app/main.py": FASTAPI_APP}),
        Invalid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "tasks/models.py": DJANGO_MODELS,
            "tasks/views.py": """
import json
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from .models import Task

@login_required
def create_task(request):
    task = Task.objects.create(**json.loads(request.body))  # expect: RG304
    return JsonResponse({"id": task.id})
""",
        }),
        Invalid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "tasks/models.py": DJANGO_MODELS,
            "tasks/views.py": DRF_VIEWS,
            "tasks/serializers.py": """
from rest_framework import serializers
from .models import Task

class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "title", "owner"]  # expect: RG304
""",
        }),
        Invalid({
            "proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "tasks/models.py": DJANGO_MODELS,
            "tasks/serializers.py": "",
            "tasks/views.py": """
from rest_framework.response import Response
from rest_framework.views import APIView
from tasks.models import Task

class TaskList(APIView):
    def post(self, request):
        task = Task.objects.create(**request.data)  # expect: RG304
        return Response({"id": task.id}, status=201)
""",
        }),
    )

    def run(self, graph):
        yield from self._writes(graph)
        yield from self._body_schemas(graph)
        yield from self._serializers(graph)

    # -- request data written into a model as a whole ------------------------------------------
    def _writes(self, graph):
        seen = set()
        for dw in sorted((*graph.data_writes, *graph.field_writes), key=lambda d: (d.location, d.function)):
            if dw.source not in ("raw", "param") or dw.location in seen:
                continue  # dumps of validated schemas: judged by the schema (below)
            if dw.source == "param" and not graph.handled_by(dw.function):
                continue  # a plain-dict parameter is client data only in a route handler
            if dw.target and not graph.stored_model(dw.target):
                continue
            if not dw.target and dw.how != "setattr":
                continue
            if dw.how == "field":
                yield from self._field(graph, dw)
                continue
            seen.add(dw.location)
            routes = graph.routes_of(dw.function)
            severity, tail = route_severity(self.severity, routes)
            marks = graph.field_marks(dw.target) if dw.target else {}
            risky = [n for n, (mark, _) in marks.items() if mark in ("privileged", "secret") and n not in dw.overwritten]
            if not risky and dw.overwritten:
                # data["user_id"] = current_user.id, kwargs["query_rel"] = query: the server sets the
                # relations itself, and no privileged or secret field is left to the client
                continue
            model = dw.target.rpartition(".")[2] if dw.target else "an object"
            including = f", including {', '.join(risky)}" if risky else ""
            where = f"{routes[0].method} {routes[0].path}: " if routes else ""
            what = f"the request body ({dw.display})" if dw.source == "param" else f"request data ({dw.display})"
            how = {"setattr": f"every key of {what} is set as an attribute of {model}",
                   "update": f"{what} is merged into {model} as a whole",
                   "unpack": f"{what} is unpacked into {model} as a whole"}[dw.how]
            related = [Related(dw.source_location, f"client data read here: {dw.display}")] if dw.source_location else []
            related += [Related(ff.location, f"{model}.{n} is a {'privileged' if mark == 'privileged' else 'sensitive'} field")
                        for n in risky[:4] if (ff := marks[n][1]) is not None and (mark := marks[n][0])]
            yield self.finding(
                f"{where}{how}: the client chooses which fields it writes{including}{tail}.",
                dw.location, severity, related, routes=routes)

    def _field(self, graph, dw):
        """A privileged field (role, admin flag, balance, owner) set by name from a value the
        client sends, on a route that checks no role: the client picks its own privilege."""
        if graph.model_field_mark(dw.target, dw.field) != "privileged":
            return
        if dw.source == "param" and (OWNER_FIELD.match(dw.field) or not graph.handled_by(dw.function)):
            return  # the URL's id names the parent the row is filed under (an ownership question, RG105)
        routes = graph.routes_of(dw.function)
        if not routes or any(_admin(r, graph) for r in routes):
            return
        severity, tail = route_severity(self.severity, routes)
        model = dw.target.rpartition(".")[2]
        ff = graph.field_marks(dw.target).get(dw.field, (None, None))[1]
        related = [Related(dw.source_location, f"client data read here: {dw.display}")] if dw.source_location else []
        if ff is not None:
            related.append(Related(ff.location, f"{model}.{dw.field} is a privileged field"))
        yield self.finding(
            f"{routes[0].method} {routes[0].path}: {model}.{dw.field} is set from a value the client sends "
            f"({dw.display}) and no role is checked: the client chooses the {dw.field}{tail}.",
            dw.location, severity, related, routes=routes)

    # -- body schemas that declare privileged fields ---------------------------------------------
    def _body_schemas(self, graph):
        done = set()
        for r in graph.routes:
            handler = graph.alias(r.handler)
            if r.method not in WRITE_METHODS or r.framework in graph.k.path_only_parameters or _admin(r, graph):
                continue
            for rr in graph.request_reads.get(handler, ()):
                if rr.kind != "body" or not rr.whole or (handler, rr.location) in done:
                    continue
                if graph.model_kind(rr.schema) not in ("schema", "orm"):
                    continue
                marks = {n: ff for n, (mark, ff) in graph.field_marks(rr.schema).items() if mark == "privileged"}
                if not marks:
                    continue
                done.add((handler, rr.location))
                routes = [x for x in graph.routes_of(handler) if x.method in WRITE_METHODS and not _admin(x, graph)]
                severity, tail = route_severity(self.severity, routes)
                schema = rr.schema.rpartition(".")[2]
                names = ", ".join(marks)
                related = [Related(ff.location, f"{schema}.{n} is a privileged field") for n, ff in marks.items() if ff]
                yield self.finding(
                    f"{r.method} {r.path} takes {schema} from the request body, which lets the client set "
                    f"{names}{tail}.", rr.location, severity, related[:5], routes=routes)

    # -- serializers that let the client write privileged fields -----------------------------------
    def _serializers(self, graph):
        for name in sorted(graph.schemas):
            schema = graph.schemas[name]
            if schema.kind != "serializer" or schema.all_fields or schema.exclude is not None:
                continue  # RG302
            marks = graph.field_marks(schema.model) if schema.model else {}
            writable = [f for f in schema.fields if f not in schema.read_only
                        and graph.model_field_mark(schema.model, f) == "privileged"]
            if not writable:
                continue
            routes = [r for r in graph.routes_using(schema.qualname) if r.method in WRITE_METHODS and not _admin(r, graph)]
            if not routes:
                continue
            severity, tail = route_severity(self.severity, routes)
            related = [Related(marks[f][1].location, f"{f} is a privileged field of {schema.model.rpartition('.')[2]}")
                       for f in writable if f in marks and marks[f][1] is not None]
            related += [Related(r.location, f"written through {r.method} {r.path}") for r in routes[:3]]
            yield self.finding(
                f"{name.rpartition('.')[2]} lets the client write {', '.join(writable)} (listed in its fields, "
                f"not read-only) through {routes[0].method} {routes[0].path}{tail}.",
                schema.fields_location or schema.location, severity, tuple(dict.fromkeys(related))[:5])


def _admin(route, graph=None) -> bool:
    """The route checks a role or permission (RG104's authorization facts), or a guard of it
    names an admin, staff, role or permission check (module paths such as
    ``rest_framework.permissions`` are not counted)."""
    authorization = getattr(getattr(graph, "authz", None), "route_authorization", None)
    if authorization is not None and any(a.kind == "role" for a in authorization(route)):
        return True
    for g in route.guards:
        if g.effect != Effect.AUTH:
            continue
        words = [w.rpartition(".")[2] for w in _WORDS.findall(f"{g.name} {g.reason or ''}")]
        if any(ADMIN_GUARD.search(w) for w in words):
            return True
    return False
