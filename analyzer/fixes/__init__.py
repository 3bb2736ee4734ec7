"""Autofix: LibCST codemods for the findings that have one clear fix.

Each rule with a fix has its own module here with ``fix(finding, code, graph) -> Edit | None``:
it finds the node the finding points at (its location), rewrites it keeping the formatting
and comments around it, and says which imports the new code needs. The checks know nothing
of fixes; a fix reads what it needs from the finding and the graph.

    from routeguard import scan_sources
    from routeguard.fixes import fix_sources
    result = fix_sources(sources, scan_sources(sources))
    result.sources, result.diffs(), result.fixed
"""
from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from typing import Mapping

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

# Rule id -> module with the fix, in priority order (the order fixes are offered in).
FIXES = {
    "RG102": "guard_order",
    "RG106": "unverified_token",
    "RG401": "debug_enabled",
    "RG302": "serializer_fields",
    "RG101": "sibling_guard",
    "RG303": "response_model",
}


@dataclass(frozen=True)
class Edit:
    """A rewritten module and the imports its new code needs: ("os", None) for ``import os``,
    ("app.deps", "get_user") for ``from app.deps import get_user``."""

    module: cst.Module
    imports: tuple[tuple[str, str | None], ...] = ()


@dataclass
class FixResult:
    original: dict  # path -> text before
    sources: dict  # path -> text after (only the files that changed)
    fixed: list = field(default_factory=list)  # the findings fixed
    unfixed: list = field(default_factory=list)  # findings of fixable rules that had no clear fix

    def diff(self, path: str) -> str:
        return "".join(difflib.unified_diff(self.original[path].splitlines(keepends=True),
                                            self.sources[path].splitlines(keepends=True),
                                            f"a/{path}", f"b/{path}"))

    def diffs(self) -> dict:
        return {path: self.diff(path) for path in sorted(self.sources)}


def fixable(rule_id: str) -> bool:
    return rule_id in FIXES


def _fixer(rule_id: str):
    return importlib.import_module(f"{__name__}.{FIXES[rule_id]}").fix


def fix_sources(sources: Mapping[str, str], report, select=None) -> FixResult:
    """Apply the fixes of ``report``'s findings (those whose rule ``select`` names or prefixes,
    default: every fixable one) to ``sources`` ({path: text}, the texts the report was made
    from). Nothing is written; the result has the new texts and their diffs."""
    wanted = [f for f in report.visible() if fixable(f.rule_id) and f.location.file in sources
              and (not select or any(f.rule_id.startswith(s.upper()) for s in select))]
    result = FixResult({}, {})
    by_file: dict[str, list] = {}
    for f in wanted:
        by_file.setdefault(f.location.file, []).append(f)
    for path, findings in sorted(by_file.items()):
        text = sources[path]
        imports: list = []
        # Bottom-up: an edit changes the lines at and below its finding, never above, so the
        # locations of the findings still to fix stay true. Imports go in last, at the top.
        done = set()
        for f in sorted(findings, key=lambda f: (f.location.line, f.location.col), reverse=True):
            key = (f.rule_id, f.location)
            if key in done:
                continue
            done.add(key)
            try:
                edit = _fixer(f.rule_id)(f, cst.parse_module(text), report.graph)
                if edit is not None:
                    cst.parse_module(edit.module.code)  # an edit that does not parse is no fix
            except (cst.ParserSyntaxError, cst.CSTValidationError):
                edit = None
            if edit is None or edit.module.code == text:
                result.unfixed.append(f)
                continue
            text = edit.module.code
            imports.extend(edit.imports)
            result.fixed.append(f)
        if imports:
            text = _add_imports(text, imports)
        if text != sources[path]:
            result.original[path] = sources[path]
            result.sources[path] = text
    result.fixed.sort(key=lambda f: f.sort_key())
    result.unfixed.sort(key=lambda f: f.sort_key())
    return result


def _add_imports(text: str, imports) -> str:
    """Add the imports the file lacks, after its existing ones (as the file writes them)."""
    module = cst.parse_module(text)
    context = CodemodContext()
    for mod, name in dict.fromkeys(imports):
        dots = len(mod) - len(mod.lstrip("."))  # a relative import, as the file writes it
        AddImportsVisitor.add_needed_import(context, mod[dots:], name, relative=dots)
    return AddImportsVisitor(context).transform_module(module).code


def fix_paths(paths, config=None, select=None):
    """Scan ``paths`` on disk and fix what has one clear fix, in memory: (report, FixResult)
    with the paths of the result relative to ``report.root``. Nothing is written."""
    from pathlib import Path

    from ..api import scan_paths

    report = scan_paths(paths, config, cache=False)
    root = Path(report.root)
    files = {f.location.file for f in report.visible() if fixable(f.rule_id)}
    sources = {}
    for rel in sorted(files):
        try:
            sources[rel] = (root / rel).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
    return report, fix_sources(sources, report, select)
