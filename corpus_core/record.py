"""The base of every manifest record: a frozen dataclass with a ``"type"`` field.

Like lhotse's ``SupervisionSegment``: ``to_dict`` leaves out ``None`` fields and
writes ``type(self).__name__``. ``from_dict`` checks every field against the
dataclass annotations with :mod:`corpus_core.structure` (nested records, fixed and
variadic tuples, dicts, unions, ``Literal``), so a manifest that parses but holds a
wrong type fails with the field's name instead of deep inside a stage. Records are
frozen; change one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

from corpus_core.errors import ManifestError
from corpus_core.structure import StructureError, structure

__all__ = ["Record", "drop_none", "record_types"]

R = TypeVar("R", bound="Record")

_RECORD_TYPES: dict[str, type["Record"]] = {}


def record_types() -> dict[str, type["Record"]]:
    """Every record class defined so far, by its ``type`` name."""
    return dict(_RECORD_TYPES)


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


class Record:
    """Mixin for the record dataclasses written to JSONL manifests."""

    #: the key naming the record's class in its dict; :func:`structure` skips it
    TYPE_KEY: ClassVar[str] = "type"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _RECORD_TYPES[cls.__name__] = cls

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
        """Build the record from :meth:`to_dict` output, checking every field's type.

        The check is :func:`corpus_core.structure.structure`, the same one configs use.

        :raises ManifestError: ``field NAME: expected ..., found ...`` for a wrong type,
            a missing required field or an unknown field.
        """
        try:
            return structure(cls, data)
        except StructureError as e:
            raise ManifestError(f"field {e.path()}: {e.reason()}" if e.steps else e.reason()) from None
