"""OpenAPI documents as inputs: discovery, bounded reading, Connexion routes and the RG5xx checks."""
import json

from routeguard import scan_paths, scan_sources
from routeguard.documents import MAX_NODES

APP = """
import connexion

app = connexion.App(__name__, specification_dir="specs/")
app.add_api("openapi.yaml")
"""
PETS = """
from app.db import db

def list_pets():
    return []

def create_pet(body):
    db.session.add(body)
    db.session.commit()
"""
SPEC = """openapi: 3.0.0
info: {title: pets, version: "1"}
servers: [{url: "https://api.example.com/v1"}]
paths:
  /pets:
    get:
      operationId: app.pets.list_pets
      security: []
      responses: {"200": {description: ok}}
    post:
      operationId: app.pets.create_pet
      responses: {"201": {description: ok}}
"""


def write(root, files):
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text if isinstance(text, bytes) else text.encode())


def not_analyzed(report):
    return {f.location.file: f.message for f in report.findings if f.rule_id == "RG000"}


def test_connexion_routes_come_from_the_document():
    report = scan_sources({"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": SPEC})
    routes = {(r.method, r.path): r for r in report.routes}
    assert set(routes) == {("GET", "/v1/pets"), ("POST", "/v1/pets")}
    post = routes[("POST", "/v1/pets")]
    assert post.framework == "connexion" and post.handler == "app.pets.create_pet"
    assert post.location.file == "app/pets.py" and post.registration.file == "app/specs/openapi.yaml"
    assert post.auth == "unprotected" and routes[("GET", "/v1/pets")].auth == "public"
    assert [f.rule_id for f in report.findings if f.location.file == "app/pets.py"] == ["RG101"]


def test_base_path_given_to_add_api_wins_over_servers():
    app = APP.replace('add_api("openapi.yaml")', 'add_api("openapi.yaml", base_path="/internal")')
    report = scan_sources({"app/__init__.py": app, "app/pets.py": PETS, "app/specs/openapi.yaml": SPEC})
    assert {r.path for r in report.routes} == {"/internal/pets"}


def test_handlers_resolve_under_another_import_root_and_by_controller():
    """``app.pets.create_pet`` names ``backend.app.pets.create_pet`` when the project is read
    from above the directory the application runs from."""
    spec = SPEC.replace("operationId: app.pets.create_pet",
                        "operationId: create_pet\n      x-openapi-router-controller: app.pets")
    report = scan_sources({"backend/__init__.py": "", "backend/app/__init__.py": APP, "backend/app/pets.py": PETS,
                           "backend/app/specs/openapi.yaml": spec})
    assert {r.handler for r in report.routes} == {"backend.app.pets.list_pets", "backend.app.pets.create_pet"}


def test_resty_resolver_names_handlers_after_paths():
    app = APP.replace('app.add_api("openapi.yaml")',
                      'from connexion.resolver import RestyResolver\n'
                      'app.add_api("openapi.yaml", resolver=RestyResolver("app.api"))')
    spec = """openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /pets:
    get: {responses: {"200": {description: ok}}}
  /pets/{pet_id}:
    delete: {responses: {"204": {description: ok}}}
"""
    api = "def search():\n    return []\n\ndef delete(pet_id):\n    return None\n"
    report = scan_sources({"app/__init__.py": app, "app/api/__init__.py": "", "app/api/pets.py": api,
                           "app/specs/openapi.yaml": spec})
    assert {(r.method, r.handler) for r in report.routes} == {("GET", "app.api.pets.search"),
                                                              ("DELETE", "app.api.pets.delete")}


def test_a_verifier_that_accepts_everything_protects_nothing():
    spec = SPEC + """security: [{bearer: []}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, x-bearerInfoFunc: app.auth.verify}
"""
    accepting = "def verify(token):\n    return {'sub': 'anyone'}\n"
    rejecting = "def verify(token):\n    if token not in TOKENS:\n        return None\n    return TOKENS[token]\n"
    for code, auth in ((accepting, "unprotected"), (rejecting, "protected")):
        report = scan_sources({"app/__init__.py": APP, "app/pets.py": PETS, "app/auth.py": code,
                               "app/specs/openapi.yaml": spec})
        post = next(r for r in report.routes if r.method == "POST")
        assert post.auth == auth
        assert ("RG503" in {f.rule_id for f in report.findings}) == (auth == "unprotected")


