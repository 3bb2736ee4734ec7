"""Extraction of many files: a content-keyed cache, worker processes, a per-file time
bound and progress on a terminal.

Workers receive plain tuples and return plain facts (ModuleFacts), so results are the
same whether a file was extracted here, in a worker or read from the cache; the
caller gets them in input order whatever the number of jobs.
"""
from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

from .cache import CACHE_DIR, Cache, clear_cache, decode_fact, encode  # noqa: F401 - CACHE_DIR, clear_cache: re-exported
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
# Files longer than this (characters) are extracted each in a process of its own, with a hard
# time bound and a memory cap; the few that real projects have cost a process start each.
ISOLATE_ABOVE = 250_000
ISOLATED_MEMORY = 2 * 1024 ** 3  # bytes of address space for that process
STARTUP_ALLOWANCE = 2.0  # seconds for the process to start and import routeguard
OUT_OF_MEMORY = f"analysis needed more than {ISOLATED_MEMORY // 1024 ** 3} GB of memory; file skipped"
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
    except Exception as e:  # a bug of ours must not hide the other files' findings: the file is a gap
        return ModuleFacts(path, module, text.count("\n") + 1,
                           error=f"routeguard failed on this file ({type(e).__name__}: {str(e)[:120]}); file skipped")
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
                 cache_root: Path | None = None, progress: bool | None = None,
                 whole: bool = True, save: bool = True) -> list[ModuleFacts]:
    """Facts for every (path, text, module, is_package), in input order.

    ``whole``: these are all the project's files, so the cache keeps only them (files that
    were deleted drop out); otherwise (a subdirectory was scanned) the cache keeps the
    entries of the other files too. ``save``: False reads the cache without writing it."""
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
    for i in [i for i in todo if len(jobs_in[i][1]) > ISOLATE_ABOVE]:  # a few big files: each on its own
        results[i] = _isolated(jobs_in[i], knowledge)
        todo.remove(i)
        bar.step()
    workers = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
    if workers > 1 and len(todo) >= MIN_PARALLEL:
        _parallel(jobs_in, todo, results, knowledge, workers, bar)
    else:
        _init(knowledge)
        for i in todo:
            results[i] = _extract_one(jobs_in[i])
            bar.step()
    bar.close()
    if cache and save:
        # A file that timed out or crashed the parser may do better on another run: never cached.
        entries = {} if whole else dict(cache.entries)
        entries.update({job[0]: (digests[i], results[i]) for i, job in enumerate(jobs_in)
                        if results[i].error not in (TIMED_OUT, CRASHED, OUT_OF_MEMORY)})
        cache.save(entries)
    return results


def _isolated_main() -> None:
    """``python -c`` entry of the process that extracts one big file: the job and the knowledge
    tables come pickled on stdin from routeguard itself; the facts go back as the cache's
    plain JSON, so nothing the file could influence is ever unpickled by the caller."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (ISOLATED_MEMORY, ISOLATED_MEMORY))
    except (ImportError, ValueError, OSError):
        pass
    job, knowledge = pickle.load(sys.stdin.buffer)
    _init(knowledge, worker=True)  # SIGALRM is ours to use here
    try:
        facts = _extract_one(job)
    except MemoryError:
        facts = ModuleFacts(job[0], job[2], job[1].count("\n") + 1, error=OUT_OF_MEMORY)
    sys.stdout.buffer.write(json.dumps(encode(facts)).encode("ascii"))


def _isolated(job, knowledge) -> ModuleFacts:
    """Facts of one big file, extracted in a process of its own that is killed when it runs past
    FILE_TIMEOUT (a signal cannot interrupt the native parser, a kill can) and whose memory is
    capped, so that neither bound depends on the file. A plain subprocess: safe whatever
    threads the caller runs, no main-module import, the caller's signals and timers untouched."""
    path, text, module, _ = job
    lines = text.count("\n") + 1
    if not sys.executable:  # embedded without an interpreter to start: in this process
        return _extract_one(job)
    command = [sys.executable, "-c", "from routeguard.engine import _isolated_main; _isolated_main()"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        try:
            out, err = proc.communicate(pickle.dumps((job, knowledge)), timeout=FILE_TIMEOUT + STARTUP_ALLOWANCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return ModuleFacts(path, module, lines, error=TIMED_OUT)
    try:
        facts = decode_fact(out)
    except ValueError:
        facts = None
    if type(facts) is not ModuleFacts:  # it died: out of memory (the native parser aborts) or a crash
        said = err.decode("utf-8", "replace").strip().splitlines()
        if any("memory" in line.lower() for line in said[-3:]):
            error = OUT_OF_MEMORY
        elif proc.returncode < 0:
            error = CRASHED
        else:
            error = f"the analysis process failed ({said[-1][:200] if said else f'exit {proc.returncode}'}); file skipped"
        return ModuleFacts(path, module, lines, error=error)
    return facts


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
