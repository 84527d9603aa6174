"""Every critic reason on a turn that shows it, and a clean turn that passes."""

from __future__ import annotations

import pytest

from text_dialogue.critic import (
    TURN_REASONS,
    CriticConfig,
    check_dialogue_length,
    check_turn,
    clean_turn_text,
)

HISTORY = ["Hi, I'd like to book a table for four on Friday.", "Sure, what time would you like?"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("Okay", "empty"),
        (" ".join(["word"] * 45), "overlong"),
        ("Sure. James: and what time?", "speaker_label"),
        ("She smiled and said it was fine.", "narration"),
        ("Maya nods and looks at the menu.", "narration"),
        ("Chapter 2 The restaurant was quiet that night", "narration"),
        ("Bonjour, je voudrais une table pour quatre personnes", "other_language"),
        ("Привет, как дела у тебя сегодня", "other_language"),
        ("Hi, I'd like to book a table for four on Friday.", "repeat"),
        ("I would like a table, a table for four, a table for four, a table for four.", "loop"),
        ("Hello, I want to book a table please.", "restart"),
    ],
)
def test_reason(text: str, reason: str) -> None:
    assert reason in TURN_REASONS
    assert check_turn(text, HISTORY, CriticConfig(), names=("Maya", "James"), turn_index=3) == reason


def test_a_good_spoken_turn_passes() -> None:
    assert check_turn("Seven thirty, if you have room.", HISTORY, names=("Maya", "James"), turn_index=2) is None
    assert check_turn("I said Friday, at seven.", HISTORY) is None
    assert check_turn("Hi there, how can I help?", [], turn_index=1) is None


def test_cleaning_drops_stage_directions() -> None:
    assert clean_turn_text(' "Sure (laughs) [pause] see you then." ') == "Sure see you then."
    assert clean_turn_text("See you at eight (the time") == "See you at eight"


def test_dialogue_length() -> None:
    assert check_dialogue_length(2, CriticConfig(min_dialogue_turns=4)) == "too_short"
    assert check_dialogue_length(4, CriticConfig(min_dialogue_turns=4)) is None
