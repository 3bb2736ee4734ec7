"""Shared test helpers: fixture expectations and SARIF validation."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
DATA = REPO / "tests" / "data"
SHARED_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
# The official schema beside the checkout when it is there (as in CI), else our copy of it.
SCHEMA = SHARED_SCHEMA if SHARED_SCHEMA.is_file() else DATA / "sarif-schema-2.1.0.json"
MARKER = re.compile(r"#\s*(expect|todo|todook):\s*(RG\d{3}(?:\s*,\s*RG\d{3})*)")


def fixture_projects() -> list[Path]:
    """Every fixture project: fixtures/<framework>/<project>/."""
    return sorted(p for fw in FIXTURES.iterdir() if fw.is_dir() for p in fw.iterdir() if p.is_dir())


def markers(project: Path) -> dict[str, set[tuple[str, int, str]]]:
    """{"expect"|"todo"|"todook": {(file, line, rule)}} from the inline comments of a project
    (Python files, and YAML files: an OpenAPI document's findings are on its lines)."""
    return source_markers({path.relative_to(project).as_posix(): path.read_text(encoding="utf-8", errors="replace")
                           for path in sorted(p for suffix in ("*.py", "*.yaml", "*.yml") for p in project.rglob(suffix))})


def source_markers(files: dict[str, str]) -> dict[str, set[tuple[str, int, str]]]:
    """The same markers, from in-memory sources ({path: text}, as scan_sources takes them)."""
    found = {"expect": set(), "todo": set(), "todook": set()}
    for rel, text in files.items():
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        for lineno, line in enumerate(text.splitlines(), 1):
            for kind, ids in MARKER.findall(line):
                for rule in re.split(r"\s*,\s*", ids):
                    found[kind].add((rel, lineno, rule))
    return found


def routes(files, **config):
    """({(method, path): RouteInfo}, report) for in-memory sources."""
    from routeguard import scan_sources

    report = scan_sources(files, config=config or None)
    return {(r.method, r.path): r for r in report.routes}, report


def hits(files, rule, config=None):
    """The findings of one rule, with only that rule selected."""
    from routeguard import scan_sources

    report = scan_sources(files, config={"select": [rule], **(config or {})})
    return [f for f in report.findings if f.rule_id == rule]


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema)


def validate_sarif(text: str) -> dict:
    """Parse a SARIF log and assert that it validates against the official 2.1.0 schema."""
    doc = json.loads(text)
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return doc
