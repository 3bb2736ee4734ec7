"""routeguard on hostile input: everything in a scanned tree is attacker-controlled (CI on pull
requests, pre-commit in a fresh clone). Nothing in it may run, hang, or switch checks off."""
import json
import os
import pickle
import subprocess
import sys

import pytest

from routeguard import scan_paths
from routeguard.cache import CACHE_DIR, CACHE_FILE, FACT_CLASSES, decode, dump, encode

# an app with no authentication anywhere and one write: one RG101 (an error), on line 3
APP = "from flask import Flask\napp = Flask(__name__)\n@app.post('/a')\ndef a(): db.session.commit()\n"


class _Exploit:
    """Unpickling this creates the file ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _project(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / CACHE_DIR).mkdir()
    return tmp_path


@pytest.mark.parametrize("name", ["facts-v1.pickle", CACHE_FILE])
def test_a_planted_pickle_cache_never_runs(tmp_path, capsys, name):
    project = _project(tmp_path / "p")
    marker = tmp_path / "pwned"
    (project / CACHE_DIR / name).write_bytes(pickle.dumps({"key": "x", "entries": _Exploit(marker)}))
    report = scan_paths([project])
    assert not marker.exists()
    assert [f.rule_id for f in report.findings] == ["RG101"]
    err = capsys.readouterr().err
    if name == CACHE_FILE:
        assert err.count("\n") == 1 and "ignoring the cache" in err and "not a routeguard cache" in err
    # the cache was rebuilt as JSON and serves the next scan
    assert (project / CACHE_DIR / CACHE_FILE).read_bytes().startswith(b'{"format": "routeguard-facts"')
    assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
    assert capsys.readouterr().err == ""


def test_a_corrupt_or_tampered_cache_is_ignored_and_rebuilt(tmp_path, capsys):
    project = _project(tmp_path)
    scan_paths([project])
    path = project / CACHE_DIR / CACHE_FILE
    good = path.read_bytes()
    for bad, why in [(good[:-20], "checksum mismatch"), (b"\x00\xff garbage", "not a routeguard cache"),
                     (good.replace(b"RG", b"RX") if b"RG" in good else good.replace(b'"/a"', b'"/b"'),
                      "checksum mismatch")]:
        path.write_bytes(bad)
        assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and why in err, err
        assert path.read_bytes() == good


def test_a_cache_with_a_valid_checksum_holds_only_fact_classes():
    header, payload = dump("k", {}).split(b"\n")
    for evil in (b'[["a.py","d",{"Popen":[["id"]]}]]', b'[["a.py","d",{"__class__":[]}]]',
                 b'[["a.py","d",{"ModuleFacts":[1]}]]', b'[["a.py","d",{"x":1,"y":2}]]'):
        with pytest.raises(ValueError):
            decode(evil)
    assert "FactSink" not in FACT_CLASSES and "ModuleFacts" in FACT_CLASSES


def test_cache_round_trip_keeps_facts_equal():
    from routeguard.engine import extract_many
    from routeguard.frameworks import ADAPTERS
    from routeguard.frameworks.base import Knowledge

    (facts,) = extract_many([("app.py", APP + "DEBUG = True\nX = ('a', 1, None)\n", "app", False)], Knowledge(ADAPTERS))
    back = decode(json.dumps([["app.py", "d", encode(facts)]]).encode())
    assert back["app.py"] == ("d", facts)
    assert hash(back["app.py"][1].routes[0]) == hash(facts.routes[0])


def test_a_symlinked_cache_directory_is_never_written_through(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / CACHE_DIR).symlink_to(elsewhere)
    assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
    assert list(elsewhere.iterdir()) == []


# --- a file that was not analyzed is a finding (RG000), never a silent pass --------------

from click.testing import CliRunner  # noqa: E402

from routeguard import scan_sources  # noqa: E402
from routeguard.cli import main  # noqa: E402


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_syntax_error_fails_the_scan_at_its_position(tmp_path):
    (tmp_path / "routes.py").write_text("from flask import Flask\napp = Flask(__name__)\n\n"
                                        "@app.get('/a')\ndef a():\n    return f(1\n\nx = 2\n")
    for fail_on in ("note", "warning", "error"):
        result = cli("scan", tmp_path, "--fail-on", fail_on)
        assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == \
        "routes.py:6:13: RG000 [error] file not analyzed: syntax error: '(' was never closed"
    assert cli("scan", tmp_path, "--ignore", "RG000").exit_code == 0
    doc = json.loads(cli("scan", tmp_path, "--format", "json").stdout)
    assert [(f["rule"], f["line"], f["col"]) for f in doc["findings"]] == [("RG000", 6, 13)]
    assert doc["notifications"][0]["line"] == 6


def test_pre_commit_scope_reports_a_staged_file_that_does_not_parse(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "bad.py").write_text("def f(:\n")
    result = cli("scan", tmp_path / "bad.py")
    assert result.exit_code == 1 and "bad.py:1:7: RG000" in result.stdout


def test_messages_say_what_is_wrong():
    report = scan_sources({
        "latin.py": b"# comment\nname = '\xe9t\xe9'\n",
        "flat.py": "X = " + " + ".join(["a"] * 100_000) + "\n",
        "deep.py": "x = " + "(" * 300 + "1" + ")" * 300 + "\n",
        "cookie.py": b"# -*- coding: klingon -*-\nx = 1\n",
    })
    got = {f.location.file: (f.location.line, f.location.col, f.message) for f in report.findings}
    assert got["latin.py"] == (2, 9, "file not analyzed: not valid UTF-8 (byte 0xe9: invalid continuation byte)")
    assert "nested too deeply" not in got["flat.py"][2] and "too long" in got["flat.py"][2]
    assert got["deep.py"][:2] == (1, 205) and "too many nested parentheses" in got["deep.py"][2]
    assert "unknown encoding" in got["cookie.py"][2]
    with pytest.raises(TypeError, match="'a.py' must be str"):
        scan_sources({"a.py": 5})


# --- checks cannot be switched off by mistake ---------------------------------------------

@pytest.mark.parametrize("args,message", [
    (("--select", "RG9999"), "'RG9999' is not a check id"),
    (("--select", "RG1O1"), "'RG1O1' is not a check id"),
    (("--ignore", "RG9"), "'RG9' is not a check id"),
    (("--select", ""), "selects no check"),
    (("--select", " , "), "selects no check"),
])
def test_unknown_or_empty_selection_is_a_usage_error(tmp_path, args, message):
    (tmp_path / "app.py").write_text(APP)
    result = cli("scan", tmp_path, *args)
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("toml,message", [
    ('select = []', "selects no check"), ('select = ["RG1O1"]', "'RG1O1'"), ('ignore = ["RGX"]', "'RGX'"),
])
def test_config_selection_is_validated(tmp_path, toml, message):
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(f"[tool.routeguard]\n{toml}\n")
    result = cli("scan", tmp_path)
    assert result.exit_code == 2 and message in result.stderr


def test_known_prefixes_select():
    for prefix in ("RG", "RG1", "RG10", "RG101"):
        assert [f.rule_id for f in scan_sources({"app.py": APP}, {"select": [prefix]}).findings] == ["RG101"]


def test_inline_ignore_takes_a_prefix_like_the_command_line():
    code = APP.replace("db.session.commit()", "db.session.commit()  # routeguard: ignore[RG10]")
    assert [f.suppressed for f in scan_sources({"app.py": code}).findings] == [True]


# --- exit codes: 2 with one line for every error of the run itself -------------------------

@pytest.mark.parametrize("command", ["scan", "routes"])
@pytest.mark.parametrize("case", ["tool = 5", 'tool = "routeguard"', "output", "cache"])
def test_errors_are_exit_2_with_one_line(tmp_path, command, case):
    (tmp_path / "app.py").write_text(APP)
    extra = []
    if case == "output":
        extra = ["-o", tmp_path / "missing" / "dir" / "x"]
    elif case == "cache":  # corrupt files under the old and the new name (a bad protocol byte: ValueError)
        (tmp_path / CACHE_DIR).mkdir()
        (tmp_path / CACHE_DIR / "facts-v1.pickle").write_bytes(b"\x80\x09corrupt")
        (tmp_path / CACHE_DIR / CACHE_FILE).write_bytes(b'{"format": "routeguard-facts", "version": 2}\n[')
    else:
        (tmp_path / "pyproject.toml").write_text(case + "\n")
    result = cli(command, tmp_path, *extra)
    if case == "cache":  # a corrupt cache is not an error: one line, then a normal scan
        assert result.exit_code == (1 if command == "scan" else 0), result.output
        assert "Traceback" not in result.stderr and "error" not in result.stderr
        return
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("routeguard: error: ") and "internal error" not in result.stderr


def test_an_internal_error_is_one_line_unless_debug(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(APP)

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr("routeguard.report.Report.render", boom)
    result = cli("scan", tmp_path, "--no-cache")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "RuntimeError: boom" in result.stderr
    result = cli("scan", tmp_path, "--no-cache", "--debug")
    assert result.exit_code == 2 and "Traceback" in result.stderr


# --- bounds: what is read, for how long, and the caller's timers ----------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_and_devices_are_never_opened(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    # in a subprocess with a timeout: before the fix the FIFO blocks the scan forever
    proc = subprocess.run([sys.executable, "-m", "routeguard", "scan", "--no-cache", "--format", "json", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    doc = json.loads(proc.stdout)
    got = {f["file"]: f["message"] for f in doc["findings"] if f["rule"] == "RG000"}
    assert got == {"pipe.py": "file not analyzed: not read: a FIFO, not a regular file",
                   "zero.py": "file not analyzed: not read: a character device, not a regular file"}
    assert proc.returncode == 1


def test_size_cap_is_configurable(tmp_path):
    (tmp_path / "app.py").write_text(APP + "# " + "x" * 300 + "\n")
    report = scan_paths([tmp_path], {"max-file-size": 200}, cache=False)
    assert [(f.rule_id, f.message) for f in report.findings] == [
        ("RG000", f"file not analyzed: not read: {len(APP) + 303:,} bytes, larger than max-file-size (200 bytes)")]
    assert [f.rule_id for f in scan_paths([tmp_path], cache=False).findings] == ["RG101"]


def test_the_library_leaves_the_callers_timer_and_handler_alone():
    import signal
    import threading

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    signal.setitimer(signal.ITIMER_REAL, 50.0)
    try:
        scan_sources({"app.py": APP})
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 50.0
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL
        # and from a thread: no signal calls at all
        errors = []
        thread = threading.Thread(target=lambda: errors.append(scan_sources({"app.py": APP}).findings))
        thread.start()
        thread.join()
        assert errors and signal.getitimer(signal.ITIMER_REAL)[0] > 0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


def test_a_timed_out_file_is_not_cached(tmp_path, monkeypatch):
    from routeguard import engine

    (tmp_path / "app.py").write_text(APP)
    real = engine.extract_source
    monkeypatch.setattr(engine, "extract_source", lambda *a: (_ for _ in ()).throw(engine._Timeout()))
    report = scan_paths([tmp_path], jobs=1)
    assert [f.message for f in report.findings] == [f"file not analyzed: {engine.TIMED_OUT}"]
    monkeypatch.setattr(engine, "extract_source", real)
    assert [f.rule_id for f in scan_paths([tmp_path], jobs=1).findings] == ["RG101"]


# --- paths: every named path is read, or it is said why not ---------------------------------

def test_files_in_two_directories_outside_git_are_both_read(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
    (tmp_path / "a" / "good.py").write_text("x = 1\n")
    (tmp_path / "b" / "bad.py").write_text(APP)
    report = scan_paths([tmp_path / "a" / "good.py", tmp_path / "b" / "bad.py"], cache=False)
    assert [(f.rule_id, f.location.file) for f in report.findings] == [("RG101", "b/bad.py")]
    report = scan_paths([tmp_path / "a", tmp_path / "b" / "bad.py"], cache=False)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(report.render("sarif"))["runs"][0]["results"]]
    assert uris == ["b/bad.py"]


def test_named_excluded_files_and_empty_directories_say_so(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(APP)
    result = cli("scan", tmp_path / "tests" / "test_app.py")
    assert "tests/test_app.py: note: not scanned: excluded by 'tests' (default-excludes)" in result.stdout
    (tmp_path / "empty").mkdir()
    result = cli("scan", tmp_path / "empty")
    assert result.exit_code == 2 and "nothing to scan: no Python files in" in result.stderr


def test_an_unlistable_directory_is_reported(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("x = 1\n")
    (tmp_path / "secret").mkdir()
    real_walk = os.walk

    def walk(top, onerror=None, **kw):
        for dirpath, dirnames, filenames in real_walk(top, onerror=onerror, **kw):
            if dirpath.endswith("secret"):
                onerror(PermissionError(13, "Permission denied", dirpath))
                dirnames[:] = []
                continue
            yield dirpath, dirnames, filenames

    monkeypatch.setattr("routeguard.discover.os.walk", walk)
    report = scan_paths([tmp_path], cache=False)
    assert [(f.rule_id, f.location.file, f.message) for f in report.findings] == [
        ("RG000", "secret", "file not analyzed: cannot list directory: Permission denied")]


def test_scanning_a_subdirectory_keeps_the_projects_cache(tmp_path):
    from routeguard.cache import load
    from routeguard.engine import _code_fingerprint  # noqa: F401 - the key is the cache's business

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "m.py").write_text("x = 1\n")
    scan_paths([tmp_path])
    path = tmp_path / CACHE_DIR / CACHE_FILE
    key = json.loads(path.read_bytes().partition(b"\n")[0])["key"]
    assert sorted(load(path.read_bytes(), key)) == ["a/m.py", "b/m.py"]
    (tmp_path / "a" / "m.py").write_text("x = 2\n")
    scan_paths([tmp_path / "a"])
    assert sorted(load(path.read_bytes(), key)) == ["a/m.py", "b/m.py"]
    (tmp_path / "b" / "m.py").unlink()
    scan_paths([tmp_path])
    assert sorted(load(path.read_bytes(), key)) == ["a/m.py"]


def test_output_file_prints_the_summary(tmp_path):
    (tmp_path / "app.py").write_text(APP)
    out = tmp_path / "r.sarif"
    result = cli("scan", tmp_path, "--format", "sarif", "-o", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"routeguard: 1 finding in 1 file; report written to {out}\n"


def test_big_files_run_in_a_process_that_is_killed_at_the_time_bound(monkeypatch):
    from routeguard import engine

    monkeypatch.setattr(engine, "ISOLATE_ABOVE", 10)
    assert [f.rule_id for f in scan_sources({"app.py": APP}).findings] == ["RG101"]
    monkeypatch.setattr(engine, "FILE_TIMEOUT", 0.05)
    monkeypatch.setattr(engine, "STARTUP_ALLOWANCE", 0.0)
    import time

    start = time.monotonic()
    report = scan_sources({"app.py": APP})
    assert time.monotonic() - start < 5
    assert [f.message for f in report.findings] == [f"file not analyzed: {engine.TIMED_OUT}"]


def test_a_long_boolean_chain_is_refused_before_it_crashes_the_parser():
    # LibCST's native parser overflows its stack on ~8,000 operands (the process dies)
    report = scan_sources({"app.py": APP, "gen.py": "ok = 1\nX = " + " and ".join(["a"] * 10_000) + "\n"})
    assert [(f.rule_id, f.location.file, f.location.line) for f in report.findings] == [
        ("RG101", "app.py", 3), ("RG000", "gen.py", 2)]
    assert "a chain of more than 3,000 'and'/'or'" in report.findings[1].message


# --- pre-commit: what a staged change breaks elsewhere ---------------------------------------

def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_pre_commit_reports_routes_opened_by_a_change_to_another_file(tmp_path):
    """Removing the app-wide before_request gate from app/__init__.py opens the routes of
    app/orders.py: committing only app/__init__.py must report them, pointing at the change."""
    app = tmp_path / "app"
    app.mkdir()
    gate = ("from flask import Flask, abort\nfrom flask_login import current_user\nfrom .orders import bp\n\n"
            "app = Flask(__name__)\napp.register_blueprint(bp)\n\n"
            "@app.before_request\ndef require_login():\n    if not current_user.is_authenticated:\n        abort(401)\n")
    (app / "__init__.py").write_text(gate)
    (app / "orders.py").write_text("from flask import Blueprint\nbp = Blueprint('orders', __name__)\n\n"
                                   "@bp.post('/orders')\ndef create():\n    return {}\n")
    (app / "util.py").write_text("x = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    assert scan_paths([app / "__init__.py"]).findings == []
    (app / "__init__.py").write_text(gate.split("@app.before_request")[0])
    report = scan_paths([app / "__init__.py"])
    assert [(f.rule_id, f.location.file) for f in report.findings] == [("RG101", "app/orders.py")]
    assert report.findings[0].related[-1].location.file == "app/__init__.py"
    # a file whose change opens nothing reports nothing elsewhere
    (app / "util.py").write_text("x = 2\n")
    assert scan_paths([app / "util.py"]).findings == []


def test_a_crash_of_the_analyzer_on_one_file_is_a_gap_not_a_failed_run(monkeypatch):
    """babybuddy's forms.py (a ``class Meta:`` holding an ``if``) once crashed the whole scan
    with a TypeError: an internal error on one file is now RG000 for that file, and the other
    files' findings stay."""
    meta_with_if = '''
from django import forms
from django.conf import settings


class ChildForm(forms.ModelForm):
    class Meta:
        fields = ["first_name", "last_name"]
        if settings.BABY_BUDDY["ALLOW_UPLOADS"]:
            fields.append("picture")
'''
    report = scan_sources({"forms.py": meta_with_if, "app.py": APP})
    assert not [f for f in report.findings if f.rule_id == "RG000"]  # the crash itself is fixed

    import routeguard.extract as extract

    real = extract.extract_source

    def broken(path, *args, **kwargs):
        if path == "forms.py":
            raise TypeError("'IndentedBlock' object is not iterable")
        return real(path, *args, **kwargs)

    monkeypatch.setattr("routeguard.engine.extract_source", broken)
    report = scan_sources({"forms.py": meta_with_if, "app.py": APP})
    gap = [f for f in report.findings if f.rule_id == "RG000"]
    assert [f.location.file for f in gap] == ["forms.py"]
    assert "routeguard failed on this file (TypeError" in gap[0].message
    assert any(f.rule_id == "RG101" and f.location.file == "app.py" for f in report.findings)
