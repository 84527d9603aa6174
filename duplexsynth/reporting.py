"""Corpus-level reading for the report and the realism table (glue: it knows the folder layout)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from corpus_core import MANIFESTS, read_manifest
from corpus_core.errors import ManifestError
from duplex.records import Timeline
from duplexsynth.meta import read_meta
from eval.content_timing import content_timing_rows, ftos_by_content
from eval.realism import (
    RealismRow,
    TurnTakingReport,
    corpus_turn_taking,
    resample_draws,
    with_resampling,
)
from eval.records import DialogueEval, TurnEval
from eval.report import DialogueReportItem, build_report
from eval.turn_taking import TurnTakingStats
from text_dialogue.records import Dialogue

__all__ = ["collect_report_items", "corpus_realism", "realism_of", "write_corpus_report"]


def _timelines_path(corpus: Path) -> Path:
    path = corpus / MANIFESTS["duplex"]
    if not path.is_file():
        raise ManifestError(f"{path} does not exist; run `duplexsynth duplex {corpus}` first")
    return path


def _audio_url(corpus: Path, out_dir: Path, relative: str | None) -> str | None:
    audio = corpus / relative if relative else None
    return Path(os.path.relpath(audio, out_dir)).as_posix() if audio and audio.is_file() else None


def collect_report_items(corpus: Path, out_dir: Path) -> list[DialogueReportItem]:
    """One :class:`DialogueReportItem` per timeline, with its eval records when there are any."""
    timelines_path = _timelines_path(corpus)
    turns: dict[str, list[TurnEval]] = {}
    summaries: dict[str, DialogueEval] = {}
    eval_path = corpus / MANIFESTS["eval"]
    if eval_path.is_file():
        for record in read_manifest(eval_path):
            if isinstance(record, TurnEval):
                turns.setdefault(record.dialogue_id, []).append(record)
            elif isinstance(record, DialogueEval):
                summaries[record.dialogue_id] = record
    content = _content_by_id(corpus)
    items = []
    for timeline in read_manifest(timelines_path, Timeline):
        url, degraded = (_audio_url(corpus, out_dir, p) for p in (timeline.audio_path, timeline.degraded_path))
        # a voice variant ("<id>-v1") shows its source dialogue's content
        found = content.get(timeline.id) or content.get(timeline.id.rsplit("-v", 1)[0])
        items.append(DialogueReportItem(timeline, tuple(turns.get(timeline.id, ())), summaries.get(timeline.id), url,
                                        degraded, found))
    return items


def _content_by_id(corpus: Path) -> dict[str, dict]:
    path = corpus / MANIFESTS["text"]
    if not path.is_file():
        return {}
    return {d.id: d.meta["content"] for d in read_manifest(path, Dialogue) if "content" in d.meta}


def corpus_realism(corpus: Path) -> TurnTakingReport:
    """Turn-taking realism of the dialogues in the timelines manifest, from their eval records."""
    timelines = list(read_manifest(_timelines_path(corpus), Timeline))
    kept = {t.id for t in timelines}
    evals = [r for r in read_manifest(corpus / MANIFESTS["eval"])
             if isinstance(r, DialogueEval) and r.dialogue_id in kept]
    return realism_of(timelines, evals)


def _backchannel_texts(timelines: Iterable[Timeline]) -> list[str]:
    return [s.text for t in timelines for s in t.segments if s.kind == "backchannel"]


def _table_rows(base: Sequence[RealismRow], content: Sequence[RealismRow]) -> tuple[RealismRow, ...]:
    """The corpus rows, then the (tuned) content-timing rows, then the held-out rows."""
    return (*(r for r in base if not r.heldout), *content, *(r for r in base if r.heldout))


def realism_of(timelines: list[Timeline], evals: list[DialogueEval], draws: int | None = None) -> TurnTakingReport:
    """The realism table of these dialogues (content-timing rows included), each row with its
    interval and pass share over ``draws`` bootstrap resamples of the dialogues (0: none;
    ``None``: :func:`~eval.realism.resample_draws` for the corpus size)."""
    parsed = [(e.dialogue_id, TurnTakingStats.from_dict(e.metrics["turn_taking"])) for e in evals
              if "turn_taking" in e.metrics]
    stats = dict(parsed)
    # one unit per timeline with eval statistics: its stats, the timeline, its FTOs by content
    units = [(stats[t.id], t, ftos_by_content(t, stats[t.id].ipu_spans)) for t in timelines if t.id in stats]
    pooled = corpus_turn_taking([s for _, s in parsed], _backchannel_texts(timelines))
    report = replace(pooled, rows=_table_rows(pooled.rows, content_timing_rows([u[2] for u in units])))

    def rows_of(picked: Sequence[int]) -> tuple[RealismRow, ...]:
        chosen = [units[i] for i in picked]
        tls = [u[1] for u in chosen]
        base = corpus_turn_taking([u[0] for u in chosen], _backchannel_texts(tls))
        return _table_rows(base.rows, content_timing_rows([u[2] for u in chosen]))

    return with_resampling(report, rows_of, len(units), resample_draws(len(units)) if draws is None else draws)


def write_corpus_report(corpus: Path, out_dir: Path, title: str) -> tuple[Path, TurnTakingReport, int]:
    """Build the HTML report of ``corpus`` in ``out_dir``.

    :return: the index page, the realism report shown on it, and the number of dialogues.
    """
    items = collect_report_items(corpus, out_dir)
    evals = [it.dialogue_eval for it in items if it.dialogue_eval]
    realism = realism_of([it.timeline for it in items], evals)
    path = build_report(items, out_dir, realism, read_meta(corpus), title)
    return path, realism, len(items)
