"""Config problems before any work: build and probe every engine a run will use, once.

A bad backend name or option, a missing optional package, a voice whose model will not
load, an LLM server that refuses the key or is not there: each is one error line and
exit 2 when the run starts, not one failures.jsonl line per dialogue hours later.

Engines built here are handed over to the stage that uses them (:func:`take_llm`,
:func:`take_asr`, :func:`take_tts_pool`), so nothing loads twice.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any, Callable, Iterable, TypeVar

from corpus_core.errors import ConfigError, DuplexsynthError
from duplexsynth.config import BackendSpec, RunConfig
from eval.asr.base import ASR, get_asr
from eval.evaluate import load_eval_tools
from speech.records import Voice
from speech.synthesize import TTSPool
from speech.tts.base import TTS_BACKENDS
from speech.voices import default_voice_bank, select_voices, uninstalled_cast_backends
from text_dialogue.llm.base import LLM, GenerationParams, get_llm

__all__ = ["check_config_values", "check_engines", "probe_llm", "probe_tts", "take_llm", "take_asr",
           "take_tts_pool", "release_engines", "cast_pool"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: engines built by :func:`check_engines`, waiting for their stage: key -> engine
_HANDOFF: dict[tuple[str, str], Any] = {}
#: the words a TTS engine speaks once at start, to prove its voice model loads
PROBE_TEXT = "Hello."


def _key(kind: str, name: str | None, options: Any) -> tuple[str, str]:
    return kind, json.dumps([name or "", options], sort_keys=True, default=str)


def _starting(what: str, build: Callable[[], T]) -> T:
    """``build()``, with any failure turned into one :class:`ConfigError` naming ``what``."""
    try:
        return build()
    except DuplexsynthError:
        raise
    except Exception as e:  # noqa: BLE001 - an engine's own error (onnx, CUDA, a bad file) becomes one line
        raise ConfigError(f"{what} cannot start: {type(e).__name__}: {e}") from None


def probe_llm(llm: LLM) -> None:
    """Ask the LLM for one token: a wrong key (HTTP 401/403), a server that is down or a broken
    model stops the run here, with one line and exit 2.

    :raises ConfigError: naming the backend and what failed.
    """
    params = GenerationParams(max_tokens=1, temperature=0.0)
    try:
        if getattr(llm, "uses_chat", False):
            llm.chat([{"role": "user", "content": "Hello."}], params)  # type: ignore[attr-defined]
        else:
            llm.complete("Hello.", params)
    except Exception as e:  # noqa: BLE001 - whatever the first call raises, the run cannot go on
        detail = str(e) if isinstance(e, DuplexsynthError) else f"{type(e).__name__}: {e}"
        raise ConfigError(f"LLM backend {llm.name!r}: the first call failed: {detail}") from None


#: the pyproject extra that installs each TTS backend
_EXTRAS = {"piper": "offline", "kokoro": "kokoro", "espeak": "espeak", "openai": "openai"}


def cast_pool(config: RunConfig) -> list[Voice]:
    """The voices casting may choose from (``voices`` and ``cast_backends`` applied; else the
    default cast, with one warning line for each default-cast backend that is not installed)."""
    bank = default_voice_bank(config.voice_banks)
    unknown = [v for v in config.voices if v not in bank]
    if unknown:
        raise ConfigError(f"voices: {unknown} are not in the voice bank; see `duplexsynth voices`")
    if not config.voices and not config.cast_backends:
        for backend in uninstalled_cast_backends(bank):
            log.warning("casting: the %s voices of the default cast are left out: the %s backend is not "
                        "installed (pip install 'duplexsynth[%s]')", backend, backend, _EXTRAS.get(backend, "all"))
    return select_voices(bank, config.voices or None, config.cast_backends or None)


def probe_tts(pool: TTSPool, voices: Iterable[Voice]) -> None:
    """Build each TTS backend the voices use and speak :data:`PROBE_TEXT` once per model.

    :raises ConfigError: for an unknown backend or option, a missing package or a model that fails.
    """
    seen: set[tuple[str, str | None]] = set()
    for voice in voices:
        if (voice.backend, voice.model) in seen:
            continue
        seen.add((voice.backend, voice.model))
        what = f"TTS backend {voice.backend!r} (voice {voice.id!r})"
        engine = _starting(what, lambda: pool.get(voice.backend))
        out = _starting(what, lambda: engine.synthesize(PROBE_TEXT, voice))
        if out.samples.size == 0:
            raise ConfigError(f"{what} produced no audio for {PROBE_TEXT!r}; check its model")


def _check_number(where: str, value: Any, ok: Callable[[float], bool], want: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not ok(value):
        raise ConfigError(f"config {where}: {value!r}; expected {want}")


def check_config_values(config: RunConfig) -> None:
    """Numbers that type-check but make no sense (negative counts, a zero sampling rate).

    :raises ConfigError: naming the config key.
    """
    _check_number("dialogues", config.dialogues, lambda v: v >= 0, "a count of 0 or more")
    _check_number("variants", config.variants, lambda v: v >= 1, "1 or more voice casts")
    _check_number("seed", config.seed, lambda v: v >= 0, "a seed of 0 or more")
    _check_number("text.max_turns", config.text.max_turns, lambda v: v >= 1, "1 or more turns")
    for name in ("sampling_rate",):
        _check_number(f"speech.{name}", getattr(config.speech, name), lambda v: 8000 <= v <= 192000,
                      "a sampling rate in Hz between 8000 and 192000")
    for name in ("trim_pad", "speaker_rate_jitter", "turn_rate_jitter"):
        _check_number(f"speech.{name}", getattr(config.speech, name), lambda v: v >= 0, "0 or more")
    unknown = sorted(set(config.tts) - set(TTS_BACKENDS.available()))
    if unknown:
        raise ConfigError(f"config tts: unknown TTS backend(s) {unknown}; available: "
                          f"{', '.join(TTS_BACKENDS.available())}")


def check_engines(config: RunConfig, stages: Iterable[str]) -> None:
    """Build (and probe) the engines of ``stages`` ("speech", "eval") before any work.

    The LLM is probed by the text stage itself, right before its first dialogue, only
    when it has dialogues to write (a finished text stage needs no server).

    :raises ConfigError: one line for the first engine that cannot start.
    """
    stages = set(stages)
    check_config_values(config)
    if "speech" in stages:
        pool = TTSPool(config.tts)
        probe_tts(pool, cast_pool(config))
        _HANDOFF[_key("tts", None, config.tts)] = pool
    if "eval" in stages:
        asr_name = config.asr.name or "default"
        _HANDOFF[_key("asr", config.asr.name, config.asr.options)] = _starting(
            f"ASR backend {asr_name!r}", lambda: get_asr(config.asr.name, config.asr.options))
        _starting("eval (VAD / speaker encoder)", lambda: load_eval_tools(config.eval))  # cached per process


def release_engines() -> None:
    """Forget the engines :func:`check_engines` built and no stage took.

    The streaming run's workers build their own (held to their thread counts, or in
    other processes): kept here, they would be a second ASR model and TTS pool in this
    process for the whole run. The eval tools stay cached (the same for every worker).
    """
    _HANDOFF.clear()


def take_llm(spec: BackendSpec) -> LLM:
    """The LLM of ``spec`` (built here; probing is :func:`probe_llm`)."""
    return _HANDOFF.pop(_key("llm", spec.name, spec.options), None) or get_llm(spec.name, spec.options)


def take_asr(spec: BackendSpec) -> ASR:
    """The ASR engine :func:`check_engines` built for ``spec``, or a new one."""
    return _HANDOFF.pop(_key("asr", spec.name, spec.options), None) or get_asr(spec.name, spec.options)


def take_tts_pool(options: dict[str, dict[str, Any]]) -> TTSPool:
    """The TTS pool :func:`check_engines` built and probed for ``options``, or a new one."""
    return _HANDOFF.pop(_key("tts", None, options), None) or TTSPool(options)
