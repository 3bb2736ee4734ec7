"""Baselines: the findings a team has accepted, by stable fingerprint, so that a scan can
report only what is new.

A finding's fingerprint is its rule, what it is about and the text of the line it sits on
(without whitespace): for a finding about routes, the routes' operations (``GET
/orders/<id>``); otherwise its file. Line numbers take no part, so code that moves (within a
file, or a handler to another module) keeps its findings matched, and renaming an
unrelated file changes nothing. Identical fingerprints are numbered in order (``:2``).

The baseline file is plain JSON, read with ``json`` only; anything that is not a
routeguard baseline is a :class:`BaselineError` (exit 2), never executed.
"""
from __future__ import annotations

import hashlib
import json
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import source
from .config import ConfigError

FORMAT = 1
MAX_SIZE = 100_000_000  # bytes: a baseline is a list of findings, never this large
DEFAULT_FILE = "routeguard-baseline.json"


class BaselineError(ConfigError):
    """A baseline file that cannot be read or is not a routeguard baseline."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule: str
    file: str
    line: int
    message: str


@dataclass
class Outcome:
    """What a baseline did to a scan: ``matched`` findings (left out of the report unless
    ``include_matched``), and ``gone`` entries that no finding matches any more (fixed)."""

    path: str
    matched: list = field(default_factory=list)
    gone: list = field(default_factory=list)
    include_matched: bool = False
    new: set = field(default_factory=set)  # id() of the findings reported as new

    def summary(self) -> str:
        return (f"baseline {self.path}: {len(self.matched)} finding{'s' if len(self.matched) != 1 else ''} "
                f"matched, {len(self.gone)} entr{'ies' if len(self.gone) != 1 else 'y'} gone (fixed)")

    def as_json(self) -> dict:
        return {"file": self.path, "matched": len(self.matched), "gone": len(self.gone),
                "gone_entries": [entry_dict(e) for e in self.gone]}


def _identity(f) -> str:
    if f.routes:
        return "|".join(sorted({f"{r.method} {r.path}" for r in f.routes}))
    return f.location.file


def fingerprints(findings, texts: dict[str, str]) -> list[str]:
    """The fingerprint of each finding (``texts``: the source of the files they are in)."""
    lines: dict[str, list[str]] = {}
    counts: Counter = Counter()
    out = []
    for f in findings:
        file_lines = lines.get(f.location.file)
        if file_lines is None:
            file_lines = lines[f.location.file] = source.lines(texts.get(f.location.file, ""))
        n = f.location.line
        code = "".join(file_lines[n - 1].split()) if 0 < n <= len(file_lines) else ""
        digest = hashlib.sha256(f"{f.rule_id}\0{_identity(f)}\0{code}".encode("utf-8", "surrogatepass")).hexdigest()
        key = f"{f.rule_id}:{digest[:32]}"
        counts[key] += 1
        out.append(f"{key}:{counts[key]}")
    return out


def entries(report) -> list[Entry]:
    """The baseline entries of a scan's (unsuppressed) findings."""
    findings = [f for f in report.findings if not f.suppressed]
    return [Entry(fp, f.rule_id, f.location.file, f.location.line, f.message)
            for fp, f in zip(fingerprints(findings, report.texts), findings)]


def entry_dict(e: Entry) -> dict:
    return {"fingerprint": e.fingerprint, "rule": e.rule, "file": e.file, "line": e.line, "message": e.message}


def dumps(report) -> str:
    from . import __version__
    from .report.json import dumps as json_dumps

    found = sorted(entries(report), key=lambda e: (e.file, e.line, e.rule, e.fingerprint))
    return json_dumps({"routeguard-baseline": FORMAT, "tool": {"name": "routeguard", "version": __version__},
                       "findings": [entry_dict(e) for e in found]}) + "\n"


def load(path: str | Path) -> list[Entry]:
    path = Path(path)
    where = f"baseline {path}"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a directory, a FIFO (which would block), a device
            raise BaselineError(f"{where}: not a regular file")
        size = info.st_size
        if size > MAX_SIZE:
            raise BaselineError(f"{where}: {size} bytes, too large for a baseline")
        with open(path, "rb") as fh:
            data = fh.read(MAX_SIZE + 1)
    except FileNotFoundError:
        raise BaselineError(f"{where}: no such file (`routeguard baseline create` writes one)") from None
    except OSError as e:
        raise BaselineError(f"{where}: cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise BaselineError(f"{where}: not valid JSON ({type(e).__name__}: {str(e)[:200]})") from None
    if not isinstance(doc, dict) or "routeguard-baseline" not in doc:
        raise BaselineError(f"{where}: not a routeguard baseline (no \"routeguard-baseline\" key); "
                            f"`routeguard baseline create` writes one")
    if doc["routeguard-baseline"] != FORMAT:
        raise BaselineError(f"{where}: format {doc['routeguard-baseline']!r} is not supported "
                            f"(this routeguard reads format {FORMAT}); create it again")
    found = doc.get("findings")
    if not isinstance(found, list):
        raise BaselineError(f"{where}: \"findings\" must be a list")
    out = []
    for i, item in enumerate(found):
        if not isinstance(item, dict):
            raise BaselineError(f"{where}: findings[{i}] must be an object")
        fp, rule, file, line, message = (item.get(k) for k in ("fingerprint", "rule", "file", "line", "message"))
        if not (isinstance(fp, str) and fp and len(fp) < 200):
            raise BaselineError(f"{where}: findings[{i}].fingerprint must be a short non-empty string")
        if not isinstance(rule, str) or not isinstance(file, str) or not isinstance(message, str) \
                or type(line) is not int:
            raise BaselineError(f"{where}: findings[{i}] needs rule, file and message strings and a line number")
        out.append(Entry(fp, rule, file, line, message))
    return out


def apply(report, baseline: list[Entry], path: str, include_matched: bool = False,
          scope: set[str] | None = None) -> Outcome:
    """Leave in ``report.findings`` only the findings that the baseline does not hold (and the
    suppressed ones); ``report.baseline`` says what was matched and which entries are gone.
    ``scope``: the files a file-scoped scan (pre-commit) reports on; entries of other files
    are not counted as gone."""
    outcome = Outcome(path, include_matched=include_matched)
    remaining = Counter(e.fingerprint for e in baseline)
    kept = []
    unsuppressed = [f for f in report.findings if not f.suppressed]
    for fp, f in zip(fingerprints(unsuppressed, report.texts), unsuppressed):
        if remaining[fp] > 0:
            remaining[fp] -= 1
            outcome.matched.append(f)
        else:
            outcome.new.add(id(f))
            kept.append(f)
    for e in baseline:
        if remaining[e.fingerprint] > 0 and (scope is None or e.file in scope):
            remaining[e.fingerprint] -= 1
            outcome.gone.append(e)
    matched = {id(f) for f in outcome.matched}
    report.findings = [f for f in report.findings if id(f) not in matched]
    report.baseline = outcome
    return outcome
