"""Extraction of many files: a content-keyed cache, worker processes, a per-file time
bound and progress on a terminal.

Workers receive plain tuples and return plain facts (ModuleFacts), so results are the
same whether a file was extracted here, in a worker or read from the cache; the
caller gets them in input order whatever the number of jobs.
"""
from __future__ import annotations

import gc
import hashlib
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from .cache import CACHE_DIR, Cache, clear_cache  # noqa: F401 - CACHE_DIR, clear_cache: re-exported
from .extract import extract_source
from .facts import ModuleFacts

FILE_TIMEOUT = 30.0  # seconds; a file that takes longer is skipped with a notification
MIN_PARALLEL = 24  # below this many files to extract, worker start-up costs more than it saves

_knowledge = None


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


GC_THRESHOLDS = (100_000, 30, 30)


@contextmanager
def fewer_collections():
    """Run Python's cyclic garbage collector after every 100,000 new objects rather than 700.

    Parsing, unpickling facts and linking build hundreds of thousands of objects that
    are acyclic or long-lived, so at the default rate the collector runs again and again
    through objects it cannot free (a third of a warm scan, a tenth of extraction). Cycles
    are still collected, only less often. The previous thresholds come back after the block.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


TIMED_OUT = f"analysis took longer than {FILE_TIMEOUT:.0f} s; file skipped"
CRASHED = "the parser crashed on this file; file skipped"
_in_worker = False  # set in the worker processes this module starts


def _may_time() -> bool:
    """Whether this process may bound a file's analysis with SIGALRM.

    Always in our own worker processes. In the caller's process (the library path, and
    the command for small scans) only on the main thread, and only when nobody else uses
    the alarm: no handler of its own for SIGALRM and no ITIMER_REAL running, since the
    bound would otherwise replace the caller's handler and cancel its timer."""
    if not hasattr(signal, "setitimer"):
        return False
    if _in_worker:
        return True
    return (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
            and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))


def _extract_one(job) -> ModuleFacts:
    path, text, module, is_pkg = job
    timed = _may_time()
    if timed:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, FILE_TIMEOUT)
    try:
        with fewer_collections():
            return extract_source(path, text, module, is_pkg, _knowledge)
    except _Timeout:
        return ModuleFacts(path, module, text.count("\n") + 1, error=TIMED_OUT)
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _init(knowledge, worker: bool = False) -> None:
    global _knowledge, _in_worker
    _knowledge = knowledge
    _in_worker = worker


def _code_fingerprint() -> str:
    """A hash of the extraction code itself, so that a changed extractor never reads old facts."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), *here.glob("frameworks/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Progress:
    """``routeguard: 340/1379 files`` on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool | None = None):
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.done = 0
        self.last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self.last > 0.1 or self.done == self.total):
            self.last = now
            sys.stderr.write(f"\rrouteguard: {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()


def extract_many(jobs_in: list[tuple[str, str, str, bool]], knowledge, *, jobs: int | None = None,
                 cache_root: Path | None = None, progress: bool | None = None) -> list[ModuleFacts]:
    """Facts for every (path, text, module, is_package), in input order."""
    from . import __version__

    cache = Cache(cache_root, f"{__version__}\0{_code_fingerprint()}\0{knowledge.fingerprint()}") if cache_root else None
    digests = [Cache.digest(t, m, p) for _, t, m, p in jobs_in] if cache else []
    results: list[ModuleFacts | None] = [None] * len(jobs_in)
    todo = []
    for i, job in enumerate(jobs_in):
        cached = cache.get(job[0], digests[i]) if cache else None
        if cached is not None:
            results[i] = cached
        else:
            todo.append(i)
    bar = Progress(len(todo), progress)
    workers = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    if workers > 1 and len(todo) >= MIN_PARALLEL:
        _parallel(jobs_in, todo, results, knowledge, workers, bar)
    else:
        _init(knowledge)
        for i in todo:
            results[i] = _extract_one(jobs_in[i])
            bar.step()
    bar.close()
    if cache:
        # A file that timed out or crashed the parser may do better on another run: never cached.
        cache.save({job[0]: (digests[i], results[i]) for i, job in enumerate(jobs_in)
                    if results[i].error not in (TIMED_OUT, CRASHED)})
    return results


def _parallel(jobs_in, todo, results, knowledge, workers, bar) -> None:
    # Largest files first, in small chunks, so that no worker is left with a big file at the end.
    pending = sorted(todo, key=lambda i: -len(jobs_in[i][1]))
    chunk = max(1, min(8, len(pending) // (workers * 8)))
    while pending:
        try:
            with ProcessPoolExecutor(workers, initializer=_init, initargs=(knowledge, True)) as pool:
                for i, facts in zip(pending, pool.map(_extract_one, [jobs_in[i] for i in pending], chunksize=chunk)):
                    results[i] = facts
                    bar.step()
            pending = []
        except BrokenProcessPool:
            # A worker died (the native parser crashed on some file): isolate the culprit by
            # retrying what is left one file per pool; a file that kills its pool is reported.
            left = [i for i in pending if results[i] is None]
            if chunk == 1 and workers == 1:
                bad = left[0]
                path, text, module, _ = jobs_in[bad]
                results[bad] = ModuleFacts(path, module, text.count("\n") + 1, error=CRASHED)
                bar.step()
                left = left[1:]
            pending, chunk, workers = left, 1, 1
