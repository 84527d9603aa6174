"""Diversity measures: distinct-n at token budgets, duplicate turns, template share, situations."""

from __future__ import annotations

from dataclasses import replace

from text_dialogue.content import measure_content, pool_content
from text_dialogue.diversity import (
    DiversityReport,
    count_template_turns,
    distinct_at_budget,
    distinct_n,
    duplicate_turns,
    example_dialogue,
    measure_diversity,
    situation_key,
    tokenize,
)
from text_dialogue.records import Dialogue, Persona, Turn
from text_dialogue.scenario import get_scenario


def _dialogue(did: str, texts: list[str], facts: dict | None = None, names: tuple[str, str] = ("Ann", "Bo"),
              scenario: str = "booking") -> Dialogue:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(texts))
    personas = {"A": Persona(name=names[0]), "B": Persona(name=names[1])}
    return Dialogue(id=did, turns=turns, scenario=scenario, personas=personas, meta={"facts": facts or {}})


def test_tokenize_lowercases_and_strips_punctuation() -> None:
    assert tokenize("It\u2019s 7:30 -- OK?! 'Quoted' rock'n'roll") == ["it's", "7", "30", "ok", "quoted", "rock'n'roll"]


def test_distinct_n_counts_within_turns_and_stops_at_the_budget() -> None:
    # bigrams: (a b) (b a) (a b) in turn 1, (c d) in turn 2; none across the turn boundary
    assert distinct_n([["a b a b", "c d"]], 2) == round(3 / 4, 4)
    assert distinct_n([["a b a b", "c d"]], 2, budget=3) == 1.0  # only "a b a": (a b) (b a)
    assert distinct_n([["a"]], 2) is None


def test_distinct_at_budget_needs_enough_tokens_and_is_seeded() -> None:
    dialogues = [[f"w{i} w{i + 1} w{i % 3}"] for i in range(50)]  # 150 tokens
    assert distinct_at_budget(dialogues, 2, 200) is None
    first = distinct_at_budget(dialogues, 2, 100, seed=1)
    assert first is not None and first == distinct_at_budget(dialogues, 2, 100, seed=1)


def test_duplicate_turns_counts_long_turns_in_other_dialogues() -> None:
    texts = [["Is there anything else I can help with?", "No.", "Have a great day now!"],
             ["Is there anything else I can help with", "Have a great day now"],
             ["Something only this dialogue says here."]]
    share, top = duplicate_turns(texts)
    # long turns: 2 + 2 + 1 = 5; 4 of them occur in another dialogue ("No." is too short)
    assert share == 0.8
    assert top == [("is there anything else i can help with", 2), ("have a great day now", 2)] or \
        top == [("have a great day now", 2), ("is there anything else i can help with", 2)]


def test_template_turns_are_filled_example_lines() -> None:
    booking = get_scenario("booking")
    d = example_dialogue(booking, "booking-1", 3)
    assert count_template_turns(d) == len(d.turns)  # every turn is a filled example line
    written = list(d.turns)
    written[0] = replace(written[0], text="Hello there, I was hoping to get a table this week for my family.")
    written[1] = replace(written[1], text=written[1].text.upper() + "!!")  # case and punctuation do not count
    assert count_template_turns(replace(d, turns=tuple(written))) == len(d.turns) - 1
    content = measure_content(replace(d, turns=tuple(written)), say_lines=[s for a in booking.flow.acts() for s in a.say])
    assert content.template_turns == len(d.turns) - 1
    assert content.template_share == round((len(d.turns) - 1) / len(d.turns), 4)
    imported = _dialogue("x", ["Hi."], scenario="")
    assert count_template_turns(imported) is None and measure_content(imported).template_share is None
    pooled = pool_content([content, measure_content(d), measure_content(imported)])
    assert pooled["template_share"] == round((2 * len(d.turns) - 1) / (2 * len(d.turns)), 4)


def test_situations_leave_names_out() -> None:
    facts = {"A": {"party": "four", "day": "Friday"}, "B": {"restaurant": "Luigi's"}}
    a = _dialogue("a", ["Hi."], facts, ("Ann", "Bo"))
    b = _dialogue("b", ["Hello."], facts, ("Cy", "Di"))
    c = _dialogue("c", ["Hi."], {**facts, "A": {"party": "two", "day": "Friday"}})
    assert situation_key(a) == situation_key(b) != situation_key(c)
    report = measure_diversity([a, b, c])
    assert (report.situations, report.distinct_situations, report.max_situation_share) == (3, 2, 2)
    assert DiversityReport.from_dict(report.to_dict()) == report


def test_template_baseline_collapses_at_scale() -> None:
    """The issue's finding, on 150 seeds: realized from example lines alone, most turns recur."""
    scenarios = {n: get_scenario(n) for n in ("booking", "tech_support", "sales")}
    dialogues = [example_dialogue(scenarios[n], f"{n}-{i}", i) for i in range(50) for n in scenarios]
    report = measure_diversity(dialogues, budgets=(20_000,))
    assert report.template_share == 1.0
    assert report.duplicate_turn_share is not None and report.duplicate_turn_share > 0.8
    # slot-drawn facts give nearly every dialogue a situation of its own, while its lines still repeat
    assert report.distinct_situations > 0.9 * report.situations
    assert report.top_turns and report.top_turns[0][1] > 10
