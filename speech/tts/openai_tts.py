"""``openai`` TTS backend: any OpenAI-compatible speech server (``POST {base_url}/audio/speech``).

Kokoro-FastAPI, vLLM-served speech models, Chatterbox, CosyVoice and Qwen3-TTS servers,
and OpenAI itself answer this endpoint. One request per text: the JSON body is
``{model, input, voice, response_format, speed}`` plus the ``extra`` fields (a reference
clip, an instruction, a language: whatever the server takes). The answer is WAV, FLAC or
raw 16-bit mono PCM (at ``sampling_rate``, which the stream itself does not say).

Requests, retries, the API key and the error lines are :class:`corpus_core.http.HttpClient`'s,
shared with the ``openai`` LLM backend. A voice bank entry picks the server's voice by
``speaker`` (else the config's ``voice``) and its model by ``model`` (else the config's).
Concurrency comes from the workers: each process holds its own connection.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import soundfile as sf

from corpus_core.errors import BackendError, ConfigError
from corpus_core.http import HttpClient, RetryPolicy
from speech.records import Voice
from speech.tts.base import TTS, Synthesis, register_tts

__all__ = ["OpenAITTSConfig", "OpenAITTS", "RESPONSE_FORMATS", "decode_speech"]

#: the answers this backend reads: container formats, and headerless 16-bit mono PCM
RESPONSE_FORMATS = ("wav", "flac", "pcm")
#: fastest and slowest ``speed`` the OpenAI API accepts
SPEED_RANGE = (0.25, 4.0)


@dataclass(frozen=True)
class OpenAITTSConfig:
    """Options of the ``openai`` TTS backend."""

    #: the server's API root, up to and including ``/v1``
    base_url: str = "https://api.openai.com/v1"
    #: model name the server knows (``kokoro`` for Kokoro-FastAPI, the served name for vLLM)
    model: str = "gpt-4o-mini-tts"
    #: the server's voice, unless a voice bank entry names its own in ``speaker``
    voice: str = "alloy"
    #: ``wav``, ``flac`` or ``pcm`` (16-bit little-endian mono at ``sampling_rate``)
    response_format: str = "wav"
    #: sampling rate in Hz of ``pcm`` answers (OpenAI's is 24000); wav and flac carry their own
    sampling_rate: int = 24000
    #: speaking rate sent to the server (1.0 is the voice's own); a slower turn divides it
    speed: float = 1.0
    #: name of the environment variable that holds the API key (may be unset for local servers)
    api_key_env: str = "OPENAI_API_KEY"
    #: extra JSON fields merged into every request (a reference clip, an instruction, ...)
    extra: dict[str, Any] = field(default_factory=dict)
    #: seconds to wait for one answer
    timeout: float = 60.0
    #: extra tries after a timeout, connection error, 429 or 5xx
    max_retries: int = 5
    #: first back-off wait in seconds; it doubles on every retry
    backoff: float = 1.0
    #: longest single back-off wait in seconds
    max_backoff: float = 30.0


def decode_speech(data: bytes, response_format: str, pcm_sampling_rate: int) -> tuple[np.ndarray, int]:
    """Mono float32 samples and their rate from a server's answer.

    :param data: the answer's body.
    :param response_format: one of :data:`RESPONSE_FORMATS`.
    :param pcm_sampling_rate: the rate of ``pcm`` answers (ignored for wav and flac).
    :raises BackendError: when ``data`` is not audio of that format.

    >>> decode_speech(np.array([0, 16384], "<i2").tobytes(), "pcm", 24000)[0].tolist()
    [0.0, 0.5]
    """
    if response_format == "pcm":
        if len(data) % 2:
            raise BackendError(f"openai TTS: a pcm answer of {len(data)} bytes is not 16-bit samples")
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, pcm_sampling_rate
    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except Exception as e:  # noqa: BLE001 - libsndfile's own error says little; name what came back
        head = data[:60].decode("utf-8", "replace")
        raise BackendError(f"openai TTS: the answer ({len(data)} bytes, starting {head!r}) is not "
                           f"{response_format} audio: {e}") from None
    return samples.mean(axis=1).astype(np.float32), int(rate)


def _check_config(config: OpenAITTSConfig) -> None:
    """One line for an option that cannot work."""
    if config.response_format not in RESPONSE_FORMATS:
        raise ConfigError(f"tts.openai.response_format: {config.response_format!r}; expected one of "
                          f"{', '.join(RESPONSE_FORMATS)} (mp3, opus and aac are not decoded)")
    if not 8000 <= config.sampling_rate <= 192000:
        raise ConfigError(f"tts.openai.sampling_rate: {config.sampling_rate!r}; expected a rate in Hz "
                          "between 8000 and 192000 (the rate of the server's pcm answers)")
    if not SPEED_RANGE[0] <= config.speed <= SPEED_RANGE[1]:
        raise ConfigError(f"tts.openai.speed: {config.speed!r}; expected {SPEED_RANGE[0]} to {SPEED_RANGE[1]}")
    if not config.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"tts.openai.base_url: {config.base_url!r}; expected http://host:port/v1")


@register_tts
class OpenAITTS(TTS):
    """Speech from an OpenAI-compatible ``/audio/speech`` server."""

    name = "openai"
    requires = ("requests",)
    config_type = OpenAITTSConfig

    def __init__(self, config: OpenAITTSConfig) -> None:
        super().__init__(config)
        _check_config(config)
        policy = RetryPolicy(max_retries=config.max_retries, backoff=config.backoff, max_backoff=config.max_backoff)
        self._client = HttpClient(config.base_url, config.api_key_env, config.timeout, policy, "openai TTS")

    def request_body(self, text: str, voice: Voice, length_scale: float = 1.0) -> dict[str, Any]:
        """The JSON body that speaks ``text`` with ``voice`` (``length_scale`` > 1 is slower)."""
        speed = self.config.speed / max(length_scale, 1e-3)
        return {
            "model": voice.model or self.config.model,
            "input": text,
            "voice": voice.speaker or self.config.voice,
            "response_format": self.config.response_format,
            "speed": round(min(max(speed, SPEED_RANGE[0]), SPEED_RANGE[1]), 4),
            **self.config.extra,
        }

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        response = self._client.post("/audio/speech", self.request_body(text, voice, length_scale))
        samples, rate = decode_speech(response.content, self.config.response_format, self.config.sampling_rate)
        if samples.size == 0:
            raise BackendError(f"openai TTS: {self.config.base_url}/audio/speech answered no audio for "
                               f"{text[:40]!r} (voice {voice.id!r})")
        return Synthesis(samples=samples, sampling_rate=rate)

    def model_info(self, voice: Voice) -> dict[str, Any]:
        return {"backend": self.name, "base_url": self.config.base_url, "model": voice.model or self.config.model,
                "voice": voice.speaker or self.config.voice}

    def close(self) -> None:
        """Close the connection to the server."""
        self._client.close()
