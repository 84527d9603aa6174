"""Normalization of ASR text as the engine returns it: every written/spoken pair meets, both ways."""

from __future__ import annotations

import pytest

from eval.normalize import normalize_text
from eval.wer import char_errors, word_errors
from eval.words import join_words
from speech.records import Word

# (reference as written or spoken, hypothesis as an ASR writes it); each pair is also checked reversed
PAIRS = [
    ("at 1:30 pm", "at 1 .30pm"),
    ("at 1:30 pm", "at 1.30 p.m."),
    ("at one thirty P M", "at 1:30 PM"),
    ("at 12 pm", "at 12 p .m."),
    ("at 12 pm", "at twelve p m"),
    ("at 12 PM", "at 12 p.m."),
    ("six pm", "six p m"),
    ("6 am", "6 a.m."),
    ("seven forty-five in the evening", "7:45 in the evening"),
    ("at 5:30", "at five thirty"),
    ("at 5:30", "at 5.30"),
    ("at 7:05", "at seven oh five"),
    ("at 7:00 pm", "at 7 pm"),
    ("at 7:00 pm", "at seven o'clock pm"),
    ("18:45 will be fine", "eighteen forty-five will be fine"),
    ("on March 1st", "on march first"),
    ("on March 1st", "on march one"),
    ("on March 1", "on March first"),
    ("on the 21st", "on the twenty-first"),
    ("on Jan. 5", "on January fifth"),
    ("on Jan. 5", "on January 5th"),
    ("a 4.0 rating", "a four point zero rating"),
    ("a 4.0 rating", "a four point oh rating"),
    ("it has 3.5 stars", "it has three point five stars"),
    ("it has 4.15 stars", "it has four point one five stars"),
    ("its address", "it's address"),
    ("at fifty-five Hopyard Road", "at 55Hopyard Road"),
    ("open twenty-four hours", "open 24hours"),
    ("at P.F. Chang's", "at P F Changs"),
    ("the restaurant's phone number", "the restaurants phone number"),
    ("what's the address", "what is the address"),
    ("there's a table", "there is a table"),
    ("let's go", "let us go"),
    ("it's late", "its late"),
    ("that costs $45", "that costs forty-five dollars"),
    ("that costs $45.50", "that costs forty-five dollars fifty"),
    ("that costs $1", "that costs one dollar"),
    ("twenty percent off", "20% off"),
    ("call 925-288-0999", "call nine two five two eight eight zero nine nine nine"),
    ("call 925-288-0999", "call nine two five two eight eight oh nine nine nine"),
    ("call (415) 555-1234", "call 415-555-1234"),
    ("call 925-288-0999", "call 925 2880999"),
    ("call 925-288-0999", "call 9252880999"),
    ("call nine two five two seven five eight one zero five", "call 925-2758-105"),
    ("dial five five five one two three four", "dial 555-1234"),
    ("1200 Contra Costa Boulevard", "one thousand two hundred Contra Costa Boulevard"),
    ("1200 Contra Costa Boulevard", "one thousand, two hundred Contra Costa Blvd."),
    ("3141 Crow Canyon Place", "three thousand one hundred and forty-one Crow Canyon Place"),
    ("in 1999", "in nineteen ninety-nine"),
    ("Tom & Jerry", "Tom and Jerry"),
    ("a table in SF", "a table in San Francisco"),
    ("P.f. Chang's", "P.F. Chang's"),
    ("P.f. Chang's", "P F Chang's"),
    ("in the U.S.", "in the U S"),
    ("Dr. Smith", "Doctor Smith"),
    ("Ya, sure", "Yeah, sure."),
    ("thats all", "that's all"),
    ("yup, that is correct", "Yep, that is correct."),
    ("is there live music", "is their live music"),
    ("at one o'clock", "at one o clock"),
    ("when do u want it", "when do you want it"),
    ("for 2 people", "for two people"),
    ("suite # 4", "suite number four"),
    ("for 2 people at 8 pm on Tuesday", "for two people at 8 p.m. on Tuesday"),
]


