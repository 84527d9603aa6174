"""A readable transcript per dialogue: one line per segment, with times and speaker."""

from __future__ import annotations

from pathlib import Path

from corpus_core import write_text_atomic
from duplex.records import Segment, Timeline

__all__ = ["format_transcript", "write_transcript"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes):02d}:{rest:05.2f}"


def format_transcript(timeline: Timeline) -> str:
    """One line per turn of both channels in time order, e.g. ``[00:01.20-00:03.40] A: Hello.``

    The pieces of a turn split by pauses are joined; backchannels are shown in
    parentheses and a turn cut short by an interruption ends with ``--``.
    """
    turns: dict[tuple, list[Segment]] = {}
    for seg in timeline.segments:
        key = (seg.speaker, seg.turn_index) if seg.kind == "turn" and seg.turn_index is not None else (id(seg),)
        turns.setdefault(key, []).append(seg)
    lines = [f"# {timeline.id}  ({timeline.duration:.1f} s, channel 0 = A, channel 1 = B)"]
    for segs in sorted(turns.values(), key=lambda g: min(s.start for s in g)):
        segs.sort(key=lambda s: s.start)
        text = " ".join(s.text for s in segs)
        text = f"({text})" if segs[0].kind == "backchannel" else text
        if segs[-1].interrupted:
            text += " --"
        lines.append(f"[{_clock(segs[0].start)}-{_clock(segs[-1].end)}] {segs[0].speaker}: {text}")
    return "\n".join(lines) + "\n"


def write_transcript(path: Path, timeline: Timeline) -> None:
    """Write :func:`format_transcript` atomically to ``path``."""
    write_text_atomic(path, format_transcript(timeline))
