"""The corpus folder's layout: file and folder names, and the guard that keeps paths inside it."""

from __future__ import annotations

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
    """``root / parts``, refusing any result that resolves outside ``root``.

    Ids are sanitized before they name files; this is the second line of defence for
    paths read back from manifests (``audio_path``) and for anything joined later.

    :raises ManifestError: when the path would leave the corpus folder.
    """
    base = Path(root).resolve()
    path = base.joinpath(*parts).resolve()
    if path != base and base not in path.parents:
        raise ManifestError(f"path {Path(*parts)} leaves the corpus folder {root}; refusing to use it")
    return path
