"""NeMo Duplex S2S (``speechlm2``): lhotse cuts that ``DuplexS2SDataset`` reads as they are.

What NeMo's data path reads from each cut (``nemo/collections/speechlm2/data/s2s_dataset.py``
at NVIDIA/NeMo ``8cfedd7`` unless noted):

- ``cut.recording``, the user's side, resampled to ``source_sample_rate`` = 16 kHz
  (s2s_dataset.py:104) and collated by ``collate_audio``, which gives ``(B, T)`` only when
  every recording is mono (lhotse 1.33 ``dataset/collation.py:215-217``). So the user's
  channel is a mono file of its own, not the stereo file with a channel selector: lhotse
  1.33 drops the selector when it pads a batch and mixes both speakers.
- ``cut.custom["target_audio"]``, the agent's side, a mono Recording loaded by
  ``collate_audio(..., recording_field="target_audio")`` (s2s_dataset.py:105-107; the
  example cut is ``docs/source/speechlm2/datasets.rst:36-73``). At ``8cfedd7`` it is not
  resampled (line 106 resamples only ``cut.recording``), so it is written at the codec's
  rate, ``target_sample_rate`` = 22050 in ``examples/speechlm2/conf/s2s_duplex.yaml:100``.
- supervisions whose ``speaker`` is in ``input_roles`` / ``output_roles``
  (``["user", "User"]`` / ``["agent", "Assistant"]``, s2s_duplex.yaml:101-102;
  s2s_dataset.py:96-97, 159) with segment-level text: ``build_token_channel`` puts BOS and
  the text's tokens at frame ``compute_num_frames(start, 0.08)`` and EOS at the end's frame
  (s2s_dataset.py:156-188); a negative start raises ``RuntimeError`` (line 183).
- relative audio paths are resolved against the folder of ``cuts_path``
  (``nemo/collections/common/data/lhotse/cutset.py:507, 651-697``, ``get_full_path`` in
  ``nemo/collections/common/parts/preprocessing/manifest.py:278-291``), custom Recordings included.

Layout written under ``exports/nemo-duplex/``::

    cuts.jsonl.gz                      one MonoCut per dialogue (or window) and agent side
    audio/<cut_id>.user.flac           the user's channel at the corpus rate, mono
    audio/<cut_id>.agent.flac          the agent's channel at target_rate, mono
    shar/                              with shar=True: cuts, recording and target_audio shards (FLAC)
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from corpus_core.atomic import TEMP_PREFIX, atomic_path
from corpus_core.errors import ConfigError, MissingDependency
from corpus_core.ids import sanitize_id
from duplex.exports.base import (
    Exporter,
    ExportError,
    kept_segments,
    register_exporter,
    segment_words,
    stereo_audio_path,
)
from duplex.exports.prompts import compose_system_prompt
from duplex.exports.windows import Window, clip_to_window, plan_windows
from duplex.records import CHANNEL_OF, Segment, Timeline
from speech.audio import read_audio, resample, write_audio

__all__ = ["NemoDuplexConfig", "NemoDuplexExporter", "segment_text", "USER_ROLE", "AGENT_ROLE",
           "CUTS_NAME", "AUDIO_SUBDIR", "SHAR_SUBDIR"]

#: the roles NeMo's example config lists first (s2s_duplex.yaml:101-102)
USER_ROLE = "user"
AGENT_ROLE = "agent"
CUTS_NAME = "cuts.jsonl.gz"
AUDIO_SUBDIR = "audio"
SHAR_SUBDIR = "shar"


@dataclass(frozen=True)
class NemoDuplexConfig:
    """Options of the NeMo Duplex S2S export."""

    #: the agent's side: "A", "B", or "both" (one cut per side)
    main_speaker: str = "A"
    #: sampling rate of target_audio in Hz: the audio codec's rate (NeMo's target_sample_rate)
    target_rate: int = 22050
    #: longest cut in seconds; dialogues are cut at pauses (None keeps each dialogue whole)
    max_duration: float | None = None
    #: also write Lhotse Shar shards (recording and target_audio as FLAC) under shar/
    shar: bool = False
    #: cuts per Shar shard
    shard_size: int = 1000
    #: add custom["system_prompt"] from the scenario and the agent's persona, where known
    system_prompt: bool = True
    #: store absolute audio paths instead of paths relative to cuts.jsonl.gz's folder
    absolute_paths: bool = False
    #: also write the listener backchannels as supervisions (their audio is in the cut either way)
    include_backchannels: bool = True

    def __post_init__(self) -> None:
        if self.main_speaker not in (*CHANNEL_OF, "both"):
            raise ConfigError(f"nemo-duplex main_speaker must be one of {[*CHANNEL_OF, 'both']}, "
                              f"not {self.main_speaker!r}")
        if not (isinstance(self.target_rate, int) and 1000 <= self.target_rate <= 384000):
            raise ConfigError(f"nemo-duplex target_rate must be a rate in Hz such as 22050, not {self.target_rate!r}")
        if self.max_duration is not None and not self.max_duration > 0:
            raise ConfigError(f"nemo-duplex max_duration must be a positive number of seconds, "
                              f"not {self.max_duration!r}; leave it unset to keep dialogues whole")
        if not self.shard_size > 0:
            raise ConfigError(f"nemo-duplex shard_size must be positive, not {self.shard_size!r}")


def segment_text(seg: Segment) -> str:
    """The segment's text as heard: an interrupted turn loses the words it never reached."""
    if seg.interrupted and seg.words:
        return " ".join(w.text for w in segment_words(seg)) or seg.text
    return seg.text


