"""Every check's VALID examples stay silent and every INVALID example fires, on the lines its
``# expect: RGxxx`` markers name."""
import pytest

from routeguard import scan_sources
from routeguard.checks.base import all_checks
from helpers import source_markers, validate_sarif

CASES = [(c, i, ex) for c in all_checks() for i, ex in enumerate(c.VALID + c.INVALID)]


@pytest.mark.parametrize("check,index,example", CASES,
                         ids=[f"{c.id}-{'valid' if e.valid else 'invalid'}-{i}" for c, i, e in CASES])
def test_example(check, index, example):
    report = scan_sources(example.files, config={"select": [check.id], **example.config})
    hits = [f for f in report.findings if f.rule_id == check.id]
    if example.valid:
        assert hits == [], [f.message for f in hits]
    else:
        expected = {(file, line) for file, line, rule in source_markers(example.files)["expect"] if rule == check.id}
        assert expected, f"{check.id}'s INVALID example {index} has no '# expect: {check.id}' marker"
        assert {(f.location.file, f.location.line) for f in hits} == expected, [f.message for f in hits]
    validate_sarif(report.render("sarif"))


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.id)
def test_check_metadata(check):
    assert check.id.startswith("RG") and len(check.id) == 5
    assert check.name == check.name.lower() and " " not in check.name
    assert check.confidence in ("high", "medium", "low")
    assert check.owasp.endswith(":2023")
    docs = check.docs()
    for section in ("## What it does", "## Why is this bad", "## Example", "## Use instead", "## References"):
        assert section in docs, f"{check.id} docstring lacks {section}"
    assert check.INVALID, f"{check.id} has no INVALID example"
    assert check.VALID, f"{check.id} has no VALID example"


def test_ids_and_names_unique():
    checks = all_checks()
    assert len({c.id for c in checks}) == len(checks)
    assert len({c.name for c in checks}) == len(checks)
