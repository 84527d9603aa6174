"""Backchannels are scored as recall (heard by ASR or VAD), apart from turn WER and the gate."""

from __future__ import annotations

from eval.backchannel_recall import backchannel_recall, mark_heard
from eval.gate import GateConfig, gate_dialogue
from eval.records import TurnEval


def _bc(channel: int, start: float, hyp: str) -> TurnEval:
    return TurnEval(dialogue_id="d", channel=channel, speaker="AB"[channel], turn_index=None, kind="backchannel",
                    start=start, end=start + 0.4, reference="uh-huh", hypothesis=hyp, wer=0.0 if hyp else 1.0,
                    cer=0.0, ref_words=1, errors=0 if hyp else 1)


def test_recall_counts_what_the_asr_or_the_vad_heard() -> None:
    bcs = [_bc(0, 1.0, "Uh-huh."), _bc(1, 5.0, ""), _bc(1, 9.0, "")]
    # VAD speech on channel 1 over the second backchannel only (and speech on channel 0 at 9 s)
    marked = mark_heard(bcs, [(1, 4.9, 5.3), (0, 8.9, 9.5)])
    assert [e.heard for e in marked] == [True, True, False]
    assert backchannel_recall(marked) == {"placed": 3, "heard": 2, "heard_by_asr": 1, "recall": round(2 / 3, 4)}
    assert [e.heard for e in mark_heard(bcs, None)] == [True, False, False]


def test_an_unheard_backchannel_does_not_fail_the_gate() -> None:
    assert gate_dialogue(mark_heard([_bc(1, 5.0, "")], None), GateConfig(action="drop")).action_taken == "pass"
