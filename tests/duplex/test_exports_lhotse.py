"""The lhotse export, loaded by lhotse itself: recordings, supervisions, cuts, audio."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from _require import require

from duplexsynth.exporting import export_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import audible_words, dialogue_one, make_corpus, source_audio  # noqa: E402

lhotse = require("lhotse")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("lhotse_corpus"))
    export_corpus(root, ["lhotse"])
    return root


def test_recordings_are_stereo_and_read_back_the_source(corpus: Path) -> None:
    recordings = lhotse.RecordingSet.from_file(corpus / "exports/lhotse/recordings.jsonl.gz").to_eager()
    assert sorted(recordings.ids) == ["dlg-1", "dlg-2"]
    rec = recordings["dlg-1"]
    assert rec.channel_ids == [0, 1] and rec.sampling_rate == 16000 and rec.num_samples == 96000
    source, _ = source_audio(corpus, dialogue_one())
    np.testing.assert_allclose(rec.load_audio(), source.T, atol=1e-6)


def test_supervisions_carry_channel_speaker_and_words(corpus: Path) -> None:
    sups = lhotse.SupervisionSet.from_file(corpus / "exports/lhotse/supervisions.jsonl.gz")
    mine = sorted((s for s in sups if s.recording_id == "dlg-1"), key=lambda s: s.start)
    timeline = dialogue_one()
    assert [(s.channel, s.speaker, s.start, s.end) for s in mine] == [
        (seg.channel, seg.speaker, seg.start, seg.end) for seg in sorted(timeline.segments, key=lambda s: s.start)
    ]
    assert [s.custom["kind"] for s in mine] == ["turn", "backchannel", "turn", "turn", "turn"]
    interrupted = mine[3]
    assert interrupted.custom["interrupted"] is True and interrupted.text == "let me tell you"
    for speaker in "AB":
        words = [(a.symbol, a.start, round(a.end, 4)) for s in mine if s.speaker == speaker
                 for a in s.alignment["word"]]
        assert words == audible_words(timeline, speaker)


def test_cuts_overlap_across_channels_and_trim_per_channel(corpus: Path) -> None:
    cuts = lhotse.CutSet.from_file(corpus / "exports/lhotse/cuts.jsonl.gz")
    cut = next(c for c in cuts if c.recording_id == "dlg-1")
    assert cut.channel == [0, 1] and len(cut.supervisions) == 5
    source, sr = source_audio(corpus, dialogue_one())
    # per channel, as lhotse 1.33 needs for cross-channel overlaps
    checked = 0
    for mono in cut.to_mono(mono_downmix=False):
        for seg_cut in mono.trim_to_supervisions(keep_overlapping=False):
            sup = seg_cut.supervisions[0]
            audio = seg_cut.load_audio()[0]
            a = round(seg_cut.start * sr)
            assert abs(len(audio) - round(sup.duration * sr)) <= 1
            np.testing.assert_allclose(audio, source[a : a + len(audio), sup.channel], atol=1e-6)
            assert seg_cut.channel == sup.channel
            # the channel's tone is there; the other channel is not mixed in
            assert np.abs(audio).max() > 0.1
            checked += 1
    assert checked == 5
    # on the two-channel cut itself, keep_overlapping=False avoids the cross-channel assert
    trimmed = cut.trim_to_supervisions(keep_overlapping=False)
    assert len(trimmed) == 5


def test_relative_paths_load_from_the_corpus_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_corpus(tmp_path)
    export_corpus(root, ["lhotse"], {"lhotse": {"absolute_paths": False, "cuts": False}})
    assert not (root / "exports/lhotse/cuts.jsonl.gz").exists()
    recordings = lhotse.RecordingSet.from_file(root / "exports/lhotse/recordings.jsonl.gz").to_eager()
    assert recordings["dlg-2"].sources[0].source == "audio/duplex/dlg-2.wav"
    monkeypatch.chdir(root)
    assert recordings["dlg-2"].load_audio().shape == (2, 66150)
