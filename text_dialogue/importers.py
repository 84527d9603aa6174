"""Importers: dialogues a user already has, turned into :class:`Dialogue` records.

Formats (detected from the suffix and the content):

* plain transcripts (``.txt``): ``A: ...`` / ``B: ...`` lines (any two speaker labels;
  the first label heard is A); a blank line or a line ``---`` starts a new dialogue;
  lines without a label continue the previous turn;
* JSONL (``.jsonl``): one ``Dialogue`` record per line (as written by duplexsynth),
  or one turn per line: ``{"dialogue_id": ..., "speaker": ..., "text": ...}``;
* Schema-Guided Dialogue JSON (``dialogues_*.json``): a list of
  ``{dialogue_id, services, turns: [{speaker: USER|SYSTEM, utterance, frames}]}``;
  USER is speaker A, SYSTEM is speaker B.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from corpus_core.errors import ConfigError, ManifestError
from corpus_core.manifest import iter_jsonl
from text_dialogue.records import SPEAKERS, Dialogue, Turn
from text_dialogue.validation import check_dialogue, check_unique_ids

__all__ = ["import_dialogues", "import_transcript", "import_jsonl", "import_sgd", "detect_format"]

_LABEL = re.compile(r"^\s*([^:\s][^:]{0,39}?)\s*:\s+(.*\S)\s*$")
_SGD_SPEAKERS = {"USER": "A", "SYSTEM": "B"}


def _dialogue(dialogue_id: str, turns: list[tuple[str, str]], source: str, extra: dict[str, Any],
              where: str) -> Dialogue:
    """A checked Dialogue with a safe id (the user's id kept as ``source_id``)."""
    try:
        return check_dialogue(Dialogue(
            id=str(dialogue_id),
            turns=tuple(Turn(index=i, speaker=s, text=t) for i, (s, t) in enumerate(turns)),
            end_reason="imported",
            meta={"source": source, **extra},
        ))
    except ManifestError as e:
        raise ManifestError(f"{where}: {e}") from None


def _speaker_map(labels: dict[str, str], label: str, where: str) -> str:
    if label in SPEAKERS and not labels:
        labels.update({"A": "A", "B": "B"})
    if label not in labels:
        if len(labels) >= 2:
            raise ConfigError(f"{where}: a third speaker {label!r}; duplex dialogues have two speakers")
        labels[label] = SPEAKERS[len(labels)]
    return labels[label]


def import_transcript(path: Path) -> list[Dialogue]:
    """Read ``A: ...`` / ``B: ...`` transcript lines; blank lines or ``---`` split dialogues."""
    dialogues: list[Dialogue] = []
    turns: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    first_line = 0

    def flush() -> None:
        if turns:
            names = {v: k for k, v in labels.items() if k not in SPEAKERS}
            dialogues.append(_dialogue(f"{path.stem}-{len(dialogues):04d}", list(turns), str(path),
                                       {"speaker_labels": names} if names else {}, f"{path}:{first_line}"))
        turns.clear()
        labels.clear()

    for number, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip() or line.strip() == "---":
            flush()
            continue
        if not turns:
            first_line = number
        match = _LABEL.match(line)
        if match:
            speaker = _speaker_map(labels, match.group(1), f"{path}:{number}")
            if turns and turns[-1][0] == speaker:  # same speaker again: one longer turn
                turns[-1] = (speaker, f"{turns[-1][1]} {match.group(2)}")
            else:
                turns.append((speaker, match.group(2)))
        elif turns:
            turns[-1] = (turns[-1][0], f"{turns[-1][1]} {line.strip()}")
        else:
            raise ConfigError(f"{path}:{number}: expected 'A: text' (a speaker label, a colon, the words)")
    flush()
    return dialogues


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason}); save it as UTF-8") from None
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror or e}") from None


def import_jsonl(path: Path) -> list[Dialogue]:
    """Read Dialogue records, or turn lines ``{"dialogue_id", "speaker", "text"}``, one per line."""
    items: list[tuple[str, Dialogue]] = []
    grouped: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    first: dict[str, str] = {}
    for number, row in iter_jsonl(path, strict=True):
        where = f"{path}:{number}"
        if row.get("type") == "Dialogue" or "turns" in row:
            try:
                items.append((where, check_dialogue(Dialogue.from_dict(row))))
            except ManifestError as e:
                raise ManifestError(f"{where}: {e}") from None
            continue
        text = row.get("text", row.get("utterance"))
        if not isinstance(text, str) or "speaker" not in row:
            missing = "speaker" if "speaker" not in row else "text"
            raise ManifestError(f"{where}: field {missing}: missing or not text; a turn line needs "
                                f"'speaker' and 'text'")
        did = str(row.get("dialogue_id", row.get("id", path.stem)))
        speaker = _speaker_map(labels.setdefault(did, {}), str(row["speaker"]), where)
        grouped.setdefault(did, []).append((speaker, text.strip()))
        first.setdefault(did, where)
    items += [(first[did], _dialogue(did, turns, str(path), {}, first[did])) for did, turns in grouped.items()]
    check_unique_ids(items)
    return [d for _, d in items]


def import_sgd(path: Path) -> list[Dialogue]:
    """Read a Schema-Guided Dialogue ``dialogues_*.json`` file."""
    try:
        data = json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}: not JSON ({e.msg}, line {e.lineno})") from None
    if not isinstance(data, list):
        raise ConfigError(f"{path}: an SGD file is a JSON list of dialogues")
    out: list[tuple[str, Dialogue]] = []
    for n, item in enumerate(data):
        try:
            turns = [(_SGD_SPEAKERS[t["speaker"]], t["utterance"].strip()) for t in item["turns"]]
        except (KeyError, TypeError, AttributeError) as e:
            raise ConfigError(f"{path}: dialogue {n}: expected turns of {{speaker: USER|SYSTEM, utterance}} ({e})") from None
        extra = {"services": list(item.get("services") or []), "format": "sgd"}
        where = f"{path}: dialogue {n}"
        out.append((where, _dialogue(str(item.get("dialogue_id", n)), turns, str(path), extra, where)))
    check_unique_ids(out)
    return [d for _, d in out]


def detect_format(path: Path) -> str:
    """``"sgd"``, ``"jsonl"`` or ``"transcript"``, from the suffix and the first characters."""
    if path.suffix == ".jsonl":  # the suffix wins over the content (a JSONL line may be a list)
        return "jsonl"
    head = _read_text(path)[:4096].lstrip()
    if path.suffix == ".json" or head.startswith("["):
        return "sgd"
    if head.startswith("{"):
        return "jsonl"
    return "transcript"


def import_dialogues(path: Path) -> list[Dialogue]:
    """Every dialogue in ``path`` (format detected; see the module docstring).

    :raises ConfigError: naming the file, the line and the expected form.
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"cannot import {path}: it is a folder; give a file")
    if not path.is_file():
        raise ConfigError(f"cannot import {path}: no such file")
    readers = {"sgd": import_sgd, "jsonl": import_jsonl, "transcript": import_transcript}
    dialogues = readers[detect_format(path)](path)
    if not dialogues:
        raise ConfigError(f"{path}: no dialogues found (is the file empty?)")
    return dialogues
