from __future__ import annotations

import re

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path, route_severity, staff_only

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
import sqlite3

class ItemError(ValueError):
    pass

def import_items(payload):
    with sqlite3.connect("items.db") as db:
        db.executemany("INSERT INTO items (name) VALUES (?)", [(p,) for p in payload])
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

    Exception text is reported when the `except` is broad (`except Exception`), catches a
    built-in error (`OSError`, `KeyError`...) or an error of a storage, network, OS or
    remote-service library (SQLAlchemy, Django's database layer, requests, httpx, boto...).
    It is not reported when the `except` catches only validation errors (`ValueError`,
    `ValidationError`, `Invalid...`, `...NotFound`), exception classes the project defines,
    or errors of other libraries (a parser's, a codec's, a protocol's: they describe the
    input they were given), whose messages are written for the client. Exception text and
    tracebacks are not reported on routes that only staff reach (every route that sends
    them checks a role): there they are the administrator's diagnostics. A helper's finding names
    the routes whose handlers call it; a helper no known route calls is not reported. Nor
    is a broad `except` around a `try` body that only computes on the values it is given
    (no `await`; calls to built-ins, to parsing or encoding libraries, and to project
    functions that make no other calls): its errors can only describe those values. Reading one variable or setting (`os.environ.get("REGION")`,
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
        return jsonify({"error": traceback.format_exc()}), 500  # expect: RG404
"""),
        Invalid(FLASK + """
import os

@app.get("/debug/env")
def env():
    return jsonify(dict(os.environ))  # expect: RG404
"""),
        Invalid(FLASK + """
@app.get("/debug/config")
def config():
    return jsonify({k: str(v) for k, v in app.config.items()})  # expect: RG404
"""),
        Invalid({"app/services.py": FASTAPI_SERVICES, "app/main.py": FASTAPI + """
@app.post("/items")
def create(payload: dict):
    try:
        return {"imported": import_items(payload)}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))  # expect: RG404
"""}),
        Invalid({"proj/urls.py": DJANGO_URLS, "ops/views.py": """
import os
from django.conf import settings
from django.http import JsonResponse

def env(request):
    return JsonResponse({"settings": {k: str(v) for k, v in vars(settings).items()}})  # expect: RG404

def sync(request):
    try:
        return JsonResponse({"synced": True})
    except Exception as exc:
        return JsonResponse({"error": f"sync failed: {exc}"}, status=500)  # expect: RG404
"""}),
    )

    def run(self, graph):
        for d in graph.facts_of("disclosures"):
            if is_test_path(d.location.file):
                continue
            routes = graph.handled_by(d.function)
            if not d.sink and not routes:
                continue  # a helper's return value is not a response by itself
            routes = routes or graph.routes_of(d.function)
            if not routes:
                continue  # a helper no known route calls: what reaches the client is unknown
            severity = self.severity
            caught = [c.rpartition(".")[2] for c in d.caught]
            validation = d.kind == "exception" and caught and all(_for_the_client(graph, c) for c in d.caught)
            if validation:
                continue  # the project's own, a validation or an input library's error: written for the client
            if d.kind == "exception" and _computes_only(graph, d.tried):
                continue  # the try body only computes on values it is given: its errors describe them
            if d.kind in ("exception", "traceback") and staff_only(graph, routes):
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


def _for_the_client(graph, caught: str) -> bool:
    """An exception class whose text describes the client's own input or is written for the
    client: a validation error, one the project defines, or one of a library that is not a
    storage, network, OS or remote-service layer (a parser's, a codec's)."""
    if VALIDATION.match(caught.rpartition(".")[2]) or graph.canonical(caught) in graph.classes:
        return True
    package = caught.partition(".")[0]
    return "." in caught and not _infrastructure(graph, caught) and package != "builtins"


# Built-in calls that reach outside the process.
_EFFECT_BUILTINS = frozenset({"open", "eval", "exec", "compile", "__import__", "input"})
# Methods of str (and bytes) values: they fail only on the value's own type or content.
_TEXT_METHODS = frozenset({
    "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith",
    "replace", "casefold", "title", "capitalize", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum",
    "encode", "decode", "zfill", "removeprefix", "removesuffix", "partition", "rpartition"})


def _computes_only(graph, tried) -> bool:
    """The ``try`` body awaits nothing and calls only functions that compute on their
    arguments: built-ins, libraries that are not a storage, network or OS layer (a parser, a
    codec), the project's classes, and project functions whose own calls (a few levels deep)
    are all such. Any other call (an unknown object's method, a database session) may fail
    with text about the server."""
    if tried is None:
        return False
    project = graph.remembered("project packages", "", lambda _: frozenset(
        q.partition(".")[0] for q in (*graph.functions, *graph.classes)))
    seen: set = set()

    def pure(call: str, depth: int) -> bool:
        if call in ("await", "?") or call in _EFFECT_BUILTINS:
            return False
        c = graph.canonical(call)
        if "." not in c or c.rpartition(".")[2] in _TEXT_METHODS:
            return True  # a built-in, or ``value.lower()`` of the client's own text
        if c in graph.classes:
            return True
        m = graph.method(c)
        if m is not None:
            if m in seen:
                return True
            seen.add(m)
            return depth < 3 and all(pure(x, depth + 1) for x in graph.functions[m].calls)
        package = c.partition(".")[0]
        return package not in project and not _infrastructure(graph, c) and package != "builtins"

    return all(pure(c, 0) for c in tried)


def _infrastructure(graph, name: str) -> bool:
    """``name`` (a qualified call or class) belongs to a storage, network, OS or remote-service
    package or module (``urllib.request`` is one, ``urllib.parse`` is not: the adapters'
    ``infrastructure_modules``)."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in graph.k.infrastructure_modules for i in range(1, min(len(parts), 3) + 1))
