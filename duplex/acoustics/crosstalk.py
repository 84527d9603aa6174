"""Crosstalk: a delayed, attenuated copy of the other speaker, as on a shared desk microphone."""

from __future__ import annotations

import numpy as np

from duplex.acoustics.base import db_to_gain

__all__ = ["add_crosstalk"]


def add_crosstalk(channels: list[np.ndarray], gain_db: float, delay_seconds: float, sampling_rate: int) -> list[np.ndarray]:
    """Each channel plus the other one delayed by ``delay_seconds`` and scaled by ``gain_db``.

    :param channels: the two channels' (room-convolved) speech, equal lengths; not changed.
    """
    delay = int(round(delay_seconds * sampling_rate))
    gain = np.float32(db_to_gain(gain_db))
    out = [c.copy() for c in channels]
    n = len(channels[0])
    if delay >= n:
        return out
    for target, source in ((0, 1), (1, 0)):
        out[target][delay:] += gain * channels[source][: n - delay]
    return out
