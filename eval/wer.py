"""Word and character error rates (Levenshtein alignment), after normalization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from eval.normalize import canonical_backchannel, normalize_text

__all__ = ["ErrorCounts", "edit_distance", "word_errors", "char_errors"]


@dataclass(frozen=True)
class ErrorCounts:
    """Errors against a reference of ``ref_len`` units; ``rate`` is errors / ref_len."""

    errors: int
    ref_len: int

    @property
    def rate(self) -> float:
        if self.ref_len == 0:
            return 0.0 if self.errors == 0 else 1.0
        return self.errors / self.ref_len


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Substitutions + deletions + insertions turning ``ref`` into ``hyp``."""
    if not ref:
        return len(hyp)
    prev = np.arange(len(hyp) + 1)
    for i, r in enumerate(ref, start=1):
        cur = np.empty_like(prev)
        cur[0] = i
        subs = prev[:-1] + np.array([r != h for h in hyp], dtype=int)
        for j in range(1, len(hyp) + 1):
            cur[j] = min(subs[j - 1], prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return int(prev[-1])


def word_errors(reference: str, hypothesis: str, backchannel: bool = False) -> ErrorCounts:
    """Word errors after :func:`normalize_text` on both sides.

    :param backchannel: score a backchannel: compare :func:`canonical_backchannel` forms,
        so "Mm-hmm." against "Hmm." is no error and fillers are not dropped.
    """
    norm = canonical_backchannel if backchannel else normalize_text
    ref, hyp = norm(reference).split(), norm(hypothesis).split()
    return ErrorCounts(edit_distance(ref, hyp), len(ref))


def char_errors(reference: str, hypothesis: str) -> ErrorCounts:
    """Character errors (spaces ignored) after normalization."""
    ref = list(normalize_text(reference).replace(" ", ""))
    hyp = list(normalize_text(hypothesis).replace(" ", ""))
    return ErrorCounts(edit_distance(ref, hyp), len(ref))
