"""A readable transcript per dialogue: one line per segment, with times and speaker."""

from __future__ import annotations

from pathlib import Path

from duplex.records import Timeline
from duplexsynth.corpus import write_text_atomic

__all__ = ["format_transcript", "write_transcript"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60.0)
    return f"{int(minutes):02d}:{rest:05.2f}"


def format_transcript(timeline: Timeline) -> str:
    """Segments of both channels in time order, e.g. ``[00:01.20-00:03.40] A: Hello.``

    Backchannels are shown in parentheses and cut turns end with ``--``.
    """
    lines = [f"# {timeline.id}  ({timeline.duration:.1f} s, channel 0 = A, channel 1 = B)"]
    for seg in sorted(timeline.segments, key=lambda s: (s.start, s.channel)):
        text = f"({seg.text})" if seg.kind == "backchannel" else seg.text
        if seg.interrupted:
            text += " --"
        lines.append(f"[{_clock(seg.start)}-{_clock(seg.end)}] {seg.speaker}: {text}")
    return "\n".join(lines) + "\n"


def write_transcript(path: Path, timeline: Timeline) -> None:
    """Write :func:`format_transcript` atomically to ``path``."""
    write_text_atomic(path, format_transcript(timeline))
