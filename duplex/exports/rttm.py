"""RTTM speaker-diarization references (read by pyannote, dscore, md-eval).

One ``<id>.rttm`` per dialogue and ``all.rttm`` for the whole corpus. Each segment is a
``SPEAKER`` line: ``SPEAKER <id> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>``.
The channel field is 1 for every line because the reference describes the mixed
recording (the speaker field tells the two speakers apart), the convention dscore and
pyannote assume. Overlapping segments of the two speakers stay overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from duplex.exports.base import (
    Exporter,
    format_seconds,
    register_exporter,
    write_text_atomic,
)
from duplex.records import Timeline

__all__ = ["RttmConfig", "RttmExporter", "rttm_lines"]


@dataclass(frozen=True)
class RttmConfig:
    """Options of the RTTM export."""

    #: also write the listener backchannels as speech (they are audible speech)
    include_backchannels: bool = True


def rttm_lines(timeline: Timeline, include_backchannels: bool = True) -> list[str]:
    """The RTTM ``SPEAKER`` lines of one dialogue, in time order."""
    lines = []
    for seg in sorted(timeline.segments, key=lambda s: (s.start, s.channel)):
        if seg.duration <= 0 or (seg.kind == "backchannel" and not include_backchannels):
            continue
        lines.append(
            f"SPEAKER {timeline.id} 1 {format_seconds(seg.start)} {format_seconds(seg.duration)} "
            f"<NA> <NA> {seg.speaker} <NA> <NA>"
        )
    return lines


@register_exporter
class RttmExporter(Exporter):
    """Writes ``exports/rttm/<id>.rttm`` and ``exports/rttm/all.rttm``."""

    name = "rttm"
    config_type = RttmConfig

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        self._all = self.open_file("all.rttm")

    def add(self, timeline: Timeline) -> None:
        lines = rttm_lines(timeline, self.config.include_backchannels)
        write_text_atomic(self.out_dir / f"{timeline.id}.rttm", "".join(line + "\n" for line in lines))
        self._all.write_lines(lines)
