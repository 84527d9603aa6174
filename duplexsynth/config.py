"""The run configuration: typed dataclasses, loadable from YAML or TOML, saved whole.

Every section is the config dataclass of its stage; :func:`config_from_mapping`
builds nested dataclasses from plain mappings and names any unknown key by its path.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from duplex.build import DuplexConfig
from eval.evaluate import EvalConfig
from speech.synthesize import SpeechConfig
from text_dialogue.agents import AgentLoopConfig
from text_dialogue.errors import ConfigError

__all__ = ["BackendSpec", "RunConfig", "load_config", "config_from_mapping", "config_to_dict"]

T = TypeVar("T")


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


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"config {where}: expected a mapping, got {value!r}")
        return config_from_mapping(tp, value, where)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return None if value is None else _convert(args[0], value, where)
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            value = [value]
        return tuple(value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp in (int, float, str, bool) and not isinstance(value, tp):
        raise ConfigError(f"config {where}: expected {tp.__name__}, got {value!r}")
    return value


def config_from_mapping(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass ``cls`` from a mapping; unknown keys raise :class:`ConfigError`."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"config {where or 'top level'}: unknown key(s) {unknown}; known: {sorted(names)}")
    kwargs = {k: _convert(hints[k], v, f"{where}.{k}" if where else k) for k, v in data.items()}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"config {where or 'top level'}: {e}") from None


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


def config_to_dict(config: Any) -> dict[str, Any]:
    """The config as plain JSON-ready data (tuples become lists)."""
    return dataclasses.asdict(config)
