"""Custom semgrep rules judged with route context (issue 16). The merge is tested with a
recorded semgrep --json output (tests/data/semgrep/output.json, semgrep 1.187.0 on the
project in project.json with rules.yml), so it runs without semgrep; the last test runs
semgrep itself when it is installed (the semgrep extra)."""
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from routeguard import semgrep_rules
from routeguard.cli import main
from helpers import REPO, validate_sarif

DATA = REPO / "tests/data/semgrep"
RULES = DATA / "rules.yml"


@pytest.fixture
def project(tmp_path):
    for rel, text in json.loads((DATA / "project.json").read_text()).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


@pytest.fixture
def recorded(monkeypatch):
    """semgrep as recorded: the command line it would get, and its output."""
    calls = []

    def run(rules, root):
        calls.append((rules, root))
        return json.loads((DATA / "output.json").read_text())

    monkeypatch.setattr(semgrep_rules, "run", run)
    monkeypatch.setattr(semgrep_rules, "semgrep_command", lambda: "semgrep")
    return calls


def cli(cwd, *args):
    old = os.getcwd()
    try:
        os.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)


def semgrep_lines(output):
    return [line for line in output.splitlines() if " RG" not in line and ": " in line and "[" in line]


def test_results_carry_the_route_they_are_in(project, recorded):
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES)
    assert result.exit_code == 1, result.output
    assert recorded == [([str(RULES.resolve())], str(project.resolve()))]
    assert semgrep_lines(result.stdout) == [
        # outside any handler, a rule without only-unprotected still reports
        "api/db.py:5:12: sql-built-from-strings [error] SQL built with an f-string is passed to execute()",
        "api/public.py:11:21: outbound-request-on-open-route [warning] An outbound HTTP request that anyone can "
        "trigger (server-side request forgery, cost) [in the handler of GET /public/preview (unprotected)]",
        # in a function nested in the handler: the handler's route
        "api/public.py:17:16: sql-built-from-strings [error] SQL built with an f-string is passed to execute() "
        "[in the handler of GET /public/search (unprotected)]",
        "api/reports.py:10:12: sql-built-from-strings [error] SQL built with an f-string is passed to execute() "
        "[in the handler of GET /reports/ (protected)]",
    ]
    # only-unprotected in the rule's metadata: requests.post in the protected mirror handler
    # and requests.head in a helper outside any handler are left out
    assert "mirror" not in result.stdout and "api/db.py:10" not in result.stdout


def test_only_unprotected_flag_and_config_key(project, recorded):
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES, "--semgrep-only-unprotected")
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in semgrep_lines(result.stdout)] == [
        "api/public.py:11", "api/public.py:17"]
    (project / "pyproject.toml").write_text(
        f'[tool.routeguard]\nsemgrep-rules = ["{RULES}"]\nsemgrep-only-unprotected = true\n')
    assert semgrep_lines(cli(project, "scan", "--no-cache").stdout) == semgrep_lines(result.stdout)


def test_json_and_sarif_carry_routes_and_rule_metadata(project, recorded):
    data = json.loads(cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES, "--format", "json").stdout)
    (search,) = [f for f in data["findings"] if f["rule"] == "sql-built-from-strings" and f["file"] == "api/public.py"]
    assert [(r["method"], r["path"], r["auth"]) for r in search["routes"]] == [("GET", "/public/search", "unprotected")]
    sarif = validate_sarif(cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES, "--format", "sarif").stdout)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    ssrf = rules["outbound-request-on-open-route"]
    assert ssrf["properties"]["semgrep-metadata"]["routeguard"] == {"only-unprotected": True}
    assert "external/cwe/cwe-918" in ssrf["properties"]["tags"] and ssrf["defaultConfiguration"]["level"] == "warning"
    (res,) = [r for r in run["results"] if r["ruleId"] == "outbound-request-on-open-route"]
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "outbound-request-on-open-route"
    assert res["properties"]["routes"][0]["path"] == "/public/preview"


