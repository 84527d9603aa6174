"""openai-whisper backend: a model by name ("base.en") or a local checkpoint path.

No openai-whisper weights ship on PyPI, so nothing loads offline by default: pass
``model`` as a path to a ``.pt`` checkpoint (``{"dims": ..., "model_state_dict": ...}``)
or a name that ``whisper.load_model`` downloads on a machine with network access.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from eval.asr.base import ASR, register_asr
from speech.records import Word

__all__ = ["WhisperConfig", "WhisperASR"]


@dataclass(frozen=True)
class WhisperConfig:
    """Options of the ``whisper`` (openai-whisper) backend."""

    #: a model name ("base", "small.en") or a path to a checkpoint file
    model: str = "base"
    device: str = "cpu"
    language: str = "en"
    beam_size: int | None = None
    #: where named models are downloaded to (``None`` = whisper's own default)
    download_root: str | None = None


@register_asr
class WhisperASR(ASR):
    """Transcription with word timestamps through openai-whisper."""

    name = "whisper"
    config_type = WhisperConfig

    def __init__(self, config: WhisperConfig) -> None:
        super().__init__(config)
        try:
            import whisper
        except ImportError:
            raise MissingDependency("openai-whisper", extra="whisper", why="the whisper ASR backend (install torch==2.13.0 first)") from None
        try:
            self._model = whisper.load_model(config.model, device=config.device, download_root=config.download_root)
        except (RuntimeError, OSError, KeyError) as e:
            raise BackendError(
                f"whisper: cannot load model {config.model!r}: {e}; pass a checkpoint path or one of "
                f"{', '.join(whisper.available_models())}"
            ) from None

    def transcribe(self, samples: np.ndarray) -> list[Word]:
        result = self._model.transcribe(
            samples.astype(np.float32), language=self.config.language, word_timestamps=True,
            condition_on_previous_text=False, beam_size=self.config.beam_size, temperature=0.0,
            fp16=self.config.device != "cpu", verbose=None,
        )
        return [
            Word(w["word"].strip(), round(float(w["start"]), 3), round(float(w["end"]), 3))
            for seg in result.get("segments", []) for w in seg.get("words", []) if w["word"].strip()
        ]

    def model_info(self) -> dict[str, Any]:
        from importlib.metadata import version

        return {"backend": self.name, "model": self.config.model, "openai_whisper": version("openai-whisper")}
