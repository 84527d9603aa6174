"""Voice activity detection per channel: silero-vad (ONNX, no torch) or a plain energy gate.

Both backends return speech intervals in seconds. Silero is the default and the one
to trust on real speech; the energy gate is for synthetic test signals (tone bursts,
noise) and as a dependency-free fallback.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from corpus_core.registry import Registry
from speech.audio import frame_rms_db, resample

__all__ = [
    "Interval",
    "VADConfig",
    "VAD",
    "SileroVAD",
    "EnergyVAD",
    "VAD_BACKENDS",
    "get_vad",
    "available_vad",
    "detect_speech",
    "probabilities_to_intervals",
]

#: ``(start, end)`` in seconds
Interval = tuple[float, float]

#: silero's frame at 16 kHz and the context it prepends to every frame (samples)
SILERO_SAMPLING_RATE = 16000
SILERO_FRAME = 512
SILERO_CONTEXT = 64


@dataclass(frozen=True)
class VADConfig:
    """Options shared by the VAD backends."""

    #: a frame is speech when its probability (silero) or score (energy) reaches this
    threshold: float = 0.5
    #: speech continues until the probability falls below ``threshold - hysteresis``
    hysteresis: float = 0.15
    #: speech runs shorter than this are dropped (s)
    min_speech: float = 0.1
    #: silences shorter than this inside speech are bridged (s); IPUs bridge 0.2 s later
    min_silence: float = 0.05
    #: each interval is widened by this much on both sides (s); 0 because silero's
    #: hysteresis already ends speech ~40 ms late, which biases measured offsets towards overlap
    pad: float = 0.0
    #: energy backend: frames this far below the channel's loudest frame are silence (dB)
    energy_floor_db: float = -35.0
    #: silero backend: an ONNX model path; ``None`` = the one silero-vad ships
    model: str | None = None


def probabilities_to_intervals(
    probs: np.ndarray, frame_seconds: float, duration: float, config: VADConfig
) -> list[Interval]:
    """Turn per-frame speech probabilities into intervals (hysteresis, bridging, padding)."""
    on, off = config.threshold, config.threshold - config.hysteresis
    runs: list[list[float]] = []
    active = False
    for i, p in enumerate(probs):
        if not active and p >= on:
            active = True
            runs.append([i * frame_seconds, (i + 1) * frame_seconds])
        elif active:
            if p < off:
                active = False
            else:
                runs[-1][1] = (i + 1) * frame_seconds
    merged: list[list[float]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] < config.min_silence:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    out: list[Interval] = []
    for start, end in merged:
        if end - start < config.min_speech:
            continue
        start, end = max(0.0, start - config.pad), min(duration, end + config.pad)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((round(start, 3), round(end, 3)))
    return [(round(s, 3), round(e, 3)) for s, e in out]


class VAD(ABC):
    """A voice activity detector for one mono channel."""

    name: ClassVar[str]
    config_type: ClassVar[type] = VADConfig

    def __init__(self, config: VADConfig) -> None:
        self.config = config

    @abstractmethod
    def frame_probabilities(self, samples: np.ndarray, sampling_rate: int) -> tuple[np.ndarray, float]:
        """Per-frame speech scores in [0, 1] and the frame length in seconds."""

    def detect(self, samples: np.ndarray, sampling_rate: int) -> list[Interval]:
        """Speech intervals (seconds) of mono float ``samples``."""
        if samples.ndim != 1:
            raise ValueError(f"{self.name} VAD: expected mono audio, got shape {samples.shape}; pass one channel")
        if samples.size == 0:
            return []
        probs, frame_seconds = self.frame_probabilities(samples, sampling_rate)
        return probabilities_to_intervals(probs, frame_seconds, samples.size / sampling_rate, self.config)


VAD_BACKENDS: Registry[VAD] = Registry("VAD", "DUPLEXSYNTH_VAD_BACKEND", "silero")
available_vad = VAD_BACKENDS.available


def get_vad(name: str | None = None, options: dict[str, Any] | None = None) -> VAD:
    """Build a VAD backend by name (``None`` = the default, ``silero``)."""
    return VAD_BACKENDS.create(name, options)


@VAD_BACKENDS.register
class SileroVAD(VAD):
    """silero-vad's ONNX model run frame by frame through onnxruntime (no torch)."""

    name = "silero"

    def __init__(self, config: VADConfig) -> None:
        super().__init__(config)
        try:
            import onnxruntime
        except ImportError:
            raise MissingDependency("onnxruntime", extra="eval", why="the silero VAD") from None
        path = config.model or str(_shipped_silero_model())
        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        try:
            self._session = onnxruntime.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own non-exported exception types
            raise BackendError(f"silero VAD: cannot load ONNX model {path!r}: {e}") from None

    def frame_probabilities(self, samples: np.ndarray, sampling_rate: int) -> tuple[np.ndarray, float]:
        audio = resample(samples.astype(np.float32), sampling_rate, SILERO_SAMPLING_RATE)
        pad = (-audio.size) % SILERO_FRAME
        audio = np.concatenate([audio, np.zeros(pad, np.float32)])
        state = np.zeros((2, 1, 128), np.float32)
        context = np.zeros((1, SILERO_CONTEXT), np.float32)
        sr = np.array(SILERO_SAMPLING_RATE, dtype=np.int64)
        probs = np.empty(audio.size // SILERO_FRAME, np.float32)
        # the model is stateful: each 512-sample frame goes in with the 64 samples before it
        for i in range(probs.size):
            frame = audio[None, i * SILERO_FRAME:(i + 1) * SILERO_FRAME]
            x = np.concatenate([context, frame], axis=1)
            out, state = self._session.run(None, {"input": x, "state": state, "sr": sr})
            probs[i] = float(np.asarray(out).reshape(-1)[0])
            context = x[:, -SILERO_CONTEXT:]
        return probs, SILERO_FRAME / SILERO_SAMPLING_RATE


def _shipped_silero_model() -> Path:
    try:
        import importlib.util

        spec = importlib.util.find_spec("silero_vad")
    except ImportError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("silero-vad", extra="eval", why="the ONNX model of the silero VAD")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "silero_vad.onnx"
    if not path.is_file():
        raise BackendError(f"silero VAD: {path} is missing; reinstall silero-vad or set VADConfig.model")
    return path


@VAD_BACKENDS.register
class EnergyVAD(VAD):
    """Frames within ``energy_floor_db`` of the channel's loudest 10 ms frame are speech."""

    name = "energy"

    def frame_probabilities(self, samples: np.ndarray, sampling_rate: int) -> tuple[np.ndarray, float]:
        frame_seconds = 0.01
        db = frame_rms_db(samples, sampling_rate, frame_seconds)
        # an all-silent channel has no reference level: nothing in it is speech
        if db.max() <= -90.0:
            return np.zeros_like(db), frame_seconds
        return (db >= db.max() + self.config.energy_floor_db).astype(np.float32), frame_seconds


def detect_speech(samples: np.ndarray, sampling_rate: int, vad: VAD) -> list[list[Interval]]:
    """Speech intervals of every channel of ``samples`` (mono or ``(num_samples, channels)``)."""
    if samples.ndim == 1:
        return [vad.detect(samples, sampling_rate)]
    return [vad.detect(np.ascontiguousarray(samples[:, c]), sampling_rate) for c in range(samples.shape[1])]
