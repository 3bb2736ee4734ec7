"""Project root, file listing and excludes."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from .config import DEFAULT_EXCLUDE


def project_root(start: Path) -> Path:
    """The git work tree's root above ``start``, else ``start`` (or its directory)."""
    start = start.resolve()
    base = start if start.is_dir() else start.parent
    for d in [base, *base.parents]:
        if (d / ".git").exists():
            return d
    return base


def excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    parts = rel.split("/")
    if any(p in DEFAULT_EXCLUDE for p in parts[:-1]):
        return True
    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or rel.startswith(pat + "/") or any(fnmatch.fnmatchcase(p, pat) for p in parts):
            return True
    return False


def list_python_files(targets: list[Path], root: Path, patterns: tuple[str, ...]) -> list[str]:
    """Project-relative posix paths of the Python files under ``targets``, sorted."""
    found: set[str] = set()
    for target in targets:
        target = target.resolve()
        if target.is_file():
            found.add(relpath(target, root))
            continue
        for dirpath, dirnames, filenames in os.walk(target):
            rel_dir = relpath(Path(dirpath), root)
            dirnames[:] = sorted(d for d in dirnames
                                 if not excluded(f"{rel_dir}/{d}/x" if rel_dir != "." else f"{d}/x", patterns))
            for name in filenames:
                if name.endswith(".py"):
                    rel = f"{rel_dir}/{name}" if rel_dir != "." else name
                    if not excluded(rel, patterns):
                        found.add(rel)
    return sorted(found)


def relpath(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path.resolve(), root)).as_posix()
