"""The moshi-finetune dataset layout (kyutai-labs/moshi-finetune).

What its loader reads (``finetune/data/dataset.py``, ``interleaver.py``, ``annotate.py``):

- a JSONL manifest of ``{"path": ..., "duration": ...}``, paths relative to the
  manifest's folder (``sphn.dataset_jsonl`` resolves them there);
- each stereo audio file, left channel = the speaker Moshi learns to be ("main"),
  right channel = the user;
- beside it, the same name with ``.json``: ``{"alignments": [[word, [start, end],
  speaker], ...]}`` sorted by start time (the loader bisects it), where the main
  speaker's words are labelled ``SPEAKER_MAIN`` (its trainer keeps only those).

Layout written here::

    exports/moshi/moshi.jsonl
    exports/moshi/data_stereo/<id>.wav   <id>.json

Speaker A (channel 0) is the main speaker by default; ``main_speaker="B"`` swaps the
channels so B becomes Moshi, and ``"both"`` writes each dialogue twice
(``<id>_mainA``, ``<id>_mainB``), one per side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from corpus_core.atomic import atomic_path
from corpus_core.errors import ConfigError
from duplex.exports.base import (
    Exporter,
    ExportError,
    kept_segments,
    register_exporter,
    segment_words,
    write_text_atomic,
)
from duplex.records import CHANNEL_OF, Timeline

__all__ = ["MoshiConfig", "MoshiExporter", "moshi_alignments", "MAIN_SPEAKER_LABEL", "AUDIO_SUBDIR", "MANIFEST_NAME"]

#: the label moshi-finetune's Interleaver keeps (``main_speaker_label``)
MAIN_SPEAKER_LABEL = "SPEAKER_MAIN"
#: folder of the WAV + JSON pairs, as in moshi-finetune's README
AUDIO_SUBDIR = "data_stereo"
MANIFEST_NAME = "moshi.jsonl"


@dataclass(frozen=True)
class MoshiConfig:
    """Options of the moshi-finetune export."""

    #: who Moshi is (the left channel): "A", "B", or "both" (one copy per side)
    main_speaker: str = "A"
    #: label of the other speaker's words; "" leaves them out, as moshi-finetune's annotate.py does
    other_label: str = "SPEAKER_OTHER"
    #: also align the listener backchannels' words (their audio is in the WAV either way)
    include_backchannels: bool = True

    def __post_init__(self) -> None:
        if self.main_speaker not in (*CHANNEL_OF, "both"):
            raise ConfigError(f"moshi main_speaker must be one of {[*CHANNEL_OF, 'both']}, not {self.main_speaker!r}")


def moshi_alignments(timeline: Timeline, main_speaker: str = "A", other_label: str = "SPEAKER_OTHER",
                     include_backchannels: bool = True) -> list[list]:
    """``[[word, [start, end], label], ...]`` of one dialogue, sorted by start time.

    :param main_speaker: whose words get :data:`MAIN_SPEAKER_LABEL`.
    :param other_label: the other speaker's label; ``""`` drops their words.
    :param include_backchannels: False leaves the listener backchannels' words out.
    """
    items = []
    for seg in kept_segments(timeline, include_backchannels):
        label = MAIN_SPEAKER_LABEL if seg.speaker == main_speaker else other_label
        if not label:
            continue
        for w in segment_words(seg):
            items.append([w.text, [round(w.start, 4), round(w.end, 4)], label])
    items.sort(key=lambda a: (a[1][0], a[1][1]))
    return items


def _write_wav(path: Path, source: Path, swap: bool) -> tuple[int, int]:
    """Write ``source`` as 16-bit stereo WAV (channels swapped if asked); return (frames, rate)."""
    import numpy as np
    import soundfile as sf

    samples, sr = sf.read(str(source), dtype="int16", always_2d=True)
    if samples.shape[1] != 2:
        raise ExportError(f"{source} has {samples.shape[1]} channel(s); the moshi export needs the stereo file")
    if swap:
        samples = np.ascontiguousarray(samples[:, ::-1])
    with atomic_path(path) as tmp:
        sf.write(tmp, samples, sr, format="WAV", subtype="PCM_16")
    return len(samples), int(sr)


@register_exporter
class MoshiExporter(Exporter):
    """Writes stereo WAVs, their alignment JSONs, and ``moshi.jsonl``."""

    name = "moshi"
    config_type = MoshiConfig
    per_dialogue_files = (f"{AUDIO_SUBDIR}/*.wav", f"{AUDIO_SUBDIR}/*.json")

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        (self.out_dir / AUDIO_SUBDIR).mkdir(exist_ok=True)
        self._manifest = self.open_file(MANIFEST_NAME)

    def add(self, timeline: Timeline) -> None:
        source = self.stereo_path(timeline)
        mains = list(CHANNEL_OF) if self.config.main_speaker == "both" else [self.config.main_speaker]
        lines = []
        for main in mains:
            stem = timeline.id if len(mains) == 1 else f"{timeline.id}_main{main}"
            wav = self.out_dir / AUDIO_SUBDIR / f"{stem}.wav"
            num_samples, sr = _write_wav(self.claim(wav), source, swap=CHANNEL_OF[main] != 0)
            alignments = moshi_alignments(timeline, main, self.config.other_label, self.config.include_backchannels)
            write_text_atomic(self.claim(wav.with_suffix(".json")), json.dumps({"alignments": alignments}, ensure_ascii=False))
            record = {"path": f"{AUDIO_SUBDIR}/{wav.name}", "duration": num_samples / sr}
            lines.append(json.dumps(record, ensure_ascii=False))
        self._manifest.write_lines(lines)
