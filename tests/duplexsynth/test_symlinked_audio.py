"""A corpus whose ``audio/`` is the user's symlink to another disk works (issue 27 must 7).

The corpus is one dialogue of ``samples/``: its manifests and meta.json are copied into a
new folder and its utterance audio into a "scratch disk" folder that the corpus's
``audio/`` links to, as on a cluster. Paths in records are still checked as written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from corpus_core.errors import ManifestError
from corpus_core.layout import inside
from duplexsynth.cli.main import cli
from speech.audio import read_audio

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIALOGUE = "booking-00000"


def _linked_corpus(tmp_path: Path) -> Path:
    """One sample dialogue's utterances and meta.json in ``corpus/``, its audio on ``scratch/``."""
    corpus, scratch = tmp_path / "corpus", tmp_path / "scratch" / "audio"
    corpus.mkdir()
    shutil.copytree(SAMPLES / "audio" / DIALOGUE, scratch / DIALOGUE)
    (corpus / "audio").symlink_to(scratch, target_is_directory=True)
    shutil.copy(SAMPLES / "meta.json", corpus / "meta.json")
    for name in ("dialogues.jsonl", "utterances.jsonl"):
        lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines(keepends=True)
        keep = [line for line in lines if DIALOGUE in json.loads(line).get("id", "") + json.loads(line).get("key", "")]
        (corpus / name).write_text("".join(keep), encoding="utf-8")
    return corpus


def test_duplex_stage_reads_and_writes_through_a_symlinked_audio_folder(tmp_path: Path) -> None:
    corpus = _linked_corpus(tmp_path)
    result = CliRunner().invoke(cli, ["duplex", str(corpus)])
    assert result.exit_code == 0, result.output
    (timeline,) = [json.loads(line) for line in (corpus / "timelines.jsonl").read_text().splitlines()
                   if json.loads(line)["type"] == "Timeline"]
    assert timeline["id"] == DIALOGUE and timeline["audio_path"] == f"audio/duplex/{DIALOGUE}.flac"
    # the stereo went to the scratch disk, through the user's link
    written = tmp_path / "scratch" / "audio" / "duplex" / f"{DIALOGUE}.flac"
    assert written.is_file() and not (corpus / "audio").resolve().is_relative_to(corpus.resolve())
    stereo, sr = read_audio(inside(corpus, timeline["audio_path"]))
    assert stereo.shape[1] == 2 and sr == timeline["sampling_rate"]
    for channel in (0, 1):  # each speaker's turns are audible on their own channel
        seg = next(s for s in timeline["segments"] if s["channel"] == channel and s["kind"] == "turn")
        a, b = int(seg["start"] * sr), int(seg["end"] * sr)
        assert np.sqrt(np.mean(stereo[a:b, channel] ** 2)) > 0.01


@pytest.mark.parametrize("path", ["../outside.flac", "audio/../../outside.flac", "/etc/passwd", "audio/a\x00.flac"])
def test_a_record_path_that_climbs_out_is_still_refused(tmp_path: Path, path: str) -> None:
    corpus = _linked_corpus(tmp_path)
    with pytest.raises(ManifestError, match="refusing to use it"):
        inside(corpus, path)


def test_an_absolute_path_inside_the_corpus_is_kept_without_resolving_the_link(tmp_path: Path) -> None:
    corpus = _linked_corpus(tmp_path)
    flac = f"audio/{DIALOGUE}/{DIALOGUE}-000.flac"
    assert inside(corpus, corpus / flac) == inside(corpus, flac) == corpus.resolve() / flac


def test_speech_writes_into_a_linked_audio_folder(tmp_path: Path) -> None:
    """The speak stage's path guard follows the user's audio/ link and still refuses a climb."""
    from speech.synthesize import utterance_path

    corpus, scratch = tmp_path / "corpus", tmp_path / "scratch"
    corpus.mkdir()
    scratch.mkdir()
    (corpus / "audio").symlink_to(scratch)
    path = utterance_path(corpus, corpus / "audio", "d1", "d1-000", "flac")
    assert path == corpus.resolve() / "audio" / "d1" / "d1-000.flac"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x")
    assert (scratch / "d1" / "d1-000.flac").read_bytes() == b"x"
    with pytest.raises(ManifestError):
        utterance_path(corpus, corpus / "audio", "..", "d1-000", "flac")
