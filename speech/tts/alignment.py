"""Word times from phoneme alignments (piper gives samples per phoneme).

Phonemes are grouped into words at word-boundary phonemes (space, sentence start/end,
punctuation). The groups are matched to the words of the text only when their counts
agree; otherwise (numbers read out as several words, merged words) ``None`` is returned
and word times come from ASR in the eval stage.
"""

from __future__ import annotations

import re
import string
from typing import Callable, Iterable, Sequence

from speech.records import Word

__all__ = ["text_words", "words_from_phoneme_alignments"]

#: phonemes that separate words: space, piper's BOS/EOS/PAD markers
_BOUNDARIES = {" ", "^", "$", "_"}
#: stress and length marks: part of a word, not counted as phonemes
_MARKS = {"ˈ", "ˌ", "ː"}
#: a match is rejected when phoneme counts differ by more than this share of the text's phonemes
_MAX_MISMATCH = 0.3
_STRIP = string.punctuation + "\u201c\u201d\u2018\u2019\u2026"


def text_words(text: str) -> list[str]:
    """The words of ``text``: whitespace tokens without surrounding punctuation.

    >>> text_words('Well -- "yes", I think so.')
    ['Well', 'yes', 'I', 'think', 'so']
    """
    return [tok for tok in (t.strip(_STRIP) for t in re.findall(r"\S+", text)) if tok]


def _is_boundary(phoneme: str) -> bool:
    return phoneme in _BOUNDARIES or (phoneme not in _MARKS and not any(ch.isalpha() for ch in phoneme))


def _spans(chunks: Iterable[tuple[int, Sequence[tuple[str, int]]]]) -> list[tuple[int, int, int]]:
    """``(start sample, end sample, number of phonemes)`` of each phoneme word."""
    spans: list[tuple[int, int, int]] = []
    for offset, alignments in chunks:
        pos, current = offset, None
        for phoneme, num_samples in alignments:
            end = pos + int(num_samples)
            if _is_boundary(phoneme):
                if current is not None:
                    spans.append(current)
                    current = None
            elif phoneme not in _MARKS:
                current = (pos, end, 1) if current is None else (current[0], end, current[2] + 1)
            elif current is not None:
                current = (current[0], end, current[2])
            pos = end
        if current is not None:
            spans.append(current)
    return spans


def _phoneme_count(phonemes: Sequence[str]) -> int:
    return sum(1 for p in phonemes if not _is_boundary(p) and p not in _MARKS)


def _align(spans: list[tuple[int, int, int]], sizes: list[int]) -> list[tuple[int, int]] | None:
    """Match phoneme words to text words, allowing 1:n merges and n:1 splits (n <= 4).

    Dynamic programming on phoneme counts; ``None`` when the best match is poor.
    """
    m, n = len(spans), len(sizes)
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(m + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    cost[0][0] = 0.0
    for i in range(m + 1):
        for j in range(n + 1):
            if cost[i][j] == inf:
                continue
            steps = [(1, b) for b in range(1, 5)] + [(a, 1) for a in range(2, 5)]
            for a, b in steps:
                if i + a > m or j + b > n:
                    continue
                got = sum(sp[2] for sp in spans[i : i + a])
                want = sum(sizes[j : j + b])
                c = cost[i][j] + abs(got - want) + 0.5 * (a + b - 2)
                if c < cost[i + a][j + b]:
                    cost[i + a][j + b], back[i + a][j + b] = c, (a, b)
    total = sum(sizes)
    if cost[m][n] == inf or cost[m][n] > _MAX_MISMATCH * total:
        return None
    out: list[tuple[int, int]] = []
    i, j = m, n
    while i or j:
        a, b = back[i][j]  # type: ignore[misc]
        start, end = spans[i - a][0], spans[i - 1][1]
        part = sizes[j - b : j]
        # several words in one phoneme word: split its span by their phoneme counts
        bounds = [start + (end - start) * sum(part[:k]) / max(sum(part), 1) for k in range(b + 1)]
        out[:0] = [(int(bounds[k]), int(bounds[k + 1])) for k in range(b)]
        i, j = i - a, j - b
    return out


def words_from_phoneme_alignments(
    text: str, chunks: Iterable[tuple[int, Sequence[tuple[str, int]]]], sampling_rate: int,
    phonemize: Callable[[str], Sequence[str]] | None = None,
) -> tuple[Word, ...] | None:
    """Word times for ``text`` from per-chunk phoneme alignments.

    :param chunks: ``(first sample of the chunk in the audio, [(phoneme, num_samples), ...])``
        for each chunk (sentence) the engine produced.
    :param phonemize: the engine's phonemizer for one word; with it, words the engine
        merged ("I am" -> one phoneme word) or split (numbers) are matched too.
    :return: one :class:`Word` per word of ``text``, or ``None`` when no good match exists.
    """
    spans = _spans(chunks)
    words = text_words(text)
    if not words or not spans:
        return None
    pairs: list[tuple[int, int]] | None
    if phonemize is not None:
        # Always align, even when the counts agree: a merge and a split can cancel out.
        pairs = _align(spans, [max(1, _phoneme_count(phonemize(w))) for w in words])
    elif len(words) == len(spans):
        pairs = [(s, e) for s, e, _ in spans]
    else:
        return None
    if pairs is None:
        return None
    return tuple(Word(w, round(s / sampling_rate, 3), round(e / sampling_rate, 3)) for w, (s, e) in zip(words, pairs))