@pytest.mark.parametrize("written, asr", PAIRS)
def test_pair_meets_in_both_directions(written: str, asr: str) -> None:
    assert normalize_text(written) == normalize_text(asr), (normalize_text(written), normalize_text(asr))
    assert word_errors(written, asr).errors == 0
    assert word_errors(asr, written).errors == 0


def test_table_is_large_enough() -> None:
    assert len(PAIRS) >= 40


@pytest.mark.parametrize("ref, hyp, errors", [
    ("at 1:30 pm", "at 2:30 pm", 1),
    ("four point zero", "four zero", 1),
    ("March first", "March third", 1),
    ("call 925-288-0999", "call 925-288-0998", 1),
    ("call nine two five two seven five eight one zero five", "call 925-2758-106", 1),
    ("four zero eight two two seven five five zero two is their phone", "408-275502 is their phone", 1),
    ("from twenty twenty to twenty twenty one", "from 2020-2021", 1),  # years, not digits
    # a name heard as another name's possessive is one word wrong, not "badgie is" for "bajis"
    ("a table at Bajis cafe", "a table at Badgie's cafe", 1),
])
def test_real_differences_still_count(ref: str, hyp: str, errors: int) -> None:
    assert word_errors(ref, hyp).errors == errors


def test_asr_tokens_are_joined_as_the_engine_split_them() -> None:
    # faster-whisper splits "1.30pm" into " 1" + ".30pm" and "p.m." into " p" + ".m."
    tokens = [Word("at", 0, 0.1), Word("1", 0.1, 0.3), Word(".30pm", 0.3, 0.6), Word("or", 0.7, 0.8),
              Word("12", 0.8, 1.0), Word("p", 1.0, 1.1), Word(".m.", 1.1, 1.2), Word("Chang", 1.3, 1.5),
              Word("'s", 1.5, 1.6)]
    assert join_words(tokens) == "at 1.30pm or 12 p.m. Chang's"
    assert normalize_text(join_words(tokens)) == normalize_text("at 1:30 pm or 12 pm Chang's")


@pytest.mark.parametrize("spoken, asr", [
    # the reference is what the TTS said; the ASR wrote the same digits, read another way
    ("around seven thirty", "around 730"),
    ("at evening five thirty on march fourteen", "at evening 530 on March 14"),
    ("at seven oh five", "at 705"),
    ("seven forty-five works", "745 works"),
    ("twelve fifteen pm", "1215 pm"),
    ("it costs five hundred thirty dollars", "it costs $530"),  # the long reading stays long
    # compounds spelled as one word or two sound the same
    ("some freshwater fish kind of food", "some fresh water fish kind of food"),
    ("we could go there every day", "we could go there everyday"),
    ("it is a take-out place", "it is a takeout place"),
    ("the price range is moderate", "the price ranges moderate"),
])
def test_asr_spellings_of_the_same_sound_are_read_as_the_reference_reads_them(spoken: str, asr: str) -> None:
    assert word_errors(spoken, asr).errors == 0
    assert char_errors(spoken, asr).errors == 0


@pytest.mark.parametrize("spoken, asr, errors", [
    ("at five thirty", "at 630", 2),  # another time: "six hundred thirty" against "five thirty"
    ("seven hundred thirty people", "730 people", 0),
    ("room seven thirty", "room 731", 1),  # read "seven thirty one": one word more than was said
    ("a table for two", "at able for two", 2),  # "atable" is no word of the reference
    ("fresh fish and water", "freshwater fish and water", 1),  # "fresh" was said alone
    ("the name is Sam", "the names Sam", 2),  # no sibilant: "names" is not "name is"
])
def test_a_different_number_still_counts(spoken: str, asr: str, errors: int) -> None:
    assert word_errors(spoken, asr).errors == errors
