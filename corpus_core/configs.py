"""Typed config dataclasses from plain mappings (YAML, TOML, meta.json), and back.

Every option class is a frozen dataclass; :func:`config_from_mapping` builds one from a
mapping, converting nested sections and naming any unknown key or wrong type by its path.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from corpus_core.errors import ConfigError

__all__ = ["config_from_mapping", "config_to_dict", "read_data_file"]

T = TypeVar("T")


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
        if value is None:
            return None
        for arg in args:  # the first member the value fits, e.g. dict before a dataclass
            if typing.get_origin(arg) is dict and isinstance(value, dict):
                return dict(value)
        return _convert(args[0], value, where)
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            value = [value]
        return tuple(value)
    if tp is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ConfigError(f"config {where}: expected a finite number, got {value!r}")
        return float(value)
    if tp in (int, float, str, bool) and (not isinstance(value, tp) or (tp is int and isinstance(value, bool))):
        raise ConfigError(f"config {where}: expected {tp.__name__}, got {value!r}")
    return value


def config_from_mapping(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass ``cls`` from a mapping; unknown keys and wrong types raise :class:`ConfigError`."""
    if not isinstance(data, dict):
        raise ConfigError(f"config {where or 'top level'}: expected a mapping, got {data!r}")
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


def config_to_dict(config: Any) -> dict[str, Any]:
    """The config as plain JSON-ready data (tuples become lists)."""
    return json_ready(dataclasses.asdict(config))


def json_ready(value: Any) -> Any:
    """Tuples as lists, recursively (what JSON and YAML write back)."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value


def read_data_file(path: str | Path, what: str) -> Any:
    """The data in a YAML (or, by suffix, TOML) file the user wrote.

    :param what: what the file is, for the error ("config", "scenario", "voice bank").
    :raises ConfigError: naming the file when it cannot be read or parsed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
        import yaml

        return yaml.safe_load(text)
    except Exception as e:  # noqa: BLE001 - any read or parse error becomes one clear line
        raise ConfigError(f"cannot read {what} {path}: {e}") from None
