"""Whole-corpus-folder operations: starting a corpus afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus_core.errors import ConfigError
from corpus_core.layout import (
    AUDIO_DIR,
    DROPPED_FILE,
    EXPORTS_DIR,
    FAILURES_FILE,
    MANIFESTS,
    META_FILE,
    REPORT_DIR,
    TRANSCRIPTS_DIR,
)

__all__ = ["clear_corpus", "CORPUS_ENTRIES"]

#: everything a run writes into a corpus folder; nothing else is ever removed
CORPUS_ENTRIES = (*MANIFESTS.values(), META_FILE, FAILURES_FILE, DROPPED_FILE, AUDIO_DIR, TRANSCRIPTS_DIR,
                  EXPORTS_DIR, REPORT_DIR, "run_summary.json")


def clear_corpus(corpus: Path) -> list[str]:
    """Remove what earlier runs wrote into ``corpus``, leaving any other file alone.

    :return: the names removed.
    :raises ConfigError: when ``corpus`` is a file.
    """
    corpus = Path(corpus)
    if corpus.exists() and not corpus.is_dir():
        raise ConfigError(f"--out {corpus} is a file; give a folder")
    removed = []
    for name in CORPUS_ENTRIES:
        path = corpus / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed
