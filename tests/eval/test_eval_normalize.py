"""Normalization: Whisper-style English, numbers both ways, backchannels and fillers apart."""

from __future__ import annotations

import pytest

from corpus_core.errors import ConfigError
from eval.cpwer import cp_wer
from eval.gate import GateConfig
from eval.normalize import canonical_backchannel, normalize_text
from eval.wer import word_errors


@pytest.mark.parametrize("ref, hyp", [
    ("See you at seven fifteen.", "See you at 7.15"),
    ("See you at seven fifteen.", "see you at 7:15"),
    ("That is forty-two dollars.", "That's $42."),
    ("I can't find the colour.", "I cannot find the color"),
    ("Two point five percent", "2.5%"),
    ("Um, well, I think so.", "Well I think so"),
    ("Mister Miller", "Mr. Miller"),
    ("In nineteen ninety nine", "In 1999"),
])
def test_equivalent_forms_score_zero(ref: str, hyp: str) -> None:
    assert word_errors(ref, hyp).errors == 0, (normalize_text(ref), normalize_text(hyp))


def test_backchannels_survive_and_are_scored_apart() -> None:
    # Whisper's own normalizer turns "Mm-hmm." into "" and "uh-huh" into "huh"
    assert normalize_text("Mm-hmm.") == "mm-hmm"
    assert normalize_text("Uh-huh!") == "uh-huh"
    assert canonical_backchannel("Hmm.") == canonical_backchannel("mhm") == "mm-hmm"
    assert word_errors("Mm-hmm.", "Hmm.", backchannel=True).errors == 0
    assert word_errors("Yeah.", "Okay.", backchannel=True).errors == 1
    assert normalize_text("uh I um see", keep_fillers=True) == "uh i um see"


def test_cpwer_finds_the_speaker_permutation() -> None:
    result = cp_wer({"A": "hello there", "B": "seven fifteen"}, {"x": "7:15", "y": "hello there"})
    assert result.errors == 0 and result.length == 4


def test_gate_config_rejects_unknown_action() -> None:
    with pytest.raises(ConfigError, match="drop, resynthesize, flag"):
        GateConfig(action="delete")
