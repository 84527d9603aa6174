"""The base of every manifest record: a frozen dataclass with a ``"type"`` field.

Like lhotse's ``SupervisionSegment``: ``to_dict`` leaves out ``None`` fields and
writes ``type(self).__name__``. ``from_dict`` checks every field against the
dataclass annotations (nested records, tuples, dicts, optionals), so a manifest that
parses but holds a wrong type fails with the field's name instead of deep inside a
stage. Records are frozen; change one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, TypeVar, Union

from corpus_core.errors import ManifestError

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


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def _convert(value: Any, hint: Any, where: str) -> Any:
    """``value`` (parsed JSON) as the annotated type ``hint``; ManifestError naming ``where``."""
    origin = typing.get_origin(hint)
    if hint is Any or hint is typing.Any:
        return value
    if origin in (Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in options:
            if option is type(None):
                continue
            try:
                return _convert(value, option, where)
            except ManifestError as e:
                errors.append(e)
        raise errors[0] if errors else ManifestError(f"field {where}: unexpected null")
    if isinstance(hint, type) and issubclass(hint, Record):
        if not isinstance(value, dict):
            raise ManifestError(f"field {where}: expected an object ({hint.__name__}), found {_describe(value)}")
        return hint._from_dict(value, f"{where}.")
    if origin is tuple or hint is tuple:
        if not isinstance(value, list):
            raise ManifestError(f"field {where}: expected a list, found {_describe(value)}")
        args = typing.get_args(hint)
        item = args[0] if args else Any
        return tuple(_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ManifestError(f"field {where}: expected an object, found {_describe(value)}")
        args = typing.get_args(hint)
        item = args[1] if len(args) == 2 else Any
        return {k: _convert(v, item, f"{where}.{k}") for k, v in value.items()}
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ManifestError(f"field {where}: expected a number, found {_describe(value)}")
        if not math.isfinite(value):
            raise ManifestError(f"field {where}: expected a finite number, found {value}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ManifestError(f"field {where}: expected an integer, found {_describe(value)}")
        return value
    if hint in (str, bool):
        if not isinstance(value, hint):
            raise ManifestError(f"field {where}: expected {'text' if hint is str else 'true/false'}, "
                                f"found {_describe(value)}")
        return value
    return value


class Record:
    """Mixin for the record dataclasses written to JSONL manifests."""

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

        :raises ManifestError: ``field NAME: expected ..., found ...`` for a wrong type,
            a missing required field or an unknown field.
        """
        return cls._from_dict(data, "")

    @classmethod
    def _from_dict(cls: type[R], data: dict[str, Any], prefix: str) -> R:
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - set(fields) - {"type"})
        if unknown:
            raise ManifestError(f"field {prefix}{unknown[0]}: unknown field for {cls.__name__} "
                                f"(its fields are {', '.join(fields)})")
        kwargs: dict[str, Any] = {}
        for name, f in fields.items():
            where = f"{prefix}{name}"
            if name in data:
                kwargs[name] = _convert(data[name], hints[name], where)
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                if type(None) in typing.get_args(hints[name]):
                    kwargs[name] = None  # to_dict leaves None out, also for a required "X | None"
                else:
                    raise ManifestError(f"field {where}: missing (a {cls.__name__} needs it)")
        return cls(**kwargs)
