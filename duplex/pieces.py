"""Split one utterance at its real pauses: text boundaries confirmed by audio silences.

A sentence boundary (found by pysbd, which knows abbreviations, initials, decimals and
times) or a clause boundary ("," ";" ":" dashes) in the text counts
only where the audio has a silence near the time the text predicts for it. Between
confirmed boundaries the utterance is cut into :class:`Piece` s, so the turn-taking
model can stretch or shrink each pause and place listener backchannels in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from corpus_core.errors import MissingDependency
from speech.records import Utterance, Word

__all__ = ["Piece", "FRAME_SECONDS", "find_silences", "sentence_ends", "split_utterance", "speech_level"]

#: analysis frame of every level measurement
FRAME_SECONDS = 0.01
#: audio kept on each side of a piece, so word onsets and releases stay whole
PAD_SECONDS = 0.02

_TOKEN = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*$")
_PHRASE_END = re.compile(r"[,;:]+[\"')\]]*$|^[-–—]+$")
_DASH = re.compile(r"^[-–—]+$")


@dataclass(frozen=True)
class Piece:
    """A stretch of an utterance's audio between two confirmed pauses.

    :param source_start: start in the utterance audio (seconds).
    :param source_end: end in the utterance audio (seconds).
    :param words: word times relative to the utterance audio.
    :param boundary: what ends the piece: "sentence", "phrase" or "" (the last piece).
    """

    source_start: float
    source_end: float
    text: str
    words: tuple[Word, ...]
    boundary: str = ""


def speech_level(levels: np.ndarray) -> float:
    """A robust speech level (dB): the 90th percentile of the frame levels."""
    return float(np.percentile(levels, 90)) if levels.size else -120.0


def find_silences(levels: np.ndarray, threshold_db: float, min_silence: float) -> np.ndarray:
    """Internal silent runs as an ``(n, 2)`` array of frame indices ``[start, end)``.

    Leading and trailing silence is not returned; runs shorter than ``min_silence``
    seconds are dropped.
    """
    silent = levels < speech_level(levels) + threshold_db
    edges = np.diff(np.concatenate([[0], silent.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = (starts > 0) & (ends < len(levels)) & ((ends - starts) * FRAME_SECONDS >= min_silence)
    return np.stack([starts[keep], ends[keep]], axis=1) if keep.any() else np.zeros((0, 2), dtype=int)


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    try:
        import pysbd
    except ImportError:
        raise MissingDependency("pysbd", why="sentence boundaries that know abbreviations") from None
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def sentence_ends(text: str) -> list[int]:
    """Token indices (whitespace tokens of ``text``) that end a sentence, the last one included.

    A real segmenter (pysbd) decides, so the periods of "P.f. Chang's", "Dr. Smith",
    "3.5 stars", "1:30 p.m. on Jan. 5" and "U.S." do not end sentences.
    """
    spans = _segmenter().segment(text) if text.strip() else []
    ends = {sp.start + len(sp.sent.rstrip()) for sp in spans}
    return [i for i, m in enumerate(_TOKEN.finditer(text)) if m.end() in ends and _SENTENCE_END.search(m.group())]


def _boundaries(tokens: list[str]) -> list[tuple[int, str]]:
    """(token index, kind) for each boundary after a token, the last token excluded."""
    out = []
    ends = set(sentence_ends(" ".join(tokens)))
    for i, tok in enumerate(tokens[:-1]):
        if i in ends:
            out.append((i, "sentence"))
        elif _PHRASE_END.search(tok) or _DASH.match(tokens[i + 1]):
            out.append((i, "phrase"))
    return out


def _char_times(weights: np.ndarray, voiced: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Frame times of the cumulative ``weights`` spread over the voiced frames of [lo, hi)."""
    cum = np.cumsum(voiced[lo:hi])
    if cum.size == 0 or cum[-1] == 0:
        return lo + (hi - lo) * np.cumsum(weights) / max(weights.sum(), 1e-9)
    target = np.cumsum(weights) / max(weights.sum(), 1e-9) * cum[-1]
    return lo + np.searchsorted(cum, target - 1e-9) + 1.0


