"""Time and memory per dialogue of the near-duplicate index, up to 100,000 synthetic dialogues.

Each synthetic dialogue has 24 turns of 8 to 14 words drawn from a 5,000-word vocabulary
(Zipf-like), about 270 words, like a default dialogue; each is drawn afresh (outside the
timing), so they are distinct. Every dialogue is looked up and indexed
(:meth:`NearDuplicateIndex.check_and_add`) as the manifest writer does. Printed at each
checkpoint: mean microseconds per dialogue over the stretch since the last checkpoint,
as CPU time of this process and as wall time (the machine may be shared), the growth
of the resident set size (RSS) since the index was made, and, on a second pass, of the
Python heap (tracemalloc), both per dialogue indexed.

    python benchmarks/bench_minhash.py [--n 100000] [--checkpoints 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import time
import tracemalloc

from text_dialogue.near_duplicates import NearDuplicateIndex

VOCAB = [f"w{i}" for i in range(5000)]
CUM_WEIGHTS = list(itertools.accumulate(1 / (i + 1) for i in range(len(VOCAB))))


def synthetic_dialogue(rng: random.Random) -> list[str]:
    """24 turns of 8-14 Zipf-drawn words."""
    return [" ".join(rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=rng.randint(8, 14))) for _ in range(24)]


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def run(n: int, checkpoints: list[int], trace: bool) -> list[tuple[int, float, float, float, int]]:
    """``(dialogues, CPU us, wall us per dialogue since the last checkpoint, memory MB, near-duplicates)``."""
    rng = random.Random(0)
    index = NearDuplicateIndex(0.5)
    if trace:
        tracemalloc.start()
    out, last, cpu, wall, dups = [], 0, 0.0, 0.0, 0
    base = tracemalloc.get_traced_memory()[0] / 2**20 if trace else _rss_mb()
    for i in range(n):
        turns = synthetic_dialogue(rng)
        start, start_cpu = time.perf_counter(), time.process_time()
        dups += index.check_and_add(f"d{i}", turns) is not None
        cpu += time.process_time() - start_cpu
        wall += time.perf_counter() - start
        if i + 1 in checkpoints:
            mem = tracemalloc.get_traced_memory()[0] / 2**20 if trace else _rss_mb()
            out.append((i + 1, 1e6 * cpu / (i + 1 - last), 1e6 * wall / (i + 1 - last), mem - base, dups))
            last, cpu, wall = i + 1, 0.0, 0.0
    if trace:
        tracemalloc.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--checkpoints", default="1000,10000,100000")
    parser.add_argument("--no-trace", action="store_true", help="skip the (slow) tracemalloc pass")
    args = parser.parse_args()
    points = [int(c) for c in args.checkpoints.split(",") if int(c) <= args.n]
    passes = [("RSS", False)] + ([] if args.no_trace else [("heap", True)])
    for label, trace in passes:
        print(f"{'dialogues':>10} {'CPU us/dlg':>11} {'wall us/dlg':>12} {label + ' MB':>8} "
              f"{label + ' KB/dlg':>11} {'near-dups':>9}" + ("  (tracemalloc: slower)" if trace else ""))
        for n, cpu, wall, mb, dups in run(args.n, points, trace):
            print(f"{n:>10} {cpu:>11.0f} {wall:>12.0f} {mb:>8.1f} {1024 * mb / n:>11.2f} {dups:>9}", flush=True)


if __name__ == "__main__":
    main()
