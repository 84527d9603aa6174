"""What to change when a turn comes back wrong: the words the ASR missed, and a text that sets them apart.

A deterministic TTS engine (espeak; piper, whose noise the seed does not steer) says the same
thing again for the same text and rate, so the gate changes the input instead: a slower rate,
then the missed words set apart by commas (the TTS pauses around them, the ASR hears each on
its own), the words themselves unchanged so the reference stays what it was.

A name the engine's phonemizer reads wrongly ("Milpitas" as mil-PIE-tas) stays wrong however
slowly it is said, so the gate also tries :func:`respellings` of a missed name: the same name
spelled as it sounds ("Milpeetas"), given to the engine only; the transcript keeps the name.
"""

from __future__ import annotations

import re
from typing import Iterable

from eval.normalize import match_readings, normalize_text
from eval.wer import word_alignment

__all__ = ["missed_tokens", "isolate_words", "name_words", "missed_names", "respellings"]

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


#: grapheme rewrites from phonics: each spells a sound the way English spelling reads it
#: ("ae" in Millbrae as "ay", the Spanish "j" of Jose as "h"), so a name stays a reading a
#: person could give it, not a different word
_RESPELL_RULES: tuple[tuple[str, str], ...] = (
    (r"(?<=[^aeiou])i(?=[^aeiouy][aeiou](?!$))", "ee"),  # Milpitas -> Milpeetas (not Mike -> Meeke)
    (r"ae|ei(?!gh)", "ay"),  # Millbrae -> Millbray
    (r"ie(?!$)", "ee"),
    (r"c(?=[aou])|ch(?=[rl])", "k"),  # Calistoga -> Kalistoga, Christo -> Kristo
    (r"^j", "h"),  # Jose -> Hose
    # a short name with one vowel before its last consonant: Jose -> Josay (not Burlingamay,
    # not Maude -> Mauday: after a vowel pair the final e is silent)
    (r"^(?=\w{2,4}e$)(\w*(?<![aeiou])[aeiou][^aeiou])e$", r"\1ay"),
    (r"ph", "f"),
    (r"ou", "oo"),
    (r"au", "aw"),
    (r"qu", "kw"),
    (r"(?<=[^aeiou])y$", "ee"),
    (r"a$", "ah"),
)
#: a token: punctuation around a core of letters (a possessive "'s" stays outside the core)
_CORE = re.compile(r"^(\W*)([A-Za-z]+)((?:['’]s)?\W*)$")


def _syllables(word: str) -> str:
    """``word`` with a hyphen before each syllable after the first ("Anjappar" -> "An-jap-par"):
    between two consonants, or before a consonant between vowels."""
    out = re.sub(r"(?<=[aeiouy])([^aeiouy\-])(?=[aeiouy])", r"-\1", word, flags=re.I)
    return re.sub(r"(?<=[aeiouy])([^aeiouy\-])(?=[^aeiouy\-][aeiouy])", r"\1-", out, flags=re.I)


def respellings(token: str, limit: int = 6) -> list[str]:
    """Other spellings of the name ``token`` that an engine reading by spelling says otherwise.

    One phonics rewrite at a time, then all of them together, then the syllables split by
    hyphens; punctuation around the token and the capital stay. At most ``limit``, none equal
    to ``token``.

    >>> respellings("Milpitas,")
    ['Milpeetas,', 'Mil-pi-tas,']
    >>> respellings("Millbrae")[0]
    'Millbray'
    """
    m = _CORE.match(token)
    if not m or len(m.group(2)) < 3:
        return []
    head, core, tail = m.groups()
    low = core.lower()
    found: list[str] = []
    everything = low
    for pattern, repl in _RESPELL_RULES:
        new = re.sub(pattern, repl, low)
        everything = re.sub(pattern, repl, everything)
        if new != low and new not in found:
            found.append(new)
    for extra in (everything, _syllables(low)):
        if extra != low and extra not in found:
            found.append(extra)
    restore = (lambda w: w[:1].upper() + w[1:]) if core[:1].isupper() else (lambda w: w)
    return [head + restore(w) + tail for w in found[:limit]]
