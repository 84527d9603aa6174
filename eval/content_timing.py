"""Floor-transfer offsets by what was said, measured from the audio.

Each speaker change of a timeline is classified from its text (after a question or
a statement; a preferred or a dispreferred response, see
:func:`duplex.content_timing.classify_transition`); its FTO is measured from the
voice-activity intervals (IPUs) of the two channels: the next turn's first IPU
onset minus the previous turn's last IPU offset. The rows compare the medians with
the conversation-analysis expectations: answers to questions come sooner, and
dispreferred responses later.

These rows are tuned, not held out: ``fto_question_shift`` and ``fto_dispreferred_shift``
set the offsets they measure (docs/reference_stats.md). They are measured from the audio,
so a TTS that pads or shifts the speech moves them where the timeline would not.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from duplex.content_timing import classify_transition
from duplex.records import CHANNEL_OF, Timeline
from eval.realism import RealismRow, make_row

__all__ = ["ftos_by_content", "content_timing_rows", "SLACK", "QUESTION_FTO_RANGE"]

#: an IPU belongs to a turn when it lies within the turn's span widened by this (s)
SLACK = 0.3

#: range of the median FTO after questions (s): Stivers et al. 2009's language medians run from
#: English's 0 to +300 ms, and English is the lowest, so a corpus that matches English sits on
#: the lower edge. The edge is 100 ms below it, about 2.5 standard errors of a corpus's median:
#: re-timing one 20-dialogue corpus with six seeds moved its median after questions by SD 38 ms
#: (-6..+89 ms), and with 0 as the edge one of the six failed although the model had not changed
QUESTION_FTO_RANGE = (-0.1, 0.3)


def _turn_spans(timeline: Timeline) -> list[tuple[int, str, float, float, str]]:
    """(turn index, speaker, start, end, text) of each turn (its segments joined), in order."""
    turns: dict[int, list] = {}
    for s in timeline.segments:
        if s.kind != "turn" or s.turn_index is None:
            continue
        t = turns.setdefault(s.turn_index, [s.speaker, s.start, s.end, []])
        t[1], t[2] = min(t[1], s.start), max(t[2], s.end)
        t[3].append((s.start, s.text))
    return [(i, t[0], t[1], t[2], " ".join(x for _, x in sorted(t[3]))) for i, t in sorted(turns.items())]


def ftos_by_content(timeline: Timeline, ipu_spans: Sequence[Sequence[float]]) -> dict[str, list[float]]:
    """Audio-measured FTO of each speaker change, keyed by "question"/"statement" and
    "dispreferred"/"preferred" (one change counts under both of its classes).

    :param ipu_spans: ``(channel, start, end)`` speech intervals (``TurnTakingStats.ipu_spans``).
    """
    out: dict[str, list[float]] = {}
    turns = _turn_spans(timeline)
    for (_, spk0, s0, e0, text0), (_, spk1, s1, e1, text1) in zip(turns, turns[1:]):
        if spk0 == spk1:
            continue
        c0, c1 = CHANNEL_OF[spk0], CHANNEL_OF[spk1]
        prev = [e for c, s, e in ipu_spans if c == c0 and s < e0 + SLACK and e > s0 - SLACK]
        nxt = [s for c, s, e in ipu_spans if c == c1 and s > s1 - SLACK and s < e1]
        if not prev or not nxt:
            continue  # the VAD heard one of the turns nowhere near where the timeline puts it
        fto = round(min(nxt) - max(prev), 3)
        for kind in classify_transition(text0, text1):
            out.setdefault(kind, []).append(fto)
    return out


def content_timing_rows(groups: Iterable[dict[str, list[float]]]) -> list[RealismRow]:
    """Rows for the realism table from per-dialogue groups (:func:`ftos_by_content`).

    Targets: the median after questions in :data:`QUESTION_FTO_RANGE`; answers to questions
    at least 100 ms sooner (median) than responses to statements; dispreferred responses at
    least 200 ms later than preferred ones.
    """
    pooled: dict[str, list[float]] = {}
    for g in groups:
        for k, v in g.items():
            pooled.setdefault(k, []).extend(v)
    med = {k: float(np.median(v)) if v else None for k, v in pooled.items()}
    get = lambda k: med.get(k)  # noqa: E731
    diff = lambda a, b: None if get(a) is None or get(b) is None else get(a) - get(b)  # noqa: E731
    n = lambda k: len(pooled.get(k, []))  # noqa: E731
    rows = [
        (f"Median FTO after questions (n={n('question')})", get("question"), *QUESTION_FTO_RANGE, "ms"),
        (f"Median FTO after statements (n={n('statement')})", get("statement"), None, None, "ms"),
        ("Questions minus statements (median FTO)", diff("question", "statement"), None, -0.1, "ms"),
        (f"Median FTO of dispreferred responses (n={n('dispreferred')})", get("dispreferred"), None, None, "ms"),
        (f"Median FTO of preferred responses (n={n('preferred')})", get("preferred"), None, None, "ms"),
        ("Dispreferred minus preferred (median FTO)", diff("dispreferred", "preferred"), 0.2, None, "ms"),
    ]
    return [make_row(*r) for r in rows]
