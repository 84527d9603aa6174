"""Spoken-style disfluencies: fillers ("um", "you know") and repairs ("on Fri- on Friday").

They are inserted into a turn's text at a configurable rate and each one is marked in
``Turn.disfluencies`` with its kind, its text and its character span in the final
text, so evaluation can score fluent and disfluent words apart (or strip them).

>>> import random
>>> text, marks = add_disfluencies("I would like a table", random.Random(1), DisfluencyConfig(rate=1.0))
>>> all(text[m["start"]:m["end"]] == m["text"] for m in marks)
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from text_dialogue.records import Dialogue, Turn

__all__ = ["DisfluencyConfig", "add_disfluencies", "apply_disfluencies", "strip_disfluencies"]


@dataclass(frozen=True)
class DisfluencyConfig:
    """How many disfluencies to insert, and which."""

    #: chance that a turn gets disfluencies at all (0 switches them off)
    rate: float = 0.0
    #: most disfluencies in one turn
    max_per_turn: int = 2
    #: share of fillers among inserted disfluencies (the rest are repairs)
    filler_share: float = 0.7
    #: the fillers to draw from
    fillers: tuple[str, ...] = ("um", "uh", "you know", "I mean", "like", "well")


def add_disfluencies(
    text: str, rng: random.Random, config: DisfluencyConfig
) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Insert disfluencies into ``text``.

    :param rng: the dialogue's seeded generator.
    :return: the new text and one mark per disfluency:
        ``{"kind": "filler"|"repair", "text": ..., "start": int, "end": int}``
        (``start``/``end`` are character offsets into the new text).
    """
    words = text.split()
    if not words or config.rate <= 0 or rng.random() >= config.rate:
        return text, ()
    count = rng.randint(1, max(1, min(config.max_per_turn, len(words))))
    positions = set(rng.sample(range(len(words)), count))
    pieces: list[tuple[str, str | None]] = []
    for i, word in enumerate(words):
        if i in positions:
            if rng.random() < config.filler_share:
                pieces.append((rng.choice(config.fillers) + ",", "filler"))
            else:
                # A repair: start the next one or two words, break off, restart them.
                span = " ".join(words[i : i + rng.randint(1, 2)])
                cut = span[: max(1, len(span) - rng.randint(1, 3))].rstrip()
                pieces.append((cut + "-", "repair"))
        pieces.append((word, None))
    out: list[str] = []
    marks: list[dict[str, Any]] = []
    offset = 0
    for piece, kind in pieces:
        if kind:
            marks.append({"kind": kind, "text": piece, "start": offset, "end": offset + len(piece)})
        out.append(piece)
        offset += len(piece) + 1
    return " ".join(out), tuple(marks)


def apply_disfluencies(dialogue: Dialogue, rng: random.Random, config: DisfluencyConfig) -> Dialogue:
    """A copy of ``dialogue`` with disfluencies inserted into its turns.

    Turns that already carry marks (imported ones, say) are left alone, so their
    character spans stay right.
    """
    if config.rate <= 0:
        return dialogue
    turns = []
    for turn in dialogue.turns:
        if turn.disfluencies:
            turns.append(turn)
            continue
        text, marks = add_disfluencies(turn.text, rng, config)
        turns.append(replace(turn, text=text, disfluencies=marks) if marks else turn)
    return replace(dialogue, turns=tuple(turns))


def strip_disfluencies(turn: Turn) -> str:
    """The turn's text with its marked disfluencies removed (the fluent reference)."""
    text = turn.text
    for mark in sorted(turn.disfluencies, key=lambda m: -int(m.get("start", -1))):
        if "start" in mark and "end" in mark:
            text = text[: mark["start"]] + text[mark["end"] :]
    return " ".join(text.split())
