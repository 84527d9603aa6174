"""Duplex-stage records: a two-channel timeline of segments and turn-taking events.

As in lhotse's ``SupervisionSegment`` docstring, a duplex dialogue is one 2-channel
recording with segments on channels 0 and 1 that may overlap in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus_core.record import Record
from speech.records import Word

__all__ = ["Segment", "Event", "Timeline", "CHANNEL_OF"]

#: speaker -> channel of the stereo file
CHANNEL_OF: dict[str, int] = {"A": 0, "B": 1}


@dataclass(frozen=True)
class Segment(Record):
    """A stretch of one channel where its speaker talks.

    Times are seconds from the start of the dialogue audio; ``words`` carry absolute
    times too. ``source_start``/``source_end`` say which part of the utterance audio
    was placed here (an interrupted turn keeps only its beginning).

    >>> s = Segment(channel=0, speaker="A", start=1.0, end=2.5, text="hi there")
    >>> s.duration
    1.5
    """

    channel: int
    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    #: "turn" or "backchannel"
    kind: str = "turn"
    turn_index: int | None = None
    utterance_id: str | None = None
    source_start: float = 0.0
    source_end: float | None = None
    #: True when the other speaker cut this turn short
    interrupted: bool = False


    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Event(Record):
    """A turn-taking event: "gap", "overlap", "pause", "backchannel", "interruption".

    :param speaker: who caused it (the next speaker for gaps/overlaps/interruptions,
        the listener for backchannels).
    """

    kind: str
    start: float
    end: float
    speaker: str | None = None


@dataclass(frozen=True)
class Timeline(Record):
    """Where every segment of one dialogue lies on the two-channel recording.

    :param id: the dialogue id.
    :param audio_path: the stereo file, relative to the corpus folder.
    :param degraded_path: the stereo file with acoustic conditions (noise, room,
        channel), when they are on; ``meta["acoustics"]`` holds every drawn parameter.
    """

    id: str
    duration: float
    sampling_rate: int
    segments: tuple[Segment, ...]
    events: tuple[Event, ...] = ()
    audio_path: str | None = None
    mono_path: str | None = None
    peak: float | None = None
    meta: dict = field(default_factory=dict)
    degraded_path: str | None = None


    def channel_segments(self, channel: int, kind: str | None = None) -> list[Segment]:
        """Segments on ``channel`` (optionally of one ``kind``), in time order."""
        segs = [s for s in self.segments if s.channel == channel and (kind is None or s.kind == kind)]
        return sorted(segs, key=lambda s: s.start)
