"""Corpus folder I/O: JSONL manifests, meta.json, resumable and atomic.

All reading and writing of manifests happens here (like ``lhotse/serialization.py``).
A manifest line is one record with a ``"type"`` key. Appends are one ``write`` of a
whole line followed by ``fsync``; a line cut short by a kill is dropped (with a
warning) when the manifest is next opened for writing, so a resumed run loses nothing
it had finished.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator, TypeVar

from duplex.records import Timeline
from eval.records import DialogueEval, TurnEval
from speech.records import Utterance
from text_dialogue.errors import ManifestError
from text_dialogue.fileio import iter_jsonl, open_text, write_text_atomic
from text_dialogue.record import Record
from text_dialogue.records import Dialogue

__all__ = [
    "RECORD_TYPES",
    "MANIFESTS",
    "SCHEMA_VERSION",
    "read_manifest",
    "read_manifest_dicts",
    "ManifestWriter",
    "write_json_atomic",
    "write_text_atomic",
    "rewrite_manifest",
    "sanitize_id",
]

log = logging.getLogger(__name__)

#: bump when a record's fields change meaning; :func:`upgrade_record` converts old ones
SCHEMA_VERSION = 1

RECORD_TYPES: dict[str, type[Record]] = {
    cls.__name__: cls for cls in (Dialogue, Utterance, Timeline, TurnEval, DialogueEval)
}

#: stage -> manifest file name in the corpus folder
MANIFESTS: dict[str, str] = {
    "text": "dialogues.jsonl",
    "speech": "utterances.jsonl",
    "duplex": "timelines.jsonl",
    "eval": "eval.jsonl",
}

R = TypeVar("R", bound=Record)


def sanitize_id(raw: str) -> str:
    """Make ``raw`` safe as a file name: letters, digits, ``-``, ``_``, ``.`` only."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in raw.strip())
    safe = safe.lstrip(".")
    if not safe:
        raise ManifestError(f"id {raw!r} has no usable characters for a file name")
    return safe[:120]


def read_manifest_dicts(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream ``(line_number, dict)`` from a JSONL(.gz) manifest (see :func:`iter_jsonl`)."""
    return iter_jsonl(path)


def upgrade_record(data: dict[str, Any]) -> dict[str, Any]:
    """Convert a record from an older schema to the current one (none exist yet)."""
    return data


def read_manifest(path: str | Path, record_type: type[R] | None = None) -> Iterator[R]:
    """Stream records from a manifest, checking each line's ``"type"``.

    :param record_type: the expected record class; ``None`` accepts any known type.
    """
    for lineno, data in read_manifest_dicts(path):
        type_name = data.get("type") or (record_type.__name__ if record_type else None)
        cls = RECORD_TYPES.get(type_name or "")
        if cls is None or (record_type is not None and cls is not record_type):
            want = record_type.__name__ if record_type else "a known record type"
            raise ManifestError(f"{path}:{lineno}: record type {type_name!r} where {want} was expected")
        try:
            yield cls.from_dict(upgrade_record(data))  # type: ignore[misc]
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            raise ManifestError(f"{path}:{lineno}: not a valid {cls.__name__} record ({e})") from None


def _repair_tail(path: Path) -> None:
    """Drop a last line cut short by a killed run (it has no trailing newline)."""
    if path.suffix == ".gz" or not path.is_file() or path.stat().st_size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        if f.read(1) == b"\n":
            return
        data = f.seek(0) or f.read()
        cut = data.rfind(b"\n") + 1
        log.warning("%s: dropping an unfinished last line (%d bytes) left by a killed run", path, len(data) - cut)
        f.truncate(cut)


class ManifestWriter:
    """Append records to a manifest, skipping ids it already holds.

    Like lhotse's ``SequentialJsonlWriter(overwrite=False)``: open it on an existing
    manifest and :meth:`contains` tells which ids a killed run already finished.

    :param key: the record field that identifies a record (``"id"`` or ``"dialogue_id"``).
    """

    def __init__(self, path: str | Path, key: str = "id") -> None:
        self.path = Path(path)
        self.key = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _repair_tail(self.path)
        self.ids: set[str] = set()
        if self.path.is_file():
            self.ids = {str(d.get(key)) for _, d in read_manifest_dicts(self.path)}
        self._file = open_text(self.path, "a")

    def contains(self, record_id: str) -> bool:
        return record_id in self.ids

    def write(self, record: Record) -> None:
        """Append one record as a single line and flush it to disk."""
        data = record.to_dict()
        self._file.write(json.dumps(data, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self.ids.add(str(data.get(self.key)))

    def write_many(self, records: list[Record]) -> None:
        """Append several records in one write, so a dialogue's lines land together."""
        if not records:
            return
        dicts = [r.to_dict() for r in records]
        self._file.write("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts))
        self._file.flush()
        os.fsync(self._file.fileno())
        self.ids.update(str(d.get(self.key)) for d in dicts)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "ManifestWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rewrite_manifest(path: str | Path, replace: dict[str, list[Record]], key: str = "id",
                     drop: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Rewrite a manifest atomically: the lines of each id in ``replace`` give way to its new
    records (in place of the first old line), ids in ``drop`` go. Other lines are kept verbatim."""
    path = Path(path)
    out: list[str] = []
    done: set[str] = set()
    for _, data in read_manifest_dicts(path):
        rid = str(data.get(key))
        if rid in drop:
            continue
        if rid in replace:
            if rid not in done:
                out.extend(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in replace[rid])
                done.add(rid)
            continue
        out.append(json.dumps(data, ensure_ascii=False) + "\n")
    write_text_atomic(path, "".join(out))


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Write pretty JSON atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
