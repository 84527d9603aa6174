"""The exporter interface, its registry, and helpers every format shares.

An exporter turns the corpus's :class:`~duplex.records.Timeline` records into one
training or scoring format under ``<corpus>/exports/<name>/``. It sees the dialogues
one at a time (:meth:`Exporter.add`), so a large corpus streams through it, and
writes any corpus-wide file in :meth:`Exporter.finish`.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar

from corpus_core.atomic import atomic_path, write_text_atomic
from corpus_core.errors import DuplexsynthError, ManifestError
from corpus_core.layout import inside
from corpus_core.registry import Registry
from duplex.records import Segment, Timeline
from duplex.timing import estimate_words
from speech.records import Word
from text_dialogue.records import Dialogue
from text_dialogue.scenario import Scenario

__all__ = [
    "Exporter",
    "ExportError",
    "EXPORTERS",
    "register_exporter",
    "available_exporters",
    "get_exporter",
    "segment_words",
    "stereo_audio_path",
    "AUDIO_VERSIONS",
    "write_text_atomic",
    "format_seconds",
    "AtomicTextFile",
    "DialogueInfo",
    "kept_segments",
]


@dataclass(frozen=True)
class DialogueInfo:
    """What the text stage knew about a dialogue, for formats that carry more than the timeline.

    The glue (``duplexsynth.exporting``) reads it from the corpus and hands it to exporters
    whose ``wants_dialogue_info`` is set, so the exporters need not know the corpus layout.

    :param dialogue: the text dialogue (personas, goal, scenario name).
    :param scenario: its scenario, when it could be found.
    """

    dialogue: Dialogue
    scenario: Scenario | None = None


#: which stereo file an export uses: the clean render or its degraded copy (acoustic conditions)
AUDIO_VERSIONS = ("clean", "degraded")


class ExportError(DuplexsynthError):
    """An export could not be written; the message names the dialogue or file and the fix.

    :param outputs: format -> export folder, for the formats that were still written
        (set when only some dialogues failed).
    :param failures: ``(format, dialogue_id, reason)`` of each failed dialogue.
    """

    def __init__(
        self,
        message: str,
        outputs: dict[str, Path] | None = None,
        failures: list[tuple[str, str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.outputs = outputs or {}
        self.failures = failures or []


class Exporter(ABC):
    """Writes one export format.

    Subclasses set ``name`` (also the folder name under ``exports/``) and
    ``config_type`` (a frozen dataclass of their options) and register with
    :func:`register_exporter`.
    """

    name: ClassVar[str]
    config_type: ClassVar[type]
    #: set when the format needs :class:`DialogueInfo`; the glue then sets :attr:`dialogue_info`
    wants_dialogue_info: ClassVar[bool] = False


    #: "clean" or "degraded": the stereo file :meth:`stereo_path` returns (set by the corpus walk)
    audio: str = "clean"
    #: globs, relative to :attr:`out_dir`, of the per-dialogue files this format writes; a file that
    #: matches but this export did not write (:meth:`claim`) is stale and :meth:`remove_stale` deletes it
    per_dialogue_files: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: Any) -> None:
        self.config = config
        #: dialogue id -> its text-stage info (or None); set by the glue before :meth:`add`
        self.dialogue_info: Callable[[str], DialogueInfo | None] = lambda _id: None
        self.corpus_dir = Path(".")
        self.out_dir = Path(".")
        self._open_files: list[AtomicTextFile] = []
        self._written: set[str] = set()

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        """Prepare to export the corpus in ``corpus_dir`` into ``out_dir`` (created here)."""
        self.corpus_dir = Path(corpus_dir)
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)

    def stereo_path(self, timeline: Timeline) -> Path:
        """The dialogue's stereo file in the audio version this export uses (:attr:`audio`)."""
        return stereo_audio_path(self.corpus_dir, timeline, self.audio)

    def claim(self, path: Path) -> Path:
        """Note that this export wrote the per-dialogue file ``path`` (kept by :meth:`remove_stale`)."""
        self._written.add(os.path.abspath(path))
        return path

    def remove_stale(self) -> list[Path]:
        """Delete per-dialogue files an earlier export left that this one did not write.

        Called by the corpus walk after :meth:`finish` of a complete export, so a dialogue
        dropped from the corpus (or a ``main_speaker`` that changed) leaves no file that the
        manifests no longer list. Returns the files removed.
        """
        removed = []
        for pattern in self.per_dialogue_files:
            for path in sorted(self.out_dir.glob(pattern)):
                if path.is_file() and os.path.abspath(path) not in self._written:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        return removed

    @abstractmethod
    def add(self, timeline: Timeline) -> None:
        """Export one dialogue. Raise :class:`ExportError` (or ``OSError``) to skip it."""

    def open_file(self, name: str) -> "AtomicTextFile":
        """A corpus-wide file in :attr:`out_dir`, renamed into place by :meth:`finish`."""
        f = AtomicTextFile(self.out_dir / name)
        self._open_files.append(f)
        return f

    def finish(self) -> Path:
        """Write corpus-wide files; return the export folder."""
        for f in self._open_files:
            f.commit()
        self._open_files = []
        return self.out_dir

    def abort(self) -> None:
        """Drop unfinished corpus-wide files (the run was interrupted)."""
        for f in self._open_files:
            f.discard()
        self._open_files = []


