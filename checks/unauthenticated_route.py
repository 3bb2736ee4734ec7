from __future__ import annotations

from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, per_route


class UnauthenticatedRoute(Check):
    """
    ## What it does
    Flags a route that is reachable with no authentication at any layer (no guard on
    the handler, its class, its blueprint or router, the include site, the app, a
    `before_request` gate, middleware or settings, and no check inside the handler)
    and that is not explicitly public.

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
    )
    INVALID = (
        Invalid("""
from flask import Flask

app = Flask(__name__)

@app.route("/orders/<int:order_id>", methods=["DELETE"])
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

admin_bp = Blueprint("admin", __name__)

def audited(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        print("audit", view.__name__)
        return view(*args, **kwargs)
    return wrapper

@admin_bp.get("/users")
@audited
def list_users():
    return []
""",
        }),
    )

    def run(self, graph):
        candidates = [r for r in graph.routes if r.auth == "unprotected" and not r.misplaced]
        for routes, verbs in per_route(candidates, route=lambda r: r):
            writes = any(r.method in WRITE_METHODS or r.method == "ANY" for r in routes)
            related = [Related(m, "mounted here") for m in routes[0].mounts]
            yield self.finding(
                f"{verbs} {routes[0].path} requires no authentication: no guard at any layer protects it "
                "and it is not marked public.",
                routes[0].location, Severity.ERROR if writes else Severity.WARNING, related, routes[0].suppress_lines,
                routes=routes)
