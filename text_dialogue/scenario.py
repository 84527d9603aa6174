"""Scenarios: the two roles, their prompts, persona slots, goal and private knowledge.

A scenario is a YAML file. The package ships a library in ``text_dialogue/scenarios/``;
users add their own files (or folders) with no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from corpus_core.configs import read_data_file
from corpus_core.errors import ConfigError

__all__ = ["RoleSpec", "Scenario", "load_scenario", "available_scenarios", "get_scenario"]


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
                roles[key] = RoleSpec(**r)
            fields = {k: v for k, v in data.items() if k != "roles"}
            fields["end_phrases"] = tuple(str(p).lower() for p in fields.get("end_phrases") or ())
            scenario = cls(roles=roles, source=source, **fields)
        except KeyError as e:
            raise ConfigError(f"scenario{where}: missing field {e}") from None
        except TypeError as e:
            raise ConfigError(f"scenario{where}: {e}") from None
        if not isinstance(scenario.target_turns, int) or scenario.target_turns < 2:
            raise ConfigError(f"scenario{where}: target_turns must be an integer >= 2")
        return scenario


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
