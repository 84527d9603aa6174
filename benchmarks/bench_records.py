"""Records/s of reading manifest records: the old checkers, the one checker, and three libraries.

Issue 27 asked for one validation path for configs and records, chosen on the read time of
100,000 records. Each candidate turns already-parsed JSON dicts (the lines of
``samples/utterances.jsonl`` and ``samples/timelines.jsonl``, repeated) into the record
dataclasses:

* ``old``: ``Record._from_dict`` as it was before the change, loaded from git
  (``OLD_COMMIT``) into a scratch module;
* ``structure``: :mod:`corpus_core.structure`, what ``Record.from_dict`` runs now;
* ``cattrs``: a ``cattrs.Converter`` with strict scalar hooks (``"0"`` is not an int);
* ``dacite``: ``dacite.from_dict`` with ``cast=[tuple]``;
* ``pydantic``: ``TypeAdapter(cls).validate_python`` over the same stdlib dataclasses
  (lax mode: in strict mode a JSON list is no tuple), and ``validate_json(strict=True)``
  on the raw lines, which includes JSON parsing (``json.loads`` alone is timed for that).

A candidate that is not installed is skipped. Before timing, each candidate must give
back the records ``structure`` gives, and it is shown four broken records; the table says
which of them it refuses (``y``) and which it lets through (``-``).

Run: .venv/bin/python benchmarks/bench_records.py [--records 100000] [--timelines 2000]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus_core.record import Record  # noqa: E402
from corpus_core.structure import structure  # noqa: E402
from duplex.records import Timeline  # noqa: E402
from speech.records import Utterance  # noqa: E402

#: the last commit with the two hand-written checkers
OLD_COMMIT = "919e5569821aa091e46203bf193aedf824e475b8"

Reader = Callable[[type, dict[str, Any]], Any]


def _lines(name: str, record_type: type, count: int) -> list[str]:
    """``count`` record lines of the sample manifest ``name``, repeated (GroupEnd markers left out)."""
    rows = [line for line in (ROOT / "samples" / name).read_text(encoding="utf-8").splitlines()
            if json.loads(line)["type"] == record_type.__name__]
    return [rows[i % len(rows)] for i in range(count)]


def old_reader() -> Reader:
    """The pre-change ``Record._from_dict``, run over today's record classes."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{OLD_COMMIT}:corpus_core/record.py"],
                            check=True, capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "old_record.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location("old_record", path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    old_from_dict = vars(module.Record)["_from_dict"].__func__
    # the old _convert recurses through `issubclass(hint, Record)` and `hint._from_dict`:
    # point both at today's classes, in this process only
    module.Record = Record
    Record._from_dict = classmethod(old_from_dict)  # type: ignore[attr-defined]
    return lambda cls, data: cls._from_dict(data, "")


def structure_reader() -> Reader:
    """What ``Record.from_dict`` runs now."""
    return lambda cls, data: structure(cls, data)


def cattrs_reader() -> Reader | None:
    """cattrs with strict scalars; unknown keys are ignored (the ``type`` key would need a hook)."""
    try:
        import cattrs
    except ImportError:
        return None
    conv = cattrs.Converter()

    def strict(tp: type) -> Callable[[Any, type], Any]:
        def hook(value: Any, _: type) -> Any:
            if tp is float and isinstance(value, int) and not isinstance(value, bool):
                return float(value)
            if type(value) is not tp:
                raise TypeError(f"expected {tp.__name__}, found {value!r}")
            return value
        return hook

    for tp in (int, float, str, bool):
        conv.register_structure_hook(tp, strict(tp))
    return lambda cls, data: conv.structure(data, cls)


def dacite_reader() -> Reader | None:
    """dacite with lists cast to tuples (its own type check after the cast)."""
    try:
        import dacite
    except ImportError:
        return None
    config = dacite.Config(cast=[tuple])
    return lambda cls, data: dacite.from_dict(cls, data, config=config)


