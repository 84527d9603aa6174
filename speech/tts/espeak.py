"""espeak-ng backend: the library shipped by ``espeakng-loader``, driven through ctypes.

No apt package is needed: ``espeakng-loader`` ships ``libespeak-ng`` and its data.
Synthesis runs in memory (synchronous mode with a callback that collects samples),
and espeak's word events give word times, so utterances carry ``word_times="engine"``.
"""

from __future__ import annotations

import ctypes
import re
import string
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from speech.records import Voice, Word
from speech.tts.base import TTS, Synthesis, register_tts

__all__ = ["EspeakConfig", "EspeakTTS", "espeak_voice_name"]

# Constants of espeak-ng's speak_lib.h.
AUDIO_OUTPUT_SYNCHRONOUS = 0x02
ESPEAK_CHARS_UTF8 = 1
ESPEAK_ENDPAUSE = 0x1000
POS_CHARACTER = 1
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
PARAM_RATE = 1
PARAM_PITCH = 3
PARAM_RANGE = 4
_PUNCTUATION = string.punctuation + "\u201c\u201d\u2018\u2019\u2026"
#: espeak's default speaking rate, in words per minute
DEFAULT_RATE_WPM = 175
#: espeak accepts rates in this range (words per minute)
RATE_RANGE_WPM = (80, 450)


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """``espeak_EVENT`` of speak_lib.h."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))

# libespeak-ng keeps one global synthesizer per process: load it once, use it under a lock.
_LIB_LOCK = threading.Lock()
_LIB: dict[str, Any] = {}


@dataclass(frozen=True)
class EspeakConfig:
    """Options of the ``espeak`` backend."""

    #: base pitch, 0-100 (espeak's default is 50); ``None`` keeps the voice's own
    pitch: int | None = None
    #: pitch range (intonation), 0-100 (espeak's default is 50); ``None`` keeps the voice's own
    pitch_range: int | None = None
    #: folder of espeak-ng data; ``None`` uses the data shipped by espeakng-loader
    data_path: str | None = None


def espeak_voice_name(voice: Voice) -> str:
    """The espeak voice spec of ``voice``: ``model`` (default ``en-us``) plus ``+speaker``.

    >>> espeak_voice_name(Voice(id="x", backend="espeak", model="en-gb", speaker="f2"))
    'en-gb+f2'
    """
    name = voice.model or "en-us"
    if voice.speaker and "+" not in name:
        name = f"{name}+{voice.speaker}"
    return name


def _load_library(data_path: str | None) -> dict[str, Any]:
    """Load and initialize libespeak-ng once per process; return its handle and rate."""
    if _LIB:
        return _LIB
    try:
        import espeakng_loader
    except ImportError:
        raise MissingDependency("espeakng-loader", extra="espeak", why="the espeak TTS backend") from None
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    data = (data_path or espeakng_loader.get_data_path()).encode()
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data, 0)
    if rate <= 0:
        raise BackendError(f"espeak: libespeak-ng failed to initialize with data {data.decode()}")
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
        ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    state: dict[str, Any] = {"chunks": [], "events": []}

    def collect(wav: Any, num_samples: int, events: Any) -> int:
        if num_samples > 0:
            state["chunks"].append(np.ctypeslib.as_array(wav, shape=(num_samples,)).copy())
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == EVENT_WORD:
                state["events"].append((e.text_position, e.length, e.audio_position))
            i += 1
        return 0

    callback = _CALLBACK(collect)
    lib.espeak_SetSynthCallback(callback)
    _LIB.update(lib=lib, rate=int(rate), callback=callback, state=state)
    return _LIB


def _words_from_events(text_bytes: bytes, events: list[tuple[int, int, int]], duration: float) -> tuple[Word, ...]:
    """Word times from espeak word events, one :class:`Word` per word of the text.

    espeak starts a word event at each word it speaks (``audio_position`` in ms) but merges
    some short words into their neighbour ("for the"); such words share the span of the
    event they belong to, split in proportion to their length. A span ends where the
    next event starts (the last one at the end of the audio).
    """
    text = text_bytes.decode("utf-8")
    tokens = [(m.start(), m.group().strip(_PUNCTUATION)) for m in re.finditer(r"\S+", text)]
    tokens = [(pos, tok) for pos, tok in tokens if tok]
    if not tokens or not events:
        return ()
    # text_position is 1-based and counts characters (UTF-8 input).
    marks = sorted((pos - 1, ms / 1000.0) for pos, _length, ms in events)
    groups: list[tuple[float, list[str]]] = []
    for pos, tok in tokens:
        # the event of this word, if espeak gave it one (+1: a leading quote or bracket)
        own = [t for p, t in marks if pos <= p <= pos + len(tok)]
        if own or not groups:
            groups.append((own[0] if own else 0.0, [tok]))
        else:
            groups[-1][1].append(tok)
    words: list[Word] = []
    for n, (start, toks) in enumerate(groups):
        end = groups[n + 1][0] if n + 1 < len(groups) else duration
        end = max(start, min(end, duration))
        total = sum(len(t) for t in toks)
        t0 = start
        for tok in toks:
            t1 = t0 + (end - start) * len(tok) / total
            words.append(Word(tok, round(t0, 3), round(t1, 3)))
            t0 = t1
    return tuple(words)


@register_tts
class EspeakTTS(TTS):
    """espeak-ng voices (``en-us``, ``en-gb-scotland``, ...) and variants (``+f2``, ``+m3``, ...)."""

    name = "espeak"
    requires = ("espeakng_loader",)
    config_type = EspeakConfig

    def __init__(self, config: EspeakConfig) -> None:
        super().__init__(config)
        self._lib = _load_library(config.data_path)

    @property
    def sampling_rate(self) -> int:
        """espeak's output rate (22050 Hz for the shipped data)."""
        return int(self._lib["rate"])

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        lib, state = self._lib["lib"], self._lib["state"]
        name = espeak_voice_name(voice)
        wpm = int(round(DEFAULT_RATE_WPM / max(length_scale, 1e-3)))
        wpm = min(max(wpm, RATE_RANGE_WPM[0]), RATE_RANGE_WPM[1])
        data = text.encode("utf-8")
        buf = ctypes.create_string_buffer(data)
        with _LIB_LOCK:
            if lib.espeak_SetVoiceByName(name.encode()) != 0:
                raise BackendError(
                    f"espeak: unknown voice {name!r} (voice {voice.id!r}); use a language such as "
                    "'en-us', 'en' (British), 'en-gb-scotland', 'en-gb-x-rp' or 'en-029', optionally with a "
                    "variant like '+f2' (espeak-ng --voices lists them)"
                )
            lib.espeak_SetParameter(PARAM_RATE, wpm, 0)
            if self.config.pitch is not None:
                lib.espeak_SetParameter(PARAM_PITCH, int(self.config.pitch), 0)
            if self.config.pitch_range is not None:
                lib.espeak_SetParameter(PARAM_RANGE, int(self.config.pitch_range), 0)
            state["chunks"].clear()
            state["events"].clear()
            err = lib.espeak_Synth(buf, len(data) + 1, 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
            chunks, events = list(state["chunks"]), list(state["events"])
        if err != 0 or not chunks:
            raise BackendError(f"espeak: synthesis failed (code {err}) for voice {name!r}, text {text!r}")
        samples = np.concatenate(chunks).astype(np.float32) / 32768.0
        duration = len(samples) / self.sampling_rate
        return Synthesis(samples, self.sampling_rate, _words_from_events(data, events, duration))

    def model_info(self, voice: Voice) -> dict[str, Any]:
        info = self._lib["lib"].espeak_Info(None)
        return {"backend": self.name, "voice": espeak_voice_name(voice), "espeak_ng": (info or b"").decode()}
