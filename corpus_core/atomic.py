"""The one atomic-write helper: unique temp file in the target's folder, fsync, rename.

Readers see either the old file or the whole new one, never a part. Every file the
toolkit writes (manifests rewritten whole, meta.json, audio, exports, assembled model
files) goes through :func:`atomic_path` or one of the small wrappers on top of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any, Iterator

__all__ = ["atomic_path", "write_bytes_atomic", "write_text_atomic", "write_json_atomic", "fsync_dir",
           "TEMP_PREFIX", "sweep_temp_files"]

#: every temp file starts with this, so a sweep after a killed run can find them
TEMP_PREFIX = ".dsx-tmp-"


def fsync_dir(folder: str | Path) -> None:
    """Flush a folder's entries to disk, so a rename survives a power cut (no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | Path, durable: bool = True) -> Iterator[Path]:
    """Yield a unique temp path beside ``path``; on success it replaces ``path`` atomically.

    The temp name keeps ``path``'s suffix, so writers that choose the format from the
    suffix (soundfile) still work. On any exception the temp file is removed.

    :param durable: fsync the file and its folder (off only for throwaway files).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("hi")
    >>> target.read_text()
    'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a unique name that does not exist yet (some writers refuse to touch an existing file)
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{path.suffix}"
    try:
        yield tmp
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sweep_temp_files(root: str | Path, prefixes: tuple[str, ...] = (TEMP_PREFIX,)) -> list[Path]:
    """Delete temp files a killed run left anywhere under ``root``; return what was removed.

    Call it only while holding the folder's :class:`corpus_core.lock.CorpusLock`: a live
    writer's temp file looks the same as a dead one's.
    """
    removed = []
    for folder, _, files in os.walk(root):
        for name in files:
            if name.startswith(prefixes):
                path = Path(folder) / name
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Write pretty JSON atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
