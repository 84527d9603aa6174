"""``duplexsynth report CORPUS``: the static HTML report of a corpus (CORPUS/report/index.html)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from corpus_core import MANIFESTS, read_manifest
from corpus_core.errors import ManifestError
from duplex.records import Timeline
from duplexsynth.cli.common import corpus_argument, handle_errors
from eval.realism import format_realism_table, realism_from_evals
from eval.records import DialogueEval, TurnEval
from eval.report import DialogueReportItem, build_report

__all__ = ["report"]


def collect_report_items(corpus: Path, out_dir: Path) -> list[DialogueReportItem]:
    """One :class:`DialogueReportItem` per timeline, with its eval records when there are any."""
    timelines_path = corpus / MANIFESTS["duplex"]
    if not timelines_path.is_file():
        raise ManifestError(f"{timelines_path} does not exist; run `duplexsynth duplex {corpus}` first")
    turns: dict[str, list[TurnEval]] = {}
    summaries: dict[str, DialogueEval] = {}
    eval_path = corpus / MANIFESTS["eval"]
    if eval_path.is_file():
        for record in read_manifest(eval_path):
            if isinstance(record, TurnEval):
                turns.setdefault(record.dialogue_id, []).append(record)
            elif isinstance(record, DialogueEval):
                summaries[record.dialogue_id] = record
    items = []
    for timeline in read_manifest(timelines_path, Timeline):
        audio = corpus / timeline.audio_path if timeline.audio_path else None
        url = Path(os.path.relpath(audio, out_dir)).as_posix() if audio and audio.is_file() else None
        items.append(DialogueReportItem(timeline, tuple(turns.get(timeline.id, ())), summaries.get(timeline.id), url))
    return items


@click.command("report")
@corpus_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of index.html (default: CORPUS/report).")
@click.option("--title", default="duplexsynth corpus report", show_default=True, help="Page title.")
@handle_errors
def report(corpus: Path, out_dir: Path | None, title: str) -> None:
    """Write a static HTML report of CORPUS: summary, realism table, plots, players, transcripts."""
    out_dir = out_dir or corpus / "report"
    items = collect_report_items(corpus, out_dir)
    meta_path = corpus / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    bcs = [s.text for it in items for s in it.timeline.segments if s.kind == "backchannel"]
    realism = realism_from_evals([it.dialogue_eval for it in items if it.dialogue_eval], bcs)
    path = build_report(items, out_dir, realism, meta, title)
    click.echo(format_realism_table(realism))
    click.echo(f"report: {path} ({len(items)} dialogues)")
