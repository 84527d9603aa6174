"""Held-out realism checks: statistics the timing presets were NOT tuned to.

The tuned rows of :mod:`eval.realism` are the nine targets the presets were fitted to, so
passing them is partly circular. These rows look at other properties of human dialogue:

* IPU durations: median in a human range, and right-skewed (mean above median), as talkspurt
  durations are (Brady 1968; ITU-T P.59 gives a mean talkspurt of about 1.0 s [S]);
* overlap durations: roughly log-normal (Laskowski, Heldner & Edlund, Interspeech 2012 [P
  abstract]), checked by the Kolmogorov-Smirnov distance of a log-normal fit, and a median
  near the mean double-talk of ITU-T P.59 (about 0.23 s [S]);
* the floor-transfer offset after questions (answers: language medians 0 (English) .. +300 ms
  in Stivers et al. 2009, PNAS [Q]; the range reaches 100 ms below English's 0, see
  :data:`QUESTION_FTO_RANGE`) and whether answers to questions come faster than replies to statements
  (an engineering expectation: a question selects the next speaker);
* per-dialogue variation: dialogues differ (Cavalcanti & Skantze, Interspeech 2025, find a
  strong per-dyad component in Fisher [P abstract]); the floor of 50 ms between-dialogue
  standard deviation of the median FTO is an engineering choice.

[S]/[Q]/[P] as in REFERENCE_STATS.md; the ITU-T P.59 figures are quoted from secondary memory.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from duplex.records import Timeline
from eval.turn_taking import TurnTakingStats

__all__ = ["heldout_rows", "question_ftos", "lognormal_ks", "QUESTION_FTO_RANGE"]

#: fewest values a distribution row needs before it is judged
MIN_VALUES = 8

#: range of the median FTO after questions (s): Stivers et al.'s language medians run from
#: English's 0 to +300 ms, and English is the lowest, so a corpus that matches English sits on
#: the lower edge. The edge is 100 ms below it, about 2.5 standard errors of a corpus's median:
#: re-timing one 20-dialogue corpus with six seeds moved its median after questions by SD 38 ms
#: (-6..+89 ms), and with 0 as the edge one of the six failed although the model had not changed
QUESTION_FTO_RANGE = (-0.1, 0.3)


def lognormal_ks(values: Sequence[float]) -> float | None:
    """Kolmogorov-Smirnov distance between ``values`` (> 0) and their maximum-likelihood log-normal."""
    x = np.sort(np.asarray([v for v in values if v > 0], dtype=float))
    if x.size < MIN_VALUES:
        return None
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std()) or 1e-6
    cdf = np.array([0.5 * (1 + math.erf((v - mu) / (sigma * math.sqrt(2)))) for v in logs])
    n = x.size
    return float(max(np.max(np.arange(1, n + 1) / n - cdf), np.max(cdf - np.arange(n) / n)))


def question_ftos(timelines: Iterable[Timeline]) -> tuple[list[float], list[float]]:
    """Floor-transfer offsets on the timelines after a turn ending in a question, and after others."""
    questions, statements = [], []
    for tl in timelines:
        turns: list[list] = []
        for seg in sorted((s for s in tl.segments if s.kind == "turn"), key=lambda s: s.start):
            if turns and turns[-1][-1].turn_index == seg.turn_index:
                turns[-1].append(seg)
            else:
                turns.append([seg])
        for prev, nxt in zip(turns, turns[1:]):
            if prev[-1].speaker == nxt[0].speaker:
                continue
            fto = nxt[0].start - max(s.end for s in prev)
            (questions if prev[-1].text.rstrip().endswith("?") else statements).append(fto)
    return questions, statements


def _row(name: str, value: float | None, low: float | None, high: float | None, unit: str):  # type: ignore[no-untyped-def]
    from eval.realism import _row as make_row

    return make_row(name, value, low, high, unit, heldout=True)


def heldout_rows(stats: Sequence[TurnTakingStats], timelines: Sequence[Timeline] = ()) -> list:  # type: ignore[type-arg]
    """The held-out :class:`~eval.realism.RealismRow` s of a corpus (``heldout=True``)."""
    ipus = [d for s in stats for d in s.ipu_durations]
    overlaps = [d for s in stats for d in (*s.overlaps_between, *s.overlaps_within)]
    median = lambda xs: float(np.median(xs)) if len(xs) >= MIN_VALUES else None  # noqa: E731
    rows = [
        _row("IPU duration, median", median(ipus), 0.6, 2.0, "s"),
        _row("IPU durations right-skewed (mean > 1.1 x median)",
             None if median(ipus) is None else float(np.mean(ipus) > 1.1 * float(np.median(ipus))), 1.0, None, "bool"),
        _row("Overlap duration, median", median(overlaps), 0.1, 0.5, "s"),
        _row("Overlap durations log-normal (KS distance of fit)", lognormal_ks(overlaps), None, 0.2, ""),
    ]
    questions, statements = question_ftos(timelines)
    rows.append(_row("Median FTO after questions", median(questions), *QUESTION_FTO_RANGE, "ms"))
    both = median(questions) is not None and median(statements) is not None
    rows.append(_row("Answers to questions faster than replies to statements",
                     float(median(questions) < median(statements)) if both else None, 1.0, None, "bool"))
    per_dialogue = [float(np.median(s.ftos)) for s in stats if len(s.ftos) >= 3]
    rows.append(_row("Between-dialogue SD of median FTO", float(np.std(per_dialogue)) if len(per_dialogue) >= 3
                     else None, 0.05, None, "ms"))
    return rows
