"""Content measures: fact recall after normalization, end reached, repetition, contradiction."""

from __future__ import annotations

from text_dialogue.content import measure_content, normalize_text, pool_content, states
from text_dialogue.records import Dialogue, Turn


def _dialogue(lines: list[str], facts: dict) -> Dialogue:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(lines))
    return Dialogue(id="d", turns=turns, meta={"facts": facts})


def test_numbers_and_times_normalize_to_words() -> None:
    assert normalize_text("A table for 4 at 7:30, under O'Brien!") == "a table for four at seven thirty under o'brien"
    assert states("See you at 6:05.", "six oh five")
    assert not states("A table for fourteen.", "four")


def test_recall_counts_each_fact_once_and_names_the_missing() -> None:
    d = _dialogue(["I'd like a table for 4 on Friday.", "What time?", "At seven. One guest uses a wheelchair.",
                   "Fine. See you then, bye!"],
                  {"A": {"party": "four", "day": "Friday", "time": "seven", "note": "one guest uses a wheelchair"},
                   "B": {"offer": "a quiet table by the window"}})
    m = measure_content(d)
    assert (m.facts, m.facts_stated) == (5, 4) and m.recall == 0.8
    assert m.missing == ("B.offer",) and m.end_reached and not m.repetition
    assert m.turns == 4 and m.duration > 0


def test_contradiction_and_repetition_are_flagged() -> None:
    lines = ["A table for two on Friday, please.", "Sure, Saturday at eight.",
             "Sure, Saturday at eight is fine.", "Sure, Saturday at eight is fine then."]
    d = _dialogue(lines, {"A": {"day": "Friday"}})
    m = measure_content(d, alternatives={"A.day": ["Friday", "Saturday", "Sunday"]})
    assert m.contradictions == ("A.day: Saturday",) and m.contradiction
    assert m.repetition and not m.end_reached
    pooled = pool_content([m, measure_content(_dialogue(["Hi there.", "Bye now."], {"A": {"day": "Friday"}}))])
    assert pooled["dialogues"] == 2 and pooled["fact_recall"] == 0.5 and pooled["end_reached"] == 0.5
    assert pooled["contradiction_flagged"] == 0.5
