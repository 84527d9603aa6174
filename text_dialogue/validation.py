"""Checks on dialogues that come from a user's file (``text --import``, ``speak --input``).

Every id is passed through :func:`corpus_core.ids.sanitize_id` (the record keeps the
user's id as ``source_id``), ids must be unique in one input, and every turn must be
plain, speakable text of a sane length. Errors name the file, the line and the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

from corpus_core.errors import ManifestError
from corpus_core.ids import sanitize_id
from corpus_core.manifest import iter_jsonl
from text_dialogue.records import SPEAKERS, Dialogue

__all__ = ["MAX_TURN_CHARS", "check_dialogue", "check_unique_ids", "read_dialogue_file"]

#: longest turn accepted from a user file; a spoken turn this long is almost surely a paste error,
#: and TTS engines slow down (or run out of memory) on very long inputs
MAX_TURN_CHARS = 2000
# an SSML / HTML tag such as <break time="1s"/> or </speak>; "3 < 5" is not one
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(\s[^<>]*)?/?>")


def _check_text(text: str, where: str) -> None:
    if not text.strip():
        raise ManifestError(f"field {where}: empty; every turn needs words to speak")
    if len(text) > MAX_TURN_CHARS:
        raise ManifestError(f"field {where}: {len(text)} characters, more than {MAX_TURN_CHARS}; "
                            f"split it into several turns")
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\n\r\u200d":
            raise ManifestError(f"field {where}: control character U+{ord(ch):04X} at position {i}; remove it")
    tag = _TAG.search(text)
    if tag:
        raise ManifestError(f"field {where}: markup {tag.group(0)[:40]!r}; turns are plain text "
                            f"(SSML is not interpreted), remove the tags")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise ManifestError(f"field {where}: no letters or digits to speak ({text[:20]!r})")


def check_dialogue(dialogue: Dialogue) -> Dialogue:
    """``dialogue`` with a safe id (the user's id kept as ``source_id``), after checking its turns.

    :raises ManifestError: ``field NAME: ...`` for an unusable id, no turns, an unknown speaker,
        or a turn that is empty, too long, holds control characters or markup.
    """
    try:
        safe = sanitize_id(dialogue.id)
    except ManifestError as e:
        raise ManifestError(f"field id: {e}") from None
    if not dialogue.turns:
        raise ManifestError("field turns: empty; a dialogue needs at least one turn")
    for i, turn in enumerate(dialogue.turns):
        if turn.speaker not in SPEAKERS:
            raise ManifestError(f"field turns[{i}].speaker: {turn.speaker!r}; use 'A' or 'B'")
        _check_text(turn.text, f"turns[{i}].text")
    if safe == dialogue.id:
        return dialogue
    return replace(dialogue, id=safe, source_id=dialogue.source_id or dialogue.id)


def check_unique_ids(items: Iterable[tuple[str, Dialogue]]) -> None:
    """Refuse two dialogues with the same (safe) id in one input.

    :param items: ``(where, dialogue)``, where is ``file:line`` (or ``file: dialogue N``).
    :raises ManifestError: naming both places.
    """
    seen: dict[str, str] = {}
    for where, d in items:
        if d.id in seen:
            raise ManifestError(f"{where}: field id: duplicate id {d.id!r} (also at {seen[d.id]}); "
                                f"ids must be unique in one input")
        seen[d.id] = where


def read_dialogue_file(path: Path) -> list[Dialogue]:
    """Every ``Dialogue`` record of a user's JSONL file, checked (see :func:`check_dialogue`).

    Unlike a corpus manifest, a cut-off last line is an error here: the file is the user's.

    :raises ManifestError: ``file:line: field ...`` for the first bad line.
    """
    path = Path(path)
    items = list(_read(path))
    if not items:
        raise ManifestError(f"{path}: no dialogues found; expected one Dialogue JSON object per line")
    check_unique_ids(items)
    return [d for _, d in items]


def _read(path: Path) -> Iterator[tuple[str, Dialogue]]:
    for lineno, data in iter_jsonl(path, strict=True):
        where = f"{path}:{lineno}"
        if data.get("type", "Dialogue") != "Dialogue":
            raise ManifestError(f"{where}: field type: {data.get('type')!r}; expected a Dialogue record")
        try:
            yield where, check_dialogue(Dialogue.from_dict(data))
        except ManifestError as e:
            raise ManifestError(f"{where}: {e}") from None
