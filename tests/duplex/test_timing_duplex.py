"""The timing model: documented distributions, presets, pause detection."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from corpus_core.errors import ConfigError
from duplex.build import DuplexConfig, build_timeline
from duplex.pieces import split_utterance
from duplex.presets import available_presets, get_preset, resolve_timing
from duplex.timing import TimingConfig, draw_fto, draw_pause
from speech.audio import frame_rms_db

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from duplex_fixtures import SR, make_dialogue, make_utterance, speak  # noqa: E402


def test_fto_draws_follow_the_reference_defaults() -> None:
    rng = np.random.default_rng(0)
    cfg = TimingConfig()
    fto = np.array([draw_fto(rng, cfg) for _ in range(20000)])
    assert fto.min() >= -1.0 and fto.max() <= 2.5
    assert 0.27 < np.mean(fto < 0) < 0.35  # REFERENCE_STATS: P(overlap) = 30.9 %
    assert 0.68 < np.mean(np.abs(fto) < 0.5) < 0.78  # 73 %
    assert 0.15 < np.median(fto) < 0.25


def test_pause_draws_are_log_normal_with_a_floor() -> None:
    rng = np.random.default_rng(1)
    cfg = TimingConfig()
    pauses = np.array([draw_pause(rng, cfg) for _ in range(20000)])
    assert pauses.min() >= cfg.pause_min and pauses.max() <= cfg.pause_max
    assert 0.95 * cfg.pause_median < np.median(pauses) < 1.05 * cfg.pause_median


def test_presets_exist_and_differ_where_they_should() -> None:
    assert {"telephone", "lively", "formal"} <= set(available_presets())
    tel, lively, formal = get_preset("telephone"), get_preset("lively"), get_preset("formal")
    assert tel == TimingConfig()
    assert lively.fto_mean < tel.fto_mean < formal.fto_mean
    assert lively.backchannel_rate > tel.backchannel_rate > formal.backchannel_rate
    assert lively.interruption_prob > tel.interruption_prob > formal.interruption_prob


def test_user_fields_override_the_preset() -> None:
    cfg = DuplexConfig(preset="lively", timing={"interruption_prob": 0.2})
    assert cfg.timing_config().interruption_prob == 0.2
    assert cfg.timing_config().fto_mean == get_preset("lively").fto_mean
    assert resolve_timing("lively", {}) == get_preset("lively")


def test_switching_presets_is_clean_and_a_field_can_take_its_default_value() -> None:
    telephone_default = TimingConfig().interruption_prob
    cfg = DuplexConfig(preset="lively", timing={"interruption_prob": telephone_default})
    assert cfg.timing_config().interruption_prob == telephone_default  # not lively's 0.05
    switched = DuplexConfig(preset="formal", timing=cfg.timing)
    assert switched.timing_config() == resolve_timing("formal", {"interruption_prob": telephone_default})
    assert switched.timing_config().fto_mean == get_preset("formal").fto_mean  # nothing of lively left


def test_bad_preset_and_bad_values_say_what_to_fix() -> None:
    with pytest.raises(ConfigError, match="lively"):
        DuplexConfig(preset="chatty")
    with pytest.raises(ValueError, match="interruption_prob"):
        TimingConfig(interruption_prob=1.5)


def test_pauses_are_found_where_text_and_audio_agree() -> None:
    text = "well I think so, but the plan works. we could go there tomorrow"
    audio, truth = speak(text)
    utt = make_utterance("u", 0, "A", text, audio)
    pieces = split_utterance(utt, frame_rms_db(audio, SR), -30.0, 0.1)
    assert [p.text for p in pieces] == ["well I think so,", "but the plan works.", "we could go there tomorrow"]
    assert [p.boundary for p in pieces] == ["phrase", "sentence", ""]
    ends = {w: e for w, _, e in truth}
    assert abs(pieces[0].source_end - 0.02 - ends["so,"]) < 0.02
    for p in pieces:  # estimated word times land on the true ones
        for w in p.words:
            true = next((s, e) for t, s, e in truth if t == w.text)
            assert abs(w.start - true[0]) < 0.05 and abs(w.end - true[1]) < 0.05


def test_a_comma_without_a_pause_in_the_audio_does_not_split() -> None:
    audio, _ = speak("well I think so but the plan works")
    utt = make_utterance("u", 0, "A", "well I think so, but the plan works", audio)
    assert len(split_utterance(utt, frame_rms_db(audio, SR), -30.0, 0.1)) == 1


def test_telephone_preset_lands_in_the_reference_targets() -> None:
    texts = [("AB"[i % 2], "well I think the plan works, maybe tomorrow. we could go there, okay.") for i in range(12)]
    utts, audio, _ = make_dialogue(texts)
    ftos, pauses, turns, bcs, speech = [], [], 0, 0, 0.0
    for seed in range(30):
        tl, _ = build_timeline("d", utts, DuplexConfig(), np.random.default_rng(seed), lambda u: audio[u.id])
        ftos += [e.end - e.start if e.kind == "gap" else e.start - e.end for e in tl.events
                 if e.kind in ("gap", "overlap", "interruption")]
        pauses += [e.end - e.start for e in tl.events if e.kind == "pause"]
        turns += len(texts)
        bcs += sum(s.kind == "backchannel" for s in tl.segments)
        speech += sum(s.duration for s in tl.segments if s.kind == "turn")
    ftos = np.array(ftos)
    assert 0.2 < np.mean(ftos < 0) < 0.45
    assert np.median(pauses) > np.median(ftos[ftos > 0])  # median pause > median gap
    assert 0.08 < bcs / (bcs + turns) < 0.4
    assert 1 / 20 < bcs / speech < 1 / 6  # about one per 8-15 s of partner speech


def _speech_runs(channel: np.ndarray, bridge: float = 0.2) -> list[tuple[float, float]]:
    """Speech runs of one rendered channel with silences shorter than ``bridge`` bridged (IPUs)."""
    levels = frame_rms_db(channel, SR)
    voiced = np.flatnonzero(levels > levels.max() - 30.0)
    runs: list[list[float]] = []
    for i in voiced:
        t = i * 0.01
        if runs and t - runs[-1][1] < bridge:
            runs[-1][1] = t + 0.01
        else:
            runs.append([t, t + 0.01])
    return [(a, b) for a, b in runs]


def test_a_clause_end_without_a_pause_is_one_ipu_even_where_the_engine_left_a_long_silence() -> None:
    first, _ = speak("well I think so,")
    second, _ = speak("but the plan works", seed=1)
    audio = np.concatenate([first, np.zeros(int(0.3 * SR), np.float32), second])  # piper leaves 0.2-0.3 s
    utt = make_utterance("d-000", 0, "A", "well I think so, but the plan works", audio)
    assert len(split_utterance(utt, frame_rms_db(audio, SR), -30.0, 0.1)) == 2
    counts = {}
    for prob in (0.0, 1.0):
        cfg = DuplexConfig(timing={"phrase_pause_prob": prob, "backchannel_rate": 0.0})
        tl, stereo = build_timeline("d", [utt], cfg, np.random.default_rng(0), lambda u: audio)
        counts[prob] = len(_speech_runs(stereo[:, 0]))
        assert " ".join(s.text for s in tl.segments) == utt.text  # every word placed, in order
        assert sum(e.kind == "pause" for e in tl.events) == int(prob)  # a pause only where one was drawn
    assert counts == {0.0: 1, 1.0: 2}


def test_a_clause_end_next_to_a_word_or_two_runs_on_and_a_long_clause_end_may_pause() -> None:
    """ "Sure, what time?" with a drawn pause became two one-word islands, counted as backchannels."""
    cfg = DuplexConfig(timing={"phrase_pause_prob": 1.0, "backchannel_rate": 0.0})
    for text, pauses in (("Sure, what time?", 0), ("Busy, but good.", 0),
                         ("We could come at eight, but only if the garden is free.", 1)):
        first, rest = text.split(", ", 1)
        a, _ = speak(first + ",")
        b, _ = speak(rest, seed=1)
        audio = np.concatenate([a, np.zeros(int(0.3 * SR), np.float32), b])
        utt = make_utterance("d-000", 0, "A", text, audio)
        tl, stereo = build_timeline("d", [utt], cfg, np.random.default_rng(0), lambda u: audio)
        assert sum(e.kind == "pause" for e in tl.events) == pauses, text
        assert len(_speech_runs(stereo[:, 0])) == pauses + 1, text  # one IPU where it runs on
        assert " ".join(s.text for s in tl.segments) == text


def test_a_one_word_sentence_runs_on_and_longer_sentence_ends_pause() -> None:
    """ "Sure. What time?" is one speech run by default; "Thank you. See you ..." keeps its pause;
    with ``sentence_pause_min_words`` 0 every sentence end pauses."""
    cases = (("Sure. What time?", 0), ("Okay. Thanks so much for your help today.", 0),
             ("Thank you. See you at eight tonight.", 1),
             ("We have a table by the window. It is free at eight tonight.", 1))
    for timing, expected in (({}, [c[1] for c in cases]), ({"sentence_pause_min_words": 0}, [1, 1, 1, 1])):
        cfg = DuplexConfig(timing={**timing, "backchannel_rate": 0.0})
        for (text, _), pauses in zip(cases, expected):
            first, rest = text.split(". ", 1)
            a, _ = speak(first + ".")
            b, _ = speak(rest, seed=1)
            audio = np.concatenate([a, np.zeros(int(0.35 * SR), np.float32), b])  # piper's sentence-end silence
            utt = make_utterance("d-000", 0, "A", text, audio)
            tl, stereo = build_timeline("d", [utt], cfg, np.random.default_rng(0), lambda u: audio)
            assert sum(e.kind == "pause" for e in tl.events) == pauses, (timing, text)
            assert len(_speech_runs(stereo[:, 0])) == pauses + 1, (timing, text)
            assert " ".join(s.text for s in tl.segments) == text


def test_each_dialogue_draws_its_own_tempo_and_its_gaps_follow_it() -> None:
    texts = [("AB"[i % 2], "well I think the plan works, maybe tomorrow.") for i in range(16)]
    utts, audio, _ = make_dialogue(texts)
    tempo, medians = [], []
    for seed in range(24):
        tl, _ = build_timeline("d", utts, DuplexConfig(timing={"backchannel_rate": 0.0, "interruption_prob": 0.0}),
                               np.random.default_rng(seed), lambda u: audio[u.id])
        tempo.append(tl.meta["tempo"]["fto_mean"])
        medians.append(np.median([e.end - e.start if e.kind == "gap" else e.start - e.end
                                  for e in tl.events if e.kind in ("gap", "overlap")]))
    assert 0.06 < np.std(tempo) < 0.15  # dialogue_fto_sd 0.1 around fto_mean 0.2
    assert abs(np.mean(tempo) - 0.2) < 0.06
    assert np.corrcoef(tempo, medians)[0, 1] > 0.4  # a dialogue's offsets follow its own tempo
    off = DuplexConfig(timing={"dialogue_fto_sd": 0.0, "dialogue_pause_sigma": 0.0})
    flat = {build_timeline("d", utts, off, np.random.default_rng(s), lambda u: audio[u.id])[0].meta["tempo"]["fto_mean"]
            for s in range(5)}
    assert flat == {0.2}
