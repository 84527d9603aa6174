"""The shared HTTP client's retry policy, against a real HTTP server on 127.0.0.1 that counts requests.

Each test scripts the server's answers (status, headers, delay) and records the waits the
client would sleep, so the policy is checked without sleeping: Retry-After honoured once,
409 and 401 not retried, 429 and 503 retried with a jittered, doubling back-off, timeouts
and a refused connection retried, then one clear line.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest
from _require import require

from corpus_core.errors import BackendError
from corpus_core.http import HttpClient, HttpError, RetryPolicy

require("requests")

#: the scripted answers: (status, headers, seconds to wait before answering); the last one repeats
Script = list[tuple[int, dict[str, str], float]]


class _Scripted(BaseHTTPRequestHandler):
    script: Script = []
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        calls = type(self).requests
        calls.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        status, headers, delay = self.script[min(len(calls), len(self.script)) - 1]
        time.sleep(delay)
        data = json.dumps({"ok": status < 400, "n": len(calls)}).encode()
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up waiting (timeout test)
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def server() -> Iterator[type[_Scripted]]:
    """A fresh scripted server; ``server.url`` is its API root."""
    handler = type("Handler", (_Scripted,), {"script": [(200, {}, 0.0)], "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{httpd.server_port}/v1"  # type: ignore[attr-defined]
    yield handler
    httpd.shutdown()
    httpd.server_close()


def _client(url: str, waits: list[float], **policy: float) -> HttpClient:
    fields = {"max_retries": 3, "backoff": 0.5, "max_backoff": 30.0, "jitter": 0.0, **policy}
    return HttpClient(url, "DSX_HTTP_TEST_KEY", timeout=5.0, policy=RetryPolicy(**fields),  # type: ignore[arg-type]
                      label="test", sleep=waits.append)


def test_retry_after_is_honoured_once_then_our_backoff_again(
    server: type[_Scripted], caplog: pytest.LogCaptureFixture
) -> None:
    server.script = [(503, {"Retry-After": "2"}, 0.0), (503, {}, 0.0), (200, {}, 0.0)]
    waits: list[float] = []
    with caplog.at_level(logging.WARNING):
        data = _client(server.url, waits).post_json("/x", {"a": 1})  # type: ignore[attr-defined]
    assert data == {"ok": True, "n": 3} and len(server.requests) == 3
    # the server's 2 s after the response that sent it; the next retry backs off on its own (0.5 * 2)
    assert waits == [2.0, 1.0]
    assert f"test: HTTP 503 from {server.url}/x; retry 1 of 3 in 2 s (the server's Retry-After)" in caplog.text  # type: ignore[attr-defined]
    assert "retry 2 of 3 in 1 s" in caplog.text and "retry 2 of 3 in 1 s (the" not in caplog.text


def test_503_with_retry_after_then_200(server: type[_Scripted]) -> None:
    server.script = [(503, {"Retry-After": "0.25"}, 0.0), (200, {}, 0.0)]
    waits: list[float] = []
    assert _client(server.url, waits).post_json("/x", {})["n"] == 2  # type: ignore[attr-defined]
    assert waits == [0.25] and len(server.requests) == 2


def test_409_is_not_retried(server: type[_Scripted]) -> None:
    server.script = [(409, {"Retry-After": "1"}, 0.0), (200, {}, 0.0)]
    waits: list[float] = []
    with pytest.raises(HttpError, match=r"HTTP 409 from http://127\.0\.0\.1:\d+/v1/x") as caught:
        _client(server.url, waits).post_json("/x", {})  # type: ignore[attr-defined]
    assert caught.value.status == 409 and isinstance(caught.value, BackendError)
    assert len(server.requests) == 1 and waits == []


def test_429_is_retried_with_a_doubling_backoff(server: type[_Scripted]) -> None:
    server.script = [(429, {}, 0.0), (429, {}, 0.0), (200, {}, 0.0)]
    waits: list[float] = []
    assert _client(server.url, waits).post_json("/x", {})["n"] == 3  # type: ignore[attr-defined]
    assert waits == [0.5, 1.0] and len(server.requests) == 3


def test_jitter_takes_a_random_share_off_each_wait(server: type[_Scripted]) -> None:
    server.script = [(429, {}, 0.0)] * 6 + [(200, {}, 0.0)]
    waits: list[float] = []
    _client(server.url, waits, max_retries=6, backoff=1.0, max_backoff=8.0, jitter=0.5).post("/x", {})  # type: ignore[attr-defined]
    full = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(waits) == 6 and all(f / 2 <= w <= f for w, f in zip(waits, full))
    assert len({round(w / f, 6) for w, f in zip(waits, full)}) > 1  # not one fixed share


def test_gives_up_after_max_retries_with_one_line(server: type[_Scripted]) -> None:
    server.script = [(502, {}, 0.0)]
    waits: list[float] = []
    with pytest.raises(HttpError, match=r"^test: gave up after 4 tries \(HTTP 502 from \S+/v1/x: ") as caught:
        _client(server.url, waits).post("/x", {})  # type: ignore[attr-defined]
    assert "\n" not in str(caught.value) and caught.value.status == 502
    assert len(server.requests) == 4 and waits == [0.5, 1.0, 2.0]


def test_refused_key_is_one_line_naming_the_variable_not_retried(
    server: type[_Scripted], monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script = [(401, {}, 0.0)]
    monkeypatch.setenv("DSX_HTTP_TEST_KEY", "sk-wrong-999")
    waits: list[float] = []
    with pytest.raises(HttpError, match=r"HTTP 401 .*refused the key in \$DSX_HTTP_TEST_KEY") as caught:
        _client(server.url, waits).post("/x", {})  # type: ignore[attr-defined]
    assert "sk-wrong-999" not in str(caught.value) and "\n" not in str(caught.value)
    assert server.requests[0]["auth"] == "Bearer sk-wrong-999" and len(server.requests) == 1 and waits == []
    monkeypatch.delenv("DSX_HTTP_TEST_KEY")
    with pytest.raises(HttpError, match=r"HTTP 401 .*\$DSX_HTTP_TEST_KEY is not set"):
        _client(server.url, waits).post("/x", {})  # type: ignore[attr-defined]
    assert server.requests[1]["auth"] is None


def test_a_timeout_is_retried(server: type[_Scripted]) -> None:
    server.script = [(200, {}, 2.0), (200, {}, 0.0)]
    waits: list[float] = []
    client = _client(server.url, waits)  # type: ignore[attr-defined]
    client.timeout = 0.3
    assert client.post_json("/x", {})["n"] == 2 and waits == [0.5]
    server.script = [(200, {}, 2.0)]
    short = _client(server.url, [], max_retries=1)  # type: ignore[attr-defined]
    short.timeout = 0.3
    with pytest.raises(HttpError, match=r"gave up after 2 tries \(Timeout at \S+: no answer in 0.3 s\)"):
        short.post("/x", {})


def test_a_server_that_is_down_is_retried_then_one_line(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    waits: list[float] = []
    with caplog.at_level(logging.WARNING):
        with pytest.raises(HttpError, match=r"gave up after 4 tries \(ConnectionError at http://127\.0\.0\.1:\d+/v1/x: "
                                            r"connection refused\); check that the server at \S+ is up") as caught:
            _client(f"http://127.0.0.1:{port}/v1", waits).post("/x", {})
    assert caught.value.status is None and waits == [0.5, 1.0, 2.0]
    ours = [r.getMessage() for r in caplog.records if r.name == "corpus_core.http"]
    assert ours == [f"test: NewConnectionError at http://127.0.0.1:{port}/v1/x; retry {n} of 3 in {w} s"
                    for n, w in ((1, "0.5"), (2, "1"), (3, "2"))]
    assert not [r for r in caplog.records if r.name.startswith("urllib3")]  # said once, not twice


def test_backoff_time_is_capped_and_jittered_down_only() -> None:
    policy = RetryPolicy(backoff=1.0, max_backoff=5.0, jitter=0.5)
    assert [policy.backoff_time(n, draw=lambda: 0.0) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    assert policy.backoff_time(4, draw=lambda: 0.999) == pytest.approx(2.5, abs=0.01)
