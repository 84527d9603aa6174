"""Speech-only eval: regions from the timeline, packing into chunks, word times mapped back."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from duplex.records import Segment
from eval.regions import RegionConfig, pack_regions, speech_regions, unpack_words
from speech.records import Word

SR = 16000


def _seg(channel: int, start: float, end: float) -> Segment:
    return Segment(channel=channel, speaker="AB"[channel], start=start, end=end, text="x")


def test_regions_merge_close_segments_and_keep_channels_apart() -> None:
    cfg = RegionConfig(margin=0.4, max_chunk=28.0)
    segs = [_seg(0, 1.0, 2.0), _seg(0, 2.5, 3.0), _seg(0, 10.0, 11.0), _seg(1, 2.0, 4.0)]
    regions = speech_regions(segs, 0, 12.0, cfg)
    assert [(r.start, r.end) for r in regions] == [(0.6, 3.4), (9.6, 11.4)]
    assert all(r.channel == 0 for r in regions)
    (other,) = speech_regions(segs, 1, 12.0, cfg)
    assert (other.channel, other.start, other.end) == (1, 1.6, 4.4)


@given(st.lists(st.tuples(st.floats(0, 200), st.floats(0.1, 40)), min_size=1, max_size=30))
def test_regions_cover_every_segment_and_never_exceed_a_chunk(spans: list[tuple[float, float]]) -> None:
    cfg = RegionConfig()
    segs = [_seg(0, a, a + d) for a, d in spans]
    total = max(s.end for s in segs) + 1
    regions = speech_regions(segs, 0, total, cfg)
    assert all(r.duration <= cfg.max_chunk + 1e-9 for r in regions)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(regions, regions[1:]))  # no overlap, in order
    for s in segs:  # every instant of speech lies in some region
        for t in np.linspace(s.start, s.end, 7):
            assert any(r.start - 1e-9 <= t <= r.end + 1e-9 for r in regions)


def test_packing_copies_the_audio_and_maps_times_back() -> None:
    cfg = RegionConfig(margin=0.0, gap=0.5, max_chunk=5.0)
    rng = np.random.default_rng(0)
    channels = [rng.standard_normal(20 * SR).astype(np.float32) for _ in range(2)]
    segs = [_seg(0, 1.0, 3.0), _seg(0, 6.0, 9.0), _seg(1, 2.0, 4.0)]
    regions = [r for c in (0, 1) for r in speech_regions(segs, c, 20.0, cfg)]
    packed = pack_regions(channels, regions, SR, cfg)
    # 2 s + gap + 3 s > 5 s: three chunks, each at most 5 s
    assert [round(b - a, 3) for a, b in packed.chunks] == [2.0, 3.0, 2.0]
    for region, at in packed.placed:
        got = packed.samples[int(round(at * SR)): int(round((at + region.duration) * SR))]
        want = channels[region.channel][int(round(region.start * SR)): int(round(region.end * SR))]
        assert np.array_equal(got, want)
    # a word heard 0.5 s into the second region (channel 0, from 6.0 s) comes back at 6.5 s
    region, at = packed.placed[1]
    words = unpack_words([Word("hello", at + 0.5, at + 0.9), Word("there", packed.placed[2][1] + 1.0,
                                                                    packed.placed[2][1] + 1.2)], packed)
    assert words[0] == [Word("hello", 6.5, 6.9)]
    assert words[1] == [Word("there", 3.0, 3.2)]


def test_speech_only_pass_scores_like_the_full_length_pass(spoken_dialogue) -> None:
    from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
    from eval.evaluate import EvalConfig, evaluate_timeline, transcribe_channels

    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=2))
    base = EvalConfig(cpwer=False, speaker_similarity=False, turn_taking=False)
    timeline, stereo = spoken_dialogue.timeline, spoken_dialogue.stereo
    full = evaluate_timeline(timeline, stereo, asr, replace(base, speech_only=False))[1]
    fast = evaluate_timeline(timeline, stereo, asr, base)[1]
    assert fast.ref_words == full.ref_words
    assert fast.wer <= 0.1 and abs(fast.wer - full.wer) <= 0.05
    # every word comes back on its own channel, inside one of that channel's segments (+ margin)
    words = transcribe_channels(timeline, stereo, asr, base)
    for channel in (0, 1):
        segs = timeline.channel_segments(channel)
        assert words[channel]
        for w in words[channel]:
            assert any(s.start - 0.41 <= w.start and w.end <= s.end + 0.41 for s in segs), (channel, w)


class _EndsEarlyOnce:
    """An ASR double: a word for every 0.5 s of sound; in its first call each chunk's decoding
    stops after the chunk's first sound, as Whisper's batched decoder does when it emits
    end-of-text early. Later calls hear everything."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[float, float]]] = []

    def transcribe_chunks(self, samples: np.ndarray, chunks: list[tuple[float, float]]) -> list[Word]:
        self.calls.append(list(chunks))
        words = []
        for start, end in chunks:
            loud = np.abs(samples[int(start * SR):int(end * SR)]) > 0.05
            times = [start + i / SR for i in range(0, len(loud), SR // 2) if loud[i:i + SR // 2].any()]
            if len(self.calls) == 1:  # stops after the first stretch of sound
                times = [t for t in times if t - times[0] < 1.0] if times else []
            words += [Word("w", round(t, 3), round(t + 0.4, 3)) for t in times]
        return words


def test_regions_a_chunk_lost_are_transcribed_again() -> None:
    from duplex.records import Timeline
    from eval.evaluate import EvalConfig, transcribe_channels
    from eval.regions import unheard_regions

    sr, total = 24000, 24.0
    stereo = np.zeros((int(total * sr), 2), dtype=np.float32)
    spans = [(0, 1.0, 3.0, "turn"), (0, 6.0, 8.0, "turn"), (0, 12.0, 14.0, "turn"), (1, 4.0, 5.0, "turn"),
             (0, 18.0, 18.4, "backchannel")]
    for channel, a, b, _ in spans:
        stereo[int(a * sr):int(b * sr), channel] = 0.3
    timeline = Timeline(id="d", duration=total, sampling_rate=sr, segments=tuple(
        Segment(channel=c, speaker="AB"[c], start=a, end=b, text="x", kind=k) for c, a, b, k in spans))
    asr = _EndsEarlyOnce()
    words = transcribe_channels(timeline, stereo, asr, EvalConfig())  # type: ignore[arg-type]
    # the first call lost every region after the first of its chunk ...
    regions = [r for c in (0, 1) for r in speech_regions(timeline.segments, c, total, RegionConfig())]
    first = pack_regions([np.ones(int(total * SR))] * 2, regions, SR, RegionConfig())
    assert len(unheard_regions([], first)) == len(regions)
    # ... and the second call took only the lost regions with a turn in them (not the backchannel)
    assert len(asr.calls) == 2
    assert sum(b - a for a, b in asr.calls[1]) < sum(b - a for a, b in asr.calls[0])
    for channel, a, b, kind in spans:
        heard = [w for w in words[channel] if a - 0.4 <= w.start < b + 0.4]
        assert bool(heard) == (kind == "turn" or (channel, a) == (0, 1.0)), (channel, a, kind)
    assert all(x.start <= y.start for x, y in zip(words[0], words[0][1:]))  # merged in time order
