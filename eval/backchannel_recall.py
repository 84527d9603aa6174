"""Backchannels scored apart from turn WER: recall, the share of placed backchannels heard.

A backchannel ("mm-hmm", "uh-huh") is a short sound Whisper often writes as nothing or as
"Hmm."; a word error rate over one or two words says little. What matters is that the
listener's sound is in the audio where the timeline says: heard by the ASR (any word
assigned to it) or by the VAD (speech on its channel over part of it).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from corpus_core.intervals import covered_length, merge_intervals
from eval.records import TurnEval

__all__ = ["mark_heard", "backchannel_recall", "MIN_VAD_COVER"]

#: share of a backchannel's span the VAD must call speech for it to count as heard
MIN_VAD_COVER = 0.3


def _covered(start: float, end: float, spans: Sequence[tuple[float, float]]) -> float:
    """Share of ``[start, end]`` inside the union of ``spans``."""
    return covered_length(merge_intervals(spans), start, end) / (end - start) if end > start else 0.0


def mark_heard(turn_evals: Sequence[TurnEval], vad_spans: Sequence[tuple[int, float, float]] | None) -> list[TurnEval]:
    """Set ``heard`` on every backchannel: ASR words were assigned to it, or the VAD covers it.

    :param vad_spans: ``(channel, start, end)`` speech spans (``None``: ASR only).
    """
    out = []
    for e in turn_evals:
        if e.kind != "backchannel":
            out.append(e)
            continue
        by_asr = bool(e.hypothesis.strip())
        spans = [(a, b) for c, a, b in vad_spans or () if c == e.channel]
        by_vad = vad_spans is not None and _covered(e.start, e.end, spans) >= MIN_VAD_COVER
        out.append(replace(e, heard=by_asr or by_vad))
    return out


def backchannel_recall(turn_evals: Sequence[TurnEval]) -> dict[str, float | int]:
    """``placed``, ``heard``, ``heard_by_asr`` and ``recall`` (heard / placed) of the backchannels."""
    bcs = [e for e in turn_evals if e.kind == "backchannel"]
    heard = sum(bool(e.heard) for e in bcs)
    return {"placed": len(bcs), "heard": heard, "heard_by_asr": sum(bool(e.hypothesis.strip()) for e in bcs),
            "recall": round(heard / len(bcs), 4) if bcs else 1.0}
