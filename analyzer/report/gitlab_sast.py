"""GitLab's SAST report (``artifacts: reports: sast``), schema version 15.

Each finding is a vulnerability with the check id and its CWE as identifiers, and an id
derived from the baseline fingerprint, so GitLab tracks it across pipelines as the code
moves. The schema requires a scan's start and end times: the current time, or
``SOURCE_DATE_EPOCH`` when set (for reproducible output).
"""
from __future__ import annotations

import os
import time
import uuid

from ..baseline import fingerprints

VERSION = "15.0.6"
SEVERITY = {"note": "Low", "warning": "Medium", "error": "High"}
NAMESPACE = uuid.UUID("3f1c1f4e-5b0a-4d3e-9a43-7d6c2f0b9e21")  # routeguard's: ids are uuid5(it, fingerprint)


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else int(time.time())
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def render(report, show_suppressed: bool = False) -> str:
    from routeguard import __version__

    from .json import dumps

    checks = {c.id: c for c in report.rules}
    findings = report.visible(show_suppressed)
    tool = {"id": "routeguard", "name": "routeguard", "version": __version__, "vendor": {"name": "routeguard"}}
    vulnerabilities = []
    for fp, f in zip(fingerprints(findings, report.texts), findings):
        check = checks.get(f.rule_id)
        identifiers = [{"type": "routeguard_rule_id", "name": f"routeguard {f.rule_id}", "value": f.rule_id}]
        if check is not None and check.cwe:
            identifiers.append({"type": "cwe", "name": f"CWE-{check.cwe}", "value": str(check.cwe),
                                "url": f"https://cwe.mitre.org/data/definitions/{check.cwe}.html"})
        name = f"{f.rule_id} {check.name}" if check is not None else f.rule_id
        vulnerabilities.append({
            "id": str(uuid.uuid5(NAMESPACE, fp)),
            "name": name[:255],
            "description": f.message[:1_000_000],
            "severity": SEVERITY[f.severity.level],
            "identifiers": identifiers,
            "location": {"file": f.location.file, "start_line": max(f.location.line, 1),
                         "end_line": max(f.location.line, 1)},
        })
    now = _now()
    doc = {
        "version": VERSION,
        "scan": {"analyzer": tool, "scanner": tool, "type": "sast", "start_time": now, "end_time": now,
                 "status": "success"},
        "vulnerabilities": vulnerabilities,
    }
    return dumps(doc) + "\n"
