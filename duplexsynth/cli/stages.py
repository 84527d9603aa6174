"""The stage commands: ``text``, ``speak``, ``duplex``, ``eval``; each reads the previous manifest."""

from __future__ import annotations

from pathlib import Path

import click

from corpus_core.layout import MANIFESTS
from corpus_core.manifest import read_manifest
from duplex.records import Timeline
from duplexsynth.cli.common import (
    build_config,
    config_options,
    corpus_argument,
    exit_for,
    handle_errors,
    locked_corpus,
    writable_corpus,
)
from duplexsynth.corpus_checks import check_timeline_audio
from duplexsynth.pipeline import import_text, run_duplex, run_eval, run_speech, run_text
from duplexsynth.preflight import check_config_values, check_engines
from duplexsynth.reporting import corpus_realism
from eval.asr.base import available_asr
from eval.realism import format_realism_table
from text_dialogue.llm.base import available_llms

__all__ = ["text", "speak", "duplex", "evaluate"]


@click.command()
@corpus_argument
@config_options
@click.option("--dialogues", "-n", type=int, default=None, help="How many dialogues to write.")
@click.option("--scenario", "scenarios", multiple=True, help="Scenario name or YAML file (repeat; default: all).")
@click.option("--llm", type=click.Choice(available_llms()), default=None, help="LLM backend.")
@click.option("--import", "import_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Import dialogues you already have (A:/B: transcript, JSONL of turns, SGD JSON) instead of generating.")
@handle_errors
def text(corpus: Path, config_path: Path | None, seed: int | None, dialogues: int | None,
         scenarios: tuple[str, ...], llm: str | None, import_path: Path | None) -> None:
    """Write text dialogues to CORPUS/dialogues.jsonl (two LLM agents, or --import)."""
    config = build_config(config_path, corpus, seed=seed, dialogues=dialogues, scenarios=scenarios or None, llm=llm)
    check_config_values(config)
    if import_path is not None:
        from text_dialogue.importers import import_dialogues

        dialogues = import_dialogues(import_path)  # read and check it all before touching the corpus
    with locked_corpus(corpus):
        report = import_text(corpus, config, dialogues) if import_path is not None else run_text(corpus, config)
    click.echo(f"text: {report.done} written, {report.skipped} already there, {len(report.failed)} failed")
    exit_for([report])


@click.command()
@corpus_argument
@config_options
@click.option("--input", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A JSONL of Dialogue records to speak (default: CORPUS/dialogues.jsonl).")
@click.option("--variants", type=int, default=None, help="Voice casts per text dialogue (data augmentation).")
@handle_errors
def speak(corpus: Path, config_path: Path | None, seed: int | None, source: Path | None, variants: int | None) -> None:
    """Synthesize every turn to CORPUS/audio/ and CORPUS/utterances.jsonl."""
    config = build_config(config_path, corpus, seed=seed, variants=variants)
    if source is not None:
        from text_dialogue.validation import read_dialogue_file

        read_dialogue_file(source)  # a bad input file fails before any engine loads
    writable_corpus(corpus)  # cheap checks first
    check_engines(config, ["speech"])
    with locked_corpus(corpus):
        report = run_speech(corpus, config, source)
    click.echo(f"speech: {report.done} dialogues spoken ({report.extra['audio_seconds'] / 60:.1f} min), "
               f"{report.skipped} already there, {len(report.failed)} failed")
    exit_for([report])


@click.command()
@corpus_argument
@config_options
@handle_errors
def duplex(corpus: Path, config_path: Path | None, seed: int | None) -> None:
    """Place turns on two channels: CORPUS/audio/duplex/*.flac and CORPUS/timelines.jsonl."""
    config = build_config(config_path, corpus, seed=seed)
    check_config_values(config)
    with locked_corpus(corpus):
        report = run_duplex(corpus, config)
    click.echo(f"duplex: {report.done} dialogues rendered, {report.skipped} already there, {len(report.failed)} failed")
    exit_for([report])


@click.command("eval")
@corpus_argument
@config_options
@click.option("--asr", type=click.Choice(available_asr()), default=None, help="ASR backend.")
@handle_errors
def evaluate(corpus: Path, config_path: Path | None, seed: int | None, asr: str | None) -> None:
    """Transcribe both channels and score each turn: CORPUS/eval.jsonl."""
    config = build_config(config_path, corpus, seed=seed, asr=asr)
    timelines = corpus / MANIFESTS["duplex"]
    if timelines.is_file():  # stereo files that do not match their records: exit 2 before ASR loads
        check_timeline_audio(corpus, read_manifest(timelines, Timeline))
    writable_corpus(corpus)  # cheap checks first
    check_engines(config, ["eval"])
    with locked_corpus(corpus):
        report = run_eval(corpus, config)
    click.echo(f"eval: {report.done} dialogues scored, mean WER {report.extra['mean_wer']}, "
               f"{report.skipped} already there, {len(report.failed)} failed")
    click.echo(format_realism_table(corpus_realism(corpus)))
    exit_for([report])
