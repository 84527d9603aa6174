"""The coqui backend on a tiny random-weight multi-speaker VITS built in the test.

No coqui weights can be downloaded, so the test trains nothing: it builds a small VITS
with random weights, saves checkpoint + config.json, and loads it through
``TTS(model_path=..., config_path=...)`` (via the backend), the same call a user makes.
Needs coqui-tts (torch 2.9.1, torchaudio 2.9, torchcodec, six); skipped without it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("TTS.api", reason="coqui-tts is not installed (needs torch==2.9.1 + torchaudio 2.9, see README)")

from corpus_core.errors import BackendError  # noqa: E402
from speech.audio import measure_loudness  # noqa: E402
from speech.records import Voice  # noqa: E402
from speech.synthesize import SpeechConfig, TTSPool, speak_text  # noqa: E402
from speech.tts.coqui import CoquiConfig, CoquiTTS  # noqa: E402

SPEAKERS = ["alice", "bob"]


def _build_tiny_vits(folder: Path) -> Path:
    """Save a random-weight 2-speaker VITS (~250k parameters, 16 kHz) and its config.json."""
    import torch
    from TTS.tts.configs.vits_config import VitsConfig
    from TTS.tts.models.vits import Vits, VitsArgs

    args = VitsArgs(
        out_channels=129, hidden_channels=16, hidden_channels_ffn_text_encoder=32, num_heads_text_encoder=2,
        num_layers_text_encoder=1, num_layers_posterior_encoder=1, num_layers_flow=1,
        upsample_initial_channel_decoder=16, upsample_rates_decoder=[8, 8], upsample_kernel_sizes_decoder=[16, 16],
        resblock_kernel_sizes_decoder=[3], resblock_dilation_sizes_decoder=[[1, 3, 5]],
        use_speaker_embedding=True, speaker_embedding_channels=8, init_discriminator=False, use_sdp=False,
    )
    config = VitsConfig(model_args=args, use_phonemes=False, text_cleaner="english_cleaners",
                        speakers=SPEAKERS, use_speaker_embedding=True)
    # hop 64 = product of the decoder's upsample rates; 129 = fft_size / 2 + 1 spectrogram bins
    for key, value in {"sample_rate": 16000, "fft_size": 256, "win_length": 256, "hop_length": 64,
                       "num_mels": 40}.items():
        setattr(config.audio, key, value)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model = Vits(config)
    with torch.no_grad():  # random speaker embeddings (N(0, 1)) spread wider: the speakers differ more
        model.emb_g.weight.mul_(3.0)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    config.save_json(str(folder / "config.json"))
    return folder / "model.pth"


@pytest.fixture(scope="module")
def tiny_vits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build_tiny_vits(tmp_path_factory.mktemp("coqui") / "tiny-vits")


@pytest.fixture(scope="module")
def engine() -> CoquiTTS:
    return CoquiTTS(CoquiConfig())


def test_user_call_loads_the_saved_checkpoint(tiny_vits: Path) -> None:
    from TTS.api import TTS

    tts = TTS(model_path=str(tiny_vits), config_path=str(tiny_vits.parent / "config.json"), progress_bar=False)
    assert tts.speakers == SPEAKERS
    wav = np.asarray(tts.tts("Hello there.", speaker="bob"))
    assert wav.size > 1000 and np.all(np.isfinite(wav))


def test_speakers_by_name_and_index_seeded(engine: CoquiTTS, tiny_vits: Path) -> None:
    bob = Voice(id="bob", backend="coqui", model=str(tiny_vits), speaker="bob")
    bob_by_index = Voice(id="bob1", backend="coqui", model=str(tiny_vits), speaker="1")
    alice = Voice(id="alice", backend="coqui", model=str(tiny_vits), speaker="alice")
    text = "How are you doing today?"
    a = engine.synthesize(text, bob, seed=3)
    assert a.sampling_rate == 16000 and a.samples.dtype == np.float32
    np.testing.assert_array_equal(a.samples, engine.synthesize(text, bob_by_index, seed=3).samples)
    other = engine.synthesize(text, alice, seed=3).samples
    n = min(len(other), len(a.samples))
    assert not np.allclose(a.samples[:n], other[:n]), "a different speaker id must change the audio"


def test_length_scale_lengthens_audio(engine: CoquiTTS, tiny_vits: Path) -> None:
    voice = Voice(id="bob", backend="coqui", model=str(tiny_vits), speaker="bob")
    short = engine.synthesize("This sentence has several words in it.", voice, length_scale=1.0, seed=1)
    long = engine.synthesize("This sentence has several words in it.", voice, length_scale=4.0, seed=1)
    assert len(long.samples) > 1.3 * len(short.samples)


def test_unknown_speaker_lists_the_model_speakers(engine: CoquiTTS, tiny_vits: Path) -> None:
    with pytest.raises(BackendError, match="alice"):
        engine.synthesize("Hi.", Voice(id="x", backend="coqui", model=str(tiny_vits), speaker="carol"))


def test_through_the_speech_stage(engine: CoquiTTS, tiny_vits: Path) -> None:
    config = SpeechConfig(sampling_rate=24000, target_lufs=-23.0)
    voice = Voice(id="bob", backend="coqui", model=str(tiny_vits), speaker="bob")
    syn = speak_text("Good morning to you.", voice, TTSPool(engines={"coqui": engine}), config)
    assert syn.sampling_rate == 24000 and syn.words is None
    assert abs(measure_loudness(syn.samples, 24000) - -23.0) < 0.5


def test_speaker_names_are_distinct_voices_by_embedding(engine: CoquiTTS, tiny_vits: Path) -> None:
    """Two speaker names give different speaker embeddings (resemblyzer); one name gives
    consistent ones over different sentences and seeds."""
    resemblyzer = pytest.importorskip("resemblyzer", reason="resemblyzer is not installed (scripts/test_coqui.sh installs it)")

    from resemblyzer.audio import normalize_volume

    encoder = resemblyzer.VoiceEncoder("cpu", verbose=False)
    sentences = ("How are you doing today, my friend?", "The weather was lovely on the coast last weekend.",
                 "Could you please send me the report by Friday?")
    emb: dict[str, list[np.ndarray]] = {}
    for name in SPEAKERS:
        voice = Voice(id=name, backend="coqui", model=str(tiny_vits), speaker=name)
        for seed, text in enumerate(sentences):
            syn = engine.synthesize(text, voice, seed=seed)
            # the whole clip at the encoder's 16 kHz: resemblyzer's voice-activity trim (preprocess_wav)
            # finds no speech in a random model's sound
            assert syn.sampling_rate == 16000
            e = encoder.embed_utterance(normalize_volume(syn.samples.astype(np.float32), -30, increase_only=True))
            emb.setdefault(name, []).append(e / np.linalg.norm(e))
    same = {n: np.mean([a @ b for i, a in enumerate(es) for b in es[i + 1:]]) for n, es in emb.items()}
    cross = np.mean([a @ b for a in emb["alice"] for b in emb["bob"]])
    assert cross < min(same.values()), (cross, same)
    # every sentence is nearer its own speaker's other sentences than the other speaker's
    for name, other in (("alice", "bob"), ("bob", "alice")):
        for i, e in enumerate(emb[name]):
            own = np.mean([x for j, x in enumerate(emb[name]) if j != i], axis=0)
            assert e @ own / np.linalg.norm(own) > e @ np.mean(emb[other], axis=0) / np.linalg.norm(
                np.mean(emb[other], axis=0))
