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
from text_dialogue.slots import DEFAULT_LOCALE, NAME_TYPES, SlotSpec, draw_slots, parse_slots

__all__ = ["RoleSpec", "Scenario", "load_scenario", "available_scenarios", "get_scenario", "draw_facts",
           "situation_key", "SITUATION_MODES"]

#: "drawn": facts come from the slot generators (a listed fact set with ``listed_share``);
#: "listed": only the listed fact sets
SITUATION_MODES = ("drawn", "listed")


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
    #: the slot schema: a typed generator per slot (see :mod:`text_dialogue.slots`)
    slots: tuple[SlotSpec, ...] = ()

    def slot_names(self) -> tuple[str, ...]:
        """The role's fact slots: the schema's, else the listed fact sets'."""
        if self.slots:
            return tuple(n for spec in self.slots for n in spec.fills())
        return tuple(self.facts[0]) if self.facts else ()

    def name_slots(self) -> frozenset[str]:
        """Slots that hold a person's name (left out of a situation)."""
        return frozenset(n for spec in self.slots if spec.type in NAME_TYPES for n in spec.fills())

    def knowledge_line(self, values: dict[str, str]) -> str:
        """One fact set in words, through ``knowledge`` (or "slot: value; ...")."""
        template = self.knowledge or "; ".join(f"{k}: {{{k}}}" for k in self.slot_names())
        return fill(template, values)

    def knowledge_lines(self) -> tuple[str, ...]:
        """The private knowledge options: ``private_knowledge``, or each listed fact set in words."""
        if self.facts:
            return tuple(self.knowledge_line(f) for f in self.facts)
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
    #: where the facts come from: one of :data:`SITUATION_MODES`
    situations: str = "drawn"
    #: with drawn situations, the chance that a role's facts are one of its listed sets
    listed_share: float = 0.1

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
                r["slots"] = parse_slots(r.get("slots"), f"scenario{where} roles.{key}")
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
        if scenario.situations not in SITUATION_MODES:
            raise ConfigError(f"scenario{where}: situations {scenario.situations!r}; use one of {SITUATION_MODES}")
        if not isinstance(scenario.listed_share, (int, float)) or not 0 <= scenario.listed_share <= 1:
            raise ConfigError(f"scenario{where}: listed_share must be a number from 0 to 1")
        _check_slots(scenario, where)
        return scenario


def _check_schema(role: RoleSpec, where: str) -> None:
    names = role.slot_names()
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: a slot is filled twice in {list(names)}")
    if role.slots and role.facts and set(role.facts[0]) != set(names):
        raise ConfigError(f"{where}: the listed facts have slots {sorted(role.facts[0])} but the schema "
                          f"fills {sorted(names)}; give both the same slots")


def _check_slots(scenario: "Scenario", where: str) -> None:
    for key in ("A", "B"):
        _check_schema(scenario.roles[key], f"scenario{where} roles.{key}")
    a, b = (set(scenario.roles[k].slot_names()) for k in ("A", "B"))
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


def draw_facts(scenario: Scenario, speaker: str, rng: random.Random,
               locale: str = DEFAULT_LOCALE) -> tuple[dict[str, str], str | None]:
    """Draw one private fact set of ``speaker``: ``(slot values, the same in words)``.

    A role with a slot schema draws each slot from its generator (with probability
    ``scenario.listed_share``, or always when ``scenario.situations`` is "listed", one of
    its listed fact sets instead). Scenarios without structured facts draw one
    ``private_knowledge`` line (no slots).

    :param locale: the Faker locale of names, cities and streets.
    """
    role = scenario.roles[speaker]
    if role.slots:
        listed = bool(role.facts) and (scenario.situations == "listed" or rng.random() < scenario.listed_share)
        if not listed:
            values = draw_slots(role.slots, rng, locale)
            return values, role.knowledge_line(values)
    if role.facts:
        i = rng.randrange(len(role.facts))
        return dict(role.facts[i]), role.knowledge_lines()[i]
    return {}, (rng.choice(role.private_knowledge) if role.private_knowledge else None)


def situation_key(scenario: Scenario, facts: dict[str, dict[str, str]]) -> tuple:
    """What makes a dialogue's situation: the scenario and both speakers' fact values, names aside.

    :param facts: speaker -> drawn slot values.
    """
    return (scenario.name,) + tuple(
        tuple(sorted((k, v) for k, v in (facts.get(key) or {}).items() if k not in scenario.roles[key].name_slots()))
        for key in ("A", "B"))


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
