"""Importers: plain transcripts, JSONL (records or turn lines) and Schema-Guided Dialogue JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_core.errors import ConfigError, DuplexsynthError
from text_dialogue.importers import detect_format, import_dialogues
from text_dialogue.records import Dialogue, Turn


def test_plain_transcript_with_names_and_continuations(tmp_path: Path) -> None:
    path = tmp_path / "calls.txt"
    path.write_text(
        "Maya: Hi, I'd like a table.\nJames: Sure, for when?\n  Any day works.\nMaya: Friday at 7:30.\n"
        "\n---\nA: Hello.\nB: Hi there.\n"
    )
    dialogues = import_dialogues(path)
    assert [len(d.turns) for d in dialogues] == [3, 2]
    first = dialogues[0]
    assert [t.speaker for t in first.turns] == ["A", "B", "A"]
    assert first.turns[1].text == "Sure, for when? Any day works."
    assert first.turns[2].text == "Friday at 7:30."
    assert first.meta["speaker_labels"] == {"A": "Maya", "B": "James"}
    assert first.end_reason == "imported"


def test_transcript_with_a_third_speaker_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "three.txt"
    path.write_text("A: one\nB: two\nC: three\n")
    with pytest.raises(ConfigError, match="third speaker"):
        import_dialogues(path)


def test_jsonl_turn_lines_and_records(tmp_path: Path) -> None:
    turns = tmp_path / "turns.jsonl"
    rows = [{"dialogue_id": "x1", "speaker": "user", "text": "Hi"},
            {"dialogue_id": "x1", "speaker": "agent", "text": "Hello, how can I help?"},
            {"dialogue_id": "x2", "speaker": "agent", "text": "Good morning."}]
    turns.write_text("\n".join(json.dumps(r) for r in rows))
    got = {d.id: d for d in import_dialogues(turns)}
    assert [t.speaker for t in got["x1"].turns] == ["A", "B"]
    assert got["x2"].turns[0].text == "Good morning."

    record = Dialogue(id="r1", turns=(Turn(index=0, speaker="A", text="Hi"), Turn(index=1, speaker="B", text="Yo")))
    records = tmp_path / "dialogues.jsonl"
    records.write_text(json.dumps(record.to_dict()) + "\n")
    assert import_dialogues(records) == [record]


def test_sgd_json(tmp_path: Path) -> None:
    path = tmp_path / "dialogues_001.json"
    data = [{"dialogue_id": "1_00000", "services": ["Restaurants_1"], "turns": [
        {"speaker": "USER", "utterance": "I want to eat Italian food.", "frames": []},
        {"speaker": "SYSTEM", "utterance": "In which city?", "frames": []},
        {"speaker": "USER", "utterance": "San Jose.", "frames": []}]}]
    path.write_text(json.dumps(data))
    assert detect_format(path) == "sgd"
    (d,) = import_dialogues(path)
    assert d.id == "1_00000"
    assert [t.speaker for t in d.turns] == ["A", "B", "A"]
    assert d.turns[1].text == "In which city?"
    assert d.meta["services"] == ["Restaurants_1"]


def test_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"speaker": "A", "text": "hi"}\n{oops\n')
    with pytest.raises(DuplexsynthError, match="bad.jsonl:2"):
        import_dialogues(bad)
    with pytest.raises(ConfigError, match="no such file"):
        import_dialogues(tmp_path / "missing.txt")
