"""What to change when a turn comes back wrong: the words the ASR missed, and a text that sets them apart.

A deterministic TTS engine (espeak; piper, whose noise the seed does not steer) says the same
thing again for the same text and rate, so the gate changes the input instead: a slower rate,
then the missed words set apart by commas (the TTS pauses around them, the ASR hears each on
its own), the words themselves unchanged so the reference stays what it was.
"""

from __future__ import annotations

from typing import Iterable

from eval.normalize import match_readings, normalize_text
from eval.wer import word_alignment

__all__ = ["missed_tokens", "isolate_words", "name_words", "missed_names"]

#: a token that ends a sentence: the next capital starts a sentence, it does not mark a name
_SENTENCE_END = (".", "?", "!")


def missed_tokens(reference: str, hypothesis: str) -> list[int]:
    """Indices of the whitespace tokens of ``reference`` the ASR deleted or got wrong."""
    tokens = reference.split()
    ref, owner = [], []
    for i, tok in enumerate(tokens):
        parts = normalize_text(tok).split()
        ref += parts
        owner += [i] * len(parts)
    # token by token on both sides, so the two meet in the same spelling ("p m", not "pm");
    # then read as the scoring reads it (:func:`eval.normalize.match_readings`): "Matsusushi"
    # for "Matsu Sushi" is no miss, as it is no error
    hyp = match_readings(ref, [w for tok in hypothesis.split() for w in normalize_text(tok).split()])
    missed: set[int] = set()
    for kind, r0, r1, _, _ in word_alignment(ref, hyp):
        if kind in ("substitute", "delete"):
            missed.update(owner[r] for r in range(r0, r1))
    return sorted(missed)


def name_words(texts: Iterable[str]) -> set[str]:
    """Normalized words that ``texts`` write with a capital inside a sentence: names of places,
    restaurants, people, days ("Aappakadai", "Pleasanton", "Grand Harbor", "Wednesday").

    A word counts once it is seen capitalized mid-sentence anywhere in ``texts``, so the name
    that opens a sentence in another turn counts too. "I" and spelled letters ("P M", "K")
    are not names: a name token has a lower-case letter after its capital.
    """
    out: set[str] = set()
    for text in texts:
        tokens = text.split()
        for i, tok in enumerate(tokens):
            word = tok.strip("\"'([{")
            starts_sentence = i == 0 or tokens[i - 1].rstrip("\"')]}").endswith(_SENTENCE_END)
            if (not starts_sentence and word[:1].isupper() and any(c.islower() for c in word[1:])
                    and not word.startswith(("I'", "I’"))):
                out.update(normalize_text(word).split())
    return out


def missed_names(reference: str, hypothesis: str, names: set[str]) -> list[int]:
    """Indices of the whitespace tokens of ``reference`` that are names (see :func:`name_words`)
    and that the ASR deleted or got wrong."""
    tokens = reference.split()
    return [i for i in missed_tokens(reference, hypothesis) if set(normalize_text(tokens[i]).split()) & names]


def isolate_words(text: str, indices: list[int]) -> str:
    """``text`` with a comma before and after each listed token, so the TTS pauses around it.

    >>> isolate_words("a table at Aappakadai in Pleasanton", [3])
    'a table at, Aappakadai, in Pleasanton'
    """
    tokens = text.split()
    want = set(indices)
    out = []
    for i, tok in enumerate(tokens):
        if i + 1 in want and not tok.endswith((",", ".", "?", "!", ";", ":")):
            tok += ","
        if i in want and i + 1 < len(tokens) and not tok.endswith((",", ".", "?", "!", ";", ":")):
            tok += ","
        out.append(tok)
    return " ".join(out)
