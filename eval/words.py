"""Which ASR word belongs to which segment: the one place eval attributes words to segments.

A channel's ASR words are aligned to that channel's reference words across segment
boundaries (an edit-distance alignment of normalized tokens, by jiwer), and split where the
reference splits. Time alone misleads: Whisper starts a word early when silence comes before
it, so the first word after a short pause would land on the segment before.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from duplex.records import Segment
from eval.normalize import normalize_text
from speech.records import Word

__all__ = ["assign_words", "assign_words_by_time", "join_words", "word_units"]

#: a token starting with one of these was split off the word before it ("1" + ".30pm", "Chang" + "'s");
#: so was "-" before a digit ("650" + "-967")
_GLUE_BEFORE = tuple(".,:;!?%'’)]}")
#: an aligned word may move to a segment at most this far (s) from its own time
MAX_ALIGNED_DISTANCE = 1.5


def join_words(words: Sequence[Word]) -> str:
    """Join ASR word tokens as the engine split them, not with a space before every token.

    faster-whisper words keep their leading space in the engine but arrive stripped here; a
    token that begins with punctuation (".30pm", ".m.", "'s") continued the word before it.
    """
    return " ".join("".join(w.text.strip() for w in unit) for unit in word_units(words))


def word_units(words: Sequence[Word]) -> list[list[Word]]:
    """ASR tokens grouped into the written words they form (a group never splits across segments)."""
    units: list[list[Word]] = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        if units and (text.startswith(_GLUE_BEFORE) or (text[0] == "-" and text[1:2].isdigit())):
            units[-1].append(w)
        else:
            units.append([w])
    return units


def _gaps(t0: float, t1: float, segments: Sequence[Segment]) -> np.ndarray:
    """Silence between the word ``[t0, t1]`` and each segment (0 where they overlap): what decides
    whether a word is kept. Whisper stretches a word over the silence before it ("Ah." from
    14.2 s to a backchannel at 15.1-15.4 s), so its midpoint may lie outside the segment it is."""
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    return np.maximum(starts - t1, 0) + np.maximum(t0 - ends, 0)


def _distances(t0: float, t1: float, segments: Sequence[Segment]) -> np.ndarray:
    """Distance of the word's midpoint from each segment: which segment a word is nearest."""
    mid = (t0 + t1) / 2
    return _gaps(mid, mid, segments)


def assign_words_by_time(words: Sequence[Word], segments: Sequence[Segment], tolerance: float) -> list[list[Word]]:
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
        distance = _distances(w.start, w.end, segments)
        tie = np.abs(mid - centers) / np.maximum(ends - starts, 1e-3)
        i = int(np.lexsort((tie, distance))[0])
        if _gaps(w.start, w.end, segments).min() <= tolerance:
            out[i].append(w)
    return out


def _aligned_segment(
    units: list[list[Word]], segments: Sequence[Segment]
) -> tuple[list[int | None], list[bool], list[list[tuple[str, int | None]]]]:
    """Segment index of each unit from an edit-distance alignment (``None`` where it says nothing),
    whether every token of the unit matched exactly, and each unit's normalized tokens with the
    segment each token aligned to."""
    from eval.wer import word_alignment

    ref, ref_seg = [], []
    for k, seg in enumerate(segments):
        toks = normalize_text(seg.text, keep_fillers=True).split()
        ref += toks
        ref_seg += [k] * len(toks)
    hyp, hyp_unit = [], []
    for u, unit in enumerate(units):
        toks = normalize_text("".join(w.text.strip() for w in unit), keep_fillers=True).split()
        hyp += toks
        hyp_unit += [u] * len(toks)
    votes: list[list[int]] = [[] for _ in units]
    token_seg: list[int | None] = [None] * len(hyp)
    exact = [True] * len(units)
    for kind, r0, r1, h0, h1 in word_alignment(ref, hyp):
        if kind in ("equal", "substitute"):
            for r, h in zip(range(r0, r1), range(h0, h1)):
                votes[hyp_unit[h]].append(ref_seg[r])
                token_seg[h] = ref_seg[r]
        if kind != "equal":
            for h in range(h0, h1):
                exact[hyp_unit[h]] = False
    tokens: list[list[tuple[str, int | None]]] = [[] for _ in units]
    for h, u in enumerate(hyp_unit):
        tokens[u].append((hyp[h], token_seg[h]))
    for u, v in enumerate(votes):
        exact[u] = exact[u] and bool(v)
    return [max(set(v), key=v.count) if v else None for v in votes], exact, tokens


