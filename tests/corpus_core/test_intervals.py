"""The one interval helper: union, overlap and cover against a brute-force count on a grid.

Endpoints are whole numbers, so the time an interval list covers is the number of unit
cells ``[k, k+1)`` inside one of its intervals: a definition that shares no code with
the sweep in :mod:`corpus_core.intervals`.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpus_core.intervals import (
    covered_length,
    intersect_intervals,
    merge_intervals,
    overlap_length,
    union_length,
)

GRID = 40
interval = st.tuples(st.integers(0, GRID), st.integers(0, GRID)).map(lambda p: (min(p), max(p)))
intervals = st.lists(interval, max_size=12)


def _cells(spans: list[tuple[int, int]]) -> set[int]:
    return {k for s, e in spans for k in range(s, e)}


@given(intervals, st.integers(0, 5))
def test_merge_keeps_the_cells_and_leaves_sorted_disjoint_intervals(spans: list[tuple[int, int]], bridge: int) -> None:
    merged = merge_intervals(spans, bridge)
    for (s0, e0), (s1, e1) in zip(merged, merged[1:]):
        assert s0 <= e0 < s1 <= e1 and s1 - e0 >= bridge  # apart by at least the bridge
    if bridge == 0:
        assert _cells(merged) == _cells(spans)
    else:  # bridged: the same cells plus the gaps it closed
        assert _cells(spans) <= _cells(merged)


@given(intervals)
def test_union_length_counts_each_moment_once(spans: list[tuple[int, int]]) -> None:
    assert union_length(spans) == len(_cells(spans))


@given(intervals, intervals)
def test_overlap_is_the_time_both_hold(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    both = intersect_intervals(a, b)
    assert _cells(both) == _cells(a) & _cells(b)
    assert all(e > s for s, e in both) and both == sorted(both)
    assert overlap_length(a, b) == overlap_length(b, a) == len(_cells(a) & _cells(b))


@given(intervals, interval)
def test_cover_of_a_span(spans: list[tuple[int, int]], span: tuple[int, int]) -> None:
    start, end = span
    assert covered_length(merge_intervals(spans), start, end) == len(_cells(spans) & set(range(start, end)))


def test_touching_intervals_join_and_a_gap_under_the_bridge_closes() -> None:
    assert merge_intervals([(1.0, 2.0), (0.0, 1.0)]) == [(0.0, 2.0)]
    assert merge_intervals([(0.0, 1.0), (1.15, 2.0), (2.5, 3.0)], 0.2) == [(0.0, 2.0), (2.5, 3.0)]
    assert merge_intervals([]) == [] and intersect_intervals([(0, 1)], []) == []
