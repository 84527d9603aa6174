"""RTTM (pyannote), CTM/STM (meeteval) and TextGrid (praatio) exports, read by those tools."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from _require import require

from duplexsynth.exporting import export_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import audible_words, dialogue_one, make_corpus  # noqa: E402


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("text_corpus"))
    export_corpus(root, ["rttm", "ctm", "stm", "textgrid"])
    return root


def test_rttm_loads_in_pyannote_with_overlapping_speakers(corpus: Path) -> None:
    util = require("pyannote.database.util")
    annotations = util.load_rttm(str(corpus / "exports/rttm/all.rttm"))
    assert sorted(annotations) == ["dlg-1", "dlg-2"]
    ann = annotations["dlg-1"]
    assert sorted(ann.labels()) == ["A", "B"]
    got = sorted((round(s.start, 3), round(s.end, 3), label) for s, _, label in ann.itertracks(yield_label=True))
    assert got == sorted((seg.start, seg.end, seg.speaker) for seg in dialogue_one().segments)
    # the backchannel (1.0-1.4), the overlap (1.85-2.0) and the interruption (4.3-4.6)
    overlap = ann.get_overlap()
    assert [(round(s.start, 3), round(s.end, 3)) for s in overlap] == [(1.0, 1.4), (1.85, 2.0), (4.3, 4.6)]
    single = util.load_rttm(str(corpus / "exports/rttm/dlg-2.rttm"))
    assert list(single) == ["dlg-2"] and single["dlg-2"].label_duration("B") == pytest.approx(1.4)


def test_rttm_diarization_error_of_reference_against_itself_is_zero(corpus: Path) -> None:
    metrics = require("pyannote.metrics.diarization")
    util = require("pyannote.database.util")
    from pyannote.core import Segment, Timeline

    ann = util.load_rttm(str(corpus / "exports/rttm/dlg-1.rttm"))["dlg-1"]
    uem = Timeline([Segment(0.0, 6.0)])
    der = metrics.DiarizationErrorRate(collar=0.0, skip_overlap=False)
    assert der(ann, ann, uem=uem) == 0.0
    # dropping B's backchannel misses 0.4 s of 6.05 s of speaker time (overlaps count per speaker)
    no_bc = ann.copy()
    del no_bc[next(s for s, _, label in ann.itertracks(yield_label=True) if label == "B")]
    assert der(ann, no_bc, uem=uem) == pytest.approx(0.4 / 6.05)


def test_ctm_group_has_each_speakers_audible_words(corpus: Path) -> None:
    meeteval_io = require("meeteval.io")
    files = [corpus / "exports/ctm/A.ctm", corpus / "exports/ctm/B.ctm"]
    group = meeteval_io.CTMGroup.load(files)
    by_file = group.grouped_by_filename()
    assert sorted(by_file) == ["dlg-1", "dlg-2"]
    timeline = dialogue_one()
    for path, speaker in zip(files, "AB"):
        lines = by_file["dlg-1"].ctms[str(path)].lines
        got = [(x.word, float(x.begin_time), round(float(x.begin_time + x.duration), 3)) for x in lines]
        assert got == audible_words(timeline, speaker)
        assert {str(x.channel) for x in lines} == {str("AB".index(speaker) + 1)}  # meeteval keeps it a string


def test_stm_loads_in_meeteval_and_scores_zero_cpwer_against_itself(corpus: Path) -> None:
    meeteval = require("meeteval")
    stm = meeteval.io.STM.load(corpus / "exports/stm/all.stm")
    lines = [x for x in stm.lines if x.filename == "dlg-1"]
    assert [(x.speaker_id, float(x.begin_time), float(x.end_time), x.transcript) for x in lines] == [
        ("A", 0.2, 2.0, "hello there how are you"), ("B", 1.0, 1.4, "uh-huh"),
        ("B", 1.85, 3.5, "fine thanks and you"), ("A", 3.7, 4.6, "let me tell you"),
        ("B", 4.3, 5.6, "sorry i have to go"),
    ]
    result = meeteval.wer.cpwer(stm, stm)
    assert sorted(result) == ["dlg-1", "dlg-2"]
    assert all(r.error_rate == 0 and r.length > 0 for r in result.values())
    # and it notices a swapped speaker assignment
    swapped = meeteval.io.STM([x.replace(speaker_id={"A": "B", "B": "A"}[x.speaker_id]) if x.filename == "dlg-2"
                               else x for x in stm.lines])
    assert meeteval.wer.cpwer(stm, swapped)["dlg-2"].error_rate == 0  # cp finds the permutation
    merged = meeteval.io.STM([x.replace(speaker_id="A") for x in stm.lines])
    assert meeteval.wer.cpwer(stm, merged)["dlg-1"].error_rate > 0


def test_textgrid_loads_in_praatio(corpus: Path) -> None:
    textgrid = require("praatio.textgrid")
    tg = textgrid.openTextgrid(str(corpus / "exports/textgrid/dlg-1.TextGrid"), includeEmptyIntervals=False)
    assert tg.tierNames == ("A", "A-words", "B", "B-words", "event-backchannel", "event-gap",
                            "event-interruption", "event-overlap")
    assert tg.maxTimestamp == pytest.approx(6.0)
    a = [(e.start, e.end, e.label) for e in tg.getTier("A").entries]
    assert a == [(0.2, 2.0, "hello there how are you"), (3.7, 4.6, "let me tell you")]
    b_words = [(e.label, e.start, e.end) for e in tg.getTier("B-words").entries]
    assert b_words == audible_words(dialogue_one(), "B")
    assert [(e.start, e.end, e.label) for e in tg.getTier("event-interruption").entries] == [(4.3, 4.6, "B")]
