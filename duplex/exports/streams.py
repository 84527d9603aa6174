"""Time-sliced duplex training data: frame-aligned text streams and interleaved chunks.

Written under ``exports/streams/``, per dialogue, with ``index.jsonl`` listing them:

``<id>.frames.json``
    per channel, one text token per audio frame at ``frame_rate`` Hz (12.5 Hz is the
    Mimi codec's rate): a word is placed at the frame where it starts, every other
    frame holds ``<pad>``, and a word whose frame is taken moves to the next free one
    (no word is dropped). Frame ``i`` covers samples ``floor(i * S)`` to
    ``floor((i + 1) * S)`` of the stereo file, ``S = sampling_rate / frame_rate``
    (see :func:`boundary_sample`).
``<id>.chunks.jsonl``
    slices of ``chunk_ms`` alternating speaker A, speaker B, A, B, ... (SyncLLM-style
    interleaving). Each line carries its time range, its sample range in the stereo
    file, the channel's words that start in it (with their absolute times) and the
    share of the slice in which that channel speaks, so a trainer cuts audio and text
    identically.

Audio paths are relative to the ``streams`` folder and point at the corpus's stereo
file (channel 0 = A, channel 1 = B); no audio is copied.
"""

from __future__ import annotations

import bisect
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_core.errors import ConfigError
from corpus_core.intervals import covered_length, merge_intervals
from duplex.exports.base import (
    Exporter,
    ExportError,
    register_exporter,
    segment_words,
    write_text_atomic,
)
from duplex.records import CHANNEL_OF, Timeline
from speech.records import Word

__all__ = ["StreamsConfig", "StreamsExporter", "frame_tokens", "interleaved_chunks", "boundary_sample", "PAD_TOKEN"]

#: the token of a frame where no word starts
PAD_TOKEN = "<pad>"


@dataclass(frozen=True)
class StreamsConfig:
    """Options of the streams export."""

    #: text frames per second (Mimi/Moshi: 12.5)
    frame_rate: float = 12.5
    #: length of one interleaved slice in milliseconds
    chunk_ms: float = 160.0
    #: include the listener backchannels' words
    include_backchannels: bool = True

    def __post_init__(self) -> None:
        if not self.frame_rate > 0:
            raise ConfigError(f"streams frame_rate must be > 0 Hz, not {self.frame_rate}")
        if not self.chunk_ms > 0:
            raise ConfigError(f"streams chunk_ms must be > 0 ms, not {self.chunk_ms}")


def boundary_sample(index: int, samples_per_unit: float) -> int:
    """First sample of frame or slice ``index``: ``floor(index * samples_per_unit)``.

    (The tiny epsilon keeps float products such as 3 * 1764.0000000001 on the right side.)
    """
    return int(math.floor(index * samples_per_unit + 1e-6))


def _channel_words(timeline: Timeline, channel: int, include_backchannels: bool) -> list[Word]:
    segs = [s for s in timeline.channel_segments(channel) if include_backchannels or s.kind != "backchannel"]
    return sorted((w for s in segs for w in segment_words(s)), key=lambda w: w.start)


def frame_tokens(words: list[Word], frame_rate: float, num_frames: int) -> tuple[list[str], list[list[Any]]]:
    """Place words on frames.

    :return: ``tokens`` (one per frame) and ``[text, token_frame, first_frame, last_frame]``
        per word (first/last: the frames its time span touches).
    :raises ExportError: when more words start than there are frames left to hold them.
    """
    tokens = [PAD_TOKEN] * num_frames
    spans: list[list[Any]] = []
    next_free = 0
    for w in words:
        first = min(num_frames - 1, int(math.floor(w.start * frame_rate + 1e-9)))
        last = max(first, min(num_frames - 1, int(math.ceil(w.end * frame_rate - 1e-9)) - 1))
        frame = max(first, next_free)
        if frame >= num_frames:
            raise ExportError(
                f"{len(words)} words do not fit {num_frames} frames at {frame_rate} Hz; raise the frame rate"
            )
        tokens[frame] = w.text
        next_free = frame + 1
        spans.append([w.text, frame, first, last])
    return tokens, spans


