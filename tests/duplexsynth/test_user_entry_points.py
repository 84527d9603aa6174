"""Users enter with their own text: import a transcript, speak it in two voice casts, render it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from corpus_core import read_manifest
from duplex.records import Timeline
from duplexsynth.cli.main import cli
from speech.audio import read_audio
from speech.records import Utterance
from text_dialogue.records import Dialogue

TRANSCRIPT = """A: Hello, is this the front desk?
B: Yes it is. How can I help you today?
A: My room key stopped working.
B: No problem, I will make you a new one.
"""


def test_import_speak_variants_and_render(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    source = tmp_path / "mine.txt"
    source.write_text(TRANSCRIPT)
    runner = CliRunner()
    result = runner.invoke(cli, ["text", str(corpus), "--import", str(source)])
    assert result.exit_code == 0, result.output
    (dialogue,) = read_manifest(corpus / "dialogues.jsonl", Dialogue)
    assert [t.speaker for t in dialogue.turns] == ["A", "B", "A", "B"]
    assert dialogue.turns[2].text == "My room key stopped working."

    result = runner.invoke(cli, ["speak", str(corpus), "--variants", "2"])
    assert result.exit_code == 0, result.output
    utts = [u for u in read_manifest(corpus / "utterances.jsonl", Utterance) if u.kind == "turn"]
    variants = sorted({u.dialogue_id for u in utts})
    assert variants == [f"{dialogue.id}-v0", f"{dialogue.id}-v1"]
    assert all(u.source_dialogue_id == dialogue.id for u in utts)
    casts = {v: {u.speaker: u.voice for u in utts if u.dialogue_id == v} for v in variants}
    assert casts[variants[0]] != casts[variants[1]]
    assert all(c["A"] != c["B"] for c in casts.values())

    result = runner.invoke(cli, ["duplex", str(corpus)])
    assert result.exit_code == 0, result.output
    timelines = list(read_manifest(corpus / "timelines.jsonl", Timeline))
    assert sorted(t.id for t in timelines) == variants
    for t in timelines:
        stereo, sr = read_audio(corpus / t.audio_path)
        assert stereo.shape == (round(t.duration * sr), 2)
        assert (corpus / "transcripts" / f"{t.id}.txt").read_text().count("My room key stopped working.") == 1
    meta = json.loads((corpus / "meta.json").read_text())
    assert meta["config"]["variants"] == 2 and meta["stages"]["text"]["imported"] is True


def test_speak_from_a_dialogue_jsonl_copies_the_text_into_the_corpus(tmp_path: Path) -> None:
    from text_dialogue.records import Turn

    mine = tmp_path / "mine.jsonl"
    dialogue = Dialogue(id="own-1", turns=(Turn(0, "A", "Good morning."), Turn(1, "B", "Morning to you too.")))
    mine.write_text(json.dumps(dialogue.to_dict()) + "\n")
    corpus = tmp_path / "corpus"
    result = CliRunner().invoke(cli, ["speak", str(corpus), "--input", str(mine)])
    assert result.exit_code == 0, result.output
    assert list(read_manifest(corpus / "dialogues.jsonl", Dialogue)) == [dialogue]
    assert {u.dialogue_id for u in read_manifest(corpus / "utterances.jsonl", Utterance)} == {"own-1"}
