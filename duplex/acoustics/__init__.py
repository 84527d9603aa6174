"""Acoustic conditions: noise floor, room, telephone channel, level and crosstalk per speaker."""

from duplex.acoustics.base import ChannelCondition, segment_spans, span_power
from duplex.acoustics.channel import (
    apply_band,
    apply_clipping,
    apply_codec,
    apply_drift,
    telephone_room,
)
from duplex.acoustics.config import (
    ACOUSTIC_PRESETS,
    CODECS,
    AcousticsConfig,
    ChannelConfig,
    ConditionConfig,
    CrosstalkConfig,
    LevelConfig,
    NoiseConfig,
    RoomConfig,
    available_acoustic_presets,
    resolve_acoustics,
)
from duplex.acoustics.crosstalk import add_crosstalk
from duplex.acoustics.noise import (
    coloured_noise,
    floor_from_bank,
    grid_colour,
    noise_bank,
)
from duplex.acoustics.render import degrade_stereo, draw_channel
from duplex.acoustics.room import (
    RoomImpulse,
    apply_rir,
    rir_bank,
    schroeder_rt60,
    simulate_room,
)

__all__ = [
    "AcousticsConfig", "ConditionConfig", "NoiseConfig", "RoomConfig", "ChannelConfig", "LevelConfig",
    "CrosstalkConfig", "ACOUSTIC_PRESETS", "CODECS", "available_acoustic_presets", "resolve_acoustics",
    "ChannelCondition", "segment_spans", "span_power", "coloured_noise", "RoomImpulse", "simulate_room", "rir_bank",
    "apply_rir", "schroeder_rt60", "apply_band", "apply_codec", "apply_clipping", "apply_drift", "add_crosstalk",
    "degrade_stereo", "draw_channel", "floor_from_bank", "noise_bank", "grid_colour", "telephone_room",
]
