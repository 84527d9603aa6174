"""Sentence boundaries come from a real segmenter: abbreviations, initials, decimals, times stay whole."""

from __future__ import annotations

import numpy as np
import pytest

from duplex.pieces import FRAME_SECONDS, sentence_ends, split_utterance
from speech.records import Utterance, Word


@pytest.mark.parametrize("text, ends", [
    ("I booked a table at P.f. Chang's for you. Is that fine?", [8, 11]),
    ("Dr. Smith will see you now.", [5]),
    ("It has 3.5 stars on the site.", [6]),
    ("See you at 1:30 p.m. on Jan. 5 then.", [8]),
    ("They ship within the U.S. only.", [5]),
    ("I live in the U.S. It is big.", [4, 7]),
    ("Hi! How are you?", [0, 3]),
])
def test_sentence_ends(text: str, ends: list[int]) -> None:
    assert sentence_ends(text) == ends


def _utterance(text: str, silent_after: list[int]) -> tuple[Utterance, np.ndarray]:
    """An utterance whose engine words are 0.4 s each with a 0.3 s silence after the listed ones."""
    words, t = [], 0.0
    for i, tok in enumerate(text.split()):
        words.append(Word(tok, round(t, 3), round(t + 0.4, 3)))
        t += 0.4 + (0.3 if i in silent_after else 0.0)
    levels = np.full(int(round(t / FRAME_SECONDS)), -20.0)
    for i in silent_after:
        a = int(round(words[i].end / FRAME_SECONDS))
        levels[a:a + 30] = -90.0
    utt = Utterance(id="d-000", dialogue_id="d", turn_index=0, speaker="A", voice="v", text=text,
                    audio_path="x.wav", duration=t, sampling_rate=16000, words=tuple(words), word_times="engine")
    return utt, levels


def test_a_silence_inside_a_name_is_no_sentence_boundary() -> None:
    # the TTS paused after "P.f." (as it does after a full stop) and after "you."
    text = "I booked a table at P.f. Chang's for you. Is that fine?"
    utt, levels = _utterance(text, silent_after=[5, 8])
    pieces = split_utterance(utt, levels, threshold_db=-30.0, min_silence=0.15)
    assert [p.text for p in pieces] == ["I booked a table at P.f. Chang's for you.", "Is that fine?"]
    assert pieces[0].boundary == "sentence"
