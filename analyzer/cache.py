"""The extraction cache: per-file facts stored as plain JSON, never as code.

The scanned tree is attacker-controlled (CI on pull requests, pre-commit in a fresh
clone), and so is anything found in it, ``.routeguard_cache/`` included. Reading the
cache therefore only parses JSON: a fact is written as ``{"ClassName": [field values]}``
and read back only if ``ClassName`` is one of the fact dataclasses of ``facts.py``
(the allow-list is that module's dataclasses, so a new fact class needs no code here)
and the values are plain JSON values, whose arrays become tuples. Nothing is imported,
called or evaluated by name.

The file is one header line (format, version, key, SHA-256 of the rest) then the
payload. A file that is not ours, damaged, or does not match its checksum is ignored
with one line on stderr and rebuilt; one written for another version or configuration
(another key) is rebuilt silently.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

from . import facts as facts_mod
from .facts import ModuleFacts

CACHE_DIR = ".routeguard_cache"
CACHE_FILE = "facts-v2.json"
FORMAT = "routeguard-facts"
VERSION = 14

# The allow-list: every dataclass defined in facts.py (FactSink is mutable, never stored).
FACT_CLASSES: dict[str, type] = {
    name: cls for name, cls in vars(facts_mod).items()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == facts_mod.__name__
    and cls.__dataclass_params__.frozen
}
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in FACT_CLASSES.values()}
_CLASSES = {name: (cls, _FIELDS[cls], len(_FIELDS[cls])) for name, cls in FACT_CLASSES.items()}


class CacheError(ValueError):
    """The cache file is not a valid routeguard cache."""


def encode(value):
    """A fact (or a tuple of them, or a plain value) as JSON-ready values."""
    kind = type(value)
    if kind in _FIELDS:
        return {kind.__name__: [encode(getattr(value, name)) for name in _FIELDS[kind]]}
    if kind is tuple or kind is list:
        return [encode(v) for v in value]
    if value is None or kind in (str, int, bool, float):
        return value
    if isinstance(value, str):  # an enum of analyzer/states.py (read back as its plain string)
        return str(value)
    raise TypeError(f"cannot store a {kind.__name__} in the cache")


def _tuples(value):
    """JSON arrays as tuples, at any depth (facts hold tuples only)."""
    if type(value) is list:
        return tuple(_tuples(v) if type(v) is list else v for v in value)
    return value


def _fact(obj: dict, _new=object.__new__, _set=object.__setattr__, _list=list, _tuples=_tuples):
    """json's object hook: ``{"Location": [...]}`` -> Location(...); anything else is an error."""
    if len(obj) != 1:
        raise CacheError("an object that is not a fact")
    (name, values), = obj.items()
    known = _CLASSES.get(name)
    if known is None or type(values) is not _list or len(values) != known[2]:
        raise CacheError(f"unknown fact {name[:40]!r}")
    cls, names, _ = known
    fact = _new(cls)  # frozen dataclass: its attributes are set directly, as pickle does
    _set(fact, "__dict__", dict(zip(names, [_tuples(v) if type(v) is _list else v for v in values])))
    return fact


def decode(payload: bytes) -> dict[str, tuple[str, ModuleFacts]]:
    """The entries of a payload written by ``dump``; raises CacheError (or ValueError) if it is not one."""
    entries = json.loads(payload, object_hook=_fact)
    if type(entries) is not list:
        raise CacheError("entries are not a list")
    out = {}
    for entry in entries:
        if (type(entry) is not list or len(entry) != 3 or type(entry[0]) is not str or type(entry[1]) is not str
                or type(entry[2]) is not ModuleFacts):
            raise CacheError("malformed entry")
        out[entry[0]] = (entry[1], entry[2])
    return out


def decode_fact(data: bytes):
    """One fact written with ``json.dumps(encode(fact))``."""
    return json.loads(data, object_hook=_fact)


def dump(key: str, entries: dict[str, tuple[str, ModuleFacts]]) -> bytes:
    payload = json.dumps([[path, digest, encode(facts)] for path, (digest, facts) in entries.items()],
                         separators=(",", ":")).encode("ascii")
    header = {"format": FORMAT, "version": VERSION, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(header).encode("ascii") + b"\n" + payload


def load(data: bytes, key: str) -> dict[str, tuple[str, ModuleFacts]] | None:
    """The entries stored in ``data``; None when they were written for another key.
    Raises CacheError when ``data`` is not an intact routeguard cache."""
    head, newline, payload = data.partition(b"\n")
    try:
        header = json.loads(head) if newline and head.startswith(b"{") else None
    except ValueError:
        header = None
    if type(header) is not dict or header.get("format") != FORMAT:
        raise CacheError("not a routeguard cache file")
    if header.get("version") != VERSION or header.get("key") != key:
        return None
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        raise CacheError("checksum mismatch")
    try:
        return decode(payload)
    except RecursionError:
        raise CacheError("nested too deeply") from None


class Cache:
    """Per-file facts keyed on path, content hash, module name, tool version and knowledge."""

    def __init__(self, root: Path, key: str):
        self.path = root / CACHE_DIR / CACHE_FILE
        self.key = key
        self.entries: dict[str, tuple[str, ModuleFacts]] = {}
        try:
            data = _read_regular(self.path)
        except OSError:
            return
        if data is None:
            sys.stderr.write(f"routeguard: ignoring the cache {self.path} (not a regular file); rebuilding it\n")
            return
        try:
            self.entries = load(data, key) or {}
        except (ValueError, TypeError) as e:  # CacheError, json's errors, a bad fact's fields
            sys.stderr.write(f"routeguard: ignoring the cache {self.path} ({e}); rebuilding it\n")

    @staticmethod
    def digest(text: str, module: str, is_pkg: bool) -> str:
        return hashlib.sha256(f"{module}\0{is_pkg}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()

    def get(self, path: str, digest: str) -> ModuleFacts | None:
        entry = self.entries.get(path)
        return entry[1] if entry and entry[0] == digest else None

    def save(self, entries: dict[str, tuple[str, ModuleFacts]]) -> None:
        if entries == self.entries:
            return
        try:
            data = dump(self.key, entries)
        except (TypeError, ValueError) as e:  # a value JSON cannot hold: scan on, without a cache
            sys.stderr.write(f"routeguard: cannot write the cache ({e})\n")
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            if not stat.S_ISDIR(os.lstat(self.path.parent).st_mode):
                return  # a symlink (committed to the tree) could point anywhere: never write through it
            ignore = self.path.parent / ".gitignore"
            if not os.path.lexists(ignore):
                ignore.write_text("# created by routeguard\n*\n")
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a read-only checkout still scans, just without a cache


def _read_regular(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file in a real directory (not reached through a
    symlink, which could lead to a device or a FIFO), else None. Raises OSError if it is absent."""
    if not stat.S_ISDIR(os.lstat(path.parent).st_mode) or not stat.S_ISREG(os.lstat(path).st_mode):
        return None
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


def clear_cache(root: Path) -> bool:
    removed = False
    for name in (CACHE_FILE, "facts-v1.pickle"):  # v1: the pickle that older versions wrote (never read now)
        path = root / CACHE_DIR / name
        if path.exists():
            path.unlink()
            removed = True
    return removed
