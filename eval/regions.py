"""Transcribe only where a channel has speech: regions, packing, and times mapped back.

A channel of a duplex dialogue is silent about half the time. Eval therefore cuts each
channel into *regions* (the timeline's segments widened by a margin and merged), packs
the regions of both channels into chunks of at most ``max_chunk`` seconds (Whisper's
window), separated by a short silence, and transcribes all chunks in one batched ASR
call. Word times come back in chunk time and are mapped to the timeline's time here.
A batched decoder reads each chunk once: when Whisper ends its text early (after a
closing "Thank you so much." it may emit end-of-text with 20 s of the chunk still to
go), every region after that point comes back empty. :func:`unheard_regions` finds them
so eval can transcribe them again, packed on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from duplex.records import Segment
from speech.records import Word

__all__ = ["Region", "RegionConfig", "speech_regions", "pack_regions", "PackedAudio", "unpack_words", "unheard_regions"]


@dataclass(frozen=True)
class RegionConfig:
    """How eval cuts channels into speech regions."""

    #: seconds of audio kept before and after each segment (words at the edges survive)
    margin: float = 0.4
    #: silence (s) put between two regions in one chunk, so Whisper hears a pause
    gap: float = 0.3
    #: longest chunk handed to the ASR (s); Whisper's window is 30 s
    max_chunk: float = 28.0


@dataclass(frozen=True)
class Region:
    """``[start, end)`` seconds of one channel of the dialogue audio."""

    channel: int
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def speech_regions(segments: Sequence[Segment], channel: int | None, total: float, config: RegionConfig,
                   label: int | None = None) -> list[Region]:
    """The segments of ``channel`` widened by ``config.margin`` and merged where they touch.

    A region never grows past ``config.max_chunk``: a longer stretch is cut at the
    middle of a pause between two segments where it can be, else inside the speech.

    :param channel: the channel whose segments count; ``None`` = every segment (the mono mix).
    :param total: the dialogue's duration (regions are clipped to ``[0, total]``).
    :param label: the regions' ``channel`` (default ``channel``, or 0 for ``None``): the
        index of the array :func:`pack_regions` cuts them from.
    """
    segs = sorted((s.start, s.end) for s in segments
                  if (channel is None or s.channel == channel) and s.end > s.start)
    label = label if label is not None else (channel or 0)
    # union of the widened segments; remember where speech pauses inside each union
    unions: list[list[float]] = []
    pauses: list[list[float]] = []
    last_end = -np.inf
    for start, end in segs:
        lo, hi = max(0.0, start - config.margin), min(total, end + config.margin)
        if unions and lo <= unions[-1][1]:
            if start > last_end:
                pauses[-1].append((last_end + start) / 2)  # middle of a pause between segments
            unions[-1][1] = max(unions[-1][1], hi)
        else:
            unions.append([lo, hi])
            pauses.append([])
        last_end = max(last_end, end)
    out: list[Region] = []
    for (lo, hi), cuts in zip(unions, pauses):
        while hi - lo > config.max_chunk:
            # cut at the latest pause that keeps the piece short enough, else mid-speech
            fitting = [c for c in cuts if lo < c <= lo + config.max_chunk]
            cut = fitting[-1] if fitting else lo + config.max_chunk
            out.append(Region(label, lo, cut))
            lo = cut
        out.append(Region(label, lo, hi))
    return out


@dataclass(frozen=True)
class PackedAudio:
    """Regions laid end to end: the audio, each chunk's bounds and each region's place.

    :param samples: 16 kHz mono float32, every chunk one after the other.
    :param chunks: ``(start, end)`` seconds of each chunk inside ``samples``.
    :param placed: ``(region, start)`` with the region's start (s) inside ``samples``.
    """

    samples: np.ndarray
    chunks: list[tuple[float, float]]
    placed: list[tuple[Region, float]]


def pack_regions(channels: Sequence[np.ndarray], regions: Sequence[Region], sampling_rate: int,
                 config: RegionConfig) -> PackedAudio:
    """Cut ``regions`` out of their channels and pack them greedily into chunks.

    :param channels: one mono array per channel index, all at ``sampling_rate``.
    """
    gap = np.zeros(int(round(config.gap * sampling_rate)), dtype=np.float32)
    parts: list[np.ndarray] = []
    chunks: list[tuple[float, float]] = []
    placed: list[tuple[Region, float]] = []
    cursor = 0  # samples written so far
    chunk_start = 0
    for region in regions:
        a, b = int(round(region.start * sampling_rate)), int(round(region.end * sampling_rate))
        piece = np.asarray(channels[region.channel][a:b], dtype=np.float32)
        if len(piece) == 0:
            continue
        if cursor > chunk_start and (cursor + len(gap) + len(piece) - chunk_start) / sampling_rate > config.max_chunk:
            chunks.append((chunk_start / sampling_rate, cursor / sampling_rate))
            chunk_start = cursor
        elif cursor > chunk_start:
            parts.append(gap)
            cursor += len(gap)
        placed.append((region, cursor / sampling_rate))
        parts.append(piece)
        cursor += len(piece)
    if cursor > chunk_start:
        chunks.append((chunk_start / sampling_rate, cursor / sampling_rate))
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return PackedAudio(samples, chunks, placed)


def _nearest_regions(words: Sequence[Word], packed: PackedAudio) -> list[int]:
    """For each word (packed time), the index in ``packed.placed`` of the region its midpoint
    lies in, or of the nearest region for a word heard in a gap."""
    starts = np.array([at for _, at in packed.placed])
    ends = starts + np.array([r.duration for r, _ in packed.placed])
    out = []
    for w in words:
        mid = (w.start + w.end) / 2
        out.append(int(np.argmin(np.maximum(starts - mid, 0) + np.maximum(mid - ends, 0))))
    return out


def unpack_words(words: Sequence[Word], packed: PackedAudio) -> dict[int, list[Word]]:
    """Map words in packed time back to dialogue time, per channel.

    A word belongs to the region its midpoint lies in (or the nearest one, for a word
    heard in a gap); its times are shifted by that region's offset and clipped to it.
    """
    out: dict[int, list[Word]] = {}
    if not packed.placed:
        return out
    for w, i in zip(words, _nearest_regions(words, packed)):
        region, at = packed.placed[i]
        shift = region.start - at
        start = min(max(w.start + shift, region.start), region.end)
        end = min(max(w.end + shift, start), region.end)
        out.setdefault(region.channel, []).append(Word(w.text, round(start, 3), round(end, 3)))
    return out


def unheard_regions(words: Sequence[Word], packed: PackedAudio) -> list[Region]:
    """The regions of ``packed`` that no word of ``words`` (in packed time) belongs to, as
    :func:`unpack_words` assigns them."""
    if not packed.placed:
        return []
    heard = set(_nearest_regions(words, packed))
    return [region for i, (region, _) in enumerate(packed.placed) if i not in heard]
