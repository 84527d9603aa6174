"""The condition table of a corpus rendered with acoustic conditions, and VAD turn-taking on
its clean against its degraded audio.

Reads a corpus made with ``duplex.acoustics`` on and evaluated with ``eval.audio: degraded``
(for example ``generate --dialogues 20 --seed 0 --config mixed.yaml``) and prints:

* per condition: channels, SNR drawn against measured (range, mean absolute error, share
  within 1 dB), RT60 drawn / of the impulse response (Schroeder) / measured on the
  rendered audio (:func:`eval.acoustics.rt60_from_audio`), codecs and WER (ASR on the
  degraded audio);
* silero-VAD turn-taking measured on the clean and on the degraded stereo of each
  dialogue (no ASR), the differences with and without crosstalk, and both realism tables.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/conditions.py CORPUS``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from corpus_core.manifest import read_manifest  # noqa: E402
from duplex.records import Timeline  # noqa: E402
from eval.acoustics import rt60_from_audio  # noqa: E402
from eval.realism import corpus_turn_taking, format_realism_table  # noqa: E402
from eval.records import DialogueEval, TurnEval  # noqa: E402
from eval.report.acoustics import condition_rows  # noqa: E402
from eval.turn_taking import measure_turn_taking  # noqa: E402
from eval.vad import get_vad  # noqa: E402
from speech.audio import read_audio  # noqa: E402

SUMMARY_KEYS = ("overlap_share", "median_fto", "ipus_per_min", "gaps_per_min", "overlaps_per_min", "backchannels_per_min")


def load(corpus: Path) -> tuple[list[Timeline], dict[str, list[TurnEval]], dict[str, DialogueEval]]:
    timelines = list(read_manifest(corpus / "timelines.jsonl", Timeline))
    turns: dict[str, list[TurnEval]] = defaultdict(list)
    summaries: dict[str, DialogueEval] = {}
    for record in read_manifest(corpus / "eval.jsonl"):
        if isinstance(record, TurnEval):
            turns[record.dialogue_id].append(record)
        elif isinstance(record, DialogueEval):
            summaries[record.dialogue_id] = record
    return [t for t in timelines if t.degraded_path and t.id in summaries], turns, summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--no-vad", action="store_true", help="skip the VAD turn-taking comparison")
    args = parser.parse_args()
    timelines, turns, summaries = load(args.corpus)
    if not timelines:
        sys.exit(f"{args.corpus}: no evaluated dialogue with a degraded copy")
    vad = None if args.no_vad else get_vad("silero")
    channels: list[dict] = []
    stats = {"clean": [], "degraded": []}
    per_dialogue = []
    for tl in timelines:
        clean, _ = read_audio(args.corpus / tl.audio_path)
        degraded, _ = read_audio(args.corpus / tl.degraded_path)
        measured = {c["channel"]: c for c in summaries[tl.id].metrics.get("acoustics", {}).get("channels", [])}
        crosstalk = False
        for drawn in tl.meta["acoustics"]["channels"]:
            m = measured.get(drawn["channel"], {})
            rt60_audio = m.get("rt60_audio")
            if rt60_audio is None and drawn.get("rir"):
                rt60_audio = rt60_from_audio(clean[:, drawn["channel"]], degraded[:, drawn["channel"]], tl.sampling_rate)
            channels.append({**drawn, "snr_db_measured": m.get("snr_db_measured"), "rt60_audio": rt60_audio,
                             "dialogue": tl.id})
            crosstalk |= drawn.get("crosstalk_gain_db") is not None
        if vad is not None:
            a = measure_turn_taking(clean, tl.sampling_rate, vad)
            b = measure_turn_taking(degraded, tl.sampling_rate, vad)
            stats["clean"].append(a)
            stats["degraded"].append(b)
            per_dialogue.append((tl.id, crosstalk, a.summary(), b.summary()))

    print(f"corpus {args.corpus}: {len(timelines)} dialogues, {len(channels)} channels, "
          f"{sum(t.duration for t in timelines) / 60:.1f} min")
    rows = condition_rows([(t, turns.get(t.id, ()), summaries.get(t.id)) for t in timelines])
    print("\ncondition   ch  SNR drawn range -> measured range (dB)  |err| mean/max  <=1 dB  "
          "RT60 drawn / RIR / audio (s)  |audio/RIR-1|  codecs            WER (ASR on)")
    for r in rows:
        group = [c for c in channels if c["condition"] == r["condition"]]
        err = [abs(c["snr_db"] - c["snr_db_measured"]) for c in group if c.get("snr_db_measured") is not None]
        rt = [(c["rt60"], c["rt60_measured"], c["rt60_audio"]) for c in group if c.get("rt60") is not None]
        rel = [abs(a / m - 1.0) for _, m, a in rt if a is not None and m]
        codecs = defaultdict(int)
        for c in group:
            codecs[c.get("codec") or "none"] += 1
        rtxt = (f"{np.mean([x[0] for x in rt]):.3f} / {np.mean([x[1] for x in rt]):.3f} / "
                f"{np.mean([x[2] for x in rt if x[2] is not None]):.3f}") if rt else "n/a"
        wer = "n/a" if r["wer"] is None else f"{100 * r['wer']:.1f}%"
        print(f"{r['condition']:10s} {r['channels']:3d}  {str(r['snr_range']):>14s} -> {str(r['snr_range_measured']):14s}"
              f"        {np.mean(err):.2f}/{np.max(err):.2f}   {sum(e <= 1 for e in err):2d}/{len(err):<2d}  "
              f"{rtxt:26s}  {np.mean(rel) if rel else float('nan'):.2f} (max {max(rel) if rel else float('nan'):.2f})"
              f"  {', '.join(f'{k} {v}' for k, v in sorted(codecs.items())):16s}  {wer} ({r['audio']})")
    every = [abs(c["snr_db"] - c["snr_db_measured"]) for c in channels if c.get("snr_db_measured") is not None]
    print(f"all channels: SNR drawn {min(c['snr_db'] for c in channels):.1f}..{max(c['snr_db'] for c in channels):.1f} dB, "
          f"measured {min(c['snr_db_measured'] for c in channels if c.get('snr_db_measured') is not None):.1f}.."
          f"{max(c['snr_db_measured'] for c in channels if c.get('snr_db_measured') is not None):.1f} dB; "
          f"|error| mean {np.mean(every):.2f} dB, within 1 dB {sum(e <= 1 for e in every)}/{len(every)}; "
          f"channels with crosstalk {sum(c.get('crosstalk_gain_db') is not None for c in channels)}")
    print("\nper channel: dialogue ch condition codec drift_db SNR drawn/measured RT60 drawn/RIR/audio crosstalk")
    for c in channels:
        print(f"  {c['dialogue']:24s} {c['channel']} {c['condition']:9s} {c.get('codec') or '-':5s} "
              f"{c.get('drift_db', 0.0):4.2f}  {c['snr_db']:5.1f}/{c['snr_db_measured'] if c.get('snr_db_measured') is not None else float('nan'):5.1f}  "
              f"{c.get('rt60') or float('nan'):.3f}/{c.get('rt60_measured') or float('nan'):.3f}/"
              f"{c.get('rt60_audio') or float('nan'):.3f}  {c.get('crosstalk_gain_db') or ''}")
    if vad is None:
        return
    print("\nVAD turn-taking, degraded minus clean audio (mean over dialogues):")
    for label, keep in (("without crosstalk", False), ("with crosstalk", True)):
        group = [(a, b) for _, xt, a, b in per_dialogue if xt == keep]
        if not group:
            print(f"  {label}: no dialogue")
            continue
        diffs = []
        for key in SUMMARY_KEYS:
            d = [b[key] - a[key] for a, b in group if a.get(key) is not None and b.get(key) is not None]
            diffs.append(f"{key} {np.mean(d):+.3f}" if d else f"{key} n/a")
        print(f"  {label} ({len(group)} dialogues): " + ", ".join(diffs))
    for name in ("clean", "degraded"):
        print(f"\nrealism, silero VAD on the {name} audio:")
        print(format_realism_table(corpus_turn_taking(stats[name], [s.text for t in timelines for s in t.segments
                                                                    if s.kind == "backchannel"])))


if __name__ == "__main__":
    main()
