"""Praat TextGrids (read by Praat, praatio, the ``textgrid`` package, MFA tools).

One ``exports/textgrid/<id>.TextGrid`` per dialogue with interval tiers ``A`` and ``B``
(one interval per segment, labelled with its audible words), ``A-words`` and
``B-words`` (one interval per word), and one ``event-<kind>`` tier per turn-taking
event kind (gap, overlap, backchannel, ...), labelled with the speaker who caused it.
A tier cannot hold overlapping intervals, so an interval that starts inside the
previous one on the same tier is clipped to start where that one ends.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus_core.atomic import atomic_path
from corpus_core.errors import MissingDependency
from duplex.exports.base import Exporter, ExportError, register_exporter, segment_words
from duplex.records import CHANNEL_OF, Timeline

__all__ = ["TextGridConfig", "TextGridExporter", "timeline_tiers"]

#: a word or segment shorter than this is left out (Praat cannot show empty intervals)
MIN_INTERVAL_SECONDS = 1e-3


@dataclass(frozen=True)
class TextGridConfig:
    """Options of the TextGrid export."""

    #: add the ``<speaker>-words`` tiers
    words: bool = True
    #: add one tier per turn-taking event kind
    events: bool = True
    #: also write the listener backchannels into the speaker tiers
    include_backchannels: bool = True


def _clean(intervals: list[tuple[float, float, str]], duration: float) -> list[tuple[float, float, str]]:
    """Sort, clip to [0, duration], and clip each start to the previous end."""
    out: list[tuple[float, float, str]] = []
    last_end = 0.0
    for start, end, label in sorted(intervals):
        start, end = max(start, last_end, 0.0), min(end, duration)
        if end - start >= MIN_INTERVAL_SECONDS:
            out.append((round(start, 4), round(end, 4), label))
            last_end = end
    return out


def timeline_tiers(timeline: Timeline, words: bool = True, events: bool = True,
                   include_backchannels: bool = True) -> dict[str, list[tuple[float, float, str]]]:
    """Tier name -> ``(start, end, label)`` intervals of one dialogue, ready for a TextGrid."""
    tiers: dict[str, list[tuple[float, float, str]]] = {}
    for speaker, channel in CHANNEL_OF.items():
        segs = [s for s in timeline.channel_segments(channel) if include_backchannels or s.kind != "backchannel"]
        seg_words = [segment_words(s) for s in segs]
        tiers[speaker] = _clean(
            [(s.start, s.end, " ".join(w.text for w in ws) or s.text) for s, ws in zip(segs, seg_words)],
            timeline.duration,
        )
        if words:
            tiers[f"{speaker}-words"] = _clean(
                [(w.start, w.end, w.text) for ws in seg_words for w in ws], timeline.duration
            )
    if events:
        for kind in sorted({e.kind for e in timeline.events}):
            tiers[f"event-{kind}"] = _clean(
                [(e.start, e.end, e.speaker or kind) for e in timeline.events if e.kind == kind], timeline.duration
            )
    return tiers


@register_exporter
class TextGridExporter(Exporter):
    """Writes ``exports/textgrid/<id>.TextGrid`` (long text format)."""

    name = "textgrid"
    config_type = TextGridConfig
    per_dialogue_files = ("*.TextGrid",)

    def add(self, timeline: Timeline) -> None:
        try:
            from praatio import textgrid
            from praatio.utilities.errors import PraatioException
        except ImportError:
            raise MissingDependency("praatio", extra="export", why="the textgrid export") from None

        tg = textgrid.Textgrid()
        try:
            for name, intervals in timeline_tiers(timeline, self.config.words, self.config.events,
                                                 self.config.include_backchannels).items():
                tg.addTier(textgrid.IntervalTier(name, intervals, 0.0, timeline.duration))
        except PraatioException as e:
            raise ExportError(f"dialogue {timeline.id}: praatio rejected its tiers ({e}); check its segment times") from None
        path = self.claim(self.out_dir / f"{timeline.id}.TextGrid")
        with atomic_path(path) as tmp:
            tg.save(str(tmp), format="long_textgrid", includeBlankSpaces=True, reportingMode="error")
