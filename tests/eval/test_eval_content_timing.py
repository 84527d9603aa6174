"""FTO by content, measured from speech intervals: classified by the timeline's text."""

from __future__ import annotations

import pytest

from duplex.records import Segment, Timeline
from eval.content_timing import QUESTION_FTO_RANGE, content_timing_rows, ftos_by_content


def _timeline(turns: list[tuple[str, float, float, str]]) -> Timeline:
    segs = tuple(Segment(channel=0 if spk == "A" else 1, speaker=spk, start=s, end=e, text=text, turn_index=i)
                 for i, (spk, s, e, text) in enumerate(turns))
    return Timeline(id="d", duration=20.0, sampling_rate=16000, segments=segs)


def test_ftos_come_from_the_audio_intervals_and_the_text_classifies_them() -> None:
    tl = _timeline([("A", 0.0, 2.0, "What time works?"), ("B", 2.1, 3.0, "Seven, please."),
                    ("A", 3.5, 5.0, "We are full at seven."), ("B", 6.0, 7.0, "Sorry, then we can't come.")])
    # the VAD hears each turn a little inside the timeline's span (piper's leading/trailing silence)
    ipus = [(0, 0.1, 1.9), (1, 2.15, 2.9), (0, 3.6, 4.8), (1, 6.1, 6.9)]
    got = ftos_by_content(tl, ipus)
    assert got["question"] == [0.25] and got["preferred"] == [0.25, 0.7]
    assert got["statement"] == [0.7, 1.3] and got["dispreferred"] == [1.3]
    rows = {r.name.split(" (n=")[0]: r for r in content_timing_rows([got])}
    assert abs(rows["Questions minus statements (median FTO)"].value - (0.25 - 1.0)) < 1e-9
    assert rows["Questions minus statements (median FTO)"].passed
    assert abs(rows["Dispreferred minus preferred (median FTO)"].value - (1.3 - 0.475)) < 1e-9
    assert rows["Dispreferred minus preferred (median FTO)"].passed


def test_a_turn_the_vad_missed_is_left_out() -> None:
    tl = _timeline([("A", 0.0, 2.0, "Is it on?"), ("B", 2.1, 3.0, "No, it isn't.")])
    assert ftos_by_content(tl, [(0, 0.1, 1.9)]) == {}
    rows = content_timing_rows([{}])
    assert all(r.value is None and r.passed is None for r in rows)


def _qa(fto: float, pairs: int = 10) -> tuple[Timeline, list[tuple[int, float, float]]]:
    """Question/answer pairs, each answer ``fto`` s after its question, and IPUs that match the timeline."""
    turns, t = [], 0.0
    for _ in range(pairs):
        turns += [("A", t, t + 1.0, "Is seven free?"), ("B", t + 1.0 + fto, t + 2.0 + fto, "It is. See you then.")]
        t += 3.0 + fto
    return _timeline(turns), [(0 if spk == "A" else 1, s, e) for spk, s, e, _ in turns]


def test_an_english_like_median_after_questions_passes_and_a_far_earlier_one_fails() -> None:
    """English's median answer offset is 0 (Stivers et al. 2009): a corpus a little below it is English-like."""
    for fto, ok in ((-0.05, True), (0.0, True), (0.25, True), (-0.2, False), (0.45, False)):
        rows = content_timing_rows([ftos_by_content(*_qa(fto))])
        row = next(r for r in rows if r.name.startswith("Median FTO after questions"))
        assert abs(row.value - fto) < 1e-6 and row.passed is ok and not row.heldout, (fto, row)
    assert QUESTION_FTO_RANGE[0] < 0.0 < QUESTION_FTO_RANGE[1]


def test_the_offset_after_questions_is_read_from_the_audio_not_the_timeline() -> None:
    """The timeline answers at once; the VAD hears every answer start 0.4 s late (a TTS's leading silence)."""
    tl, ipus = _qa(0.0)
    late = [(c, s + 0.4 if c == 1 else s, e) for c, s, e in ipus]
    row = next(r for r in content_timing_rows([ftos_by_content(tl, late)])
               if r.name.startswith("Median FTO after questions"))
    assert row.value == pytest.approx(0.4) and row.passed is False
