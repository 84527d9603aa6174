"""Text-stage benchmark: N dialogues per shipped scenario with the default model, free-form vs planned.

Prints one row per scenario and mode: share passing the critic, mean turns, rejected
turns per dialogue, distinct-1/2, repetition rate, tokens per second, then the content
measures of :mod:`text_dialogue.content` (goal-fact recall, end reached, repetition and
contradiction flags, words per turn, estimated duration, example-line fallbacks);
then one pooled row per mode and two sample dialogues.

    .venv/bin/python benchmarks/bench_text.py --count 10 [--threads 2] [--scenarios booking,chitchat] [--modes free,planned]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import replace

from corpus_core.errors import GenerationError
from text_dialogue.agents import AgentLoopConfig, generate_dialogue
from text_dialogue.content import ContentMetrics, measure_content, pool_content
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


def _content_cols(items: list[ContentMetrics], fallback: int, turns: int) -> str:
    pooled = pool_content(items)
    if not items:
        return f"{'-':>7}{'-':>6}{'-':>6}{'-':>7}{'-':>6}{'-':>7}{'-':>6}"
    recall = pooled["fact_recall"]
    return (f"{recall if recall is not None else float('nan'):>7.0%}{pooled['end_reached']:>6.0%}"
            f"{pooled['repetition_flagged']:>6.0%}{pooled['contradiction_flagged']:>7.0%}"
            f"{pooled['words_per_turn']:>6.1f}{pooled['mean_duration']:>7.1f}{fallback / max(1, turns):>6.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="dialogues per scenario and mode")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--scenarios", default="", help="comma-separated names (default: all shipped)")
    parser.add_argument("--modes", default="free,planned", help="comma-separated agent modes to compare")
    args = parser.parse_args()
    library = available_scenarios()
    names = args.scenarios.split(",") if args.scenarios else sorted(library)
    llm = LlamaCppLLM(LlamaCppConfig(n_threads=args.threads))
    header = (f"{'scenario':<14}{'mode':<8}{'pass':>6}{'turns':>7}{'rej/dlg':>9}{'dist-2':>8}{'rep':>6}{'tok/s':>7}"
              f"{'s/dlg':>7}{'recall':>7}{'end':>6}{'repF':>6}{'contrF':>7}{'w/t':>6}{'dur_s':>7}{'tmpl':>6}")
    rows, samples = [header, "-" * len(header)], []
    pooled_rows = []
    everything: dict[str, list[ContentMetrics]] = {}
    for mode in args.modes.split(","):
        config = replace(AgentLoopConfig(), mode=mode)
        fallback_all = turns_all = 0
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
            # a dialogue the critic rejected counts as recalling nothing and not reaching the end
            content = [measure_content(d, end_phrases=library[name].end_phrases) for d in ok]
            failed = args.count - len(ok)
            content += [ContentMetrics(facts=max((c.facts for c in content), default=1), facts_stated=0, recall=0.0,
                                       end_reached=False, repetition_rate=0.0, repetition=False, contradictions=(),
                                       turns=0, words_per_turn=0.0, duration=0.0)] * failed
            everything.setdefault(mode, []).extend(content)
            fallback = sum(d.meta.get("template_turns", 0) for d in ok)
            nturns = sum(len(d.turns) for d in ok)
            fallback_all += fallback
            turns_all += nturns
            mean_turns = nturns / max(1, len(ok))
            rows.append(f"{name:<14}{mode:<8}{len(ok) / args.count:>6.0%}{mean_turns:>7.1f}"
                        f"{sum(rejected.values()) / args.count:>9.2f}{distinct_n(ok, 2):>8.2f}"
                        f"{repetition_rate(ok):>6.2f}{tokens / max(seconds, 1e-9):>7.1f}{wall / args.count:>7.1f}"
                        + _content_cols(content, fallback, nturns))
            print(rows[-1], f"  rejections: {dict(rejected)}", flush=True)
            if ok and len(samples) < 2 and mode == "planned":
                samples.append(ok[0])
        pooled_rows.append(f"{'ALL':<14}{mode:<8}{'':>6}{'':>7}{'':>9}{'':>8}{'':>6}{'':>7}{'':>7}"
                           + _content_cols(everything[mode], fallback_all, turns_all))
    print("\n".join(rows + ["-" * len(header)] + pooled_rows))
    for d in samples:
        print(f"\n--- {d.id} ({d.end_reason}); A={d.personas['A'].name} the {d.personas['A'].role}, "
              f"B={d.personas['B'].name} the {d.personas['B'].role}")
        for t in d.turns:
            print(f"{t.speaker}: {t.text}")


if __name__ == "__main__":
    main()
