"""Room reverberation: shoebox rooms simulated offline with pyroomacoustics, or user RIRs.

Simulating a reverberant room by the image-source method takes a fraction of a second
to a second, more than rendering a whole dialogue, so each room config gets a bank of
``bank_size`` rooms simulated once, kept in ``$DUPLEXSYNTH_CACHE/rirs/`` and in memory;
each speaker then draws one room from the bank. Convolution is one overlap-add FFT
convolution per channel.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import ConfigError, MissingDependency
from corpus_core.seeding import make_np_rng, stable_seed
from duplex.acoustics.base import draw_uniform, scipy_fft
from duplex.acoustics.config import RoomConfig

__all__ = [
    "RoomImpulse", "schroeder_rt60", "prepare_rir", "simulate_room", "rir_bank", "load_rir_file", "apply_rir",
]

#: samples kept before the direct-path peak (the fractional-delay filter's half width)
LEAD_SAMPLES = 32


@dataclasses.dataclass(frozen=True)
class RoomImpulse:
    """One impulse response, trimmed to start just before its direct path, unit energy."""

    rir: np.ndarray
    #: samples before the direct-path peak (the output is advanced by this much)
    lead: int
    #: RT60 the room was simulated for (``None`` for a measured RIR file)
    rt60: float | None
    #: RT60 by Schroeder backward integration of ``rir``
    rt60_measured: float
    source: str
    room_size: tuple[float, ...] | None = None
    distance: float | None = None


def schroeder_rt60(rir: np.ndarray, sampling_rate: int, fit_db: tuple[float, float] = (-5.0, -25.0)) -> float:
    """RT60 in seconds from the energy decay curve (Schroeder backward integration).

    A line is fitted to the decay curve between ``fit_db`` (T20 by default) and
    extrapolated to -60 dB.
    """
    energy = np.cumsum(np.asarray(rir, dtype=np.float64)[::-1] ** 2)[::-1]
    if energy[0] <= 0:
        return 0.0
    edc = 10.0 * np.log10(np.maximum(energy / energy[0], 1e-30))
    hi, lo = fit_db
    idx = np.flatnonzero((edc <= hi) & (edc >= lo))
    if idx.size < 2:
        return 0.0
    slope, _ = np.polyfit(idx / sampling_rate, edc[idx], 1)
    return float(-60.0 / slope) if slope < 0 else 0.0


def prepare_rir(rir: np.ndarray, floor_db: float = -60.0) -> tuple[np.ndarray, int]:
    """Trim before the direct path and after the decay reaches ``floor_db``; scale to unit energy.

    :return: the trimmed float32 RIR and its lead (samples before the direct-path peak).
    """
    rir = np.asarray(rir, dtype=np.float64)
    start = max(0, int(np.argmax(np.abs(rir))) - LEAD_SAMPLES)
    rir = rir[start:]
    energy = np.cumsum(rir[::-1] ** 2)[::-1]
    keep = np.flatnonzero(energy > energy[0] * 10.0 ** (floor_db / 10.0))
    rir = rir[: int(keep[-1]) + 1] if keep.size else rir
    rir = rir / np.sqrt(np.sum(rir**2))
    return rir.astype(np.float32), int(np.argmax(np.abs(rir)))


def simulate_room(config: RoomConfig, sampling_rate: int, rng: np.random.Generator) -> RoomImpulse:
    """One shoebox room with a drawn size, RT60, microphone and talker position (image-source method)."""
    try:
        import pyroomacoustics as pra
    except ImportError:
        raise MissingDependency("pyroomacoustics", extra="acoustics", why="to simulate rooms; or set "
                                "duplex.acoustics_options: {room: {enabled: false}} or give room.folders") from None
    for _ in range(20):
        rt60 = draw_uniform(rng, config.rt60)
        size = [draw_uniform(rng, (a, b), 2) for a, b in zip(config.size_min, config.size_max)]
        distance = draw_uniform(rng, config.distance, 2)
        mic = np.array([draw_uniform(rng, (0.5, s - 0.5), 2) for s in size])
        direction = rng.standard_normal(3)
        direction[2] *= 0.2  # talkers sit or stand near microphone height
        source = mic + distance * direction / np.linalg.norm(direction)
        if np.any(source < 0.3) or np.any(source > np.array(size) - 0.3):
            continue
        try:
            absorption, max_order = pra.inverse_sabine(rt60, size)
        except ValueError:  # the room is too large for so short an RT60: draw again
            continue
        # the image-source decay lies between Sabine's formula (which inverse_sabine
        # inverts: ~15% too dry) and Eyring's (~15% too wet); their mean fits within a few %
        volume, surface = float(np.prod(size)), 2.0 * (size[0] * size[1] + size[0] * size[2] + size[1] * size[2])
        absorption = 0.5 * (absorption + float(1.0 - np.exp(-0.161 * volume / (surface * rt60))))
        room = pra.ShoeBox(size, fs=sampling_rate, materials=pra.Material(absorption), max_order=max_order)
        room.add_source(source.tolist())
        room.add_microphone(mic.tolist())
        room.compute_rir()
        rir, lead = prepare_rir(room.rir[0][0])
        return RoomImpulse(rir, lead, rt60, round(schroeder_rt60(rir, sampling_rate), 4), "simulated",
                           tuple(size), distance)
    raise ConfigError(f"duplex.acoustics.room: cannot fit a talker {config.distance} m from a microphone with "
                      f"RT60 {config.rt60} s in rooms {config.size_min}..{config.size_max}; widen the ranges")


def _bank_key(config: RoomConfig, sampling_rate: int) -> str:
    fields = {k: v for k, v in dataclasses.asdict(config).items() if k not in ("enabled", "folders")}
    return f"{stable_seed(json.dumps(fields, sort_keys=True), sampling_rate):016x}"


@lru_cache(maxsize=16)
def rir_bank(config: RoomConfig, sampling_rate: int) -> tuple[RoomImpulse, ...]:
    """The ``config.bank_size`` simulated rooms of ``config``: simulated once, then read from the cache."""
    key = _bank_key(config, sampling_rate)

    def build(tmp: Path) -> None:
        rooms = [simulate_room(config, sampling_rate, make_np_rng("rir-bank", key, i)) for i in range(config.bank_size)]
        width = max(len(r.rir) for r in rooms)
        with open(tmp, "wb") as f:
            np.savez(f, rirs=np.stack([np.pad(r.rir, (0, width - len(r.rir))) for r in rooms]),
                     lengths=[len(r.rir) for r in rooms], leads=[r.lead for r in rooms],
                     rt60=[r.rt60 for r in rooms], rt60_measured=[r.rt60_measured for r in rooms],
                     sizes=[r.room_size for r in rooms], distances=[r.distance for r in rooms])

    path = assemble_once(cache_dir() / "rirs" / f"{key}.npz", build)
    with np.load(path) as z:
        return tuple(
            RoomImpulse(z["rirs"][i, : z["lengths"][i]].copy(), int(z["leads"][i]), float(z["rt60"][i]),
                        float(z["rt60_measured"][i]), f"bank:{i}", tuple(map(float, z["sizes"][i])),
                        float(z["distances"][i]))
            for i in range(len(z["lengths"])))


@lru_cache(maxsize=64)
def load_rir_file(path: Path, sampling_rate: int) -> RoomImpulse:
    """A measured RIR file (first channel), resampled, trimmed and scaled to unit energy."""
    from speech.audio import read_audio

    samples, _ = read_audio(path, sampling_rate)
    if samples.ndim == 2:
        samples = samples[:, 0]
    if not np.any(samples):
        raise ConfigError(f"duplex.acoustics: RIR file {path} is silent; remove it from the folder")
    rir, lead = prepare_rir(samples)
    return RoomImpulse(rir, lead, None, round(schroeder_rt60(rir, sampling_rate), 4), str(path))


def _fft_size(taps: int) -> int:
    """Power-of-two FFT size of the block convolution: blocks of about 3x the RIR's length."""
    return 1 << int(np.ceil(np.log2(max(4 * taps, 4096))))


