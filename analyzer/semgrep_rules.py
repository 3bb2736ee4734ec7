"""Custom semgrep rules, judged with route context.

``scan --semgrep-rules PATH`` runs semgrep (an optional extra, a separate program) on the
project with local rule files only, offline (``--metrics=off``, no version check, no
registry), and merges its results into the report: a result inside a route's handler names
that route's operations and auth state in its message and carries the routes like any
finding about routes. A rule whose metadata has ``routeguard: {only-unprotected: true}``
(or every rule, with ``--semgrep-only-unprotected``) keeps only results in handlers of
routes reachable without authentication (unprotected, or marked public). Rule metadata
goes into SARIF's rule descriptors.

semgrep's ``--json`` output is read as data; the project's files are parsed (``ast``) only
to find the handler around a result, never run.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .config import ConfigError
from .facts import Location
from .findings import Finding, Severity
from .states import AuthState

INSTALL = "pip install 'routeguard[semgrep]' (or pip install semgrep)"
SEVERITY = {"ERROR": Severity.ERROR, "WARNING": Severity.WARNING, "INFO": Severity.NOTE,
            "CRITICAL": Severity.ERROR, "HIGH": Severity.ERROR, "MEDIUM": Severity.WARNING, "LOW": Severity.NOTE}
TIMEOUT = 900  # seconds for the whole semgrep run


class SemgrepError(ConfigError):
    """semgrep is missing, a rules path is not local, or semgrep failed."""


class SemgrepRule:
    """A semgrep rule in the report's rule list: what SARIF's rule descriptor needs."""

    confidence = "medium"

    def __init__(self, rule_id: str, message: str, severity: Severity, metadata: dict):
        self.id = self.name = rule_id
        self.summary = " ".join(message.split())[:300] or rule_id
        self.severity = severity
        self.metadata = metadata
        cwe = metadata.get("cwe")
        cwe = cwe[0] if isinstance(cwe, list) and cwe else cwe
        match = re.match(r"\s*CWE-(\d+)", cwe) if isinstance(cwe, str) else None
        self.cwe = int(match.group(1)) if match else 0
        owasp = metadata.get("owasp")
        self.owasp = (owasp[0] if isinstance(owasp, list) and owasp else owasp) if isinstance(owasp, (str, list)) else ""

    def docs(self) -> str:
        return f"{self.summary}\n\nA custom semgrep rule."

    def descriptor(self):
        import sarif_om as om

        tags = ["security", "semgrep"] + ([f"external/cwe/cwe-{self.cwe}"] if self.cwe else [])
        return om.ReportingDescriptor(
            id=self.id, name=self.name, short_description=om.MultiformatMessageString(text=self.summary),
            default_configuration=om.ReportingConfiguration(level=self.severity.level),
            properties={"tags": tags, "semgrep-metadata": self.metadata},
        )


def semgrep_command() -> str:
    """The semgrep executable: next to this Python (the extra's venv), else on PATH."""
    beside = Path(sys.executable).parent / ("semgrep.exe" if os.name == "nt" else "semgrep")
    found = str(beside) if beside.is_file() else shutil.which("semgrep")
    if not found:
        raise SemgrepError(f"--semgrep-rules needs semgrep, which is not installed: {INSTALL}")
    return found


def check_rules(paths) -> list[str]:
    """Local rule files or directories only: a registry name (p/python) or a URL would
    make semgrep fetch rules over the network."""
    out = []
    for p in paths:
        if re.match(r"^(p|r|s)/|^[a-z]+://", str(p)) or not Path(p).exists():
            raise SemgrepError(f"semgrep rules {p}: not a local file or directory (routeguard runs semgrep "
                               f"offline: registry rules and URLs are not fetched)")
        out.append(str(Path(p).resolve()))
    return out


def run(rules: list[str], root: str) -> dict:
    """semgrep's JSON output for ``rules`` on the project at ``root``."""
    command = [semgrep_command(), "scan", "--json", "--metrics=off", "--disable-version-check", "--quiet",
               *(a for r in rules for a in ("--config", r)), "."]
    env = {**os.environ, "SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise SemgrepError(f"semgrep did not finish in {TIMEOUT} s") from None
    except OSError as e:
        raise SemgrepError(f"cannot run semgrep: {e.strerror or e}") from None
    try:
        doc = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or (proc.returncode not in (0, 1) and not doc.get("results")):
        said = errors(doc)[:1] if isinstance(doc, dict) else []
        said = said or proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise SemgrepError(f"semgrep failed (exit {proc.returncode}): {' '.join(' '.join(said).split()) or 'no output'}")
    return doc


def _handler_spans(text: str) -> list[tuple[int, int, int]]:
    """(first line, last line, def line) of every function and class, innermost last."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans.append((first, node.end_lineno or node.lineno, node.lineno))
    return spans


def _routes_by_def(routes) -> dict[tuple[str, int], list]:
    out: dict[tuple[str, int], list] = {}
    for r in routes:
        for loc in {r.handler_location or r.location, r.location}:
            out.setdefault((loc.file, loc.line), []).append(r)
    return out


def _enclosing_routes(file: str, line: int, spans, by_def) -> tuple:
    """The routes of the innermost handler (function, method or view class) around ``line``."""
    around = sorted((s for s in spans if s[0] <= line <= s[1]), key=lambda s: s[1] - s[0])
    for _, _, def_line in around:
        routes = by_def.get((file, def_line))
        if routes:
            return tuple(dict.fromkeys(routes))
    return ()


def _only_unprotected(meta: dict) -> bool:
    rg = meta.get("routeguard")
    return (isinstance(rg, dict) and rg.get("only-unprotected") is True) or meta.get("routeguard-only-unprotected") is True


def merge(report, doc: dict, only_unprotected: bool = False, scope: set[str] | None = None,
          read=None) -> int:
    """Add semgrep's results (``doc``: its JSON output) to ``report`` as findings; returns how
    many. ``read(path)``: a file's text (default: from the project root)."""
    root = Path(report.root or ".")
    read = read or (lambda rel: (root / rel).read_text(encoding="utf-8", errors="replace"))
    scanned = {m.path for m in report.graph.modules} if report.graph is not None else set()
    by_def = _routes_by_def(report.graph.routes if report.graph is not None else report.routes)
    spans: dict[str, list] = {}
    rules: dict[str, SemgrepRule] = {}
    added = []
    results = doc.get("results")
    for res in results if isinstance(results, list) else []:
        if not isinstance(res, dict) or not isinstance(res.get("extra"), dict):
            continue
        path, check, start, end = res.get("path"), res.get("check_id"), res.get("start"), res.get("end") or {}
        if not (isinstance(path, str) and isinstance(check, str) and isinstance(start, dict)
                and type(start.get("line")) is int):
            continue
        rel = path.replace("\\", "/").removeprefix("./")
        if rel not in scanned or (scope is not None and rel not in scope):
            continue
        extra = res["extra"]
        meta = extra.get("metadata") if isinstance(extra.get("metadata"), dict) else {}
        message = extra.get("message") if isinstance(extra.get("message"), str) else check
        severity = SEVERITY.get(str(extra.get("severity", "")).upper(), Severity.WARNING)
        rule_id = check.rpartition(".")[2] or check
        rules.setdefault(rule_id, SemgrepRule(rule_id, message, severity, meta))
        line = start["line"]
        if rel not in spans:
            try:
                spans[rel] = _handler_spans(read(rel))
            except OSError:
                spans[rel] = []
        routes = _enclosing_routes(rel, line, spans[rel], by_def)
        if (only_unprotected or _only_unprotected(meta)) and not any(r.auth != AuthState.PROTECTED for r in routes):
            continue
        text = " ".join(message.split())
        if routes:
            ops = ", ".join(f"{r.method} {r.path} ({r.auth})" for r in routes)
            text += f" [in the handler of {ops}]"
        end_line = end.get("line") if type(end.get("line")) is int else line
        loc = Location(rel, line, start.get("col") if type(start.get("col")) is int else 1,
                       end_line, end.get("col") if type(end.get("col")) is int and end_line == line else 0)
        added.append(Finding(rule_id, text, loc, severity, routes=routes))
    if added:
        report.findings = sorted(report.findings + added, key=lambda f: f.sort_key())
        report.rules = report.rules + [r for r in rules.values() if r.id not in {c.id for c in report.rules}]
        for f in added:
            if f.location.file not in report.texts:
                try:
                    report.texts[f.location.file] = read(f.location.file)
                except OSError:
                    pass
    return len(added)


def errors(doc: dict) -> list[str]:
    """semgrep's own errors (a rule that does not parse, a file it could not read)."""
    found = doc.get("errors")
    return [str(e.get("message", e))[:300] if isinstance(e, dict) else str(e)[:300]
            for e in (found if isinstance(found, list) else [])]

