"""The noise floor: stationary coloured Gaussian noise, optionally mixed with a recording.

Coloured noise is made in the frequency domain: a random complex spectrum shaped by
``f ** (-colour / 2)`` and one inverse real FFT (:func:`coloured_noise`).

The renderer does not pay that FFT per channel (13 ms for a 66 s channel at 24 kHz): it
reads a **noise bank** (:func:`noise_bank`), two loops of coloured noise of coprime
lengths (37-40 s and 43-47 s) made once per process from a fixed seed for each (colour,
rate, band), and each channel sums both loops from drawn offsets with drawn signs
(:func:`floor_from_bank`, 0.4 ms). The sum repeats only after ``len1 * len2`` samples
(thousands of hours); one loop's half of the power recurs 37-40 s later, so the floor's
correlation with itself is 0.5 at most at any lag, and two channels (independent
offsets) are uncorrelated at lag 0. Colours are taken on a grid of :data:`COLOUR_STEP`
(the nearest grid colour inside the drawn range, recorded as the channel's
``noise_colour``), so a run needs a handful of banks (``mixed``: 10, 51 MiB, 0.38 s of
CPU once per process).
Recordings (MUSAN-style folders) are looped from a random offset to the needed length.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus_core.errors import ConfigError
from corpus_core.seeding import make_np_rng
from duplex.acoustics.base import draw_uniform, scipy_fft

__all__ = [
    "coloured_noise", "list_audio_files", "noise_from_file", "AUDIO_SUFFIXES", "noise_bank", "floor_from_bank",
    "grid_colour", "COLOUR_STEP", "BANK_SECONDS",
]

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
    n = scipy_fft().next_fast_len(max(2, num_samples), real=True)
    return _unit_power(_shaped_noise(n, colour, rng, sampling_rate, corner_hz, band)[:num_samples])


def _unit_power(noise: np.ndarray, rms: float = 1.0) -> np.ndarray:
    """``noise`` scaled (in place) to a mean power of 1 (or to RMS ``rms``)."""
    power = float(np.dot(noise, noise)) / max(1, len(noise))
    if power > 0:
        noise *= np.float32(rms / np.sqrt(power))
    return noise


def _shaped_noise(n: int, colour: float, rng: np.random.Generator, sampling_rate: int, corner_hz: float,
                  band: tuple[float, float] | None) -> np.ndarray:
    """``n`` samples of circular coloured noise (one inverse FFT of exactly ``n``), not normalized."""
    fft = scipy_fft()
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
    return fft.irfft(spectrum, n).astype(np.float32, copy=False)


#: colours of the noise bank are multiples of this
COLOUR_STEP = 0.25
#: lengths in seconds of the bank's two loops (made coprime in samples)
BANK_SECONDS = (37, 43)


def grid_colour(drawn: float, bounds: tuple[float, float]) -> float:
    """The bank colour for a drawn colour: the nearest multiple of :data:`COLOUR_STEP` inside ``bounds``.

    A range holding no multiple (narrower than a step) keeps its drawn colour.

    >>> grid_colour(0.8, (0.8, 1.5)), grid_colour(1.13, (0.8, 1.5)), grid_colour(1.1, (1.1, 1.1))
    (1.0, 1.25, 1.1)
    """
    lo, hi = bounds
    steps = np.arange(np.ceil(lo / COLOUR_STEP - 1e-9), np.floor(hi / COLOUR_STEP + 1e-9) + 1) * COLOUR_STEP
    if steps.size == 0:
        return float(drawn)
    return round(float(steps[int(np.argmin(np.abs(steps - drawn)))]), 4) + 0.0  # never -0.0


def _smooth(n: int, primes: tuple[int, ...]) -> bool:
    for p in primes:
        while n % p == 0:
            n //= p
    return n == 1


def _loop_lengths(sampling_rate: int) -> tuple[int, int]:
    """Loop lengths of at least :data:`BANK_SECONDS`: one made of 2s and 3s, one of 5s, 7s and 11s.

    So they share no factor (coprime) and each is a fast FFT length (a bank takes tens of
    ms to make, not the hundreds a prime length would).
    """
    first = next(n for n in range(BANK_SECONDS[0] * sampling_rate, 4 * BANK_SECONDS[0] * sampling_rate)
                 if _smooth(n, (2, 3)))
    second = next(n for n in range(BANK_SECONDS[1] * sampling_rate, 4 * BANK_SECONDS[1] * sampling_rate)
                  if _smooth(n, (5, 7, 11)))
    return first, second


@lru_cache(maxsize=12)
def noise_bank(colour: float, sampling_rate: int, band: tuple[float, float] | None = None,
               corner_hz: float = CORNER_HZ) -> tuple[np.ndarray, np.ndarray]:
    """Two loops of unit-power coloured noise with coprime lengths, made once from a fixed seed.

    Each loop is circular (one inverse FFT of exactly its length), so reading across its
    end has no seam. Kept in memory (``lru_cache``): 7.9 MB per bank at 24 kHz, 2.7 MB at 8 kHz.
    """
    loops = []
    for i, n in enumerate(_loop_lengths(sampling_rate)):
        rng = make_np_rng("noise-bank", colour, sampling_rate, band, corner_hz, i)
        loop = _unit_power(_shaped_noise(n, colour, rng, sampling_rate, corner_hz, band))
        loop.setflags(write=False)
        loops.append(loop)
    return loops[0], loops[1]


def _read_loop(loop: np.ndarray, offset: int, sign: int, out: np.ndarray, add: bool) -> None:
    """``out (+)= sign * loop[offset:]``, wrapping around the loop's end as often as needed (no temporaries)."""
    pos, n = 0, len(out)
    while pos < n:
        take = min(n - pos, len(loop) - offset)
        piece, target = loop[offset : offset + take], out[pos : pos + take]
        if add:
            (np.add if sign > 0 else np.subtract)(target, piece, out=target)
        elif sign > 0:
            target[:] = piece
        else:
            np.negative(piece, out=target)
        pos, offset = pos + take, 0


def floor_from_bank(num_samples: int, colour: float, rng: np.random.Generator, sampling_rate: int = 24000,
                    band: tuple[float, float] | None = None, rms: float = 1.0) -> np.ndarray:
    """Float32 coloured noise of RMS ``rms``: the bank's two loops from drawn offsets and signs, summed.

    Draws two offsets and two signs from ``rng`` (nothing else), so the same seed gives
    the same floor and two channels get independent ones.
    """
    first, second = noise_bank(float(colour), sampling_rate, None if band is None else tuple(band))  # type: ignore[arg-type]
    offsets = rng.integers(0, (len(first), len(second)))
    signs = np.where(rng.random(2) < 0.5, -1, 1)
    noise = np.empty(num_samples, dtype=np.float32)
    _read_loop(first, int(offsets[0]), int(signs[0]), noise, add=False)
    _read_loop(second, int(offsets[1]), int(signs[1]), noise, add=True)
    return _unit_power(noise, rms)


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
