#!/usr/bin/env python3
"""routeguard benchmark: real code from the package registry, plus a generated project.

    python bench/run.py                 # django, wagtail, apache-superset + generated 1x/4x/16x
    python bench/run.py --corpus django --sizes 1,4

For every corpus it prints the files and lines that routeguard analyzes, bare LibCST
parsing of those same files (one core, and all cores), routeguard cold (no cache), warm
(cache, nothing changed), warm after a change to the median-sized file and to the
largest one, a pre-commit run with one file, lines/s, peak RSS of the main process and
of the largest worker, and whether the SARIF output is byte-identical across --jobs 1,
--jobs N and the cache. With --repeat N the routeguard timings are the median of N
rounds. Nothing downloaded is committed: sources go to bench/.work/ (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
PACKAGES = {"django": "django", "wagtail": "wagtail", "superset": "apache-superset"}
APPS_PER_SIZE = 25
# Timed from before routeguard is imported to when the command would exit (it leaves
# with os._exit, skipping the interpreter's teardown, so that is not counted either).
MEASURE = """
import resource, sys, time
t = time.perf_counter()
from routeguard.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
wall = time.perf_counter() - t
# VmHWM: this process's own peak (ru_maxrss would keep the benchmark's own across exec)
own = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"MEASURE {wall} {own} {kids}", file=sys.stderr)
"""


def fetch(name: str, package: str) -> Path:
    dest = WORK / name
    if dest.exists():
        return dest
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "-d", tmp, package], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as z:
            for member in z.namelist():
                if member.endswith(".py"):
                    z.extract(member, dest)
    subprocess.run(["git", "init", "-q", str(dest)], check=True)  # a project root, as in real use
    return dest


def generate(n_apps: int) -> Path:
    """A Django/DRF project with n_apps apps, each ~600 lines in the layout generators produce."""
    dest = WORK / f"generated-{n_apps}x"
    if dest.exists():
        return dest
    (dest / "proj").mkdir(parents=True)
    (dest / "proj/__init__.py").write_text("")
    (dest / "proj/settings.py").write_text(
        'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\nDEBUG = False\nROOT_URLCONF = "proj.urls"\n'
        'INSTALLED_APPS = ["rest_framework"] + [f"app{i}" for i in range(%d)]\n'
        'REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\n' % n_apps)
    includes = "\n".join(f'    path("api/app{i}/", include("app{i}.urls")),' for i in range(n_apps))
    (dest / "proj/urls.py").write_text(f"from django.urls import include, path\n\nurlpatterns = [\n{includes}\n]\n")
    template = (HERE / "app_template.py.txt").read_text()
    for i in range(n_apps):
        app = dest / f"app{i}"
        app.mkdir()
        (app / "__init__.py").write_text("")
        for part in template.split("# === ")[1:]:
            name, body = part.split("\n", 1)
            (app / name.strip()).write_text(body.replace("__APP__", f"app{i}"))
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


NO_DEFAULT_EXCLUDES = HERE / "no-default-excludes.toml"


def files_of(root: Path, config: Path | None) -> list[Path]:
    from routeguard.config import Config, load
    from routeguard.discover import list_python_files

    cfg = load(config) if config else Config()
    return [root / p for p in list_python_files([root], root, cfg.excludes)]


def _parse(path: Path) -> int:
    import libcst

    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - a file LibCST cannot parse is still timed
        pass
    return text.count("\n")


def bare_parse(files: list[Path], jobs: int) -> float:
    t = time.perf_counter()
    if jobs == 1:
        for f in files:
            _parse(f)
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs) as pool:
            list(pool.map(_parse, files, chunksize=16))
    return time.perf_counter() - t


def routeguard(root: Path, config: Path | None, *args: str) -> tuple[float, int, int, str]:
    out = Path(tempfile.mkstemp(suffix=".sarif")[1])
    extra = ["--config", str(config)] if config else []
    proc = subprocess.run([sys.executable, "-c", MEASURE, "scan", *args, *extra, "--format", "sarif", "-o", str(out),
                           "--exit-zero"], cwd=root, capture_output=True, text=True)
    measured = [l for l in proc.stderr.splitlines() if l.startswith("MEASURE")]
    if not measured or not out.stat().st_size:
        raise SystemExit(f"routeguard failed in {root}:\n{proc.stderr[-2000:]}")
    line = measured[-1].split()
    sarif = out.read_text()
    out.unlink()
    return float(line[1]), int(line[2]) // 1024, int(line[3]) // 1024, sarif


def timings(root: Path, config: Path | None, jobs: int, by_size: list[Path]) -> dict:
    """One round: cold, warm, after a change to the median and to the largest file, pre-commit."""
    shutil.rmtree(root / ".routeguard_cache", ignore_errors=True)
    cold, rss_main, rss_worker, sarif_cold = routeguard(root, config, ".", "--jobs", str(jobs))
    warm, _, _, sarif_warm = routeguard(root, config, ".")
    changed = {}
    for kind, one in (("median", by_size[len(by_size) // 2]), ("largest", by_size[-1])):
        original = one.read_bytes()
        try:
            one.write_bytes(original + b"\n# touched by the benchmark\n")
            changed[kind], _, _, _ = routeguard(root, config, ".")
            if kind == "median":
                one.write_bytes(original + b"\n# touched again\n")
                staged, _, _, _ = routeguard(root, config, str(one.relative_to(root)))
        finally:
            one.write_bytes(original)
    return dict(cold=cold, warm=warm, changed=changed["median"], changed_largest=changed["largest"],
                precommit=staged, rss_main_mb=rss_main, rss_worker_mb=rss_worker, sarifs={sarif_cold, sarif_warm})


def run_corpus(name: str, root: Path, jobs: int, config: Path | None = None, repeat: int = 1) -> dict:
    files = files_of(root, config)
    lines = sum(f.read_text(encoding="utf-8", errors="replace").count("\n") for f in files)
    parse1 = bare_parse(files, 1)
    parse_n = bare_parse(files, jobs)
    by_size = sorted(files, key=lambda f: (f.stat().st_size, str(f)))
    rounds = [timings(root, config, jobs, by_size) for _ in range(repeat)]
    _, _, _, sarif_j1 = routeguard(root, config, ".", "--jobs", "1", "--no-cache")
    sarifs = {sarif_j1}.union(*(r["sarifs"] for r in rounds))
    findings = len(json.loads(sarif_j1)["runs"][0]["results"])
    median = {k: statistics.median(r[k] for r in rounds)
              for k in ("cold", "warm", "changed", "changed_largest", "precommit")}
    return dict(corpus=name, files=len(files), lines=lines, findings=findings, parse_1core=parse1,
                parse_all=parse_n, **median, largest_lines=by_size[-1].read_text(errors="replace").count("\n"),
                rss_main_mb=max(r["rss_main_mb"] for r in rounds), rss_worker_mb=max(r["rss_worker_mb"] for r in rounds),
                identical=len(sarifs) == 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", choices=sorted(PACKAGES), help="real corpora (default: all)")
    ap.add_argument("--sizes", default="1,4,16", help=f"generated project sizes, in multiples of {APPS_PER_SIZE} apps")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of routeguard timings; the median is shown")
    args = ap.parse_args()
    # Byte-compile routeguard as pip does when it installs a package, so that imports are
    # timed as users see them even where PYTHONDONTWRITEBYTECODE is set.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "analyzer"),
                    str(HERE.parent / "checks")], check=True, capture_output=True)
    corpora = [(c, fetch(c, PACKAGES[c]), None) for c in (args.corpus or sorted(PACKAGES))]
    if "wagtail" in (args.corpus or PACKAGES):  # the whole tree, tests and migrations included
        corpora.append(("wagtail, all", fetch("wagtail", PACKAGES["wagtail"]), NO_DEFAULT_EXCLUDES))
    corpora += [(f"generated {s}x", generate(APPS_PER_SIZE * int(s)), None) for s in args.sizes.split(",") if s]
    rows = []
    head = (f"{'corpus':<16}{'files':>7}{'lines':>9}{'parse 1c':>10}{'parse Nc':>10}{'cold':>8}{'ratio':>7}"
            f"{'lines/s':>9}{'warm':>7}{'chg med':>8}{'chg max':>8}{'pre-c':>7}{'RSS MB':>8}{'wkr MB':>8}{'same':>6}")
    print(f"routeguard benchmark, {args.jobs} jobs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(head)
    for name, root, config in corpora:
        r = run_corpus(name, root, args.jobs, config, args.repeat)
        rows.append(r)
        print(f"{r['corpus']:<16}{r['files']:>7}{r['lines']:>9}{r['parse_1core']:>9.2f}s{r['parse_all']:>9.2f}s"
              f"{r['cold']:>7.2f}s{r['cold'] / r['parse_all']:>6.1f}x{r['lines'] / r['cold']:>9.0f}"
              f"{r['warm']:>6.2f}s{r['changed']:>7.2f}s{r['changed_largest']:>7.2f}s{r['precommit']:>6.2f}s{r['rss_main_mb']:>8}"
              f"{r['rss_worker_mb']:>8}{'yes' if r['identical'] else 'NO':>6}", flush=True)
    print(f"ratio: routeguard cold / bare LibCST parse on the same cores; times are wall clock, the median of "
          f"{args.repeat} round{'s' if args.repeat > 1 else ''}.")
    print("chg med / chg max: warm scan after a change to the median-sized / the largest file (pre-c: the median one staged).")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
