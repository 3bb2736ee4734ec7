from __future__ import annotations

import re

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, per_route
from routeguard.states import VISIBILITY_REASON, AuthState, Effect

# Lookup keys that are capabilities: whoever holds the value may see the object.
CAPABILITY = re.compile(r"(token|slug|secret|key|code|hash|uuid|share)\w*$", re.IGNORECASE)
SECRET_FILTER = re.compile(r"\b\w*(_key|token|secret)\s*=", re.IGNORECASE)
FLASK_MODELS = """
from app.extensions import db

class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.Text)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"))
"""
FLASK_EXT = """
from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()
"""
FASTAPI_MODELS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
"""
FASTAPI_DEPS = """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_db():
    yield None

def get_current_user(token: str = Depends(oauth2)):
    if not token:
        raise HTTPException(status_code=401)
    return token
"""
DJANGO_SETTINGS = """
INSTALLED_APPS = ["rest_framework", "notes"]
ROOT_URLCONF = "proj.urls"
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
DJANGO_MODELS = """
from django.conf import settings
from django.db import models

class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    body = models.TextField()
"""
DRF_URLS = """
from django.urls import include, path
from rest_framework.routers import DefaultRouter
from notes.views import NoteViewSet

router = DefaultRouter()
router.register("notes", NoteViewSet)
urlpatterns = [path("api/", include(router.urls))]
"""
DJANGO_URLS = """
from django.urls import path
from notes import views

urlpatterns = [path("notes/<int:pk>/", views.note_detail)]
"""


def _flask(view: str) -> dict:
    return {"app/extensions.py": FLASK_EXT, "app/models.py": FLASK_MODELS, "app/views.py": """
from flask import Blueprint, abort
from flask_login import current_user, login_required
from app.extensions import db
from app.models import Note

bp = Blueprint("notes", __name__)
""" + view, "app/__init__.py": """
from flask import Flask
from app.views import bp

def create_app():
    app = Flask(__name__)
    app.register_blueprint(bp)
    return app
"""}


def _fastapi(view: str) -> dict:
    return {"app/models.py": FASTAPI_MODELS, "app/deps.py": FASTAPI_DEPS, "app/main.py": """
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import select
from app.deps import get_current_user, get_db
from app.models import Invoice

app = FastAPI()
""" + view}


class ObjectLookupWithoutOwnership(Check):
    """
    ## What it does
    Flags a route that loads a stored object by an id the client supplies (a path
    parameter, the query string or the body) and never ties it to the caller: no
    comparison of the object's owner with the current user, no filter on the current
    user, no permission or object-permission check, no role check. A model is owned when
    it has a foreign key, one-to-one or many-to-many to the user model (Django
    `settings.AUTH_USER_MODEL`/`get_user_model()`, SQLAlchemy `ForeignKey("users.id")` or
    `relationship("User")`, SQLModel `Field(foreign_key=...)`), directly or through a
    parent (a Task whose Project has `members`). On reads only relations that say the
    rows belong to someone count (`owner`, `user`, `members`, `customer`...), not the ones
    that record who wrote them (`author`, `created_by`): a blog post has an author but is
    meant to be read by anyone. The user model itself belongs to the user it describes:
    a handler that loads one by a client-supplied id and changes it, or returns it whole,
    is reported. DRF viewsets and Django generic views whose `queryset`/`model` is
    unfiltered count as a lookup on their item routes (of owned models, not of users).
    A list route that any signed-in user can call and that returns every row of an owned
    model (`Order.query.all()`), where the project restricts another query over that model
    to the caller's rows, hands every user's records to every user and is reported too.

    Routes that are explicitly public are left alone, and so are reads that require no
    authentication by a key that is itself the credential (a share link's slug, a token),
    and lookups filtered on a secret (`Check.objects.get(slug=slug, project__ping_key=key)`); a privileged route that checks no
    role is reported by RG104 instead, and a write behind a read-only-style permission
    by RG103.

    ## Why is this bad
    Any signed-in user can read or change another user's records by changing the id in
    the URL: broken object level authorization (IDOR), the most common API breach.

    ## Example
    ```python
    @bp.get("/notes/<int:note_id>")
    @login_required
    def get_note(note_id):
        return Note.query.get_or_404(note_id).to_dict()
    ```

    ## Use instead
    ```python
    @bp.get("/notes/<int:note_id>")
    @login_required
    def get_note(note_id):
        note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()
        return note.to_dict()
    ```

    ## References
    - OWASP API Security Top 10 2023, API1: Broken Object Level Authorization
    - CWE-639: Authorization Bypass Through User-Controlled Key
    """

    id = "RG105"
    name = "object-lookup-without-ownership"
    summary = "Object loaded by a client-supplied id and never tied to the caller"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 639
    owasp = "API1:2023"

    VALID = (
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "notes/models.py": """
from django.contrib.auth import get_user_model
from django.db import models

class Notebook(models.Model):
    members = models.ManyToManyField(get_user_model())

class Note(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE)
    author = models.ForeignKey(get_user_model(), on_delete=models.CASCADE)
    body = models.TextField()
""", "notes/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from notes.models import Note

@login_required
def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk, notebook__members=request.user)
    return JsonResponse({"body": note.body})
