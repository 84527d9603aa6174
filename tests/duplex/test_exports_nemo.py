"""The nemo-duplex export, loaded the way NeMo's speechlm2 Duplex S2S loads it.

``nemo_data_path`` re-does NeMo's reading (cuts_path with relative paths, source at
16 kHz, target_audio, text tokens by role at 80 ms frames, padded collation) citing its
lines; where NeMo itself is importable, a test runs its own ``DuplexS2SDataset`` too.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from duplexsynth.exporting import export_corpus
from text_dialogue.records import Dialogue, Persona

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import (  # noqa: E402
    TONES,
    audible_words,
    dialogue_one,
    dialogue_two,
    make_corpus,
    source_audio,
)

lhotse = pytest.importorskip("lhotse")
torch = pytest.importorskip("torch")
from nemo_data_path import (  # noqa: E402
    FRAME_LENGTH,
    NEMO,
    SOURCE_SAMPLE_RATE,
    TARGET_SAMPLE_RATE,
    WordTokenizer,
    nemo_batch,
    read_cuts_like_nemo,
    read_shar_with_nemo,
)

TIMELINES = {t.id: t for t in (dialogue_one(), dialogue_two())}
CHANNEL = {"A": 0, "B": 1}


def _write_dialogues(root: Path) -> None:
    """dialogues.jsonl for dlg-1 only (a booking call); dlg-2 has no text record."""
    personas = {"A": Persona(name="Maya", role="caller"),
                "B": Persona(name="Sam", role="host", speaking_style="warm and brief")}
    dialogue = Dialogue(id="dlg-1", turns=(), scenario="booking", personas=personas)
    (root / "dialogues.jsonl").write_text(json.dumps(dialogue.to_dict()) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("nemo_corpus"))
    _write_dialogues(root)
    export_corpus(root, ["nemo-duplex"], {"nemo-duplex": {"main_speaker": "both", "shar": True}})
    return root


@pytest.fixture(scope="module")
def windowed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("nemo_windowed"))
    export_corpus(root, ["nemo-duplex"], {"nemo-duplex": {"max_duration": 2.5}})
    return root


def _cuts(root: Path) -> Any:
    return read_cuts_like_nemo(root / "exports/nemo-duplex/cuts.jsonl.gz")


def _channel_at(root: Path, dialogue_id: str, channel: int, rate: int) -> np.ndarray:
    """One channel of the corpus's stereo file resampled by lhotse (not soxr, which the export uses)."""
    recording = lhotse.Recording.from_file(root / str(TIMELINES[dialogue_id].audio_path)).resample(rate)
    return recording.load_audio(channels=channel)[0]


