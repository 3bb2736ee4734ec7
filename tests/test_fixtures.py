"""The fixture projects: findings must match the inline markers exactly.

``# expect: RGnnn`` must be reported on that line; ``# todo: RGnnn`` marks a known
blind spot (must NOT be reported yet: when it is, promote it to expect);
``# todook: RGnnn`` marks a known false positive (is reported, should not be).
"""
import pytest

from routeguard import scan_paths
from helpers import fixture_projects, markers, validate_sarif

PROJECTS = fixture_projects()


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_findings_match_markers(project):
    report = scan_paths([project], root=project, cache=False)  # no cache files written into the fixtures
    got = {(f.location.file, f.location.line, f.rule_id) for f in report.visible()}
    m = markers(project)
    missing = m["expect"] - got
    unexpected = got - m["expect"] - m["todook"]
    fixed_blind_spots = m["todo"] & got
    stale_false_positives = m["todook"] - got
    assert not missing, f"expected but not reported: {sorted(missing)}"
    assert not unexpected, f"reported but not expected: {sorted(unexpected)}"
    assert not fixed_blind_spots, f"todo now detected, promote to expect: {sorted(fixed_blind_spots)}"
    assert not stale_false_positives, f"todook no longer reported, remove it: {sorted(stale_false_positives)}"
    assert report.notifications == []
    validate_sarif(report.render("sarif"))


def test_every_framework_has_fixtures():
    frameworks = {p.parent.name for p in PROJECTS}
    assert "flask" in frameworks
    assert "django" in frameworks
    assert "fastapi" in frameworks
