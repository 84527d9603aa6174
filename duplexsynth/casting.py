"""Which voices speak which dialogue: per dialogue (variants), or spread over the corpus.

With ``casting.max_uses_per_voice`` set or ``cast_by_embedding`` on (and one variant per
dialogue), a :class:`~speech.corpus_casting.CorpusCaster` casts the dialogues in manifest
order, so a rerun casts the same; otherwise each dialogue is cast on its own
(:func:`speech.voices.cast_variants`).
"""

from __future__ import annotations

from typing import Iterable, Iterator

from duplexsynth.config import RunConfig
from speech.corpus_casting import CorpusCaster
from speech.records import Voice
from speech.synthesize import TTSPool
from speech.voices import VoiceBank, cast_variants
from text_dialogue.records import Dialogue

__all__ = ["plan_casts", "iter_casts"]


def plan_casts(dialogues: list[Dialogue], bank: VoiceBank, config: RunConfig,
               pool: TTSPool) -> list[tuple[Dialogue, str, dict[str, Voice]]]:
    """``(dialogue, variant id, {"A": voice, "B": voice})`` for every job of the speech stage."""
    return list(iter_casts(dialogues, bank, config, pool))


def iter_casts(dialogues: Iterable[Dialogue], bank: VoiceBank, config: RunConfig,
               pool: TTSPool) -> Iterator[tuple[Dialogue, str, dict[str, Voice]]]:
    """:func:`plan_casts` streamed: each dialogue is cast as it comes (in manifest order)."""
    allowed, backends = config.voices or None, config.cast_backends or None
    corpus_wide = config.casting.max_uses_per_voice is not None or config.cast_by_embedding
    if not corpus_wide or config.variants != 1:
        for d in dialogues:
            for vid, cast in cast_variants(bank, d.personas, d.id, config.variants, allowed, backends):
                yield d, vid, cast
        return
    embeddings = None
    if config.cast_by_embedding:
        from duplexsynth.voice_embeddings import embed_voices

        keep = set(backends or ()) or None
        voices = [v for v in bank.values() if (allowed is None or v.id in allowed) and (keep is None or v.backend in keep)]
        embeddings = embed_voices(voices, pool, config.speech)
    caster = CorpusCaster(bank, config.casting, embeddings, allowed, backends)
    for d in dialogues:
        yield d, d.id, caster.cast(d.personas, d.id)
