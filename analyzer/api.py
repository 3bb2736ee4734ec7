"""The library API that the CLI, pre-commit and code-generation pipelines call.

    from routeguard import scan_sources, scan_paths
    report = scan_sources({"app/main.py": generated_code})
    report.findings, report.routes, report.render("sarif")
"""
from __future__ import annotations

import importlib
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping

from . import config as config_mod
from .config import DEFAULT_EXCLUDE_GLOBS, Config
from .discover import common_root, exclusion, list_python_files, peek, read_source, relpath
from .documents import is_document, looks_like_input
from .engine import extract_many, fewer_collections
from .findings import Notification, Related
from .frameworks import ADAPTERS
from .frameworks.base import Knowledge
from .facts import Location, ModuleFacts
from .graph import AppGraph
from .names import module_names
from .report import Report
from .source import SourceError, decode
from .suppress import apply
from .states import Effect


def all_checks():
    """The checks are a plugin package of the core: loaded by name when a scan runs, so that
    the core never imports them at module level (the checks import the core)."""
    return importlib.import_module("routeguard.checks.base").all_checks()


def _config(config) -> Config:
    if config is None:
        return Config()
    if isinstance(config, Config):
        return config
    return config_mod.from_mapping(dict(config))


def scan_sources(sources: Mapping[str, str], config: Config | Mapping | None = None, *,
                 jobs: int | None = 1) -> Report:
    """Analyze in-memory files, keyed by project-relative path (``"app/main.py"``).

    Nothing touches the disk (no cache); every source given is analyzed, tests included.
    """
    files = []
    for p, text in sorted(sources.items()):
        path = str(p).replace("\\", "/").removeprefix("./")
        if is_document(path):  # an OpenAPI document or an nginx configuration (any other is left out)
            data = bytes(text) if isinstance(text, (bytes, bytearray)) else str(text).encode("utf-8", "replace")
            if looks_like_input(path, data):
                files.append((path, *_decoded_document(data)))
        elif isinstance(text, (bytes, bytearray)):  # as read from disk: decoded as Python would
            files.append((path, *_decoded(bytes(text))))
        elif isinstance(text, str):
            files.append((path, text, None))
        else:
            raise TypeError(f"scan_sources: the source of {path!r} must be str (or bytes), not {type(text).__name__}")
    return _scan(files, _config(config), root="", jobs=jobs)


def _decoded(data: bytes):
    """(text, None), or (None, SourceError) for bytes that are not Python source."""
    try:
        return decode(data), None
    except SourceError as e:
        return None, e


