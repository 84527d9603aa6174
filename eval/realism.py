"""Corpus turn-taking statistics against the human targets of docs/reference_stats.md.

:func:`corpus_turn_taking` pools per-dialogue :class:`~eval.turn_taking.TurnTakingStats`;
:func:`format_realism_table` prints each statistic beside its human range with pass or
fail, plus the Jensen-Shannon divergence of the floor-transfer-offset histogram against
the reference Normal(+200 ms, 400 ms) clipped to [-1.0, +2.5] s, in 0.2 s bins.
Every row comes from the VAD statistics of the audio (:class:`~eval.turn_taking.TurnTakingStats`),
except the backchannel forms, whose words are the script's: a row's ``source`` says what it
is read from, and the table labels every row not read from the audio.
:func:`with_resampling` adds to each row a bootstrap interval over the dialogues and the
share of resampled corpora in which it passes, so a verdict that sampling noise decides
reads as undecided rather than as a property of the generator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import stats as scipy_stats
from scipy.spatial.distance import jensenshannon

from eval.normalize import canonical_backchannel
from eval.realism_heldout import heldout_rows
from eval.records import DialogueEval
from eval.turn_taking import TurnTakingStats

__all__ = [
    "RealismRow",
    "TurnTakingReport",
    "corpus_turn_taking",
    "realism_from_evals",
    "format_realism_table",
    "fto_histogram",
    "reference_fto_histogram",
    "jensen_shannon",
    "FTO_BIN_EDGES",
    "HUMAN_TOP_BACKCHANNELS",
    "format_value",
    "make_row",
    "between_dialogue_sd",
    "format_interval",
    "with_resampling",
    "RESAMPLE_DRAWS",
    "resample_draws",
    "UNDECIDED",
]

#: FTO histogram bins (s): 0.2 s wide over the reference's clip range [-1.0, +2.5]
FTO_BIN_EDGES = np.round(np.arange(-1.0, 2.6 + 1e-9, 0.2), 3)
FTO_CLIP = (-1.0, 2.5)
REFERENCE_FTO_MEAN, REFERENCE_FTO_STD = 0.2, 0.4
#: bootstrap resamples of the dialogues behind each row's interval and pass share
RESAMPLE_DRAWS = 200
#: dialogue-draws a report may spend on resampling (a draw of n dialogues costs n, ~0.3 ms
#: each); larger corpora get fewer draws, and none where that leaves fewer than 20 (past
#: 5,000 dialogues, where a median FTO's standard error is a few milliseconds)
RESAMPLE_BUDGET = 100_000
#: a row whose pass share over the resamples lies in this range is undecided (sampling noise)
UNDECIDED = (0.05, 0.95)
#: the four most common Switchboard backchannel forms (yeah + um-hum + uh-huh + right = 68%)
HUMAN_TOP_BACKCHANNELS = frozenset({"yeah", "mm-hmm", "uh-huh", "right"})


@dataclass(frozen=True)
class RealismRow:
    """One statistic of the corpus beside its human target.

    :param low: lower bound of the target (``None``: no lower bound).
    :param high: upper bound of the target (``None``: no upper bound).
    :param passed: ``None`` when the row has no target or no value.
    """

    name: str
    value: float | None
    low: float | None = None
    high: float | None = None
    unit: str = ""
    passed: bool | None = None
    #: a held-out check: a statistic the timing presets were not tuned to (:mod:`eval.realism_heldout`)
    heldout: bool = False
    #: 2.5th..97.5th percentile of the value over bootstrap resamples of the dialogues
    #: (:func:`with_resampling`); ``None``: not resampled, or a yes/no row
    interval: tuple[float, float] | None = None
    #: share of those resamples in which the row passes: between ~0.05 and ~0.95 the corpus
    #: is too small for the verdict to be more than sampling noise
    pass_share: float | None = None
    #: what the value is read from: "audio" (the VAD's speech intervals) or, for a row that
    #: the audio cannot give, what else ("script text"); the tables label the latter
    source: str = "audio"

    @property
    def label(self) -> str:
        """The name, with "[held-out]" and "[<source>, not audio]" where they apply."""
        return (self.name + (f" [{self.source}, not audio]" if self.source != "audio" else "")
                + (" [held-out]" if self.heldout else ""))

    @property
    def undecided(self) -> bool:
        """Whether resampling the dialogues flips the verdict often (pass share 5..95%)."""
        return self.pass_share is not None and UNDECIDED[0] <= self.pass_share <= UNDECIDED[1]

    def target_text(self) -> str:
        f = lambda x: format_value(x, self.unit)  # noqa: E731
        if self.low is None and self.high is None:
            return "-"
        if self.unit == "bool":
            return "yes"
        if self.low is None:
            return f"<= {f(self.high)}"
        if self.high is None:
            return f">= {f(self.low)}"
        return f"{f(self.low)} .. {f(self.high)}"


@dataclass(frozen=True)
class TurnTakingReport:
    """Pooled turn-taking statistics of a corpus.

    :param rows: statistics in table order, with targets where docs/reference_stats.md gives them.
    :param fto_hist: measured FTO histogram (probabilities over :data:`FTO_BIN_EDGES`).
    :param reference_hist: the reference FTO histogram over the same bins.
    :param jsd: Jensen-Shannon divergence (base 2, 0..1) between the two histograms.
    """

    num_dialogues: int
    minutes: float
    rows: tuple[RealismRow, ...]
    fto_hist: tuple[float, ...]
    reference_hist: tuple[float, ...]
    jsd: float | None
    ftos: tuple[float, ...] = ()
    #: bootstrap resamples behind the rows' intervals (0: not resampled)
    resample_draws: int = 0

    @property
    def passed(self) -> bool:
        """True when no row with a target failed."""
        return all(r.passed is not False for r in self.rows)


def format_value(x: float | None, unit: str) -> str:
    """A value in its unit: shares as %, offsets in ms, booleans as yes/no."""
    if x is None:
        return "n/a"
    if unit == "%":
        return f"{100 * x:.1f}%"
    if unit == "ms":
        return f"{1000 * x:+.0f} ms"
    if unit == "bool":
        return "yes" if x else "no"
    return f"{x:.2f}{(' ' + unit) if unit else ''}"


def reference_fto_histogram() -> np.ndarray:
    """Bin probabilities of Normal(+0.2, 0.4) clipped to [-1.0, +2.5] (clipped mass in the edge bins)."""
    cdf = scipy_stats.norm.cdf(FTO_BIN_EDGES, REFERENCE_FTO_MEAN, REFERENCE_FTO_STD)
    cdf[0], cdf[-1] = 0.0, 1.0
    return np.diff(cdf)


def fto_histogram(ftos: Iterable[float]) -> np.ndarray:
    """Bin probabilities of measured FTOs, clipped like the reference; zeros when empty."""
    values = np.clip(np.asarray(list(ftos), dtype=float), *FTO_CLIP)
    counts, _ = np.histogram(values, bins=FTO_BIN_EDGES)
    return counts / counts.sum() if counts.sum() else counts.astype(float)


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in bits (0 = same, 1 = disjoint) of two distributions
    (normalized here); scipy returns the distance, its square root."""
    return float(jensenshannon(p, q, base=2)) ** 2


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def make_row(name: str, value: float | None, low: float | None, high: float | None, unit: str,
             heldout: bool = False, source: str = "audio") -> RealismRow:
    """A :class:`RealismRow` judged against ``low``/``high`` (value rounded to 0.1 ms)."""
    passed = None
    if value is not None and (low is not None or high is not None):
        passed = (low is None or value >= low) and (high is None or value <= high)
    return RealismRow(name, None if value is None else round(float(value), 4), low, high, unit, passed, heldout,
                      source=source)


