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
from typing import Any, Iterable

from corpus_core.errors import ConfigError
from text_dialogue.records import SPEAKERS, Dialogue, Turn

__all__ = ["import_dialogues", "import_transcript", "import_jsonl", "import_sgd", "detect_format"]

_LABEL = re.compile(r"^\s*([^:\s][^:]{0,39}?)\s*:\s+(.*\S)\s*$")
_SGD_SPEAKERS = {"USER": "A", "SYSTEM": "B"}


def _safe_id(raw: Any) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(raw)).strip("._") or "dialogue"


def _dialogue(dialogue_id: str, turns: list[tuple[str, str]], source: str, extra: dict[str, Any]) -> Dialogue:
    return Dialogue(
        id=_safe_id(dialogue_id),
        turns=tuple(Turn(index=i, speaker=s, text=t) for i, (s, t) in enumerate(turns)),
        end_reason="imported",
        meta={"source": source, **extra},
    )


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

    def flush() -> None:
        if turns:
            names = {v: k for k, v in labels.items() if k not in SPEAKERS}
            dialogues.append(_dialogue(f"{path.stem}-{len(dialogues):04d}", list(turns), str(path),
                                       {"speaker_labels": names} if names else {}))
        turns.clear()
        labels.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.strip() == "---":
            flush()
            continue
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


def _json_lines(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as e:
                raise ConfigError(f"{path}:{number}: not JSON ({e.msg})") from None


def import_jsonl(path: Path) -> list[Dialogue]:
    """Read Dialogue records, or turn lines ``{"dialogue_id", "speaker", "text"}``, one per line."""
    dialogues: list[Dialogue] = []
    grouped: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, dict[str, str]] = {}
    for number, row in _json_lines(path):
        where = f"{path}:{number}"
        if row.get("type") == "Dialogue" or "turns" in row:
            try:
                dialogues.append(Dialogue.from_dict(row))
            except (TypeError, KeyError) as e:
                raise ConfigError(f"{where}: not a Dialogue record ({e})") from None
            continue
        text = row.get("text", row.get("utterance"))
        if not isinstance(text, str) or "speaker" not in row:
            raise ConfigError(f"{where}: a turn line needs 'speaker' and 'text'")
        did = str(row.get("dialogue_id", row.get("id", path.stem)))
        speaker = _speaker_map(labels.setdefault(did, {}), str(row["speaker"]), where)
        grouped.setdefault(did, []).append((speaker, text.strip()))
    dialogues += [_dialogue(did, turns, str(path), {}) for did, turns in grouped.items()]
    return dialogues


def import_sgd(path: Path) -> list[Dialogue]:
    """Read a Schema-Guided Dialogue ``dialogues_*.json`` file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}: not JSON ({e.msg}, line {e.lineno})") from None
    if not isinstance(data, list):
        raise ConfigError(f"{path}: an SGD file is a JSON list of dialogues")
    out = []
    for n, item in enumerate(data):
        try:
            turns = [(_SGD_SPEAKERS[t["speaker"]], t["utterance"].strip()) for t in item["turns"]]
        except (KeyError, TypeError, AttributeError) as e:
            raise ConfigError(f"{path}: dialogue {n}: expected turns of {{speaker: USER|SYSTEM, utterance}} ({e})") from None
        extra = {"services": list(item.get("services") or []), "format": "sgd"}
        out.append(_dialogue(str(item.get("dialogue_id", n)), turns, str(path), extra))
    return out


def detect_format(path: Path) -> str:
    """``"sgd"``, ``"jsonl"`` or ``"transcript"``, from the suffix and the first characters."""
    head = path.read_text(encoding="utf-8")[:4096].lstrip()
    if path.suffix == ".json" or head.startswith("["):
        return "sgd"
    if path.suffix == ".jsonl" or head.startswith("{"):
        return "jsonl"
    return "transcript"


def import_dialogues(path: Path) -> list[Dialogue]:
    """Every dialogue in ``path`` (format detected; see the module docstring).

    :raises ConfigError: naming the file, the line and the expected form.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"cannot import {path}: no such file")
    readers = {"sgd": import_sgd, "jsonl": import_jsonl, "transcript": import_transcript}
    dialogues = readers[detect_format(path)](path)
    if not dialogues:
        raise ConfigError(f"{path}: no dialogues found")
    return dialogues
