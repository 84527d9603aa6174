"""Windowing for the exports: cuts at pauses only, never through a segment."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from duplex.exports.windows import (
    GRID,
    Window,
    clip_to_window,
    plan_windows,
    speech_blocks,
)
from duplex.records import Segment


def _seg(channel: int, start: float, end: float) -> Segment:
    return Segment(channel=channel, speaker="AB"[channel], start=start, end=end, text="x")


def test_groups_fit_and_a_long_stretch_stands_alone() -> None:
    segments = [_seg(0, 0.5, 2.0), _seg(1, 1.8, 3.0), _seg(0, 4.0, 5.0), _seg(1, 5.5, 12.0), _seg(0, 13.0, 14.0)]
    windows = plan_windows(segments, 15.0, max_duration=5.0)
    # [0.5, 3.0] and [4.0, 5.0] fit 5 s together, padded into the pauses up to their middles and
    # snapped to the 20 ms grid; [5.5, 12] is longer than 5 s: its own window
    assert [(w.start, w.end) for w in windows] == [(0.26, 5.24), (5.5, 12.0), (12.5, 15.0)]
    assert plan_windows(segments, 15.0) == [Window(0.0, 15.0)]


def test_clip_never_gives_a_negative_start() -> None:
    assert clip_to_window(0.5, 2.0, Window(1.0, 3.0)) == (0.0, 1.0)
    assert clip_to_window(3.5, 4.0, Window(1.0, 3.0)) is None


spans = st.lists(st.tuples(st.integers(0, 1), st.floats(0, 60), st.floats(0.05, 8)), max_size=30)


@given(spans, st.floats(0.5, 20))
def test_windows_never_cut_a_segment(raw: list, max_duration: float) -> None:
    segments = [_seg(ch, round(s, 3), round(s + d, 3)) for ch, s, d in raw]
    duration = max([s.end for s in segments], default=1.0) + 0.5
    windows = plan_windows(segments, duration, max_duration)
    for a, b in zip(windows, windows[1:]):
        assert a.end <= b.start + 1e-9
    blocks = speech_blocks(segments, duration)
    for w in windows:
        assert 0 <= w.start < w.end <= duration + 1e-9
        inside = [b for b in blocks if w.start - 1e-9 <= b.start and b.end <= w.end + 1e-9]
        assert w.duration <= max_duration + 1e-6 or (len(inside) == 1 and w.duration <= inside[0].duration + 2 * GRID)
    for seg in segments:  # each segment lies wholly inside exactly one window
        holders = [w for w in windows if w.start - 1e-9 <= seg.start and seg.end <= w.end + 1e-9]
        assert len(holders) == 1, (seg, windows)
