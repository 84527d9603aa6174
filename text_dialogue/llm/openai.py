"""OpenAI-compatible HTTP backend: OpenAI, vLLM, Ollama, llama.cpp server, ...

Base models go through ``/completions`` (a transcript prompt, cut at stop sequences);
chat models through ``/chat/completions`` (the agent loop then sends chat messages).
The API key is read from the environment variable named in the config at each
request; it is never stored on the object, logged or written to a file.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from corpus_core.errors import BackendError, ConfigError, MissingDependency
from text_dialogue.llm.base import LLM, Completion, GenerationParams, register_llm

__all__ = ["OpenAIConfig", "OpenAILLM"]

log = logging.getLogger(__name__)
_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
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
    #: extra tries after a timeout, connection error, 429 or 5xx
    max_retries: int = 5
    #: first back-off wait in seconds; it doubles on every retry
    backoff: float = 1.0
    #: longest single back-off wait in seconds
    max_backoff: float = 30.0
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
        try:
            import requests
        except ImportError:
            raise MissingDependency("requests", extra="openai", why="the openai LLM backend") from None
        self._requests = requests
        self._session = requests.Session()
        self._sleep = sleep
        self.uses_chat = config.endpoint == "chat"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _redact(self, text: str) -> str:
        """``text`` (a server's answer) with the API key blanked out, should the server echo it."""
        key = os.environ.get(self.config.api_key_env)
        return text.replace(key, "***") if key else text

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
        url = self.config.base_url.rstrip("/") + path
        requests = self._requests
        problem = ""
        server_wait: float | None = None
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                wait = self.config.backoff * 2 ** (attempt - 1) if server_wait is None else server_wait
                wait = min(self.config.max_backoff, wait)
                log.warning("openai: %s; retry %d of %d in %.1f s", problem, attempt, self.config.max_retries, wait)
                self._sleep(wait)
            try:
                response = self._session.post(url, json=body, headers=self._headers(), timeout=self.config.timeout)
            except (requests.Timeout, requests.ConnectionError) as e:
                problem = f"{type(e).__name__} at {url}"
                continue
            if response.status_code in _RETRY_STATUS:
                problem = f"HTTP {response.status_code} from {url}"
                # A server's Retry-After (seconds) replaces our own back-off.
                retry_after = response.headers.get("Retry-After", "")
                server_wait = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None
                continue
            if response.status_code >= 400:
                hint = (f"the server refused the key in ${self.config.api_key_env}"
                        if response.status_code in (401, 403) else "check base_url and model")
                raise BackendError(
                    f"openai: HTTP {response.status_code} from {url}: {self._redact(response.text[:300])}; {hint}"
                )
            try:
                return response.json()
            except ValueError:
                raise BackendError(f"openai: {url} answered something that is not JSON") from None
        raise BackendError(
            f"openai: gave up after {self.config.max_retries + 1} tries ({problem}); "
            "check that the server is up, or raise max_retries/timeout"
        )

    def _completion(self, data: dict[str, Any], text: str, start: float) -> Completion:
        usage = data.get("usage") or {}
        return Completion(text=text, num_tokens=int(usage.get("completion_tokens") or 0),
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
        self._session.close()
