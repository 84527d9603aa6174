"""Clips shorter than pyloudnorm's 400 ms block (most backchannels) are measured and
normalized like any turn: speech.audio shrinks the block, so no fallback path exists."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speech.audio import measure_loudness, normalize_loudness

RATE = 24000


def _tone(seconds: float, amplitude: float) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@settings(max_examples=25, deadline=None)
@given(seconds=st.floats(0.03, 0.39), amplitude=st.floats(0.01, 0.5))
def test_a_short_clip_is_normalized_to_the_target(seconds: float, amplitude: float) -> None:
    out = normalize_loudness(_tone(seconds, amplitude), RATE, target_lufs=-23.0)
    assert measure_loudness(out, RATE) == pytest.approx(-23.0, abs=0.1)


def test_a_short_clip_measures_as_a_long_one_of_the_same_sound() -> None:
    assert measure_loudness(_tone(0.12, 0.2), RATE) == pytest.approx(measure_loudness(_tone(2.0, 0.2), RATE), abs=0.2)
