"""OpenAI-compatible HTTP backend: OpenAI, vLLM, Ollama, llama.cpp server, ...

Base models go through ``/completions`` (a transcript prompt, cut at stop sequences);
chat models through ``/chat/completions`` (the agent loop then sends chat messages).
Requests, retries and errors are :class:`corpus_core.http.HttpClient`'s (shared with the
TTS backend): the API key is read from the environment variable named in the config at
each request; it is never stored on the object, logged or written to a file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from corpus_core.errors import BackendError, ConfigError
from corpus_core.http import HttpClient, RetryPolicy
from text_dialogue.llm.base import LLM, Completion, GenerationParams, register_llm

__all__ = ["OpenAIConfig", "OpenAILLM"]

# OpenAI's API takes at most four stop sequences.
_MAX_STOPS = 4


@dataclass(frozen=True)
class OpenAIConfig:
    """Options of the ``openai`` backend."""

    #: the server's API root, up to and including ``/v1``
    base_url: str = "https://api.openai.com/v1"
    #: model name the server knows (a llama.cpp server takes any)
    model: str = "gpt-4o-mini"
    #: ``"chat"`` for chat/instruction models, ``"completions"`` for base models
    endpoint: str = "chat"
    #: name of the environment variable that holds the API key (may be unset for local servers)
    api_key_env: str = "OPENAI_API_KEY"
    #: seconds to wait for one response
    timeout: float = 60.0
    #: extra tries after a timeout, connection error, 429 or 5xx (a 409 or other 4xx is not retried)
    max_retries: int = 5
    #: first back-off wait in seconds; it doubles on every retry (a server's Retry-After replaces it once)
    backoff: float = 1.0
    #: longest single back-off wait in seconds
    max_backoff: float = 30.0
    #: up to this share of each back-off wait is taken off at random, so workers do not retry in step
    jitter: float = 0.5
    #: send ``repeat_penalty`` (llama.cpp, vLLM understand it; OpenAI itself rejects it)
    send_repeat_penalty: bool = False
    #: extra JSON fields merged into every request body
    extra_body: dict[str, Any] = field(default_factory=dict)


@register_llm
class OpenAILLM(LLM):
    """Completions or chat completions from any OpenAI-compatible server."""

    name = "openai"
    config_type = OpenAIConfig

    def __init__(self, config: OpenAIConfig, sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__(config)
        if config.endpoint not in ("chat", "completions"):
            raise ConfigError(f"openai: endpoint must be 'chat' or 'completions', not {config.endpoint!r}")
        policy = RetryPolicy(max_retries=config.max_retries, backoff=config.backoff,
                             max_backoff=config.max_backoff, jitter=config.jitter)
        self._client = HttpClient(config.base_url, config.api_key_env, config.timeout, policy, "openai", sleep)
        self.uses_chat = config.endpoint == "chat"

    def _body(self, params: GenerationParams) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
            "top_p": params.top_p,
            "seed": params.seed,
        }
        if params.stop:
            body["stop"] = list(params.stop[:_MAX_STOPS])
        if self.config.send_repeat_penalty:
            body["repeat_penalty"] = params.repeat_penalty
        body.update(self.config.extra_body)
        return body

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` to ``base_url + path`` through the shared client (its retries, its errors)."""
        return self._client.post_json(path, body)

    def _completion(self, data: dict[str, Any], text: str, start: float) -> Completion:
        usage = data.get("usage") or {}
        prompt = usage.get("prompt_tokens")
        cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
        return Completion(text=text, num_tokens=int(usage.get("completion_tokens") or 0),
                          prompt_tokens=int(prompt) if prompt is not None else None,
                          prompt_evaluated=int(prompt) - int(cached) if prompt is not None and cached is not None else None,
                          seconds=time.perf_counter() - start,
                          extra={"finish_reason": data["choices"][0].get("finish_reason")})

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        """Continue ``prompt`` through ``/completions`` (base models)."""
        start = time.perf_counter()
        data = self._post("/completions", {**self._body(params), "prompt": prompt})
        try:
            text = data["choices"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise BackendError(f"openai: /completions answer has no choices[0].text: {str(data)[:200]}") from None
        return self._completion(data, text, start)

    def chat(self, messages: list[dict[str, str]], params: GenerationParams) -> Completion:
        """Answer ``messages`` through ``/chat/completions`` (chat models)."""
        start = time.perf_counter()
        data = self._post("/chat/completions", {**self._body(params), "messages": messages})
        try:
            text = data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise BackendError(
                f"openai: /chat/completions answer has no choices[0].message.content: {str(data)[:200]}"
            ) from None
        text = text.strip()
        for stop in params.stop:  # servers differ on whether they honour stop in chat
            text = text.split(stop)[0] if stop else text
        return self._completion(data, text, start)

    def model_info(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.config.model, "base_url": self.config.base_url,
                "endpoint": self.config.endpoint}

    def close(self) -> None:
        self._client.close()
