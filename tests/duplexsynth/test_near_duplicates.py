"""Near-duplicate dialogues: rejected and made again, logged, rebuilt on resume, found across shards.

The index runs on real text: dialogues realized from the shipped scenarios' plans with
their example lines. The streaming tests are about the manifest owner's bookkeeping, so
the worker is replaced by a small function that returns those dialogues (no speech);
no model backend is faked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from duplexsynth.plan import Shard, dialogue_plan
from duplexsynth.worker import DialogueJob, DialogueResult
from text_dialogue.diversity import example_dialogue
from text_dialogue.near_duplicates import NEAR_DUPLICATE_RETRIES, NearDuplicateIndex, retry_seed
from text_dialogue.scenario import get_scenario

# Two booking calls realized from their example lines share about a fifth of their word
# trigrams (Jaccard 0.19 median over 60 seeds, 0.053 the least), a booking call and a
# tech-support call almost none (0.011 the most): at 0.025 every second booking call is
# a near-duplicate and no tech-support call is.
LOW = 0.025


def _texts(dialogue) -> list[str]:
    return [t.text for t in dialogue.turns]


def _config(dialogues: int, scenarios: list[str], max_similarity: float | None = LOW):
    import duplexsynth.backends  # noqa: F401
    from duplexsynth.config import load_config

    return load_config(None, {"dialogues": dialogues, "scenarios": scenarios, "seed": 5,
                              "text": {"max_similarity": max_similarity}})


def _records(corpus: Path, name: str) -> list[dict]:
    path = corpus / name
    if not path.exists():
        return []
    return [d for d in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if d["type"] != "GroupEnd"]


class _Worker:
    """Stands in for the worker processes: each fresh job's dialogue, realized from example lines.

    :param remake: the scenario a job run with a new seed (a remake) is realized from.
    """

    def __init__(self, plan_seeds: set[int], remake: str | None = None) -> None:
        self.plan_seeds, self.remake, self.calls = plan_seeds, remake, []

    def __call__(self, jobs, corpus, config, *args, **kwargs):
        for job in jobs:
            self.calls.append((job.dialogue_id, job.seed))
            if job.dialogue is not None:  # resumed: its text is written already
                yield DialogueResult(job.dialogue_id)
                continue
            name = job.scenario if job.seed in self.plan_seeds or self.remake is None else self.remake
            yield DialogueResult(job.dialogue_id, dialogue=example_dialogue(get_scenario(name), job.dialogue_id,
                                                                           job.seed))


def _stream(monkeypatch, corpus: Path, config, worker: _Worker, shard: Shard | None = None):
    import duplexsynth.streaming as streaming

    monkeypatch.setattr(streaming, "run_jobs", worker)
    return streaming.run_streaming(corpus, config, workers=1, shard=shard, quiet=True)


def _worker(config, remake: str | None = None) -> _Worker:
    return _Worker({p.seed for p in dialogue_plan(config)}, remake)


def test_index_finds_a_copy_and_passes_other_scenarios() -> None:
    booking = example_dialogue(get_scenario("booking"), "b", 1)
    support = example_dialogue(get_scenario("tech_support"), "t", 2)
    index = NearDuplicateIndex(0.5)
    assert index.check_and_add("b", _texts(booking)) is None
    assert index.check_and_add("t", _texts(support)) is None
    # the same dialogue with one turn changed is still a near-duplicate, of the right one
    changed = _texts(booking)
    changed[3] = "Something else entirely, said in other words than before."
    found = index.find(changed)
    assert found is not None and found.similar_to == "b" and 0.5 < found.similarity < 1.0
    assert len(index) == 2 and "t" in index


def test_near_duplicate_is_made_again_with_a_new_seed(tmp_path: Path, monkeypatch) -> None:
    config = _config(2, ["booking"])
    worker = _worker(config, remake="tech_support")
    reports = _stream(monkeypatch, tmp_path, config, worker)
    written = _records(tmp_path, "dialogues.jsonl")
    plan = dialogue_plan(config)
    assert [d["id"] for d in written] == [p.dialogue_id for p in plan]
    assert written[1]["seed"] == retry_seed(plan[1].seed, 1) and written[1]["scenario"] == "tech_support"
    assert worker.calls == [(plan[0].dialogue_id, plan[0].seed), (plan[1].dialogue_id, plan[1].seed),
                            (plan[1].dialogue_id, retry_seed(plan[1].seed, 1))]
    assert not any(r.failed for r in reports)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["stages"]["text"]["rejected_dialogues"] == {"near_duplicate": 1}
    assert meta["stages"]["text"]["diversity"]["dialogues"] == 2


def test_near_duplicate_is_logged_after_the_retries(tmp_path: Path, monkeypatch) -> None:
    config = _config(2, ["booking"])
    worker = _worker(config)
    reports = _stream(monkeypatch, tmp_path, config, worker)
    plan = dialogue_plan(config)
    assert [d["id"] for d in _records(tmp_path, "dialogues.jsonl")] == [plan[0].dialogue_id]
    assert [s for i, s in worker.calls if i == plan[1].dialogue_id] == [
        plan[1].seed, *(retry_seed(plan[1].seed, k) for k in range(1, NEAR_DUPLICATE_RETRIES + 1))]
    failures = _records(tmp_path, "failures.jsonl")
    assert [(f["stage"], f["id"]) for f in failures] == [("text", plan[1].dialogue_id)]
    assert failures[0]["reason"].startswith("near_duplicate") and plan[0].dialogue_id in failures[0]["reason"]
    assert reports[0].failed[0][0] == plan[1].dialogue_id


def test_distinct_dialogues_pass(tmp_path: Path, monkeypatch) -> None:
    config = _config(4, ["booking", "tech_support"], max_similarity=0.5)
    worker = _worker(config)
    _stream(monkeypatch, tmp_path, config, worker)
    assert len(_records(tmp_path, "dialogues.jsonl")) == 4 and not _records(tmp_path, "failures.jsonl")
    assert len(worker.calls) == 4  # nothing made twice


def test_resume_rebuilds_the_index_from_the_manifest(tmp_path: Path, monkeypatch) -> None:
    first = _config(1, ["booking"])
    _stream(monkeypatch, tmp_path, first, _worker(first))
    config = _config(2, ["booking"])
    worker = _worker(config)
    _stream(monkeypatch, tmp_path, config, worker)
    plan = dialogue_plan(config)
    # the first dialogue was not made again, yet the second is found to be its near-duplicate
    assert (plan[0].dialogue_id, plan[0].seed) in worker.calls
    assert [d["id"] for d in _records(tmp_path, "dialogues.jsonl")] == [plan[0].dialogue_id]
    failures = _records(tmp_path, "failures.jsonl")
    assert [f["id"] for f in failures] == [plan[1].dialogue_id]
    assert f"to {plan[0].dialogue_id}" in failures[0]["reason"]


def test_merge_reports_a_near_duplicate_across_shards(tmp_path: Path, monkeypatch) -> None:
    from duplexsynth.merging import merge_corpora

    config = _config(2, ["booking"])
    shards = []
    for i in (0, 1):
        corpus = tmp_path / f"shard{i}"
        _stream(monkeypatch, corpus, config, _worker(config), shard=Shard(i, 2))
        assert len(_records(corpus, "dialogues.jsonl")) == 1  # alone in its shard: no near-duplicate
        shards.append(corpus)
    counts = merge_corpora(tmp_path / "merged", shards)
    plan = dialogue_plan(config)
    assert counts["near_duplicates"] == 1 and counts["dialogues.jsonl"] == 2
    near = json.loads((tmp_path / "merged" / "meta.json").read_text())["near_duplicates"]
    assert [(d["id"], d["similar_to"]) for d in near] == [(plan[1].dialogue_id, plan[0].dialogue_id)]


def test_resumed_job_is_not_screened() -> None:
    """A job whose text an earlier run wrote is never rejected, even when it is like another."""
    from duplexsynth.streaming import RETRY, screen_near_duplicates

    d = example_dialogue(get_scenario("booking"), "booking-00000", 1)
    index = NearDuplicateIndex(LOW)
    index.add("other", _texts(d))
    jobs = [DialogueJob("booking-00000", "booking", 1, dialogue=d)]
    out = list(screen_near_duplicates(jobs, lambda todo: (DialogueResult(j.dialogue_id) for j in todo), index))
    assert [r for _, r in out] == [None] and RETRY not in [r for _, r in out]


@pytest.mark.parametrize("bad", [0, 1.5, -0.2])
def test_bad_max_similarity_is_refused(bad: float) -> None:
    from corpus_core.errors import ConfigError

    with pytest.raises(ConfigError, match="max_similarity"):
        _config(1, ["booking"], max_similarity=bad)
