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
from text_dialogue.spoken import to_spoken

__all__ = [
    "normalize_text",
    "match_readings",
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
    "uhhuh": "uh-huh", "uh-hu": "uh-huh", "alright": "all right", "yea": "yeah", "ya": "yeah", "cannot": "can not",
    "yup": "yep",
    # homophones no listener (and no ASR) can tell apart
    "its": "it is", "their": "there",
    # contractions typed without the apostrophe (human-written text): as Whisper's rules expand them
    "thats": "that is", "whats": "what is", "dont": "do not", "didnt": "did not", "doesnt": "does not",
    "isnt": "is not", "cant": "can not", "im": "i am", "ive": "i have", "youre": "you are",
}
#: equivalence classes of backchannel sounds that ASR writes in several ways
_BACKCHANNEL_CLASS = {"mm": "mm-hmm", "hmm": "mm-hmm", "mmm": "mm-hmm", "huh": "uh-huh", "yep": "yeah", "yup": "yeah"}
_NUMBER_WORDS = frozenset(_ONES + _TENS[2:] + ["hundred", "thousand", "million", "billion", "point"])
_ORDINALS = {
    "first": "one", "second": "two", "third": "three", "fourth": "four", "fifth": "five", "sixth": "six",
    "seventh": "seven", "eighth": "eight", "ninth": "nine", "tenth": "ten", "eleventh": "eleven",
    "twelfth": "twelve", "thirteenth": "thirteen", "fourteenth": "fourteen", "fifteenth": "fifteen",
    "sixteenth": "sixteen", "seventeenth": "seventeen", "eighteenth": "eighteen", "nineteenth": "nineteen",
    "twentieth": "twenty", "thirtieth": "thirty",
}
#: words whose "'s" is "is" (or "us"): everything else with "'s" is a possessive or a plural
_IS_HOSTS = ("it that what there here he she who where how when why this let everything nothing something "
             "someone everyone everybody somebody nobody one").split()
_POSSESSIVE = re.compile(r"\b(?!(?:" + "|".join(_IS_HOSTS) + r")')([a-z0-9]+)'s\b")
_MONTH_NAMES = frozenset("january february march april may june july august september october november december".split())


def _canonical_words(words: list[str]) -> list[str]:
    """One spelling for spoken numbers, dates and times that people and ASR write several ways.

    "one hundred and five" -> "one hundred five"; "p m" -> "pm"; "seven oh five" and
    "point oh" -> "zero"; "march first" / "the first" -> "one"; "o'clock" is dropped.
    """
    out: list[str] = []
    for i, w in enumerate(words):
        prev = out[-1] if out else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "and" and prev in ("hundred", "thousand", "million") and nxt in _NUMBER_WORDS:
            continue
        if w in ("oclock", "o'clock") or (w == "clock" and prev == "o"):
            if w == "clock":
                out.pop()
            continue
        if w in ("p", "a") and nxt == "m" and prev in _NUMBER_WORDS:
            out.append(w + "m")
            continue
        if w == "m" and prev in ("pm", "am") and i and words[i - 1] in ("p", "a"):
            continue
        if w in ("oh", "o") and (prev == "point" or (prev in _NUMBER_WORDS and nxt in _ONES[:10])):
            out.append("zero")
            continue
        if w in _ORDINALS and (prev in _MONTH_NAMES or prev in ("the", "of") or prev in _TENS[2:]):
            out.append(_ORDINALS[w])
            continue
        out.append(w)
    return out


#: first words of a clock time read the short way ("seven thirty", "twelve oh five")
_HOURS = frozenset(_ONES[1:13])


#: spellings of a word that ends in a sibilant, after which "is" and a plural "-es" sound the same
_SIBILANT_ENDS = ("s", "x", "z", "ch", "sh", "ge", "ce", "se", "ze")


def match_readings(reference: list[str], hypothesis: list[str]) -> list[str]:
    """``hypothesis`` (normalized words) with the words it spells differently from
    ``reference`` for the same sound spelled the reference's way.

    * **Bare numbers.** An ASR writes digits ("730", "705"), and the normalizer must read
      them one way ("seven hundred thirty"); but a speaker who said "seven thirty" or "seven
      oh five" said the same digits. The reference is what the TTS was given, so its reading
      is the one in the audio: where the hypothesis has "H hundred X" for an hour H and the
      reference has "H X" (and never "H hundred"), "hundred" goes; where the reference has
      "H zero X", it becomes "zero". A different number ("630" for "five thirty") still counts.
    * **Compounds.** "fresh water" for "freshwater", "every day" for "everyday" (and the
      other way round) sound the same: two hypothesis words that make one reference word
      become that word, and one that splits into two adjacent reference words becomes them.
      So do "range is" and "ranges" (a word ending in a sibilant, then "is").
    """
    pairs = set(zip(reference, reference[1:]))
    triples = set(zip(reference, reference[1:], reference[2:]))
    ref_words = set(reference)
    joined = {a + b: (a, b) for a, b in pairs}
    # "range is" sounds as "ranges" after a sibilant ("the price range is" -> "the price ranges")
    joined.update({a + ("s" if a.endswith("e") else "es"): (a, "is") for a, b in pairs
                   if b == "is" and a.endswith(_SIBILANT_ENDS)})
    out: list[str] = []
    i = 0
    while i < len(hypothesis):
        w = hypothesis[i]
        nxt = hypothesis[i + 1] if i + 1 < len(hypothesis) else ""
        if w == "hundred" and out and out[-1] in _HOURS and nxt and (out[-1], "hundred") not in pairs:
            if (out[-1], nxt) in pairs and nxt in _TENS[2:]:
                i += 1
                continue
            if (out[-1], "zero", nxt) in triples:
                out.append("zero")
                i += 1
                continue
        if nxt and w + nxt in ref_words and w not in ref_words | _NUMBER_WORDS:
            out.append(w + nxt)  # "fresh water" -> "freshwater"
            i += 2
            continue
        if w not in ref_words and w in joined:
            out.extend(joined[w])  # "everyday" -> "every day"
            i += 1
            continue
        out.append(w)
        i += 1
    return out


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
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[<\[][^>\]]*[>\]]|\([^)\d]*\)", " ", text)  # [noise], (laughs) are not words
    # a number the ASR ran into the next word ("4,500-55Hoppy Ard Road"): two words. Two letters
    # stay joined: ordinals and times ("4th", "730pm") are the front end's to read
    text = re.sub(r"(?<=\d)(?=[A-Za-z]{3,})", " ", text)
    # written and spoken forms meet in the spoken form: the same front end the TTS text went through
    text = to_spoken(text).lower()
    # "'s" after a noun or name is a possessive or a plural, one spoken word ("Badgie's cafe",
    # "the restaurant's phone"); Whisper's rules would make it "badgie is", two words against
    # the one the audio holds. After a pronoun it stays the contraction of "is"
    text = _POSSESSIVE.sub(r"\1s", text)
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
    return _canonical_words([w for w in out if w])


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
