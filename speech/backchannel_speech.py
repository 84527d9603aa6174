"""Listener backchannels ("uh-huh", "yeah", "right" ...) spoken in each speaker's own voice.

Each form is synthesized once per speaker and dialogue; the duplex stage picks
forms by :data:`FORM_WEIGHTS` and places them inside the partner's long turns.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus_core.errors import BackendError
from speech.audio import resample, trim_bounds, write_audio
from speech.records import Utterance, Voice
from speech.synthesize import SpeechConfig, TTSPool, speak_text, utterance_path
from speech.tts.base import TTS, Synthesis

__all__ = ["DEFAULT_FORMS", "FORM_WEIGHTS", "speak_backchannels"]

#: Share of each backchannel form among SwDA backchannel acts (phiresky/bachelor-thesis,
#: see docs/reference_stats.md). "mm-hmm" is left out of the defaults: the piper joe voice
#: spells it out letter by letter; add it to ``forms`` with an engine that hums.
FORM_WEIGHTS: dict[str, float] = {
    "uh-huh": 0.319, "yeah": 0.292, "right": 0.079, "okay": 0.024, "oh": 0.028,
    "oh yeah": 0.014, "yes": 0.014, "sure": 0.008, "i see": 0.008, "mm-hmm": 0.10,
}

#: forms spoken by default; each is spoken recognizably by the offline piper voices
DEFAULT_FORMS: tuple[str, ...] = ("uh-huh", "yeah", "right", "okay", "oh", "oh yeah", "yes", "sure", "I see")


def _synthesize_short(tts: TTS, voice: Voice, text: str, config: SpeechConfig) -> np.ndarray:
    """Like :func:`speech.synthesize.synthesize_turn`, measuring loudness on a looped copy.

    pyloudnorm rejects audio shorter than its 400 ms block, which many backchannels are.
    """
    import pyloudnorm

    pitch = 2.0 ** (voice.pitch_semitones / 12.0)
    out = tts.synthesize(text, voice, length_scale=pitch / voice.tempo)
    samples, sr = out.samples, out.sampling_rate
    if pitch != 1.0:
        samples = resample(samples, int(round(sr * pitch)), sr)
    start, end = trim_bounds(samples, sr, config.trim_db, config.trim_pad)
    samples = samples[start:end]
    if samples.size == 0:
        raise BackendError(f"{tts.name}: voice {voice.id!r} produced only silence for backchannel {text!r}")
    samples = resample(samples, sr, config.sampling_rate)
    rate = config.sampling_rate
    looped = np.tile(samples, int(np.ceil(rate / len(samples))) + 1).astype(np.float64)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(looped)
    gain = 10.0 ** ((config.target_lufs - loudness) / 20.0) if np.isfinite(loudness) else 1.0
    peak = float(np.max(np.abs(samples))) * gain
    if peak > 0.99:
        gain *= 0.99 / peak
    return (samples * gain).astype(np.float32)


def _speak(voice: Voice, text: str, pool: TTSPool, config: SpeechConfig) -> Synthesis:
    try:
        return speak_text(text, voice, pool, config)
    except ValueError:  # pyloudnorm: audio shorter than one 400 ms measuring block
        samples = _synthesize_short(pool.get(voice.backend), voice, text, config)
        return Synthesis(samples, config.sampling_rate, None)


def speak_backchannels(
    cast: dict[str, Voice], pool: TTSPool, config: SpeechConfig, audio_dir: Path, corpus_dir: Path,
    dialogue_id: str, forms: tuple[str, ...] = DEFAULT_FORMS,
) -> list[Utterance]:
    """Synthesize every backchannel form once per speaker, in that speaker's voice.

    :param cast: speaker -> voice (the same cast as the dialogue's turns).
    :param audio_dir: folder of utterance audio; files go to ``audio_dir/<dialogue_id>/``.
    :param corpus_dir: paths in the records are relative to it.
    :param forms: the texts to speak.
    :return: one :class:`Utterance` per speaker and form, ``kind="backchannel"``,
        ``turn_index=-1``, id ``"<dialogue_id>-bc-<speaker>-<i>"``.
    """
    utterances: list[Utterance] = []
    for speaker in sorted(cast):
        voice = cast[speaker]
        for i, form in enumerate(forms):
            syn = _speak(voice, form, pool, config)
            uid = f"{dialogue_id}-bc-{speaker}-{i}"
            path = utterance_path(corpus_dir, audio_dir, dialogue_id, uid, config.audio_format)
            write_audio(path, syn.samples, config.sampling_rate)
            utterances.append(Utterance(
                id=uid, dialogue_id=dialogue_id, turn_index=-1, speaker=speaker, voice=voice.id, text=form,
                audio_path=str(path.relative_to(Path(corpus_dir).resolve())), duration=len(syn.samples) / config.sampling_rate,
                sampling_rate=config.sampling_rate, kind="backchannel", words=syn.words,
                word_times="engine" if syn.words is not None else "asr",
            ))
    return utterances
