"""The turn-taking model: where each turn starts relative to the previous one.

Floor-transfer offsets (FTO = next start - previous end; negative = overlap) are drawn
from a clipped normal whose defaults come from ../shared/REFERENCE_STATS.md:
Normal(+200 ms, 400 ms) clipped to [-1.0, +2.5] s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from duplex.records import CHANNEL_OF, Event, Segment
from speech.records import Utterance, Word

__all__ = ["TimingConfig", "draw_fto", "place_utterances", "estimate_words"]


@dataclass(frozen=True)
class TimingConfig:
    """Parameters of the turn-taking model (seconds)."""

    #: mean floor-transfer offset
    fto_mean: float = 0.2
    #: standard deviation of the floor-transfer offset
    fto_std: float = 0.4
    fto_min: float = -1.0
    fto_max: float = 2.5
    #: an overlap never covers more than this share of either turn
    max_overlap_share: float = 0.4
    #: silence before the first turn and after the last
    lead_in: float = 0.3
    tail: float = 0.5


def draw_fto(rng: np.random.Generator, config: TimingConfig) -> float:
    """One floor-transfer offset from the clipped normal."""
    return float(np.clip(rng.normal(config.fto_mean, config.fto_std), config.fto_min, config.fto_max))


_TOKEN = re.compile(r"\S+")


def estimate_words(text: str, start: float, end: float) -> tuple[Word, ...]:
    """Spread the words of ``text`` over [start, end] in proportion to their length.

    A stand-in until ASR or engine alignments give real word times.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return ()
    weights = np.array([len(t) + 1 for t in tokens], dtype=float)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
    return tuple(Word(t, round(float(a), 3), round(float(b), 3)) for t, a, b in zip(tokens, edges[:-1], edges[1:]))


def place_utterances(
    utterances: list[Utterance], config: TimingConfig, rng: np.random.Generator
) -> tuple[list[Segment], list[Event]]:
    """Place turns one after another with drawn offsets; return segments and gap/overlap events."""
    segments: list[Segment] = []
    events: list[Event] = []
    prev: Segment | None = None
    for utt in sorted(utterances, key=lambda u: u.turn_index):
        if prev is None:
            start = config.lead_in
        else:
            fto = draw_fto(rng, config)
            if prev.speaker == utt.speaker:
                fto = max(fto, 0.2)  # the same speaker never overlaps itself
            limit = config.max_overlap_share * min(prev.duration, utt.duration)
            fto = max(fto, -limit)
            start = max(prev.end + fto, prev.start + 0.1)
            if prev.speaker != utt.speaker:
                kind = "overlap" if start < prev.end else "gap"
                events.append(Event(kind=kind, start=min(start, prev.end), end=max(start, prev.end), speaker=utt.speaker))
        end = start + utt.duration
        seg = Segment(
            channel=CHANNEL_OF[utt.speaker], speaker=utt.speaker, start=round(start, 4), end=round(end, 4),
            text=utt.text, words=utt.words and tuple(
                Word(w.text, round(start + w.start, 3), round(start + w.end, 3)) for w in utt.words
            ) or estimate_words(utt.text, start, end),
            kind=utt.kind, turn_index=utt.turn_index, utterance_id=utt.id, source_end=utt.duration,
        )
        segments.append(seg)
        prev = seg if prev is None or seg.end >= prev.end else prev
    return segments, events
