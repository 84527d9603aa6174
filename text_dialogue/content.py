"""Content measures of a text dialogue: facts stated, end reached, repetition, contradiction, length.

The same measures score free-form and planned dialogues, so the two can be compared
(``benchmarks/bench_text.py``), and they are pooled into a corpus's meta.json.

* goal-fact recall: the share of the dialogue's drawn private facts (both roles'
  slot values, ``meta["facts"]``) that some turn states, after normalization
  (lower case, digits as words, punctuation dropped); a long value counts as stated
  when most of its content words occur in one turn;
* end reached: a goodbye or one of the scenario's end phrases in the last turns;
* repetition: share of word 3-grams already said earlier in the dialogue; flagged above a threshold;
* contradiction: a value that another fact set of the same role has for the same
  slot (another day, another party size) is stated, and no drawn fact contains it;
* turns, words per turn, and the spoken duration (estimated from words until audio exists);
* template turns: how many turns are the scenario's example lines with the slots filled
  (:func:`text_dialogue.diversity.count_template_turns`), and their share.

>>> normalize_text("Table for 4 at 7:30, please!")
'table for four at seven thirty please'
>>> states("Sure, a table for four at seven thirty.", "4")
True
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from text_dialogue.diversity import count_template_turns
from text_dialogue.flow import TURN_GAP_SECONDS, WORDS_PER_SECOND
from text_dialogue.records import Dialogue
from text_dialogue.spoken import to_spoken

__all__ = ["ContentMetrics", "normalize_text", "states", "measure_content", "pool_content", "GOODBYES",
           "REPETITION_FLAG"]

#: phrases that close a conversation (lower case)
GOODBYES = ("bye", "goodbye", "talk soon", "see you", "take care", "have a good", "have a nice")
#: a dialogue whose repetition rate exceeds this is flagged
REPETITION_FLAG = 0.25
#: the end counts as reached when a closing phrase is in one of this many last turns
END_WINDOW = 3

_STOP = frozenset("a an the and or of to in on at for is it its it's be with my your our you we i "
                  "this that was are has have".split())


def normalize_text(text: str) -> str:
    """Lower case, numbers and clock times as words, punctuation dropped, single spaces."""
    # numbers, times, prices as the spoken form says them: the one speller (num2words)
    text = to_spoken(text.replace("\u2019", "'")).lower()
    text = re.sub(r"[^a-z' ]+", " ", text)
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


def _content_words(text: str) -> list[str]:
    return [w for w in normalize_text(text).split() if w not in _STOP]


def states(turn_text: str, value: str, min_share: float = 0.75) -> bool:
    """Whether ``turn_text`` states ``value``: as a phrase, or (3+ content words) most of them.

    :param min_share: share of a long value's content words one turn must hold.
    """
    text, val = f" {normalize_text(turn_text)} ", normalize_text(value)
    if not val:
        return False
    if f" {val} " in text:
        return True
    words = _content_words(value)
    if len(words) < 3:
        return False
    have = set(text.split())
    return sum(w in have for w in words) / len(words) >= min_share


@dataclass(frozen=True)
class ContentMetrics:
    """The content measures of one dialogue."""

    #: drawn private facts (slot values of both roles)
    facts: int
    #: how many of them some turn states
    facts_stated: int
    #: facts_stated / facts (``None`` when the dialogue has no structured facts)
    recall: float | None
    end_reached: bool
    #: share of word 3-grams said earlier in the same dialogue
    repetition_rate: float
    repetition: bool
    #: "slot: value" of each contradicting value stated
    contradictions: tuple[str, ...]
    turns: int
    words_per_turn: float
    #: seconds: measured from audio when given, else estimated from the words
    duration: float
    missing: tuple[str, ...] = field(default=())
    #: turns that are one of the scenario's example lines with its facts filled in
    #: (``None``: the scenario has no example lines)
    template_turns: int | None = None
    #: template_turns / turns
    template_share: float | None = None

    @property
    def contradiction(self) -> bool:
        return bool(self.contradictions)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ContentMetrics":
        """Read back :meth:`to_dict` output (a dialogue's ``meta["content"]``)."""
        keys = {"facts", "facts_stated", "recall", "end_reached", "repetition_rate", "repetition", "turns",
                "words_per_turn", "duration"}
        return cls(**{k: data[k] for k in keys}, contradictions=tuple(data.get("contradictions") or ()),
                   missing=tuple(data.get("missing") or ()), template_turns=data.get("template_turns"),
                   template_share=data.get("template_share"))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["contradiction"] = self.contradiction
        out["contradictions"] = list(self.contradictions)
        out["missing"] = list(self.missing)
        return out


def _repetition_rate(texts: list[str]) -> float:
    seen: set[tuple[str, ...]] = set()
    again = total = 0
    for text in texts:
        w = normalize_text(text).split()
        grams = [tuple(w[i : i + 3]) for i in range(len(w) - 2)]
        again += sum(g in seen for g in grams)
        total += len(grams)
        seen.update(grams)
    return again / max(1, total)


def measure_content(dialogue: Dialogue, alternatives: dict[str, list[str]] | None = None,
                    end_phrases: tuple[str, ...] = (), duration: float | None = None,
                    say_lines: Sequence[str] | None = None) -> ContentMetrics:
    """Score one dialogue.

    :param alternatives: slot -> every value the scenario has for it (for contradictions);
        :func:`text_dialogue.agents.generate_dialogue` stores them in ``meta["fact_alternatives"]``.
    :param end_phrases: the scenario's end phrases (lower case), besides the goodbyes.
    :param duration: the dialogue's measured duration in seconds (else estimated from words).
    :param say_lines: every ``say:`` line of the scenario's acts (``None``: the library
        scenario of ``dialogue.scenario``'s name, when there is one).
    """
    texts = [t.text for t in dialogue.turns]
    facts = {f"{spk}.{k}": v for spk, fs in (dialogue.meta.get("facts") or {}).items() for k, v in fs.items()}
    stated = [k for k, v in facts.items() if any(states(t, v) for t in texts)]
    alternatives = alternatives if alternatives is not None else dialogue.meta.get("fact_alternatives") or {}
    drawn = [normalize_text(v) for v in facts.values()]
    whole = f" {normalize_text(' '.join(texts))} "
    contradictions = []
    for slot, values in alternatives.items():
        for v in values:
            nv = normalize_text(v)
            if nv and not any(nv in d for d in drawn) and len(nv) > 2 and f" {nv} " in whole:
                contradictions.append(f"{slot}: {v}")
    closing = [normalize_text(t) for t in texts[-END_WINDOW:]]
    phrases = [normalize_text(p) for p in (*GOODBYES, *end_phrases)]
    end = any(f" {p} " in f" {c} " for c in closing for p in phrases if p)
    words = [len(normalize_text(t).split()) for t in texts]
    if duration is None:
        duration = sum(words) / WORDS_PER_SECOND + TURN_GAP_SECONDS * len(texts)
    rate = _repetition_rate(texts)
    templates = count_template_turns(dialogue, say_lines)
    return ContentMetrics(
        facts=len(facts), facts_stated=len(stated), recall=len(stated) / len(facts) if facts else None,
        end_reached=end, repetition_rate=round(rate, 4), repetition=rate > REPETITION_FLAG,
        contradictions=tuple(contradictions), turns=len(texts),
        words_per_turn=round(sum(words) / max(1, len(words)), 2), duration=round(duration, 2),
        missing=tuple(k for k in facts if k not in stated), template_turns=templates,
        template_share=round(templates / len(texts), 4) if templates is not None and texts else None,
    )


def pool_content(items: list[ContentMetrics | dict[str, Any]]) -> dict[str, Any]:
    """Corpus-level means and shares of per-dialogue measures (for meta.json and benchmarks).

    :param items: measures, or their dicts (``Dialogue.meta["content"]``).
    """
    items = [m if isinstance(m, ContentMetrics) else ContentMetrics.from_dict(m) for m in items]
    n = len(items)
    if not n:
        return {"dialogues": 0}
    facts = sum(m.facts for m in items)
    templated = [m for m in items if m.template_turns is not None]
    template_turns = sum(m.turns for m in templated)
    return {
        "dialogues": n,
        # pooled over facts, so a dialogue with more facts weighs more
        "fact_recall": round(sum(m.facts_stated for m in items) / facts, 4) if facts else None,
        "end_reached": round(sum(m.end_reached for m in items) / n, 4),
        "repetition_flagged": round(sum(m.repetition for m in items) / n, 4),
        "contradiction_flagged": round(sum(m.contradiction for m in items) / n, 4),
        "mean_turns": round(sum(m.turns for m in items) / n, 2),
        "words_per_turn": round(sum(m.words_per_turn * m.turns for m in items) / max(1, sum(m.turns for m in items)), 2),
        "mean_duration": round(sum(m.duration for m in items) / n, 2),
        # pooled over turns (template turns / turns of the dialogues whose scenario has example lines)
        "template_share": (round(sum(m.template_turns or 0 for m in templated) / template_turns, 4)
                           if template_turns else None),
    }
