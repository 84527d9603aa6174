"""Eval-stage records: per-turn and per-dialogue round-trip results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus_core.record import Record
from speech.records import Word

__all__ = ["TurnEval", "DialogueEval"]


@dataclass(frozen=True)
class TurnEval(Record):
    """How one placed segment came back through ASR.

    :param reference: the text the Timeline says is audible.
    :param hypothesis: the ASR words assigned to this segment by time.
    """

    dialogue_id: str
    channel: int
    speaker: str
    turn_index: int | None
    kind: str
    start: float
    end: float
    reference: str
    hypothesis: str
    wer: float
    cer: float
    ref_words: int
    errors: int
    words: tuple[Word, ...] = ()
    flagged: bool = False
    #: backchannels only: the ASR or the VAD heard it (scored as recall, not WER)
    heard: bool | None = None



@dataclass(frozen=True)
class DialogueEval(Record):
    """Totals for one dialogue: pooled WER/CER and anything later metrics add.

    WER here is pooled: total word errors over total reference words, per channel
    and over both channels.
    """

    dialogue_id: str
    wer: float
    cer: float
    ref_words: int
    errors: int
    channel_wer: dict[str, float] = field(default_factory=dict)
    num_turns: int = 0
    duration: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)
