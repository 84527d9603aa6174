"""Typed config dataclasses from plain mappings (YAML, TOML, meta.json), and back.

Every option class is a frozen dataclass; :func:`config_from_mapping` builds one from a
mapping with :mod:`corpus_core.structure`, converting nested sections and naming any
unknown key or wrong type by its path.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

from corpus_core.errors import ConfigError
from corpus_core.structure import StructureError, structure

__all__ = ["config_from_mapping", "config_to_dict", "read_data_file"]

T = TypeVar("T")


def config_from_mapping(cls: type[T], data: dict[str, Any], where: str = "") -> T:
    """Build dataclass ``cls`` from a mapping, checking every value against its annotation.

    The check is :func:`corpus_core.structure.structure`, the one records use too: nested
    sections, tuples item by item (a lone value stands for a one-item variadic tuple, so
    ``codecs: ulaw`` works; a fixed pair such as ``snr_db`` needs both values), unions
    and ``Literal``.

    :param where: the section's path in the whole config, for the message (``duplex.timing``).
    :raises ConfigError: ``config PATH: ...`` naming the key, for an unknown key, a
        wrong type or a value the dataclass refuses.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"config {where or 'top level'}: expected a mapping, got {data!r}")
    try:
        return structure(cls, data, scalar_tuples=True)
    except StructureError as e:
        raise ConfigError(f"config {e.path(where, to_object=True) or 'top level'}: {e.reason('config')}") from None


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
