"""The spoken form: what the TTS is given reads the way a person would say the written turn."""

from __future__ import annotations

import pytest

from eval.normalize import normalize_text
from text_dialogue.spoken import to_spoken


@pytest.mark.parametrize("written, spoken", [
    ("Table for 2 at 6:45 pm.", "Table for two at six forty-five P M."),
    ("It costs $45 & it has a 4.0 rating.", "It costs forty-five dollars and it has a four point zero rating."),
    ("Call 925-288-0999.", "Call nine two five two eight eight zero nine nine nine."),
    ("On March 1st at 1:30 p.m.", "On March first at one thirty P M."),
    ("On Jan. 5 in SF", "On January fifth in San Francisco"),
    ("P.f. Chang's", "P F Chang's"),
    ("1200 Main Street", "one thousand two hundred Main Street"),
    ("in 1999", "in nineteen ninety-nine"),
    ("at 7:05", "at seven oh five"),
    ("20% off", "twenty percent off"),
    ("Dr. Smith", "Doctor Smith"),
    ("no digits here.", "no digits here."),
    ("Seat A16 off I-80, 4G only", "Seat A sixteen off I eighty, four G only"),
    ("Reservation made.The number is good.Tell me", "Reservation made. The number is good. Tell me"),
])
def test_spoken_form(written: str, spoken: str) -> None:
    assert to_spoken(written) == spoken


@pytest.mark.parametrize("written", [
    "Booking a table for 2 persons at China Chef at 6:45 pm on next Tuesday.",
    "Phone number is 925-288-0999 and the address is 1200 Contra Costa Boulevard # K.",
    "The price is $45.50 per person & it is rated 4.5 stars.",
    "It's at 3141 Crow Canyon Place, open until 10 pm on Jan. 21.",
    "Your table is A16, near the 4G booth off I-80.",
])
def test_spoken_and_written_score_equal(written: str) -> None:
    # the eval reference is the spoken form; ASR may write either: both must normalize alike
    assert normalize_text(to_spoken(written)) == normalize_text(written)
    assert not any(ch.isdigit() for ch in to_spoken(written))
