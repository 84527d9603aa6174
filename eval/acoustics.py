"""Measure what the acoustic conditions made: SNR, speech level and bandwidth per channel.

The timeline says where each speaker talks, so no blind estimator is needed: noise
power comes from the frames where neither channel has a segment (with a margin for
reverberation tails), speech power from the frames inside the channel's own segments
minus that noise power.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from corpus_core.errors import GenerationError
from duplex.acoustics.base import scipy_fft, scipy_signal
from duplex.records import Timeline

__all__ = [
    "measure_channel", "measure_acoustics", "bandwidth_hz", "eval_audio_path", "FRAME_SECONDS",
    "channel_response", "rt60_from_audio",
]

#: frame length of the power estimates
FRAME_SECONDS = 0.02


def _frame_power(samples: np.ndarray, hop: int) -> np.ndarray:
    n = len(samples) // hop
    frames = samples[: n * hop].astype(np.float64).reshape(n, hop)
    return np.mean(frames**2, axis=1)


def _mask(intervals: list[tuple[float, float]], num_frames: int, frame_seconds: float) -> np.ndarray:
    mask = np.zeros(num_frames, dtype=bool)
    for start, end in intervals:
        a, b = max(0, int(np.ceil(start / frame_seconds))), min(num_frames, int(end / frame_seconds))
        mask[a:b] = True
    return mask


def measure_channel(samples: np.ndarray, sampling_rate: int, own: list[tuple[float, float]],
                    busy: list[tuple[float, float]], tail: float = 0.5) -> dict[str, float | None]:
    """SNR (dB), speech level and noise level (dBFS RMS) of one channel.

    :param own: the channel's segments (start, end) in seconds.
    :param busy: every segment of both channels; the noise is measured outside them.
    :param tail: seconds after each segment still counted as busy (reverberation, fades).
    :return: ``snr_db``, ``level_dbfs``, ``noise_dbfs`` (``None`` where there is no frame to measure).
    """
    hop = max(1, int(FRAME_SECONDS * sampling_rate))
    power = _frame_power(samples, hop)
    speech_mask = _mask(own, len(power), FRAME_SECONDS)
    noise_mask = ~_mask([(s - 0.05, e + tail) for s, e in busy], len(power), FRAME_SECONDS)
    if not speech_mask.any():
        return {"snr_db": None, "level_dbfs": None, "noise_dbfs": None}
    total = float(power[speech_mask].mean())
    if not noise_mask.any():
        return {"snr_db": None, "level_dbfs": round(float(10 * np.log10(max(total, 1e-20))), 2), "noise_dbfs": None}
    noise = float(power[noise_mask].mean())
    speech = max(total - noise, 1e-20)
    return {
        "snr_db": round(float(10 * np.log10(speech / max(noise, 1e-20))), 2) if noise > 0 else None,
        "level_dbfs": round(float(10 * np.log10(speech)), 2),
        "noise_dbfs": round(float(10 * np.log10(max(noise, 1e-20))), 2),
    }


def bandwidth_hz(samples: np.ndarray, sampling_rate: int, share: float = 0.995) -> float:
    """The frequency below which ``share`` of the power lies (Welch spectrum)."""
    freqs, psd = scipy_signal().welch(samples.astype(np.float64), fs=sampling_rate, nperseg=1024)
    cumulative = np.cumsum(psd)
    if cumulative[-1] <= 0:
        return 0.0
    return float(freqs[int(np.searchsorted(cumulative, share * cumulative[-1]))])


def channel_response(clean: np.ndarray, degraded: np.ndarray, size: int = 1 << 15) -> np.ndarray:
    """Impulse response from a clean channel to its degraded copy (H1 cross-spectral estimate).

    Hann frames of ``size`` samples (half overlap, frames of digital silence skipped):
    ``H = sum(Y conj(X)) / sum(|X|^2)``. Noise, crosstalk and the codec are uncorrelated
    with the clean speech, so averaging over the dialogue pushes them below the decay.
    """
    fft = scipy_fft()
    hop = size // 2
    starts = [a for a in range(0, max(0, len(clean) - size) + 1, hop) if np.any(clean[a : a + size])]
    if not starts:
        return np.zeros(size)
    window = np.hanning(size)
    cross = np.zeros(size // 2 + 1, dtype=np.complex128)
    power = np.zeros(size // 2 + 1)
    for i in range(0, len(starts), 16):  # 16 frames per batched FFT
        group = starts[i : i + 16]
        x = fft.rfft(np.stack([clean[a : a + size] for a in group]).astype(np.float64) * window, axis=1)
        y = fft.rfft(np.stack([degraded[a : a + size] for a in group]).astype(np.float64) * window, axis=1)
        cross += np.sum(y * np.conj(x), axis=0)
        power += np.sum(np.abs(x) ** 2, axis=0)
    return fft.irfft(cross / np.maximum(power, 1e-3 * power.max()), size)


def rt60_from_audio(clean: np.ndarray, degraded: np.ndarray, sampling_rate: int) -> float | None:
    """RT60 (s) measured on a rendered dialogue: Schroeder backward integration (T20) of
    :func:`channel_response`, cut where its 10 ms energy envelope reaches twice the
    estimate's noise floor (the mean of 0.75-1.0 of its first half).

    ``None`` when the clean channel is silent. Level drift and clipping (telephone channels)
    are not linear: they raise the floor of the estimate and the result can be far off.
    """
    from duplex.acoustics.room import schroeder_rt60

    h = channel_response(clean, degraded)
    if not np.any(h):
        return None
    energy = h[: len(h) // 2] ** 2
    floor = float(energy[int(0.75 * len(energy)) :].mean())
    width = max(1, int(0.01 * sampling_rate))
    envelope = np.convolve(energy, np.ones(width) / width, "same")
    peak = int(np.argmax(envelope))
    below = np.flatnonzero(envelope[peak:] < 2.0 * floor)
    cut = peak + (int(below[0]) if below.size else len(envelope) - peak)
    rt60 = schroeder_rt60(h[:cut], sampling_rate)
    return round(rt60, 4) if rt60 > 0 else None


def measure_acoustics(timeline: Timeline, stereo: np.ndarray, clean: np.ndarray | None = None) -> dict[str, Any]:
    """Drawn against measured per channel: SNR, level, bandwidth, RT60, plus the drawn codec.

    :param stereo: the degraded ``(num_samples, 2)`` audio at ``timeline.sampling_rate``.
    :param clean: the clean stereo; when given, ``rt60_audio`` is measured from the two
        (:func:`rt60_from_audio`) for the channels that have a room.
    """
    sr = timeline.sampling_rate
    drawn = {c.get("channel"): c for c in (timeline.meta.get("acoustics") or {}).get("channels", [])}
    busy = [(s.start, s.end) for s in timeline.segments]
    channels = []
    for channel in (0, 1):
        d = drawn.get(channel, {})
        tail = max(0.5, float(d.get("rt60") or 0.0))
        own = [(s.start, s.end) for s in timeline.channel_segments(channel)]
        measured = measure_channel(stereo[:, channel], sr, own, busy, tail)
        channels.append({
            "channel": channel, "speaker": d.get("speaker", "AB"[channel]), "condition": d.get("condition", "clean"),
            "snr_db": d.get("snr_db"), "snr_db_measured": measured["snr_db"],
            "level_dbfs": d.get("level_dbfs"), "level_dbfs_measured": measured["level_dbfs"],
            "noise_dbfs_measured": measured["noise_dbfs"],
            "rt60": d.get("rt60"), "rt60_measured": d.get("rt60_measured"),
            "rt60_audio": (rt60_from_audio(clean[:, channel], stereo[:, channel], sr)
                           if clean is not None and d.get("rir") and len(clean) == len(stereo) else None),
            "codec": d.get("codec"),
            "bandwidth_hz_measured": round(bandwidth_hz(stereo[:, channel], sr)),
        })
    return {"preset": (timeline.meta.get("acoustics") or {}).get("preset", "clean"), "channels": channels}


def eval_audio_path(timeline: Timeline, audio: str) -> str:
    """The stereo file (relative to the corpus) to evaluate: ``audio`` is "clean" or "degraded".

    :raises GenerationError: when the degraded copy is asked for but was not rendered.
    """
    path = timeline.degraded_path if audio == "degraded" else timeline.audio_path
    if not path:
        raise GenerationError(
            f"eval: dialogue {timeline.id} has no {audio} stereo file; "
            + ("render acoustic conditions (duplex.acoustics: office, home, telephone or mixed) and re-run "
               "duplex, or set eval.audio: clean" if audio == "degraded" else "run the duplex stage first"))
    return path
