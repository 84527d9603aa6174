"""Per-turn audio from the real piper joe voice (and espeak) through the speech stage."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from speech.audio import frame_rms_db, measure_loudness, read_audio
from speech.records import Utterance
from speech.synthesize import (
    SpeechConfig,
    TTSPool,
    speak_dialogue,
    speak_text,
    turn_rates,
)
from speech.voices import VoiceBank
from text_dialogue.records import Dialogue, Turn

TEXT = "Well, I think we should leave a little earlier tomorrow, just to be safe."
CONFIG = SpeechConfig(sampling_rate=24000, target_lufs=-23.0, trim_pad=0.02)


def _dialogue() -> Dialogue:
    return Dialogue(id="dlg-1", turns=(
        Turn(0, "A", "Hi, is this the help desk?"),
        Turn(1, "B", "Yes it is. How can I help you today?"),
        Turn(2, "A", "My laptop will not start since this morning."),
    ))


@pytest.fixture(scope="module")
def spoken(bank: VoiceBank, pool: TTSPool, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Utterance]]:
    corpus = tmp_path_factory.mktemp("corpus")
    cast = {"A": bank["joe"], "B": bank["espeak-us-f2"]}
    return corpus, speak_dialogue(_dialogue(), cast, pool, CONFIG, corpus / "audio", corpus)


def _edge_levels_ok(samples: np.ndarray, sr: int) -> None:
    """Voiced audio starts within padding + one frame of each end."""
    levels = frame_rms_db(samples, sr)
    voiced = np.flatnonzero(levels > levels.max() + CONFIG.trim_db)
    frames_allowed = int(round(CONFIG.trim_pad / 0.01)) + 1
    assert voiced[0] <= frames_allowed
    assert len(levels) - 1 - voiced[-1] <= frames_allowed


def test_turn_files_are_trimmed_loud_and_at_the_corpus_rate(spoken: tuple[Path, list[Utterance]]) -> None:
    corpus, utterances = spoken
    assert [u.id for u in utterances] == ["dlg-1-000", "dlg-1-001", "dlg-1-002"]
    for u in utterances:
        samples, sr = read_audio(corpus / u.audio_path)
        assert sr == u.sampling_rate == 24000 and samples.ndim == 1
        assert abs(len(samples) / sr - u.duration) < 1e-6
        assert abs(measure_loudness(samples, sr) - CONFIG.target_lufs) < 0.5
        _edge_levels_ok(samples, sr)


def test_word_times_engine_or_asr(spoken: tuple[Path, list[Utterance]]) -> None:
    _, utterances = spoken
    piper_turn, espeak_turn = utterances[0], utterances[1]
    assert piper_turn.voice == "joe"
    if importlib.util.find_spec("onnx") is None:  # piper aligns phonemes only with onnx installed
        assert piper_turn.word_times == "asr" and piper_turn.words is None
    else:
        assert piper_turn.word_times == "engine" and piper_turn.words is not None
        assert [w.text for w in piper_turn.words] == ["Hi", "is", "this", "the", "help", "desk"]
        assert all(0 <= w.start <= w.end <= piper_turn.duration for w in piper_turn.words)
    assert espeak_turn.word_times == "engine" and espeak_turn.words is not None
    assert [w.text for w in espeak_turn.words] == ["Yes", "it", "is", "How", "can", "I", "help", "you", "today"]
    assert all(0 <= w.start <= w.end <= espeak_turn.duration for w in espeak_turn.words)
    # the first word starts near the trimmed start
    assert espeak_turn.words[0].start < 0.1


def test_derived_voices_shift_pitch(bank: VoiceBank, pool: TTSPool, f0: Callable[..., float]) -> None:
    base = f0(speak_text(TEXT, bank["joe"], pool, CONFIG).samples, 24000)
    high = f0(speak_text(TEXT, bank["joe-high"], pool, CONFIG).samples, 24000)
    deep = f0(speak_text(TEXT, bank["joe-deep"], pool, CONFIG).samples, 24000)
    assert 70 < base < 200
    # +5 semitones = x1.335, -3 semitones = x0.841
    assert 1.2 < high / base < 1.5, (base, high)
    assert 0.75 < deep / base < 0.93, (base, deep)


def test_speaking_rate_varies_per_speaker_and_turn() -> None:
    dialogue = Dialogue(id="r", turns=tuple(Turn(i, "AB"[i % 2], "x") for i in range(40)))
    rates = turn_rates(dialogue, "r", SpeechConfig(speaker_rate_jitter=0.06, turn_rate_jitter=0.05))
    assert len(set(rates.values())) > 30
    assert all(0.8 <= r <= 1.25 for r in rates.values())
    assert turn_rates(dialogue, "r", SpeechConfig()) == turn_rates(dialogue, "r", SpeechConfig())
    flat = turn_rates(dialogue, "r", SpeechConfig(speaker_rate_jitter=0.0, turn_rate_jitter=0.0))
    assert set(flat.values()) == {1.0}


def test_cache_rerun_is_identical_and_skips_the_engine(bank: VoiceBank, pool: TTSPool, tmp_path: Path) -> None:
    config = SpeechConfig(cache_dir=str(tmp_path / "cache"))
    first = speak_dialogue(_dialogue(), {"A": bank["joe-bright"], "B": bank["joe"]}, pool, config,
                           tmp_path / "c1" / "audio", tmp_path / "c1")

    class Refuse:
        name = "piper"
        config = pool.get("piper").config  # same options, so the same cache keys

        def synthesize(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the engine must not run on a cache hit")

        def model_info(self, voice: object) -> dict:
            return pool.get("piper").model_info(voice)  # type: ignore[arg-type]

    cached_pool = TTSPool(engines={"piper": Refuse()})  # type: ignore[dict-item]
    second = speak_dialogue(_dialogue(), {"A": bank["joe-bright"], "B": bank["joe"]}, cached_pool, config,
                            tmp_path / "c2" / "audio", tmp_path / "c2")
    assert cached_pool.cache(config.cache_dir).hits == 3
    for a, b in zip(first, second):
        xa, _ = read_audio(tmp_path / "c1" / a.audio_path)
        xb, _ = read_audio(tmp_path / "c2" / b.audio_path)
        np.testing.assert_array_equal(xa, xb)
