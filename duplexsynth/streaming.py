"""The streaming run: each dialogue goes text -> speech -> duplex -> eval as soon as it can.

Workers (:mod:`duplexsynth.executors`) take whole dialogues; this process alone writes
the manifests, in plan order, one dialogue at a time (text, then speech, duplex, eval),
so a killed run resumes like the staged one. Changes to records an earlier run wrote
(the gate re-synthesizing or dropping them) are collected and applied once at the end,
one pass per manifest.

This process also keeps the near-duplicate index (:mod:`text_dialogue.near_duplicates`,
rebuilt from dialogues.jsonl on resume): a new dialogue too like one already written is
not written; it is made again with a new seed after the other jobs (so it comes later
in the manifests than in the plan), at most ``NEAR_DUPLICATE_RETRIES`` times, and then
logged to failures.jsonl as ``near_duplicate``.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from corpus_core import (
    MANIFESTS,
    ManifestWriter,
    iter_jsonl,
    read_manifest,
    rewrite_manifest,
    write_json_atomic,
)
from duplex.records import Timeline
from duplexsynth.casting import cast_plan, corpus_wide
from duplexsynth.config import RunConfig
from duplexsynth.degrading import summarize_conditions
from duplexsynth.executors import default_workers, run_jobs, threads_per_worker
from duplexsynth.failures import log_failure, reset_failures
from duplexsynth.gate_actions import record_drop
from duplexsynth.meta import update_meta
from duplexsynth.pipeline import StageReport, corpus_content, corpus_diversity, corpus_speakers, near_duplicate_index
from duplexsynth.plan import Shard, dialogue_plan
from duplexsynth.preflight import release_engines, take_tts_pool
from duplexsynth.progress import RunProgress
from duplexsynth.worker import DialogueJob, DialogueResult
from speech.records import Utterance
from speech.voices import cast_variants, default_voice_bank
from text_dialogue.near_duplicates import (
    NEAR_DUPLICATE_RETRIES,
    NearDuplicateIndex,
    near_duplicate_reason,
    retry_seed,
)
from text_dialogue.records import Dialogue

__all__ = ["run_streaming", "RUN_SUMMARY"]

log = logging.getLogger(__name__)

#: the machine-readable summary of the latest streaming run, in the corpus folder
RUN_SUMMARY = "run_summary.json"
STAGES = ("text", "speech", "duplex", "eval")
#: what :func:`screen_near_duplicates` yields for a result that is made again
RETRY = "retry"


def _plan_jobs(corpus: Path, config: RunConfig, shard: Shard | None) -> tuple[list[DialogueJob], int]:
    """Jobs for every planned dialogue not fully evaluated yet, with what earlier runs made of it."""
    plan = dialogue_plan(config, shard)
    wanted = {p.dialogue_id for p in plan}
    dialogues = {d.id: d for d in read_manifest(corpus / MANIFESTS["text"], Dialogue)
                 if d.id in wanted} if (corpus / MANIFESTS["text"]).exists() else {}
    variant_ids: dict[str, list[str]] = {}
    bank = default_voice_bank(config.voice_banks) if dialogues else None
    for did, d in dialogues.items():
        variant_ids[did] = [v for v, _ in cast_variants(bank, d.personas, did, config.variants,  # type: ignore[arg-type]
                                                         config.voices or None, config.cast_backends or None)]
    source_of = {v: did for did, vs in variant_ids.items() for v in vs}
    evaluated = ({str(r.get("dialogue_id")) for _, r in iter_jsonl(corpus / MANIFESTS["eval"])}
                 if (corpus / MANIFESTS["eval"]).exists() else set())
    pending = set(source_of) - evaluated  # variants begun by an earlier run, not finished
    utterances: dict[str, list[Utterance]] = {}
    if pending and (corpus / MANIFESTS["speech"]).exists():
        for u in read_manifest(corpus / MANIFESTS["speech"], Utterance):
            if u.dialogue_id in pending:
                utterances.setdefault(u.dialogue_id, []).append(u)
    timelines = ({t.id: t for t in read_manifest(corpus / MANIFESTS["duplex"], Timeline) if t.id in pending}
                 if pending and (corpus / MANIFESTS["duplex"]).exists() else {})
    jobs = []
    for p in plan:
        variants = variant_ids.get(p.dialogue_id)
        if variants is not None and all(v in evaluated for v in variants):
            continue
        jobs.append(DialogueJob(
            p.dialogue_id, p.scenario, p.seed, dialogues.get(p.dialogue_id),
            {v: utterances[v] for v in variants or () if v in utterances},
            {v: timelines[v] for v in variants or () if v in timelines},
            frozenset(v for v in variants or () if v in evaluated)))
    return jobs, len(plan) - len(jobs)


def _with_casts(corpus: Path, config: RunConfig, jobs: list[DialogueJob]) -> list[DialogueJob]:
    """The jobs with their corpus-wide casts, made up front for the whole plan (see :func:`cast_plan`)."""
    made = ({d.id: d for d in read_manifest(corpus / MANIFESTS["text"], Dialogue)}
            if (corpus / MANIFESTS["text"]).exists() else {})
    casts = cast_plan(config, default_voice_bank(config.voice_banks), take_tts_pool(config.tts), made)
    return [replace(job, cast=casts[job.dialogue_id]) for job in jobs]


class _Writers:
    """The four manifest writers plus the changes to apply once at the end."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self.text = ManifestWriter(corpus / MANIFESTS["text"])
        self.speech = ManifestWriter(corpus / MANIFESTS["speech"], key="dialogue_id")
        self.duplex = ManifestWriter(corpus / MANIFESTS["duplex"])
        self.eval = ManifestWriter(corpus / MANIFESTS["eval"], key="dialogue_id")
        self.replace_speech: dict[str, list[Any]] = {}
        self.replace_duplex: dict[str, list[Any]] = {}
        self.drop_duplex: set[str] = set()

    def __enter__(self) -> "_Writers":
        for w in (self.text, self.speech, self.duplex, self.eval):
            w.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        for w in (self.text, self.speech, self.duplex, self.eval):
            w.__exit__(*exc)

    def write(self, result: DialogueResult) -> None:
        """One dialogue's records, stage after stage (a kill leaves earlier stages complete)."""
        if result.dialogue is not None:
            self.text.write(result.dialogue)
        for v in result.variants:
            if v.utterances is not None:
                if not v.utterances_written:
                    self.speech.write_many(v.utterances)
                elif v.resynthesized:
                    self.replace_speech[v.variant_id] = v.utterances
            if v.timeline is None or v.summary is None:
                if v.timeline is not None and not v.timeline_written:
                    self.duplex.write(v.timeline)
                continue
            if v.drop_reason is not None:
                record_drop(self.corpus, v.timeline, v.drop_reason)
                if v.timeline_written:
                    self.drop_duplex.add(v.variant_id)
            elif not v.timeline_written:
                self.duplex.write(v.timeline)
            elif v.resynthesized:
                self.replace_duplex[v.variant_id] = [v.timeline]
            self.eval.write_many([*(v.turns or []), v.summary])

    def apply_changes(self) -> None:
        """Rewrite utterances.jsonl / timelines.jsonl once for every change to old records."""
        if self.replace_speech:
            rewrite_manifest(self.corpus / MANIFESTS["speech"], self.replace_speech, key="dialogue_id")
        if self.replace_duplex or self.drop_duplex:
            rewrite_manifest(self.corpus / MANIFESTS["duplex"], self.replace_duplex, drop=self.drop_duplex)


