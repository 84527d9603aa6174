"""The corpus folder's layout: file and folder names, and the guard that keeps paths inside it."""

from __future__ import annotations

import os
from pathlib import Path

from corpus_core.errors import ManifestError

__all__ = [
    "MANIFESTS", "META_FILE", "FAILURES_FILE", "DROPPED_FILE", "LOCK_FILE", "AUDIO_DIR", "DUPLEX_AUDIO_DIR",
    "TRANSCRIPTS_DIR", "EXPORTS_DIR", "REPORT_DIR", "inside",
]

#: stage -> manifest file name in the corpus folder
MANIFESTS: dict[str, str] = {
    "text": "dialogues.jsonl",
    "speech": "utterances.jsonl",
    "duplex": "timelines.jsonl",
    "eval": "eval.jsonl",
}
META_FILE = "meta.json"
FAILURES_FILE = "failures.jsonl"
DROPPED_FILE = "dropped.jsonl"
LOCK_FILE = ".lock"
AUDIO_DIR = "audio"
DUPLEX_AUDIO_DIR = "audio/duplex"
TRANSCRIPTS_DIR = "transcripts"
EXPORTS_DIR = "exports"
REPORT_DIR = "report"


def inside(root: str | Path, *parts: str | Path) -> Path:
    """``root / parts``, refusing parts that climb out of ``root`` as written.

    Ids are sanitized before they name files; this is the second line of defence for
    paths read back from manifests (``audio_path``) and for anything joined later. The
    parts are checked as written, not resolved: a record may not hold a ``..`` step, a
    NUL or an absolute path outside ``root``, but the user's own symlinks inside the
    corpus (``audio/`` linked to a scratch disk) are followed as the user meant. Only
    ``root`` itself is resolved, so the result is absolute.

    :raises ManifestError: when a part holds a NUL, a ``..`` step, or an absolute path
        that is not under ``root``.
    """
    base = Path(root).resolve()
    written = Path(*parts) if parts else Path()
    steps: list[str] = []
    for part in parts:
        text = str(part)
        if "\0" in text:
            raise ManifestError(f"path {text!r} holds a NUL character; refusing to use it")
        path = Path(text)
        if path.is_absolute():  # only a path already inside the corpus, as a caller joined it
            path = _under(path, (base, Path(os.path.abspath(root))), written, root)
        if ".." in path.parts:
            raise ManifestError(f"path {written} leaves the corpus folder {root} (a '..' step); refusing to use it")
        steps.extend(path.parts)
    return base.joinpath(*steps)


def _under(path: Path, bases: tuple[Path, ...], written: Path, root: str | Path) -> Path:
    """``path`` relative to the first of ``bases`` it lies under, compared as written."""
    normal = Path(os.path.normpath(path))
    for base in bases:
        if normal == base or base in normal.parents:
            return normal.relative_to(base)
    raise ManifestError(f"path {written} leaves the corpus folder {root} (an absolute path outside it); "
                        "refusing to use it")
