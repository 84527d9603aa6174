"""Acoustic conditions on real (piper) speech: SNR, band limit, RT60, independence, seeds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from acoustics_fixtures import SR, one_condition, sample_stereo, small_room

from corpus_core.errors import ConfigError
from corpus_core.seeding import make_np_rng
from duplex.acoustics import (
    ChannelConfig,
    CrosstalkConfig,
    LevelConfig,
    NoiseConfig,
    RoomConfig,
    apply_band,
    apply_codec,
    apply_rir,
    coloured_noise,
    degrade_stereo,
    draw_channel,
    resolve_acoustics,
    rir_bank,
    schroeder_rt60,
    simulate_room,
)
from duplex.acoustics.channel import telephone_room
from duplex.acoustics.noise import floor_from_bank, grid_colour, noise_bank
from duplex.build import DuplexConfig
from eval.acoustics import bandwidth_hz, measure_channel
from speech.audio import resample


@pytest.fixture(autouse=True)
def _rir_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DUPLEXSYNTH_CACHE", str(tmp_path / "cache"))
    rir_bank.cache_clear()


def _measure(degraded, segments, channel, tail=0.5):
    own = [(s, e) for c, s, e in segments if c == channel]
    return measure_channel(degraded[:, channel], SR, own, [(s, e) for _, s, e in segments], tail)


@pytest.mark.parametrize("snr,colour", [(5.0, 0.0), (15.0, 1.0), (25.0, 2.0)])
def test_measured_snr_within_1db_of_drawn(snr, colour):
    stereo, segments = sample_stereo()
    config = one_condition(noise=NoiseConfig(snr_db=(snr, snr), colour=(colour, colour)), room=small_room())
    degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("snr", snr))
    for channel in (0, 1):
        measured = _measure(degraded, segments, channel)
        assert drawn[channel].snr_db == snr
        assert abs(measured["snr_db"] - snr) <= 1.0, (channel, measured)
        assert abs(measured["level_dbfs"] - drawn[channel].level_dbfs) <= 1.0, (channel, measured)


def test_snr_is_drawn_over_the_configured_range():
    stereo, segments = sample_stereo(gap=0.8)
    config = one_condition(noise=NoiseConfig(snr_db=(5.0, 30.0)))
    drawn = [c.snr_db for seed in range(12) for c in degrade_stereo(stereo, segments, config, SR, make_np_rng(seed))[1]]
    assert min(drawn) < 10 and max(drawn) > 25 and all(5 <= s <= 30 for s in drawn)


def test_telephone_channel_has_no_energy_above_4khz():
    stereo, segments = sample_stereo()
    for codec in ("ulaw", "alaw", "gsm", "none"):
        channel = ChannelConfig(telephone=True, codecs=(codec,), clip_db=(1.0, 1.0), drift_db=(1.0, 1.0))
        config = one_condition(channel=channel,
                               noise=NoiseConfig(snr_db=(20.0, 20.0), colour=(0.0, 0.0)))
        degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("tel", codec))
        assert drawn[0].codec == codec and drawn[0].telephone_rate == 8000
        for channel in (0, 1):
            spectrum = np.abs(np.fft.rfft(degraded[:, channel].astype(np.float64))) ** 2
            freqs = np.fft.rfftfreq(len(degraded), 1 / SR)
            high = spectrum[freqs > 4000].sum() / spectrum.sum()
            assert high < 1e-5, (codec, channel, high)  # below -50 dB
            assert bandwidth_hz(degraded[:, channel], SR) <= 3700
        assert drawn[0].clipped_share > 0  # "a little clipping"
        # the wideband clean speech has energy up there, so the test can fail
        clean = np.abs(np.fft.rfft(stereo[:, 0].astype(np.float64))) ** 2
        assert clean[np.fft.rfftfreq(len(stereo), 1 / SR) > 4000].sum() / clean.sum() > 1e-3


def test_codec_round_trip_is_lossy_but_close():
    speech = sample_stereo()[0][:, 0]
    from speech.audio import resample

    narrow = resample(speech, SR, 8000)
    for codec, min_corr in (("ulaw", 0.99), ("alaw", 0.99), ("gsm", 0.8)):
        decoded = apply_codec(narrow, codec, 8000)
        assert len(decoded) == len(narrow) and not np.array_equal(decoded, narrow)
        assert np.corrcoef(decoded, narrow)[0, 1] > min_corr, codec


@pytest.mark.parametrize("rt60", [0.25, 0.4, 0.6])
def test_simulated_room_rt60_by_schroeder_within_20_percent(rt60):
    config = RoomConfig(rt60=(rt60, rt60), size_min=(5.0, 4.0, 2.7), size_max=(6.0, 5.0, 3.0), distance=(1.0, 1.5))
    for seed in range(2):
        room = simulate_room(config, SR, make_np_rng("rt60", rt60, seed))
        measured = schroeder_rt60(room.rir, SR)
        assert room.rt60 == rt60
        assert abs(measured - rt60) <= 0.2 * rt60, (seed, measured)
        assert abs(np.sum(room.rir.astype(np.float64) ** 2) - 1.0) < 1e-3  # unit energy keeps the level


def test_room_keeps_speech_on_the_timeline():
    stereo, segments = sample_stereo()
    config = one_condition(room=small_room(), noise=NoiseConfig(snr_db=(60.0, 60.0)))
    degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("lag"))
    assert drawn[0].rir.startswith("bank:") and drawn[0].rt60_measured > 0.1
    x, y = stereo[:, 0].astype(np.float64), degraded[:, 0].astype(np.float64)
    lags = range(-48, 49)
    best = max(lags, key=lambda k: float(np.dot(x[1000:-1000], np.roll(y, -k)[1000:-1000])))
    assert abs(best) <= 24  # within 1 ms: word times in the timeline stay true


def test_noise_of_the_two_channels_is_independent():
    stereo, segments = sample_stereo()
    config = one_condition(noise=NoiseConfig(snr_db=(10.0, 10.0), colour=(1.0, 1.0)))
    degraded, _ = degrade_stereo(stereo, segments, config, SR, make_np_rng("independent"))
    quiet = np.ones(len(stereo), dtype=bool)
    for _, start, end in segments:
        quiet[int((start - 0.05) * SR) : int((end + 0.5) * SR)] = False
    a, b = degraded[quiet, 0].astype(np.float64), degraded[quiet, 1].astype(np.float64)
    assert np.std(a) > 0 and np.std(b) > 0
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05
    # and each channel's floor never drops to digital zero between turns
    assert np.all(np.abs(degraded[quiet]).reshape(-1, 2).max(axis=0) > 1e-4)


def test_same_seed_gives_the_same_audio():
    stereo, segments = sample_stereo()
    config = resolve_acoustics("mixed", {"room": {"bank_size": 2, "rt60": [0.2, 0.3]}, "crosstalk": {"probability": 1.0}})
    first, drawn1 = degrade_stereo(stereo, segments, config, SR, make_np_rng(7, "acoustics", "d1"))
    second, drawn2 = degrade_stereo(stereo, segments, config, SR, make_np_rng(7, "acoustics", "d1"))
    other, _ = degrade_stereo(stereo, segments, config, SR, make_np_rng(8, "acoustics", "d1"))
    assert np.array_equal(first, second) and drawn1 == drawn2
    assert not np.array_equal(first, other)


def test_crosstalk_is_a_delayed_attenuated_copy_of_the_other_speaker():
    stereo, segments = sample_stereo()
    config = one_condition(noise=NoiseConfig(snr_db=(80.0, 80.0)), level=LevelConfig(gain_db=(0.0, 0.0)))
    config = type(config)(config.preset, config.conditions, CrosstalkConfig(1.0, (-20.0, -20.0), (10.0, 10.0)))
    degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("xt"))
    assert drawn[0].crosstalk_gain_db == -20.0 and drawn[1].crosstalk_delay_ms == 10.0
    delay = int(0.010 * SR)
    expected = 0.1 * stereo[: len(stereo) - delay, 1]
    _, b_start, b_end = segments[1]  # B talks, A is silent: channel 0 holds only B's copy (plus a tiny floor)
    a, b = int(b_start * SR) + delay, int(b_end * SR)
    residual = degraded[a:b, 0] - expected[a - delay : b - delay]
    assert np.sqrt(np.mean(residual**2)) < 0.05 * np.sqrt(np.mean(expected[a - delay : b - delay] ** 2))


def test_level_is_drawn_per_speaker_around_the_target():
    stereo, segments = sample_stereo()
    config = one_condition(level=LevelConfig(gain_db=(-6.0, 6.0)), noise=NoiseConfig(snr_db=(40.0, 40.0)))
    gains = []
    for seed in range(6):
        degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("level", seed))
        for channel in (0, 1):
            assert abs(_measure(degraded, segments, channel)["level_dbfs"] - drawn[channel].level_dbfs) < 0.5
            gains.append(drawn[channel].gain_db)
    assert np.ptp(gains) > 4 and len(set(gains)) == len(gains)


def _octave_slope(noise: np.ndarray) -> float:
    """The noise's spectral slope: log power ratio of the 250 Hz and 2 kHz octaves per octave."""
    spectrum = np.abs(np.fft.rfft(noise.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(noise), 1 / SR)
    band = lambda lo: spectrum[(freqs >= lo) & (freqs < 2 * lo)].mean()  # noqa: E731
    return float(np.log10(band(250) / band(2000)) / np.log10(8))


def test_coloured_noise_has_the_drawn_slope():
    rng = make_np_rng("slope")
    for colour in (0.0, 1.0, 2.0):
        noise = coloured_noise(SR * 20, colour, rng, SR)
        slope = _octave_slope(noise)
        assert abs(slope - colour) < 0.15, (colour, slope)
        assert abs(np.mean(noise.astype(np.float64) ** 2) - 1.0) < 1e-3
        x = noise.astype(np.float64)
        assert abs(np.mean(x**4) / np.mean(x**2) ** 2 - 3.0) < 0.1  # Gaussian (kurtosis 3), not uniform (1.8)


def test_presets_and_options():
    assert not DuplexConfig().acoustics_config().enabled  # clean by default: no degraded copy
    mixed = DuplexConfig(acoustics="mixed").acoustics_config()
    assert [c.name for c in mixed.conditions] == ["office", "home", "telephone"]
    tuned = DuplexConfig(acoustics="office", acoustics_options={"noise": {"snr_db": [5, 10]}}).acoustics_config()
    assert tuned.conditions[0].noise.snr_db == (5, 10) and tuned.conditions[0].room.rt60 == (0.3, 0.6)
    custom = DuplexConfig(acoustics_options={"channel": {"telephone": True}}).acoustics_config()
    assert custom.enabled and custom.conditions[0].channel.telephone
    with pytest.raises(ConfigError, match="choose one of"):
        DuplexConfig(acoustics="underwater")
    with pytest.raises(ConfigError, match="codec"):
        DuplexConfig(acoustics="telephone", acoustics_options={"channel": {"codecs": ["mp9"]}})
    with pytest.raises(ConfigError, match="unknown key"):
        DuplexConfig(acoustics="home", acoustics_options={"noise": {"snr": 3}})
    from eval.evaluate import EvalConfig

    with pytest.raises(ConfigError, match="eval.audio"):
        EvalConfig(audio="noisy")


def test_rooms_without_pyroomacoustics_say_how_to_install(monkeypatch):
    from corpus_core.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "pyroomacoustics", None)
    with pytest.raises(MissingDependency, match=r"duplexsynth\[acoustics\]"):
        simulate_room(RoomConfig(), SR, make_np_rng(0))
    stereo, segments = sample_stereo()  # a condition without a room needs no extra
    degraded, _ = degrade_stereo(stereo, segments, one_condition(), SR, make_np_rng(0))
    assert degraded.shape == stereo.shape