def between_dialogue_sd(stats: Sequence[TurnTakingStats]) -> float | None:
    """Unbiased (ddof=1) standard deviation of the dialogues' median FTOs; ``None`` below
    three dialogues with three floor transfers each."""
    medians = [float(np.median(s.ftos)) for s in stats if len(s.ftos) >= 3]
    return float(np.std(medians, ddof=1)) if len(medians) >= 3 else None


def corpus_turn_taking(stats: Iterable[TurnTakingStats], backchannel_texts: Iterable[str] = ()) -> TurnTakingReport:
    """Pool per-dialogue statistics and compare them with the human targets.

    :param stats: one :class:`TurnTakingStats` per dialogue (e.g. from
        ``TurnTakingStats.from_dict(dialogue_eval.metrics["turn_taking"])``).
    :param backchannel_texts: the words of each backchannel as the script has them (the row's
        ``source`` says so), for the share of the four human top forms; empty leaves it n/a.
    """
    stats = list(stats)
    minutes = sum(s.minutes for s in stats)
    ftos = [f for s in stats for f in s.ftos]
    pauses = [p for s in stats for p in s.pauses]
    gaps = [g for s in stats for g in s.gaps]
    n_bc = sum(len(s.backchannels) for s in stats)
    n_turns = sum(s.num_turns for s in stats)
    speech = sum(s.speech_time for s in stats)
    forms = Counter(canonical_backchannel(t) for t in backchannel_texts)
    forms.pop("", None)
    per_min = (lambda n: n / minutes) if minutes > 0 else (lambda n: None)
    median = lambda xs: float(np.median(xs)) if xs else None  # noqa: E731
    n_fto = len(ftos)
    rows = [
        make_row("Overlapping floor transfers (FTO<0)", _share(sum(f < 0 for f in ftos), n_fto), 0.25, 0.45, "%"),
        make_row("|FTO| < 500 ms", _share(sum(abs(f) < 0.5 for f in ftos), n_fto), 0.70, 0.85, "%"),
        make_row("Median FTO", median(ftos), 0.05, 0.25, "ms"),
        make_row("FTO > 1 s", _share(sum(f > 1.0 for f in ftos), n_fto), None, 0.10, "%"),
        make_row("Overlap share of speech time", sum(s.overlap_time for s in stats) / speech if speech else None,
                 0.03, 0.10, "%"),
        make_row("Backchannels, share of utterances", _share(n_bc, n_bc + n_turns), 0.12, 0.22, "%"),
        make_row("Backchannels per conversation-minute", per_min(n_bc), 3.0, 8.0, "/min"),
        make_row("Top-4 human BC forms (yeah, uh-huh, mm-hmm, right)",
                 _share(sum(forms[f] for f in HUMAN_TOP_BACKCHANNELS), sum(forms.values())), 0.60, None, "%",
                 source="script text"),
        make_row("Median pause > median gap",
                 None if median(pauses) is None or median(gaps) is None else float(median(pauses) > median(gaps)),
                 1.0, None, "bool"),
        # per-dialogue tempo (TimingConfig.dialogue_fto_sd) sets this spread: a tuned row
        make_row("Between-dialogue SD of median FTO (unbiased)", between_dialogue_sd(stats), 0.05, None, "ms"),
        make_row("IPUs per minute", per_min(sum(sum(s.ipus) for s in stats)), None, None, "/min"),
        make_row("Pauses per minute", per_min(len(pauses)), None, None, "/min"),
        make_row("Gaps per minute", per_min(len(gaps)), None, None, "/min"),
        make_row("Overlaps per minute (between + within)",
                 per_min(sum(len(s.overlaps_between) + len(s.overlaps_within) for s in stats)), None, None, "/min"),
        make_row("Median pause", median(pauses), None, None, "ms"),
        make_row("Median gap", median(gaps), None, None, "ms"),
        make_row("Mean IPU duration", float(np.mean([d for s in stats for d in s.ipu_durations]))
                 if any(s.ipu_durations for s in stats) else None, None, None, "s"),
        *heldout_rows(stats),
    ]
    hist, ref = fto_histogram(ftos), reference_fto_histogram()
    return TurnTakingReport(
        num_dialogues=len(stats), minutes=round(minutes, 3), rows=tuple(rows),
        fto_hist=tuple(float(x) for x in hist), reference_hist=tuple(float(x) for x in ref),
        jsd=round(jensen_shannon(hist, ref), 4) if n_fto else None, ftos=tuple(ftos),
    )


