"""Speaker similarity with resemblyzer (it ships its encoder): consistency and distinctness.

Each turn of a channel is embedded on its own; a speaker's *consistency* is the mean
cosine between embeddings of that speaker's turns (1 = the same voice throughout),
and *between* is the cosine of the two speakers' mean embeddings (lower = more
distinct). For scale: halves of one recording score about 0.97; piper's joe voice
against itself shifted +5 semitones about 0.59.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

from corpus_core.errors import BackendError, MissingDependency
from duplex.records import Timeline
from speech.audio import resample

__all__ = ["SpeakerSimilarityConfig", "SpeakerEncoder", "speaker_similarity", "cosine"]

ENCODER_SAMPLING_RATE = 16000


@dataclass(frozen=True)
class SpeakerSimilarityConfig:
    """Options of the speaker-similarity metric."""

    #: segments shorter than this are not embedded (too little voice to judge, s)
    min_segment: float = 0.8
    #: a turn whose cosine to its speaker's mean is below this is listed as an outlier
    outlier_below: float = 0.6


class SpeakerEncoder:
    """resemblyzer's ``VoiceEncoder`` on the CPU, loaded once and reused."""

    def __init__(self, device: str = "cpu") -> None:
        try:
            from resemblyzer import VoiceEncoder
        except ImportError as e:
            raise MissingDependency("resemblyzer", extra="eval",
                                    why=f"speaker similarity; also install webrtcvad-wheels ({e})") from None
        try:
            self._encoder = VoiceEncoder(device, verbose=False)
        except Exception as e:  # torch raises many types while loading
            raise BackendError(f"resemblyzer: cannot load its voice encoder on {device!r}: {e}") from None

    def embed(self, samples: np.ndarray, sampling_rate: int) -> np.ndarray | None:
        """Unit-length embedding of mono ``samples``; ``None`` when no voice is left after trimming."""
        from resemblyzer import preprocess_wav

        wav = preprocess_wav(resample(samples.astype(np.float32), sampling_rate, ENCODER_SAMPLING_RATE),
                             source_sr=ENCODER_SAMPLING_RATE)
        if wav.size < ENCODER_SAMPLING_RATE // 4:
            return None
        return np.asarray(self._encoder.embed_utterance(wav), dtype=np.float64)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors."""
    return float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))


def speaker_similarity(
    timeline: Timeline, stereo: np.ndarray, encoder: SpeakerEncoder,
    config: SpeakerSimilarityConfig = SpeakerSimilarityConfig(),
) -> dict[str, Any]:
    """Per-dialogue speaker metrics from each channel's turns.

    :param stereo: ``(num_samples, 2)`` audio at ``timeline.sampling_rate``.
    :return: ``consistency`` (speaker -> mean pairwise cosine, ``None`` with < 2 turns),
        ``between`` (cosine of the speakers' mean embeddings), ``turn_similarity``
        (speaker -> cosine of each embedded turn to its speaker's mean), ``outliers``
        (turn indices below ``outlier_below``), ``num_embedded`` (speaker -> count),
        ``embedding`` (speaker -> the mean of its turns' embeddings, 4 decimals: what
        :mod:`eval.speaker_diversity` clusters over the corpus).
    """
    sr = timeline.sampling_rate
    embeddings: dict[str, list[tuple[int | None, np.ndarray]]] = {}
    for seg in timeline.segments:
        if seg.kind != "turn" or seg.duration < config.min_segment:
            continue
        clip = stereo[int(seg.start * sr):int(seg.end * sr), seg.channel]
        emb = encoder.embed(np.ascontiguousarray(clip), sr)
        if emb is not None:
            embeddings.setdefault(seg.speaker, []).append((seg.turn_index, emb))
    consistency: dict[str, float | None] = {}
    turn_similarity: dict[str, list[float]] = {}
    centroids: dict[str, np.ndarray] = {}
    outliers: list[int] = []
    for speaker, items in sorted(embeddings.items()):
        vecs = [e for _, e in items]
        centroids[speaker] = np.mean(vecs, axis=0)
        pairs = [cosine(a, b) for a, b in combinations(vecs, 2)]
        consistency[speaker] = round(float(np.mean(pairs)), 4) if pairs else None
        turn_similarity[speaker] = [round(cosine(v, centroids[speaker]), 4) for v in vecs]
        outliers += [ti for (ti, _), s in zip(items, turn_similarity[speaker])
                     if ti is not None and len(vecs) > 2 and s < config.outlier_below]
    names = sorted(centroids)
    between = round(cosine(centroids[names[0]], centroids[names[1]]), 4) if len(names) == 2 else None
    return {
        "consistency": consistency, "between": between, "turn_similarity": turn_similarity,
        "outliers": sorted(outliers), "num_embedded": {k: len(v) for k, v in embeddings.items()},
        "embedding": {k: [round(float(x), 4) for x in v] for k, v in centroids.items()},
    }
