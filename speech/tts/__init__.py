"""TTS backends behind one interface (:class:`speech.tts.base.TTS`), registered by name.

Importing this package registers ``piper``, ``espeak``, ``kokoro``, ``openai`` and ``coqui``; each backend
imports its engine only when it is built, so registration costs nothing.
"""

from __future__ import annotations

from speech.tts import coqui, espeak, kokoro, openai_tts, piper  # noqa: F401  (register the backends)
from speech.tts.base import (
    TTS,
    TTS_BACKENDS,
    Synthesis,
    available_tts,
    get_tts,
    register_tts,
    tts_installed,
)

__all__ = ["TTS", "Synthesis", "TTS_BACKENDS", "register_tts", "get_tts", "available_tts", "tts_installed"]
