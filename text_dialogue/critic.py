"""The critic: rejects degenerate turns (to be regenerated) and too-short dialogues.

Each check returns a short reason string, or ``None`` when the turn passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CriticConfig", "clean_turn_text", "check_turn", "check_dialogue_length"]

_SPEAKER_LABEL = re.compile(r"(^|\s)[A-Z][a-zA-Z]{0,20}\s?:")
_NON_SPEECH = re.compile(r"\([^)]*\)|\[[^\]]*\]|\*[^*]*\*|<[^>]*>")
_WORD = re.compile(r"[A-Za-z']+")


@dataclass(frozen=True)
class CriticConfig:
    """Thresholds of the critic."""

    min_words: int = 2
    max_words: int = 40
    #: share of a turn's word 3-grams already seen in one earlier turn that marks a repeat
    max_ngram_overlap: float = 0.6
    #: share of characters that must be plain ASCII letters/punctuation (another language otherwise)
    min_ascii_share: float = 0.95
    min_dialogue_turns: int = 4


def clean_turn_text(raw: str) -> str:
    """Strip stage directions, quotes, markup and extra spaces from a model's turn."""
    text = _NON_SPEECH.sub(" ", raw)
    text = text.replace('"', "").replace("“", "").replace("”", "")
    text = re.sub(r"\s+", " ", text).strip(" -")
    return text


def _ngrams(words: list[str], n: int = 3) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def check_turn(text: str, history: list[str], config: CriticConfig = CriticConfig()) -> str | None:
    """Why ``text`` is not a usable spoken turn after ``history``, or ``None``."""
    words = _words(text)
    if len(words) < config.min_words:
        return "empty"
    if len(words) > config.max_words:
        return "overlong"
    if _SPEAKER_LABEL.search(text):
        return "speaker_label"
    letters = [c for c in text if not c.isspace()]
    ascii_share = sum(c.isascii() for c in letters) / max(1, len(letters))
    if ascii_share < config.min_ascii_share:
        return "other_language"
    grams = _ngrams(words)
    for earlier in history:
        if grams and len(grams & _ngrams(_words(earlier))) / len(grams) >= config.max_ngram_overlap:
            return "repeat"
        if _words(earlier) == words:
            return "repeat"
    return None


def check_dialogue_length(num_turns: int, config: CriticConfig = CriticConfig()) -> str | None:
    """``"too_short"`` when a finished dialogue has fewer turns than allowed."""
    return "too_short" if num_turns < config.min_dialogue_turns else None
