"""Render a timeline to a stereo array (channel 0 = A, channel 1 = B) and a mono mix.

Float32 throughout; one slice addition per segment (no per-sample Python), the
fades are precomputed ramps. Writing (16-bit PCM WAV or FLAC) is
:func:`speech.audio.write_audio`'s job.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from duplex.records import Segment

__all__ = ["render_stereo", "mix_to_mono", "peak_of", "FADE_SECONDS", "EDGE_FADE_SECONDS"]

#: fade applied where a segment is cut short by an interruption, so the cut does not click
FADE_SECONDS = 0.04
#: tiny ramp where a segment starts or ends inside its utterance (at a pause)
EDGE_FADE_SECONDS = 0.005


def _ramp(n: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, n + 2, dtype=np.float32)[1:-1]


def render_stereo(
    segments: Iterable[Segment], duration: float, sampling_rate: int, load: Callable[[Segment], np.ndarray],
    fade_seconds: float = FADE_SECONDS,
) -> np.ndarray:
    """Place every segment's audio on its channel.

    :param duration: length of the result in seconds; audio past it is dropped.
    :param load: returns the mono float32 audio of a segment's utterance (the whole file).
    :param fade_seconds: fade-out at the end of an interrupted segment.
    :return: float32 array of shape ``(num_samples, 2)``.
    """
    num_samples = int(round(duration * sampling_rate))
    out = np.zeros((2, num_samples), dtype=np.float32)  # channel-major: contiguous slice adds
    edge = _ramp(max(1, int(EDGE_FADE_SECONDS * sampling_rate)))
    fade = _ramp(max(1, int(fade_seconds * sampling_rate)))[::-1]
    for seg in segments:
        audio = load(seg)
        a = int(round(seg.source_start * sampling_rate))
        b = len(audio) if seg.source_end is None else min(len(audio), int(round(seg.source_end * sampling_rate)))
        start = int(round(seg.start * sampling_rate))
        b = min(b, a + num_samples - start)
        if b <= a or start >= num_samples:
            continue
        piece = audio[a:b]
        n = len(piece)
        fade_in = a > 0 and n > len(edge)
        fade_out = (fade if seg.interrupted else edge[::-1] if b < len(audio) else None)
        if fade_out is not None and n <= len(fade_out):
            fade_out = None
        if fade_in or fade_out is not None:
            piece = piece.copy()
            if fade_in:
                piece[: len(edge)] *= edge
            if fade_out is not None:
                piece[n - len(fade_out) :] *= fade_out
        out[seg.channel, start : start + n] += piece
    return out.T


def peak_of(samples: np.ndarray) -> float:
    """The largest absolute sample value (0 for empty audio)."""
    return float(max(samples.max(initial=0.0), -samples.min(initial=0.0)))


def mix_to_mono(stereo: np.ndarray, ceiling: float = 0.99) -> np.ndarray:
    """Sum both channels; scaled down only if the sum would pass ``ceiling`` (no clipping)."""
    mono = stereo[:, 0] + stereo[:, 1]
    peak = peak_of(mono)
    return mono * np.float32(ceiling / peak) if peak > ceiling else mono