def _supervisions(timeline: Timeline, window: Window, agent: str, cut_id: str,
                  include_backchannels: bool = True) -> list[Any]:
    """The window's segments as supervisions in cut time, speaker relabelled user/agent."""
    from lhotse import SupervisionSegment
    from lhotse.supervision import AlignmentItem

    sups = []
    for seg in sorted(kept_segments(timeline, include_backchannels), key=lambda s: (s.start, s.channel)):
        span = clip_to_window(seg.start, seg.end, window)
        if span is None:
            continue
        start, end = round(span[0], 4), min(round(span[1], 4), window.duration)
        words = []
        for w in segment_words(seg):
            clipped = clip_to_window(w.start, w.end, window)
            if clipped is not None:
                words.append(AlignmentItem(w.text, round(clipped[0], 4), round(clipped[1] - clipped[0], 4)))
        sups.append(SupervisionSegment(
            id=f"{cut_id}-{len(sups):04d}", recording_id=f"{cut_id}_user", start=start, duration=round(end - start, 4),
            channel=0, text=segment_text(seg), speaker=AGENT_ROLE if seg.speaker == agent else USER_ROLE,
            custom={"source_speaker": seg.speaker, "kind": seg.kind, "interrupted": seg.interrupted},
            alignment={"word": words},
        ))
    return sups


def _mono_recording(rec_id: str, path: Path, stored: str, samples: np.ndarray, sampling_rate: int) -> Any:
    """Write ``samples`` as a mono FLAC at ``path`` and describe it as a lhotse Recording."""
    from lhotse import AudioSource, Recording

    write_audio(path, samples, sampling_rate)
    return Recording(id=rec_id, sources=[AudioSource(type="file", channels=[0], source=stored)],
                     sampling_rate=sampling_rate, num_samples=len(samples), duration=len(samples) / sampling_rate)


