"""Configs load from YAML/TOML, merge over a corpus's saved config, and name bad keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_core.errors import ConfigError
from duplexsynth.cli.common import build_config
from duplexsynth.config import config_to_dict, load_config


def test_toml_and_yaml_give_the_same_config(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("seed: 4\nspeech: {sampling_rate: 16000}\nduplex: {preset: lively}\n")
    (tmp_path / "a.toml").write_text("seed = 4\n[speech]\nsampling_rate = 16000\n[duplex]\npreset = 'lively'\n")
    a, b = load_config(tmp_path / "a.yaml"), load_config(tmp_path / "a.toml")
    assert a == b and a.speech.sampling_rate == 16000
    assert a.duplex.timing_config().fto_mean == pytest.approx(0.1)  # the lively preset


def test_stage_commands_keep_the_corpus_settings(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    saved = config_to_dict(load_config(None, {"seed": 7, "dialogues": 2, "speech": {"target_lufs": -20.0}}))
    (corpus / "meta.json").write_text(json.dumps({"config": saved}))
    (tmp_path / "over.yaml").write_text("speech: {sampling_rate: 16000}\n")
    config = build_config(tmp_path / "over.yaml", corpus)
    assert config.seed == 7 and config.dialogues == 2
    assert config.speech.target_lufs == -20.0 and config.speech.sampling_rate == 16000
    assert build_config(None, corpus, seed=3).seed == 3


def test_wrong_type_is_named() -> None:
    with pytest.raises(ConfigError, match=r"speech.sampling_rate: expected int"):
        load_config(None, {"speech": {"sampling_rate": "fast"}})