def pydantic_reader() -> Reader | None:
    """pydantic v2 ``TypeAdapter`` over the stdlib dataclasses, lax mode."""
    try:
        from pydantic import TypeAdapter
    except ImportError:
        return None
    adapters: dict[type, Any] = {}

    def read(cls: type, data: dict[str, Any]) -> Any:
        adapter = adapters.get(cls)
        if adapter is None:
            adapter = adapters[cls] = TypeAdapter(cls)
        return adapter.validate_python(data)
    return read


BROKEN: dict[str, dict[str, Any]] = {
    "duration '2.35'": {"duration": "2.35"},
    "sampling_rate true": {"sampling_rate": True},
    "turn_index 1.5": {"turn_index": 1.5},
    "word start 'x'": {"words": [{"type": "Word", "text": "a", "start": "x", "end": 0.2}]},
}


def refusals(read: Reader, sample: dict[str, Any]) -> str:
    """``y``/``-`` per broken record in :data:`BROKEN`: refused or let through."""
    marks = []
    for change in BROKEN.values():
        try:
            read(Utterance, {**sample, **change})
            marks.append("-")
        except Exception:  # noqa: BLE001 - each library raises its own kind
            marks.append("y")
    return "".join(marks)


def time_reader(read: Reader, rows: list[tuple[type, dict[str, Any]]]) -> float:
    """Records per second of ``read`` over ``rows`` (best of two passes)."""
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        for cls, data in rows:
            read(cls, data)
        best = min(best, time.perf_counter() - start)
    return len(rows) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000, help="Utterance records to read")
    parser.add_argument("--timelines", type=int, default=2_000, help="Timeline records to read (each is big)")
    args = parser.parse_args()
    utt_lines = _lines("utterances.jsonl", Utterance, args.records)
    tl_lines = _lines("timelines.jsonl", Timeline, args.timelines)
    utts = [(Utterance, json.loads(line)) for line in utt_lines]
    tls = [(Timeline, json.loads(line)) for line in tl_lines]
    expected = [structure(cls, d) for cls, d in utts[:200] + tls[:6]]
    candidates: dict[str, Reader | None] = {
        "old": old_reader(), "structure": structure_reader(), "cattrs": cattrs_reader(),
        "dacite": dacite_reader(), "pydantic": pydantic_reader(),
    }
    start = time.perf_counter()
    for line in utt_lines:
        json.loads(line)
    parse_rate = len(utt_lines) / (time.perf_counter() - start)
    print(f"{len(utts)} Utterance and {len(tls)} Timeline records (dicts parsed beforehand); "
          f"json.loads alone: {parse_rate:,.0f} Utterance lines/s")
    print(f"refused = {', '.join(BROKEN)}")
    print(f"{'candidate':<22}{'Utterance/s':>14}{'Timeline/s':>12}  same records  refused")
    for name, read in candidates.items():
        if read is None:
            print(f"{name:<22}{'not installed':>14}")
            continue
        same = [read(cls, d) for cls, d in utts[:200] + tls[:6]] == expected
        print(f"{name:<22}{time_reader(read, utts):>14,.0f}{time_reader(read, tls):>12,.0f}  "
              f"{'yes' if same else 'NO':<12}  {refusals(read, utts[0][1])}")
    try:
        from pydantic import TypeAdapter
    except ImportError:
        return
    adapter = TypeAdapter(Utterance)
    tl_adapter = TypeAdapter(Timeline)
    same = [adapter.validate_json(line, strict=True) for line in utt_lines[:200]] == expected[:200]
    start = time.perf_counter()
    for line in utt_lines:
        adapter.validate_json(line, strict=True)
    utt_rate = len(utt_lines) / (time.perf_counter() - start)
    start = time.perf_counter()
    for line in tl_lines:
        tl_adapter.validate_json(line, strict=True)
    tl_rate = len(tl_lines) / (time.perf_counter() - start)
    print(f"{'pydantic json, strict':<22}{utt_rate:>14,.0f}{tl_rate:>12,.0f}  {'yes' if same else 'NO':<12}  "
          f"(includes parsing the line; structure + json.loads: "
          f"{1 / (1 / parse_rate + 1 / time_reader(structure_reader(), utts)):,.0f}/s)")


if __name__ == "__main__":
    main()
