"""Cut a dialogue into training windows at pauses, never inside a segment.

Trainers that window long examples themselves cut through speech: NeMo's
``truncate_duration`` / ``cut_into_windows_duration`` keep the supervisions that
stick out of a window (``keep_excessive_supervisions``), which gives them a negative
start, and its token building then fails. The exports window the dialogue here
instead, where the segment times are known.

A pause is a stretch where neither channel speaks. Consecutive stretches of speech
(segments of both channels, merged where they overlap or touch) are grouped greedily
while the group fits ``max_duration``; each window is its group plus as much of the
surrounding pauses as still fits, up to the middle of each pause, so windows never
overlap. A stretch of speech longer than ``max_duration`` becomes a window of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from duplex.records import Segment

__all__ = ["Window", "plan_windows", "speech_blocks", "clip_to_window", "GRID"]

#: window edges snap to this grid (seconds) where the pause allows: 20 ms is a whole
#: number of samples at 8, 16, 22.05, 24, 44.1 and 48 kHz, so both audio files of a
#: window hold exactly its duration
GRID = 0.02


@dataclass(frozen=True)
class Window:
    """A span ``[start, end)`` of the dialogue in seconds.

    >>> Window(1.0, 3.5).duration
    2.5
    """

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_blocks(segments: Iterable[Segment], duration: float) -> list[Window]:
    """Stretches where someone speaks: segments of both channels merged where they overlap or touch."""
    blocks: list[list[float]] = []
    for seg in sorted(segments, key=lambda s: s.start):
        start, end = max(0.0, seg.start), min(duration, seg.end)
        if end <= start:
            continue
        if blocks and start <= blocks[-1][1]:
            blocks[-1][1] = max(blocks[-1][1], end)
        else:
            blocks.append([start, end])
    return [Window(a, b) for a, b in blocks]


def _snap(value: float, low: float, high: float, prefer_up: bool) -> float:
    """``value`` moved onto the :data:`GRID` if a grid point in that direction stays in ``[low, high]``."""
    steps = value / GRID
    candidates = [math.ceil(steps - 1e-6), math.floor(steps + 1e-6)]
    for step in candidates if prefer_up else candidates[::-1]:
        snapped = round(step * GRID, 6)
        if low - 1e-9 <= snapped <= high + 1e-9:
            return snapped
    return value


def plan_windows(segments: Sequence[Segment], duration: float, max_duration: float | None = None) -> list[Window]:
    """The windows of one dialogue, in time order.

    :param duration: the dialogue's length in seconds (the audio's length).
    :param max_duration: longest window in seconds; ``None`` gives one window of the whole dialogue.
    :return: non-overlapping windows; no segment crosses a window edge, and each window is
        at most ``max_duration`` long unless one stretch of speech alone is longer.
    :raises ValueError: when ``max_duration`` is not positive.
    """
    if max_duration is None:
        return [Window(0.0, duration)]
    if not max_duration > 0:
        raise ValueError(f"max_duration must be a positive number of seconds, not {max_duration!r}")
    blocks = speech_blocks(segments, duration)
    if not blocks:
        return [Window(0.0, min(duration, max_duration))]
    groups: list[Window] = []
    for block in blocks:
        if groups and block.end - groups[-1].start <= max_duration:
            groups[-1] = Window(groups[-1].start, block.end)
        else:
            groups.append(block)
    windows = []
    for i, group in enumerate(groups):
        # a window may reach into the pauses around its group, up to their middles
        left_bound = 0.0 if i == 0 else (groups[i - 1].end + group.start) / 2
        right_bound = duration if i == len(groups) - 1 else (group.end + groups[i + 1].start) / 2
        extra = max(0.0, max_duration - group.duration)
        left_room, right_room = group.start - left_bound, right_bound - group.end
        left = min(left_room, extra / 2)
        right = min(right_room, extra - left)
        left = min(left_room, extra - right)
        start = _snap(group.start - left, left_bound, group.start, prefer_up=True)
        end = _snap(group.end + right, group.end, right_bound, prefer_up=False)
        if end - start > max(max_duration, group.duration) + 1e-9:
            start, end = group.start - left, group.end + right  # the grid would overshoot
        windows.append(Window(start, end))
    return windows


def clip_to_window(start: float, end: float, window: Window) -> tuple[float, float] | None:
    """``(start, end)`` shifted to window time and clipped to it; ``None`` when nothing is left.

    The start is never negative and the end never past the window, whatever the input.
    """
    a = max(start, window.start) - window.start
    b = min(end, window.end) - window.start
    if b <= a:
        return None
    return max(0.0, a), min(window.duration, b)