def with_resampling(report: TurnTakingReport, rows_of: Callable[[Sequence[int]], Sequence[RealismRow]],
                    num_dialogues: int, draws: int = RESAMPLE_DRAWS, seed: int = 0) -> TurnTakingReport:
    """``report`` with each row's bootstrap interval and pass share over resampled dialogues.

    A corpus of 20 dialogues measures a median FTO to within tens of milliseconds only, so a
    row near a target's edge can pass or fail by the draw of the corpus; the pass share says
    how often it would over corpora resampled (with replacement) from these dialogues.

    :param rows_of: the rows of the corpus made of the dialogues at the given indices
        (repeats allowed), in the order of ``report.rows``.
    """
    if num_dialogues < 2 or draws < 1:
        return report
    rng = np.random.default_rng(seed)
    values: list[list[float]] = [[] for _ in report.rows]
    passes: list[list[bool]] = [[] for _ in report.rows]
    for _ in range(draws):
        rows = rows_of(rng.integers(0, num_dialogues, num_dialogues).tolist())
        if len(rows) != len(report.rows):
            raise ValueError(f"a resample gave {len(rows)} realism rows, the corpus {len(report.rows)}")
        for i, r in enumerate(rows):
            if r.value is not None:
                values[i].append(r.value)
            if r.passed is not None:
                passes[i].append(r.passed)
    out = []
    for r, v, p in zip(report.rows, values, passes):
        interval = None
        if r.unit != "bool" and len(v) >= draws / 2:
            interval = (round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4))
        share = round(float(np.mean(p)), 3) if p and r.passed is not None else None
        out.append(replace(r, interval=interval, pass_share=share))
    return replace(report, rows=tuple(out), resample_draws=draws)


