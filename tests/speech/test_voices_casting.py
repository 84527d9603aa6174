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
    select_voices,
    uninstalled_cast_backends,
)
from text_dialogue.personas import AGE_BANDS
from text_dialogue.records import Persona


def test_shipped_bank_has_the_required_voices(bank: VoiceBank) -> None:
    engine_voices = {(v.backend, v.model, v.speaker, v.pitch_semitones, v.tempo) for v in bank.values()}
    assert len(engine_voices) == len(bank) >= 8
    derived = [v for v in bank.values() if v.backend == "piper" and v.model is None and v.pitch_semitones]
    assert "joe" in bank and len(derived) >= 4
    assert len([v for v in bank.values() if v.backend == "espeak"]) >= 4
    for voice in bank.values():  # Kokoro's voices come with no age: unknown, not guessed
        assert voice.gender in ("female", "male") and voice.age_band in (*AGE_BANDS, None) and voice.sampling_rate
    assert {v.gender for v in bank.values()} == {"female", "male"}
    row = describe_voice(bank["joe-high"])
    assert row["transform"] == "pitch +5 st" and row["model"] == "(default)" and row["cast"] == "no"


def test_no_pitch_shifted_voice_changes_gender_and_none_is_in_the_default_cast(bank: VoiceBank) -> None:
    for voice in bank.values():
        if voice.pitch_semitones:
            base = next(v for v in bank.values() if (v.backend, v.model, v.speaker) == (voice.backend, voice.model,
                                                                                     voice.speaker) and not v.pitch_semitones)
            assert voice.gender == base.gender and not voice.cast, voice.id


def test_the_default_cast_is_joe_and_the_kokoro_voices(bank: VoiceBank) -> None:
    cast = select_voices(bank)
    assert "joe" in {v.id for v in cast} and {v.backend for v in cast} == {"piper", "kokoro"}
    assert not any(v.pitch_semitones or v.backend == "espeak" for v in cast)
    assert {v.gender for v in cast} == {"female", "male"}
    assert [v.id for v in cast] == sorted(v.id for v in cast)  # bank order does not change the cast
    assert all(v.backend in ("piper", "kokoro") for key in map(str, range(30))
               for v in cast_voices(bank, {"A": _persona("female", None), "B": _persona("male", None)}, key).values())


def test_voices_that_sound_alike_are_not_the_two_speakers_of_a_dialogue(bank: VoiceBank) -> None:
    groups = {v.speaker_group for v in select_voices(bank) if v.speaker_group}
    assert groups >= {"kokoro-nezumi", "kokoro-tebukuro"}  # measured: 0.97 cosine blend to parent
    for ga, gb in (("female", "female"), ("male", "male"), ("female", "male")):
        for key in map(str, range(40)):
            cast = cast_voices(bank, {"A": _persona(ga, None), "B": _persona(gb, None)}, key)
            assert cast["A"].speaker_group is None or cast["A"].speaker_group != cast["B"].speaker_group, key
    alike = {v.id: v for v in [Voice(id="a", backend="kokoro", speaker="x", speaker_group="g"),
                               Voice(id="b", backend="kokoro", speaker="x:0.5,y:0.5", speaker_group="g"),
                               Voice(id="c", backend="kokoro", speaker="z")]}
    assert all("c" in {v.id for v in cast_voices(alike, {}, str(k)).values()} for k in range(20))


def test_named_voices_and_backends_reach_voices_off_the_default_cast(bank: VoiceBank) -> None:
    assert {v.id for v in select_voices(bank, ["joe-high", "espeak-us"])} == {"joe-high", "espeak-us"}
    espeak = select_voices(bank, backends=["espeak"])
    assert espeak and all(v.backend == "espeak" for v in espeak)  # every voice of the named backend
    assert {v.id for v in select_voices(bank, backends=["piper"])} >= {"joe", "joe-high", "joe-deep"}


def test_a_backend_that_is_not_installed_leaves_the_default_cast(monkeypatch: pytest.MonkeyPatch) -> None:
    import speech.tts.base as base

    bank = {v.id: v for v in [Voice(id="a", backend="piper"), Voice(id="b", backend="kokoro"),
                              Voice(id="c", backend="kokoro"), Voice(id="d", backend="piper", cast=False)]}
    monkeypatch.setattr(base, "tts_installed", lambda name: name != "kokoro")
    assert [v.id for v in select_voices(bank)] == ["a"]
    assert uninstalled_cast_backends(bank) == ["kokoro"]
    with pytest.raises(ConfigError, match=r"at least two voices.*not installed: kokoro"):
        cast_voices(bank, {}, "d1")


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
