"""Export a whole corpus: stream its timelines through one exporter per format.

The glue side of ``duplex/exports``: it knows the corpus folder layout and reads the
manifest; the exporters only turn Timelines into files.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from corpus_core.errors import ManifestError
from corpus_core.ids import sanitize_id
from corpus_core.layout import EXPORTS_DIR, MANIFESTS
from corpus_core.manifest import iter_jsonl, read_manifest
from duplex.exports.base import (
    AUDIO_VERSIONS,
    DialogueInfo,
    Exporter,
    ExportError,
    available_exporters,
    get_exporter,
)
from duplex.records import Timeline
from text_dialogue.records import Dialogue
from text_dialogue.scenario import Scenario, available_scenarios

__all__ = ["read_timelines", "count_dialogues", "resolve_formats", "read_dialogue_info", "export_corpus"]

log = logging.getLogger(__name__)


def _manifest(corpus_dir: Path) -> Path:
    corpus_dir = Path(corpus_dir)
    name = MANIFESTS["duplex"]
    if not corpus_dir.is_dir():
        raise ExportError(f"corpus folder {corpus_dir} does not exist; pass the folder that holds {name}")
    path = corpus_dir / name
    if not path.is_file():
        raise ExportError(
            f"{path} does not exist; run `duplexsynth duplex {corpus_dir}` first to place the dialogues on a timeline"
        )
    return path


def read_timelines(corpus_dir: Path) -> Iterator[Timeline]:
    """Stream the Timeline records of the corpus's timelines manifest.

    :raises ExportError: when the folder or manifest is missing, or a line is not a Timeline.
    """
    path = _manifest(corpus_dir)
    try:
        for n, timeline in enumerate(read_manifest(path, Timeline), 1):
            # the id names export files and fills RTTM/CTM/STM fields: it must be the safe form
            if timeline.id != sanitize_id(timeline.id):
                raise ManifestError(f"{path}: timeline {n}: field id: {timeline.id!r} is not a safe id "
                                    f"(letters, digits, . _ -); use {sanitize_id(timeline.id)!r}")
            yield timeline
    except ManifestError as e:
        raise ExportError(str(e)) from None


def count_dialogues(corpus_dir: Path) -> int:
    """How many timelines the corpus holds, for a progress bar."""
    try:
        return sum(1 for _ in iter_jsonl(_manifest(corpus_dir)))
    except ManifestError as e:
        raise ExportError(str(e)) from None


def read_dialogue_info(corpus_dir: Path) -> dict[str, DialogueInfo]:
    """Dialogue id -> its text dialogue and scenario, from the corpus's dialogues manifest.

    Best effort: a corpus without the manifest (timelines imported on their own), an
    unreadable manifest or a scenario outside the shipped library only loses that information.
    """
    path = Path(corpus_dir) / MANIFESTS["text"]
    if not path.is_file():
        return {}
    # by name from the shipped library only: a name read from the manifest never opens a file
    library: dict[str, Scenario] = available_scenarios()
    out: dict[str, DialogueInfo] = {}
    try:
        for dialogue in read_manifest(path, Dialogue):
            out[dialogue.id] = DialogueInfo(dialogue, library.get(dialogue.scenario))
    except ManifestError as e:
        log.warning("export: %s; exporting without the text dialogues' personas and scenarios", e)
    return out


def resolve_formats(formats: Sequence[str]) -> list[str]:
    """Expand ``"all"`` and drop repeats, keeping the order given."""
    out: list[str] = []
    for name in formats:
        for expanded in available_exporters() if name == "all" else [name]:
            if expanded not in out:
                out.append(expanded)
    if not out:
        raise ExportError(f"no export format given; choose from {', '.join(available_exporters())} or all")
    return out


def export_corpus(
    corpus_dir: Path,
    formats: Sequence[str],
    options: Mapping[str, Mapping[str, Any]] | None = None,
    on_dialogue: Callable[[Timeline], None] | None = None,
    audio: str = "clean",
) -> dict[str, Path]:
    """Write every requested format to ``<corpus_dir>/exports/<format>/``.

    A dialogue that fails in one format is logged and skipped there; the others go on.

    :param formats: exporter names (see :func:`available_exporters`) or ``"all"``.
    :param options: format name -> that exporter's config fields, e.g.
        ``{"streams": {"frame_rate": 12.5, "chunk_ms": 160}}``.
    :param on_dialogue: called after each dialogue (a progress bar's update).
    :param audio: "clean" or "degraded": which stereo file the audio exports use.
    :return: format name -> where its export is.
    :raises ExportError: when the corpus or manifest is missing, or (after writing
        everything else) when some dialogues failed; ``outputs`` and ``failures`` are set.
    """
    corpus_dir = Path(corpus_dir)
    _manifest(corpus_dir)
    if audio not in AUDIO_VERSIONS:
        raise ExportError(f"unknown audio version {audio!r}; choose one of {', '.join(AUDIO_VERSIONS)}")
    options = options or {}
    exporters: dict[str, Exporter] = {}
    for name in resolve_formats(formats):
        exporter = get_exporter(name, dict(options.get(name) or {}))
        exporter.audio = audio
        exporter.start(corpus_dir, corpus_dir / EXPORTS_DIR / name)
        exporters[name] = exporter
    if any(e.wants_dialogue_info for e in exporters.values()):
        info = read_dialogue_info(corpus_dir)
        for exporter in exporters.values():
            exporter.dialogue_info = info.get
    failures: list[tuple[str, str, str]] = []
    try:
        for timeline in read_timelines(corpus_dir):
            for name, exporter in exporters.items():
                try:
                    exporter.add(timeline)
                except (ExportError, OSError, ValueError, RuntimeError) as e:
                    log.error("export %s: dialogue %s skipped: %s", name, timeline.id, e)
                    failures.append((name, timeline.id, str(e)))
            if on_dialogue is not None:
                on_dialogue(timeline)
    except BaseException:
        for exporter in exporters.values():
            exporter.abort()
        raise
    outputs = {name: exporter.finish() for name, exporter in exporters.items()}
    for name, exporter in exporters.items():
        stale = exporter.remove_stale()
        if stale:
            log.info("export %s: removed %d file(s) of dialogues no longer in the corpus", name, len(stale))
    if failures:
        first = failures[0]
        raise ExportError(
            f"{len(failures)} dialogue export(s) failed, first: {first[0]} {first[1]}: {first[2]}",
            outputs=outputs,
            failures=failures,
        )
    return outputs
