"""Diversity of a corpus's text beside a human corpus's, at the same token budgets.

    python benchmarks/bench_diversity.py CORPUS [--human SGD_JSON_OR_DIR_OR_dialogues.jsonl ...] [--n N]
    python benchmarks/bench_diversity.py --plan-seeds 1000 [--human ...]

CORPUS is a corpus folder or a dialogues.jsonl. ``--human`` takes Schema-Guided Dialogue
JSON files (lists of dialogues with ``turns: [{speaker, utterance}]``), a folder of them
(``dialogues_*.json``, in name order) or a dialogues.jsonl; ``--n`` takes the first N
dialogues of each corpus. ``--plan-seeds N`` adds the template baseline: the plan that
each of the default run's first N seeds draws, realized with its example lines alone.
Every figure is :func:`text_dialogue.diversity.measure_diversity`'s; distinct-n over
every token of a corpus is printed as well ("all"), since it depends on the corpus size.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from corpus_core import read_manifest
from text_dialogue.diversity import TOKEN_BUDGETS, DiversityReport, distinct_n, measure_diversity
from text_dialogue.records import Dialogue, Turn


def load_sgd(paths: list[Path], n: int | None) -> list[Dialogue]:
    """The first ``n`` dialogues of SGD JSON files (or folders of ``dialogues_*.json``)."""
    files = [f for p in paths for f in (sorted(p.glob("dialogues_*.json")) if p.is_dir() else [p])]
    out: list[Dialogue] = []
    for f in files:
        for raw in json.loads(f.read_text(encoding="utf-8")):
            turns = tuple(Turn(index=i, speaker="A" if t["speaker"] == "USER" else "B", text=t["utterance"])
                          for i, t in enumerate(raw["turns"]))
            out.append(Dialogue(id=str(raw["dialogue_id"]), turns=turns, scenario=""))
            if n is not None and len(out) >= n:
                return out
    return out


def load_corpus(path: Path, n: int | None) -> list[Dialogue]:
    """The first ``n`` dialogues of a corpus folder, a dialogues.jsonl, or SGD JSON."""
    if path.is_dir() and (path / "dialogues.jsonl").exists():
        path = path / "dialogues.jsonl"
    if path.is_dir() or path.suffix == ".json":
        return load_sgd([path], n)
    dialogues = []
    for d in read_manifest(path, Dialogue):
        dialogues.append(d)
        if n is not None and len(dialogues) >= n:
            break
    return dialogues


def plan_baseline(seeds: int) -> list[Dialogue]:
    """The default run's first ``seeds`` plans realized with their example lines."""
    import duplexsynth.backends  # noqa: F401
    from duplexsynth.config import load_config
    from duplexsynth.plan import dialogue_plan
    from text_dialogue.diversity import example_dialogue
    from text_dialogue.scenario import get_scenario

    config = load_config(None, {"dialogues": seeds})
    scenarios = {name: get_scenario(name) for name in {p.scenario for p in dialogue_plan(config)}}
    made = (example_dialogue(scenarios[p.scenario], p.dialogue_id, p.seed, config.text)
            for p in dialogue_plan(config))
    return [d for d in made if d is not None]


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}%" if pct else f"{value:.3f}"


def print_table(columns: dict[str, tuple[DiversityReport, list[Dialogue]]]) -> None:
    """The figures of each corpus side by side, then each one's most repeated turns."""
    width = max(14, *(len(k) + 2 for k in columns))
    rows: list[tuple[str, list[str]]] = [
        ("dialogues", [str(r.dialogues) for r, _ in columns.values()]),
        ("tokens", [str(r.tokens) for r, _ in columns.values()]),
    ]
    for n in (2, 3):
        for b in TOKEN_BUDGETS:
            rows.append((f"distinct-{n} @{b // 1000}k",
                         [_fmt(getattr(r, f"distinct_{n}")[b]) for r, _ in columns.values()]))
        rows.append((f"distinct-{n} all", [_fmt(distinct_n([[t.text for t in d.turns] for d in ds], n))
                                           for _, ds in columns.values()]))
    rows += [
        ("duplicate turns", [_fmt(r.duplicate_turn_share, True) for r, _ in columns.values()]),
        ("template share", [_fmt(r.template_share, True) for r, _ in columns.values()]),
        ("situations", [f"{r.distinct_situations}/{r.situations}" if r.situations else "n/a"
                        for r, _ in columns.values()]),
        ("most share one", [str(r.max_situation_share) if r.situations else "n/a" for r, _ in columns.values()]),
    ]
    print(f"{'':<18}" + "".join(f"{k:>{width}}" for k in columns))
    for label, values in rows:
        print(f"{label:<18}" + "".join(f"{v:>{width}}" for v in values))
    for name, (report, _) in columns.items():
        print(f"\n5 most repeated turns ({name}), by dialogues they occur in:")
        for text, count in report.top_turns:
            print(f"  {count:>5}  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="a corpus folder or a dialogues.jsonl")
    parser.add_argument("--human", nargs="+", type=Path, default=[], help="SGD JSON file(s)/folder or dialogues.jsonl")
    parser.add_argument("--n", type=int, default=None, help="the first N dialogues of each corpus")
    parser.add_argument("--plan-seeds", type=int, default=None, help="add the template baseline of N seeds")
    parser.add_argument("--seed", type=int, default=0, help="seeds the distinct-n samples")
    args = parser.parse_args()
    if args.corpus is None and args.plan_seeds is None and not args.human:
        parser.error("give CORPUS, --plan-seeds or --human")
    corpora: dict[str, list[Dialogue]] = {}
    if args.plan_seeds:
        corpora[f"plan x{args.plan_seeds}"] = plan_baseline(args.plan_seeds)
    if args.corpus is not None:
        corpora[args.corpus.name or str(args.corpus)] = load_corpus(args.corpus, args.n)
    if args.human:
        human = (load_sgd(args.human, args.n) if all(p.suffix == ".json" or p.is_dir() for p in args.human)
                 else [d for p in args.human for d in load_corpus(p, args.n)])
        corpora[f"human{f' x{args.n}' if args.n else ''}"] = human
    print_table({k: (measure_diversity(ds, seed=args.seed), ds) for k, ds in corpora.items()})


if __name__ == "__main__":
    main()
