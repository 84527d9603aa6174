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

    def transcribe_chunks(self, samples: np.ndarray, chunks: list[tuple[float, float]]) -> list[Word]:
        """Words of each ``(start, end)`` chunk (seconds, each at most 30 s) of ``samples``.

        Times are in ``samples``'s time. This default transcribes the chunks one by one;
        a backend with a batched decoder overrides it (the same code on CPU and GPU).
        """
        words: list[Word] = []
        for start, end in chunks:
            a, b = int(round(start * ASR_SAMPLING_RATE)), int(round(end * ASR_SAMPLING_RATE))
            words += [Word(w.text, round(w.start + start, 3), round(w.end + start, 3))
                      for w in self.transcribe(samples[a:b])]
        return words

    def model_info(self) -> dict[str, Any]:
        """Backend name, model and engine version, for meta.json."""
        return {"backend": self.name}


ASR_BACKENDS: Registry[ASR] = Registry("ASR", "DUPLEXSYNTH_ASR_BACKEND", "faster-whisper")
register_asr = ASR_BACKENDS.register
available_asr = ASR_BACKENDS.available


def get_asr(name: str | None = None, options: dict[str, Any] | None = None) -> ASR:
    """Build an ASR backend by name (``None`` = the default, ``faster-whisper``)."""
    return ASR_BACKENDS.create(name, options)
