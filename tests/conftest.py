"""Shared fixtures: one small corpus made with the real default stack, reused by tests."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed so a run is repeatable; draw new random
# examples each run with: HYPOTHESIS_PROFILE=explore pytest
sys.path.insert(0, str(Path(__file__).resolve().parent))  # test helpers (_require) import by name

settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep assembled models in the user's cache (they are large), but never touch the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def e2e_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-dialogue corpus: Gemma 3 270M text, the default cast (joe, Kokoro), duplex render, Whisper eval."""
    import duplexsynth.backends  # noqa: F401
    from duplexsynth.config import load_config
    from duplexsynth.pipeline import run_duplex, run_eval, run_speech, run_text

    corpus = tmp_path_factory.mktemp("e2e")
    config = load_config(None, {"dialogues": 1, "scenarios": ["booking"], "seed": 3,
                                "text": {"max_turns": 6}})
    config = replace(config, speech=replace(config.speech, cache_dir=str(corpus / "cache")))
    for run in (run_text, run_speech, run_duplex, run_eval):
        report = run(corpus, config)
        assert not report.failed, report.failed
    return corpus
