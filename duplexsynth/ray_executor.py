"""``--executor ray``: the same per-dialogue work in Ray actors, one model load per actor.

Each actor holds a :class:`~duplexsynth.worker.DialogueWorker` (LLM, TTS, ASR and eval
models); an ordered actor pool hands it whole dialogues, and the driver writes the
manifests in plan order, exactly as the local executor does. The actors write audio
into the corpus folder, so on several machines that folder must be shared (NFS,
Lustre ...); without one, run ``generate --shard i/n`` per node and ``merge``.

The actors die with the driver. Ray kills an actor whose owner (the driver) dies, as
long as the actor is not detached (these are not); and an actor on the driver's own host
also watches the driver's pid (:func:`~duplexsynth.lifetime.die_with_process`), so that
it stops within a second of a ``kill -9`` and writes nothing more, whatever Ray's
cleanup takes.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Iterator, Sequence

from corpus_core.errors import MissingDependency
from duplexsynth.config import RunConfig
from duplexsynth.lifetime import ORPHAN_EXIT_CODE, die_with_process, process_alive, process_start_time
from duplexsynth.worker import (
    DialogueJob,
    DialogueResult,
    DialogueWorker,
    limit_process_threads,
)
from text_dialogue.llm.llamacpp import VERBOSE_ENV

__all__ = ["run_jobs_on_ray"]


def _driver() -> tuple[str, int, str | None]:
    """This process as an actor watches it: host name, pid and start time."""
    return socket.gethostname(), os.getpid(), process_start_time()


class _DialogueActor:
    """A Ray actor around one :class:`DialogueWorker`.

    :param driver: the driver's :func:`_driver`; an actor on the same host exits when it ends.
    """

    def __init__(self, corpus: str, config: RunConfig, threads: int,
                 driver: tuple[str, int, str | None] | None = None) -> None:
        self._driver_pid: tuple[int, str | None] | None = None
        if driver is not None and driver[0] == socket.gethostname():
            self._driver_pid = driver[1], driver[2]
            die_with_process(driver[1], driver[2])  # first: a driver killed during the model loads
        limit_process_threads(threads)
        self.worker = DialogueWorker(Path(corpus), config)

    def run(self, job: DialogueJob) -> DialogueResult:
        if self._driver_pid is not None and not process_alive(*self._driver_pid):
            os._exit(ORPHAN_EXIT_CODE)  # the run is gone: write nothing more for it
        return self.worker.run(job)


def _connect(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    # --verbose reaches the actors (llama.cpp's log) through their environment
    verbose = {VERBOSE_ENV: os.environ[VERBOSE_ENV]} if os.environ.get(VERBOSE_ENV) else {}
    if address:
        ray.init(address=address, **({"runtime_env": {"env_vars": verbose}} if verbose else {}))
    else:  # a local cluster on this machine; its workers import duplexsynth from where we run
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        ray.init(include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path, **verbose}})


def run_jobs_on_ray(jobs: Sequence[DialogueJob], corpus: Path, config: RunConfig, workers: int, threads: int,
                    address: str | None = None) -> Iterator[DialogueResult]:
    """Run ``jobs`` on ``workers`` Ray actors of ``threads`` CPUs each; results in job order.

    :param address: the cluster (``ray://head:10001`` or ``head:6379``); ``None`` =
        ``RAY_ADDRESS``, else an already initialized Ray, else a new local cluster.
    """
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise MissingDependency("ray", extra="ray", why="--executor ray") from None
    if not jobs:
        return
    _connect(address)
    actor_cls: Any = ray.remote(num_cpus=threads)(_DialogueActor)
    folder, driver = str(Path(corpus).resolve()), _driver()
    actors = [actor_cls.remote(folder, config, threads, driver) for _ in range(min(workers, len(jobs)))]
    try:
        yield from ActorPool(actors).map(lambda actor, job: actor.run.remote(job), list(jobs))
    finally:
        for actor in actors:
            ray.kill(actor)
