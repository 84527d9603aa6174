"""Held-out realism rows: outcomes that no timing parameter sets, judged against human values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from eval.realism import between_dialogue_sd, corpus_turn_taking, format_realism_table
from eval.realism_heldout import lognormal_ks
from eval.turn_taking import TurnTakingStats, analyze_turn_taking

HELDOUT = {"IPU duration, median", "IPU durations right-skewed (mean > 1.1 x median)", "Overlap duration, median",
           "Overlap durations log-normal (KS distance of fit)"}


def test_lognormal_fit_distance_tells_lognormal_from_bimodal() -> None:
    rng = np.random.default_rng(0)
    assert lognormal_ks(rng.lognormal(-1.3, 0.6, 300)) < 0.08
    bimodal = np.concatenate([np.full(150, 0.05), np.full(150, 1.5)]) + rng.uniform(0, 0.01, 300)
    assert lognormal_ks(bimodal) > 0.2
    assert lognormal_ks([0.2, 0.3]) is None  # too few to judge


def test_lognormal_fit_distance_is_the_largest_gap_between_the_two_cdfs() -> None:
    """The KS distance by its definition, against the fit's closed form (mean and SD of the logs)."""
    logs = np.array([-1.5, -1.0, -0.6, 0.0, 0.2, 0.5, 1.0, 3.0])
    mu, sigma = logs.mean(), logs.std()
    cdf = np.array([0.5 * (1 + math.erf((v - mu) / (sigma * math.sqrt(2)))) for v in logs])
    n = len(logs)
    expected = max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n))
    assert lognormal_ks(np.exp(logs)[::-1]) == pytest.approx(expected, abs=1e-12)


def _stats(ftos: tuple[float, ...]) -> TurnTakingStats:
    return TurnTakingStats(duration=60.0, speech_time=50.0, overlap_time=2.0, ipus=(10, 10), ftos=ftos, num_turns=10)


def test_between_dialogue_sd_is_the_unbiased_one() -> None:
    """Medians 0, 100 and 200 ms: the unbiased SD is 100 ms (ddof=0 would give 82 ms)."""
    stats = [_stats((m - 0.1, m, m + 0.1)) for m in (0.0, 0.1, 0.2)]
    assert between_dialogue_sd(stats) == pytest.approx(0.1)
    row = next(r for r in corpus_turn_taking(stats).rows if r.name.startswith("Between-dialogue SD"))
    assert row.value == pytest.approx(0.1) and row.passed is True and not row.heldout
    assert between_dialogue_sd(stats[:2]) is None  # two dialogues say nothing about a spread
    assert between_dialogue_sd([*stats[:2], _stats((0.3, 0.4))]) is None  # nor one with two floor transfers


def test_heldout_rows_are_only_outcomes_that_no_parameter_sets() -> None:
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
    assert {r.name for r in held} == HELDOUT
    # the rows a timing parameter sets are tuned rows (fto_question_shift, dialogue_fto_sd, ...)
    assert not any("question" in r.name or "dispreferred" in r.name for r in report.rows)
    ipu = next(r for r in held if r.name == "IPU duration, median")
    assert ipu.passed is True and 0.6 <= ipu.value <= 2.0
    text = format_realism_table(report)
    assert "[held-out]" in text and f"held-out checks: {sum(bool(r.passed) for r in held)}/4" in text
    assert "Between-dialogue SD of median FTO (unbiased)  " in text  # listed, without [held-out]


def test_the_one_row_not_read_from_the_audio_says_so_in_both_tables() -> None:
    from eval.report.html import _realism_table

    report = corpus_turn_taking([_stats((0.1, 0.2, 0.3))], ["yeah", "okay"])
    not_audio = [r for r in report.rows if r.source != "audio"]
    assert [r.name for r in not_audio] == ["Top-4 human BC forms (yeah, uh-huh, mm-hmm, right)"]
    assert not_audio[0].value == pytest.approx(0.5)
    assert "Top-4 human BC forms (yeah, uh-huh, mm-hmm, right) [script text, not audio]" in format_realism_table(report)
    assert "(from the script text, not the audio)" in _realism_table(report)
