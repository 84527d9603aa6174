"""The quality gate: what to do with a dialogue whose turns came back above a WER threshold.

The decision is pure (:func:`gate_dialogue`); the pipeline acts on it: it drops the
dialogue, re-synthesizes the listed turns with another seed and evaluates again, or
keeps the dialogue with its turns flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from corpus_core.errors import ConfigError
from eval.records import TurnEval
from eval.respell import missed_names, name_words

__all__ = ["GateConfig", "GateDecision", "gate_dialogue", "turns_above", "failing_segments", "flag_segments", "share_above",
           "turns_with_missed_names", "GATE_ACTIONS", "GATE_UNITS"]

#: what the gate may do with a dialogue that has turns above the threshold
GATE_ACTIONS = ("drop", "resynthesize", "flag")
#: what the WER threshold is applied to: a whole turn (its segments pooled) or each segment
GATE_UNITS = ("turn", "segment")


@dataclass(frozen=True)
class GateConfig:
    """Options of the WER gate."""

    #: "drop" the dialogue, "resynthesize" the bad turns, or "flag" them and keep the dialogue
    action: str = "flag"
    #: a turn whose WER is above this fails the gate
    wer_threshold: float = 0.3
    #: "turn": the threshold applies to each turn's WER, its segments pooled; "segment": to
    #: each segment alone (a turn is cut into segments at the pauses the timing model drew,
    #: so a short segment with one error, "In a team," heard as "And a team,", fails a turn
    #: that is 95% right, and whether a turn fails then depends on where its pauses fell)
    per: str = "turn"
    #: re-synthesis rounds before ``on_exhausted`` applies
    max_retries: int = 2
    #: what happens when re-synthesis rounds are used up: "drop" or "flag"
    on_exhausted: str = "drop"
    #: let backchannel segments fail the gate too (their WER is noisy; off by default)
    include_backchannels: bool = False
    #: a turn with a misheard name (a place, restaurant or person the ASR wrote as other
    #: words) fails the gate whatever its WER: in task-oriented data the name is the content
    check_names: bool = True
    #: a deterministic engine's later rounds give it respellings of the names the ASR missed
    #: (:func:`eval.respell.respellings`; the transcript keeps the name)
    respell_names: bool = True
    #: turns unlike their own speaker (speaker-similarity outliers) fail the gate too
    speaker_outliers: bool = False
    #: the two speakers' voices are too alike above this cosine (``None``: not checked);
    #: re-synthesis cannot fix it, so it drops or flags the dialogue
    max_between_similarity: float | None = None

    def __post_init__(self) -> None:
        if self.action not in GATE_ACTIONS:
            raise ConfigError(f"gate.action is {self.action!r}; use one of {', '.join(GATE_ACTIONS)}")
        if self.per not in GATE_UNITS:
            raise ConfigError(f"gate.per is {self.per!r}; use one of {', '.join(GATE_UNITS)}")
        if self.on_exhausted not in ("drop", "flag"):
            raise ConfigError(f"gate.on_exhausted is {self.on_exhausted!r}; use 'drop' or 'flag'")
        if self.max_retries < 0 or not 0.0 <= self.wer_threshold:
            raise ConfigError("gate.max_retries must be >= 0 and gate.wer_threshold >= 0")


@dataclass(frozen=True)
class GateDecision:
    """What the gate decided for one dialogue.

    :param action_taken: "pass" (nothing above the threshold), "drop", "resynthesize" or "flag".
    :param turns_to_resynthesize: turn indices to speak again (only for "resynthesize").
    :param reason: one line for logs and the report.
    :param failed_turns: turn indices above the threshold.
    """

    action_taken: str
    turns_to_resynthesize: list[int] = field(default_factory=list)
    reason: str = ""
    failed_turns: list[int] = field(default_factory=list)

    @property
    def keep(self) -> bool:
        """True when the dialogue stays in the corpus as it is now."""
        return self.action_taken in ("pass", "flag")


def turns_above(turn_evals: Sequence[TurnEval], threshold: float, include_backchannels: bool = False) -> list[TurnEval]:
    """The scored segments whose own WER is above ``threshold``."""
    return [e for e in turn_evals
            if (e.kind == "turn" or include_backchannels) and e.ref_words > 0 and e.wer > threshold]


def _turn_wers(turn_evals: Sequence[TurnEval]) -> dict[int, float]:
    """Turn index -> the turn's WER, its segments pooled (turns with reference words only)."""
    totals: dict[int, list[int]] = {}
    for e in turn_evals:
        if e.kind == "turn" and e.turn_index is not None and e.ref_words > 0:
            t = totals.setdefault(e.turn_index, [0, 0])
            t[0] += e.errors
            t[1] += e.ref_words
    return {k: errors / ref for k, (errors, ref) in totals.items()}


def failing_segments(turn_evals: Sequence[TurnEval], config: GateConfig) -> list[TurnEval]:
    """The segments that fail the WER threshold under ``config.per``: every segment of a turn
    whose pooled WER is above it ("turn"), or each segment above it ("segment"); backchannel
    segments are judged alone, and only with ``include_backchannels``."""
    alone = turns_above(turn_evals, config.wer_threshold, config.include_backchannels)
    if config.per == "segment":
        return alone
    over = {k for k, w in _turn_wers(turn_evals).items() if w > config.wer_threshold}
    return [e for e in turn_evals if e.kind == "turn" and e.turn_index in over and e.ref_words > 0] + [
        e for e in alone if e.kind != "turn"]


