"""Acoustic-condition options: one typed dataclass per effect, a condition bundles them.

Each speaker of each dialogue draws one :class:`ConditionConfig` (by ``weight``) and then
draws every parameter of it from the ranges given here, so the two channels of a dialogue
differ. Ranges are ``(low, high)`` pairs drawn uniformly.

Presets (``duplex.acoustics``): ``clean`` (no degraded copy: today's output), ``office``,
``home``, ``telephone`` and ``mixed`` (each speaker draws office, home or telephone).
Fields in ``duplex.acoustics_options`` are set over the preset's, section by section, in
every condition, e.g. ``{"noise": {"snr_db": [5, 15]}, "crosstalk": {"probability": 1}}``;
``{"format": "wav"}`` writes the degraded stereo as 16-bit WAV whatever the clean one is in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from corpus_core.configs import config_from_mapping
from corpus_core.errors import ConfigError

__all__ = [
    "NoiseConfig", "RoomConfig", "ChannelConfig", "LevelConfig", "CrosstalkConfig", "ConditionConfig",
    "AcousticsConfig", "ACOUSTIC_PRESETS", "available_acoustic_presets", "resolve_acoustics", "CODECS",
    "DEGRADED_FORMATS",
]

#: codecs the telephone channel can pass audio through (libsndfile subtypes at 8 kHz)
CODECS: dict[str, str] = {"none": "", "ulaw": "ULAW", "alaw": "ALAW", "gsm": "GSM610"}

Range = tuple[float, float]

#: file formats the degraded stereo can be written in
DEGRADED_FORMATS = ("flac", "wav")


@dataclass(frozen=True)
class NoiseConfig:
    """The noise floor: stationary coloured noise on every channel, plus optional recordings."""

    #: signal-to-noise ratio in dB (speech power inside the speaker's segments vs noise power)
    snr_db: Range = (15.0, 30.0)
    #: spectral slope exponent of the floor, power ~ 1/f**colour (0 white, 1 pink, 2 brown); the
    #: draw is taken to the nearest multiple of 0.25 inside the range (one noise bank per colour)
    colour: Range = (0.5, 1.5)
    #: folders of noise recordings (MUSAN-style .wav/.flac, searched recursively); empty = floor only
    folders: tuple[str, ...] = ()
    #: chance that a channel mixes a noise recording into its floor (when folders are given)
    file_probability: float = 0.5
    #: share of the noise power the recording takes when one is mixed in
    file_share: Range = (0.3, 0.9)


@dataclass(frozen=True)
class RoomConfig:
    """Room reverberation: a simulated shoebox room (pyroomacoustics) or a user's RIR file."""

    #: convolve with a room impulse response at all
    enabled: bool = True
    #: reverberation time RT60 in seconds drawn for simulated rooms
    rt60: Range = (0.2, 0.5)
    #: smallest room (length, width, height) in metres
    size_min: tuple[float, float, float] = (3.0, 3.0, 2.4)
    #: largest room (length, width, height) in metres
    size_max: tuple[float, float, float] = (7.0, 6.0, 3.2)
    #: talker-to-microphone distance in metres
    distance: Range = (0.4, 1.5)
    #: rooms simulated once per config and reused from the cache (each speaker draws one)
    bank_size: int = 8
    #: folders of measured room impulse responses (.wav/.flac); when set, used instead of simulation
    folders: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelConfig:
    """The transmission channel: telephone band and codec, clipping, slow level drift."""

    #: band-limit to ``band`` and resample to ``telephone_rate`` and back
    telephone: bool = False
    #: pass band in Hz of the telephone channel
    band: Range = (300.0, 3400.0)
    #: sampling rate in Hz of the telephone channel
    telephone_rate: int = 8000
    #: codecs drawn from (see CODECS): "none", "ulaw", "alaw", "gsm"
    codecs: tuple[str, ...] = ("ulaw",)
    #: relative chance of each of ``codecs`` (same order); empty = all equally likely
    codec_weights: tuple[float, ...] = ()
    #: clipping threshold in dB below the channel's peak (0 = no clipping)
    clip_db: Range = (0.0, 0.0)
    #: peak amplitude in dB of a slow sinusoidal level drift (0 = none)
    drift_db: Range = (0.0, 0.0)
    #: frequency in Hz of that drift
    drift_hz: Range = (0.02, 0.2)


