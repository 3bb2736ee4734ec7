from __future__ import annotations

import re

from routeguard.findings import Severity

from .base import Check, Invalid, Valid, is_test_path

SECRET_KEYS = re.compile(
    r"^(SECRET_KEY|SECRET|JWT_SECRET|SECURITY_PASSWORD_SALT|SIGNING_KEY|"
    r".*_(SECRET|SECRET_KEY|API_KEY|PASSWORD|TOKEN|PRIVATE_KEY|SIGNING_KEY))$",
    re.IGNORECASE,
)
TESTING = re.compile(r"test", re.IGNORECASE)


class HardcodedSecret(Check):
    """
    ## What it does
    Flags a secret setting (`SECRET_KEY`, `JWT_SECRET_KEY`, `*_SECRET`, `*_API_KEY`,
    `*_PASSWORD`, `*_TOKEN`, ...) set from a string literal, including a literal used
    as the fallback of an environment lookup (`os.environ.get("SECRET_KEY", "dev")`).

    ## Why is this bad
    A key in the source is in every clone, fork, image and log of the repository.
    Whoever holds the key that signs sessions or JWTs can mint a session or token for
    any user, admin included; a fallback literal is what production runs with the day
    the variable is missing.

    ## Example
    ```python
    app.config["SECRET_KEY"] = "dev-secret-change-me"
    app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", "super-secret")
    ```

    ## Use instead
    ```python
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]  # fails fast when unset
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-798: Use of Hard-coded Credentials
    """

    id = "RG403"
    name = "hardcoded-secret"
    summary = "Secret key or credential set from a string literal"
    severity = Severity.ERROR
    confidence = "high"
    cwe = 798
    owasp = "API8:2023"

    VALID = (
        Valid("""
import os
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY")
"""),
        Valid({"app/config.py": """
class TestingConfig:
    SECRET_KEY = "test"
"""}),
    )
    INVALID = (
        Invalid("""
from flask import Flask

app = Flask(__name__)
app.secret_key = "dev-secret-change-me"
"""),
        Invalid({"app/config.py": """
import os

class Config:
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "super-secret")
"""}),
    )

    def run(self, graph):
        for s in graph.settings:
            if not SECRET_KEYS.match(s.key) or not isinstance(s.value, str) or not s.value.strip() \
                    or TESTING.search(s.scope) or is_test_path(s.location.file):
                continue
            if s.fallback:
                yield self.finding(
                    f"{s.key} falls back to a hard-coded value when the environment variable is unset.",
                    s.location, Severity.WARNING)
            else:
                yield self.finding(f"{s.key} is set from a string literal in the source.", s.location)