def test_user_noise_and_rir_folders(tmp_path):
    from speech.audio import write_audio

    rng = make_np_rng("folders")
    (tmp_path / "noise" / "sub").mkdir(parents=True)
    hum = 0.1 * np.sin(2 * np.pi * 120 * np.arange(SR * 3) / SR).astype(np.float32)  # a mains hum recording
    write_audio(tmp_path / "noise" / "sub" / "hum.wav", hum, SR)
    room = simulate_room(small_room(), SR, rng)
    write_audio(tmp_path / "rirs" / "room.wav", room.rir / np.abs(room.rir).max(), SR)
    stereo, segments = sample_stereo()
    config = one_condition(noise=NoiseConfig(snr_db=(10.0, 10.0), folders=(str(tmp_path / "noise"),), file_probability=1.0,
                                             file_share=(0.9, 0.9)),
                           room=RoomConfig(folders=(str(tmp_path / "rirs"),)))
    degraded, drawn = degrade_stereo(stereo, segments, config, SR, rng)
    assert drawn[0].noise_file.endswith("hum.wav") and drawn[0].rir.endswith("room.wav")
    assert drawn[0].rt60 is None and abs(drawn[0].rt60_measured - room.rt60_measured) < 0.02
    quiet = degraded[: int(0.5 * SR), 0].astype(np.float64)  # before the first turn: noise only
    spectrum = np.abs(np.fft.rfft(quiet)) ** 2
    freqs = np.fft.rfftfreq(len(quiet), 1 / SR)
    assert spectrum[(freqs > 110) & (freqs < 130)].sum() > 0.5 * spectrum.sum()  # the hum dominates the floor
    with pytest.raises(ConfigError, match="does not exist"):
        degrade_stereo(stereo, segments, one_condition(noise=NoiseConfig(folders=(str(tmp_path / "nope"),))), SR, rng)