def screen_near_duplicates(jobs: list[DialogueJob], run: Callable[[list[DialogueJob]], Iterable[DialogueResult]],
                           index: NearDuplicateIndex | None) -> Iterator[tuple[DialogueResult, str | None]]:
    """Run ``jobs``; a new dialogue too like one already indexed is run again with a new seed.

    :param run: runs jobs and yields their results in job order (:func:`run_jobs`).
    :param index: the dialogues written so far (``None``: no screening); accepted ones are added.
    :return: ``(result, None)`` for a result to write; ``(result, RETRY)`` for one that is
        made again; ``(result, reason)`` for one that stayed a near-duplicate.
    """
    plan_seed = {job.dialogue_id: job.seed for job in jobs}
    todo = jobs
    for retry in range(NEAR_DUPLICATE_RETRIES + 1):
        again = []
        for job, result in zip(todo, run(todo)):
            fresh = result.dialogue if job.dialogue is None else None  # resumed ones are indexed already
            found = (index.check_and_add(fresh.id, [t.text for t in fresh.turns])
                     if index is not None and fresh is not None else None)
            if found is None:
                yield result, None
            elif retry < NEAR_DUPLICATE_RETRIES:
                again.append(replace(job, seed=retry_seed(plan_seed[job.dialogue_id], retry + 1)))
                yield result, RETRY
            else:
                yield result, near_duplicate_reason(job.dialogue_id, found, index.threshold,  # type: ignore[union-attr]
                                                    retry + 1)
        if not again:
            return
        todo = again


def _log_failures(corpus: Path, result: DialogueResult) -> None:
    for stage, item, reason in result.failures:
        log_failure(corpus, stage, item, reason)


