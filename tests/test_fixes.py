"""routeguard fix / routeguard.fixes: each codemod removes its finding, adds none, keeps the
code's formatting and comments, and is idempotent; no fix where there is no single clear one."""
import ast
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from routeguard import scan_sources
from routeguard.checks.base import all_checks
from routeguard.fixes import FIXES, fix_sources


def dedent(files):
    return {p: textwrap.dedent(t).lstrip("\n") for p, t in files.items()}


def no_new(before, after, fixed) -> bool:
    """Every finding after the fix was there before (by rule and file: lines move, and a
    message may change with the fix, as RG105's "on a route that requires no authentication"),
    less the ones fixed."""
    count = lambda findings: Counter((f.rule_id, f.location.file) for f in findings)
    left = count(before) - count(fixed)
    return all(n <= left[k] for k, n in count(after).items())


def keys(report):
    return sorted((f.rule_id, f.location.file, f.message) for f in report.findings)


def fixed(files, rule, config=None):
    """Fix ``rule``'s findings; assert they are gone, nothing new appears, the code parses and
    a second run changes nothing. Returns the fixed sources."""
    files = dedent(files)
    before = scan_sources(files, config)
    assert any(f.rule_id == rule for f in before.findings), keys(before)
    result = fix_sources(files, before, [rule])
    assert result.fixed and not result.unfixed, (result.fixed, result.unfixed)
    after_sources = {**files, **result.sources}
    for text in result.sources.values():
        ast.parse(text)
    after = scan_sources(after_sources, config)
    assert not [f for f in after.findings if f.rule_id == rule], keys(after)
    assert no_new(before.findings, after.findings, result.fixed), keys(after)
    again = fix_sources(after_sources, after, [rule])
    assert not again.sources  # idempotent
    return after_sources


def unfixed(files, rule, config=None):
    files = dedent(files)
    report = scan_sources(files, config)
    assert any(f.rule_id == rule for f in report.findings), keys(report)
    result = fix_sources(files, report, [rule])
    assert not result.sources and result.unfixed
    return result


