"""The four stages run over a corpus folder, each from the previous stage's manifest.

Every stage skips ids already in its output manifest (a killed run resumes), logs a
failed dialogue with its reason to ``failures.jsonl`` and carries on.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import numpy as np
from tqdm import tqdm

from corpus_core import (
    MANIFESTS,
    ManifestWriter,
    iter_groups,
    iter_jsonl,
    read_manifest,
    rewrite_manifest,
)
from corpus_core.errors import DuplexsynthError, GenerationError
from duplex.records import Timeline
from duplexsynth.casting import iter_casts
from duplexsynth.config import RunConfig
from duplexsynth.corpus_checks import check_timeline_audio
from duplexsynth.degrading import summarize_conditions
from duplexsynth.failures import log_failure, reset_failures
from duplexsynth.gate_actions import Gate, GateOutcome, record_drop
from duplexsynth.meta import update_meta
from duplexsynth.plan import dialogue_plan
from duplexsynth.preflight import (
    probe_llm,
    probe_tts,
    take_asr,
    take_llm,
    take_tts_pool,
)
from duplexsynth.rendering import render_dialogue
from eval.evaluate import load_eval_tools
from speech.backchannel_speech import speak_backchannels
from speech.records import Utterance, Voice
from speech.synthesize import speak_dialogue
from speech.voices import default_voice_bank
from text_dialogue.agents import generate_dialogue
from text_dialogue.content import pool_content
from text_dialogue.diversity import measure_diversity
from text_dialogue.near_duplicates import (
    NEAR_DUPLICATE_RETRIES,
    NearDuplicateError,
    NearDuplicateIndex,
    near_duplicate_reason,
    retry_seed,
)
from text_dialogue.records import Dialogue
from text_dialogue.scenario import get_scenario
from text_dialogue.spoken import spoken_form_info, with_spoken
from text_dialogue.validation import read_dialogue_file

__all__ = ["StageReport", "run_text", "run_speech", "run_duplex", "run_eval", "import_text", "corpus_content",
           "corpus_diversity", "corpus_speakers", "near_duplicate_index"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: seeds tried for one dialogue before it is logged as failed
DIALOGUE_ATTEMPTS = 3


@dataclass
class StageReport:
    """What one stage did in this run."""

    stage: str
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_meta(self) -> dict[str, Any]:
        return {"done": self.done, "skipped": self.skipped, "failed": len(self.failed),
                "seconds": round(self.seconds, 2), **self.extra}


def _guarded(items: Iterable[T], run: Callable[[T], None], report: StageReport, corpus: Path,
             key: Callable[[T], str]) -> None:
    reset_failures(corpus, report.stage)  # every failed item is retried now: old lines would be stale
    for item in items:
        try:
            run(item)
            report.done += 1
        except (DuplexsynthError, ValueError, RuntimeError, OSError) as e:
            # a near-duplicate's reason starts with "near_duplicate", as the streaming run logs it
            reason = str(e) if isinstance(e, NearDuplicateError) else f"{type(e).__name__}: {e}"
            report.failed.append((key(item), reason))
            log_failure(corpus, report.stage, key(item), reason)


def _dialogue_plan(config: RunConfig) -> list[tuple[str, str, int]]:
    """``(dialogue_id, scenario, seed)`` for every dialogue the config asks for."""
    return [(p.dialogue_id, p.scenario, p.seed) for p in dialogue_plan(config)]


def corpus_content(corpus: Path) -> dict[str, Any]:
    """Content measures pooled over every dialogue of the corpus (also those of earlier runs)."""
    path = corpus / MANIFESTS["text"]
    if not path.is_file():
        return pool_content([])
    return pool_content([d.meta["content"] for d in read_manifest(path, Dialogue) if "content" in d.meta])


def corpus_diversity(corpus: Path) -> dict[str, Any]:
    """Diversity figures (:func:`text_dialogue.diversity.measure_diversity`) of every dialogue of the corpus."""
    path = corpus / MANIFESTS["text"]
    dialogues = list(read_manifest(path, Dialogue)) if path.is_file() else []
    return measure_diversity(dialogues).to_dict()


def corpus_speakers(corpus: Path) -> dict[str, Any]:
    """Speaker diversity (:func:`eval.speaker_diversity.measure_speaker_diversity`) of every
    evaluated dialogue: voice ids from utterances.jsonl, embeddings and errors from eval.jsonl."""
    from eval.records import DialogueEval, TurnEval
    from eval.speaker_diversity import SpeakerEntry, measure_speaker_diversity

    utt_path, eval_path = corpus / MANIFESTS["speech"], corpus / MANIFESTS["eval"]
    if not (utt_path.is_file() and eval_path.is_file()):
        return measure_speaker_diversity([])
    voice_of = {(u.dialogue_id, u.speaker): u.voice for u in read_manifest(utt_path, Utterance) if u.kind == "turn"}
    errors: Counter[tuple[str, str]] = Counter()
    words: Counter[tuple[str, str]] = Counter()
    embeddings: dict[tuple[str, str], np.ndarray] = {}
    for record in read_manifest(eval_path):
        if isinstance(record, TurnEval) and record.kind == "turn":
            errors[record.dialogue_id, record.speaker] += record.errors
            words[record.dialogue_id, record.speaker] += record.ref_words
        elif isinstance(record, DialogueEval):
            found = (record.metrics.get("speaker_similarity") or {}).get("embedding") or {}
            for speaker, vec in found.items():
                embeddings[record.dialogue_id, str(speaker)] = np.asarray(vec, dtype=np.float64)
    keys = sorted(k for k in words if k in voice_of)
    return measure_speaker_diversity(
        SpeakerEntry(dialogue_id=d, speaker=sp, voice=voice_of[d, sp], embedding=embeddings.get((d, sp)),
                     errors=errors[d, sp], ref_words=words[d, sp]) for d, sp in keys)


def near_duplicate_index(corpus: Path, config: RunConfig) -> NearDuplicateIndex | None:
    """The near-duplicate index of the dialogues already written (``None`` when ``text.max_similarity`` is off)."""
    threshold = config.text.max_similarity
    if threshold is None:
        return None
    return NearDuplicateIndex.from_manifest(corpus / MANIFESTS["text"], threshold)


def _texts(dialogue: Dialogue) -> list[str]:
    return [t.text for t in dialogue.turns]


def run_text(corpus: Path, config: RunConfig) -> StageReport:
    """Write ``config.dialogues`` agent-pair dialogues to dialogues.jsonl."""
    report, start = StageReport("text"), time.perf_counter()
    rejections: Counter = Counter()
    rejected_dialogues: Counter = Counter()
    with ManifestWriter(corpus / MANIFESTS["text"]) as writer:
        plan = _dialogue_plan(config)
        todo = [p for p in plan if not writer.contains(p[0])]
        report.skipped = len(plan) - len(todo)
        llm = take_llm(config.llm) if todo else None
        if llm is not None:
            probe_llm(llm)  # a wrong key or a server that is down: one line, exit 2, before any dialogue
        scenarios = {name: get_scenario(name) for name in {p[1] for p in todo}}  # read each file once

        index = near_duplicate_index(corpus, config) if todo else None

        def make(did: str, scenario: str, seed: int) -> Dialogue:
            attempt = 0
            while True:
                try:
                    return generate_dialogue(llm, scenarios[scenario], did,  # type: ignore[arg-type]
                                             seed + attempt * 7919, config.text)
                except GenerationError as e:
                    # the critic rejected the whole dialogue: count it and try another seed
                    rejected_dialogues[getattr(e, "reason", None) or "failed"] += 1
                    rejections.update(getattr(e, "rejected_turns", {}))
                    attempt += 1
                    if attempt == DIALOGUE_ATTEMPTS:
                        raise

        def one(item: tuple[str, str, int]) -> None:
            did, scenario, seed = item
            for retry in range(NEAR_DUPLICATE_RETRIES + 1):
                dialogue = make(did, scenario, retry_seed(seed, retry) if retry else seed)
                found = index.check_and_add(did, _texts(dialogue)) if index is not None else None
                if found is None:
                    break
                rejected_dialogues["near_duplicate"] += 1  # too like one already written: a new seed
            if found is not None:
                raise NearDuplicateError(near_duplicate_reason(did, found, index.threshold,  # type: ignore[union-attr]
                                                               NEAR_DUPLICATE_RETRIES + 1))
            rejections.update(dialogue.meta.get("rejected_turns", {}))
            writer.write(with_spoken(dialogue))

        _guarded(tqdm(todo, desc="text", unit="dlg", disable=None), one, report, corpus, lambda p: p[0])
        backends = {"llm": llm.model_info(), "spoken_form": spoken_form_info()} if llm else None
        if llm:
            llm.close()
    report.seconds = time.perf_counter() - start
    report.extra.update(rejected_turns=dict(rejections), rejected_dialogues=dict(rejected_dialogues))
    report.extra["content"] = corpus_content(corpus)
    report.extra["diversity"] = corpus_diversity(corpus)
    update_meta(corpus, config, "text", report.as_meta(), backends)
    return report


def import_text(corpus: Path, config: RunConfig, dialogues: list[Dialogue]) -> StageReport:
    """Write dialogues the user already has (from an importer) to dialogues.jsonl."""
    report = StageReport("text")
    with ManifestWriter(corpus / MANIFESTS["text"]) as writer:
        for d in dialogues:
            if writer.contains(d.id):
                report.skipped += 1
                continue
            writer.write(with_spoken(d))
            report.done += 1
    update_meta(corpus, config, "text", {**report.as_meta(), "imported": True}, {"spoken_form": spoken_form_info()})
    return report


def run_speech(corpus: Path, config: RunConfig, source: Path | None = None) -> StageReport:
    """Synthesize every turn of every dialogue (``source`` or the corpus's dialogues.jsonl)."""
    report, start = StageReport("speech"), time.perf_counter()
    text = corpus / MANIFESTS["text"]
    if source is not None and source.resolve() != text.resolve():
        imported = read_dialogue_file(source)  # a user's file: ids sanitized, turns checked
        import_text(corpus, config, imported)  # keep the corpus self-contained (the gate re-reads the text)
        dialogues: Callable[[], Iterable[Dialogue]] = lambda: imported  # noqa: E731
    else:
        dialogues = lambda: read_manifest(text, Dialogue)  # noqa: E731 - streamed, twice
    bank = default_voice_bank(config.voice_banks)
    pool = take_tts_pool(config.tts)
    speech_cfg = config.speech
    audio_seconds = 0.0
    engines: dict[str, dict[str, Any]] = {}
    with ManifestWriter(corpus / MANIFESTS["speech"], key="dialogue_id") as writer:
        # first pass: the casts still to speak (small), not the dialogues; the second pass streams them
        casts: dict[str, list[tuple[str, dict[str, Voice]]]] = {}
        total = 0
        for d, did, cast in iter_casts(dialogues(), bank, config, pool):
            total += 1
            if not writer.contains(did):
                casts.setdefault(d.id, []).append((did, cast))
        report.skipped = total - sum(len(c) for c in casts.values())
        probe_tts(pool, {v.id: v for c in casts.values() for _, cast in c for v in cast.values()}.values())  # exit 2
        todo = ((d, did, cast) for d in dialogues() for did, cast in casts.pop(d.id, ()))

        def one(job: tuple[Dialogue, str, dict[str, Voice]]) -> None:
            nonlocal audio_seconds
            dialogue, did, cast = job
            utts = speak_dialogue(dialogue, cast, pool, speech_cfg, corpus / "audio", corpus, did)
            # the listener tokens, once per speaker in that speaker's voice, for the duplex stage
            utts += speak_backchannels(cast, pool, speech_cfg, corpus / "audio", corpus, did)
            for voice in cast.values():
                engines.setdefault(voice.backend, pool.get(voice.backend).model_info(voice))
            writer.write_many(utts)
            audio_seconds += sum(u.duration for u in utts if u.kind == "turn")

        _guarded(tqdm(todo, desc="speech", unit="dlg", disable=None), one, report, corpus, lambda j: j[1])
    report.seconds = time.perf_counter() - start
    report.extra["audio_seconds"] = round(audio_seconds, 2)
    update_meta(corpus, config, "speech", report.as_meta(), {"tts": engines} if engines else None)
    return report


def run_duplex(corpus: Path, config: RunConfig) -> StageReport:
    """Place each dialogue's utterances on two channels; write stereo + mono audio and transcripts."""
    report, start = StageReport("duplex"), time.perf_counter()
    speech = corpus / MANIFESTS["speech"]
    audio_seconds, drawn = 0.0, []
    with ManifestWriter(corpus / MANIFESTS["duplex"]) as writer:
        # streamed: one dialogue's utterances in memory at a time
        groups = iter_groups(read_manifest(speech, Utterance), lambda u: u.dialogue_id, str(speech))

        # a cheap first pass (ids only) gives the progress bar its total and ETA
        pending = len({str(d.get("dialogue_id")) for _, d in iter_jsonl(speech)} - writer.ids)

        def todo() -> Iterator[tuple[str, list[Utterance]]]:
            for did, utts in groups:
                if writer.contains(did):
                    report.skipped += 1
                else:
                    yield did, utts

        def one(group: tuple[str, list[Utterance]]) -> None:
            nonlocal audio_seconds
            timeline = render_dialogue(corpus, config, *group)
            writer.write(timeline)
            audio_seconds += timeline.duration
            drawn.extend((timeline.meta.get("acoustics") or {}).get("channels", []))

        _guarded(tqdm(todo(), desc="duplex", unit="dlg", total=pending, disable=None), one, report, corpus, lambda g: g[0])
    report.seconds = time.perf_counter() - start
    report.extra["audio_seconds"] = round(audio_seconds, 2)
    report.extra.update(summarize_conditions(config, drawn))
    update_meta(corpus, config, "duplex", report.as_meta())
    return report


def run_eval(corpus: Path, config: RunConfig) -> StageReport:
    """Transcribe both channels of every dialogue, score each segment and apply the WER gate.

    The gate may re-synthesize bad turns (and re-render their dialogue) or drop a
    dialogue: dropped timelines move from timelines.jsonl to dropped.jsonl. Those
    manifest changes are applied once at the end of the run (one pass per manifest,
    not one per dialogue); the eval records of the changed dialogues are written right
    after, so a killed run never leaves eval records that describe audio the manifests
    do not (a rerun evaluates those dialogues again).
    """
    report, start = StageReport("eval"), time.perf_counter()
    wers: list[float] = []
    gate = Gate(corpus, config)
    changed: list[tuple[Timeline, GateOutcome]] = []
    with ManifestWriter(corpus / MANIFESTS["eval"], key="dialogue_id") as writer:
        todo, total = [], 0
        for t in read_manifest(corpus / MANIFESTS["duplex"], Timeline):  # streamed
            total += 1
            if not writer.contains(t.id):
                todo.append(t)
        report.skipped = total - len(todo)
        check_timeline_audio(corpus, todo)  # a stereo file that does not match its record: exit 2 now
        asr = take_asr(config.asr) if todo else None
        if todo:
            load_eval_tools(config.eval)  # VAD / speaker encoder problems stop the run here, not per dialogue

        def one(timeline: Timeline) -> None:
            outcome = gate.evaluate_in_memory(timeline, asr)  # type: ignore[arg-type]
            if outcome.timeline is not timeline or outcome.drop_reason is not None:
                changed.append((timeline, outcome))
            else:
                writer.write_many([*outcome.turns, outcome.summary])
            if outcome.drop_reason is None:
                wers.append(outcome.summary.wer)

        _guarded(tqdm(todo, desc="eval", unit="dlg", disable=None), one, report, corpus, lambda t: t.id)
        apply_gate_changes(corpus, changed)
        for _, outcome in changed:
            writer.write_many([*outcome.turns, outcome.summary])
    report.seconds = time.perf_counter() - start
    report.extra.update(gate.counts(), mean_wer=round(float(np.mean(wers)), 4) if wers else None,
                        speakers=corpus_speakers(corpus))
    update_meta(corpus, config, "eval", report.as_meta(), {"asr": asr.model_info()} if asr else None)
    return report


def apply_gate_changes(corpus: Path, changed: list[tuple[Timeline, GateOutcome]]) -> None:
    """Rewrite utterances.jsonl and timelines.jsonl once for every gate change of a run."""
    if not changed:
        return
    speech = {t.id: o.utterances for t, o in changed if o.timeline is not t and o.utterances is not None}
    duplex = {t.id: [o.timeline] for t, o in changed if o.timeline is not t and o.drop_reason is None}
    drop = {t.id for t, o in changed if o.drop_reason is not None}
    if speech:
        rewrite_manifest(corpus / MANIFESTS["speech"], speech, key="dialogue_id")  # type: ignore[arg-type]
    rewrite_manifest(corpus / MANIFESTS["duplex"], duplex, drop=drop)  # type: ignore[arg-type]
    for _, o in changed:
        if o.drop_reason is not None:
            record_drop(corpus, o.timeline, o.drop_reason)
