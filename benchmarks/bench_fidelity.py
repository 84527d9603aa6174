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
* the re-scored errors split by cause: a run of adjacent errors that touches a name (a word
  the dialogue writes capitalized mid-sentence, as the gate finds them) counts as "names",
  also where the ASR wrote the name as two words; one that touches a word of ``--typos``
  (misspellings in the human text) as "typos"; the rest as insertions, deletions or
  substitutions;
* with the gate set to re-synthesize, the pooled WER of the first pass (before the gate's
  actions) next to the final one, and the actions counted in meta.json;
* false gate flags from segmentation: flagged turns that the channel-level alignment finds
  right, i.e. flags only the segment boundaries made (and segments with such errors);
* backchannel recall and every turn that still has errors (normalized reference | hypothesis),
  for sorting by cause by hand.

Run: .venv/bin/python benchmarks/bench_fidelity.py SGD.json [--corpus DIR] [--rescore]
     [--config gate.yaml] [--typos resturant,restraunt]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from duplex.records import Segment  # noqa: E402
from eval.normalize import match_readings, normalize_text  # noqa: E402
from eval.respell import name_words  # noqa: E402
from eval.wer import word_alignment, word_errors  # noqa: E402
from eval.words import assign_words, join_words  # noqa: E402
from speech.records import Word  # noqa: E402


