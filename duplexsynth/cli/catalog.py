"""``duplexsynth scenarios`` and ``duplexsynth voices``: what the library ships."""

from __future__ import annotations

from pathlib import Path

import click

from duplexsynth.cli.common import handle_errors
from speech.voice_import import voices_from_source, write_voice_bank
from speech.voices import default_voice_bank, describe_voice
from text_dialogue.scenario import available_scenarios

__all__ = ["scenarios", "voices"]


@click.command()
@click.option("--dir", "extra", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Also list scenarios from this YAML file or folder.")
@handle_errors
def scenarios(extra: tuple[Path, ...]) -> None:
    """List the scenarios (shipped and your own) with roles, goal and target length."""
    for s in available_scenarios(list(extra)).values():
        roles = f"{s.roles['A'].role} / {s.roles['B'].role}"
        click.echo(f"{s.name:<16} {roles:<28} {s.target_turns:>3} turns  {s.description}")


@click.command()
@click.option("--bank", "banks", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also list the voices of this bank YAML file.")
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path), default=None,
              help="Build a bank from a multi-speaker piper .onnx, a coqui model folder or a folder of clips.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where --from writes the bank YAML (default: voices.yaml in the current folder).")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV with columns speaker, gender, age_band, accent for --from.")
@click.option("--clone-model", default=None, help="Cloning model for a folder of clips (coqui name or folder).")
@handle_errors
def voices(banks: tuple[Path, ...], source: Path | None, out: Path | None, metadata: Path | None,
           clone_model: str | None) -> None:
    """List the voice bank: id, backend, model, speaker, transform, gender, age band, accent, rate.

    With ``--from``, build a bank YAML with one entry per speaker instead (use it with the run
    config's ``voice_banks`` and ``cast_backends``). Casting uses the piper voices unless the
    run config sets ``cast_backends``.
    """
    if source is not None:
        found = voices_from_source(source, metadata, clone_model)
        path = write_voice_bank(found, out or Path("voices.yaml"))
        click.echo(f"wrote {len(found)} voice(s) to {path}")
        banks = (path,)
    rows = [describe_voice(v) for v in default_voice_bank(list(banks)).values()]
    columns = ["id", "backend", "model", "speaker", "transform", "gender", "age_band", "accent", "sampling_rate"]
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(row[c].ljust(widths[c]) for c in columns))
