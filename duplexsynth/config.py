"""The run configuration: typed dataclasses, loadable from YAML or TOML, saved whole.

Every section is the config dataclass of its stage; :func:`config_from_mapping`
builds nested dataclasses from plain mappings and names any unknown key by its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_core.configs import config_from_mapping, config_to_dict
from corpus_core.errors import ConfigError
from duplex.build import DuplexConfig
from eval.evaluate import EvalConfig
from speech.synthesize import SpeechConfig
from text_dialogue.agents import AgentLoopConfig

__all__ = ["BackendSpec", "RunConfig", "load_config", "config_from_mapping", "config_to_dict"]

@dataclass(frozen=True)
class BackendSpec:
    """A backend by registry name plus the fields of its config dataclass."""

    #: registry name; ``None`` = the stage's default (or its environment override)
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunConfig:
    """Everything one corpus run needs; saved into meta.json."""

    #: master seed; each dialogue derives its own seed from it and its index
    seed: int = 0
    #: how many text dialogues ``generate``/``text`` writes
    dialogues: int = 3
    #: scenario names or YAML paths, used round-robin; empty = every shipped scenario
    scenarios: tuple[str, ...] = ()
    llm: BackendSpec = field(default_factory=BackendSpec)
    text: AgentLoopConfig = field(default_factory=AgentLoopConfig)
    #: extra voice bank YAML files added to the shipped bank
    voice_banks: tuple[str, ...] = ()
    #: restrict casting to these voice ids (empty = the whole bank)
    voices: tuple[str, ...] = ()
    #: cast only voices of these TTS backends (empty = every voice in the bank); piper by
    #: default because the espeak voices sound robotic
    cast_backends: tuple[str, ...] = ("piper",)
    #: voice casts per text dialogue (data augmentation)
    variants: int = 1
    #: TTS backend name -> options of its config dataclass
    tts: dict[str, dict[str, Any]] = field(default_factory=dict)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    duplex: DuplexConfig = field(default_factory=DuplexConfig)
    asr: BackendSpec = field(default_factory=BackendSpec)
    eval: EvalConfig = field(default_factory=EvalConfig)


def _merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """``update`` over ``base``, mapping by mapping (a nested key replaces only itself)."""
    out = dict(base)
    for key, value in update.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None,
                base: dict[str, Any] | None = None) -> RunConfig:
    """Read a YAML or TOML config file (or none) and apply top-level overrides.

    :param base: a saved config (a corpus's meta.json ``config``) that the file and the
        overrides update, so later stages of a corpus run with the settings it was made with.
    """
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".toml":
                import tomllib

                data = tomllib.loads(text)
            else:
                import yaml

                data = yaml.safe_load(text) or {}
        except Exception as e:  # noqa: BLE001 - any parse error becomes one clear line
            raise ConfigError(f"cannot read config {path}: {e}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config {path}: expected a mapping at the top level")
    data = _merge(base or {}, data)
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return config_from_mapping(RunConfig, data)