def test_rt60_measured_on_the_rendered_dialogue_audio():
    """Deconvolving a whole rendered dialogue (clean -> degraded) gives back the room's RT60."""
    import soundfile as sf

    from corpus_core.manifest import read_manifest
    from duplex.records import Timeline
    from eval.acoustics import rt60_from_audio

    samples = Path(__file__).resolve().parents[2] / "samples"
    timeline = next(iter(read_manifest(samples / "timelines.jsonl", Timeline)))
    stereo, _ = sf.read(samples / timeline.audio_path, dtype="float32")  # 69 s of piper speech, both channels
    segments = [(s.channel, s.start, s.end) for s in timeline.segments]
    room = RoomConfig(rt60=(0.3, 0.5), bank_size=2, size_min=(4.0, 4.0, 2.6), size_max=(6.0, 5.0, 3.0))
    config = one_condition(room=room, noise=NoiseConfig(snr_db=(20.0, 20.0)))
    degraded, drawn = degrade_stereo(stereo, segments, config, SR, make_np_rng("rt60-audio"))
    for channel in (0, 1):
        measured = rt60_from_audio(stereo[:, channel], degraded[:, channel], SR)
        assert measured is not None
        assert abs(measured - drawn[channel].rt60_measured) <= 0.25 * drawn[channel].rt60_measured, (channel, measured)


