"""Persona sampling: a name, age band, gender, speaking style and traits per speaker."""

from __future__ import annotations

import random
from typing import Any

from text_dialogue.records import Persona

__all__ = ["sample_persona", "GENDERS", "AGE_BANDS"]

GENDERS = ("female", "male")
AGE_BANDS = ("young", "adult", "senior")
NAMES = {
    "female": ("Maya", "Laura", "Priya", "Sofia", "Grace", "Hannah", "Nora", "Elena", "Ruth", "Amara"),
    "male": ("James", "Omar", "Daniel", "Leo", "Marcus", "Ethan", "Victor", "Samuel", "Felix", "Arjun"),
}
STYLES = ("brief and direct", "warm and chatty", "calm and polite", "energetic", "a little hesitant")
TRAITS = ("patient", "curious", "friendly", "busy", "careful", "cheerful", "skeptical", "organized", "funny")


def _pick(rng: random.Random, allowed: Any, default: tuple[str, ...]) -> str:
    options = tuple(allowed) if isinstance(allowed, (list, tuple)) and allowed else default
    return rng.choice(options)


def sample_persona(
    rng: random.Random, role: str, constraints: dict[str, Any] | None = None, avoid_names: tuple[str, ...] = ()
) -> Persona:
    """Draw a persona for ``role``; ``constraints`` may restrict gender, age_band, style.

    :param avoid_names: names already taken in this dialogue.
    """
    constraints = constraints or {}
    gender = _pick(rng, constraints.get("gender"), GENDERS)
    names = [n for n in NAMES[gender] if n not in avoid_names]
    return Persona(
        name=rng.choice(names),
        role=role,
        gender=gender,
        age_band=_pick(rng, constraints.get("age_band"), AGE_BANDS),
        speaking_style=_pick(rng, constraints.get("speaking_style"), STYLES),
        traits=tuple(rng.sample(TRAITS, 2)),
    )
