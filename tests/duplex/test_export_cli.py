"""The ``duplexsynth export`` command, invoked through click's CliRunner."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from click.testing import CliRunner

from duplexsynth.cli.export import export

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import dialogue_one, dialogue_two, make_corpus  # noqa: E402


def test_export_writes_each_format_and_says_where(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    result = CliRunner().invoke(export, ["--format", "rttm", "--format", "streams", "--chunk-ms", "200",
                                         "--frame-rate", "25", str(root)])
    assert result.exit_code == 0, result.output
    assert f"rttm: {root / 'exports/rttm'}" in result.output
    assert f"streams: {root / 'exports/streams'}" in result.output
    index = [json.loads(x) for x in (root / "exports/streams/index.jsonl").read_text().splitlines()]
    assert [(x["frame_rate"], x["chunk_ms"]) for x in index] == [(25.0, 200.0), (25.0, 200.0)]
    assert not (root / "exports/moshi").exists()


def test_export_all_and_moshi_options(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    result = CliRunner().invoke(export, ["-f", "all", "--main-speaker", "B", "--no-backchannels", str(root)])
    assert result.exit_code == 0, result.output
    for name in ("ctm", "lhotse", "moshi", "rttm", "stm", "streams", "textgrid"):
        assert (root / "exports" / name).is_dir() and f"{name}: " in result.output
    rttm = (root / "exports/rttm/dlg-1.rttm").read_text()
    assert " 1.000 0.400 " not in rttm and rttm.count("SPEAKER") == 4  # the backchannel is left out
    alignments = json.loads((root / "exports/moshi/data_stereo/dlg-2.json").read_text())["alignments"]
    assert [w for w, _, spk in alignments if spk == "SPEAKER_MAIN"] == ["morning", "to", "you"]


def test_missing_corpus_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(export, ["--format", "rttm", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "does not exist" in result.output and "nope" in result.output


def test_missing_timelines_says_which_stage_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(export, ["--format", "ctm", str(tmp_path)])
    assert result.exit_code == 2
    assert "timelines.jsonl" in result.output and "duplexsynth duplex" in result.output


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(export, ["--format", "kaldi", str(make_corpus(tmp_path))])
    assert result.exit_code == 2 and "kaldi" in result.output and "textgrid" in result.output


def test_a_dialogue_without_audio_fails_alone(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    (root / str(dialogue_two().audio_path)).unlink()
    result = CliRunner().invoke(export, ["-f", "streams", "-f", "stm", str(root)])
    assert result.exit_code == 1
    assert "failed: streams dlg-2" in result.output and "re-run the duplex stage" in result.output
    index = [json.loads(x)["id"] for x in (root / "exports/streams/index.jsonl").read_text().splitlines()]
    assert index == [dialogue_one().id]
    stm = (root / "exports/stm/all.stm").read_text()
    assert "dlg-2 " in stm  # text formats need no audio and still export it


def test_export_nemo_duplex_options(tmp_path: Path) -> None:
    import lhotse

    root = make_corpus(tmp_path)
    result = CliRunner().invoke(export, ["-f", "nemo-duplex", "--main-speaker", "B", "--target-rate", "24000",
                                         "--max-duration", "2.5", "--shar", str(root)])
    assert result.exit_code == 0, result.output
    out = root / "exports/nemo-duplex"
    cuts = lhotse.CutSet.from_file(out / "cuts.jsonl.gz").to_eager()
    assert sorted(cuts.ids) == ["dlg-1_agentB_w000", "dlg-1_agentB_w001", "dlg-2_agentB"]
    assert {c.custom["target_audio"].sampling_rate for c in cuts} == {24000}
    assert max(c.duration for c in cuts if c.id != "dlg-1_agentB_w000") <= 2.5  # w000 is one 3.3 s stretch
    assert (out / "shar/recording.000000.tar").is_file()
    bad = CliRunner().invoke(export, ["-f", "nemo-duplex", "--max-duration", "0", str(root)])
    assert bad.exit_code != 0 and "--max-duration" in bad.output


def test_no_backchannels_reaches_every_text_format(tmp_path: Path) -> None:
    """dlg-1's backchannel ("uh-huh", B, 1.0-1.4 s) leaves every format's text; its audio stays."""
    import gzip

    root = make_corpus(tmp_path)
    result = CliRunner().invoke(export, ["-f", "all", "--no-backchannels", str(root)])
    assert result.exit_code == 0, result.output
    alignments = json.loads((root / "exports/moshi/data_stereo/dlg-1.json").read_text())["alignments"]
    assert "uh-huh" not in [w for w, _, _ in alignments] and "fine" in [w for w, _, _ in alignments]
    with gzip.open(root / "exports/lhotse/supervisions.jsonl.gz", "rt") as f:
        sups = [json.loads(line) for line in f]
    assert {s["custom"]["kind"] for s in sups} == {"turn"} and len(sups) == 6
    with gzip.open(root / "exports/nemo-duplex/cuts.jsonl.gz", "rt") as f:
        texts = [s["text"] for cut in map(json.loads, f) for s in cut["supervisions"]]
    assert "uh-huh" not in texts and "fine thanks and you" in texts
    assert "uh-huh" not in (root / "exports/textgrid/dlg-1.TextGrid").read_text()
    # without the flag the backchannel is in all of them
    result = CliRunner().invoke(export, ["-f", "moshi", "-f", "textgrid", str(root)])
    assert result.exit_code == 0, result.output
    assert "uh-huh" in (root / "exports/moshi/data_stereo/dlg-1.json").read_text()
    assert "uh-huh" in (root / "exports/textgrid/dlg-1.TextGrid").read_text()


def test_re_export_removes_files_of_dialogues_no_longer_in_the_corpus(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    formats = ["-f", "moshi", "-f", "nemo-duplex", "-f", "textgrid", "-f", "streams"]
    assert CliRunner().invoke(export, [*formats, str(root)]).exit_code == 0
    exports = root / "exports"
    before = {p.relative_to(exports).as_posix() for p in exports.rglob("*") if p.is_file()}
    assert {"moshi/data_stereo/dlg-2.wav", "textgrid/dlg-2.TextGrid", "streams/dlg-2.frames.json",
            "nemo-duplex/audio/dlg-2_agentA.user.flac"} <= before
    # dlg-2 is dropped from the corpus (a gate drop, a merge that left it out): re-export
    manifest = root / "timelines.jsonl"
    manifest.write_text(manifest.read_text().splitlines()[0] + "\n", encoding="utf-8")
    unrelated = exports / "moshi" / "notes.txt"
    unrelated.write_text("mine", encoding="utf-8")
    assert CliRunner().invoke(export, [*formats, str(root)]).exit_code == 0
    after = {p.relative_to(exports).as_posix() for p in exports.rglob("*") if p.is_file()}
    assert not [p for p in after if "dlg-2" in p], after
    assert {p for p in before if "dlg-1" in p} <= after and unrelated.read_text() == "mine"
    moshi = [json.loads(x)["path"] for x in (exports / "moshi/moshi.jsonl").read_text().splitlines()]
    assert moshi == ["data_stereo/dlg-1.wav"]