def test_noise_bank_floor_has_the_colour_and_is_gaussian():
    rng = make_np_rng("bank-slope")
    for colour in (0.0, 1.0, 2.0):
        noise = floor_from_bank(SR * 20, colour, rng, SR)
        assert abs(_octave_slope(noise) - colour) < 0.15, colour
        x = noise.astype(np.float64)
        assert abs(np.mean(x**2) - 1.0) < 1e-3
        assert abs(np.mean(x**4) / np.mean(x**2) ** 2 - 3.0) < 0.1


def test_noise_bank_floors_are_independent_repeatable_and_never_repeat_within_a_dialogue():
    rate, seconds = 8000, 90  # longer than either loop (37-46 s at 8 kHz): the read wraps around
    first, second = (floor_from_bank(rate * seconds, 1.0, make_np_rng("bank", i), rate) for i in (0, 1))
    again = floor_from_bank(rate * seconds, 1.0, make_np_rng("bank", 0), rate)
    assert np.array_equal(first, again) and not np.array_equal(first, second)
    x, y = first.astype(np.float64), second.astype(np.float64)
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.02  # two channels' floors: independent
    # the floor against itself at every lag up to 60 s: no lag repeats it (a repeat would be 1;
    # one loop recurring alone gives 0.5 at its own length, never more)
    n = len(x)
    spectrum = np.fft.rfft(x, 2 * n)
    auto = np.fft.irfft(spectrum * np.conj(spectrum))[: 60 * rate] / np.arange(n, n - 60 * rate, -1)
    auto /= auto[0]
    lags = np.arange(len(auto))
    assert np.max(np.abs(auto[lags > 10])) < 0.6
    loop_lengths = [len(loop) for loop in noise_bank(1.0, rate)]
    assert np.gcd(*loop_lengths) == 1 and min(loop_lengths) >= 37 * rate
    assert 0.4 < abs(auto[loop_lengths[0]]) < 0.6


