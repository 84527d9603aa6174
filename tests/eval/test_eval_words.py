"""Word-to-segment assignment by alignment: the first word after a pause stays with its segment."""

from __future__ import annotations

from duplex.records import Segment
from eval.words import assign_words, assign_words_by_time, join_words
from speech.records import Word


def _seg(start: float, end: float, text: str, kind: str = "turn") -> Segment:
    return Segment(channel=0, speaker="A", start=start, end=end, text=text, kind=kind)


def _texts(groups: list[list[Word]]) -> list[str]:
    return [join_words(g) for g in groups]


def test_turn_split_by_a_200ms_pause() -> None:
    # "Thanks a lot." [200 ms] "Thanks again." - Whisper starts "Thanks" inside the pause,
    # so its midpoint lies nearer the first segment
    segs = [_seg(0.0, 1.0, "Thanks a lot."), _seg(1.2, 2.0, "Thanks again.")]
    words = [Word("Thanks", 0.0, 0.3), Word("a", 0.3, 0.4), Word("lot.", 0.4, 0.8),
             Word("Thanks", 0.8, 1.3), Word("again.", 1.35, 2.0)]
    assert _texts(assign_words_by_time(words, segs, 0.3)) == ["Thanks a lot. Thanks", "again."]
    assert _texts(assign_words(words, segs, 0.3)) == ["Thanks a lot.", "Thanks again."]


def test_interrupted_turn_keeps_its_words_and_the_next_turn_gets_its_own() -> None:
    # an interrupted turn (cut after "I was") and the same speaker's next turn after a short gap
    segs = [_seg(0.0, 0.8, "I was", ), _seg(1.0, 2.2, "I apologize for that.")]
    words = [Word("I", 0.0, 0.2), Word("was", 0.2, 0.8), Word("I", 0.75, 1.05),
             Word("apologize", 1.05, 1.6), Word("for", 1.6, 1.8), Word("that.", 1.8, 2.2)]
    assert _texts(assign_words(words, segs, 0.3)) == ["I was", "I apologize for that."]


