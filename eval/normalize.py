"""Text normalization before scoring: case, punctuation, numbers as digits or words.

Both reference and hypothesis pass through :func:`normalize_text`, so "7.15" and
"seven fifteen", "$42" and "forty two dollars", "Mm-hmm." and "mm hmm" compare equal.
"""

from __future__ import annotations

import re

__all__ = ["normalize_text", "number_to_words", "BACKCHANNEL_WORDS", "FILLER_WORDS"]

#: tokens scored apart from content words (after normalization)
BACKCHANNEL_WORDS = frozenset({"uh-huh", "uhhuh", "mm-hmm", "mmhmm", "mhm", "um-hum", "yeah", "right", "okay", "ok"})
FILLER_WORDS = frozenset({"um", "uh", "er", "ah", "hmm", "mm", "erm"})

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SPELLING = {"ok": "okay", "mhm": "mm-hmm", "mmhmm": "mm-hmm", "um-hum": "mm-hmm", "uhhuh": "uh-huh", "alright": "all right"}


def number_to_words(n: int) -> str:
    """Spell a non-negative integer below one million in English words."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " " + number_to_words(rest))
    rest = n % 1000
    return number_to_words(n // 1000) + " thousand" + ("" if rest == 0 else " " + number_to_words(rest))


def _spell_number(match: re.Match[str]) -> str:
    text = match.group(0).replace(",", "")
    if "." in text or ":" in text:
        whole, frac = re.split(r"[.:]", text, maxsplit=1)
        # "7.15" and "7:15" are read as times ("seven fifteen"), "7:05" as "seven oh five"
        spoken_frac = "oh " + _ONES[int(frac)] if len(frac) == 2 and frac.startswith("0") and frac != "00" else (
            number_to_words(int(frac)) if frac and frac != "00" else "")
        return f"{number_to_words(int(whole))} {spoken_frac}".strip()
    value = int(text)
    if 1100 <= value <= 2099 and value % 100 != 0 and len(text) == 4:
        # years such as 1999 and 2025 are read in pairs
        return f"{number_to_words(value // 100)} {number_to_words(value % 100)}"
    return number_to_words(value) if value < 1_000_000 else text


def normalize_text(text: str) -> str:
    """Lower-case, spell numbers, expand ``$``/``%``, strip punctuation but keep ``'`` and ``-`` in words."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\$(\d[\d,]*(?:\.\d+)?)", lambda m: m.group(1) + " dollars", text)
    text = re.sub(r"(\d)%", r"\1 percent", text)
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\d[\d,]*(?:[.:]\d+)?", _spell_number, text)
    text = re.sub(r"\b(a|p)\.m\.", r"\1m", text)
    text = re.sub(r"[^a-z0-9' \-]+", " ", text)
    text = re.sub(r"(?<![a-z])-|-(?![a-z])", " ", text)
    words = [_SPELLING.get(w.strip("'"), w.strip("'")) for w in text.split()]
    out: list[str] = []
    for w in words:
        # hyphenated compounds compare by parts ("twenty-one" == "twenty one"), except backchannels
        out.extend([w] if w in BACKCHANNEL_WORDS or "-" not in w else [p for p in w.split("-") if p])
    return " ".join(w for w in out if w)
