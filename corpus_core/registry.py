"""A name -> class registry shared by every stage's backends.

Modelled on lhotse's feature-extractor registry: each backend class has a ``name``
and a ``config_type`` dataclass, and is registered with a decorator. Heavy engine
imports stay inside the backend classes, so registering costs nothing.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, Generic, TypeVar

from corpus_core.errors import ConfigError, UnknownBackend

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """Backends of one kind (LLM, TTS, ASR, ...), looked up by name.

    :param kind: human name of the kind, used in error messages.
    :param env_var: environment variable that overrides the default backend name.
    :param default: the name used when none is given.

    >>> reg = Registry("demo", "DEMO_BACKEND", "a")
    >>> reg.available()
    []
    """

    def __init__(self, kind: str, env_var: str, default: str) -> None:
        self.kind = kind
        self.env_var = env_var
        self.default = default
        self._classes: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Class decorator: register ``cls`` under ``cls.name``."""
        name = getattr(cls, "name", None)
        if not name:
            raise TypeError(f"{cls.__name__} needs a 'name' class attribute to be registered")
        self._classes[name] = cls
        return cls

    def available(self) -> list[str]:
        """Names of every registered backend, sorted."""
        return sorted(self._classes)

    def default_name(self) -> str:
        """The default backend name, after the environment override."""
        return os.environ.get(self.env_var) or self.default

    def get_class(self, name: str | None) -> type[T]:
        """The class registered as ``name`` (or the default).

        :raises UnknownBackend: listing the available names.
        """
        name = name or self.default_name()
        if name not in self._classes:
            raise UnknownBackend(
                f"unknown {self.kind} backend {name!r}; available: {', '.join(self.available())}"
            )
        return self._classes[name]

    def create(self, name: str | None = None, options: dict[str, Any] | None = None) -> T:
        """Build a backend from its name and a dict of its config fields."""
        cls = self.get_class(name)
        config_type: Callable[..., Any] = getattr(cls, "config_type")
        options = dict(options or {})
        known = {f.name for f in dataclasses.fields(config_type)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(
                f"{self.kind} backend {cls.name!r} has no option(s) {unknown}; "  # type: ignore[attr-defined]
                f"its options are {sorted(known)}"
            )
        return cls(config_type(**options))  # type: ignore[call-arg]
