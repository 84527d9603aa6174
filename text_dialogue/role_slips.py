"""Role slips of a small model: a speaker label in the text, another dialogue's facts, the other role's facts.

A base model continuing a transcript sometimes writes a line as the wrong speaker or
with the few-shot example's facts ("Yes, I can give you a round table." from the caller,
where only the host knows the offer, and the round table is the example call's offer).
These checks find such turns so that the agent loop samples them again:

* :func:`strip_own_label` removes a leading label naming the speaker itself
  ("Maya: Sure." -> "Sure."); a label naming the other speaker is a slip;
* :func:`foreign_words` lists the values of the scenario's other fact sets with their
  distinctive words ("round", "fireplace" when today's offer is the terrace); a turn that
  says half of such a value, with a distinctive word the dialogue has not said yet, states
  another dialogue's fact;
* :func:`states_other_role` tells whether a turn states a private fact of the other
  role before that role said it (and the turn's own act does not name it).

>>> strip_own_label("Maya: Sure, at eight.", ("Maya", "A"), ("Tom", "B"))
('Sure, at eight.', False)
>>> strip_own_label("Tom: Sure.", ("Maya", "A"), ("Tom", "B"))
('Tom: Sure.', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from text_dialogue.content import _content_words, normalize_text, states
from text_dialogue.records import Turn
from text_dialogue.scenario import Scenario

__all__ = ["ForeignValue", "strip_own_label", "foreign_words", "uses_foreign_words", "states_other_role", "MIN_FOREIGN_LETTERS"]

#: a word must have at least this many letters to mark another fact set (no "a", "on", "six")
MIN_FOREIGN_LETTERS = 4
_LABEL = re.compile(r"^\s*([A-Z][\w.'-]{0,20}(?: [A-Z][\w.'-]{0,20})?)\s?:\s*")


def strip_own_label(text: str, own: Iterable[str], other: Iterable[str]) -> tuple[str, bool]:
    """``(text without a leading own-speaker label, whether it starts with the other's label)``.

    :param own: the speaker's names and labels (persona name, "A").
    :param other: the other speaker's.
    """
    m = _LABEL.match(text)
    if not m:
        return text, False
    label = m.group(1)
    if label in set(other):
        return text, True
    if label in set(own):
        return text[m.end():].strip(), False
    return text, False


def _scenario_words(scenario: Scenario) -> set[str]:
    """Words any line of the scenario's text uses (setting, goal, prompts, example, flow lines)."""
    parts = [scenario.setting, scenario.goal, scenario.end_condition, scenario.example, scenario.description,
             *(r.prompt for r in scenario.roles.values())]
    if scenario.flow is not None:
        parts += [line for act in scenario.flow.acts() for line in act.say]
    return set(normalize_text(" ".join(parts)).split())


@dataclass(frozen=True)
class ForeignValue:
    """A fact value of a set *not* drawn for this dialogue, e.g. "a round table near the fireplace"."""

    slot: str
    #: its content words (normalized, no stop words)
    words: tuple[str, ...]
    #: the ones neither today's facts nor the scenario's own lines use ("round", "fireplace")
    distinctive: frozenset[str]


def foreign_words(scenario: Scenario, facts: dict[str, dict[str, str]]) -> tuple[ForeignValue, ...]:
    """The values of the scenario's other fact sets that have words of their own.

    :param facts: the drawn fact set per role (``{"A": {...}, "B": {...}}``).
    """
    drawn = {w for values in facts.values() for v in values.values() for w in normalize_text(v).split()}
    common = drawn | _scenario_words(scenario)
    out: dict[tuple[str, ...], ForeignValue] = {}
    for key, role in scenario.roles.items():
        for fs in role.facts:
            if fs == facts.get(key):
                continue
            for slot, value in fs.items():
                words = tuple(_content_words(value))
                distinctive = frozenset(w for w in words if w not in common and len(w) >= MIN_FOREIGN_LETTERS)
                if distinctive and words not in out:
                    out[words] = ForeignValue(f"{key}.{slot}", words, distinctive)
    return tuple(out.values())


def uses_foreign_words(text: str, foreign: tuple[ForeignValue, ...], history: Iterable[Turn],
                       min_share: float = 0.5) -> tuple[str, ...]:
    """Slots of other fact sets whose value ``text`` states: at least ``min_share`` of the
    value's content words, one of them distinctive and not said by an earlier turn (the
    partner may have said it)."""
    have = set(normalize_text(text).split())
    said = {w for t in history for w in normalize_text(t.text).split()}
    return tuple(dict.fromkeys(
        f.slot for f in foreign
        if (f.distinctive & have) - said and sum(w in have for w in f.words) / len(f.words) >= min_share))


def states_other_role(text: str, speaker: str, facts: dict[str, dict[str, str]], history: Iterable[Turn],
                      allowed: Iterable[str] = ()) -> tuple[str, ...]:
    """Slots of the other role's drawn facts that ``text`` states before any earlier turn did.

    :param allowed: values the turn's own act names (a caller asking "Is this Luigi's?").
    """
    other = "B" if speaker == "A" else "A"
    earlier = [t.text for t in history]
    ok = set(allowed)
    return tuple(f"{other}.{k}" for k, v in (facts.get(other) or {}).items()
                 if v not in ok and states(text, v) and not any(states(t, v) for t in earlier))
