"""Checks of a corpus's own files before a stage works on them.

Manifests are type-checked on read (:func:`corpus_core.manifest.read_manifest`); these
checks cover what a record points to: the stereo file of every timeline the eval stage
will score must be inside the corpus, stereo, at the record's sampling rate and as long
as the record says. A file that does not match is one error line naming the manifest
line and field, and exit 2, before any transcription starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from corpus_core.errors import ManifestError
from corpus_core.layout import MANIFESTS, inside
from corpus_core.manifest import iter_jsonl
from duplex.records import Timeline

__all__ = ["check_timeline_audio", "DURATION_TOLERANCE"]

#: seconds a stereo file's length may differ from its timeline's ``duration``
DURATION_TOLERANCE = 0.05


def check_timeline_audio(corpus: Path, timelines: Iterable[Timeline]) -> None:
    """Check the stereo file of each timeline against its record.

    :raises ManifestError: ``timelines.jsonl:LINE: field audio_path: ...``.
    """
    import soundfile as sf

    timelines = list(timelines)
    if not timelines:
        return
    manifest = Path(corpus) / MANIFESTS["duplex"]
    lines = {d.get("id"): n for n, d in iter_jsonl(manifest)}
    for t in timelines:
        where = f"{manifest}:{lines.get(t.id, '?')}: field audio_path"
        if not t.audio_path:
            raise ManifestError(f"{where}: missing for dialogue {t.id}; run the duplex stage for it")
        path = inside(corpus, t.audio_path)
        try:
            info = sf.info(str(path))
        except (RuntimeError, OSError) as e:  # soundfile raises RuntimeError/LibsndfileError for a bad file
            reason = "does not exist" if not path.exists() else f"cannot be read as audio ({e})"
            raise ManifestError(f"{where}: {t.audio_path} {reason}; re-run the duplex stage for {t.id}") from None
        problem = None
        if info.frames == 0:
            problem = "has no samples (0-length)"
        elif info.channels != 2:
            problem = f"has {info.channels} channel(s); a duplex file is stereo (A left, B right)"
        elif info.samplerate != t.sampling_rate:
            problem = f"is {info.samplerate} Hz, the record says {t.sampling_rate} Hz"
        elif abs(info.frames / info.samplerate - t.duration) > DURATION_TOLERANCE:
            problem = f"lasts {info.frames / info.samplerate:.3f} s, the record says {t.duration:.3f} s"
        if problem:
            raise ManifestError(f"{where}: {t.audio_path} {problem}; re-run the duplex stage for {t.id}")
