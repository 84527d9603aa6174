"""Near-duplicate dialogues: a MinHash LSH index over each dialogue's word-trigram shingles.

The process that writes the manifests keeps one :class:`NearDuplicateIndex` of every
dialogue written so far (rebuilt from dialogues.jsonl on resume). A new dialogue whose
Jaccard similarity to one of them exceeds ``text.max_similarity`` is made again with a
new seed (:func:`retry_seed`), at most :data:`NEAR_DUPLICATE_RETRIES` times; after that
it is logged as ``near_duplicate``.

Shingles are the word trigrams of the whole dialogue (its turns' words in order, words
as :func:`text_dialogue.diversity.tokenize` makes them). Each word is hashed once
(CRC-32, the same in every process), a trigram's hash combines its three word hashes,
and datasketch's MinHash (affine32 scheme, :data:`NUM_PERM` permutations shared by all
sketches) sketches the set. The LSH index returns candidates; a candidate counts when
the Jaccard similarity its signature estimates exceeds the threshold.

>>> index = NearDuplicateIndex(threshold=0.5)
>>> index.add("d1", ["Hi, I'd like to book a table for four on Friday, please."])
>>> index.find(["Hi, I'd like to book a table for four on Friday, please!"]).similar_to
'd1'
>>> index.find(["Good morning, my laptop will not start since the update."]) is None
True
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

from corpus_core.errors import GenerationError
from corpus_core.manifest import iter_jsonl
from corpus_core.seeding import stable_seed
from text_dialogue.diversity import tokenize

__all__ = ["NUM_PERM", "NEAR_DUPLICATE_RETRIES", "NearDuplicate", "NearDuplicateIndex", "NearDuplicateError",
           "shingle_hashes", "retry_seed", "near_duplicate_reason"]

#: MinHash permutations per signature (the estimate's standard error is about 0.5 / sqrt(NUM_PERM))
NUM_PERM = 128
#: new seeds tried for a dialogue that is a near-duplicate, before it is logged
NEAR_DUPLICATE_RETRIES = 3
#: reason logged in failures.jsonl
REASON = "near_duplicate"
_MASK = np.uint64(0xFFFFFFFF)
_MIX = (np.uint64(0x9E3779B1), np.uint64(0x85EBCA77))


def shingle_hashes(texts: Sequence[str]) -> np.ndarray:
    """32-bit hashes of the distinct word trigrams of ``texts`` (a dialogue's turns, in order).

    A dialogue of fewer than three words has its words (or nothing) as shingles.
    """
    words = [w for text in texts for w in tokenize(text)]
    h = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    if len(h) < 3:
        return np.unique(h).astype(np.uint32)
    grams = ((h[:-2] * _MIX[0] + h[1:-1]) * _MIX[1] + h[2:]) & _MASK
    return np.unique(grams).astype(np.uint32)


def retry_seed(seed: int, attempt: int) -> int:
    """The seed of a dialogue's ``attempt``-th remake (1-based), from its plan seed alone."""
    return stable_seed(seed, 1_000 + attempt) % 2**31


@dataclass(frozen=True)
class NearDuplicate:
    """The earlier dialogue a new one is too similar to."""

    similar_to: str
    #: estimated Jaccard similarity of the two shingle sets
    similarity: float


class NearDuplicateError(GenerationError):
    """A dialogue stayed a near-duplicate after every new seed; ``str()`` starts with ``near_duplicate``."""


class NearDuplicateIndex:
    """Every dialogue written so far, for near-duplicate lookups.

    Memory per dialogue: the LSH band keys plus one ``NUM_PERM`` x 4-byte signature
    (kept in one growing array, so there is no Python object per signature).

    :param threshold: Jaccard similarity above which a dialogue is a near-duplicate.
    :param num_perm: MinHash permutations.
    """

    def __init__(self, threshold: float = 0.5, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._permutations = MinHash(num_perm=num_perm).permutations
        self._ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._signatures = np.empty((1024, num_perm), dtype=np.uint32)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, dialogue_id: object) -> bool:
        return dialogue_id in self._positions

    def sketch(self, texts: Sequence[str]) -> MinHash:
        """The MinHash of a dialogue's shingles (its turns' texts)."""
        m = MinHash(num_perm=self.num_perm, permutations=self._permutations, scheme="affine32", hashfunc=int)
        hashes = shingle_hashes(texts)
        if len(hashes):
            m.update_batch(hashes.tolist())
        return m

    def find(self, texts: Sequence[str], sketch: MinHash | None = None) -> NearDuplicate | None:
        """The indexed dialogue most similar to ``texts`` above the threshold, or ``None``."""
        sketch = sketch if sketch is not None else self.sketch(texts)
        candidates = self._lsh.query(sketch)
        if not candidates:
            return None
        rows = self._signatures[[self._positions[c] for c in candidates]]
        similarity = (rows == sketch.hashvalues.astype(np.uint32)).mean(axis=1)
        best = int(np.argmax(similarity))
        if similarity[best] <= self.threshold:
            return None
        return NearDuplicate(candidates[best], round(float(similarity[best]), 4))

    def add(self, dialogue_id: str, texts: Sequence[str], sketch: MinHash | None = None) -> None:
        """Index a written dialogue (an id already indexed is left as it is)."""
        if dialogue_id in self._positions:
            return
        sketch = sketch if sketch is not None else self.sketch(texts)
        n = len(self._ids)
        if n == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.empty_like(self._signatures)])
        self._signatures[n] = sketch.hashvalues
        self._positions[dialogue_id] = n
        self._ids.append(dialogue_id)
        self._lsh.insert(dialogue_id, sketch, check_duplication=False)

    def check_and_add(self, dialogue_id: str, texts: Sequence[str]) -> NearDuplicate | None:
        """:meth:`find`, and :meth:`add` when the dialogue is no near-duplicate."""
        sketch = self.sketch(texts)
        found = self.find(texts, sketch)
        if found is None:
            self.add(dialogue_id, texts, sketch)
        return found

    @classmethod
    def from_records(cls, records: Iterable[dict], threshold: float = 0.5) -> "NearDuplicateIndex":
        """An index of dialogue records (dicts with ``id`` and ``turns``), in order."""
        index = cls(threshold)
        for data in records:
            if data.get("type") == "Dialogue":
                index.add(str(data["id"]), [str(t.get("text", "")) for t in data.get("turns") or ()])
        return index

    @classmethod
    def from_manifest(cls, path: Path, threshold: float = 0.5) -> "NearDuplicateIndex":
        """An index of every dialogue in dialogues.jsonl at ``path`` (empty when there is none)."""
        if not Path(path).exists():
            return cls(threshold)
        return cls.from_records((data for _, data in iter_jsonl(Path(path))), threshold)


def near_duplicate_reason(dialogue_id: str, found: NearDuplicate, threshold: float, tries: int) -> str:
    """The failures.jsonl reason of a dialogue that stayed a near-duplicate."""
    return (f"{REASON}: {dialogue_id} is {found.similarity:.2f} similar (word-trigram Jaccard) to "
            f"{found.similar_to}, above text.max_similarity {threshold} after {tries} seeds; "
            "raise text.max_similarity or add variety to the scenario")
