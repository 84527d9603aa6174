"""What every acoustic effect shares: the drawn parameters of a channel and span helpers.

A degraded dialogue is the clean stereo passed, channel by channel, through
level -> room -> crosstalk -> noise -> channel (see :mod:`duplex.acoustics.render`).
Every parameter drawn on the way is kept in a :class:`ChannelCondition`, written into
the Timeline's ``meta["acoustics"]`` so training can condition on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Iterable

import numpy as np

from corpus_core.errors import MissingDependency
from corpus_core.intervals import merge_intervals
from corpus_core.record import Record

__all__ = [
    "ChannelCondition", "Spans", "segment_spans", "span_power", "db_to_gain", "power_db", "draw_uniform",
    "scipy_signal", "scipy_fft",
]

#: sample intervals ``(start, end)`` on one channel, sorted and disjoint
Spans = list[tuple[int, int]]


@dataclass(frozen=True)
class ChannelCondition(Record):
    """The drawn (and render-time measured) acoustic parameters of one channel.

    >>> ChannelCondition(channel=0, speaker="A", condition="office", snr_db=18.5).snr_db
    18.5
    """

    channel: int
    speaker: str
    #: the condition's name ("office", "home", "telephone", ...)
    condition: str
    #: gain in dB added to the speaker's clean channel
    gain_db: float = 0.0
    #: RMS level in dBFS of the speech (inside its segments) after gain, room and channel band
    level_dbfs: float | None = None
    #: drawn signal-to-noise ratio in dB
    snr_db: float | None = None
    #: spectral exponent of the noise floor (power ~ 1/f**colour), as used: on the noise bank's 0.25 grid
    noise_colour: float | None = None
    #: noise recording mixed into the floor (path as configured) and its share of the noise power
    noise_file: str | None = None
    noise_file_share: float | None = None
    #: drawn RT60 of the room in seconds (``None`` = no room)
    rt60: float | None = None
    #: RT60 of the impulse response used, by Schroeder backward integration
    rt60_measured: float | None = None
    #: "bank:<i>" for a simulated room, or the RIR file used
    rir: str | None = None
    #: simulated room size (m) and talker-microphone distance (m)
    room_size: tuple[float, ...] | None = None
    distance: float | None = None
    #: telephone channel: band in Hz, sampling rate in Hz and codec
    telephone: bool = False
    band: tuple[float, ...] | None = None
    telephone_rate: int | None = None
    codec: str | None = None
    #: clipping threshold in dB below the channel's peak; share of samples clipped
    clip_db: float | None = None
    clipped_share: float | None = None
    #: peak amplitude (dB) and frequency (Hz) of the slow level drift
    drift_db: float | None = None
    drift_hz: float | None = None
    #: crosstalk from the other speaker: level (dB) and delay (ms)
    crosstalk_gain_db: float | None = None
    crosstalk_delay_ms: float | None = None


def scipy_signal() -> ModuleType:
    """``scipy.signal`` (FFT convolution, filters), or how to install it."""
    try:
        import scipy.signal
    except ImportError:
        raise MissingDependency("scipy", extra="acoustics", why="for acoustic conditions") from None
    return scipy.signal


def scipy_fft() -> ModuleType:
    """``scipy.fft`` (the coloured noise floor), or how to install it."""
    try:
        import scipy.fft
    except ImportError:
        raise MissingDependency("scipy", extra="acoustics", why="for acoustic conditions") from None
    return scipy.fft


def draw_uniform(rng: np.random.Generator, bounds: Iterable[float], digits: int = 3) -> float:
    """One value drawn uniformly from ``(low, high)``, rounded so the record shows what was used."""
    lo, hi = bounds
    return round(float(rng.uniform(lo, hi)) if hi > lo else float(lo), digits)


def db_to_gain(db: float) -> float:
    """Amplitude factor of ``db`` decibels."""
    return float(10.0 ** (db / 20.0))


def power_db(power: float) -> float:
    """Decibels of a mean power (floored at -200 dB)."""
    return float(10.0 * np.log10(max(power, 1e-20)))


def segment_spans(intervals: Iterable[tuple[float, float]], sampling_rate: int, num_samples: int) -> Spans:
    """Seconds intervals as merged, clipped sample intervals."""
    clipped = ((max(0, int(round(start * sampling_rate))), min(num_samples, int(round(end * sampling_rate))))
               for start, end in intervals)
    return merge_intervals((a, b) for a, b in clipped if b > a)


def span_power(samples: np.ndarray, spans: Spans) -> float:
    """Mean power of ``samples`` over ``spans`` (over all of it when there are none)."""
    if not spans:
        return float(np.dot(samples, samples)) / max(1, len(samples))
    total = 0.0
    for a, b in spans:
        piece = samples[a:b]
        total += float(np.dot(piece, piece))  # BLAS dot: no temporary array per span
    return total / max(1, sum(b - a for a, b in spans))
