"""Memory piper's onnxruntime session keeps between sentences, per arena setting, in one run.

Each setting runs in a fresh process (one thread, as a worker on 2 cores): it speaks the
turns of ``samples/dialogues.jsonl`` dialogue by dialogue, then sentences of 40, 60 and
80 words, and prints the CPU seconds of the turns and the VmRSS left above the level
after loading (after ``malloc_trim``, as the worker does after every stage):
- ``arena kept``: onnxruntime's CPU arena as piper's own session leaves it (it keeps the
  buffers of the longest sentence so far);
- ``shrink > 200 ids``: the arena is shrunk after sentences of more than 200 phoneme ids;
- ``+ release per dialogue`` (what the worker does): also ``release_memory()`` after each
  dialogue's turns (the worker calls it after every stage);
- ``shrink every sentence``: shrunk after every sentence (the CPU it costs).

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_piper_memory.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"arena kept": (10**9, False), "shrink > 200 ids": (200, False),
            "+ release per dialogue": (200, True), "shrink every sentence": (0, False)}
WORDS = ("the quick brown fox jumps over a lazy dog while we talk about the weather "
         "and plans for the weekend").split()


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def measure(shrink_ids: int, release: bool) -> dict:
    """Speak the sample turns and the long sentences in this process; memory and CPU figures."""
    from duplexsynth.worker import release_free_memory
    from speech.records import Voice
    from speech.tts.piper import PiperConfig, PiperTTS

    tts = PiperTTS(PiperConfig(threads=1))
    voice = Voice(id="joe", backend="piper")
    tts.synthesize("Good morning.", voice)
    tts._voices["<default>"].session.shrink_ids = shrink_ids
    tts.release_memory()
    release_free_memory()
    base = _rss_mb()
    dialogues = [json.loads(line) for line in (ROOT / "samples" / "dialogues.jsonl").read_text().splitlines()]
    turns, audio, start = 0, 0.0, time.process_time()
    for dialogue in dialogues:
        for turn in dialogue.get("turns", []):
            out = tts.synthesize(turn["text"], voice)
            turns, audio = turns + 1, audio + out.samples.size / out.sampling_rate
        if release:
            tts.release_memory()
        release_free_memory()
    cpu = time.process_time() - start
    left = {"turns": _rss_mb() - base}
    for n in (40, 60, 80):
        tts.synthesize(" ".join((WORDS * 10)[:n]) + ".", voice)
        if release:
            tts.release_memory()
        release_free_memory()
        left[f"{n} words"] = _rss_mb() - base
    return {"turns": turns, "audio": audio, "cpu": cpu, "left": left}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure(*SETTINGS[sys.argv[2]])))
        return
    print(f"piper joe, 1 thread, samples/dialogues.jsonl turns then 40/60/80-word sentences; "
          f"load {os.getloadavg()[0]:.2f}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
           "OMP_NUM_THREADS": "1"}
    for name in SETTINGS:
        proc = subprocess.run([sys.executable, __file__, "--one", name], env=env, capture_output=True, text=True,
                              check=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        left = ", ".join(f"{k} {v:+.0f}" for k, v in r["left"].items())
        print(f"{name:24s} {r['turns']} turns, {r['audio']:.0f} s audio, CPU {r['cpu']:.2f} s; "
              f"MB left above the loaded voice after: {left}")


if __name__ == "__main__":
    main()
