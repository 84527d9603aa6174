"""The WER gate's verdicts on a corpus under both rules, from its eval.jsonl (same ASR words).

``eval.gate.per: turn`` (the default) fails a turn whose WER, its segments pooled, is above
the threshold; ``per: segment`` fails a turn when any one of its segments is (a turn is cut
into segments at the pauses the timing model drew). Prints, per rule, the dialogues that
pass and the turns that fail (a misheard name fails a turn under both, as ``check_names``).

Run: .venv/bin/python benchmarks/gate_rules.py CORPUS [CORPUS ...] [--threshold 0.3]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus_core.manifest import iter_jsonl  # noqa: E402
from eval.gate import GATE_UNITS, GateConfig, gate_dialogue  # noqa: E402
from eval.records import TurnEval  # noqa: E402


def verdicts(corpus: Path, threshold: float) -> dict[str, tuple[int, int, int, int]]:
    """Rule -> (dialogues passing, dialogues, failed turns, turns)."""
    by_dialogue: dict[str, list[TurnEval]] = defaultdict(list)
    for _, row in iter_jsonl(corpus / "eval.jsonl"):
        if row.get("type") == "TurnEval":
            by_dialogue[row["dialogue_id"]].append(TurnEval.from_dict(row))
    turns = sum(len({e.turn_index for e in evals if e.kind == "turn"}) for evals in by_dialogue.values())
    out = {}
    for per in GATE_UNITS:
        decisions = [gate_dialogue(evals, GateConfig(per=per, wer_threshold=threshold)) for evals in by_dialogue.values()]
        out[per] = (sum(d.action_taken == "pass" for d in decisions), len(decisions),
                    sum(len(d.failed_turns) for d in decisions), turns)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--threshold", type=float, default=0.3, help="the gate's WER threshold (default 0.3)")
    args = parser.parse_args()
    for corpus in args.corpora:
        for per, (passing, n, failed, turns) in verdicts(corpus, args.threshold).items():
            print(f"{corpus}  per={per:<8} dialogues passing {passing}/{n}   failed turns {failed}/{turns} "
                  f"({100 * failed / max(turns, 1):.2f}%)")


if __name__ == "__main__":
    main()
