"""Throughput of each export format: seconds of dialogue audio exported per wall-clock second.

Builds a synthetic corpus (stereo FLAC, 16 kHz, turns with overlaps and backchannels,
a word every ~0.3 s) in a temp folder and times each format on its own.

    python benchmarks/bench_exports.py [--dialogues 20] [--seconds 120]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from duplex.exports import available_exporters
from duplex.records import Segment, Timeline
from duplexsynth.exporting import export_corpus
from speech.records import Word


def synthetic_timeline(index: int, seconds: float, sr: int, rng: np.random.Generator) -> Timeline:
    """Alternating turns of 2-6 s that overlap by up to 0.3 s, a backchannel in some."""
    segments, t, turn = [], 0.2, 0
    while t < seconds - 3.0:
        length = float(rng.uniform(2.0, 6.0))
        end = min(t + length, seconds - 0.5)
        channel = turn % 2
        words = tuple(Word(f"w{k}", round(s, 3), round(min(s + 0.25, end), 3))
                      for k, s in enumerate(np.arange(t, end - 0.05, 0.3)))
        segments.append(Segment(channel=channel, speaker="AB"[channel], start=round(t, 3), end=round(end, 3),
                                text=" ".join(w.text for w in words), words=words, turn_index=turn))
        if length > 4.0:
            bc = t + 2.0
            segments.append(Segment(channel=1 - channel, speaker="AB"[1 - channel], start=round(bc, 3),
                                    end=round(bc + 0.4, 3), text="yeah", words=(Word("yeah", round(bc, 3), round(bc + 0.4, 3)),),
                                    kind="backchannel"))
        t = end + float(rng.uniform(-0.3, 0.6))
        turn += 1
    return Timeline(id=f"bench-{index:04d}", duration=seconds, sampling_rate=sr, segments=tuple(segments),
                    audio_path=f"audio/duplex/bench-{index:04d}.flac")


def make_corpus(root: Path, dialogues: int, seconds: float, sr: int = 16000) -> None:
    rng = np.random.default_rng(0)
    lines = []
    for i in range(dialogues):
        timeline = synthetic_timeline(i, seconds, sr, rng)
        audio = (0.1 * rng.standard_normal((int(seconds * sr), 2))).astype(np.float32)
        path = root / str(timeline.audio_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), audio, sr, subtype="PCM_16")
        lines.append(json.dumps(timeline.to_dict()))
    (root / "timelines.jsonl").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_corpus(root, args.dialogues, args.seconds)
        audio_seconds = args.dialogues * args.seconds
        start = time.perf_counter()
        import lhotse  # noqa: F401  (imports torch: a one-off cost, timed apart)
        import praatio.textgrid  # noqa: F401

        print(f"one-off imports (lhotse + torch, praatio): {time.perf_counter() - start:.2f} s")
        print(f"corpus: {args.dialogues} dialogues x {args.seconds:.0f} s = {audio_seconds / 60:.0f} min of stereo 16 kHz")
        for name in available_exporters():
            start = time.perf_counter()
            export_corpus(root, [name])
            wall = time.perf_counter() - start
            print(f"{name:9s} {wall:7.3f} s wall  {audio_seconds / wall:10.0f}x real time")


if __name__ == "__main__":
    main()
