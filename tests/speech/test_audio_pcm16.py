"""write_audio converts float to 16-bit itself: the files must be byte for byte libsndfile's own."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from speech.audio import write_audio


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pcm16_files_are_libsndfiles_own(tmp_path, suffix, dtype):
    rng = np.random.default_rng(3)
    samples = (rng.standard_normal((24000 * 3, 2)) * 0.3).astype(dtype)
    samples[::701] = 1.4  # past full scale: clipped, never wrapped
    samples[::703] = -1.2
    samples[5:9, 0] = [0.5 / 32768, -0.5 / 32768, 1.5 / 32768, 32767.5 / 32768]  # rounding edges
    ours = tmp_path / f"ours{suffix}"
    write_audio(ours, samples, 24000)
    theirs = tmp_path / f"theirs{suffix}"
    sf.write(theirs, np.clip(samples, -1.0, 1.0), 24000, subtype="PCM_16")
    assert ours.read_bytes() == theirs.read_bytes()
    decoded, _ = sf.read(ours, dtype="int16")
    assert decoded.max() == 32767 and decoded.min() == -32768
