"""One advisory lock per corpus folder, so two runs never write the same manifests.

The lock is ``fcntl.flock`` on ``<corpus>/.lock``, which holds the owner's pid. The
kernel drops a flock when its process dies, so a lock left by a killed run is simply
taken over; the pid in the file is only for the error message.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from corpus_core.errors import DuplexsynthError
from corpus_core.layout import LOCK_FILE

__all__ = ["CorpusLock", "CorpusLocked"]


class CorpusLocked(DuplexsynthError):
    """Another live process holds the corpus folder."""


class CorpusLock:
    """Hold ``<corpus>/.lock`` for the duration of a ``with`` block (re-entrant in one process).

    :raises CorpusLocked: naming the pid that holds it.
    """

    _held: dict[Path, int] = {}

    def __init__(self, corpus: str | Path) -> None:
        self.path = Path(corpus).resolve() / LOCK_FILE
        self._fd: int | None = None

    def __enter__(self) -> "CorpusLock":
        import fcntl

        if self.path in self._held:
            self._held[self.path] += 1
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise CorpusLocked(f"{self.path.parent} is in use by another duplexsynth run (pid {holder}); "
                               f"wait for it to finish or stop it") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        self._held[self.path] = 1
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._held[self.path] -= 1
        if self._held[self.path] == 0:
            del self._held[self.path]
            if self._fd is not None:
                os.close(self._fd)  # closing the descriptor releases the flock
                self._fd = None
