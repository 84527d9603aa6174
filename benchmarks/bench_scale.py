"""Bookkeeping cost against corpus size: it should grow linearly (10x records -> ~10x time).

Builds corpora of synthetic timeline, utterance and eval records (no audio) with 1,000
and 10,000 dialogues and times, on each:
- report: reading the corpus into report items and the realism table (no pictures);
- export: the rttm and stm exports (text formats: no audio is read);
- gate: applying re-synthesis/drop changes to 1% of the dialogues, batched once per run
  (the new way) and, at 1,000 only, one rewrite per changed dialogue (the old way);
- resume scan: what the streaming run reads to find the dialogues still to make.

Run: PYTHONPATH=. .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from corpus_core import MANIFESTS, ManifestWriter, rewrite_manifest, write_json_atomic
from duplex.records import Segment, Timeline
from duplexsynth.config import RunConfig, config_to_dict
from duplexsynth.exporting import export_corpus
from duplexsynth.gate_actions import GateOutcome
from duplexsynth.pipeline import apply_gate_changes
from duplexsynth.reporting import collect_report_items, corpus_realism
from duplexsynth.streaming import _plan_jobs
from eval.records import DialogueEval, TurnEval
from speech.records import Utterance


def _dialogue(i: int) -> tuple[Timeline, list[Utterance], list]:
    did = f"booking-{i:05d}"
    segs, utts, evals, t = [], [], [], 0.2
    for k in range(8):
        ch = k % 2
        segs.append(Segment(ch, "AB"[ch], round(t, 2), round(t + 2.5, 2), f"turn {k} of {did}", turn_index=k))
        utts.append(Utterance(f"{did}-{k:03d}", did, k, "AB"[ch], "joe", f"turn {k} of {did}",
                              f"audio/{did}/{did}-{k:03d}.flac", 2.5, 24000))
        evals.append(TurnEval(did, ch, "AB"[ch], k, "turn", t, t + 2.5, f"turn {k}", f"turn {k}", 0.0, 0.0, 2, 0))
        t += 2.8
    timeline = Timeline(did, round(t, 2), 24000, tuple(segs), audio_path=f"audio/duplex/{did}.flac")
    summary = DialogueEval(did, 0.0, 0.0, 16, 0, {"A": 0.0, "B": 0.0}, 8, timeline.duration)
    return timeline, utts, [*evals, summary]


def build(corpus: Path, n: int) -> list[Timeline]:
    corpus.mkdir(parents=True)
    timelines = []
    with ManifestWriter(corpus / MANIFESTS["duplex"]) as tw, \
            ManifestWriter(corpus / MANIFESTS["speech"], key="dialogue_id") as uw, \
            ManifestWriter(corpus / MANIFESTS["eval"], key="dialogue_id") as ew:
        for i in range(n):
            timeline, utts, evals = _dialogue(i)
            tw.write(timeline)
            uw.write_many(utts)
            ew.write_many(evals)
            timelines.append(timeline)
    write_json_atomic(corpus / "meta.json", {"schema_version": 1, "config": config_to_dict(RunConfig(dialogues=n))})
    return timelines


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for n in args.sizes:
            corpus = Path(tmp) / f"c{n}"
            timelines = build(corpus, n)
            changed = [(t, GateOutcome([], DialogueEval(t.id, 0, 0, 0, 0), replace(t, audio_path="x-r1.flac"), None))
                       for t in timelines[::100]]
            row = {
                "report": _time(lambda: (collect_report_items(corpus, corpus / "report"), corpus_realism(corpus))),
                "export rttm+stm": _time(lambda: export_corpus(corpus, ["rttm", "stm"])),
                "gate, batched": _time(lambda: apply_gate_changes(corpus, changed)),
                "resume scan": _time(lambda: _plan_jobs(corpus, RunConfig(dialogues=n), None)),
            }
            if n <= 1000:  # the old way: one whole-manifest rewrite per changed dialogue
                row["gate, per dialogue (old)"] = _time(lambda: [rewrite_manifest(
                    corpus / MANIFESTS["duplex"], {t.id: [o.timeline]}) for t, o in changed])
            results[n] = row
            print(f"{n:6d} dialogues: " + ", ".join(f"{k} {v:.2f} s" for k, v in row.items()), flush=True)
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"growth {small} -> {large} ({large / small:.0f}x records): " + ", ".join(
            f"{k} {results[large][k] / results[small][k]:.1f}x" for k in results[large] if k in results[small]))


if __name__ == "__main__":
    main()
