"""FTO by content, measured from speech intervals: classified by the timeline's text."""

from __future__ import annotations

from duplex.records import Segment, Timeline
from eval.content_timing import content_timing_rows, ftos_by_content


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
