"""Held-out realism rows: statistics the presets were not tuned to, judged against human values."""

from __future__ import annotations

import numpy as np

from duplex.records import Segment, Timeline
from eval.realism import corpus_turn_taking, format_realism_table
from eval.realism_heldout import lognormal_ks, question_ftos
from eval.turn_taking import analyze_turn_taking


def test_lognormal_fit_distance_tells_lognormal_from_bimodal() -> None:
    rng = np.random.default_rng(0)
    assert lognormal_ks(rng.lognormal(-1.3, 0.6, 300)) < 0.08
    bimodal = np.concatenate([np.full(150, 0.05), np.full(150, 1.5)]) + rng.uniform(0, 0.01, 300)
    assert lognormal_ks(bimodal) > 0.2
    assert lognormal_ks([0.2, 0.3]) is None  # too few to judge


def _seg(speaker: str, turn: int, start: float, end: float, text: str) -> Segment:
    return Segment(channel="AB".index(speaker), speaker=speaker, start=start, end=end, text=text, turn_index=turn)


def test_question_ftos_split_by_what_the_previous_turn_was() -> None:
    tl = Timeline(id="d", duration=10.0, sampling_rate=16000, segments=(
        _seg("A", 0, 0.0, 1.0, "Table for two?"), _seg("B", 1, 1.1, 2.0, "Sure."),
        _seg("A", 2, 2.5, 3.0, "At seven."), _seg("A", 2, 3.4, 4.0, "Is that free?"),
        _seg("B", 3, 3.9, 5.0, "It is."),
    ))
    questions, statements = question_ftos([tl])
    assert np.allclose(questions, [0.1, -0.1]) and np.allclose(statements, [0.5])


def test_heldout_rows_are_marked_and_judged() -> None:
    rng = np.random.default_rng(1)
    stats = []
    for _ in range(4):
        a, b, t = [], [], 0.0
        for i in range(20):
            d = float(rng.lognormal(0.2, 0.5))
            (a if i % 2 == 0 else b).append((t, t + d))
            t += d + float(rng.normal(0.2, 0.3))
        stats.append(analyze_turn_taking([a, b], t + 1.0))
    report = corpus_turn_taking(stats)
    held = [r for r in report.rows if r.heldout]
    assert {r.name for r in held} >= {"IPU duration, median", "Overlap durations log-normal (KS distance of fit)",
                                      "Median FTO after questions", "Between-dialogue SD of median FTO"}
    ipu = next(r for r in held if r.name == "IPU duration, median")
    assert ipu.passed is True and 0.6 <= ipu.value <= 2.0
    assert "[held-out]" in format_realism_table(report) and "held-out checks:" in format_realism_table(report)


def _qa_timeline(fto: float, pairs: int = 10) -> Timeline:
    """Question/answer pairs, each answer ``fto`` s after its question, then a statement pair 0.3 s apart."""
    segs, t = [], 0.0
    for i in range(pairs):
        segs.append(_seg("A", 2 * i, t, t + 1.0, "Is seven free?"))
        segs.append(_seg("B", 2 * i + 1, t + 1.0 + fto, t + 2.0 + fto, "It is. See you then."))
        t += 3.0 + fto
    return Timeline(id="d", duration=t, sampling_rate=16000, segments=tuple(segs))


def test_an_english_like_median_after_questions_passes_and_a_far_earlier_one_fails() -> None:
    """English's median answer offset is 0 (Stivers et al. 2009): a corpus a little below it is English-like."""
    from eval.realism_heldout import QUESTION_FTO_RANGE, heldout_rows

    stats = [analyze_turn_taking([[(0.0, 1.0)], [(1.2, 2.0)]], 3.0)]
    for fto, ok in ((-0.05, True), (0.0, True), (0.25, True), (-0.2, False), (0.45, False)):
        row = next(r for r in heldout_rows(stats, [_qa_timeline(fto)]) if r.name == "Median FTO after questions")
        assert abs(row.value - fto) < 1e-6 and row.passed is ok, (fto, row)
    assert QUESTION_FTO_RANGE[0] < 0.0 < QUESTION_FTO_RANGE[1]
