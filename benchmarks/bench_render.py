"""Render the same duplex timelines with duplexsynth and with lhotse's MixedCut.

Timelines come from ``build_timeline`` on generated tone-burst "speech" (24 kHz),
so no TTS runs here. Both renderers produce the same two channels:

* duplexsynth: :func:`duplex.render.render_stereo` on decoded arrays, and a second
  time decoding every utterance from the same in-memory WAV bytes lhotse reads;
* lhotse: one ``MixedCut`` per channel whose ``MixTrack`` s are ``MonoCut`` s of
  in-memory ``Recording.from_bytes`` sources, ``load_audio()``.

Prints throughput in x real time (seconds of stereo audio per second of work, one
process, one thread for numpy) and the ratio. Run:
``OMP_NUM_THREADS=1 python benchmarks/bench_render.py``.

``--acoustics mixed`` (or any preset) then times the whole duplex stage per dialogue
(read the turns, place, render, write FLAC + mono + transcript) on a copy of a corpus
(``--corpus``, default the shipped ``samples/``) with ``clean`` and with that preset, in
the same run, and prints the ratio, plus the one-off room-bank simulation.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "duplex"))

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
from duplex_fixtures import speak  # noqa: E402

from duplex.build import DuplexConfig, build_timeline  # noqa: E402
from duplex.render import render_stereo  # noqa: E402
from speech.records import Utterance  # noqa: E402

SR = 24000
WORDS = "well I think the plan works, maybe tomorrow. we could go there and then come back home, okay.".split()


def make_dialogues(n: int, turns: int, seed: int) -> list[tuple[object, dict[str, np.ndarray]]]:
    rng = np.random.default_rng(seed)
    out = []
    for d in range(n):
        utts, audio = [], {}
        for i in range(turns):
            text = " ".join(rng.choice(WORDS, size=int(rng.integers(6, 30))))
            samples = speak(text, sr=SR, seed=i)[0]
            uid = f"d{d}-{i:03d}"
            audio[uid] = samples
            utts.append(Utterance(id=uid, dialogue_id=f"d{d}", turn_index=i, speaker="AB"[i % 2], voice="v",
                                  text=text, audio_path="", duration=len(samples) / SR, sampling_rate=SR))
        for spk in "AB":
            samples = speak("yeah", sr=SR)[0]
            uid = f"d{d}-bc-{spk}-0"
            audio[uid] = samples
            utts.append(Utterance(id=uid, dialogue_id=f"d{d}", turn_index=-1, speaker=spk, voice="v", text="yeah",
                                  audio_path="", duration=len(samples) / SR, sampling_rate=SR, kind="backchannel"))
        tl, _ = build_timeline(f"d{d}", utts, DuplexConfig(), np.random.default_rng(d), lambda u: audio[u.id])
        out.append((tl, audio))
    return out


def wav_bytes(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, SR, format="WAV", subtype="FLOAT")
    return buf.getvalue()


def render_ours(tl, audio) -> np.ndarray:
    return render_stereo(tl.segments, tl.duration, SR, lambda s: audio[s.utterance_id])


def render_ours_decoding(tl, blobs) -> np.ndarray:
    audio = {k: sf.read(io.BytesIO(v), dtype="float32")[0] for k, v in blobs.items()}
    return render_stereo(tl.segments, tl.duration, SR, lambda s: audio[s.utterance_id])


def lhotse_cuts(tl, blobs):
    from lhotse import Recording
    from lhotse.cut import MixedCut, MixTrack, MonoCut

    recs = {k: Recording.from_bytes(v, k) for k, v in blobs.items()}
    cuts = []
    for ch in (0, 1):
        tracks = []
        for i, s in enumerate(tl.channel_segments(ch)):
            rec = recs[s.utterance_id]
            dur = min(s.source_end, rec.duration) - s.source_start
            cut = MonoCut(id=f"{tl.id}-{ch}-{i}", start=s.source_start, duration=dur, channel=0, recording=rec)
            tracks.append(MixTrack(cut=cut, offset=s.start))
        cuts.append(MixedCut(id=f"{tl.id}-{ch}", tracks=tracks).pad(duration=tl.duration))
    return cuts


def render_lhotse(cuts) -> np.ndarray:
    chans = [c.load_audio()[0] for c in cuts]
    n = min(len(c) for c in chans)
    return np.stack([c[:n] for c in chans], axis=1)


def timed(fn, items, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        for item in items:
            fn(*item)
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=8)
    parser.add_argument("--turns", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--acoustics", default=None, help="also time the duplex stage with this acoustics preset")
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[1] / "samples",
                        help="corpus whose utterances.jsonl and audio/ the acoustics benchmark renders")
    parser.add_argument("--skip-lhotse", action="store_true", help="only the acoustics benchmark")
    args = parser.parse_args()
    if args.acoustics and args.skip_lhotse:
        bench_acoustics(args.corpus, args.acoustics, args.repeat)
        return
    data = make_dialogues(args.dialogues, args.turns, 0)
    audio_seconds = sum(tl.duration for tl, _ in data)
    blobs = [{k: wav_bytes(v) for k, v in audio.items()} for _, audio in data]
    cuts = [lhotse_cuts(tl, b) for (tl, _), b in zip(data, blobs)]
    # same result check (lhotse rounds offsets to samples its own way: compare energy per channel)
    for (tl, audio), c in zip(data[:2], cuts[:2]):
        ours, theirs = render_ours(tl, audio), render_lhotse(c)
        n = min(len(ours), len(theirs))
        for ch in (0, 1):
            e1, e2 = float(np.sum(ours[:n, ch] ** 2)), float(np.sum(theirs[:n, ch] ** 2))
            assert abs(e1 - e2) <= 0.02 * max(e1, 1e-9), (tl.id, ch, e1, e2)
    segs = sum(len(tl.segments) for tl, _ in data)
    print(f"{len(data)} dialogues, {audio_seconds:.1f} s of stereo audio at {SR} Hz, {segs} segments")
    t_ours = timed(render_ours, data, args.repeat)
    t_dec = timed(render_ours_decoding, [(tl, b) for (tl, _), b in zip(data, blobs)], args.repeat)
    t_lh = timed(render_lhotse, [(c,) for c in cuts], args.repeat)
    for name, t in (("duplexsynth render_stereo (arrays)", t_ours), ("duplexsynth render_stereo (decode wav bytes)", t_dec),
                    ("lhotse MixedCut.load_audio (wav bytes)", t_lh)):
        print(f"{name:48s} {audio_seconds / t:10.0f} x real time  ({t * 1000:.1f} ms)")
    print(f"ratio duplexsynth/lhotse: {t_lh / t_ours:.1f}x (arrays), {t_lh / t_dec:.1f}x (both decoding)")
    if args.acoustics:
        bench_acoustics(args.corpus, args.acoustics, args.repeat)


def _clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


class Costs:
    """Best-of-repeats CPU and wall seconds per named step."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}

    def keep(self, name: str, cpu: float, wall: float) -> None:
        self.cpu[name] = min(self.cpu.get(name, float("inf")), cpu)
        self.wall[name] = min(self.wall.get(name, float("inf")), wall)


