"""Misspellings of human-written text, corrected in the spoken form (what a person would say).

Human-written corpora (Schema-Guided Dialogue, chat logs) carry typos: "resturant",
"succeful", "restraunts". A person reading the turn aloud says "restaurant"; a TTS engine
reads the letters, and an ASR then writes the word it heard, so the typo shows up as a
transcript/audio mismatch. The written ``text`` keeps the typo (it is what the source
says); only the spoken form, which the TTS reads and the eval scores, is corrected.

A word is corrected only when all of these hold:

* it is a lower-case word of letters, at least :data:`MIN_LENGTH` long, that the word list
  does not know, that is not two common words run together ("alot") and not a known word
  plus "s" ("abouts") (names, capitalized words, numbers and words with digits are never touched);
* it is not a word of the dialogue's names or facts (anything written capitalized anywhere
  in the dialogue, and the words of its goal and the personas' private facts);
* there is one clear frequent correction: the most frequent candidate is a common word and at
  least :data:`CLEAR_RATIO` times as frequent as the next one.

Candidates are the listed words one edit away, common words with the same consonants and all
but one of the same vowels (vowels misplaced: "restraunt" -> "restaurant"), and, only when those
give none, listed words two edits away that are not shorter ("succeful" -> "successful"). A
missing apostrophe ("thats", "dont") is restored first. "Listed" words are those at least a
third as frequent as a common word: a rarer one can neither be the correction nor keep a
common one from being clear, so a worker keeps only their counts (and the hashes of every word
for the "is it known?" test).

The word list and its frequencies come from ``pyspellchecker`` (MIT; its English list is built
from OpenSubtitles). Without it the spoken form is made without corrections and
:func:`spelling_info` records ``None`` for its version in meta.json.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import numpy as np

from corpus_core.errors import MissingDependency

__all__ = ["TypoCorrector", "Fix", "default_corrector", "spelling_info", "protected_words",
           "MIN_LENGTH", "CLEAR_RATIO", "MIN_FREQUENCY"]

log = logging.getLogger(__name__)

#: shorter words are left alone (too many real words one edit away: "wich" is "with" or "which");
#: a word one shorter may still get its missing apostrophe ("dont")
MIN_LENGTH = 5
#: the best candidate must be this many times as frequent as the next one
CLEAR_RATIO = 3.0
#: the correction must be a common word: at least this share of the word list's running words
MIN_FREQUENCY = 1e-6
_WORD = re.compile(r"(?<![\w'’\-])([a-z]+)(?![\w'’\-])")
_VOWELS = re.compile(r"[aeiouy]")
_CAPITALIZED = re.compile(r"\b[A-Z][\w'’\-]*")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _vowels(word: str) -> str:
    return "".join(_VOWELS.findall(word[1:]))


def _skeleton(word: str) -> str:
    """First letter and the consonants after it: "restraunt" -> "rstrnt"."""
    return word[:1] + _VOWELS.sub("", word[1:])


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
            | {a + c + b for a, b in splits for c in _LETTERS})


@dataclass(frozen=True)
class Fix:
    """One correction made: ``word`` was spoken as ``correction``."""

    word: str
    correction: str


class TypoCorrector:
    """Corrects lower-case misspellings against a word list with frequencies."""

    def __init__(self, counts: dict[str, int], total: int | None = None) -> None:
        """:param counts: word -> occurrences in the list's source text (not kept: a worker holds
            the hashes of all words, ~1 MB, and the counts of the words common enough to matter)."""
        self._total = total or sum(counts.values())
        floor = MIN_FREQUENCY * self._total
        #: every known word, as sorted 64-bit hashes ("is this word in the list?")
        self._known_hashes = np.sort(np.fromiter((hash(w) for w in counts), dtype=np.int64, count=len(counts)))
        # a rarer word can neither win (it is not common) nor stop a common one from being clear
        self._counts = {w: n for w, n in counts.items() if n * CLEAR_RATIO >= floor}
        self._by_skeleton: dict[str, list[str]] = defaultdict(list)
        for word, n in self._counts.items():
            if n >= floor and word.isalpha():
                self._by_skeleton[_skeleton(word)].append(word)

    def known(self, word: str) -> bool:
        """Whether the word list has ``word``."""
        h = hash(word)
        i = int(np.searchsorted(self._known_hashes, h))
        return i < len(self._known_hashes) and int(self._known_hashes[i]) == h

    def _listed(self, words: Iterable[str]) -> set[str]:
        """The words of ``words`` whose counts are kept (common enough to be a candidate)."""
        return {w for w in words if w in self._counts}

    def _candidates(self, word: str) -> set[str]:
        near = self._listed(_edits1(word))
        vowels = Counter(_vowels(word))
        same_sound = {w for w in self._by_skeleton.get(_skeleton(word), ())
                      if sum(((Counter(_vowels(w)) - vowels) + (vowels - Counter(_vowels(w)))).values()) <= 1}
        found = near | same_sound
        if not found:
            # two edits only as a last resort, and never to a shorter word (a typo drops or
            # swaps letters; "pleasanton" is not "pleasant" cut short)
            found = {w for w in self._listed(e2 for e1 in _edits1(word) for e2 in _edits1(e1)) if len(w) >= len(word)}
        return found

    def _common(self, word: str) -> bool:
        return self._counts.get(word, 0) >= MIN_FREQUENCY * self._total

    def correction(self, word: str) -> str | None:
        """The one clear correction of lower-case ``word``, or ``None`` (known, short, unclear)."""
        if len(word) < MIN_LENGTH - 1 or not word.isalpha() or not word.islower() or self.known(word):
            return None
        apostrophe = self._listed(word[:i] + "'" + word[i:] for i in range(1, len(word)))
        if len(apostrophe) == 1:
            return apostrophe.pop()
        if len(word) < MIN_LENGTH or any(self._common(word[:i]) and self._common(word[i:]) for i in range(1, len(word))):
            return None  # short, or two words run together ("alot"): no single clear correction
        if word.endswith("s") and self.known(word[:-1]):
            return None  # an inflection the list lacks ("where abouts"), not a typo
        ranked = sorted(self._candidates(word), key=lambda w: -self._counts[w])
        if not ranked or not self._common(ranked[0]):
            return None
        if len(ranked) > 1 and self._counts[ranked[0]] < CLEAR_RATIO * self._counts[ranked[1]]:
            return None
        return ranked[0]

    def correct(self, spoken: str, protected: frozenset[str] = frozenset()) -> tuple[str, list[Fix]]:
        """``spoken`` with its misspelled lower-case words corrected, and the fixes made.

        :param protected: lower-case words never corrected (the dialogue's names and facts).
        """
        fixes: list[Fix] = []

        def fix(m: re.Match[str]) -> str:
            word = m.group(1)
            better = None if word in protected else self._cached(word)
            if better is None:
                return word
            fixes.append(Fix(word, better))
            return better

        return _WORD.sub(fix, spoken), fixes

    @lru_cache(maxsize=4096)
    def _cached(self, word: str) -> str | None:
        return self.correction(word)


def protected_words(texts: Iterable[str], facts: Iterable[str] = ()) -> frozenset[str]:
    """Words never corrected: the lower-case form of every word written capitalized in
    ``texts`` (names), and every word of ``facts`` (the scenario's values)."""
    out: set[str] = set()
    for text in texts:
        out.update(w.lower().strip("'’-") for w in _CAPITALIZED.findall(text))
    for fact in facts:
        out.update(m.group(1) for m in _WORD.finditer(fact.lower()))
    return frozenset(out)


@lru_cache(maxsize=1)
def default_corrector() -> TypoCorrector | None:
    """The corrector over pyspellchecker's English list, or ``None`` when it is not installed."""
    try:
        from spellchecker import SpellChecker
    except ImportError:
        missing = MissingDependency("pyspellchecker", extra="spelling", why="correcting typos in the spoken form")
        log.warning("%s; until then misspellings of the text are spoken as written", missing)
        return None
    frequency = SpellChecker(language="en", distance=1).word_frequency
    return TypoCorrector(frequency.dictionary, frequency.total_words)


def spelling_info() -> dict[str, str | None]:
    """The word list's library and version, for meta.json (``None`` when it is missing)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"pyspellchecker": version("pyspellchecker")}
    except PackageNotFoundError:
        return {"pyspellchecker": None}
