"""Render a timeline to a stereo array (channel 0 = A, channel 1 = B) and a mono mix.

Mixing is float32 slice addition, one ``np.add`` per segment; no per-sample Python.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from duplex.records import Segment

__all__ = ["render_stereo", "mix_to_mono", "FADE_SECONDS"]

#: fade applied where a segment is cut short, so the cut does not click
FADE_SECONDS = 0.05


def render_stereo(
    segments: Iterable[Segment], duration: float, sampling_rate: int, load: Callable[[Segment], np.ndarray]
) -> np.ndarray:
    """Place every segment's audio on its channel.

    :param load: returns the mono float32 audio of a segment's utterance (whole file).
    :return: float32 array of shape ``(num_samples, 2)``.
    """
    num_samples = int(round(duration * sampling_rate))
    out = np.zeros((num_samples, 2), dtype=np.float32)
    for seg in segments:
        audio = load(seg)
        a = int(round(seg.source_start * sampling_rate))
        b = len(audio) if seg.source_end is None else int(round(seg.source_end * sampling_rate))
        piece = audio[a:b]
        if seg.interrupted:
            piece = piece.copy()
            n = min(len(piece), int(FADE_SECONDS * sampling_rate))
            piece[len(piece) - n :] *= np.linspace(1.0, 0.0, n, dtype=np.float32)
        start = int(round(seg.start * sampling_rate))
        piece = piece[: max(0, num_samples - start)]
        out[start : start + len(piece), seg.channel] += piece
    return out


def mix_to_mono(stereo: np.ndarray) -> np.ndarray:
    """Sum both channels, scaled down only if the sum would clip."""
    mono = stereo.sum(axis=1)
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    return mono / peak * 0.99 if peak > 0.99 else mono