def _decoded_document(data: bytes):
    """(text, None), or (None, SourceError) for a document that is not UTF-8."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as e:
        return None, SourceError(f"not valid UTF-8 (byte 0x{data[e.start]:02x}: {e.reason})",
                                 data.count(b"\n", 0, e.start) + 1, 1)


def scan_paths(paths: Iterable[str | Path], config: Config | Mapping | None = None, *,
               root: str | Path | None = None, scope_files: bool | None = None, jobs: int | None = None,
               cache: bool | Path = True, progress: bool | None = None) -> Report:
    """Analyze files and directories on disk.

    Directories are analyzed whole. When only files are given (as pre-commit passes
    them) they are the reporting scope, but the whole project around them is read,
    so that a route is judged with guards defined in other modules.
    """
    paths = [Path(p) for p in paths] or [Path(".")]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file or directory")
    root_path = Path(root).resolve() if root else common_root(paths)
    for p in paths:
        if root_path != p.resolve() and root_path not in p.resolve().parents:
            raise ScanError(f"{p}: outside the project root {root_path}")
    cfg = config if config is not None else config_mod.load(
        config_mod.find_pyproject(paths[0] if paths[0].is_dir() else paths[0].parent, root_path))
    cfg = _config(cfg)
    only_files = not any(p.is_dir() for p in paths) if scope_files is None else scope_files
    targets = [root_path] if only_files else paths
    unlistable: list[tuple[str, str]] = []
    candidates: list[str] = []
    rels = list_python_files(targets, root_path, cfg.excludes, unlistable, candidates, cfg.exclude)
    # OpenAPI documents and nginx configurations, told from the project's other YAML, JSON and .conf files by their first bytes
    specs = [rel for rel in candidates if looks_like_input(rel, peek(root_path / rel))]
    scope = {relpath(p, root_path) for p in paths} if only_files else None
    skipped = []  # files named on the command line that are not scanned, and why
    if scope is not None:
        listed = set(rels) | set(specs)
        for rel in sorted(scope - listed):
            by = exclusion(rel, cfg.excludes, root_path, cfg.exclude)
            why = f"excluded by {by!r}" if by else "not an OpenAPI document" if rel in candidates \
                else "not a .py file" if not rel.endswith(".py") else "not listed"
            if by in DEFAULT_EXCLUDE_GLOBS and cfg.default_excludes:
                why += " (default-excludes)"
            skipped.append(Notification(rel, f"not scanned: {why}", "note"))
        scope &= listed  # a staged YAML file that is not a document changes nothing here
    elif not rels and not unlistable:
        raise ScanError(f"nothing to scan: no Python files in {', '.join(str(p) for p in paths)}"
                        f"{' (after excludes)' if cfg.excludes else ''}")
    files = [(rel, None, SourceError(why)) for rel, why in unlistable]
    for rel in rels:
        data, error = read_source(root_path / rel, cfg.max_file_size)
        files.append((rel, *(_decoded(data) if data is not None else (None, SourceError(error)))))
    for rel in specs:
        data, error = read_source(root_path / rel, cfg.max_file_size)
        files.append((rel, *(_decoded_document(data) if data is not None else (None, SourceError(error)))))
    # cache: True reads and writes the project's cache; a directory (the project a checked-out
    # revision comes from) is read, never written; False neither
    cache_root = root_path if cache is True else Path(cache) if cache else None
    before = _committed_findings(root_path, scope, files, cfg, jobs, cache_root) if scope else None
    report = _scan(files, cfg, root=str(root_path), scope=scope, jobs=jobs, cache_root=cache_root,
                   progress=progress, whole=targets == [root_path], before=before, save=cache is True)
    report.notifications = sorted(report.notifications + skipped, key=lambda n: (n.file, n.message))
    return report


def _committed_findings(root: Path, scope: set[str], files, cfg, jobs, cache_root) -> set | None:
    """The findings of the project as committed (HEAD) in the files given, the rest as it is now:
    what pre-commit compares with, to report what a staged change breaks elsewhere. None
    outside a git work tree with a HEAD, or when the files given are as committed."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=30)

    try:
        if not (root / ".git").exists() or git("rev-parse", "--verify", "-q", "HEAD").returncode != 0:
            return None
    except (OSError, subprocess.SubprocessError):  # no git
        return None
    committed = {}
    for rel in scope:
        try:
            proc = git("cat-file", "blob", f"HEAD:{rel}")  # the blob as stored: no filters run
        except (OSError, subprocess.SubprocessError):
            return None
        decoded = _decoded if rel.endswith(".py") else _decoded_document
        committed[rel] = decoded(proc.stdout) if proc.returncode == 0 else None  # None: new file
    now = {rel: (text, error) for rel, text, error in files}
    if all(committed[rel] is not None and committed[rel][0] == now.get(rel, (None,))[0] for rel in scope):
        return None
    old = [(rel, text, error) for rel, text, error in files if rel not in scope]
    old += [(rel, *committed[rel]) for rel in sorted(scope) if committed[rel] is not None]
    report = _scan(old, cfg, root=str(root), jobs=jobs, cache_root=cache_root, progress=False, save=False)
    return {_key(f) for f in report.findings if f.location.file not in scope}


def _key(f):
    return (f.rule_id, f.location.file, f.location.line, f.location.col, f.message)


class ScanError(ValueError):
    """Paths that cannot be scanned as given (outside the project root, nothing to scan)."""


def _scan(files, cfg: Config, root: str, scope: set[str] | None = None, jobs: int | None = None,
          cache_root: Path | None = None, progress: bool | None = None, whole: bool = True,
          save: bool = True, before: set | None = None) -> Report:
    with fewer_collections():
        return _analyze(files, cfg, root, scope, jobs, cache_root, progress, whole, save, before)


