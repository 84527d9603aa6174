"""Persona sampling: name, gender, age, occupation, speaking style, traits and a background.

Names come from Faker's locale lists by gender (thousands of first names in en_US),
drawn with a Faker instance seeded from the dialogue's ``random.Random``. A scenario's
``persona`` mapping may constrain any field: a list of allowed values (``gender``,
``age_band``, ``speaking_style``, ``occupation``, ``traits``), or for ``age`` a
``{min, max}`` range.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from corpus_core.errors import ConfigError
from text_dialogue.records import Persona
from text_dialogue.slots import DEFAULT_LOCALE, get_faker, seeded_faker

__all__ = ["sample_persona", "GENDERS", "AGE_BANDS", "AGE_RANGES", "STYLES", "TRAITS", "PERSONA_FIELDS"]

GENDERS = ("female", "male")
AGE_BANDS = ("young", "adult", "senior")
#: age band -> ages drawn in it (inclusive)
AGE_RANGES = {"young": (12, 29), "adult": (30, 59), "senior": (60, 84)}
STYLES = ("brief and direct", "warm and chatty", "calm and polite", "energetic", "a little hesitant",
          "talks in long sentences", "matter-of-fact", "cheerful and quick", "soft-spoken", "formal",
          "easygoing", "thinks out loud", "precise", "friendly but busy", "enthusiastic")
TRAITS = ("patient", "curious", "friendly", "busy", "careful", "cheerful", "skeptical", "organized", "funny",
          "shy", "impatient", "optimistic", "practical", "forgetful", "generous", "anxious", "confident",
          "talkative", "thoughtful", "stubborn", "polite", "relaxed", "detail-minded", "sentimental",
          "ambitious", "easily distracted", "honest", "dry-humored", "warm", "cautious")
_HOBBIES = ("gardening", "running", "cooking", "board games", "photography", "hiking", "old films",
            "painting", "cycling", "baking", "chess", "birdwatching", "swimming", "knitting", "jazz",
            "football", "reading crime novels", "fixing old bikes", "yoga", "karaoke")
_HOMES = ("lives alone", "lives with a partner", "lives with two kids", "shares a flat with friends",
          "lives with their parents", "lives with a partner and a dog", "lives with a cat")
_STUDENT = "student"
#: the constraint keys a scenario's ``persona`` mapping may use
PERSONA_FIELDS = ("gender", "age_band", "age", "speaking_style", "occupation", "traits")


def _pick(rng: random.Random, allowed: Any, default: tuple[str, ...]) -> str:
    options = tuple(allowed) if isinstance(allowed, (list, tuple)) and allowed else default
    return rng.choice(options)


def _age(rng: random.Random, band: str, constraint: Any) -> int:
    low, high = AGE_RANGES.get(band, (18, 80))
    if isinstance(constraint, dict):
        low, high = max(low, int(constraint.get("min", low))), min(high, int(constraint.get("max", high)))
        if low > high:
            raise ConfigError(f"persona age {constraint} does not overlap the {band!r} band {AGE_RANGES[band]}")
    return rng.randint(low, high)


def _occupation(fake: Any, age: int) -> str:
    if age < 19:
        return _STUDENT
    job = fake.job()
    # Faker writes some jobs "Engineer, civil": read them as "civil engineer"
    if ", " in job:
        head, tail = job.split(", ", 1)
        job = f"{tail} {head}"
    return job.lower() if age < 68 else f"retired {job.lower()}"


@lru_cache(maxsize=16)
def _first_names(locale: str, gender: str) -> tuple[str, ...]:
    """Every first name of ``gender`` in the locale's Faker list, drawn uniformly (Faker's own
    draw is weighted by frequency: 1,000 draws give only about 350 names)."""
    fake = get_faker(locale)
    attr = f"first_names_{gender}"
    for provider in fake.get_providers():
        names = getattr(provider, attr, None)
        if names:
            return tuple(sorted(set(names)))
    return tuple(sorted({getattr(fake, f"first_name_{gender}")() for _ in range(2000)}))


def _background(rng: random.Random, fake: Any) -> str:
    return f"grew up in {fake.city()}, {rng.choice(_HOMES)}, and likes {rng.choice(_HOBBIES)}"


def sample_persona(
    rng: random.Random, role: str, constraints: dict[str, Any] | None = None, avoid_names: tuple[str, ...] = (),
    locale: str = DEFAULT_LOCALE,
) -> Persona:
    """Draw a persona for ``role``; ``constraints`` may restrict any of :data:`PERSONA_FIELDS`.

    :param avoid_names: names already taken in this dialogue.
    :param locale: the Faker locale the names, occupation and home town come from.
    """
    constraints = constraints or {}
    unknown = sorted(set(constraints) - set(PERSONA_FIELDS))
    if unknown:
        raise ConfigError(f"persona constraint {unknown[0]!r} is unknown; use {', '.join(PERSONA_FIELDS)}")
    fake = seeded_faker(rng, locale)
    gender = _pick(rng, constraints.get("gender"), GENDERS)
    names = _first_names(locale, gender)
    name = rng.choice(names)
    for _ in range(20):
        if name not in avoid_names:
            break
        name = rng.choice(names)
    band = _pick(rng, constraints.get("age_band"), AGE_BANDS)
    age = _age(rng, band, constraints.get("age"))
    occupations = constraints.get("occupation")
    traits = constraints.get("traits")
    return Persona(
        name=name,
        role=role,
        gender=gender,
        age_band=band,
        speaking_style=_pick(rng, constraints.get("speaking_style"), STYLES),
        traits=tuple(rng.sample(list(traits) if traits else TRAITS, min(2, len(traits or TRAITS)))),
        surname=fake.last_name(),
        age=age,
        occupation=_pick(rng, occupations, ()) if occupations else _occupation(fake, age),
        background=_background(rng, fake),
    )
