"""Per-worker engine settings: thread counts and devices reach each backend's options."""

from __future__ import annotations

import pytest

from corpus_core.errors import ConfigError
from duplexsynth.config import load_config
from duplexsynth.worker import device_config, threaded_config


def test_threads_reach_llama_cpp_ctranslate2_and_piper_unless_set() -> None:
    config = threaded_config(load_config(None, {"llm": {"name": "llamacpp"}, "asr": {"name": "faster-whisper"}}), 1)
    assert config.llm.options["n_threads"] == 1
    assert config.asr.options["cpu_threads"] == 1
    assert config.tts["piper"]["threads"] == 1
    mine = load_config(None, {"asr": {"name": "faster-whisper", "options": {"cpu_threads": 4}},
                              "tts": {"piper": {"threads": 3}}})
    kept = threaded_config(mine, 1)
    assert kept.asr.options["cpu_threads"] == 4 and kept.tts["piper"]["threads"] == 3
    # a backend without such an option gets none (its config would refuse the key)
    other = threaded_config(load_config(None, {"llm": {"name": "transformers"}, "asr": {"name": "whisper"}}), 2)
    assert "n_threads" not in other.llm.options and "cpu_threads" not in other.asr.options


def test_device_reaches_every_engine_that_has_one() -> None:
    config = device_config(load_config(None, {"llm": {"name": "transformers"}, "asr": {"name": "faster-whisper"}}),
                           "cuda")
    assert config.llm.options["device"] == "cuda"
    assert config.asr.options == {"device": "cuda", "compute_type": "float16"}
    assert config.tts["coqui"]["device"] == "cuda"
    whisper = device_config(load_config(None, {"asr": {"name": "whisper"}}), "cuda")
    assert whisper.asr.options == {"device": "cuda"}
    llama = device_config(load_config(None, {"llm": {"name": "llamacpp"}}), "cuda")
    assert "device" not in llama.llm.options  # llama.cpp's CPU wheel has no device option
    with pytest.raises(ConfigError, match="device"):
        device_config(load_config(None, {}), "tpu")


def test_the_options_build_real_backend_configs() -> None:
    """What threaded_config/device_config add is accepted by the backends' config dataclasses."""
    from corpus_core.configs import config_from_mapping
    from eval.asr.faster_whisper import FasterWhisperConfig
    from speech.tts.piper import PiperConfig
    from text_dialogue.llm.llamacpp import LlamaCppConfig

    config = threaded_config(device_config(load_config(None, {"llm": {"name": "llamacpp"},
                                                              "asr": {"name": "faster-whisper"}}), "cuda"), 1)
    assert config_from_mapping(FasterWhisperConfig, config.asr.options).device == "cuda"
    assert config_from_mapping(LlamaCppConfig, config.llm.options).n_threads == 1
    assert config_from_mapping(PiperConfig, config.tts["piper"]).threads == 1


def test_one_thread_llama_cpp_also_processes_prompts_on_one_thread() -> None:
    """llama-cpp-python's own default for prompt threads is every core: a worker held to one
    thread would run two there, and two such workers oversubscribe a 2-core machine."""
    pytest.importorskip("llama_cpp")
    from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM

    llm = LlamaCppLLM(LlamaCppConfig(n_threads=1, n_ctx=256))
    try:
        assert llm._llm.context_params.n_threads == 1
        assert llm._llm.context_params.n_threads_batch == 1
    finally:
        llm.close()
    both = LlamaCppLLM(LlamaCppConfig(n_threads=1, n_threads_batch=2, n_ctx=256))
    try:
        assert both._llm.context_params.n_threads_batch == 2
    finally:
        both.close()


def test_asr_batch_follows_the_worker_threads_and_device() -> None:
    """A one-thread worker decodes chunks one at a time (a batch only costs memory there);
    more threads batch 4, CUDA 8; a batch size the user gives wins."""
    from corpus_core.configs import config_from_mapping
    from eval.asr.faster_whisper import FasterWhisperConfig

    def batch(config) -> int:  # noqa: ANN001
        return config_from_mapping(FasterWhisperConfig, config.asr.options).chunk_batch()

    base = load_config(None, {"asr": {"name": "faster-whisper"}})
    assert batch(threaded_config(base, 1)) == 1
    assert batch(threaded_config(base, 2)) == 4
    assert batch(device_config(base, "cuda")) == 8
    mine = load_config(None, {"asr": {"name": "faster-whisper", "options": {"batch_size": 2}}})
    assert batch(threaded_config(mine, 1)) == 2


def test_released_memory_includes_garbage_in_reference_cycles() -> None:
    """What a stage left in reference cycles is freed after the stage, not whenever the
    collector next runs (perhaps under a later stage's peak)."""
    import gc
    import weakref

    import numpy as np

    from duplexsynth.worker import release_free_memory

    class Holder:
        pass

    holder = Holder()
    holder.self = holder  # a cycle: reference counting alone never frees it
    holder.buffer = np.ones(1_000_000, np.float32)
    gone = weakref.ref(holder)
    gc.disable()  # the automatic collector must not be what frees it
    try:
        del holder
        assert gone() is not None
        release_free_memory()
        assert gone() is None
    finally:
        gc.enable()
