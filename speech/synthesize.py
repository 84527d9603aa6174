"""Per-turn synthesis: engine audio -> pitch/tempo transform -> trim -> resample -> loudness.

Results are cached by content (see :mod:`speech.cache`), so a rerun or a second corpus
with the same turns does not synthesize again. Engine word times (espeak) follow the
audio through every step; utterances without them say ``word_times="asr"``.
"""

from __future__ import annotations

import os

import random
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from corpus_core.errors import BackendError, ConfigError
from corpus_core.layout import inside
from corpus_core.seeding import stable_seed
from speech.audio import normalize_loudness, resample, trim_bounds, write_audio
from speech.cache import UtteranceCache, make_cache_key
from speech.records import Utterance, Voice, Word
from speech.tts.base import TTS, Synthesis, get_tts
from text_dialogue.records import Dialogue
from text_dialogue.spoken import spoken_form

__all__ = ["SpeechConfig", "TTSPool", "synthesize_uncached", "speak_text", "speak_dialogue",
           "turn_rates", "utterance_path"]


@dataclass(frozen=True)
class SpeechConfig:
    """Options of the speech stage."""

    #: sampling rate of every utterance and of the duplex files
    sampling_rate: int = 24000
    #: every utterance is scaled to this integrated loudness (LUFS)
    target_lufs: float = -23.0
    #: frames this far below the loudest frame count as silence when trimming (dB)
    trim_db: float = -45.0
    #: silence kept before the first and after the last voiced frame (seconds)
    trim_pad: float = 0.02
    #: standard deviation of a speaker's speaking-rate factor around its voice's tempo
    speaker_rate_jitter: float = 0.04
    #: standard deviation of the per-turn speaking-rate factor
    turn_rate_jitter: float = 0.04
    #: speaking-rate factors (speaker x turn) are clipped to [min_rate, max_rate]
    min_rate: float = 0.8
    #: see ``min_rate``
    max_rate: float = 1.25
    #: audio file format of utterances: "flac" or "wav"
    audio_format: str = "flac"
    #: a folder of cached utterance audio; "auto" = ``tts/`` in the user cache
    #: ($DUPLEXSYNTH_CACHE or ~/.cache/duplexsynth); ``None`` disables the cache
    cache_dir: str | None = "auto"

    def __post_init__(self) -> None:
        if self.audio_format not in ("flac", "wav"):
            raise ConfigError(f"speech.audio_format is {self.audio_format!r}; use 'flac' or 'wav'")
        if not 0 < self.min_rate <= 1.0 <= self.max_rate:
            raise ConfigError(f"speech rates: need 0 < min_rate <= 1 <= max_rate, got {self.min_rate}, {self.max_rate}")


class TTSPool:
    """Backends built on first use and kept, so each engine loads once per process.

    :param options: backend name -> that backend's config fields.
    :param engines: ready engines to use instead of building them (tests, custom engines).
    """

    def __init__(self, options: dict[str, dict] | None = None, engines: dict[str, TTS] | None = None) -> None:
        self.options = options or {}
        self._engines: dict[str, TTS] = dict(engines or {})
        self._info: dict[tuple, dict[str, Any]] = {}
        #: cache of utterance audio, shared by every call that uses this pool
        self.caches: dict[str, UtteranceCache] = {}

    def get(self, backend: str) -> TTS:
        """The engine of ``backend``, built on first use."""
        if backend not in self._engines:
            self._engines[backend] = get_tts(backend, self.options.get(backend))
        return self._engines[backend]

    def release_memory(self) -> None:
        """Let every engine built so far hand back the memory it keeps between calls."""
        for engine in self._engines.values():
            engine.release_memory()

    def engine_info(self, voice: Voice) -> dict[str, Any]:
        """Backend options plus model info of ``voice``'s engine (part of the cache key)."""
        key = (voice.backend, voice.model, voice.speaker)
        if key not in self._info:
            engine = self.get(voice.backend)
            config = getattr(engine, "config", None)
            options = asdict(config) if is_dataclass(config) and not isinstance(config, type) else config
            if isinstance(options, dict):  # thread counts change speed, not what the audio should be
                options = {k: v for k, v in options.items() if k != "threads"}
            self._info[key] = {"options": options, "model": engine.model_info(voice)}
        return self._info[key]

    def cache(self, folder: str | None) -> UtteranceCache:
        """The :class:`UtteranceCache` of ``folder`` (one per folder, so hit counts add up)."""
        if folder == "auto":
            from corpus_core.cache import cache_dir

            folder = str(cache_dir() / "tts")
        name = folder or ""
        if name not in self.caches:
            self.caches[name] = UtteranceCache(folder)
        return self.caches[name]


def _shift_words(words: tuple[Word, ...] | None, scale: float, offset: float, duration: float) -> tuple[Word, ...] | None:
    """Word times after time-scaling by ``scale`` and cutting ``offset`` seconds off the start."""
    if words is None:
        return None
    out = []
    for w in words:
        start = min(max(w.start * scale - offset, 0.0), duration)
        end = min(max(w.end * scale - offset, start), duration)
        # rounding must not push a time past the end of the audio
        out.append(Word(w.text, min(round(start, 3), duration), min(round(end, 3), duration)))
    return tuple(out)


