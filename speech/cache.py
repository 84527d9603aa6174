"""A content-addressed cache of clean utterance audio (plus engine word times).

The key hashes everything that changes the audio: the voice's engine fields, the text,
the speaking rate, the synthesis seed, the processing options, the backend's options and
what the backend reports about its model (file, version). Reruns and other corpora with
the same turns read the audio back instead of synthesizing it again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from corpus_core.atomic import write_text_atomic
from speech.audio import read_audio, write_audio
from speech.records import Voice, Word
from speech.tts.base import Synthesis

__all__ = ["CACHE_VERSION", "UtteranceCache", "make_cache_key", "voice_fingerprint"]

#: bump when the processing changes in a way the key does not capture
CACHE_VERSION = 1

#: Voice fields that change the audio (names, gender, accent ... do not)
_ENGINE_FIELDS = ("backend", "model", "speaker", "pitch_semitones", "tempo", "speaker_wav")


def voice_fingerprint(voice: Voice) -> dict[str, Any]:
    """The voice's audio-relevant fields, plus size and mtime of any local file they name."""
    out: dict[str, Any] = {f: getattr(voice, f) for f in _ENGINE_FIELDS}
    for f in ("model", "speaker_wav"):
        value = getattr(voice, f)
        if value and Path(value).exists():
            stat = Path(value).stat()
            out[f"{f}_file"] = [stat.st_size, int(stat.st_mtime)]
    return out


def make_cache_key(voice: Voice, text: str, rate: float, seed: int, processing: dict[str, Any],
                   engine: dict[str, Any]) -> str:
    """A hex digest naming one utterance's audio.

    :param processing: the speech options that change the audio (rate, loudness, trimming).
    :param engine: backend options and model info (``TTS.model_info``).
    """
    payload = json.dumps(
        [CACHE_VERSION, voice_fingerprint(voice), text, round(rate, 4), seed, processing, engine],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:40]


class UtteranceCache:
    """Audio files under ``folder/<key[:2]>/<key>.flac`` (24-bit) with a ``.json`` of word times.

    A stored entry is read back right after it is written, so a miss returns exactly
    what a later hit will return.

    :param folder: where entries live; ``None`` disables the cache (every lookup misses).
    """

    def __init__(self, folder: str | Path | None) -> None:
        self.folder = Path(folder).expanduser() if folder else None
        #: lookups answered from disk
        self.hits = 0
        #: lookups that had to synthesize
        self.misses = 0

    def _paths(self, key: str) -> tuple[Path, Path]:
        if self.folder is None:
            raise RuntimeError("UtteranceCache: the cache is disabled (folder=None)")
        base = self.folder / key[:2] / key
        return base.with_suffix(".flac"), base.with_suffix(".json")

    @property
    def enabled(self) -> bool:
        """Whether entries are stored at all."""
        return self.folder is not None

    def get(self, key: str) -> Synthesis | None:
        """The stored synthesis for ``key``, or ``None`` (also counts hits and misses)."""
        if self.folder is None:
            self.misses += 1
            return None
        audio_path, meta_path = self._paths(key)
        if not (audio_path.is_file() and meta_path.is_file()):
            self.misses += 1
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            samples, sr = read_audio(audio_path)
        except (OSError, ValueError, RuntimeError):
            # A damaged entry (killed write, disk full) is treated as absent.
            self.misses += 1
            return None
        self.hits += 1
        words = meta.get("words")
        return Synthesis(samples, sr, tuple(Word.from_dict(w) for w in words) if words is not None else None)

    def put(self, key: str, synthesis: Synthesis) -> Synthesis:
        """Store ``synthesis``; return it as stored (24-bit quantized) so hits match misses."""
        if self.folder is None:
            return synthesis
        audio_path, meta_path = self._paths(key)
        if audio_path.is_file() and meta_path.is_file():
            # another worker stored this entry while we synthesized: the first one stays, so
            # every dialogue (and every later run) hears the same audio
            stored = self.get(key)
            if stored is not None:
                self.hits -= 1  # it was counted as a miss already
                return stored
        write_audio(audio_path, synthesis.samples, synthesis.sampling_rate, subtype="PCM_24")
        words = None if synthesis.words is None else [w.to_dict() for w in synthesis.words]
        write_text_atomic(meta_path, json.dumps({"words": words, "sampling_rate": synthesis.sampling_rate}))
        samples, sr = read_audio(audio_path)
        return Synthesis(samples, sr, synthesis.words)
