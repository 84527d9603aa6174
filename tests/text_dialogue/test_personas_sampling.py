"""Personas: seeded, constrained by the scenario's slots, distinct names per dialogue."""

from __future__ import annotations

import random

from text_dialogue.agents import sample_personas
from text_dialogue.personas import AGE_BANDS, GENDERS
from text_dialogue.scenario import get_scenario


def test_personas_are_seeded_and_follow_slots() -> None:
    tutoring = get_scenario("tutoring")
    assert sample_personas(tutoring, random.Random(3)) == sample_personas(tutoring, random.Random(3))
    for seed in range(30):
        p = sample_personas(tutoring, random.Random(seed))
        assert p["A"].age_band == "young" and p["B"].age_band in ("adult", "senior")
        assert p["A"].name != p["B"].name
        for persona in p.values():
            assert persona.gender in GENDERS and persona.age_band in AGE_BANDS
            assert persona.speaking_style and len(persona.traits) >= 2
        assert p["A"].private_knowledge  # drawn from the slot schema or a listed fact set
