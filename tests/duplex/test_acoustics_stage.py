"""Acoustic conditions through the pipeline: degraded stereo beside the clean one, recorded
parameters, exports with --audio, eval on degraded audio, report players."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite runs with --import-mode=importlib
from acoustics_fixtures import SAMPLES
from click.testing import CliRunner

from corpus_core.manifest import read_manifest
from duplex.acoustics import rir_bank
from duplex.records import Timeline
from duplexsynth.config import load_config
from duplexsynth.pipeline import run_duplex
from speech.audio import read_audio

DIALOGUE = "booking-00000"
SMALL_ROOMS = {"room": {"bank_size": 2, "rt60": [0.2, 0.3]}}


def _corpus(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copytree(SAMPLES / "audio" / DIALOGUE, root / "audio" / DIALOGUE)
    lines = [line for line in (SAMPLES / "utterances.jsonl").read_text().splitlines() if f'"{DIALOGUE}"' in line]
    (root / "utterances.jsonl").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same dialogue rendered clean and with the telephone and mixed presets."""
    import os

    root = tmp_path_factory.mktemp("acoustics")
    old = os.environ.get("DUPLEXSYNTH_CACHE")
    os.environ["DUPLEXSYNTH_CACHE"] = str(root / "cache")
    rir_bank.cache_clear()
    try:
        out = {}
        for preset in ("clean", "telephone", "mixed"):
            corpus = _corpus(root / preset)
            options = {"clean": {}, "telephone": SMALL_ROOMS,
                       "mixed": {**SMALL_ROOMS, "crosstalk": {"probability": 1.0}}}[preset]
            config = load_config(None, {"duplex": {"acoustics": preset, "acoustics_options": options}})
            assert not run_duplex(corpus, config).failed
            out[preset] = corpus
        return out
    finally:
        os.environ.pop("DUPLEXSYNTH_CACHE") if old is None else os.environ.__setitem__("DUPLEXSYNTH_CACHE", old)
        rir_bank.cache_clear()


def _timeline(corpus: Path) -> Timeline:
    return next(iter(read_manifest(corpus / "timelines.jsonl", Timeline)))


def test_clean_stays_and_degraded_is_written_beside_it(corpora):
    clean, tel = _timeline(corpora["clean"]), _timeline(corpora["telephone"])
    assert clean.degraded_path is None and "acoustics" not in clean.meta
    assert not list((corpora["clean"] / "audio" / "duplex").glob("*.degraded.*"))
    assert tel.degraded_path == f"audio/duplex/{DIALOGUE}.degraded.flac"
    a, _ = read_audio(corpora["clean"] / clean.audio_path)
    b, _ = read_audio(corpora["telephone"] / tel.audio_path)
    assert np.array_equal(a, b)  # switching acoustics on changes neither timing nor the clean audio
    degraded, sr = read_audio(corpora["telephone"] / tel.degraded_path)
    assert degraded.shape == a.shape and sr == tel.sampling_rate
    gaps = np.ones(len(a), dtype=bool)
    for s in tel.segments:
        gaps[int(s.start * sr) : int((s.end + 0.5) * sr)] = False
    assert np.all(a[gaps] == 0) and np.all(np.abs(degraded[gaps]).max(axis=0) > 0)  # no digital silence


def test_timeline_and_meta_json_record_the_drawn_parameters(corpora):
    tel = _timeline(corpora["telephone"])
    channels = tel.meta["acoustics"]["channels"]
    assert tel.meta["acoustics"]["preset"] == "telephone" and [c["channel"] for c in channels] == [0, 1]
    for c in channels:
        assert c["condition"] == "telephone" and c["codec"] in ("ulaw", "alaw", "gsm")
        assert 10 <= c["snr_db"] <= 25 and 0.2 <= c["rt60"] <= 0.3 and c["rt60_measured"] > 0
        assert c["level_dbfs"] < 0 and c["band"] == [300.0, 3400.0]
    meta = json.loads((corpora["telephone"] / "meta.json").read_text())
    summary = meta["stages"]["duplex"]["acoustics"]
    assert summary["preset"] == "telephone" and summary["channels"] == {"telephone": 2}
    mixed = _timeline(corpora["mixed"]).meta["acoustics"]["channels"]
    assert all(c["crosstalk_gain_db"] is not None for c in mixed)


def test_export_takes_audio_clean_or_degraded(corpora):
    from duplexsynth.cli.export import export

    corpus = corpora["telephone"]
    tel = _timeline(corpus)
    for audio, source in (("degraded", tel.degraded_path), ("clean", tel.audio_path)):
        result = CliRunner().invoke(export, [str(corpus), "--format", "moshi", "--audio", audio])
        assert result.exit_code == 0, result.output
        wav, _ = read_audio(corpus / "exports" / "moshi" / "data_stereo" / f"{DIALOGUE}.wav")
        expected, _ = read_audio(corpus / source)
        assert np.allclose(wav, expected, atol=1 / 32768)
    result = CliRunner().invoke(export, [str(corpora["clean"]), "--format", "moshi", "--audio", "degraded"])
    assert result.exit_code == 1 and "no degraded stereo file" in result.output


