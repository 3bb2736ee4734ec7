from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path

SOURCES = {"cookie": "the cookie", "header": "the header", "query": "the query parameter", "body": "the body field",
           "param": "the request parameter", "address": "the client address", "forwarded": "the address header"}
REASONS = {
    "role": "compares it to a role name",
    "flag": "takes it as a privilege flag",
    "localhost": "trusts the request when it equals a local address",
    "address": "admits the addresses it lists",
    "rejects": "turns the request away on it",
}
WHY = {
    "cookie": "a cookie that the server does not sign holds whatever the client puts in it",
    "header": "the client writes every request header",
    "query": "the client writes the query string",
    "body": "the client writes the request body",
    "param": "the client writes the request's parameters",
    "address": ("behind a proxy or load balancer every request comes from its address, and a request "
                "forwarded by any local service passes"),
    "forwarded": "the client writes X-Forwarded-For and its kin, so it can claim any address",
}

FLASK = """
from flask import Flask, abort, jsonify, request, session
from flask_login import current_user, login_required

app = Flask(__name__)

def load_reports():
    return []
"""
FASTAPI = """
from fastapi import FastAPI, Header, HTTPException, Request
from app.auth import current_claims

app = FastAPI()
"""
FASTAPI_AUTH = """
import jwt

def current_claims(token: str) -> dict:
    return jwt.decode(token, "k" * 32, algorithms=["HS256"])
"""
DJANGO_URLS = """
from django.urls import path
from reports import views

urlpatterns = [path("reports/", views.reports)]
"""


