"""Speaker diversity of a corpus: how many different-sounding speakers it holds, and how they are used.

Each dialogue's eval record keeps one resemblyzer embedding per speaker (the mean of its
turns' embeddings, :func:`eval.speaker_similarity.speaker_similarity`). Pooled over the
corpus:

* **distinct speakers**: agglomerative clustering (average linkage, cosine distance) of
  those embeddings, cut where two clusters are less similar than
  :data:`SAME_SPEAKER_COSINE`. The cut is fixed from same-speaker pairs (one voice, two
  different sets of turns; ``benchmarks/bench_voices.py --calibrate``), so two casts of one
  voice fall into one cluster, and a pitch-shifted copy or a blend counts as a speaker of
  its own only when it sounds like one;
* **A-B similarity** per dialogue (the cosine of its two speakers' embeddings);
* **WER per voice** (the turns each voice spoke, pooled);
* **share of dialogues** each voice speaks in.

Text alone cannot say any of this; the voice ids come from the utterances.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np

__all__ = ["SAME_SPEAKER_COSINE", "SpeakerEntry", "measure_speaker_diversity", "cluster_embeddings"]

#: at most this many embeddings are clustered (linkage needs n^2/2 distances: 3000 is 36 MB); a
#: larger corpus is sampled, seeded, the same number from each voice (at least one per voice)
MAX_CLUSTERED = 3000
#: two speaker embeddings at least this similar are one speaker. Fixed from same-speaker pairs:
#: ``bench_voices.py --bank default --all`` (23 shipped voices, 4 sets of 2 sentences each)
#: gave 138 same-voice pairs at 0.878 to 0.956 (5th percentile 0.908), different voices at
#: median 0.548, 95th percentile 0.854; the cut lies below every same-speaker pair.
SAME_SPEAKER_COSINE = 0.85


@dataclass(frozen=True)
class SpeakerEntry:
    """One speaker of one dialogue: who voiced it, its embedding and its turns' errors."""

    dialogue_id: str
    speaker: str
    voice: str
    embedding: np.ndarray | None
    errors: int = 0
    ref_words: int = 0


def cluster_embeddings(embeddings: np.ndarray, same_cosine: float = SAME_SPEAKER_COSINE) -> np.ndarray:
    """Cluster label (0-based) of each row of ``embeddings`` (average linkage on cosine distance)."""
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    from scipy.cluster.hierarchy import fcluster, linkage

    unit = embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-12)
    tree = linkage(unit, method="average", metric="cosine")
    return fcluster(tree, t=1.0 - same_cosine, criterion="distance") - 1


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def _sample(embedded: list[SpeakerEntry], limit: int) -> list[SpeakerEntry]:
    """``embedded`` itself when it holds at most ``limit``; else a seeded sample, even over the voices."""
    if len(embedded) <= limit:
        return embedded
    groups: dict[str, list[SpeakerEntry]] = defaultdict(list)
    for e in embedded:
        groups[e.voice].append(e)
    per, rng, out = max(1, limit // len(groups)), np.random.default_rng(0), []
    for voice in sorted(groups):
        items = groups[voice]
        out += [items[i] for i in sorted(rng.choice(len(items), min(per, len(items)), replace=False))]
    return out


def measure_speaker_diversity(entries: Iterable[SpeakerEntry], same_cosine: float = SAME_SPEAKER_COSINE,
                              max_clustered: int = MAX_CLUSTERED) -> dict[str, Any]:
    """Corpus-level speaker figures (JSON-ready) from one entry per (dialogue, speaker).

    :return: ``distinct_speakers`` (clusters; ``None`` when nothing was embedded),
        ``embedded`` (entries with an embedding), ``clustered`` (how many of them were
        clustered: all, or a sample of ``max_clustered``), ``voices_used``, ``clusters`` (each one's
        voices, largest first), ``ab_similarity`` (mean/median/max over dialogues with both
        speakers embedded), ``voices`` (voice -> dialogues, share, wer, cluster) and the cut.
    """
    entries = list(entries)
    dialogues = {e.dialogue_id for e in entries}
    by_voice: dict[str, list[SpeakerEntry]] = defaultdict(list)
    for e in entries:
        by_voice[e.voice].append(e)
    embedded = [e for e in entries if e.embedding is not None]
    clustered = _sample(embedded, max_clustered)
    labels = cluster_embeddings(np.stack([e.embedding for e in clustered]), same_cosine) if clustered else np.zeros(0, int)
    cluster_voices: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e, label in zip(clustered, labels):
        cluster_voices[int(label)][e.voice] += 1
    order = sorted(cluster_voices, key=lambda c: (-sum(cluster_voices[c].values()), c))
    rank = {c: i for i, c in enumerate(order)}
    voice_cluster = {}
    for c in order:
        for voice, _ in sorted(cluster_voices[c].items(), key=lambda kv: -kv[1]):
            voice_cluster.setdefault(voice, rank[c])
    pairs: dict[str, dict[str, np.ndarray]] = defaultdict(dict)
    for e in embedded:
        pairs[e.dialogue_id][e.speaker] = e.embedding  # type: ignore[assignment]
    ab = [_cosine(*p.values()) for p in pairs.values() if len(p) == 2]
    voices = {}
    for voice, items in sorted(by_voice.items()):
        words = sum(e.ref_words for e in items)
        voices[voice] = {
            "dialogues": len({e.dialogue_id for e in items}),
            "share": round(len({e.dialogue_id for e in items}) / max(len(dialogues), 1), 4),
            "wer": round(sum(e.errors for e in items) / words, 4) if words else None,
            "cluster": voice_cluster.get(voice),
        }
    return {
        "distinct_speakers": len(order) if embedded else None,
        "embedded": len(embedded),
        "clustered": len(clustered),
        "voices_used": len(by_voice),
        "same_speaker_cosine": same_cosine,
        "clusters": [{"size": sum(cluster_voices[c].values()), "voices": dict(sorted(cluster_voices[c].items()))}
                     for c in order],
        "ab_similarity": {
            "dialogues": len(ab),
            "mean": round(float(np.mean(ab)), 4) if ab else None,
            "median": round(float(np.median(ab)), 4) if ab else None,
            "max": round(float(np.max(ab)), 4) if ab else None,
        },
        "voices": voices,
    }