def _match(estimates: np.ndarray, runs: np.ndarray, tolerance: float) -> dict[int, int]:
    """Mutually nearest (boundary, silence run) pairs closer than ``tolerance`` frames."""
    if not len(estimates) or not len(runs):
        return {}
    dist = np.abs(estimates[:, None] - runs[None, :, 0])
    best_run, best_bnd = dist.argmin(axis=1), dist.argmin(axis=0)
    return {b: int(r) for b, r in enumerate(best_run) if best_bnd[r] == b and dist[b, r] <= tolerance}


def _token_weights(tokens: list[str]) -> np.ndarray:
    return np.array([len(t) + 1 for t in tokens], dtype=float)


def split_utterance(
    utt: Utterance, levels: np.ndarray, threshold_db: float, min_silence: float
) -> list[Piece]:
    """Cut ``utt`` at text boundaries that a silence in its audio confirms.

    :param levels: :func:`speech.audio.frame_rms_db` of the utterance audio, 10 ms frames.
    :param threshold_db: frames this far below the speech level are silent.
    :param min_silence: shortest silence (seconds) that confirms a boundary.
    """
    tokens = _TOKEN.findall(utt.text)
    n = len(levels)
    if not tokens or n < 2:
        return [Piece(0.0, utt.duration, utt.text, tuple(utt.words or ()))]
    engine = utt.words is not None and len(utt.words) == len(tokens)
    voiced = levels >= speech_level(levels) + threshold_db
    runs = find_silences(levels, threshold_db, min_silence)
    bounds = _boundaries(tokens)
    weights = _token_weights(tokens)
    if engine:
        est = np.array([utt.words[i].end / FRAME_SECONDS for i, _ in bounds])  # type: ignore[index]
    else:
        est = _char_times(weights, voiced, 0, n)[[i for i, _ in bounds]] if bounds else np.zeros(0)
    # sentence boundaries first (piper leaves >= 0.2 s there), then the clause boundaries
    confirmed: dict[int, tuple[int, int]] = {}
    for kind, min_frames in (("sentence", 0.12 / FRAME_SECONDS), ("phrase", 0)):
        idx = [k for k, (_, b) in enumerate(bounds) if b == kind]
        used = {tuple(r) for r in confirmed.values()}
        cand = np.array([r for r in runs if (r[1] - r[0]) >= min_frames and tuple(r) not in used]).reshape(-1, 2)
        pairs = _match(est[idx], cand, tolerance=max(30.0, 0.12 * n))
        for b, r in pairs.items():
            confirmed[idx[b]] = (int(cand[r, 0]), int(cand[r, 1]))
    # keep the confirmed boundaries in time order (drop any that would cross)
    order, last = [], -1
    for k in sorted(confirmed):
        if confirmed[k][0] > last:
            order.append(k)
            last = confirmed[k][1]
    pieces: list[Piece] = []
    tok_lo, frame_lo = 0, 0
    for k in order + [None]:
        tok_hi = len(tokens) if k is None else bounds[k][0] + 1
        frame_hi = n if k is None else confirmed[k][0]
        a = max(0.0, frame_lo * FRAME_SECONDS - (PAD_SECONDS if frame_lo else 0.0))
        b = utt.duration if k is None else min(utt.duration, frame_hi * FRAME_SECONDS + PAD_SECONDS)
        if engine:
            words = tuple(utt.words[tok_lo:tok_hi])  # type: ignore[index]
        else:
            edges = np.concatenate([[frame_lo], _char_times(weights[tok_lo:tok_hi], voiced, frame_lo, frame_hi)])
            edges = np.clip(edges * FRAME_SECONDS, a, b)
            words = tuple(Word(t, round(float(s), 3), round(float(e), 3))
                          for t, s, e in zip(tokens[tok_lo:tok_hi], edges[:-1], edges[1:]))
        pieces.append(Piece(a, b, " ".join(tokens[tok_lo:tok_hi]), words, "" if k is None else bounds[k][1]))
        if k is not None:
            tok_lo, frame_lo = tok_hi, confirmed[k][1]
    return pieces
