"""``duplexsynth voices --check`` on real engines: piper joe and one espeak voice (fast ones)."""

from __future__ import annotations

from _require import require

require("faster_whisper")
require("piper")

from click.testing import CliRunner  # noqa: E402

from duplexsynth.cli.main import cli  # noqa: E402
from eval.voice_check import CHECK_TEXT, MAX_WER, VoiceCheck, check_voices  # noqa: E402
from speech.voices import default_voice_bank  # noqa: E402


def test_the_passage_has_forty_words_and_the_bars_decide_pass() -> None:
    assert len(CHECK_TEXT.split()) == 40
    row = VoiceCheck("v", wer=MAX_WER, english_prob=0.8, hypothesis="", duration=1.0, synth_seconds=1.0)
    assert row.passed
    assert not VoiceCheck(**{**row.__dict__, "english_prob": 0.79}).passed
    assert not VoiceCheck(**{**row.__dict__, "wer": 0.051}).passed


def test_check_measures_real_voices() -> None:
    bank = default_voice_bank()
    joe, robot = check_voices([bank["joe"], bank["espeak-us"]], embed=False)
    # joe is human-sounding American English: Whisper hears nearly every word, and English
    assert joe.wer <= MAX_WER and joe.english_prob is not None and joe.english_prob > 0.9
    assert "kitchen" in joe.hypothesis.lower()
    assert robot.english_prob is not None and 0.0 <= robot.english_prob <= 1.0
    assert 8.0 < joe.duration < 16.0 and joe.synth_seconds > 0
    # pYIN's median F0: joe is a male voice (87 Hz measured here), the +7 semitone copy is not female
    assert joe.f0_median is not None and 70 < joe.f0_median < 120


def test_a_pitch_shift_raises_the_measured_f0_by_its_ratio() -> None:
    bank = default_voice_bank()
    joe, higher = check_voices([bank["joe"], bank["joe-higher"]], embed=False, language_id=False)
    assert joe.f0_median and higher.f0_median
    assert 1.3 < higher.f0_median / joe.f0_median < 1.7  # +7 semitones = x1.50


def test_cli_prints_one_row_per_voice_and_a_summary() -> None:
    result = CliRunner().invoke(cli, ["voices", "--check", "--voice", "joe", "--voice", "joe-deep"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:6] == ["id", "gender", "cast", "f0", "wer", "en_prob"]
    assert lines[1].split()[2] == "yes" and lines[2].split()[2] == "no"  # joe-deep: off the default cast
    assert [line.split()[0] for line in lines[1:3]] == ["joe", "joe-deep"]
    assert "joe-deep (" in lines[1]  # nearest voice by embedding, with its cosine
    assert lines[-1].endswith("(WER <= 5%, English language ID >= 0.8)") and "of 2 voice(s) pass" in lines[-1]


def test_cli_refuses_an_unknown_voice() -> None:
    result = CliRunner().invoke(cli, ["voices", "--check", "--voice", "nobody"])
    assert result.exit_code == 2 and "'nobody'" in result.output and "known: espeak" in result.output
