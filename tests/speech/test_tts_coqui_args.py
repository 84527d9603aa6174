"""What the coqui backend passes to coqui's API (XTTS cloning, speed, languages), on a stand-in API.

Real XTTS weights cannot be had offline and a random XTTS is too heavy to build in a
test; the VITS path runs for real in test_tts_coqui.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from _require import require

from corpus_core.errors import BackendError
from speech.records import Voice
from speech.tts.coqui import CoquiConfig, CoquiTTS, resolve_coqui_model

require("torch", reason="the coqui backend seeds synthesis with torch")


class FakeXtts:
    """Looks like ``TTS.api.TTS`` holding a cloning, multilingual model without a length scale."""

    is_multi_lingual = True
    speakers = ["Ana Florence"]

    def __init__(self) -> None:
        self.synthesizer = SimpleNamespace(tts_model=SimpleNamespace(), output_sample_rate=24000)
        self.calls: list[dict[str, Any]] = []

    def tts(self, text: str, **kwargs: Any) -> list[float]:
        self.calls.append(kwargs)
        return [0.1] * 2400


def _engine(fake: FakeXtts) -> CoquiTTS:
    engine = CoquiTTS.__new__(CoquiTTS)  # skip the import check: coqui-tts need not be installed
    engine.config = CoquiConfig(language="fr")
    engine._models = {"xtts": fake}
    return engine


def test_xtts_cloning_gets_speaker_wav_language_and_speed(tmp_path: Path) -> None:
    fake = FakeXtts()
    ref = tmp_path / "me.wav"
    voice = Voice(id="me", backend="coqui", model="xtts", speaker_wav=str(ref))
    out = _engine(fake).synthesize("Bonjour.", voice, length_scale=1.25)
    assert out.sampling_rate == 24000 and out.samples.dtype == np.float32
    assert fake.calls == [{"speaker": None, "speaker_wav": str(ref), "language": "fr", "speed": 0.8}]


def test_named_speaker_and_unknown_speaker() -> None:
    fake = FakeXtts()
    engine = _engine(fake)
    engine.synthesize("Hi.", Voice(id="ana", backend="coqui", model="xtts", speaker="0"))
    assert fake.calls[-1]["speaker"] == "Ana Florence" and "speed" not in fake.calls[-1]
    with pytest.raises(BackendError, match="Ana Florence"):
        engine.synthesize("Hi.", Voice(id="x", backend="coqui", model="xtts", speaker="Bob"))


def test_model_resolution(tmp_path: Path) -> None:
    assert resolve_coqui_model("tts_models/en/vctk/vits") == {"model_name": "tts_models/en/vctk/vits"}
    ckpt = tmp_path / "model.pth"
    ckpt.write_bytes(b"")
    with pytest.raises(BackendError, match="config.json"):
        resolve_coqui_model(str(ckpt))
    (tmp_path / "config.json").write_text("{}")
    assert resolve_coqui_model(str(ckpt)) == {"model_path": str(ckpt), "config_path": str(tmp_path / "config.json")}
    assert resolve_coqui_model(str(tmp_path))["model_path"] == str(tmp_path)
    with pytest.raises(BackendError, match="does not exist"):
        resolve_coqui_model(str(tmp_path / "missing" / "model.pth"))