def apply_rir(samples: np.ndarray, room: RoomImpulse, gain: float = 1.0) -> np.ndarray:
    """Convolve with the RIR (times ``gain``) and advance by its lead, so speech keeps its timeline times.

    Overlap-add block convolution with one FFT of the RIR: the channel is cut into blocks
    of ``fft size - taps + 1`` samples, and only the blocks that hold sound are
    transformed (a speaker's channel is digital zero between its turns), all in one
    batched forward and one batched inverse real FFT (float32). Each block's tail
    (``taps - 1`` samples, shorter than a block) is added onto the next one.
    """
    fft = scipy_fft()
    rir = room.rir * np.float32(gain) if gain != 1.0 else room.rir
    n, taps = len(samples), len(rir)
    size = _fft_size(taps)
    block = size - taps + 1
    count, full = -(-n // block), n // block
    samples = np.asarray(samples, dtype=np.float32)
    main = samples[: full * block].reshape(full, block)  # a view: only the last, partial block is copied
    active = np.flatnonzero(np.any(main, axis=1))  # truth of the floats: no n-long boolean array
    rows = main[active]
    if count > full and np.any(samples[full * block :]):
        last = np.zeros((1, block), dtype=np.float32)
        last[0, : n - full * block] = samples[full * block :]
        rows, active = np.concatenate([rows, last]), np.append(active, full)
    out = np.zeros((count + 1, block), dtype=np.float32)
    if active.size:
        spectra = fft.rfft(rows, size, axis=1)
        spectra *= fft.rfft(rir, size)
        wet = fft.irfft(spectra, size, axis=1)
        out[active] = wet[:, :block]  # each block's own part lands first: set, not add
        out[active + 1, : taps - 1] += wet[:, block:]
    return out.reshape(-1)[room.lead : room.lead + n]
