"""The text front end: what a person says for a written turn.

Written task-oriented text is full of forms a TTS engine reads badly or ambiguously:
"1:30 pm", "$45", "4.0", "925-288-0999", "March 1st", "&", "SF", "Dr. Smith". The
spoken form spells them out ("one thirty P M", "forty-five dollars", "four point
zero", "nine two five two eight eight ...") so that the TTS reads what the
transcript says, and the transcript (exports, text streams, eval reference) says
what the audio holds. Numbers are spelled by ``num2words``; the rules here only find
them and decide how they are read (time, money, phone number, year, ordinal, decimal).

The eval normalizer applies the same front end to the ASR text, so a reference and a
hypothesis that say the same words in written or spoken form meet in one spelling.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Callable

from corpus_core.errors import MissingDependency
from text_dialogue.records import Dialogue, Turn
from text_dialogue.spoken_spelling import (
    TypoCorrector,
    default_corrector,
    protected_words,
    spelling_info,
)

__all__ = ["to_spoken", "with_spoken", "spoken_form", "spell_number", "spell_digits", "spoken_form_info",
           "ABBREVIATIONS"]

#: abbreviations and symbols spelled out (matched as whole tokens, case-sensitive)
ABBREVIATIONS: dict[str, str] = {
    "SF": "San Francisco", "NYC": "New York City", "LA": "L A", "DC": "D C", "USA": "U S A",
    "Ave.": "Avenue", "Ave": "Avenue", "Blvd.": "Boulevard", "Blvd": "Boulevard", "Rd.": "Road",
    "Hwy": "Highway", "Hwy.": "Highway", "Ln.": "Lane", "Apt.": "Apartment", "Ste.": "Suite",
    "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Dr.": "Doctor", "Prof.": "Professor",
    "Jr.": "Junior", "Sr.": "Senior", "vs.": "versus", "etc.": "et cetera", "e.g.": "for example",
    "i.e.": "that is", "approx.": "approximately", "min.": "minutes", "hrs": "hours", "hr": "hour",
    "&": "and", "@": "at", "+": "plus", "=": "equals", "w/": "with", "u": "you", "ur": "your",
}
_MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "jun": "June", "jul": "July",
    "aug": "August", "sep": "September", "sept": "September", "oct": "October", "nov": "November",
    "dec": "December",
}
#: words after a number that make "4.15" a quantity, not a time
_UNITS = r"stars?|percent|miles?|km|kilometers?|kg|pounds?|points?|hours?|minutes?|ratings?|out\b"
_DIGIT_NAMES = "zero one two three four five six seven eight nine".split()


@lru_cache(maxsize=1)
def _num2words() -> Callable[..., str]:
    try:
        from num2words import num2words
    except ImportError:
        raise MissingDependency("num2words", why="spelling numbers in the spoken form") from None
    return num2words


def spoken_form_info() -> dict[str, str | None]:
    """The libraries behind the spoken form and sentence boundaries, with versions, for meta.json."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in ("num2words", "pysbd"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return {**out, **spelling_info()}


def spell_number(digits: str, ordinal: bool = False) -> str:
    """Read a digit string as a person would: years in pairs, long or 0-led strings digit by digit.

    >>> spell_number("1999"), spell_number("3141"), spell_number("21", ordinal=True)
    ('nineteen ninety-nine', 'three thousand one hundred and forty-one', 'twenty-first')
    """
    n2w = _num2words()
    digits = digits.replace(",", "")
    value = int(digits)
    if ordinal:
        return n2w(value, to="ordinal")
    if len(digits) > 1 and digits.startswith("0") or len(digits) > 7:
        return spell_digits(digits)
    if len(digits) == 4 and 1100 <= value <= 2099 and value % 100 != 0:
        return n2w(value, to="year")
    # num2words writes "one thousand, two hundred": a comma there would make the TTS pause
    return n2w(value).replace(",", "")


def spell_digits(digits: str) -> str:
    """One word per digit: ``"0999"`` -> ``"zero nine nine nine"``."""
    return " ".join(_DIGIT_NAMES[int(d)] for d in digits if d.isdigit())


