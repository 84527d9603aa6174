"""Where model files come from: packages that ship weights, assembled once into a cache.

The cache folder is ``$DUPLEXSYNTH_CACHE`` or ``~/.cache/duplexsynth``. Assembly writes
to a unique temp name and renames, so two processes assembling at once never see a part.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from corpus_core.atomic import atomic_path

__all__ = ["cache_dir", "assemble_once"]


def cache_dir() -> Path:
    """The user cache folder for assembled model files (created on demand)."""
    root = Path(os.environ.get("DUPLEXSYNTH_CACHE") or Path.home() / ".cache" / "duplexsynth")
    root.mkdir(parents=True, exist_ok=True)
    return root


def assemble_once(target: Path, build: Callable[[Path], None]) -> Path:
    """Make ``target`` with ``build(temp_path)`` unless it exists; atomic and race-free.

    :param build: writes the whole file to the path it is given.
    """
    if not target.is_file():
        with atomic_path(target) as tmp:
            build(tmp)
    return target
