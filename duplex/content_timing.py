"""Timing that follows what is said: answers come fast, dispreferred responses late.

From conversation analysis (Stivers et al. 2009; Kendrick & Torreira 2015; see
../shared/REFERENCE_STATS.md): answers to questions come sooner than other
responses, and dispreferred responses ("no", "sorry", "unfortunately", refusals)
come later, often after more than 600-700 ms. :func:`fto_shift` gives the shift of
the floor-transfer offset's mean for one speaker change; :func:`overlap_limit` keeps
an overlap within the last words of the turn it overlaps (a predictable completion
point, not mid-clause).

>>> classify_transition("What time would you like?", "Seven, please.")
('question', 'preferred')
>>> classify_transition("Can you come on Friday?", "Sorry, I can't make it then.")
('question', 'dispreferred')
>>> classify_transition("Can I help you with anything else?", "No, that's all, thanks.")
('question', 'preferred')

A plain "no" is dispreferred where it declines or disconfirms, but it is the expected
answer to a question built for it: "anything else?" invites the close ("No, that's all"),
and "do you mind ...?" is granted with "no". After such a question (``_NO_EXPECTED``) a
response that opens with a plain no is preferred; "sorry" and "unfortunately" stay
dispreferred. Task dialogues end on this pair: in ten Schema-Guided Dialogue calls, 13 of
the 30 answers counted dispreferred were "No, that's all" after "anything else?".
"""

from __future__ import annotations

import re
from typing import Sequence

from duplex.timing import TimingConfig
from speech.records import Word

__all__ = ["is_question", "is_dispreferred", "classify_transition", "fto_shift", "overlap_limit"]

# Openings of a dispreferred response (a refusal, a "no", an apology, bad news); only the
# first few words count, so "no problem" or "not bad" later in a turn does not.
_DISPREFERRED = re.compile(
    r"^(well,? )?(no\b(?! problem| worries)|nope\b|sorry\b|i'm sorry\b|unfortunately\b|i'm afraid\b|"
    r"i am afraid\b|not really\b|not quite\b|i can't\b|i cannot\b|we can't\b|we're full\b|hm+,? (no|not)\b|"
    r"honestly,? (no|not)\b|i don't know\b|i'm not sure\b|actually,? no\b)",
    re.IGNORECASE,
)


# The last question of a turn asks for a "no" as its expected answer: a closing offer
# ("anything else?") or a request for permission phrased as "do you mind".
_NO_EXPECTED = re.compile(
    r"\b(anything|something) (else|more)\b|\bany other\b|\bis that (all|it|everything)\b|"
    r"\b(do|would) you mind\b|\bmind if\b",
    re.IGNORECASE,
)
# A response that opens with a plain "no" (not an apology or bad news).
_PLAIN_NO = re.compile(r"^(well,? )?(no\b|nope\b|nah\b|not really\b)", re.IGNORECASE)


def _last_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip())[-1]


def is_question(text: str) -> bool:
    """Whether a turn ends in a question (its last sentence ends with "?")."""
    return text.rstrip().rstrip("\"')").endswith("?")


def is_dispreferred(text: str, after: str = "") -> bool:
    """Whether a turn opens as a dispreferred response (a refusal, "no", "sorry", "unfortunately").

    :param after: the previous turn: after a question that expects "no" ("anything else?",
        "do you mind ...?") a plain "no" is the preferred answer.
    """
    opening = text.strip().lstrip("\"'")
    if not _DISPREFERRED.match(opening):
        return False
    expects_no = is_question(after) and bool(_NO_EXPECTED.search(_last_sentence(after)))
    return not (expects_no and _PLAIN_NO.match(opening))


def classify_transition(prev_text: str, next_text: str) -> tuple[str, str]:
    """``("question" | "statement", "dispreferred" | "preferred")`` for one speaker change."""
    return ("question" if is_question(prev_text) else "statement",
            "dispreferred" if is_dispreferred(next_text, prev_text) else "preferred")


def fto_shift(prev_text: str, next_text: str, config: TimingConfig) -> tuple[float, float]:
    """Shift of the FTO mean and the least FTO for a change from ``prev_text`` to ``next_text``.

    :return: ``(shift, floor)``: add ``shift`` to the drawn FTO; a dispreferred response
        never starts before ``floor`` seconds after the previous turn ends (no overlap).
    """
    after, kind = classify_transition(prev_text, next_text)
    if kind == "dispreferred":
        return config.fto_dispreferred_shift, config.fto_dispreferred_min
    if after == "question":
        return config.fto_question_shift, config.fto_min
    return 0.0, config.fto_min


def overlap_limit(words: Sequence[Word], end: float, config: TimingConfig) -> float:
    """The longest overlap of a turn ending at ``end`` whose last segment has ``words``.

    An overlap may cover only the last ``overlap_max_words`` words (the completion point);
    with no word times it falls back to ``overlap_max_words`` * 0.3 s.
    """
    n = config.overlap_max_words
    if n <= 0:
        return 0.0
    timed = [w for w in words if w.end > w.start]
    if len(timed) >= n:
        return max(0.0, end - timed[-n].start)
    return 0.3 * n
