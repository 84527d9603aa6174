"""Word times from phoneme alignments: generated alignments, and the real piper voice."""

from __future__ import annotations

import pytest
from _require import require

from speech.records import Voice
from speech.tts.alignment import text_words, words_from_phoneme_alignments

SR = 1000  # one sample per millisecond keeps the arithmetic readable


def _chunk(offset: int, phonemes: str, each: int = 10) -> tuple[int, list[tuple[str, int]]]:
    """Alignment of ``^ phonemes $``, every phoneme ``each`` samples long."""
    return offset, [(p, each) for p in ["^", *phonemes, "$"]]


def test_one_phoneme_word_per_text_word() -> None:
    words = words_from_phoneme_alignments("Hi, you.", [_chunk(0, "haɪ, juː.")], SR)
    assert words is not None and [(w.text, w.start, w.end) for w in words] == [
        ("Hi", 0.01, 0.04), ("you", 0.06, 0.09)]


def test_chunks_keep_their_offsets() -> None:
    words = words_from_phoneme_alignments("Hi. You!", [_chunk(0, "haɪ."), _chunk(500, "juː!")], SR)
    assert words is not None and words[1].start == pytest.approx(0.51)


def test_merged_and_split_words_are_matched_with_a_phonemizer() -> None:
    lexicon = {"I": "aɪ", "am": "æm", "fine": "faɪn", "42": "fɔːɹti tuː"}
    # the engine merged "I am" into one phoneme word and read "42" as two words
    chunks = [_chunk(0, "aɪɐm faɪn fɔːɹti tuː")]
    # 4 phoneme words for 4 text words, but a merge and a split: only the phonemizer tells
    naive = words_from_phoneme_alignments("I am fine 42", chunks, SR)
    assert naive is not None and naive[1].start > 0.05
    words = words_from_phoneme_alignments("I am fine 42", chunks, SR, lambda w: list(lexicon[w]))
    assert words is not None and [w.text for w in words] == ["I", "am", "fine", "42"]
    assert words[0].start == 0.01 and words[0].end == words[1].start and words[1].end == 0.05
    assert (words[3].start, words[3].end) == (0.11, 0.21)


def test_poor_matches_give_none() -> None:
    chunks = [_chunk(0, "a b")]
    assert words_from_phoneme_alignments("one two three four five six", chunks, SR, lambda w: list(w)) is None
    assert text_words('"Yes" -- right.') == ["Yes", "right"]


def test_real_piper_word_times() -> None:
    require("onnx", reason="piper phoneme alignments need the onnx package")
    from speech.tts.piper import PiperConfig, PiperTTS

    out = PiperTTS(PiperConfig()).synthesize("I am fine, thanks. It costs 42 dollars.", Voice(id="joe", backend="piper"))
    assert out.words is not None
    assert [w.text for w in out.words] == ["I", "am", "fine", "thanks", "It", "costs", "42", "dollars"]
    duration = len(out.samples) / out.sampling_rate
    starts = [w.start for w in out.words]
    assert starts == sorted(starts) and out.words[-1].end <= duration
    # "42" ("forty two") takes longer than "It"
    assert out.words[6].end - out.words[6].start > out.words[4].end - out.words[4].start
