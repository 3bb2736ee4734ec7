"""primaryLocationLineHash must equal what GitHub computes (codeql-action's test vectors)."""
import json

import pytest

from routeguard.report.fingerprint import line_hashes
from helpers import DATA

CASES = json.loads((DATA / "github-primaryLocationLineHash-vectors.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_github_vectors(case):
    assert line_hashes(case["input"]) == case["expected"]


def test_non_ascii_and_long_lines():
    text = "é" * 300 + "\n😀 x\n"
    hashes = line_hashes(text)
    assert len(hashes) == 3 and all(h.endswith(":1") for h in hashes)


def test_line_breaks_as_fingerprints_ts_reads_them():
    """CR LF is one break; a CR and an LF with a space or tab between them are two."""
    assert line_hashes("a\r\nb") == line_hashes("a\nb") == line_hashes("a\rb")
    assert line_hashes("a\r \nb") == line_hashes("a\r\t\nb") == line_hashes("a\n\nb")
    assert len(line_hashes("a\r \nb")) == 3
