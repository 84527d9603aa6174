"""Draw each speaker's acoustic condition and render the degraded stereo from the clean one.

Per channel: level gain -> room (FFT convolution) -> crosstalk -> [telephone: 8 kHz, band]
-> noise floor at the drawn SNR -> level drift and clipping -> [telephone: codec, back up].
A telephone channel with a room and no crosstalk goes down to 8 kHz first and takes the
room and the band in one convolution there (:func:`duplex.acoustics.channel.telephone_room`);
the noise floor comes from the per-process noise bank (:func:`duplex.acoustics.noise.floor_from_bank`). The SNR is set
against the speech power inside the channel's own segments, measured where the noise
is added (in the telephone band for a telephone channel), so eval can measure it back.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

import numpy as np

from duplex.acoustics.base import (
    ChannelCondition,
    db_to_gain,
    draw_uniform,
    power_db,
    segment_spans,
    span_power,
)
from duplex.acoustics.channel import (
    apply_band,
    apply_clipping,
    apply_codec,
    apply_drift,
    telephone_room,
)
from duplex.acoustics.config import AcousticsConfig, ConditionConfig
from duplex.acoustics.crosstalk import add_crosstalk
from duplex.acoustics.noise import (
    floor_from_bank,
    grid_colour,
    list_audio_files,
    noise_from_file,
)
from duplex.acoustics.room import RoomImpulse, apply_rir, load_rir_file, rir_bank
from speech.audio import resample

__all__ = ["draw_channel", "degrade_stereo"]


def _draw_room(cond: ConditionConfig, sampling_rate: int, rng: np.random.Generator) -> RoomImpulse | None:
    if not cond.room.enabled:
        return None
    if cond.room.folders:
        files = list_audio_files(tuple(cond.room.folders))
        return load_rir_file(files[int(rng.integers(len(files)))], sampling_rate)
    bank = rir_bank(cond.room, sampling_rate)
    return bank[int(rng.integers(len(bank)))]


def _draw_codec(codecs: tuple[str, ...], weights: tuple[float, ...], rng: np.random.Generator) -> str:
    if not weights:
        return str(rng.choice(list(codecs)))
    p = np.asarray(weights, dtype=float)
    return str(codecs[int(rng.choice(len(codecs), p=p / p.sum()))])


def draw_channel(channel: int, speaker: str, config: AcousticsConfig, sampling_rate: int,
                 rng: np.random.Generator) -> tuple[ChannelCondition, ConditionConfig, RoomImpulse | None]:
    """Draw one speaker's condition and every parameter of it (no audio is touched)."""
    weights = np.array([c.weight for c in config.conditions], dtype=float)
    cond = config.conditions[int(rng.choice(len(weights), p=weights / weights.sum()))]
    room = _draw_room(cond, sampling_rate, rng)
    ch = cond.channel
    files = list_audio_files(tuple(cond.noise.folders)) if cond.noise.folders else ()
    use_file = bool(files) and rng.random() < cond.noise.file_probability
    drawn = ChannelCondition(
        channel=channel, speaker=speaker, condition=cond.name, gain_db=draw_uniform(rng, cond.level.gain_db, 2),
        snr_db=draw_uniform(rng, cond.noise.snr_db, 2),
        noise_colour=grid_colour(draw_uniform(rng, cond.noise.colour, 2), cond.noise.colour),
        noise_file=str(files[int(rng.integers(len(files)))]) if use_file else None,
        noise_file_share=draw_uniform(rng, cond.noise.file_share, 2) if use_file else None,
        rt60=room.rt60 if room else None, rt60_measured=room.rt60_measured if room else None,
        rir=room.source if room else None, room_size=room.room_size if room else None,
        distance=room.distance if room else None, telephone=ch.telephone,
        band=tuple(ch.band) if ch.telephone else None, telephone_rate=ch.telephone_rate if ch.telephone else None,
        codec=_draw_codec(ch.codecs, ch.codec_weights, rng) if ch.telephone else None,
        clip_db=draw_uniform(rng, ch.clip_db, 2), drift_db=draw_uniform(rng, ch.drift_db, 2),
        drift_hz=draw_uniform(rng, ch.drift_hz, 3),
    )
    return drawn, cond, room


def _noise(drawn: ChannelCondition, num_samples: int, sampling_rate: int, rng: np.random.Generator,
           rms: float) -> np.ndarray:
    """The channel's noise at RMS ``rms`` (in the telephone band for a telephone channel)."""
    band = tuple(drawn.band) if drawn.telephone and drawn.band else None
    colour = drawn.noise_colour or 0.0
    # the bank's floor is shaped by the band in the frequency domain: no filter pass over it
    if not drawn.noise_file:
        return floor_from_bank(num_samples, colour, rng, sampling_rate, band=band, rms=rms)  # type: ignore[arg-type]
    noise = floor_from_bank(num_samples, colour, rng, sampling_rate, band=band)  # type: ignore[arg-type]
    share = drawn.noise_file_share or 0.0
    recording = noise_from_file(Path(drawn.noise_file), num_samples, sampling_rate, rng)
    if band is not None:  # a recording is filtered for real, then back to unit power
        recording = apply_band(recording, band, sampling_rate)  # type: ignore[arg-type]
        recording /= np.float32(np.sqrt(max(float(np.dot(recording, recording)) / max(1, num_samples), 1e-20)))
    noise *= np.float32(np.sqrt(1.0 - share))
    noise += recording * np.float32(np.sqrt(share))
    noise *= np.float32(rms)
    return noise


