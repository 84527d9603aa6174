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
