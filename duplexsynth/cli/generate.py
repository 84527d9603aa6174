"""``duplexsynth generate``: all four stages in one run, then a summary table."""

from __future__ import annotations

from pathlib import Path

import click

from duplexsynth.cli.common import (
    build_config,
    config_options,
    exit_for,
    handle_errors,
    locked_corpus,
    verbose_option,
    writable_corpus,
)
from duplexsynth.corpus_folder import clear_corpus
from duplexsynth.executors import EXECUTORS
from duplexsynth.pipeline import StageReport
from duplexsynth.plan import parse_shard
from duplexsynth.preflight import check_engines
from duplexsynth.streaming import run_streaming
from duplexsynth.worker import DEVICES, device_config
from eval.asr.base import available_asr
from text_dialogue.llm.base import available_llms

__all__ = ["generate", "format_summary"]


def format_summary(reports: list[StageReport]) -> str:
    """A short table: dialogues, audio minutes, mean WER and seconds per stage."""
    by = {r.stage: r for r in reports}
    rows = [("stage", "done", "skipped", "failed", "seconds")]
    rows += [(r.stage, str(r.done), str(r.skipped), str(len(r.failed)), f"{r.seconds:.1f}") for r in reports]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in rows]
    duplex = by.get("duplex")
    evaluation = by.get("eval")
    if duplex:
        lines.append(f"audio: {duplex.extra.get('audio_seconds', 0) / 60:.2f} min of duplex audio this run")
    if evaluation and evaluation.extra.get("mean_wer") is not None:
        lines.append(f"mean WER: {evaluation.extra['mean_wer']:.3f} over {evaluation.done} dialogue(s)")
    return "\n".join(lines)


@click.command()
@click.option("--out", "-o", "corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"),
              show_default=True, help="Corpus folder (created; a rerun resumes it).")
@config_options
@click.option("--dialogues", "-n", type=int, default=None, help="How many text dialogues (default 3).")
@click.option("--scenario", "scenarios", multiple=True, help="Scenario name or YAML file (repeat; default: all).")
@click.option("--variants", type=int, default=None, help="Voice casts per text dialogue.")
@click.option("--llm", type=click.Choice(available_llms()), default=None, help="LLM backend.")
@click.option("--asr", type=click.Choice(available_asr()), default=None, help="ASR backend.")
@click.option("--sampling-rate", type=int, default=None, help="Corpus sampling rate in Hz (default 24000).")
@click.option("--max-uses-per-voice", type=click.IntRange(min=1), default=None,
              help="Cast each voice at most this often in the corpus (spreads a multi-speaker bank).")
@click.option("--overwrite", is_flag=True,
              help="Start the corpus afresh: remove what an earlier run made in --out (manifests, audio, "
                   "transcripts, exports, report, meta.json) instead of resuming it.")
@click.option("--workers", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (Ray actors with --executor ray); default: cores, capped at ~1.5 GB each.")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Engine threads per worker (default: cores / workers).")
@click.option("--shard", default=None, metavar="I/N", help="Make only shard I of N of the dialogue plan (0-based).")
@click.option("--executor", type=click.Choice(EXECUTORS), default="local", show_default=True,
              help="local worker processes, or actors on a Ray cluster (RAY_ADDRESS or config ray_address).")
@click.option("--quiet", "-q", is_flag=True, help="No progress display.")
@verbose_option
@click.option("--device", type=click.Choice(DEVICES), default=None,
              help="Run the engines that have one (transformers, coqui, faster-whisper, whisper) on this device.")
@handle_errors
def generate(corpus: Path, config_path: Path | None, seed: int | None, dialogues: int | None,
             scenarios: tuple[str, ...], variants: int | None, llm: str | None, asr: str | None,
             sampling_rate: int | None, max_uses_per_voice: int | None, overwrite: bool, workers: int | None,
             threads: int | None, shard: str | None, executor: str, quiet: bool,
             device: str | None) -> None:
    """Make a spoken-dialogue corpus: text -> speech -> duplex -> eval, streaming dialogue by dialogue.

    Works offline with no options (Gemma 3 270M, piper joe + derived voices, Whisper base).
    Writes run_summary.json (figures of this run) into the corpus.
    """
    # with --overwrite the corpus's saved config is not layered in, and nothing is cleared until the
    # config and the engines have passed their checks: a config mistake costs no earlier corpus
    config = build_config(config_path, None if overwrite else corpus, seed=seed, dialogues=dialogues, scenarios=scenarios or None,
                          variants=variants, llm=llm, asr=asr,
                          speech={"sampling_rate": sampling_rate} if sampling_rate else None,
                          casting={"max_uses_per_voice": max_uses_per_voice} if max_uses_per_voice else None)
    if device:
        config = device_config(config, device)
    writable_corpus(corpus)  # cheap checks first
    check_engines(config, ["speech", "eval"])  # config problems stop here, before the LLM writes anything
    with locked_corpus(corpus):  # one lock from the clearing to the end: no other run slips in between
        if overwrite:
            clear_corpus(corpus)
        reports = run_streaming(corpus, config, workers, threads, parse_shard(shard), executor, quiet=quiet)
    click.echo(format_summary(reports))
    exit_for(reports)
