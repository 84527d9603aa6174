"""Time intervals ``(start, end)``: their union, their overlap, how much of a span they cover.

One implementation for every stage: speech islands in the turn-taking statistics, VAD
cover of a backchannel, speech spans of the acoustics, the streams export's speech
share and the report's overlap bands. Intervals are ``(start, end)`` pairs with
``start <= end`` in any unit (seconds, samples); the input may be unsorted and overlap.

>>> merge_intervals([(2.0, 3.0), (0.0, 1.0), (0.5, 1.5)])
[(0.0, 1.5), (2.0, 3.0)]
>>> overlap_length([(0.0, 2.0)], [(1.0, 3.0), (1.5, 2.5)])
1.0
"""

from __future__ import annotations

import bisect
from typing import Iterable, Sequence, TypeVar

__all__ = ["merge_intervals", "union_length", "intersect_intervals", "overlap_length", "covered_length"]

T = TypeVar("T", int, float)


def merge_intervals(intervals: Iterable[tuple[T, T]], bridge: float = 0.0) -> list[tuple[T, T]]:
    """The union of ``intervals`` as sorted, disjoint intervals.

    :param bridge: also join two intervals whose gap is shorter than this (``0``: join
        those that overlap or touch).
    """
    out: list[tuple[T, T]] = []
    for start, end in sorted(intervals):
        if out and (start <= out[-1][1] or start - out[-1][1] < bridge):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def union_length(intervals: Iterable[tuple[float, float]]) -> float:
    """Total length of the union of ``intervals`` (time covered at least once)."""
    return float(sum(end - start for start, end in merge_intervals(intervals)))


def intersect_intervals(a: Iterable[tuple[float, float]], b: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where an interval of ``a`` and one of ``b`` both hold: sorted, disjoint, non-empty intervals."""
    x, y = merge_intervals(a), merge_intervals(b)
    out: list[tuple[float, float]] = []
    i = j = 0
    while i < len(x) and j < len(y):
        start, end = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if end > start:
            out.append((start, end))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


def overlap_length(a: Iterable[tuple[float, float]], b: Iterable[tuple[float, float]]) -> float:
    """Total time where an interval of ``a`` and one of ``b`` both hold."""
    return float(sum(end - start for start, end in intersect_intervals(a, b)))


def covered_length(merged: Sequence[tuple[float, float]], start: float, end: float) -> float:
    """Length of ``[start, end]`` inside ``merged`` (sorted and disjoint: :func:`merge_intervals`).

    A binary search finds the first interval, so many short spans over one long list stay cheap.
    """
    i = max(0, bisect.bisect_right(merged, start, key=lambda iv: iv[0]) - 1)
    total = 0.0
    while i < len(merged) and merged[i][0] < end:
        total += max(0.0, min(end, merged[i][1]) - max(start, merged[i][0]))
        i += 1
    return total
