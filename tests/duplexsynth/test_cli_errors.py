"""Bad input gets one clear line and a non-zero exit, and nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from duplexsynth.cli.main import cli

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_missing_manifest(tmp_path: Path) -> None:
    result = _run("speak", str(tmp_path / "c"))
    assert result.exit_code == 2
    assert "dialogues.jsonl does not exist" in result.output
    assert not (tmp_path / "c" / "utterances.jsonl").exists() or (tmp_path / "c" / "utterances.jsonl").read_text() == ""


def test_corrupt_manifest_names_the_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "timelines.jsonl").write_text('{"type": "Timeline", "id": "x"}\n[1, 2]\n')
    result = _run("eval", str(corpus))
    assert result.exit_code == 2
    assert "timelines.jsonl:1" in result.output and "field duration: missing" in result.output


def test_unknown_backend_lists_the_available_ones(tmp_path: Path) -> None:
    result = _run("text", str(tmp_path / "c"), "--llm", "nope")
    assert result.exit_code == 2
    assert "llamacpp" in result.output


def test_unknown_backend_in_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text("asr: {name: nope}\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "timelines.jsonl").write_text("")
    # refused when the config is read, before any work, even with nothing to do
    result = _run("eval", str(tmp_path / "c"), "--config", str(cfg))
    assert result.exit_code == 2
    assert "unknown ASR backend 'nope'; available: faster-whisper" in result.output


def test_unknown_config_key_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "run.yaml"
    cfg.write_text("speech: {sample_rate: 16000}\n")
    result = _run("duplex", str(tmp_path / "c"), "--config", str(cfg))
    assert result.exit_code == 2
    assert "unknown key 'sample_rate'" in result.output


def _as_nobody() -> list[str]:
    """The command prefix that drops root to ``nobody`` (CI runs as root, and root writes anywhere)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    pytest.fail("running as root without setpriv: cannot test an unwritable folder as a normal user")


def test_unwritable_output_folder() -> None:
    # a folder outside pytest's root-only tmp tree, so ``nobody`` can reach it
    base = Path(tempfile.mkdtemp(prefix="dsx-unwritable-"))
    try:
        base.chmod(0o755)
        locked = base / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(base), "DUPLEXSYNTH_CACHE": str(base / "cache")}
        out = subprocess.run([*_as_nobody(), sys.executable, "-m", "duplexsynth.cli.main", "generate",
                              "--out", str(locked / "corpus"), "-n", "1"],
                             capture_output=True, text=True, env=env, cwd=base, timeout=300)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot write to the corpus folder" in lines[0] and str(locked) in lines[0]
        assert "Traceback" not in out.stderr and list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)
        shutil.rmtree(base)


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = _run("generate", "--out", str(target / "corpus"), "-n", "1")
    assert result.exit_code == 2
    assert "cannot write to the corpus folder" in result.output
