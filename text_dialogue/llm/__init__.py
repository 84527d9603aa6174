"""LLM backends behind one interface, registered by name.

Importing this package registers ``llamacpp``, ``openai`` and ``transformers``; each
imports its engine (llama_cpp, requests, torch + transformers) only when built.

>>> from text_dialogue.llm import available_llms
>>> available_llms()
['llamacpp', 'openai', 'transformers']
"""

from __future__ import annotations

from text_dialogue.llm import llamacpp, openai, transformers  # noqa: F401  (registers the backends)
from text_dialogue.llm.base import (
    LLM,
    Completion,
    GenerationParams,
    available_llms,
    get_llm,
    register_llm,
)
from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM
from text_dialogue.llm.openai import OpenAIConfig, OpenAILLM
from text_dialogue.llm.transformers import TransformersConfig, TransformersLLM

__all__ = [
    "LLM",
    "Completion",
    "GenerationParams",
    "available_llms",
    "get_llm",
    "register_llm",
    "LlamaCppConfig",
    "LlamaCppLLM",
    "OpenAIConfig",
    "OpenAILLM",
    "TransformersConfig",
    "TransformersLLM",
]