"""}),
        Valid(_flask("""
@bp.get("/notes/<int:note_id>")
@login_required
def get_note(note_id):
    note = Note.query.filter_by(id=note_id, owner_id=current_user.id).first_or_404()
    return {"body": note.body}
""")),
        Valid({"proj/settings.py": DJANGO_SETTINGS, "notes/models.py": DJANGO_MODELS, "proj/urls.py": """
from django.urls import path
from notes import views

urlpatterns = [path("notes/", views.my_notes), path("notes/stats/", views.note_stats)]
""", "notes/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from notes.models import Note

@login_required
def my_notes(request):
    return JsonResponse({"ids": list(Note.objects.filter(owner=request.user).values_list("id", flat=True))})

@login_required
def note_stats(request):  # one value of the table, not its rows
    return JsonResponse({"last_id": Note.objects.values_list("id", flat=True).last()})
"""}),
        Valid(_flask("""
@bp.delete("/notes/<int:note_id>")
@login_required
def delete_note(note_id):
    note = db.session.get(Note, note_id)
    if note is None or note.owner_id != current_user.id:
        abort(404)
    db.session.delete(note)
    return "", 204
""")),
        Valid(_fastapi("""
@app.get("/invoices/{invoice_id}")
def read_invoice(invoice_id: int, db=Depends(get_db), user=Depends(get_current_user)):
    invoice = db.get(Invoice, invoice_id)
    if invoice.owner_id != user.id:
        raise HTTPException(status_code=404)
    return invoice
""")),
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "notes/models.py": DJANGO_MODELS,
               "notes/views.py": """
from rest_framework import viewsets
from notes.models import Note

class NoteViewSet(viewsets.ModelViewSet):
    def get_queryset(self):
        return Note.objects.filter(owner=self.request.user)
"""}),
        Valid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "notes/models.py": DJANGO_MODELS,
               "notes/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from notes.models import Note

@login_required
def note_detail(request, pk):
    note = get_object_or_404(Note, pk=pk, owner=request.user)
    return JsonResponse({"body": note.body})
"""}),
    )
    INVALID = (
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "notes/models.py": """
from django.contrib.auth import get_user_model
from django.db import models

class Notebook(models.Model):
    members = models.ManyToManyField(get_user_model())

class Note(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE)
    body = models.TextField()
