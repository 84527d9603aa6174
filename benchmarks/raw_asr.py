"""Shared by the benchmarks: the speech-only audio eval transcribes, and raw faster-whisper on it."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from eval.asr.base import ASR_SAMPLING_RATE
from eval.regions import pack_regions, speech_regions
from speech.audio import resample

__all__ = ["pack_speech_only", "time_raw_transcribe"]


def pack_speech_only(timelines: list[Any], audio: dict[str, np.ndarray], regions: Any) -> list[np.ndarray]:
    """Per dialogue, both channels' speech regions packed at 16 kHz, as the eval stage packs them."""
    packed = []
    for t in timelines:
        channels = [resample(np.ascontiguousarray(audio[t.id][:, c]), t.sampling_rate, ASR_SAMPLING_RATE)
                    for c in (0, 1)]
        spans = [r for c in (0, 1) for r in speech_regions(t.segments, c, t.duration, regions)]
        packed.append(pack_regions(channels, spans, ASR_SAMPLING_RATE, regions).samples)
    return packed


def time_raw_transcribe(asr: Any, packed: list[np.ndarray]) -> float:
    """Seconds of plain ``WhisperModel.transcribe`` (beam 5, word times) over ``packed``."""
    start = time.perf_counter()
    for samples in packed:
        segments, _ = asr._model.transcribe(samples, language="en", beam_size=5, word_timestamps=True,
                                            condition_on_previous_text=False, vad_filter=False)
        [w for s in segments for w in (s.words or [])]  # the generator decodes lazily
    return time.perf_counter() - start
