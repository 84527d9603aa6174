"""The WER gate acts on real audio: a silenced turn is re-synthesized, or its dialogue dropped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus_core import read_manifest
from duplex.records import Timeline
from duplexsynth.config import load_config
from duplexsynth.pipeline import run_duplex, run_eval
from eval.records import DialogueEval
from speech.audio import read_audio, write_audio
from speech.records import Utterance


def _broken_copy(e2e_corpus: Path, tmp_path: Path) -> tuple[Path, Utterance]:
    """The e2e corpus with turn 1 replaced by near-silence, rendered again, not yet evaluated."""
    corpus = tmp_path / "corpus"
    shutil.copytree(e2e_corpus, corpus)
    for name in ("timelines.jsonl", "eval.jsonl", "meta.json"):
        (corpus / name).unlink()
    (utt,) = [u for u in read_manifest(corpus / "utterances.jsonl", Utterance) if u.turn_index == 1]
    samples, sr = read_audio(corpus / utt.audio_path)
    write_audio(corpus / utt.audio_path, np.random.default_rng(0).normal(0, 1e-3, len(samples)), sr)
    return corpus, utt


def _config(action: str):
    return load_config(None, {"seed": 3, "eval": {"gate": {"action": action, "wer_threshold": 0.5},
                                                  "speaker_similarity": False, "cpwer": False}})


def _summary(corpus: Path) -> DialogueEval:
    lines = [json.loads(line) for line in (corpus / "eval.jsonl").read_text().splitlines()]
    (summary,) = [DialogueEval.from_dict(d) for d in lines if d["type"] == "DialogueEval"]
    return summary


def test_resynthesize_replaces_the_failed_turn_and_passes(e2e_corpus: Path, tmp_path: Path) -> None:
    corpus, broken = _broken_copy(e2e_corpus, tmp_path)
    config = _config("resynthesize")
    run_duplex(corpus, config)
    report = run_eval(corpus, config)
    summary = _summary(corpus)
    assert summary.metrics["gate"]["action"] == "pass"
    assert summary.metrics["gate"]["resynthesis_rounds"] >= 1
    # piper's audio does not follow the seed: the gate spoke the turn slower instead, and counted it
    assert report.extra["gate"]["resynthesize:slower"] == 1 and "resynthesize:reseed" not in report.extra["gate"]
    (fixed,) = [u for u in read_manifest(corpus / "utterances.jsonl", Utterance) if u.turn_index == 1]
    assert fixed.audio_path.endswith("-r1.flac") and fixed.audio_path != broken.audio_path
    (timeline,) = read_manifest(corpus / "timelines.jsonl", Timeline)
    assert timeline.audio_path.endswith("-r1.flac")
    stereo, sr = read_audio(corpus / timeline.audio_path)
    (seg,) = [s for s in timeline.segments if s.turn_index == 1][:1]
    assert np.abs(stereo[int(seg.start * sr): int(seg.end * sr), seg.channel]).max() > 0.05  # speech again


def test_drop_moves_the_dialogue_out_of_the_timelines(e2e_corpus: Path, tmp_path: Path) -> None:
    corpus, _ = _broken_copy(e2e_corpus, tmp_path)
    config = _config("drop")
    run_duplex(corpus, config)
    report = run_eval(corpus, config)
    assert _summary(corpus).metrics["gate"]["action"] == "drop"
    assert report.extra["gate"] == {"drop": 1}
    assert list(read_manifest(corpus / "timelines.jsonl", Timeline)) == []
    dropped = [json.loads(line) for line in (corpus / "dropped.jsonl").read_text().splitlines()]
    assert [d["id"] for d in dropped] == ["booking-00000"] and "WER" in dropped[0]["drop_reason"].upper()


@pytest.mark.parametrize("action", ["flag"])
def test_flag_keeps_the_dialogue(e2e_corpus: Path, tmp_path: Path, action: str) -> None:
    corpus, _ = _broken_copy(e2e_corpus, tmp_path)
    config = _config(action)
    run_duplex(corpus, config)
    run_eval(corpus, config)
    assert _summary(corpus).metrics["gate"]["action"] == "flag"
    assert len(list(read_manifest(corpus / "timelines.jsonl", Timeline))) == 1
