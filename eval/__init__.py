"""The eval stage: ASR round trip, WER/CER/cpWER, speaker similarity, turn-taking from audio, gate, report."""

from eval.evaluate import EvalConfig, EvalTools, evaluate_timeline, load_eval_tools
from eval.gate import GateConfig, GateDecision, gate_dialogue
from eval.realism import (
    TurnTakingReport,
    corpus_turn_taking,
    format_realism_table,
    realism_from_evals,
)
from eval.records import DialogueEval, TurnEval
from eval.turn_taking import (
    TurnTakingConfig,
    TurnTakingStats,
    analyze_turn_taking,
    measure_turn_taking,
)
from eval.vad import VADConfig, get_vad

__all__ = [
    "EvalConfig",
    "EvalTools",
    "evaluate_timeline",
    "load_eval_tools",
    "GateConfig",
    "GateDecision",
    "gate_dialogue",
    "TurnTakingReport",
    "corpus_turn_taking",
    "format_realism_table",
    "realism_from_evals",
    "DialogueEval",
    "TurnEval",
    "TurnTakingConfig",
    "TurnTakingStats",
    "analyze_turn_taking",
    "measure_turn_taking",
    "VADConfig",
    "get_vad",
]
