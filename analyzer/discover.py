"""Project root, file listing and excludes."""
from __future__ import annotations

import fnmatch
import os
import stat
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


_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def read_source(path: Path, max_size: int) -> tuple[bytes | None, str | None]:
    """(the file's bytes, None), or (None, why it was not read).

    Only regular files are read (a symlink is followed to what it names): a FIFO, a device
    or a socket is never opened, since reading one can block forever or never end; a file
    larger than ``max_size`` bytes is not read either. The file is opened non-blocking and
    checked again once open, in case it was swapped between the check and the open."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, _not_regular(info)
        if info.st_size > max_size:
            return None, _too_large(info.st_size, max_size)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, _not_regular(info)
            data = f.read(max_size + 1)
    except OSError as e:
        return None, f"cannot read file: {e.strerror or e}"
    if len(data) > max_size:
        return None, _too_large(len(data), max_size)
    return data, None


def _not_regular(info) -> str:
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
    return f"not read: {kind}, not a regular file"


def _too_large(size: int, max_size: int) -> str:
    return f"not read: {size:,} bytes, larger than max-file-size ({max_size:,} bytes)"