""", "notes/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from notes.models import Note

@login_required
def note_detail(request, pk):  # expect: RG105
    return JsonResponse({"body": get_object_or_404(Note, pk=pk).body})
"""}),
        Invalid({**_fastapi("""
from app.models import User

@app.get("/profiles/{user_id}")  # expect: RG105
def read_profile(user_id: int, db=Depends(get_db), me=Depends(get_current_user)):
    return db.get(User, user_id)
"""), "app/models.py": FASTAPI_MODELS + """
class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    hashed_password: Mapped[str]
"""}),
        Invalid(_flask("""
@bp.get("/notes")
@login_required
def list_notes():
    return [n.body for n in Note.query.filter_by(owner_id=current_user.id).all()]

@bp.get("/notes/<int:note_id>")  # expect: RG105
@login_required
def get_note(note_id):
    note = Note.query.get_or_404(note_id)
    return {"body": note.body}
""")),
        Invalid(_flask("""
@bp.get("/notes/mine")
@login_required
def my_notes():
    return [n.body for n in Note.query.filter_by(owner_id=current_user.id).all()]

@bp.get("/notes/export")  # expect: RG105
@login_required
def export_notes():
    return [{"owner": n.owner_id, "body": n.body} for n in Note.query.all()]
""")),
        Invalid(_fastapi("""
@app.delete("/invoices/{invoice_id}")  # expect: RG105
def delete_invoice(invoice_id: int, db=Depends(get_db), user=Depends(get_current_user)):
    invoice = db.execute(select(Invoice).where(Invoice.id == invoice_id)).scalar_one()
    db.delete(invoice)
""")),
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DRF_URLS, "notes/models.py": DJANGO_MODELS,
                 "notes/views.py": """
from rest_framework import viewsets
from notes.models import Note

class NoteViewSet(viewsets.ModelViewSet):  # expect: RG105
    queryset = Note.objects.all()
"""}),
        Invalid({"proj/settings.py": DJANGO_SETTINGS, "proj/urls.py": DJANGO_URLS, "notes/models.py": DJANGO_MODELS,
                 "notes/views.py": """
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST
from notes.models import Note

@require_POST
@login_required
def note_detail(request, pk):  # expect: RG105
    get_object_or_404(Note, pk=pk).delete()
    return JsonResponse({})
"""}),
    )

    def run(self, graph):
        hits = []
        for r in graph.routes:
            if r.auth == AuthState.PUBLIC or r.method in ("GET", "HEAD") and any(
                    VISIBILITY_REASON in g.reason for g in r.guards):
                continue  # a read of what its owner marked public (umap's oEmbed of a public map)
            if r.auth == AuthState.PROTECTED and all(g.kind == "signature" for g in r.guards if g.effect == Effect.AUTH):
                continue  # the caller is whoever holds the secret it signs with: no account to own the object
            # a lookup filtered on a secret (``project__ping_key=key``) is tied to whoever holds it
            owned = [o for o in graph.authz.owned_lookups(r) if not SECRET_FILTER.search(o[0].display)]
            if r.auth == AuthState.UNPROTECTED and r.method in ("GET", "HEAD"):
                # a secret in the URL (a share link's slug, a token) is the credential itself
                owned = [o for o in owned if not CAPABILITY.search(o[0].source)]
            if not owned and r.auth == AuthState.PROTECTED and r.method in ("GET", "HEAD", "ANY"):
                owned = graph.authz.unscoped_listings(r)  # every user's rows, to any signed-in caller
            # a query over another model that a called function restricts to the caller (the tags it
            # files the bookmark under) does not tie the object loaded by the client's id
            models = {graph.canonical(lk.model) for lk, _ in owned}
            if not owned or any(not a.model or graph.canonical(a.model) in models for a in graph.authz.route_authorization(r)):
                continue
            if r.auth == AuthState.PROTECTED and graph.authz.privileged(r):
                continue  # RG104
            if r.auth == AuthState.PROTECTED and graph.authz.read_only_guarded(r):
                continue  # RG103
            hits.append((r, owned))
        for group, verbs in per_route(hits):
            r, owned = group[0]
            lk, fields = owned[0]
            model = lk.model.rpartition(".")[2]
            open_route = any(h[0].auth == AuthState.UNPROTECTED for h in group)
            how = (f"fetches the {model} whose id is in the URL" if lk.implicit
                   else f"returns every {model} row (it restricts no query over them to the caller, as the "
                        f"project does elsewhere)" if lk.listed
                   else f"loads {'an' if model[:1] in 'AEIO' else 'a'} {model} by the client-supplied {lk.source}")
            own_account = fields[0][0] == "the caller's own id"
            tie = ("is the caller's own account (no comparison with the caller's id, no permission check)"
                   if own_account else
                   f"belongs to the caller (no filter or comparison on {fields[0][0]}, no permission check)")
            message = (f"{r.display(verbs)} {how} and never checks that it {tie}: "
                       + ("anyone can reach any user's records, on a route that requires no authentication."
                          if open_route else "any user can reach any other user's records."))
            related = [Related(lk.location, f"{model} loaded here ({lk.display[:80]})")]
            if fields[0][1] is not None:
                related.append(Related(fields[0][1], f"{model}.{fields[0][0]} ties it to a user"))
            related += [Related(g.location, f"{g.name} authenticates the caller but does not check ownership")
                        for g in r.guards if g.effect == Effect.AUTH and g.location is not None][:2]
            yield self.finding(message, r.location, self.severity.raised() if open_route else self.severity,
                               related, r.suppress_lines, routes=[h[0] for h in group])
