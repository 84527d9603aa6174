"""Which voices speak which dialogue: per dialogue (variants), or spread over the corpus.

With ``casting.max_uses_per_voice`` set or ``cast_by_embedding`` on (and one variant per
dialogue), a :class:`~speech.corpus_casting.CorpusCaster` casts the dialogues in order, so
a rerun casts the same; otherwise each dialogue is cast on its own
(:func:`speech.voices.cast_variants`). The staged speech stage casts the dialogues of
the manifest (:func:`plan_casts`); the streaming run casts every dialogue of the plan up
front from the personas its seed draws, before any text exists (:func:`cast_plan`), so
the dialogues can then go through the stages in parallel.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from duplexsynth.config import RunConfig
from duplexsynth.plan import dialogue_plan
from speech.corpus_casting import CorpusCaster
from speech.records import Voice
from speech.synthesize import TTSPool
from speech.voices import VoiceBank, cast_variants
from text_dialogue.agents import sample_personas
from text_dialogue.records import Dialogue, Persona
from text_dialogue.scenario import get_scenario

__all__ = ["plan_casts", "iter_casts", "cast_plan", "corpus_wide", "planned_personas"]


def corpus_wide(config: RunConfig) -> bool:
    """Whether ``config`` casts over the whole corpus (a cap on uses, or embedding distance)."""
    return (config.casting.max_uses_per_voice is not None or config.cast_by_embedding) and config.variants == 1


def _caster(bank: VoiceBank, config: RunConfig, pool: TTSPool) -> CorpusCaster:
    allowed, backends = config.voices or None, config.cast_backends or None
    embeddings = None
    if config.cast_by_embedding:
        from duplexsynth.voice_embeddings import embed_voices

        keep = set(backends or ()) or None
        voices = [v for v in bank.values() if (allowed is None or v.id in allowed) and (keep is None or v.backend in keep)]
        embeddings = embed_voices(voices, pool, config.speech)
    return CorpusCaster(bank, config.casting, embeddings, allowed, backends)


def planned_personas(scenario: str, seed: int) -> dict[str, Persona]:
    """The personas :func:`text_dialogue.agents.generate_dialogue` draws first for ``seed``."""
    import random

    return sample_personas(get_scenario(scenario), random.Random(seed))


def cast_plan(config: RunConfig, bank: VoiceBank, pool: TTSPool,
              made: dict[str, Dialogue] | None = None) -> dict[str, dict[str, Voice]]:
    """dialogue id -> cast for every dialogue of the whole (unsharded) plan, in plan order.

    :param made: dialogues an earlier run already wrote: their personas are used; the
        others' are drawn from their seed as the text stage will draw them. Every shard
        and every rerun casts the same (the same plan, the same order). A dialogue whose
        text the critic rejects and the worker makes again from another seed keeps the
        cast of its first personas.
    """
    made = made or {}
    caster = _caster(bank, config, pool)
    out = {}
    for p in dialogue_plan(config):
        personas = made[p.dialogue_id].personas if p.dialogue_id in made else planned_personas(p.scenario, p.seed)
        out[p.dialogue_id] = caster.cast(personas, p.dialogue_id)
    return out


def plan_casts(dialogues: list[Dialogue], bank: VoiceBank, config: RunConfig,
               pool: TTSPool) -> list[tuple[Dialogue, str, dict[str, Voice]]]:
    """``(dialogue, variant id, {"A": voice, "B": voice})`` for every job of the speech stage."""
    return list(iter_casts(dialogues, bank, config, pool))


def iter_casts(dialogues: Iterable[Dialogue], bank: VoiceBank, config: RunConfig,
               pool: TTSPool) -> Iterator[tuple[Dialogue, str, dict[str, Voice]]]:
    """:func:`plan_casts` streamed: each dialogue is cast as it comes (in manifest order)."""
    if not corpus_wide(config):
        for d in dialogues:
            for vid, cast in cast_variants(bank, d.personas, d.id, config.variants,
                                           config.voices or None, config.cast_backends or None):
                yield d, vid, cast
        return
    caster = _caster(bank, config, pool)
    for d in dialogues:
        yield d, d.id, caster.cast(d.personas, d.id)
