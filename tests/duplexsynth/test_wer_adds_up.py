"""Per-segment WER adds up: pooled over segments it equals the per-channel WER of the same ASR words."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corpus_core import read_manifest
from duplex.records import Timeline
from eval.asr.base import ASR_SAMPLING_RATE
from eval.asr.faster_whisper import FasterWhisperASR, FasterWhisperConfig
from eval.wer import word_errors
from eval.words import assign_words, join_words
from speech.audio import read_audio, resample


def test_pooled_segment_wer_equals_channel_wer_on_a_rendered_dialogue(e2e_corpus: Path) -> None:
    """Cutting a channel's ASR words at its segments neither makes nor hides errors.

    The channel WER is taken over the words the assignment keeps: a word it drops lies outside
    every segment by more than the tolerance (Whisper hallucinating in the silence after the last
    turn, say), which the test checks; such a word is not speech of any turn.
    """
    (timeline,) = read_manifest(e2e_corpus / "timelines.jsonl", Timeline)
    stereo, sr = read_audio(e2e_corpus / (timeline.audio_path or ""))
    asr = FasterWhisperASR(FasterWhisperConfig(cpu_threads=2))
    tolerance = 0.3
    seg_errors = seg_ref = chan_errors = chan_ref = 0
    pieces = 0
    for channel in (0, 1):
        words = asr.transcribe(resample(np.ascontiguousarray(stereo[:, channel]), sr, ASR_SAMPLING_RATE))
        segments = timeline.channel_segments(channel)
        pieces += len(segments)
        assigned = assign_words(words, segments, tolerance)
        for seg, seg_words in zip(segments, assigned):
            e = word_errors(seg.text, join_words(seg_words))
            seg_errors, seg_ref = seg_errors + e.errors, seg_ref + e.ref_len
        kept = [(w.start, w.end) for ws in assigned for w in ws]  # a number cut at a pause comes back in pieces
        for w in words:
            if w.text.strip() and not any(a <= w.end and w.start <= b for a, b in kept):
                outside = min(max(s.start - w.end, w.start - s.end, 0.0) for s in segments)
                assert outside > tolerance - 0.05, (w, "dropped although it lies in a segment")
        whole = word_errors(" ".join(s.text for s in segments),
                            join_words(sorted((w for ws in assigned for w in ws), key=lambda w: w.start)))
        chan_errors, chan_ref = chan_errors + whole.errors, chan_ref + whole.ref_len
    assert seg_ref == chan_ref and pieces > 4  # turns are cut into several segments at their pauses
    assert abs(100 * seg_errors / seg_ref - 100 * chan_errors / chan_ref) <= 0.5, (seg_errors, chan_errors, seg_ref)
