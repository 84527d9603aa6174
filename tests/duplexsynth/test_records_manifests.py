"""Records survive writing and reading back; manifests resume and name bad lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_core import ManifestWriter, read_manifest, sanitize_id
from corpus_core.errors import ManifestError
from duplex.records import Event, Segment, Timeline
from eval.records import DialogueEval, TurnEval
from speech.records import Utterance, Word
from text_dialogue.records import Dialogue, Persona, Turn


def _dialogue(did: str = "d1") -> Dialogue:
    return Dialogue(
        id=did, scenario="booking", goal="book",
        turns=(Turn(0, "A", "Hello there."), Turn(1, "B", "Hi, um, how can I help?",
                                                    disfluencies=({"kind": "filler", "text": "um"},))),
        personas={"A": Persona("Maya", "caller", "female", "adult", traits=("busy",)),
                  "B": Persona("Leo", "host", "male", "senior")},
        seed=7, end_reason="max_turns", meta={"rejected_turns": {"repeat": 2}},
    )


def _timeline() -> Timeline:
    return Timeline(
        id="d1", duration=3.0, sampling_rate=24000, audio_path="audio/duplex/d1.flac",
        segments=(
            Segment(0, "A", 0.3, 1.5, "Hello there.", words=(Word("Hello", 0.3, 0.8), Word("there.", 0.8, 1.5)),
                    turn_index=0, utterance_id="d1-000"),
            Segment(1, "B", 1.2, 2.8, "Hi.", turn_index=1, interrupted=True, source_end=1.6),
        ),
        events=(Event("overlap", 1.2, 1.5, "B"),),
    )


@pytest.mark.parametrize("record", [
    _dialogue(),
    Utterance("d1-000", "d1", 0, "A", "joe", "Hello there.", "audio/d1/d1-000.flac", 1.2, 24000,
              words=(Word("Hello", 0.0, 0.4),), word_times="engine"),
    _timeline(),
    TurnEval("d1", 0, "A", 0, "turn", 0.3, 1.5, "Hello there.", "hello there", 0.0, 0.0, 2, 0),
    DialogueEval("d1", 0.1, 0.05, 10, 1, channel_wer={"A": 0.0, "B": 0.2}, metrics={"x": 1.0}),
])
def test_record_round_trip_through_manifest(tmp_path: Path, record) -> None:
    path = tmp_path / "m.jsonl"
    key = "dialogue_id" if hasattr(record, "dialogue_id") and not isinstance(record, Utterance) else "id"
    with ManifestWriter(path, key=key) as w:
        w.write(record)
    line = json.loads(path.read_text().splitlines()[0])
    assert line["type"] == type(record).__name__
    assert "None" not in path.read_text() and "null" not in path.read_text()
    (back,) = list(read_manifest(path, type(record)))
    assert back == record


def test_timeline_allows_overlapping_channels() -> None:
    tl = _timeline()
    a, b = tl.channel_segments(0), tl.channel_segments(1)
    assert a[0].end > b[0].start  # the two channels overlap in time
    assert a[0].duration == pytest.approx(1.2)


def test_writer_skips_finished_ids_and_repairs_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.jsonl"
    with ManifestWriter(path) as w:
        w.write(_dialogue("d1"))
    with open(path, "a") as f:  # a killed run left half a line
        f.write('{"type": "Dialogue", "id": "d2", "tur')
    with ManifestWriter(path) as w:
        assert w.contains("d1") and not w.contains("d2")
        w.write(_dialogue("d2"))
    assert [d.id for d in read_manifest(path, Dialogue)] == ["d1", "d2"]


def test_corrupt_manifest_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.jsonl"
    path.write_text(json.dumps(_dialogue().to_dict()) + "\n{not json}\n")
    with pytest.raises(ManifestError, match=r"dialogues.jsonl:2"):
        list(read_manifest(path, Dialogue))


def test_wrong_record_type_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(_timeline().to_dict()) + "\n")
    with pytest.raises(ManifestError, match="Timeline"):
        list(read_manifest(path, Dialogue))


def test_sanitize_id() -> None:
    assert sanitize_id("../a b/c") == "a_b_c"
    with pytest.raises(ManifestError):
        sanitize_id("...")


def test_required_field_that_is_none_survives_the_round_trip(tmp_path: Path) -> None:
    bc = TurnEval("d1", 1, "B", None, "backchannel", 1.0, 1.3, "yeah", "yeah", 0.0, 0.0, 1, 0)
    assert "turn_index" not in bc.to_dict()
    path = tmp_path / "eval.jsonl"
    with ManifestWriter(path, key="dialogue_id") as w:
        w.write(bc)
    assert list(read_manifest(path, TurnEval)) == [bc]


def test_reader_skips_a_last_line_cut_short_by_a_killed_run(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.jsonl"
    path.write_text(json.dumps(_dialogue("d1").to_dict()) + '\n{"type": "Dialogue", "id": "d2", "tur')
    assert [d.id for d in read_manifest(path, Dialogue)] == ["d1"]


def test_iter_groups_streams_consecutive_runs_and_names_a_split_id(tmp_path: Path) -> None:
    from corpus_core import iter_groups

    rows = [{"d": "a", "i": 0}, {"d": "a", "i": 1}, {"d": "b", "i": 0}, {"d": "c", "i": 0}, {"d": "c", "i": 1}]
    groups = iter_groups(iter(rows), lambda r: r["d"])
    first = next(groups)  # the first group comes before the rest is read: a stream, not a load
    assert first == ("a", rows[:2])
    assert [(k, [r["i"] for r in g]) for k, g in groups] == [("b", [0]), ("c", [0, 1])]
    split = [*rows, {"d": "a", "i": 2}]
    with pytest.raises(ManifestError, match="'a'.*not together"):
        list(iter_groups(iter(split), lambda r: r["d"], "utterances.jsonl"))
