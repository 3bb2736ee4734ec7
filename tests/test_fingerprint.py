"""primaryLocationLineHash must equal what GitHub computes (codeql-action's test vectors)."""
import json

import pytest

from analyzer.report.fingerprint import line_hashes
from helpers import DATA

CASES = json.loads((DATA / "github-primaryLocationLineHash-vectors.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_github_vectors(case):
    assert line_hashes(case["input"]) == case["expected"]


def test_non_ascii_and_long_lines():
    text = "é" * 300 + "\n😀 x\n"
    hashes = line_hashes(text)
    assert len(hashes) == 3 and all(h.endswith(":1") for h in hashes)
