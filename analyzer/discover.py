"""Project root, file listing and excludes."""
from __future__ import annotations

import fnmatch
import functools
import os
import stat
from pathlib import Path

from .config import DEFAULT_EXCLUDE, DEFAULT_EXCLUDE_GLOBS
from .documents import PEEK_BYTES, is_document


def project_root(start: Path) -> Path:
    """The git work tree's root above ``start``; outside one, the directory that holds the
    outermost package around ``start`` (scanning ``skyvern/`` of an unpacked sdist names its
    modules ``skyvern.*``, as its own absolute imports do), else ``start`` (or its directory)."""
    start = start.resolve()
    base = start if start.is_dir() else start.parent
    for d in [base, *base.parents]:
        if (d / ".git").exists():
            return d
    while (base / "__init__.py").is_file() and base.parent != base:
        base = base.parent
    return base


def common_root(paths: list[Path]) -> Path:
    """The project root of all ``paths``: their git work tree's root when they share one,
    else the project root of the directory that holds them all (outside a git repository,
    ``a/good.py b/bad.py`` is read from their common parent, so both are read)."""
    roots = {project_root(p) for p in paths}
    if len(roots) == 1:
        return roots.pop()
    return project_root(Path(os.path.commonpath([str(r) for r in roots])))


# Folder names of build output and environments that a project may also give one of its packages
_OUTPUT_DIRS = frozenset({"build", "dist", "env"})
# Folder names the default excludes skip as tests, and the modules of tests and their doubles
# (unittest's and Django's runners collect ``test*.py``).
_TEST_DIRS = frozenset({"test", "tests", "testing"}) & frozenset(DEFAULT_EXCLUDE_GLOBS)
_TEST_MODULES = ("test*.py", "*_test.py", "*_tests.py", "conftest.py", "mock*.py", "fake*.py",
                 "factories.py", "fixtures.py", "asserts.py")


@functools.lru_cache(maxsize=256)
def holds_application(directory: Path) -> bool:
    """A folder named like a test folder that is an application package: a package inside
    another package with no test module or test double anywhere beneath it (DefectDojo's
    ``dojo/test/``: the views, urls and API of its ``Test`` model). A top-level ``tests/``, or
    one with a test, a mock or a factory module in it, is tests."""
    if not (directory / "__init__.py").is_file() or not (directory.parent / "__init__.py").is_file():
        return False
    for _dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = [d for d in dirnames if d not in DEFAULT_EXCLUDE]
        if any(fnmatch.fnmatchcase(name, pat) for name in filenames for pat in _TEST_MODULES):
            return False
    return True


def excluded(rel: str, patterns: tuple[str, ...], root: Path | None = None, chosen: tuple[str, ...] = ()) -> bool:
    return bool(exclusion(rel, patterns, root, chosen))


def list_python_files(targets: list[Path], root: Path, patterns: tuple[str, ...],
                      unlistable: list | None = None, documents: list | None = None,
                      chosen: tuple[str, ...] = ()) -> list[str]:
    """Project-relative posix paths of the Python files under ``targets``, sorted.

    A directory that cannot be listed is appended to ``unlistable`` as (path, reason); the
    YAML and JSON files found, which may be OpenAPI documents, to ``documents`` (sorted).
    ``chosen`` are the excludes the user set (see ``exclusion``)."""
    holds_application.cache_clear()  # the tree may have changed since the last listing
    found: set[str] = set()

    def failed(error: OSError) -> None:
        if unlistable is not None:
            unlistable.append((relpath(Path(error.filename), root), f"cannot list directory: {error.strerror or error}"))

    for target in targets:
        target = target.resolve()
        if not target.is_dir():
            found.add(relpath(target, root))
            continue
        for dirpath, dirnames, filenames in os.walk(target, onerror=failed):
            rel_dir = relpath(Path(dirpath), root)
            dirnames[:] = sorted(d for d in dirnames
                                 if not excluded(f"{rel_dir}/{d}/x" if rel_dir != "." else f"{d}/x", patterns, root, chosen))
            for name in filenames:
                if name.endswith(".py") or (documents is not None and is_document(name)):
                    rel = f"{rel_dir}/{name}" if rel_dir != "." else name
                    if not excluded(rel, patterns, root, chosen):
                        found.add(rel)
    if documents is not None:
        documents.extend(sorted(p for p in found if not p.endswith(".py")))
        found.difference_update(documents)
    return sorted(found)


def peek(path: Path, size: int = PEEK_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file (b'' for anything else, or an error): enough
    to tell an OpenAPI document from the other YAML and JSON of a project without reading it."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return b""
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as f:
            return f.read(size) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        return b""


def exclusion(rel: str, patterns: tuple[str, ...], root: Path | None = None, chosen: tuple[str, ...] = ()) -> str:
    """What excludes ``rel`` ('' if nothing does): a directory never scanned (``venv/``; not a
    folder named ``build`` inside a package), or the first of ``patterns`` that matches. Given
    the project ``root``, a default test-folder name that the user did not choose (``chosen``)
    does not exclude an application package of that name (``holds_application``)."""
    parts = rel.split("/")

    def package(i: int) -> bool:  # parts[i] is a folder of a package (onyx's server/features/build/)
        return root is not None and (root / "/".join(parts[:i]) / "__init__.py").is_file()

    hit = next((p for i, p in enumerate(parts[:-1])
                if p in DEFAULT_EXCLUDE and not (p in _OUTPUT_DIRS and i and package(i))), None)
    if hit:
        return f"{hit}/"

    def application(i: int, pat: str) -> bool:
        return (root is not None and pat in _TEST_DIRS and pat not in chosen and i < len(parts) - 1
                and holds_application(root / "/".join(parts[:i + 1])))

    for pat in patterns:
        pat = pat.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or rel.startswith(pat + "/") \
                or any(fnmatch.fnmatchcase(p, pat) and not application(i, pat) for i, p in enumerate(parts)):
            return pat
    return ""


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
