"""Per-turn synthesis: engine audio -> pitch/tempo transform -> trim -> loudness -> resample.

Results are cached by content (backend, voice, text, rate and processing options), so
a rerun or a second corpus with the same turns does not synthesize again.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from speech.audio import normalize_loudness, read_audio, resample, trim_silence, write_audio
from speech.records import Utterance, Voice
from speech.tts.base import TTS, get_tts
from speech.voices import stable_seed
from text_dialogue.errors import BackendError
from text_dialogue.records import Dialogue

__all__ = ["SpeechConfig", "TTSPool", "synthesize_text", "speak_dialogue"]


@dataclass(frozen=True)
class SpeechConfig:
    """Options of the speech stage."""

    #: sampling rate of every utterance and of the duplex files
    sampling_rate: int = 24000
    #: every utterance is scaled to this integrated loudness (LUFS)
    target_lufs: float = -23.0
    #: frames this far below the loudest frame count as silence when trimming (dB)
    trim_db: float = -45.0
    #: standard deviation of a speaker's speaking-rate factor around its voice's tempo
    speaker_rate_jitter: float = 0.04
    #: standard deviation of the per-turn speaking-rate factor
    turn_rate_jitter: float = 0.04
    #: audio file format of utterances: "flac" or "wav"
    audio_format: str = "flac"
    #: a folder of cached utterance audio; ``None`` disables the cache
    cache_dir: str | None = None


class TTSPool:
    """Backends built on first use and kept, so each engine loads once per process."""

    def __init__(self, options: dict[str, dict] | None = None) -> None:
        self.options = options or {}
        self._engines: dict[str, TTS] = {}

    def get(self, backend: str) -> TTS:
        if backend not in self._engines:
            self._engines[backend] = get_tts(backend, self.options.get(backend))
        return self._engines[backend]


def _cache_key(voice: Voice, text: str, rate: float, config: SpeechConfig) -> str:
    payload = json.dumps(
        [voice.to_dict(), text, round(rate, 4), config.sampling_rate, config.target_lufs, config.trim_db],
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def synthesize_text(tts: TTS, voice: Voice, text: str, rate: float, config: SpeechConfig, seed: int = 0) -> np.ndarray:
    """Speak ``text`` and return clean mono float32 audio at ``config.sampling_rate``.

    :param rate: speaking-rate factor (>1 is faster), applied with the voice's tempo.
    """
    pitch = 2.0 ** (voice.pitch_semitones / 12.0)
    # Speak ``pitch`` times slower, then play ``pitch`` times faster: same duration, higher pitch.
    out = tts.synthesize(text, voice, length_scale=pitch / (voice.tempo * rate), seed=seed)
    samples, sr = out.samples, out.sampling_rate
    if pitch != 1.0:
        samples = resample(samples, int(round(sr * pitch)), sr)
    samples = trim_silence(samples, sr, threshold_db=config.trim_db)
    if samples.size == 0:
        raise BackendError(f"{tts.name}: voice {voice.id!r} produced only silence for {text!r}")
    samples = resample(samples, sr, config.sampling_rate)
    return normalize_loudness(samples, config.sampling_rate, config.target_lufs)


def _cached(key: str, config: SpeechConfig, make: Callable[[], np.ndarray]) -> np.ndarray:
    if not config.cache_dir:
        return make()
    path = Path(config.cache_dir) / key[:2] / f"{key}.flac"
    if path.is_file():
        return read_audio(path)[0]
    samples = make()
    write_audio(path, samples, config.sampling_rate, subtype="PCM_24")
    return samples


def speak_dialogue(
    dialogue: Dialogue, cast: dict[str, Voice], pool: TTSPool, config: SpeechConfig, audio_dir: Path,
    corpus_dir: Path, dialogue_id: str | None = None,
) -> list[Utterance]:
    """Synthesize every turn of ``dialogue`` and write one audio file per turn.

    :param cast: speaker -> voice.
    :param dialogue_id: id of the spoken dialogue (differs from ``dialogue.id`` for voice variants).
    :return: one :class:`Utterance` per turn, paths relative to ``corpus_dir``.
    """
    did = dialogue_id or dialogue.id
    rng = random.Random(stable_seed("rate", did))
    speaker_rate = {s: max(0.7, rng.gauss(1.0, config.speaker_rate_jitter)) for s in ("A", "B")}
    utterances = []
    for turn in dialogue.turns:
        voice = cast[turn.speaker]
        rate = max(0.7, speaker_rate[turn.speaker] * rng.gauss(1.0, config.turn_rate_jitter))
        key = _cache_key(voice, turn.text, rate, config)
        samples = _cached(key, config, lambda: synthesize_text(pool.get(voice.backend), voice, turn.text, rate, config))
        uid = f"{did}-{turn.index:03d}"
        path = audio_dir / did / f"{uid}.{config.audio_format}"
        write_audio(path, samples, config.sampling_rate)
        utterances.append(Utterance(
            id=uid, dialogue_id=did, turn_index=turn.index, speaker=turn.speaker, voice=voice.id,
            text=turn.text, audio_path=str(path.relative_to(corpus_dir)),
            duration=len(samples) / config.sampling_rate, sampling_rate=config.sampling_rate,
            source_dialogue_id=dialogue.id if did != dialogue.id else None,
        ))
    return utterances
