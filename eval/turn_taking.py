"""Turn-taking events measured from voice activity, per dialogue.

Follows the "Event definitions" of docs/reference_stats.md:

- IPU: a channel's speech run with internal silences shorter than ``ipu_bridge`` bridged.
- Backchannel: an IPU of at most ``backchannel_max`` seconds with at least
  ``backchannel_silence`` seconds of its speaker's own silence before and after (the
  file's edges count as silence); we also ask that the other speaker talks within that
  window, so a lone short reply after a long silence is not a backchannel. Where the
  ASR words of each channel are given, an island with more than
  ``backchannel_max_words`` words is a turn, not a backchannel (Full-Duplex-Bench v1: a
  segment under 1 s and at most 2 words): "How is your sleep?" takes the floor.
- Overlap-within: an IPU lying wholly inside an IPU of the other channel (no floor change).
- Turn: consecutive IPUs of one speaker not split by the other's IPUs, ignoring
  backchannels and overlap-within islands of at most ``within_island_max`` seconds.
- FTO (floor-transfer offset): start of the next speaker's turn minus the end of the
  last IPU of the previous turn. FTO > 0 is a gap; FTO < 0 with the previous speaker
  stopping first is an overlap-between.
- Pause: silence between consecutive IPUs of one speaker while the other is silent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Sequence

import numpy as np

from corpus_core.intervals import merge_intervals, overlap_length, union_length
from eval.vad import VAD, Interval, detect_speech
from speech.records import Word

__all__ = [
    "TurnTakingConfig",
    "TurnTakingStats",
    "bridge_intervals",
    "analyze_turn_taking",
    "measure_turn_taking",
    "overlap_time",
]


@dataclass(frozen=True)
class TurnTakingConfig:
    """Thresholds of the event definitions (seconds)."""

    #: silences shorter than this inside one speaker's speech join two runs into one IPU
    ipu_bridge: float = 0.2
    #: longest IPU that can be a backchannel
    backchannel_max: float = 1.0
    #: own silence a backchannel needs before and after it
    backchannel_silence: float = 1.0
    #: most ASR words a backchannel may have (only where the words are given)
    backchannel_max_words: int = 2
    #: overlap-within islands up to this long do not end the other speaker's turn
    within_island_max: float = 1.0


@dataclass(frozen=True)
class TurnTakingStats:
    """Turn-taking events of one dialogue, measured from its audio.

    Durations are in seconds; lists hold one value per event so that a corpus can pool them.
    """

    #: length of the recording
    duration: float
    #: time at least one channel speaks (raw VAD)
    speech_time: float
    #: time both channels speak at once (raw VAD)
    overlap_time: float
    #: number of IPUs on channel 0 and channel 1
    ipus: tuple[int, int]
    #: IPU durations, both channels
    ipu_durations: tuple[float, ...] = ()
    #: pause durations (same speaker, other silent)
    pauses: tuple[float, ...] = ()
    #: gap durations at floor transfers (FTO > 0)
    gaps: tuple[float, ...] = ()
    #: overlap-between durations (-FTO where the previous speaker stopped first)
    overlaps_between: tuple[float, ...] = ()
    #: durations of IPUs lying wholly inside the other channel's IPU
    overlaps_within: tuple[float, ...] = ()
    #: floor-transfer offsets, in time order
    ftos: tuple[float, ...] = ()
    #: ``(channel, start, end)`` of every backchannel
    backchannels: tuple[tuple[int, float, float], ...] = ()
    #: number of turns (floor holdings)
    num_turns: int = 0
    #: ``(channel, start, end)`` of every IPU, for plots
    ipu_spans: tuple[tuple[int, float, float], ...] = field(default=(), repr=False)

    @property
    def minutes(self) -> float:
        return self.duration / 60.0

    @property
    def overlap_share(self) -> float:
        """Overlapped speech time over non-silent time."""
        return self.overlap_time / self.speech_time if self.speech_time > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for ``DialogueEval.metrics["turn_taking"]``)."""
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, tuple):
                out[k] = [list(x) if isinstance(x, tuple) else x for x in v]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TurnTakingStats":
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for k, v in data.items():
            if k in names:
                clean[k] = tuple(tuple(x) if isinstance(x, list) else x for x in v) if isinstance(v, list) else v
        return cls(**clean)

    def summary(self) -> dict[str, float]:
        """Per-dialogue headline numbers: events per minute and medians."""
        per_min = (lambda n: round(n / self.minutes, 3)) if self.minutes > 0 else (lambda n: 0.0)
        med = lambda xs: round(float(np.median(xs)), 3) if len(xs) else None  # noqa: E731
        return {
            "ipus_per_min": per_min(sum(self.ipus)),
            "pauses_per_min": per_min(len(self.pauses)),
            "gaps_per_min": per_min(len(self.gaps)),
            "overlaps_per_min": per_min(len(self.overlaps_between) + len(self.overlaps_within)),
            "backchannels_per_min": per_min(len(self.backchannels)),
            "overlap_share": round(self.overlap_share, 4),
            "median_fto": med(self.ftos),
            "median_pause": med(self.pauses),
            "median_gap": med(self.gaps),
        }


def bridge_intervals(intervals: Sequence[Interval], bridge: float) -> list[Interval]:
    """Join intervals separated by less than ``bridge`` seconds (input sorted or not)."""
    return merge_intervals(intervals, bridge)


