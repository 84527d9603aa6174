"""``duplexsynth merge OUT IN1 IN2 ...``: join shard corpora into one."""

from __future__ import annotations

from pathlib import Path

import click

from duplexsynth.cli.common import handle_errors
from duplexsynth.merging import merge_corpora

__all__ = ["merge"]


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@handle_errors
def merge(out: Path, inputs: tuple[Path, ...]) -> None:
    """Join the shard corpora INPUTS (``generate --shard i/n``) into the new corpus OUT.

    Checks schema versions, run configs and ids; links audio (copies across file systems).
    """
    counts = merge_corpora(out, list(inputs))
    click.echo(f"merged {len(inputs)} corpora into {out}: {counts['timelines.jsonl']} timelines, "
               f"{counts['dialogues.jsonl']} text dialogues, {counts['files']} files linked")
