"""coqui-tts backend: a model by name (``tts_models/en/vctk/vits``) or a local checkpoint.

A voice's ``model`` is either a coqui model name, a checkpoint file (its ``config.json``
lies beside it) or a checkpoint folder with a ``config.json`` (XTTS). ``speaker`` picks a
speaker of a multi-speaker model (by name, or by index into the model's speaker list);
``speaker_wav`` clones a voice from a recording (XTTS, YourTTS).

No coqui weights ship on PyPI and none download here; a user's machine with a model hub
loads names, and tests build a tiny random-weight VITS and load it by path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from speech.records import Voice
from speech.tts.base import TTS, Synthesis, register_tts

__all__ = ["CoquiConfig", "CoquiTTS", "resolve_coqui_model"]


@dataclass(frozen=True)
class CoquiConfig:
    """Options of the ``coqui`` backend."""

    #: model used by voices that name none (a coqui model name or a checkpoint path)
    default_model: str | None = None
    #: language for multilingual models (XTTS needs one, e.g. "en")
    language: str | None = None
    #: torch device, e.g. "cpu" or "cuda"
    device: str = "cpu"


def resolve_coqui_model(model: str) -> dict[str, str]:
    """Keyword arguments of ``TTS.api.TTS`` for ``model``: a name, a checkpoint file or a folder.

    >>> resolve_coqui_model("tts_models/en/vctk/vits")
    {'model_name': 'tts_models/en/vctk/vits'}
    """
    path = Path(model)
    if path.is_dir():
        config = path / "config.json"
    elif path.is_file():
        config = path.parent / "config.json"
    elif not (model.startswith("tts_models/") or ("/" not in model and not path.suffix)):
        raise BackendError(
            f"coqui: model {model!r} looks like a path but does not exist; give a checkpoint file "
            "with config.json beside it, a checkpoint folder, or a coqui model name"
        )
    else:
        return {"model_name": model}
    if not config.is_file():
        raise BackendError(f"coqui: checkpoint {model!r} has no {config}; save the model's config.json beside it")
    return {"model_path": str(path), "config_path": str(config)}


@register_tts
class CoquiTTS(TTS):
    """Synthesis with coqui-tts; one loaded model per model name or path."""

    name = "coqui"
    requires = ("TTS",)
    uses_seed = True
    config_type = CoquiConfig

    def __init__(self, config: CoquiConfig) -> None:
        super().__init__(config)
        try:
            import TTS.api  # noqa: F401
        except ImportError as e:
            raise MissingDependency(
                "coqui-tts", extra="coqui", why=f"the coqui TTS backend; it needs torch==2.9.1, torchaudio==2.9.*, torchcodec "
                f"and six installed first ({e})"
            ) from None
        self._models: dict[str, Any] = {}

    def _load(self, voice: Voice) -> Any:
        model = voice.model or self.config.default_model
        if not model:
            raise BackendError(f"coqui: voice {voice.id!r} names no model and coqui.default_model is not set")
        if model not in self._models:
            from TTS.api import TTS as CoquiAPI

            try:
                self._models[model] = CoquiAPI(**resolve_coqui_model(model), progress_bar=False).to(self.config.device)
            except (OSError, ValueError, RuntimeError, KeyError) as e:
                raise BackendError(f"coqui: cannot load model {model!r} for voice {voice.id!r}: {e}") from e
        return self._models[model]

    @staticmethod
    def _speaker(api: Any, voice: Voice) -> str | None:
        """The speaker name of ``voice`` (an index such as ``"3"`` picks the 4th speaker)."""
        if voice.speaker is None or voice.speaker_wav:
            return voice.speaker
        speakers = list(api.speakers or [])
        if voice.speaker in speakers:
            return voice.speaker
        if voice.speaker.isdigit() and int(voice.speaker) < len(speakers):
            return speakers[int(voice.speaker)]
        raise BackendError(
            f"coqui: model {voice.model!r} has no speaker {voice.speaker!r} (voice {voice.id!r}); "
            f"its speakers are {speakers[:20]}{' ...' if len(speakers) > 20 else ''}"
        )

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        import torch

        api = self._load(voice)
        kwargs: dict[str, Any] = {"speaker": self._speaker(api, voice)}
        if voice.speaker_wav:
            kwargs["speaker_wav"] = voice.speaker_wav
        if api.is_multi_lingual:
            kwargs["language"] = self.config.language or "en"
        model = api.synthesizer.tts_model
        old_scale = getattr(model, "length_scale", None)
        if old_scale is None and length_scale != 1.0:
            kwargs["speed"] = 1.0 / length_scale  # XTTS takes a speed instead of a length scale
        try:
            if old_scale is not None:
                model.length_scale = old_scale * length_scale
            # fork_rng: the seed stays local to this call, torch's global generator is untouched.
            with torch.random.fork_rng(devices=[]), torch.inference_mode():
                torch.manual_seed(seed)
                wav = api.tts(text, **kwargs)
        except (RuntimeError, ValueError, KeyError) as e:
            raise BackendError(f"coqui: synthesis failed for voice {voice.id!r}, text {text!r}: {e}") from e
        finally:
            if old_scale is not None:
                model.length_scale = old_scale
        samples = np.asarray(wav, dtype=np.float32).reshape(-1)
        if samples.size == 0:
            raise BackendError(f"coqui: no audio for voice {voice.id!r}, text {text!r}")
        return Synthesis(samples, int(api.synthesizer.output_sample_rate))

    def model_info(self, voice: Voice) -> dict[str, Any]:
        from importlib.metadata import version

        return {"backend": self.name, "model": voice.model or self.config.default_model,
                "coqui_tts": version("coqui-tts")}
