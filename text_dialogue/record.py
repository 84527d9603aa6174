"""The base of every manifest record: a frozen dataclass with a ``"type"`` field.

Like lhotse's ``SupervisionSegment``: ``to_dict`` leaves out ``None`` fields and
writes ``type(self).__name__``; ``from_dict`` ignores the ``type`` key. Records are
frozen; change one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

__all__ = ["Record", "drop_none"]

R = TypeVar("R", bound="Record")


def drop_none(value: Any) -> Any:
    """Recursively turn dataclasses into dicts, leaving out ``None`` values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, Record):
            return value.to_dict()
        return {
            f.name: drop_none(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, dict):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [drop_none(v) for v in value]
    return value


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _optional(f: dataclasses.Field) -> bool:
    return "None" in str(f.type)


class Record:
    """Mixin for the record dataclasses written to JSONL manifests."""

    #: nested record fields: field name -> record class (lists are handled too)
    _nested: dict[str, type["Record"]] = {}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a ``"type"`` key and no ``None`` values."""
        out: dict[str, Any] = {"type": type(self).__name__}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = drop_none(value)
        return out

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        """Build the record from :meth:`to_dict` output (unknown keys are an error)."""
        data = {k: v for k, v in data.items() if k != "type"}
        for name, sub in cls._nested.items():
            if name in data and data[name] is not None:
                value = data[name]
                if isinstance(value, list):
                    data[name] = tuple(sub.from_dict(v) for v in value)
                elif isinstance(value, dict) and "type" in value:
                    data[name] = sub.from_dict(value)
                elif isinstance(value, dict):
                    data[name] = {k: sub.from_dict(v) for k, v in value.items()}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name in data and isinstance(data[f.name], list):
                data[f.name] = tuple(data[f.name])
            elif f.name not in data and _required(f) and _optional(f):
                # to_dict leaves None out, also for a required field typed "X | None"
                data[f.name] = None
        return cls(**data)
