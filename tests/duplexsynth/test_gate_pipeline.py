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
from eval.records import DialogueEval, TurnEval
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


def _turn_eval(turn_index: int, start: float, reference: str, hypothesis: str) -> TurnEval:

    return TurnEval(dialogue_id="d", channel=0, speaker="A", turn_index=turn_index, kind="turn", start=start,
                    end=start + 1.0, reference=reference, hypothesis=hypothesis, wer=0.0, cer=0.0,
                    ref_words=len(reference.split()), errors=0)


def test_respelling_sets_apart_only_the_words_missed_across_the_turns_segments(tmp_path: Path) -> None:
    """A turn cut at its pause into two segments, one name missed in the second: only that name gets
    commas; the first round speaks slower; a turn the ASR lost entirely is not turned into a list."""
    from duplexsynth.gate_actions import Gate

    utt = Utterance(id="d-002", dialogue_id="d", turn_index=2, speaker="A", voice="v", audio_path="a.flac",
                    text="I booked a table for two. It is at Aappakadai in Pleasanton.", duration=3.0,
                    sampling_rate=24000)
    evals = [_turn_eval(2, 5.0, "I booked a table for two.", "I booked a table for two."),
             _turn_eval(2, 6.5, "It is at Aappakadai in Pleasanton.", "it is at a pakadai in pleasanton")]
    from speech.records import Voice

    gate = Gate(tmp_path, _config("resynthesize"))
    voice = Voice(id="v", backend="piper")
    text, spelled, rate, _, action = gate._respeak(utt, 1, False, evals, voice, 1.0)
    assert (text, spelled, action) == (utt.text, None, "slower") and rate < 1
    # no ASR to judge a respelling by (the gate was not evaluating): commas instead
    text, spelled, rate2, _, action = gate._respeak(utt, 2, False, evals, voice, 1.0)
    assert action == "isolate" and rate2 < rate and spelled is None
    assert text == "I booked a table for two. It is at, Aappakadai, in Pleasanton."
    lost = [_turn_eval(2, 5.0, "I booked a table for two.", ""), _turn_eval(2, 6.5, "It is at Aappakadai", "")]
    text, _, _, _, action = gate._respeak(utt, 2, False, lost, voice, 1.0)
    assert (text, action) == (utt.text, "slower")


def test_a_missed_name_is_respelled_for_the_engine_and_kept_in_the_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 2 tries respellings of the missed name with the real piper voice, each judged by an ASR
    that hears the turn alone (a double here: it hears "Calistoga" only from the "-ah" spelling,
    as Whisper base did); the first it hears right is given to the engine, the transcript keeps
    the name, and the engine's word times go under the written words."""
    from dataclasses import replace

    import duplexsynth.gate_actions as gate_actions
    from duplexsynth.gate_actions import Gate, respelled_names, written_words
    from speech.synthesize import TTSPool, speak_text
    from speech.voices import default_voice_bank

    spoken: list[str] = []

    def spy(text, *args, **kwargs):  # type: ignore[no-untyped-def]
        spoken.append(text)
        return speak_text(text, *args, **kwargs)

    class HearsTheSpelling:
        def transcribe(self, samples):  # type: ignore[no-untyped-def]
            from speech.records import Word

            assert samples.size > 16000 * 0.5  # real audio of the whole turn
            name = "Calistoga" if "Calistogah" in spoken[-1] else "Kellestoga"
            return [Word(w, 0.0, 0.1) for w in f"I found a nice place in {name} for you.".split()]

    monkeypatch.setattr(gate_actions, "speak_text", spy)
    text = "I found a nice place in Calistoga for you."
    utt = Utterance(id="d-001", dialogue_id="d", turn_index=1, speaker="B", voice="joe", audio_path="a.flac",
                    text=text, duration=2.0, sampling_rate=24000)
    evals = [_turn_eval(1, 2.0, text, "I found a nice place in Kellestoga for you."),
             _turn_eval(3, 6.0, "Calistoga it is.", "Calistoga it is.")]
    gate = Gate(tmp_path, _config("resynthesize"), TTSPool())
    gate._asr = HearsTheSpelling()  # type: ignore[assignment]
    voice = default_voice_bank()["joe"]
    got, spelled, _, _, action = gate._respeak(utt, 2, False, evals, voice, 1.0)
    assert (got, action) == (text, "respell")
    assert spelled == "I found a nice place in Calistogah for you."
    assert spoken == ["I found a nice place in Kalistoga for you.", spelled]  # tried in order, first heard kept
    assert gate.actions["resynthesize:respell_tries"] == 2
    respoken = replace(utt, tts_text=spelled)  # what _resynthesize keeps
    assert respelled_names([utt, respoken]) == {"Calistoga": "Calistogah"}  # meta.json's gate.respelled
    syn = speak_text(spelled, voice, gate._pool, gate.config.speech)  # type: ignore[arg-type]
    words = written_words(text, syn.words)
    assert words is not None and [w.text for w in words] == text.rstrip(".").split()
    assert [(w.start, w.end) for w in words] == [(w.start, w.end) for w in syn.words]  # type: ignore[union-attr]
    assert written_words(text, syn.words[:-1]) is None  # type: ignore[index]


def test_the_gate_keeps_its_best_round_when_the_last_one_is_worse(
    e2e_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 1 re-speaks the silenced turn (it comes back); round 2's audio is made silent after it
    is rendered, the rounds run out: the dialogue keeps round 1's audio, records and score."""
    import duplexsynth.gate_actions as gate_actions
    from eval.gate import GateDecision

    corpus, _ = _broken_copy(e2e_corpus, tmp_path)
    config = load_config(None, {"seed": 3, "eval": {"gate": {"action": "resynthesize", "max_retries": 2,
                                                             "on_exhausted": "flag"},
                                                    "speaker_similarity": False, "cpwer": False}})
    run_duplex(corpus, config)

    def always_turn_1(turns, gate_config, attempt, metrics=None):  # two rounds whatever the score, then flag
        if attempt < 2:
            return GateDecision("resynthesize", [1], "forced", [1])
        return GateDecision("flag", reason="forced", failed_turns=[1])

    real = gate_actions.Gate._resynthesize

    def worse_second_round(self, timeline, utterances, dialogue, turns, rounds, evals=None):
        new_timeline, new_utts = real(self, timeline, utterances, dialogue, turns, rounds, evals)
        if rounds == 2:
            stereo, sr = read_audio(corpus / new_timeline.audio_path)
            write_audio(corpus / new_timeline.audio_path, np.zeros_like(stereo), sr)
        return new_timeline, new_utts

    monkeypatch.setattr(gate_actions, "gate_dialogue", always_turn_1)
    monkeypatch.setattr(gate_actions.Gate, "_resynthesize", worse_second_round)
    report = run_eval(corpus, config)
    summary = _summary(corpus)
    assert summary.metrics["gate"]["resynthesis_rounds"] == 2 and summary.metrics["gate"]["action"] == "flag"
    assert report.extra["gate"]["resynthesize:kept_earlier"] == 1
    (timeline,) = read_manifest(corpus / "timelines.jsonl", Timeline)
    assert timeline.audio_path.endswith("-r1.flac")  # round 1's render, not round 2's silence
    (fixed,) = [u for u in read_manifest(corpus / "utterances.jsonl", Utterance) if u.turn_index == 1]
    assert fixed.audio_path.endswith("-r1.flac")
    assert summary.errors < summary.metrics["gate"]["before"]["errors"]  # better than the silenced first pass
