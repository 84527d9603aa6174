"""A large corpus's report: an index page that links pages of dialogues, each page bounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from duplex.records import Segment, Timeline
from eval.report import DialogueReportItem, build_report


def _item(i: int) -> DialogueReportItem:
    timeline = Timeline(id=f"dlg-{i:03d}", duration=3.0, sampling_rate=24000, segments=(
        Segment(0, "A", 0.3, 1.5, f"Hello number {i}.", turn_index=0),
        Segment(1, "B", 1.7, 2.8, "Hi.", turn_index=1)))
    return DialogueReportItem(timeline, audio_url=f"../audio/duplex/dlg-{i:03d}.flac")


def test_a_small_corpus_stays_on_the_index(tmp_path: Path) -> None:
    index = build_report([_item(i) for i in range(3)], tmp_path)
    page = index.read_text()
    assert page.count('<section class="dialogue"') == 3 and not list(tmp_path.glob("dialogues-*.html"))


def test_a_large_corpus_gets_pages_that_hold_every_dialogue_once(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import eval.report.html as report_html

    monkeypatch.setattr(report_html, "PAGE_SIZE", 2)
    items = [_item(i) for i in range(5)]
    index = build_report(items, tmp_path)
    page = index.read_text()
    assert "<section" not in page and "<audio" not in page  # the index shows no dialogue itself
    links = re.findall(r'href="(dialogues-\d+\.html)"', page)
    assert links == ["dialogues-0001.html", "dialogues-0002.html", "dialogues-0003.html"]
    seen = []
    for link in links:
        text = (tmp_path / link).read_text()
        seen += re.findall(r'<section class="dialogue" id="d-([^"]+)"', text)
        assert text.count("<audio") == text.count("<section") <= 2
        assert 'href="index.html"' in text
    assert seen == [it.timeline.id for it in items]
