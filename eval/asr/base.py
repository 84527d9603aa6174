"""The ASR interface every transcription backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from corpus_core.registry import Registry
from speech.records import Word

__all__ = ["ASR", "ASR_BACKENDS", "register_asr", "get_asr", "available_asr", "ASR_SAMPLING_RATE"]

#: every backend takes 16 kHz mono float32
ASR_SAMPLING_RATE = 16000


class ASR(ABC):
    """A speech recognizer that returns words with start and end times.

    Subclasses set ``name`` and ``config_type`` and register with :func:`register_asr`.
    """

    name: ClassVar[str]
    config_type: ClassVar[type]

    def __init__(self, config: Any) -> None:
        self.config = config

    @abstractmethod
    def transcribe(self, samples: np.ndarray) -> list[Word]:
        """Words with times (seconds) of 16 kHz mono float32 ``samples``."""

    def model_info(self) -> dict[str, Any]:
        """Backend name, model and engine version, for meta.json."""
        return {"backend": self.name}


ASR_BACKENDS: Registry[ASR] = Registry("ASR", "DUPLEXSYNTH_ASR_BACKEND", "faster-whisper")
register_asr = ASR_BACKENDS.register
available_asr = ASR_BACKENDS.available


def get_asr(name: str | None = None, options: dict[str, Any] | None = None) -> ASR:
    """Build an ASR backend by name (``None`` = the default, ``faster-whisper``)."""
    return ASR_BACKENDS.create(name, options)
