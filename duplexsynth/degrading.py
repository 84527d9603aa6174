"""Write a dialogue's degraded stereo copy (acoustic conditions) next to its clean one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from corpus_core.seeding import make_np_rng
from duplex.acoustics import degrade_stereo
from duplex.records import Timeline
from duplexsynth.config import RunConfig
from speech.audio import write_audio

__all__ = ["write_degraded", "degraded_name"]


def degraded_name(stereo_path: Path) -> Path:
    """``audio/duplex/<id>.flac`` -> ``audio/duplex/<id>.degraded.flac``."""
    return stereo_path.with_name(f"{stereo_path.stem}.degraded{stereo_path.suffix}")


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
    path = degraded_name(stereo_path)
    write_audio(corpus / path, degraded, timeline.sampling_rate)
    meta = {**timeline.meta, "acoustics": {"preset": acoustics.preset, "channels": [c.to_dict() for c in conditions]}}
    return replace(timeline, degraded_path=str(path), meta=meta)