def _analyze(files, cfg, root, scope, jobs, cache_root, progress, whole, save=True, before=None) -> Report:
    knowledge = Knowledge(ADAPTERS, dict.fromkeys(cfg.auth_decorators, Effect.AUTH))
    named = module_names(p for p, _, _ in files if not is_document(p))
    named.update((p, ("", False)) for p, _, _ in files if is_document(p))
    readable = [(path, text, *named[path]) for path, text, error in files if not error]
    modules = extract_many(readable, knowledge, jobs=jobs, cache_root=cache_root, progress=progress, whole=whole,
                           save=save)
    modules += [ModuleFacts(path, named[path][0], error=e.message, error_line=e.line,
                            error_col=e.col) for path, _, e in files if e]
    notifications = [Notification(m.path, m.error, "error", m.error_line, m.error_col) for m in modules if m.error]
    texts = {path: text for path, text, _, _ in readable}
    graph = AppGraph(modules, knowledge, cfg)
    for receiver, (made, unplaced) in sorted(graph.unplaced.items()):
        first, cls, many = min(r.location for r in unplaced), made.rpartition(".")[2], len(unplaced) > 1
        notifications.append(Notification(
            first.file, f"{len(unplaced)} route registration{'s' if many else ''} on {receiver.rpartition('.')[2]}, "
            f"an instance of {cls}, {'are' if many else 'is'} not in the route inventory: {cls} is not a router "
            f"class routeguard knows, so no check ran on them", "warning", first.line, first.col))
    for where, path in sorted(graph.unread_schemas.items()):
        path = next((r.path for r in graph.routes if where in (r.registration, r.location)), path)  # mounted
        notifications.append(Notification(
            where.file, f"the GraphQL endpoint {path} serves a schema whose queries and mutations routeguard could not "
            f"read (built at run time, or by code it does not follow): it is listed as one route, and no resolver's "
            f"check was judged", "warning", where.line, where.col))
    notifications += _settings_missing(graph)
    rules = [c for c in all_checks() if cfg.enabled(c.id)]
    if not rules:
        raise config_mod.ConfigError(f"select {', '.join(cfg.select)} with ignore {', '.join(cfg.ignore)} "
                                     f"leaves no check to run")
    findings = [f for check in rules for f in check().run(graph)]
    suppressions = {m.path: {s.line: s.ids for s in m.suppressions} for m in modules if m.suppressions}
    findings = apply(findings, suppressions)
    routes = graph.routes
    if scope is not None:
        # Outside the files given, the findings that they introduce (``before``: the findings
        # with those files as committed): a guard, gate or setting removed from a staged file
        # opens routes in other files. They point back at the change.
        changed = tuple(Related(Location(path, 1), f"changed in {path}") for path in sorted(scope)[:3])
        findings = [f if f.location.file in scope else replace(f, related=f.related + changed) for f in findings
                    if f.location.file in scope or (before is not None and _key(f) not in before)]
        routes = [r for r in routes if r.location.file in scope or
                  (r.handler_location and r.handler_location.file in scope)]
        notifications = [n for n in notifications if n.file in scope]
    findings.sort(key=lambda f: f.sort_key())
    used = {f.location.file for f in findings}
    return Report(root, findings, routes, sorted(notifications, key=lambda n: (n.file, n.message)), rules,
                  len(files), cfg, {p: t for p, t in texts.items() if p in used}, graph)


def _settings_missing(graph) -> list[Notification]:
    """A warning when the routes are a framework's whose settings module the scanned tree lacks
    (a Django project scanned from its apps' folder, its ``settings/`` beside it): the middleware
    and default permissions set there are unknown, and the routes are judged without them."""
    out = []
    keys = {s.key for s in graph.settings}
    for framework, key in sorted(graph.k.settings_keys.items()):
        served = [r.registration or r.location for r in graph.routes if r.framework == framework]
        if served and key not in keys:
            first = min(served)
            out.append(Notification(
                first.file, f"no {framework} settings were found in the scanned tree (no module sets {key} in a "
                f"form routeguard reads): the middleware and default permissions they set are unknown, so the "
                f"routes are judged without them; if the settings module is outside the scanned folder, scan "
                f"the project's root", "warning", first.line, first.col))
    return out
