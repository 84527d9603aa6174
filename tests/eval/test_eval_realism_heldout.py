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
