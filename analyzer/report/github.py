"""GitHub Actions workflow commands: one annotation per finding."""
from __future__ import annotations

LEVEL = {"note": "notice", "warning": "warning", "error": "error"}


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render(report, show_suppressed: bool = False) -> str:
    reported = {f.location.file for f in report.visible(show_suppressed) if f.rule_id == "RG000"}
    lines = [f"::{LEVEL[n.level]} file={_escape(n.file, True)},title=routeguard::{_escape(n.message)}"
             for n in report.notifications if n.file not in reported]
    for f in report.visible(show_suppressed):
        loc = f.location
        lines.append(f"::{LEVEL[f.severity.level]} file={_escape(loc.file, True)},line={loc.line},col={loc.col},"
                     f"title={_escape(f.rule_id, True)}::{_escape(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
