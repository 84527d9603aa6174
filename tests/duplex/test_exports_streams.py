"""The streams export: frame-aligned text tokens and interleaved A/B chunks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st

from duplex.exports.streams import PAD_TOKEN, boundary_sample, frame_tokens
from duplexsynth.exporting import export_corpus
from speech.records import Word

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import (  # noqa: E402
    audible_words,
    dialogue_one,
    dialogue_two,
    make_corpus,
    source_audio,
)


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("streams_corpus"))
    export_corpus(root, ["streams"])
    return root


def test_index_points_at_the_stereo_audio(corpus: Path) -> None:
    out = corpus / "exports/streams"
    index = _read_jsonl(out / "index.jsonl")
    assert [x["id"] for x in index] == ["dlg-1", "dlg-2"]
    for entry, timeline in zip(index, (dialogue_one(), dialogue_two())):
        audio, sr = sf.read(str(out / entry["audio_path"]), dtype="float32")
        source, _ = source_audio(corpus, timeline)
        assert sr == entry["sampling_rate"] and len(audio) == entry["num_samples"]
        np.testing.assert_array_equal(audio, source)


def test_frames_place_each_word_at_its_start_frame(corpus: Path) -> None:
    frames = json.loads((corpus / "exports/streams/dlg-1.frames.json").read_text())
    assert frames["frame_rate"] == 12.5 and frames["samples_per_frame"] == 1280.0
    assert frames["num_frames"] == 75  # 6 s * 12.5 Hz
    source, sr = source_audio(corpus, dialogue_one())
    for ch in frames["channels"]:
        tokens = ch["tokens"]
        assert len(tokens) == 75
        expected = audible_words(dialogue_one(), ch["speaker"])
        assert [t for t in tokens if t != PAD_TOKEN] == [w for w, _, _ in expected]
        for word, start, _ in expected:
            frame = int(start * 12.5)
            assert tokens[frame] == word
            # the frame's audio (frame i = samples floor(i*S)..floor((i+1)*S)) has that speaker's tone
            a, b = boundary_sample(frame, 1280.0), boundary_sample(frame + 1, 1280.0)
            assert np.abs(source[a:b, ch["channel"]]).max() > 0.1
    a_spans = frames["channels"][0]["words"]
    assert a_spans[0] == ["hello", 2, 2, 7]  # 0.2-0.6 s -> token frame 2, frames 2..7


def test_frame_rate_option(tmp_path: Path) -> None:
    root = make_corpus(tmp_path, (dialogue_two,))
    export_corpus(root, ["streams"], {"streams": {"frame_rate": 25.0, "chunk_ms": 150.0}})
    frames = json.loads((root / "exports/streams/dlg-2.frames.json").read_text())
    assert frames["num_frames"] == 75 and frames["samples_per_frame"] == 882.0
    b = frames["channels"][1]["tokens"]
    assert b[30] == "morning" and b[48] == "to" and b[53] == "you"  # 1.2, 1.95, 2.15 s at 25 Hz
    # 150 ms at 22.05 kHz is 3307.5 samples: slices must still tile the file exactly
    chunks = _read_jsonl(root / "exports/streams/dlg-2.chunks.jsonl")
    a_chunks = [c for c in chunks if c["channel"] == 0]
    assert len(a_chunks) == 20
    assert [c["end_sample"] - c["start_sample"] for c in a_chunks[:4]] == [3307, 3308, 3307, 3308]
    assert a_chunks[-1]["end_sample"] == 66150


def test_chunks_alternate_speakers_and_tile_the_audio(corpus: Path) -> None:
    chunks = _read_jsonl(corpus / "exports/streams/dlg-1.chunks.jsonl")
    assert len(chunks) == 2 * 38  # ceil(6 s / 160 ms)
    assert [c["speaker"] for c in chunks[:6]] == ["A", "B", "A", "B", "A", "B"]
    assert [c["channel"] for c in chunks] == [0, 1] * 38
    for k in range(38):
        a, b = chunks[2 * k], chunks[2 * k + 1]
        assert a["index"] == b["index"] == k
        assert (a["start_sample"], a["end_sample"]) == (b["start_sample"], b["end_sample"])
        assert a["start_sample"] == (chunks[2 * k - 2]["end_sample"] if k else 0)
        assert a["start"] == pytest.approx(a["start_sample"] / 16000) and a["end"] == pytest.approx(a["end_sample"] / 16000)
    assert chunks[-1]["end_sample"] == 96000 and chunks[-1]["end"] == 6.0


def test_chunk_words_and_audio_agree(corpus: Path) -> None:
    chunks = _read_jsonl(corpus / "exports/streams/dlg-1.chunks.jsonl")
    source, sr = source_audio(corpus, dialogue_one())
    for speaker in "AB":
        mine = [c for c in chunks if c["speaker"] == speaker]
        words = [tuple(w) for c in mine for w in c["words"]]
        assert words == audible_words(dialogue_one(), speaker)  # every word once, in order
        for c in mine:
            ch = c["channel"]
            piece = source[c["start_sample"] : c["end_sample"], ch]
            for _, start, _ in c["words"]:
                assert c["start"] <= start < c["end"]
            if c["speech"] == 1.0:
                assert np.abs(piece).max() > 0.1
            if c["speech"] == 0.0:
                assert np.abs(piece).max() == 0.0
    # 0.96-1.12 s: A says "how" (from 1.1), B's backchannel "uh-huh" starts at 1.0
    a6, b6 = chunks[12], chunks[13]
    assert a6["words"] == [["how", 1.1, 1.3]] and a6["speech"] == 1.0
    assert b6["words"] == [["uh-huh", 1.0, 1.4]] and b6["speech"] == 0.75
    # 1.12-1.28 s: both speak, no word starts
    assert chunks[14]["words"] == chunks[15]["words"] == [] and chunks[14]["speech"] == chunks[15]["speech"] == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 9.5), st.floats(0.01, 0.5)), max_size=40), st.sampled_from([5.0, 12.5, 25.0]))
def test_frame_tokens_keep_every_word_in_order(spans: list[tuple[float, float]], rate: float) -> None:
    words = sorted((Word(f"w{i}", s, s + d) for i, (s, d) in enumerate(spans)), key=lambda w: w.start)
    num_frames = int(10 * rate) + len(words)
    tokens, placed = frame_tokens(words, rate, num_frames)
    assert [t for t in tokens if t != PAD_TOKEN] == [w.text for w in words]
    frames = [p[1] for p in placed]
    assert frames == sorted(set(frames))  # one word per frame, in time order
    for w, (_, token_frame, first, last) in zip(words, placed):
        assert token_frame >= first == int(w.start * rate + 1e-9) and last >= first
