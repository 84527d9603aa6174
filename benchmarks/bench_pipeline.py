"""End-to-end throughput of the default stack, old staged run against the streaming run, in one go.

Every run is a fresh ``duplexsynth`` subprocess on a fresh corpus with its own empty
TTS cache, on the same seed and dialogue count:
- staged (before): ``text``, ``speak``, ``duplex``, ``eval`` one after another, eval as
  it was (both whole channels + the mono cpWER pass);
- streaming: ``generate`` with ``--workers 1`` (all cores to one worker), then
  ``--workers 1 --threads 1`` against ``--workers 2 --threads 1`` (scaling);
- eval: the ``--workers 1`` run's own eval stage seconds (what the pipeline paid, from
  ``run_summary.json``) against raw faster-whisper on the same speech-only audio, timed
  in this process with the same thread count, and the eval's parts timed the same way;
- peak RSS per worker after 1, 10 and 100 dialogues (``run_summary.json``): the runs
  above, and one more run of ``--rss-dialogues`` (default 100) dialogues.
Each line carries the 1-minute load average when it was measured: other work on the
machine slows every figure.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_pipeline.py --dialogues 6
(``--rss-only --rss-dialogues 100``: the peak RSS run alone; ``--cast -n 4``: only the
default cast (joe and Kokoro) against piper alone (``cast_backends: [piper]``, the cast
before Kokoro), ``generate --workers 2`` each, in this order, with the share of speakers
each backend voices)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def _cli(*args: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-m", "duplexsynth.cli.main", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"duplexsynth {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def _config(folder: Path, name: str, old_eval: bool, extra: dict | None = None) -> Path:
    cfg = {"speech": {"cache_dir": str(folder / f"{name}-tts-cache")}, **(extra or {})}
    if old_eval:
        cfg["eval"] = {"speech_only": False, "cpwer": True}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path


def _audio_seconds(corpus: Path) -> float:
    return sum(json.loads(line).get("duration", 0) for line in (corpus / "timelines.jsonl").read_text().splitlines()
               if '"type": "Timeline"' in line)


def staged(folder: Path, n: int, seed: int) -> dict:
    corpus, cfg = folder / "staged", _config(folder, "staged", old_eval=True)
    start, stages = time.perf_counter(), {}
    for command, extra in (("text", ["-n", str(n)]), ("speak", []), ("duplex", []), ("eval", [])):
        t = time.perf_counter()
        _cli(command, str(corpus), "--config", str(cfg), "--seed", str(seed), *extra)
        stages["speech" if command == "speak" else command] = time.perf_counter() - t
    wall = time.perf_counter() - start
    return {"wall": wall, "stages": stages, "audio": _audio_seconds(corpus), "load": _load()}


def streaming(folder: Path, name: str, n: int, seed: int, workers: int, threads: int | None,
              config: dict | None = None) -> dict:
    corpus, cfg = folder / name, _config(folder, name, old_eval=False, extra=config)
    extra = ["--threads", str(threads)] if threads else []
    start = time.perf_counter()
    _cli("generate", "--out", str(corpus), "--config", str(cfg), "-n", str(n), "--seed", str(seed),
         "--workers", str(workers), "--quiet", *extra)
    wall = time.perf_counter() - start
    summary = json.loads((corpus / "run_summary.json").read_text())
    return {"wall": wall, "stages": summary["stage_seconds"], "audio": _audio_seconds(corpus), "load": _load(),
            "rss": summary.get("peak_rss_mb_per_worker", {}), "corpus": corpus}


def eval_vs_raw(corpus: Path, threads: int) -> dict:
    """Raw WhisperModel.transcribe on the packed speech-only audio, and each part of the eval, in this process.

    Held to ``threads`` engine threads, as the ``--workers 1`` run's worker was, so the
    figures compare with that run's own eval stage seconds (``run_summary.json``).
    """
    sys.path.insert(0, str(ROOT))
    from duplexsynth.worker import limit_process_threads

    limit_process_threads(threads)  # before torch (resemblyzer) and CTranslate2 are loaded
    from raw_asr import pack_speech_only, time_raw_transcribe

    from corpus_core import read_manifest
    from duplex.records import Timeline
    from eval.asr.base import ASR_SAMPLING_RATE
    from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
    from eval.evaluate import EvalConfig, load_eval_tools, transcribe_channels
    from eval.speaker_similarity import speaker_similarity
    from eval.turn_taking import measure_turn_taking
    from speech.audio import read_audio

    timelines = list(read_manifest(corpus / "timelines.jsonl", Timeline))
    audio = {t.id: read_audio(corpus / (t.audio_path or ""))[0] for t in timelines}
    cfg = EvalConfig()
    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=threads))
    tools = load_eval_tools(cfg)
    packed = pack_speech_only(timelines, audio, cfg.regions)
    raw = time_raw_transcribe(asr, packed)
    parts = {
        "ASR pass": lambda t: transcribe_channels(t, audio[t.id], asr, cfg),
        "speaker similarity": lambda t: speaker_similarity(t, audio[t.id], tools.encoder, cfg.similarity_options),
        "turn-taking VAD": lambda t: measure_turn_taking(audio[t.id], t.sampling_rate, tools.vad,
                                                         cfg.turn_taking_options),
    }
    timings = {}
    for name, part in parts.items():
        start = time.perf_counter()
        for t in timelines:
            part(t)
        timings[name] = time.perf_counter() - start
    return {"raw": raw, "parts": timings, "speech": sum(len(s) for s in packed) / ASR_SAMPLING_RATE,
            "channel_audio": 2 * sum(t.duration for t in timelines), "load": _load()}


def backend_shares(corpus: Path) -> dict[str, float]:
    """Share of the corpus's speakers (dialogue, speaker) each TTS backend voices."""
    bank = {v["id"]: v["backend"] for v in _bank_rows()}
    from corpus_core import read_manifest
    from speech.records import Utterance

    speakers = {(u.dialogue_id, u.speaker): u.voice for u in read_manifest(corpus / "utterances.jsonl", Utterance)
                if u.kind == "turn"}
    counts: dict[str, int] = {}
    for voice in speakers.values():
        counts[bank.get(voice, "?")] = counts.get(bank.get(voice, "?"), 0) + 1
    return {b: n / max(len(speakers), 1) for b, n in sorted(counts.items())}


