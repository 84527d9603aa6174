"""Which ASR word belongs to which segment: the one place eval attributes words by time."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from duplex.records import Segment
from speech.records import Word

__all__ = ["assign_words", "join_words"]


def assign_words(words: Sequence[Word], segments: Sequence[Segment], tolerance: float) -> list[list[Word]]:
    """Give each ASR word to the segment nearest its midpoint; one list per segment.

    Inside two overlapping segments the one whose centre is nearer (relative to its
    length) wins. Words farther than ``tolerance`` from every segment are dropped (noise
    or leaked speech; they count as nothing).
    """
    out: list[list[Word]] = [[] for _ in segments]
    if not segments:
        return out
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    centers = (starts + ends) / 2
    for w in words:
        mid = (w.start + w.end) / 2
        distance = np.maximum(starts - mid, 0) + np.maximum(mid - ends, 0)
        tie = np.abs(mid - centers) / np.maximum(ends - starts, 1e-3)
        i = int(np.lexsort((tie, distance))[0])
        if distance[i] <= tolerance:
            out[i].append(w)
    return out


#: a token starting with one of these was split off the word before it ("1" + ".30pm", "Chang" + "'s")
_GLUE_BEFORE = tuple(".,:;!?%'’)]}")


def join_words(words: Sequence[Word]) -> str:
    """Join ASR word tokens as the engine split them, not with a space before every token.

    faster-whisper words keep their leading space in the engine but arrive stripped here; a
    token that begins with punctuation (".30pm", ".m.", "'s") continued the word before it.
    """
    out = ""
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        out += text if (out and text.startswith(_GLUE_BEFORE)) or not out else " " + text
    return out
