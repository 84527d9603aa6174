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

from corpus_core.errors import MissingDependency
from duplex.records import Timeline
from eval.normalize import match_readings, normalize_text
from eval.words import assign_words, join_words
from speech.records import Word

__all__ = ["CpWerResult", "cp_wer", "mono_cpwer"]


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


#: between two speakers' words for :func:`match_readings` (no normalized word holds it): no
#: compound is made of one speaker's last word and the next speaker's first
_SPEAKER_BREAK = "|"


def _normalized(reference: dict[str, str], hypothesis: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Both sides as :func:`~eval.wer.word_errors` reads them: :func:`normalize_text`, then the
    hypothesis's readings ("fresh water" for "freshwater") spelled as any reference speaker spells them."""
    ref = {k: normalize_text(v) for k, v in reference.items()}
    ref_words: list[str] = []
    for text in ref.values():
        ref_words += [*text.split(), _SPEAKER_BREAK]
    hyp = {k: " ".join(match_readings(ref_words, normalize_text(v).split())) for k, v in hypothesis.items()}
    return ref, hyp


def cp_wer(reference: dict[str, str], hypothesis: dict[str, str]) -> CpWerResult:
    """Concatenated minimum-permutation WER of speaker -> text maps, normalized as WER is."""
    try:
        from meeteval.wer import cp_word_error_rate
    except ImportError:
        raise MissingDependency("meeteval", extra="eval", why="cpWER") from None
    ref, hyp = _normalized(reference, hypothesis)
    hyp = hyp or {"_": ""}
    # meeteval's "preprocess" logger warns that plain strings have no timestamps; that is what we mean
    log = logging.getLogger("preprocess")
    level, log.level = log.level, logging.ERROR
    try:
        result = cp_word_error_rate(reference=ref, hypothesis=hyp)
    finally:
        log.setLevel(level)
    rate = result.error_rate if result.error_rate is not None else (0.0 if result.errors == 0 else 1.0)
    return CpWerResult(float(rate), int(result.errors), int(result.length), tuple(result.assignment))


def mono_cpwer(timeline: Timeline, words: Sequence[Word], tolerance: float = 0.3) -> CpWerResult:
    """cpWER of mono-mix ASR ``words`` against the timeline's audible text per speaker."""
    segments = sorted(timeline.segments, key=lambda s: s.start)
    reference = {sp: " ".join(s.text for s in segments if s.speaker == sp) for sp in sorted({s.speaker for s in segments})}
    by_speaker: dict[str, list[Word]] = {}
    for seg, seg_words in zip(segments, assign_words(words, segments, tolerance, align=False)):
        by_speaker.setdefault(seg.speaker, []).extend(seg_words)
    hypothesis = {f"hyp-{sp}": join_words(sorted(ws, key=lambda w: w.start))
                  for sp, ws in by_speaker.items() if ws}
    return cp_wer(reference, hypothesis)
