from __future__ import annotations

from pathlib import PurePosixPath

from routeguard.findings import Severity

from .base import Check, Invalid, Valid, is_settings_template, is_test_path, non_production


class DebugEnabled(Check):
    """
    ## What it does
    Flags debug mode switched on in code or configuration that production uses:
    `app.run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`, a
    `DEBUG = True` setting in a config module or in a config class that is not a
    development or testing one, outside a file named for development (`debug.py`,
    `dev_server.py`, `settings/local.py`). A development server bound to the loopback address
    (`app.run(debug=True, host="127.0.0.1")`) is not reported.

    ## Why is this bad
    Debug mode shows stack traces, settings and source to whoever triggers an error;
    Werkzeug's interactive debugger runs arbitrary Python for anyone who reaches it.

    ## Example
    ```python
    if __name__ == "__main__":
        app.run(host="0.0.0.0", debug=True)
    ```

    ## Use instead
    ```python
    if __name__ == "__main__":
        app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-489: Active Debug Code
    """

    id = "RG401"
    name = "debug-enabled"
    summary = "Debug mode enabled in code or production configuration"
    severity = Severity.WARNING
    confidence = "high"
    cwe = 489
    owasp = "API8:2023"

    VALID = (
        Valid({"weblate/settings_example.py": """
# Copy this file to settings.py and adjust it to your needs
DEBUG = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "weblate.urls"
INSTALLED_APPS = ["django.contrib.auth", "weblate.trans"]
"""}),
        Valid({"studio/debug.py": """
from studio import config, create_app

app = create_app()

if __name__ == "__main__":  # the development entry point: its file says so
    app.run(host=config.DEBUG_HOST, port=config.DEBUG_PORT, debug=True)
"""}),
        Valid("""
import os
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"
"""),
        Valid({"app/config.py": """
class DevelopmentConfig:
    DEBUG = True
"""}),
        Valid("""
from flask import Flask
app = Flask(__name__)
if __name__ == "__main__":
    app.run(debug=True, host="127.0.0.1", port=4000)  # reachable from this machine only
"""),
    )
    INVALID = (
        Invalid("""
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)  # expect: RG401
"""),
        Invalid({"app/config.py": """
class ProductionConfig:
    DEBUG = True  # expect: RG401
"""}),
    )

    def run(self, graph):
        for s in graph.settings:
            if s.key != "DEBUG" or s.value is not True or non_production(s.scope) \
                    or is_test_path(s.location.file) or non_production(PurePosixPath(s.location.file).stem) \
                    or is_settings_template(s.location.file):
                continue  # settings_example.py: a template the installer copies and fills in
            where = f" in {s.scope}" if s.scope else ""
            yield self.finding(f"Debug mode is enabled{where} ({s.via}).", s.location)
