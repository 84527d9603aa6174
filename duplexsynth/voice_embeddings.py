"""Speaker embeddings of bank voices, for casting pairs that sound like two different people.

Each voice speaks fixed reference sentences (through the utterance cache, so a bank is
embedded once) and resemblyzer embeds the audio; the mean of the unit embeddings is
the voice's embedding. Glue: it joins the speech stage (synthesis) and the eval stage
(the speaker encoder).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from eval.speaker_similarity import SpeakerEncoder
from speech.records import Voice
from speech.synthesize import SpeechConfig, TTSPool, speak_text

__all__ = ["embed_voices", "REFERENCE_SENTENCES"]

#: what every voice says to be embedded (about 6 s together)
REFERENCE_SENTENCES = (
    "I would like to book a table for four on Friday evening, if you still have room.",
    "Thanks so much for your help today, it really made a difference to me.",
)


def embed_voices(voices: Iterable[Voice], pool: TTSPool, config: SpeechConfig, encoder: SpeakerEncoder | None = None,
                 sentences: tuple[str, ...] = REFERENCE_SENTENCES) -> dict[str, np.ndarray]:
    """voice id -> unit-length speaker embedding (mean over ``sentences``).

    Voices whose audio the encoder cannot embed (too short after trimming) are left out.
    """
    encoder = encoder or SpeakerEncoder()
    out = {}
    for voice in voices:
        embs = []
        for text in sentences:
            syn = speak_text(text, voice, pool, config)
            e = encoder.embed(syn.samples, syn.sampling_rate)
            if e is not None:
                embs.append(e / np.linalg.norm(e))
        if embs:
            mean = np.mean(embs, axis=0)
            out[voice.id] = mean / np.linalg.norm(mean)
    return out