def test_discovery_peeks_and_never_reads_other_json(tmp_path):
    """A big JSON file that is not an OpenAPI document is not read (no RG000 for its size);
    a spec found by its first bytes is."""
    write(tmp_path, {"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": SPEC,
                     "frontend/data.json": "[" + ",".join(["1"] * 1_000_000) + "]",
                     "app/config.yaml": "debug: true\nopenapi_url: /x\n"})
    report = scan_paths([tmp_path], root=tmp_path, cache=False)
    assert not_analyzed(report) == {}
    assert {r.path for r in report.routes} == {"/v1/pets"}
    assert report.files == 3


def test_hostile_documents_are_reported_and_the_scan_goes_on(tmp_path):
    bomb = "openapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]\n"
    files = {
        "app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": SPEC,
        "docs/bomb.yaml": bomb,
        "docs/recursive.yaml": "openapi: 3.0.0\nx: &x [*x]\n",
        "docs/latin1.yaml": b"openapi: 3.0.0\ninfo: {title: caf\xe9}\n",
        "docs/python.yaml": "openapi: 3.0.0\nx: !!python/object/apply:os.system ['true']\n",
        "docs/huge.json": '{"openapi": "3.0.0", "paths": {}, "x": "' + "a" * 2_000_000 + '"}',
        "docs/deep.json": '{"openapi": "3.0.0", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    }
    write(tmp_path, files)
    report = scan_paths([tmp_path], root=tmp_path, cache=False)
    gaps = not_analyzed(report)
    assert "expand it to more than" in gaps["docs/bomb.yaml"] and f"{MAX_NODES:,}" in gaps["docs/bomb.yaml"]
    assert "refers to a node that contains it" in gaps["docs/recursive.yaml"]
    assert "not valid UTF-8" in gaps["docs/latin1.yaml"]
    assert "not valid YAML" in gaps["docs/python.yaml"]
    assert "larger than max-file-size" in gaps["docs/huge.json"]
    assert "nested" in gaps["docs/deep.json"]
    assert {r.path for r in report.routes} == {"/v1/pets"}  # the served document is still read
    assert "RG101" in {f.rule_id for f in report.findings}


def test_refs_stay_inside_the_document():
    """A $ref to a file, a URL or itself is never followed: the operation it would bring is
    left out, nothing is opened and the rest of the document is read."""
    spec = SPEC + """  /passwd:
    $ref: "/etc/passwd"
  /remote:
    $ref: "http://attacker.example/item.yaml"
  /relative:
    $ref: "../../secrets.yaml#/paths/x"
  /loop:
    $ref: "#/components/pathItems/A"
components:
  pathItems:
    A: {$ref: "#/components/pathItems/B"}
    B: {$ref: "#/components/pathItems/A"}
  schemas:
    Tree:
      properties:
        children: {type: array, items: {$ref: "#/components/schemas/Tree"}}
"""
    report = scan_sources({"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": spec})
    assert {r.path for r in report.routes} == {"/v1/pets"}
    assert not report.notifications


def test_documents_are_cached_and_invalidated_by_content(tmp_path):
    write(tmp_path, {"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": SPEC})
    first = scan_paths([tmp_path], root=tmp_path)
    assert (tmp_path / ".routeguard_cache").is_dir()
    again = scan_paths([tmp_path], root=tmp_path)
    assert [(r.method, r.path) for r in again.routes] == [(r.method, r.path) for r in first.routes]
    write(tmp_path, {"app/specs/openapi.yaml": SPEC.replace("/pets:", "/animals:")})
    changed = scan_paths([tmp_path], root=tmp_path)
    assert {r.path for r in changed.routes} == {"/v1/animals"}


def test_json_route_list_says_what_the_document_documents():
    spec = json.dumps({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/api",
                       "paths": {"/pets": {"get": {"operationId": "app.pets.list_pets",
                                                   "security": [], "responses": {}}}}})
    report = scan_sources({"app/__init__.py": APP.replace("openapi.yaml", "swagger.json"), "app/pets.py": PETS,
                           "app/specs/swagger.json": spec})
    routes = json.loads(report.render("json"))["routes"]
    assert [(r["method"], r["path"]) for r in routes] == [("GET", "/api/pets")]
    assert routes[0]["documented"] == {"file": "app/specs/swagger.json", "line": 1, "operationId": "app.pets.list_pets",
                                       "security": []}
    assert routes[0]["registration"]["file"] == "app/specs/swagger.json"


FLASK = """
from flask import Flask, request
from .db import db

app = Flask(__name__)

@app.get("/api/notes")
def notes():
    return []

@app.post("/api/notes")
def add_note():
    db.session.add(request.json)
    db.session.commit()
    return "", 201

@app.post("/api/debug/reset")
def reset():
    db.drop_all()
    db.session.commit()
    return ""
"""
FLASK_DOC = """openapi: 3.0.0
info: {title: notes, version: "1"}
security: [{bearer: []}]
paths:
  /api/notes:
    get: {security: [], responses: {"200": {description: ok}}}
    post: {responses: {"201": {description: ok}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
"""


def test_a_hand_written_document_is_held_against_the_code():
    """A document that no application serves documents the Flask routes it lists: the open
    route it leaves out is a shadow operation (RG501), and the write it says needs a bearer
    token but the code leaves open is RG503."""
    report = scan_sources({"app/__init__.py": FLASK, "docs/openapi.yaml": FLASK_DOC})
    got = {(f.rule_id, f.location.line) for f in report.findings if f.rule_id.startswith("RG5")}
    assert got == {("RG503", 11), ("RG501", 17)}
    # an unrelated document (none of the routes in it) documents nothing here
    other = FLASK_DOC.replace("/api/notes", "/v2/orders")
    report = scan_sources({"app/__init__.py": FLASK, "docs/openapi.yaml": other})
    assert not [f for f in report.findings if f.rule_id.startswith("RG5")]


def test_a_document_that_names_no_server_documents_paths_below_where_the_api_is_mounted():
    """lemur: the blueprints are registered under /api/1 and the hand-written document lists
    /notes without a server: it documents /api/1/notes. A document with a server is held
    against the full path only."""
    app = FLASK.replace('@app.get("/api/notes")', '@bp.get("/notes")').replace(
        '@app.post("/api/notes")', '@bp.post("/notes")').replace(
        "app = Flask(__name__)", "app = Flask(__name__)\nbp = Blueprint('notes', __name__)") + \
        "\napp.register_blueprint(bp, url_prefix='/api/1')\n"
    app = app.replace("from flask import Flask, request", "from flask import Blueprint, Flask, request")
    doc = FLASK_DOC.replace("/api/notes", "/notes")
    report = scan_sources({"app/__init__.py": app, "docs/openapi.yaml": doc})
    got = {(f.rule_id, f.location.line) for f in report.findings if f.rule_id.startswith("RG5")}
    assert ("RG503", 12) in got
    served = doc.replace("paths:", "servers: [{url: /v2}]\npaths:")
    report = scan_sources({"app/__init__.py": app, "docs/openapi.yaml": served})
    assert not [f for f in report.findings if f.rule_id == "RG503"]


def test_fastapi_router_kept_out_of_the_schema():
    code = """
from fastapi import APIRouter, FastAPI
from .db import db

app = FastAPI()
hidden = APIRouter(prefix="/ops", include_in_schema=False)

@hidden.post("/flush")
def flush():
    db.session.commit()

@hidden.get("/ping")
def ping():
    return "pong"

app.include_router(hidden)
"""
    report = scan_sources({"app/main.py": code})
    rg501 = [f for f in report.findings if f.rule_id == "RG501"]
    assert [(f.location.line, f.routes[0].path) for f in rg501] == [(8, "/ops/flush")]
    routes = {r["path"]: r for r in json.loads(report.render("json"))["routes"]}
    assert routes["/ops/ping"]["documented"] is False and routes["/ops/ping"]["hidden_at"]["line"] == 6


def test_real_project_shapes():
    """What real Connexion projects do (pAI-OS, HCA DSS): a specification_dir built with
    pathlib among two documents of the same name, a MethodResolver whose classes a package
    re-exports, a project subclass of connexion.App, a RestyResolver held in a variable with
    collection_endpoint_name, Jinja placeholders in the document, and a scheme verified through
    Connexion's TOKENINFO_FUNC environment variable (no x-tokenInfoFunc)."""
    app = """
from pathlib import Path
from connexion import AsyncApp
from connexion.resolver import MethodResolver

def create_app():
    spec_dir = Path(__file__).parent.parent / "apis" / "main"
    app = AsyncApp(__name__, specification_dir=spec_dir)
    app.add_api("openapi.yaml", resolver=MethodResolver("backend.api"))
    return app
"""
    spec = """openapi: 3.0.0
info: {title: t, version: "1"}
servers: [{url: "https://{{HOST}}/api/v1"}]
paths:
  /notes:
    get: {responses: {"200": {description: ok}}}
  /notes/{id}:
    put:
      operationId: backend.api.NotesView.put
      security: [{oauth: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: "https://x", scopes: {}}}}
"""
    view = "class NotesView:\n    def search(self):\n        return []\n\n    def put(self, id, body):\n        save(id, body)\n"
    report = scan_sources({"backend/__init__.py": "", "backend/app.py": app,
                           "backend/api/__init__.py": "from .NotesView import NotesView\n",
                           "backend/api/NotesView.py": view, "apis/main/openapi.yaml": spec,
                           "apis/other/openapi.yaml": spec.replace("/notes", "/other")})
    routes = {(r.method, r.path): r for r in report.routes}
    assert set(routes) == {("GET", "/api/v1/notes"), ("PUT", "/api/v1/notes/{id}")}
    assert routes[("GET", "/api/v1/notes")].handler == "backend.api.NotesView.NotesView.search"
    put = routes[("PUT", "/api/v1/notes/{id}")]
    assert put.auth == "protected" and "TOKENINFO_FUNC" in put.guards[0].reason

    dss = """
import connexion
from connexion.resolver import RestyResolver

class DSSApp(connexion.App):
    pass

def create_app():
    app = DSSApp(__name__)
    resolver = RestyResolver("dss.api", collection_endpoint_name="list")
    app.add_api("../dss-api.yml", resolver=resolver)
    return app
"""
    spec = "swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: {{API_DOMAIN_NAME}}\nbasePath: /v1\n" \
           "paths:\n  /events:\n    get: {responses: {'200': {description: ok}}}\n"
    report = scan_sources({"dss/__init__.py": dss, "dss/api/__init__.py": "", "dss-api.yml": spec,
                           "dss/api/events.py": "def list():\n    return []\n"})
    assert [(r.path, r.handler) for r in report.routes] == [("/v1/events", "dss.api.events.list")]


def test_fastapi_add_api_route_kept_out_of_the_schema_and_an_app_that_serves_no_document():
    """``add_api_route(..., include_in_schema=False)`` hides its route like the decorator's keyword
    (RG501 on the open write, at its handler, with the call as the place it is hidden). An app
    made with ``openapi_url=None`` serves no generated document: nothing is hidden from it, so
    RG501 does not say its routes are left out of one (a hand-written document still counts)."""
    tasks = """
from .db import db
from .models import SearchIndex

def reindex():
    SearchIndex.query.delete()
    db.session.commit()
    return {"ok": True}

def health():
    return {"status": "ok"}
"""
    main = """
import os
from fastapi import FastAPI
from .tasks import health, reindex

app = FastAPI(title="catalog"%s)
app.add_api_route("/internal/reindex", reindex, methods=["POST"], include_in_schema=False)
app.add_api_route("/health", health, include_in_schema=False)
"""
    files = {"catalog/__init__.py": "", "catalog/tasks.py": tasks, "catalog/db.py": "db = None\n",
             "catalog/models.py": "from .db import db\nclass SearchIndex(db.Model):\n    pass\n"}
    report = scan_sources({**files, "catalog/main.py": main % ""})
    rg501 = [f for f in report.findings if f.rule_id == "RG501"]
    assert [(f.location.file, f.location.line, f.routes[0].path) for f in rg501] == [
        ("catalog/tasks.py", 5, "/internal/reindex")]
    assert (7, "kept out of the document here") in [(r.location.line, r.message) for r in rg501[0].related]
    routes = {r["path"]: r for r in json.loads(report.render("json"))["routes"]}
    assert routes["/health"]["hidden_at"] == {"file": "catalog/main.py", "line": 8}

    for off in (", openapi_url=None", ', openapi_url="", docs_url=None'):
        report = scan_sources({**files, "catalog/main.py": main % off})
        assert not [f for f in report.findings if f.rule_id == "RG501"]
        assert "documented" not in json.loads(report.render("json"))["routes"][0]
    # decided by the environment: the document is served somewhere, the routes are hidden from it
    report = scan_sources({**files, "catalog/main.py": main % ', openapi_url=os.environ.get("OPENAPI_URL")'})
    assert [f.rule_id for f in report.findings if f.rule_id == "RG501"] == ["RG501"]
    # dispatch: a root app without a document, the API a sub-application with its own
    mounted = main % "" + 'root = FastAPI(openapi_url="")\nroot.mount("/api/v1", app)\n'
    report = scan_sources({**files, "catalog/main.py": mounted})
    assert [f.routes[0].path for f in report.findings if f.rule_id == "RG501"] == ["/api/v1/internal/reindex"]


def test_flask_routes_added_beside_a_connexion_document():
    """Routes added on the Flask application under a Connexion app (``app.app.route``, a
    blueprint registered on ``flask_app = app.app``) are served beside the document, not in it:
    the inventory says so and an open one that changes state is a shadow operation (RG501)."""
    doc = """openapi: 3.0.0
info: {title: clinic, version: "1"}
paths:
  /pets:
    get:
      operationId: clinic.pets.list_pets
      security: []
      responses: {"200": {description: ok}}
"""
    init = """
import connexion

from .maintenance import maintenance


def create_app():
    app = connexion.FlaskApp(__name__, specification_dir="specs/")
    app.add_api("clinic.yaml")
    flask_app = app.app
    flask_app.register_blueprint(maintenance, url_prefix="/maintenance")

    @app.app.route("/healthz")
    def healthz():
        return "ok"

    return app
"""
    maintenance = """
from flask import Blueprint
from flask_login import login_required

from .db import db

maintenance = Blueprint("maintenance", __name__)


@maintenance.route("/purge-visits", methods=["POST"])
def purge_visits():
    db.session.execute("DELETE FROM visits")
    db.session.commit()
    return "", 204


@maintenance.route("/vacuum", methods=["POST"])
@login_required
def vacuum():
    db.session.execute("VACUUM")
    return "", 204
"""
    report = scan_sources({"clinic/__init__.py": init, "clinic/maintenance.py": maintenance,
                           "clinic/pets.py": "def list_pets():\n    return []\n", "clinic/db.py": "db = None\n",
                           "clinic/specs/clinic.yaml": doc})
    rg501 = [(f.location.file, f.location.line) for f in report.findings if f.rule_id == "RG501"]
    assert rg501 == [("clinic/maintenance.py", 10)]
    routes = {r["path"]: r for r in json.loads(report.render("json"))["routes"]}
    assert set(routes) == {"/pets", "/healthz", "/maintenance/purge-visits", "/maintenance/vacuum"}
    assert routes["/maintenance/purge-visits"]["documented"] is False and routes["/healthz"]["documented"] is False
    assert routes["/pets"]["documented"]["operationId"] == "clinic.pets.list_pets"


def test_connexion_document_written_as_a_dict_in_the_code():
    """``add_api({...})`` (a document held in a dict literal, or a variable assigned one): its
    operations are routes like a file's, each at the line it is written on, with the security it
    declares; ``add_api(build_spec())`` (a document computed at run time) is not read, and the
    scan goes on."""
    code = """
import connexion

from .specs import build_admin_spec

API = {
    "openapi": "3.0.0",
    "info": {"title": "pets", "version": "1"},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                  "x-bearerInfoFunc": "petshop.auth.decode_token"}}},
    "security": [{"bearer": []}],
    "paths": {
        "/pets": {
            "get": {"operationId": "petshop.pets.list_pets", "security": [], "responses": {"200": {"description": "ok"}}},
            "delete": {"operationId": "petshop.pets.purge", "responses": {"204": {"description": "gone"}}},
        },
    },
}

app = connexion.App(__name__)
app.add_api(API, base_path="/v1")
app.add_api(build_admin_spec(), base_path="/admin")
"""
    pets = "from .db import db\n\n\ndef list_pets():\n    return []\n\n\ndef purge():\n    db.session.commit()\n"
    auth = ("import jwt\n\n\ndef decode_token(token):\n"
            "    return jwt.decode(token, 'k', algorithms=['HS256'])\n")
    report = scan_sources({"petshop/__init__.py": "", "petshop/app.py": code, "petshop/pets.py": pets,
                           "petshop/db.py": "db = None\n", "petshop/auth.py": auth,
                           "petshop/specs.py": "def build_admin_spec():\n    return {}\n"})
    routes = {(r["method"], r["path"]): r for r in json.loads(report.render("json"))["routes"]}
    assert set(routes) == {("GET", "/v1/pets"), ("DELETE", "/v1/pets")}
    get, delete = routes["GET", "/v1/pets"], routes["DELETE", "/v1/pets"]
    assert (get["auth"], get["documented"]["line"], get["documented"]["security"]) == ("public", 14, [])
    assert (delete["auth"], delete["documented"]["line"], delete["handler"]["qualname"]) == (
        "protected", 15, "petshop.pets.purge")
    assert not [f for f in report.findings if f.rule_id in ("RG101", "RG503", "RG000")]


def test_a_before_request_hook_on_a_connexion_flask_app_guards_the_documents_operations():
    """spiff-arena: ``connexion_app = connexion.FlaskApp(...)``, ``app = connexion_app.app``,
    ``connexion_app.add_api("api.yml")`` with ``security: []`` (handled in Flask), then
    ``app.before_request(omni_auth)``, which answers 401 without a token (before: every operation
    of the document was unprotected, 106 FALSE RG101)."""
    doc = """openapi: 3.0.2
info: {title: spiffworkflow-backend, version: "1.0"}
security: []
paths:
  /process-models/{modified_process_model_identifier}:
    delete:
      operationId: spiff.routes.process_models.process_model_delete
      parameters:
        - {name: modified_process_model_identifier, in: path, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
"""
    init = """
import connexion

from spiff.routes.authentication_controller import omni_auth


def create_app():
    connexion_app = connexion.FlaskApp(__name__, specification_dir="./api")
    app = connexion_app.app
    app.config["SECRET_KEY"] = "from-env"
    connexion_app.add_api("api.yml", base_path="/v1.0")
    app.before_request(omni_auth)
    return connexion_app
"""
    auth = """
from flask import g, request

from spiff.services.authentication_service import user_from_token


def omni_auth():
    if request.path.startswith("/v1.0/status"):
        return None
    g.user = user_from_token(request.headers.get("Authorization", ""))
    if g.user is None:
        return {"error": "not authenticated"}, 401
    return None
"""
    report = scan_sources({
        "spiff/__init__.py": init, "spiff/api/api.yml": doc, "spiff/routes/__init__.py": "",
        "spiff/routes/authentication_controller.py": auth,
        "spiff/routes/process_models.py": "def process_model_delete(modified_process_model_identifier):\n    return {}\n",
        "spiff/services/__init__.py": "",
        "spiff/services/authentication_service.py": "def user_from_token(token):\n    return None\n",
    })
    routes = {(r.method, r.path): r for r in report.routes}
    route = routes[("DELETE", "/v1.0/process-models/{modified_process_model_identifier}")]
    assert route.auth.value == "protected" and any(g.name == "omni_auth" for g in route.guards)
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_flask_api_object_blueprint_serves_its_document():
    """Airflow 2's stable API: ``with ROOT.joinpath("api", "openapi", "v1.yaml").open() as f:
    specification = safe_load(f)``, then ``api_bp = FlaskApi(specification=specification,
    base_path=base_path).blueprint`` registered on the Flask app passed to the init function; the
    document's operations are routes of that blueprint, under its base path (Airflow: 89
    operations that were missing)."""
    spec = SPEC.replace("operationId: app.pets.", "operationId: app.api.pets.")
    report = scan_sources({
        "app/__init__.py": "",
        "app/www.py": """
from flask import Flask

from app.init_views import init_api


def create_app():
    flask_app = Flask(__name__)
    init_api(flask_app)
    return flask_app
""",
        "app/init_views.py": """
from pathlib import Path

from connexion import FlaskApi
from flask import Flask
from yaml import safe_load

ROOT_APP_DIR = Path(__file__).parent


def init_api(app: Flask) -> None:
    base_path = "/api/v1"
    with ROOT_APP_DIR.joinpath("api", "openapi", "v1.yaml").open() as f:
        specification = safe_load(f)
    api_bp = FlaskApi(specification=specification, base_path=base_path, strict_validation=True).blueprint
    app.register_blueprint(api_bp)
""",
        "app/api/__init__.py": "", "app/api/pets.py": PETS, "app/api/openapi/v1.yaml": spec,
    })
    routes = {(r.method, r.path): r for r in report.routes}
    assert set(routes) == {("GET", "/api/v1/pets"), ("POST", "/api/v1/pets")}
    assert routes[("POST", "/api/v1/pets")].handler == "app.api.pets.create_pet"
    assert routes[("POST", "/api/v1/pets")].auth == "unprotected" and routes[("GET", "/api/v1/pets")].auth == "public"
