"""``--executor ray``: the same per-dialogue work in Ray actors, one model load per actor.

Each actor holds a :class:`~duplexsynth.worker.DialogueWorker` (LLM, TTS, ASR and eval
models); an ordered actor pool hands it whole dialogues, and the driver writes the
manifests in plan order, exactly as the local executor does. The actors write audio
into the corpus folder, so on several machines that folder must be shared (NFS,
Lustre ...); without one, run ``generate --shard i/n`` per node and ``merge``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator, Sequence

from corpus_core.errors import MissingDependency
from duplexsynth.config import RunConfig
from duplexsynth.worker import (
    DialogueJob,
    DialogueResult,
    DialogueWorker,
    limit_process_threads,
)

__all__ = ["run_jobs_on_ray"]


class _DialogueActor:
    """A Ray actor around one :class:`DialogueWorker`."""

    def __init__(self, corpus: str, config: RunConfig, threads: int) -> None:
        limit_process_threads(threads)
        self.worker = DialogueWorker(Path(corpus), config)

    def run(self, job: DialogueJob) -> DialogueResult:
        return self.worker.run(job)


def _connect(address: str | None) -> None:
    import ray

    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address)
    else:  # a local cluster on this machine; its workers import duplexsynth from where we run
        root = str(Path(__file__).resolve().parents[1])
        path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
        ray.init(include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": path}})


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
    actors = [actor_cls.remote(str(Path(corpus).resolve()), config, threads) for _ in range(min(workers, len(jobs)))]
    try:
        yield from ActorPool(actors).map(lambda actor, job: actor.run.remote(job), list(jobs))
    finally:
        for actor in actors:
            ray.kill(actor)