def run_streaming(corpus: Path, config: RunConfig, workers: int | None = None, threads: int | None = None,
                  shard: Shard | None = None, executor: str = "local", ray_address: str | None = None,
                  quiet: bool = False) -> list[StageReport]:
    """Make the corpus ``config`` asks for (or ``shard``'s share), streaming dialogue by dialogue.

    :param workers: worker processes or Ray actors (``None`` = :func:`default_workers`).
    :param threads: engine threads per worker (``None`` = cores / workers).
    :return: one :class:`StageReport` per stage, as the staged commands give.
    """
    start = time.perf_counter()
    workers = workers or default_workers()
    threads = threads or threads_per_worker(workers)
    jobs, skipped = _plan_jobs(corpus, config, shard)
    if corpus_wide(config) and jobs:
        jobs = _with_casts(corpus, config, jobs)
    for stage in STAGES:  # every failed item is retried now: old lines would be stale
        reset_failures(corpus, stage)
    reports = {s: StageReport(s, skipped=skipped) for s in STAGES}
    progress = RunProgress(len(jobs), quiet=quiet)
    counters = {k: Counter() for k in ("rejected_turns", "rejected_dialogues", "gate")}
    backends: dict[str, Any] = {}
    wers: list[float] = []
    drawn: list[dict[str, Any]] = []  # acoustic conditions drawn per channel, for meta.json
    rss: dict[int, float] = {}  # dialogues finished -> peak RSS of any worker so far (MB)
    audio = {"speech": 0.0, "duplex": 0.0}
    index = near_duplicate_index(corpus, config) if jobs else None

    def run(todo: list[DialogueJob]) -> Iterator[DialogueResult]:
        return run_jobs(todo, corpus, config, workers, threads, executor, ray_address or config.ray_address)

    with _Writers(corpus) as writers:
        release_engines()  # the workers load their own, held to their threads: no second copy here
        for result, rejected in screen_near_duplicates(jobs, run, index):
            for stage, seconds in result.seconds.items():
                reports[stage].seconds += seconds
            if rejected is not None:  # not written: made again, or logged
                counters["rejected_dialogues"]["near_duplicate"] += 1
                if rejected != RETRY:
                    log_failure(corpus, "text", result.dialogue_id, rejected)
                    reports["text"].failed.append((result.dialogue_id, rejected))
                    progress.update(False, 0.0)
                continue
            writers.write(result)
            _log_failures(corpus, result)
            for stage, item, reason in result.failures:
                reports[stage].failed.append((item, reason))
            reports["text"].done += result.dialogue is not None
            for v in result.variants:
                reports["speech"].done += v.utterances is not None and not v.utterances_written
                reports["duplex"].done += v.timeline is not None and not v.timeline_written
                reports["eval"].done += v.summary is not None
                audio["speech"] += v.audio_seconds
                if v.timeline is not None and not v.timeline_written:
                    audio["duplex"] += v.timeline.duration
                    drawn.extend((v.timeline.meta.get("acoustics") or {}).get("channels", []))
                if v.summary is not None and v.drop_reason is None:
                    wers.append(v.summary.wer)
            for k in counters:
                counters[k].update(getattr(result, k))
            for name, info in result.backends.items():
                if name == "tts":  # one entry per TTS backend, from whichever dialogue used it
                    backends.setdefault(name, {}).update(info)
                else:
                    backends[name] = info
            finished = progress.done + progress.failed + 1
            peak = max(rss.values(), default=0.0)
            rss[finished] = max(peak, result.peak_rss_mb)
            progress.update(not result.failures, sum(v.timeline.duration for v in result.variants
                                                     if v.timeline is not None and not v.timeline_written))
        writers.apply_changes()
    progress.close()
    reports["text"].extra.update(rejected_turns=dict(counters["rejected_turns"]),
                                 rejected_dialogues=dict(counters["rejected_dialogues"]),
                                 content=corpus_content(corpus), diversity=corpus_diversity(corpus))
    reports["speech"].extra["audio_seconds"] = round(audio["speech"], 2)
    reports["duplex"].extra["audio_seconds"] = round(audio["duplex"], 2)
    reports["duplex"].extra.update(summarize_conditions(config, drawn))
    reports["eval"].extra.update(gate=dict(counters["gate"]),
                                 mean_wer=round(sum(wers) / len(wers), 4) if wers else None,
                                 speakers=corpus_speakers(corpus))
    stage_backends = {"text": ("llm", "spoken_form"), "speech": ("tts",), "eval": ("asr",)}
    for stage in STAGES:
        found = {key: backends[key] for key in stage_backends.get(stage, ()) if key in backends}
        update_meta(corpus, config, stage, {**reports[stage].as_meta(), "streamed": True}, found or None)
    summary = {"workers": workers, "threads_per_worker": threads, "executor": executor,
               "shard": str(shard) if shard else None, "skipped": skipped, **progress.status(),
               "wall_seconds": round(time.perf_counter() - start, 2),
               "stage_seconds": {s: round(r.seconds, 2) for s, r in reports.items()},
               "peak_rss_mb_per_worker": {n: rss[n] for n in sorted(rss) if n in (1, 10, 100, 1000) or n == len(rss)},
               "failures": [{"stage": s, "id": i, "reason": r} for s, rep in reports.items() for i, r in rep.failed]}
    write_json_atomic(corpus / RUN_SUMMARY, summary)
    return list(reports.values())
