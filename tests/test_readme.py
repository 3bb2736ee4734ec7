"""The README's check table is generated from the registry and must not go stale."""
import re

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
