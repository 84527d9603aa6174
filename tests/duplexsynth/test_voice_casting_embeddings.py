"""Corpus casting with real speaker embeddings of distinct voices (espeak variants as speaker ids)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest

from speech.corpus_casting import CastingConfig, CorpusCaster
from speech.synthesize import SpeechConfig, TTSPool
from speech.voices import default_voice_bank
from text_dialogue.agents import sample_personas
from text_dialogue.scenario import get_scenario


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, dict]:
    pytest.importorskip("resemblyzer")
    from duplexsynth.voice_embeddings import REFERENCE_SENTENCES, embed_voices

    bank = {k: v for k, v in default_voice_bank().items() if v.backend == "espeak"}
    config = SpeechConfig(cache_dir=str(tmp_path_factory.mktemp("cache")))
    pool = TTSPool()
    embs = embed_voices(bank.values(), pool, config)
    # the same voice on other sentences: its self-similarity
    other = embed_voices(bank.values(), pool, config, sentences=(
        "The weather was lovely on the coast last weekend, we walked for hours.",
        "Could you tell me when the next train to the city leaves, please?"))
    assert REFERENCE_SENTENCES
    return bank, embs, other


def test_speaker_ids_give_different_embeddings_and_one_id_consistent_ones(embedded: tuple) -> None:
    bank, embs, other = embedded
    assert set(embs) == set(bank) and len(bank) >= 6
    for vid in bank:
        self_sim = float(embs[vid] @ other[vid])
        between = max(float(embs[vid] @ other[w]) for w in bank if w != vid)
        assert self_sim > 0.8, vid
        # the same engine (en-us) with another speaker id is not the same speaker
        assert self_sim > between, (vid, self_sim, between)


def test_corpus_casting_spreads_and_keeps_pairs_apart(embedded: tuple) -> None:
    bank, embs, other = embedded
    caster = CorpusCaster(bank, CastingConfig(max_uses_per_voice=3), embs, backends=["espeak"])  # off the default cast
    scenario = get_scenario("chitchat")
    used = []
    for i in range(12):
        personas = sample_personas(scenario, random.Random(i))
        cast = caster.cast(personas, f"d{i}")
        a, b = cast["A"].id, cast["B"].id
        used += [a, b]
        # A-B similarity below each speaker's self-similarity
        assert embs[a] @ embs[b] < min(embs[a] @ other[a], embs[b] @ other[b])
        if i < 3:  # before any cap binds, gender matches (the cap wins once a gender's voices are used up)
            assert cast["A"].gender == personas["A"].gender and cast["B"].gender == personas["B"].gender
    counts = {v: used.count(v) for v in set(used)}
    assert max(counts.values()) <= 3 and len(counts) == len(bank)  # 24 slots over 8 voices, at most 3 each
    with pytest.raises(Exception, match="max_uses_per_voice"):
        caster.cast({}, "one-too-many")


def test_embedding_distance_changes_the_choice() -> None:
    bank = {k: v for k, v in default_voice_bank().items() if v.backend == "espeak"}
    ids = sorted(bank)
    # made-up embeddings: every voice identical except the last two, far from each other
    embs = {v: np.array([1.0, 0.0, 0.0]) for v in ids}
    embs[ids[-1]], embs[ids[-2]] = np.array([0.0, 1.0, 0.0]), np.array([0.0, 0.0, 1.0])
    cast = CorpusCaster(bank, CastingConfig(), embs, backends=["espeak"]).cast({}, "x")
    assert {cast["A"].id, cast["B"].id} & {ids[-1], ids[-2]}
    assert embs[cast["A"].id] @ embs[cast["B"].id] == 0.0


def test_speech_stage_casting_spreads_voices_over_the_corpus() -> None:
    from duplexsynth.casting import plan_casts
    from duplexsynth.config import load_config
    from text_dialogue.records import Dialogue, Turn

    scenario = get_scenario("booking")
    dialogues = [Dialogue(id=f"d{i}", turns=(Turn(0, "A", "Hi."),), personas=sample_personas(scenario, random.Random(i)))
                 for i in range(4)]
    bank = default_voice_bank()
    config = load_config(None, {"casting": {"max_uses_per_voice": 1}, "cast_backends": ["espeak"]})
    jobs = plan_casts(dialogues, bank, config, TTSPool())
    voices = [v.id for _, _, cast in jobs for v in cast.values()]
    assert len(jobs) == 4 and len(set(voices)) == 8  # 8 espeak voices, each cast once
    # without the cap each dialogue is cast on its own and the best voices repeat
    again = plan_casts(dialogues, bank, replace(config, casting=replace(config.casting, max_uses_per_voice=None)),
                       TTSPool())
    assert len({v.id for _, _, cast in again for v in cast.values()}) < 8