def test_nemo_duplex_hears_the_degraded_user_and_keeps_the_agent_clean(corpora):
    from duplexsynth.exporting import export_corpus

    corpus = corpora["telephone"]
    tel = _timeline(corpus)
    out = export_corpus(corpus, ["nemo-duplex"], {"nemo-duplex": {"system_prompt": False, "target_rate": 24000}},
                        audio="degraded")["nemo-duplex"]
    user, _ = read_audio(out / "audio" / f"{DIALOGUE}_agentA.user.flac")
    agent, _ = read_audio(out / "audio" / f"{DIALOGUE}_agentA.agent.flac")
    degraded, _ = read_audio(corpus / tel.degraded_path)
    clean, _ = read_audio(corpus / tel.audio_path)
    assert np.allclose(user, degraded[: len(user), 1], atol=1 / 32768)  # B is the user, heard through the phone
    assert np.allclose(agent, clean[: len(agent), 0], atol=2 / 32768)  # A's target speech stays clean


def test_eval_measures_and_transcribes_the_degraded_audio(corpora):
    from dataclasses import replace

    from duplexsynth.gate_actions import Gate
    from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
    from eval.evaluate import EvalConfig
    from eval.turn_taking import measure_turn_taking
    from eval.vad import get_vad

    corpus = corpora["telephone"]
    tel = _timeline(corpus)
    config = load_config(None, {"duplex": {"acoustics": "telephone", "acoustics_options": SMALL_ROOMS}})
    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=2))
    wers = {}
    for audio in ("clean", "degraded"):
        cfg = replace(config, eval=EvalConfig(audio=audio, cpwer=False, speaker_similarity=False, turn_taking=False))
        turns, summary = Gate(corpus, cfg).evaluate(tel, asr)
        assert summary.metrics["audio"] == audio
        wers[audio] = summary.wer
        for c in summary.metrics["acoustics"]["channels"]:
            assert abs(c["snr_db_measured"] - c["snr_db"]) <= 2.0, c  # codec noise on top of the drawn floor
            assert c["bandwidth_hz_measured"] <= 3700
    assert wers["degraded"] < 0.5  # a telephone condition at >= 10 dB SNR is still intelligible
    # VAD turn-taking on degraded audio: every turn is still found on its own channel
    vad = get_vad("silero")
    degraded, sr = read_audio(corpus / tel.degraded_path)
    stats = measure_turn_taking(degraded, sr, vad)
    clean_stats = measure_turn_taking(read_audio(corpus / tel.audio_path)[0], sr, vad)
    assert stats.ipus[0] >= 1 and stats.ipus[1] >= 1
    # piper's audio differs run to run (no TTS cache in a fresh clone), and a telephone channel at
    # 10 dB SNR can split or join an IPU: a floor transfer or two may come and go, not more
    assert abs(len(stats.ftos) - len(clean_stats.ftos)) <= max(2, round(0.25 * len(clean_stats.ftos))), (
        len(stats.ftos), len(clean_stats.ftos))
    assert abs(stats.speech_time - clean_stats.speech_time) <= 0.15 * clean_stats.speech_time


def test_report_plays_clean_and_degraded_side_by_side(corpora, tmp_path):
    from duplexsynth.reporting import collect_report_items
    from eval.report import render_report_html

    items = collect_report_items(corpora["mixed"], tmp_path)
    page = render_report_html(items)
    assert page.count("<audio") == 2 and ".degraded.flac" in page
    for c in _timeline(corpora["mixed"]).meta["acoustics"]["channels"]:
        assert f"{c['speaker']}: {c['condition']}, SNR {c['snr_db']:.1f} dB" in page
    assert "Acoustic conditions: drawn vs measured" in page


def test_degraded_copy_as_wav_when_asked(corpora, tmp_path, monkeypatch):
    """``acoustics_options.format: wav``: the same degraded audio (to one 16-bit step) in a .wav file."""
    monkeypatch.setenv("DUPLEXSYNTH_CACHE", str(tmp_path / "cache"))
    rir_bank.cache_clear()
    try:
        corpus = _corpus(tmp_path / "wav")
        config = load_config(None, {"duplex": {"acoustics": "telephone",
                                               "acoustics_options": {**SMALL_ROOMS, "format": "wav"}}})
        assert not run_duplex(corpus, config).failed
    finally:
        rir_bank.cache_clear()
    as_wav, as_flac = _timeline(corpus), _timeline(corpora["telephone"])
    assert as_wav.audio_path.endswith(".flac") and as_wav.degraded_path == f"audio/duplex/{DIALOGUE}.degraded.wav"
    assert as_wav.meta["acoustics"] == as_flac.meta["acoustics"]
    wav, sr = read_audio(corpus / as_wav.degraded_path)
    flac, _ = read_audio(corpora["telephone"] / as_flac.degraded_path)
    assert sr == 24000 and wav.shape == flac.shape
    assert np.max(np.abs(wav - flac)) <= 1.0 / 32768 + 1e-9  # WAV rounds down, FLAC to nearest


def test_unknown_degraded_format_is_one_clear_error():
    from corpus_core.errors import ConfigError
    from duplex.acoustics import resolve_acoustics

    with pytest.raises(ConfigError, match="format 'mp3'"):
        resolve_acoustics("office", {"format": "mp3"})