def test_malformed_semgrep_output_is_skipped_not_trusted(project):
    from routeguard import scan_paths

    report = scan_paths([project], cache=False)
    before = len(report.findings)
    doc = {"results": [None, {"check_id": 3}, {"path": "../../etc/passwd", "check_id": "x", "start": {"line": 1},
                                               "extra": {}},
                       {"path": "api/public.py", "check_id": "x", "start": {"line": "1"}, "extra": {}},
                       {"path": "api/public.py", "check_id": "r.ok", "start": {"line": 11}, "extra": {"severity": "?"}}]}
    assert semgrep_rules.merge(report, doc) == 1
    (added,) = [f for f in report.findings if f.rule_id == "ok"]
    assert added.severity.level == "warning" and len(report.findings) == before + 1


def test_without_semgrep_the_option_says_how_to_install(project, monkeypatch):
    if (Path(sys.executable).parent / "semgrep").exists():
        pytest.skip("semgrep is installed next to this Python")
    monkeypatch.setenv("PATH", str(project))  # no semgrep on it
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES)
    assert result.exit_code == 2
    assert result.stderr.strip() == ("routeguard: error: --semgrep-rules needs semgrep, which is not installed: "
                                     "pip install 'routeguard[semgrep]' (or pip install semgrep)")


def test_registry_rules_and_urls_are_refused(project, recorded):
    for rules in ("p/python", "https://example.com/rules.yml", "missing.yml"):
        result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", rules)
        assert result.exit_code == 2 and "not a local file or directory" in result.stderr


SEMGREP = shutil.which("semgrep") or (str(Path(sys.executable).parent / "semgrep")
                                      if (Path(sys.executable).parent / "semgrep").exists() else None)


@pytest.mark.skipif(SEMGREP is None, reason="semgrep is not installed (pip install -e '.[semgrep]')")
def test_real_semgrep_gives_the_recorded_results(project):
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES)
    assert result.exit_code == 1, result.output
    recorded = json.loads((DATA / "output.json").read_text())
    expected = sorted((r["path"], r["start"]["line"], r["check_id"].rpartition(".")[2]) for r in recorded["results"])
    data = json.loads(cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES, "--format", "json").stdout)
    found = sorted((f["file"], f["line"], f["rule"]) for f in data["findings"] if not f["rule"].startswith("RG"))
    # everything semgrep finds, less the only-unprotected rule's results outside open handlers
    assert found == [e for e in expected if e not in {("api/db.py", 10, "outbound-request-on-open-route"),
                                                      ("api/reports.py", 17, "outbound-request-on-open-route")}]


def fake_semgrep(tmp_path, stdout: str, code: int) -> Path:
    """An executable standing in for semgrep: records its command line and environment."""
    script = tmp_path / "semgrep"
    script.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                      f"json.dump({{'argv': sys.argv[1:], 'cwd': os.getcwd(), 'metrics': os.environ.get('SEMGREP_SEND_METRICS')}},"
                      f" open({str(tmp_path / 'call.json')!r}, 'w'))\n"
                      f"sys.stdout.write({stdout!r})\nsys.exit({code})\n")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(os.name == "nt", reason="a script as the semgrep executable")
def test_semgrep_runs_offline_on_the_project_and_its_errors_are_reported(project, tmp_path, monkeypatch):
    script = fake_semgrep(tmp_path, (DATA / "output.json").read_text(), 0)
    monkeypatch.setattr(semgrep_rules, "semgrep_command", lambda: str(script))
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES)
    assert result.exit_code == 1 and len(semgrep_lines(result.stdout)) == 4
    call = json.loads((tmp_path / "call.json").read_text())
    assert call["argv"] == ["scan", "--json", "--metrics=off", "--disable-version-check", "--quiet",
                            "--config", str(RULES.resolve()), "."]
    assert call["cwd"] == str(project.resolve()) and call["metrics"] == "off"
    broken = json.dumps({"results": [], "errors": [{"code": 2, "level": "error", "type": "Rule parse error",
                                                    "message": "Rule parse error in rule broken:\n Invalid pattern"}]})
    script = fake_semgrep(tmp_path, broken, 2)
    result = cli(project, "scan", ".", "--no-cache", "--semgrep-rules", RULES)
    assert result.exit_code == 2
    assert result.stderr.strip() == ("routeguard: error: semgrep failed (exit 2): Rule parse error in rule broken: "
                                     "Invalid pattern")
