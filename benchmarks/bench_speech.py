"""Speech-stage throughput: the same 50 turns through the raw engine and through the stage.

For each voice it prints the real-time factor (wall seconds per audio second) of the
raw engine call and of the stage (engine + pitch/tempo transform + trim + resample +
loudness + file write), our overhead as a ratio (goal: at most 1.10x), and the speed-up
of a rerun served from the content-addressed cache.

    .venv/bin/python benchmarks/bench_speech.py [--turns 50] [--voices joe,kokoro-jf_nezumi,kokoro-nezumi-kumo]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from speech.synthesize import SpeechConfig, TTSPool, speak_dialogue, turn_rates
from speech.voices import default_voice_bank
from text_dialogue.records import Dialogue, Turn

SENTENCES = [
    "Hi, thanks for calling, how can I help you today?",
    "I ordered a blue jacket last week and it still has not arrived.",
    "Could you give me the order number, please?",
    "Sure, it is four five seven two, nine nine one.",
    "Thank you. I can see it left our warehouse on Monday.",
    "Oh, that is strange, the tracking page says nothing at all.",
    "Sometimes the carrier takes a day or two to update it.",
    "Okay. Is there any way to speed it up?",
    "I can upgrade the delivery to express at no extra cost.",
    "That would be great, thank you so much.",
]


def make_dialogue(n_turns: int) -> Dialogue:
    """A dialogue of ``n_turns`` turns cycling through varied sentences (each text unique)."""
    turns = tuple(
        Turn(i, "AB"[i % 2], f"{SENTENCES[i % len(SENTENCES)]} {'Right.' * (i // len(SENTENCES))}".strip())
        for i in range(n_turns)
    )
    return Dialogue(id="bench", turns=turns)


class TimedEngine:
    """Wraps an engine and adds up the seconds spent inside ``synthesize``."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.name, self.seconds = engine, engine.name, 0.0

    def synthesize(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return self.engine.synthesize(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start

    def model_info(self, voice):  # type: ignore[no-untyped-def]
        return self.engine.model_info(voice)


def bench_voice(pool: TTSPool, dialogue: Dialogue, voice, folder: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Raw engine vs stage, turn by turn (interleaved, so load changes hit both alike), then the cache."""
    config = SpeechConfig()
    rates = turn_rates(dialogue, dialogue.id, config)
    engine = pool.get(voice.backend)
    timed = TimedEngine(engine)
    stage_pool = TTSPool(engines={voice.backend: timed})  # type: ignore[dict-item]
    pitch = 2.0 ** (voice.pitch_semitones / 12.0)
    engine.synthesize("Warm up.", voice)
    speak_dialogue(Dialogue(id="warm", turns=dialogue.turns[:1]), {"A": voice}, stage_pool, config, folder, folder)
    timed.seconds = 0.0
    raw = stage = audio = 0.0
    for n, turn in enumerate(dialogue.turns):
        one = Dialogue(id=dialogue.id, turns=(turn,))  # same id and index: same rate as in the full dialogue
        for step in (("raw", "stage") if n % 2 == 0 else ("stage", "raw")):
            start = time.perf_counter()
            if step == "raw":
                engine.synthesize(turn.text, voice, length_scale=pitch / (voice.tempo * rates[turn.index]))
                raw += time.perf_counter() - start
            else:
                utt = speak_dialogue(one, {turn.speaker: voice}, stage_pool, config, folder / "audio", folder)[0]
                stage += time.perf_counter() - start
                audio += utt.duration
    engine_in_stage = timed.seconds
    cached_config = SpeechConfig(cache_dir=str(folder / "cache"))
    cast = {"A": voice, "B": voice}
    speak_dialogue(dialogue, cast, stage_pool, cached_config, folder / "fill", folder)
    start = time.perf_counter()
    speak_dialogue(dialogue, cast, stage_pool, cached_config, folder / "rerun", folder)
    cached = time.perf_counter() - start
    return {"audio": audio, "raw": raw, "stage": stage, "engine_in_stage": engine_in_stage, "cached": cached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--voices", default="joe,kokoro-jf_nezumi,kokoro-nezumi-kumo")
    args = parser.parse_args()

    bank = default_voice_bank()
    dialogue = make_dialogue(args.turns)
    pool = TTSPool()
    print(f"{args.turns} turns per voice; RTF = wall seconds / audio seconds; overhead = stage / raw engine")
    print(f"{'voice':<14}{'audio s':>8}{'raw RTF':>9}{'stage RTF':>10}{'overhead':>10}{'in-run':>8}"
          f"{'cached RTF':>11}{'cache speed-up':>15}")
    for voice_id in args.voices.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            r = bench_voice(pool, dialogue, bank[voice_id], Path(tmp))
        print(f"{voice_id:<14}{r['audio']:>8.1f}{r['raw'] / r['audio']:>9.4f}{r['stage'] / r['audio']:>10.4f}"
              f"{r['stage'] / r['raw']:>9.3f}x{r['stage'] / r['engine_in_stage']:>7.3f}x"
              f"{r['cached'] / r['audio']:>11.4f}{r['stage'] / r['cached']:>14.1f}x")
    print("in-run = stage time / engine time inside the same stage calls (immune to load drift)")


if __name__ == "__main__":
    main()
