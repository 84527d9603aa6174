"""The noise floor: stationary coloured Gaussian noise, optionally mixed with a recording.

The floor is made in the frequency domain: a random complex spectrum shaped by
``f ** (-colour / 2)`` and one inverse real FFT, so any spectral slope costs one FFT.
Recordings (MUSAN-style folders) are looped from a random offset to the needed length.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus_core.errors import ConfigError
from duplex.acoustics.base import draw_uniform, scipy_fft

__all__ = ["coloured_noise", "list_audio_files", "noise_from_file", "AUDIO_SUFFIXES"]

#: frequency in Hz below which the floor's spectrum is flat
CORNER_HZ = 60.0
#: file suffixes read from noise and RIR folders
AUDIO_SUFFIXES = (".wav", ".flac")


def coloured_noise(num_samples: int, colour: float, rng: np.random.Generator, sampling_rate: int = 24000,
                   corner_hz: float = CORNER_HZ, band: tuple[float, float] | None = None) -> np.ndarray:
    """Float32 Gaussian noise of unit power whose power spectrum falls as ``1 / f**colour``.

    :param colour: 0 = white, 1 = pink, 2 = brown (red).
    :param corner_hz: the spectrum is flat below this frequency.
    :param band: shape the spectrum by the telephone band-pass's magnitude response too
        (:func:`duplex.acoustics.channel.band_gain`), as if the noise had passed the filter.
    """
    fft = scipy_fft()
    n = fft.next_fast_len(max(2, num_samples), real=True)
    bins = n // 2 + 1
    # uniform real and imaginary parts (interleaved: viewed as complex64 without a copy) are
    # 4x cheaper to draw than Gaussian ones; every output sample sums all bins, so it is
    # Gaussian all the same (central limit)
    spectrum = rng.random(2 * bins, dtype=np.float32)
    spectrum -= np.float32(0.5)
    spectrum = spectrum.view(np.complex64)
    # flat below the corner: a 1/f slope down to DC would put most of the power in a few
    # very slow components, and the floor would not be stationary over a dialogue
    if colour:
        shape = np.arange(bins, dtype=np.float32)
        np.maximum(shape, np.float32(corner_hz * n / sampling_rate), out=shape)
        np.power(shape, np.float32(-colour / 2.0), out=shape)
    else:
        shape = np.ones(bins, dtype=np.float32)
    if band is not None:
        from duplex.acoustics.channel import band_gain

        shape *= band_gain(np.arange(bins, dtype=np.float32) * np.float32(sampling_rate / n), band, sampling_rate)
    shape[0] = 0.0
    spectrum *= shape
    noise = fft.irfft(spectrum, n)[:num_samples]
    noise = noise.astype(np.float32, copy=False)
    power = float(np.dot(noise, noise)) / max(1, num_samples)
    if power > 0:
        noise *= np.float32(1.0 / np.sqrt(power))
    return noise


@lru_cache(maxsize=16)
def list_audio_files(folders: tuple[str, ...]) -> tuple[Path, ...]:
    """Every .wav/.flac file under ``folders`` (recursively), sorted so draws are repeatable.

    :raises ConfigError: when a folder does not exist or holds no audio.
    """
    files: list[Path] = []
    for folder in folders:
        root = Path(folder).expanduser()
        if not root.is_dir():
            raise ConfigError(f"duplex.acoustics: folder {folder!r} does not exist; fix the path in the config")
        found = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
        if not found:
            raise ConfigError(f"duplex.acoustics: folder {folder!r} holds no .wav/.flac files")
        files += found
    return tuple(files)


def noise_from_file(path: Path, num_samples: int, sampling_rate: int, rng: np.random.Generator) -> np.ndarray:
    """A recording as mono float32 of unit power, looped from a random offset to ``num_samples``."""
    from speech.audio import read_audio

    samples, _ = read_audio(path, sampling_rate)
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    power = float(np.dot(samples, samples)) / max(1, len(samples))
    if len(samples) == 0 or power <= 0:
        raise ConfigError(f"duplex.acoustics: noise file {path} is empty or silent; remove it from the folder")
    offset = int(draw_uniform(rng, (0, len(samples) - 1), 0))
    reps = -(-(num_samples + offset) // len(samples))
    looped = np.tile(samples.astype(np.float32), reps)[offset : offset + num_samples]
    return looped / np.float32(np.sqrt(power))
