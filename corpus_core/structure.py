"""One checker that turns parsed JSON/YAML into typed dataclasses: records and configs alike.

:func:`structure` converts ``value`` to the annotated type ``hint`` and checks it on the
way: nested dataclasses (unknown and missing fields named), fixed tuples
(``tuple[float, float]``: length and each item) and variadic ones (``tuple[str, ...]``),
lists, dicts (keys and values), unions and ``Optional`` (every member is tried, in
order), ``Literal``, and the scalars ``int``, ``float`` (an int is taken as a float;
NaN and infinity are refused), ``str`` and ``bool`` (never taken for an int).

A converter is compiled once per type and cached, so reading a manifest costs one
dict look-up per field instead of re-reading the annotations on every line (see
``benchmarks/bench_records.py``). A mismatch raises :class:`StructureError`, which
carries the field path (``turns[0].index``); :mod:`corpus_core.record` and
:mod:`corpus_core.configs` turn it into their one-line :class:`ManifestError` or
:class:`ConfigError`.

>>> from dataclasses import dataclass
>>> @dataclass
... class Noise:
...     snr_db: tuple[float, float] = (15.0, 30.0)
>>> structure(Noise, {"snr_db": [5, 15]})
Noise(snr_db=(5.0, 15.0))
>>> try:
...     structure(Noise, {"snr_db": ["ten", "x"]})
... except StructureError as e:
...     print(e)
snr_db[0]: expected a number, found str 'ten'
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, Callable, Literal, TypeVar, Union

__all__ = ["StructureError", "structure", "type_name"]

T = TypeVar("T")
Converter = Callable[[Any], Any]

#: how each scalar type is named in a message
_NOUNS: dict[type, str] = {int: "an integer", float: "a number", str: "text", bool: "true/false"}


class StructureError(ValueError):
    """A value that does not fit its annotation.

    :param expected: what was expected, as a noun ("an integer", "a list of 2 items").
    :param value: the value found.
    :param hint: the annotation it was checked against (``None`` for a whole-object error).
    :param detail: a complete reason that replaces "expected ..., found ..." (a missing
        field, a wrong length, a rejected constructor argument).
    """

    def __init__(self, expected: str = "", value: Any = None, hint: Any = None, detail: str = "",
                 unknown_in: type | None = None) -> None:
        super().__init__()
        self.expected, self.value, self.hint, self.detail = expected, value, hint, detail
        #: set for a key the dataclass ``unknown_in`` has no field for
        self.unknown_in = unknown_in
        #: the path from the innermost step outwards (``["index", "[0]", "turns"]``)
        self.steps: list[str] = []

    def path(self, prefix: str = "", to_object: bool = False) -> str:
        """The field path, ``prefix.turns[0].index`` (just ``prefix`` for a top-level error).

        :param to_object: for an unknown key, the path of the object that does not know it.
        """
        out = prefix
        steps = self.steps[1:] if to_object and self.unknown_in is not None else self.steps
        for step in reversed(steps):
            out = f"{out}{step}" if step.startswith("[") or not out else f"{out}.{step}"
        return out

    def reason(self, style: str = "record") -> str:
        """The reason without the path.

        :param style: ``"record"`` (``expected an integer, found str '0'``) or ``"config"``
            (``expected int, got '0'``: the annotation, then the value as the user wrote it).
        """
        if self.unknown_in is not None:
            names = [f.name for f in dataclasses.fields(self.unknown_in) if f.init]
            if style == "config":
                return f"unknown key {self.value!r} for {self.unknown_in.__name__}; known: {sorted(names)}"
            return f"unknown field for {self.unknown_in.__name__} (its fields are {', '.join(names)})"
        if self.detail:
            return self.detail
        if style == "config":
            return f"expected {type_name(self.hint) if self.hint is not None else self.expected}, got {self.value!r}"
        return f"expected {self.expected}, found {describe(self.value)}"

    def __str__(self) -> str:
        where = self.path()
        return f"{where}: {self.reason()}" if where else self.reason()


def describe(value: Any) -> str:
    """A value's JSON kind and a short repr, for a message (``str 'ten'``)."""
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


def type_name(hint: Any) -> str:
    """An annotation as the user would write it (``int``, ``tuple[float, float]``, ``str | None``)."""
    if isinstance(hint, type) and not typing.get_args(hint):
        return hint.__name__
    return str(hint).replace("typing.", "").replace("NoneType", "None")


