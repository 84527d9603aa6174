"""One progress display for a whole streaming run: dialogues, audio hours, x real time, ETA.

On a terminal it is one tqdm bar; when stderr is not a terminal (cluster logs) it
writes a plain log line every ``interval`` seconds; ``quiet`` shows nothing.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, TextIO

__all__ = ["RunProgress"]


@dataclass
class RunProgress:
    """Counts of a run and how they are shown.

    :param total: dialogues this run has to make.
    :param quiet: show nothing.
    :param interval: seconds between two log lines when stderr is not a terminal.
    """

    total: int
    quiet: bool = False
    interval: float = 30.0
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    done: int = 0
    failed: int = 0
    audio_seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    _bar: Any = None
    _last_line: float = 0.0

    def __post_init__(self) -> None:
        if not self.quiet and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, desc="dialogues", unit="dlg", file=self.stream)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def status(self) -> dict[str, Any]:
        """The figures the display shows, also saved in run_summary.json."""
        elapsed = self.elapsed
        finished = self.done + self.failed
        eta = elapsed / finished * (self.total - finished) if finished else None
        return {"dialogues": self.total, "done": self.done, "failed": self.failed,
                "audio_hours": round(self.audio_seconds / 3600, 4), "wall_seconds": round(elapsed, 2),
                "x_real_time": round(self.audio_seconds / elapsed, 3) if elapsed > 0 else None,
                "eta_seconds": round(eta, 1) if eta is not None else None}

    def update(self, ok: bool, audio_seconds: float) -> None:
        """Count one finished dialogue (``ok`` = no stage failed) and refresh the display."""
        self.done += ok
        self.failed += not ok
        self.audio_seconds += audio_seconds
        if self.quiet:
            return
        s = self.status()
        if self._bar is not None:
            self._bar.set_postfix_str(f"failed {self.failed}, {s['audio_hours'] * 60:.1f} min audio, "
                                      f"{s['x_real_time'] or 0:.2f}x real time", refresh=False)
            self._bar.update(1)
        elif time.perf_counter() - self._last_line >= self.interval or self.done + self.failed == self.total:
            self._last_line = time.perf_counter()
            eta = f"{s['eta_seconds']:.0f} s" if s["eta_seconds"] is not None else "?"
            print(f"progress: {self.done + self.failed}/{self.total} dialogues ({self.failed} failed), "
                  f"{s['audio_hours'] * 60:.2f} min audio, {s['x_real_time'] or 0:.2f}x real time, ETA {eta}",
                  file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
