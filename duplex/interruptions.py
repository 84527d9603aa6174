"""Interruptions: the next speaker starts early and the current one stops mid-turn.

The current speaker stops at a word boundary a short overlap after the next speaker
starts. The boundary is the end of a segment (a real pause) or a word end that a
low-energy frame nearby confirms, so the cut falls between words; the render fades
out there. The words after the cut are removed from the segment: what the Timeline
says was spoken is what is audible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from duplex.pieces import FRAME_SECONDS, speech_level
from duplex.records import Segment
from duplex.timing import TimingConfig
from speech.records import Word

__all__ = ["Interruption", "cut_points", "plan_interruption", "cut_segment"]

#: how far from an estimated word end a clean cut frame is searched (seconds)
SNAP_SECONDS = 0.06


@dataclass(frozen=True)
class Interruption:
    """The interrupted turn's remaining segments and where the next turn starts."""

    segments: list[Segment]
    start: float

    @property
    def end(self) -> float:
        """Where the interrupted speaker stops."""
        return self.segments[-1].end


def cut_points(turn: list[Segment], levels: np.ndarray, config: TimingConfig) -> list[tuple[int, int, float]]:
    """Clean cut points of a placed turn: ``(segment index, words kept, absolute time)``.

    The turn's very end is not a cut point (nothing would be cut off).
    """
    ref = speech_level(levels) + config.cut_db
    out: list[tuple[int, int, float]] = []
    for si, seg in enumerate(turn):
        words = seg.words
        for wi in range(len(words)):
            if wi == len(words) - 1:
                if si < len(turn) - 1:
                    out.append((si, wi + 1, seg.end))
                continue
            src = words[wi].end - seg.start + seg.source_start
            lo = max(0, int((src - SNAP_SECONDS) / FRAME_SECONDS))
            hi = min(len(levels), int((src + SNAP_SECONDS) / FRAME_SECONDS) + 1)
            if hi <= lo:
                continue
            j = lo + int(np.argmin(levels[lo:hi]))
            if levels[j] > ref:
                continue  # no quiet frame near the word end: a cut here would click or clip a word
            t = seg.start + (j + 0.5) * FRAME_SECONDS - seg.source_start
            if words[wi].start + 0.05 < t < words[wi + 1].end - 0.05:
                out.append((si, wi + 1, round(t, 4)))
    return out


def cut_segment(seg: Segment, keep: int, at: float) -> Segment:
    """``seg`` cut at absolute time ``at`` keeping its first ``keep`` words."""
    words = list(seg.words[:keep])
    if words and words[-1].end > at:
        words[-1] = Word(words[-1].text, words[-1].start, round(at, 3))
    return replace(
        seg, end=round(at, 4), source_end=round(seg.source_start + at - seg.start, 4), words=tuple(words),
        text=" ".join(w.text for w in words), interrupted=True,
    )


def plan_interruption(
    turn: list[Segment], next_duration: float, levels: np.ndarray, config: TimingConfig, rng: np.random.Generator
) -> Interruption | None:
    """Cut ``turn`` short for a next turn of ``next_duration`` seconds; ``None`` if no clean cut fits.

    :param levels: frame levels (dB) of the interrupted turn's utterance audio.
    """
    t0 = turn[0].start
    earliest = t0 + config.interruption_min_into_turn + config.interruption_overlap_min
    points = [p for p in cut_points(turn, levels, config) if p[2] >= earliest]
    if not points:
        return None
    si, keep, at = points[int(rng.integers(len(points)))]
    overlap = float(rng.uniform(config.interruption_overlap_min, config.interruption_overlap_max))
    overlap = min(overlap, at - t0 - config.interruption_min_into_turn)
    if next_duration < overlap + 0.3:
        return None  # the interrupter must still talk after the other one stops
    segments = turn[:si] + [cut_segment(turn[si], keep, at)]
    return Interruption(segments, round(at - overlap, 4))