EXPORTERS: Registry[Exporter] = Registry("export format", "DUPLEXSYNTH_EXPORT_FORMAT", "lhotse")
register_exporter = EXPORTERS.register
available_exporters = EXPORTERS.available


def get_exporter(name: str, options: dict[str, Any] | None = None) -> Exporter:
    """Build the exporter registered as ``name`` with its config fields from ``options``."""
    return EXPORTERS.create(name, options)


def format_seconds(value: float) -> str:
    """Seconds with millisecond precision, as the text formats (RTTM, CTM, STM) write them."""
    return f"{value:.3f}"


def segment_words(seg: Segment) -> list[Word]:
    """The words a segment makes audible, with absolute times, in time order.

    Words that start after the segment's end (an interrupted turn's lost tail) are
    dropped and the last kept word is clipped to the end. A segment with text but no
    word times gets times estimated from its span, so no format loses its words.
    """
    if not seg.words:
        return list(estimate_words(seg.text, seg.start, seg.end))
    out = []
    for w in sorted(seg.words, key=lambda w: w.start):
        text = "_".join(w.text.split())  # a space inside a token would split a CTM/RTTM field
        if not text or w.start >= seg.end:
            continue
        start = max(w.start, seg.start)
        out.append(Word(text, start, max(start, min(w.end, seg.end))))
    return out


def kept_segments(timeline: Timeline, include_backchannels: bool = True) -> list[Segment]:
    """The timeline's segments, without the listener backchannels unless ``include_backchannels``.

    The audio keeps the backchannels either way: this only drops their text from a format.
    """
    return [s for s in timeline.segments if include_backchannels or s.kind != "backchannel"]


def stereo_audio_path(corpus_dir: Path, timeline: Timeline, audio: str = "clean") -> Path:
    """The dialogue's stereo file: the clean render, or with ``audio="degraded"`` its degraded copy.

    :raises ExportError: when the timeline names none or the file is missing.
    """
    if audio not in AUDIO_VERSIONS:
        raise ExportError(f"unknown audio version {audio!r}; choose one of {', '.join(AUDIO_VERSIONS)}")
    relative = timeline.audio_path if audio == "clean" else timeline.degraded_path
    if not relative:
        hint = ("run the duplex stage to render its stereo audio" if audio == "clean" else
                "render it with acoustic conditions (duplex.acoustics: office, home, telephone or mixed), "
                "or export with --audio clean")
        raise ExportError(f"dialogue {timeline.id} has no {audio} stereo file in timelines.jsonl; {hint}")
    try:
        path = inside(corpus_dir, relative)
    except ManifestError as e:
        raise ExportError(f"dialogue {timeline.id}: {e}") from None
    if not path.is_file():
        raise ExportError(
            f"dialogue {timeline.id}: {audio} stereo file {path} is missing; re-run the duplex stage for it"
        )
    return path


class AtomicTextFile:
    """A text file written line by line into a temp file and renamed into place on :meth:`commit`.

    Corpus-wide files (``all.rttm``, ``A.ctm``) stream through it, so a killed export
    never leaves a half-written file under the final name.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._context = atomic_path(self.path)
        self._file = open(self._context.__enter__(), "w", encoding="utf-8")

    def write_lines(self, lines: list[str]) -> None:
        """Append lines (without newlines)."""
        self._file.write("".join(line + "\n" for line in lines))

    def commit(self) -> Path:
        """Close the temp file and rename it to :attr:`path`."""
        self._file.close()
        self._context.__exit__(None, None, None)
        return self.path

    def discard(self) -> None:
        """Close and delete the temp file."""
        self._file.close()
        self._context.__exit__(RuntimeError, RuntimeError("discarded"), None)
