"""Resampled realism rows: a verdict that the draw of the corpus decides reads as undecided."""

from __future__ import annotations

import numpy as np

from eval.realism import (
    corpus_turn_taking,
    format_realism_table,
    resample_draws,
    with_resampling,
)
from eval.report.html import _realism_table
from eval.turn_taking import TurnTakingStats


def _corpus(fto_mean: float, dialogues: int = 20, seed: int = 0) -> list[TurnTakingStats]:
    """Dialogues of 24 floor transfers each; every dialogue has its own tempo (SD 100 ms)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(dialogues):
        tempo = fto_mean + rng.normal(0, 0.1)
        ftos = tuple(float(x) for x in np.clip(rng.normal(tempo, 0.4, 24), -1, 2.5))
        out.append(TurnTakingStats(duration=60.0, speech_time=50.0, overlap_time=2.5, ipus=(30, 30),
                                   pauses=(0.5,) * 5, gaps=(0.3,) * 5, ftos=ftos, num_turns=24))
    return out


def _resampled(stats: list[TurnTakingStats], draws: int = 200):  # type: ignore[no-untyped-def]
    report = corpus_turn_taking(stats)
    return with_resampling(report, lambda idx: corpus_turn_taking([stats[i] for i in idx]).rows, len(stats), draws)


def test_a_median_fto_on_the_target_edge_is_undecided_and_one_in_the_middle_is_not() -> None:
    edge = next(r for r in _resampled(_corpus(0.05)).rows if r.name == "Median FTO")
    middle = next(r for r in _resampled(_corpus(0.15)).rows if r.name == "Median FTO")
    assert edge.undecided and 0.05 < edge.pass_share < 0.95
    assert edge.interval[0] < 0.05 < edge.interval[1]  # the target's lower edge lies inside the interval
    assert edge.interval[0] <= edge.value <= edge.interval[1]
    assert not middle.undecided and middle.pass_share >= 0.95
    assert 0.05 < middle.interval[0] < middle.value < middle.interval[1] < 0.25


def test_the_table_shows_intervals_and_names_undecided_rows_only_when_resampled() -> None:
    stats = _corpus(0.05)
    plain = format_realism_table(corpus_turn_taking(stats))
    assert "95% interval" not in plain and "undecided" not in plain
    text = format_realism_table(_resampled(stats))
    assert "95% interval" in text and "Passes in" in text
    assert "undecided" in text and "Median FTO" in text.splitlines()[-1]
    page = _realism_table(_resampled(stats))
    assert "95% interval over resampled dialogues" in page and "(undecided)" in page


def test_yes_no_rows_get_a_pass_share_but_no_interval() -> None:
    rows = {r.name: r for r in _resampled(_corpus(0.15), draws=50).rows}
    pause = rows["Median pause > median gap"]
    assert pause.interval is None and pause.pass_share == 1.0


def test_large_corpora_get_fewer_draws_and_none_past_the_budget() -> None:
    assert resample_draws(20) == 200 and resample_draws(500) == 200
    assert resample_draws(2000) == 50 and resample_draws(5000) == 20 and resample_draws(5001) == 0
    single = corpus_turn_taking(_corpus(0.15, dialogues=1))
    assert with_resampling(single, lambda idx: single.rows, 1).resample_draws == 0  # one dialogue: nothing to resample