def _split_unit(unit: list[Word], tokens: list[tuple[str, int | None]]) -> list[tuple[int, Word]] | None:
    """A unit whose tokens aligned to two or more segments ("925-288-0999" across a pause inside
    the number), cut into one pseudo-word per segment: its normalized tokens, times shared out."""
    segs = [k for _, k in tokens if k is not None]
    if len(set(segs)) < 2 or segs != sorted(segs):
        return None
    filled, last = [], segs[0]
    for _, k in tokens:
        last = k if k is not None else last
        filled.append(last)
    start, end, n = unit[0].start, unit[-1].end, len(tokens)
    out, i = [], 0
    while i < n:
        j = i
        while j < n and filled[j] == filled[i]:
            j += 1
        text = " ".join(t for t, _ in tokens[i:j])
        out.append((filled[i], Word(text, round(start + (end - start) * i / n, 3), round(start + (end - start) * j / n, 3))))
        i = j
    return out


def assign_words(
    words: Sequence[Word], segments: Sequence[Segment], tolerance: float, align: bool = True
) -> list[list[Word]]:
    """One list of ASR words per segment of one channel (segments in time order).

    With ``align`` the words are aligned to the segments' reference words and split at the
    segment boundaries; a word the alignment does not place (an insertion, a filler) joins
    its neighbours' segment, the one nearer in time. Without it (or when segments overlap,
    as two speakers' do in a mono mix) each word goes to the segment nearest in time.
    Words farther than ``tolerance`` from every segment are dropped either way.

    :param tolerance: seconds a word may lie outside every segment and still count.
    """
    ordered = all(a.end <= b.start + 1e-6 for a, b in zip(segments, segments[1:]))
    if not align or not ordered or len(segments) < 2:
        return assign_words_by_time(words, segments, tolerance)
    # Whisper's times drift after long silences: a word the alignment matches exactly may lie a
    # little farther out than ``tolerance`` and still be that segment's word
    units = [u for u in word_units(sorted(words, key=lambda w: w.start))
             if _distances(u[0].start, u[-1].end, segments).min() <= max(tolerance, MAX_ALIGNED_DISTANCE)]
    if not units:
        return [[] for _ in segments]
    by_time = [int(np.argmin(_distances(u[0].start, u[-1].end, segments))) for u in units]
    target, exact, tokens = _aligned_segment(units, segments)
    for i, (unit, k) in enumerate(zip(units, target)):
        distance = _distances(unit[0].start, unit[-1].end, segments)
        if k is not None and distance[k] > MAX_ALIGNED_DISTANCE and not (exact[i] and abs(k - by_time[i]) == 1):
            # matched a word of a far segment: the alignment went astray here. An exact match in
            # the very next (or previous) segment is kept however long the silence between them:
            # eval packs a channel's regions side by side, so the first word of a turn that Whisper
            # stamps over the unheard backchannel before it lies seconds away in dialogue time
            target[i] = None
        if _gaps(unit[0].start, unit[-1].end, segments).min() > tolerance and not (exact[i] and target[i] is not None):
            target[i] = -1  # outside every segment and not an exact match: noise or leaked speech
    # unplaced units: the segment of an aligned neighbour, preferring the one nearer in time
    for i, k in enumerate(target):
        if k is not None:
            continue
        prev = next((target[j] for j in range(i - 1, -1, -1) if target[j] not in (None, -1)), None)
        nxt = next((target[j] for j in range(i + 1, len(target)) if target[j] not in (None, -1)), None)
        options = [c for c in (prev, nxt) if c is not None] or [by_time[i]]
        dist = [_distances(units[i][0].start, units[i][-1].end, [segments[c]])[0] for c in options]
        target[i] = options[int(np.argmin(dist))] if min(dist) <= tolerance else by_time[i]
    out: list[list[Word]] = [[] for _ in segments]
    for unit, k, toks in zip(units, target, tokens):
        if k == -1:
            continue
        parts = _split_unit(unit, toks)
        if parts is None:
            out[int(k)].extend(unit)  # type: ignore[arg-type]
        else:
            for seg_index, word in parts:
                out[seg_index].append(word)
    return out
