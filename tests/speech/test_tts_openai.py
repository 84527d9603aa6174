"""The ``openai`` TTS backend against a real OpenAI-compatible speech server on 127.0.0.1.

The server (tests/speech/tts_server.py) speaks with piper joe and answers WAV, FLAC or PCM.
Whisper must hear the words in every format; a refused key is one line at preflight (exit 2);
a server that dies mid-run fails the dialogues still to speak, and a rerun completes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from _require import require

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib

require("piper")
require("requests")

from tts_server import PCM_SAMPLING_RATE, SpeechServer, encode  # noqa: E402

from corpus_core.errors import ConfigError, DuplexsynthError  # noqa: E402
from corpus_core.http import HttpError  # noqa: E402
from speech.audio import resample  # noqa: E402
from speech.records import Voice  # noqa: E402
from speech.synthesize import TTSPool  # noqa: E402
from speech.tts.openai_tts import OpenAITTS, OpenAITTSConfig, decode_speech  # noqa: E402

KEY_ENV = "DSX_TTS_TEST_KEY"
KEY = "sk-tts-SECRET42"
TEXT = "The train to Boston leaves early in the morning."
VOICE = Voice(id="srv-joe", backend="openai", speaker="joe")


@pytest.fixture(scope="module")
def server() -> Iterator[SpeechServer]:
    """The speech server, wanting :data:`KEY`."""
    srv = SpeechServer(api_key=KEY).start()
    yield srv
    srv.stop()


@pytest.fixture()
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    """The right key in the environment."""
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture(scope="module")
def asr():  # noqa: ANN201 - an eval.asr.ASR; eval is a later stage than speech, imported here only
    require("faster_whisper")
    from eval.asr import get_asr

    return get_asr()


def _tts(url: str, **options: object) -> OpenAITTS:
    return OpenAITTS(OpenAITTSConfig(base_url=url, model="piper-joe", api_key_env=KEY_ENV, max_retries=1,
                                     backoff=0.01, **options))  # type: ignore[arg-type]


def _words(asr, samples: np.ndarray, sampling_rate: int) -> list[str]:  # noqa: ANN001
    heard = asr.transcribe(resample(samples, sampling_rate, 16000))
    return ["".join(ch for ch in w.text.lower() if ch.isalnum()) for w in heard]


@pytest.mark.parametrize("fmt", ["wav", "flac", "pcm"])
def test_whisper_hears_the_words_in_every_format(server: SpeechServer, key: None, asr, fmt: str) -> None:  # noqa: ANN001
    out = _tts(server.url, response_format=fmt, extra={"instructions": "Speak calmly."}).synthesize(TEXT, VOICE)
    assert out.sampling_rate == (PCM_SAMPLING_RATE if fmt == "pcm" else 22050)
    assert out.samples.dtype == np.float32 and out.samples.ndim == 1
    words = _words(asr, out.samples, out.sampling_rate)
    # the server's piper noise is not seeded: Whisper once heard "leads" for "leaves", so 4 of 5 words
    assert len({"train", "boston", "leaves", "early", "morning"} & set(words)) >= 4, words
    assert 2.0 < len(out.samples) / out.sampling_rate < 5.0  # a pcm rate read wrong would stretch it
    body = server.requests[-1]
    assert body == {"model": "piper-joe", "input": TEXT, "voice": "joe", "response_format": fmt, "speed": 1.0,
                    "instructions": "Speak calmly."}


@pytest.mark.parametrize("fmt", ["wav", "flac", "pcm"])
def test_encoded_answers_decode_to_the_same_samples(fmt: str) -> None:
    t = np.arange(22050) / 22050
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    samples, rate = decode_speech(encode(tone, 22050, fmt), fmt, PCM_SAMPLING_RATE)
    want = resample(tone, 22050, PCM_SAMPLING_RATE) if fmt == "pcm" else tone
    assert rate == (PCM_SAMPLING_RATE if fmt == "pcm" else 22050) and len(samples) == len(want)
    assert np.max(np.abs(samples - want)) < 2 / 32768  # 16-bit rounding only


def test_slower_turn_asks_for_a_lower_speed_and_a_voice_picks_its_model(server: SpeechServer, key: None) -> None:
    tts = _tts(server.url, speed=1.2)
    body = tts.request_body("Hi.", Voice(id="v", backend="openai", model="kokoro", speaker="af_bella"), 1.5)
    assert body["speed"] == pytest.approx(0.8) and body["model"] == "kokoro" and body["voice"] == "af_bella"
    quick = tts.synthesize(TEXT, VOICE, length_scale=0.8)
    slow = tts.synthesize(TEXT, VOICE, length_scale=1.6)
    assert [r["speed"] for r in server.requests[-2:]] == [1.5, 0.75]
    assert len(slow.samples) > 1.4 * len(quick.samples)


def test_a_refused_key_is_one_line_and_preflight_stops_the_run(
    server: SpeechServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duplexsynth.preflight import probe_tts

    monkeypatch.setenv(KEY_ENV, "sk-wrong-7")
    before = len(server.requests)
    with pytest.raises(HttpError, match=rf"^openai TTS: HTTP 401 from \S+/audio/speech: the server refused the key "
                                        rf"in \${KEY_ENV}") as caught:
        _tts(server.url).synthesize(TEXT, VOICE)
    assert caught.value.status == 401 and "sk-wrong-7" not in str(caught.value) and "\n" not in str(caught.value)
    assert len(server.requests) == before + 1  # a 401 is not retried
    pool = TTSPool({"openai": {"base_url": server.url, "api_key_env": KEY_ENV}})
    with pytest.raises(DuplexsynthError, match="HTTP 401.*DSX_TTS_TEST_KEY"):
        probe_tts(pool, [VOICE])  # the CLI prints this one line and exits 2
    assert len(server.requests) == before + 2  # preflight sent one short request


def test_an_unknown_voice_is_the_servers_one_line_not_retried(server: SpeechServer, key: None) -> None:
    before = len(server.requests)
    with pytest.raises(HttpError, match=r"HTTP 400 from \S+: \{\"error\": \"unknown voice 'nobody'\"\}"):
        _tts(server.url).synthesize(TEXT, Voice(id="x", backend="openai", speaker="nobody"))
    assert len(server.requests) == before + 1


def test_bad_options_are_one_line_config_errors() -> None:
    with pytest.raises(ConfigError, match="response_format: 'mp3'; expected one of wav, flac, pcm"):
        OpenAITTS(OpenAITTSConfig(response_format="mp3"))
    with pytest.raises(ConfigError, match="speed: 9"):
        OpenAITTS(OpenAITTSConfig(speed=9))


def test_a_dead_server_fails_cleanly() -> None:
    srv = SpeechServer().start()
    tts = _tts(srv.url)
    assert tts.synthesize("Hello there.", VOICE).samples.size > 0
    srv.stop()
    with pytest.raises(HttpError, match=r"^openai TTS: gave up after 2 tries \(ConnectionError at \S+/audio/speech: "
                                        r"connection refused\); check that the server at \S+ is up"):
        tts.synthesize("Hello again.", VOICE)


def test_server_killed_mid_run_fails_the_rest_and_a_rerun_completes(tmp_path: Path) -> None:
    from duplexsynth.config import load_config
    from duplexsynth.pipeline import import_text, run_speech
    from text_dialogue.records import Dialogue, Turn

    bank = tmp_path / "bank.yaml"
    bank.write_text("voices:\n"
                    "  - {id: srv-a, backend: openai, speaker: joe, gender: male}\n"
                    "  - {id: srv-b, backend: openai, speaker: joe, gender: female}\n")
    srv = SpeechServer(die_on="zebra").start()
    port = srv.url.split(":")[2].split("/")[0]
    config_path = tmp_path / "run.yaml"
    config_path.write_text(
        f"voice_banks: ['{bank}']\ncast_backends: [openai]\n"
        f"tts: {{openai: {{base_url: '{srv.url}', model: m, max_retries: 2, backoff: 0.01}}}}\n")
    config = load_config(config_path)
    lines = [("Hello, is the station open?", "Yes, it opens at six."), ("Is the zebra crossing closed?", "No, it is open."),
             ("Where can I buy a ticket?", "At the window by the door.")]
    dialogues = [Dialogue(id=f"d{i}", turns=(Turn(0, "A", a), Turn(1, "B", b))) for i, (a, b) in enumerate(lines)]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    import_text(corpus, config, dialogues)
    try:
        report = run_speech(corpus, config)
    finally:
        srv.stop()
    assert report.done == 1 and [d for d, _ in report.failed] == ["d1", "d2"]
    failures = [json.loads(line) for line in (corpus / "failures.jsonl").read_text().splitlines()]
    assert [(f["stage"], f["id"]) for f in failures] == [("speech", "d1"), ("speech", "d2")]
    assert all("gave up after 3 tries" in f["reason"] and "ConnectionError" in f["reason"] for f in failures)
    first = (corpus / "utterances.jsonl").read_bytes()

    srv = SpeechServer(port=int(port)).start()  # back up on the same address
    try:
        rerun = run_speech(corpus, config)
    finally:
        srv.stop()
    assert rerun.done == 2 and rerun.skipped == 1 and not rerun.failed
    after = (corpus / "utterances.jsonl").read_bytes()
    assert after.startswith(first) and (corpus / "failures.jsonl").read_text() == ""
