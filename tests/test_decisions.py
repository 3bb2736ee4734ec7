"""RG107 client-controlled-authorization and RG404 information-exposure-in-response: the
facts the data pass records (client decisions, disclosures) and how the checks weigh them."""
from routeguard.findings import Severity
from helpers import hits


FLASK = """
from flask import Flask, abort, jsonify, request

app = Flask(__name__)
"""


def test_client_values_followed_through_locals_and_reshaping():
    found = hits({"app.py": FLASK + """
@app.get("/a")
def a():
    role = request.headers.get("X-User-Role", "").strip().lower()
    if role == "admin":
        return jsonify(secret=True)
    return jsonify(secret=False)

@app.get("/b")
def b():
    ip = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    if ip.startswith("10."):
        return jsonify(internal=True)
    abort(403)

@app.get("/c")
def c():
    if "admin" in request.args:
        return jsonify(all=True)
    return jsonify(all=False)
"""}, "RG107")
    assert sorted(f.location.line for f in found) == [9, 16, 22]


def test_choices_stored_data_and_plain_parameters_are_not_decisions():
    assert hits({"app.py": FLASK + """
from flask_login import current_user

@app.post("/users")
def create():
    role = request.json.get("role")
    if role not in ("admin", "member"):
        abort(400)
    if current_user.role == request.args.get("role"):
        pass
    return jsonify(ok=True)

def render(role: str = "user"):
    return role == "admin"

@app.get("/ip")
def ip():
    return jsonify(ip=request.remote_addr if request.remote_addr != "unknown" else None)
"""}, "RG107") == []


def test_a_value_tested_only_for_being_sent_is_no_privilege_flag():
    """Nautobot's contact form: ``role=Role.objects.get(id=request.POST.get("role")) if
    request.POST.get("role") else None`` asks whether the client chose a role label for the contact
    and uses it; nothing is granted on it. A flag the branch does not use is still one."""
    found = hits({"app.py": FLASK + """
from models import ContactAssociation, Role

@app.post("/contacts/<int:contact_id>/associate")
def associate(contact_id):
    role = Role.query.get(request.form.get("role")) if request.form.get("role") else None
    if request.form.get("team"):
        team_id = int(request.form.get("team"))
    else:
        team_id = None
    ContactAssociation.create(contact_id=contact_id, role=role, team_id=team_id)
    return jsonify(ok=True)

@app.get("/reports")
def reports():
    if request.args.get("admin"):
        return jsonify(all=True)
    return jsonify(all=False)
"""}, "RG107")
    assert [f.location.line for f in found] == [20]


def test_a_same_origin_check_is_a_forgery_defence_and_a_referer_check_is_not():
    """open-webui's MFA enrolment compares the ``Origin`` header with the server's own URL
    before it acts: the defence against cross-site requests that OWASP recommends, which a
    client gains nothing by forging. Turning a request away on its ``Referer`` or
    ``User-Agent`` is still a decision on a value the client writes."""
    found = hits({"app.py": FLASK + """
from urllib.parse import urlparse

from flask_login import login_required

SITE_URL = "https://chat.example.org"


@app.post("/mfa/enable")
@login_required
def enable_mfa():
    origin = request.headers.get("origin")
    expected = urlparse(SITE_URL)
    if origin != f"{expected.scheme}://{expected.netloc}":
        abort(403)
    return jsonify(enabled=True)


@app.get("/admin/export")
def export():
    if request.headers.get("Referer") != "https://admin.example.org/":
        abort(403)
    return jsonify(rows=[])
"""}, "RG107")
    assert [f.location.line for f in found] == [25]  # the Referer test


def test_fastapi_header_parameter_and_plain_route_parameter():
    found = hits({"main.py": """
from typing import Annotated
from fastapi import FastAPI, Header, HTTPException

app = FastAPI()

@app.get("/reports")
def reports(admin: bool = False, x_internal: Annotated[str | None, Header()] = None):
    if admin:
        return {"all": True}
    if x_internal == "yes":
        return {"internal": True}
    return {}

def helper(admin: bool = False):
    return "admin" if admin == "admin" else ""
"""}, "RG107")
    assert sorted(f.location.line for f in found) == [11]


def test_exception_text_severity_follows_what_is_caught():
    found = hits({"main.py": """
from fastapi import FastAPI, HTTPException
from sqlalchemy.exc import SQLAlchemyError

app = FastAPI()

class QuotaExceeded(Exception):
    pass

def work():
    return db.session.execute(RECOUNT).rowcount  # the database layer: its errors can carry SQL

@app.post("/a")
def a():
    try:
        return work()
    except ValueError as e:
        raise HTTPException(400, detail=str(e))

@app.post("/b")
def b():
    try:
        return work()
    except QuotaExceeded as e:
        raise HTTPException(429, detail=str(e))

@app.post("/c")
def c():
    try:
        return work()
    except SQLAlchemyError as e:
        raise HTTPException(500, detail=f"database error: {e}")

@app.post("/d")
def d():
    try:
        return work()
    except Exception as e:
        return {"error": repr(e)}
"""}, "RG404")
    by_line = {f.location.line: f.severity for f in found}
    # a validation error's and the project's own exception's text are meant for the client (on the
    # development corpus every such finding read as false); the routes require no authentication:
    # warnings are raised to errors
    assert by_line == {32: Severity.ERROR, 39: Severity.ERROR}


