"""The gate acts on the cause: missed words are found and set apart; speaker similarity can fail a dialogue."""

from __future__ import annotations

from eval.gate import GateConfig, gate_dialogue
from eval.records import TurnEval
from eval.respell import isolate_words, missed_names, missed_tokens, name_words


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


def _said(index: int, reference: str, hypothesis: str) -> TurnEval:
    from eval.wer import word_errors

    e = word_errors(reference, hypothesis)
    return TurnEval(dialogue_id="d", channel=index % 2, speaker="AB"[index % 2], turn_index=index, kind="turn",
                    start=float(index), end=index + 0.9, reference=reference, hypothesis=hypothesis,
                    wer=e.rate, cer=e.rate, ref_words=e.ref_len, errors=e.errors)


def test_names_are_words_capitalized_inside_a_sentence_anywhere_in_the_dialogue() -> None:
    names = name_words(["One of them is Grand Harbor in Burlingame.", "Aappakadai is nice. I'm sure, at one P M."])
    assert names == {"grand", "harbor", "burlingame"}
    names = name_words(["Aappakadai is nice.", "Book Aappakadai on Wednesday, I think."])
    assert names == {"aappakadai", "wednesday"}
    ref = "Aappakadai is a nice restaurant in Burlingame."
    assert missed_names(ref, "opacate is a nice restaurant in Burlingame.", {"aappakadai", "burlingame"}) == [0]
    assert missed_names(ref, "Aappakadai is a nice restaurant in Berlin game.", {"aappakadai", "burlingame"}) == [6]
    assert missed_names(ref, "Aappakadai is the nice restaurant in Burlingame.", {"aappakadai", "burlingame"}) == []
    # a name the ASR writes as one word where the text has two scores no error, and is no miss
    ref = "Book the Matsu Sushi Japanese Restaurant."
    assert missed_names(ref, "Book the Matsusushi Japanese restaurant.", {"matsu", "sushi", "japanese"}) == []
    assert missed_names(ref, "Book the Matt Sue sushi Japanese restaurant.", {"matsu", "sushi", "japanese"}) == [2]


def test_a_misheard_name_fails_the_gate_below_the_wer_threshold_and_nothing_else_does() -> None:
    turns = [_said(0, "I want to eat somewhere nice in Burlingame tonight.",
                   "I want to eat somewhere nice in Berlin game tonight."),
             _said(1, "Grand Harbor is a nice restaurant there.", "Grand Harbor is the nice restaurant there."),
             _said(2, "One of them is Grand Harbor located in Burlingame.",
                   "One of them is Grand Harbor located in Burlingame.")]
    assert all(t.wer <= 0.3 for t in turns)
    decision = gate_dialogue(turns, GateConfig(action="resynthesize"))
    assert decision.action_taken == "resynthesize" and decision.turns_to_resynthesize == [0]
    assert "misheard name" in decision.reason and "0 turn(s) above WER" in decision.reason
    assert gate_dialogue(turns, GateConfig(action="resynthesize", check_names=False)).action_taken == "pass"


def test_the_threshold_applies_to_the_whole_turn_not_to_where_its_pauses_fell() -> None:
    from dataclasses import replace

    # one turn cut at a drawn pause: a short segment with one wrong word, then a long right one
    short = _said(3, "In a team,", "And a team,")
    long = replace(_said(3, "I like to plan the work first and then share it with everyone.",
                         "I like to plan the work first and then share it with everyone."), start=4.0, end=6.5)
    other = _said(4, "That sounds good.", "That sounds good.")
    assert short.wer > 0.3  # one error in three words
    assert gate_dialogue([short, long, other], GateConfig()).action_taken == "pass"  # 1 error in 16 words
    per_segment = gate_dialogue([short, long, other], GateConfig(per="segment"))
    assert per_segment.action_taken == "flag" and per_segment.failed_turns == [3]
    # a turn whose words are mostly wrong fails either way, with every segment of it
    garbled = replace(_said(3, "I like to plan the work first.", "I'd bike to land a word thirst."), start=4.0, end=5.5)
    decision = gate_dialogue([short, garbled, other], GateConfig())
    assert decision.action_taken == "flag" and decision.failed_turns == [3]
    from eval.gate import failing_segments, share_above

    assert failing_segments([short, garbled, other], GateConfig()) == [short, garbled]
    assert share_above([short, long, other], 0.3) == 0.0 and share_above([short, long, other], 0.3, "segment") == 1 / 3


def test_a_name_the_asr_put_in_the_next_segment_of_its_turn_is_not_missed() -> None:
    from dataclasses import replace

    # a drawn pause after "at": Whisper starts "Pleasant" early, in the first segment
    first = _said(2, "It is at", "It is at Pleasant")
    second = replace(_said(2, "Pleasant Hill in Contra Costa.", "Hill in Contra Costa."), start=3.0, end=4.5)
    other = _said(3, "Two of them are in Pleasant Hill.", "Two of them are in Pleasant Hill.")
    assert second.errors == 1
    assert gate_dialogue([first, second, other], GateConfig()).action_taken == "pass"


def test_respellings_keep_to_readings_of_the_name() -> None:
    from eval.respell import respellings

    assert respellings("Milpitas,") == ["Milpeetas,", "Mil-pi-tas,"]  # punctuation stays outside
    assert respellings("Millbrae")[0] == "Millbray"
    assert "Josay" in respellings("Jose") and "Hose" in respellings("Jose")
    assert not any(r.endswith("ay") for r in respellings("Maude") + respellings("Burlingame"))
    assert "Meeke" not in respellings("Mike")  # a final e is silent: the i before it is not "ee"
    assert respellings("San") == [] and respellings("I'm") == []  # too short to respell, not a name
    assert respellings("Calistoga's")[0] == "Kalistoga's"  # the possessive stays as written
