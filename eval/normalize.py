"""Text normalization before scoring: Whisper-style English, numbers both ways, fillers apart.

Both reference and hypothesis pass through :func:`normalize_text`, so "7.15" and
"seven fifteen", "$42" and "forty-two dollars", "colour" and "color", "can't" and
"can not" compare equal. Numbers meet in words (digits are spelled out), the reverse
of Whisper's normalizer, because a spoken reference is words.

Whisper's ``EnglishTextNormalizer`` deletes ``hmm|mm|mhm|mmm|uh|um`` and turns
"uh-huh" into "huh", which would make every backchannel an empty reference. Here
fillers are removed from content words only (:data:`FILLER_WORDS`), backchannel forms
are kept in a canonical spelling, and :func:`canonical_backchannel` scores them apart.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from corpus_core.errors import MissingDependency

__all__ = [
    "normalize_text",
    "number_to_words",
    "canonical_backchannel",
    "split_fillers",
    "BACKCHANNEL_WORDS",
    "FILLER_WORDS",
]

#: backchannel forms kept (in canonical spelling) by normalization
BACKCHANNEL_WORDS = frozenset({"uh-huh", "mm-hmm", "yeah", "right", "okay", "yes", "sure", "oh", "wow", "really"})
#: hesitation sounds dropped from content words (Whisper drops these too)
FILLER_WORDS = frozenset({"um", "uh", "er", "ah", "hmm", "mm", "mmm", "erm", "eh"})

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
#: spelling variants -> one form (applied per token after punctuation is gone)
_SPELLING = {
    "ok": "okay", "mhm": "mm-hmm", "mmhmm": "mm-hmm", "mm-hm": "mm-hmm", "um-hum": "mm-hmm", "m-hm": "mm-hmm",
    "uhhuh": "uh-huh", "uh-hu": "uh-huh", "alright": "all right", "yea": "yeah", "cannot": "can not",
}
#: equivalence classes of backchannel sounds that ASR writes in several ways
_BACKCHANNEL_CLASS = {"mm": "mm-hmm", "hmm": "mm-hmm", "mmm": "mm-hmm", "huh": "uh-huh", "yep": "yeah", "yup": "yeah"}


def number_to_words(n: int) -> str:
    """Spell a non-negative integer below one million in English words.

    >>> number_to_words(1042)
    'one thousand forty two'
    """
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
        if "." in text and len(frac) != 2:
            # "2.5" is a decimal ("two point five"); two digits after a point read as a time or price
            return f"{number_to_words(int(whole))} point {' '.join(_ONES[int(d)] for d in frac)}"
        # "7.15" and "7:15" are read as times ("seven fifteen"), "7:05" as "seven oh five"
        if frac == "00":
            spoken = ""
        elif frac.startswith("0"):
            spoken = "oh " + _ONES[int(frac)]
        else:
            spoken = number_to_words(int(frac))
        return f"{number_to_words(int(whole))} {spoken}".strip()
    value = int(text)
    if 1100 <= value <= 2099 and value % 100 != 0 and len(text) == 4:
        # years such as 1999 and 2025 are read in pairs
        return f"{number_to_words(value // 100)} {number_to_words(value % 100)}"
    return number_to_words(value) if value < 1_000_000 else " ".join(_ONES[int(d)] for d in text)


def _money(match: re.Match[str]) -> str:
    dollars, cents = match.group(1).replace(",", ""), match.group(2)
    if cents and cents != "00":
        # "$4.50" is read "four fifty" most often; the unit follows the whole amount
        return f"{dollars}.{cents} dollars"
    return f"{dollars} dollars"


@lru_cache(maxsize=1)
def _whisper_parts() -> tuple[dict[str, str], Callable[[str], str] | None]:
    """Whisper's contraction rules and British->American map (from whisper-normalizer)."""
    try:
        from whisper_normalizer.english import (
            EnglishSpellingNormalizer,
            EnglishTextNormalizer,
        )
    except ImportError:
        # normalizing without it would change every WER silently
        raise MissingDependency("whisper-normalizer", extra="eval", why="Whisper-style text normalization") from None
    return dict(EnglishTextNormalizer().replacers), EnglishSpellingNormalizer()


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[<\[][^>\]]*[>\]]|\([^)]*\)", " ", text)  # [noise], (laughs) are not words
    text = re.sub(r"\$(\d[\d,]*)(?:\.(\d\d))?\b", _money, text)
    text = re.sub(r"(\d)\s?%", r"\1 percent", text)
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"\b(a|p)\.\s?m\b\.?", r"\1m", text)
    text = re.sub(r"\d[\d,]*(?:[.:]\d+)?", _spell_number, text)
    replacers, spelling = _whisper_parts()
    for pattern, replacement in replacers.items():
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"[^a-z0-9' \-]+", " ", text)
    text = re.sub(r"(?<![a-z])-|-(?![a-z])", " ", text)
    if spelling is not None:
        text = spelling(text)
    out: list[str] = []
    for raw in text.split():
        w = _SPELLING.get(raw.strip("'"), raw.strip("'"))
        if " " in w:
            out.extend(w.split())
            continue
        # hyphenated compounds compare by parts ("twenty-one" == "twenty one"), except backchannels
        out.extend([w] if w in BACKCHANNEL_WORDS or "-" not in w else [p for p in w.split("-") if p])
    return [w for w in out if w]


def split_fillers(words: list[str]) -> tuple[list[str], list[str]]:
    """``(content words, filler words)`` of normalized tokens."""
    return [w for w in words if w not in FILLER_WORDS], [w for w in words if w in FILLER_WORDS]


def normalize_text(text: str, keep_fillers: bool = False) -> str:
    """Whisper-style normalization with numbers in words and backchannels kept.

    :param keep_fillers: keep hesitation sounds ("um", "uh") instead of dropping them.

    >>> normalize_text("It's 7:15, colour me $42!")
    'it is seven fifteen color me forty two dollars'
    """
    words = _tokens(text)
    return " ".join(words if keep_fillers else split_fillers(words)[0])


def canonical_backchannel(text: str) -> str:
    """One spelling per backchannel ("Mm-hmm." / "mhm" / "Hmm." -> "mm-hmm"); "" for none."""
    words = [_BACKCHANNEL_CLASS.get(w, w) for w in _tokens(text)]
    return " ".join(words)