def bench_acoustics(corpus: Path, preset: str, repeat: int) -> None:
    """Duplex-stage cost with acoustic conditions against clean, on real utterances.

    CPU seconds (``time.process_time``, one thread) are the cost: on a shared machine the
    wall clock also counts the time other jobs hold the cores. Clean and ``preset`` runs
    alternate inside this one run, best of ``repeat`` each.
    """
    import shutil
    import tempfile

    from corpus_core.manifest import read_manifest
    from corpus_core.seeding import make_np_rng, stable_seed
    from duplex.acoustics import degrade_stereo, grid_colour, noise_bank, rir_bank
    from duplex.render import mix_to_mono
    from duplexsynth.config import load_config
    from duplexsynth.degrading import DEGRADED_FLAC_LEVEL
    from duplexsynth.rendering import group_utterances, render_dialogue
    from duplexsynth.transcript import write_transcript
    from speech.audio import read_audio, write_audio

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)  # a copy of the turns' audio (paths must stay inside the corpus), renders written here
        shutil.copytree(corpus / "audio", out / "audio", ignore=shutil.ignore_patterns("duplex"))
        groups = group_utterances(read_manifest(corpus / "utterances.jsonl", Utterance))
        configs = {name: load_config(None, {"duplex": {"acoustics": name}}) for name in ("clean", preset)}
        as_wav = f"{preset}, wav"  # the degraded copy as 16-bit WAV (acoustics_options.format)
        configs[as_wav] = load_config(None, {"duplex": {"acoustics": preset, "acoustics_options": {"format": "wav"}}})
        t = time.perf_counter()
        for cond in configs[preset].duplex.acoustics_config().conditions:
            if cond.room.enabled and not cond.room.folders:
                rir_bank(cond.room, SR)
        print(f"room banks for {preset!r} (simulated once, then cached): {time.perf_counter() - t:.2f} s")
        c0, banks = time.process_time(), {}
        for cond in configs[preset].duplex.acoustics_config().conditions:  # every grid colour the preset can draw
            rate = cond.channel.telephone_rate if cond.channel.telephone else SR
            band = tuple(cond.channel.band) if cond.channel.telephone else None
            lo, hi = cond.noise.colour
            for colour in {grid_colour(c, (lo, hi)) for c in np.linspace(lo, hi, 41)}:
                banks[(colour, rate, band)] = noise_bank(colour, rate, band)
        nbytes = sum(loop.nbytes for loops in banks.values() for loop in loops)
        print(f"noise banks for {preset!r} (made once per process): {len(banks)} banks, "
              f"{time.process_time() - c0:.2f} s CPU, {nbytes / 2**20:.0f} MiB")
        for d, us in groups.items():  # warm the file cache and imports
            render_dialogue(out, configs[preset], d, us)
        stage = Costs()
        for name in ("clean", preset, as_wav) * repeat:
            c0, w0 = _clock()
            timelines = [render_dialogue(out, configs[name], d, us) for d, us in groups.items()]
            c1, w1 = _clock()
            stage.keep(name, c1 - c0, w1 - w0)
        audio = sum(tl.duration for tl in timelines)
        # the steps, each timed on its own (same calls as duplexsynth.rendering / degrading)
        from duplex.build import build_timeline

        acoustics = configs[preset].duplex.acoustics_config()
        steps = Costs()
        for _ in range(repeat):
            totals: dict[str, list[float]] = {}
            for d, us in groups.items():
                cfg = configs[preset].duplex
                rng = np.random.default_rng(stable_seed(0, "duplex", d))
                marks = [_clock()]
                tl, stereo = build_timeline(d, us, cfg, rng, lambda u: read_audio(out / u.audio_path, u.sampling_rate)[0])
                marks.append(_clock())
                write_audio(out / "bench.flac", stereo, SR)
                marks.append(_clock())
                write_audio(out / "bench.mono.flac", mix_to_mono(stereo), SR)
                marks.append(_clock())
                write_transcript(out / "bench.txt", tl)
                marks.append(_clock())
                degraded, _ = degrade_stereo(stereo, [(s.channel, s.start, s.end) for s in tl.segments], acoustics, SR,
                                             make_np_rng(0, "acoustics", tl.id))
                marks.append(_clock())
                write_audio(out / "bench.degraded.flac", degraded, SR, compression_level=DEGRADED_FLAC_LEVEL)
                marks.append(_clock())
                write_audio(out / "bench.degraded5.flac", degraded, SR)
                marks.append(_clock())
                write_audio(out / "bench.degraded.wav", degraded, SR)
                marks.append(_clock())
                names = ("read, place, render", "write stereo FLAC", "write mono FLAC", "transcript",
                         "acoustic DSP", "write degraded FLAC", "  (at FLAC level 5)", "  (as 16-bit WAV)")
                for i, step in enumerate(names):
                    cw = totals.setdefault(step, [0.0, 0.0])
                    cw[0] += marks[i + 1][0] - marks[i][0]
                    cw[1] += marks[i + 1][1] - marks[i][1]
            for step, (cpu, wall) in totals.items():
                steps.keep(step, cpu, wall)
    load = open("/proc/loadavg").read().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"duplex stage on {len(groups)} dialogues, {audio:.1f} s of stereo audio, best of {repeat}, load {load}:")
    for name in ("clean", preset, as_wav):
        print(f"  {name:15s} {stage.cpu[name]:.3f} s CPU ({audio / stage.cpu[name]:.0f} x real time), "
              f"{stage.wall[name]:.3f} s wall")
    clean_steps = sum(steps.cpu[s] for s in ("read, place, render", "write stereo FLAC", "write mono FLAC", "transcript"))
    print("  steps (CPU s, share of the clean steps):")
    for step, cpu in steps.cpu.items():
        print(f"    {step:22s} {cpu:.3f} s  {100 * cpu / clean_steps:5.1f}%   (wall {steps.wall[step]:.3f} s)")
    for name in (preset, as_wav):
        print(f"ratio {name}/clean duplex-stage cost: {stage.cpu[name] / stage.cpu['clean']:.2f}x CPU "
              f"({stage.wall[name] / stage.wall['clean']:.2f}x wall; aim <= 1.1x)")


if __name__ == "__main__":
    main()
