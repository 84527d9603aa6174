"""Time the eval stage's ASR pass against raw faster-whisper on the same audio.

Prints the ratio (aim: at most 1.10x). The stage side is ``evaluate_timeline`` with
cpWER, speaker similarity and turn-taking off (resampling, transcription of both
channels, word assignment, scoring); the raw side calls ``WhisperModel.transcribe``
on the same two 16 kHz channels with the same options. The full stage (all metrics)
is timed too, for information.

Run: .venv/bin/python benchmarks/bench_asr.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "eval"))

from conftest import spoken_dialogue  # noqa: E402  (the test fixture's piper dialogue)

from eval.asr.base import ASR_SAMPLING_RATE  # noqa: E402
from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig  # noqa: E402
from eval.evaluate import EvalConfig, evaluate_timeline, load_eval_tools  # noqa: E402
from speech.audio import resample  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    dialogue = spoken_dialogue.__wrapped__()
    timeline, stereo = dialogue.timeline, dialogue.stereo
    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=2))
    asr_only = EvalConfig(cpwer=False, speaker_similarity=False, turn_taking=False)
    full = EvalConfig()
    load_eval_tools(full)
    channels = [resample(np.ascontiguousarray(stereo[:, c]), timeline.sampling_rate, ASR_SAMPLING_RATE) for c in (0, 1)]

    def raw() -> None:
        for audio in channels:
            segments, _ = asr._model.transcribe(  # the same loaded model, called directly
                audio, language="en", beam_size=5, word_timestamps=True,
                condition_on_previous_text=False, vad_filter=False,
            )
            [w for s in segments for w in (s.words or [])]

    def stage() -> None:
        evaluate_timeline(timeline, stereo, asr, asr_only)

    raw()  # warm-up
    t_raw, t_stage = [], []
    for _ in range(args.repeats):
        for fn, out in ((raw, t_raw), (stage, t_stage)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    start = time.perf_counter()
    evaluate_timeline(timeline, stereo, asr, full)
    t_full = time.perf_counter() - start
    best_raw, best_stage = min(t_raw), min(t_stage)
    print(f"audio: {timeline.duration:.1f} s stereo ({2 * timeline.duration:.1f} s of channel audio)")
    print(f"raw faster-whisper (2 channels): {best_raw:.2f} s  (RTF {best_raw / (2 * timeline.duration):.3f})")
    print(f"eval stage ASR pass:             {best_stage:.2f} s")
    print(f"ratio stage / raw: {best_stage / best_raw:.3f}x  (aim <= 1.10x)")
    print(f"full eval stage (ASR x2 channels + mono cpWER + resemblyzer + silero VAD): {t_full:.2f} s "
          f"= {t_full / best_raw:.2f}x raw")


if __name__ == "__main__":
    main()
