"""ASR backends behind one interface; importing this package registers every backend by name."""

from eval.asr.base import ASR, ASR_SAMPLING_RATE, available_asr, get_asr, register_asr
from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
from eval.asr.whisper import WhisperASR, WhisperConfig

__all__ = [
    "ASR",
    "ASR_SAMPLING_RATE",
    "available_asr",
    "get_asr",
    "register_asr",
    "FasterWhisperASR",
    "FasterWhisperConfig",
    "WhisperASR",
    "WhisperConfig",
]
