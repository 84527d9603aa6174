"""Scenarios: the two roles, their prompts, persona slots, goal and private knowledge.

A scenario is a YAML file. The package ships a library in ``text_dialogue/scenarios/``;
users add their own files (or folders) with no code change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from corpus_core.configs import read_data_file
from corpus_core.errors import ConfigError
from text_dialogue.flow import Flow, fill, parse_flow

__all__ = ["RoleSpec", "Scenario", "load_scenario", "available_scenarios", "get_scenario", "draw_facts"]


@dataclass(frozen=True)
class RoleSpec:
    """One side of a scenario."""

    #: what the speaker is, e.g. "customer"
    role: str
    #: instructions only this agent sees
    prompt: str
    #: facts only this agent knows; one is drawn per dialogue
    private_knowledge: tuple[str, ...] = ()
    #: persona constraints: e.g. {"age_band": ["adult", "senior"]}
    persona: dict[str, Any] = field(default_factory=dict)
    #: structured private facts: fact sets (slot -> value); one set is drawn per dialogue
    facts: tuple[dict[str, str], ...] = ()
    #: how a drawn fact set reads as private knowledge, e.g. "a table for {party} on {day}"
    knowledge: str = ""

    def knowledge_lines(self) -> tuple[str, ...]:
        """The private knowledge options: ``private_knowledge``, or each fact set in words."""
        if self.facts:
            template = self.knowledge or "; ".join(f"{k}: {{{k}}}" for k in self.facts[0])
            return tuple(fill(template, f) for f in self.facts)
        return self.private_knowledge


@dataclass(frozen=True)
class Scenario:
    """A kind of conversation the agent pair can hold."""

    name: str
    description: str
    #: the shared situation both agents see
    setting: str
    roles: dict[str, RoleSpec]
    goal: str
    #: when the conversation should end, in words the agents see
    end_condition: str = "the goal is met and both have said goodbye"
    #: phrases (lower case) whose use, once the target length is reached, marks the goal met
    end_phrases: tuple[str, ...] = ()
    #: the length a finished dialogue should have, in turns
    target_turns: int = 10
    #: a short example exchange (lines "A: ..." / "B: ..."); it teaches base models the form
    example: str = ""
    #: the first line of speaker A, or "" to let the model write it
    opening: str = ""
    #: the planned act sequence (see :mod:`text_dialogue.flow`); ``None`` = free-form only
    flow: Flow | None = None
    source: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "") -> "Scenario":
        """Build a scenario from a parsed YAML mapping.

        :raises ConfigError: naming the missing or unknown field and the file.
        """
        where = f" in {source}" if source else ""
        try:
            roles_raw = data["roles"]
            roles = {}
            for key in ("A", "B"):
                r = dict(roles_raw[key])
                r["persona"] = dict(r.get("persona") or {})
                r["private_knowledge"] = tuple(r.get("private_knowledge") or ())
                r["facts"] = _fact_sets(r.get("facts"), f"scenario{where} roles.{key}.facts")
                roles[key] = RoleSpec(**r)
            flow_keys = ("flow", "subtopics", "smalltalk", "preclosing", "closing")
            fields = {k: v for k, v in data.items() if k != "roles" and k not in flow_keys}
            fields["flow"] = parse_flow({k: data.get(k) for k in flow_keys if k in data}, f"scenario{where}")
            fields["end_phrases"] = tuple(str(p).lower() for p in fields.get("end_phrases") or ())
            scenario = cls(roles=roles, source=source, **fields)
        except KeyError as e:
            raise ConfigError(f"scenario{where}: missing field {e}") from None
        except TypeError as e:
            raise ConfigError(f"scenario{where}: {e}") from None
        if not isinstance(scenario.target_turns, int) or scenario.target_turns < 2:
            raise ConfigError(f"scenario{where}: target_turns must be an integer >= 2")
        _check_slots(scenario, where)
        return scenario


def _check_slots(scenario: "Scenario", where: str) -> None:
    a, b = (set(scenario.roles[k].facts[0]) if scenario.roles[k].facts else set() for k in ("A", "B"))
    if a & b:
        raise ConfigError(f"scenario{where}: slots {sorted(a & b)} are in the facts of both roles; rename one")
    if scenario.flow is not None:
        unknown = scenario.flow.slots() - a - b - {"A_name", "B_name"}
        if unknown:
            raise ConfigError(f"scenario{where}: flow uses slots {sorted(unknown)} that no role's facts give "
                              f"(known: {sorted(a | b | {'A_name', 'B_name'})})")


def _fact_sets(raw: Any, where: str) -> tuple[dict[str, str], ...]:
    if not raw:
        return ()
    if not isinstance(raw, list) or not all(isinstance(f, dict) and f for f in raw):
        raise ConfigError(f"{where}: expected a list of mappings (slot: value)")
    keys = set(raw[0])
    for i, f in enumerate(raw):
        if set(f) != keys:
            raise ConfigError(f"{where}[{i}]: every fact set needs the same slots {sorted(keys)}; found {sorted(f)}")
    return tuple({str(k): str(v) for k, v in f.items()} for f in raw)


def draw_facts(scenario: Scenario, speaker: str, rng: random.Random) -> tuple[dict[str, str], str | None]:
    """Draw one private fact set of ``speaker``: ``(slot values, the same in words)``.

    Scenarios without structured facts draw one ``private_knowledge`` line (no slots).
    """
    role = scenario.roles[speaker]
    if role.facts:
        i = rng.randrange(len(role.facts))
        return dict(role.facts[i]), role.knowledge_lines()[i]
    return {}, (rng.choice(role.private_knowledge) if role.private_knowledge else None)


def load_scenario(path: str | Path) -> Scenario:
    """Read one scenario YAML file."""
    path = Path(path)
    data = read_data_file(path, "scenario")
    if not isinstance(data, dict):
        raise ConfigError(f"scenario {path}: expected a mapping at the top level")
    data.setdefault("name", path.stem)
    return Scenario.from_dict(data, source=str(path))


def _scenario_files(extra: list[str | Path] | None) -> list[Path]:
    shipped = resources.files("text_dialogue") / "scenarios"
    files = sorted(Path(str(p)) for p in shipped.iterdir() if str(p).endswith((".yaml", ".yml")))
    for item in extra or []:
        p = Path(item)
        files += sorted(p.glob("*.y*ml")) if p.is_dir() else [p]
    return files


def available_scenarios(extra: list[str | Path] | None = None) -> dict[str, Scenario]:
    """Every shipped scenario plus those in ``extra`` files or folders (later wins)."""
    return {s.name: s for s in map(load_scenario, _scenario_files(extra))}


def get_scenario(name_or_path: str, extra: list[str | Path] | None = None) -> Scenario:
    """A scenario by name, or by the path of a YAML file."""
    if name_or_path.endswith((".yaml", ".yml")) or Path(name_or_path).is_file():
        return load_scenario(name_or_path)
    library = available_scenarios(extra)
    if name_or_path not in library:
        raise ConfigError(f"unknown scenario {name_or_path!r}; available: {', '.join(sorted(library))}")
    return library[name_or_path]