def test_backchannel_during_a_pause_of_the_other_speaker() -> None:
    # the listener's channel: a backchannel between two of its own turns
    segs = [_seg(0.0, 1.5, "Table for two, please."), _seg(2.0, 2.4, "Mm-hmm.", "backchannel"),
            _seg(2.6, 3.6, "At seven tonight.")]
    words = [Word("Table", 0.0, 0.4), Word("for", 0.4, 0.6), Word("two,", 0.6, 1.0), Word("please.", 1.0, 1.5),
             Word("Mm-hmm.", 1.9, 2.45), Word("At", 2.45, 2.8), Word("7", 2.8, 3.1), Word("tonight.", 3.1, 3.6)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Table for two, please.", "Mm-hmm.", "At 7 tonight."]


def test_backchannel_the_asr_did_not_hear_stays_empty() -> None:
    segs = [_seg(0.0, 1.0, "Sure thing."), _seg(1.3, 1.6, "Uh-huh.", "backchannel"), _seg(1.8, 2.6, "See you then.")]
    words = [Word("Sure", 0.0, 0.4), Word("thing.", 0.4, 1.0), Word("See", 1.5, 2.0), Word("you", 2.0, 2.2),
             Word("then.", 2.2, 2.6)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Sure thing.", "", "See you then."]


def test_words_far_from_every_segment_are_dropped_and_misheard_words_stay_in_place() -> None:
    segs = [_seg(0.0, 1.0, "Book Chez Panisse."), _seg(1.3, 2.0, "Thanks again.")]
    words = [Word("noise", 5.0, 5.2), Word("Book", 0.0, 0.3), Word("Shea", 0.3, 0.6), Word("Panis.", 0.6, 1.0),
             Word("Thanks", 1.2, 1.5), Word("again.", 1.5, 2.0)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Book Shea Panis.", "Thanks again."]


def test_asr_tokens_split_by_the_engine_stay_together() -> None:
    segs = [_seg(0.0, 1.0, "See you at 1:30 pm."), _seg(1.2, 2.0, "Great.")]
    words = [Word("See", 0.0, 0.2), Word("you", 0.2, 0.3), Word("at", 0.3, 0.4), Word("1", 0.4, 0.6),
             Word(".30pm.", 0.6, 1.25), Word("Great.", 1.25, 2.0)]
    assert _texts(assign_words(words, segs, 0.3)) == ["See you at 1.30pm.", "Great."]


def test_an_exact_match_just_outside_the_tolerance_is_kept() -> None:
    # Whisper put "No thank" 0.6 s before the segment (time drift after a long silence)
    segs = [_seg(0.0, 1.0, "Sure."), _seg(5.0, 6.0, "No thank you.")]
    words = [Word("Sure.", 0.0, 1.0), Word("No", 4.2, 4.4), Word("thank", 4.4, 4.6), Word("you.", 5.2, 5.8),
             Word("Bye", 9.0, 9.2)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Sure.", "No thank you."]


def test_phone_number_tokens_stay_one_word() -> None:
    words = [Word("650", 0.0, 0.5), Word("-967", 0.5, 1.0), Word("-7477.", 1.0, 1.5)]
    assert join_words(words) == "650-967-7477."


def test_a_number_spoken_across_a_pause_is_split_at_the_segment_boundary() -> None:
    # the spoken form "nine two five, two eight eight, ..." paused at a comma; Whisper wrote one token
    segs = [_seg(0.0, 2.0, "Call nine two five,"), _seg(2.3, 4.5, "two eight eight, zero nine nine nine.")]
    words = [Word("Call", 0.0, 0.3), Word("925-288-0999.", 0.4, 4.4)]
    out = _texts(assign_words(words, segs, 0.3))
    assert out == ["Call nine two five", "two eight eight zero nine nine nine"]


def test_first_word_stamped_over_an_unheard_backchannel_returns_to_its_turn() -> None:
    # eval packs the backchannel's region and the turn's region 0.3 s apart; Whisper hears nothing
    # in "uh-huh" and stamps the turn's first word "That" over it, 3 s before the turn in dialogue time
    segs = [_seg(0.0, 2.0, "Is Grand Harbor fine?"), _seg(5.0, 5.3, "uh-huh", "backchannel"),
            _seg(8.4, 9.2, "That sounds great.")]
    words = [Word("Is", 0.0, 0.2), Word("Grand", 0.2, 0.6), Word("Harbor", 0.6, 1.2), Word("fine?", 1.2, 2.0),
             Word("That", 5.05, 5.25), Word("sounds", 8.0, 8.8), Word("great.", 8.8, 9.2)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Is Grand Harbor fine?", "", "That sounds great."]


def test_a_backchannel_the_asr_heard_keeps_its_word_next_to_a_turn_that_says_it_too() -> None:
    segs = [_seg(5.0, 5.3, "Yeah.", "backchannel"), _seg(8.4, 9.2, "Yeah that works.")]
    words = [Word("Yeah.", 5.0, 5.3), Word("Yeah", 8.3, 8.6), Word("that", 8.6, 8.8), Word("works.", 8.8, 9.2)]
    assert _texts(assign_words(words, segs, 0.3)) == ["Yeah.", "Yeah that works."]


def test_a_word_stretched_over_the_silence_before_its_segment_is_kept() -> None:
    # Whisper stamps a backchannel "Ah." from 13.9 s, long before the "uh-huh" placed at 15.14 s:
    # its midpoint lies 0.54 s before the segment, but the word reaches into it
    segs = [_seg(10.0, 11.86, "if that works."), _seg(15.14, 15.44, "uh-huh", "backchannel")]
    words = [Word("if", 11.16, 11.26), Word("that", 11.26, 11.36), Word("works.", 11.36, 11.7),
             Word("Ah.", 13.9, 15.3)]
    assert _texts(assign_words(words, segs, 0.3)) == ["if that works.", "Ah."]
    assert _texts(assign_words_by_time(words, segs, 0.3)) == ["if that works.", "Ah."]
    # a word that ends more than the tolerance before every segment is still dropped
    early = [Word("Ah.", 13.9, 14.7)]
    assert _texts(assign_words(words[:3] + early, segs, 0.3)) == ["if that works.", ""]
