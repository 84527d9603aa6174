"""Build one dialogue's Timeline and its two-channel audio from its utterances."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from duplex.records import Segment, Timeline
from duplex.render import render_stereo
from duplex.timing import TimingConfig, place_utterances
from speech.records import Utterance

__all__ = ["DuplexConfig", "build_timeline"]


@dataclass(frozen=True)
class DuplexConfig:
    """Options of the duplex stage."""

    timing: TimingConfig = field(default_factory=TimingConfig)
    #: also write a mono mix beside the stereo file
    write_mono: bool = True
    #: "flac" or "wav" (16-bit PCM either way)
    audio_format: str = "flac"


def build_timeline(
    dialogue_id: str,
    utterances: list[Utterance],
    config: DuplexConfig,
    rng: np.random.Generator,
    load: Callable[[Utterance], np.ndarray],
) -> tuple[Timeline, np.ndarray]:
    """Place the utterances on two channels and render them.

    :param load: returns an utterance's mono float32 audio at its ``sampling_rate``.
    :return: the Timeline (no audio paths yet) and the stereo float32 array.
    """
    turns = [u for u in utterances if u.kind == "turn"]
    if not turns:
        raise ValueError(f"dialogue {dialogue_id} has no turn utterances")
    sr = turns[0].sampling_rate
    by_id = {u.id: u for u in utterances}
    segments, events = place_utterances(turns, config.timing, rng)
    duration = max(s.end for s in segments) + config.timing.tail

    def load_segment(seg: Segment) -> np.ndarray:
        return load(by_id[seg.utterance_id or ""])

    stereo = render_stereo(segments, duration, sr, load_segment)
    timeline = Timeline(
        id=dialogue_id, duration=round(len(stereo) / sr, 4), sampling_rate=sr,
        segments=tuple(segments), events=tuple(events), peak=round(float(np.max(np.abs(stereo))), 4),
        meta={"word_times": "estimated"},
    )
    return timeline, stereo
