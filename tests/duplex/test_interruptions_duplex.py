"""Interruptions: an early start, a short overlap, a clean cut at a word boundary."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from duplex.build import DuplexConfig, build_timeline
from duplex.timing import TimingConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from duplex_fixtures import SR, audible_words, make_dialogue  # noqa: E402

LONG = "well I think the plan works maybe tomorrow we could go there and then come back home okay"
CFG = DuplexConfig(timing=TimingConfig(interruption_prob=1.0, backchannel_rate=0.0))


def _dialogue(seed: int):
    texts = [("A", LONG), ("B", "sure that sounds good to me and to everyone else here"), ("A", LONG)]
    utts, audio, truth = make_dialogue(texts)
    tl, stereo = build_timeline("d", utts, CFG, np.random.default_rng(seed), lambda u: audio[u.id])
    return tl, stereo, truth, audio


def test_the_interrupted_turn_stops_after_a_short_overlap_at_a_word_boundary() -> None:
    cut_somewhere = 0
    for seed in range(10):
        tl, stereo, truth, _ = _dialogue(seed)
        cuts = [s for s in tl.segments if s.interrupted]
        events = [e for e in tl.events if e.kind == "interruption"]
        assert len(cuts) == len(events)
        for seg, ev in zip(cuts, events):
            nxt = [s for s in tl.segments if s.kind == "turn" and s.speaker != seg.speaker and s.start >= ev.start - 1e-3]
            assert abs(min(s.start for s in nxt) - ev.start) < 1e-3  # the next speaker starts at the event
            assert abs(ev.end - seg.end) < 1e-3  # the current speaker stops at its end
            assert 0.3 - 1e-3 <= ev.end - ev.start <= 1.0 + 1e-3
            heard = audible_words(truth[seg.utterance_id], seg.source_start, seg.source_end)
            assert heard == [w.text for w in seg.words] and seg.text == " ".join(heard)
            assert len(seg.text.split()) < len(LONG.split())
            cut_somewhere += 1
    assert cut_somewhere >= 10


def test_the_cut_fades_out_and_nothing_of_the_turn_follows() -> None:
    tl, stereo, _, _ = _dialogue(3)
    (seg,) = [s for s in tl.segments if s.interrupted][:1] or [None]
    assert seg is not None
    end = int(round(seg.end * SR))
    tail = stereo[end - int(0.01 * SR) : end, seg.channel]
    assert np.abs(tail).max() < 0.3 * 0.3  # the last 10 ms are faded well below the burst level
    later = [s for s in tl.segments if s.turn_index == seg.turn_index and s.start > seg.start]
    assert not later
    following = [s.start for s in tl.channel_segments(seg.channel) if s.start >= seg.end]
    stop = int(round(min(following, default=tl.duration) * SR))
    assert stop > end and not np.any(stereo[end:stop, seg.channel])
