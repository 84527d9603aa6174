"""The dialogue plan: which dialogues a run makes, with their scenario and seed; shards of it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpus_core import sanitize_id
from corpus_core.errors import ConfigError
from corpus_core.seeding import stable_seed
from duplexsynth.config import RunConfig
from text_dialogue.scenario import available_scenarios

__all__ = ["PlannedDialogue", "Shard", "parse_shard", "dialogue_plan"]


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


def dialogue_plan(config: RunConfig, shard: Shard | None = None) -> list[PlannedDialogue]:
    """Every dialogue ``config`` asks for (or ``shard``'s share), in plan order.

    Ids, scenarios and seeds come from the index in the whole plan, so the shards of a
    plan together make exactly the dialogues of the unsharded plan.
    """
    names = list(config.scenarios) or sorted(available_scenarios())
    plan = []
    for i in range(config.dialogues):
        if shard is not None and i % shard.count != shard.index:
            continue
        scenario = names[i % len(names)]
        stem = Path(scenario).stem if scenario.endswith((".yaml", ".yml")) else scenario
        plan.append(PlannedDialogue(sanitize_id(f"{stem}-{i:05d}"), scenario, stable_seed(config.seed, i) % 2**31, i))
    return plan
