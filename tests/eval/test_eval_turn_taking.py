"""Turn-taking events from voice activity: definitions on known intervals and tone bursts."""

from __future__ import annotations

import numpy as np
import pytest

from eval.realism import (
    corpus_turn_taking,
    format_realism_table,
    fto_histogram,
    jensen_shannon,
    reference_fto_histogram,
)
from eval.turn_taking import (
    TurnTakingStats,
    analyze_turn_taking,
    bridge_intervals,
    measure_turn_taking,
)
from eval.vad import VADConfig, get_vad, probabilities_to_intervals

SR = 16000


def _bursts(spans: list[tuple[float, float]], duration: float, freq: float, rng: np.random.Generator) -> np.ndarray:
    x = rng.normal(0, 1e-4, int(duration * SR)).astype(np.float32)
    for s, e in spans:
        t = np.arange(int(s * SR), int(e * SR)) / SR
        x[int(s * SR):int(s * SR) + t.size] += 0.3 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    return x


def test_bridge_joins_short_silences_only() -> None:
    assert bridge_intervals([(0.0, 1.0), (1.15, 2.0), (2.5, 3.0)], 0.2) == [(0.0, 2.0), (2.5, 3.0)]


def test_events_follow_the_definitions() -> None:
    a = [(0.0, 2.0), (2.5, 4.0), (9.0, 12.0), (12.6, 15.0)]
    b = [(4.3, 7.0), (7.5, 8.8), (10.0, 10.5), (14.6, 17.0)]
    stats = analyze_turn_taking([a, b], 17.0)
    # turns: A(0-4) B(4.3-8.8) A(9-15) B(14.6-17); B's 10.0-10.5 lies inside A's IPU with
    # A talking around it: a backchannel, not a turn
    assert stats.num_turns == 4
    assert stats.ftos == pytest.approx((0.3, 0.2, -0.4))
    assert stats.gaps == pytest.approx((0.3, 0.2))
    assert stats.overlaps_between == pytest.approx((0.4,))
    assert [b[0] for b in stats.backchannels] == [1]
    assert stats.overlaps_within == pytest.approx((0.5,))
    # A's pause 2.0-2.5 and B's 7.0-7.5 (other silent); A's 12.0-12.6 is a pause too
    assert sorted(stats.pauses) == pytest.approx([0.5, 0.5, 0.6])
    assert stats.overlap_time == pytest.approx(0.5 + 0.4)
    assert TurnTakingStats.from_dict(stats.to_dict()) == stats


def test_a_short_island_of_many_words_is_a_turn_not_a_backchannel() -> None:
    """VAD alone takes "How is your sleep?" (0.8 s, speaker silent around it) for a backchannel."""
    from speech.records import Word

    a = [(0.0, 3.0), (4.2, 8.0)]
    b = [(3.3, 4.1)]  # B's short island between two stretches of A
    question = [Word(w, 3.3 + 0.2 * i, 3.5 + 0.2 * i) for i, w in enumerate(["How", "is", "your", "sleep?"])]
    vad_only = analyze_turn_taking([a, b], 8.0)
    assert len(vad_only.backchannels) == 1 and vad_only.num_turns == 1
    with_words = analyze_turn_taking([a, b], 8.0, words=[[], question])
    assert with_words.backchannels == () and with_words.num_turns == 3  # A, B's question, A's answer
    assert with_words.ftos == pytest.approx((0.3, 0.1))
    yeah = [Word("Oh,", 3.3, 3.6), Word("yeah.", 3.6, 4.1)]  # two words: still a backchannel
    assert len(analyze_turn_taking([a, b], 8.0, words=[[], yeah]).backchannels) == 1


def test_energy_vad_finds_tone_bursts_and_stats_come_from_audio() -> None:
    rng = np.random.default_rng(0)
    a = _bursts([(0.5, 2.5), (5.0, 7.0)], 9.0, 220.0, rng)
    b = _bursts([(2.8, 4.6), (6.8, 8.5)], 9.0, 330.0, rng)
    vad = get_vad("energy", {"pad": 0.0})
    assert vad.detect(a, SR) == [(0.5, 2.5), (5.0, 7.0)]
    stats = measure_turn_taking(np.stack([a, b], axis=1), SR, vad)
    assert stats.ftos == pytest.approx((0.3, 0.4, -0.2), abs=0.02)
    assert stats.overlap_share == pytest.approx(0.2 / 7.8, abs=0.01)


def test_hysteresis_and_min_speech() -> None:
    probs = np.array([0, 0.6, 0.4, 0.6, 0.2, 0, 0.7, 0, 0, 0, 0, 0.9, 0.9, 0.9])
    cfg = VADConfig(min_speech=0.02, min_silence=0.0, pad=0.0)
    assert probabilities_to_intervals(probs, 0.01, 0.14, cfg) == [(0.01, 0.04), (0.11, 0.14)]  # 0.06-0.07 is too short


def test_realism_table_reports_pass_fail_and_jsd() -> None:
    rng = np.random.default_rng(1)
    ftos = tuple(float(x) for x in np.clip(rng.normal(0.2, 0.4, 400), -1, 2.5))
    stats = TurnTakingStats(duration=600.0, speech_time=500.0, overlap_time=30.0, ipus=(300, 300),
                            pauses=(0.5,) * 50, gaps=(0.3,) * 50, ftos=ftos,
                            backchannels=tuple((1, float(i), i + 0.4) for i in range(50)), num_turns=300)
    report = corpus_turn_taking([stats], ["Mm-hmm.", "yeah", "Uh-huh", "right", "okay"])
    rows = {r.name: r for r in report.rows}
    assert rows["Overlapping floor transfers (FTO<0)"].passed
    assert rows["Overlap share of speech time"].passed
    assert rows["Top-4 human BC forms (yeah, uh-huh, mm-hmm, right)"].value == pytest.approx(0.8)
    assert rows["Backchannels per conversation-minute"].value == pytest.approx(5.0)
    assert report.jsd is not None and report.jsd < 0.05
    text = format_realism_table(report)
    assert "PASS" in text and "JSD" in text and "targets met" in text


def test_jsd_bounds() -> None:
    ref = reference_fto_histogram()
    assert ref.sum() == pytest.approx(1.0)
    assert jensen_shannon(ref, ref) == pytest.approx(0.0)
    far = fto_histogram([2.5] * 10)
    assert 0.5 < jensen_shannon(far, ref) <= 1.0