def resample_draws(num_dialogues: int) -> int:
    """Draws for a corpus of ``num_dialogues``: :data:`RESAMPLE_DRAWS` up to 500 dialogues, fewer
    above (:data:`RESAMPLE_BUDGET`), 0 from 5,001 on."""
    draws = min(RESAMPLE_DRAWS, RESAMPLE_BUDGET // max(num_dialogues, 1))
    return draws if draws >= 20 else 0


def format_interval(row: RealismRow) -> str:
    """The row's resampled interval in its unit ("+32 ms .. +96 ms"), or "-"."""
    if row.interval is None:
        return "-"
    return f"{format_value(row.interval[0], row.unit)} .. {format_value(row.interval[1], row.unit)}"


def format_realism_table(report: TurnTakingReport) -> str:
    """A plain-text table: statistic, measured value, human target, PASS/FAIL, and where the
    dialogues were resampled, the 95% interval and the share of resamples that pass."""
    resampled = report.resample_draws > 0
    header = ("Statistic (measured from audio by VAD)", "Measured", "Human target", "Result",
              *(("95% interval", "Passes in") if resampled else ()))
    lines = [(r.label, format_value(r.value, r.unit), r.target_text(),
              "-" if r.passed is None else ("PASS" if r.passed else "FAIL"),
              *((format_interval(r), "-" if r.pass_share is None else f"{100 * r.pass_share:.0f}%")
                if resampled else ())) for r in report.rows]
    lines.append(("JSD of FTO histogram vs Normal(+200ms,400ms)", "n/a" if report.jsd is None else f"{report.jsd:.3f}",
                  "0 = same, 1 = disjoint", "-", *(("-", "-") if resampled else ())))
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    fmt = lambda row: "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()  # noqa: E731
    checked = [r for r in report.rows if r.passed is not None]
    out = [f"Turn-taking realism: {report.num_dialogues} dialogue(s), {report.minutes:.1f} min, "
           f"{len(report.ftos)} floor transfers", fmt(header), fmt(tuple("-" * w for w in widths))]
    out += [fmt(row) for row in lines]
    tuned = [r for r in checked if not r.heldout]
    held = [r for r in checked if r.heldout]
    out.append(f"{sum(bool(r.passed) for r in tuned)}/{len(tuned)} targets met"
               + (f"; held-out checks: {sum(bool(r.passed) for r in held)}/{len(held)}" if held else ""))
    undecided = [r for r in checked if r.undecided]
    if resampled:
        out.append(f"{len(undecided)} row(s) undecided: their verdict flips in {100 * UNDECIDED[0]:.0f}% or more "
                   f"of {report.resample_draws} corpora resampled from these dialogues"
                   + (f" ({', '.join(r.name for r in undecided)}); more dialogues decide them" if undecided else ""))
    return "\n".join(out)


def realism_from_evals(dialogue_evals: Iterable[DialogueEval],
                       backchannel_texts: Iterable[str] = ()) -> TurnTakingReport:
    """:func:`corpus_turn_taking` over the ``metrics["turn_taking"]`` that the eval stage stored.

    Dialogues evaluated without turn-taking statistics are skipped.
    """
    stats = [TurnTakingStats.from_dict(e.metrics["turn_taking"]) for e in dialogue_evals if "turn_taking" in e.metrics]
    return corpus_turn_taking(stats, backchannel_texts)
