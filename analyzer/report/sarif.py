"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om and serialized by hand.

sarif-om's usual serializer drops values equal to a field's default (an explicit
``level: "warning"``); ours keeps ``level`` always and drops only what is unset.
"""
from __future__ import annotations

import functools
import re

import attr
import sarif_om as om

from .. import source
from .fingerprint import line_hashes
from ..findings import Severity
from .json import dumps, route_dict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@functools.cache
def information_uri() -> str | None:
    """The project's Homepage from the installed metadata ([project.urls] in pyproject.toml,
    the one place the address is written), or None."""
    from importlib import metadata

    try:
        urls = metadata.metadata("routeguard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    return next((u.split(",", 1)[1].strip() for u in urls if u.split(",", 1)[0].strip().lower() == "homepage"), None)
ALWAYS = {"level", "version"}
# GitHub code scanning's score of a level (CVSS-like: 3.0 low, 5.5 medium, 8.0 high)
SECURITY_SEVERITY = {Severity.NOTE: "3.0", Severity.WARNING: "5.5", Severity.ERROR: "8.0"}


def to_json(obj):
    """sarif-om objects -> plain JSON values, using the schema's property names."""
    if isinstance(obj, list):
        return [to_json(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_json(v) for k, v in obj.items()}
    if not attr.has(type(obj)):
        return obj
    out = {}
    for f in attr.fields(type(obj)):
        value = getattr(obj, f.name)
        if value is None:
            continue
        default = f.default.factory() if isinstance(f.default, attr.Factory) else f.default
        if f.default is not attr.NOTHING and value == default and f.name not in ALWAYS:
            continue
        out[f.metadata.get("schema_property_name", f.name)] = to_json(value)
    return out


def _sections(docs: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", docs, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def _plain(markdown: str) -> str:
    return re.sub(r"```\w*\n?", "", markdown).replace("`", "").replace("## ", "").strip()


def rule_descriptor(check) -> om.ReportingDescriptor:
    docs = check.docs()
    what = _sections(docs).get("What it does", check.summary)
    return om.ReportingDescriptor(
        id=check.id,
        name=check.name,
        short_description=om.MultiformatMessageString(text=check.summary),
        full_description=om.MultiformatMessageString(text=" ".join(what.split())),
        help=om.MultiformatMessageString(text=_plain(docs), markdown=docs),
        help_uri=f"{information_uri()}#{check.id.lower()}-{check.name}" if information_uri() else None,
        default_configuration=om.ReportingConfiguration(level=check.severity.level),
        properties={
            "tags": ["security", f"external/cwe/cwe-{check.cwe}", f"owasp-api-top10/{check.owasp}"],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[check.confidence],
            "security-severity": SECURITY_SEVERITY[check.severity],
        },
    )


def _physical(loc, lines, message=None, id_=None, region=True):
    """A SARIF location; ``lines(file)`` gives a file's lines, for regions that end on another line."""
    phys = om.PhysicalLocation(artifact_location=om.ArtifactLocation(uri=loc.file, uri_base_id="%SRCROOT%"))
    if region and loc.line:
        end_col = loc.end_col if loc.end_line == loc.line and loc.end_col > loc.col else None
        if end_col is None:
            text = lines(loc.file)
            end_col = len(text[loc.line - 1]) + 1 if loc.line <= len(text) else loc.col + 1
        phys.region = om.Region(start_line=loc.line, start_column=loc.col, end_line=loc.line,
                                end_column=max(end_col, loc.col + 1))
    return om.Location(physical_location=phys, id=id_,
                       message=om.Message(text=message) if message else None)


def build(report, show_suppressed: bool = False) -> om.SarifLog:
    from routeguard import __version__

    index = {c.id: i for i, c in enumerate(report.rules)}
    lines = functools.cache(lambda file: source.lines(report.texts.get(file, "")))
    hashes: dict[str, list[str]] = {}
    results = []
    outcome = report.baseline
    states = [(f, "new" if outcome and id(f) in outcome.new else None) for f in report.visible(show_suppressed)]
    if outcome is not None and outcome.include_matched:
        states += [(f, "unchanged") for f in outcome.matched]
    for f, state in states:
        if f.location.file not in hashes:
            hashes[f.location.file] = line_hashes(report.texts.get(f.location.file, ""))
        file_hashes = hashes[f.location.file]
        result = om.Result(
            message=om.Message(text=f.message), rule_id=f.rule_id, rule_index=index.get(f.rule_id, -1),
            level=f.severity.level, locations=[_physical(f.location, lines)],
        )
        if 0 < f.location.line <= len(file_hashes):
            result.partial_fingerprints = {"primaryLocationLineHash": file_hashes[f.location.line - 1]}
        if f.related:
            result.related_locations = [_physical(r.location, lines, r.message, i)
                                        for i, r in enumerate(f.related, 1)]
        if f.suppressed:
            result.suppressions = [om.Suppression(kind="inSource")]
        # the score follows this result's level (a route escalated to error scores as one)
        result.properties = {"security-severity": SECURITY_SEVERITY[f.severity]}
        if f.routes:  # the operations it is about, their auth state and guard provenance
            result.properties["routes"] = [route_dict(r, report.graph) for r in f.routes]
        result.baseline_state = state
        results.append(result)
    if outcome is not None and outcome.include_matched:  # what the baseline holds and the scan no longer finds
        results += [om.Result(message=om.Message(text=e.message), rule_id=e.rule, rule_index=index.get(e.rule, -1),
                              level="none", baseline_state="absent",
                              locations=[_physical(_Loc(e.file, e.line), lines, region=False)],
                              partial_fingerprints={"routeguardBaseline/v1": e.fingerprint})
                    for e in outcome.gone]
    notifications = [
        om.Notification(message=om.Message(text=n.message), level=n.level,
                        locations=[_physical(_Loc(n.file, n.line, n.col), lines, region=bool(n.line))])
        for n in report.notifications
    ]
    run = om.Run(
        tool=om.Tool(driver=om.ToolComponent(
            name="routeguard", semantic_version=__version__, version=__version__,
            information_uri=information_uri(),
            rules=[c.descriptor() if hasattr(c, "descriptor") else rule_descriptor(c) for c in report.rules])),
        invocations=[om.Invocation(execution_successful=True,
                                   tool_execution_notifications=notifications or None)],
        column_kind="unicodeCodePoints",
        results=results,
    )
    return om.SarifLog(runs=[run], version="2.1.0", schema_uri=SCHEMA)


class _Loc:
    def __init__(self, file, line=0, col=0):
        self.file, self.line, self.col, self.end_line, self.end_col = file, line, col or 1, line, 0


def render(report, show_suppressed: bool = False) -> str:
    doc = to_json(build(report, show_suppressed))
    doc = {"$schema": doc.pop("$schema", SCHEMA), **doc}
    return dumps(doc) + "\n"
