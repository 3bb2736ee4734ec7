"""Adoption in real repositories (issue 16): baselines and the posture diff, driven through the
real CLI in scratch git repositories."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

from helpers import REPO, validate_sarif

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def routeguard(cwd, *args):
    """The CLI in ``cwd``, in this process (the same click commands as the installed script;
    test_pre_commit runs that script itself)."""
    from click.testing import CliRunner

    from routeguard.cli import main

    old = os.getcwd()
    try:
        os.chdir(cwd)
        r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(r.exit_code, r.stdout, r.stderr)


def write(root, files: dict):
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def commit(repo, message="change"):
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def new_repo(tmp_path, files):
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, files)
    commit(repo, "initial")
    return repo


# A Flask shop: an app factory, blueprints in their own modules, a service layer.
SHOP = {
    "shop/__init__.py": """\
        from flask import Flask

        from shop.orders.views import orders
        from shop.admin.views import admin


        def create_app():
            app = Flask(__name__)
            app.register_blueprint(orders, url_prefix="/orders")
            app.register_blueprint(admin, url_prefix="/admin")
            return app
        """,
    "shop/orders/__init__.py": "",
    "shop/orders/service.py": """\
        from shop.models import Order


        def order_for(order_id):
            return Order.query.get_or_404(order_id)
        """,
    "shop/orders/views.py": """\
        from flask import Blueprint, jsonify
        from flask_login import login_required

        from shop.orders import service

        orders = Blueprint("orders", __name__)


        @orders.route("/<int:order_id>")
        @login_required
        def show(order_id):
            return jsonify(service.order_for(order_id).to_dict())


        @orders.route("/<int:order_id>", methods=["DELETE"])
        def cancel(order_id):
            service.order_for(order_id).cancel()
            return "", 204
        """,
    "shop/admin/__init__.py": "",
    "shop/admin/views.py": """\
        from flask import Blueprint, jsonify, request
        from flask_login import login_required
        from shop.models import db
        admin = Blueprint("admin", __name__)


        @admin.route("/stats")
        def stats():
            return jsonify({"orders": 3})


        @admin.route("/users", methods=["POST"])
        @login_required
        def create_user():
            db.session.execute(db.text("INSERT INTO users (email) VALUES (:email)"), {"email": request.form["email"]})
            db.session.commit()
            return "", 201
        """,
    "shop/models.py": """\
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()


        class Order(db.Model):
            id = db.Column(db.Integer, primary_key=True)
        """,
    "shop/config.py": 'SECRET_KEY = "dev-secret-key-123"\n',
}


@pytest.fixture
def shop(tmp_path):
    return new_repo(tmp_path, SHOP)


def scan_json(repo, *args):
    proc = routeguard(repo, "scan", ".", "--format", "json", "--no-cache", *args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads(proc.stdout)


# -- baseline --------------------------------------------------------------------------------


def test_baseline_reports_only_new_findings_and_survives_moving_code(shop):
    first, data = scan_json(shop)
    assert first.returncode == 1 and len(data["findings"]) >= 3
    created = routeguard(shop, "baseline", "create", "--no-cache")
    assert created.returncode == 0, created.stderr
    assert f"{len(data['findings'])} findings recorded in routeguard-baseline.json" in created.stderr
    proc, clean = scan_json(shop, "--baseline", "routeguard-baseline.json")
    assert proc.returncode == 0 and clean["findings"] == []
    assert clean["baseline"]["matched"] == len(data["findings"]) and clean["baseline"]["gone"] == 0
    commit(shop, "baseline")

    # Code moves: the cancel handler goes to its own module (its blueprint with it), lines
    # shift in every file, and an unrelated module is renamed. Nothing is new, nothing gone.
    views = (shop / "shop/orders/views.py").read_text()
    head, cancel = views.split('\n\n@orders.route("/<int:order_id>", methods=["DELETE"])')
    (shop / "shop/orders/views.py").write_text('"""Order pages."""\n# reordered\n\n' + head + "\n")
    (shop / "shop/orders/cancel.py").write_text(
        "from shop.orders import service\nfrom shop.orders.views import orders\n\n\n"
        '@orders.route("/<int:order_id>", methods=["DELETE"])' + cancel)
    (shop / "shop/orders/__init__.py").write_text("")
    init = (shop / "shop/__init__.py").read_text()
    (shop / "shop/__init__.py").write_text(init.replace("from shop.orders.views import orders",
                                                        "from shop.orders.views import orders\nimport shop.orders.cancel"))
    admin = (shop / "shop/admin/views.py").read_text()
    (shop / "shop/admin/views.py").write_text(admin.replace("admin = Blueprint", "# the back office\n\nadmin = Blueprint"))
    git(shop, "mv", "shop/models.py", "shop/tables.py")
    (shop / "shop/orders/service.py").write_text("from shop.tables import Order\n\n\n"
                                                 "def order_for(order_id):\n    return Order.query.get_or_404(order_id)\n")
    moved, after = scan_json(shop)
    assert sorted(f["rule"] for f in after["findings"]) == sorted(f["rule"] for f in data["findings"])
    assert any(f["file"] == "shop/orders/cancel.py" for f in after["findings"])  # it really moved
    proc, clean = scan_json(shop, "--baseline", "routeguard-baseline.json")
    assert proc.returncode == 0, clean["findings"]
    assert clean["baseline"] == {"file": "routeguard-baseline.json", "matched": len(data["findings"]), "gone": 0,
                                 "gone_entries": []}

    # A new open route is reported alone; a fixed one is counted as gone.
    stats = '@admin.route("/stats")\ndef stats():\n    return jsonify({"orders": 3})\n'
    assert stats in admin
    write(shop, {"shop/admin/views.py": admin.replace(stats, "") + textwrap.dedent("""


        @admin.route("/users/<int:user_id>", methods=["DELETE"])
        def delete_user(user_id):
            return "", 204
        """)})
    proc = routeguard(shop, "scan", ".", "--no-cache", "--baseline", "routeguard-baseline.json")
    assert proc.returncode == 1
    assert "DELETE /admin/users/<int:user_id>" in proc.stdout and "/admin/stats" not in proc.stdout
    assert proc.stdout.strip().splitlines()[-1] == (
        f"1 finding in 9 files; baseline routeguard-baseline.json: {len(data['findings']) - 1} findings matched, "
        f"1 entry gone (fixed).")


def test_baseline_config_key_and_sarif_baseline_state(shop, tmp_path):
    assert routeguard(shop, "baseline", "create", "--no-cache", "-o", "ci/accepted.json").returncode == 2  # no ci/
    (shop / "ci").mkdir()
    assert routeguard(shop, "baseline", "create", "--no-cache", "-o", "ci/accepted.json").returncode == 0
    (shop / "pyproject.toml").write_text('[tool.routeguard]\nbaseline = "ci/accepted.json"\n')
    proc = routeguard(shop / "shop", "scan", "--no-cache")  # from a subdirectory: relative to pyproject.toml
    assert proc.returncode == 0 and "0 findings" in proc.stdout and "matched" in proc.stdout
    # baseline create refreshes the configured file
    (shop / "ci/accepted.json").unlink()
    assert routeguard(shop / "shop", "baseline", "create", "--no-cache").stderr.endswith(
        f"recorded in {shop / 'ci/accepted.json'}\n")

    write(shop, {"shop/extra.py": """\
        from shop.admin.views import admin


        @admin.route("/export", methods=["POST"])
        def export():
            export_orders.delay()
            return "export started", 202
        """})
    views = (shop / "shop/admin/views.py").read_text()
    (shop / "shop/admin/views.py").write_text(views.replace('@admin.route("/stats")\ndef stats():', 'def stats():'))
    init = (shop / "shop/__init__.py").read_text()
    (shop / "shop/__init__.py").write_text(init + "\nimport shop.extra\n")
    out = tmp_path / "out.sarif"
    proc = routeguard(shop, "scan", ".", "--no-cache", "--format", "sarif", "-o", out, "--baseline-include-matched")
    assert proc.returncode == 1, proc.stderr
    results = validate_sarif(out.read_text())["runs"][0]["results"]
    states = {}
    for r in results:
        states.setdefault(r["baselineState"], []).append(r)
    assert [r["message"]["text"].split(" requires")[0] for r in states["new"]] == ["POST /admin/export"]
    assert [r["message"]["text"].split(" requires")[0] for r in states["absent"]] == ["GET /admin/stats"]
    assert states["unchanged"] and all(r["ruleId"] for r in states["unchanged"])
    # without --baseline-include-matched only the new ones, still marked new
    proc = routeguard(shop, "scan", ".", "--no-cache", "--format", "sarif")
    assert [r["baselineState"] for r in json.loads(proc.stdout)["runs"][0]["results"]] == ["new"]
    assert "1 entry gone" in proc.stderr


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "not a routeguard baseline"),
    ('{"routeguard-baseline": 99, "findings": []}', "format 99 is not supported"),
    ('{"routeguard-baseline": 1, "findings": {}}', '"findings" must be a list'),
    ('{"routeguard-baseline": 1, "findings": [{"fingerprint": 3}]}', "findings[0].fingerprint"),
    ('{"routeguard-baseline": 1, "findings": [{"fingerprint": "a", "rule": "RG101"}]}', "findings[0] needs"),
    ("[" * 200_000 + "]" * 200_000, "not valid JSON"),
    ("\udcff", "not valid JSON"),
])
def test_a_bad_baseline_is_a_clear_error(shop, content, message):
    (shop / "bl.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    proc = routeguard(shop, "scan", ".", "--no-cache", "--baseline", "bl.json")
    assert proc.returncode == 2
    assert proc.stderr.startswith("routeguard: error: baseline bl.json: ") and message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_baseline_that_is_not_a_regular_file(shop):
    (shop / "dir.json").mkdir()
    os.mkfifo(shop / "fifo.json")  # opening it would block
    proc = routeguard(shop, "scan", ".", "--no-cache", "--baseline", "fifo.json")
    assert proc.returncode == 2 and proc.stderr == "routeguard: error: baseline fifo.json: not a regular file\n"
    proc = routeguard(shop, "scan", ".", "--no-cache", "--baseline", "dir.json")
    assert proc.returncode == 2 and "'dir.json' is a directory" in proc.stderr
    (shop / "pyproject.toml").write_text('[tool.routeguard]\nbaseline = "dir.json"\n')  # the config key: ours
    proc = routeguard(shop, "scan", ".", "--no-cache")
    assert proc.returncode == 2 and proc.stderr == f"routeguard: error: baseline {shop / 'dir.json'}: not a regular file\n"


def test_a_pickle_as_baseline_is_never_loaded(shop, tmp_path):
    import pickle

    marker = tmp_path / "pwned"
    payload = pickle.dumps(type("X", (), {"__reduce__": lambda self: (os.system, (f"touch {marker}",))})())
    (shop / "bl.json").write_bytes(payload)
    proc = routeguard(shop, "scan", ".", "--no-cache", "--baseline", "bl.json")
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr and not marker.exists()
    assert routeguard(shop, "scan", ".", "--baseline", "missing.json").stderr.strip() == (
        "routeguard: error: baseline missing.json: no such file (`routeguard baseline create` writes one)")


# -- posture diff ----------------------------------------------------------------------------


def test_diff_reports_a_removed_login_required_without_touching_the_work_tree(shop):
    base = git(shop, "rev-parse", "HEAD").strip()
    views = (shop / "shop/admin/views.py").read_text()
    (shop / "shop/admin/views.py").write_text(views.replace('@login_required\ndef create_user', 'def create_user'))
    write(shop, {"shop/admin/reports.py": """\
        from shop.admin.views import admin
        from shop.models import Order

        @admin.route("/reports")
        def reports():
            return {"orders": [order.id for order in Order.query.all()]}
        """})
    (shop / "shop/__init__.py").write_text((shop / "shop/__init__.py").read_text() + "\nimport shop.admin.reports\n")
    head = commit(shop, "open the user admin")
    (shop / "scratch.txt").write_text("untracked\n")
    status = git(shop, "status", "--porcelain")

    proc = routeguard(shop, "diff", base, head, "--no-cache")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "WEAKENED POST /admin/users: protected -> unprotected: login_required removed" in out
    assert "Routes added:\n  GET /admin/reports (unprotected; reports shop/admin/reports.py:5)" in out
    assert "Findings introduced:" in out and "POST /admin/users requires no authentication" in out
    # the admin route's "only authenticates" note gives way to the missing authentication
    assert "Findings fixed:\n  shop/admin/views.py:12: RG104 [warning] POST /admin/users is privileged" in out
    assert git(shop, "status", "--porcelain") == status and git(shop, "rev-parse", "HEAD").strip() == head

    data = json.loads(routeguard(shop, "diff", base, "--no-cache", "--format", "json").stdout)  # vs the work tree
    assert data["head"] == "work tree"
    (change,) = data["auth_changed"]
    assert change | {"route": None} == {"method": "POST", "path": "/admin/users", "before": "protected",
                                       "after": "unprotected", "change": "protected -> unprotected: login_required removed",
                                       "weakened": True, "guards_removed": ["login_required"], "guards_added": [],
                                       "route": None}
    assert [r["path"] for r in data["routes_added"]] == ["/admin/reports"]
    assert sorted(f["rule"] for f in data["findings_introduced"]) == ["RG101", "RG101"]

    md = routeguard(shop, "diff", base, head, "--no-cache", "--format", "markdown").stdout
    assert md.startswith(f"### routeguard: API posture of `{base}` -> `{head}`")
    assert "| :warning: | `POST /admin/users` | protected -> unprotected: login_required removed |" in md
    sarif = validate_sarif(routeguard(shop, "diff", base, head, "--no-cache", "--format", "sarif").stdout)
    assert sorted(r["message"]["text"].split(" requires")[0] for r in sarif["runs"][0]["results"]) == [
        "GET /admin/reports", "POST /admin/users"]
    # with the work tree's cache: the same report, and the cache is read, never written with
    # the revisions' files
    assert routeguard(shop, "scan", ".").returncode == 1
    cache = (shop / ".routeguard_cache/facts-v2.json").read_bytes()
    assert routeguard(shop, "diff", base, head).stdout == out
    assert (shop / ".routeguard_cache/facts-v2.json").read_bytes() == cache
    # the reverse change fixes them and protects the route (its RG104 note, a warning, comes
    # back): nothing weakened, and nothing introduced at --fail-on error
    back = routeguard(shop, "diff", head, base, "--no-cache", "--fail-on", "error")
    assert back.returncode == 0 and "Findings fixed:" in back.stdout and "unprotected -> protected" in back.stdout


FASTAPI = {
    "api/__init__.py": "",
    "api/deps.py": """\
        from fastapi import Depends, HTTPException
        from fastapi.security import OAuth2PasswordBearer

        oauth2 = OAuth2PasswordBearer(tokenUrl="/token")


        def get_current_user(token: str = Depends(oauth2)):
            if not token:
                raise HTTPException(status_code=401)
            return token


        def get_db():
            from api.models import SessionLocal

            with SessionLocal() as session:
                yield session
        """,
    "api/models.py": """\
        from sqlalchemy import ForeignKey, Integer, Numeric
        from sqlalchemy.orm import DeclarativeBase, mapped_column, sessionmaker

        SessionLocal = sessionmaker()


        class Base(DeclarativeBase):
            pass


        class Invoice(Base):
            __tablename__ = "invoices"
            id = mapped_column(Integer, primary_key=True)
            owner_id = mapped_column(ForeignKey("users.id"))
            amount = mapped_column(Numeric)
        """,
    "api/invoices.py": """\
        from fastapi import APIRouter, Depends
        from sqlalchemy.orm import Session

        from api.deps import get_current_user, get_db
        from api.models import Invoice

        router = APIRouter(prefix="/invoices", dependencies=[Depends(get_current_user)])


        @router.get("/{invoice_id}")
        def read_invoice(invoice_id: int, db: Session = Depends(get_db)):
            return db.get(Invoice, invoice_id)


        @router.delete("/{invoice_id}")
        def delete_invoice(invoice_id: int):
            return None
        """,
    "api/main.py": """\
        from fastapi import FastAPI

        from api import invoices

        app = FastAPI()
        app.include_router(invoices.router)
        """,
}

DJANGO = {
    "notes/__init__.py": "",
    "notes/models.py": """\
        from django.db import models


        class Note(models.Model):
            owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
            text = models.TextField()
        """,
    "notes/serializers.py": """\
        from rest_framework import serializers

        from notes.models import Note


        class NoteSerializer(serializers.ModelSerializer):
            class Meta:
                model = Note
                fields = ["id", "text"]
        """,
    "notes/views.py": """\
        from rest_framework import permissions, viewsets

        from notes.models import Note
        from notes.serializers import NoteSerializer


        class NoteViewSet(viewsets.ModelViewSet):
            serializer_class = NoteSerializer
            permission_classes = [permissions.IsAuthenticated]

            def get_queryset(self):
                return Note.objects.filter(owner=self.request.user)
        """,
    "notes/urls.py": """\
        from rest_framework.routers import DefaultRouter

        from notes.views import NoteViewSet

        router = DefaultRouter()
        router.register("notes", NoteViewSet, basename="note")
        urlpatterns = router.urls
        """,
    "site_conf/__init__.py": "",
    "site_conf/urls.py": """\
        from django.urls import include, path

        urlpatterns = [path("api/", include("notes.urls"))]
        """,
    "site_conf/settings.py": 'ROOT_URLCONF = "site_conf.urls"\nINSTALLED_APPS = ["rest_framework", "notes"]\n',
}


def test_diff_reports_a_removed_router_dependency(tmp_path):
    repo = new_repo(tmp_path, FASTAPI)
    text = (repo / "api/invoices.py").read_text()
    (repo / "api/invoices.py").write_text(text.replace(', dependencies=[Depends(get_current_user)]', ""))
    data = json.loads(routeguard(repo, "diff", "HEAD", "--no-cache", "--format", "json").stdout)
    changes = {(c["method"], c["path"]): c for c in data["auth_changed"]}
    assert set(changes) == {("GET", "/invoices/{invoice_id}"), ("DELETE", "/invoices/{invoice_id}")}
    assert all(c["weakened"] and c["after"] == "unprotected" and c["guards_removed"] == ["Depends(get_current_user)"]
               for c in changes.values())
    assert {f["routes"][0]["method"] for f in data["findings_introduced"] if f["rule"] == "RG101"} == {"GET", "DELETE"}


def test_diff_reports_a_drf_permission_loosened_to_allow_any(tmp_path):
    repo = new_repo(tmp_path, DJANGO)
    text = (repo / "notes/views.py").read_text()
    (repo / "notes/views.py").write_text(text.replace("permissions.IsAuthenticated", "permissions.AllowAny"))
    proc = routeguard(repo, "diff", "HEAD", "--no-cache", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["auth_changed"], proc.stderr
    for c in data["auth_changed"]:
        assert c["weakened"] and c["before"] == "protected" and c["after"] in ("public", "unprotected")
        assert c["guards_removed"] == ["permissions.IsAuthenticated"]
    assert {c["method"] for c in data["auth_changed"]} >= {"GET", "POST", "DELETE"}
    assert proc.returncode == 1


def test_diff_of_two_directories(tmp_path):
    before, after = tmp_path / "v1", tmp_path / "v2"
    write(before, FASTAPI)
    write(after, {**FASTAPI, "api/invoices.py": textwrap.dedent(FASTAPI["api/invoices.py"]) + textwrap.dedent("""\


        @router.post("/")
        def create_invoice(db: Session = Depends(get_db)):
            db.add(Invoice())
            db.commit()
            return {}
        """)})
    proc = routeguard(tmp_path, "diff", before, after, "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # a protected route added: nothing weakened
    assert "Routes added:\n  POST /invoices/ (protected; create_invoice api/invoices.py:" in proc.stdout


def test_diff_from_a_revision_without_python_code(tmp_path):
    repo = tmp_path / "new"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"README.md": "# invoices\n"})
    first = commit(repo, "readme")
    write(repo, FASTAPI)
    data = json.loads(routeguard(repo, "diff", first, "--no-cache", "--format", "json").stdout)
    assert sorted((r["method"], r["auth"]) for r in data["routes_added"]) == [("DELETE", "protected"),
                                                                            ("GET", "protected")]


def test_diff_bad_arguments(tmp_path, shop):
    proc = routeguard(shop, "diff", "no-such-rev")
    assert proc.returncode == 2 and "'no-such-rev' is not a git revision" in proc.stderr
    proc = routeguard(tmp_path, "diff", "HEAD~1")
    assert proc.returncode == 2 and "not in a git work tree" in proc.stderr
    proc = routeguard(shop, "diff", "--upload-pack=touch /tmp/x", "HEAD")
    assert proc.returncode == 2


# -- CI ----------------------------------------------------------------------------------------

# The parts of GitLab's SAST report schema (security-report-schemas, dist/sast-report-format.json,
# version 15) that GitLab rejects a report for: the scan's required keys and each
# vulnerability's id, identifiers and location.
GITLAB_SAST = {
    "type": "object",
    "required": ["version", "scan", "vulnerabilities"],
    "properties": {
        "version": {"type": "string", "pattern": r"^15\.\d+\.\d+$"},
        "scan": {
            "type": "object",
            "required": ["analyzer", "scanner", "type", "start_time", "end_time", "status"],
            "properties": {
                "analyzer": {"$ref": "#/definitions/tool"},
                "scanner": {"$ref": "#/definitions/tool"},
                "type": {"const": "sast"},
                "start_time": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
                "end_time": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"},
                "status": {"enum": ["success", "failure"]},
            },
        },
        "vulnerabilities": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "identifiers", "location"],
            "properties": {
                "id": {"type": "string", "minLength": 1},
                "name": {"type": "string", "maxLength": 255},
                "description": {"type": "string", "maxLength": 1048576},
                "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
                "identifiers": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["type", "name", "value"],
                    "properties": {"type": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                                   "value": {"type": "string", "minLength": 1}, "url": {"type": "string"}}}},
                "location": {"type": "object", "required": ["file"],
                             "properties": {"file": {"type": "string", "minLength": 1},
                                            "start_line": {"type": "integer", "minimum": 1},
                                            "end_line": {"type": "integer", "minimum": 1}}},
            },
        }},
    },
    "definitions": {"tool": {
        "type": "object", "required": ["id", "name", "version", "vendor"],
        "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                       "version": {"type": "string", "minLength": 1},
                       "vendor": {"type": "object", "required": ["name"],
                                  "properties": {"name": {"type": "string", "minLength": 1}}}}}},
}


def test_gitlab_sast_report(shop, monkeypatch):
    import jsonschema

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    proc = routeguard(shop, "scan", ".", "--no-cache", "--format", "gitlab-sast", "-o", "gl-sast-report.json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads((shop / "gl-sast-report.json").read_text())
    jsonschema.validate(doc, GITLAB_SAST)
    assert doc["scan"]["start_time"] == "2023-11-14T22:13:20"
    by_rule = {v["identifiers"][0]["value"]: v for v in doc["vulnerabilities"]}
    v = by_rule["RG101"]
    assert v["severity"] == "High" and v["location"]["file"] == "shop/orders/views.py"
    assert v["identifiers"][1] == {"type": "cwe", "name": "CWE-306", "value": "306",
                                   "url": "https://cwe.mitre.org/data/definitions/306.html"}
    assert len({v["id"] for v in doc["vulnerabilities"]}) == len(doc["vulnerabilities"])
    # the ids follow the findings, not their lines: GitLab keeps tracking them as code moves
    views = shop / "shop/orders/views.py"
    views.write_text("# moved down\n\n" + views.read_text())
    routeguard(shop, "scan", ".", "--no-cache", "--format", "gitlab-sast", "-o", "gl-sast-report.json")
    moved = json.loads((shop / "gl-sast-report.json").read_text())
    assert sorted(v["id"] for v in moved["vulnerabilities"]) == sorted(v["id"] for v in doc["vulnerabilities"])


def test_github_action_is_a_sound_composite_action():
    """action.yml: a composite action whose shell steps get the inputs through the environment
    (never interpolated into a script), and whose routeguard commands use real options."""
    import re

    yaml = pytest.importorskip("yaml")
    from routeguard.cli import main

    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    assert uses == ["actions/setup-python", "actions/cache", "github/codeql-action/upload-sarif"]
    inputs = set(action["inputs"])
    for step in steps:
        for expr in re.findall(r"\$\{\{(.*?)\}\}", json.dumps(step)):
            for name in re.findall(r"inputs\.([\w-]+)", expr):
                assert name in inputs, name
        if "run" in step:
            assert step["shell"] == "bash" and "${{" not in step["run"], step["run"]
    script = "\n".join(s.get("run", "") for s in steps)
    options = {o for c in ("scan", "diff") for p in main.commands[c].params for o in p.opts}
    used = set(re.findall(r"(--[a-z-]+)", script.split("pip install")[1])) - {"--edit-last", "--body-file", "--quiet"}
    assert used and used <= options, used - options


# -- pre-commit --------------------------------------------------------------------------------


def test_pre_commit_blocks_a_commit_that_opens_a_route_then_passes_with_a_baseline(tmp_path):
    """pre-commit itself (the test extra installs it) runs the hook that .pre-commit-hooks.yaml
    declares, as a local hook of a scratch repository, on a real `git commit`."""
    yaml = pytest.importorskip("yaml")
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install -e '.[test]' installs it)")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    config = {"repos": [{"repo": "local", "hooks": [{
        "id": hook["id"], "name": hook["name"], "entry": hook["entry"], "language": "system",
        "types_or": hook["types_or"], "require_serial": True}]}]}
    repo = new_repo(tmp_path, {**FASTAPI, ".pre-commit-config.yaml": yaml.safe_dump(config)})
    env = {**GIT_ENV, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, env=env, check=True, capture_output=True)

    def git_commit(message):
        git(repo, "add", "-A")
        proc = subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True,
                              timeout=120)
        return Result(proc.returncode, proc.stdout + proc.stderr, "")  # a hook's output goes to stderr

    text = (repo / "api/invoices.py").read_text()
    (repo / "api/invoices.py").write_text(text.replace(", dependencies=[Depends(get_current_user)]", ""))
    blocked = git_commit("drop the invoice auth")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "routeguard" in blocked.stdout and "Failed" in blocked.stdout
    assert "api/invoices.py:15:1: RG101 [error] DELETE /invoices/{invoice_id} requires no authentication" in blocked.stdout
    assert git(repo, "log", "--oneline").count("\n") == 1  # not committed

    # The team accepts today's state: a baseline, set in pyproject.toml; the same commit passes.
    created = routeguard(repo, "baseline", "create", "--no-cache", "-o", "routeguard-baseline.json")
    assert created.returncode == 0 and "4 findings recorded" in created.stderr
    (repo / "pyproject.toml").write_text('[tool.routeguard]\nbaseline = "routeguard-baseline.json"\n')
    passed = git_commit("drop the invoice auth, accepted")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "routeguard" in passed.stdout and "Passed" in passed.stdout
    # ...and the next route opened is blocked again, alone
    (repo / "api/invoices.py").write_text((repo / "api/invoices.py").read_text() + textwrap.dedent("""\


        @router.post("/")
        def create_invoice(db: Session = Depends(get_db)):
            db.add(Invoice())
            db.commit()
            return {}
        """))
    again = git_commit("another open route")
    assert again.returncode == 1 and "POST /invoices/ requires no authentication" in again.stdout
    assert "GET /invoices/{invoice_id}" not in again.stdout and "4 findings matched" in again.stdout


# A Flask notes service with a hand-written OpenAPI document beside it.
NOTES = {
    "notes/__init__.py": """\
        from flask import Flask

        from notes.views import bp

        app = Flask(__name__)
        app.register_blueprint(bp, url_prefix="/api")
        """,
    "notes/views.py": """\
        from flask import Blueprint, request

        from notes.db import db, Note

        bp = Blueprint("notes", __name__)


        @bp.get("/notes")
        def list_notes():
            return [n.text for n in Note.query.all()]


        @bp.delete("/notes/purge")
        def purge():
            Note.query.delete()
            db.session.commit()
            return "", 204
        """,
    "notes/db.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\nclass Note(db.Model):\n    pass\n",
    "docs/openapi.yaml": """\
        openapi: 3.0.3
        info: {title: notes, version: "1.0"}
        paths:
          /api/notes:
            get: {security: [], responses: {"200": {description: ok}}}
          /api/notes/purge:
            delete: {security: [], responses: {"204": {description: gone}}}
        """,
    "docker-compose.yml": "services:\n  web: {build: .}\n",
}


def test_pre_commit_runs_on_a_staged_openapi_document(tmp_path):
    """The hook runs on YAML and JSON files too, and a commit that only edits the document is
    judged: dropping the purge operation from it leaves an open destructive route undocumented
    (RG501, reported at the handler although only the document is staged). A staged YAML file
    that is not a document is noted and changes nothing."""
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {"python", "yaml", "json"} <= set(hook["types_or"])
    repo = new_repo(tmp_path, NOTES)
    doc = repo / "docs/openapi.yaml"
    before = routeguard(repo, "scan", "--no-cache", "docs/openapi.yaml")
    assert before.returncode == 0 and "RG501" not in before.stdout, before.stdout
    doc.write_text(doc.read_text().split("  /api/notes/purge:")[0])
    (repo / "docker-compose.yml").write_text("services:\n  web: {build: ., ports: [8000]}\n")
    after = routeguard(repo, "scan", "--no-cache", "docs/openapi.yaml", "docker-compose.yml")
    assert after.returncode == 1
    assert "notes/views.py:13:1: RG501" in after.stdout and "DELETE /api/notes/purge" in after.stdout, after.stdout
    assert "docker-compose.yml: note: not scanned: not an OpenAPI document" in after.stdout
    alone = routeguard(repo, "scan", "--no-cache", "docker-compose.yml")
    assert alone.returncode == 0 and "RG" not in alone.stdout, alone.stdout


def test_readme_adoption_section_matches_what_ships():
    """The README's workflows use real commands and options, and its example semgrep rules
    are the ones tests/test_semgrep.py runs."""
    import re
    import shlex

    yaml = pytest.importorskip("yaml")
    from routeguard.cli import main

    text = (REPO / "README.md").read_text()
    section = text.split("## Adopting routeguard in a repository", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.S)
    docs = [yaml.safe_load(b) for b in blocks]
    assert any(isinstance(d, dict) and "rules" in d for d in docs)
    rules_block = next(b for b, d in zip(blocks, docs) if isinstance(d, dict) and "rules" in d)
    assert rules_block == (REPO / "tests/data/semgrep/rules.yml").read_text()
    commands = [line.strip().lstrip("- ").strip() for b in blocks for line in b.splitlines()
                if re.match(r"\s*(- )?routeguard ", line.strip().lstrip("- ") + " ")]
    commands += [line.removeprefix("$ ") for line in re.findall(r"^\$ routeguard .*$", section, re.M)]
    assert len(commands) >= 6
    for command in commands:
        words = shlex.split(command.split("#")[0])
        sub = main.commands[words[1]]
        if isinstance(sub, type(main)):
            sub = sub.commands[words[2]]
        options = {o for p in sub.params for o in p.opts}
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in options, (command, word)
        if "--format" in words:
            fmt = words[words.index("--format") + 1]
            choice = next(p for p in sub.params if "--format" in p.opts).type.choices
            assert fmt in choice, (command, fmt)
