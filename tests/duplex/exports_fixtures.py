"""A tiny synthetic duplex corpus for the export tests.

Two dialogues, each a stereo file with a distinct tone burst wherever the timeline
says a channel speaks, and a timelines.jsonl with overlapping segments on the two
channels, a backchannel and an interrupted turn whose last words were cut off.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from duplex.records import Event, Segment, Timeline
from speech.records import Word


def _seg(channel: int, start: float, end: float, words: list[tuple[str, float, float]], **kw: object) -> Segment:
    return Segment(
        channel=channel, speaker="AB"[channel], start=start, end=end,
        text=" ".join(w for w, _, _ in words), words=tuple(Word(*w) for w in words), **kw,  # type: ignore[arg-type]
    )


def dialogue_one() -> Timeline:
    """6 s at 16 kHz: A's turn, B's backchannel inside it, B overlapping A's end,
    A interrupted by B (A's words "you" is cut at 4.6 s and "about my day" are lost)."""
    segments = (
        _seg(0, 0.20, 2.00, [("hello", 0.2, 0.6), ("there", 0.65, 1.0), ("how", 1.1, 1.3), ("are", 1.35, 1.6),
                             ("you", 1.65, 2.0)], turn_index=0),
        _seg(1, 1.00, 1.40, [("uh-huh", 1.0, 1.4)], kind="backchannel"),
        _seg(1, 1.85, 3.50, [("fine", 1.85, 2.3), ("thanks", 2.35, 2.9), ("and", 3.0, 3.2), ("you", 3.25, 3.5)],
             turn_index=1),
        Segment(channel=0, speaker="A", start=3.70, end=4.60, text="let me tell you about my day",
                words=tuple(Word(*w) for w in [("let", 3.7, 3.9), ("me", 3.95, 4.1), ("tell", 4.15, 4.45),
                                               ("you", 4.5, 4.8), ("about", 4.85, 5.2), ("my", 5.25, 5.4),
                                               ("day", 5.45, 5.8)]),
                turn_index=2, interrupted=True),
        _seg(1, 4.30, 5.60, [("sorry", 4.3, 4.8), ("i", 4.85, 4.95), ("have", 5.0, 5.2), ("to", 5.25, 5.35),
                             ("go", 5.4, 5.6)], turn_index=3),
    )
    events = (
        Event("backchannel", 1.0, 1.4, "B"), Event("overlap", 1.85, 2.0, "B"), Event("gap", 3.5, 3.7, "A"),
        Event("interruption", 4.3, 4.6, "B"),
    )
    return Timeline(id="dlg-1", duration=6.0, sampling_rate=16000, segments=segments, events=events,
                    audio_path="audio/duplex/dlg-1.flac", mono_path="audio/duplex/dlg-1.mono.flac")


def dialogue_two() -> Timeline:
    """3 s at 22.05 kHz, WAV: one turn each, overlapping by 0.3 s."""
    segments = (
        _seg(0, 0.10, 1.50, [("good", 0.1, 0.5), ("morning", 0.55, 1.5)], turn_index=0),
        _seg(1, 1.20, 2.60, [("morning", 1.2, 1.9), ("to", 1.95, 2.1), ("you", 2.15, 2.6)], turn_index=1),
    )
    return Timeline(id="dlg-2", duration=3.0, sampling_rate=22050, segments=segments,
                    events=(Event("overlap", 1.2, 1.5, "B"),), audio_path="audio/duplex/dlg-2.wav")


DIALOGUES = (dialogue_one, dialogue_two)
#: tone of each channel (Hz), so a test can tell the channels apart by ear or by FFT
TONES = (440.0, 660.0)


def render(timeline: Timeline) -> np.ndarray:
    """int16-exact float32 stereo audio: a tone with a little noise wherever a segment is."""
    rng = np.random.default_rng(abs(hash(timeline.id)) % 2**32)
    sr = timeline.sampling_rate
    n = int(round(timeline.duration * sr))
    audio = np.zeros((n, 2), dtype=np.float32)
    t = np.arange(n) / sr
    for seg in timeline.segments:
        a, b = int(round(seg.start * sr)), int(round(seg.end * sr))
        tone = 0.3 * np.sin(2 * np.pi * TONES[seg.channel] * t[a:b])
        audio[a:b, seg.channel] += tone + 0.05 * rng.standard_normal(b - a)
    return np.round(np.clip(audio, -1, 1) * 32767) / 32768  # exactly representable in 16-bit PCM


def make_corpus(root: Path, dialogues: tuple = DIALOGUES) -> Path:
    """Write the stereo files and timelines.jsonl into ``root``; return ``root``."""
    lines = []
    for make in dialogues:
        timeline = make()
        audio = render(timeline)
        path = root / str(timeline.audio_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), audio, timeline.sampling_rate, subtype="PCM_16")
        if timeline.mono_path:
            sf.write(str(root / timeline.mono_path), audio.sum(axis=1) / 2, timeline.sampling_rate, subtype="PCM_16")
        lines.append(json.dumps(timeline.to_dict()))
    (root / "timelines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def source_audio(root: Path, timeline: Timeline) -> tuple[np.ndarray, int]:
    """The stereo file as written, float32 ``(num_samples, 2)``."""
    samples, sr = sf.read(str(root / str(timeline.audio_path)), dtype="float32", always_2d=True)
    return samples, int(sr)


def audible_words(timeline: Timeline, speaker: str) -> list[tuple[str, float, float]]:
    """What the test expects a speaker to say audibly: cut words clipped, lost words gone."""
    out = []
    for seg in timeline.segments:
        if seg.speaker != speaker:
            continue
        for w in seg.words:
            if w.start < seg.end:
                out.append((w.text, w.start, min(w.end, seg.end)))
    return sorted(out, key=lambda w: w[1])
