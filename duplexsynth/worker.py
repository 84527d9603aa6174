"""One dialogue's whole journey, text -> speech -> duplex -> eval, with models loaded once.

A :class:`DialogueWorker` lives in one process (the main one, a pool worker or a Ray
actor) and holds the LLM, the TTS engines, the ASR and the eval models. It writes audio
files (their names are unique per dialogue) but no manifest: it returns the records of
each stage in a :class:`DialogueResult`, and the one process that owns the manifests
writes them in plan order (:mod:`duplexsynth.streaming`). So any number of workers,
anywhere, make the same corpus.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpus_core.errors import ConfigError, DuplexsynthError, GenerationError
from duplex.records import Timeline
from duplexsynth.config import BackendSpec, RunConfig
from duplexsynth.gate_actions import Gate
from duplexsynth.preflight import probe_llm, take_asr, take_llm
from duplexsynth.rendering import render_dialogue
from eval.asr.base import ASR_BACKENDS
from eval.evaluate import load_eval_tools
from eval.records import DialogueEval, TurnEval
from speech.backchannel_speech import speak_backchannels
from speech.records import Utterance, Voice
from speech.synthesize import TTSPool, speak_dialogue
from speech.voices import cast_variants, default_voice_bank
from text_dialogue.agents import generate_dialogue
from text_dialogue.llm.base import LLM_BACKENDS
from text_dialogue.records import Dialogue
from text_dialogue.scenario import get_scenario
from text_dialogue.spoken import spoken_form_info, with_spoken

__all__ = ["DialogueJob", "VariantResult", "DialogueResult", "DialogueWorker", "threaded_config",
           "device_config", "DEVICES", "DIALOGUE_ATTEMPTS"]

#: seeds tried for one dialogue before it is logged as failed
DIALOGUE_ATTEMPTS = 3
#: what a failed stage may raise; anything else is a bug and stops the run
STAGE_ERRORS = (DuplexsynthError, ValueError, RuntimeError, OSError)


@dataclass
class DialogueJob:
    """One planned text dialogue and what earlier runs already made of it.

    :param dialogue: its text dialogue when dialogues.jsonl has it (resume).
    :param utterances: variant id -> utterances already in utterances.jsonl.
    :param timelines: variant id -> timeline already in timelines.jsonl.
    :param evaluated: variant ids already in eval.jsonl.
    :param cast: the corpus-wide cast made up front (``None``: cast the dialogue on its own).
    """

    dialogue_id: str
    scenario: str
    seed: int
    dialogue: Dialogue | None = None
    utterances: dict[str, list[Utterance]] = field(default_factory=dict)
    timelines: dict[str, Timeline] = field(default_factory=dict)
    evaluated: frozenset[str] = frozenset()
    cast: dict[str, Voice] | None = None


@dataclass
class VariantResult:
    """One voice cast of a dialogue: its final records (``None`` = its stage failed)."""

    variant_id: str
    utterances: list[Utterance] | None = None
    timeline: Timeline | None = None
    turns: list[TurnEval] | None = None
    summary: DialogueEval | None = None
    #: the gate dropped the timeline for this reason
    drop_reason: str | None = None
    #: an earlier run already wrote these utterances / this timeline to the manifests
    utterances_written: bool = False
    timeline_written: bool = False
    #: the gate re-synthesized: ``utterances`` and ``timeline`` replace the first ones
    resynthesized: bool = False
    #: seconds of turn audio spoken now
    audio_seconds: float = 0.0


@dataclass
class DialogueResult:
    """What one :meth:`DialogueWorker.run` made, for the manifest owner to write."""

    dialogue_id: str
    dialogue: Dialogue | None = None
    variants: list[VariantResult] = field(default_factory=list)
    #: ``(stage, id, reason)`` of every stage that failed
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    #: seconds spent per stage
    seconds: dict[str, float] = field(default_factory=dict)
    rejected_turns: Counter = field(default_factory=Counter)
    rejected_dialogues: Counter = field(default_factory=Counter)
    #: gate action -> count
    gate: Counter = field(default_factory=Counter)
    #: backend descriptions for meta.json (``llm``, ``tts``, ``asr``)
    backends: dict[str, Any] = field(default_factory=dict)
    #: peak resident memory (MB) of the process that ran it, so far
    peak_rss_mb: float = 0.0


def _with_option(spec: BackendSpec, registry: Any, backend: str, key: str, value: Any) -> BackendSpec:
    """``spec`` with ``key`` set when it names ``backend`` and the user left ``key`` unset."""
    name = spec.name or registry.default_name()
    if name != backend or key in spec.options:
        return spec
    return replace(spec, options={**spec.options, key: value})


def threaded_config(config: RunConfig, threads: int) -> RunConfig:
    """``config`` with every engine held to ``threads`` CPU threads (unless the user set them).

    llama.cpp ``n_threads``, CTranslate2 ``cpu_threads`` and piper's onnxruntime
    ``threads``; torch (resemblyzer) is set by :func:`limit_process_threads`.
    """
    piper = config.tts.get("piper", {})
    tts = {**config.tts, "piper": {"threads": threads, **piper}}
    return replace(config, llm=_with_option(config.llm, LLM_BACKENDS, "llamacpp", "n_threads", threads),
                   asr=_with_option(config.asr, ASR_BACKENDS, "faster-whisper", "cpu_threads", threads), tts=tts)


#: devices ``--device`` accepts
DEVICES = ("cpu", "cuda")


def device_config(config: RunConfig, device: str) -> RunConfig:
    """``config`` with every engine that has a device on ``device`` (unless the user set one).

    Reaches transformers (LLM), coqui (TTS), faster-whisper and openai-whisper (ASR);
    llama.cpp, piper and the eval metrics' small models stay on the CPU.
    faster-whisper on CUDA computes in float16 unless a ``compute_type`` is given.
    """
    if device not in DEVICES:
        raise ConfigError(f"device {device!r}: choose one of {', '.join(DEVICES)}")
    llm = _with_option(config.llm, LLM_BACKENDS, "transformers", "device", device)
    asr = _with_option(config.asr, ASR_BACKENDS, "faster-whisper", "device", device)
    if device == "cuda":
        asr = _with_option(asr, ASR_BACKENDS, "faster-whisper", "compute_type", "float16")
    asr = _with_option(asr, ASR_BACKENDS, "whisper", "device", device)
    coqui = config.tts.get("coqui", {})
    return replace(config, llm=llm, asr=asr, tts={**config.tts, "coqui": {"device": device, **coqui}})


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (0 where the platform cannot say)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return 0.0
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _libc_malloc_trim() -> Any:
    """glibc's ``malloc_trim`` (``None`` on other C libraries)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl, macOS, Windows
        return None


