"""The voice bank (a YAML list of voices) and persona-aware casting."""

from __future__ import annotations

import hashlib
import random
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from speech.records import Voice
from text_dialogue.errors import ConfigError
from text_dialogue.records import Persona

__all__ = ["load_voice_bank", "default_voice_bank", "cast_voices", "VoiceBank"]

VoiceBank = dict[str, Voice]


def _parse(data: Any, source: str) -> VoiceBank:
    if not isinstance(data, dict) or not isinstance(data.get("voices"), list):
        raise ConfigError(f"voice bank {source}: expected a mapping with a 'voices' list")
    bank: VoiceBank = {}
    for i, entry in enumerate(data["voices"]):
        try:
            voice = Voice.from_dict(entry)
        except TypeError as e:
            raise ConfigError(f"voice bank {source}: voice #{i + 1}: {e}") from None
        bank[voice.id] = voice
    return bank


def load_voice_bank(path: str | Path) -> VoiceBank:
    """Read a voice bank YAML file (``voices: [{id, backend, ...}, ...]``)."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read voice bank {path}: {e}") from None
    return _parse(data, str(path))


def default_voice_bank(extra: Iterable[str | Path] = ()) -> VoiceBank:
    """The shipped bank plus the voices of ``extra`` bank files (later ids win)."""
    import yaml

    shipped = resources.files("speech").joinpath("voices.yaml").read_text(encoding="utf-8")
    bank = _parse(yaml.safe_load(shipped), "speech/voices.yaml")
    for path in extra:
        bank.update(load_voice_bank(path))
    return bank


def _score(voice: Voice, persona: Persona | None) -> int:
    if persona is None:
        return 0
    score = 0
    if persona.gender and voice.gender == persona.gender:
        score += 2
    if persona.age_band and voice.age_band == persona.age_band:
        score += 1
    return score


def stable_seed(*parts: object) -> int:
    """A seed from strings that is the same in every process (unlike ``hash``)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def cast_voices(
    bank: VoiceBank, personas: dict[str, Persona], key: str, allowed: Iterable[str] | None = None
) -> dict[str, Voice]:
    """Pick two different voices for speakers A and B.

    Voices that match a persona's gender (and then age band) are preferred; ties are
    broken by a generator seeded from ``key`` (the dialogue id), so reruns cast the same.

    :param allowed: restrict the choice to these voice ids.
    """
    pool = [bank[v] for v in allowed] if allowed else list(bank.values())
    if len(pool) < 2:
        raise ConfigError(f"casting needs at least two voices, the bank has {len(pool)}")
    rng = random.Random(stable_seed("cast", key))
    cast: dict[str, Voice] = {}
    for speaker in ("A", "B"):
        options = [v for v in pool if v.id not in {c.id for c in cast.values()}]
        best = max(_score(v, personas.get(speaker)) for v in options)
        cast[speaker] = rng.choice([v for v in options if _score(v, personas.get(speaker)) == best])
    return cast