def test_colours_are_taken_on_the_bank_grid_inside_the_range():
    assert grid_colour(0.8, (0.8, 1.5)) == 1.0 and grid_colour(1.13, (0.8, 1.5)) == 1.25
    assert grid_colour(0.01, (0.0, 1.0)) == 0.0 and str(grid_colour(0.01, (0.0, 1.0))) == "0.0"
    assert grid_colour(1.1, (1.1, 1.1)) == 1.1  # a range narrower than a step keeps its colour
    config = one_condition(noise=NoiseConfig(snr_db=(20.0, 20.0), colour=(0.5, 1.5)))
    stereo, segments = sample_stereo()
    colours = {c.noise_colour for seed in range(8) for c in degrade_stereo(stereo, segments, config, SR,
                                                                            make_np_rng("grid", seed))[1]}
    assert colours <= {0.5, 0.75, 1.0, 1.25, 1.5} and len(colours) >= 3


def test_telephone_room_at_8khz_is_the_24khz_room_then_the_band():
    stereo, _ = sample_stereo()
    band = (300.0, 3400.0)
    for room in rir_bank(small_room(), SR):
        slow = apply_band(resample(apply_rir(stereo[:, 0], room, 0.7), SR, 8000), band, 8000)
        fast = apply_rir(resample(stereo[:, 0], SR, 8000), telephone_room(room, SR, 8000, band), 0.7)
        assert len(fast) == len(slow)
        residual = np.sqrt(np.mean((fast - slow) ** 2)) / np.sqrt(np.mean(slow**2))
        assert residual < 0.02, residual  # same channel to 2% (the resampler's edge above 3.6 kHz)


def test_codec_weights_set_how_often_each_codec_is_drawn():
    channel = ChannelConfig(telephone=True, codecs=("ulaw", "gsm"), codec_weights=(0.8, 0.2))
    config = one_condition(channel=channel)
    drawn = [draw_channel(0, "A", config, SR, make_np_rng("codec", i))[0].codec for i in range(400)]
    assert 0.12 < drawn.count("gsm") / len(drawn) < 0.28
    mixed = resolve_acoustics("mixed", {})
    assert [c.channel.codec_weights for c in mixed.conditions if c.channel.telephone] == [(0.4, 0.4, 0.2)]
    with pytest.raises(ConfigError, match="codec_weights"):
        one_condition(channel=ChannelConfig(telephone=True, codecs=("ulaw", "gsm"), codec_weights=(1.0,)))