def structure(hint: type[T] | Any, value: Any, scalar_tuples: bool = False) -> T:
    """``value`` (parsed JSON or YAML) converted to and checked against ``hint``.

    :param hint: a dataclass or any annotation this module handles.
    :param scalar_tuples: take a lone value for a variadic tuple as a one-item tuple
        (``codecs: ulaw`` in a config file); a fixed-length tuple never accepts one.
    :raises StructureError: for the first value that does not fit, with its path.
    """
    return converter(hint, scalar_tuples)(value)


_CACHE: dict[tuple[Any, bool], Converter] = {}


def converter(hint: Any, scalar_tuples: bool = False) -> Converter:
    """The cached converter function for ``hint``."""
    key = (hint, scalar_tuples)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = _compile(hint, scalar_tuples)
    return found


def _compile(hint: Any, scalar_tuples: bool) -> Converter:
    origin = typing.get_origin(hint)
    if hint is Any or hint is object or isinstance(hint, TypeVar):
        return lambda value: value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_converter(hint, scalar_tuples)
    if origin in (Union, types.UnionType):
        return _union_converter(hint, scalar_tuples)
    if origin is Literal:
        return _literal_converter(hint)
    if origin is tuple or hint is tuple:
        return _tuple_converter(hint, scalar_tuples)
    if origin is list or hint is list:
        return _list_converter(hint, scalar_tuples)
    if origin is dict or hint is dict:
        return _dict_converter(hint, scalar_tuples)
    if hint is float:
        return _to_float
    if hint in (int, str, bool):
        return _scalar_converter(hint)
    if isinstance(hint, type):
        return _instance_converter(hint)
    if isinstance(origin, type):  # frozenset[str], Iterable[str]: the container kind only
        return _instance_converter(origin)
    return lambda value: value  # an annotation no JSON value can be checked against


def _to_float(value: Any) -> float:
    # JSON and YAML write 2.0 as 2; a bool is never a number here
    if value.__class__ is float or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        if not math.isfinite(value):
            raise StructureError(detail=f"expected a finite number, found {value!r}")
        return float(value)
    raise StructureError("a number", value, float)


def _scalar_converter(hint: type) -> Converter:
    noun = _NOUNS[hint]

    def convert(value: Any) -> Any:
        # type() and not isinstance(): True must not pass for an int
        if value.__class__ is hint or (isinstance(value, hint) and not isinstance(value, bool)):
            return value
        raise StructureError(noun, value, hint)
    return convert


def _instance_converter(hint: type) -> Converter:
    def convert(value: Any) -> Any:
        if isinstance(value, hint):
            return value
        raise StructureError(f"a {hint.__name__}", value, hint)
    return convert


def _literal_converter(hint: Any) -> Converter:
    allowed = typing.get_args(hint)
    choices = ", ".join(repr(a) for a in allowed)

    def convert(value: Any) -> Any:
        for a in allowed:  # 1 == True in Python; a Literal[1] must not take true
            if value == a and type(value) is type(a):
                return value
        raise StructureError(f"one of {choices}", value, hint, f"expected one of {choices}, found {value!r}")
    return convert


def _union_converter(hint: Any, scalar_tuples: bool) -> Converter:
    members = typing.get_args(hint)
    optional = type(None) in members
    options = [(m, converter(m, scalar_tuples)) for m in members if m is not type(None)]
    if len(options) == 1:  # X | None: X's own error says more than "X or None"
        only = options[0][1]
        return lambda value: None if value is None else only(value)
    wanted = " or ".join(type_name(m) for m, _ in options)

    def convert(value: Any) -> Any:
        if value is None and optional:
            return None
        errors: list[tuple[Any, StructureError]] = []
        for member, conv in options:  # the first member the value fits, in the order written
            try:
                return conv(value)
            except StructureError as e:
                errors.append((member, e))
        for member, e in errors:  # an object that failed inside a dataclass member: that member's error
            if e.steps and isinstance(value, (dict, list)):
                raise e
        raise StructureError(wanted, value, hint)
    return convert


