"""Named turn-taking presets: complete :class:`~duplex.timing.TimingConfig` s.

* ``telephone``: the docs/reference_stats.md defaults (Switchboard-like phone calls).
* ``lively``: a chatty conversation: earlier starts (FTO mean +100 ms), more
  overlap, more backchannels and interruptions, shorter pauses.
* ``formal``: an interview or meeting: later, steadier starts, longer pauses,
  fewer backchannels, almost no interruptions.

A user's ``timing:`` fields override the preset's (see :func:`resolve_timing`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from corpus_core.configs import config_from_mapping
from corpus_core.errors import ConfigError
from duplex.timing import TimingConfig

__all__ = ["PRESETS", "available_presets", "get_preset", "resolve_timing"]

PRESETS: dict[str, TimingConfig] = {
    "telephone": TimingConfig(),
    "lively": TimingConfig(
        fto_mean=0.1, fto_std=0.42, pause_median=0.4, phrase_pause_prob=0.25, backchannel_rate=0.11,
        backchannel_refractory=0.8, interruption_prob=0.05,
    ),
    "formal": TimingConfig(
        fto_mean=0.35, fto_std=0.3, fto_min=-0.5, max_overlap_share=0.25, pause_median=0.55,
        phrase_pause_prob=0.5, backchannel_rate=0.05, interruption_prob=0.01,
    ),
}


def available_presets() -> list[str]:
    """Names of the shipped presets."""
    return sorted(PRESETS)


def get_preset(name: str) -> TimingConfig:
    """The preset called ``name``; :class:`ConfigError` lists the valid names otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown duplex timing preset {name!r}; choose one of {available_presets()} (duplex.preset)"
        ) from None


def resolve_timing(preset: str, overrides: dict[str, Any]) -> TimingConfig:
    """The preset called ``preset`` with the fields in ``overrides`` set on top.

    ``{preset: lively, timing: {interruption_prob: 0.1}}`` is lively with more
    interruptions; a field set to the telephone default stays set under any preset.

    :raises ConfigError: for an unknown preset, field, or a value of the wrong type.
    """
    base = dataclasses.asdict(get_preset(preset))
    return config_from_mapping(TimingConfig, {**base, **overrides}, "duplex.timing")
