"""The voice bank (a YAML list of voices) and persona-aware, seeded casting.

Casting scores every ordered pair of different voices for speakers A and B: matching
the persona's gender counts first, then age band, then how distinct the two voices
are; ties are broken by a generator seeded from the dialogue id, so reruns cast the same.
"""

from __future__ import annotations

import random
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from corpus_core.configs import read_data_file
from corpus_core.errors import ConfigError, ManifestError
from corpus_core.seeding import stable_seed
from speech.records import Voice
from text_dialogue.personas import AGE_BANDS, GENDERS
from text_dialogue.records import Persona

__all__ = [
    "VoiceBank", "load_voice_bank", "default_voice_bank", "cast_voices", "cast_variants",
    "describe_voice", "default_cast", "select_voices", "uninstalled_cast_backends",
]

VoiceBank = dict[str, Voice]

#: two voices of one engine voice are distinct when their pitches differ this much (semitones)
DISTINCT_PITCH_SEMITONES = 3.0


def _check(voice: Voice, where: str) -> None:
    if voice.gender is not None and voice.gender not in GENDERS:
        raise ConfigError(f"{where}: gender {voice.gender!r}; use one of {GENDERS} or leave it out")
    if voice.age_band is not None and voice.age_band not in AGE_BANDS:
        raise ConfigError(f"{where}: age_band {voice.age_band!r}; use one of {AGE_BANDS} or leave it out")
    if not 0.5 <= voice.tempo <= 2.0:
        raise ConfigError(f"{where}: tempo {voice.tempo} is outside [0.5, 2.0]")
    if abs(voice.pitch_semitones) > 12:
        raise ConfigError(f"{where}: pitch_semitones {voice.pitch_semitones} is outside [-12, 12]")


def _parse(data: Any, source: str) -> VoiceBank:
    if not isinstance(data, dict) or not isinstance(data.get("voices"), list):
        raise ConfigError(f"voice bank {source}: expected a mapping with a 'voices' list")
    bank: VoiceBank = {}
    for i, entry in enumerate(data["voices"]):
        where = f"voice bank {source}: voice #{i + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a mapping such as {{id: amy, backend: piper, ...}}")
        try:
            voice = Voice.from_dict(entry)
        except (TypeError, ManifestError) as e:
            raise ConfigError(f"{where}: {e}") from None
        _check(voice, f"{where} ({voice.id})")
        if voice.id in bank:
            raise ConfigError(f"{where}: id {voice.id!r} is used twice in this file")
        bank[voice.id] = voice
    return bank


def load_voice_bank(path: str | Path) -> VoiceBank:
    """Read a voice bank YAML file (``voices: [{id, backend, ...}, ...]``)."""
    return _parse(read_data_file(path, "voice bank"), str(path))


def default_voice_bank(extra: Iterable[str | Path] = ()) -> VoiceBank:
    """The shipped bank plus the voices of ``extra`` bank files (later ids win)."""
    import yaml

    shipped = resources.files("speech").joinpath("voices.yaml").read_text(encoding="utf-8")
    bank = _parse(yaml.safe_load(shipped), "speech/voices.yaml")
    for path in extra:
        bank.update(load_voice_bank(path))
    return bank


def describe_voice(voice: Voice) -> dict[str, str]:
    """One row of ``duplexsynth voices``: every field as short text."""
    transform = []
    if voice.pitch_semitones:
        transform.append(f"pitch {voice.pitch_semitones:+g} st")
    if voice.tempo != 1.0:
        transform.append(f"tempo x{voice.tempo:g}")
    return {
        "id": voice.id, "backend": voice.backend, "model": voice.model or "(default)",
        "speaker": voice.speaker_wav or voice.speaker or "", "transform": ", ".join(transform),
        "gender": voice.gender or "", "age_band": voice.age_band or "", "accent": voice.accent or "",
        "sampling_rate": str(voice.sampling_rate or ""), "cast": "yes" if voice.cast else "no",
    }


def _gender_score(voice: Voice, persona: Persona | None) -> int:
    if persona is None or not persona.gender:
        return 0
    if voice.gender == persona.gender:
        return 2
    return 1 if voice.gender is None else 0


def _age_score(voice: Voice, persona: Persona | None) -> int:
    """2 for the persona's age band, 1 one band off, 0 two off; a voice of unknown age scores 1
    (as likely right as wrong), so a bank whose voices have no age does not lose every cast to
    the one voice that has."""
    if persona is None or persona.age_band not in AGE_BANDS:
        return 0
    if voice.age_band not in AGE_BANDS:
        return 1
    gap = abs(AGE_BANDS.index(persona.age_band) - AGE_BANDS.index(voice.age_band))  # type: ignore[arg-type]
    return 2 - min(gap, 2)


def _distinct(a: Voice, b: Voice) -> int:
    """1 when two voices should sound like different people (engine voice or pitch differ, and
    not one ``speaker_group``)."""
    if a.speaker_group is not None and a.speaker_group == b.speaker_group:
        return 0
    if (a.backend, a.model, a.speaker, a.speaker_wav) != (b.backend, b.model, b.speaker, b.speaker_wav):
        return 1
    return int(abs(a.pitch_semitones - b.pitch_semitones) >= DISTINCT_PITCH_SEMITONES)


