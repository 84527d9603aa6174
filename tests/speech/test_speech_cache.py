"""Cache, trimming and word-time bookkeeping of the speech stage, on generated tones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from speech.cache import make_cache_key
from speech.records import Voice, Word
from speech.synthesize import (
    SpeechConfig,
    TTSPool,
    speak_text,
    synthesize_uncached,
    trim_bounds,
)
from speech.tts.base import TTS, Synthesis

SR = 16000


def _tone(seconds: float, lead: float = 0.3, tail: float = 0.4, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    voiced = 0.3 * np.sin(2 * np.pi * freq * t)
    return np.concatenate([np.zeros(int(lead * SR)), voiced, np.zeros(int(tail * SR))]).astype(np.float32)


class ToneTTS(TTS):
    """A fake engine: 0.3 s silence, a tone as long as the text (x length_scale), 0.4 s silence."""

    name = "tone"
    config_type = dict

    def __init__(self) -> None:
        super().__init__({})
        self.calls = 0

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        self.calls += 1
        seconds = 0.05 * len(text) * length_scale
        words = (Word("first", 0.3 * length_scale, 0.5 * length_scale),)
        return Synthesis(_tone(seconds, 0.3 * length_scale, 0.4), SR, words)


def _pool() -> tuple[TTSPool, ToneTTS]:
    engine = ToneTTS()
    return TTSPool(engines={"tone": engine}), engine


def test_trim_and_word_times_follow_the_pitch_transform() -> None:
    engine = ToneTTS()
    config = SpeechConfig(sampling_rate=SR, trim_pad=0.02)
    plain = synthesize_uncached(engine, Voice(id="v", backend="tone"), "x" * 20, 1.0, config)
    assert abs(len(plain.samples) / SR - (1.0 + 0.04)) < 0.02  # 1 s tone + 2 x 20 ms padding
    assert plain.words is not None and abs(plain.words[0].start - 0.02) < 0.011
    # +12 semitones: synthesized 2x slower (word at 0.6-1.0 s), played 2x faster -> back to 0.3-0.5 s
    octave = synthesize_uncached(engine, Voice(id="v", backend="tone", pitch_semitones=12), "x" * 20, 1.0, config)
    assert abs(len(octave.samples) - len(plain.samples)) < 0.02 * SR
    assert octave.words is not None and abs(octave.words[0].start - 0.02) < 0.011
    assert abs(octave.words[0].end - 0.22) < 0.011


@settings(max_examples=40, deadline=None)
@given(lead=st.floats(0.0, 1.0), dur=st.floats(0.05, 1.0), tail=st.floats(0.0, 1.0))
def test_trim_keeps_all_voiced_audio(lead: float, dur: float, tail: float) -> None:
    audio = _tone(dur, lead, tail)
    start, end = trim_bounds(audio, SR, threshold_db=-45.0, pad_seconds=0.02)
    first, last = int(lead * SR), int(lead * SR) + int(dur * SR)
    assert start <= first and end >= last
    assert first - start <= int(0.03 * SR) and end - last <= int(0.03 * SR)


def test_cache_hits_skip_the_engine_and_return_identical_audio(tmp_path: Path) -> None:
    pool, engine = _pool()
    config = SpeechConfig(sampling_rate=SR, cache_dir=str(tmp_path))
    voice = Voice(id="v", backend="tone")
    first = speak_text("hello there", voice, pool, config, rate=1.1)
    second = speak_text("hello there", voice, pool, config, rate=1.1)
    assert engine.calls == 1 and pool.cache(str(tmp_path)).hits == 1
    np.testing.assert_array_equal(first.samples, second.samples)
    assert first.words == second.words
    # another pool (a second run or corpus) reads the same entry
    pool2, engine2 = _pool()
    np.testing.assert_array_equal(speak_text("hello there", voice, pool2, config, rate=1.1).samples, first.samples)
    assert engine2.calls == 0


def test_cache_misses_on_what_changes_the_audio(tmp_path: Path) -> None:
    pool, engine = _pool()
    config = SpeechConfig(sampling_rate=SR, cache_dir=str(tmp_path))
    voice = Voice(id="v", backend="tone")
    speak_text("hello", voice, pool, config)
    speak_text("hello!", voice, pool, config)
    speak_text("hello", Voice(id="v", backend="tone", pitch_semitones=2), pool, config)
    speak_text("hello", voice, pool, config, rate=0.9)
    speak_text("hello", voice, pool, SpeechConfig(sampling_rate=SR, cache_dir=str(tmp_path), target_lufs=-20))
    assert engine.calls == 5
    # labels (id, gender, accent) are not part of the key; engine fields are
    key = make_cache_key(voice, "hello", 1.0, 0, {}, {})
    assert key == make_cache_key(Voice(id="other", backend="tone", accent="en-GB"), "hello", 1.0, 0, {}, {})


def test_damaged_entry_is_resynthesized(tmp_path: Path) -> None:
    pool, engine = _pool()
    config = SpeechConfig(sampling_rate=SR, cache_dir=str(tmp_path))
    voice = Voice(id="v", backend="tone")
    speak_text("hello", voice, pool, config)
    for flac in tmp_path.rglob("*.flac"):
        flac.write_bytes(b"not audio")
    again = speak_text("hello", voice, pool, config)
    assert engine.calls == 2 and again.samples.size > 0


def test_disabled_cache_always_synthesizes() -> None:
    pool, engine = _pool()
    config = SpeechConfig(sampling_rate=SR, cache_dir=None)
    speak_text("hello", Voice(id="v", backend="tone"), pool, config)
    speak_text("hello", Voice(id="v", backend="tone"), pool, config)
    assert engine.calls == 2


def test_auto_cache_lives_in_the_user_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DUPLEXSYNTH_CACHE", str(tmp_path))
    pool, engine = _pool()
    config = SpeechConfig(sampling_rate=SR)  # cache_dir="auto" by default
    speak_text("hello", Voice(id="v", backend="tone"), pool, config)
    speak_text("hello", Voice(id="v", backend="tone"), pool, config)
    assert engine.calls == 1
    assert list((tmp_path / "tts").rglob("*.flac"))
