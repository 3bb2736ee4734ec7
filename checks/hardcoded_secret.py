from __future__ import annotations

import re

from routeguard.findings import Severity

from .base import Check, Invalid, Valid, is_settings_template, is_test_path, non_production

# Settings scoped to test runs: a Testing config class, a settings module for tests or CI.
TESTING = re.compile(r"test|^ci$", re.IGNORECASE)

SECRET_KEYS = re.compile(
    r"^(SECRET_KEY|SECRET|JWT_SECRET|SECURITY_PASSWORD_SALT|SIGNING_KEY|"
    r".*_(SECRET|SECRET_KEY|API_KEY|PASSWORD|TOKEN|PRIVATE_KEY|SIGNING_KEY))$",
    re.IGNORECASE,
)
# Credentials the application presents to another system (a database, a mail server, an API),
# as opposed to keys it signs or verifies with itself (everything else SECRET_KEYS matches).
OUTBOUND = re.compile(r"^.*_(PASSWORD|API_KEY|TOKEN)$|^(.*_)?CLIENT_SECRET$", re.IGNORECASE)
# What a value written as a stand-in says about itself.
PLACEHOLDER = re.compile(r"change|example|dummy|placeholder|your|xxx|insecure|replace|default|sample|secret|password",
                         re.IGNORECASE)


# Keys issued to be published in client code (PostHog project keys, Stripe publishable keys,
# Mapbox public tokens): they only let a client send events or load a widget.
PUBLISHABLE = re.compile(r"^(phc_|pk_(live|test)_|pk\.ey)")


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

    Which literals count:
    - A key the application signs or verifies with itself (`SECRET_KEY`, `JWT_SECRET`,
      `*_SIGNING_KEY`, `*_PRIVATE_KEY`, a webhook or session secret) counts whatever it
      looks like, and also as the default of an environment lookup: whoever reads it can
      forge what it signs wherever the variable is missing.
    - A credential the application presents to another system (`*_PASSWORD`, `*_API_KEY`,
      `*_TOKEN`, `CLIENT_SECRET`) counts when its value looks like a real one (long,
      mixed characters, no stand-in word). A stand-in (`"password"`, `"mealie"`,
      `"change-me"`) only opens a server configured with that same value: as the default
      of an environment lookup or of a pydantic `BaseSettings` field (which the variable
      overrides) it is not reported, and set directly it is a note. A key issued to be
      published in client code (a PostHog project key `phc_...`, a Stripe publishable key
      `pk_live_...`) is not a secret.
    - Settings of test runs (a `Testing` config class, a `test`/`ci` settings module, test
      files) are not reported; in settings meant for development (a `DevelopmentConfig` or
      `LocalConfig` class, a `local_dev` settings module) a key is a note: it matters only
      if production ever loads them.

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
        Valid({"app/core/config.py": """
from pydantic_settings import BaseSettings

class DatabaseSettings(BaseSettings):
    POSTGRES_USER: str = "app"
    POSTGRES_PASSWORD: str = "app"
    POSTGRES_SERVER: str = "db"
"""}),
        Valid({"settings/docker.py": """
import os

EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "user")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "password")
"""}),
        Valid({"app/settings.py": """
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    # write-only ingestion key, also shipped in the web bundle
    POSTHOG_PROJECT_API_KEY: str = "phc_bVT2ugnZhMHRWqMvSRHPdeTjaPxQqT3QSsI3r5FlQR5"
    STRIPE_PUBLISHABLE_API_KEY: str = "pk_live_51HxQ2mKZ8vR4tLp8vN3cYbHf6dQ1sA0g"
"""}),
        Valid({"bot/rpc/webserver.py": """
import logging

logger = logging.getLogger(__name__)


class ApiServer:
    def __init__(self, config):
        self._config = config
        # the default is only compared, to warn the operator
        if self._config["api_server"].get("jwt_secret_key", "super-secret") == "super-secret":
            logger.warning("SECURITY WARNING - jwt_secret_key seems to be the default")
"""}),
        Valid({"otpserver/config.py": """
class ConfigKey:
    # the keys the configuration file is read by, not their values
    SECRET_KEY = "SECRET_KEY"
    DB_PASSWORD = "PI_DB_PASSWORD"
"""}),
        Valid({"tracer/config.py": """
import os

# the environment variables the server reads its secrets from
ENV_TRACER_SECRET = "TRACER_SECRET"
ENV_TRACER_SMTP_PASSWORD = "TRACER_SMTP_PASSWORD"


def get_env_tracer_secret():
    return os.environ.get(ENV_TRACER_SECRET)
"""}),
    )
    INVALID = (
        Invalid({"budget/default_settings.py": """
DEBUG = False
SQLALCHEMY_DATABASE_URI = "sqlite:////tmp/budget.db"
SECRET_KEY = "tralala"  # expect: RG403
""", "budget/run.py": """
from flask import Flask

def create_app():
    app = Flask(__name__)
    app.config.from_object("budget.default_settings")
    app.config.from_envvar("BUDGET_SETTINGS_FILE_PATH", silent=True)
    return app
"""}),
        Invalid("""
from flask import Flask

app = Flask(__name__)
app.secret_key = "dev-secret-change-me"  # expect: RG403
"""),
        Invalid({"cvewatch/conf/base.py": """
import environ

env = environ.Env()
env.prefix = "CVEWATCH_"
SECRET_KEY = env.str("SECRET_KEY", default="change_me")  # expect: RG403
DEBUG = env.bool("DEBUG", default=False)
INSTALLED_APPS = ["django.contrib.auth", "cves"]
"""}),
        Invalid({"app/config.py": """
import os

class Config:
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY", "super-secret")  # expect: RG403
"""}),
        Invalid({"bot/rpc/api_auth.py": """
import jwt
from fastapi import Depends, HTTPException

from bot.rpc.deps import get_api_config


def get_user_from_token(token: str, api_config: dict = Depends(get_api_config)) -> str:
    try:
        payload = jwt.decode(token, api_config.get("jwt_secret_key", "super-secret"), algorithms=["HS256"])  # expect: RG403
    except jwt.PyJWTError:
        raise HTTPException(status_code=401)
    return payload["sub"]


def create_token(data: dict, api_config: dict) -> str:
    return jwt.encode(data, api_config.get("jwt_secret_key", "super-secret"), algorithm="HS256")
"""}),
        Invalid({"app/core/config.py": """
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    SECRET_KEY: str = "dev-secret"  # expect: RG403
    SENDGRID_API_KEY: str = "SG.x7Jq2mZ9RkW4tLp8vN3cYb.Hf6dQ1sA0gE5uK9oT2wXr7iM4nB8zC3yV6lP1jD0"  # expect: RG403
"""}),
    )

    def run(self, graph):
        for s in graph.settings:
            if not SECRET_KEYS.match(s.key) or not isinstance(s.value, str) or not s.value.strip() \
                    or TESTING.search(s.scope) or is_test_path(s.location.file) or is_settings_template(s.location.file):
                continue  # local_settings.example.py: a template the installer copies and fills in
            if _names_itself(s):
                continue  # class ConfigKey: SECRET_KEY = "SECRET_KEY": the name of a setting, not its value
            if OUTBOUND.match(s.key) and PUBLISHABLE.match(s.value.strip()):
                continue
            override = _overridden(graph, s)
            stand_in = OUTBOUND.match(s.key) and not _looks_real(s.value)
            if s.fallback:
                if not stand_in:
                    unset = f"the {s.source} does not set it" if s.source else "the environment variable is unset"
                    yield self.finding(f"{s.key} falls back to a hard-coded value when {unset}.", s.location,
                                       Severity.WARNING)
            elif stand_in:
                yield self.finding(
                    f"{s.key} is set from a string literal in the source; the value looks like a stand-in, "
                    f"so it only works against a server configured with it. Read it from the environment.",
                    s.location, Severity.NOTE)
            elif non_production(s.scope):
                yield self.finding(
                    f"{s.key} is set from a string literal in the source, in settings meant for development "
                    f"({s.scope}): whoever reads it can forge what it signs on any server that loads them.",
                    s.location, Severity.NOTE)
            elif override is not None:
                yield self.finding(
                    f"{s.key} is set from a string literal in the source; {override.location.file} sets it from "
                    f"the environment, so this is the default of deployments that do not load that module.",
                    s.location, Severity.NOTE)
            else:
                yield self.finding(f"{s.key} is set from a string literal in the source.", s.location)


