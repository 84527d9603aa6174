"""Report parts for acoustic conditions: clean and degraded players side by side, and a
table of drawn against measured conditions with WER per condition."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import Any, Sequence

import numpy as np

from duplex.records import Timeline
from eval.records import DialogueEval, TurnEval

__all__ = ["condition_caption", "side_by_side_players", "condition_rows", "condition_table"]


def _channels(timeline: Timeline) -> list[dict[str, Any]]:
    return list((timeline.meta.get("acoustics") or {}).get("channels", []))


def condition_caption(channel: dict[str, Any]) -> str:
    """One line naming a channel's drawn condition, e.g. ``A: telephone, SNR 14.4 dB, RT60 0.25 s, alaw``."""
    parts = [f"{channel.get('speaker', '?')}: {channel.get('condition', '?')}"]
    if channel.get("snr_db") is not None:
        parts.append(f"SNR {channel['snr_db']:.1f} dB")
    if channel.get("rt60") is not None:
        parts.append(f"RT60 {channel['rt60']:.2f} s")
    if channel.get("telephone"):
        parts.append(f"phone {channel.get('codec')}")
    if channel.get("gain_db") is not None:
        parts.append(f"level {channel['gain_db']:+.1f} dB")
    if channel.get("crosstalk_gain_db") is not None:
        parts.append(f"crosstalk {channel['crosstalk_gain_db']:.0f} dB")
    return ", ".join(parts)


def side_by_side_players(timeline: Timeline, clean_url: str | None, degraded_url: str) -> str:
    """Two players in a row, clean and degraded, with the condition written under each."""
    def cell(title: str, url: str | None, lines: list[str]) -> str:
        player = f'<audio controls preload="metadata" src="{html.escape(url)}"></audio>' if url else ""
        text = "<br>".join(html.escape(line) for line in lines)
        return f'<div style="flex:1"><b>{title}</b>{player}<p class="small">{text}</p></div>'

    captions = [condition_caption(c) for c in _channels(timeline)]
    return ('<div class="players" style="display:flex;gap:16px">'
            + cell("clean", clean_url, ["studio TTS, no noise or room"])
            + cell("degraded", degraded_url, captions or ["no condition recorded"]) + "</div>")


def condition_rows(pairs: Sequence[tuple[Timeline, Sequence[TurnEval], DialogueEval | None]]) -> list[dict[str, Any]]:
    """Per condition: channels, drawn vs measured SNR/level/RT60, codecs, bandwidth and pooled WER.

    Measured values come from the eval record (``metrics["acoustics"]``); WER pools the
    turn segments of the speakers recorded in that condition.
    """
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for timeline, turns, summary in pairs:
        acoustics = (summary.metrics.get("acoustics") or {}) if summary else {}
        measured = {c["channel"]: c for c in acoustics.get("channels", [])}
        audio = summary.metrics.get("audio", "clean") if summary else None
        for ch in _channels(timeline):
            g = groups[ch.get("condition", "?")]
            m = measured.get(ch.get("channel"), {})
            g["channels"].append(1)
            for key in ("snr_db", "rt60", "rt60_measured", "level_dbfs"):
                g[key].append(ch.get(key))
            for key in ("snr_db_measured", "level_dbfs_measured", "bandwidth_hz_measured", "rt60_audio"):
                g[key].append(m.get(key))
            g["codec"].append(ch.get("codec") or "none")
            own = [t for t in turns if t.kind == "turn" and t.channel == ch.get("channel")]
            g["errors"].append(sum(t.errors for t in own))
            g["ref_words"].append(sum(t.ref_words for t in own))
            if audio:
                g["audio"].append(audio)

    def mean(values: list) -> float | None:
        vals = [v for v in values if v is not None]
        return round(float(np.mean(vals)), 2) if vals else None

    def span(values: list) -> tuple[float, float] | None:
        vals = [v for v in values if v is not None]
        return (round(min(vals), 2), round(max(vals), 2)) if vals else None

    rows = []
    for name, g in sorted(groups.items()):
        ref = sum(g["ref_words"])
        rows.append({
            "condition": name, "channels": len(g["channels"]),
            "snr_db": mean(g["snr_db"]), "snr_db_measured": mean(g["snr_db_measured"]),
            "snr_range": span(g["snr_db"]), "snr_range_measured": span(g["snr_db_measured"]),
            "snr_abs_error": mean([abs(a - b) for a, b in zip(g["snr_db"], g["snr_db_measured"])
                                   if a is not None and b is not None]),
            "level_dbfs": mean(g["level_dbfs"]), "level_dbfs_measured": mean(g["level_dbfs_measured"]),
            "rt60": mean(g["rt60"]), "rt60_measured": mean(g["rt60_measured"]), "rt60_audio": mean(g["rt60_audio"]),
            "rt60_audio_error": mean([abs(a / b - 1.0) for a, b in zip(g["rt60_audio"], g["rt60_measured"])
                                      if a is not None and b]),
            "codecs": ", ".join(sorted(set(g["codec"]))), "bandwidth_hz_measured": mean(g["bandwidth_hz_measured"]),
            "wer": round(sum(g["errors"]) / ref, 4) if ref else None,
            "audio": ", ".join(sorted(set(g["audio"]))) or None,
        })
    return rows


def condition_table(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`condition_rows` as an HTML table ('' when there are none)."""
    if not rows:
        return ""

    def fmt(value: Any, unit: str = "") -> str:
        return "n/a" if value is None else f"{value}{unit}"

    head = ("<tr><th>condition</th><th>channels</th><th>SNR drawn / measured (dB)</th><th>level drawn / measured (dBFS)</th>"
            "<th>RT60 drawn / of the RIR / from the audio (s)</th><th>codec</th><th>bandwidth measured (Hz)</th><th>WER (ASR on)</th></tr>")
    body = []
    for r in rows:
        wer = "n/a" if r["wer"] is None else f"{100 * r['wer']:.1f}%"
        body.append(
            f"<tr><td>{html.escape(r['condition'])}</td><td>{r['channels']}</td>"
            f"<td>{fmt(r['snr_db'])} / {fmt(r['snr_db_measured'])}</td>"
            f"<td>{fmt(r['level_dbfs'])} / {fmt(r['level_dbfs_measured'])}</td>"
            f"<td>{fmt(r['rt60'])} / {fmt(r['rt60_measured'])} / {fmt(r.get('rt60_audio'))}</td><td>{html.escape(r['codecs'])}</td>"
            f"<td>{fmt(r['bandwidth_hz_measured'])}</td><td>{wer} ({html.escape(r['audio'] or '-')})</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"
