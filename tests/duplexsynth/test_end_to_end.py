"""The default stack end to end: what the stereo audio really contains."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from corpus_core import read_manifest
from duplex.records import Timeline
from eval.records import DialogueEval, TurnEval
from eval.wer import word_errors
from speech.audio import frame_rms_db, read_audio
from speech.records import Utterance
from text_dialogue.records import Dialogue


def _load(corpus: Path):
    (dialogue,) = read_manifest(corpus / "dialogues.jsonl", Dialogue)
    (timeline,) = read_manifest(corpus / "timelines.jsonl", Timeline)
    stereo, sr = read_audio(corpus / timeline.audio_path)
    return dialogue, timeline, stereo, sr


def test_every_turn_is_placed_once_on_its_speakers_channel(e2e_corpus: Path) -> None:
    dialogue, timeline, stereo, sr = _load(e2e_corpus)
    assert stereo.ndim == 2 and stereo.shape[1] == 2 and sr == 24000
    turns = {s.turn_index: s for s in timeline.segments if s.kind == "turn"}
    assert set(turns) == {t.index for t in dialogue.turns}
    for t in dialogue.turns:
        assert turns[t.index].channel == (0 if t.speaker == "A" else 1)
    utts = list(read_manifest(e2e_corpus / "utterances.jsonl", Utterance))
    assert {u.voice for u in utts if u.speaker == "A"}.isdisjoint({u.voice for u in utts if u.speaker == "B"})


def test_each_channel_sounds_exactly_where_the_timeline_says(e2e_corpus: Path) -> None:
    _, timeline, stereo, sr = _load(e2e_corpus)
    hop = int(0.01 * sr)
    for channel in (0, 1):
        levels = frame_rms_db(np.ascontiguousarray(stereo[:, channel]), sr)
        inside = np.zeros(len(levels), dtype=bool)
        for seg in timeline.channel_segments(channel):
            a, b = int(seg.start * sr) // hop, int(seg.end * sr) // hop
            inside[max(0, a - 3): b + 3] = True  # 30 ms of slack at the edges
            # speech, not silence: the loud frames of the segment reach speech level
            assert np.percentile(levels[a:b], 90) > -35, (channel, seg.text)
        assert levels[~inside].max(initial=-120) < -60, f"channel {channel} has sound outside its segments"


def test_each_channel_transcribes_back_to_its_turns(e2e_corpus: Path) -> None:
    _, timeline, _, _ = _load(e2e_corpus)
    records = [json.loads(line) for line in (e2e_corpus / "eval.jsonl").read_text().splitlines()]
    turn_evals = [TurnEval.from_dict(r) for r in records if r["type"] == "TurnEval"]
    (summary,) = [DialogueEval.from_dict(r) for r in records if r["type"] == "DialogueEval"]
    for channel in (0, 1):
        evals = [e for e in turn_evals if e.channel == channel and e.kind == "turn"]
        ref = " ".join(e.reference for e in evals)
        hyp = " ".join(e.hypothesis for e in evals)
        wer = word_errors(ref, hyp).rate
        assert wer <= 0.15, f"channel {channel}: WER {wer:.2f}\nref: {ref}\nhyp: {hyp}"
    assert summary.wer <= 0.15


def test_meta_records_versions_backends_config_and_seed(e2e_corpus: Path) -> None:
    meta = json.loads((e2e_corpus / "meta.json").read_text())
    assert meta["schema_version"] == 1 and meta["seed"] == 3
    assert meta["config"]["dialogues"] == 1
    assert meta["backends"]["llm"]["model"].endswith(".gguf")
    assert meta["backends"]["asr"]["backend"] == "faster-whisper"
    assert set(meta["backends"]["tts"]) <= {"piper", "kokoro"}  # the default cast: joe and Kokoro's voices
    assert set(meta["stages"]) == {"text", "speech", "duplex", "eval"}
    assert (e2e_corpus / "transcripts").is_dir()


def test_meta_counts_the_speakers_of_the_corpus_from_their_audio(e2e_corpus: Path) -> None:
    speakers = json.loads((e2e_corpus / "meta.json").read_text())["stages"]["eval"]["speakers"]
    from corpus_core import read_manifest
    from eval.records import TurnEval
    from speech.records import Utterance

    voices = {u.speaker: u.voice for u in read_manifest(e2e_corpus / "utterances.jsonl", Utterance) if u.kind == "turn"}
    turns = [r for r in read_manifest(e2e_corpus / "eval.jsonl") if isinstance(r, TurnEval) and r.kind == "turn"]
    assert set(speakers["voices"]) == set(voices.values()) and speakers["voices_used"] == 2
    assert speakers["embedded"] == 2 and speakers["distinct_speakers"] in (1, 2)
    assert speakers["ab_similarity"]["dialogues"] == 1 and -1 <= speakers["ab_similarity"]["mean"] < 0.99
    for speaker, voice in voices.items():
        mine = [t for t in turns if t.speaker == speaker]
        want = sum(t.errors for t in mine) / sum(t.ref_words for t in mine)
        assert speakers["voices"][voice]["share"] == 1.0 and speakers["voices"][voice]["wer"] == round(want, 4)


def test_rerun_skips_finished_dialogues(e2e_corpus: Path) -> None:
    from duplexsynth.config import load_config
    from duplexsynth.pipeline import run_duplex, run_speech

    config = load_config(None, {"dialogues": 1, "scenarios": ["booking"], "seed": 3})
    before = (e2e_corpus / "utterances.jsonl").read_text()
    assert run_speech(e2e_corpus, config).skipped == 1
    assert run_duplex(e2e_corpus, config).skipped == 1
    assert (e2e_corpus / "utterances.jsonl").read_text() == before


def test_eval_command_prints_the_realism_table_for_a_finished_corpus(e2e_corpus: Path) -> None:
    from click.testing import CliRunner

    from duplexsynth.cli.main import cli

    result = CliRunner().invoke(cli, ["eval", str(e2e_corpus)])
    assert result.exit_code == 0, result.output
    assert "1 already there" in result.output
    assert "Overlapping floor transfers (FTO<0)" in result.output and "Human target" in result.output
    assert "targets met" in result.output
