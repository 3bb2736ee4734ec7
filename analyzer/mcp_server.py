"""``routeguard mcp``: the Model Context Protocol server that code-generation pipelines call.

Tools over stdio, built with the official SDK (the optional extra ``routeguard[mcp]``):
scan_sources, scan_paths, list_routes, explain_rule, suggest_fixes. In-memory sources are
never written anywhere; paths on disk are read, never written (no cache). A failure is a
tool error for that call, never the end of the server.
"""
import json
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field

from . import __version__
from .api import scan_paths as _scan_paths
from .api import scan_sources as _scan_sources
from .report.json import finding_dict, route_dict

INSTRUCTIONS = (
    "routeguard finds authentication and authorization flaws in Flask, FastAPI and Django/DRF code "
    "without running it. Call scan_sources with the files you generated ({path: text}) before writing "
    "them, suggest_fixes for unified diffs of the findings with one clear fix, explain_rule for a rule's "
    "documentation."
)


class Location(BaseModel):
    file: str
    line: int
    col: int


class Guard(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str
    name: str
    layer: str
    effect: str
    reason: str = ""
    file: str | None = None
    line: int | None = None


class Route(BaseModel):
    model_config = ConfigDict(extra="allow")
    method: str
    path: str
    framework: str
    handler: dict[str, Any] = Field(description="file, line and qualname of the handler")
    auth: str = Field(description="protected | public | unprotected")
    guards: list[Guard]


class Finding(BaseModel):
    model_config = ConfigDict(extra="allow")
    rule: str
    severity: str = Field(description="error | warning | note")
    message: str
    file: str
    line: int
    col: int
    related: list[dict[str, Any]] = []
    routes: list[Route] = []
    fixable: bool = Field(False, description="suggest_fixes has an edit for rules of this id")


class Notification(BaseModel):
    file: str
    line: int
    col: int
    level: str
    message: str


class ScanResult(BaseModel):
    files: int
    findings: list[Finding]
    routes: list[Route]
    notifications: list[Notification]
    exit_code: int = Field(description="1 when a finding reaches the configured fail-on severity, else 0")
    sarif: dict[str, Any] | None = Field(None, description="The SARIF 2.1.0 log, when asked for")


class RoutesResult(BaseModel):
    routes: list[Route]


class Rule(BaseModel):
    id: str
    name: str
    severity: str
    confidence: str
    cwe: int | None
    owasp: str
    summary: str
    documentation: str
    fixable: bool


class FileFix(BaseModel):
    file: str
    diff: str = Field(description="unified diff, a/<file> -> b/<file>")
    fixed_source: str
    rules: list[str]


class FixesResult(BaseModel):
    fixes: list[FileFix]
    fixed: list[Finding]
    unfixed: list[Finding] = Field(description="findings of fixable rules with no single clear fix")


def _finding(f, graph) -> Finding:
    from .fixes import fixable

    return Finding(**finding_dict(f, graph), fixable=fixable(f.rule_id))


def _result(report, sarif: bool) -> ScanResult:
    return ScanResult(
        files=report.files,
        findings=[_finding(f, report.graph) for f in report.visible()],
        routes=[Route(**route_dict(r, report.graph)) for r in report.routes],
        notifications=[Notification(file=n.file, line=n.line, col=n.col, level=n.level, message=n.message)
                       for n in report.notifications],
        exit_code=report.exit_code(),
        sarif=json.loads(report.render("sarif")) if sarif else None,
    )


def _tool_errors(fn):
    """Any failure is this call's tool error, with its message: the server keeps serving."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ToolError:
            raise
        except Exception as e:  # noqa: BLE001 - reported to the caller, never fatal
            raise ToolError(f"{type(e).__name__}: {e}") from e
    return wrapper


def _scan(sources, paths, config):
    if (sources is None) == (paths is None):
        raise ToolError("give exactly one of sources ({path: text}) or paths")
    if sources is not None:
        return _scan_sources(sources, config)
    return _scan_paths(paths, config, cache=False)


def build() -> MCPServer:
    server = MCPServer("routeguard", instructions=INSTRUCTIONS, version=__version__)

    @server.tool(structured_output=True)
    @_tool_errors
    def scan_sources(sources: dict[str, str], config: dict[str, Any] | None = None,
                     sarif: bool = False) -> ScanResult:
        """Scan in-memory Python files ({project-relative path: source text}) of a Flask, FastAPI or
        Django/DRF project. Returns the findings with their locations, every route with its auth
        state (protected, public, unprotected) and guards, and the SARIF 2.1.0 log when sarif is true.
        config takes the keys of [tool.routeguard] (select, ignore, public-routes, ...). Nothing is
        written to disk."""
        return _result(_scan_sources(sources, config), sarif)

    @server.tool(structured_output=True)
    @_tool_errors
    def scan_paths(paths: list[str], config: dict[str, Any] | None = None, sarif: bool = False) -> ScanResult:
        """Scan files and directories on disk (read only). Without config, [tool.routeguard] of the
        nearest pyproject.toml applies."""
        return _result(_scan_paths(paths, config, cache=False), sarif)

    @server.tool(structured_output=True)
    @_tool_errors
    def list_routes(sources: dict[str, str] | None = None, paths: list[str] | None = None,
                    config: dict[str, Any] | None = None) -> RoutesResult:
        """The route inventory of in-memory sources or of paths on disk (give one): method, full
        path, handler, auth state and the guards with the layer that applies each."""
        report = _scan(sources, paths, config)
        return RoutesResult(routes=[Route(**route_dict(r, report.graph)) for r in report.routes])

    @server.tool(structured_output=True)
    @_tool_errors
    def explain_rule(rule_id: str) -> Rule:
        """A rule's documentation (what it flags, why it matters, an example and the fix) by id
        (RG101) or name (unauthenticated-route)."""
        from .api import all_checks
        from .fixes import fixable

        wanted = rule_id.strip().upper()
        for c in all_checks():
            if wanted in (c.id, c.name.upper()):
                return Rule(id=c.id, name=c.name, severity=c.severity.level, confidence=c.confidence, cwe=c.cwe,
                            owasp=c.owasp, summary=c.summary, documentation=c.docs(), fixable=fixable(c.id))
        raise ToolError(f"unknown rule {rule_id!r}; ids are RG000-RG4xx, as scan results name them")

    @server.tool(structured_output=True)
    @_tool_errors
    def suggest_fixes(sources: dict[str, str] | None = None, paths: list[str] | None = None,
                      config: dict[str, Any] | None = None, select: list[str] | None = None) -> FixesResult:
        """Edits for the findings that have one clear fix (RG101 with the guard sibling routes use,
        RG102, RG106, RG302, RG303, RG401), as unified diffs and the fixed file text, for in-memory
        sources or paths on disk (give one). select restricts to rule ids or prefixes. Nothing is
        written: apply the diffs (or take fixed_source) yourself and scan again."""
        from .fixes import fix_paths, fix_sources

        if (sources is None) == (paths is None):
            raise ToolError("give exactly one of sources ({path: text}) or paths")
        if sources is not None:
            report = _scan_sources(sources, config)
            result = fix_sources(sources, report, select)
        else:
            report, result = fix_paths(paths, config, select)
        rules = {}
        for f in result.fixed:
            rules.setdefault(f.location.file, []).append(f.rule_id)
        return FixesResult(
            fixes=[FileFix(file=p, diff=d, fixed_source=result.sources[p], rules=sorted(set(rules.get(p, []))))
                   for p, d in result.diffs().items()],
            fixed=[_finding(f, report.graph) for f in result.fixed],
            unfixed=[_finding(f, report.graph) for f in result.unfixed])

    return server


def serve() -> None:
    build().run("stdio")
