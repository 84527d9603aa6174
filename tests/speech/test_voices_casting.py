"""The voice bank file and persona-aware casting (pure logic, no engine)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus_core.errors import ConfigError
from speech.records import Voice
from speech.voices import (
    VoiceBank,
    cast_variants,
    cast_voices,
    default_voice_bank,
    describe_voice,
    load_voice_bank,
)
from text_dialogue.personas import AGE_BANDS
from text_dialogue.records import Persona


def test_shipped_bank_has_the_required_voices(bank: VoiceBank) -> None:
    engine_voices = {(v.backend, v.model, v.speaker, v.pitch_semitones, v.tempo) for v in bank.values()}
    assert len(engine_voices) == len(bank) >= 8
    derived = [v for v in bank.values() if v.backend == "piper" and v.model is None and v.pitch_semitones]
    assert "joe" in bank and len(derived) >= 4
    assert len([v for v in bank.values() if v.backend == "espeak"]) >= 4
    for voice in bank.values():
        assert voice.gender in ("female", "male") and voice.age_band in AGE_BANDS and voice.sampling_rate
    assert {v.gender for v in bank.values()} == {"female", "male"}
    row = describe_voice(bank["joe-high"])
    assert row["transform"] == "pitch +5 st" and row["model"] == "(default)"


def test_user_bank_adds_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "voices:\n"
        "  - {id: amy, backend: piper, model: /voices/en_US-amy-medium.onnx, gender: female}\n"
        "  - {id: p225, backend: coqui, model: tts_models/en/vctk/vits, speaker: p225, gender: female}\n"
        "  - {id: joe, backend: piper, gender: male, age_band: senior}\n"
    )
    bank = default_voice_bank([path])
    assert bank["p225"].speaker == "p225" and bank["amy"].backend == "piper"
    assert bank["joe"].age_band == "senior"


@pytest.mark.parametrize("text, match", [
    ("voices: [{id: a, backend: piper, colour: red}]", "colour"),
    ("voices: [{id: a, backend: piper, gender: robot}]", "gender"),
    ("voices: [{id: a, backend: piper}, {id: a, backend: espeak}]", "twice"),
    ("speakers: []", "'voices' list"),
])
def test_bad_bank_files_say_what_is_wrong(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_voice_bank(path)


def _persona(gender: str | None, age: str | None) -> Persona:
    return Persona(name="x", gender=gender, age_band=age)


genders = st.sampled_from([None, "female", "male"])
ages = st.sampled_from([None, *AGE_BANDS])


@settings(max_examples=60, deadline=None)
@given(ga=genders, gb=genders, aa=ages, ab=ages, key=st.text(min_size=1, max_size=12))
def test_casting_never_repeats_a_voice_and_respects_gender(ga, gb, aa, ab, key) -> None:  # type: ignore[no-untyped-def]
    bank = default_voice_bank()
    personas = {"A": _persona(ga, aa), "B": _persona(gb, ab)}
    cast = cast_voices(bank, personas, key)
    assert cast["A"].id != cast["B"].id
    for speaker, gender in (("A", ga), ("B", gb)):
        if gender:
            assert cast[speaker].gender == gender
    assert cast_voices(bank, personas, key) == cast  # stable across calls


def test_casting_is_stable_across_bank_order_and_differs_across_dialogues(bank: VoiceBank) -> None:
    personas = {"A": _persona("female", "adult"), "B": _persona("male", "senior")}
    reversed_bank = dict(reversed(list(bank.items())))
    casts = [cast_voices(bank, personas, f"d{i}") for i in range(20)]
    assert casts[0] == cast_voices(reversed_bank, personas, "d0")
    assert all(c["A"].gender == "female" and c["B"].gender == "male" for c in casts)
    assert len({(c["A"].id, c["B"].id) for c in casts}) > 1  # seeded, not constant


def test_casting_prefers_distinct_voices() -> None:
    bank = {v.id: v for v in [
        Voice(id="joe", backend="piper", gender="male"),
        Voice(id="joe-up1", backend="piper", pitch_semitones=1, gender="male"),
        Voice(id="joe-up5", backend="piper", pitch_semitones=5, gender="male"),
    ]}
    personas = {"A": _persona("male", None), "B": _persona("male", None)}
    for key in map(str, range(30)):
        cast = cast_voices(bank, personas, key)
        assert abs(cast["A"].pitch_semitones - cast["B"].pitch_semitones) >= 3


def test_casting_needs_two_voices() -> None:
    with pytest.raises(ConfigError, match="at least two"):
        cast_voices({"joe": Voice(id="joe", backend="piper")}, {}, "d")
    with pytest.raises(ConfigError, match="not in the voice bank"):
        cast_voices({"joe": Voice(id="joe", backend="piper")}, {}, "d", allowed=["joe", "ghost"])


def test_backend_filter(bank: VoiceBank) -> None:
    for key in map(str, range(10)):
        cast = cast_voices(bank, {}, key, backends=["piper"])
        assert {v.backend for v in cast.values()} == {"piper"}


def test_variants_have_distinct_casts_and_ids(bank: VoiceBank) -> None:
    personas = {"A": _persona("female", None), "B": _persona("male", None)}
    variants = cast_variants(bank, personas, "dlg7", 4)
    assert [vid for vid, _ in variants] == ["dlg7-v0", "dlg7-v1", "dlg7-v2", "dlg7-v3"]
    pairs = [(c["A"].id, c["B"].id) for _, c in variants]
    assert len(set(pairs)) == 4 and all(a != b for a, b in pairs)
    assert all(c["A"].gender == "female" and c["B"].gender == "male" for _, c in variants)
    assert len({a for a, _ in pairs} | {b for _, b in pairs}) >= 6  # spread over the bank
    assert variants[0][1] == cast_voices(bank, personas, "dlg7")
    assert cast_variants(bank, personas, "dlg7", 1) == [("dlg7", cast_voices(bank, personas, "dlg7"))]
    assert cast_variants(bank, personas, "dlg7", 4) == variants


def test_variants_beyond_the_bank_are_refused() -> None:
    bank = {v: Voice(id=v, backend="piper") for v in ("a", "b")}
    assert len(cast_variants(bank, {}, "d", 2)) == 2
    with pytest.raises(ConfigError, match="add voices"):
        cast_variants(bank, {}, "d", 3)
