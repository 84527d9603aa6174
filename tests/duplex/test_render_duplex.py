"""The renderer: exact placement, fades, a mono mix that never clips, 16-bit files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from duplex.records import Segment
from duplex.render import mix_to_mono, peak_of, render_stereo
from speech.audio import read_audio, write_audio

SR = 8000


def _tone(seconds: float, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_segments_land_on_their_channel_at_their_time() -> None:
    audio = {"a": _tone(1.0), "b": _tone(0.5, 220)}
    segs = [
        Segment(channel=0, speaker="A", start=0.25, end=1.25, text="x", utterance_id="a", source_end=1.0),
        Segment(channel=1, speaker="B", start=1.0, end=1.25, text="y", utterance_id="b", source_start=0.25,
                source_end=0.5),
    ]
    out = render_stereo(segs, 2.0, SR, lambda s: audio[s.utterance_id])
    assert out.shape == (2 * SR, 2) and out.dtype == np.float32
    np.testing.assert_array_equal(out[2000:10000, 0], audio["a"])
    assert not np.any(out[:2000, 0]) and not np.any(out[10000:, 0])
    # a piece from inside an utterance: the source slice, with 5 ms ramps at its cut edges
    np.testing.assert_allclose(out[8000 + 100 : 10000 - 100, 1], audio["b"][2000 + 100 : 4000 - 100])
    assert abs(out[8000, 1]) < 0.05 and not np.any(out[:8000, 1]) and not np.any(out[10000:, 1])


def test_an_interrupted_segment_fades_out() -> None:
    audio = {"a": _tone(1.0, amp=0.8)}
    seg = Segment(channel=0, speaker="A", start=0.0, end=0.5, text="x", utterance_id="a", source_end=0.5,
                  interrupted=True)
    out = render_stereo([seg], 1.0, SR, lambda s: audio["a"], fade_seconds=0.04)
    assert np.abs(out[3000:3600, 0]).max() > 0.7
    assert np.abs(out[3990:4000, 0]).max() < 0.02
    assert not np.any(out[4000:, 0])


def test_mono_mix_never_clips_and_reports_its_peak() -> None:
    stereo = np.stack([_tone(1.0, amp=0.9), _tone(1.0, amp=0.9)], axis=1)
    mono = mix_to_mono(stereo)
    assert peak_of(mono) <= 0.99 + 1e-6
    quiet = stereo * 0.25
    np.testing.assert_allclose(mix_to_mono(quiet), quiet[:, 0] + quiet[:, 1])


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_stereo_files_are_16_bit_and_read_back(tmp_path: Path, suffix: str) -> None:
    import soundfile as sf

    stereo = np.stack([_tone(0.5), _tone(0.5, 220)], axis=1)
    path = tmp_path / f"d{suffix}"
    write_audio(path, stereo, SR)
    assert sf.info(str(path)).subtype == "PCM_16" and sf.info(str(path)).channels == 2
    back, sr = read_audio(path)
    assert sr == SR and np.abs(back - stereo).max() < 1e-4
