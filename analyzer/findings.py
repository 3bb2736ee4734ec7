"""Findings, severities and the notifications a scan reports about its own run."""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from .facts import Location


class Severity(IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def level(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]

    def raised(self) -> "Severity":
        return Severity(min(self + 1, Severity.ERROR))


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    message: str
    location: Location
    severity: Severity
    related: tuple[Related, ...] = ()
    # Lines (in location.file) where a "# routeguard: ignore[ID]" comment suppresses this finding.
    suppress_lines: tuple[int, int] | None = None
    suppressed: bool = False
    # The routes (RouteInfo) the finding is about, for the operation and auth properties of reports.
    routes: tuple = ()

    def sort_key(self):
        return (self.location.file, self.location.line, self.location.col, self.rule_id, self.message)


@dataclass(frozen=True)
class Notification:
    """Something about the run itself: a file that could not be read, decoded or parsed
    (also reported as an RG000 finding); ``line`` and ``col`` are 0 when unknown."""

    file: str
    message: str
    level: str = "warning"
    line: int = 0
    col: int = 0

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}:{self.col}" if self.line else self.file
