from __future__ import annotations

import re

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path, route_severity

WHAT = {
    "environ": "the process environment (os.environ)",
    "config": "the application's settings object",
    "traceback": "a traceback",
    "exception": "an exception's text",
}
WHY = {
    "environ": "it holds database passwords, API keys and signing secrets",
    "config": "it holds the secret key, database URL and every credential the application is configured with",
    "traceback": "it shows source paths, code and library versions, and often the values being processed",
    "exception": "an unexpected error's text can carry SQL, file paths, host names or data of other users",
}
# Exceptions that report what was wrong with the client's own input: their text is written
# for the client.
VALIDATION = re.compile(r"^(ValueError|\w*ValidationError|Invalid\w*|\w*Invalid(Error)?|JSONDecodeError|ParseError|"
                        r"\w*DoesNotExist|\w*NotFound(Error|Exception)?|\w*AlreadyExists?(Error)?|\w*ExistsError)$")
BROAD = frozenset({"", "Exception", "BaseException", "?"})

FLASK = """
from flask import Flask, jsonify

app = Flask(__name__)
app.config["SECRET_KEY"] = "from-env"

def run_report(name):
    return {"name": name}
"""
FASTAPI = """
from fastapi import FastAPI, HTTPException
from app.services import import_items, ItemError

app = FastAPI()
"""
FASTAPI_SERVICES = """
class ItemError(ValueError):
    pass

def import_items(payload):
    return len(payload)
"""
DJANGO_URLS = """
from django.urls import path
from ops import views

urlpatterns = [path("ops/env/", views.env), path("ops/sync/", views.sync)]
"""


class InformationExposureInResponse(Check):
    """
    ## What it does
    Flags a response (a returned value, a JSON or plain response, an `HTTPException`
    detail, `abort(...)`'s message) that carries internal state:

    - the process environment: `dict(os.environ)`, `os.environ.copy()`;
    - the application's settings object: `app.config`, `current_app.config.items()`,
      `vars(settings)`;
    - a traceback: `traceback.format_exc()`;
    - an exception's text: `str(e)`, `f"{e}"`, `e.args` of a caught exception.

    Exception text is reported when the `except` is broad (`except Exception`) or catches
    a library's error (a database, network or OS error). It is not reported when the
    `except` catches only validation errors (`ValueError`, `ValidationError`,
    `Invalid...`, `...NotFound`) or exception classes the project defines, whose messages
    are written for the client, nor on routes that only staff reach (every route that
    sends it checks a role). Reading one variable or setting (`os.environ.get("REGION")`,
    `app.config["NAME"]`) is not reported. The severity is raised on a route that
    requires no authentication.

    ## Why is this bad
    Environment variables and settings hold the application's secrets; tracebacks and
    raw error text show its code, queries, paths and versions to anyone who can trigger
    an error, and help an attacker plan the next step.

    ## Example
    ```python
    @app.post("/reports")
    def create_report():
        try:
            return jsonify(run_report(request.json["name"]))
        except Exception:
            return jsonify({"error": traceback.format_exc()}), 500
    ```

    ## Use instead
    ```python
    @app.post("/reports")
    def create_report():
        try:
            return jsonify(run_report(request.json["name"]))
        except Exception:
            app.logger.exception("report failed")
            return jsonify({"error": "internal error"}), 500
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-209: Generation of Error Message Containing Sensitive Information
    - CWE-497: Exposure of Sensitive System Information to an Unauthorized Control Sphere
    """

    id = "RG404"
    name = "information-exposure-in-response"
    summary = "Response carries the environment, settings, a traceback or an exception's text"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 209
    owasp = "API8:2023"

    VALID = (
        Valid(FLASK + """
import logging
import os

@app.get("/health")
def health():
    return jsonify({"region": os.environ.get("REGION", "local"), "name": app.config["APP_NAME"]})

@app.post("/reports/<name>")
def report(name):
    try:
        return jsonify(run_report(name))
    except Exception:
        logging.exception("report %s failed", name)
        return jsonify({"error": "internal error"}), 500
"""),
        Valid({"app/services.py": FASTAPI_SERVICES, "app/main.py": FASTAPI + """
@app.post("/items")
def create(payload: dict):
    try:
        return {"imported": import_items(payload)}
    except ItemError as e:
        raise HTTPException(status_code=400, detail="invalid items") from e
"""}),
        Valid({"app/services.py": FASTAPI_SERVICES, "app/main.py": FASTAPI + """
@app.post("/items/check")
def check(payload: dict):
    try:
        return {"imported": import_items(payload)}
    except ItemError as e:  # the project's own exception: its message is written for the client
        raise HTTPException(status_code=400, detail=str(e)) from e
"""}),
    )
    INVALID = (
        Invalid(FLASK + """
import traceback

@app.post("/reports/<name>")
def report(name):
    try:
        return jsonify(run_report(name))
    except Exception:
        return jsonify({"error": traceback.format_exc()}), 500
"""),
        Invalid(FLASK + """
import os

@app.get("/debug/env")
def env():
    return jsonify(dict(os.environ))
"""),
        Invalid(FLASK + """
@app.get("/debug/config")
def config():
    return jsonify({k: str(v) for k, v in app.config.items()})
"""),
        Invalid({"app/services.py": FASTAPI_SERVICES, "app/main.py": FASTAPI + """
@app.post("/items")
def create(payload: dict):
    try:
        return {"imported": import_items(payload)}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))
"""}),
        Invalid({"proj/urls.py": DJANGO_URLS, "ops/views.py": """
import os
from django.conf import settings
from django.http import JsonResponse

def env(request):
    return JsonResponse({"settings": {k: str(v) for k, v in vars(settings).items()}})

def sync(request):
    try:
        return JsonResponse({"synced": True})
    except Exception as exc:
        return JsonResponse({"error": f"sync failed: {exc}"}, status=500)
"""}),
    )

    def run(self, graph):
        for d in graph.facts_of("disclosures"):
            if is_test_path(d.location.file):
                continue
            routes = graph.handled_by(d.function)
            if not d.sink and not routes:
                continue  # a helper's return value is not a response by itself
            severity = self.severity
            caught = [c.rpartition(".")[2] for c in d.caught]
            validation = d.kind == "exception" and caught and all(
                VALIDATION.match(c.rpartition(".")[2]) or graph.canonical(c) in graph.classes for c in d.caught)
            if validation:
                continue  # the project's own or a validation error: its message is meant for the client
            if d.kind == "exception" and routes and all(
                    any(a.kind == "role" for a in graph.route_authorization(r)) for r in routes):
                continue  # only staff reach it
            severity, tail = route_severity(severity, routes) if routes else (severity, "")
            how = f"through {d.sink.rpartition('.')[2]}(...)" if d.sink else "in what it returns"
            detail = WHY[d.kind]
            if d.kind == "exception":
                if not caught or set(caught) & BROAD:
                    detail += " (it catches every exception)"
                else:
                    detail += f" (it catches {', '.join(caught)})"
            message = (f"The response carries {WHAT[d.kind]} {how}: {d.display}; {detail}{tail}. "
                       "Log it on the server and send the client a generic message.")
            related = [Related(r.location, f"{r.method} {r.path} sends it") for r in routes[:3]]
            yield self.finding(message, d.location, severity, related, routes=routes)