def _time(hour: str, minute: str | None, meridiem: str | None) -> str:
    words = spell_number(str(int(hour)))
    if minute and minute != "00":
        words += " oh " + _DIGIT_NAMES[int(minute)] if minute.startswith("0") else " " + spell_number(minute)
    if meridiem:
        words += f" {meridiem[0].upper()} M"
    return words


def _keep_stop(m: re.Match[str], words: str, before_capital: bool = True) -> str:
    """``words`` plus the full stop the match swallowed when it also ended the sentence ("at 6 p.m.").

    :param before_capital: a capital word after the stop starts a sentence (after "p.m." it
        does; after initials such as "P.f." it is more often the rest of a name).
    """
    rest = m.string[m.end():]
    ends_sentence = m.group(0).endswith(".") and (
        not rest.strip() or (before_capital and re.match(r"\s+[A-Z]", rest)))
    return words + "." if ends_sentence else words


def _decimal(whole: str, frac: str) -> str:
    return f"{spell_number(whole)} point {spell_digits(frac)}"


def _money(m: re.Match[str]) -> str:
    dollars, cents = m.group(1).replace(",", ""), m.group(2)
    out = spell_number(dollars) + (" dollar" if dollars == "1" else " dollars")
    return out + (" " + spell_number(cents) if cents and cents != "00" else "")


def _dotted_number(m: re.Match[str]) -> str:
    whole, frac, after = m.group(1), m.group(2), m.string[m.end():m.end() + 12].lower()
    if len(frac) == 2 and int(whole) <= 24 and int(frac) < 60 and not re.match(rf"\s*({_UNITS})", after):
        # "7.15" is how Whisper (and British text) writes the time "seven fifteen"
        return _time(whole, frac, None)
    return _decimal(whole, frac)


# (pattern, replacement) in order; numbers go last so earlier rules see the digits
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str]] = [
    # ASR word tokens joined with spaces: "1 .30pm" -> "1.30pm", "12 p .m." -> "12 p.m."
    (re.compile(r"(\d)\s+([.:]\d)"), r"\1\2"),
    # a sentence typed without the space after its full stop ("Reservation made.The number"):
    # the TTS reads "made dot the"; initials ("P.f.", "U.S.") have a single letter before the stop
    (re.compile(r"(?<=[a-z]{2})([.!?])(?=[A-Z][a-z])"), r"\1 "),
    # phone numbers, also as ASR writes them when no pause splits the groups ("925 2880999")
    (re.compile(r"\b(\d{3})[-. ]?(\d{3})[-. ]?(\d{4})\b|\((\d{3})\)\s*(\d{3})-(\d{4})"),
     # no commas between the groups: a drawn pause (and a listener backchannel) inside a number
     # would split it across segments and read as a short utterance of its own
     lambda m: " ".join(spell_digits(g) for g in m.groups() if g)),
    # digit groups joined by hyphens, grouped otherwise than a phone number ("925-2758-105",
    # as ASR writes a number said digit by digit): read digit by digit; two 4-digit groups
    # ("2020-2021") are a range of years, not a number
    (re.compile(r"\b\d{1,7}(?:-\d{1,7}){1,3}\b"),
     lambda m: " ".join(spell_digits(g) for g in m.group(0).split("-"))
     if 7 <= sum(c.isdigit() for c in m.group(0)) <= 11 and not re.fullmatch(r"\d{4}-\d{4}", m.group(0))
     else m.group(0)),
    (re.compile(r"\$\s?(\d[\d,]*)(?:\.(\d\d))?\b"), _money),
    # "730pm" / "1245 p.m.": ASR writes some times without the colon
    (re.compile(r"\b(\d{1,2})(?:[:.]?(\d\d))?\s*([ap])\s?\.?\s?m\b\.?", re.I),
     lambda m: _keep_stop(m, _time(m.group(1), m.group(2), m.group(3).lower()))),
    (re.compile(r"\b(\d{1,2}):(\d\d)\b"), lambda m: _time(m.group(1), m.group(2), None)),
    (re.compile(r"\b(\d[\d,]*)(st|nd|rd|th)\b", re.I), lambda m: spell_number(m.group(1), ordinal=True)),
    (re.compile(r"(\d+(?:\.\d+)?)\s?%"), lambda m: m.group(1) + " percent"),
    (re.compile(r"\b(" + "|".join(_MONTHS) + r")\.?(?=\s+\d)", re.I), lambda m: _MONTHS[m.group(1).lower()]),
    # a day after a month is an ordinal: "March 5" -> "March fifth"
    (re.compile(r"\b(" + "|".join(_MONTHS.values()) + r"|May)\s+(\d{1,2})\b(?![:.]\d)"),
     lambda m: f"{m.group(1)} {spell_number(m.group(2), ordinal=True)}"),
    (re.compile(r"\b(\d+)\.(\d+)\b"), _dotted_number),
    # initials and dotted abbreviations: "P.f." -> "P F", "U.S." -> "U S"
    (re.compile(r"\b((?:[A-Za-z]\.){2,})(?=[\s,;:!?'’]|$)|\b([A-Za-z])\.([A-Za-z])\b(?!\.)"),
     lambda m: _keep_stop(m, " ".join(c.upper() for c in m.group(0) if c.isalpha()), False)),
    (re.compile(r"#\s?(?=\w)"), "number "),
    # codes of capitals and digits: "A16" -> "A sixteen", "I-80" -> "I eighty", "4G" -> "four G"
    (re.compile(r"\b([A-Z]{1,3})-?(\d+)\b"), lambda m: f"{' '.join(m.group(1))} {spell_number(m.group(2))}"),
    (re.compile(r"\b(\d+)([A-Z]{1,3})\b"), lambda m: f"{spell_number(m.group(1))} {' '.join(m.group(2))}"),
    (re.compile(r"\b\d[\d,]*\b"), lambda m: spell_number(m.group(0))),
]
_ABBREV = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
                     + r")(?![\w])")


