"""The gate acts on the cause: missed words are found and set apart; speaker similarity can fail a dialogue."""

from __future__ import annotations

from eval.gate import GateConfig, gate_dialogue
from eval.records import TurnEval
from eval.respell import isolate_words, missed_tokens


def _turn(index: int, wer: float) -> TurnEval:
    return TurnEval(dialogue_id="d", channel=index % 2, speaker="AB"[index % 2], turn_index=index, kind="turn",
                    start=float(index), end=index + 0.9, reference="a b c d", hypothesis="a b c d",
                    wer=wer, cer=wer, ref_words=4, errors=int(4 * wer))


def test_missed_words_are_the_ones_the_asr_got_wrong() -> None:
    ref = "A table at Aappakadai in Pleasanton at six P M."
    hyp = "A table at oppocat i in Pleasanton at 6 p.m."
    assert [ref.split()[i] for i in missed_tokens(ref, hyp)] == ["Aappakadai"]
    assert missed_tokens(ref, ref) == []


def test_isolated_words_keep_the_reference_words() -> None:
    from eval.normalize import normalize_text

    text = "A table at Aappakadai in Pleasanton."
    out = isolate_words(text, [3])
    assert out == "A table at, Aappakadai, in Pleasanton."
    assert normalize_text(out) == normalize_text(text)


def test_speaker_outliers_and_alike_voices_can_fail_the_gate() -> None:
    turns = [_turn(i, 0.0) for i in range(4)]
    metrics = {"speaker_similarity": {"outliers": [2], "between": 0.5}}
    assert gate_dialogue(turns, GateConfig(action="resynthesize"), 0, metrics).action_taken == "pass"
    redo = gate_dialogue(turns, GateConfig(action="resynthesize", speaker_outliers=True), 0, metrics)
    assert redo.action_taken == "resynthesize" and redo.turns_to_resynthesize == [2]
    alike = {"speaker_similarity": {"outliers": [], "between": 0.97}}
    decision = gate_dialogue(turns, GateConfig(action="resynthesize", max_between_similarity=0.9), 0, alike)
    assert decision.action_taken == "drop" and "too alike" in decision.reason
