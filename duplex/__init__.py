"""The duplex stage: turn-taking model, two-channel timeline and render."""

from duplex.build import DuplexConfig, build_timeline
from duplex.presets import PRESETS, available_presets, get_preset, resolve_timing
from duplex.records import CHANNEL_OF, Event, Segment, Timeline
from duplex.render import mix_to_mono, peak_of, render_stereo
from duplex.timing import (
    TimingConfig,
    draw_dialogue_timing,
    draw_fto,
    draw_pause,
    estimate_words,
)

__all__ = [
    "DuplexConfig", "build_timeline", "TimingConfig", "PRESETS", "available_presets", "get_preset",
    "resolve_timing", "Segment", "Event", "Timeline", "CHANNEL_OF", "render_stereo", "mix_to_mono", "peak_of",
    "draw_dialogue_timing", "draw_fto", "draw_pause", "estimate_words",
]
