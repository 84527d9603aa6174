"""Import every backend module once so each registers its name (engines load lazily)."""

from __future__ import annotations

import eval.asr.faster_whisper  # noqa: F401
import speech.tts.piper  # noqa: F401
import text_dialogue.llm.llamacpp  # noqa: F401

__all__: list[str] = []
