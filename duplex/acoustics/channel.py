"""The transmission channel: telephone band, 8 kHz resampling, codec, clipping, level drift.

The telephone path works at the channel rate: resample down (soxr), band-pass
300-3400 Hz (one Butterworth SOS filter), encode and decode with a real codec
(libsndfile's mu-law, A-law or GSM 06.10 through soundfile, in memory), resample back
up. Nothing above the channel's Nyquist frequency survives.

With a room, the dry channel is resampled down first and convolved once at the channel
rate with the room's RIR and the band-pass folded together (:func:`telephone_room`):
room, resampler and filter are linear, so this is the same channel at a third of the
convolution's cost and without the filter pass.
"""

from __future__ import annotations

import io
from dataclasses import replace
from functools import lru_cache
from math import gcd

import numpy as np

from duplex.acoustics.base import db_to_gain, scipy_signal
from duplex.acoustics.config import CODECS
from duplex.acoustics.room import RoomImpulse

__all__ = [
    "band_filter", "band_gain", "apply_band", "apply_codec", "apply_clipping", "apply_drift", "band_impulse",
    "telephone_room",
]

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


@lru_cache(maxsize=8)
def band_impulse(band: tuple[float, float], sampling_rate: int, floor_db: float = -90.0) -> np.ndarray:
    """Impulse response of :func:`band_filter`, cut where its remaining energy falls below ``floor_db``."""
    impulse = np.zeros(sampling_rate, dtype=np.float64)  # 1 s: the band-pass rings for a few tens of ms
    impulse[0] = 1.0
    response = scipy_signal().sosfilt(band_filter(band, sampling_rate), impulse)
    energy = np.cumsum(response[::-1] ** 2)[::-1]
    keep = np.flatnonzero(energy > energy[0] * 10.0 ** (floor_db / 10.0))
    return response[: int(keep[-1]) + 1]


_TELEPHONE_ROOMS: dict[tuple[int, int, int, tuple[float, float]], tuple[np.ndarray, RoomImpulse]] = {}


def telephone_room(room: RoomImpulse, sampling_rate: int, rate: int, band: tuple[float, float]) -> RoomImpulse:
    """``room`` at the telephone ``rate`` with the band-pass folded into its RIR (cached per room).

    Convolving the channel, resampled down, with it gives what resampling the
    room-convolved channel down and band-passing it gives (all three are linear).
    """
    key = (id(room.rir), sampling_rate, rate, tuple(band))
    hit = _TELEPHONE_ROOMS.get(key)
    if hit is not None and hit[0] is room.rir:  # the same array, not a new one at a reused id
        return hit[1]
    from speech.audio import resample

    # a resampler keeps sample values, so an RIR at a third of the rate sums a third as many taps:
    # scale by the rate ratio to keep the room's gain
    # zeros in front so the direct path's lead falls on a whole sample at the low rate too (a
    # rounded lead would shift the channel by a fraction of a sample: a phase error at 3 kHz)
    step = sampling_rate // gcd(sampling_rate, rate)
    pad = (-room.lead) % step
    rir = np.concatenate([np.zeros(pad, dtype=np.float32), room.rir]) if pad else room.rir
    narrow = resample(rir, sampling_rate, rate).astype(np.float64) * (sampling_rate / rate)
    folded = scipy_signal().fftconvolve(narrow, band_impulse(tuple(band), rate))  # type: ignore[arg-type]
    lead = (room.lead + pad) * rate // sampling_rate
    out = replace(room, rir=folded.astype(np.float32), lead=lead)
    if len(_TELEPHONE_ROOMS) > 64:
        _TELEPHONE_ROOMS.clear()
    _TELEPHONE_ROOMS[key] = (room.rir, out)
    return out


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
