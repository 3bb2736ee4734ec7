"""The nginx configuration a project ships: locations only the proxy's own internal requests
(or local addresses) reach keep outside callers from the routes under them."""
import json
import os
import subprocess
import sys

import pytest

from routeguard import scan_sources
from routeguard.proxies import proxy_rules

NGINX = """
# front: the only published port
http {
    upstream admin { server admin:8080; }

    server {
        listen 80;
        {% if WEB_WEBMAIL != '/' %}
        location / {
            return 301 {{ WEB_ADMIN }};
        }
        {% endif %}

        location /admin {
            proxy_pass http://admin;
        }

        location /internal {
            internal;
            proxy_set_header Authorization $http_authorization;
            proxy_pass http://admin;

            location /internal/public {
                proxy_pass http://admin;
            }
        }

        location = /metrics {
            allow 127.0.0.1;
            allow 10.0.0.0/8;
            deny all;
            proxy_pass http://admin;
        }

        location ~ ^/internal/regex {
            proxy_pass http://admin;
        }

        location /auth {
            auth_request /internal/auth/user;
            proxy_pass http://admin;
        }
    }
}
"""

APP = """
from flask import Flask, jsonify

from .models import Fetch, db

app = Flask(__name__)


@app.get("/internal/fetch")
def fetch_list():
    return jsonify([{"id": f.id, "username": f.username, "password": f.password} for f in Fetch.query.all()])


@app.post("/internal/fetch/<int:fetch_id>")
def fetch_done(fetch_id):
    fetch = Fetch.query.get_or_404(fetch_id)
    fetch.error = "done"
    db.session.commit()
    return ""


@app.get("/metrics")
def metrics():
    return jsonify(fetches=[f.username for f in Fetch.query.all()])


@app.get("/api/fetch")
def public_fetch_list():
    return jsonify([{"id": f.id, "username": f.username} for f in Fetch.query.all()])
"""

MODELS = """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Fetch(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_email = db.Column(db.String(255), db.ForeignKey("user.email"))
    username = db.Column(db.String(255))
    password = db.Column(db.String(255))
    error = db.Column(db.String(1023))
"""


def test_locations_are_read_with_their_own_directives_only():
    rules = {(r.prefix, r.exact): r for r in proxy_rules("nginx/nginx.conf", NGINX)}
    assert {k: r.internal for k, r in rules.items()} == {
        ("/", False): False, ("/admin", False): False, ("/internal", False): True,
        ("/internal/public", False): False, ("/metrics", True): True, ("/auth", False): False}
    assert rules[("/internal", False)].location.line == 18  # Jinja and comments keep their lines


def test_routes_under_an_internal_location_are_for_the_deployments_own_services():
    """Mailu's admin container serves an API to its postfix, dovecot and fetchmail containers
    under /internal, which the public nginx declares ``internal``: outside clients get a 404
    there, so its routes are no unauthenticated routes (RG101), and the service that calls
    them is no user whose records they should be tied to (RG105, RG301). A route nginx
    passes on to anyone is still reported; so are the same routes without the configuration."""
    sources = {"mail/__init__.py": APP, "mail/models.py": MODELS, "nginx/nginx.conf": NGINX}
    report = scan_sources(sources)
    assert sorted((f.rule_id, f.location.line) for f in report.findings) == [("RG101", 27)]
    by_path = {(r.method, r.path): r for r in report.routes}
    guard = next(g for g in by_path[("GET", "/internal/fetch")].guards if g.kind == "proxy")
    assert (guard.name, guard.location.file, guard.location.line) == ("location /internal", "nginx/nginx.conf", 18)
    assert by_path[("GET", "/metrics")].auth == "protected"
    without = scan_sources({k: v for k, v in sources.items() if not k.endswith(".conf")})
    assert {f.rule_id for f in without.findings} >= {"RG101", "RG105", "RG301"}


def test_a_conf_file_that_is_not_an_nginx_configuration_is_not_read():
    sources = {"mail/__init__.py": APP, "mail/models.py": MODELS,
               "conf/dovecot.conf": "protocols = imap pop3\nservice auth {\n  unix_listener auth {\n  }\n}\n"}
    assert scan_sources(sources).files == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_configurations_on_disk_are_found_and_a_fifo_or_device_named_conf_is_never_opened(tmp_path):
    """Discovery finds the configuration beside the code; a FIFO or a device named like one is
    told apart without being opened (the scan runs in a subprocess with a timeout: a FIFO that
    were opened would block it)."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "__init__.py").write_text(APP)
    (tmp_path / "mail" / "models.py").write_text(MODELS)
    (tmp_path / "nginx").mkdir()
    (tmp_path / "nginx" / "nginx.conf").write_text(NGINX)
    os.mkfifo(tmp_path / "nginx" / "front.conf")
    (tmp_path / "nginx" / "zero.conf").symlink_to("/dev/zero")
    proc = subprocess.run([sys.executable, "-m", "routeguard", "scan", "--no-cache", "--format", "json", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    doc = json.loads(proc.stdout)
    assert sorted((f["rule"], f["file"], f["line"]) for f in doc["findings"]) == [("RG101", "mail/__init__.py", 27)]
