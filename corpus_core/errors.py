"""One exception hierarchy for the whole toolkit.

It lives in the ground floor (``corpus_core``) so that every stage (and ``duplexsynth``) can
import it without breaking the one-way data flow.
"""

from __future__ import annotations

__all__ = [
    "DuplexsynthError",
    "ConfigError",
    "ManifestError",
    "BackendError",
    "UnknownBackend",
    "MissingDependency",
    "GenerationError",
]


class DuplexsynthError(Exception):
    """Base class: every error the toolkit raises on purpose derives from it."""


class ConfigError(DuplexsynthError):
    """A configuration value or file is invalid; the message names the field."""


class ManifestError(DuplexsynthError):
    """A manifest file is missing or corrupt; the message names file and line."""


class BackendError(DuplexsynthError):
    """A backend engine failed; the message names the backend and the input."""


class UnknownBackend(ConfigError):
    """A backend name is not registered; the message lists the available ones."""


class GenerationError(DuplexsynthError):
    """One dialogue could not be produced (it is logged and skipped)."""


class MissingDependency(DuplexsynthError):
    """An optional package is missing.

    :param package: the distribution to install.
    :param extra: the duplexsynth extra that installs it, if any.
    """

    def __init__(self, package: str, extra: str | None = None, why: str = "") -> None:
        hint = f"pip install 'duplexsynth[{extra}]'" if extra else f"pip install {package}"
        reason = f" ({why})" if why else ""
        super().__init__(f"the package {package!r} is needed{reason}; install it with: {hint}")
        self.package = package
        self.extra = extra
