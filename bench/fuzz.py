#!/usr/bin/env python3
"""Fuzz routeguard with hostile sources: a scan must never raise, whatever the files hold.

    python bench/fuzz.py --seconds 300 [--seed 1]

Each case is a fixture project (fixtures/*/*) with one file mutated: random byte flips,
truncation, deleted or duplicated lines, lines spliced in from other fixtures, tokens
inserted at random (brackets, colons, quotes, decorators, NUL, invalid UTF-8), or the
file replaced by a huge or deeply nested one. Every case is scanned from bytes with
``scan_sources`` (in a worker process) and rendered in every format. An exception or a
worker that dies (a native crash) is a crash: its case is
saved under bench/.work/fuzz-crashes/ to reproduce; a case running past --case-timeout
is a hang. Prints the counts at the end.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CRASHES = HERE / ".work" / "fuzz-crashes"
TOKENS = [b"(", b")", b"[", b"]", b"{", b"}", b":", b",", b"@", b"def ", b"class ", b"lambda: ", b"'", b'"', b'"""',
          b"\\", b"\n", b"    ", b"\t", b"\x00", b"\xff", b"\xc3", b"# routeguard: ignore[", b"async ", b"await ",
          b"yield ", b"*", b"**", b"=", b":=", b"->", b"f'{", b"}'", b"import ", b"from . import ", b"\r", b"\x0c"]


def projects() -> list[dict[str, bytes]]:
    out = []
    for project in sorted(p for p in FIXTURES.glob("*/*") if p.is_dir()):
        files = {f.relative_to(project).as_posix(): f.read_bytes() for f in sorted(project.rglob("*.py"))}
        if files:
            out.append(files)
    return out


def mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "flip", "truncate", "lines", "splice", "tokens", "tokens", "huge", "deep", "flat"])
    b = bytearray(data)
    if kind == "flip" and b:
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    elif kind == "truncate" and b:
        del b[rng.randrange(len(b)):]
    elif kind == "lines":
        lines = bytes(b).split(b"\n")
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                del lines[i]
            else:
                lines.insert(i, lines[rng.randrange(len(lines))] if lines else b"")
            if not lines:
                lines = [b""]
        b = bytearray(b"\n".join(lines))
    elif kind == "splice":
        donor = rng.choice(donors).split(b"\n")
        lines = bytes(b).split(b"\n")
        i = rng.randrange(len(lines) + 1)
        j = rng.randrange(len(donor))
        lines[i:i] = donor[j:j + rng.randint(1, 20)]
        b = bytearray(b"\n".join(lines))
    elif kind == "tokens":
        for _ in range(rng.randint(1, 10)):
            i = rng.randrange(len(b) + 1)
            b[i:i] = rng.choice(TOKENS)
    elif kind == "huge":
        b = bytearray(bytes(b) * rng.randint(20, 200))
    elif kind == "deep":
        n = rng.choice([50, 100, 200, 1000, 5000, 50000])
        shape = rng.choice(["paren", "list", "if", "call", "lambda", "dict"])
        if shape == "paren":
            b = bytearray(b"x = " + b"(" * n + b"1" + b")" * n + b"\n")
        elif shape == "list":
            b = bytearray(b"x = " + b"[" * n + b"]" * n + b"\n")
        elif shape == "dict":
            b = bytearray(b"x = " + b"{'a': " * n + b"1" + b"}" * n + b"\n")
        elif shape == "call":
            b = bytearray(b"x = " + b"f(" * n + b")" * n + b"\n")
        elif shape == "lambda":
            b = bytearray(b"x = " + b"lambda: " * n + b"1\n")
        else:
            b = bytearray(b"".join(b"    " * i + b"if x:\n" for i in range(min(n, 200))) + b"    " * min(n, 200) + b"pass\n")
    elif kind == "flat":
        n = rng.choice([1000, 10000, 100000])
        op = rng.choice([b" + ", b" and ", b", ", b" if x else ", b"."])
        b = bytearray(b"x = " + op.join([b"a"] * n) + b"\n")
    return kind, bytes(b)


def run_case(files: dict[str, bytes]) -> None:
    from routeguard import scan_sources

    report = scan_sources(files, jobs=1)
    for fmt in ("text", "json", "sarif", "github"):
        report.render(fmt)
    report.routes_json()


class Runner:
    """Cases run in one worker process, so that a case that kills the interpreter (a native
    crash) or hangs is recorded and the worker replaced, and the run goes on."""

    def __init__(self):
        self.pool = None

    def run(self, files, timeout: float) -> str:
        from concurrent.futures import ProcessPoolExecutor, TimeoutError as Timeout
        from concurrent.futures.process import BrokenProcessPool

        if self.pool is None:
            self.pool = ProcessPoolExecutor(1)
        future = self.pool.submit(run_case, files)
        try:
            future.result(timeout=timeout)
            return "ok"
        except Timeout:
            self.reset(kill=True)
            return "hang"
        except BrokenProcessPool:
            self.reset()
            return "died"

    def reset(self, kill: bool = False) -> None:
        if kill:
            for process in list(self.pool._processes.values()):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--case-timeout", type=float, default=60.0, help="a case running longer is a hang")
    args = ap.parse_args()
    runner = Runner()
    rng = random.Random(args.seed)
    corpus = projects()
    donors = [data for files in corpus for data in files.values()]
    counts: dict[str, int] = {}
    crashes: dict[str, int] = {}
    slowest = (0.0, "")
    end = time.monotonic() + args.seconds
    runs = slow = hangs = 0
    while time.monotonic() < end:
        files = dict(rng.choice(corpus))
        victim = rng.choice(sorted(files))
        kind, files[victim] = mutate(files[victim], rng, donors)
        counts[kind] = counts.get(kind, 0) + 1
        runs += 1
        start = time.monotonic()
        try:
            outcome = runner.run(files, args.case_timeout)
        except Exception as e:  # noqa: BLE001 - that is what we are looking for
            outcome = f"{type(e).__name__}: {e}"
        if outcome != "ok":
            if outcome == "hang":
                hangs += 1
            else:
                crashes[kind] = crashes.get(kind, 0) + 1
            CRASHES.mkdir(parents=True, exist_ok=True)
            case = CRASHES / f"case-{args.seed}-{runs}.json"
            case.write_text(json.dumps({"victim": victim, "kind": kind, "outcome": outcome,
                                        "files": {k: v.decode("latin-1") for k, v in files.items()}}))
            print(f"{outcome.upper() if outcome in ('hang', 'died') else 'CRASH'} {kind} {victim} "
                  f"({len(files[victim]):,} bytes): {outcome} -> {case}", file=sys.stderr, flush=True)
        took = time.monotonic() - start
        if took > 10:
            slow += 1
            print(f"SLOW {took:.1f} s {kind} {victim} ({len(files[victim]):,} bytes)", file=sys.stderr, flush=True)
        if took > slowest[0]:
            slowest = (took, f"{kind} {victim} ({len(files[victim]):,} bytes)")
    print(f"cases run: {runs} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    print(f"crashes: {sum(crashes.values())} ({', '.join(f'{k} {v}' for k, v in sorted(crashes.items())) or 'none'})")
    print(f"hangs (over {args.case_timeout:.0f} s): {hangs}; cases over 10 s: {slow}; "
          f"slowest finished: {slowest[0]:.1f} s, {slowest[1]}")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
