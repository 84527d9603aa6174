"""Tiny generated "speech" for the duplex tests: one tone burst per word.

Each word is a burst whose length is proportional to its characters (+1), words
are separated by 30 ms of silence, sentence ends by 0.25 s and clause ends by
0.15 s, like piper's output. The true word intervals are returned so tests can
say which words are audible in any stretch of the audio.
"""

from __future__ import annotations

import re

import numpy as np

from speech.records import Utterance

SR = 8000
CHAR_SECONDS = 0.05
WORD_GAP = 0.03
SENTENCE_GAP = 0.25
PHRASE_GAP = 0.15


def speak(text: str, sr: int = SR, seed: int = 0) -> tuple[np.ndarray, list[tuple[str, float, float]]]:
    """Audio of ``text`` and the true ``(word, start, end)`` intervals."""
    rng = np.random.default_rng(seed)
    tokens = text.split()
    parts: list[np.ndarray] = []
    truth: list[tuple[str, float, float]] = []
    t = 0
    for i, tok in enumerate(tokens):
        n = int((len(tok) + 1) * CHAR_SECONDS * sr)
        freq = 150 + 40 * (i % 7)
        burst = 0.3 * np.sin(2 * np.pi * freq * np.arange(n) / sr) * (1 + 0.1 * rng.standard_normal(n))
        env = np.minimum(1.0, np.minimum(np.arange(n), n - 1 - np.arange(n)) / (0.005 * sr))
        parts.append((burst * env).astype(np.float32))
        truth.append((tok, t / sr, (t + n) / sr))
        t += n
        if i < len(tokens) - 1:
            gap = SENTENCE_GAP if re.search(r"[.!?]$", tok) else PHRASE_GAP if re.search(r"[,;:]$", tok) else WORD_GAP
            g = int(gap * sr)
            parts.append(np.zeros(g, dtype=np.float32))
            t += g
    return np.concatenate(parts), truth


def make_utterance(uid: str, turn_index: int, speaker: str, text: str, audio: np.ndarray,
                   kind: str = "turn", sr: int = SR) -> Utterance:
    return Utterance(
        id=uid, dialogue_id="d", turn_index=turn_index, speaker=speaker, voice=f"v{speaker}", text=text,
        audio_path=f"{uid}.wav", duration=len(audio) / sr, sampling_rate=sr, kind=kind,
    )


def make_dialogue(texts: list[tuple[str, str]], bc_forms: tuple[str, ...] = ("yeah", "uh-huh", "right")
                  ) -> tuple[list[Utterance], dict[str, np.ndarray], dict[str, list[tuple[str, float, float]]]]:
    """Utterances (turns + backchannel forms), their audio and their true word intervals by id."""
    utts, audio, truth = [], {}, {}
    for i, (spk, text) in enumerate(texts):
        a, words = speak(text, seed=i)
        uid = f"d-{i:03d}"
        utts.append(make_utterance(uid, i, spk, text, a))
        audio[uid], truth[uid] = a, words
    for spk in ("A", "B"):
        for j, form in enumerate(bc_forms):
            a, words = speak(form, seed=100 + j)
            uid = f"d-bc-{spk}-{j}"
            utts.append(make_utterance(uid, -1, spk, form, a, kind="backchannel"))
            audio[uid], truth[uid] = a, words
    return utts, audio, truth


def audible_words(truth: list[tuple[str, float, float]], a: float, b: float) -> list[str]:
    """Words of which more than half lies inside the source stretch [a, b]."""
    return [w for w, s, e in truth if min(e, b) - max(s, a) > 0.5 * (e - s)]
