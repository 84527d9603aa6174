"""The openai backend against a real llama.cpp server on 127.0.0.1, and its retry logic."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Iterator

import pytest
from _require import require

from corpus_core.errors import BackendError
from text_dialogue.agents import AgentLoopConfig, generate_dialogue
from text_dialogue.llm.base import GenerationParams, get_llm
from text_dialogue.llm.openai import OpenAIConfig, OpenAILLM
from text_dialogue.scenario import get_scenario


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    require("llama_cpp.server")
    requests = require("requests")
    from text_dialogue.llm.llamacpp import default_gguf_path

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf_path()), "--host", "127.0.0.1",
         "--port", str(port), "--n_threads", "2", "--n_ctx", "2048"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(240):  # up to 60 s on a busy machine
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}")
            try:
                if requests.get(f"{url}/models", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.25)
        else:
            pytest.fail("llama_cpp.server did not become ready")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_completions_endpoint_respects_stops(server_url: str) -> None:
    llm = get_llm("openai", {"base_url": server_url, "model": "gemma", "endpoint": "completions"})
    out = llm.complete("Maya: Hi, how are you?\nJames:", GenerationParams(max_tokens=30, stop=("\n", "Maya:")))
    assert out.text.strip() and "\n" not in out.text and "Maya:" not in out.text
    assert out.num_tokens > 0


def test_agent_loop_over_the_server(server_url: str) -> None:
    llm = OpenAILLM(OpenAIConfig(base_url=server_url, model="gemma", endpoint="completions",
                                 send_repeat_penalty=True))
    d = generate_dialogue(llm, get_scenario("booking"), "srv1", seed=11,
                          config=AgentLoopConfig(max_turns=6, target_turns=6))
    assert 4 <= len(d.turns) <= 6
    assert d.meta["llm"]["backend"] == "openai" and d.meta["generation"]["tokens"] > 0


class _Flaky(BaseHTTPRequestHandler):
    """Answers 429, then 503, then a chat completion; records what it was sent."""

    calls: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        status = {1: 429, 2: 503}.get(len(type(self).calls), 200)
        payload = {"choices": [{"message": {"content": "Sure, see you then.\nJames: extra"},
                                "finish_reason": "stop"}], "usage": {"completion_tokens": 6}}
        data = json.dumps(payload if status == 200 else {"error": "busy"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def flaky_url() -> Iterator[str]:
    _Flaky.calls = []
    server = HTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()
    server.server_close()


def test_chat_retries_with_backoff_and_keeps_the_key_secret(
    flaky_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("MY_TEST_KEY", "sk-secret-123")
    waits: list[float] = []
    llm = OpenAILLM(OpenAIConfig(base_url=flaky_url, model="m", endpoint="chat", api_key_env="MY_TEST_KEY",
                                 backoff=0.5, jitter=0.0), sleep=waits.append)
    with caplog.at_level(logging.DEBUG):
        out = llm.chat([{"role": "user", "content": "hi"}], GenerationParams(stop=("\n",)))
    assert out.text == "Sure, see you then."
    assert waits == [0.5, 1.0]  # exponential back-off on 429 and 503
    assert [c["path"] for c in _Flaky.calls] == ["/v1/chat/completions"] * 3
    assert _Flaky.calls[0]["auth"] == "Bearer sk-secret-123"
    assert "sk-secret-123" not in caplog.text and "sk-secret-123" not in json.dumps(llm.model_info())


def test_gives_up_with_a_clear_error(flaky_url: str) -> None:
    llm = OpenAILLM(OpenAIConfig(base_url=flaky_url, model="m", max_retries=1), sleep=lambda s: None)
    with pytest.raises(BackendError, match="gave up after 2 tries"):
        llm.chat([{"role": "user", "content": "hi"}], GenerationParams())
