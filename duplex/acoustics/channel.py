"""The transmission channel: telephone band, 8 kHz resampling, codec, clipping, level drift.

The telephone path works at the channel rate: resample down (soxr), band-pass
300-3400 Hz (one Butterworth SOS filter), encode and decode with a real codec
(libsndfile's mu-law, A-law or GSM 06.10 through soundfile, in memory), resample back
up. Nothing above the channel's Nyquist frequency survives.
"""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

from duplex.acoustics.base import db_to_gain, scipy_signal
from duplex.acoustics.config import CODECS

__all__ = ["band_filter", "band_gain", "apply_band", "apply_codec", "apply_clipping", "apply_drift"]

#: order of the telephone band-pass (Butterworth prototype; the digital filter has twice it)
BAND_ORDER = 6


def _band_edges(band: tuple[float, float], sampling_rate: int) -> tuple[float, float]:
    return float(band[0]), float(min(band[1], 0.45 * sampling_rate))


@lru_cache(maxsize=8)
def band_filter(band: tuple[float, float], sampling_rate: int, order: int = BAND_ORDER) -> np.ndarray:
    """Second-order sections of a Butterworth band-pass for ``band`` (Hz)."""
    return scipy_signal().butter(order, list(_band_edges(band, sampling_rate)), btype="bandpass", fs=sampling_rate,
                                 output="sos")


def band_gain(freqs: np.ndarray, band: tuple[float, float], sampling_rate: int, order: int = BAND_ORDER) -> np.ndarray:
    """Magnitude response of :func:`band_filter` at ``freqs`` (Hz), in closed form (float32).

    The digital Butterworth band-pass is the bilinear transform of the analog one with
    prewarped edges, so ``|H(f)|^2 = 1 / (1 + ((W^2 - W1 W2) / ((W2 - W1) W))^(2 order))``
    with ``W = 2 fs tan(pi f / fs)``: shaping a noise spectrum with it costs no filter pass.
    """
    lo, hi = _band_edges(band, sampling_rate)
    w1, w2 = (float(2.0 * sampling_rate * np.tan(np.pi * f / sampling_rate)) for f in (lo, hi))
    # clamped away from DC and Nyquist so nothing divides by zero or overflows (float32 stays
    # on its fast path): the gain there is ~0 either way
    f = np.clip(freqs.astype(np.float32), np.float32(1e-3), np.float32(0.4999 * sampling_rate))
    w = np.tan(f * np.float32(np.pi / sampling_rate))
    w *= np.float32(2.0 * sampling_rate)
    ratio = (w * w - np.float32(w1 * w2)) / (np.float32(w2 - w1) * w)
    ratio *= ratio
    np.minimum(ratio, np.float32(1e6), out=ratio)
    np.power(ratio, order, out=ratio)
    ratio += np.float32(1.0)
    return (np.float32(1.0) / np.sqrt(ratio)).astype(np.float32, copy=False)


def apply_band(samples: np.ndarray, band: tuple[float, float], sampling_rate: int) -> np.ndarray:
    """Band-pass filter (causal, one pass: a phone line has phase distortion too)."""
    return scipy_signal().sosfilt(band_filter(tuple(band), sampling_rate), samples).astype(np.float32)  # type: ignore[arg-type]


def apply_codec(samples: np.ndarray, codec: str, sampling_rate: int) -> np.ndarray:
    """Encode ``samples`` with ``codec`` (a :data:`CODECS` name) and decode them again.

    The round trip goes through a real encoder (libsndfile via soundfile) in memory.
    Values past full scale are clipped first, as any integer codec does.
    """
    import soundfile as sf

    subtype = CODECS[codec]
    if not subtype:
        return samples
    buf = io.BytesIO()
    sf.write(buf, np.clip(samples, -1.0, 1.0), sampling_rate, format="WAV", subtype=subtype)
    buf.seek(0)
    decoded, _ = sf.read(buf, dtype="float32")
    out = np.zeros(len(samples), dtype=np.float32)  # GSM works in 160-sample frames: keep the length
    out[: min(len(decoded), len(samples))] = decoded[: len(samples)]
    return out


def apply_clipping(samples: np.ndarray, clip_db: float) -> tuple[np.ndarray, float]:
    """Clip at ``clip_db`` below the peak (in place); returns the audio and the share of clipped samples."""
    if clip_db <= 0:
        return samples, 0.0
    peak = float(np.max(np.abs(samples), initial=0.0))
    if peak <= 0:
        return samples, 0.0
    limit = peak * db_to_gain(-clip_db)
    clipped = int(np.count_nonzero(np.abs(samples) > limit))
    np.clip(samples, -limit, limit, out=samples)
    return samples, clipped / max(1, len(samples))


def apply_drift(samples: np.ndarray, drift_db: float, drift_hz: float, phase: float, sampling_rate: int) -> np.ndarray:
    """A slow sinusoidal gain of ``drift_db`` peak (computed every 10 ms, held between)."""
    if drift_db <= 0:
        return samples
    hop = max(1, sampling_rate // 100)
    t = np.arange(-(-len(samples) // hop), dtype=np.float32) * np.float32(hop / sampling_rate)
    angle = np.float32(2 * np.pi * drift_hz) * t + np.float32(phase)
    gain = np.power(np.float32(10.0), np.float32(drift_db / 20.0) * np.sin(angle))
    samples *= np.repeat(gain.astype(np.float32), hop)[: len(samples)]
    return samples
