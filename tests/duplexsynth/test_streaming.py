"""The streaming run: worker processes, shards and merge make the same corpus as one process."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from corpus_core.errors import ConfigError, ManifestError
from duplexsynth.plan import Shard, dialogue_plan, parse_shard

MANIFEST_NAMES = ("dialogues.jsonl", "utterances.jsonl", "timelines.jsonl", "eval.jsonl")


def _records(corpus: Path, name: str) -> list[dict]:
    out = []
    for line in (corpus / name).read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if data["type"] == "GroupEnd":
            continue
        data.get("meta", {}).get("generation", {}).pop("seconds", None)  # wall time, not content
        out.append(data)
    return out


def _audio(corpus: Path) -> dict[str, str]:
    return {str(p.relative_to(corpus)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((corpus / "audio").rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory):
    import duplexsynth.backends  # noqa: F401
    from duplexsynth.config import load_config

    cfg = load_config(None, {"dialogues": 2, "scenarios": ["booking", "chitchat"], "seed": 11,
                             "text": {"max_turns": 4}})
    cache = tmp_path_factory.mktemp("tts-cache")
    return replace(cfg, speech=replace(cfg.speech, cache_dir=str(cache)),
                   eval=replace(cfg.eval, speaker_similarity=False))


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory, config) -> Path:
    """Both dialogues in this process, one after the other through the same models."""
    from duplexsynth.streaming import run_streaming

    corpus = tmp_path_factory.mktemp("one-process")
    reports = run_streaming(corpus, config, workers=1, quiet=True)
    assert all(not r.failed for r in reports), [r.failed for r in reports]
    return corpus


def test_streaming_writes_every_stage_and_a_run_summary(one_process: Path) -> None:
    summary = json.loads((one_process / "run_summary.json").read_text())
    assert summary["done"] == 2 and summary["failed"] == 0 and summary["workers"] == 1
    timelines = _records(one_process, "timelines.jsonl")
    assert [t["id"] for t in timelines] == [p.dialogue_id for p in dialogue_plan(_config_of(one_process))]
    assert summary["audio_hours"] == pytest.approx(sum(t["duration"] for t in timelines) / 3600, abs=1e-3)
    evals = [r for r in _records(one_process, "eval.jsonl") if r["type"] == "DialogueEval"]
    assert [e["dialogue_id"] for e in evals] == [t["id"] for t in timelines]
    # the audio is the dialogue's speech: pooled WER of the two short dialogues (one dialogue of
    # ~30 words can lose a turn to the ASR now and then, so the bound is on the pool)
    errors, words = sum(e["errors"] for e in evals), sum(e["ref_words"] for e in evals)
    assert words > 20 and errors / words <= 0.25, [(e["dialogue_id"], e["wer"]) for e in evals]
    meta = json.loads((one_process / "meta.json").read_text())
    assert set(meta["stages"]) == {"text", "speech", "duplex", "eval"} and meta["stages"]["eval"]["done"] == 2
    content = meta["stages"]["text"]["content"]  # pooled as the staged text command pools it
    assert content["dialogues"] == 2 and 0.0 <= content["fact_recall"] <= 1.0 and content["mean_turns"] > 1


def _config_of(corpus: Path):
    from duplexsynth.config import RunConfig, config_from_mapping

    return config_from_mapping(RunConfig, json.loads((corpus / "meta.json").read_text())["config"])


def test_two_worker_processes_make_the_same_corpus(tmp_path: Path, config, one_process: Path) -> None:
    from duplexsynth.streaming import run_streaming

    reports = run_streaming(tmp_path, config, workers=2, quiet=True)
    assert all(not r.failed for r in reports)
    assert json.loads((tmp_path / "run_summary.json").read_text())["threads_per_worker"] >= 1
    for name in MANIFEST_NAMES:
        assert _records(tmp_path, name) == _records(one_process, name), name
    assert _audio(tmp_path) == _audio(one_process)


def test_shards_merge_into_the_unsharded_corpus(tmp_path: Path, config, one_process: Path) -> None:
    """Each shard's dialogue is made first in a fresh process: the same text proves that a
    dialogue does not depend on what the LLM made before it."""
    from duplexsynth.merging import merge_corpora
    from duplexsynth.streaming import run_streaming

    shards = []
    for i in (1, 0):
        corpus = tmp_path / f"shard{i}"
        run_streaming(corpus, config, workers=1, shard=Shard(i, 2), quiet=True)
        assert len(_records(corpus, "timelines.jsonl")) == 1
        shards.append(corpus)
    merged = tmp_path / "merged"
    counts = merge_corpora(merged, shards)
    assert counts["timelines.jsonl"] == 2
    for name in MANIFEST_NAMES:
        assert _records(merged, name) == _records(one_process, name), name
    assert _audio(merged) == _audio(one_process)
    with pytest.raises(ManifestError, match="both"):  # the same shard twice: duplicate ids
        merge_corpora(tmp_path / "again", [shards[0], merged])


def test_merge_refuses_other_configs(tmp_path: Path, one_process: Path) -> None:
    from duplexsynth.merging import merge_corpora

    other = tmp_path / "other"
    other.mkdir()
    meta = json.loads((one_process / "meta.json").read_text())
    meta["config"]["seed"] = 12
    (other / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ConfigError, match="seed"):
        merge_corpora(tmp_path / "out", [one_process, other])
    (other / "meta.json").write_text(json.dumps({**meta, "schema_version": 99}))
    with pytest.raises(Exception, match="schema"):
        merge_corpora(tmp_path / "out2", [one_process, other])


def test_shards_split_the_plan_without_overlap() -> None:
    from duplexsynth.config import load_config

    cfg = load_config(None, {"dialogues": 7, "seed": 2})
    whole = dialogue_plan(cfg)
    parts = [dialogue_plan(cfg, Shard(i, 3)) for i in range(3)]
    assert sorted((p for part in parts for p in part), key=lambda p: p.index) == whole
    assert parse_shard("2/3") == Shard(2, 3)
    for bad in ("3/3", "a/2", "1", "-1/2"):
        with pytest.raises(ConfigError):
            parse_shard(bad)


def test_a_rerun_resumes_and_skips_finished_dialogues(one_process: Path, config) -> None:
    from duplexsynth.streaming import run_streaming

    before = {name: (one_process / name).read_bytes() for name in MANIFEST_NAMES}
    reports = run_streaming(one_process, config, workers=1, quiet=True)
    assert all(r.done == 0 and r.skipped == 2 for r in reports)
    assert {name: (one_process / name).read_bytes() for name in MANIFEST_NAMES} == before


def test_ray_actors_make_the_same_corpus(tmp_path: Path, config, one_process: Path) -> None:
    ray = pytest.importorskip("ray")
    from duplexsynth.streaming import run_streaming

    root = str(Path(__file__).resolve().parents[2])
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": root}})
    try:
        reports = run_streaming(tmp_path, config, workers=2, threads=1, executor="ray", quiet=True)
    finally:
        ray.shutdown()
    assert all(not r.failed for r in reports), [r.failed for r in reports]
    assert json.loads((tmp_path / "run_summary.json").read_text())["executor"] == "ray"
    for name in MANIFEST_NAMES:
        assert _records(tmp_path, name) == _records(one_process, name), name
    assert _audio(tmp_path) == _audio(one_process)


def test_corpus_wide_casting_streams_with_casts_made_up_front(tmp_path: Path, config, one_process: Path) -> None:
    """A cap on voice uses no longer forces the staged run: every dialogue of the plan is cast
    first (personas drawn from its seed), then the dialogues stream through two workers."""
    from duplexsynth.casting import plan_casts
    from duplexsynth.preflight import take_tts_pool
    from duplexsynth.streaming import run_streaming
    from speech.records import Utterance
    from speech.voices import default_voice_bank
    from text_dialogue.records import Dialogue

    capped = replace(config, casting=replace(config.casting, max_uses_per_voice=1))
    reports = run_streaming(tmp_path, capped, workers=2, quiet=True)
    assert all(not r.failed for r in reports), [r.failed for r in reports]
    summary = json.loads((tmp_path / "run_summary.json").read_text())
    assert summary["workers"] == 2 and summary["done"] == 2  # streamed, not the staged fallback
    spoken: dict[str, set[str]] = {}
    for data in _records(tmp_path, "utterances.jsonl"):  # turns and backchannels: the cast's two voices
        u = Utterance.from_dict(data)
        spoken.setdefault(u.dialogue_id, set()).add(u.voice)
    # the staged speech stage casts the same dialogues (manifest order) to the same voices
    dialogues = [Dialogue.from_dict(d) for d in _records(tmp_path, "dialogues.jsonl")]
    staged = plan_casts(dialogues, default_voice_bank(capped.voice_banks), capped, take_tts_pool(capped.tts))
    assert spoken == {did: {v.id for v in cast.values()} for _, did, cast in staged}
    voices = [v for vs in spoken.values() for v in vs]
    assert len(voices) == len(set(voices)) == 4  # each voice at most once in the corpus


def _worker_pids() -> list[int]:
    """This process's spawned worker processes (multiprocessing spawn children)."""
    import os

    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"spawn_main" in cmdline:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc")
def test_a_worker_process_that_dies_stops_the_run_with_one_line_not_a_hang(tmp_path: Path, config) -> None:
    """A worker killed by the system (OOM killer, a crashing engine) used to leave the run waiting forever."""
    import os
    import signal
    import threading
    import time

    from corpus_core.errors import BackendError
    from duplexsynth.streaming import run_streaming

    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            run_streaming(tmp_path, config, workers=2, quiet=True)
            outcome.append(None)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            outcome.append(e)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    while runner.is_alive() and not _worker_pids():
        time.sleep(0.05)
    victims = _worker_pids()
    assert victims, "no worker process was started"
    os.kill(victims[0], signal.SIGKILL)
    runner.join(600)  # a hang guard, not a speed check: the old pool never returned
    assert not runner.is_alive(), "the run kept waiting for the killed worker"
    assert isinstance(outcome[0], BackendError), outcome
    message = str(outcome[0])
    assert "SIGKILL" in message and "resumes" in message and "booking" in message, message
