"""Real speech for the acoustics tests: piper utterances from the shipped samples corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from duplex.acoustics import AcousticsConfig, ConditionConfig, NoiseConfig, RoomConfig
from speech.audio import read_audio

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SR = 24000


def sample_stereo(gap: float = 1.2) -> tuple[np.ndarray, list[tuple[int, float, float]]]:
    """Three piper turns (A, B, A) of the samples corpus on two channels, with silent gaps.

    :return: the clean stereo ``(n, 2)`` and ``(channel, start, end)`` per segment.
    """
    turns = [read_audio(SAMPLES / "audio" / "booking-00000" / f"booking-00000-{i:03d}.flac", SR)[0] for i in range(3)]
    segments, t = [], gap
    for i, audio in enumerate(turns):
        segments.append((i % 2, t, t + len(audio) / SR))
        t += len(audio) / SR + gap
    stereo = np.zeros((int(t * SR) + 1, 2), dtype=np.float32)
    for (channel, start, _end), audio in zip(segments, turns):
        a = int(round(start * SR))
        stereo[a : a + len(audio), channel] += audio
    return stereo, segments


def small_room(rt60: tuple[float, float] = (0.25, 0.35)) -> RoomConfig:
    """A quick room bank (two rooms, short RT60) so tests simulate little."""
    return RoomConfig(rt60=rt60, bank_size=2, size_min=(3.5, 3.5, 2.5), size_max=(4.5, 4.5, 2.8), distance=(0.5, 1.0))


def one_condition(**sections: object) -> AcousticsConfig:
    """An AcousticsConfig of one condition made of the given sections (room off unless given)."""
    sections.setdefault("room", RoomConfig(enabled=False))
    sections.setdefault("noise", NoiseConfig(snr_db=(15.0, 15.0)))
    return AcousticsConfig("test", (ConditionConfig(name="test", **sections),))  # type: ignore[arg-type]
