"""Where :class:`~duplexsynth.worker.DialogueWorker` s run: this process, worker processes, Ray.

Every executor yields results in job order, so the manifests (written by the caller)
come out the same whatever runs the work.
"""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Iterator, Sequence

from corpus_core.errors import ConfigError
from duplexsynth.config import RunConfig
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


def _init_worker(corpus: str, config: RunConfig, threads: int) -> None:
    global _WORKER
    limit_process_threads(threads)
    _WORKER = DialogueWorker(Path(corpus), config)


def _run_job(job: DialogueJob) -> DialogueResult:
    assert _WORKER is not None  # noqa: S101 - set by the pool initializer
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
    # spawn: a fresh interpreter per worker (no forked llama.cpp/onnxruntime thread state)
    context = multiprocessing.get_context("spawn")
    pool = context.Pool(min(workers, len(jobs)), initializer=_init_worker, initargs=(str(corpus), config, threads))
    try:
        yield from pool.imap(_run_job, jobs, chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
