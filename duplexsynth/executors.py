"""Where :class:`~duplexsynth.worker.DialogueWorker` s run: this process, worker processes, Ray.

Every executor yields results in job order, so the manifests (written by the caller)
come out the same whatever runs the work.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator, Sequence

from corpus_core.errors import BackendError, ConfigError
from duplexsynth.config import RunConfig
from duplexsynth.lifetime import ORPHAN_EXIT_CODE, die_with_parent, parent_alive
from duplexsynth.worker import (
    DialogueJob,
    DialogueResult,
    DialogueWorker,
    limit_process_threads,
    threaded_config,
)

__all__ = ["EXECUTORS", "default_workers", "threads_per_worker", "run_jobs"]

#: executor names ``--executor`` accepts
EXECUTORS = ("local", "ray")
#: memory one worker may take (models and one dialogue's audio), for the default worker count
WORKER_MEMORY_BYTES = int(1.5 * 2**30)

_WORKER: DialogueWorker | None = None


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def default_workers() -> int:
    """One worker per core, capped so that every worker gets ~1.5 GB of the free memory."""
    cores = os.cpu_count() or 1
    memory = _available_memory()
    return max(1, min(cores, memory // WORKER_MEMORY_BYTES if memory else cores))


def threads_per_worker(workers: int) -> int:
    """Engine threads per worker so that ``workers`` workers share the cores without oversubscribing."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def _init_worker(corpus: str, config: RunConfig, threads: int, parent_pid: int) -> None:
    global _WORKER
    # first: a run killed while this worker loads its models takes the worker with it
    die_with_parent(parent_pid)
    limit_process_threads(threads)
    _WORKER = DialogueWorker(Path(corpus), config)


def _run_job(job: DialogueJob) -> DialogueResult:
    assert _WORKER is not None  # noqa: S101 - set by the pool initializer
    if not parent_alive():  # the run is gone: write nothing more for it
        os._exit(ORPHAN_EXIT_CODE)
    return _WORKER.run(job)


def run_jobs(jobs: Sequence[DialogueJob], corpus: Path, config: RunConfig, workers: int = 1,
             threads: int | None = None, executor: str = "local", ray_address: str | None = None
             ) -> Iterator[DialogueResult]:
    """Run ``jobs`` and yield their results in job order.

    :param workers: processes (local) or actors (ray); each loads its models once.
    :param threads: engine threads per worker (``None`` = cores / workers).
    :param ray_address: the Ray cluster (``None`` = ``RAY_ADDRESS`` or a local one).
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"executor {executor!r}: choose one of {', '.join(EXECUTORS)}")
    threads = threads or threads_per_worker(workers)
    config = threaded_config(config, threads)
    if executor == "ray":
        from duplexsynth.ray_executor import run_jobs_on_ray

        yield from run_jobs_on_ray(jobs, corpus, config, workers, threads, ray_address)
        return
    if workers <= 1 or len(jobs) <= 1:
        limit_process_threads(threads)
        worker = DialogueWorker(corpus, config)
        try:
            for job in jobs:
                yield worker.run(job)
        finally:
            worker.close()
        return
    # spawn: a fresh interpreter per worker (no forked llama.cpp/onnxruntime thread state).
    # concurrent.futures, not multiprocessing.Pool: a Pool whose worker dies (a crash in an
    # engine, the kernel's OOM killer) waits for its result forever.
    pool = ProcessPoolExecutor(min(workers, len(jobs)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(str(corpus), config, threads, os.getpid()))
    done = 0
    try:
        for result in pool.map(_run_job, jobs):
            yield result
            done += 1
    except BrokenProcessPool:
        raise BackendError(_worker_died(pool, jobs[done:])) from None
    except BaseException:  # Ctrl-C, or the caller stopped: don't wait for the dialogues in flight
        for process in _processes(pool):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _processes(pool: ProcessPoolExecutor) -> list:
    """The pool's worker processes (a private attribute, hence the care)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def _worker_died(pool: ProcessPoolExecutor, unfinished: Sequence[DialogueJob]) -> str:
    """The one-line error for a worker process that died, with how it died where that is known."""
    how = sorted({p.exitcode for p in _processes(pool) if p.exitcode not in (None, 0, -signal.SIGTERM)})
    named = [f"signal {signal.Signals(-c).name}" if c < 0 and -c in signal.valid_signals() else f"exit code {c}"
             for c in how]
    how_text = f" ({', '.join(named)})" if named else ""
    return (f"a worker process died{how_text} with {len(unfinished)} dialogue(s) unfinished, first "
            f"{unfinished[0].dialogue_id if unfinished else '?'}; the finished ones are kept and the same command "
            "resumes. SIGKILL is usually the system out of memory (use fewer --workers); another signal is a "
            "crash in an engine (--workers 1 shows it in this process)")
