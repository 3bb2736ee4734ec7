"""The README's check table is generated from the registry and must not go stale."""
import re

import pytest

from routeguard.checks.base import all_checks, markdown_table
from helpers import REPO


def test_readme_check_table_is_current():
    text = (REPO / "README.md").read_text()
    table = re.search(r"<!-- checks:start -->\n(.*?)<!-- checks:end -->", text, re.S).group(1)
    assert table == markdown_table(all_checks()), "run `routeguard rules --format markdown` and update README.md"


def test_readme_setup_commands_point_at_real_things():
    text = (REPO / "README.md").read_text()
    assert "routeguard scan fixtures/flask/blog" in text and (REPO / "fixtures/flask/blog").is_dir()
    assert "pip install -e '.[test]' && .venv/bin/python -m pytest -q" in text
    assert "python -m pytest -q" in (REPO / ".ci/run").read_text()


def test_readme_pre_commit_snippet_works_today():
    """The snippets must not point at a repository or tag that does not exist (issue 15):
    a local hook, or a local clone; both name the hook that .pre-commit-hooks.yaml declares."""
    yaml = pytest.importorskip("yaml")
    text = (REPO / "README.md").read_text()
    section = text.split("## pre-commit", 1)[1].split("\n## ", 1)[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    (declared,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [b["repos"][0]["repo"] for b in blocks] == ["local", "/path/to/routeguard"]
    local = blocks[0]["repos"][0]["hooks"][0]
    assert local["id"] == declared["id"] and local["entry"] == declared["entry"]
    assert blocks[1]["repos"][0]["hooks"][0]["id"] == declared["id"]
    assert "github.com/routeguard" not in text


def test_one_project_url():
    """The project URL lives in pyproject.toml only; SARIF reads it from the installed metadata."""
    import json

    from routeguard import scan_sources

    urls = re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", "".join(
        p.read_text() for p in [*REPO.glob("analyzer/**/*.py"), *REPO.glob("checks/*.py"), REPO / "README.md"]))
    assert urls == []
    homepage = re.search(r'Homepage = "(.*?)"', (REPO / "pyproject.toml").read_text()).group(1)
    driver = json.loads(scan_sources({"a.py": "x = 1\n"}).render("sarif"))["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == homepage