def flag_segments(turn_evals: Sequence[TurnEval], config: GateConfig) -> list[TurnEval]:
    """``turn_evals`` with ``flagged`` set on the turn segments that fail the gate: above its WER
    threshold (:func:`failing_segments`) or, with ``check_names``, in a turn whose name the ASR
    missed (a misheard name fails the gate whatever the turn's WER)."""
    failing = {id(e) for e in failing_segments(turn_evals, config)}
    misheard = set(turns_with_missed_names(turn_evals)) if config.check_names else set()
    return [replace(e, flagged=e.kind == "turn" and (id(e) in failing or e.turn_index in misheard))
            for e in turn_evals]


def share_above(turn_evals: Sequence[TurnEval], threshold: float, per: str = "turn") -> float:
    """Share of turns (``per="turn"``, segments pooled) or turn segments (``per="segment"``) with
    WER above ``threshold``; 0 when there are none."""
    if per == "turn":
        wers = list(_turn_wers(turn_evals).values())
        return sum(w > threshold for w in wers) / len(wers) if wers else 0.0
    turns = [e for e in turn_evals if e.kind == "turn" and e.ref_words > 0]
    return sum(e.wer > threshold for e in turns) / len(turns) if turns else 0.0


def turns_with_missed_names(turn_evals: Sequence[TurnEval]) -> list[int]:
    """Turn indices whose reference has a name (see :func:`eval.respell.name_words`; names are
    collected over the whole dialogue) that the ASR deleted or wrote as other words."""
    turns = [e for e in turn_evals if e.kind == "turn" and e.turn_index is not None]
    names = name_words(e.reference for e in turns)
    if not names:
        return []
    # a turn's segments joined in time order: a name word the ASR put in the neighbouring
    # segment of the same turn is heard all the same
    pooled: dict[int, tuple[list[str], list[str]]] = {}
    for e in sorted(turns, key=lambda e: e.start):
        ref, hyp = pooled.setdefault(e.turn_index, ([], []))  # type: ignore[arg-type]
        ref.append(e.reference)
        hyp.append(e.hypothesis)
    return sorted(k for k, (ref, hyp) in pooled.items() if missed_names(" ".join(ref), " ".join(hyp), names))


def gate_dialogue(turn_evals: Sequence[TurnEval], config: GateConfig, attempt: int = 0,
                  metrics: dict[str, Any] | None = None) -> GateDecision:
    """Decide what to do with one evaluated dialogue.

    :param turn_evals: every :class:`TurnEval` of the dialogue.
    :param attempt: re-synthesis rounds already done for this dialogue.
    :param metrics: the dialogue's metrics; their ``speaker_similarity`` can fail it too
        (see ``speaker_outliers`` and ``max_between_similarity``).
    """
    bad = failing_segments(turn_evals, config)
    failed = {e.turn_index for e in bad if e.turn_index is not None}
    misheard = set(turns_with_missed_names(turn_evals)) - failed if config.check_names else set()
    similarity = (metrics or {}).get("speaker_similarity") or {}
    outliers = set(similarity.get("outliers", ())) if config.speaker_outliers else set()
    between = similarity.get("between")
    if config.max_between_similarity is not None and between is not None and between > config.max_between_similarity:
        final = "flag" if config.action == "flag" or (config.action == "resynthesize" and config.on_exhausted == "flag") else "drop"
        return GateDecision(final, reason=f"speakers too alike (cosine {between:.2f} > {config.max_between_similarity:.2f})",
                            failed_turns=sorted(failed))
    failed = sorted(failed | misheard | outliers)
    if not bad and not misheard and not outliers:
        return GateDecision("pass", reason=f"no turn above WER {config.wer_threshold:.2f}")
    if config.per == "segment":
        above = f"{len(bad)} segment(s)"
    else:  # the failing turns, each once, and any backchannel judged alone
        above = f"{len({e.turn_index for e in bad if e.kind == 'turn'}) + sum(e.kind != 'turn' for e in bad)} turn(s)"
    what = f"{above} above WER {config.wer_threshold:.2f}" + (
        f", {len(misheard)} more with a misheard name" if misheard else "") + (
        f", {len(outliers)} turn(s) unlike their speaker" if outliers else "") + f" (turns {failed})"
    if config.action == "flag":
        return GateDecision("flag", reason=f"{what}: kept and flagged", failed_turns=failed)
    if config.action == "drop":
        return GateDecision("drop", reason=f"{what}: dialogue dropped", failed_turns=failed)
    if attempt < config.max_retries and failed:
        return GateDecision("resynthesize", list(failed),
                            f"{what}: re-synthesis round {attempt + 1} of {config.max_retries}", failed)
    final = config.on_exhausted
    return GateDecision(final, reason=f"{what} after {attempt} re-synthesis round(s): "
                        f"{'dialogue dropped' if final == 'drop' else 'kept and flagged'}", failed_turns=failed)
