from __future__ import annotations

from routeguard.facts import Location
from routeguard.findings import Severity

from .base import Check, Invalid, Valid


class FileNotAnalyzed(Check):
    """
    ## What it does
    Reports every file that routeguard could not analyze: a syntax error (at its
    position), bytes that are not valid in the file's encoding, an expression too complex
    for the parser, a file that cannot be read, one larger than `max-file-size`, a FIFO or
    device named like a Python file, or a file whose analysis took longer than the time
    bound.

    ## Why is this bad
    The routes, guards and settings of a file that was not analyzed are not checked at
    all: a scan that passes with such a file passes on a gap, not on a verdict. Under
    pre-commit a staged file with a missing `)` would otherwise show "Passed".

    ## Example
    ```python
    @app.post("/orders")
    def create_order(:
        ...
    ```

    ## Use instead
    Fix the file so that Python parses it; exclude generated files that are not code
    (`exclude` in `[tool.routeguard]`), or raise `max-file-size` for a large module that
    should be checked.

    ## References
    - OWASP API Security Top 10 2023, API9: Improper Inventory Management (routes in an
      unanalyzed file are missing from the inventory)
    - CWE-710: Improper Adherence to Coding Standards
    """

    id = "RG000"
    name = "file-not-analyzed"
    summary = "A file that could not be read, decoded or parsed, so nothing in it was checked"
    severity = Severity.ERROR
    confidence = "high"
    cwe = 710
    owasp = "API9:2023"

    VALID = (
        Valid("""
from flask import Flask

app = Flask(__name__)
"""),
    )
    INVALID = (
        Invalid("""
from flask import Flask

app = Flask(__name__)

@app.post("/orders")
def create_order(:  # expect: RG000
    ...
"""),
        Invalid({"app/data.py": b"NAME = '\xff'  # expect: RG000\n"}),
    )

    def run(self, graph):
        for m in graph.modules:
            if m.error:
                yield self.finding(f"file not analyzed: {m.error}",
                                   Location(m.path, m.error_line or 1, m.error_col or 1))
