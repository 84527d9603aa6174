"""Timing that follows content: faster answers, later dispreferred responses, overlaps at completion points."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from duplex.build import DuplexConfig, build_timeline
from duplex.content_timing import classify_transition, is_dispreferred, is_question

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from duplex_fixtures import make_dialogue  # noqa: E402

QUESTION = "so what time would you like to come in?"
STATEMENT = "we have a table by the window tonight."
PREFERRED = "seven would be great for us, thanks."
DISPREFERRED = "sorry, we cannot come then after all."


def test_questions_and_dispreferred_openings_are_recognized() -> None:
    assert is_question("Is that okay?") and not is_question("That is okay.")
    assert is_dispreferred("No, I can't.") and is_dispreferred("Unfortunately we're full.")
    assert is_dispreferred("Well, sorry, not this week.") and is_dispreferred("I'm afraid not.")
    assert not is_dispreferred("No problem, inside is fine.") and not is_dispreferred("Sure, I know.")
    assert classify_transition(STATEMENT, DISPREFERRED) == ("statement", "dispreferred")


def test_a_plain_no_to_anything_else_is_preferred_and_a_disconfirming_no_is_not() -> None:
    """ "No, that's all" closes a call as expected; "No, they don't" to "Do they serve alcohol?" disconfirms."""
    assert classify_transition("Can I help you with anything else?", "No, that's all, thanks.") == \
        ("question", "preferred")
    assert classify_transition("Great. Is that everything?", "Nope, thanks a lot.") == ("question", "preferred")
    assert classify_transition("Would you mind holding for a moment?", "No, go ahead.") == ("question", "preferred")
    assert classify_transition("Do they serve alcohol?", "No, they don't.") == ("question", "dispreferred")
    assert classify_transition("Anything else?", "Sorry, one more thing: is there parking?") == \
        ("question", "dispreferred")  # an apology stays dispreferred
    # the question that counts is the turn's last: an earlier "anything else" does not carry over
    assert classify_transition("Anything else? Also, do they have parking?", "No, they don't.") == \
        ("question", "dispreferred")
    assert classify_transition("I have nothing else to add.", "No problem, see you.") == ("statement", "preferred")


def _ftos(pairs: list[tuple[str, str]], timing: dict, seeds: int = 25) -> dict[str, list[float]]:
    """FTO of each transition kind over seeds: turns alternate first/second of each pair."""
    texts = [(spk, t) for a, b in pairs for spk, t in (("A", a), ("B", b))]
    utts, audio, _ = make_dialogue(texts, bc_forms=())
    out: dict[str, list[float]] = {}
    config = DuplexConfig(timing={"backchannel_rate": 0.0, "interruption_prob": 0.0, **timing})
    for seed in range(seeds):
        tl, _ = build_timeline("d", utts, config, np.random.default_rng(seed), lambda u: audio[u.id])
        turns = sorted({s.turn_index: s for s in tl.segments if s.kind == "turn"}.items())
        spans = {i: (min(s.start for s in tl.segments if s.turn_index == i),
                     max(s.end for s in tl.segments if s.turn_index == i)) for i, _ in turns}
        for i in range(1, len(texts)):
            kind = "/".join(classify_transition(texts[i - 1][1], texts[i][1]))
            out.setdefault(kind, []).append(spans[i][0] - spans[i - 1][1])
    return out


def test_answers_come_faster_than_responses_to_statements() -> None:
    pairs = [(QUESTION, PREFERRED), (STATEMENT, PREFERRED)] * 3
    ftos = _ftos(pairs, {}, seeds=80)
    q, s = np.median(ftos["question/preferred"]), np.median(ftos["statement/preferred"])
    assert s - q > 0.1
    # the same seeds with the rule off: the question shift is what made the difference
    off = _ftos(pairs, {"fto_question_shift": 0.0}, seeds=80)
    assert np.median(off["question/preferred"]) - q > 0.1
    assert abs(np.median(off["question/preferred"]) - np.median(off["statement/preferred"])) < 0.1


def test_no_to_anything_else_comes_as_fast_as_other_answers() -> None:
    closing = ("is there anything else i can help you with today?", "no, that is all i need, thanks.")
    ftos = _ftos([closing, (QUESTION, PREFERRED)] * 3, {}, seeds=40)
    assert "question/dispreferred" not in ftos
    assert np.median(ftos["question/preferred"]) < 0.15  # the question shift, no dispreferred delay


def test_dispreferred_responses_come_late_and_never_overlap() -> None:
    pairs = [(STATEMENT, DISPREFERRED), (STATEMENT, PREFERRED)] * 3
    ftos = _ftos(pairs, {})
    late, normal = np.array(ftos["statement/dispreferred"]), np.array(ftos["statement/preferred"])
    assert np.median(late) - np.median(normal) > 0.35 and np.median(late) > 0.6
    assert late.min() >= 0.3 - 1e-6 and (normal < 0).any()
    off = _ftos(pairs, {"fto_dispreferred_shift": 0.0, "fto_dispreferred_min": -1.0})
    assert np.median(off["statement/dispreferred"]) < 0.45


def test_overlaps_stay_within_the_last_words() -> None:
    pairs = [(STATEMENT, PREFERRED)] * 4
    many = _ftos(pairs, {"fto_mean": -0.5, "fto_std": 0.3, "max_overlap_share": 0.9})
    none = _ftos(pairs, {"fto_mean": -0.5, "fto_std": 0.3, "max_overlap_share": 0.9, "overlap_max_words": 0})
    deepest = -min(min(v) for v in many.values())
    # the fixture speaks ~0.3 s per word plus short gaps: two words stay well under 1 s
    assert 0.1 < deepest < 1.0
    assert min(min(v) for v in none.values()) >= 0.0
