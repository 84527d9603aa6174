"""The ASR round trip: transcribe each channel, assign words to segments, score them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from duplex.records import Segment, Timeline
from eval.asr.base import ASR, ASR_SAMPLING_RATE
from eval.records import DialogueEval, TurnEval
from eval.wer import char_errors, word_errors
from speech.audio import resample
from speech.records import Word

__all__ = ["EvalConfig", "assign_words", "evaluate_timeline"]


@dataclass(frozen=True)
class EvalConfig:
    """Options of the eval stage."""

    #: a word belongs to the segment its midpoint lies in, or to one this close (s)
    assign_tolerance: float = 0.3
    #: turns above this WER are flagged
    wer_threshold: float = 0.3


def assign_words(words: list[Word], segments: list[Segment], tolerance: float) -> list[list[Word]]:
    """Give each ASR word to the segment (of one channel) nearest its midpoint.

    Words farther than ``tolerance`` from every segment are dropped (they are noise or
    leaked speech, and count as nothing).
    """
    out: list[list[Word]] = [[] for _ in segments]
    if not segments:
        return out
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    for w in words:
        mid = (w.start + w.end) / 2
        distance = np.maximum(starts - mid, 0) + np.maximum(mid - ends, 0)
        i = int(np.argmin(distance))
        if distance[i] <= tolerance:
            out[i].append(w)
    return out


def evaluate_timeline(
    timeline: Timeline, stereo: np.ndarray, asr: ASR, config: EvalConfig = EvalConfig()
) -> tuple[list[TurnEval], DialogueEval]:
    """Transcribe both channels of ``stereo`` and score every segment of ``timeline``."""
    turn_evals: list[TurnEval] = []
    for channel in (0, 1):
        segments = timeline.channel_segments(channel)
        audio = resample(np.ascontiguousarray(stereo[:, channel]), timeline.sampling_rate, ASR_SAMPLING_RATE)
        words = asr.transcribe(audio)
        for seg, seg_words in zip(segments, assign_words(words, segments, config.assign_tolerance)):
            hyp = " ".join(w.text for w in seg_words)
            we, ce = word_errors(seg.text, hyp), char_errors(seg.text, hyp)
            turn_evals.append(TurnEval(
                dialogue_id=timeline.id, channel=channel, speaker=seg.speaker, turn_index=seg.turn_index,
                kind=seg.kind, start=seg.start, end=seg.end, reference=seg.text, hypothesis=hyp,
                wer=round(we.rate, 4), cer=round(ce.rate, 4), ref_words=we.ref_len, errors=we.errors,
                words=tuple(seg_words), flagged=we.rate > config.wer_threshold,
            ))
    return turn_evals, summarize(timeline, turn_evals)


def _pooled(evals: list[TurnEval]) -> float:
    ref = sum(e.ref_words for e in evals)
    return round(sum(e.errors for e in evals) / ref, 4) if ref else 0.0


def summarize(timeline: Timeline, turn_evals: list[TurnEval]) -> DialogueEval:
    """Pooled WER/CER of a dialogue (turn segments only; backchannels are scored apart)."""
    turns = [e for e in turn_evals if e.kind == "turn"]
    chars = [char_errors(e.reference, e.hypothesis) for e in turns]
    char_ref = sum(c.ref_len for c in chars)
    return DialogueEval(
        dialogue_id=timeline.id, wer=_pooled(turns),
        cer=round(sum(c.errors for c in chars) / char_ref, 4) if char_ref else 0.0,
        ref_words=sum(e.ref_words for e in turns), errors=sum(e.errors for e in turns),
        channel_wer={sp: _pooled([e for e in turns if e.speaker == sp]) for sp in ("A", "B")},
        num_turns=len(turns), duration=timeline.duration,
        metrics={"backchannel_wer": _pooled([e for e in turn_evals if e.kind == "backchannel"])},
    )
