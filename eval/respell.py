"""What to change when a turn comes back wrong: the words the ASR missed, and a text that sets them apart.

A deterministic TTS engine (espeak; piper, whose noise the seed does not steer) says the same
thing again for the same text and rate, so the gate changes the input instead: a slower rate,
then the missed words set apart by commas (the TTS pauses around them, the ASR hears each on
its own), the words themselves unchanged so the reference stays what it was.
"""

from __future__ import annotations

from eval.normalize import normalize_text
from eval.wer import word_alignment

__all__ = ["missed_tokens", "isolate_words"]


def missed_tokens(reference: str, hypothesis: str) -> list[int]:
    """Indices of the whitespace tokens of ``reference`` the ASR deleted or got wrong."""
    tokens = reference.split()
    ref, owner = [], []
    for i, tok in enumerate(tokens):
        parts = normalize_text(tok).split()
        ref += parts
        owner += [i] * len(parts)
    # token by token on both sides, so the two meet in the same spelling ("p m", not "pm")
    hyp = [w for tok in hypothesis.split() for w in normalize_text(tok).split()]
    missed: set[int] = set()
    for kind, r0, r1, _, _ in word_alignment(ref, hyp):
        if kind in ("substitute", "delete"):
            missed.update(owner[r] for r in range(r0, r1))
    return sorted(missed)


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
