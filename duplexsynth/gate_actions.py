"""The WER gate in the pipeline: evaluate a dialogue, then pass, flag, drop or re-synthesize it.

Re-synthesis speaks the failed turns again, writes them to new files, re-renders the
dialogue and evaluates it again, up to ``gate.max_retries`` rounds. What changes depends on
the engine: one whose seed steers its audio (coqui) gets another seed; a deterministic one
(espeak, piper) would say the same again, so round 1 speaks slower and later rounds respell
the names the ASR missed (the first of :func:`eval.respell.respellings` that the ASR, hearing
the turn alone, writes as the name; the engine gets the respelling, the transcript keeps the
name, meta.json lists each) or else set the words it missed apart with commas, when they are
a few. A
round that scores worse than an earlier one is not kept: when the rounds run out, the
dialogue keeps the audio of its best-scoring round (fewest errors). Every action is counted
for meta.json.
:meth:`Gate.evaluate_in_memory` touches no manifest: the caller writes the final records
(the streaming run) or batches the rewrites once per run (``run_eval``) and writes the
eval records of changed dialogues after them, so a killed run never leaves eval records
that describe audio the manifests do not. :meth:`Gate.evaluate` rewrites right away.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from corpus_core import MANIFESTS, read_manifest, rewrite_manifest
from corpus_core.atomic import write_text_atomic
from corpus_core.errors import GenerationError
from corpus_core.layout import DROPPED_FILE, inside
from corpus_core.manifest import iter_jsonl
from corpus_core.seeding import stable_seed
from duplex.records import Timeline
from duplexsynth.config import RunConfig
from duplexsynth.rendering import render_dialogue
from eval.acoustics import eval_audio_path, measure_acoustics
from eval.asr.base import ASR, ASR_SAMPLING_RATE
from eval.evaluate import evaluate_timeline
from eval.gate import gate_dialogue
from eval.records import DialogueEval, TurnEval
from eval.respell import (
    isolate_words,
    missed_names,
    missed_tokens,
    name_words,
    respellings,
)
from eval.words import join_words
from speech.audio import read_audio, resample, write_audio
from speech.records import Utterance, Voice, Word
from speech.synthesize import TTSPool, speak_text, turn_rates
from speech.tts.alignment import text_words
from speech.voices import default_voice_bank
from text_dialogue.records import Dialogue

__all__ = ["Gate", "GateOutcome", "record_drop", "respelled_names", "written_words"]

log = logging.getLogger(__name__)

#: each re-synthesis round of a deterministic engine speaks this much slower again (rate factor)
RESPEAK_SLOWER = 0.88
#: respelling sets at most this many missed words apart; a turn the ASR missed more of (an
#: empty hypothesis) is only spoken slower: commas around every word make a list of single
#: words with a pause after each, which Whisper hears worse than the plain turn
ISOLATE_MAX_WORDS = 3


@dataclass
class GateOutcome:
    """What the gate made of one dialogue (see :meth:`Gate.evaluate_in_memory`)."""

    turns: list[TurnEval]
    summary: DialogueEval
    #: the timeline that was scored last (a re-synthesized one after a re-synthesis)
    timeline: Timeline
    #: the utterances of that timeline (``None`` when they were never needed)
    utterances: list[Utterance] | None
    #: why the gate dropped the dialogue; ``None`` = kept
    drop_reason: str | None = None


def written_words(text: str, words: tuple[Word, ...] | None) -> tuple[Word, ...] | None:
    """The engine's word times of a respelled ``text`` under the written words of ``text``
    ("Calistoga" at the times of "Calistogah"); ``None`` when the counts differ (a respelling
    split by hyphens reads as several words: times then come from ASR)."""
    written = text_words(text)
    if words is None or len(written) != len(words):
        return None
    return tuple(Word(w, t.start, t.end) for w, t in zip(written, words))


def respelled_names(utterances: Iterable[Utterance]) -> dict[str, str]:
    """Written word -> what the engine was given instead, over ``utterances`` (their
    ``tts_text``); the words of a respelled turn stay in place, so the two align token by token."""
    return {a: b for u in utterances if u.tts_text for a, b in zip(u.text.split(), u.tts_text.split()) if a != b}


def record_drop(corpus: Path, timeline: Timeline, reason: str) -> None:
    """Write ``timeline`` with its drop reason to dropped.jsonl (one line per dialogue).

    A rerun after a kill that drops the same timeline again replaces its line instead of
    adding a second.
    """
    path = corpus / DROPPED_FILE
    rows = [d for _, d in iter_jsonl(path) if d.get("id") != timeline.id] if path.is_file() else []
    rows.append({**timeline.to_dict(), "drop_reason": reason})
    write_text_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    log.warning("gate: dropped %s: %s", timeline.id, reason)


class Gate:
    """Evaluates dialogues under ``config.eval.gate`` and applies its decision."""

    def __init__(self, corpus: Path, config: RunConfig, pool: TTSPool | None = None) -> None:
        """:param pool: TTS engines to re-synthesize with (``None`` = built on first need)."""
        self.corpus = corpus
        self.config = config
        self.actions: Counter = Counter()
        self._pool: TTSPool | None = pool
        #: the ASR of the dialogue being evaluated (judges respellings)
        self._asr: ASR | None = None

    def evaluate(self, timeline: Timeline, asr: ASR) -> tuple[list[TurnEval], DialogueEval]:
        """Score ``timeline``; re-synthesize or drop it as the gate decides (manifests updated)."""
        outcome = self.evaluate_in_memory(timeline, asr)
        if outcome.timeline is not timeline:  # re-synthesized: the manifests describe the new audio
            rewrite_manifest(self.corpus / MANIFESTS["speech"], {timeline.id: outcome.utterances}, key="dialogue_id")
            rewrite_manifest(self.corpus / MANIFESTS["duplex"], {timeline.id: [outcome.timeline]})
        if outcome.drop_reason is not None:
            self._drop(outcome.timeline, outcome.drop_reason)
        return outcome.turns, outcome.summary

    def evaluate_in_memory(self, timeline: Timeline, asr: ASR, utterances: list[Utterance] | None = None,
                           dialogue: Dialogue | None = None) -> GateOutcome:
        """Score ``timeline`` and apply the gate without touching any manifest.

        :param utterances: the dialogue's utterances (``None`` = read utterances.jsonl
            when a re-synthesis needs them).
        :param dialogue: its text dialogue (``None`` = read dialogues.jsonl when needed).
        :return: the final timeline and utterances (new ones after a re-synthesis), the
            eval records, and the drop reason when the gate drops the dialogue.
        """
        rounds = 0
        self._asr = asr
        first: DialogueEval | None = None
        best: tuple[int, Timeline, list[Utterance] | None, list[TurnEval], DialogueEval, Any] | None = None
        while True:
            stereo, _ = read_audio(inside(self.corpus, eval_audio_path(timeline, self.config.eval.audio)))
            turns, summary = evaluate_timeline(timeline, stereo, asr, self.config.eval)
            first = summary if first is None else first
            decision = gate_dialogue(turns, self.config.eval.gate, rounds, summary.metrics)
            if best is None or summary.errors < best[0]:
                best = (summary.errors, timeline, utterances, turns, summary, stereo)
            if decision.action_taken != "resynthesize":
                break
            rounds += 1
            log.info("gate: %s: re-synthesizing turns %s (round %d)", timeline.id, decision.turns_to_resynthesize, rounds)
            if utterances is None:
                # streamed: only this dialogue's utterances are kept
                utterances = [u for u in read_manifest(self.corpus / MANIFESTS["speech"], Utterance)
                              if u.dialogue_id == timeline.id]
            timeline, utterances = self._resynthesize(timeline, utterances, dialogue, decision.turns_to_resynthesize,
                                                      rounds, turns)
        if rounds and best is not None and best[1] is not timeline:
            # the rounds ran out and the last one scored worse than an earlier one: keep that one
            log.info("gate: %s: keeping the audio of an earlier round (%d errors against %d)", timeline.id,
                     best[0], summary.errors)
            _, timeline, utterances, turns, summary, stereo = best
            self.actions["resynthesize:kept_earlier"] += 1
        self.actions[decision.action_taken] += 1
        gate_info = {"action": decision.action_taken, "reason": decision.reason,
                     "failed_turns": decision.failed_turns, "resynthesis_rounds": rounds,
                     # name -> what the engine was given instead, in the audio kept
                     "respelled": respelled_names(utterances or ()),
                     # the first pass, before any re-synthesis: WER before and after the gate's actions
                     "before": {"wer": first.wer, "errors": first.errors, "ref_words": first.ref_words}}
        metrics = {**summary.metrics, "gate": gate_info, "audio": self.config.eval.audio}
        if timeline.degraded_path:  # drawn against measured, whichever audio ASR heard
            audio = self.config.eval.audio
            degraded = stereo if audio == "degraded" else read_audio(inside(self.corpus, timeline.degraded_path))[0]
            clean = stereo if audio == "clean" else read_audio(inside(self.corpus, timeline.audio_path))[0]
            metrics["acoustics"] = measure_acoustics(timeline, degraded, clean)
        return GateOutcome(turns, replace(summary, metrics=metrics), timeline,
                           utterances, decision.reason if decision.action_taken == "drop" else None)

    def counts(self) -> dict[str, Any]:
        """How many dialogues each gate action applied to, how many turns each re-synthesis
        change ("resynthesize:reseed", "resynthesize:slower", "resynthesize:respell",
        "resynthesize:isolate") touched, and how many respellings were tried ("respell_tries")."""
        return {"gate": dict(self.actions)}

    def _respeak(self, utt: Utterance, rounds: int, seeded: bool, evals: list[TurnEval], voice: Voice,
                 rate: float) -> tuple[str, str | None, float, int, str]:
        """``(text, engine text or None, rate factor, seed, action)`` for speaking ``utt`` again
        in round ``rounds`` (the engine text differs from ``text`` only where a name is respelled)."""
        seed = stable_seed("resynthesize", utt.id, rounds) % 2**31
        if seeded:
            return utt.text, None, 1.0, seed, "reseed"
        slower = RESPEAK_SLOWER ** rounds
        if rounds == 1:
            return utt.text, None, slower, seed, "slower"
        # a turn cut at its pauses has one eval per segment: its whole hypothesis is theirs joined
        parts = sorted((e for e in evals if e.turn_index == utt.turn_index and e.kind == "turn"), key=lambda e: e.start)
        heard = " ".join(e.hypothesis for e in parts)
        missed = missed_tokens(utt.text, heard)
        named = missed_names(utt.text, heard, name_words(e.reference for e in evals if e.kind == "turn"))
        if named and self.config.eval.gate.respell_names:
            found = self._respell(utt, named, voice, rate * slower, seed)
            if found:
                spelled = [found.get(i, tok) for i, tok in enumerate(utt.text.split())]
                return utt.text, " ".join(spelled), slower, seed, "respell"
        if not 1 <= len(missed) <= ISOLATE_MAX_WORDS:
            return utt.text, None, slower, seed, "slower"
        return isolate_words(utt.text, missed), None, slower, seed, "isolate"

    def _respell(self, utt: Utterance, indices: list[int], voice: Voice, rate: float, seed: int) -> dict[int, str]:
        """Token index -> the first respelling of that name that the ASR, hearing the turn spoken
        with it alone, no longer misses (the others of ``indices`` spelled as written)."""
        if self._asr is None:
            return {}
        speech, tokens, found = self.config.speech, utt.text.split(), {}
        for i in indices:
            for candidate in respellings(tokens[i]):
                trial = " ".join(candidate if k == i else tok for k, tok in enumerate(tokens))
                syn = speak_text(trial, voice, self._pool, speech, rate, seed=seed)  # type: ignore[arg-type]
                heard = join_words(self._asr.transcribe(resample(syn.samples, speech.sampling_rate, ASR_SAMPLING_RATE)))
                self.actions["resynthesize:respell_tries"] += 1
                if i not in missed_tokens(utt.text, heard):
                    found[i] = candidate
                    break
        return found

    def _resynthesize(self, timeline: Timeline, utterances: list[Utterance], dialogue: Dialogue | None,
                      turn_indices: list[int], rounds: int,
                      evals: list[TurnEval] | None = None) -> tuple[Timeline, list[Utterance]]:
        did = timeline.id
        source = utterances[0].source_dialogue_id or did
        if dialogue is None or dialogue.id != source:
            dialogue = next((d for d in read_manifest(self.corpus / MANIFESTS["text"], Dialogue) if d.id == source), None)
        if dialogue is None:
            raise GenerationError(f"gate: cannot re-synthesize {did}: its text dialogue {source} is not in dialogues.jsonl")
        bank = default_voice_bank(self.config.voice_banks)
        self._pool = self._pool or TTSPool(self.config.tts)
        speech = self.config.speech
        rates = turn_rates(dialogue, did, speech)
        new: list[Utterance] = []
        for utt in utterances:
            if utt.kind != "turn" or utt.turn_index not in turn_indices:
                new.append(utt)
                continue
            if utt.voice not in bank:
                raise GenerationError(f"gate: voice {utt.voice!r} of {utt.id} is not in the voice bank any more")
            voice = bank[utt.voice]
            seeded = type(self._pool.get(voice.backend)).uses_seed
            text, tts_text, factor, seed, action = self._respeak(utt, rounds, seeded, evals or [], voice,
                                                                 rates[utt.turn_index])
            self.actions[f"resynthesize:{action}"] += 1
            syn = speak_text(tts_text or text, voice, self._pool, speech, rates[utt.turn_index] * factor, seed=seed)
            path = Path(utt.audio_path).with_name(f"{utt.id}-r{rounds}.{speech.audio_format}")
            write_audio(inside(self.corpus, path), syn.samples, speech.sampling_rate)
            words = written_words(text, syn.words) if tts_text else syn.words
            new.append(replace(utt, text=text, tts_text=tts_text, audio_path=str(path),
                               duration=len(syn.samples) / speech.sampling_rate,
                               words=words, word_times="engine" if words is not None else "asr"))
        self._pool.release_memory()  # the next ASR pass's peak does not stack on the TTS arena
        rendered = render_dialogue(self.corpus, self.config, did, new, suffix=f"-r{rounds}")
        return rendered, new

    def _drop(self, timeline: Timeline, reason: str) -> None:
        """Move the timeline to dropped.jsonl so exports and reports leave it out."""
        record_drop(self.corpus, timeline, reason)
        rewrite_manifest(self.corpus / MANIFESTS["duplex"], {}, drop={timeline.id})
