"""Held-out realism checks: outcomes that no timing parameter sets directly.

The tuned rows of :mod:`eval.realism` and :mod:`eval.content_timing` are what the presets
were fitted to, or what a parameter sets outright: the FTO distribution (``fto_mean``,
``fto_std``), the offset after questions (``fto_question_shift``) and before dispreferred
responses (``fto_dispreferred_shift``), and the spread of dialogues' median FTOs
(``dialogue_fto_sd``). Passing them is partly circular. The rows here are outcomes of
the TTS audio, the pause rules and the overlap placement together, measured from the audio
by VAD (``TurnTakingStats``), with no parameter aimed at them:

* IPU durations: median in a human range, and right-skewed (mean above median), as talkspurt
  durations are (Brady 1968; ITU-T P.59 gives a mean talkspurt of about 1.0 s [S]);
* overlap durations: roughly log-normal (Laskowski, Heldner & Edlund, Interspeech 2012 [P
  abstract]), checked by the Kolmogorov-Smirnov distance of a log-normal fit, and a median
  near the mean double-talk of ITU-T P.59 (about 0.23 s [S]).

[S]/[P] as in docs/reference_stats.md; the ITU-T P.59 figures are quoted from secondary memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
from scipy import stats as scipy_stats

from eval.turn_taking import TurnTakingStats

if TYPE_CHECKING:
    from eval.realism import RealismRow

__all__ = ["heldout_rows", "lognormal_ks", "MIN_VALUES"]

#: fewest values a distribution row needs before it is judged
MIN_VALUES = 8


def lognormal_ks(values: Sequence[float]) -> float | None:
    """Kolmogorov-Smirnov distance between ``values`` (> 0) and their maximum-likelihood log-normal.

    :return: the distance (0..1), or ``None`` with fewer than :data:`MIN_VALUES` positive values.
    """
    x = np.asarray([v for v in values if v > 0], dtype=float)
    if x.size < MIN_VALUES:
        return None
    shape, loc, scale = scipy_stats.lognorm.fit(x, floc=0)  # closed form with loc fixed: exp(mean), SD of logs
    # "asymp": only the statistic is used, and the exact p-value costs twice the time
    return float(scipy_stats.ks_1samp(x, scipy_stats.lognorm.cdf, args=(max(shape, 1e-6), loc, scale),
                                      method="asymp").statistic)


def _median(values: Sequence[float]) -> float | None:
    return float(np.median(values)) if len(values) >= MIN_VALUES else None


def heldout_rows(stats: Sequence[TurnTakingStats]) -> list[RealismRow]:
    """The held-out :class:`~eval.realism.RealismRow` s of a corpus (``heldout=True``)."""
    from eval.realism import make_row  # eval.realism imports this module

    ipus = [d for s in stats for d in s.ipu_durations]
    overlaps = [d for s in stats for d in (*s.overlaps_between, *s.overlaps_within)]
    ipu_median = _median(ipus)
    return [
        make_row("IPU duration, median", ipu_median, 0.6, 2.0, "s", heldout=True),
        make_row("IPU durations right-skewed (mean > 1.1 x median)",
                 None if ipu_median is None else float(np.mean(ipus) > 1.1 * ipu_median), 1.0, None, "bool",
                 heldout=True),
        make_row("Overlap duration, median", _median(overlaps), 0.1, 0.5, "s", heldout=True),
        make_row("Overlap durations log-normal (KS distance of fit)", lognormal_ks(overlaps), None, 0.2, "",
                 heldout=True),
    ]
