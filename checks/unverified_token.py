from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid
from routeguard.states import AuthState


class UnverifiedToken(Check):
    """
    ## What it does
    Flags a JWT decoded without verifying its signature: PyJWT or python-jose
    `jwt.decode` with `options={"verify_signature": False}`, `verify=False`, an
    `algorithms` list that accepts `"none"`, or with neither a key nor `algorithms`.

    ## Why is this bad
    The claims of an unverified token are whatever the client wrote: anyone can mint a
    token that says `"sub": "admin"`. When the decoded claims identify the caller, the
    authentication they seem to provide is void.

    ## Example
    ```python
    claims = jwt.decode(token, options={"verify_signature": False})
    user = User.query.get(claims["sub"])
    ```

    ## Use instead
    ```python
    claims = jwt.decode(token, settings.JWT_SECRET, algorithms=["HS256"])
    ```

    ## References
    - OWASP API Security Top 10 2023, API2: Broken Authentication
    - CWE-347: Improper Verification of Cryptographic Signature
    - PyJWT documentation, "Reading the claimset without validation"
    """

    id = "RG106"
    name = "unverified-token"
    summary = "JWT decoded without verifying its signature"
    severity = Severity.ERROR
    confidence = "high"
    cwe = 347
    owasp = "API2:2023"

    VALID = (
        Valid("""
import jwt

def current_claims(token, key):
    return jwt.decode(token, key, algorithms=["HS256"])
"""),
        Valid({"app/security.py": """
from jose import jwt
from app.config import settings

def decode(token: str):
    return jwt.decode(token, settings.SECRET_KEY, algorithms=[settings.ALGORITHM])
"""}),
        Valid({"accounts/auth.py": """
import jwt
from django.conf import settings

def claims(request):
    token = request.headers["Authorization"].removeprefix("Bearer ")
    return jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"], options={"verify_exp": True})
"""}),
    )
    INVALID = (
        Invalid("""
import jwt
from flask import Flask, request

app = Flask(__name__)

def current_user_id():
    token = request.headers["Authorization"].split()[1]
    return jwt.decode(token, options={"verify_signature": False})["sub"]  # expect: RG106
"""),
        Invalid({"app/security.py": """
from jose import jwt

def decode(token: str):
    return jwt.decode(token, "", algorithms=["HS256", "none"])  # expect: RG106
"""}),
        Invalid({"accounts/auth.py": """
import jwt

def claims(token):
    return jwt.decode(token, verify=False)  # expect: RG106
"""}),
        Invalid({"accounts/auth.py": """
import jwt

def claims(token):
    return jwt.decode(token)  # expect: RG106
"""}),
    )

    def run(self, graph):
        for t in graph.token_decodes:
            def runs_it(q, decoder=t.function):  # the decoding function, or one nested in it (a wrapper)
                return q == decoder or decoder.startswith(q + ".")

            users = [r for r in graph.routes
                     if runs_it(r.handler) or any(runs_it(c) for g in r.guards if g.target
                                                  for c in graph.dependency_closure(g.target))]
            open_route = any(r.auth != AuthState.PROTECTED for r in users)
            related = [Related(r.location, f"{r.method} {r.path} relies on it") for r in users[:5]]
            message = f"Token decoded without verifying its signature: {t.flaw}; anyone can forge its claims"
            message += " on a route that requires no authentication." if users and open_route else "."
            yield self.finding(message, t.location, self.severity.raised() if open_route else self.severity, related)
