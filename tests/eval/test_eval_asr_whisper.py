"""openai-whisper backend: a tiny random-weight checkpoint saved in the test, loaded by path."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from _require import require  # noqa: E402

from corpus_core.errors import BackendError
from eval.asr.base import available_asr, get_asr

whisper = require("whisper", "openai-whisper is not installed (pip install openai-whisper)")
torch = require("torch")


def _tiny_checkpoint(path: Path) -> Path:
    dims = whisper.model.ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=1,
        n_vocab=51865, n_text_ctx=64, n_text_state=32, n_text_head=2, n_text_layer=1,
    )
    model = whisper.model.Whisper(dims)
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


def test_whisper_backend_loads_a_checkpoint_by_path_and_returns_timed_words(tmp_path: Path) -> None:
    assert "whisper" in available_asr()
    ckpt = _tiny_checkpoint(tmp_path / "tiny-random.pt")
    asr = get_asr("whisper", {"model": str(ckpt)})
    t = np.arange(16000 * 2) / 16000
    words = asr.transcribe((0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    assert isinstance(words, list)
    for w in words:
        assert 0.0 <= w.start <= w.end <= 30.0 and w.text
    assert asr.model_info()["backend"] == "whisper"


def test_whisper_backend_names_the_bad_model(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="cannot load model"):
        get_asr("whisper", {"model": "no-such-model-name"})
