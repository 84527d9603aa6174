"""Render one dialogue from its utterances: timeline, stereo and mono audio, transcript."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable

import numpy as np

from corpus_core.layout import inside
from corpus_core.seeding import stable_seed
from duplex.build import build_timeline
from duplex.records import Timeline
from duplex.render import mix_to_mono
from duplexsynth.config import RunConfig
from duplexsynth.degrading import write_degraded
from duplexsynth.transcript import write_transcript
from speech.audio import read_audio, write_audio
from speech.records import Utterance

__all__ = ["render_dialogue", "group_utterances"]


def group_utterances(utterances: Iterable[Utterance]) -> dict[str, list[Utterance]]:
    """Utterances by dialogue id, in manifest order."""
    groups: dict[str, list[Utterance]] = {}
    for u in utterances:
        groups.setdefault(u.dialogue_id, []).append(u)
    return groups


def render_dialogue(corpus: Path, config: RunConfig, did: str, utterances: list[Utterance], suffix: str = "") -> Timeline:
    """Build one dialogue's timeline and write its stereo and mono audio (and degraded copy) and transcript.

    :param suffix: added to the audio file names (a re-render writes new files, so the
        old timeline stays consistent until the manifest is rewritten).
    """
    cfg = config.duplex
    rng = np.random.default_rng(stable_seed(config.seed, "duplex", did))
    # audio paths and ids come from manifests a user may have edited: keep every path in the corpus
    load = lambda u: read_audio(inside(corpus, u.audio_path), u.sampling_rate)[0]  # noqa: E731
    timeline, stereo = build_timeline(did, utterances, cfg, rng, load)
    stereo_path = Path("audio") / "duplex" / f"{did}{suffix}.{cfg.audio_format}"
    write_audio(inside(corpus, stereo_path), stereo, timeline.sampling_rate)
    mono_path = None
    if cfg.write_mono:
        mono_path = Path("audio") / "duplex" / f"{did}{suffix}.mono.{cfg.audio_format}"
        write_audio(inside(corpus, mono_path), mix_to_mono(stereo), timeline.sampling_rate)
    timeline = replace(timeline, audio_path=str(stereo_path), mono_path=str(mono_path) if mono_path else None)
    timeline = write_degraded(corpus, config, timeline, stereo, stereo_path)
    write_transcript(inside(corpus, "transcripts", f"{did}.txt"), timeline)
    return timeline
