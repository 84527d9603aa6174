"""Fillers and repairs: inserted at the configured rate, marked with exact spans."""

from __future__ import annotations

import random

from text_dialogue.disfluency import (
    DisfluencyConfig,
    add_disfluencies,
    apply_disfluencies,
    strip_disfluencies,
)
from text_dialogue.records import Dialogue, Turn

TEXT = "I would like a table for four on Friday at seven"


def test_marks_point_at_inserted_text_and_strip_back() -> None:
    rng = random.Random(0)
    kinds = set()
    for _ in range(50):
        text, marks = add_disfluencies(TEXT, rng, DisfluencyConfig(rate=1.0))
        assert marks
        for m in marks:
            assert text[m["start"] : m["end"]] == m["text"]
            kinds.add(m["kind"])
        assert strip_disfluencies(Turn(index=0, speaker="A", text=text, disfluencies=marks)) == TEXT
    assert kinds == {"filler", "repair"}


def test_rate_zero_leaves_text_alone_and_rate_is_respected() -> None:
    rng = random.Random(1)
    assert add_disfluencies(TEXT, rng, DisfluencyConfig(rate=0.0)) == (TEXT, ())
    hits = sum(bool(add_disfluencies(TEXT, rng, DisfluencyConfig(rate=0.3))[1]) for _ in range(400))
    assert 80 < hits < 160


def test_dialogue_turns_get_marks_seeded() -> None:
    d = Dialogue(id="d", turns=tuple(Turn(index=i, speaker="AB"[i % 2], text=TEXT) for i in range(20)))
    one = apply_disfluencies(d, random.Random(5), DisfluencyConfig(rate=0.5))
    two = apply_disfluencies(d, random.Random(5), DisfluencyConfig(rate=0.5))
    assert one == two
    assert any(t.disfluencies for t in one.turns)
    assert Dialogue.from_dict(one.to_dict()) == one