def test_exception_text_on_staff_only_routes_is_not_reported():
    found = hits({"main.py": """
from fastapi import Depends, FastAPI, HTTPException

app = FastAPI()

def get_admin(token: str = Depends(oauth2)):
    user = decode(token)
    if not user.is_admin:
        raise HTTPException(403)
    return user

def work():
    return db.session.execute(REBUILD).rowcount

@app.post("/admin/rebuild")
def rebuild(admin=Depends(get_admin)):
    try:
        return work()
    except Exception as e:
        raise HTTPException(500, detail=str(e))

@app.post("/rebuild")
def rebuild_mine(user=Depends(get_admin_or_user)):
    try:
        return work()
    except Exception as e:
        raise HTTPException(500, detail=str(e))
"""}, "RG404")
    assert [f.location.line for f in found] == [27]  # /rebuild only


def test_a_traceback_on_a_staff_only_route_is_not_reported():
    """Frigate's admin config editor answers an invalid configuration with its traceback: the
    route requires the admin role, so only the administrator sees it; the same answer on a
    route any signed-in user reaches is reported."""
    found = hits({"main.py": """
import traceback

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

app = FastAPI()


def require_role(required_roles: list[str]):
    async def role_checker(request: Request):
        role = current_role(request)
        if role not in required_roles:
            raise HTTPException(status_code=403, detail="Role not authorized")
        return role

    return role_checker


def require_login(request: Request):
    if current_user(request) is None:
        raise HTTPException(status_code=401)


@app.post("/config/save", dependencies=[Depends(require_role(["admin"]))])
def config_save(body: str = Body(media_type="text/plain")):
    try:
        parse_config(body)
    except Exception:
        return JSONResponse(content={"success": False, "message": traceback.format_exc()}, status_code=400)
    return {"success": True}


@app.post("/config/check", dependencies=[Depends(require_login)])
def config_check(body: str = Body(media_type="text/plain")):
    try:
        parse_config(body)
    except Exception:
        return JSONResponse(content={"success": False, "message": traceback.format_exc()}, status_code=400)
    return {"success": True}
"""}, "RG404")
    assert [f.location.line for f in found] == [39]


def test_one_variable_or_attribute_is_not_a_disclosure():
    assert hits({"app.py": FLASK + """
import os

@app.get("/v")
def v():
    try:
        return jsonify(region=os.environ["REGION"], name=app.config.get("NAME"))
    except KeyError as e:
        return jsonify(code=e.errno if hasattr(e, "errno") else 0, status=e.__class__.__name__)

def helper():
    try:
        return 1
    except Exception as e:
        return str(e)
"""}, "RG404") == []


def test_an_exception_text_only_tested_in_a_conditional_expression_is_not_sent():
    """changedetection.io: ``make_response(str(e).splitlines()[0] if str(e) else "...", 502)``
    sends the first line of the error once; the ``str(e)`` in the test decides, it is not sent
    (before: two findings on the line, one for the test)."""
    found = hits({"app.py": FLASK + """
from flask import make_response

@app.get("/preview")
def preview():
    try:
        html = fetch_page(request.args["url"])
    except Exception as e:
        return make_response(str(e).splitlines()[0] if str(e) else "Could not fetch the page", 502)
    return html
"""}, "RG404")
    assert [(f.location.line, f.location.col) for f in found] == [(13, 34)]


def test_exception_text_of_converting_the_clients_own_value_is_not_a_disclosure():
    """Label Studio's ``bool_from_request``: the ``try`` only turns the query value into a bool
    (``value.lower()`` in a helper, ``int(value)``), so the error text repeats the client's own
    input; a lookup in the same place may fail with text about the server."""
    source = FLASK + """
from shop.models import Task


def cast_bool_from_str(value):
    if value.lower() in ("true", "yes", "1"):
        return True
    if value.lower() in ("false", "no", "0"):
        return False
    raise ValueError(f"Incorrect bool value {value!r}")


@app.get("/tasks")
def tasks():
    try:
        resolve = cast_bool_from_str(request.args.get("resolve_uri", "0"))
    except Exception as e:
        return jsonify({"resolve_uri": str(e)}), 400
    return jsonify(resolve=resolve)


@app.get("/tasks/<int:task_id>")
def task(task_id):
    try:
        found = Task.query.get(task_id)
    except Exception as e:
        return jsonify({"error": str(e)}), 500
    return jsonify(id=found.id)
"""
    found = hits({"shop/__init__.py": "", "shop/views.py": source, "shop/models.py": "class Task:\n    query = None\n"},
                 "RG404")
    assert [f.location.line for f in found] == [31]