class ClientControlledAuthorization(Check):
    """
    ## What it does
    Flags an access decision taken from something the client sets itself:

    - a cookie, header or query/body field compared to a role name or read as a
      privilege flag: `request.cookies.get("role") == "admin"`,
      `request.headers.get("X-Admin")`, `?admin=true`;
    - the client address compared to localhost (`request.remote_addr == "127.0.0.1"`,
      `request.client.host`, `request.META["REMOTE_ADDR"]`), or an address header the
      client writes (`X-Forwarded-For`, `X-Real-IP`) compared to allowed addresses;
    - a request turned away (401/403) on its `User-Agent` or `Referer`.

    The session of Flask and Django (signed by the server), signed cookies and the claims
    of a verified token are not client-controlled and are not reported. Comparisons of
    a client value with a list of choices (validating a `role` field a form submits) or
    with stored data are not access decisions and are not reported either. Nor is a header
    that the project itself sets on a response (a forward-auth endpoint that verifies the
    session and answers `remote-role: admin`, which the reverse proxy in front copies onto
    the request it passes on, replacing the client's).

    ## Why is this bad
    The client chooses the value the server trusts: anyone can send `Cookie: role=admin`,
    `X-Admin: 1` or `X-Forwarded-For: 127.0.0.1` and be granted what the check was meant to
    keep for administrators or for the local machine. Behind a reverse proxy every
    request seems to come from the proxy's local address.

    ## Example
    ```python
    @app.get("/admin/reports")
    def reports():
        if request.cookies.get("role") != "admin":
            abort(403)
        return jsonify(load_reports())
    ```

    ## Use instead
    ```python
    @app.get("/admin/reports")
    @login_required
    def reports():
        if not current_user.is_admin:  # the role stored on the server for the signed-in user
            abort(403)
        return jsonify(load_reports())
    ```

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-807: Reliance on Untrusted Inputs in a Security Decision
    - CWE-290: Authentication Bypass by Spoofing
    """

    id = "RG107"
    name = "client-controlled-authorization"
    summary = "Access decided on a value the client sets (cookie, header, query flag, client address)"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 807
    owasp = "API5:2023"

    VALID = (
        Valid(FLASK + """
@app.get("/admin/reports")
def reports():
    if session.get("role") != "admin":
        abort(403)
    return jsonify(load_reports())

@app.get("/challenges")
@login_required
def challenges():
    # admins may ask for the admin view; the role is the server's
    admin_view = current_user.is_admin and request.args.get("view") == "admin"
    return jsonify(load_reports() if admin_view else [])

@app.get("/reports")
def filtered():
    role = request.args.get("role")
    if role not in ("admin", "editor", "viewer"):
        abort(400)
    return jsonify([r for r in load_reports() if r["role"] == role])
"""),
        Valid({"app/auth.py": FASTAPI_AUTH, "app/main.py": FASTAPI + """
@app.get("/admin/stats")
def stats(authorization: str = Header()):
    claims = current_claims(authorization.removeprefix("Bearer "))
    if claims.get("role") != "admin":
        raise HTTPException(status_code=403)
    return {"ok": True}

@app.get("/ping")
def ping(request: Request, user_agent: str = Header(None)):
    if "curl" in (user_agent or ""):
        return "pong"
    return {"pong": True}
"""}),
        Valid({"proj/urls.py": DJANGO_URLS, "reports/views.py": """
from django.conf import settings
from django.http import HttpResponseForbidden, JsonResponse

def reports(request):
    if request.META.get("REMOTE_ADDR") not in settings.INTERNAL_IPS:
        return HttpResponseForbidden()
    if request.session.get("role") != "admin":
        return HttpResponseForbidden()
    return JsonResponse({"reports": []})
"""}),
        Valid({"app/auth.py": FASTAPI_AUTH, "app/main.py": FASTAPI + """
from fastapi import Response

@app.post("/set-session-cookie")
async def set_session_cookie(request: Request, response: Response):
    session_id = (await request.json()).get("session_id")
    is_local = request.client and request.client.host in ["127.0.0.1", "localhost"]
    response.set_cookie(key="session-id", value=session_id, httponly=True,  # only the cookie's attributes
                        secure=not is_local, samesite="lax" if is_local else "none")
    return {"message": "Session cookie set"}
"""}),
        Valid({"app/auth.py": FASTAPI_AUTH, "app/main.py": FASTAPI + """
from fastapi import Depends, Response

@app.get("/auth")  # nginx: auth_request /auth; proxy_set_header Remote-Role $role
def auth(request: Request):
    token = request.cookies.get("app_token")
    if token is None:
        return Response("", status_code=401)
    claims = current_claims(token)
    ok = Response("", status_code=202)
    ok.headers["remote-user"] = claims["sub"]
    ok.headers["remote-role"] = claims["role"]
    return ok

def require_admin(request: Request):
    if request.headers.get("remote-role") != "admin":
        raise HTTPException(status_code=403)

@app.put("/config", dependencies=[Depends(require_admin)])
def save_config():
    return {"saved": True}
"""}),
    )
    INVALID = (
        Invalid(FLASK + """
@app.get("/admin/reports")
def reports():
    if request.cookies.get("role") != "admin":  # expect: RG107
        abort(403)
    return jsonify(load_reports())
"""),
        Invalid(FLASK + """
@app.get("/internal/metrics")
def metrics():
    if request.remote_addr == "127.0.0.1":  # expect: RG107
        return jsonify(load_reports())
    abort(403)
"""),
        Invalid(FLASK + """
@app.get("/reports")
def reports():
    show_all = request.args.get("admin") == "true"  # expect: RG107
    return jsonify(load_reports() if show_all else [])
"""),
        Invalid({"app/auth.py": FASTAPI_AUTH, "app/main.py": FASTAPI + """
@app.delete("/users/{user_id}")
def delete_user(user_id: int, x_admin: str = Header(None)):
    if not x_admin:  # expect: RG107
        raise HTTPException(status_code=403)
    return {"deleted": user_id}
"""}),
        Invalid({"app/auth.py": FASTAPI_AUTH, "app/main.py": FASTAPI + """
@app.get("/debug/config")
def debug_config(request: Request):
    if request.client.host != "127.0.0.1":  # expect: RG107
        raise HTTPException(status_code=403)
    return {"debug": True}
"""}),
        Invalid({"proj/urls.py": DJANGO_URLS, "reports/views.py": """
from django.http import HttpResponseForbidden, JsonResponse

def reports(request):
    ip = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if ip != "10.0.0.5":  # expect: RG107
        return HttpResponseForbidden()
    return JsonResponse({"reports": []})
"""}),
    )

    def run(self, graph):
        # headers the project itself puts on its responses: a forward-auth endpoint's answer, which
        # the proxy in front copies onto the request it passes on (Frigate's ``remote-role``)
        proxied = {header for _, header in graph.response_headers}
        for d in graph.facts_of("decisions"):
            if is_test_path(d.location.file) or d.source == "header" and d.key.lower() in proxied:
                continue
            routes = graph.handled_by(d.function)
            if d.source == "param" and not routes:
                continue  # a plain parameter is the client's only in a route handler
            what = f"{SOURCES[d.source]} {d.key!r}" if d.key and d.source not in ("address",) else SOURCES[d.source]
            message = (f"Access decided on a value the client sets: this code reads {what} and "
                       f"{REASONS[d.reason]} ({d.display}); {WHY[d.source]}. Decide on the signed-in user's "
                       f"role stored on the server, a signed session or a verified token instead.")
            related = [Related(r.location, f"{r.method} {r.path} takes this decision") for r in routes[:3]]
            yield self.finding(message, d.location, related=related, routes=routes)