def synthesize_uncached(tts: TTS, voice: Voice, text: str, rate: float, config: SpeechConfig, seed: int = 0) -> Synthesis:
    """Speak ``text`` and return clean mono float32 audio at ``config.sampling_rate``, with word times.

    :param rate: speaking-rate factor (>1 is faster), applied with the voice's tempo.
    :param seed: seed of the engine's sampling, for engines that use one.
    """
    pitch = 2.0 ** (voice.pitch_semitones / 12.0)
    # Speak ``pitch`` times slower, then play ``pitch`` times faster: same duration, higher pitch.
    out = tts.synthesize(text, voice, length_scale=pitch / (voice.tempo * rate), seed=seed)
    samples, sr = out.samples, out.sampling_rate
    if pitch != 1.0:
        samples = resample(samples, int(round(sr * pitch)), sr)
    start, end = trim_bounds(samples, sr, config.trim_db, config.trim_pad)
    if end <= start:
        raise BackendError(f"{tts.name}: voice {voice.id!r} produced only silence for {text!r}")
    samples = resample(samples[start:end], sr, config.sampling_rate)
    samples = normalize_loudness(samples, config.sampling_rate, config.target_lufs)
    duration = len(samples) / config.sampling_rate
    words = _shift_words(out.words, 1.0 / pitch, start / sr, duration)
    return Synthesis(samples, config.sampling_rate, words)


def _processing(config: SpeechConfig) -> dict[str, Any]:
    return {"sr": config.sampling_rate, "lufs": config.target_lufs, "trim_db": config.trim_db,
            "trim_pad": config.trim_pad}


def speak_text(text: str, voice: Voice, pool: TTSPool, config: SpeechConfig, rate: float = 1.0,
               seed: int | None = None) -> Synthesis:
    """Clean audio of ``text`` in ``voice``, from the cache (``config.cache_dir``) when there.

    :param seed: engine seed; ``None`` derives it from the engine voice and the text, so equal
        turns share cache entries.
    """
    if seed is None:
        seed = stable_seed("tts", voice.backend, voice.model, voice.speaker, text) % (2**31)
    cache = pool.cache(config.cache_dir)
    key = ""
    if cache.enabled:
        key = make_cache_key(voice, text, rate, seed, _processing(config), pool.engine_info(voice))
    hit = cache.get(key) if cache.enabled else None
    if hit is not None:
        return hit
    if not cache.enabled:
        cache.misses += 1
    made = synthesize_uncached(pool.get(voice.backend), voice, text, rate, config, seed)
    return cache.put(key, made) if cache.enabled else made


def utterance_path(corpus_dir: Path, audio_dir: Path, dialogue_id: str, utterance_id: str, audio_format: str) -> Path:
    """``audio_dir/<dialogue_id>/<utterance_id>.<format>``, resolved; never outside ``corpus_dir``.

    Ids are sanitized where they enter; this guard catches anything that slipped past
    (a hand-edited manifest) before a file is written.

    :raises ManifestError: when the path would leave the corpus folder.
    """
    # audio_dir is not resolved: the user's audio/ may be a symlink to a scratch disk
    return inside(corpus_dir, os.path.abspath(audio_dir), dialogue_id, f"{utterance_id}.{audio_format}")


def turn_rates(dialogue: Dialogue, dialogue_id: str, config: SpeechConfig) -> dict[int, float]:
    """Speaking-rate factor of every turn: a per-speaker factor times a per-turn factor.

    Each factor comes from its own seeded generator (dialogue id + speaker, dialogue id +
    turn index), so editing one turn does not change the others' rates.
    """
    rates: dict[int, float] = {}
    speaker_rate: dict[str, float] = {}
    for turn in dialogue.turns:
        if turn.speaker not in speaker_rate:
            rng = random.Random(stable_seed("rate", dialogue_id, turn.speaker))
            speaker_rate[turn.speaker] = rng.gauss(1.0, config.speaker_rate_jitter)
        rng = random.Random(stable_seed("rate", dialogue_id, turn.index))
        rate = speaker_rate[turn.speaker] * rng.gauss(1.0, config.turn_rate_jitter)
        rates[turn.index] = round(min(max(rate, config.min_rate), config.max_rate), 4)
    return rates


def speak_dialogue(
    dialogue: Dialogue, cast: dict[str, Voice], pool: TTSPool, config: SpeechConfig, audio_dir: Path,
    corpus_dir: Path, dialogue_id: str | None = None,
) -> list[Utterance]:
    """Synthesize every turn of ``dialogue`` and write one audio file per turn.

    :param cast: speaker -> voice.
    :param audio_dir: folder that receives ``<dialogue_id>/<utterance id>.<format>``.
    :param corpus_dir: audio paths in the records are relative to it.
    :param dialogue_id: id of the spoken dialogue (differs from ``dialogue.id`` for voice variants).
    :return: one :class:`Utterance` per turn.
    """
    did = dialogue_id or dialogue.id
    missing = sorted({t.speaker for t in dialogue.turns} - set(cast))
    if missing:
        raise ConfigError(f"dialogue {did}: no voice cast for speaker(s) {missing}; cast has {sorted(cast)}")
    rates = turn_rates(dialogue, did, config)
    utterances = []
    for turn in dialogue.turns:
        voice = cast[turn.speaker]
        text = spoken_form(turn)  # the TTS reads the spoken form; the utterance records it
        syn = speak_text(text, voice, pool, config, rates[turn.index])
        uid = f"{did}-{turn.index:03d}"
        path = utterance_path(corpus_dir, audio_dir, did, uid, config.audio_format)
        write_audio(path, syn.samples, config.sampling_rate)
        utterances.append(Utterance(
            id=uid, dialogue_id=did, turn_index=turn.index, speaker=turn.speaker, voice=voice.id,
            text=text, audio_path=str(path.relative_to(Path(corpus_dir).resolve())),
            duration=len(syn.samples) / config.sampling_rate, sampling_rate=config.sampling_rate,
            words=syn.words, word_times="engine" if syn.words is not None else "asr",
            source_dialogue_id=dialogue.id if did != dialogue.id else None,
        ))
    return utterances
