"""Voice banks built from multi-speaker models and folders of clips: one entry per speaker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from corpus_core.errors import ConfigError
from speech.voice_import import voices_from_source, write_voice_bank
from speech.voices import load_voice_bank


def _piper_voice(tmp_path: Path, speakers: dict[str, int]) -> Path:
    onnx = tmp_path / "en_US-libritts_r-medium.onnx"
    onnx.write_bytes(b"not read by the bank builder")
    config = {"audio": {"sample_rate": 22050}, "num_speakers": len(speakers), "speaker_id_map": speakers}
    (tmp_path / (onnx.name + ".json")).write_text(json.dumps(config))
    return onnx


def test_piper_multi_speaker_gives_one_entry_per_speaker_id_with_metadata(tmp_path: Path) -> None:
    onnx = _piper_voice(tmp_path, {"p3922": 1, "p100": 0, "p6/x": 2})
    meta = tmp_path / "speakers.csv"
    meta.write_text("speaker,gender,age_band,accent\np100,F,adult,us\n1,male,,\n")
    voices = voices_from_source(onnx, meta)
    assert [(v.id, v.speaker, v.gender) for v in voices] == [
        ("en_US-libritts_r-medium-p100", "0", "female"), ("en_US-libritts_r-medium-p3922", "1", "male"),
        ("en_US-libritts_r-medium-p6_x", "2", None)]
    assert voices[0].accent == "us" and voices[0].age_band == "adult"
    bank = load_voice_bank(write_voice_bank(voices, tmp_path / "bank.yaml"))
    assert bank["en_US-libritts_r-medium-p3922"].speaker == "1"
    assert bank["en_US-libritts_r-medium-p3922"].model == str(onnx)


def test_clip_folder_gives_cloning_voices_per_clip_and_per_speaker_folder(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    (clips / "ana").mkdir(parents=True)
    tone = (0.1 * np.sin(np.linspace(0, 800, 16000))).astype(np.float32)
    for p in (clips / "ana" / "b.wav", clips / "ana" / "a.wav", clips / "bo.flac"):
        sf.write(p, tone, 16000)
    (clips / "notes.txt").write_text("not audio")
    voices = voices_from_source(clips, model="/models/xtts")
    assert [(v.id, Path(v.speaker_wav).name) for v in voices] == [("ana", "a.wav"), ("bo", "bo.flac")]
    assert all(v.backend == "coqui" and v.model == "/models/xtts" for v in voices)


def test_coqui_model_folder_lists_its_speakers(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_args": {"speakers": ["p225", "p226"]}}))
    assert [v.speaker for v in voices_from_source(tmp_path)] == ["p225", "p226"]
    (tmp_path / "config.json").write_text(json.dumps({"model": "vits"}))
    with pytest.raises(ConfigError, match="lists no speakers"):
        voices_from_source(tmp_path)


def test_bad_metadata_and_sources_say_what_to_fix(tmp_path: Path) -> None:
    onnx = _piper_voice(tmp_path, {"a": 0})
    bad = tmp_path / "m.csv"
    bad.write_text("speaker,gender\na,robot\n")
    with pytest.raises(ConfigError, match="gender 'robot'"):
        voices_from_source(onnx, bad)
    with pytest.raises(ConfigError, match="no speakers found"):
        voices_from_source(tmp_path / "empty") if (tmp_path / "empty").mkdir() is None else None


def test_cli_voices_from_writes_a_bank_and_lists_it(tmp_path: Path) -> None:
    from duplexsynth.cli.main import cli

    onnx = _piper_voice(tmp_path, {"s1": 0, "s2": 1})
    out = tmp_path / "bank.yaml"
    result = CliRunner().invoke(cli, ["voices", "--from", str(onnx), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 voice(s)" in result.output and "en_US-libritts_r-medium-s2" in result.output
    assert set(load_voice_bank(out)) == {"en_US-libritts_r-medium-s1", "en_US-libritts_r-medium-s2"}
