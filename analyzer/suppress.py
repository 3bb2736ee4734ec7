"""Inline suppressions: ``# routeguard: ignore[RG101]`` on the flagged line, or on the
handler's def line or any of its decorator lines. An id may be a prefix (``ignore[RG10]``),
as in ``--ignore``."""
from __future__ import annotations

from dataclasses import replace

from .findings import Finding


def apply(findings: list[Finding], suppressions: dict[str, dict[int, tuple[str, ...]]]) -> list[Finding]:
    out = []
    for f in findings:
        by_line = suppressions.get(f.location.file, {})
        lines = {f.location.line}
        if f.suppress_lines:
            lines.update(range(f.suppress_lines[0], f.suppress_lines[1] + 1))
        hit = any(f.rule_id.startswith(i) for line in lines for i in by_line.get(line, ()))
        out.append(replace(f, suppressed=True) if hit else f)
    return out