def to_spoken(text: str) -> str:
    """The words a person says for written ``text`` (punctuation kept where it is prose).

    >>> to_spoken("Table for 2 at 6:45 pm on March 1st, $45 & a 4.0 rating.")
    'Table for two at six forty-five P M on March first, forty-five dollars and a four point zero rating.'
    """
    out = text
    for pattern, repl in _RULES[:2]:
        out = pattern.sub(repl, out)
    out = _ABBREV.sub(lambda m: ABBREVIATIONS[m.group(1)], out)
    for pattern, repl in _RULES[2:]:
        out = pattern.sub(repl, out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


def spoken_form(turn: Turn) -> str:
    """What the TTS says for ``turn``: its stored spoken form, or one made now (older corpora)."""
    return turn.spoken if turn.spoken is not None else to_spoken(turn.text)


def with_spoken(dialogue: Dialogue, corrector: TypoCorrector | None | bool = True) -> Dialogue:
    """``dialogue`` with each turn's ``spoken`` filled in where it differs from ``text``.

    Misspelled lower-case words of the written text are spoken as a person would say them
    (:mod:`text_dialogue.spoken_spelling`); the dialogue's names and facts never are.

    :param corrector: the typo corrector; ``True`` for the default (pyspellchecker's list,
        none when it is not installed), ``None`` or ``False`` for no corrections.
    """
    if corrector is True:
        corrector = default_corrector()
    protected: frozenset[str] = frozenset()
    if corrector:
        # the scenario's facts, and the words this front end writes itself ("et cetera")
        facts = ([dialogue.goal or ""] + [p.private_knowledge or "" for p in dialogue.personas.values()]
                 + list(ABBREVIATIONS.values()) + list(_MONTHS.values()))
        protected = protected_words([t.text for t in dialogue.turns] + [p.name for p in dialogue.personas.values()],
                                    facts)
    turns = []
    for t in dialogue.turns:
        spoken = to_spoken(t.text)
        if corrector:
            spoken = corrector.correct(spoken, protected)[0]
        turns.append(replace(t, spoken=None if spoken == t.text else spoken))
    return replace(dialogue, turns=tuple(turns))
