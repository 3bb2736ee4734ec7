from __future__ import annotations

from dataclasses import replace

from routeguard.exposure import any_writes, public_read, read_exposure, state_changes, what_changes
from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, per_route
from routeguard.states import AuthState


class UnauthenticatedRoute(Check):
    """
    ## What it does
    Flags a route that is reachable with no authentication at any layer (no guard on
    the handler, its class, its blueprint or router, the include site, the app, a
    `before_request` gate, middleware or settings, and no check inside the handler)
    and that is not explicitly public (conventionally, in `public-routes`, or with
    `security: []` in the project's OpenAPI document), saying what an anonymous caller gains: a route that
    can change data is an error (a view that takes any method counts when its handler
    writes, or acts on the method or the body it is sent); a read that may return
    user-owned or sensitive data (or whose result is unknown) a warning. A read of data that
    no user owns and that holds nothing sensitive (a tag list, a catalogue page), or of
    something fixed in the code (a help page rendered with no stored data, a favicon or
    robots.txt at a fixed path, a redirect to a fixed address), is listed in the route
    inventory as a "public read", with the reason, and is not reported unless
    `report-public-reads = true`. The finding
    is on the handler; the registration (`path()`, `router.register()`, the include) is
    a related location. An application that authenticates no one anywhere gets one
    finding that names its operations that change state.

    ## Why is this bad
    Generated endpoints are often written one at a time; the one that forgot its
    decorator is open to anyone on the internet. Unauthenticated writes let an
    anonymous caller change or delete data; unauthenticated reads leak it.

    ## Example
    ```python
    @bp.route("/posts/<int:post_id>", methods=["DELETE"])
    def delete_post(post_id):
        Post.query.filter_by(id=post_id).delete()
    ```

    ## Use instead
    ```python
    @bp.route("/posts/<int:post_id>", methods=["DELETE"])
    @login_required
    def delete_post(post_id):
        ...
    ```
    If the route is meant to be public, say so: add it to `public-routes` in
    `[tool.routeguard]`, exempt it in the gate's allow-list, or mark it with the
    framework's explicit public marker. Login, health and similar endpoints are
    public by convention (`default-public-routes = false` turns that off).

    ## References
    - OWASP API Security Top 10 2023, API2: Broken Authentication
    - CWE-306: Missing Authentication for Critical Function
    """

    id = "RG101"
    name = "unauthenticated-route"
    summary = "Route reachable without authentication at any layer and not explicitly public"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 306
    owasp = "API2:2023"

    VALID = (
        Valid("""
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.route("/orders")
@login_required
def orders():
    return "ok"
"""),
        Valid({
            "shop/__init__.py": """
from flask import Flask
from .api import api_bp

def create_app():
    app = Flask(__name__)
    app.register_blueprint(api_bp, url_prefix="/api")
    return app
""",
            "shop/api.py": """
from flask import Blueprint, abort
from flask_login import current_user

api_bp = Blueprint("api", __name__)

@api_bp.before_request
def require_login():
    if not current_user.is_authenticated:
        abort(401)

@api_bp.get("/orders")
def orders():
    return []
""",
        }),
        Valid("""
from flask import Flask

app = Flask(__name__)

@app.post("/webhooks/stripe")
def stripe_webhook():
    return "ok"
""", config={"public-routes": ["/webhooks/*"]}),
        Valid("""
from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import login_required

app = Flask(__name__)

@app.post("/bills")
@login_required
def add_bill():
    return "", 201

@app.route("/lang/<lang>")
def change_lang(lang):  # writes only the caller's own session cookie
    if lang in current_app.config["SUPPORTED_LANGUAGES"]:
        session["lang"] = lang
        session.update()
    return redirect(request.headers.get("Referer") or url_for("home"))
"""),
        Valid({  # the project's OpenAPI document declares the operation public (``security: []``)
            "watcher/api/spec.py": """
import os
import flask_restful

class Spec(flask_restful.Resource):
    def get(self):
        with open(os.path.join(os.path.dirname(__file__), "api-spec.yaml")) as f:
            return f.read()
""",
            "watcher/app.py": """
from flask import Flask
from flask_restful import Api
from watcher.api.spec import Spec
from watcher.api.watch import Watch

app = Flask(__name__)
api = Api(app)
api.add_resource(Spec, "/api/v1/full-spec")
api.add_resource(Watch, "/api/v1/watch/<uuid>")
""",
            "watcher/api/watch.py": """
import flask_restful
from watcher.auth import check_token

class Watch(flask_restful.Resource):
    method_decorators = [check_token]

    def delete(self, uuid):
        return "", 204
""",
            "watcher/auth.py": """
import functools
from flask import abort, request

def check_token(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if request.headers.get("x-api-key") != load_key():
            abort(403)
        return view(*args, **kwargs)
    return wrapper
""",
            "docs/api-spec.yaml": """
openapi: 3.0.4
info: {title: watcher, version: "1"}
security:
  - ApiKeyAuth: []
components:
  securitySchemes:
    ApiKeyAuth: {type: apiKey, in: header, name: x-api-key}
paths:
  /api/v1/full-spec:
    get:
      operationId: getFullApiSpec
      security: []
      responses: {"200": {description: the spec}}
  /api/v1/watch/{uuid}:
    delete:
      operationId: deleteWatch
      responses: {"204": {description: deleted}}
""",
        }),
    )
    INVALID = (
        Invalid("""
from flask import Flask

app = Flask(__name__)

@app.route("/orders/<int:order_id>", methods=["DELETE"])  # expect: RG101
def delete_order(order_id):
    return "", 204
"""),
        Invalid({
            "shop/__init__.py": """
from flask import Flask
from .admin import admin_bp

def create_app():
    app = Flask(__name__)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    return app
""",
            "shop/admin.py": """
import functools
from flask import Blueprint

from .models import User

admin_bp = Blueprint("admin", __name__)

def audited(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        print("audit", view.__name__)
        return view(*args, **kwargs)
    return wrapper

@admin_bp.get("/users")  # expect: RG101
@audited
def list_users():
    return [{"email": u.email} for u in User.query.all()]
""",
            "shop/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    email = db.Column(db.String(255))
""",
        }),
    )

    def run(self, graph):
        candidates = [r for r in graph.routes if r.auth == AuthState.UNPROTECTED and not r.misplaced
                      and not _declared_public(graph, r)]
        if candidates and not _authenticates(graph):
            yield self._app_finding(graph, candidates)
            return
        for routes, verbs in per_route(candidates, route=lambda r: r):
            others = list(dict.fromkeys(r.path for r in routes if r.path != routes[0].path))
            also = f" (also served at {', '.join(others[:3])}{' and more' if len(others) > 3 else ''})" if others else ""
            head = f"{routes[0].display(verbs)}{also} requires no authentication"
            tail = ": no guard at any layer protects it and it is not marked public."
            if any(r.method in WRITE_METHODS and state_changes(graph, r) or r.method == "ANY" and any_writes(graph, r)
                   for r in routes):
                does, why = next((w for w in (what_changes(graph, r) for r in routes) if w[1]), ("accepts writes", ""))
                message = f"{head} and {does}{f' ({why})' if why else ''}{tail}"
                severity = Severity.ERROR
            else:  # reads, and writes that only compute (a POST that decodes or converts what it is sent)
                reads = [replace(r, method="GET") if r.method in WRITE_METHODS else r for r in routes]
                public = [public_read(graph, r) for r in reads]
                if not all(public):
                    why = next(read_exposure(graph, r) for r, p in zip(reads, public) if not p)
                    gives = "tells anyone what users' data holds" if why.startswith("it tests the client's") else \
                        "may return user-owned or sensitive data"
                    message = f"{head} and {gives} ({why}){tail}"
                    severity = Severity.WARNING
                elif graph.config.report_public_reads:
                    message = f"{head}{tail[:-1]}; it is a public read ({public[0]})."
                    severity = Severity.NOTE
                else:
                    continue  # listed in the route inventory as a public read
            yield self.finding(message, routes[0].location, severity, (), routes[0].suppress_lines, routes=routes)

    def _app_finding(self, graph, candidates):
        """One finding for an application that authenticates no one anywhere: its operations
        that change state, at the first of them."""
        changing = [r for r in candidates if state_changes(graph, r)]
        shown = changing or candidates
        names = list(dict.fromkeys(r.display() for r in shown))
        listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        first = shown[0]
        if changing:
            message = (f"The application authenticates no caller anywhere (no guard on any route, router, "
                       f"middleware or handler), and {len(names)} operation{'s' if len(names) != 1 else ''} "
                       f"change{'s' if len(names) == 1 else ''} state: {listed}.")
        else:
            message = (f"The application authenticates no caller anywhere (no guard on any route, router, "
                       f"middleware or handler); none of its operations changes state: {listed}.")
        related = [Related(r.location, r.display()) for r in shown[1:11] if r.location != first.location]
        return self.finding(message, first.location, Severity.ERROR if changing else Severity.NOTE,
                            tuple(dict.fromkeys(related)), first.suppress_lines, routes=shown[:20])


def _authenticates(graph) -> bool:
    """Some authentication mechanism exists in the project: a route with a guard that
    authenticates (or one written where it has no effect, or an authorization guard), a
    gate or middleware, or a function that checks a credential or rejects with 401/403."""
    for r in graph.routes:
        if r.auth == AuthState.PROTECTED or r.misplaced or r.inert or r.applied \
                or any(g.kind in ("gate", "middleware") for g in r.guards):
            return True
    return any(f.evidence for f in graph.functions.values())


def _declared_public(graph, route) -> bool:
    """The project's OpenAPI document declares the operation public (``security: []``): a
    decision written down, like ``public-routes`` in the configuration."""
    op = graph.specs.spec_operation(route)
    return op is not None and op.security == ()