@register_exporter
class NemoDuplexExporter(Exporter):
    """Writes per-side mono audio, ``cuts.jsonl.gz`` and, optionally, Shar shards."""

    name = "nemo-duplex"
    config_type = NemoDuplexConfig
    per_dialogue_files = (f"{AUDIO_SUBDIR}/*.flac",)
    wants_dialogue_info = True

    def start(self, corpus_dir: Path, out_dir: Path) -> None:
        super().start(corpus_dir, out_dir)
        try:
            from lhotse import CutSet
            from lhotse.shar import SharWriter
        except ImportError:
            raise MissingDependency("lhotse", extra="export", why="for the nemo-duplex export") from None
        (self.out_dir / AUDIO_SUBDIR).mkdir(exist_ok=True)
        # cuts go to a hidden temp name renamed in finish(): a killed export leaves no half manifest
        self._cuts_context = atomic_path(self.out_dir / CUTS_NAME)
        self._writer = CutSet.open_writer(self._cuts_context.__enter__(), overwrite=True)
        self._shar = None
        if self.config.shar:
            self._shar_tmp = self.out_dir / f"{TEMP_PREFIX}{SHAR_SUBDIR}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
            self._shar_tmp.mkdir()
            self._shar = SharWriter(str(self._shar_tmp), fields={"recording": "flac", "target_audio": "flac"},
                                    shard_size=self.config.shard_size)
            self._shar.__enter__()

    def add(self, timeline: Timeline) -> None:
        stereo, sr = read_audio(stereo_audio_path(self.corpus_dir, timeline))
        # the user side (the model's input) comes from the chosen audio version (--audio);
        # the agent's target speech stays clean: it is the voice the model should produce
        heard = stereo if self.audio == "clean" else read_audio(self.stereo_path(timeline), sr)[0]
        if stereo.ndim != 2 or stereo.shape[1] != 2:
            raise ExportError(f"dialogue {timeline.id}: the nemo-duplex export needs the stereo file, "
                              f"found {1 if stereo.ndim == 1 else stereo.shape[1]} channel(s)")
        windows = plan_windows(timeline.segments, len(stereo) / sr, self.config.max_duration)
        info = self.dialogue_info(timeline.id) if self.config.system_prompt else None
        agents = list(CHANNEL_OF) if self.config.main_speaker == "both" else [self.config.main_speaker]
        cuts = []
        for agent in agents:
            user = next(s for s in CHANNEL_OF if s != agent)
            target = resample(stereo[:, CHANNEL_OF[agent]], sr, self.config.target_rate)
            prompt = compose_system_prompt(info, agent) if info is not None else None
            for k, window in enumerate(windows):
                cut_id = sanitize_id(f"{timeline.id}_agent{agent}" + (f"_w{k:03d}" if len(windows) > 1 else ""))
                cuts.append(self._cut(timeline, window, agent, cut_id, heard[:, CHANNEL_OF[user]], sr, target, prompt))
        for absolute, stored in cuts:
            self._writer.write(stored)
            if self._shar is not None:
                self._shar.write(absolute)

    def _cut(self, timeline: Timeline, window: Window, agent: str, cut_id: str, user_audio: np.ndarray, sr: int,
             target: np.ndarray, prompt: str | None) -> tuple[Any, Any]:
        """One window of one agent side; returns the cut with absolute paths and the one to store."""
        from lhotse import MonoCut
        from lhotse.utils import fastcopy

        a, b = round(window.start * sr), round(window.end * sr)
        duration = (b - a) / sr
        rate = self.config.target_rate
        t0, n_target = round(window.start * rate), round(duration * rate)
        agent_audio = target[t0 : t0 + n_target]
        agent_audio = np.pad(agent_audio, (0, n_target - len(agent_audio)))  # resampling may fall a sample short
        recs = {}
        for role, samples, rate_ in (("user", user_audio[a:b], sr), ("agent", agent_audio, rate)):
            rel = f"{AUDIO_SUBDIR}/{cut_id}.{role}.flac"
            path = self.claim(self.out_dir / rel)
            recs[role] = _mono_recording(f"{cut_id}_{role}", path, str(path.resolve()), samples, rate_)
        custom: dict[str, Any] = {
            "target_audio": recs["agent"], "dialogue_id": timeline.id, "agent_speaker": agent,
            "window_start": round(window.start, 4),
        }
        if prompt:
            custom["system_prompt"] = prompt
        cut = MonoCut(id=cut_id, start=0.0, duration=duration, channel=0, recording=recs["user"],
                      supervisions=_supervisions(timeline, window, agent, cut_id, self.config.include_backchannels),
                      custom=custom)
        if self.config.absolute_paths:
            return cut, cut
        stored = {role: fastcopy(rec, sources=[fastcopy(rec.sources[0], source=f"{AUDIO_SUBDIR}/{cut_id}.{role}.flac")])
                  for role, rec in recs.items()}
        return cut, fastcopy(cut, recording=stored["user"], custom={**custom, "target_audio": stored["agent"]})

    def finish(self) -> Path:
        self._writer.close()
        self._cuts_context.__exit__(None, None, None)
        if self._shar is not None:
            self._shar.close()
            final = self.out_dir / SHAR_SUBDIR
            old = final.with_name(f"{TEMP_PREFIX}{SHAR_SUBDIR}.old.{uuid.uuid4().hex[:8]}")
            if final.exists():
                os.replace(final, old)
            os.replace(self._shar_tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        return self.out_dir

    def abort(self) -> None:
        self._writer.close()
        self._cuts_context.__exit__(RuntimeError, RuntimeError("export aborted"), None)
        if self._shar is not None:
            self._shar.close()
            shutil.rmtree(self._shar_tmp, ignore_errors=True)