def _names_itself(s) -> bool:
    """The value is the setting's own name, maybe with the project's prefix (``DB_PASSWORD =
    "PI_DB_PASSWORD"``), or the key is the value's name with a prefix or suffix of its own
    (``ENV_PHOENIX_SECRET = "PHOENIX_SECRET"``, ``SMTP_PASSWORD_VAR = "SMTP_PASSWORD"``): a table
    of the environment variables the configuration is read from."""
    value = s.value.strip()
    if not (value.isupper() and value.replace("_", "").isalnum()):
        return False
    return value.endswith(s.key) or "_" in value and (s.key.endswith("_" + value) or s.key.startswith(value + "_"))


def _overridden(graph, s):
    """The same key set from the environment by another settings module of the same package
    (``settings/base.py`` literal, ``settings/prod.py`` ``os.environ[...]``), or None."""
    folder = s.location.file.rpartition("/")[0]
    return next((o for o in graph.settings if o.key == s.key and not o.literal and o.value is None
                 and o.location.file != s.location.file and o.location.file.rpartition("/")[0] == folder), None)


def _looks_real(value: str) -> bool:
    """A value that looks like a real credential rather than a stand-in: long enough, of mixed
    kinds of characters, with no word that says it is a stand-in."""
    v = value.strip()
    kinds = sum(any(test(c) for c in v) for test in (str.islower, str.isupper, str.isdigit,
                                                      lambda c: not c.isalnum()))
    return len(v) >= 12 and " " not in v and kinds >= 2 and not PLACEHOLDER.search(v)
