"""Lhotse manifests: a RecordingSet, a SupervisionSet and a CutSet.

Written under ``exports/lhotse/``: ``recordings.jsonl.gz`` (one stereo Recording per
dialogue, channel ids [0, 1]), ``supervisions.jsonl.gz`` (one SupervisionSegment per
segment, on its channel, with its speaker, text and a ``"word"`` alignment in recording
time) and ``cuts.jsonl.gz`` (one MultiCut per dialogue, as ``CutSet.from_manifests``
makes). Supervisions on the two channels overlap in time; lhotse 1.33's
``trim_to_supervisions`` asserts on that unless given ``keep_overlapping=False``, or
work per channel with ``cut.to_mono(mono_downmix=False)``.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus_core.atomic import atomic_path
from corpus_core.errors import MissingDependency
from duplex.exports.base import (
    Exporter,
    kept_segments,
    register_exporter,
    segment_words,
)
from duplex.records import Timeline

__all__ = ["LhotseConfig", "LhotseExporter", "timeline_supervisions", "MANIFEST_FILES"]

#: manifest kind -> file name
MANIFEST_FILES = {
    "recordings": "recordings.jsonl.gz",
    "supervisions": "supervisions.jsonl.gz",
    "cuts": "cuts.jsonl.gz",
}


@dataclass(frozen=True)
class LhotseConfig:
    """Options of the lhotse export."""

    #: store absolute audio paths; False stores them relative to the corpus folder
    #: (then load from there, or use ``RecordingSet.with_path_prefix``)
    absolute_paths: bool = True
    #: also write cuts.jsonl.gz
    cuts: bool = True
    #: also write the listener backchannels as supervisions (their audio is in the recording either way)
    include_backchannels: bool = True


def timeline_supervisions(timeline: Timeline, include_backchannels: bool = True) -> list[Any]:
    """One lhotse ``SupervisionSegment`` per segment, in time order, with word alignments.

    :param include_backchannels: False leaves the listener backchannels out.
    """
    from lhotse import SupervisionSegment
    from lhotse.supervision import AlignmentItem

    sups = []
    for i, seg in enumerate(sorted(kept_segments(timeline, include_backchannels), key=lambda s: (s.start, s.channel))):
        words = segment_words(seg)
        custom: dict[str, Any] = {"kind": seg.kind, "interrupted": seg.interrupted}
        if seg.turn_index is not None:
            custom["turn_index"] = seg.turn_index
        sups.append(
            SupervisionSegment(
                id=f"{timeline.id}-{i:04d}-{seg.speaker}",
                recording_id=timeline.id,
                start=round(seg.start, 4),
                duration=round(seg.duration, 4),
                channel=seg.channel,
                text=" ".join(w.text for w in words) or seg.text,
                speaker=seg.speaker,
                custom=custom,
                alignment={"word": [AlignmentItem(w.text, round(w.start, 4), round(w.end - w.start, 4)) for w in words]},
            )
        )
    return sups


@register_exporter
class LhotseExporter(Exporter):
    """Streams the three manifests through lhotse's own JSONL writers."""

    name = "lhotse"
    config_type = LhotseConfig

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        try:
            from lhotse import CutSet, RecordingSet, SupervisionSet
        except ImportError:
            raise MissingDependency("lhotse", extra="export", why="for the lhotse export") from None
        kinds = {"recordings": RecordingSet, "supervisions": SupervisionSet, "cuts": CutSet}
        if not self.config.cuts:
            kinds.pop("cuts")
        # each manifest goes to a hidden temp name (same .jsonl.gz suffix, so lhotse
        # compresses it) and is renamed in finish(): a killed export leaves no half file
        self._files = contextlib.ExitStack()
        tmp = {k: self._files.enter_context(atomic_path(self.out_dir / MANIFEST_FILES[k])) for k in kinds}
        self._writers = {k: cls.open_writer(tmp[k], overwrite=True) for k, cls in kinds.items()}

    def add(self, timeline: Timeline) -> None:
        from lhotse import CutSet, Recording, RecordingSet, SupervisionSet
        from lhotse.utils import fastcopy

        path = self.stereo_path(timeline)
        recording = Recording.from_file(path.resolve(), recording_id=timeline.id)
        if not self.config.absolute_paths:
            sources = [fastcopy(s, source=str(path.relative_to(self.corpus_dir))) for s in recording.sources]
            recording = fastcopy(recording, sources=sources)
        sups = timeline_supervisions(timeline, self.config.include_backchannels)
        self._writers["recordings"].write(recording)
        for sup in sups:
            self._writers["supervisions"].write(sup)
        if "cuts" in self._writers:
            for cut in CutSet.from_manifests(RecordingSet.from_recordings([recording]), SupervisionSet.from_segments(sups)):
                self._writers["cuts"].write(cut)

    def finish(self) -> Path:
        for writer in self._writers.values():
            writer.close()
        self._files.close()  # renames every temp file into place
        return self.out_dir

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._files.__exit__(RuntimeError, RuntimeError("export aborted"), None)  # deletes the temp files