FLASK_POSTS = {
    "blog/__init__.py": """
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            from blog.posts import bp
            app.register_blueprint(bp, url_prefix="/posts")
            return app
    """,
    "blog/posts.py": """
        from flask import Blueprint
        from flask_login import login_required as needs_login

        from blog.models import Post

        bp = Blueprint("posts", __name__)


        @bp.route("/")
        @needs_login
        def index():
            return {"posts": [p.title for p in Post.query.all()]}


        @bp.route("/<int:post_id>")
        @needs_login
        def show(post_id):
            return {"title": Post.query.get(post_id).title}


        @bp.route("/", methods=["POST"])
        @needs_login
        def create():
            Post.query.session.add(Post())
            return {}


        @bp.route("/<int:post_id>", methods=["DELETE"])  # removes the post for good
        def delete(post_id):
            Post.query.filter_by(id=post_id).delete()
            return {}
    """,
    "blog/models.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        class Post(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            title = db.Column(db.String(120))
            body = db.Column(db.Text)
            author_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    """,
}


def test_rg101_copies_the_decorator_siblings_use_as_the_file_imports_it():
    out = fixed(FLASK_POSTS, "RG101")
    assert '@bp.route("/<int:post_id>", methods=["DELETE"])  # removes the post for good\n@needs_login\ndef delete' \
        in out["blog/posts.py"]


def test_rg101_no_fix_without_a_guard_on_a_sibling():
    files = dict(FLASK_POSTS)
    files["blog/posts.py"] = files["blog/posts.py"].replace("        @needs_login\n", "")
    unfixed(files, "RG101")


def test_rg101_no_fix_when_the_open_route_is_one_of_many():
    """Two guarded handlers beside two open ones: nothing says which are meant to be open
    (healthchecks' signup and login views beside its account views)."""
    files = dict(FLASK_POSTS)
    files["blog/posts.py"] = files["blog/posts.py"].replace(
        '@bp.route("/", methods=["POST"])\n        @needs_login', '@bp.route("/", methods=["POST"])')
    unfixed(files, "RG101")


def test_rg101_no_fix_when_siblings_disagree():
    files = dict(FLASK_POSTS)
    files["blog/posts.py"] = files["blog/posts.py"].replace(
        "from flask_login import login_required as needs_login",
        "from flask_login import login_required as needs_login\n        from flask_jwt_extended import jwt_required") + """
        @bp.route("/feed")
        @jwt_required()
        def feed():
            return {"posts": [p.title for p in Post.query.all()]}
    """
    unfixed(files, "RG101")


def test_rg101_no_fix_for_a_read_when_siblings_guard_only_writes():
    """Public reads, guarded writes: a common design, so the open read is not a forgotten one."""
    files = dict(FLASK_POSTS)
    files["blog/posts.py"] = files["blog/posts.py"].replace(
        '@bp.route("/")\n        @needs_login', '@bp.route("/", methods=["PUT"])\n        @needs_login').replace(
        '@bp.route("/<int:post_id>")\n        @needs_login', '@bp.route("/<int:post_id>", methods=["PATCH"])\n        @needs_login'
    ).replace('@bp.route("/<int:post_id>", methods=["DELETE"])', '@bp.route("/<int:post_id>/raw")')
    unfixed(files, "RG101")


FASTAPI_ITEMS = {
    "app/main.py": """
        from fastapi import FastAPI

        from app.api import items

        app = FastAPI()
        app.include_router(items.router, prefix="/items")
    """,
    "app/deps.py": """
        from typing import Annotated

        from fastapi import Depends, HTTPException
        from fastapi.security import OAuth2PasswordBearer

        oauth2 = OAuth2PasswordBearer(tokenUrl="/login")


        def get_current_user(token: Annotated[str, Depends(oauth2)]):
            if token != "ok":
                raise HTTPException(status_code=401)
            return {"id": 1}


        CurrentUser = Annotated[dict, Depends(get_current_user)]
    """,
    "app/models.py": """
        from sqlmodel import Field, SQLModel


        class ItemBase(SQLModel):
            title: str


        class Item(ItemBase, table=True):
            id: int | None = Field(default=None, primary_key=True)
            owner_token: str


        class ItemPublic(ItemBase):
            id: int
    """,
    "app/api/items.py": """
        from fastapi import APIRouter
        from sqlmodel import Session

        from app import deps
        from app.models import Item

        router = APIRouter()


        @router.get("/{item_id}")
        def read_item(item_id: int, user: deps.CurrentUser, session: Session):
            return session.get(Item, item_id)


        @router.post("/")
        def create_item(title: str, user: deps.CurrentUser, session: Session):
            item = Item(title=title, owner_token="")
            session.add(item)
            return item


        @router.delete("/{item_id}")
        def delete_item(item_id: int, session: Session):
            session.delete(session.get(Item, item_id))
            return {"ok": True}
    """,
}


def test_rg101_adds_the_dependency_parameter_siblings_use():
    out = fixed(FASTAPI_ITEMS, "RG101")
    assert "def delete_item(item_id: int, session: Session, user: deps.CurrentUser):" in out["app/api/items.py"]


def test_rg101_adds_the_route_dependency_siblings_declare():
    files = dict(FASTAPI_ITEMS)
    files["app/api/items.py"] = files["app/api/items.py"].replace(
        '@router.get("/{item_id}")\n        def read_item(item_id: int, user: deps.CurrentUser,',
        '@router.get("/{item_id}", dependencies=[Depends(deps.get_current_user)])\n        def read_item(item_id: int,'
    ).replace('@router.post("/")\n        def create_item(title: str, user: deps.CurrentUser,',
              '@router.post("/", dependencies=[Depends(deps.get_current_user)])\n        def create_item(title: str,'
              ).replace("from fastapi import APIRouter", "from fastapi import APIRouter, Depends")
    out = fixed(files, "RG101")
    assert '@router.delete("/{item_id}", dependencies=[Depends(deps.get_current_user)])' in out["app/api/items.py"]


def test_rg303_declares_the_public_schema_and_imports_it():
    out = fixed(FASTAPI_ITEMS, "RG303")
    text = out["app/api/items.py"]
    assert '@router.get("/{item_id}", response_model=ItemPublic)' in text
    assert "from app.models import Item" in text and "import ItemPublic" in text


def test_rg303_imports_the_schema_as_the_file_imports_its_model():
    files = {**FASTAPI_ITEMS, "app/__init__.py": "", "app/api/__init__.py": ""}
    files["app/api/items.py"] = files["app/api/items.py"].replace("from app.models import Item",
                                                                  "from ..models import Item")
    out = fixed(files, "RG303")
    assert "from ..models import ItemPublic\n" in out["app/api/items.py"]


def test_rg303_replaces_the_storage_model_declared_as_response_model():
    files = dict(FASTAPI_ITEMS)
    files["app/api/items.py"] = files["app/api/items.py"].replace(
        "from app.models import Item", "from app import models\n        from app.models import Item").replace(
        '@router.post("/")', '@router.post("/", response_model=models.Item, status_code=201)')
    out = fixed(files, "RG303")
    assert '@router.post("/", response_model=models.ItemPublic, status_code=201)' in out["app/api/items.py"]


def test_rg303_no_fix_without_a_public_schema():
    files = dict(FASTAPI_ITEMS)
    files["app/models.py"] = files["app/models.py"].split("class ItemPublic")[0]
    unfixed(files, "RG303")


def test_rg102_moves_the_guard_below_the_route_decorator_keeping_comments():
    out = fixed({"app.py": """
        from flask import Flask
        from flask_login import login_required

        app = Flask(__name__)


        # the account page
        @login_required  # must protect the page
        @app.route("/account", methods=["POST"])
        def account():
            return {}
    """}, "RG102")
    assert '# the account page\n@app.route("/account", methods=["POST"])\n@login_required  # must protect the page\n' \
        in out["app.py"]


def test_rg106_drops_the_verification_switch_and_keeps_the_other_options():
    out = fixed({"accounts/auth.py": """
        import jwt
        from django.conf import settings


        def claims(token):
            return jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"],
                              options={"verify_signature": False, "verify_exp": True})


        def legacy_claims(token):
            return jwt.decode(token, settings.SECRET_KEY, verify=False)
    """}, "RG106")
    text = out["accounts/auth.py"]
    assert 'options={"verify_exp": True})' in text and "verify=False" not in text


def test_rg106_no_fix_without_a_key():
    unfixed({"auth.py": """
        import jwt


        def claims(token):
            return jwt.decode(token, options={"verify_signature": False})
    """}, "RG106")


def test_rg401_reads_debug_from_the_environment_and_imports_os():
    out = fixed({"app.py": """
        from flask import Flask

        app = Flask(__name__)

        if __name__ == "__main__":
            app.run(host="0.0.0.0", debug=True)
    """, "config.py": """
        import os


        class ProductionConfig:
            SECRET_KEY = os.environ["SECRET_KEY"]
            DEBUG = True  # TODO
    """}, "RG401")
    assert 'debug=os.environ.get("FLASK_DEBUG") == "1")' in out["app.py"] and "import os\n" in out["app.py"]
    assert out["config.py"].count("import os") == 1
    assert 'DEBUG = os.environ.get("DEBUG") == "1"  # TODO' in out["config.py"]


DJANGO_NOTES = {
    "proj/__init__.py": "",
    "notes/__init__.py": "",
    "proj/settings.py": """
        ROOT_URLCONF = "proj.urls"
        INSTALLED_APPS = ["rest_framework", "notes"]
        """,
    "proj/urls.py": """
        from django.urls import include, path
        urlpatterns = [path("api/", include("notes.urls"))]
        """,
    "notes/urls.py": """
        from django.urls import path
        from rest_framework.routers import DefaultRouter
        from . import views
        router = DefaultRouter()
        router.register("notes", views.NoteViewSet)
        router.register("tags", views.TagViewSet)
        router.register("shares", views.ShareViewSet)
        urlpatterns = router.urls + [
            path("profile/", views.profile),
            path("settings/", views.settings_view),
            path("export/", views.export),
        ]
        """,
    "notes/views.py": """
        from django.contrib.auth.decorators import login_required
        from django.http import JsonResponse
        from rest_framework import permissions, viewsets
        from .models import Note, Tag, Share

        class NoteViewSet(viewsets.ModelViewSet):
            queryset = Note.objects.all()
            permission_classes = [permissions.IsAuthenticated]

        class TagViewSet(viewsets.ModelViewSet):
            permission_classes = (permissions.IsAuthenticated,)
            queryset = Tag.objects.all()

        class ShareViewSet(viewsets.ModelViewSet):
            \"\"\"Shares of a note.\"\"\"
            queryset = Share.objects.all()

        @login_required
        def profile(request):
            return JsonResponse({})

        @login_required
        def settings_view(request):
            return JsonResponse({})

        def export(request):
            note = Note.objects.create(text=request.POST["text"])
            return JsonResponse({"id": note.pk})
        """,
    "notes/models.py": """
        from django.db import models
        class Note(models.Model):
            text = models.TextField()
        class Tag(models.Model):
            name = models.CharField(max_length=20)
        class Share(models.Model):
            note = models.ForeignKey(Note, on_delete=models.CASCADE)
        """,
}


def test_rg101_django_copies_the_permission_classes_and_decorator_of_the_module():
    out = fixed(DJANGO_NOTES, "RG101")
    text = out["notes/views.py"]
    assert '"""Shares of a note."""\n    permission_classes = [permissions.IsAuthenticated]\n    queryset' in text
    assert "@login_required\ndef export(request):" in text


def test_rg101_drf_function_view_gets_the_guard_under_api_view():
    files = dict(DJANGO_NOTES)
    files["notes/views.py"] = """
        from rest_framework.decorators import api_view, permission_classes
        from rest_framework.permissions import IsAuthenticated
        from rest_framework.response import Response
        from .models import Note


        @api_view(["GET"])
        @permission_classes([IsAuthenticated])
        def profile(request):
            return Response({})


        @api_view(["GET"])
        @permission_classes([IsAuthenticated])
        def settings_view(request):
            return Response({})


        # wipes every note
        @api_view(["POST"])
        def export(request):
            Note.objects.all().delete()
            return Response({})


        class NoteViewSet:
            pass
        TagViewSet = ShareViewSet = NoteViewSet
    """
    files["notes/urls.py"] = files["notes/urls.py"].split("router = DefaultRouter()")[0] + """
        urlpatterns = [
            path("profile/", views.profile),
            path("settings/", views.settings_view),
            path("export/", views.export),
        ]
    """
    out = fixed(files, "RG101")
    assert '# wipes every note\n@api_view(["POST"])\n@permission_classes([IsAuthenticated])\ndef export' \
        in out["notes/views.py"]


DRF = {
    "proj/settings.py": """
        INSTALLED_APPS = ["rest_framework", "accounts"]
        REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
    """,
    "accounts/models.py": """
        from django.db import models


        class Account(models.Model):
            email = models.EmailField()
            api_key = models.CharField(max_length=64)
            is_staff = models.BooleanField(default=False)
            display_name = models.CharField(max_length=80)
    """,
    "accounts/serializers.py": """
        from rest_framework import serializers
        from .models import Account


        class AccountSerializer(serializers.ModelSerializer):
            class Meta:
                model = Account
                fields = '__all__'  # every column
    """,
}


def test_rg302_lists_the_non_sensitive_fields():
    out = fixed(DRF, "RG302")
    assert "fields = ['id', 'email', 'display_name']  # every column" in out["accounts/serializers.py"]


def test_rg302_no_field_list_when_the_model_inherits_unknown_fields():
    files = dict(DRF)
    files["accounts/models.py"] = files["accounts/models.py"].replace(
        "from django.db import models", "from django.db import models\n        from django.contrib.auth.models import AbstractUser"
    ).replace("class Account(models.Model)", "class Account(AbstractUser)")
    report = scan_sources(dedent(files))
    result = fix_sources(dedent(files), report, ["RG302"])
    assert not result.sources


def test_every_fix_of_a_check_example_removes_its_finding_and_adds_none():
    """The INVALID examples of the fixable checks: where a fix applies, the rescan is clean of it."""
    applied = set()
    for check in all_checks():
        if check.id not in FIXES:
            continue
        for example in check.INVALID:
            report = scan_sources(example.files, example.config)
            result = fix_sources(example.files, report, [check.id])
            if not result.sources:
                continue
            applied.add(check.id)
            after = scan_sources({**example.files, **result.sources}, example.config)
            assert no_new(report.findings, after.findings, result.fixed), (check.id, keys(after))
    assert {"RG102", "RG302", "RG401"} <= applied


def test_cli_fix_diff_then_write(tmp_path):
    for path, text in dedent(FLASK_POSTS).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    original = (tmp_path / "blog/posts.py").read_text()
    run = lambda *args: subprocess.run([sys.executable, "-m", "routeguard", "fix", *args, str(tmp_path)],
                                       capture_output=True, text=True)
    diff = run()
    assert diff.returncode == 1 and "+@needs_login" in diff.stdout and "1 finding fixable" in diff.stderr
    assert (tmp_path / "blog/posts.py").read_text() == original
    assert run("--select", "RG3").returncode == 0  # nothing of RG3xx to fix
    write = run("--write")
    assert write.returncode == 0 and "@needs_login\ndef delete" in (tmp_path / "blog/posts.py").read_text()
    assert run().returncode == 0  # nothing left to fix
    assert not (tmp_path / ".routeguard_cache").exists()
