"""The TTS interface every speech backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from corpus_core.registry import Registry
from speech.records import Voice, Word

__all__ = ["TTS", "Synthesis", "TTS_BACKENDS", "register_tts", "get_tts", "available_tts", "tts_installed"]


@dataclass(frozen=True)
class Synthesis:
    """Raw engine output for one text: mono float32 samples at the engine's rate."""

    samples: np.ndarray
    sampling_rate: int
    #: word times from the engine, when it aligns; ``None`` otherwise
    words: tuple[Word, ...] | None = None


class TTS(ABC):
    """A speech synthesizer. One instance serves every voice of its backend.

    Subclasses set ``name`` and ``config_type`` and register with :func:`register_tts`.
    """

    name: ClassVar[str]
    config_type: ClassVar[type]
    #: True when ``seed`` changes the audio; a re-synthesis with another seed is a no-op otherwise
    uses_seed: ClassVar[bool] = False
    #: modules the engine imports: the default cast leaves out a backend whose modules are missing
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Any) -> None:
        self.config = config

    @abstractmethod
    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        """Speak ``text`` with ``voice``; ``length_scale`` > 1 speaks slower (longer audio).

        Pitch transforms are applied by the caller, not here.
        """

    def model_info(self, voice: Voice) -> dict[str, Any]:
        """What produced ``voice``'s audio (model file, engine version), for meta.json."""
        return {"backend": self.name}

    def release_memory(self) -> None:
        """Hand back memory the engine keeps between calls (its models stay loaded)."""


TTS_BACKENDS: Registry[TTS] = Registry("TTS", "DUPLEXSYNTH_TTS_BACKEND", "piper")
register_tts = TTS_BACKENDS.register
available_tts = TTS_BACKENDS.available


def tts_installed(name: str) -> bool:
    """Whether backend ``name`` is registered and every module it :attr:`~TTS.requires` imports is installed."""
    from importlib.util import find_spec

    import speech.tts  # noqa: F401  (registers the shipped backends)

    if name not in TTS_BACKENDS.available():
        return False
    return all(find_spec(m) is not None for m in TTS_BACKENDS.get_class(name).requires)


def get_tts(name: str | None = None, options: dict[str, Any] | None = None) -> TTS:
    """Build a TTS backend by name (``None`` = the default, ``piper``)."""
    return TTS_BACKENDS.create(name, options)
