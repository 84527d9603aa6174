"""The ASR round trip on real piper speech: WER, cpWER, speaker similarity, turn-taking from audio."""

from __future__ import annotations

import pytest

from eval.gate import GateConfig, gate_dialogue


def test_turns_come_back_with_low_wer(evaluated_dialogue: tuple) -> None:
    turns, summary = evaluated_dialogue
    assert [t.kind for t in turns].count("turn") == 4
    # Whisper writes "7.15" and "$42"; normalization makes them match "7:15" / "forty-two dollars"
    assert summary.wer <= 0.1, [(t.reference, t.hypothesis) for t in turns]
    assert all(t.words for t in turns if t.kind == "turn")
    assert summary.metrics["cpwer"]["wer"] <= 0.2
    assert summary.metrics["share_above_threshold"] <= 0.25


def test_speaker_similarity_tells_the_two_voices_apart(evaluated_dialogue: tuple) -> None:
    sim = evaluated_dialogue[1].metrics["speaker_similarity"]
    assert sim["num_embedded"] == {"A": 2, "B": 2}
    # the same voice turn to turn is far more alike than joe against joe +5 semitones
    assert min(sim["consistency"].values()) > sim["between"] + 0.15


def test_turn_taking_is_measured_from_the_audio(evaluated_dialogue: tuple, spoken_dialogue) -> None:
    tt = evaluated_dialogue[1].metrics["turn_taking"]
    segs = [s for s in spoken_dialogue.timeline.segments if s.kind == "turn"]
    # the script: gap 0.25 s A->B, overlap 0.3 s B->A, gap 0.45 s A->B (VAD edges within ~0.15 s)
    intended = [segs[i + 1].start - segs[i].end for i in range(3)]
    assert len(tt["ftos"]) == 3
    for measured, want in zip(tt["ftos"], intended):
        assert measured == pytest.approx(want, abs=0.15)
    # B's "Yeah." inside A's first turn is found as a backchannel on channel 1
    assert [b[0] for b in tt["backchannels"]] == [1]
    assert 0.0 < tt["overlap_time"] < 1.0


def test_gate_decisions(evaluated_dialogue: tuple) -> None:
    from dataclasses import replace

    turns = list(evaluated_dialogue[0])
    bad = [replace(t, wer=0.8, errors=round(0.8 * t.ref_words)) if t.turn_index == 2 else t for t in turns]
    assert gate_dialogue(turns, GateConfig(action="drop", wer_threshold=0.5)).action_taken == "pass"
    assert gate_dialogue(bad, GateConfig(action="drop")).action_taken == "drop"
    flag = gate_dialogue(bad, GateConfig(action="flag"))
    assert flag.action_taken == "flag" and flag.keep and flag.failed_turns == [2]
    redo = gate_dialogue(bad, GateConfig(action="resynthesize", max_retries=1))
    assert redo.action_taken == "resynthesize" and redo.turns_to_resynthesize == [2]
    assert gate_dialogue(bad, GateConfig(action="resynthesize", max_retries=1), attempt=1).action_taken == "drop"
