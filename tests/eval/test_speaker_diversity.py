"""Speaker diversity of a corpus: clusters of speaker embeddings, A-B similarity, WER and share per voice.

The real test speaks with the shipped engines (piper joe, Kokoro's jf_nezumi and jm_kumo),
embeds with resemblyzer, and checks that casts of one voice fall into one cluster and
different voices into different ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from _require import require

from eval.speaker_diversity import SAME_SPEAKER_COSINE, SpeakerEntry, cluster_embeddings, measure_speaker_diversity


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_the_cut_joins_near_copies_and_splits_distinct_voices() -> None:
    rng = np.random.default_rng(0)
    a, b = _unit(rng.normal(size=64)), _unit(rng.normal(size=64))
    near = [_unit(a + 0.02 * rng.normal(size=64)) for _ in range(4)] + [_unit(b + 0.02 * rng.normal(size=64))]
    labels = cluster_embeddings(np.stack(near))
    assert len(set(labels[:4])) == 1 and labels[4] != labels[0]
    assert list(cluster_embeddings(np.zeros((0, 64)))) == [] and list(cluster_embeddings(np.stack([a]))) == [0]


def test_voice_rows_count_dialogues_and_pool_their_errors() -> None:
    rng = np.random.default_rng(1)
    joe, amy = _unit(rng.normal(size=32)), _unit(rng.normal(size=32))
    entries = [
        SpeakerEntry("d1", "A", "joe", joe, errors=1, ref_words=10),
        SpeakerEntry("d1", "B", "amy", amy, errors=0, ref_words=10),
        SpeakerEntry("d2", "A", "amy", amy, errors=3, ref_words=10),
        SpeakerEntry("d2", "B", "kim", None, errors=0, ref_words=5),  # not embedded: still a voice row
    ]
    out = measure_speaker_diversity(entries)
    assert out["distinct_speakers"] == 2 and out["embedded"] == 3 and out["voices_used"] == 3
    assert out["voices"]["amy"] == {"dialogues": 2, "share": 1.0, "wer": 0.15, "cluster": 0}
    assert out["voices"]["joe"]["share"] == 0.5 and out["voices"]["kim"]["cluster"] is None
    assert out["clusters"][0] == {"size": 2, "voices": {"amy": 2}}
    assert out["ab_similarity"]["dialogues"] == 1  # d2's B has no embedding
    assert out["ab_similarity"]["mean"] == pytest.approx(float(joe @ amy), abs=1e-4)
    assert measure_speaker_diversity([])["distinct_speakers"] is None


def test_a_large_corpus_is_clustered_from_a_sample_of_every_voice() -> None:
    rng = np.random.default_rng(2)
    centres = {f"v{i}": _unit(rng.normal(size=32)) for i in range(5)}
    entries = [SpeakerEntry(f"d{k}", "A", v, _unit(c + 0.02 * rng.normal(size=32)))
               for k in range(40) for v, c in centres.items()]
    out = measure_speaker_diversity(entries, max_clustered=50)
    assert out["embedded"] == 200 and out["clustered"] == 50 and out["distinct_speakers"] == 5
    assert all(r["dialogues"] == 40 and r["cluster"] is not None for r in out["voices"].values())
    assert measure_speaker_diversity(entries[:30])["clustered"] == 30


def test_real_voices_cluster_by_speaker() -> None:
    require("kokoro_onnx")
    require("resemblyzer")
    from eval.speaker_similarity import SpeakerEncoder
    from speech.synthesize import SpeechConfig, TTSPool, speak_text
    from speech.voices import default_voice_bank

    bank = default_voice_bank()
    pool, config, encoder = TTSPool(), SpeechConfig(cache_dir=None), SpeakerEncoder()
    texts = ("I'd like to book a table for two on Saturday evening, please.",
             "My laptop will not connect to the wifi since this morning.")
    entries = []
    for voice in ("joe", "kokoro-jf_nezumi", "kokoro-jm_kumo"):
        for i, text in enumerate(texts):  # two "dialogues" per voice, different words
            syn = speak_text(text, bank[voice], pool, config)
            entries.append(SpeakerEntry(f"{voice}-{i}", "A", voice, encoder.embed(syn.samples, syn.sampling_rate)))
    out = measure_speaker_diversity(entries)
    assert out["distinct_speakers"] == 3, out["clusters"]
    assert sorted(sorted(c["voices"].items()) for c in out["clusters"]) == [
        [("joe", 2)], [("kokoro-jf_nezumi", 2)], [("kokoro-jm_kumo", 2)]]
    assert 0 < SAME_SPEAKER_COSINE < 1
