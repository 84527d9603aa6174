"""A random-weight multi-speaker piper voice, built offline with piper's own training code.

No multi-speaker piper voice can be downloaded here, so tests and benchmarks build one:
piper-tts (1.8) ships its VITS (``piper.train.vits.models.SynthesizerTrn``) in the wheel;
a tiny one with random weights is exported to ONNX the way ``piper.train.export_onnx``
does (inputs ``input``, ``input_lengths``, ``scales``, ``sid``) and saved with a
``.onnx.json`` config holding ``num_speakers`` and a ``speaker_id_map``. piper loads it
by path like any voice (``PiperVoice.load``), and ``voices --from`` makes one bank entry
per speaker. The voice speaks noise-like audio, but each speaker id conditions the
decoder differently, so speaker embeddings tell the speakers apart.

Needs torch (any CPU build) besides piper-tts; the ``train`` extra's other packages
(lightning, ...) are not needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from corpus_core.errors import MissingDependency

__all__ = ["build_random_piper_voice"]

#: piper's ONNX opset (``piper.train.export_onnx.OPSET_VERSION``)
OPSET_VERSION = 15


def build_random_piper_voice(path: str | Path, speakers: Sequence[str], seed: int = 0, sample_rate: int = 16000,
                             speaker_scale: float = 3.0) -> Path:
    """Save a random-weight piper voice with one speaker id per name in ``speakers``.

    :param path: the ``.onnx`` file to write (its ``.onnx.json`` goes beside it).
    :param seed: torch seed of the random weights (the same seed builds the same voice).
    :param speaker_scale: factor on the random speaker embeddings (N(0, 1) at init);
        larger values make the speakers differ more.
    :return: the ``.onnx`` path.
    """
    try:
        from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP
    except ImportError:
        raise MissingDependency("piper-tts", extra="offline", why="building a random-weight piper voice") from None
    try:
        import torch
        from piper.train.vits.models import SynthesizerTrn
    except ImportError as e:
        raise MissingDependency("torch", extra="hf", why=f"building a random-weight piper voice ({e})") from None
    path = Path(path)
    n_vocab = max(i for ids in DEFAULT_PHONEME_ID_MAP.values() for i in ids) + 1
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        # hop length 256 = 8 * 8 * 4, piper's default, so phoneme alignments line up with samples
        model = SynthesizerTrn(
            n_vocab=n_vocab, spec_channels=129, segment_size=32, inter_channels=16, hidden_channels=16,
            filter_channels=32, n_heads=2, n_layers=1, kernel_size=3, p_dropout=0.0, resblock="2",
            resblock_kernel_sizes=(3,), resblock_dilation_sizes=((1, 3),), upsample_rates=(8, 8, 4),
            upsample_initial_channel=32, upsample_kernel_sizes=(16, 16, 8), n_speakers=len(speakers),
            gin_channels=32, use_sdp=False)
        model.eval()
        with torch.no_grad():
            model.dec.remove_weight_norm()
            if len(speakers) > 1:
                model.emb_g.weight.mul_(speaker_scale)

    def infer(text, text_lengths, scales, sid=None):  # piper.train.export_onnx's forward
        audio = model.infer(text, text_lengths, noise_scale=scales[0], length_scale=scales[1],
                            noise_scale_w=scales[2], sid=sid)[0]
        return audio.unsqueeze(1)

    model.forward = infer  # type: ignore[method-assign]
    dummy = (torch.randint(0, n_vocab, (1, 50)), torch.LongTensor([50]), torch.FloatTensor([0.667, 1.0, 0.8]),
             torch.LongTensor([0]) if len(speakers) > 1 else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's constant-folding notes
        torch.onnx.export(model, dummy, str(path), opset_version=OPSET_VERSION, dynamo=False,
                          input_names=["input", "input_lengths", "scales", "sid"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch_size", 1: "phonemes"}, "input_lengths": {0: "batch_size"},
                                        "output": {0: "batch_size", 2: "time"}})
    config = {
        "audio": {"sample_rate": sample_rate}, "espeak": {"voice": "en-us"}, "phoneme_type": "espeak",
        "num_symbols": n_vocab, "num_speakers": len(speakers),
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP, "speaker_id_map": {name: i for i, name in enumerate(speakers)},
        "hop_length": 256,
    }
    Path(f"{path}.json").write_text(json.dumps(config), encoding="utf-8")
    return path
