"""The dialogue plan: which dialogues a run makes, with their scenario and seed; shards of it."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus_core import sanitize_id
from corpus_core.errors import ConfigError
from corpus_core.seeding import stable_seed
from duplexsynth.config import RunConfig
from text_dialogue.agents import sample_personas
from text_dialogue.scenario import Scenario, available_scenarios, get_scenario, situation_key

__all__ = ["PlannedDialogue", "Shard", "parse_shard", "dialogue_plan", "planned_situation", "MAX_REDRAWS"]

log = logging.getLogger(__name__)
#: seeds tried per plan entry for a situation no earlier entry has; then a repeat is kept
MAX_REDRAWS = 50


@dataclass(frozen=True)
class PlannedDialogue:
    """One dialogue of the plan; its seed depends only on the master seed and its index."""

    dialogue_id: str
    scenario: str
    seed: int
    index: int


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based): it makes plan items ``index, index + count, ...``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str | None) -> Shard | None:
    """``"i/n"`` (0 <= i < n) as a :class:`Shard`; ``None`` stays ``None``."""
    if text is None:
        return None
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ConfigError(f"--shard {text!r}: expected i/n with whole numbers, e.g. 0/4") from None
    if n < 1 or not 0 <= i < n:
        raise ConfigError(f"--shard {text!r}: need 0 <= i < n (shards are numbered from 0)")
    return Shard(i, n)


def planned_situation(scenario: Scenario, seed: int) -> tuple:
    """The situation (:func:`~text_dialogue.scenario.situation_key`) the text stage draws for ``seed``.

    It draws what :func:`text_dialogue.agents.generate_dialogue` draws first: the personas,
    then each speaker's facts, from ``random.Random(seed)``.
    """
    facts: dict[str, dict[str, str]] = {}
    sample_personas(scenario, random.Random(seed), facts)
    return situation_key(scenario, facts)


def _unique_seed(scenario: Scenario, master: int, index: int, seen: set[tuple], exhausted: set[str]) -> int:
    """The first seed for plan entry ``index`` whose situation is new (redraws are deterministic).

    :param exhausted: scenarios that already found no new situation; they are not redrawn again.
    """
    seed = stable_seed(master, index) % 2**31
    if scenario.name in exhausted:
        return seed
    for attempt in range(1, MAX_REDRAWS + 1):
        key = planned_situation(scenario, seed)
        if key not in seen:
            seen.add(key)
            return seed
        seed = stable_seed(master, index, "situation", attempt) % 2**31
    exhausted.add(scenario.name)
    log.warning("plan entry %d: scenario %s has no new situation after %d draws; a situation repeats "
                "(give its roles a slot schema with more values); its later entries are not redrawn", index, scenario.name, MAX_REDRAWS)
    return stable_seed(master, index) % 2**31


def dialogue_plan(config: RunConfig, shard: Shard | None = None) -> list[PlannedDialogue]:
    """Every dialogue ``config`` asks for (or ``shard``'s share), in plan order.

    Ids, scenarios and seeds come from the index in the whole plan, so the shards of a
    plan together make exactly the dialogues of the unsharded plan. No two entries share
    a situation (scenario and fact values, names aside): entries are drawn in plan order
    and one whose seed draws an earlier entry's situation is given the next seed of a
    fixed sequence, so every shard, worker and resume sees the same seeds.
    """
    return [p for p in _whole_plan(config.seed, config.dialogues, tuple(config.scenarios))
            if shard is None or p.index % shard.count == shard.index]


@lru_cache(maxsize=4)
def _whole_plan(master: int, dialogues: int, scenarios: tuple[str, ...]) -> tuple[PlannedDialogue, ...]:
    names = list(scenarios) or sorted(available_scenarios())
    loaded = {name: get_scenario(name) for name in dict.fromkeys(names)}
    seen: set[tuple] = set()
    exhausted: set[str] = set()
    plan = []
    for i in range(dialogues):
        scenario = names[i % len(names)]
        stem = Path(scenario).stem if scenario.endswith((".yaml", ".yml")) else scenario
        seed = _unique_seed(loaded[scenario], master, i, seen, exhausted)
        plan.append(PlannedDialogue(sanitize_id(f"{stem}-{i:05d}"), scenario, seed, i))
    return tuple(plan)