def _speech_union(timeline: Timeline, channel: int) -> list[tuple[float, float]]:
    return merge_intervals((s.start, s.end) for s in timeline.channel_segments(channel))


def interleaved_chunks(
    timeline: Timeline, num_samples: int, sampling_rate: int, chunk_ms: float, include_backchannels: bool = True
) -> list[dict[str, Any]]:
    """The slices of one dialogue, alternating channel 0 and channel 1 every ``chunk_ms``."""
    chunk_samples = chunk_ms * sampling_rate / 1000.0
    num_chunks = math.ceil(num_samples / chunk_samples)
    per_channel = {}
    for speaker, ch in CHANNEL_OF.items():
        words = _channel_words(timeline, ch, include_backchannels)
        starts = [round(w.start * sampling_rate) for w in words]
        speech = _speech_union(timeline, ch)
        per_channel[ch] = (speaker, words, starts, speech)
    out = []
    for k in range(num_chunks):
        a, b = boundary_sample(k, chunk_samples), min(num_samples, boundary_sample(k + 1, chunk_samples))
        start, end = a / sampling_rate, b / sampling_rate
        for ch, (speaker, words, starts, speech) in per_channel.items():
            lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
            out.append({
                "dialogue_id": timeline.id, "index": k, "channel": ch, "speaker": speaker,
                "start": round(start, 6), "end": round(end, 6), "start_sample": a, "end_sample": b,
                "words": [[w.text, round(w.start, 4), round(w.end, 4)] for w in words[lo:hi]],
                "speech": round(covered_length(speech, start, end) / (end - start), 4) if end > start else 0.0,
            })
    return out


@register_exporter
class StreamsExporter(Exporter):
    """Writes ``<id>.frames.json``, ``<id>.chunks.jsonl`` and ``index.jsonl``."""

    name = "streams"
    config_type = StreamsConfig
    per_dialogue_files = ("*.frames.json", "*.chunks.jsonl")

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        self._index = self.open_file("index.jsonl")

    def add(self, timeline: Timeline) -> None:
        import soundfile as sf

        cfg = self.config
        path = self.stereo_path(timeline)
        info = sf.info(str(path))
        if info.channels != 2:
            raise ExportError(f"{path} has {info.channels} channel(s); the streams export needs the stereo file")
        sr, n = int(info.samplerate), int(info.frames)
        audio_path = os.path.relpath(path, self.out_dir)
        num_frames = math.ceil(n * cfg.frame_rate / sr)
        channels = []
        for speaker, ch in CHANNEL_OF.items():
            tokens, spans = frame_tokens(_channel_words(timeline, ch, cfg.include_backchannels), cfg.frame_rate, num_frames)
            channels.append({"channel": ch, "speaker": speaker, "tokens": tokens, "words": spans})
        frames = {
            "type": "FrameStream", "id": timeline.id, "audio_path": audio_path, "sampling_rate": sr,
            "num_samples": n, "frame_rate": cfg.frame_rate, "samples_per_frame": sr / cfg.frame_rate,
            "num_frames": num_frames, "frame_start_sample": "floor(i * samples_per_frame)",
            "pad_token": PAD_TOKEN, "channels": channels,
        }
        write_text_atomic(self.claim(self.out_dir / f"{timeline.id}.frames.json"), json.dumps(frames, ensure_ascii=False))
        chunks = interleaved_chunks(timeline, n, sr, cfg.chunk_ms, cfg.include_backchannels)
        write_text_atomic(
            self.claim(self.out_dir / f"{timeline.id}.chunks.jsonl"),
            "".join(json.dumps({"type": "StreamChunk", **c}, ensure_ascii=False) + "\n" for c in chunks),
        )
        self._index.write_lines([json.dumps({
            "id": timeline.id, "audio_path": audio_path, "duration": n / sr, "sampling_rate": sr,
            "num_samples": n, "frame_rate": cfg.frame_rate, "chunk_ms": cfg.chunk_ms,
            "frames": f"{timeline.id}.frames.json", "chunks": f"{timeline.id}.chunks.jsonl",
        }, ensure_ascii=False)])
