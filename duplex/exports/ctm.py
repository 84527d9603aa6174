"""CTM word-time files, one per speaker (read by meeteval, sclite, asclite).

CTM has no speaker field, so, as meeteval expects, each file holds one speaker and is
named after it: ``exports/ctm/A.ctm`` and ``exports/ctm/B.ctm``, every dialogue in
each. A line is ``<id> <channel> <start> <duration> <word>`` with the 1-based channel
of the stereo file (1 = left = speaker A, 2 = right = speaker B).
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
from duplex.records import CHANNEL_OF, Timeline

__all__ = ["CtmConfig", "CtmExporter", "ctm_lines"]


@dataclass(frozen=True)
class CtmConfig:
    """Options of the CTM export."""

    #: also write the listener backchannels' words
    include_backchannels: bool = True


def ctm_lines(timeline: Timeline, channel: int, include_backchannels: bool = True) -> list[str]:
    """The CTM lines of one channel of one dialogue, in time order."""
    lines = []
    for seg in timeline.channel_segments(channel):
        if seg.kind == "backchannel" and not include_backchannels:
            continue
        for w in segment_words(seg):
            lines.append(
                f"{timeline.id} {channel + 1} {format_seconds(w.start)} {format_seconds(w.end - w.start)} {w.text}"
            )
    return lines


@register_exporter
class CtmExporter(Exporter):
    """Writes ``exports/ctm/<speaker>.ctm`` for speakers A and B."""

    name = "ctm"
    config_type = CtmConfig

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        self._files = {spk: self.open_file(f"{spk}.ctm") for spk in CHANNEL_OF}

    def add(self, timeline: Timeline) -> None:
        lines = {spk: ctm_lines(timeline, ch, self.config.include_backchannels) for spk, ch in CHANNEL_OF.items()}
        for spk, spk_lines in lines.items():
            self._files[spk].write_lines(spk_lines)
