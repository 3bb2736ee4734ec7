"""The ``routeguard`` command: scan, routes, rules, explain."""
from __future__ import annotations

import functools
import gc
import json
import os
import sys
import traceback
from dataclasses import replace
from pathlib import Path

import click

from . import __version__
from .api import ScanError, scan_paths
from .config import LEVELS, Config, ConfigError, check_value, find_pyproject, load
from .discover import project_root
from .engine import CACHE_DIR, GC_THRESHOLDS, clear_cache
from .exposure import public_read
from .report import FORMATS
from .report.json import dumps
from .report.text import summary
from .states import AuthState, Effect

EXIT_ERROR = 2


def _fail(message: str) -> None:
    click.echo(f"routeguard: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values) -> tuple[str, ...]:
    return tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())


def _errors(command):
    """Exit 2 with a one-line message for every error of the command itself (configuration,
    paths, output, an internal error); the traceback only with ``--debug``. Exit codes 0
    and 1 stay the scan's verdict."""
    @functools.wraps(command)
    def wrapper(*args, debug=False, **kwargs):
        try:
            return command(*args, **kwargs)
        except click.exceptions.ClickException:
            raise
        except (ConfigError, ScanError) as e:
            _fail(str(e))
        except OSError as e:
            _fail(f"{e.filename + ': ' if e.filename else ''}{e.strerror or e}")
        except Exception as e:  # noqa: BLE001 - an internal error is exit 2, with its message
            if debug:
                traceback.print_exc()
            _fail(f"internal error: {type(e).__name__}: {e}" + ("" if debug else " (--debug shows the traceback)"))
    return click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")(wrapper)


def _check_output(output) -> None:
    """Fail before a long scan when the report could not be written."""
    if output:
        parent = Path(output).parent
        if not parent.is_dir():
            _fail(f"cannot write {output}: directory {parent} does not exist")
        if Path(output).is_dir():
            _fail(f"cannot write {output}: it is a directory")


def _load_config(paths, config_file, select, ignore, fail_on) -> Config:
    start = Path(paths[0]) if paths else Path(".")
    try:
        if config_file:
            cfg = load(Path(config_file))
        else:
            cfg = load(find_pyproject(start if start.is_dir() else start.parent, project_root(start)))
        overrides = {}
        if select:
            overrides["select"] = check_value("select", list(_split(select)), "--select")
        if ignore:
            overrides["ignore"] = cfg.ignore + check_value("ignore", list(_split(ignore)), "--ignore")
        if fail_on:
            overrides["fail_on"] = fail_on
        return replace(cfg, **overrides)
    except ConfigError as e:
        _fail(str(e))


def _run(paths, cfg, jobs=None, cache=True):
    try:
        return scan_paths(paths or ["."], cfg, jobs=jobs, cache=cache)
    except FileNotFoundError as e:
        _fail(str(e))


def _write(text: str, output) -> None:
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {output}: {e.strerror or e}")
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="routeguard")
def main() -> None:
    """Find routes with missing authentication and authorization in Flask, FastAPI and Django APIs."""
    gc.set_threshold(*GC_THRESHOLDS)  # a short-lived process: rendering a report benefits too


config_option = click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
                             help="pyproject.toml to read [tool.routeguard] from (default: nearest one).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the CPU count).")
no_cache_option = click.option("--no-cache", is_flag=True, help=f"Neither read nor write {CACHE_DIR}/.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--select", multiple=True, help="Only these check ids or prefixes (RG1, RG101), comma-separated.")
@click.option("--ignore", multiple=True, help="Skip these check ids or prefixes, comma-separated.")
@click.option("--fail-on", type=click.Choice(LEVELS), help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--show-suppressed", is_flag=True, help="Also report findings suppressed inline.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Report only findings not in this baseline file.")
@click.option("--baseline-include-matched", is_flag=True,
              help="Also list the baselined findings (SARIF baselineState, JSON matched_findings).")
@click.option("--semgrep-rules", multiple=True, type=click.Path(),
              help="Also run these local semgrep rules (files or directories); needs the semgrep extra.")
@click.option("--semgrep-only-unprotected", is_flag=True,
              help="Keep only semgrep results in handlers of routes reachable without authentication.")
@jobs_option
@no_cache_option
@config_option
@_errors
def scan(paths, fmt, output, select, ignore, fail_on, exit_zero, show_suppressed, baseline, baseline_include_matched,
         semgrep_rules, semgrep_only_unprotected, jobs, no_cache, config_file):
    """Scan PATHS (default: .) and report findings.

    Given only files (as pre-commit passes them), the whole project around them is
    read and findings are reported for those files.
    """
    _check_output(output)
    cfg = _load_config(paths, config_file, select, ignore, fail_on)
    accepted = load_baseline(baseline or cfg.baseline)
    custom = semgrep_checked(semgrep_rules, cfg)
    report = _run(paths, cfg, jobs, not no_cache)
    if custom:
        add_semgrep(report, custom, semgrep_only_unprotected, paths)
    if accepted:
        apply_baseline(report, accepted, baseline_include_matched, paths)
    _write(report.render(fmt, show_suppressed), output)
    if fmt != "text" or output:  # the text report has them; otherwise stderr does
        for n in report.notifications:
            click.echo(f"routeguard: {n.where}: {n.message}", err=True)
        if report.baseline is not None and not output:
            click.echo(f"routeguard: {report.baseline.summary()}", err=True)
    if output:
        click.echo(f"routeguard: {summary(report, show_suppressed)[:-1]}; report written to {output}", err=True)
    sys.exit(0 if exit_zero else report.exit_code())


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False))
@click.option("--link-base", help="html: web address of the files (link-base), linked as URL/FILE#LLINE.")
@jobs_option
@no_cache_option
@config_option
@_errors
def routes(paths, fmt, output, link_base, jobs, no_cache, config_file):
    """List every route with its methods, handler, auth state and guards (html: a route map
    with the findings of every check)."""
    _check_output(output)
    cfg = _load_config(paths, config_file, (), (), None)
    if link_base:
        cfg = replace(cfg, link_base=check_value("link-base", link_base, "--link-base"))
    report = _run(paths, cfg, jobs, not no_cache)
    for n in report.notifications:  # a file that could not be read is a gap in the inventory
        click.echo(f"routeguard: {n.where}: {n.message}", err=True)
    if fmt == "json":
        _write(dumps(report.routes_json()) + "\n", output)
        return
    if fmt == "html":
        from .report.html import render_map

        _write(render_map(report, cfg.link_base, Path(output).parent if output else None), output)
        return
    rows = [("METHOD", "PATH", "AUTH", "HANDLER", "GUARDS")]
    for r in report.routes:
        guards = ", ".join(
            f"{g.name} ({g.layer}{', exempts' if g.effect == Effect.PUBLIC and g.kind == 'gate' else ''}"
            f"{', ' + g.location.file + ':' + str(g.location.line) if g.location else ''})" for g in r.guards) or "-"
        h = r.handler_location or r.location
        auth = f"{r.auth} (public read)" if r.auth == AuthState.UNPROTECTED and public_read(report.graph, r) else r.auth
        path = r.path if r.kind == "http" else f"{r.path} ({r.kind.partition('-')[2]} {r.operation})"
        rows.append((r.method, path, auth, f"{r.handler.rpartition('.')[2]} {h.file}:{h.line}", guards))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    text = "\n".join("  ".join(c.ljust(widths[i]) if i < 4 else c for i, c in enumerate(row)).rstrip() for row in rows)
    _write(text + f"\n{len(rows) - 1} routes.\n", output)


