"""The moshi export, read back the way moshi-finetune reads it.

moshi-finetune (kyutai-labs/moshi-finetune, finetune/data/) loads audio with
``sphn.dataset_jsonl`` (installed here: the real reader), then opens
``splitext(path)[0] + ".json"``, bisects its "alignments" by start time for the
chunk, and its Interleaver keeps only ``SPEAKER_MAIN`` words, each placed at frame
``floor(start * frame_rate)``. The bisect and the placement are re-implemented below
(the package needs torch, sentencepiece and moshi) from that code.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pytest
from _require import require

from duplexsynth.exporting import export_corpus

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from exports_fixtures import (  # noqa: E402
    audible_words,
    dialogue_one,
    dialogue_two,
    make_corpus,
    source_audio,
)

sphn = require("sphn")

MIMI_FRAME_RATE = 12.5


def _bisect_start(alignments: list, value: float) -> int:
    """First index whose start is >= value (moshi-finetune's ``dicho``)."""
    lo, hi = 0, len(alignments)
    while lo < hi:
        mid = (lo + hi) // 2
        if alignments[mid][1][0] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _load_like_moshi_finetune(jsonl: Path, duration_sec: float) -> list[dict]:
    """Chunks as moshi-finetune's dataset iterator sees them: audio + shifted alignments."""
    out = []
    dataset = sphn.dataset_jsonl(str(jsonl), duration_sec=duration_sec, pad_last_segment=True, num_threads=1)
    for sample in dataset.seq():
        wav = sample["data"][..., : sample["unpadded_len"]]
        start = sample["start_time_sec"]
        with open(os.path.splitext(sample["path"])[0] + ".json") as f:
            alignments = json.load(f)["alignments"]
        i, j = _bisect_start(alignments, start), _bisect_start(alignments, start + duration_sec)
        shifted = [(a[0], (a[1][0] - start, a[1][1] - start), a[2]) for a in alignments[i:j]]
        out.append({"path": sample["path"], "start": start, "wav": wav, "sr": sample["sample_rate"],
                    "alignments": shifted})
    return out


def _main_tokens(alignments: list, duration: float) -> list[str | None]:
    """The Interleaver's text stream with keep_main_only: a word at its first frame."""
    frames: list[str | None] = [None] * math.ceil(duration * MIMI_FRAME_RATE)
    for word, (start, end), speaker in sorted(alignments, key=lambda a: a[1][0]):
        if speaker == "SPEAKER_MAIN" and start < end:
            frames[int(start * MIMI_FRAME_RATE)] = word
    return frames


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_corpus(tmp_path_factory.mktemp("moshi_corpus"))
    export_corpus(root, ["moshi"])
    return root


def test_manifest_lists_stereo_wavs_with_durations(corpus: Path) -> None:
    lines = [json.loads(x) for x in (corpus / "exports/moshi/moshi.jsonl").read_text().splitlines()]
    assert lines == [{"path": "data_stereo/dlg-1.wav", "duration": 6.0},
                     {"path": "data_stereo/dlg-2.wav", "duration": 3.0}]
    assert sphn.durations([str(corpus / "exports/moshi" / x["path"]) for x in lines]) == [6.0, 3.0]


def test_loader_gets_source_audio_with_main_speaker_left(corpus: Path) -> None:
    chunks = _load_like_moshi_finetune(corpus / "exports/moshi/moshi.jsonl", duration_sec=2.0)
    assert [Path(c["path"]).name for c in chunks] == ["dlg-1.wav"] * 3 + ["dlg-2.wav"] * 2
    for timeline in (dialogue_one(), dialogue_two()):
        source, sr = source_audio(corpus, timeline)
        mine = [c for c in chunks if Path(c["path"]).stem == timeline.id]
        wav = np.concatenate([c["wav"] for c in mine], axis=1)  # (channels, samples)
        assert mine[0]["sr"] == sr and wav.shape == (2, len(source))
        np.testing.assert_allclose(wav.T, source, atol=1e-6)  # left = A = channel 0


def test_alignments_are_sorted_and_label_the_main_speaker(corpus: Path) -> None:
    timeline = dialogue_one()
    data = json.loads((corpus / "exports/moshi/data_stereo/dlg-1.json").read_text())
    starts = [a[1][0] for a in data["alignments"]]
    assert starts == sorted(starts)
    main = [(w, s, e) for w, (s, e), spk in data["alignments"] if spk == "SPEAKER_MAIN"]
    other = [(w, s, e) for w, (s, e), spk in data["alignments"] if spk == "SPEAKER_OTHER"]
    assert main == audible_words(timeline, "A")
    assert other == audible_words(timeline, "B")
    # the interrupted turn: "you" clipped at the cut, "about my day" never audible
    assert ("you", 4.5, 4.6) in main and "about" not in [w for w, _, _ in main]


def test_chunked_text_stream_matches_the_audio_time(corpus: Path) -> None:
    chunks = _load_like_moshi_finetune(corpus / "exports/moshi/moshi.jsonl", duration_sec=2.0)
    second = next(c for c in chunks if c["path"].endswith("dlg-1.wav") and c["start"] == 2.0)
    # 2.0-4.0 s holds A's "let me" (3.7, 3.95 -> 1.7, 1.95 s into the chunk)
    tokens = _main_tokens(second["alignments"], 2.0)
    assert tokens[int(1.7 * MIMI_FRAME_RATE)] == "let" and tokens[int(1.95 * MIMI_FRAME_RATE)] == "me"
    assert [t for t in tokens if t] == ["let", "me"]
    # and A's channel really speaks there, B's "fine thanks" is on the right channel
    a, b = second["wav"][0], second["wav"][1]
    sr = second["sr"]
    assert np.abs(a[int(1.75 * sr): int(1.85 * sr)]).max() > 0.1
    assert np.abs(a[int(0.1 * sr): int(1.6 * sr)]).max() == 0.0
    assert np.abs(b[int(0.0 * sr): int(0.8 * sr)]).max() > 0.1


def test_main_speaker_b_swaps_channels_and_labels(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    export_corpus(root, ["moshi"], {"moshi": {"main_speaker": "B", "other_label": ""}})
    chunks = _load_like_moshi_finetune(root / "exports/moshi/moshi.jsonl", duration_sec=10.0)
    source, _ = source_audio(root, dialogue_two())
    np.testing.assert_allclose(chunks[1]["wav"].T, source[:, ::-1], atol=1e-6)
    data = json.loads((root / "exports/moshi/data_stereo/dlg-2.json").read_text())
    assert {a[2] for a in data["alignments"]} == {"SPEAKER_MAIN"}
    assert [a[0] for a in data["alignments"]] == ["morning", "to", "you"]


def test_main_speaker_both_writes_each_side(tmp_path: Path) -> None:
    root = make_corpus(tmp_path, (dialogue_two,))
    export_corpus(root, ["moshi"], {"moshi": {"main_speaker": "both"}})
    lines = [json.loads(x)["path"] for x in (root / "exports/moshi/moshi.jsonl").read_text().splitlines()]
    assert lines == ["data_stereo/dlg-2_mainA.wav", "data_stereo/dlg-2_mainB.wav"]
    chunks = _load_like_moshi_finetune(root / "exports/moshi/moshi.jsonl", duration_sec=10.0)
    np.testing.assert_array_equal(chunks[0]["wav"], chunks[1]["wav"][::-1])