def overlap_time(a: Sequence[Interval], b: Sequence[Interval]) -> float:
    """Total time where an interval of ``a`` and one of ``b`` both hold."""
    return overlap_length(a, b)


def _speaks(ipus: Sequence[Interval], start: float, end: float) -> bool:
    return any(s < end and e > start for s, e in ipus)


def _is_backchannel(ipus: list[Interval], i: int, other: list[Interval], c: TurnTakingConfig,
                    words: Sequence[Word] | None = None) -> bool:
    start, end = ipus[i]
    if end - start > c.backchannel_max:
        return False
    if words is not None and sum(w.start < end and w.end > start for w in words) > c.backchannel_max_words:
        return False
    if i > 0 and start - ipus[i - 1][1] < c.backchannel_silence:
        return False
    if i + 1 < len(ipus) and ipus[i + 1][0] - end < c.backchannel_silence:
        return False
    return _speaks(other, start - c.backchannel_silence, end + c.backchannel_silence)


def _is_within(ipu: Interval, other: list[Interval]) -> bool:
    return any(s <= ipu[0] and ipu[1] <= e for s, e in other)


def analyze_turn_taking(
    channel_intervals: Sequence[Sequence[Interval]], duration: float, config: TurnTakingConfig = TurnTakingConfig(),
    words: Sequence[Sequence[Word]] | None = None,
) -> TurnTakingStats:
    """Events of a two-channel dialogue from each channel's speech intervals.

    :param channel_intervals: VAD intervals of channel 0 and channel 1.
    :param duration: length of the recording in seconds.
    :param words: the ASR words of channel 0 and channel 1 (dialogue time), to tell a short
        turn from a backchannel by its word count; ``None`` judges by voice activity alone.
    """
    if len(channel_intervals) != 2:
        raise ValueError(f"turn-taking needs exactly 2 channels of speech intervals, got {len(channel_intervals)}")
    raw = [list(ch) for ch in channel_intervals]
    ipus = [bridge_intervals(ch, config.ipu_bridge) for ch in raw]
    backchannels, within, candidates = [], [], []
    bc_flags = [[_is_backchannel(ipus[c], i, ipus[1 - c], config, None if words is None else words[c])
                 for i in range(len(ipus[c]))] for c in (0, 1)]
    for c in (0, 1):
        for i, ipu in enumerate(ipus[c]):
            inside = _is_within(ipu, ipus[1 - c])
            if inside:
                within.append(ipu[1] - ipu[0])
            if bc_flags[c][i]:
                backchannels.append((c, ipu[0], ipu[1]))
            elif not (inside and ipu[1] - ipu[0] <= config.within_island_max):
                candidates.append((ipu[0], ipu[1], c))
    # turns: runs of one channel in start order; a turn ends where its last IPU ends
    turns: list[list[float]] = []
    for start, end, c in sorted(candidates):
        if turns and turns[-1][2] == c:
            turns[-1][1] = max(turns[-1][1], end)
        else:
            turns.append([start, end, c])
    ftos, gaps, overlaps = [], [], []
    for prev, nxt in zip(turns, turns[1:]):
        fto = nxt[0] - prev[1]
        ftos.append(round(fto, 3))
        if fto > 0:
            gaps.append(round(fto, 3))
        elif fto < 0 and prev[1] < nxt[1]:
            overlaps.append(round(-fto, 3))
    pauses = []
    for c in (0, 1):
        own = [ipu for i, ipu in enumerate(ipus[c]) if not bc_flags[c][i]]
        for (_, e0), (s1, _) in zip(own, own[1:]):
            if not _speaks(ipus[1 - c], e0, s1):
                pauses.append(round(s1 - e0, 3))
    return TurnTakingStats(
        duration=round(duration, 3),
        speech_time=round(union_length(raw[0] + raw[1]), 3),
        overlap_time=round(overlap_time(raw[0], raw[1]), 3),
        ipus=(len(ipus[0]), len(ipus[1])),
        ipu_durations=tuple(round(e - s, 3) for ch in ipus for s, e in ch),
        pauses=tuple(pauses), gaps=tuple(gaps), overlaps_between=tuple(overlaps),
        overlaps_within=tuple(round(w, 3) for w in within), ftos=tuple(ftos),
        backchannels=tuple(sorted(backchannels, key=lambda b: b[1])), num_turns=len(turns),
        ipu_spans=tuple((c, s, e) for c in (0, 1) for s, e in ipus[c]),
    )


def measure_turn_taking(
    stereo: np.ndarray, sampling_rate: int, vad: VAD, config: TurnTakingConfig = TurnTakingConfig(),
    words: Sequence[Sequence[Word]] | None = None,
) -> TurnTakingStats:
    """Run ``vad`` on both channels of ``stereo`` (``(num_samples, 2)``) and analyze the events.

    :param words: each channel's ASR words, see :func:`analyze_turn_taking`.
    """
    if stereo.ndim != 2 or stereo.shape[1] != 2:
        raise ValueError(f"turn-taking needs stereo audio of shape (num_samples, 2), got {stereo.shape}")
    return analyze_turn_taking(detect_speech(stereo, sampling_rate, vad), stereo.shape[0] / sampling_rate, config,
                               words)
