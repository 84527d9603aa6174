"""The espeak backend on the real libespeak-ng shipped by espeakng-loader."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from corpus_core.errors import BackendError
from speech.audio import frame_rms_db
from speech.records import Voice
from speech.tts.espeak import EspeakConfig, EspeakTTS, espeak_voice_name
from speech.voices import VoiceBank

TEXT = "Good morning, could you tell me when the next train leaves for the city?"


@pytest.fixture(scope="module")
def espeak() -> EspeakTTS:
    return EspeakTTS(EspeakConfig())


def test_bank_espeak_voices_sound_like_speech(espeak: EspeakTTS, bank: VoiceBank, f0: Callable[..., float]) -> None:
    voices = [v for v in bank.values() if v.backend == "espeak"]
    assert len(voices) >= 4
    for voice in voices:
        out = espeak.synthesize(TEXT, voice)
        duration = len(out.samples) / out.sampling_rate
        assert out.sampling_rate == voice.sampling_rate == 22050
        # 14 words at a normal speaking rate: 2.5-7 s
        assert 2.5 < duration < 7.0, (voice.id, duration)
        levels = frame_rms_db(out.samples, out.sampling_rate)
        voiced = np.mean(levels > levels.max() - 30)
        assert 0.4 < voiced < 0.98, (voice.id, voiced)  # speech with pauses, not silence or a tone
        pitch = f0(out.samples, out.sampling_rate)
        low, high = (140, 300) if voice.gender == "female" else (70, 160)
        assert low < pitch < high, (voice.id, pitch)


def test_word_times_follow_the_text(espeak: EspeakTTS) -> None:
    out = espeak.synthesize(TEXT, Voice(id="us", backend="espeak", model="en-us"))
    assert out.words is not None
    assert [w.text for w in out.words][:3] == ["Good", "morning", "could"]
    assert len(out.words) == 14
    starts = [w.start for w in out.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in out.words)
    assert out.words[-1].end <= len(out.samples) / out.sampling_rate + 1e-3


def test_length_scale_slows_speech(espeak: EspeakTTS) -> None:
    voice = Voice(id="us", backend="espeak", model="en-us")
    normal = espeak.synthesize(TEXT, voice, length_scale=1.0)
    slow = espeak.synthesize(TEXT, voice, length_scale=1.5)
    assert len(slow.samples) > 1.3 * len(normal.samples)


def test_voice_spec_and_unknown_voice(espeak: EspeakTTS) -> None:
    assert espeak_voice_name(Voice(id="x", backend="espeak", model="en-us", speaker="f2")) == "en-us+f2"
    assert espeak_voice_name(Voice(id="x", backend="espeak")) == "en-us"
    with pytest.raises(BackendError, match="unknown voice 'xx-nope'"):
        espeak.synthesize("hi", Voice(id="bad", backend="espeak", model="xx-nope"))
