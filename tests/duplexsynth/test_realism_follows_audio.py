"""The realism table reads the audio: a TTS that pads every answer with silence moves the rows
that the timeline alone would leave where the timing model put them."""

from __future__ import annotations

import numpy as np
import pytest

from duplex.records import Segment, Timeline
from duplex.render import render_stereo
from duplexsynth.reporting import realism_of
from eval.records import DialogueEval
from eval.turn_taking import measure_turn_taking
from eval.vad import get_vad

SR = 16000
#: leading silence the answering voice's TTS puts before every utterance (s)
LEAD = 0.4
TURN = 1.5


def _timeline(tid: str, fto: float, pairs: int = 10) -> Timeline:
    """A asks, B answers ``fto`` s later, A goes on ``fto`` s after the answer; every turn 1.5 s."""
    segs, t = [], 0.3
    for i in range(pairs):
        segs.append(Segment(channel=0, speaker="A", start=t, end=t + TURN, text="Is seven free?", turn_index=2 * i))
        t += TURN + fto
        segs.append(Segment(channel=1, speaker="B", start=t, end=t + TURN, text="It is, we have a table then.",
                            turn_index=2 * i + 1))
        t += TURN + fto
    return Timeline(id=tid, duration=t + 0.5, sampling_rate=SR, segments=tuple(segs))


def _tts(seg: Segment) -> np.ndarray:
    """A tone as long as the segment; the answering voice (B) starts with ``LEAD`` s of silence."""
    n = int(round(seg.duration * SR))
    tone = (0.3 * np.sin(2 * np.pi * 220.0 * np.arange(n) / SR)).astype(np.float32)
    if seg.speaker == "B":
        tone[: int(LEAD * SR)] = 0.0
    return tone


def _evaluate(tl: Timeline) -> DialogueEval:
    stereo = render_stereo(tl.segments, tl.duration, SR, _tts)
    stats = measure_turn_taking(stereo, SR, get_vad("energy"))
    return DialogueEval(dialogue_id=tl.id, wer=0.0, cer=0.0, ref_words=0, errors=0,
                        metrics={"turn_taking": stats.to_dict()})


def test_the_offset_after_questions_and_the_ipu_durations_follow_the_audio() -> None:
    timelines = [_timeline(f"d{i}", fto) for i, fto in enumerate((0.0, 0.05, 0.1))]
    report = realism_of(timelines, [_evaluate(t) for t in timelines], draws=0)
    rows = {r.name.split(" (n=")[0]: r for r in report.rows}
    # the timeline answers 0..100 ms after each question; the audio 400 ms later than that
    after_q = rows["Median FTO after questions"]
    assert after_q.value == pytest.approx(0.05 + LEAD, abs=0.03) and after_q.passed is False
    assert not after_q.heldout and after_q.source == "audio"
    # the statements (B's answers) end where the timeline says: A's next turn keeps its offset
    assert rows["Median FTO after statements"].value == pytest.approx(0.05, abs=0.03)
    assert rows["Questions minus statements (median FTO)"].passed is False  # answers now come later
    # held-out: the timeline's turns all last 1.5 s, the audio's answers 1.1 s
    ipu = rows["IPU duration, median"]
    assert ipu.heldout and ipu.value == pytest.approx((TURN + TURN - LEAD) / 2, abs=0.03)
    # tuned rows first, then the content rows, then the held-out ones
    kinds = [r.heldout for r in report.rows]
    assert kinds == sorted(kinds) and sum(kinds) == 4
