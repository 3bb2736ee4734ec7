"""The result of a scan, and its renderings: text, json, sarif, github, gitlab-sast."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ..findings import Severity

FORMATS = ("text", "json", "sarif", "github", "gitlab-sast")


@dataclass
class Report:
    root: str
    findings: list  # every finding, suppressed ones flagged
    routes: list
    notifications: list
    rules: list  # the enabled check classes
    files: int
    config: object
    texts: dict = field(default_factory=dict)  # source of the files that have findings (fingerprints)
    graph: object = None
    baseline: object = None  # routeguard.baseline.Outcome, when scanned against a baseline

    def visible(self, show_suppressed: bool = False) -> list:
        return [f for f in self.findings if show_suppressed or not f.suppressed]

    def exit_code(self, fail_on: str | None = None) -> int:
        level = Severity.parse(fail_on or self.config.fail_on)
        return 1 if any(f.severity >= level for f in self.visible()) else 0

    def render(self, fmt: str = "text", show_suppressed: bool = False) -> str:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
        renderer = importlib.import_module(f"{__name__}.{fmt.replace('-', '_')}")  # only SARIF needs sarif-om
        return renderer.render(self, show_suppressed)

    def routes_json(self) -> list[dict]:
        from .json import route_dict

        return [route_dict(r, self.graph) for r in self.routes]
