#!/usr/bin/env python3
"""Recall on published advisories: scan each vulnerable release beside its fixed one.

    python bench/advisories.py                       # every advisory in bench/advisories.toml
    python bench/advisories.py --only CVE-2021-40347 --cache /tmp/rg-adv --json out.json

For every advisory listed in advisories.toml it fetches the sdist of the vulnerable and of
the fixed release with ``pip download --no-deps --no-binary :all:`` into a cache folder
OUTSIDE the repository (default ~/.cache/routeguard-advisories, or $ROUTEGUARD_ADV_CACHE),
extracts it safely (regular files and folders only: no links, devices, absolute paths or
``..``), scans the advisory's source root with routeguard (never importing or running the
code) and reports, per advisory:

- detected: the vulnerable release has a finding of one of the expected rules inside the
  named handler (its decorators included) in the named file;
- silent: the fixed release has no finding of those rules in the same handler.

The handler's line range is read from the file with ``ast`` (parsed, not imported), so it
follows the handler when the fix moves it. Exit status is 0 whatever the results: this is
a measurement, not a gate.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
LIST = HERE / "advisories.toml"
DEFAULT_CACHE = Path(os.environ.get("ROUTEGUARD_ADV_CACHE", Path.home() / ".cache" / "routeguard-advisories"))


@dataclass
class Advisory:
    id: str
    package: str
    vulnerable: str
    fixed: str
    root: str          # folder inside the sdist to scan (the import root of the package)
    file: str          # path of the vulnerable file, relative to root
    handler: str       # qualified name inside file: "func" or "Class.method" or "Class"
    flaw: str
    rules: list[str]
    summary: str = ""
    why: str = ""      # when routeguard misses it: the reason, read from the code
    aliases: list[str] = field(default_factory=list)


def load(path: Path) -> list[Advisory]:
    data = tomllib.loads(path.read_text())
    return [Advisory(**a) for a in data["advisory"]]


# -- fetching -----------------------------------------------------------------------------


def _safe_members_tar(tf: tarfile.TarFile, dest: Path):
    for m in tf.getmembers():
        p = PurePosixPath(m.name)
        if p.is_absolute() or ".." in p.parts or not (m.isfile() or m.isdir()):
            continue
        if not (dest / p).resolve().is_relative_to(dest.resolve()):
            continue
        m.mode = 0o755 if m.isdir() else 0o644
        yield m


def extract(archive: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar")):
        with tarfile.open(archive) as tf:
            for m in _safe_members_tar(tf, dest):
                if m.isdir():
                    (dest / m.name).mkdir(parents=True, exist_ok=True)
                    continue
                src = tf.extractfile(m)
                if src is None:
                    continue
                out = dest / m.name
                out.parent.mkdir(parents=True, exist_ok=True)
                with src, open(out, "wb") as fh:
                    shutil.copyfileobj(src, fh)
    elif archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                p = PurePosixPath(info.filename)
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if p.is_absolute() or ".." in p.parts or is_link:
                    continue
                out = dest / p
                if not out.resolve().is_relative_to(dest.resolve()):
                    continue
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                out.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(out, "wb") as fh:
                    shutil.copyfileobj(src, fh)
    else:
        raise ValueError(f"not an sdist archive: {archive}")


def fetch(package: str, version: str, cache: Path) -> Path:
    """The extracted sdist's top folder, downloading it once into the cache."""
    base = cache / f"{package}-{version}"
    done = base / ".extracted"
    if done.exists():
        return Path(done.read_text())
    dl = base / "sdist"
    dl.mkdir(parents=True, exist_ok=True)
    if not any(dl.iterdir()):
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             f"{package}=={version}", "-d", str(dl)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    archive = next(p for p in dl.iterdir() if p.is_file())
    tree = base / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    extract(archive, tree)
    tops = [p for p in tree.iterdir() if p.is_dir()]
    top = tops[0] if len(tops) == 1 else tree
    done.write_text(str(top))
    return top


# -- scanning -----------------------------------------------------------------------------


