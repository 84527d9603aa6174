"""cpWER of the mono mix: one ASR pass over both speakers, scored with meeteval.

The mono transcript has no speakers, so each word is attributed to the speaker whose
segment (on the timeline) lies nearest its midpoint; meeteval then finds the best
permutation of hypothesis streams onto reference speakers (concatenated minimum-
permutation WER, as in the CHiME-6 challenge).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from corpus_core.errors import MissingDependency
from duplex.records import Segment, Timeline
from eval.normalize import normalize_text
from speech.records import Word

__all__ = ["CpWerResult", "cp_wer", "attribute_words", "mono_cpwer"]


@dataclass(frozen=True)
class CpWerResult:
    """cpWER with its counts; ``assignment`` pairs reference and hypothesis speakers."""

    wer: float
    errors: int
    length: int
    assignment: tuple[tuple[str | None, str | None], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"wer": round(self.wer, 4), "errors": self.errors, "length": self.length,
                "assignment": [list(a) for a in self.assignment]}


def cp_wer(reference: dict[str, str], hypothesis: dict[str, str]) -> CpWerResult:
    """Concatenated minimum-permutation WER of speaker -> text maps (normalized first)."""
    try:
        from meeteval.wer import cp_word_error_rate
    except ImportError:
        raise MissingDependency("meeteval", extra="eval", why="cpWER") from None
    ref = {k: normalize_text(v) for k, v in reference.items()}
    hyp = {k: normalize_text(v) for k, v in hypothesis.items()} or {"_": ""}
    # meeteval's "preprocess" logger warns that plain strings have no timestamps; that is what we mean
    log = logging.getLogger("preprocess")
    level, log.level = log.level, logging.ERROR
    try:
        result = cp_word_error_rate(reference=ref, hypothesis=hyp)
    finally:
        log.setLevel(level)
    rate = result.error_rate if result.error_rate is not None else (0.0 if result.errors == 0 else 1.0)
    return CpWerResult(float(rate), int(result.errors), int(result.length), tuple(result.assignment))


def attribute_words(words: Sequence[Word], segments: Sequence[Segment], tolerance: float) -> dict[str, list[Word]]:
    """Speaker -> the mono-mix words nearest that speaker's segments (farther than ``tolerance``: dropped)."""
    out: dict[str, list[Word]] = {}
    if not segments:
        return out
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    centers = (starts + ends) / 2
    for w in words:
        mid = (w.start + w.end) / 2
        distance = np.maximum(starts - mid, 0) + np.maximum(mid - ends, 0)
        # inside two overlapping segments: prefer the one whose centre is nearer (relative to its length)
        tie = np.abs(mid - centers) / np.maximum(ends - starts, 1e-3)
        i = int(np.lexsort((tie, distance))[0])
        if distance[i] <= tolerance:
            out.setdefault(segments[i].speaker, []).append(w)
    return out


def mono_cpwer(timeline: Timeline, words: Sequence[Word], tolerance: float = 0.3) -> CpWerResult:
    """cpWER of mono-mix ASR ``words`` against the timeline's audible text per speaker."""
    segments = sorted(timeline.segments, key=lambda s: s.start)
    reference = {sp: " ".join(s.text for s in segments if s.speaker == sp) for sp in sorted({s.speaker for s in segments})}
    hypothesis = {f"hyp-{sp}": " ".join(w.text for w in ws) for sp, ws in attribute_words(words, segments, tolerance).items()}
    return cp_wer(reference, hypothesis)
