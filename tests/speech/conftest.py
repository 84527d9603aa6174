"""Shared fixtures of the speech tests: an F0 estimator, the voice bank, one engine pool."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from speech.synthesize import TTSPool
from speech.voices import VoiceBank, default_voice_bank


def estimate_f0(samples: np.ndarray, sampling_rate: int, fmin: float = 60.0, fmax: float = 400.0) -> float:
    """Median F0 (Hz) of the clearly voiced 40 ms frames, by autocorrelation; 0.0 if none."""
    hop = int(0.04 * sampling_rate)
    lo, hi = int(sampling_rate / fmax), int(sampling_rate / fmin)
    rms_floor = 0.25 * float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    found = []
    for i in range(0, len(samples) - hop, hop):
        frame = samples[i : i + hop].astype(np.float64)
        frame = frame - frame.mean()
        if np.sqrt(np.mean(frame**2)) < rms_floor:
            continue
        ac = np.correlate(frame, frame, "full")[hop - 1 :]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            found.append(sampling_rate / lag)
    return float(np.median(found)) if found else 0.0


@pytest.fixture(scope="session")
def f0() -> Callable[..., float]:
    """The F0 estimator above, as a fixture."""
    return estimate_f0


@pytest.fixture(scope="session")
def bank() -> VoiceBank:
    """The shipped voice bank."""
    return default_voice_bank()


@pytest.fixture(scope="session")
def pool() -> TTSPool:
    """One engine pool for the session, so piper loads once."""
    return TTSPool()
