"""Word and character error rates after normalization, counted by jiwer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from corpus_core.errors import MissingDependency
from eval.normalize import canonical_backchannel, match_readings, normalize_text

__all__ = ["ErrorCounts", "edit_distance", "word_errors", "char_errors", "word_alignment"]


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


def _jiwer():  # type: ignore[no-untyped-def]
    try:
        import jiwer
    except ImportError:
        raise MissingDependency("jiwer", extra="eval", why="word error rates") from None
    return jiwer


def word_alignment(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """jiwer's alignment chunks ``(type, ref_start, ref_end, hyp_start, hyp_end)`` of two token lists.

    ``type`` is "equal", "substitute", "delete" or "insert"; ends are exclusive.
    """
    if not ref or not hyp:
        out = []
        if ref:
            out.append(("delete", 0, len(ref), 0, 0))
        if hyp:
            out.append(("insert", 0, 0, 0, len(hyp)))
        return out
    result = _jiwer().process_words(" ".join(ref), " ".join(hyp))
    return [(c.type, c.ref_start_idx, c.ref_end_idx, c.hyp_start_idx, c.hyp_end_idx)
            for c in result.alignments[0]]


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Substitutions + deletions + insertions turning ``ref`` into ``hyp`` (tokens without spaces)."""
    if not ref or not hyp:
        return max(len(ref), len(hyp))
    out = _jiwer().process_words(" ".join(ref), " ".join(hyp))
    return int(out.substitutions + out.deletions + out.insertions)


def word_errors(reference: str, hypothesis: str, backchannel: bool = False) -> ErrorCounts:
    """Word errors after :func:`normalize_text` on both sides.

    :param backchannel: score a backchannel: compare :func:`canonical_backchannel` forms,
        so "Mm-hmm." against "Hmm." is no error and fillers are not dropped.
    """
    norm = canonical_backchannel if backchannel else normalize_text
    ref, hyp = norm(reference).split(), norm(hypothesis).split()
    return ErrorCounts(edit_distance(ref, match_readings(ref, hyp)), len(ref))


def char_errors(reference: str, hypothesis: str) -> ErrorCounts:
    """Character errors (spaces ignored) after normalization."""
    ref_words = normalize_text(reference).split()
    ref = "".join(ref_words)
    hyp = "".join(match_readings(ref_words, normalize_text(hypothesis).split()))
    if not ref or not hyp:
        return ErrorCounts(max(len(ref), len(hyp)), len(ref))
    out = _jiwer().process_characters(ref, hyp)
    return ErrorCounts(int(out.substitutions + out.deletions + out.insertions), len(ref))
