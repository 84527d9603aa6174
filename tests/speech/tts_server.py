"""A small OpenAI-compatible speech server on 127.0.0.1 that speaks with piper joe (the offline voice).

``POST /v1/audio/speech`` with ``{model, input, voice, response_format, speed, ...}`` answers
WAV, FLAC or raw 16-bit mono PCM at :data:`PCM_SAMPLING_RATE`, as OpenAI's API does. It
keeps every request body (tests check what the client sent) and, given a key, answers
401 to any other. Tests start it in a thread; by hand::

    PYTHONPATH=. python tests/speech/tts_server.py --port 8880 [--api-key KEY]
"""

from __future__ import annotations

import argparse
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import soundfile as sf

from speech.audio import resample
from speech.records import Voice
from speech.tts.piper import PiperConfig, PiperTTS

__all__ = ["SpeechServer", "PCM_SAMPLING_RATE", "VOICES"]

#: rate of ``pcm`` answers (OpenAI's)
PCM_SAMPLING_RATE = 24000
#: the voices the server knows: name -> the piper voice behind it
VOICES = {"joe": Voice(id="joe", backend="piper")}
_CONTENT_TYPES = {"wav": "audio/wav", "flac": "audio/flac", "pcm": "audio/pcm"}


def encode(samples: np.ndarray, sampling_rate: int, response_format: str) -> bytes:
    """``samples`` as the body of a ``response_format`` answer."""
    if response_format == "pcm":
        pcm = resample(samples, sampling_rate, PCM_SAMPLING_RATE)
        return (np.clip(pcm, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    sf.write(buf, samples, sampling_rate, format=response_format.upper(), subtype="PCM_16")
    return buf.getvalue()


class SpeechServer:
    """The server, run in a daemon thread.

    :param api_key: the key clients must send as ``Bearer``; ``None`` accepts any request.
    :param port: the port to listen on (0 picks a free one).
    :param die_on: a word: the first request whose input holds it kills the server (that
        request's connection is dropped unanswered, and the port closes), as a crash would.
    """

    def __init__(self, api_key: str | None = None, port: int = 0, die_on: str | None = None) -> None:
        self.api_key = api_key
        self.die_on = die_on.lower() if die_on else None
        self.dead = False
        self.requests: list[dict[str, Any]] = []
        self._tts = PiperTTS(PiperConfig(word_alignments=False, threads=1))
        self._lock = threading.Lock()  # one piper engine, one sentence at a time
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The API root, ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._httpd.server_port}/v1"

    def start(self) -> "SpeechServer":
        """Serve in a daemon thread; returns ``self``."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port (later requests are refused)."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def speak(self, body: dict[str, Any]) -> tuple[int, str, bytes]:
        """``(status, content type, body)`` of the answer to one request ``body``."""
        fmt = body.get("response_format", "wav")
        if fmt not in _CONTENT_TYPES or not isinstance(body.get("input"), str) or not body["input"].strip():
            return 400, "application/json", json.dumps({"error": f"bad input or response_format {fmt!r}"}).encode()
        voice = VOICES.get(body.get("voice", ""))
        if voice is None:
            return 400, "application/json", json.dumps({"error": f"unknown voice {body.get('voice')!r}"}).encode()
        with self._lock:
            out = self._tts.synthesize(body["input"], voice, length_scale=1.0 / float(body.get("speed", 1.0)))
        return 200, _CONTENT_TYPES[fmt], encode(out.samples, out.sampling_rate, fmt)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                server.requests.append(body)
                if server.die_on and server.die_on in str(body.get("input", "")).lower():
                    server.dead = True
                    threading.Thread(target=server.stop, daemon=True).start()
                if server.dead:  # crashed: no answer, the connection just closes
                    self.close_connection = True
                    return
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    self._answer(401, "application/json", b'{"error": "Invalid API key"}')
                elif self.path != "/v1/audio/speech":
                    self._answer(404, "application/json", b'{"error": "not found"}')
                else:
                    self._answer(*server.speak(body))

            def _answer(self, status: int, content_type: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8880)
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args()
    server = SpeechServer(args.api_key, args.port)
    print(f"serving piper joe at {server.url}/audio/speech", flush=True)
    server._httpd.serve_forever()