def scan(root: Path, out: Path) -> list[dict]:
    if not out.exists():
        subprocess.run(
            [sys.executable, "-m", "routeguard", "scan", str(root), "--format", "json",
             "--exit-zero", "--no-cache", "-o", str(out)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
    return json.loads(out.read_text())["findings"]


def handler_range(path: Path, qualname: str) -> tuple[int, int] | None:
    """First and last line of the named function/method/class, decorators included."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError):
        return None
    want = qualname.split(".")

    def walk(body, prefix):
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + [node.name]
                if name == want:
                    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    return first, node.end_lineno or node.lineno
                if isinstance(node, ast.ClassDef):
                    hit = walk(node.body, name)
                    if hit:
                        return hit
        return None

    return walk(tree.body, [])


def hits(adv: Advisory, top: Path, findings: list[dict]) -> tuple[list[dict], str]:
    src = top / adv.root / adv.file
    rng = handler_range(src, adv.handler)
    if rng is None:
        return [], f"handler {adv.handler} not found in {adv.file}"  # on the fixed side: removed
    lo, hi = rng
    found = [
        f for f in findings
        if f["rule"] in adv.rules and f["file"] == adv.file and lo <= f["line"] <= hi
    ]
    return found, ""


def run(advs: list[Advisory], cache: Path) -> list[dict]:
    rows = []
    for adv in advs:
        row = {"id": adv.id, "package": adv.package, "vulnerable": adv.vulnerable,
               "fixed": adv.fixed, "flaw": adv.flaw, "rules": adv.rules,
               "where": f"{adv.file}:{adv.handler}", "why": adv.why}
        try:
            for side in ("vulnerable", "fixed"):
                version = getattr(adv, side)
                top = fetch(adv.package, version, cache)
                tag = adv.root.strip("/").replace("/", "_") or "top"
                out = cache / f"{adv.package}-{version}" / f"findings-{tag}.json"
                found, err = hits(adv, top, scan(top / adv.root, out))
                row[side + "_findings"] = [f"{f['rule']}@{f['line']}" for f in found]
                if err and side == "vulnerable":
                    raise ValueError(err)
                if err:
                    row["fixed_note"] = "the fix removed the handler"
        except (subprocess.CalledProcessError, StopIteration, ValueError, OSError) as e:
            err = getattr(e, "stderr", b"") or b""
            if isinstance(err, str):
                err = err.encode()
            row["error"] = (err.decode(errors="replace").strip().splitlines() or [str(e)])[-1]
        row["detected"] = bool(row.get("vulnerable_findings")) and "error" not in row
        row["silent_on_fixed"] = "error" not in row and not row.get("fixed_findings")
        rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    lines = ["| advisory | package | vulnerable -> fixed | flaw | rules | vulnerable: flagged | fixed: silent |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        det = "ERROR " + r["error"] if "error" in r else (
            "yes " + ", ".join(r["vulnerable_findings"]) if r["detected"] else "no")
        sil = "" if "error" in r else ("yes" if r["silent_on_fixed"] else "no " + ", ".join(r["fixed_findings"]))
        if r.get("fixed_note"):
            sil += f" ({r['fixed_note']})"
        lines.append(f"| {r['id']} | {r['package']} | {r['vulnerable']} -> {r['fixed']} | {r['flaw']} "
                     f"| {'/'.join(r['rules'])} | {det} | {sil} |")
    ok = [r for r in rows if "error" not in r]
    both = sum(1 for r in ok if r["detected"] and r["silent_on_fixed"])
    lines.append("")
    lines.append(f"advisories {len(rows)}, scanned {len(ok)}, flagged on vulnerable "
                 f"{sum(r['detected'] for r in ok)}, flagged and silent on fixed {both}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", type=Path, default=LIST)
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--only", action="append", default=[], help="advisory id (repeatable)")
    ap.add_argument("--rescan", action="store_true", help="scan again even when cached")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args(argv)
    cache = args.cache.resolve()
    if cache.is_relative_to(HERE.parent.resolve()):
        ap.error("the cache must be outside the repository")
    advs = [a for a in load(args.list) if not args.only or a.id in args.only]
    if args.rescan:
        for a in advs:
            for v in (a.vulnerable, a.fixed):
                for old in (cache / f"{a.package}-{v}").glob("findings-*.json"):
                    old.unlink()
    rows = run(advs, cache)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
