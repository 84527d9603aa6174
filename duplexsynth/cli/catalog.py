"""``duplexsynth scenarios`` and ``duplexsynth voices``: what the library ships."""

from __future__ import annotations

from pathlib import Path

import click

from duplexsynth.cli.common import handle_errors
from corpus_core.errors import ConfigError
from speech.records import Voice
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
@click.option("--check", is_flag=True,
              help="Speak a fixed 40-word passage with each voice; print WER, English language ID and pass/fail.")
@click.option("--voice", "only", multiple=True, help="With --check: check only this voice id (repeatable).")
@handle_errors
def voices(banks: tuple[Path, ...], source: Path | None, out: Path | None, metadata: Path | None,
           clone_model: str | None, check: bool, only: tuple[str, ...]) -> None:
    """List the voice bank: id, backend, model, speaker, transform, gender, age band, accent, rate.

    With ``--from``, build a bank YAML with one entry per speaker instead (a multi-speaker piper
    voice, a coqui model, a folder of clips, or a Kokoro ``voices-v1.0.bin``/``.npz``; use it with
    the run config's ``voice_banks``). The ``cast`` column says which voices a run casts by
    default (every voice with ``cast`` true whose backend is installed: joe and the Kokoro voices);
    the run config's ``voices`` or ``cast_backends`` choose others. With ``--check``, measure each
    voice instead of listing (WER, English language ID, median F0, nearest voice by embedding).
    """
    if source is not None:
        found = voices_from_source(source, metadata, clone_model)
        path = write_voice_bank(found, out or Path("voices.yaml"))
        click.echo(f"wrote {len(found)} voice(s) to {path}")
        banks = (path,)
    bank = default_voice_bank(list(banks))
    unknown = [v for v in only if v not in bank]
    if unknown:
        raise ConfigError(f"voices --voice: {unknown} not in the voice bank; known: {', '.join(sorted(bank))}")
    if check:
        _print_check([bank[v] for v in only] if only else list(bank.values()), bank)
        return
    _print_table([describe_voice(v) for v in bank.values()],
                 ["id", "backend", "model", "speaker", "transform", "gender", "age_band", "accent", "sampling_rate",
                  "cast"])


def _print_table(rows: list[dict[str, str]], columns: list[str]) -> None:
    """Rows as left-aligned columns under a header."""
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        click.echo("  ".join(row[c].ljust(widths[c]) for c in columns))


def _print_check(chosen: list[Voice], bank: dict[str, Voice]) -> None:
    """Run :func:`eval.voice_check.check_voices` on ``chosen`` and print one row per voice."""
    import speech.tts.kokoro  # noqa: F401  (registers the kokoro backend)
    from eval.voice_check import MAX_WER, MIN_ENGLISH_PROB, check_voices

    rows = []
    for r in check_voices(chosen):
        rows.append({
            "id": r.voice_id, "gender": bank[r.voice_id].gender or "", "cast": "yes" if bank[r.voice_id].cast else "no",
            "f0": "" if r.f0_median is None else f"{r.f0_median:.0f}", "wer": f"{r.wer:.1%}",
            "en_prob": "" if r.english_prob is None else f"{r.english_prob:.2f}",
            "rtf": f"{r.synth_seconds / max(r.duration, 1e-9):.2f}",
            "nearest": f"{r.nearest} ({r.nearest_cosine:.2f})" if r.nearest else "",
            "check": "pass" if r.passed else "FAIL",
        })
    _print_table(rows, ["id", "gender", "cast", "f0", "wer", "en_prob", "rtf", "nearest", "check"])
    passed = sum(r["check"] == "pass" for r in rows)
    click.echo(f"{passed} of {len(rows)} voice(s) pass (WER <= {MAX_WER:.0%}, English language ID >= {MIN_ENGLISH_PROB})")
