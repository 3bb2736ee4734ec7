"""The adoption commands: ``baseline create``, ``scan --baseline`` and ``diff``."""
from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import click

from . import baseline as baseline_mod
from . import posture as posture_mod
from . import semgrep_rules as semgrep_mod
from .api import ScanError, scan_paths
from .cli import _check_output, _errors, _fail, _load_config, _run, _write, config_option, jobs_option, no_cache_option
from .config import LEVELS, load
from .discover import project_root, relpath
from .report import Report
from .report.json import dumps

# What a revision's tree needs for a scan: the Python files and the configuration.
TREE_FILES = (".py",)
CONFIG_FILES = ("pyproject.toml",)


def load_baseline(path: str | None):
    """(path, entries) of a baseline file, read before the scan so a bad one fails fast."""
    return (path, baseline_mod.load(path)) if path else None


def _scope(report, paths) -> set[str] | None:
    """The files a scan of files only (pre-commit's) reports on; None for directories."""
    given = [Path(p) for p in paths] or [Path(".")]
    if any(p.is_dir() for p in given):
        return None
    return {relpath(p, Path(report.root)) for p in given}


def apply_baseline(report, loaded, include_matched: bool, paths) -> None:
    path, entries = loaded
    baseline_mod.apply(report, entries, path, include_matched, _scope(report, paths))  # entries elsewhere: not gone


def semgrep_checked(given, cfg) -> list[str] | None:
    """The rules to run semgrep with, checked before the scan (local paths, semgrep installed)."""
    rules = list(given) or list(cfg.semgrep_rules)
    if not rules:
        return None
    checked = semgrep_mod.check_rules(rules)
    semgrep_mod.semgrep_command()
    return checked


def add_semgrep(report, rules, only_unprotected: bool, paths) -> None:
    doc = semgrep_mod.run(rules, report.root)
    for message in semgrep_mod.errors(doc):
        click.echo(f"routeguard: semgrep: {message}", err=True)
    semgrep_mod.merge(report, doc, only_unprotected or report.config.semgrep_only_unprotected, _scope(report, paths))


@click.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that scans report only new ones."""


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help=f"The baseline file to write (default: [tool.routeguard] baseline, else {baseline_mod.DEFAULT_FILE}).")
@jobs_option
@no_cache_option
@config_option
@_errors
def create(paths, output, jobs, no_cache, config_file):
    """Scan PATHS (default: .) and write every finding's fingerprint to the baseline file."""
    cfg = _load_config(paths, config_file, (), (), None)
    output = output or cfg.baseline or baseline_mod.DEFAULT_FILE
    _check_output(output)
    report = _run(paths, cfg, jobs, not no_cache)
    _write(baseline_mod.dumps(report), output)
    count = sum(1 for f in report.findings if not f.suppressed)
    click.echo(f"routeguard: {count} finding{'s' if count != 1 else ''} recorded in {output}", err=True)


def _git(root: Path, *args, **kwargs):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=120, **kwargs)


def _commit(root: Path, rev: str) -> str | None:
    try:
        proc = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.decode().strip() if proc.returncode == 0 else None


def _extract(root: Path, commit: str, dest: Path) -> None:
    """The Python files and configuration of ``commit`` into ``dest``, from ``git archive``:
    the work tree and the index are never touched, and only regular files with safe
    relative names are written."""
    proc = subprocess.Popen(["git", "-C", str(root), "archive", "--format=tar", commit],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                name = PurePosixPath(member.name)
                if not member.isfile() or name.is_absolute() or ".." in name.parts:
                    continue
                if not (name.suffix in TREE_FILES or name.name in CONFIG_FILES):
                    continue
                data = tar.extractfile(member).read()
                target = dest.joinpath(*name.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
    except tarfile.TarError as e:
        raise ScanError(f"cannot read revision {commit[:12]}: {e}") from None
    finally:
        err = proc.stderr.read() if proc.stderr else b""
        if proc.wait() != 0:
            raise ScanError(f"git archive {commit[:12]} failed: {err.decode(errors='replace').strip()}")


def _scan_tree(path: Path, root: Path, config_file, jobs, cache):
    cfg = load(Path(config_file)) if config_file else None
    try:
        return scan_paths([path], cfg, root=root, jobs=jobs, cache=cache)
    except FileNotFoundError as e:
        _fail(str(e))
    except ScanError:
        if any(path.rglob("*.py")):
            raise
        # a revision from before there was any Python code (all excluded is an error still)
        return Report(str(root), [], [], [], [], 0, cfg)


FORMATS = {"text": posture_mod.as_text, "json": lambda p: dumps(posture_mod.as_json(p)) + "\n",
           "markdown": posture_mod.as_markdown, "sarif": posture_mod.as_sarif}


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "sarif"]), default="text",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("-C", "--repo", "repo", type=click.Path(exists=True, file_okay=False), default=".",
              help="The git work tree the revisions are in (default: .).")
@click.option("--fail-on", type=click.Choice(LEVELS), default="warning", show_default=True,
              help="Lowest severity of an introduced finding that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when the change weakens a route or adds findings.")
@jobs_option
@no_cache_option
@config_option
@_errors
def diff(base, head, fmt, output, repo, fail_on, exit_zero, jobs, no_cache, config_file):
    """Compare the API posture of BASE and HEAD: routes added and removed, auth changes,
    findings introduced and fixed.

    BASE and HEAD are git revisions (HEAD defaults to the work tree), or two directories.
    Revisions are read with `git archive` into a temporary directory; the work tree is not
    touched. Exit 1 when a route loses protection or an introduced finding reaches
    --fail-on.
    """
    _check_output(output)
    if head is not None and Path(base).is_dir() and Path(head).is_dir():
        cache = not no_cache
        before = _scan_tree(Path(base), project_root(Path(base)), config_file, jobs, cache)
        after = _scan_tree(Path(head), project_root(Path(head)), config_file, jobs, cache)
    else:
        root = project_root(Path(repo))
        if not (root / ".git").exists():
            _fail(f"{base!r}: not a directory, and {Path(repo).resolve()} is not in a git work tree "
                  f"(give two directories, or git revisions)")
        commits = {}
        for rev in [base] + ([head] if head is not None else []):
            commits[rev] = _commit(root, rev)
            if commits[rev] is None:
                _fail(f"{rev!r} is not a git revision in {root} (nor are both arguments directories)")
        cache = False if no_cache else root  # the work tree's cache serves unchanged files; never written
        with tempfile.TemporaryDirectory(prefix="routeguard-diff-") as tmp:
            base_dir = Path(tmp, "base")
            base_dir.mkdir()
            _extract(root, commits[base], base_dir)
            before = _scan_tree(base_dir, base_dir, config_file, jobs, cache)
            if head is None:
                after = _scan_tree(root, root, config_file, jobs, not no_cache)
            else:
                head_dir = Path(tmp, "head")
                head_dir.mkdir()
                _extract(root, commits[head], head_dir)
                after = _scan_tree(head_dir, head_dir, config_file, jobs, cache)
    posture = posture_mod.compare(before, after, base, head if head is not None else "work tree")
    _write(FORMATS[fmt](posture), output)
    if fmt != "text" or output:
        click.echo(f"routeguard: {posture_mod.counts(posture)}", err=True)
    sys.exit(0 if exit_zero else posture.exit_code(fail_on))
