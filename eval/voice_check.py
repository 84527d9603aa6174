"""``duplexsynth voices --check``: is each voice of a bank fit to speak a corpus?

Every voice speaks one fixed English passage (:data:`CHECK_TEXT`, 40 words, no digits, so
no number-reading question) through the speech stage (its pitch and tempo transforms
included); the default ASR transcribes it, and Whisper's language ID says how sure it is
the speech is English (an accent lowers it). A voice passes with WER <= :data:`MAX_WER`
and English probability >= :data:`MIN_ENGLISH_PROB`. Every voice is held to the
language-ID bar, since every voice speaks the corpus's English text. With resemblyzer
installed each voice also gets its nearest other voice by speaker embedding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

from corpus_core.errors import MissingDependency
from eval.asr.base import ASR, ASR_SAMPLING_RATE, get_asr
from eval.wer import word_errors
from speech.audio import resample
from speech.records import Voice
from speech.synthesize import SpeechConfig, TTSPool, speak_text

__all__ = ["CHECK_TEXT", "MAX_WER", "MIN_ENGLISH_PROB", "VoiceCheck", "check_voices", "english_probability"]

#: the fixed passage every voice speaks (40 words)
CHECK_TEXT = (
    "Good morning. I would like to book a table for my family on Friday evening, if you have one free. "
    "We would prefer a quiet corner near the window. Could you also tell me whether the kitchen stays open late?"
)
#: a voice passes with at most this word error rate on :data:`CHECK_TEXT`
MAX_WER = 0.05
#: ... and at least this probability of English from Whisper's language ID
MIN_ENGLISH_PROB = 0.8


@dataclass(frozen=True)
class VoiceCheck:
    """The check of one voice."""

    voice_id: str
    #: word error rate of the default ASR on :data:`CHECK_TEXT`
    wer: float
    #: Whisper's language-ID probability of English; ``None`` when not measured
    english_prob: float | None
    #: what the ASR heard
    hypothesis: str
    #: seconds of speech, and seconds it took to synthesize (real-time factor = ratio)
    duration: float
    synth_seconds: float
    #: the most similar other checked voice by speaker embedding, and that cosine
    nearest: str | None = None
    nearest_cosine: float | None = None
    #: median fundamental frequency of the voiced frames (Hz; ``None`` when none are voiced)
    f0_median: float | None = None

    @property
    def passed(self) -> bool:
        """WER and language ID both within the bars."""
        english = self.english_prob is None or self.english_prob >= MIN_ENGLISH_PROB
        return self.wer <= MAX_WER and english


class _LanguageID:
    """Whisper base (faster-whisper) language identification, loaded once."""

    def __init__(self) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise MissingDependency("faster-whisper", extra="offline", why="the language check of voices") from None
        from eval.asr.faster_whisper import default_whisper_base_dir

        self._model = WhisperModel(str(default_whisper_base_dir()), device="cpu", compute_type="int8")

    def english(self, samples16k: np.ndarray) -> float:
        """Probability that 16 kHz ``samples16k`` is English speech."""
        _, _, probs = self._model.detect_language(samples16k.astype(np.float32))
        return float(dict(probs).get("en", 0.0))


def english_probability(samples: np.ndarray, sampling_rate: int) -> float:
    """Whisper base's probability that mono ``samples`` are English speech (loads the model)."""
    return _LanguageID().english(resample(samples, sampling_rate, ASR_SAMPLING_RATE))


def _nearest(embeddings: dict[str, np.ndarray]) -> dict[str, tuple[str, float]]:
    """voice -> (most similar other voice, cosine), among voices with an embedding."""
    out: dict[str, tuple[str, float]] = {}
    for a, ea in embeddings.items():
        others = [(b, float(np.dot(ea, eb) / (np.linalg.norm(ea) * np.linalg.norm(eb))))
                  for b, eb in embeddings.items() if b != a]
        if others:
            out[a] = max(others, key=lambda x: x[1])
    return out


def _encoder() -> Any:
    """resemblyzer's encoder, or ``None`` when it is not installed (no nearest-voice column)."""
    try:
        from eval.speaker_similarity import SpeakerEncoder

        return SpeakerEncoder()
    except MissingDependency:
        return None


def median_f0(samples: np.ndarray, sampling_rate: int) -> float | None:
    """Median F0 (Hz) of the voiced frames: librosa's pYIN from 60 to 500 Hz on 16 kHz audio."""
    try:
        import librosa
    except ImportError:
        raise MissingDependency("librosa", extra="eval", why="the median F0 of the voice check") from None

    audio = resample(samples.astype(np.float32), sampling_rate, 16000)
    f0, voiced, _ = librosa.pyin(audio, fmin=60.0, fmax=500.0, sr=16000, frame_length=1024)
    f0 = f0[voiced & np.isfinite(f0)]
    return round(float(np.median(f0)), 1) if f0.size else None


def check_voices(voices: Iterable[Voice], pool: TTSPool | None = None, asr: ASR | None = None,
                 language_id: bool = True, embed: bool = True, text: str = CHECK_TEXT) -> list[VoiceCheck]:
    """Speak ``text`` with each voice, transcribe it and measure its language ID.

    :param pool: the TTS engines (a fresh :class:`TTSPool` by default).
    :param asr: the recognizer (the default ASR by default).
    :param language_id: measure Whisper's English probability.
    :param embed: find each voice's nearest other voice by resemblyzer embedding.
    """
    pool = pool or TTSPool()
    asr = asr or get_asr()
    lid = _LanguageID() if language_id else None
    encoder = _encoder() if embed else None
    config = SpeechConfig(cache_dir=None)  # time the engine, not the cache
    rows: list[VoiceCheck] = []
    embeddings: dict[str, np.ndarray] = {}
    for voice in voices:
        start = time.perf_counter()
        out = speak_text(text, voice, pool, config)
        seconds = time.perf_counter() - start
        audio = resample(out.samples, out.sampling_rate, ASR_SAMPLING_RATE)
        heard = " ".join(w.text for w in asr.transcribe(audio))
        errors = word_errors(text, heard)
        rows.append(VoiceCheck(
            voice_id=voice.id, wer=errors.rate, hypothesis=heard,
            english_prob=lid.english(audio) if lid else None,
            duration=len(out.samples) / out.sampling_rate, synth_seconds=seconds,
            f0_median=median_f0(out.samples, out.sampling_rate),
        ))
        if encoder is not None:
            emb = encoder.embed(out.samples, out.sampling_rate)
            if emb is not None:
                embeddings[voice.id] = emb
    near = _nearest(embeddings)
    return [VoiceCheck(**{**r.__dict__, "nearest": near.get(r.voice_id, (None, None))[0],
                          "nearest_cosine": near.get(r.voice_id, (None, None))[1]}) for r in rows]
