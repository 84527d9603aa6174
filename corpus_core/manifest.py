"""JSONL manifests: the one place they are read and written (like ``lhotse/serialization.py``).

A manifest line is one record with a ``"type"`` key. Writers append the lines of one
unit of work (a dialogue) in a single write followed by a ``GroupEnd`` line that counts
them, then ``fsync``. When a manifest is opened for writing again, anything after the
last ``GroupEnd`` (a group a killed run left half written) is cut off, so a dialogue
counts as done only when all its lines are there. Readers skip the ``GroupEnd`` lines.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator, TypeVar

from corpus_core.atomic import atomic_path
from corpus_core.errors import ManifestError
from corpus_core.record import Record, record_types

__all__ = [
    "SCHEMA_VERSION", "GROUP_END", "open_text", "iter_jsonl", "read_manifest", "iter_groups", "ManifestWriter",
    "rewrite_manifest", "upgrade_record", "check_schema_version",
]

log = logging.getLogger(__name__)

#: bump when a record's fields change meaning; :func:`upgrade_record` converts old ones
SCHEMA_VERSION = 1
#: ``type`` of the line that closes a group of lines written together
GROUP_END = "GroupEnd"

R = TypeVar("R", bound=Record)


def open_text(path: Path, mode: str) -> IO[str]:
    """Open a text file, gzip-compressed when its name ends in ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def iter_jsonl(path: str | Path, strict: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every record line of a JSONL(.gz) manifest, streamed.

    ``GroupEnd`` lines are skipped. A last line with no newline that is not valid JSON
    was cut short by a killed run: it is skipped with a warning.

    :param strict: a cut-off last line is an error too (for a user's own files).

    :raises ManifestError: naming the file and line of anything else that is not a JSON object.
    """
    path = Path(path)
    if path.is_dir():
        raise ManifestError(f"{path} is a folder; give a JSONL manifest file")
    if not path.is_file():
        raise ManifestError(f"manifest {path} does not exist; run the previous stage first or pass a file")
    try:
        with open_text(path, "r") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as e:
                    if not line.endswith("\n") and not strict:
                        log.warning("%s:%d: skipping an unfinished last line left by a killed run", path, lineno)
                        return
                    cut = "" if line.endswith("\n") else ", the line looks cut off"
                    raise ManifestError(f"{path}:{lineno}: not valid JSON ({e.msg}{cut}); "
                                        f"fix or delete that line") from None
                if not isinstance(data, dict):
                    raise ManifestError(f"{path}:{lineno}: expected a JSON object, got {type(data).__name__}")
                if data.get("type") == GROUP_END:
                    continue
                yield lineno, data
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason}); save it as UTF-8") from None
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise ManifestError(f"{path}: cannot be read ({e})") from None


def upgrade_record(data: dict[str, Any], schema_version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """Convert a record written under ``schema_version`` to the current schema.

    Version 1 is the first; later versions add their conversions here, in order.
    """
    return data


def check_schema_version(found: Any, where: str) -> int:
    """The corpus's schema version, refusing one this package cannot read.

    :raises ManifestError: for a newer or malformed version.
    """
    if found is None:
        return SCHEMA_VERSION
    if not isinstance(found, int) or isinstance(found, bool) or found < 1:
        raise ManifestError(f"{where}: schema_version {found!r} is not a positive integer")
    if found > SCHEMA_VERSION:
        raise ManifestError(f"{where}: schema_version {found} was written by a newer duplexsynth "
                            f"(this one reads up to {SCHEMA_VERSION}); upgrade duplexsynth")
    if found < SCHEMA_VERSION:
        log.warning("%s: schema_version %d is older than %d; records are converted on read",
                    where, found, SCHEMA_VERSION)
    return found


def read_manifest(path: str | Path, record_type: type[R] | None = None,
                 schema_version: int = SCHEMA_VERSION) -> Iterator[R]:
    """Stream records from a manifest, checking each line's ``"type"`` and field types.

    :param record_type: the expected record class; ``None`` accepts any registered type.
    :raises ManifestError: ``file:line: field ...`` for the first line that does not fit.
    """
    known = record_types()
    for lineno, data in iter_jsonl(path):
        type_name = data.get("type") or (record_type.__name__ if record_type else None)
        cls = known.get(type_name) if isinstance(type_name, str) else None
        if cls is None or (record_type is not None and cls is not record_type):
            want = record_type.__name__ if record_type else "a known record type"
            raise ManifestError(f"{path}:{lineno}: record type {type_name!r} where {want} was expected")
        try:
            yield cls.from_dict(upgrade_record(data, schema_version))  # type: ignore[misc]
        except ManifestError as e:
            raise ManifestError(f"{path}:{lineno}: {e}") from None


def iter_groups(records: Iterable[R], key: Callable[[R], str], where: str = "manifest") -> Iterator[tuple[str, list[R]]]:
    """``(key, records)`` for each run of consecutive records with the same key, streamed.

    The stages write each dialogue's records together, so a manifest holds each key's
    records in one run; only that run is held in memory.

    :raises ManifestError: when a key comes back after other keys (an edited or
        concatenated manifest), naming it.
    """
    seen: set[str] = set()
    group: list[R] = []
    current: str | None = None
    for record in records:
        k = key(record)
        if k != current:
            if group:
                yield current, group  # type: ignore[misc]
            if k in seen:
                raise ManifestError(f"{where}: the records of {k!r} are not together (they come back after "
                                    f"other ids); keep each id's lines in one block")
            seen.add(k)
            group, current = [], k
        group.append(record)
    if group:
        yield current, group  # type: ignore[misc]


def _cut_unfinished_group(path: Path) -> None:
    """Cut off lines after the last ``GroupEnd`` (a group a killed run did not finish).

    Manifests written before group markers existed have none: there only a last line
    without a newline is cut.
    """
    if path.suffix == ".gz" or not path.is_file() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    marker = b'"type": "' + GROUP_END.encode() + b'"'
    end = data.rfind(marker)
    if end >= 0:
        cut = data.find(b"\n", end) + 1 or len(data)
    else:
        cut = data.rfind(b"\n") + 1
    if cut < len(data):
        log.warning("%s: dropping %d bytes of an unfinished group left by a killed run", path, len(data) - cut)
        with open(path, "rb+") as f:
            f.truncate(cut)
            os.fsync(f.fileno())


class ManifestWriter:
    """Append records to a manifest, skipping ids it already holds.

    Like lhotse's ``SequentialJsonlWriter(overwrite=False)``: open it on an existing
    manifest and :meth:`contains` tells which ids a killed run already finished.

    :param key: the record field that identifies a group (``"id"`` or ``"dialogue_id"``).
    """

    def __init__(self, path: str | Path, key: str = "id") -> None:
        self.path = Path(path)
        self.key = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _cut_unfinished_group(self.path)
        self.ids: set[str] = set()
        if self.path.is_file():
            self.ids = {str(d.get(key)) for _, d in iter_jsonl(self.path)}
        self._file = open_text(self.path, "a")

    def contains(self, record_id: str) -> bool:
        """Whether a group with this id is already complete in the manifest."""
        return record_id in self.ids

    def write(self, record: Record) -> None:
        """Append one record as a group of one."""
        self.write_many([record])

    def write_many(self, records: Iterable[Record]) -> None:
        """Append records as one group in one write, closed by a ``GroupEnd`` line, then fsync."""
        dicts = [r.to_dict() for r in records]
        if not dicts:
            return
        key = str(dicts[0].get(self.key))
        lines = [json.dumps(d, ensure_ascii=False) + "\n" for d in dicts]
        lines.append(json.dumps({"type": GROUP_END, "key": key, "lines": len(dicts)}) + "\n")
        self._file.write("".join(lines))
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
                     drop: frozenset[str] | set[str] = frozenset()) -> None:
    """Rewrite a manifest atomically, streaming: the lines of each id in ``replace`` give way
    to its new records (where its first old line was), ids in ``drop`` go, other lines stay.

    Use it for a batch of changes at once: it costs one pass over the file.
    """
    path = Path(path)
    done: set[str] = set()
    with atomic_path(path) as tmp, open_text(tmp, "w") as out:
        group: list[str] = []
        group_key: str | None = None

        def flush() -> None:
            if group:
                out.write("".join(group) + json.dumps({"type": GROUP_END, "key": group_key,
                                                       "lines": len(group)}) + "\n")
            group.clear()

        for _, data in iter_jsonl(path):
            rid = str(data.get(key))
            if rid != group_key:
                flush()
                group_key = rid
            if rid in drop:
                continue
            if rid in replace:
                if rid not in done:
                    group.extend(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in replace[rid])
                    done.add(rid)
                continue
            group.append(json.dumps(data, ensure_ascii=False) + "\n")
        flush()
