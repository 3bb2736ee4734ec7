from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid


class GuardOutsideRouteDecorator(Check):
    """
    ## What it does
    Flags an authentication decorator written above the route decorator.

    ## Why is this bad
    Decorators apply bottom-up. The route decorator registers the function it
    receives; a guard above it wraps the already-registered function, and the
    framework keeps calling the unwrapped one. The route looks protected in review
    and is open in production.

    ## Example
    ```python
    @login_required
    @app.route("/account")
    def account():
        ...
    ```

    ## Use instead
    ```python
    @app.route("/account")
    @login_required
    def account():
        ...
    ```

    ## References
    - Flask documentation, "View Decorators": the route decorator must be the outermost
    - CWE-863: Incorrect Authorization
    """

    id = "RG102"
    name = "guard-outside-route-decorator"
    summary = "Authentication decorator placed above the route decorator, where it protects nothing"
    severity = Severity.ERROR
    confidence = "high"
    cwe = 863
    owasp = "API2:2023"

    VALID = (
        Valid("""
from flask import Flask
from flask_jwt_extended import jwt_required

app = Flask(__name__)

@app.route("/account")
@jwt_required()
def account():
    return {}
"""),
    )
    INVALID = (
        Invalid("""
from flask import Flask
from flask_login import login_required as lr

app = Flask(__name__)

@lr  # expect: RG102
@app.route("/account")
def account():
    return {}
"""),
    )

    def run(self, graph):
        seen = set()
        for route in graph.routes:
            for guard in route.misplaced:
                if guard.location in seen:
                    continue
                seen.add(guard.location)
                yield self.finding(
                    f"{route.method} {route.path} is registered without {guard.name}: the guard is above "
                    "the route decorator, so it protects nothing.",
                    guard.location, related=[Related(route.location, "the route decorator that registers the unguarded function")],
                    suppress_lines=route.suppress_lines, routes=[route])
