"""The ``export`` command: write a corpus's timelines in training and scoring formats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from duplex.exports import (
    AUDIO_VERSIONS,
    ExportError,
    NemoDuplexConfig,
    StreamsConfig,
    available_exporters,
)
from duplexsynth.cli.common import handle_errors, locked_corpus
from duplexsynth.exporting import count_dialogues, export_corpus

__all__ = ["export"]


@click.command()
@click.argument("corpus", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "-f", "formats", multiple=True, required=True,
              type=click.Choice([*available_exporters(), "all"]),
              help="Export format (repeat for several; 'all' for every one).")
@click.option("--frame-rate", type=float, default=StreamsConfig.frame_rate, show_default=True,
              help="streams: text frames per second.")
@click.option("--chunk-ms", type=float, default=StreamsConfig.chunk_ms, show_default=True,
              help="streams: length of one interleaved A/B slice in milliseconds.")
@click.option("--main-speaker", type=click.Choice(["A", "B", "both"]), default="A", show_default=True,
              help="moshi: the speaker Moshi learns to be (left channel); nemo-duplex: the agent side; "
                   "'both' writes each dialogue twice.")
@click.option("--target-rate", type=click.IntRange(1000, 384000), default=NemoDuplexConfig.target_rate,
              show_default=True, help="nemo-duplex: sampling rate of target_audio (the audio codec's rate).")
@click.option("--max-duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="nemo-duplex: cut dialogues into windows of at most this many seconds, at pauses.")
@click.option("--shar", is_flag=True, help="nemo-duplex: also write Lhotse Shar shards (FLAC).")
@click.option("--audio", type=click.Choice(list(AUDIO_VERSIONS)), default="clean", show_default=True,
              help="moshi/lhotse/streams/nemo-duplex: the clean stereo or its degraded copy (acoustic conditions).")
@click.option("--no-backchannels", is_flag=True,
              help="Leave the listener backchannels' text out of every format (their sound stays in the audio).")
@handle_errors
def export(corpus: Path, formats: tuple[str, ...], frame_rate: float, chunk_ms: float,
           main_speaker: str, target_rate: int, max_duration: float | None, shar: bool, audio: str,
           no_backchannels: bool) -> None:
    """Export CORPUS/timelines.jsonl to CORPUS/exports/<format>/.

    \b
    moshi     stereo WAV + alignment JSON + JSONL manifest (moshi-finetune)
    nemo-duplex  user/agent mono cuts + target_audio (NeMo speechlm2 Duplex S2S)
    lhotse    RecordingSet, SupervisionSet (word alignments), CutSet
    rttm      speaker diarization reference (pyannote, dscore)
    ctm, stm  word times per speaker, segment transcripts (meeteval, sclite)
    textgrid  Praat TextGrid: segments, words and events per speaker
    streams   text tokens per audio frame + interleaved A/B chunks
    """
    backchannels = {"include_backchannels": not no_backchannels}
    options = {
        "streams": {"frame_rate": frame_rate, "chunk_ms": chunk_ms, **backchannels},
        "moshi": {"main_speaker": main_speaker, **backchannels},
        "nemo-duplex": {"main_speaker": main_speaker, "target_rate": target_rate, "max_duration": max_duration,
                        "shar": shar, **backchannels},
        "rttm": backchannels, "ctm": backchannels, "stm": backchannels, "lhotse": backchannels,
        "textgrid": backchannels,
    }
    total = count_dialogues(corpus)
    from tqdm import tqdm

    failed: ExportError | None = None
    with locked_corpus(corpus), tqdm(total=total, unit="dialogue", desc="export", disable=None) as bar:
        try:
            outputs = export_corpus(corpus, list(formats), options, on_dialogue=lambda _: bar.update(1), audio=audio)
        except ExportError as e:
            if not e.outputs:
                raise
            failed, outputs = e, e.outputs
    for name, path in outputs.items():
        click.echo(f"{name}: {path}")
    if failed is not None:
        for fmt, dialogue_id, reason in failed.failures:
            click.echo(f"failed: {fmt} {dialogue_id}: {reason}", err=True)
        click.echo(f"{len(failed.failures)} dialogue export(s) failed", err=True)
        sys.exit(1)
