"""Config semantics a user can predict: backend options, presets by name, provenance, --overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from corpus_core.errors import ConfigError
from duplex.presets import get_preset
from duplexsynth.cli.main import cli
from duplexsynth.config import config_layers, config_to_dict, load_config
from duplexsynth.config_sources import describe_config

LOCAL = "llm: {name: openai, options: {base_url: 'http://127.0.0.1:9/v1', model: m}}\n"


def _write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_llm_option_with_the_same_name_keeps_the_config_options(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, LOCAL), {"llm": "openai"})
    assert config.llm.name == "openai"
    assert config.llm.options == {"base_url": "http://127.0.0.1:9/v1", "model": "m"}


def test_llm_option_naming_another_backend_refuses_options_it_does_not_take(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"backend 'llamacpp' takes no option\(s\) \['base_url', 'model'\]"):
        load_config(_write(tmp_path, LOCAL), {"llm": "llamacpp"})


def test_a_file_naming_another_backend_replaces_the_saved_spec(tmp_path: Path) -> None:
    saved = config_to_dict(load_config(None, {"llm": {"name": "llamacpp", "options": {"n_ctx": 1024}}}))
    config = load_config(_write(tmp_path, LOCAL), base=saved)
    assert config.llm.name == "openai" and "n_ctx" not in config.llm.options


def test_unknown_tts_option_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"tts.piper: backend 'piper' takes no option"):
        load_config(_write(tmp_path, "tts: {piper: {colour: red}}\n"))


def test_a_saved_corpus_switches_preset_cleanly(tmp_path: Path) -> None:
    saved = config_to_dict(load_config(_write(tmp_path, "duplex: {preset: lively}\n")))
    assert saved["duplex"]["timing"] == {}  # the preset is stored by name, not as resolved values
    config = load_config(_write(tmp_path, "duplex: {preset: formal}\n", "b.yaml"), base=saved)
    assert config.duplex.timing_config() == get_preset("formal")


def test_dead_sampling_keys_are_refused(tmp_path: Path) -> None:
    for key in ("seed", "stop"):
        with pytest.raises(ConfigError, match=f"unknown key.*{key}"):
            load_config(_write(tmp_path, f"text: {{params: {{{key}: 1}}}}\n"))


def test_describe_config_names_the_source_of_each_value(tmp_path: Path) -> None:
    path = _write(tmp_path, LOCAL + "duplex: {preset: lively, timing: {interruption_prob: 0.03}}\n")
    _, values = describe_config(config_layers(path, {"seed": 5, "llm": "openai"}))
    sources = {key: source for key, _, source in values}
    assert sources["seed"] == "option"
    assert sources["llm.name"] == "option"
    assert sources["llm.options.base_url"] == f"file {path}"
    assert sources["duplex.timing.interruption_prob"] == f"file {path}"
    assert sources["duplex.timing.fto_mean"] == "preset lively"
    assert sources["dialogues"] == "default"


def test_config_show_prints_values_and_sources_of_a_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    saved = config_to_dict(load_config(None, {"seed": 9, "dialogues": 4}))
    (corpus / "meta.json").write_text(json.dumps({"schema_version": 1, "config": saved}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["config", "show", str(corpus)])
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0]: line for line in result.output.splitlines()}
    assert lines["seed"].endswith("# corpus meta.json") and ": 9" in lines["seed"]
    assert lines["dialogues"].endswith("# corpus meta.json")
    assert lines["variants"].endswith("# default")


def test_overwrite_removes_only_what_a_run_made(tmp_path: Path) -> None:
    from duplexsynth.corpus_folder import clear_corpus

    corpus = tmp_path / "c"
    (corpus / "audio" / "x").mkdir(parents=True)
    (corpus / "dialogues.jsonl").write_text("{}\n")
    (corpus / "meta.json").write_text("{}")
    (corpus / "my_notes.txt").write_text("keep me")
    assert sorted(clear_corpus(corpus)) == ["audio", "dialogues.jsonl", "meta.json"]
    assert [p.name for p in corpus.iterdir()] == ["my_notes.txt"]


def test_a_config_saved_by_an_older_version_still_loads(tmp_path: Path) -> None:
    from duplex.timing import TimingConfig
    from duplexsynth.config import upgrade_saved_config

    old = config_to_dict(load_config(None))
    old["text"]["params"].update(seed=0, stop=[])
    old["eval"]["wer_threshold"] = 0.3
    old["duplex"]["timing"] = config_to_dict(TimingConfig())  # resolved values, as before
    upgraded = upgrade_saved_config(old, "meta.json")
    assert "seed" not in upgraded["text"]["params"] and "wer_threshold" not in upgraded["eval"]
    assert upgraded["duplex"]["timing"] == {}
    switched = load_config(_write(tmp_path, "duplex: {preset: formal}\n"), base=upgraded)
    assert switched.duplex.timing_config() == get_preset("formal")


def test_overwrite_with_a_config_mistake_clears_nothing(tmp_path: Path) -> None:
    """--overwrite clears only once the config and engines have passed their checks."""
    corpus = tmp_path / "c"
    (corpus / "audio").mkdir(parents=True)
    (corpus / "dialogues.jsonl").write_text('{"type": "Dialogue"}\n')
    (corpus / "meta.json").write_text('{"config": {"seed": 7}}')
    bad = _write(tmp_path, "llm: {name: no-such-llm}\n")
    result = CliRunner().invoke(cli, ["generate", "--out", str(corpus), "--overwrite", "--config", str(bad)])
    assert result.exit_code == 2 and "no-such-llm" in result.output
    assert (corpus / "dialogues.jsonl").read_text() == '{"type": "Dialogue"}\n' and (corpus / "audio").is_dir()
