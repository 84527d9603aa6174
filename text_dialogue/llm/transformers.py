"""Hugging Face transformers backend: any causal LM by hub name or local path.

``AutoModelForCausalLM.from_pretrained(model)`` plus its tokenizer, the same call a
user makes. Models whose tokenizer has a chat template can be used as chat models
(``chat=True``); others continue a transcript prompt. torch and transformers are
imported only when the backend is built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

from corpus_core.errors import BackendError, ConfigError, MissingDependency
from text_dialogue.llm.base import LLM, Completion, GenerationParams, register_llm

__all__ = ["TransformersConfig", "TransformersLLM"]


@dataclass(frozen=True)
class TransformersConfig:
    """Options of the ``transformers`` backend."""

    #: a hub model name or a local folder saved with ``save_pretrained``
    model: str = "google/gemma-3-270m"
    #: torch device, e.g. "cpu" or "cuda"
    device: str = "cpu"
    #: torch dtype name ("float32", "bfloat16", ...); ``None`` keeps the checkpoint's
    dtype: str | None = None
    #: a GGUF file inside ``model`` to load (needs the ``gguf`` package)
    gguf_file: str | None = None
    #: use the tokenizer's chat template (chat/instruction models)
    chat: bool = False
    #: never reach the network; load only what is on disk or in the local hub cache
    local_files_only: bool = False
    #: CPU threads for torch; ``None`` keeps torch's default
    num_threads: int | None = None


def _stop_criteria(stops: tuple[str, ...], tokenizer: Any, prompt_len: int) -> Any:
    """A transformers StoppingCriteria that stops once the new text holds a stop string."""
    from transformers import StoppingCriteria

    class _StopOnStrings(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
            text = tokenizer.decode(input_ids[0, prompt_len:], skip_special_tokens=True).lstrip()
            return any(s in text for s in stops)

    return _StopOnStrings()


@register_llm
class TransformersLLM(LLM):
    """Sampling from a local or hub causal language model through transformers."""

    name = "transformers"
    config_type = TransformersConfig

    def __init__(self, config: TransformersConfig) -> None:
        super().__init__(config)
        try:
            import torch
            import transformers
        except ImportError:
            raise MissingDependency("transformers", extra="hf", why="the transformers LLM backend; install torch first") from None
        self._torch = torch
        self._version = transformers.__version__
        kwargs: dict[str, Any] = {"local_files_only": config.local_files_only}
        if config.gguf_file:
            kwargs["gguf_file"] = config.gguf_file
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        try:
            self._tokenizer = transformers.AutoTokenizer.from_pretrained(config.model, **kwargs)
            if config.dtype:
                kwargs["dtype"] = getattr(torch, config.dtype)
            self._model = transformers.AutoModelForCausalLM.from_pretrained(config.model, **kwargs)
        except (OSError, ValueError) as e:
            raise BackendError(
                f"transformers: cannot load {config.model!r}: {e}; give a local folder or a hub name "
                "that is downloaded (or reachable)"
            ) from None
        except AttributeError:
            raise ConfigError(f"transformers: unknown dtype {config.dtype!r}") from None
        self._model.to(config.device).eval()
        self.uses_chat = config.chat
        if config.chat and not getattr(self._tokenizer, "chat_template", None):
            raise ConfigError(f"transformers: {config.model!r} has no chat template; set chat: false")

    def _generate(self, prompt: str, params: GenerationParams) -> Completion:
        torch = self._torch
        start = time.perf_counter()
        encoded = self._tokenizer(prompt, return_tensors="pt").to(self.config.device)
        prompt_len = int(encoded["input_ids"].shape[1])
        pad = self._tokenizer.pad_token_id
        if pad is None:
            pad = self._tokenizer.eos_token_id
        kwargs: dict[str, Any] = dict(
            max_new_tokens=params.max_tokens,
            do_sample=params.temperature > 0,
            repetition_penalty=params.repeat_penalty,
            pad_token_id=pad,
        )
        if params.temperature > 0:
            kwargs.update(temperature=params.temperature, top_p=params.top_p)
            if params.min_p > 0:
                kwargs["min_p"] = params.min_p
        if params.stop:
            kwargs["stopping_criteria"] = [_stop_criteria(params.stop, self._tokenizer, prompt_len)]
        # generate() samples from torch's global generator: seed it for this call only
        # and restore the caller's state afterwards.
        with torch.random.fork_rng(devices=[]), torch.inference_mode():
            torch.manual_seed(params.seed)
            output = self._model.generate(**encoded, **kwargs)
        new = output[0, prompt_len:]
        text = self._tokenizer.decode(new, skip_special_tokens=True).lstrip()
        for stop in params.stop:
            text = text.split(stop)[0] if stop else text
        # generate() evaluates the whole prompt on every call (no cache kept between calls)
        return Completion(text=text, num_tokens=int(new.shape[0]), seconds=time.perf_counter() - start,
                          prompt_tokens=prompt_len, prompt_evaluated=prompt_len)

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        """Continue ``prompt``; stop at any of ``params.stop`` (not included)."""
        return self._generate(prompt, params)

    def chat(self, messages: list[dict[str, str]], params: GenerationParams) -> Completion:
        """Answer chat ``messages`` through the tokenizer's chat template."""
        prompt = self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        out = self._generate(prompt, params)
        return replace(out, text=out.text.strip())

    def model_info(self) -> dict[str, Any]:
        return {"backend": self.name, "model": self.config.model, "transformers": self._version,
                "torch": self._torch.__version__}