def _bank_rows() -> list[dict]:
    from speech.voices import default_voice_bank

    return [{"id": v.id, "backend": v.backend} for v in default_voice_bank().values()]


def cast_compare(n: int, seed: int) -> None:
    """The default cast against piper alone, ``--workers 2`` each, in one run."""
    print(f"{n} dialogues, seed {seed}, {os.cpu_count()} cores, --workers 2, load {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-cast-") as tmp:
        folder = Path(tmp)
        default = streaming(folder, "default-cast", n, seed, 2, None)
        print(_row("default cast (joe + Kokoro)", default))
        piper = streaming(folder, "piper-alone", n, seed, 2, None, {"cast_backends": ["piper"]})
        print(_row("piper alone (cast_backends: [piper])", piper))
        shares = ", ".join(f"{b} {100 * v:.0f}%" for b, v in backend_shares(default["corpus"]).items())
        ratio = (default["audio"] / default["wall"]) / (piper["audio"] / piper["wall"])
        speech = default["stages"].get("speech", 0) / max(piper["stages"].get("speech", 0), 1e-9)
        print(f"default cast / piper alone: {ratio:.2f}x the end-to-end throughput (aim >= 0.6x); speech stage "
              f"seconds {speech:.2f}x; speakers voiced by {shares}")


