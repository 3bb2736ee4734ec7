"""The real CLI, end to end: formats, exit codes, config errors, bad input, pre-commit scope."""
import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from routeguard import scan_paths
from routeguard.cli import main
from helpers import REPO, validate_sarif

APP = """\
from flask import Flask
from flask_login import login_required

app = Flask(__name__)

@app.route("/orders")
@login_required
def orders():
    return "ok"

@app.route("/orders/<int:order_id>", methods=["DELETE"])
def delete_order(order_id):
    return "", 204
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def run(*args, cwd=None):
    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_text_output_and_exit_code(project):
    result = run("scan", project)
    assert result.exit_code == 1
    assert "app.py:11:1: RG101 [error] DELETE /orders/<int:order_id> requires no authentication" in result.output
    assert result.output.strip().endswith("1 finding in 1 file.")


def test_exit_zero_fail_on_select_ignore(project):
    assert run("scan", project, "--exit-zero").exit_code == 0
    assert run("scan", project, "--ignore", "RG1").exit_code == 0
    assert run("scan", project, "--select", "RG4").exit_code == 0
    assert run("scan", project, "--select", "RG101").exit_code == 1
    # a read of a file the URL names: a warning, and fail-on defaults to warning
    (project / "app.py").write_text(APP.replace('methods=["DELETE"]', 'methods=["GET"]').replace(
        'return "", 204', 'return open(f"/srv/orders/{order_id}.json").read()'))
    assert run("scan", project).exit_code == 1
    assert run("scan", project, "--fail-on", "error").exit_code == 0


def test_json_and_sarif_and_github(project, tmp_path):
    data = json.loads(run("scan", project, "--format", "json").stdout)
    assert [f["rule"] for f in data["findings"]] == ["RG101"]
    assert data["findings"][0]["file"] == "app.py"
    out = tmp_path / "out.sarif"
    assert run("scan", project, "--format", "sarif", "-o", out).exit_code == 1
    sarif = validate_sarif(out.read_text())
    result = sarif["runs"][0]["results"][0]
    assert result["level"] == "error" and result["ruleId"] == "RG101"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    assert ":" in result["partialFingerprints"]["primaryLocationLineHash"]
    gh = run("scan", project, "--format", "github").output
    assert gh.startswith("::error file=app.py,line=11,col=1,title=RG101::")


def test_sarif_clean_run_has_empty_results(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = run("scan", tmp_path, "--format", "sarif")
    assert result.exit_code == 0
    assert validate_sarif(result.stdout)["runs"][0]["results"] == []


def test_routes_json(project):
    data = json.loads(run("routes", project, "--format", "json").stdout)
    assert data == [
        {"method": "GET", "path": "/orders", "framework": "flask",
         "handler": {"file": "app.py", "line": 8, "qualname": "app.orders"}, "auth": "protected",
         "guards": [{"kind": "decorator", "name": "login_required", "layer": "decorator", "effect": "auth",
                     "reason": "flask_login.login_required", "file": "app.py", "line": 7}]},
        {"method": "DELETE", "path": "/orders/<int:order_id>", "framework": "flask",
         "handler": {"file": "app.py", "line": 12, "qualname": "app.delete_order"}, "auth": "unprotected",
         "guards": []},
    ]
    table = run("routes", project).output
    assert "DELETE  /orders/<int:order_id>  unprotected" in table


def test_rules_and_explain():
    out = run("rules").output
    assert "RG101  unauthenticated-route" in out
    explained = run("explain", "RG101")
    assert "## Why is this bad" in explained.output
    assert run("explain", "RG999").exit_code == 2


def test_config_errors_name_the_key(project):
    (project / "pyproject.toml").write_text('[tool.routeguard]\nfail-on = "sometimes"\n')
    result = run("scan", project)
    assert result.exit_code == 2 and "fail-on" in result.output
    (project / "pyproject.toml").write_text('[tool.routeguard]\npublic-routs = ["/x"]\n')
    result = run("scan", project)
    assert result.exit_code == 2 and "public-routs" in result.output
    (project / "pyproject.toml").write_text('[tool.routeguard]\nignore = ["E501"]\n')
    assert run("scan", project).exit_code == 2
    assert run("scan", project / "nope").exit_code == 2


def test_config_from_pyproject(project):
    (project / "pyproject.toml").write_text('[tool.routeguard]\npublic-routes = ["/orders/*"]\n')
    assert run("scan", project).exit_code == 0


def test_inline_suppression(project):
    text = APP.replace('@app.route("/orders/<int:order_id>", methods=["DELETE"])',
                       '@app.route("/orders/<int:order_id>", methods=["DELETE"])  # routeguard: ignore[RG101]')
    (project / "app.py").write_text(text)
    assert run("scan", project).exit_code == 0
    shown = run("scan", project, "--show-suppressed", "--format", "sarif").stdout
    assert validate_sarif(shown)["runs"][0]["results"][0]["suppressions"] == [{"kind": "inSource"}]
    (project / "app.py").write_text(APP.replace("def delete_order(order_id):",
                                                "def delete_order(order_id):  # routeguard: ignore[RG101]"))
    assert run("scan", project).exit_code == 0
    (project / "app.py").write_text(APP.replace("def delete_order(order_id):",
                                                "def delete_order(order_id):  # routeguard: ignore"))
    out = run("scan", project, "--fail-on", "error").output
    assert "RG001 [note]" in out and "RG101 [error]" in out


def test_bad_files_are_reported_and_others_still_analyzed(project):
    (project / "broken.py").write_text("def f(:\n")
    (project / "latin.py").write_bytes(b"x = '\xe9'\n")
    result = run("scan", project)
    assert result.exit_code == 1
    # a file that was not analyzed is a finding of its own (RG000), with its position, once
    assert "broken.py:1:7: RG000 [error] file not analyzed: syntax error: invalid syntax\n" in result.output
    assert "latin.py:1:6: RG000 [error] file not analyzed: not valid UTF-8 (byte 0xe9: invalid continuation byte)\n" \
        in result.output
    assert "encoding declaration" not in result.output and "warning: syntax" not in result.output
    assert "RG101" in result.output
    sarif = validate_sarif(run("scan", project, "--format", "sarif").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes] == ["broken.py", "latin.py"]
    assert [n["level"] for n in notes] == ["error", "error"]
    assert notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    rg000 = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "RG000"]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in rg000] == ["broken.py", "latin.py"]
    assert all(r["level"] == "error" for r in rg000)


def test_empty_project_and_no_python(tmp_path):
    # nothing to scan is a usage error, not "0 findings in 0 files" and a pass (issue 15)
    result = run("scan", tmp_path)
    assert result.exit_code == 2 and "nothing to scan: no Python files in" in result.stderr
    (tmp_path / "README.md").write_text("hi")
    assert run("scan", tmp_path).exit_code == 2


def test_precommit_scope_reads_the_project_around_the_files(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "from flask import Flask\nfrom .api import api_bp\napp = Flask(__name__)\n"
        "app.register_blueprint(api_bp, url_prefix='/api')\n")
    (pkg / "guards.py").write_text(
        "from flask import abort\nfrom flask_login import current_user\n\n"
        "def check():\n    if not current_user.is_authenticated:\n        abort(401)\n")
    (pkg / "api.py").write_text(
        "from flask import Blueprint\nfrom .guards import check\napi_bp = Blueprint('api', __name__)\n"
        "api_bp.before_request(check)\n\n@api_bp.post('/orders')\ndef create(): ...\n")
    (pkg / "open.py").write_text(
        "from . import app, db\n\n@app.post('/open')\ndef open_():\n    db.session.commit()\n")
    result = run("scan", "shop/api.py", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    result = run("scan", "shop/api.py", "shop/open.py", cwd=tmp_path)
    assert result.exit_code == 1
    assert "shop/open.py:3:1: RG101" in result.output


def test_real_cli_on_the_bundled_example(tmp_path):
    """The installed entry point, as a user runs it, on the README's example app."""

    out = tmp_path / "blog.sarif"
    proc = subprocess.run([sys.executable, "-m", "routeguard", "scan", "fixtures/flask/blog", "--format", "sarif",
                           "-o", str(out)], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    results = validate_sarif(out.read_text())["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"RG101", "RG102", "RG105", "RG401", "RG403"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "fixtures/flask/blog/run.py" in uris  # relative to the git work tree's root
    version = subprocess.run([sys.executable, "-m", "routeguard", "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("routeguard")


def test_entry_point_flushes_output_and_keeps_exit_codes(project, tmp_path):
    """The command leaves with os._exit: what it printed, piped, is complete, and the codes hold."""
    def cli(*args):
        return subprocess.run([sys.executable, "-m", "routeguard", *map(str, args)], capture_output=True, text=True)

    found = cli("scan", project, "--format", "json", "--no-cache")
    assert found.returncode == 1
    assert [f["rule"] for f in json.loads(found.stdout)["findings"]] == ["RG101"]
    assert cli("scan", project, "--format", "json", "--no-cache", "--exit-zero").returncode == 0
    missing = cli("scan", tmp_path / "nowhere")
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stderr
    assert cli("scan", "--format", "nonsense").returncode == 2


def test_routes_names_the_files_it_could_not_read(project):
    """The inventory of a project with a file that does not parse is incomplete: ``routes``
    says which file on stderr (its JSON on stdout stays a list of routes)."""
    (project / "broken.py").write_text("def broken(:\n")
    result = CliRunner().invoke(main, ["routes", str(project), "--format", "json", "--no-cache"])
    assert [r["path"] for r in json.loads(result.stdout)] == ["/orders", "/orders/<int:order_id>"]
    assert "broken.py:1" in result.stderr and "syntax error" in result.stderr


def test_routes_takes_jobs_and_no_cache_like_scan(project):
    from routeguard.engine import CACHE_DIR

    result = run("routes", project, "--no-cache", "--jobs", "1", "--format", "json")
    assert result.exit_code == 0
    assert [r["path"] for r in json.loads(result.stdout)] == ["/orders", "/orders/<int:order_id>"]
    assert not (project / CACHE_DIR).exists()
    assert run("routes", project, "--jobs", "0").exit_code == 2


@pytest.mark.parametrize("module", ["routeguard.checks.base", "routeguard.checks", "routeguard", "routeguard.cli"])
def test_every_package_imports_first_in_a_fresh_interpreter(module):
    """Any part of the one import root may be the first import."""

    proc = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_only_the_requested_format_is_loaded(project):
    """sarif-om is loaded for SARIF output only: a pre-commit run (text) does not pay for it."""
    code = ("import sys; from routeguard import scan_paths; r = scan_paths([sys.argv[1]], cache=False); "
            "r.render(sys.argv[2]); print('sarif_om' in sys.modules)")
    loaded = {fmt: subprocess.run([sys.executable, "-c", code, str(project), fmt], cwd=REPO, capture_output=True,
                                  text=True).stdout.strip() for fmt in ("text", "sarif")}
    assert loaded == {"text": "False", "sarif": "True"}
    with pytest.raises(ValueError, match="unknown format"):
        scan_paths([project], cache=False).render("xml")
