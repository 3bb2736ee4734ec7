"""The distribution: one import root, and a scanned project's own packages never shadow it."""
import json
import subprocess
import sys
import zipfile

from helpers import REPO


def test_the_wheel_installs_one_top_level_package(tmp_path):
    """The built wheel's files all live under routeguard/ (plus its .dist-info)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("routeguard-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"routeguard"}
    assert "routeguard/checks/unauthenticated_route.py" in names
    assert "routeguard/frameworks/flask.py" in names
    assert "routeguard/fixes/sibling_guard.py" in names and "routeguard/mcp_server.py" in names


def test_a_project_with_its_own_checks_and_analyzer_packages(tmp_path):
    """Run from inside the project (its folder first on sys.path), as pre-commit does."""
    for pkg in ("checks", "analyzer"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("raise SystemExit('the project\\'s own package ran')\n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/orders', methods=['POST'])\n"
        "def create_order():\n    db.session.add(Order())\n    return 'ok'\n")
    proc = subprocess.run([sys.executable, "-m", "routeguard", "scan", ".", "--format", "json", "--no-cache"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert [f["rule"] for f in json.loads(proc.stdout)["findings"]] == ["RG101"]


def test_the_neutral_modules_and_the_checks_name_no_framework_or_library():
    """Framework and library knowledge lives in the adapters (analyzer/frameworks/,
    analyzer/libraries/): the core modules, the autofixes, the reports and the checks name none
    of their modules in code (docstrings and the checks' VALID/INVALID examples, which are
    triple-quoted, may)."""
    import io
    import re
    import tokenize

    library = re.compile(r"^(flask|flask_login|flask_restful|flask_jwt_extended|werkzeug|django|rest_framework|"
                         r"fastapi|starlette|sqlalchemy|sqlmodel|pydantic|jwt|jose|graphene|strawberry|ariadne|"
                         r"marshmallow|connexion|peewee)(\.|$)")
    named = []
    for path in sorted([*(REPO / "analyzer").glob("*.py"), *(REPO / "analyzer" / "fixes").glob("*.py"),
                        *(REPO / "analyzer" / "report").glob("*.py"), *(REPO / "checks").glob("*.py")]):
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if tok.type != tokenize.STRING or tok.string.lstrip("rbuf").startswith(('"""', "'''")):
                continue
            try:
                value = eval(tok.string, {})  # a plain literal (an f-string with fields is skipped)
            except Exception:
                continue
            if isinstance(value, str) and library.match(value):
                named.append(f"{path.relative_to(REPO)}:{tok.start[0]}: {value}")
    assert named == []
