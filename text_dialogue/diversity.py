"""How varied a corpus's text is, computed from the text alone (and the scenario files).

* **distinct-n** (n = 2, 3): distinct word n-grams / all word n-grams, on a random
  sample of whole dialogues at a fixed token budget (:data:`TOKEN_BUDGETS`), so that
  corpora of different sizes compare. Dialogues are drawn whole, in a seeded random
  order, until the budget is reached; the last one is cut at the budget, so every
  sample holds exactly ``budget`` tokens. The figure is the mean of :data:`DRAWS`
  draws. N-grams do not cross turns. A budget above the corpus size is ``None``.
* **duplicate-turn share**: of the turns with at least :data:`MIN_DUPLICATE_WORDS`
  words, the share whose normalized text also occurs in another dialogue.
* **template share**: the share of turns that equal one of the scenario's ``say:``
  example lines (of any act) with its slots filled from that dialogue's facts and
  persona names, or several such lines in a row (one speaker's consecutive acts).
* **situations**: distinct (scenario, the speakers' fact values) with names left out
  (they alone would make every situation differ), and the most dialogues sharing one.
* the most repeated turns (of :data:`MIN_DUPLICATE_WORDS`+ words), by dialogues.

Tokenization (:func:`tokenize`): lower case; curly apostrophes made straight; a word
is a run of letters and digits, with inner apostrophes kept ("it's", "o'clock");
everything else (punctuation, symbols) separates words. Numbers stay as digits.

>>> tokenize("It's 7:30, OK? Luigi's!")
["it's", '7', '30', 'ok', "luigi's"]
>>> distinct_n([["a b a b"]], 2)
0.6667
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from text_dialogue.flow import fill, plan_flow
from text_dialogue.records import Dialogue, Turn

if TYPE_CHECKING:
    from text_dialogue.agents import AgentLoopConfig
    from text_dialogue.scenario import Scenario

__all__ = ["TOKEN_BUDGETS", "MIN_DUPLICATE_WORDS", "DiversityReport", "tokenize", "normalize_turn",
           "distinct_n", "distinct_at_budget", "duplicate_turns", "template_lines", "count_template_turns",
           "situation_key", "measure_diversity", "scenario_say_lines", "example_dialogue"]

#: token budgets of the distinct-n samples
TOKEN_BUDGETS = (20_000, 40_000, 100_000)
#: turns shorter than this (in words) are left out of the duplicate-turn share
MIN_DUPLICATE_WORDS = 4
#: random samples averaged per budget
DRAWS = 5
#: most repeated turns reported
TOP_TURNS = 5
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def tokenize(text: str) -> list[str]:
    """The words of ``text`` as the module docstring defines them."""
    return _WORD.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def normalize_turn(text: str) -> str:
    """A turn's words joined by single spaces (what turns are compared by)."""
    return " ".join(tokenize(text))


