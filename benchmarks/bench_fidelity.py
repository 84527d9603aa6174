"""Round-trip fidelity on human-written task-oriented text (Schema-Guided Dialogue JSON).

Runs ``text --import`` -> ``speak`` -> ``duplex`` -> ``eval`` with the defaults on an SGD
file (e.g. 10 restaurant dialogues cut from ``train/dialogues_001.json``; the data stays
outside the repository), then prints, from ``eval.jsonl``:

* pooled turn WER as the eval stage recorded it, and the share of turns flagged;
* the same ASR words re-scored with the current scoring code (``--rescore`` only does this,
  so an old corpus can be compared against new normalization without running ASR again);
* per-channel WER: every reference word of a channel against every ASR word the eval kept
  for that channel, so segment assignment cannot add errors; the gap to the pooled turn WER
  is what the word-to-segment assignment costs;
* backchannel recall and every turn that still has errors (normalized reference | hypothesis),
  for sorting by cause by hand.

Run: .venv/bin/python benchmarks/bench_fidelity.py SGD.json [--corpus DIR] [--rescore]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from duplex.records import Segment  # noqa: E402
from eval.normalize import normalize_text  # noqa: E402
from eval.wer import word_errors  # noqa: E402
from eval.words import assign_words, join_words  # noqa: E402
from speech.records import Word  # noqa: E402


def run_stages(sgd: Path, corpus: Path) -> None:
    """The four stages through the CLI, each with its defaults."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["text", str(corpus), "--import", str(sgd)], ["speak", str(corpus)],
                 ["duplex", str(corpus)], ["eval", str(corpus)]):
        subprocess.run([sys.executable, "-m", "duplexsynth.cli.main", *args], check=True, env=env)


def _pooled(pairs: list[tuple[int, int]]) -> float:
    ref = sum(r for _, r in pairs)
    return 100.0 * sum(e for e, _ in pairs) / ref if ref else 0.0


def report(corpus: Path, show: int) -> None:
    """Print the figures above for ``corpus``."""
    rows = [json.loads(line) for line in open(corpus / "eval.jsonl") if '"TurnEval"' in line]
    turns = [r for r in rows if r["kind"] == "turn"]
    bcs = [r for r in rows if r["kind"] == "backchannel"]
    recorded = _pooled([(r["errors"], r["ref_words"]) for r in turns])
    print(f"turn segments: {len(turns)}, reference words: {sum(r['ref_words'] for r in turns)}")
    print(f"pooled turn WER (recorded by eval): {recorded:.2f}%   flagged turns: "
          f"{sum(r['flagged'] for r in turns)} ({100 * sum(r['flagged'] for r in turns) / max(len(turns), 1):.1f}%)")
    channels: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for r in rows:
        channels[(r["dialogue_id"], r["channel"])].append(r)
    rescored = []
    for rs in channels.values():
        rs = sorted(rs, key=lambda r: r["start"])
        segments = [Segment(channel=r["channel"], speaker=r["speaker"], start=r["start"], end=r["end"],
                            text=r["reference"], kind=r["kind"]) for r in rs]
        words = sorted((Word.from_dict(w) for r in rs for w in r["words"]), key=lambda w: w.start)
        for r, seg_words in zip(rs, assign_words(words, segments, 0.3)):
            if r["kind"] == "turn":
                hyp = join_words(seg_words)
                rescored.append((word_errors(r["reference"], hyp), r, hyp))
    print(f"pooled turn WER (re-scored now: same ASR words, current assignment and normalization): "
          f"{_pooled([(e.errors, e.ref_len) for e, _, _ in rescored]):.2f}%   would flag: "
          f"{sum(e.rate > 0.3 for e, _, _ in rescored)}")
    per_channel = []
    for segs in channels.values():
        ref = " ".join(s["reference"] for s in sorted(segs, key=lambda s: s["start"]) if s["kind"] == "turn")
        words = sorted((Word.from_dict(w) for s in segs if s["kind"] == "turn" for w in s["words"]),
                       key=lambda w: w.start)
        e = word_errors(ref, join_words(words))
        per_channel.append((e.errors, e.ref_len))
    print(f"per-channel WER (no segment assignment): {_pooled(per_channel):.2f}%")
    heard = sum(bool(r["hypothesis"].strip()) for r in bcs)
    print(f"backchannels: {len(bcs)}, heard by ASR: {heard} ({100 * heard / max(len(bcs), 1):.0f}%), "
          f"backchannel WER pooled: {_pooled([(r['errors'], r['ref_words']) for r in bcs]):.1f}%")
    bad = sorted((x for x in rescored if x[0].errors), key=lambda x: -x[0].errors)
    print(f"\n{len(bad)} turn segments with errors (errors | normalized reference | normalized hypothesis):")
    for e, r, hyp in bad[:show]:
        print(f"{e.errors:2d} | {normalize_text(r['reference'])} | {normalize_text(hyp)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sgd", type=Path, help="SGD dialogues JSON (a list of dialogues)")
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: a new temp folder)")
    parser.add_argument("--rescore", action="store_true", help="only re-score an existing corpus's eval.jsonl")
    parser.add_argument("--show", type=int, default=60, help="how many erroneous turns to list")
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="fidelity-"))
    if not args.rescore:
        run_stages(args.sgd, corpus)
    print(f"corpus: {corpus}")
    report(corpus, args.show)


if __name__ == "__main__":
    main()
