from __future__ import annotations

from routeguard.exposure import public_read, state_changes
from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path
from routeguard.states import AuthState, Effect

APP = """
import connexion

app = connexion.App(__name__, specification_dir="specs/")
app.add_api("openapi.yaml")
"""
SECURITY = """
import jwt

def decode_token(token):
    try:
        return jwt.decode(token, "secret", algorithms=["HS256"])
    except jwt.PyJWTError:
        return None

def any_token(token):
    return {"sub": "user"}
"""
PETS = """
from app.db import db

def create_pet(body):
    db.session.add(body)
    db.session.commit()
"""
SPEC = """
openapi: 3.0.0
info: {title: pets, version: "1"}
security:
  - bearer: []
paths:
  /pets:
    post:
      operationId: app.pets.create_pet
      responses: {"201": {description: ok}}
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
      x-bearerInfoFunc: app.security.%s
"""


class SpecSecurityMismatch(Check):
    """
    ## What it does
    Reports an operation whose security in the OpenAPI document differs from what the code
    does: the document requires a credential (`security: [{bearerAuth: []}]`, its own or the
    document's default) but nothing in the code verifies one (no guard, or a
    `x-bearerInfoFunc`/`x-tokenInfoFunc`/`x-apikeyInfoFunc`/`x-basicInfoFunc` that accepts
    every credential it is given, or a scheme that no function verifies); and, as a note, an
    operation documented as public (`security: []`) that the code protects. A warning where
    the application serves the document (Connexion: the document's security is what guards
    the operation) and the operation changes state or returns more than public data; a note
    otherwise (a hand-written document describes the code, whose open routes RG101 judges).

    ## Why is this bad
    Clients, gateways and reviewers trust the document: an operation documented as
    authenticated but open to anyone is a hole nobody looks for. Connexion calls a
    scheme's info function for every request and lets the caller in whenever it returns a
    token-info dict; one that never returns None nor raises protects nothing. The reverse
    (documented public, protected in code) breaks clients and hides what the API requires.

    ## Example
    ```python
    def decode_token(token):          # x-bearerInfoFunc of the bearer scheme
        return {"sub": "user"}        # every token is accepted
    ```

    ## Use instead
    ```python
    def decode_token(token):
        try:
            return jwt.decode(token, SECRET, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None                # Connexion answers 401
    ```

    ## References
    - OWASP API Security Top 10 2023, API9: Improper Inventory Management
    - OWASP API Security Top 10 2023, API2: Broken Authentication
    - CWE-287: Improper Authentication
    """

    id = "RG503"
    name = "spec-security-mismatch"
    summary = "The OpenAPI document requires a credential that the code never verifies (or the reverse)"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 287
    owasp = "API9:2023"

    VALID = (
        Valid({"app/__init__.py": APP, "app/pets.py": PETS, "app/security.py": SECURITY,
               "app/specs/openapi.yaml": SPEC % "decode_token"}),
    )
    INVALID = (
        Invalid({"app/__init__.py": APP, "app/security.py": SECURITY, "app/specs/openapi.yaml": SPEC % "any_token",
                 "app/pets.py": PETS.replace("def create_pet(body):", "def create_pet(body):  # expect: RG503")}),
    )

    def run(self, graph):
        infos = {i.file: i for i in graph.specs.spec_documents()}
        served = {info.file for _, info in graph.specs.served_documents()}
        seen = set()
        for r in graph.routes:
            op = graph.specs.spec_operation(r)
            if op is None or is_test_path(r.location.file) or (r.location, r.method) in seen:
                continue
            seen.add((r.location, r.method))
            required = graph.specs.spec_requirement(op, infos[op.file])
            names = ", ".join(sorted({n for alt in required for n in alt}))
            related = () if r.registration == op.location else (  # declared there: already related as its registration
                Related(op.location, "the operation in the OpenAPI document"),)
            if required and all(required) and r.auth == AuthState.UNPROTECTED:
                weak = next((g for g in r.applied if g.kind == "spec"), None)
                why = f" ({weak.target.rpartition('.')[2]}, which verifies it, accepts every credential)" if weak else \
                    " (no guard, and no function verifies its scheme)" if r.framework in graph.k.document_frameworks else ""
                # the document decides who gets in only where the application serves it (Connexion);
                # a hand-written one describes the code, whose open route RG101 judges
                opened = op.file in served and (
                    state_changes(graph, r) if r.method in WRITE_METHODS else not public_read(graph, r))
                message = (f"{r.display()} requires {names} in the OpenAPI document, but the code verifies no "
                           f"credential{why}: anyone who calls it is let in.")
                yield self.finding(message, r.location, self.severity if opened else Severity.NOTE, related,
                                   r.suppress_lines, routes=[r])
            elif required and all(required) and r.auth == AuthState.PUBLIC:
                why = next((g.reason or g.name for g in r.guards if g.effect == Effect.PUBLIC), "")
                message = (f"{r.display()} requires {names} in the OpenAPI document, but the code lets everyone in "
                           f"on purpose ({why}): the document does not say how the operation is really called.")
                yield self.finding(message, r.location, Severity.NOTE, related, r.suppress_lines, routes=[r])
            elif op.security == () and r.auth == AuthState.PROTECTED and not all(
                    g.kind == "spec" for g in r.guards if g.effect == Effect.AUTH):
                message = (f"{r.display()} is documented as public (security: []) but the code requires "
                           "authentication: the document does not say what the API asks of its callers.")
                yield self.finding(message, r.location, Severity.NOTE, related, r.suppress_lines, routes=[r])
