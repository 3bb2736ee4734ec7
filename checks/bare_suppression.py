from __future__ import annotations

from routeguard.facts import Location
from routeguard.findings import Severity

from .base import Check, Invalid, Valid


class BareSuppression(Check):
    """
    ## What it does
    Reports a `# routeguard: ignore` comment that names no check id.

    ## Why is this bad
    A bare ignore says nothing about what was reviewed and would hide every future
    finding on the line, so routeguard does not honour it. Name the check:
    `# routeguard: ignore[RG101]`.

    ## Example
    ```python
    @app.route("/metrics")  # routeguard: ignore
    def metrics(): ...
    ```

    ## Use instead
    ```python
    @app.route("/metrics")  # routeguard: ignore[RG101] scraped from the private network only
    def metrics(): ...
    ```

    ## References
    - routeguard README, "Suppressing a finding"
    """

    id = "RG001"
    name = "bare-suppression"
    summary = "Suppression comment without a check id (ignored)"
    severity = Severity.NOTE
    confidence = "high"
    cwe = 710
    owasp = "API8:2023"

    VALID = (Valid("x = 1  # routeguard: ignore[RG101]\n"),)
    INVALID = (Invalid("x = 1  # routeguard: ignore  # expect: RG001\n"),)

    def run(self, graph):
        for m in graph.modules:
            for s in m.suppressions:
                if not s.ids:
                    yield self.finding("This suppression names no check id, so it is ignored; "
                                       "write # routeguard: ignore[RG101].", Location(m.path, s.line))
