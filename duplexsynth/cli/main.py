"""The ``duplexsynth`` command: one click group, one module per command group."""

from __future__ import annotations

import sys
from typing import Any

import click

import duplexsynth.backends  # noqa: F401  (registers every backend name)
from duplexsynth.cli.catalog import scenarios, voices
from duplexsynth.cli.config_cmd import config
from duplexsynth.cli.export import export
from duplexsynth.cli.generate import generate
from duplexsynth.cli.merge import merge
from duplexsynth.cli.report import report
from duplexsynth.cli.stages import duplex, evaluate, speak, text
from duplexsynth.meta import package_version

__all__ = ["cli"]


class OneLineErrors(click.Group):
    """A click group whose usage errors (bad option, missing file) are one ``error:`` line, exit 2.

    Click's own form prints the usage block first; a script reading stderr, and the
    user, get the one line that says what is wrong, as for every other duplexsynth error.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as e:
            hint = " (see --help)" if isinstance(e, click.UsageError) else ""
            click.echo(f"error: {e.format_message()}{hint}", err=True)
            sys.exit(e.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version(), prog_name="duplexsynth")
def cli() -> None:
    """Make spoken-dialogue corpora for full-duplex speech models.

    \b
    Stages (each reads the previous one's manifest in the corpus folder):
      text    two LLM agents write dialogues      -> dialogues.jsonl
      speak   TTS per turn, one voice per speaker  -> utterances.jsonl, audio/
      duplex  two-channel timeline + stereo audio  -> timelines.jsonl, audio/duplex/
      eval    ASR round trip, WER per turn         -> eval.jsonl
    `generate` runs all four. Then `export` writes trainer formats (moshi, lhotse,
    rttm, ctm/stm, textgrid, streams) and `report` an HTML page to listen to;
    `config show` prints the config a corpus runs with and where each value came from.
    Everything works offline with the shipped models.
    """


for command in (generate, text, speak, duplex, evaluate, export, report, merge, scenarios, voices, config):
    cli.add_command(command)

if __name__ == "__main__":
    cli()
