"""A short two-voice dialogue spoken by piper (real speech), evaluated once per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from duplex.records import Segment, Timeline

SR = 16000
#: (speaker, kind, text, offset): offset from the previous turn's end (turns) or from its start (backchannels)
SCRIPT = [
    ("A", "turn", "Good morning. I would like to book a table for two at 7:15 tonight, please.", 0.4),
    ("B", "backchannel", "Yeah.", 1.6),
    ("B", "turn", "Of course. We have a quiet table by the window for forty-two dollars.", 0.25),
    ("A", "turn", "That sounds perfect. Could you put it under the name Miller?", -0.3),
    ("B", "turn", "Certainly, Mister Miller. We will see you this evening.", 0.45),
]


@dataclass
class SpokenDialogue:
    timeline: Timeline
    stereo: np.ndarray


@pytest.fixture(scope="session")
def spoken_dialogue() -> SpokenDialogue:
    from speech.records import Voice
    from speech.synthesize import SpeechConfig, synthesize_uncached
    from speech.tts.piper import PiperConfig, PiperTTS

    tts = PiperTTS(PiperConfig())
    voices = {"A": Voice(id="joe", backend="piper"), "B": Voice(id="joe-high", backend="piper", pitch_semitones=5)}
    config = SpeechConfig(sampling_rate=SR)
    clips, segments, t_end, last_start, turn = [], [], 0.0, 0.0, 0
    for speaker, kind, text, offset in SCRIPT:
        audio = synthesize_uncached(tts, voices[speaker], text, 1.0, config).samples
        start = last_start + offset if kind == "backchannel" else max(0.0, t_end + offset)
        seg = Segment(channel=0 if speaker == "A" else 1, speaker=speaker, start=round(start, 3),
                      end=round(start + len(audio) / SR, 3), text=text, kind=kind,
                      turn_index=turn if kind == "turn" else None)
        if kind == "turn":
            t_end, last_start, turn = seg.end, seg.start, turn + 1
        clips.append(audio)
        segments.append(seg)
    duration = max(s.end for s in segments) + 0.5
    stereo = np.zeros((int(duration * SR), 2), np.float32)
    for seg, audio in zip(segments, clips):
        i = int(seg.start * SR)
        stereo[i:i + len(audio), seg.channel] += audio
    timeline = Timeline(id="dlg-0", duration=round(duration, 3), sampling_rate=SR, segments=tuple(segments))
    return SpokenDialogue(timeline, stereo)


@pytest.fixture(scope="session")
def evaluated_dialogue(spoken_dialogue: SpokenDialogue) -> tuple:
    from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
    from eval.evaluate import EvalConfig, evaluate_timeline

    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=2))
    return evaluate_timeline(spoken_dialogue.timeline, spoken_dialogue.stereo, asr, EvalConfig(cpwer=True))


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory, spoken_dialogue: SpokenDialogue,
                 evaluated_dialogue: tuple) -> Path:
    """A corpus folder (timelines.jsonl, eval.jsonl, meta.json, stereo FLAC) of the spoken dialogue."""
    from dataclasses import replace

    from corpus_core import ManifestWriter, write_json_atomic
    from speech.audio import write_audio

    corpus = tmp_path_factory.mktemp("eval-corpus")
    audio_rel = "audio/duplex/dlg-0.flac"
    write_audio(corpus / audio_rel, spoken_dialogue.stereo, SR)
    with ManifestWriter(corpus / "timelines.jsonl") as w:
        w.write(replace(spoken_dialogue.timeline, audio_path=audio_rel))
    turns, summary = evaluated_dialogue
    with ManifestWriter(corpus / "eval.jsonl", key="dialogue_id") as w:
        for t in turns:
            w.write(t)
        w.write(summary)
    write_json_atomic(corpus / "meta.json", {"schema_version": 1, "seed": 0, "eval": {"asr": {"backend": "faster-whisper"}}})
    return corpus
