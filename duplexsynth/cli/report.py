"""``duplexsynth report CORPUS``: the static HTML report of a corpus (CORPUS/report/index.html)."""

from __future__ import annotations

from pathlib import Path

import click

from corpus_core.errors import ConfigError
from corpus_core.layout import REPORT_DIR
from duplexsynth.cli.common import corpus_argument, handle_errors, locked_corpus
from duplexsynth.reporting import write_corpus_report
from eval.realism import format_realism_table

__all__ = ["report"]


@click.command("report")
@corpus_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of index.html (default: CORPUS/report).")
@click.option("--title", default="duplexsynth corpus report", show_default=True, help="Page title.")
@handle_errors
def report(corpus: Path, out_dir: Path | None, title: str) -> None:
    """Write a static HTML report of CORPUS: summary, realism table, plots, players, transcripts."""
    if not corpus.is_dir():
        raise ConfigError(f"corpus folder {corpus} does not exist; pass the folder of a generated corpus")
    with locked_corpus(corpus):
        path, realism, count = write_corpus_report(corpus, out_dir or corpus / REPORT_DIR, title)
    click.echo(format_realism_table(realism))
    click.echo(f"report: {path} ({count} dialogues)")
