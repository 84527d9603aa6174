"""The LLM interface every text backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from corpus_core.registry import Registry

__all__ = ["LLM", "Completion", "GenerationParams", "SamplingConfig", "LLM_BACKENDS", "register_llm", "get_llm", "available_llms"]


@dataclass(frozen=True)
class GenerationParams:
    """Sampling options for one completion."""

    #: most new tokens
    max_tokens: int = 60
    temperature: float = 0.8
    top_p: float = 0.95
    #: >1 discourages repeating tokens (llama.cpp ``repeat_penalty``)
    repeat_penalty: float = 1.15
    #: tokens less likely than this share of the most likely one are cut (0 = off;
    #: llama.cpp's own default; servers get it only where the backend sends it)
    min_p: float = 0.05
    #: generation stops before any of these strings
    stop: tuple[str, ...] = ()
    seed: int = 0


@dataclass(frozen=True)
class SamplingConfig:
    """The sampling options a user sets; the agent loop adds stop sequences and a seed per turn."""

    #: most new tokens per turn
    max_tokens: int = 60
    temperature: float = 0.8
    top_p: float = 0.95
    #: >1 discourages repeating tokens (llama.cpp ``repeat_penalty``)
    repeat_penalty: float = 1.15
    #: tokens less likely than this share of the most likely one are cut (0 = off)
    min_p: float = 0.05


@dataclass(frozen=True)
class Completion:
    """What the model wrote, and what it cost.

    Backends fill the token counts from the engine's own usage report (llama-cpp-python's
    and an OpenAI-compatible server's ``usage``): ``num_tokens`` is
    ``usage.completion_tokens``, ``prompt_tokens`` is ``usage.prompt_tokens``, and
    ``prompt_evaluated`` the prompt tokens the engine computed itself, i.e. less the
    prefix it took from its cache (llama.cpp's reused prefix, a server's
    ``usage.prompt_tokens_details.cached_tokens``); ``None`` when the engine does not say.
    """

    text: str
    #: tokens generated
    num_tokens: int = 0
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    #: tokens in the prompt
    prompt_tokens: int = 0
    #: prompt tokens evaluated (not taken from a prefix cache); ``None``: unknown
    prompt_evaluated: int | None = None

    @property
    def evaluated_tokens(self) -> int:
        """Prompt tokens evaluated: ``prompt_evaluated``, or every prompt token when that is unknown."""
        return self.prompt_tokens if self.prompt_evaluated is None else self.prompt_evaluated


class LLM(ABC):
    """A text-completion model. Base models continue a transcript prompt.

    Subclasses set ``name`` and ``config_type`` and are registered with
    :func:`register_llm`.
    """

    name: ClassVar[str]
    config_type: ClassVar[type]

    def __init__(self, config: Any) -> None:
        self.config = config

    @abstractmethod
    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        """Continue ``prompt``; stop at any of ``params.stop`` (not included)."""

    def model_info(self) -> dict[str, Any]:
        """Backend name, model file/name and versions, for meta.json."""
        return {"backend": self.name}

    def close(self) -> None:
        """Release the engine (servers, memory)."""


LLM_BACKENDS: Registry[LLM] = Registry("LLM", "DUPLEXSYNTH_LLM_BACKEND", "llamacpp")
register_llm = LLM_BACKENDS.register
available_llms = LLM_BACKENDS.available


def get_llm(name: str | None = None, options: dict[str, Any] | None = None) -> LLM:
    """Build an LLM backend by name (``None`` = the default, ``llamacpp``)."""
    return LLM_BACKENDS.create(name, options)
