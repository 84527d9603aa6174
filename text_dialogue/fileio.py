"""Atomic file writes, shared by every stage (temp file in the same folder + rename)."""

from __future__ import annotations

import gzip
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator

from text_dialogue.errors import ManifestError

__all__ = ["write_text_atomic", "open_text", "iter_jsonl"]

log = logging.getLogger(__name__)


def open_text(path: Path, mode: str) -> IO[str]:
    """Open a text file, gzip-compressed when its name ends in ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-empty line of a JSONL(.gz) manifest.

    A last line with no newline that is not valid JSON was cut short by a killed run:
    it is skipped with a warning (that record was never finished).

    :raises ManifestError: naming the file and line of anything else that is not a JSON object.
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(f"manifest {path} does not exist; run the previous stage first or pass a file")
    with open_text(path, "r") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                if not line.endswith("\n"):
                    log.warning("%s:%d: skipping an unfinished last line left by a killed run", path, lineno)
                    return
                raise ManifestError(f"{path}:{lineno}: not valid JSON ({e.msg}); fix or delete that line") from None
            if not isinstance(data, dict):
                raise ManifestError(f"{path}:{lineno}: expected a JSON object, got {type(data).__name__}")
            yield lineno, data


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
