"""Speech-only eval against the old full-length pass, on the same corpus: time and pooled WER.

For every timeline of CORPUS (made by ``duplexsynth generate`` or text+speak+duplex):
- full: both whole channels transcribed, silence included (``speech_only=False``);
- regions, batched: speech regions of both channels packed into <= 28 s chunks, one
  BatchedInferencePipeline call per dialogue (the default);
- regions, one by one: the same chunks decoded one after another (``batch_size=0``);
- raw: ``WhisperModel.transcribe`` on the same packed speech-only audio, nothing else.
Each mode prints its ASR seconds and pooled WER (turn segments, both channels);
the aim is |WER(regions) - WER(full)| <= 0.5 points and eval <= 1.3x raw.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_eval.py CORPUS [--threads 2]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from raw_asr import pack_speech_only, time_raw_transcribe

from corpus_core import read_manifest
from duplex.records import Timeline
from eval.asr.base import ASR_SAMPLING_RATE
from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
from eval.evaluate import EvalConfig, evaluate_timeline, load_eval_tools
from speech.audio import read_audio


def _loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--threads", type=int, default=2, help="CTranslate2 cpu_threads")
    args = parser.parse_args()
    timelines = list(read_manifest(args.corpus / "timelines.jsonl", Timeline))
    audio = {t.id: read_audio(args.corpus / (t.audio_path or ""))[0] for t in timelines}
    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=args.threads))
    asr_seq = FasterWhisperASR(FasterWhisperConfig(cpu_threads=args.threads, batch_size=0))
    base = EvalConfig(speaker_similarity=False, turn_taking=False, cpwer=False)
    modes = {"full (old)": (asr, replace(base, speech_only=False)),
             "regions, batched": (asr, base),
             "regions, one by one": (asr_seq, base)}
    total = sum(t.duration for t in timelines)
    print(f"corpus: {len(timelines)} dialogues, {total / 60:.2f} min; load average {_loadavg()}")
    results: dict[str, tuple[float, float]] = {}
    for name, (engine, cfg) in modes.items():
        start, errors, ref = time.perf_counter(), 0, 0
        for t in timelines:
            turns, _ = evaluate_timeline(t, audio[t.id], engine, cfg)
            errors += sum(e.errors for e in turns if e.kind == "turn")
            ref += sum(e.ref_words for e in turns if e.kind == "turn")
        seconds = time.perf_counter() - start
        results[name] = (seconds, 100 * errors / max(ref, 1))
        print(f"{name:22s} {seconds:7.1f} s  pooled WER {results[name][1]:5.2f}%  load {_loadavg()}")
    packed_audio = pack_speech_only(timelines, audio, base.regions)
    raw = time_raw_transcribe(asr, packed_audio)
    speech = sum(len(s) for s in packed_audio) / ASR_SAMPLING_RATE
    print(f"{'raw on speech-only':22s} {raw:7.1f} s  ({speech / 60:.2f} min of packed speech vs "
          f"{2 * total / 60:.2f} min of channel audio)  load {_loadavg()}")
    full_eval = EvalConfig()
    load_eval_tools(full_eval)
    start = time.perf_counter()
    for t in timelines:
        evaluate_timeline(t, audio[t.id], asr, full_eval)
    stage = time.perf_counter() - start
    print(f"{'eval stage (defaults)':22s} {stage:7.1f} s  (ASR + silero VAD + resemblyzer)  load {_loadavg()}")
    wer_gap = results["regions, batched"][1] - results["full (old)"][1]
    print(f"WER regions - full: {wer_gap:+.2f} points (aim within 0.5)")
    print(f"speed-up of the ASR pass: {results['full (old)'][0] / results['regions, batched'][0]:.2f}x; "
          f"eval stage / raw ASR on speech-only audio: {stage / raw:.2f}x (aim <= 1.3x)")


if __name__ == "__main__":
    main()
