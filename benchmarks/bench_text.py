"""Text-stage benchmark: N dialogues per shipped scenario with the default model.

Prints one row per scenario: share passing the critic, mean turns, rejected turns
per dialogue, distinct-1/2, repetition rate and generation tokens per second, then
two sample dialogues.

    .venv/bin/python benchmarks/bench_text.py --count 10 [--threads 2] [--scenarios booking,chitchat]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from corpus_core.errors import GenerationError
from text_dialogue.agents import AgentLoopConfig, generate_dialogue
from text_dialogue.critic import (
    _words,  # the critic's own tokenization, so numbers agree
)
from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM
from text_dialogue.records import Dialogue
from text_dialogue.scenario import available_scenarios


def distinct_n(dialogues: list[Dialogue], n: int) -> float:
    """Unique word n-grams over all n-grams in every turn of ``dialogues``."""
    grams = [tuple(w[i : i + n]) for d in dialogues for t in d.turns for w in [_words(t.text)]
             for i in range(len(w) - n + 1)]
    return len(set(grams)) / max(1, len(grams))


def repetition_rate(dialogues: list[Dialogue]) -> float:
    """Share of word 3-grams that already occurred earlier in the same dialogue."""
    seen_again = total = 0
    for d in dialogues:
        seen: set[tuple[str, ...]] = set()
        for t in d.turns:
            w = _words(t.text)
            grams = [tuple(w[i : i + 3]) for i in range(len(w) - 2)]
            seen_again += sum(g in seen for g in grams)
            total += len(grams)
            seen.update(grams)
    return seen_again / max(1, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="dialogues per scenario")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scenarios", default="", help="comma-separated names (default: all shipped)")
    args = parser.parse_args()
    library = available_scenarios()
    names = args.scenarios.split(",") if args.scenarios else sorted(library)
    llm = LlamaCppLLM(LlamaCppConfig(n_threads=args.threads))
    config = AgentLoopConfig()
    header = f"{'scenario':<14}{'pass':>6}{'turns':>7}{'rej/dlg':>9}{'dist-1':>8}{'dist-2':>8}{'rep':>7}{'tok/s':>8}{'s/dlg':>7}"
    rows, samples = [header, "-" * len(header)], []
    for name in names:
        ok: list[Dialogue] = []
        rejected, tokens, seconds, wall = Counter(), 0, 0.0, time.perf_counter()
        for seed in range(args.count):
            try:
                d = generate_dialogue(llm, library[name], f"{name}-{seed}", seed, config)
            except GenerationError as e:
                meta = getattr(e, "meta", {})
                rejected.update(getattr(e, "rejected_turns", {}))
            else:
                ok.append(d)
                meta = d.meta
                rejected.update(d.meta["rejected_turns"])
            tokens += meta.get("generation", {}).get("tokens", 0)
            seconds += meta.get("generation", {}).get("seconds", 0.0)
        wall = time.perf_counter() - wall
        mean_turns = sum(len(d.turns) for d in ok) / max(1, len(ok))
        rows.append(f"{name:<14}{len(ok) / args.count:>6.0%}{mean_turns:>7.1f}"
                    f"{sum(rejected.values()) / args.count:>9.2f}{distinct_n(ok, 1):>8.2f}{distinct_n(ok, 2):>8.2f}"
                    f"{repetition_rate(ok):>7.2f}{tokens / max(seconds, 1e-9):>8.1f}{wall / args.count:>7.1f}")
        print(rows[-1], f"  rejections: {dict(rejected)}", flush=True)
        if ok and len(samples) < 2 and name in ("booking", "elicitation", "tech_support", "chitchat"):
            samples.append(ok[0])
    print("\n".join(rows))
    for d in samples:
        print(f"\n--- {d.id} ({d.end_reason}); A={d.personas['A'].name} the {d.personas['A'].role}, "
              f"B={d.personas['B'].name} the {d.personas['B'].role}")
        for t in d.turns:
            print(f"{t.speaker}: {t.text}")


if __name__ == "__main__":
    main()