def _add_noise(speech: np.ndarray, drawn: ChannelCondition, spans_seconds: list[tuple[float, float]],
               sampling_rate: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Speech plus noise at the drawn SNR; also returns the speech power in the spans."""
    spans = segment_spans(spans_seconds, sampling_rate, len(speech))
    speech_power = span_power(speech, spans)
    rms = float(np.sqrt(speech_power / 10.0 ** ((drawn.snr_db or 0.0) / 10.0)))
    noise = _noise(drawn, len(speech), sampling_rate, rng, rms)  # in the speech's band, so the SNR holds in band
    noise += speech
    return noise, speech_power


def degrade_stereo(stereo: np.ndarray, segments: Iterable[tuple[int, float, float]], config: AcousticsConfig,
                   sampling_rate: int, rng: np.random.Generator,
                   speakers: tuple[str, str] = ("A", "B")) -> tuple[np.ndarray, list[ChannelCondition]]:
    """Render the degraded copy of a clean stereo dialogue.

    :param stereo: clean float32 ``(num_samples, 2)``.
    :param segments: ``(channel, start, end)`` of every segment, seconds.
    :param rng: the dialogue's generator; the same seed gives the same audio.
    :return: the degraded float32 ``(num_samples, 2)`` and the drawn parameters per channel.
    """
    n = len(stereo)
    spans: list[list[tuple[float, float]]] = [[], []]
    for channel, start, end in segments:
        spans[channel].append((start, end))
    draws = [draw_channel(c, speakers[c], config, sampling_rate, rng) for c in (0, 1)]
    crosstalk = rng.random() < config.crosstalk.probability
    xt_gain = draw_uniform(rng, config.crosstalk.gain_db, 2)
    xt_delay = draw_uniform(rng, config.crosstalk.delay_ms, 2)
    wet: list[np.ndarray] = []
    narrow: list[np.ndarray | None] = [None, None]  # telephone channels already at their rate, in band
    for c, (drawn, _cond, room) in enumerate(draws):
        gain = db_to_gain(drawn.gain_db)  # inside the RIR when there is a room: a short multiply
        if drawn.telephone and room is not None and not crosstalk:
            rate = drawn.telephone_rate or 8000
            folded = telephone_room(room, sampling_rate, rate, tuple(drawn.band))  # type: ignore[arg-type]
            narrow[c] = apply_rir(resample(stereo[:, c], sampling_rate, rate), folded, gain)
            wet.append(stereo[:, c])  # not used
        else:
            wet.append(apply_rir(stereo[:, c], room, gain) if room is not None else stereo[:, c] * np.float32(gain))
    if crosstalk:
        wet = add_crosstalk(wet, xt_gain, xt_delay / 1000.0, sampling_rate)
        draws = [(replace(d, crosstalk_gain_db=xt_gain, crosstalk_delay_ms=xt_delay), c, r) for d, c, r in draws]
    out = np.empty((n, 2), dtype=np.float32)
    conditions = []
    for c, (drawn, _cond, _room) in enumerate(draws):
        # level drift and clipping happen at the microphone's converter, before any codec
        # (and so inside the telephone band: clipping after the resampler would add highs)
        rate = (drawn.telephone_rate or 8000) if drawn.telephone else sampling_rate
        phase = float(rng.uniform(0, 2 * np.pi))
        if drawn.telephone:
            band = narrow[c]
            if band is None:
                band = apply_band(resample(wet[c], sampling_rate, rate), drawn.band, rate)  # type: ignore[arg-type]
            noisy, power = _add_noise(band, drawn, spans[c], rate, rng)
        else:
            noisy, power = _add_noise(wet[c], drawn, spans[c], rate, rng)
        noisy = apply_drift(noisy, drawn.drift_db or 0.0, drawn.drift_hz or 0.0, phase, rate)
        noisy, clipped = apply_clipping(noisy, drawn.clip_db or 0.0)
        if drawn.telephone:
            back = resample(apply_codec(noisy, drawn.codec or "none", rate), rate, sampling_rate)
            out[:, c] = 0.0
            out[: min(n, len(back)), c] = back[:n]
        else:
            out[:, c] = noisy
        conditions.append(replace(drawn, level_dbfs=round(power_db(power), 2), clipped_share=round(clipped, 5)))
    return out, conditions
