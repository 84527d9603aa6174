"""``duplexsynth config show``: the config a stage would run with, and where each value came from."""

from __future__ import annotations

from pathlib import Path

import click

from duplexsynth.cli.common import config_options, handle_errors, saved_config
from duplexsynth.config import config_layers
from duplexsynth.config_sources import describe_config, format_config
from eval.asr.base import available_asr
from text_dialogue.llm.base import available_llms

__all__ = ["config"]


@click.group()
def config() -> None:
    """Inspect run configs."""


@config.command("show")
@click.argument("corpus", type=click.Path(file_okay=False, path_type=Path), required=False)
@config_options
@click.option("--llm", type=click.Choice(available_llms()), default=None, help="LLM backend, as a stage would get it.")
@click.option("--asr", type=click.Choice(available_asr()), default=None, help="ASR backend, as a stage would get it.")
@handle_errors
def show(corpus: Path | None, config_path: Path | None, seed: int | None, llm: str | None, asr: str | None) -> None:
    """Print the resolved config of CORPUS (its meta.json), updated by --config and options.

    Each line ends with where the value came from: default, preset <name>, corpus
    meta.json, file <path> or option. Without CORPUS, the defaults plus --config.
    """
    layers = config_layers(config_path, {"seed": seed, "llm": llm, "asr": asr}, saved_config(corpus))
    _, values = describe_config(layers)
    click.echo(format_config(values))
