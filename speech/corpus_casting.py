"""Casting a whole corpus: persona match, speaker-embedding distance, and a cap on uses per voice.

:func:`speech.voices.cast_variants` casts one dialogue at a time. With a large
multi-speaker bank (hundreds of speakers) a corpus should spread over many of them
and each pair should sound like two different people. :class:`CorpusCaster` keeps
the count of each voice's uses across the corpus, refuses voices that reached
``max_uses``, and ranks pairs by gender match first, then age match plus the
distance of the voices' speaker embeddings (1 - cosine similarity; without
embeddings, whether engine voice or pitch differ), minus a penalty for voices used
often. Scores are computed as matrices, so a 900-voice bank casts quickly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from corpus_core.errors import ConfigError
from corpus_core.seeding import stable_seed
from speech.records import Voice
from speech.voices import VoiceBank, _age_score, _distinct, _gender_score, _pool
from text_dialogue.records import Persona

__all__ = ["CorpusCaster", "CastingConfig"]


@dataclass(frozen=True)
class CastingConfig:
    """Options of corpus casting."""

    #: a voice is cast at most this often in the corpus (``None``: no cap)
    max_uses_per_voice: int | None = None
    #: weight of the embedding distance (0..2 for cosine) against one step of age match
    distance_weight: float = 2.0
    #: score lost per earlier use of a voice, so the corpus spreads over the bank
    use_penalty: float = 0.75


@dataclass
class CorpusCaster:
    """Casts the dialogues of one corpus, remembering how often each voice was used.

    :param embeddings: voice id -> speaker embedding (any length; compared by cosine).

    >>> bank = {v: Voice(id=v, backend="piper", speaker=str(i)) for i, v in enumerate("abcd")}
    >>> caster = CorpusCaster(bank, CastingConfig(max_uses_per_voice=1))
    >>> sorted(v.id for v in caster.cast({}, "d1").values()) + sorted(v.id for v in caster.cast({}, "d2").values())
    ['a', 'b', 'c', 'd']
    """

    bank: VoiceBank
    config: CastingConfig = field(default_factory=CastingConfig)
    embeddings: dict[str, np.ndarray] | None = None
    allowed: Iterable[str] | None = None
    backends: Iterable[str] | None = None

    def __post_init__(self) -> None:
        self.pool: list[Voice] = _pool(self.bank, self.allowed, self.backends)
        self.uses = np.zeros(len(self.pool))
        n = len(self.pool)
        if self.embeddings is not None:
            missing = [v.id for v in self.pool if v.id not in self.embeddings]
            if missing:
                raise ConfigError(f"casting: no speaker embedding for voice(s) {missing[:5]}; embed every voice")
            e = np.stack([np.asarray(self.embeddings[v.id], dtype=np.float64) for v in self.pool])
            e /= np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
            self.distance = 1.0 - e @ e.T
        else:
            self.distance = np.array([[float(_distinct(a, b)) for b in self.pool] for a in self.pool])
        self._same = np.eye(n, dtype=bool)

    def cast(self, personas: dict[str, Persona], dialogue_id: str) -> dict[str, Voice]:
        """The best pair for ``personas`` among voices under their cap; counts the uses.

        :raises ConfigError: when fewer than two voices are under the cap.
        """
        cap = self.config.max_uses_per_voice
        free = np.ones(len(self.pool), dtype=bool) if cap is None else self.uses < cap
        if free.sum() < 2:
            raise ConfigError(f"casting {dialogue_id}: every voice but {int(free.sum())} reached "
                              f"max_uses_per_voice={cap}; add voices or raise the cap")
        pa, pb = personas.get("A"), personas.get("B")
        gender = (np.array([_gender_score(v, pa) for v in self.pool])[:, None]
                  + np.array([_gender_score(v, pb) for v in self.pool])[None, :])
        rest = (np.array([_age_score(v, pa) for v in self.pool])[:, None]
                + np.array([_age_score(v, pb) for v in self.pool])[None, :]
                + self.config.distance_weight * self.distance
                - self.config.use_penalty * (self.uses[:, None] + self.uses[None, :]))
        rng = np.random.default_rng(stable_seed("cast", dialogue_id))
        # gender match always wins over the rest (rest spans less than 100)
        score = 100.0 * gender + rest + 1e-6 * rng.random(gender.shape)
        score[self._same | ~free[:, None] | ~free[None, :]] = -np.inf
        i, j = np.unravel_index(int(np.argmax(score)), score.shape)
        self.uses[i] += 1
        self.uses[j] += 1
        return {"A": self.pool[i], "B": self.pool[j]}
