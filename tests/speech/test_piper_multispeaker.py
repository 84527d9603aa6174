"""A multi-speaker piper voice with random weights, saved and loaded by path like a user's voice.

piper-tts ships its VITS training code in the wheel; :mod:`speech.tts.piper_random` builds
a tiny random-weight model with four speaker ids and exports it as piper does. The test
makes a bank from it (``voices --from``), speaks through the piper backend by
``speaker_id``, and checks with resemblyzer that the ids are different voices while one
id stays the same voice across sentences.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _require import require

require("torch")
require("piper")
require("resemblyzer")

from eval.speaker_similarity import SpeakerEncoder  # noqa: E402
from speech.records import Voice  # noqa: E402
from speech.tts.piper import PiperConfig, PiperTTS  # noqa: E402
from speech.tts.piper_random import build_random_piper_voice  # noqa: E402
from speech.voice_import import voices_from_source  # noqa: E402

SPEAKERS = ["ann", "ben", "cat", "dan"]
SENTENCES = ("How are you doing today, my friend?", "The weather was lovely on the coast last weekend.",
             "Could you please send me the report by Friday?")


@pytest.fixture(scope="module")
def voice_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_random_piper_voice(tmp_path_factory.mktemp("piper") / "tiny-multi.onnx", SPEAKERS, seed=0)


@pytest.fixture(scope="module")
def bank(voice_file: Path) -> list[Voice]:
    return voices_from_source(voice_file)


@pytest.fixture(scope="module")
def engine() -> PiperTTS:
    # no sampling noise: the same id and text give the same audio
    return PiperTTS(PiperConfig(noise_scale=0.0, noise_w_scale=0.0, threads=1))


def test_the_saved_voice_gives_one_bank_entry_per_speaker_id(bank: list[Voice], voice_file: Path) -> None:
    assert [(v.id, v.speaker, v.model) for v in bank] == [
        (f"tiny-multi-{name}", str(i), str(voice_file)) for i, name in enumerate(SPEAKERS)]


def test_speaker_ids_change_the_audio_and_one_id_repeats_it(bank: list[Voice], engine: PiperTTS) -> None:
    text = SENTENCES[0]
    first = engine.synthesize(text, bank[0])
    assert first.sampling_rate == 16000 and first.samples.size > 8000 and first.words is not None
    np.testing.assert_array_equal(first.samples, engine.synthesize(text, bank[0]).samples)
    other = engine.synthesize(text, bank[1]).samples
    n = min(len(other), len(first.samples))
    assert not np.allclose(first.samples[:n], other[:n], atol=1e-3)


def test_speaker_embeddings_tell_the_ids_apart(bank: list[Voice], engine: PiperTTS) -> None:
    encoder = SpeakerEncoder()
    emb: dict[tuple[int, int], np.ndarray] = {}
    for i, voice in enumerate(bank):
        for k, text in enumerate(SENTENCES):
            syn = engine.synthesize(text, voice)
            e = encoder.embed(syn.samples, syn.sampling_rate)
            assert e is not None, f"{voice.id}: resemblyzer found no voice in {text!r}"
            emb[i, k] = e / np.linalg.norm(e)
    n, m = len(bank), len(SENTENCES)
    same = {i: np.mean([emb[i, a] @ emb[i, b] for a in range(m) for b in range(a + 1, m)]) for i in range(n)}
    cross = {(i, j): np.mean([emb[i, a] @ emb[j, b] for a in range(m) for b in range(m)])
             for i in range(n) for j in range(n) if i != j}
    # one id is one voice: its sentences are closer to each other than to any other id's
    for (i, j), c in cross.items():
        assert c < same[i] and c < same[j], (bank[i].id, bank[j].id, c, same[i], same[j])
    # and each sentence is nearest to its own speaker's other sentences
    hits = 0
    for (i, k), e in emb.items():
        centroids = {j: np.mean([emb[j, b] for b in range(m) if (j, b) != (i, k)], axis=0) for j in range(n)}
        hits += max(centroids, key=lambda j: float(e @ centroids[j]) / np.linalg.norm(centroids[j])) == i
    assert hits >= n * m - 1
