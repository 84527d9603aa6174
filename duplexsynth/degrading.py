"""Write a dialogue's degraded stereo copy (acoustic conditions) next to its clean one."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.configs import config_to_dict
from corpus_core.seeding import make_np_rng
from duplex.acoustics import degrade_stereo
from duplex.records import Timeline
from duplexsynth.config import RunConfig
from speech.audio import write_audio

__all__ = ["write_degraded", "degraded_name", "summarize_conditions", "DEGRADED_FLAC_LEVEL"]

#: FLAC effort for the degraded copy (soundfile's 0..1 = libFLAC levels 0..8): level 3 encoded a
#: 69 s degraded dialogue in 33 ms of CPU against 41 ms at the default level 5, for a file 8%
#: larger (levels 0-2, fixed predictors only, were as fast but 67% larger)
DEGRADED_FLAC_LEVEL = 3 / 8


def degraded_name(stereo_path: Path, file_format: str = "") -> Path:
    """``audio/duplex/<id>.flac`` -> ``audio/duplex/<id>.degraded.flac`` (``.degraded.wav`` for "wav")."""
    suffix = f".{file_format}" if file_format else stereo_path.suffix
    return stereo_path.with_name(f"{stereo_path.stem}.degraded{suffix}")


def write_degraded(corpus: Path, config: RunConfig, timeline: Timeline, stereo: np.ndarray, stereo_path: Path) -> Timeline:
    """Render and write the degraded copy when ``duplex.acoustics`` is not clean.

    Its own generator (seed, "acoustics", dialogue id) draws the conditions, so the clean
    audio and the timing draws do not change when acoustics are switched on.

    :return: the timeline with ``degraded_path`` and ``meta["acoustics"]`` set (unchanged when clean).
    """
    acoustics = config.duplex.acoustics_config()
    if not acoustics.enabled:
        return timeline
    rng = make_np_rng(config.seed, "acoustics", timeline.id)
    speakers = tuple(next((s.speaker for s in timeline.segments if s.channel == c), "AB"[c]) for c in (0, 1))
    degraded, conditions = degrade_stereo(stereo, [(s.channel, s.start, s.end) for s in timeline.segments], acoustics,
                                          timeline.sampling_rate, rng, speakers)  # type: ignore[arg-type]
    path = degraded_name(stereo_path, acoustics.format)
    write_audio(corpus / path, degraded, timeline.sampling_rate,
                compression_level=DEGRADED_FLAC_LEVEL if path.suffix == ".flac" else None)
    meta = {**timeline.meta, "acoustics": {"preset": acoustics.preset, "channels": [c.to_dict() for c in conditions]}}
    return replace(timeline, degraded_path=str(path), meta=meta)


def summarize_conditions(config: RunConfig, channels: list[dict[str, Any]]) -> dict[str, Any]:
    """For meta.json: the resolved acoustics config and what this run drew (per condition, SNR, RT60).

    Every drawn parameter of every channel is in that dialogue's timeline (``meta["acoustics"]``).
    """
    acoustics = config.duplex.acoustics_config()
    if not acoustics.enabled:
        return {}

    def span(key: str) -> list[float] | None:
        values = [c[key] for c in channels if c.get(key) is not None]
        return [min(values), max(values)] if values else None

    return {"acoustics": {
        "preset": acoustics.preset, "config": config_to_dict(acoustics),
        "channels": dict(Counter(c.get("condition", "?") for c in channels)),
        "codecs": dict(Counter(c["codec"] for c in channels if c.get("codec"))),
        "snr_db": span("snr_db"), "rt60": span("rt60"), "gain_db": span("gain_db"),
        "crosstalk_channels": sum(c.get("crosstalk_gain_db") is not None for c in channels),
    }}