def _items(value: Any, hint: Any, scalar_tuples: bool) -> list[Any] | tuple[Any, ...]:
    if isinstance(value, (list, tuple)):
        return value
    if scalar_tuples and value is not None and not isinstance(value, dict):
        return (value,)
    raise StructureError("a list", value, hint)


def _tuple_converter(hint: Any, scalar_tuples: bool) -> Converter:
    args = typing.get_args(hint)
    if not args or (len(args) == 2 and args[1] is Ellipsis):
        item = converter(args[0] if args else Any, scalar_tuples)

        def variadic(value: Any) -> tuple[Any, ...]:
            out = []
            for i, v in enumerate(_items(value, hint, scalar_tuples)):
                try:
                    out.append(item(v))
                except StructureError as e:
                    e.steps.append(f"[{i}]")
                    raise
            return tuple(out)
        return variadic
    items = [converter(a, scalar_tuples) for a in args]
    size = len(items)

    def fixed(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)):
            raise StructureError(f"a list of {size}", value, hint)
        if len(value) != size:
            raise StructureError(detail=f"expected {size} items ({type_name(hint)}), found {len(value)}: {value!r}")
        out = []
        for i, (conv, v) in enumerate(zip(items, value)):
            try:
                out.append(conv(v))
            except StructureError as e:
                e.steps.append(f"[{i}]")
                raise
        return tuple(out)
    return fixed


def _list_converter(hint: Any, scalar_tuples: bool) -> Converter:
    args = typing.get_args(hint)
    item = converter(args[0] if args else Any, scalar_tuples)

    def convert(value: Any) -> list[Any]:
        if not isinstance(value, (list, tuple)):
            raise StructureError("a list", value, hint)
        out = []
        for i, v in enumerate(value):
            try:
                out.append(item(v))
            except StructureError as e:
                e.steps.append(f"[{i}]")
                raise
        return out
    return convert


def _dict_converter(hint: Any, scalar_tuples: bool) -> Converter:
    args = typing.get_args(hint)
    key_hint, value_hint = args if len(args) == 2 else (Any, Any)
    key = converter(key_hint, scalar_tuples)
    item = converter(value_hint, scalar_tuples)
    if key_hint is Any and value_hint is Any:
        def plain(value: Any) -> dict[Any, Any]:
            if not isinstance(value, dict):
                raise StructureError("an object", value, hint)
            return dict(value)
        return plain

    def convert(value: Any) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise StructureError("an object", value, hint)
        out = {}
        for k, v in value.items():
            try:
                out[key(k)] = item(v)
            except StructureError as e:
                e.steps.append(str(k))
                raise
        return out
    return convert


def _dataclass_converter(cls: type, scalar_tuples: bool) -> Converter:
    # fields are compiled on first use, so a dataclass may name itself (or a later one)
    compiled: dict[str, Converter] = {}
    required: frozenset[str] = frozenset()
    optional_required: frozenset[str] = frozenset()
    #: records carry a "type" key naming their class (corpus_core.record.Record.TYPE_KEY)
    type_key = getattr(cls, "TYPE_KEY", None)

    def prepare() -> None:
        nonlocal required, optional_required
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.init]
        for f in fields:
            compiled[f.name] = converter(hints[f.name], scalar_tuples)
        needed = {f.name for f in fields
                  if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
        # to_dict leaves None out, also for a required "X | None"
        optional_required = frozenset(n for n in needed if type(None) in typing.get_args(hints[n]))
        required = frozenset(needed)

    def convert(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise StructureError(f"an object ({cls.__name__})", value, None, "")
        if not compiled:
            prepare()
        kwargs = {}
        for name, v in value.items():
            conv = compiled.get(name)
            if conv is None:
                if name == type_key:
                    continue
                error = StructureError(value=name, unknown_in=cls)
                error.steps.append(str(name))
                raise error
            try:
                kwargs[name] = conv(v)
            except StructureError as e:
                e.steps.append(name)
                raise
        if not required <= kwargs.keys():
            for name in sorted(required - kwargs.keys()):
                if name not in optional_required:
                    error = StructureError(detail=f"missing (a {cls.__name__} needs it)")
                    error.steps.append(name)
                    raise error
                kwargs[name] = None
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as e:  # a __post_init__ that refuses a value
            if isinstance(e, StructureError):
                raise
            raise StructureError(detail=str(e)) from None
    return convert
