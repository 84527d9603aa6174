"""STM segment transcripts (read by meeteval for cpWER, sclite, NIST tools).

``exports/stm/all.stm`` holds every segment of every dialogue:
``<id> <channel> <speaker> <start> <end> <transcript>``, channel 1-based like the CTM
export. The transcript is what is audible: the words of the segment (an interrupted
turn keeps only the words before the cut), falling back to its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from duplex.exports.base import (
    Exporter,
    format_seconds,
    register_exporter,
    segment_words,
)
from duplex.records import Timeline

__all__ = ["StmConfig", "StmExporter", "stm_lines"]


@dataclass(frozen=True)
class StmConfig:
    """Options of the STM export."""

    #: also write the listener backchannels as segments
    include_backchannels: bool = True


def stm_lines(timeline: Timeline, include_backchannels: bool = True) -> list[str]:
    """The STM lines of one dialogue, ordered by start time."""
    lines = []
    for seg in sorted(timeline.segments, key=lambda s: (s.start, s.channel)):
        if seg.kind == "backchannel" and not include_backchannels:
            continue
        words = segment_words(seg)
        transcript = " ".join(w.text for w in words) if words else " ".join(seg.text.split())
        lines.append(
            f"{timeline.id} {seg.channel + 1} {seg.speaker} {format_seconds(seg.start)} "
            f"{format_seconds(seg.end)} {transcript}".rstrip()
        )
    return lines


@register_exporter
class StmExporter(Exporter):
    """Writes ``exports/stm/all.stm``."""

    name = "stm"
    config_type = StmConfig

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        self._all = self.open_file("all.stm")

    def add(self, timeline: Timeline) -> None:
        self._all.write_lines(stm_lines(timeline, self.config.include_backchannels))
