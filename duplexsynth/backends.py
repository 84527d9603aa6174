"""Import every backend package once so each backend registers its name.

Each package's ``__init__`` imports its backend modules; engines themselves load only
when a backend is built.
"""

from __future__ import annotations

import eval.asr  # noqa: F401  (faster-whisper, whisper)
import speech.tts  # noqa: F401  (piper, espeak, coqui)
import text_dialogue.llm  # noqa: F401  (llamacpp, openai, transformers)

__all__: list[str] = []
