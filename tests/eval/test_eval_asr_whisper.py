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


def _tiny_checkpoint(path: Path, word: str = " hello") -> Path:
    """A 1-layer random-weight Whisper whose decoder always prefers ``word``.

    The decoder's final layer norm is set to a constant vector ``v`` and ``word``'s token
    embedding to ``20 v`` (every other row scaled down), so greedy decoding says ``word``
    after the first timestamp token whatever the audio: a backend that loses, mistimes or
    mangles the engine's words fails the test. whisper leaves the decoder's positional
    embedding uninitialised (``torch.empty``), so it is drawn here; left as it is, the
    logits are NaN and the engine returns nothing.
    """
    dims = whisper.model.ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=32, n_audio_head=2, n_audio_layer=1,
        n_vocab=51865, n_text_ctx=64, n_text_state=32, n_text_head=2, n_text_layer=1,
    )
    torch.manual_seed(0)
    model = whisper.model.Whisper(dims)
    (token,) = whisper.tokenizer.get_tokenizer(multilingual=True, language="en", task="transcribe").encode(word)
    with torch.no_grad():
        decoder = model.decoder
        decoder.positional_embedding.normal_(0.0, 0.01)
        v = torch.randn(dims.n_text_state)
        decoder.ln.weight.zero_()
        decoder.ln.bias.copy_(v / v.norm())
        decoder.token_embedding.weight.mul_(0.01)
        decoder.token_embedding.weight[token] = 20 * v / v.norm()
    torch.save({"dims": asdict(dims), "model_state_dict": model.state_dict()}, path)
    return path


def test_whisper_backend_loads_a_checkpoint_by_path_and_returns_timed_words(tmp_path: Path) -> None:
    assert "whisper" in available_asr()
    ckpt = _tiny_checkpoint(tmp_path / "tiny-random.pt")
    asr = get_asr("whisper", {"model": str(ckpt)})
    seconds = 2.0
    t = np.arange(int(16000 * seconds)) / 16000
    words = asr.transcribe((0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    # the engine's greedy output is " hello" repeated until the sample length (n_text_ctx // 2 tokens)
    assert len(words) >= 10 and {w.text for w in words} == {"hello"}
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for w in words:
        assert 0.0 <= w.start <= w.end <= seconds + 0.02  # timed by whisper's DTW inside the clip
    assert asr.model_info()["backend"] == "whisper"


def test_whisper_backend_names_the_bad_model(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="cannot load model"):
        get_asr("whisper", {"model": "no-such-model-name"})