def _dominant_hz(x: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    return float(np.fft.rfftfreq(len(x), 1 / sr)[spectrum.argmax()])


def _check_tokens(tokens: torch.Tensor, cut: Any, speakers: list[str], tok: WordTokenizer) -> int:
    """The speakers' segments sit at their 80 ms frames (BOS, words, EOS) and nothing else is there."""
    timeline, w0 = TIMELINES[cut.custom["dialogue_id"]], cut.custom["window_start"]
    expected = torch.full_like(tokens, tok.pad)
    for seg in timeline.segments:
        if seg.speaker not in speakers or not (w0 <= seg.start < w0 + cut.duration):
            continue
        words = [w for w, start, _ in audible_words(timeline, seg.speaker) if seg.start <= start < seg.end]
        ids = [tok.bos] + tok.text_to_ids(" ".join(words))
        pos = lhotse.compute_num_frames(seg.start - w0, FRAME_LENGTH, cut.sampling_rate)
        expected[pos : pos + len(ids)] = torch.tensor(ids)[: len(tokens) - pos]
        eos = lhotse.compute_num_frames(seg.end - w0, FRAME_LENGTH, cut.sampling_rate)
        if eos < len(tokens):
            expected[eos] = tok.eos
    assert torch.equal(tokens, expected), (cut.id, tokens, expected)
    return int((tokens != tok.pad).sum())


def test_cuts_are_mono_with_roles_and_target_audio(corpus: Path) -> None:
    cuts = _cuts(corpus).to_eager()
    assert sorted(cuts.ids) == ["dlg-1_agentA", "dlg-1_agentB", "dlg-2_agentA", "dlg-2_agentB"]
    for cut in cuts:
        agent = cut.custom["agent_speaker"]
        assert isinstance(cut, lhotse.MonoCut) and cut.recording.num_channels == 1
        target = cut.custom["target_audio"]
        assert isinstance(target, lhotse.Recording) and target.num_channels == 1
        assert target.sampling_rate == TARGET_SAMPLE_RATE and abs(target.duration - cut.duration) < 1e-9
        stored = lhotse.CutSet.from_file(corpus / "exports/nemo-duplex/cuts.jsonl.gz").to_eager()[cut.id]
        assert stored.recording.sources[0].source == f"audio/{cut.id}.user.flac"  # relative to the manifest
        timeline = TIMELINES[cut.custom["dialogue_id"]]
        roles = [(s.speaker, s.custom["source_speaker"]) for s in sorted(cut.supervisions, key=lambda s: s.start)]
        assert roles == [("agent" if seg.speaker == agent else "user", seg.speaker)
                         for seg in sorted(timeline.segments, key=lambda s: (s.start, s.channel))]
    interrupted = next(s for s in cuts["dlg-1_agentA"].supervisions if s.custom["interrupted"])
    assert interrupted.text == "let me tell you"  # the words B's interruption cut off are not there


def test_nemo_batch_shapes_frames_tokens_and_audio(corpus: Path) -> None:
    cuts = _cuts(corpus)
    tok = WordTokenizer()
    batch = nemo_batch(cuts, tok)
    assert batch["source_audio"].dim() == 2 and batch["target_audio"].dim() == 2  # (B, T), not (B, 2, T)
    assert batch["source_audio"].shape[0] == batch["target_tokens"].shape[0] == len(cuts) == 4
    figures = []
    for i, cut in enumerate(cuts):
        src = int(batch["source_audio_lens"][i]) / (SOURCE_SAMPLE_RATE * FRAME_LENGTH)
        tgt = int(batch["target_audio_lens"][i]) / (TARGET_SAMPLE_RATE * FRAME_LENGTH)
        n_tok = int(batch["target_token_lens"][i])
        assert abs(src - n_tok) <= 1 and abs(tgt - n_tok) <= 1 and n_tok == int(batch["source_token_lens"][i])
        agent = cut.custom["agent_speaker"]
        user = "B" if agent == "A" else "A"
        placed = _check_tokens(batch["target_tokens"][i, :n_tok], cut, [agent], tok)
        _check_tokens(batch["source_tokens"][i, :n_tok], cut, [user], tok)
        assert batch["target_texts"][i] == " ".join(s.text for s in sorted(cut.supervisions, key=lambda s: s.start)
                                                    if s.speaker == "agent")
        # the audio: the agent's channel (resampled) is the target, the user's is the source
        n_src, n_tgt = int(batch["source_audio_lens"][i]), int(batch["target_audio_lens"][i])
        target = batch["target_audio"][i].numpy()
        want = _channel_at(corpus, cut.custom["dialogue_id"], CHANNEL[agent], TARGET_SAMPLE_RATE)[:n_tgt]
        # soxr and lhotse's resampler differ only near 8 kHz (the noise); the other channel would be ~0.2 off
        rms_error = float(np.sqrt(np.mean((target[: len(want)] - want) ** 2)))
        assert rms_error < 0.01 and np.corrcoef(target[: len(want)], want)[0, 1] > 0.999
        assert not target[n_tgt:].any()  # padding is silence
        source = batch["source_audio"][i, :n_src].numpy()
        want = _channel_at(corpus, cut.custom["dialogue_id"], CHANNEL[user], SOURCE_SAMPLE_RATE)[:n_src]
        assert float(np.sqrt(np.mean((source[: len(want)] - want) ** 2))) < 0.01
        assert np.corrcoef(source[: len(want)], want)[0, 1] > 0.999
        # the padded batch mixes nothing in: each side's tone only
        assert abs(_dominant_hz(target[:n_tgt], TARGET_SAMPLE_RATE) - TONES[CHANNEL[agent]]) < 2
        assert abs(_dominant_hz(source, SOURCE_SAMPLE_RATE) - TONES[CHANNEL[user]]) < 2
        figures.append(f"{cut.id}: {n_tok} frames, source {src:.2f}, target {tgt:.2f}, {placed} agent tokens")
    print(f"\nbatch {tuple(batch['source_audio'].shape)} source, {tuple(batch['target_audio'].shape)} target, "
          f"{tuple(batch['target_tokens'].shape)} tokens\n" + "\n".join(figures))


def test_system_prompt_from_scenario_and_persona(corpus: Path) -> None:
    cuts = _cuts(corpus).to_eager()
    host = cuts["dlg-1_agentB"].custom["system_prompt"]
    assert host.startswith("You are Sam, the host. A phone call to a small restaurant.") and "warm and brief" in host
    assert cuts["dlg-1_agentA"].custom["system_prompt"].startswith("You are Maya, the caller.")
    assert "system_prompt" not in cuts["dlg-2_agentA"].custom  # no text dialogue for it


def test_shar_round_trip_gives_the_same_batch(corpus: Path, tmp_path: Path) -> None:
    shar = tmp_path / "shar"
    shutil.copytree(corpus / "exports/nemo-duplex/shar", shar)
    assert sorted(p.name for p in shar.iterdir()) == ["cuts.000000.jsonl.gz", "recording.000000.tar",
                                                       "target_audio.000000.tar"]
    from_shar = lhotse.CutSet.from_shar(in_dir=shar).to_eager()
    from_jsonl = _cuts(corpus).to_eager()
    assert list(from_shar.ids) == list(from_jsonl.ids)
    for a, b in zip(from_shar, from_jsonl):
        assert [(s.speaker, s.start, s.text) for s in a.supervisions] == [(s.speaker, s.start, s.text) for s in b.supervisions]
        assert a.custom.get("system_prompt") == b.custom.get("system_prompt")
        assert a.recording.sources[0].type != "file" and a.custom["target_audio"].sources[0].type != "file"
    shar_batch, jsonl_batch = nemo_batch(from_shar, WordTokenizer()), nemo_batch(from_jsonl, WordTokenizer())
    for key in ("source_audio", "target_audio", "target_tokens", "source_tokens", "target_audio_lens"):
        assert torch.equal(shar_batch[key], jsonl_batch[key]), key  # FLAC both ways: lossless


def test_windows_cut_at_pauses_never_inside_a_segment(windowed: Path) -> None:
    cuts = _cuts(windowed).to_eager()
    assert sorted(cuts.ids) == ["dlg-1_agentA_w000", "dlg-1_agentA_w001", "dlg-2_agentA"]
    tok = WordTokenizer()
    batch = nemo_batch(cuts, tok)  # NeMo's token building raises RuntimeError on a negative start
    found: dict[str, list] = {"dlg-1": [], "dlg-2": []}
    ends: dict[str, float] = {}
    for i, cut in enumerate(cuts):
        did, w0 = cut.custom["dialogue_id"], cut.custom["window_start"]
        assert w0 >= ends.get(did, 0.0) - 1e-9  # windows do not overlap
        ends[did] = w0 + cut.duration
        for sup in cut.supervisions:
            assert 0 <= sup.start and sup.end <= cut.duration + 1e-9
            found[did].append((round(w0 + sup.start, 3), round(w0 + sup.end, 3), sup.custom["source_speaker"]))
        blocks = [(s.start, s.end) for s in cut.supervisions]
        one_block = max(e for _, e in blocks) - min(s for s, _ in blocks) > 2.5
        assert cut.duration <= 2.5 + 1e-9 or (one_block and cut.duration < 3.5)
        _check_tokens(batch["target_tokens"][i, : int(batch["target_token_lens"][i])], cut, ["A"], tok)
        # the user's audio of the window is the corpus's B channel there, sample for sample
        stereo, sr = source_audio(windowed, TIMELINES[did])
        own = cut.load_audio()[0]
        a = round(w0 * sr)
        np.testing.assert_allclose(own, stereo[a : a + len(own), 1], atol=1e-6)
    for did, timeline in TIMELINES.items():  # every segment once, whole
        assert sorted(found[did]) == sorted((round(s.start, 3), round(s.end, 3), s.speaker) for s in timeline.segments)
    print(f"\nwindows: {[(c.id, c.custom['window_start'], c.duration) for c in cuts]}")


@pytest.mark.skipif(not NEMO, reason="nemo_toolkit is not installed (not a project dependency; see nemo_data_path)")
def test_nemo_own_dataset_gives_the_same_batch(corpus: Path) -> None:
    path = corpus / "exports/nemo-duplex/cuts.jsonl.gz"
    real = nemo_batch(read_cuts_like_nemo(path, real=True), WordTokenizer(), real=True)
    mirror = nemo_batch(read_cuts_like_nemo(path), WordTokenizer())
    shar = nemo_batch(read_shar_with_nemo(corpus / "exports/nemo-duplex/shar"), WordTokenizer(), real=True)
    for key, value in mirror.items():
        if isinstance(value, torch.Tensor):
            assert torch.equal(real[key], value) and torch.equal(shar[key], value), key
        else:
            assert real[key] == value == shar[key], key