@main.command("clear-cache")
@click.argument("path", required=False, type=click.Path(exists=True, file_okay=False))
@_errors
def clear_cache_command(path):
    """Delete the extraction cache of the project at PATH (default: .)."""
    root = project_root(Path(path or "."))
    removed = clear_cache(root)
    click.echo(f"routeguard: {'removed' if removed else 'no'} cache in {root / CACHE_DIR}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def rules(fmt):
    """List every check: id, name, severity, summary."""
    from routeguard.checks.base import all_checks, markdown_table

    checks = all_checks()
    if fmt == "markdown":
        click.echo(markdown_table(checks), nl=False)
        return
    if fmt == "json":
        click.echo(json.dumps([{"id": c.id, "name": c.name, "severity": c.severity.level, "cwe": c.cwe,
                                "owasp": c.owasp, "summary": c.summary} for c in checks], indent=2))
        return
    for c in checks:
        click.echo(f"{c.id}  {c.name:<40} {c.severity.level:<8} {c.summary}")


@main.command()
@click.argument("rule_id")
def explain(rule_id):
    """Show a check's full documentation."""
    from routeguard.checks.base import all_checks

    wanted = rule_id.upper()
    for c in all_checks():
        if wanted in (c.id, c.name.upper()):
            click.echo(f"# {c.id} {c.name}\n")
            click.echo(f"Severity: {c.severity.level}; confidence: {c.confidence}; CWE-{c.cwe}; OWASP {c.owasp}\n")
            click.echo(c.docs())
            return
    _fail(f"unknown check {rule_id!r}; `routeguard rules` lists them")


# The adoption commands (baseline, diff, semgrep) live in review_cli and use the helpers above.
from .review_cli import add_semgrep, apply_baseline, baseline_group, diff, load_baseline, semgrep_checked  # noqa: E402

main.add_command(baseline_group)
main.add_command(diff)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--diff", "mode", flag_value="diff", default=True, help="Print the fixes as a unified diff (default).")
@click.option("--write", "mode", flag_value="write", help="Write the fixes to the files.")
@click.option("--select", multiple=True, help="Only fix these check ids or prefixes, comma-separated.")
@config_option
@_errors
def fix(paths, mode, select, config_file):
    """Fix the findings in PATHS (default: .) that have one clear fix (RG101, RG102, RG106,
    RG302, RG303, RG401), keeping formatting and comments. Exit 1 with --diff when there is
    something to fix."""
    from .fixes import fix_paths

    cfg = _load_config(paths, config_file, (), (), None)
    report, result = fix_paths(paths or ["."], cfg, _split(select))
    for path, diff in result.diffs().items():
        if mode == "write":
            (Path(report.root) / path).write_text(result.sources[path], encoding="utf-8")
        else:
            click.echo(diff, nl=False)
    click.echo(f"routeguard: {len(result.fixed)} finding{'s' if len(result.fixed) != 1 else ''} "
               f"{'fixed' if mode == 'write' else 'fixable'} in {len(result.sources)} file"
               f"{'s' if len(result.sources) != 1 else ''}; {len(result.unfixed)} without a single clear fix", err=True)
    sys.exit(1 if mode == "diff" and result.sources else 0)


@main.command()
def mcp():
    """Serve the Model Context Protocol over stdio (needs the extra: pip install 'routeguard[mcp]')."""
    try:
        from .mcp_server import serve
    except ImportError as e:
        _fail(f"`routeguard mcp` needs the MCP SDK ({e}); install it with: pip install 'routeguard[mcp]'")
    serve()


def entry() -> None:
    """The ``routeguard`` command: run the CLI, flush its output and leave without tearing
    down the heap. A large scan holds millions of objects, and freeing them one by one at
    exit costs half a second for nothing (mypy leaves the same way)."""
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = EXIT_ERROR
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