def run_stages(sgd: Path, corpus: Path, config: Path | None = None) -> None:
    """The four stages through the CLI, each with its defaults (duplex and eval with ``config`` if given)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    extra = ["--config", str(config)] if config else []
    for args in (["text", str(corpus), "--import", str(sgd)], ["speak", str(corpus)],
                 ["duplex", str(corpus), *extra], ["eval", str(corpus), *extra]):
        subprocess.run([sys.executable, "-m", "duplexsynth.cli.main", *args], check=True, env=env)


def error_causes(reference: str, hypothesis: str, names: set[str], typos: set[str]) -> Counter:
    """Errors of one turn by cause (see the module docstring); they sum to its error count."""
    ref = normalize_text(reference).split()
    hyp = match_readings(ref, normalize_text(hypothesis).split())
    out: Counter = Counter()
    runs: list[list[tuple[str, int, int, int, int]]] = []
    for chunk in word_alignment(ref, hyp):
        if chunk[0] == "equal":
            runs.append([])
        elif runs and runs[-1]:
            runs[-1].append(chunk)
        else:
            runs.append([chunk])
    for run in filter(None, runs):
        r0, r1 = run[0][1], run[-1][2]
        errors = sum(max(c[2] - c[1], c[4] - c[3]) for c in run)
        touched = set(ref[max(r0 - 1, 0):r1 + 1] if r0 == r1 else ref[r0:r1])  # an insertion: its neighbours
        kinds = {c[0] for c in run}
        cause = ("names" if touched & names else "typos in the human text" if touched & typos
                 else "insertions" if kinds == {"insert"} else "deletions" if kinds == {"delete"} else "substitutions")
        out[cause] += errors
    return out


def channel_errors_by_turn(segs: list[dict]) -> list[int]:
    """Errors of each turn segment of one channel (time order) as the channel-level alignment
    finds them: every reference word of the channel against every ASR word the eval kept for
    it, so no segment boundary is involved. An insertion counts for the turn of the reference
    word before it (the first turn at the channel's start)."""
    turns = sorted((s for s in segs if s["kind"] == "turn"), key=lambda s: s["start"])
    ref, owner = [], []
    for k, s in enumerate(turns):
        toks = normalize_text(s["reference"]).split()
        ref += toks
        owner += [k] * len(toks)
    words = sorted((Word.from_dict(w) for s in turns for w in s["words"]), key=lambda w: w.start)
    hyp = match_readings(ref, normalize_text(join_words(words)).split())
    out = [0] * len(turns)
    for kind, r0, r1, h0, h1 in word_alignment(ref, hyp):
        if kind == "equal" or not owner:
            continue
        if kind == "insert":
            out[owner[max(r0 - 1, 0)]] += h1 - h0
            continue
        for r in range(r0, r1):
            out[owner[r]] += 1
        out[owner[r1 - 1]] += max(h1 - h0 - (r1 - r0), 0)
    return out


def _pooled(pairs: list[tuple[int, int]]) -> float:
    ref = sum(r for _, r in pairs)
    return 100.0 * sum(e for e, _ in pairs) / ref if ref else 0.0


def report(corpus: Path, show: int, typos: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """Print the figures above for ``corpus``."""
    rows = [json.loads(line) for line in open(corpus / "eval.jsonl") if '"TurnEval"' in line]
    dialogues = [json.loads(line) for line in open(corpus / "eval.jsonl") if '"DialogueEval"' in line]
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
    before = [d["metrics"]["gate"].get("before") for d in dialogues if "gate" in d["metrics"]]
    if before and all(before):
        rounds = sum(d["metrics"]["gate"]["resynthesis_rounds"] for d in dialogues)
        print(f"pooled turn WER before the gate's actions (first pass): "
              f"{_pooled([(b['errors'], b['ref_words']) for b in before]):.2f}%   after: {recorded:.2f}%   "
              f"re-synthesis rounds: {rounds}")
        meta = json.loads((corpus / "meta.json").read_text())
        print(f"gate actions (meta.json): {json.dumps(meta.get('stages', {}).get('eval', {}).get('gate', {}))}")
    print(f"pooled turn WER (re-scored now: same ASR words, current assignment and normalization): "
          f"{_pooled([(e.errors, e.ref_len) for e, _, _ in rescored]):.2f}%   would flag (WER above 0.3): "
          f"{sum(e.rate > 0.3 for e, _, _ in rescored)}")
    names_of = {d: name_words(r["reference"] for r in rows if r["dialogue_id"] == d and r["kind"] == "turn")
                for d in {r["dialogue_id"] for r in rows}}
    causes: Counter = Counter()
    for _, r, hyp in rescored:
        causes += error_causes(r["reference"], hyp, names_of[r["dialogue_id"]], typos)
    ref_total = sum(e.ref_len for e, _, _ in rescored)
    print("  by cause: " + ", ".join(f"{k} {100 * v / ref_total:.2f} pts ({v})" for k, v in causes.most_common()))
    per_channel = []
    for segs in channels.values():
        ref = " ".join(s["reference"] for s in sorted(segs, key=lambda s: s["start"]) if s["kind"] == "turn")
        words = sorted((Word.from_dict(w) for s in segs if s["kind"] == "turn" for w in s["words"]),
                       key=lambda w: w.start)
        e = word_errors(ref, join_words(words))
        per_channel.append((e.errors, e.ref_len))
    print(f"per-channel WER (no segment assignment): {_pooled(per_channel):.2f}%")
    # a flag from segmentation: the turn is flagged although the channel-level alignment, which
    # no segment boundary touches, finds every word of it right (the gate flags whole turns, so
    # every segment of a turn with a misheard word is flagged: turns are counted, not segments)
    turn_flags: dict[tuple, bool] = defaultdict(bool)
    turn_channel_errors: Counter = Counter()
    seg_errors = []
    for (dialogue_id, channel), segs in channels.items():
        turns = sorted((s for s in segs if s["kind"] == "turn"), key=lambda s: s["start"])
        for s, channel_errors in zip(turns, channel_errors_by_turn(segs)):
            key = (dialogue_id, channel, s["turn_index"])
            turn_flags[key] |= bool(s["flagged"])
            turn_channel_errors[key] += channel_errors
            if s["errors"] and not channel_errors:
                seg_errors.append(s)
    flagged = [k for k, f in turn_flags.items() if f]
    false_flags = [k for k in flagged if not turn_channel_errors[k]]
    print(f"flagged turns: {len(flagged)}, of which the channel-level alignment finds every word right "
          f"(false flags from segmentation): {len(false_flags)}; segments with errors it finds right: {len(seg_errors)}")
    for s in seg_errors:
        print(f"  {s['dialogue_id']} ch{s['channel']} {s['start']:.2f}s: {s['reference']!r} | {s['hypothesis']!r}")
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
    parser.add_argument("--config", type=Path, default=None,
                        help="run config for duplex and eval (e.g. the gate's action, a timing change)")
    parser.add_argument("--typos", default="", help="comma-separated misspelled words of the human text")
    args = parser.parse_args()
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix="fidelity-"))
    if not args.rescore:
        run_stages(args.sgd, corpus, args.config)
    print(f"corpus: {corpus}")
    report(corpus, args.show, {w.strip().lower() for w in args.typos.split(",") if w.strip()})


if __name__ == "__main__":
    main()