_MALLOC_TRIM: Any = _libc_malloc_trim() if sys.platform.startswith("linux") else None


def release_free_memory() -> None:
    """Hand the heap's free pages back to the OS (glibc keeps them otherwise).

    Each stage's engine leaves large freed buffers behind (the ASR's batched decoding,
    piper's synthesis); returned after every stage, they no longer stack up under the
    next stage's peak, so a worker's peak RSS stays near one stage's own. Garbage in
    reference cycles goes first: after a text stage, the collector's next pass (at a time of
    its choosing, maybe under the eval's peak) would free 36-87 MB that llama-cpp-python
    leaves in such cycles.
    """
    gc.collect()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def limit_process_threads(threads: int) -> None:
    """Hold this process's OpenMP/BLAS pools and torch (resemblyzer) to ``threads`` threads.

    The environment variables reach libraries loaded after this call (a fresh worker
    process); a torch that is already loaded is told directly.
    """
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)


class DialogueWorker:
    """Runs :class:`DialogueJob` s; each model is loaded on first use and kept.

    :param corpus: the corpus folder (audio files go under it).
    :param config: the run config (thread counts already set, see :func:`threaded_config`).
    """

    def __init__(self, corpus: Path, config: RunConfig) -> None:
        self.corpus = Path(corpus)
        self.config = config
        self.bank = default_voice_bank(config.voice_banks)
        self.pool = TTSPool(config.tts)
        self._llm: Any = None
        self._asr: Any = None
        self._scenarios: dict[str, Any] = {}

    def _get_llm(self) -> Any:
        if self._llm is None:
            self._llm = take_llm(self.config.llm)
            probe_llm(self._llm)  # a wrong key or a server that is down: ConfigError, the run stops
        return self._llm

    def _get_asr(self) -> Any:
        if self._asr is None:
            self._asr = take_asr(self.config.asr)
            load_eval_tools(self.config.eval)
        return self._asr

    def close(self) -> None:
        """Free the LLM (llama.cpp holds native memory)."""
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def run(self, job: DialogueJob) -> DialogueResult:
        """Take one dialogue through every stage it still needs; failures are reported, not raised."""
        result = DialogueResult(job.dialogue_id)
        dialogue = job.dialogue
        if dialogue is None:
            dialogue = self._timed(result, "text", job.dialogue_id, lambda: self._text(job, result))
            if dialogue is None:
                return result
            result.dialogue = dialogue
        if job.cast is not None:
            variants = [(dialogue.id, job.cast)]
        else:
            variants = cast_variants(self.bank, dialogue.personas, dialogue.id, self.config.variants,
                                     self.config.voices or None, self.config.cast_backends or None)
        for variant_id, cast in variants:
            if variant_id not in job.evaluated:
                result.variants.append(self._variant(job, result, dialogue, variant_id, cast))
        result.peak_rss_mb = peak_rss_mb()
        return result

    def _timed(self, result: DialogueResult, stage: str, item: str, fn: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn()
        except ConfigError:
            raise  # a config problem fails every dialogue alike: stop the run (exit 2)
        except STAGE_ERRORS as e:
            result.failures.append((stage, item, f"{type(e).__name__}: {e}"))
            return None
        finally:
            self.pool.release_memory()  # piper's arena: the next stage's peak does not stack on it
            release_free_memory()
            result.seconds[stage] = result.seconds.get(stage, 0.0) + time.perf_counter() - start

    def _text(self, job: DialogueJob, result: DialogueResult) -> Dialogue:
        llm = self._get_llm()
        # a fresh llama.cpp state per dialogue: its text never depends on what this process made before
        reset = getattr(getattr(llm, "_llm", None), "reset", None)
        if reset is not None:
            reset()
        if job.scenario not in self._scenarios:
            self._scenarios[job.scenario] = get_scenario(job.scenario)
        for attempt in range(DIALOGUE_ATTEMPTS):
            try:
                dialogue = generate_dialogue(llm, self._scenarios[job.scenario], job.dialogue_id,
                                             job.seed + attempt * 7919, self.config.text)
                break
            except GenerationError as e:
                # the critic rejected the whole dialogue: count it and try another seed
                result.rejected_dialogues[getattr(e, "reason", None) or "failed"] += 1
                result.rejected_turns.update(getattr(e, "rejected_turns", {}))
                if attempt == DIALOGUE_ATTEMPTS - 1:
                    raise
        result.rejected_turns.update(dialogue.meta.get("rejected_turns", {}))
        result.backends["llm"] = llm.model_info()
        result.backends["spoken_form"] = spoken_form_info()
        return with_spoken(dialogue)

    def _variant(self, job: DialogueJob, result: DialogueResult, dialogue: Dialogue, did: str,
                 cast: dict[str, Any]) -> VariantResult:
        out = VariantResult(did, utterances=job.utterances.get(did), timeline=job.timelines.get(did))
        out.utterances_written, out.timeline_written = out.utterances is not None, out.timeline is not None
        if out.utterances is None:
            out.utterances = self._timed(result, "speech", did, lambda: self._speak(dialogue, did, cast, result))
            if out.utterances is None:
                return out
            out.audio_seconds = sum(u.duration for u in out.utterances if u.kind == "turn")
        utts = out.utterances
        if out.timeline is None:
            out.timeline = self._timed(result, "duplex", did, lambda: render_dialogue(self.corpus, self.config, did, utts))
            if out.timeline is None:
                return out
        self._timed(result, "eval", did, lambda: self._evaluate(dialogue, out, result))
        return out

    def _speak(self, dialogue: Dialogue, did: str, cast: dict[str, Any], result: DialogueResult) -> list[Utterance]:
        cfg = self.config.speech
        utts = speak_dialogue(dialogue, cast, self.pool, cfg, self.corpus / "audio", self.corpus, did)
        # the listener tokens, once per speaker in that speaker's voice, for the duplex stage
        utts += speak_backchannels(cast, self.pool, cfg, self.corpus / "audio", self.corpus, did)
        engines = result.backends.setdefault("tts", {})
        for voice in cast.values():
            engines.setdefault(voice.backend, self.pool.get(voice.backend).model_info(voice))
        return utts

    def _evaluate(self, dialogue: Dialogue, out: VariantResult, result: DialogueResult) -> None:
        asr = self._get_asr()
        gate = Gate(self.corpus, self.config, self.pool)
        assert out.timeline is not None  # noqa: S101 - _variant returns before eval without one
        outcome = gate.evaluate_in_memory(out.timeline, asr, out.utterances, dialogue)
        if outcome.timeline is not out.timeline:
            out.resynthesized = True
            out.utterances, out.timeline = outcome.utterances, outcome.timeline
        out.turns, out.summary, out.drop_reason = outcome.turns, outcome.summary, outcome.drop_reason
        result.gate.update(gate.actions)
        result.backends["asr"] = asr.model_info()