def default_cast(bank: VoiceBank) -> list[Voice]:
    """The voices a run casts when its config names neither ``voices`` nor ``cast_backends``:
    those with ``cast`` true whose TTS backend is installed."""
    from speech.tts.base import tts_installed

    installed = {b: tts_installed(b) for b in {v.backend for v in bank.values()}}
    return [v for v in bank.values() if v.cast and installed[v.backend]]


def uninstalled_cast_backends(bank: VoiceBank) -> list[str]:
    """Backends of default-cast voices that are not installed (their voices are left out)."""
    from speech.tts.base import tts_installed

    return sorted({v.backend for v in bank.values() if v.cast and not tts_installed(v.backend)})


def select_voices(bank: VoiceBank, allowed: Iterable[str] | None = None,
                  backends: Iterable[str] | None = None) -> list[Voice]:
    """The voices casting chooses from, sorted by id (bank order must not change the cast).

    ``allowed`` (the run config's ``voices``) names them, off-cast voices included; else
    ``backends`` (``cast_backends``) takes every voice of those backends; else the
    :func:`default_cast`. ``backends`` also filters ``allowed``.
    """
    if allowed is not None:
        allowed = list(allowed)
        unknown = [v for v in allowed if v not in bank]
        if unknown:
            raise ConfigError(f"casting: voice(s) {unknown} are not in the voice bank; known: {sorted(bank)}")
        pool = [bank[v] for v in allowed]
    elif backends is None:
        pool = default_cast(bank)
    else:
        pool = list(bank.values())
    if backends is not None:
        keep = set(backends)
        pool = [v for v in pool if v.backend in keep]
    return sorted(pool, key=lambda v: v.id)


def _pool(bank: VoiceBank, allowed: Iterable[str] | None, backends: Iterable[str] | None) -> list[Voice]:
    pool = select_voices(bank, allowed, backends)
    if len(pool) < 2:
        missing = "" if allowed or backends else \
            f" (not installed: {', '.join(uninstalled_cast_backends(bank)) or 'none'})"
        raise ConfigError(f"casting needs at least two voices, {len(pool)} left after filtering{missing}; add voices")
    return pool


def _ranked_pairs(pool: list[Voice], personas: dict[str, Persona], key: str) -> list[tuple[int, int, float, Voice, Voice]]:
    """Every ordered pair of different voices: (gender score, rest score, tie-break, A, B)."""
    rng = random.Random(stable_seed("cast", key))
    pa, pb = personas.get("A"), personas.get("B")
    pairs = []
    for a in pool:
        for b in pool:
            if a.id == b.id:
                continue
            gender = _gender_score(a, pa) + _gender_score(b, pb)
            rest = _age_score(a, pa) + _age_score(b, pb) + _distinct(a, b)
            pairs.append((gender, rest, rng.random(), a, b))
    return pairs


def cast_voices(
    bank: VoiceBank, personas: dict[str, Persona], key: str, allowed: Iterable[str] | None = None,
    backends: Iterable[str] | None = None,
) -> dict[str, Voice]:
    """Pick two different voices for speakers A and B.

    :param personas: speaker -> persona (missing speakers or fields are "unknown").
    :param key: seeds the tie-breaks (the dialogue id), so reruns cast the same.
    :param allowed: restrict the choice to these voice ids.
    :param backends: restrict the choice to voices of these backends.
    """
    return cast_variants(bank, personas, key, 1, allowed, backends)[0][1]


def cast_variants(
    bank: VoiceBank, personas: dict[str, Persona], dialogue_id: str, k: int,
    allowed: Iterable[str] | None = None, backends: Iterable[str] | None = None,
) -> list[tuple[str, dict[str, Voice]]]:
    """``k`` different casts of one text dialogue, for voice-variant augmentation.

    Variant ids are ``f"{dialogue_id}-v{i}"`` for ``i`` in ``0..k-1`` (``k == 1``: the plain
    id). Variant 0 is :func:`cast_voices`'s cast; each further variant takes the best
    unused pair, with gender match kept first and voices already used lowering the rest
    of the score, so the variants spread over the bank.

    :return: ``[(variant dialogue id, {"A": voice, "B": voice}), ...]``.
    """
    if k < 1:
        raise ConfigError(f"voice variants: k must be at least 1, got {k}")
    pool = _pool(bank, allowed, backends)
    if k > len(pool) * (len(pool) - 1):
        raise ConfigError(f"voice variants: {k} casts asked, but {len(pool)} voices give only "
                          f"{len(pool) * (len(pool) - 1)}; add voices or lower --variants")
    pairs = _ranked_pairs(pool, personas, dialogue_id)
    uses: dict[str, int] = {}
    taken: set[tuple[str, str]] = set()
    out: list[tuple[str, dict[str, Voice]]] = []
    for i in range(k):
        best = max(
            (p for p in pairs if (p[3].id, p[4].id) not in taken),
            key=lambda p: (p[0], p[1] - 0.75 * (uses.get(p[3].id, 0) + uses.get(p[4].id, 0)), p[2]),
        )
        a, b = best[3], best[4]
        taken.add((a.id, b.id))
        uses[a.id] = uses.get(a.id, 0) + 1
        uses[b.id] = uses.get(b.id, 0) + 1
        out.append((dialogue_id if k == 1 else f"{dialogue_id}-v{i}", {"A": a, "B": b}))
    return out
