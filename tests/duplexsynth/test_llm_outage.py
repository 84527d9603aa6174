"""A real llama.cpp server (``python -m llama_cpp.server``) on 127.0.0.1, run by the test.

* Outage: the server is killed mid-run; the openai backend retries with jittered back-off, then
  each remaining dialogue fails with its reason (exit 1); the dialogue already written
  stays byte for byte; after a restart a rerun completes and failures.jsonl is clean.
* Keys: the server requires a key. A wrong key stops the run at the first call with one
  line and exit 2; the right key comes only from the environment and appears in no file
  of the corpus and no log line.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _require import require

REPO = Path(__file__).resolve().parents[2]
KEY = "sk-test-SECRET123"
CONFIG = """\
dialogues: 3
scenarios: [booking]
seed: 2
llm:
  name: openai
  options: {base_url: "http://127.0.0.1:%d/v1", model: gemma, endpoint: completions, api_key_env: DSX_TEST_KEY,
            max_retries: 3, backoff: 0.2, max_backoff: 1.0, timeout: 60}
text: {max_turns: 4}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int) -> subprocess.Popen:
    require("llama_cpp.server")
    requests = require("requests")
    from text_dialogue.llm.llamacpp import default_gguf_path

    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "2", "--n_ctx", "2048", "--api_key", KEY],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(480):  # up to 120 s on a busy machine
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/v1/models", timeout=1,
                            headers={"Authorization": f"Bearer {KEY}"}).ok:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.25)
    proc.kill()
    pytest.fail("llama_cpp.server did not become ready")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


def _text(corpus: Path, config: Path, key: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DSX_TEST_KEY": key, "DUPLEXSYNTH_LOG": "INFO"}
    return subprocess.Popen([sys.executable, "-m", "duplexsynth.cli.main", "text", str(corpus), "--config",
                             str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def _groups(path: Path) -> list[bytes]:
    data = path.read_bytes() if path.is_file() else b""
    out, pending = [], b""
    for line in data.splitlines(keepends=True):
        pending += line
        if b'"GroupEnd"' in line:
            out.append(pending)
            pending = b""
    return out


@pytest.mark.slow
def test_server_killed_mid_run_then_rerun_completes(tmp_path: Path) -> None:
    port = _free_port()
    config, corpus = tmp_path / "run.yaml", tmp_path / "corpus"
    config.write_text(CONFIG % port)
    server = _start_server(port)
    try:
        run = _text(corpus, config, KEY)
        deadline = time.monotonic() + 900
        while not _groups(corpus / "dialogues.jsonl"):  # wait for the first finished dialogue
            assert run.poll() is None, run.communicate()[0]
            assert time.monotonic() < deadline, "no dialogue written in 15 minutes"
            time.sleep(0.2)
        _stop(server)  # the outage
        first = _groups(corpus / "dialogues.jsonl")
        log, _ = run.communicate(timeout=600)
    finally:
        _stop(server)
    assert run.returncode == 1, log
    # doubling back-off from 0.2 s, up to half of each wait taken off at random (jitter), printed to 0.1 s
    waits = [(int(n), float(w)) for n, w in re.findall(r"retry (\d) of 3 in ([\d.]+) s", log)]
    assert {n for n, _ in waits} == {1, 2, 3}, log
    assert all(0.1 * 2 ** (n - 1) - 0.05 <= w <= 0.2 * 2 ** (n - 1) + 0.05 for n, w in waits), waits
    failures = [json.loads(line) for line in (corpus / "failures.jsonl").read_text().splitlines()]
    assert failures and {f["stage"] for f in failures} == {"text"}
    assert all("gave up after 4 tries" in f["reason"] and "ConnectionError" in f["reason"] for f in failures)
    assert len(first) + len(failures) == 3 and len(_groups(corpus / "dialogues.jsonl")) == len(first)

    server = _start_server(port)  # back up: the rerun writes only what is missing
    try:
        rerun = _text(corpus, config, KEY)
        log2, _ = rerun.communicate(timeout=1200)
    finally:
        _stop(server)
    assert rerun.returncode == 0, log2
    assert f"{3 - len(first)} written, {len(first)} already there, 0 failed" in log2
    after = _groups(corpus / "dialogues.jsonl")
    assert len(after) == 3 and after[:len(first)] == first  # the dialogues written before stay byte for byte
    assert (corpus / "failures.jsonl").read_text() == ""  # the rerun that succeeded leaves no stale failure

    # the key came from the environment only: no file of the corpus, no log line holds it
    for path in corpus.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    assert KEY not in log and KEY not in log2
    retries = [line for line in log.splitlines() if "retry" in line]
    print(f"outage: {len(first)} dialogue(s) written before the kill, {len(failures)} failed with "
          f"{failures[0]['reason']!r}; {len(retries)} retry lines, e.g. {retries[:4]}; rerun: {3 - len(first)} written")


@pytest.mark.slow
def test_wrong_key_stops_at_the_first_call_with_one_line(tmp_path: Path) -> None:
    port = _free_port()
    config, corpus = tmp_path / "run.yaml", tmp_path / "corpus"
    config.write_text(CONFIG % port)
    server = _start_server(port)
    try:
        run = _text(corpus, config, "sk-wrong-key")
        log, _ = run.communicate(timeout=600)
    finally:
        _stop(server)
    assert run.returncode == 2, log
    errors = [line for line in log.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "HTTP 401" in errors[0] and "DSX_TEST_KEY" in errors[0]
    assert "sk-wrong-key" not in log
    assert not (corpus / "failures.jsonl").exists()  # not one failure line per dialogue
    assert not (corpus / "dialogues.jsonl").exists() or _groups(corpus / "dialogues.jsonl") == []