def threads_of(workers: int) -> int:
    """Engine threads per worker that ``generate --workers N`` picks here."""
    return max(1, (os.cpu_count() or 1) // workers)


def _row(name: str, r: dict) -> str:
    stages = "  ".join(f"{s} {r['stages'].get(s, 0):.1f}" for s in ("text", "speech", "duplex", "eval"))
    return (f"{name:34s} {r['wall']:7.1f} s  {r['audio'] / r['wall']:5.2f}x real time  ({stages})  "
            f"load {r['load']}")


def _rss_row(name: str, r: dict) -> str:
    return (f"peak RSS per worker, {name}: " + ", ".join(f"{mb / 1024:.2f} GB after {k} dialogue(s)"
                                                       for k, mb in r["rss"].items()) + f"  load {r['load']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dialogues", "-n", type=int, default=6)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--skip-staged", action="store_true", help="leave out the old staged run")
    parser.add_argument("--rss-dialogues", type=int, default=100,
                        help="one more run of this many dialogues (2 workers) for peak RSS at 10 and 100; 0 = none")
    parser.add_argument("--cast", action="store_true",
                        help="only the default cast against piper alone (--workers 2 each)")
    parser.add_argument("--rss-only", action="store_true",
                        help="only the --rss-dialogues run (peak RSS per worker), none of the 6-dialogue runs")
    args = parser.parse_args()
    if args.cast:
        cast_compare(args.dialogues, args.seed)
        return
    if args.rss_only:
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            r = streaming(Path(tmp), "rss", args.rss_dialogues, args.seed, 2, None)
            print(_rss_row(f"--workers 2, {args.rss_dialogues} dialogues, seed {args.seed}", r))
        return
    print(f"{args.dialogues} dialogues, seed {args.seed}, {os.cpu_count()} cores, load {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        folder = Path(tmp)
        if not args.skip_staged:
            old = staged(folder, args.dialogues, args.seed)
            print(_row("staged, old eval (before)", old))
        new = streaming(folder, "w1", args.dialogues, args.seed, 1, None)
        print(_row("streaming --workers 1", new))
        one = streaming(folder, "w1t1", args.dialogues, args.seed, 1, 1)
        print(_row("streaming --workers 1 --threads 1", one))
        two = streaming(folder, "w2t1", args.dialogues, args.seed, 2, 1)
        print(_row("streaming --workers 2 --threads 1", two))
        print(f"scaling: --workers 2 / --workers 1 (one thread each): {one['wall'] / two['wall']:.2f}x throughput "
              f"(aim >= 1.6x)")
        print(f"--workers 2 --threads 1 / --workers 1 left to its default ({threads_of(1)} threads): "
              f"{new['wall'] / two['wall']:.2f}x throughput (aim > 1x; on {os.cpu_count()} cores --workers 2 "
              f"defaults to {threads_of(2)} thread(s) each)")
        if not args.skip_staged:
            from duplexsynth.executors import default_workers

            # what a plain `generate` runs here: --workers defaults to the cores (memory permitting),
            # one thread each on this machine when that is 2
            default = two if (default_workers(), threads_of(default_workers())) == (2, 1) else new
            name = "--workers 2 --threads 1" if default is two else "--workers 1"
            print(f"end to end, the default run here ({name}): {default['audio'] / default['wall']:.2f}x real time "
                  f"against {old['audio'] / old['wall']:.2f}x before (aim >= 5x); --workers 1: "
                  f"{new['audio'] / new['wall']:.2f}x")
        cores = os.cpu_count() or 1
        ev = eval_vs_raw(new["corpus"], cores)
        paid = new["stages"].get("eval", 0.0)
        print(f"eval on {ev['speech'] / 60:.2f} min of speech-only audio ({ev['channel_audio'] / 60:.2f} min of "
              f"channel audio), {cores} threads: raw faster-whisper {ev['raw']:.1f} s; the --workers 1 run's eval "
              f"stage {paid:.1f} s ({paid / ev['raw']:.2f}x raw; aim <= 1.3x)  load {ev['load']}")
        print("  its parts, timed here: " + ", ".join(f"{k} {v:.1f} s ({v / ev['raw']:.2f}x)"
                                                   for k, v in ev["parts"].items()))
        runs = [("--workers 1", new), ("--workers 2 --threads 1", two)]
        if args.rss_dialogues:
            runs.append((f"--workers 2, {args.rss_dialogues} dialogues",
                         streaming(folder, "rss", args.rss_dialogues, args.seed, 2, None)))
        for name, r in runs:
            print(_rss_row(name, r))


if __name__ == "__main__":
    main()