def _ngrams(words: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    return (tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def _distinct(dialogues: Sequence[Sequence[list[str]]], n: int, budget: int | None) -> float | None:
    """:func:`distinct_n` over dialogues already tokenized (lists of turns' word lists)."""
    seen: set[tuple[str, ...]] = set()
    total, left = 0, budget
    for turns in dialogues:
        for words in turns:
            if left is not None:
                words, left = words[:left], left - min(left, len(words))
            grams = list(_ngrams(words, n))
            total += len(grams)
            seen.update(grams)
            if left == 0:
                return round(len(seen) / total, 4) if total else None
    return round(len(seen) / total, 4) if total else None


def distinct_n(dialogues: Sequence[Sequence[str]], n: int, budget: int | None = None) -> float | None:
    """Distinct word n-grams / all n-grams over the turns of ``dialogues`` (lists of turn texts).

    :param budget: count only the first ``budget`` tokens (in the given order); ``None`` = all.
    :return: rounded to 4 places; ``None`` when there is no n-gram.
    """
    return _distinct([[tokenize(t) for t in turns] for turns in dialogues], n, budget)


def distinct_at_budget(dialogues: Sequence[Sequence[str]], n: int, budget: int, seed: int = 0,
                       draws: int = DRAWS) -> float | None:
    """Mean distinct-n over ``draws`` seeded random samples of whole dialogues holding ``budget`` tokens.

    :return: ``None`` when the corpus has fewer than ``budget`` tokens.
    """
    return _distinct_at_budget([[tokenize(t) for t in turns] for turns in dialogues], n, budget, seed, draws)


def _distinct_at_budget(tokens: Sequence[Sequence[list[str]]], n: int, budget: int, seed: int,
                        draws: int = DRAWS) -> float | None:
    if sum(len(w) for turns in tokens for w in turns) < budget:
        return None
    values = []
    for k in range(draws):
        order = list(range(len(tokens)))
        random.Random(seed * 1_000_003 + k).shuffle(order)
        values.append(_distinct([tokens[i] for i in order], n, budget))
    return round(sum(v for v in values if v is not None) / len(values), 4)


def duplicate_turns(dialogues: Sequence[Sequence[str]], min_words: int = MIN_DUPLICATE_WORDS
                    ) -> tuple[float | None, list[tuple[str, int]]]:
    """The duplicate-turn share and the most repeated turns ``(text, dialogues it is in)``.

    :return: ``(share or None when no turn is long enough, top turns by dialogue count)``.
    """
    where: Counter[str] = Counter()
    per_dialogue = []
    for turns in dialogues:
        texts = [normalize_turn(t) for t in turns]
        texts = [t for t in texts if len(t.split()) >= min_words]
        per_dialogue.append(texts)
        where.update(set(texts))
    long_turns = sum(len(ts) for ts in per_dialogue)
    repeated = sum(where[t] > 1 for ts in per_dialogue for t in ts)
    top = [(t, c) for t, c in where.most_common(TOP_TURNS) if c > 1]
    return (round(repeated / long_turns, 4) if long_turns else None), top


@lru_cache(maxsize=64)
def scenario_say_lines(name: str) -> tuple[str, ...]:
    """Every ``say:`` line (unfilled) of every act of the library scenario ``name``; () when unknown."""
    from text_dialogue.scenario import get_scenario  # the library is read once, on first use

    try:
        scenario = get_scenario(name)
    except Exception:  # noqa: BLE001 - an imported or user scenario: no templates known
        return ()
    return tuple(dict.fromkeys(line for act in scenario.flow.acts() for line in act.say)) if scenario.flow else ()


def _slot_values(dialogue: Dialogue) -> dict[str, str]:
    values = {k: v for fs in (dialogue.meta.get("facts") or {}).values() for k, v in fs.items()}
    values.update({f"{spk}_name": p.name for spk, p in dialogue.personas.items()})
    return values


def template_lines(say: Iterable[str], values: dict[str, str]) -> set[tuple[str, ...]]:
    """The example lines filled with ``values``, as word tuples (lines with an unfilled slot are left out)."""
    out = set()
    for line in say:
        filled = fill(line, values)
        if not _SLOT.search(filled):
            words = tuple(tokenize(filled))
            if words:
                out.add(words)
    return out


def _is_template(words: list[str], lines: set[tuple[str, ...]]) -> bool:
    """Whether ``words`` is one or more of ``lines`` in a row (dynamic programming over word positions)."""
    if not words:
        return False
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for line in lines:
        by_first.setdefault(line[0], []).append(line)
    reach = [False] * (len(words) + 1)
    reach[0] = True
    for i in range(len(words)):
        if reach[i]:
            for line in by_first.get(words[i], ()):
                if tuple(words[i:i + len(line)]) == line:
                    reach[i + len(line)] = True
    return reach[-1]


def count_template_turns(dialogue: Dialogue, say: Iterable[str] | None = None) -> int | None:
    """How many turns of ``dialogue`` are its scenario's example lines with its facts filled in.

    :param say: the scenario's ``say:`` lines; ``None`` looks the scenario up by name.
    :return: ``None`` when the scenario has no example lines (imported or free-form).
    """
    say = tuple(say) if say is not None else scenario_say_lines(dialogue.scenario)
    if not say:
        return None
    lines = template_lines(say, _slot_values(dialogue))
    return sum(_is_template(tokenize(t.text), lines) for t in dialogue.turns)


def situation_key(dialogue: Dialogue) -> tuple[Any, ...] | None:
    """(scenario, each speaker's fact values) with names left out; ``None`` when it has no facts.

    Slots named ``name`` or ``*_name`` are names; a dialogue without structured facts is
    keyed by its personas' private knowledge.
    """
    facts = dialogue.meta.get("facts") or {}
    if facts:
        values = tuple(sorted((spk, k, str(v)) for spk, fs in facts.items() for k, v in fs.items()
                              if k != "name" and not k.endswith("_name")))
    else:
        values = tuple(sorted((spk, p.private_knowledge) for spk, p in dialogue.personas.items()
                              if p.private_knowledge))
    return (dialogue.scenario, values) if values else None


@dataclass(frozen=True)
class DiversityReport:
    """The diversity figures of one corpus (see the module docstring)."""

    dialogues: int
    tokens: int
    #: budget (tokens) -> distinct-2 / distinct-3 (``None``: the corpus is smaller)
    distinct_2: dict[int, float | None]
    distinct_3: dict[int, float | None]
    duplicate_turn_share: float | None
    #: template turns / all turns (``None`` when no dialogue's scenario has example lines)
    template_share: float | None
    #: dialogues with a situation key, distinct keys, and the most dialogues that share one
    situations: int
    distinct_situations: int
    max_situation_share: int
    top_turns: tuple[tuple[str, int], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: budgets as strings, top turns as ``{"text", "dialogues"}``."""
        return {
            "dialogues": self.dialogues, "tokens": self.tokens,
            "distinct_2": {str(k): v for k, v in self.distinct_2.items()},
            "distinct_3": {str(k): v for k, v in self.distinct_3.items()},
            "duplicate_turn_share": self.duplicate_turn_share, "template_share": self.template_share,
            "situations": self.situations, "distinct_situations": self.distinct_situations,
            "max_situation_share": self.max_situation_share,
            "top_turns": [{"text": t, "dialogues": c} for t, c in self.top_turns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DiversityReport":
        """Read back :meth:`to_dict` output (meta.json's ``stages.text.diversity``)."""
        return cls(
            dialogues=data["dialogues"], tokens=data["tokens"],
            distinct_2={int(k): v for k, v in data["distinct_2"].items()},
            distinct_3={int(k): v for k, v in data["distinct_3"].items()},
            duplicate_turn_share=data["duplicate_turn_share"], template_share=data.get("template_share"),
            situations=data["situations"], distinct_situations=data["distinct_situations"],
            max_situation_share=data["max_situation_share"],
            top_turns=tuple((t["text"], t["dialogues"]) for t in data.get("top_turns", ())),
        )


def _template_share(dialogues: Sequence[Dialogue]) -> float | None:
    counted = turns = 0
    for d in dialogues:
        n = (d.meta.get("content") or {}).get("template_turns")
        n = count_template_turns(d) if n is None else n
        if n is not None:
            counted += n
            turns += len(d.turns)
    return round(counted / turns, 4) if turns else None


def measure_diversity(dialogues: Sequence[Dialogue], budgets: Sequence[int] = TOKEN_BUDGETS,
                      seed: int = 0) -> DiversityReport:
    """The diversity figures of ``dialogues`` (a whole corpus, or a sample of one).

    The template share is taken from each dialogue's ``meta["content"]["template_turns"]``
    when there, else counted against its scenario's example lines.

    :param seed: seeds the distinct-n samples.
    """
    texts = [[t.text for t in d.turns] for d in dialogues]
    tokens = [[tokenize(t) for t in ts] for ts in texts]
    share, top = duplicate_turns(texts)
    keys = [k for k in map(situation_key, dialogues) if k is not None]
    counts = Counter(keys)
    return DiversityReport(
        dialogues=len(dialogues), tokens=sum(len(w) for ts in tokens for w in ts),
        distinct_2={b: _distinct_at_budget(tokens, 2, b, seed) for b in budgets},
        distinct_3={b: _distinct_at_budget(tokens, 3, b, seed) for b in budgets},
        duplicate_turn_share=share, template_share=_template_share(dialogues),
        situations=len(keys), distinct_situations=len(counts),
        max_situation_share=max(counts.values(), default=0), top_turns=tuple(top),
    )


def example_dialogue(scenario: "Scenario", dialogue_id: str, seed: int,
                     config: "AgentLoopConfig | None" = None) -> Dialogue | None:
    """The plan that ``seed`` draws for ``scenario``, realized with its example lines alone.

    Personas, facts and plan are drawn as :func:`text_dialogue.agents.generate_dialogue`
    draws them; every turn is its filled example line (the template baseline: what a
    dialogue reads like when the LLM writes nothing). ``None`` when the scenario has no flow.
    """
    from text_dialogue.agents import AgentLoopConfig, sample_personas  # agents measures content with this module

    config = config or AgentLoopConfig()
    if scenario.flow is None:
        return None
    rng = random.Random(seed)
    facts: dict[str, dict[str, str]] = {}
    personas = sample_personas(scenario, rng, facts)
    values = {**facts["A"], **facts["B"], "A_name": personas["A"].name, "B_name": personas["B"].name}
    plan = plan_flow(scenario.flow, values, rng, config.duration)[: config.max_turns]
    turns = tuple(Turn(index=i, speaker=p.speaker, text=p.line) for i, p in enumerate(plan))
    return Dialogue(id=dialogue_id, turns=turns, scenario=scenario.name, goal=scenario.goal, personas=personas,
                    seed=seed, end_reason="flow_done", meta={"facts": {k: v for k, v in facts.items() if v}})
