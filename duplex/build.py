"""Build one dialogue's Timeline and its two-channel audio from its utterances.

Steps: split each turn at its confirmed pauses (:mod:`duplex.pieces`), draw the
pause lengths (:mod:`duplex.placement`), place turns at drawn floor-transfer offsets
or as interruptions (:mod:`duplex.interruptions`), add listener backchannels
(:mod:`duplex.backchannels`), then render (:mod:`duplex.render`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np

from corpus_core.errors import GenerationError
from duplex.acoustics.config import AcousticsConfig, resolve_acoustics
from duplex.backchannels import place_backchannels
from duplex.pieces import FRAME_SECONDS, split_utterance
from duplex.placement import place_turns, plan_turn
from duplex.presets import resolve_timing
from duplex.records import CHANNEL_OF, Timeline
from duplex.render import mix_to_mono, peak_of, render_stereo
from duplex.timing import TimingConfig, draw_dialogue_timing
from speech.audio import frame_rms_db, resample
from speech.records import Utterance

__all__ = ["DuplexConfig", "build_timeline"]


@dataclass(frozen=True)
class DuplexConfig:
    """Options of the duplex stage.

    The config stores the preset by name and ``timing`` as the fields the user set
    explicitly; :meth:`timing_config` is the preset with those fields on top, so
    switching presets keeps the user's fields and any field can take any value.
    """

    #: named turn-taking preset: "telephone", "lively" or "formal"
    preset: str = "telephone"
    #: TimingConfig fields set explicitly (they override the preset); a whole
    #: :class:`TimingConfig` object sets every field
    timing: dict[str, Any] | TimingConfig = field(default_factory=dict)
    #: also write a mono mix beside the stereo file
    write_mono: bool = True
    #: "flac" or "wav" (16-bit PCM either way)
    audio_format: str = "flac"
    #: acoustic-conditions preset: "clean" (no degraded copy), "office", "home", "telephone", "mixed"
    acoustics: str = "clean"
    #: AcousticsConfig fields set over the preset, by section: noise, room, channel, level,
    #: crosstalk, or a whole ``conditions`` list (see duplex.acoustics.config)
    acoustics_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.audio_format not in ("flac", "wav"):
            raise ValueError(f"duplex.audio_format must be 'flac' or 'wav', got {self.audio_format!r}")
        if isinstance(self.timing, TimingConfig):
            object.__setattr__(self, "timing", dataclasses.asdict(self.timing))
        self.timing_config()  # a bad preset or field fails when the config is made
        self.acoustics_config()

    def timing_config(self) -> TimingConfig:
        """The preset's :class:`TimingConfig` with the explicit ``timing`` fields applied."""
        return resolve_timing(self.preset, self.timing)  # type: ignore[arg-type]

    def acoustics_config(self) -> AcousticsConfig:
        """The acoustics preset with the explicit ``acoustics_options`` applied."""
        return resolve_acoustics(self.acoustics, self.acoustics_options)


def build_timeline(
    dialogue_id: str,
    utterances: list[Utterance],
    config: DuplexConfig,
    rng: np.random.Generator,
    load: Callable[[Utterance], np.ndarray],
) -> tuple[Timeline, np.ndarray]:
    """Place the utterances on two channels and render them.

    :param utterances: the turns (``kind="turn"``) and the backchannel forms
        (``kind="backchannel"``, from :func:`speech.backchannel_speech.speak_backchannels`).
    :param load: returns an utterance's mono float32 audio at its ``sampling_rate``.
    :return: the Timeline (no audio paths yet) and the stereo float32 array ``(n, 2)``.
    """
    cfg = draw_dialogue_timing(rng, config.timing_config())
    turns = sorted((u for u in utterances if u.kind == "turn"), key=lambda u: u.turn_index)
    if not turns:
        raise GenerationError(f"duplex: dialogue {dialogue_id} has no turn utterances; run the speech stage first")
    bad = sorted({u.speaker for u in utterances} - set(CHANNEL_OF))
    if bad:
        raise GenerationError(f"duplex: dialogue {dialogue_id} has speakers {bad}; only {sorted(CHANNEL_OF)} are placed")
    sr = turns[0].sampling_rate
    audio: dict[str, np.ndarray] = {}
    levels: dict[str, np.ndarray] = {}
    fixed: list[Utterance] = []
    for u in utterances:
        samples = np.asarray(load(u), dtype=np.float32)
        if samples.ndim != 1:
            raise GenerationError(f"duplex: utterance {u.id} audio has shape {samples.shape}; expected mono")
        samples = resample(samples, u.sampling_rate, sr)
        audio[u.id] = samples
        levels[u.id] = frame_rms_db(samples, sr, FRAME_SECONDS)
        fixed.append(replace(u, duration=len(samples) / sr, sampling_rate=sr))  # the audio is the truth
    turns = sorted((u for u in fixed if u.kind == "turn"), key=lambda u: u.turn_index)
    plans = [plan_turn(u, split_utterance(u, levels[u.id], cfg.silence_db, cfg.min_silence), cfg, rng) for u in turns]
    segments, events, slots = place_turns(plans, levels, cfg, rng)
    bc_segments, bc_events = place_backchannels(segments, slots, [u for u in fixed if u.kind == "backchannel"], cfg, rng)
    segments = sorted(segments + bc_segments, key=lambda s: (s.start, s.channel))
    events = sorted(events + bc_events, key=lambda e: (e.start, e.end))
    duration = max(s.end for s in segments) + cfg.tail
    stereo = render_stereo(segments, duration, sr, lambda s: audio[s.utterance_id or ""], cfg.interruption_fade)
    engine = all(u.words is not None for u in turns)
    timeline = Timeline(
        id=dialogue_id, duration=round(len(stereo) / sr, 4), sampling_rate=sr,
        segments=tuple(segments), events=tuple(events), peak=round(peak_of(stereo), 4),
        meta={
            "word_times": "engine" if engine else "estimated", "preset": config.preset,
            "tempo": {"fto_mean": cfg.fto_mean, "pause_median": cfg.pause_median},
            "mono_peak": round(peak_of(mix_to_mono(stereo)), 4),
        },
    )
    return timeline, stereo
