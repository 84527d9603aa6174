"""Kokoro against piper: raw-engine real-time factor of the same sentences, in one run.

Each engine speaks the same turns (after one warm-up call that loads it); RTF is wall
seconds per second of audio, and the ratio says how many times piper's throughput
(audio seconds per wall second) Kokoro reaches. Threads are held equal for both.

    .venv/bin/python benchmarks/bench_kokoro.py [--turns 12] [--threads 1] [--kokoro-voices jf_nezumi,jm_kumo,jf_nezumi:0.6;jm_kumo:0.4]
"""

from __future__ import annotations

import argparse
import time

from speech.records import Voice
from speech.tts.base import TTS
from speech.tts.kokoro import KokoroConfig, KokoroTTS
from speech.tts.piper import PiperConfig, PiperTTS

SENTENCES = [
    "Hi, thanks for calling, how can I help you today?",
    "I ordered a blue jacket last week and it still has not arrived.",
    "Could you give me the order number, please?",
    "Thank you. I can see it left our warehouse on Monday.",
    "Oh, that is strange, the tracking page says nothing at all.",
    "Sometimes the carrier takes a day or two to update it.",
    "Okay. Is there any way to speed it up?",
    "I can send a replacement today by express delivery, at no cost to you.",
]


def measure(engine: TTS, voices: list[Voice], turns: int) -> tuple[float, float]:
    """``(wall seconds, audio seconds)`` of ``turns`` sentences, cycling over ``voices``."""
    engine.synthesize("Warm up.", voices[0])
    wall = audio = 0.0
    for i in range(turns):
        start = time.perf_counter()
        out = engine.synthesize(SENTENCES[i % len(SENTENCES)], voices[i % len(voices)])
        wall += time.perf_counter() - start
        audio += len(out.samples) / out.sampling_rate
    return wall, audio


def main() -> None:
    """Print one row per engine and the throughput ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--kokoro-voices", default="jf_nezumi,jm_kumo,jf_nezumi:0.6;jm_kumo:0.4",
                        help="comma-separated voices; write a blend's parts with ';'")
    args = parser.parse_args()
    specs = [s.replace(";", ",") for s in args.kokoro_voices.split(",")]
    engines = {
        "piper": (PiperTTS(PiperConfig(threads=args.threads)), [Voice(id="joe", backend="piper")]),
        "kokoro": (KokoroTTS(KokoroConfig(threads=args.threads)),
                   [Voice(id=s, backend="kokoro", speaker=s) for s in specs]),
    }
    rtf = {}
    print(f"{'engine':<8} {'turns':>5} {'audio s':>8} {'wall s':>7} {'RTF':>6}")
    for name, (engine, voices) in engines.items():
        wall, audio = measure(engine, voices, args.turns)
        rtf[name] = wall / audio
        print(f"{name:<8} {args.turns:>5} {audio:>8.1f} {wall:>7.1f} {rtf[name]:>6.3f}")
    print(f"kokoro throughput = {rtf['piper'] / rtf['kokoro']:.3f}x piper's (RTF ratio {rtf['kokoro'] / rtf['piper']:.1f})")


if __name__ == "__main__":
    main()
