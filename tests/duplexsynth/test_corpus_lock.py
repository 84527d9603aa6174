"""One run per corpus folder: a second process gets one line naming the holder's pid, exit 2;
a lock left by a killed run is taken over."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# holds the corpus lock the way every writing command does, until told to stop
HOLDER = ("import sys; from corpus_core.lock import CorpusLock\n"
          "with CorpusLock(sys.argv[1]):\n    print('locked', flush=True); sys.stdin.readline()\n")


def _holder(corpus: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(corpus)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=ENV)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "duplexsynth.cli.main", *args], capture_output=True, text=True,
                          env=ENV, timeout=300)


@pytest.fixture
def dialogues(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"type": "Dialogue", "id": "d1", "turns": [
        {"type": "Turn", "index": 0, "speaker": "A", "text": "Hello there."}]}) + "\n")
    return path


@pytest.mark.parametrize("command", [["text", "{c}", "--import", "{in}"], ["duplex", "{c}"],
                                     ["export", "{c}", "-f", "rttm"], ["report", "{c}"]])
def test_second_run_names_the_pid_and_exits_2(tmp_path: Path, dialogues: Path, command: list[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "timelines.jsonl").write_text("")
    holder = _holder(corpus)
    try:
        out = _cli(*[a.replace("{c}", str(corpus)).replace("{in}", str(dialogues)) for a in command])
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and f"(pid {holder.pid})" in lines[0] and "in use by another duplexsynth run" in lines[0]
        assert not (corpus / "dialogues.jsonl").exists()  # nothing written while locked
    finally:
        holder.communicate("\n", timeout=30)


def test_lock_of_a_killed_run_is_taken_over(tmp_path: Path, dialogues: Path) -> None:
    corpus = tmp_path / "corpus"
    holder = _holder(corpus)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    assert (corpus / ".lock").read_text().strip() == str(holder.pid)  # the dead run's pid is still in the file
    (corpus / ".dsx-tmp-dialogues.jsonl.1.abcd.jsonl").write_text("half")  # a temp file the killed run left
    out = _cli("text", str(corpus), "--import", str(dialogues))
    assert out.returncode == 0, out.stderr
    assert '"id": "d1"' in (corpus / "dialogues.jsonl").read_text()
    assert not list(corpus.glob(".dsx-tmp-*"))  # swept on start
    holder2 = _holder(corpus)  # and the lock is free again after the run
    holder2.communicate("\n", timeout=30)
