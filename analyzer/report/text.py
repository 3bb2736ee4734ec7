"""``path:line:col: RG101 [error] message`` lines, then a summary on its own line."""
from __future__ import annotations


def render(report, show_suppressed: bool = False) -> str:
    lines = []
    findings = report.visible(show_suppressed)
    reported = {f.location.file for f in findings if f.rule_id == "RG000"}
    for n in report.notifications:  # a file reported as RG000 is not listed twice
        if n.file not in reported:
            lines.append(f"{n.where}: {n.level}: {n.message}")
    for f in findings:
        loc = f.location
        tag = " (suppressed)" if f.suppressed else ""
        lines.append(f"{loc.file}:{loc.line}:{loc.col}: {f.rule_id} [{f.severity.level}] {f.message}{tag}")
    lines.append(summary(report, show_suppressed))
    return "\n".join(lines) + "\n"


def summary(report, show_suppressed: bool = False) -> str:
    """``3 findings in 12 files (1 suppressed); 1 file could not be analyzed.``"""
    count = len(report.visible(show_suppressed))
    suppressed = sum(1 for f in report.findings if f.suppressed)
    summary = f"{count} finding{'s' if count != 1 else ''} in {report.files} file{'s' if report.files != 1 else ''}"
    if suppressed and not show_suppressed:
        summary += f" ({suppressed} suppressed)"
    failed = sum(1 for n in report.notifications if n.level == "error")
    if failed:
        summary += f"; {failed} file{'s' if failed != 1 else ''} could not be analyzed"
    if report.baseline is not None:
        summary += f"; {report.baseline.summary()}"
    return summary + "."
