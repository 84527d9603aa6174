"""Typos of human-written text are spoken as a person would say them; names and facts never change."""

from __future__ import annotations

import sys

import pytest

from tests._require import require
from text_dialogue import spoken_spelling
from text_dialogue.records import Dialogue, Persona, Turn
from text_dialogue.spoken import spoken_form_info, with_spoken
from text_dialogue.spoken_spelling import (
    TypoCorrector,
    default_corrector,
    protected_words,
)

#: a small word list with made-up counts (per 10 million running words) for the rule tests
_COUNTS = {"restaurant": 300, "restaurants": 40, "restraint": 15, "successful": 200, "that": 90000,
           "that's": 70000, "hats": 100, "with": 80000, "which": 40000, "a": 500000, "lot": 9000,
           "about": 20000, "there": 40000, "their": 20000, "whereabouts": 20, "rare": 30, "rate": 50}


@pytest.fixture(scope="module")
def small() -> TypoCorrector:
    return TypoCorrector(_COUNTS, total=10_000_000)


@pytest.mark.parametrize("word, correction", [
    ("resturant", "restaurant"),      # one edit away
    ("restraunt", "restaurant"),      # vowels misplaced: same consonants, one vowel more
    ("restraunts", "restaurants"),
    ("succeful", "successful"),       # two edits, nothing nearer
    ("thats", "that's"),              # the missing apostrophe first, not the more frequent "that"
    ("restaurant", None),             # known
    ("wich", None),                   # too short to tell "with" from "which"
    ("alot", None),                   # two words run together
    ("abouts", None),                 # a known word plus "s": an inflection, not a typo
    ("rarte", None),                  # "rate" is not 3x as frequent as "rare": no clear correction
    ("zqxwv", None),                  # nothing near
    ("Resturant", None),              # capitalized: a name
])
def test_rules_on_a_small_word_list(small: TypoCorrector, word: str, correction: str | None) -> None:
    assert small.correction(word) == correction


def test_correct_touches_only_lower_case_unprotected_words(small: TypoCorrector) -> None:
    spoken, fixes = small.correct("The resturant Resturant at 5 resturant's, resturant-style, resturant.",
                                  protected=frozenset())
    assert spoken == "The restaurant Resturant at 5 resturant's, resturant-style, restaurant."
    assert [(f.word, f.correction) for f in fixes] == [("resturant", "restaurant")] * 2
    assert small.correct("a resturant", protected=frozenset({"resturant"}))[0] == "a resturant"


def test_protected_words_are_names_and_facts() -> None:
    words = protected_words(["I want to eat in Burlingame at Chop Bar.", "burlingame it is"],
                            facts=["cuisine: afforadable thai"])
    assert {"burlingame", "chop", "bar", "afforadable", "thai", "cuisine"} <= words
    assert "eat" not in words and "want" not in words


# the real word list (pyspellchecker's English frequencies)

@pytest.fixture(scope="module")
def real() -> TypoCorrector:
    require("spellchecker")
    corrector = default_corrector()
    assert corrector is not None
    return corrector


@pytest.mark.parametrize("word, correction", [
    # typos of the Schema-Guided Dialogue train split (dialogues_001.json)
    ("resturant", "restaurant"), ("returant", "restaurant"), ("restraunt", "restaurant"),
    ("restraunts", "restaurants"), ("succeful", "successful"), ("afforadable", "affordable"),
    ("poeple", "people"), ("resevation", "reservation"), ("sugggestions", "suggestions"),
    ("thats", "that's"), ("dont", "don't"),
    # common misspellings
    ("definately", "definitely"), ("recieve", "receive"), ("seperate", "separate"), ("cusine", "cuisine"),
    ("vegeterian", "vegetarian"), ("italain", "italian"), ("tommorow", "tomorrow"),
])
def test_typos_are_corrected(real: TypoCorrector, word: str, correction: str) -> None:
    assert real.correction(word) == correction


@pytest.mark.parametrize("word", [
    # real words, also informal ones and words a restaurant dialogue uses
    "restaurant", "intermediate", "cuisine", "sushi", "ramen", "vegan", "alright", "okay", "gonna",
    "wanna", "its", "cant", "wont", "fusion", "brunch",
    # place and restaurant names written in lower case (SGD users do): unknown, but no clear correction
    "burlingame", "milpitas", "aappakadai", "chettinad", "pleasanton", "hopyard", "sunnyvale",
    "cupertino", "livermore",
    # unclear, short, two words, inflections
    "wich", "alot", "okey", "abouts",
])
def test_real_words_and_names_are_untouched(real: TypoCorrector, word: str) -> None:
    assert real.correction(word) is None


def _dialogue(*texts: str, goal: str | None = None) -> Dialogue:
    turns = tuple(Turn(index=i, speaker="AB"[i % 2], text=t) for i, t in enumerate(texts))
    personas = {"A": Persona(name="Maya", private_knowledge="wants: an afforadable place"), "B": Persona(name="Bo")}
    return Dialogue(id="d", turns=turns, goal=goal, personas=personas)


def test_with_spoken_corrects_the_spoken_form_never_the_text(real: TypoCorrector) -> None:
    d = with_spoken(_dialogue("Find me a resturant for 2 at 6 pm.", "Reservation succeful, thats all."),
                    corrector=real)
    assert [t.text for t in d.turns] == ["Find me a resturant for 2 at 6 pm.", "Reservation succeful, thats all."]
    assert [t.spoken for t in d.turns] == ["Find me a restaurant for two at six P M.",
                                           "Reservation successful, that's all."]


def test_with_spoken_leaves_names_facts_and_its_own_words_alone(real: TypoCorrector) -> None:
    d = with_spoken(_dialogue("The Resturant is on Main St.", "the resturant? an afforadable one?",
                              "Italian, Mexican, etc.?"), corrector=real)
    # "Resturant" is written capitalized: a name, also where it is written in lower case;
    # "afforadable" is a word of a persona's facts; "et cetera" is the front end's own
    assert d.turns[1].spoken_text == "the resturant? an afforadable one?"
    assert d.turns[2].spoken_text == "Italian, Mexican, et cetera?"


def test_without_the_word_list_typos_are_spoken_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spellchecker", None)  # import fails as if not installed
    default_corrector.cache_clear()
    try:
        assert default_corrector() is None
        d = with_spoken(_dialogue("a resturant for 2"))
        assert d.turns[0].spoken == "a resturant for two"
    finally:
        default_corrector.cache_clear()


def test_meta_records_the_word_list_version() -> None:
    info = spoken_form_info()
    assert "pyspellchecker" in info
    installed = spoken_spelling.default_corrector() is not None
    assert (info["pyspellchecker"] is not None) == installed
