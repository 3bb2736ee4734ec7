from __future__ import annotations

import re

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid
from routeguard.states import AuthState

FLASK = """
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
{CORS}
"""
FASTAPI = """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
{OPTIONS}
)
"""
# Settings modules that production does not load (as RG401 treats them).
NON_PRODUCTION = re.compile(r"(^|/)(dev|develop|development|local|test|tests|testing)(_[^/]*)?\.py$|_(dev|local|test)\.py$")
DJANGO = """
INSTALLED_APPS = ["corsheaders", "shop"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
{CORS}
"""


class PermissiveCors(Check):
    """
    ## What it does
    Flags a CORS policy that lets any web origin make credentialed requests:

    - any origin together with credentials: flask-cors `CORS(app, supports_credentials=True)`
      (its default origin is `*`) or `@cross_origin(origins="*", supports_credentials=True)`;
      Starlette/FastAPI `CORSMiddleware(allow_origins=["*"], allow_credentials=True)`;
      django-cors-headers `CORS_ALLOW_ALL_ORIGINS = True` (or `CORS_ORIGIN_ALLOW_ALL`) with
      `CORS_ALLOW_CREDENTIALS = True` (the two may be in different settings modules;
      development, local and test settings modules are not reported, as in RG401);
    - an origin pattern that matches every origin (`allow_origin_regex=".*"`,
      `CORS_ALLOWED_ORIGIN_REGEXES = [r"^https?://.*$"]`) with credentials;
    - a handler or hook that echoes the request's `Origin` header into
      `Access-Control-Allow-Origin` and sets `Access-Control-Allow-Credentials: true`
      without testing the origin against an allow-list.

    Any origin *without* credentials is what a public API wants and is not reported,
    nor is a computed origin list (`allow_origins=settings.CORS_ORIGINS`).

    ## Why is this bad
    With credentials allowed, these libraries answer every origin with that very origin
    (a browser refuses `*` with credentials, so they reflect it instead). Any web page the
    user visits can then call the API with the user's cookies or HTTP authentication and
    read the responses: their data, their CSRF tokens, their API keys.

    ## Example
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    ## Use instead
    ```python
    app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"],
                       allow_credentials=True)
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
    - PortSwigger Web Security Academy, "CORS vulnerability with basic origin reflection"
    """

    id = "RG402"
    name = "permissive-cors"
    summary = "CORS allows any (or a reflected) origin together with credentials"
    severity = Severity.ERROR
    confidence = "high"
    cwe = 942
    owasp = "API8:2023"

    VALID = (
        Valid(FLASK.replace("{CORS}", 'CORS(app, origins=["https://app.example.com"], supports_credentials=True)')),
        Valid(FLASK.replace("{CORS}", "CORS(app)")),
        Valid(FASTAPI.replace("{OPTIONS}", '    allow_origins=["https://app.example.com"],\n    allow_credentials=True,')),
        Valid(FASTAPI.replace("{OPTIONS}", '    allow_origins=["*"],')),
        Valid({"shop/settings.py": DJANGO.replace("{CORS}", 'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n'
                                                             "CORS_ALLOW_CREDENTIALS = True")}),
        Valid({"shop/settings.py": DJANGO.replace("{CORS}", "CORS_ALLOW_ALL_ORIGINS = True")}),
        Valid({"shop/settings/base.py": DJANGO.replace("{CORS}", "CORS_ALLOW_CREDENTIALS = True"),
               "shop/settings/dev.py": "from .base import *\n\nCORS_ALLOW_ALL_ORIGINS = True\n"}),
        Valid("""
from flask import Flask, request

app = Flask(__name__)
ALLOWED = {"https://app.example.com"}

@app.after_request
def cors(response):
    origin = request.headers.get("Origin")
    if origin in ALLOWED:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
"""),
    )
    INVALID = (
        Invalid(FLASK.replace("{CORS}", "CORS(app, supports_credentials=True)  # expect: RG402")),
        Invalid(FLASK.replace("{CORS}", 'CORS(app, resources={r"/api/*": {"origins": "*"}}, supports_credentials=True)'
                              "  # expect: RG402")),
        Invalid(FASTAPI.replace("{OPTIONS}", '    allow_origins=["*"],  # expect: RG402\n    allow_credentials=True,')),
        Invalid(FASTAPI.replace("{OPTIONS}", '    allow_origin_regex=".*",  # expect: RG402\n    allow_credentials=True,')),
        Invalid({"shop/settings/base.py": DJANGO.replace("{CORS}", "CORS_ALLOW_CREDENTIALS = True"),
                 "shop/settings/production.py": "from .base import *\n\nCORS_ORIGIN_ALLOW_ALL = True  # expect: RG402\n"}),
        Invalid("""
from flask import Flask, request

app = Flask(__name__)

@app.after_request
def cors(response):
    response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")  # expect: RG402
    response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
"""),
        Invalid({
            "shop/settings.py": DJANGO.replace("{CORS}", "CORS_ALLOW_CREDENTIALS = True"),
            "shop/views.py": """
from django.http import JsonResponse

def profile(request):
    response = JsonResponse({"name": request.user.get_username()})
    response["Access-Control-Allow-Origin"] = request.META.get("HTTP_ORIGIN")  # expect: RG402
    response["Access-Control-Allow-Credentials"] = "true"
    return response
""",
        }),
    )

    def run(self, graph):
        for p in sorted(graph.cors_policies(), key=lambda p: p.location):
            if p.origins not in ("any", "reflect") or p.credentials is not True:
                continue
            if p.group and NON_PRODUCTION.search(p.location.file):
                continue
            what = "allows every origin" if p.origins == "any" else "reflects the request's origin"
            related = []
            if p.credentials_location is not None and p.credentials_location != (p.origins_location or p.location):
                related.append(Related(p.credentials_location, "credentials are allowed here"))
            routes = graph.routes_of(p.function) if p.function else []
            where = f" ({routes[0].method} {routes[0].path})" if routes else ""
            tail = " on a route that requires no authentication" if any(r.auth == AuthState.UNPROTECTED for r in routes) else ""
            yield self.finding(
                f"CORS {what} together with credentials{where}: any web page can make requests with the user's "
                f"cookies or credentials and read the responses ({p.display}){tail}.",
                p.origins_location or p.location, self.severity, related)
