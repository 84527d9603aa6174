"""export_corpus itself: manifest reading, partial failures, interrupted runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from corpus_core.errors import ConfigError, DuplexsynthError, UnknownBackend
from duplex.exports import ExportError, available_exporters, segment_words
from duplex.records import Segment
from duplexsynth.exporting import count_dialogues, export_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import dialogue_one, make_corpus  # noqa: E402


def test_a_line_cut_short_by_a_killed_run_is_skipped(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    manifest = root / "timelines.jsonl"
    manifest.write_text(manifest.read_text() + '{"type": "Timeline", "id": "dlg-3", "dura')
    out = export_corpus(root, ["rttm"])
    assert sorted(p.name for p in out["rttm"].glob("*.rttm")) == ["all.rttm", "dlg-1.rttm", "dlg-2.rttm"]


def test_a_corrupt_line_names_file_and_line(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    manifest = root / "timelines.jsonl"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join([lines[0], "{not json", lines[1]]) + "\n")
    with pytest.raises(ExportError, match=r"timelines.jsonl:2: not valid JSON"):
        export_corpus(root, ["stm"])
    manifest.write_text("\n".join([lines[0], '{"type": "Utterance", "id": "x"}']) + "\n")
    with pytest.raises(ExportError, match=r"timelines.jsonl:2: record type .Utterance. where Timeline was expected"):
        export_corpus(root, ["stm"])


def test_unknown_format_and_bad_options_are_config_errors(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    with pytest.raises(UnknownBackend, match="textgrid"):
        export_corpus(root, ["kaldi"])
    with pytest.raises(ConfigError, match="frame_rate"):
        export_corpus(root, ["streams"], {"streams": {"frame_rate": 0}})
    with pytest.raises(ConfigError, match="no option"):
        export_corpus(root, ["rttm"], {"rttm": {"colour": "red"}})
    with pytest.raises(ConfigError, match="main_speaker"):
        export_corpus(root, ["moshi"], {"moshi": {"main_speaker": "C"}})
    assert issubclass(ExportError, DuplexsynthError)


def test_partial_failure_keeps_the_rest_and_reports(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    (root / "audio/duplex/dlg-1.flac").unlink()
    with pytest.raises(ExportError) as info:
        export_corpus(root, ["moshi", "lhotse", "ctm"])
    assert sorted(info.value.outputs) == ["ctm", "lhotse", "moshi"]
    assert sorted((f, d) for f, d, _ in info.value.failures) == [("lhotse", "dlg-1"), ("moshi", "dlg-1")]
    assert (root / "exports/moshi/moshi.jsonl").read_text().count("\n") == 1
    assert "dlg-1 " in (root / "exports/ctm/A.ctm").read_text()


def test_an_interrupted_export_leaves_no_half_files(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)

    def stop(_: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        export_corpus(root, available_exporters(), on_dialogue=stop)
    leftovers = [p.name for p in (root / "exports").rglob(".*")]
    assert leftovers == []
    for name in ("rttm/all.rttm", "stm/all.stm", "ctm/A.ctm", "moshi/moshi.jsonl", "streams/index.jsonl",
                 "lhotse/recordings.jsonl.gz"):
        assert not (root / "exports" / name).exists()
    assert count_dialogues(root) == 2


def test_segment_words_clip_the_cut_and_estimate_missing_times() -> None:
    cut = dialogue_one().segments[3]
    assert [(w.text, w.end) for w in segment_words(cut)][-1] == ("you", 4.6)
    bare = Segment(channel=0, speaker="A", start=1.0, end=2.0, text="a bb ccc")
    words = segment_words(bare)
    assert [w.text for w in words] == ["a", "bb", "ccc"]
    assert words[0].start == 1.0 and words[-1].end == 2.0
    assert all(a.end == pytest.approx(b.start) for a, b in zip(words, words[1:]))


def test_importing_the_exports_loads_no_heavy_engine() -> None:
    import subprocess

    code = ("import sys, duplex.exports; heavy = {'lhotse', 'torch', 'praatio', 'meeteval', 'sphn'} & set(sys.modules); "
            "print(sorted(heavy)); sys.exit(bool(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