@dataclass(frozen=True)
class LevelConfig:
    """Each speaker's loudness, drawn around the speech stage's loudness target."""

    #: gain in dB added to the speaker's channel
    gain_db: Range = (-6.0, 3.0)


@dataclass(frozen=True)
class CrosstalkConfig:
    """A delayed, attenuated copy of the other speaker, as on a shared desk microphone."""

    #: chance that a dialogue has crosstalk (both channels then get it)
    probability: float = 0.0
    #: level of the copy in dB relative to the other speaker's channel
    gain_db: Range = (-30.0, -18.0)
    #: delay of the copy in milliseconds
    delay_ms: Range = (2.0, 15.0)


@dataclass(frozen=True)
class ConditionConfig:
    """One acoustic condition a speaker can be recorded in."""

    #: name written into the timeline and used to group WER by condition
    name: str = "office"
    #: relative chance a speaker draws this condition
    weight: float = 1.0
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    room: RoomConfig = field(default_factory=RoomConfig)
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    level: LevelConfig = field(default_factory=LevelConfig)

    def __post_init__(self) -> None:
        bad = sorted(set(self.channel.codecs) - set(CODECS))
        if bad or not self.channel.codecs:
            raise ConfigError(f"duplex.acoustics condition {self.name!r}: unknown codec(s) {bad}; "
                              f"choose from {sorted(CODECS)}")
        weights = self.channel.codec_weights
        if weights and (len(weights) != len(self.channel.codecs) or min(weights) < 0 or sum(weights) <= 0):
            raise ConfigError(f"duplex.acoustics condition {self.name!r}: channel.codec_weights {list(weights)} needs "
                              f"one weight >= 0 per codec {list(self.channel.codecs)}, not all 0")
        for name, (lo, hi) in (("noise.snr_db", self.noise.snr_db), ("room.rt60", self.room.rt60),
                               ("level.gain_db", self.level.gain_db), ("noise.colour", self.noise.colour)):
            if lo > hi:
                raise ConfigError(f"duplex.acoustics condition {self.name!r}: {name} range ({lo}, {hi}) has low > high")
        if self.room.rt60[0] <= 0.05 and self.room.enabled and not self.room.folders:
            raise ConfigError(f"duplex.acoustics condition {self.name!r}: room.rt60 must be above 0.05 s")


@dataclass(frozen=True)
class AcousticsConfig:
    """The resolved acoustic conditions of a run (empty ``conditions`` = clean, no degraded copy)."""

    #: the preset these came from (written into the timeline)
    preset: str = "clean"
    #: conditions each speaker draws from; empty = clean
    conditions: tuple[ConditionConfig, ...] = ()
    crosstalk: CrosstalkConfig = field(default_factory=CrosstalkConfig)
    #: file format of the degraded stereo: "" = the clean stereo's (``duplex.audio_format``),
    #: "flac" (16-bit, smaller) or "wav" (16-bit PCM: no encoder, the cheapest write)
    format: str = ""

    def __post_init__(self) -> None:
        if self.format and self.format not in DEGRADED_FORMATS:
            raise ConfigError(f"duplex.acoustics_options.format {self.format!r}: choose one of {list(DEGRADED_FORMATS)}")

    @property
    def enabled(self) -> bool:
        """True when a degraded copy is rendered."""
        return bool(self.conditions)


_OFFICE = ConditionConfig(name="office", noise=NoiseConfig(snr_db=(12.0, 25.0), colour=(0.8, 1.5)),
                          room=RoomConfig(rt60=(0.3, 0.6), size_min=(4.0, 4.0, 2.6), size_max=(8.0, 7.0, 3.2)))
_HOME = ConditionConfig(name="home", noise=NoiseConfig(snr_db=(15.0, 30.0), colour=(1.0, 2.0)),
                        room=RoomConfig(rt60=(0.2, 0.45), size_min=(3.0, 3.0, 2.4), size_max=(5.5, 5.0, 2.8),
                                        distance=(0.3, 1.0)), level=LevelConfig(gain_db=(-8.0, 2.0)))
_TELEPHONE = ConditionConfig(
    name="telephone", noise=NoiseConfig(snr_db=(10.0, 25.0), colour=(0.0, 1.0)),
    room=RoomConfig(rt60=(0.15, 0.35), size_min=(3.0, 3.0, 2.4), size_max=(5.0, 4.5, 2.8), distance=(0.05, 0.3)),
    channel=ChannelConfig(telephone=True, codecs=("ulaw", "alaw", "gsm"), clip_db=(0.0, 1.5), drift_db=(0.0, 1.5)),
)
#: in ``mixed``, GSM 06.10 is drawn half as often as mu-law or A-law: libsndfile's GSM round
#: trip costs 108 ms of CPU per 66 s channel against 4 ms for mu-law (Opus 500 ms, Vorbis 95
#: ms, MP3 130 ms through the same library), more than all the rest of a channel's
#: acoustics; it stays in the draw (20% of telephone channels) and in the ``telephone`` preset at 1/3
_TELEPHONE_MIXED = dataclasses.replace(_TELEPHONE, channel=dataclasses.replace(_TELEPHONE.channel,
                                                                               codec_weights=(0.4, 0.4, 0.2)))

#: shipped presets
ACOUSTIC_PRESETS: dict[str, AcousticsConfig] = {
    "clean": AcousticsConfig(),
    "office": AcousticsConfig("office", (_OFFICE,)),
    "home": AcousticsConfig("home", (_HOME,)),
    "telephone": AcousticsConfig("telephone", (_TELEPHONE,)),
    "mixed": AcousticsConfig("mixed", (_OFFICE, _HOME, _TELEPHONE_MIXED), CrosstalkConfig(probability=0.2)),
}


def available_acoustic_presets() -> list[str]:
    """Names of the shipped acoustic presets."""
    return sorted(ACOUSTIC_PRESETS)


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def resolve_acoustics(preset: str, overrides: dict[str, Any]) -> AcousticsConfig:
    """The preset called ``preset`` with ``overrides`` set on top of every condition.

    ``overrides`` keys are condition sections (``noise``, ``room``, ``channel``, ``level``),
    ``crosstalk``, ``format`` (of the degraded file), or ``conditions`` (a whole list of
    conditions replacing the preset's).
    A non-clean override on the ``clean`` preset starts from one default condition.

    :raises ConfigError: for an unknown preset, key, or a value of the wrong type.
    """
    if preset not in ACOUSTIC_PRESETS:
        raise ConfigError(f"unknown duplex.acoustics preset {preset!r}; choose one of {available_acoustic_presets()}")
    base = ACOUSTIC_PRESETS[preset]
    overrides = dict(overrides or {})
    crosstalk = overrides.pop("crosstalk", {})
    file_format = overrides.pop("format", base.format)
    if "conditions" in overrides:
        conditions = [c if isinstance(c, dict) else dataclasses.asdict(c) for c in overrides.pop("conditions")]
    else:
        conditions = [dataclasses.asdict(c) for c in base.conditions] or ([{"name": "custom"}] if overrides else [])
    data = {
        "preset": preset, "conditions": [_merge(c, overrides) for c in conditions],
        "crosstalk": _merge(dataclasses.asdict(base.crosstalk), crosstalk),
    }
    try:
        conds = tuple(config_from_mapping(ConditionConfig, c, f"duplex.acoustics.conditions[{i}]")
                      for i, c in enumerate(data["conditions"]))
        crosstalk = config_from_mapping(CrosstalkConfig, data["crosstalk"], "duplex.acoustics.crosstalk")
        return AcousticsConfig(preset, conds, crosstalk, str(file_format).lower())
    except TypeError as e:
        raise ConfigError(f"duplex.acoustics: {e}") from None
