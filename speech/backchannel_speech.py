"""Listener backchannels ("uh-huh", "yeah", "right" ...) spoken in each speaker's own voice.

Each form is synthesized once per speaker and dialogue; the duplex stage picks
forms by :data:`FORM_WEIGHTS` and places them inside the partner's long turns.
"""

from __future__ import annotations

from pathlib import Path

from speech.audio import write_audio
from speech.records import Utterance, Voice
from speech.synthesize import SpeechConfig, TTSPool, speak_text, utterance_path

__all__ = ["DEFAULT_FORMS", "FORM_WEIGHTS", "speak_backchannels"]

#: Share of each backchannel form among SwDA backchannel acts (phiresky/bachelor-thesis,
#: see docs/reference_stats.md). "mm-hmm" is left out of the defaults: the piper joe voice
#: spells it out letter by letter; add it to ``forms`` with an engine that hums.
FORM_WEIGHTS: dict[str, float] = {
    "uh-huh": 0.319, "yeah": 0.292, "right": 0.079, "okay": 0.024, "oh": 0.028,
    "oh yeah": 0.014, "yes": 0.014, "sure": 0.008, "i see": 0.008, "mm-hmm": 0.10,
}

#: forms spoken by default; each is spoken recognizably by the offline piper voices
DEFAULT_FORMS: tuple[str, ...] = ("uh-huh", "yeah", "right", "okay", "oh", "oh yeah", "yes", "sure", "I see")


def speak_backchannels(
    cast: dict[str, Voice], pool: TTSPool, config: SpeechConfig, audio_dir: Path, corpus_dir: Path,
    dialogue_id: str, forms: tuple[str, ...] = DEFAULT_FORMS,
) -> list[Utterance]:
    """Synthesize every backchannel form once per speaker, in that speaker's voice.

    :param cast: speaker -> voice (the same cast as the dialogue's turns).
    :param audio_dir: folder of utterance audio; files go to ``audio_dir/<dialogue_id>/``.
    :param corpus_dir: paths in the records are relative to it.
    :param forms: the texts to speak.
    :return: one :class:`Utterance` per speaker and form, ``kind="backchannel"``,
        ``turn_index=-1``, id ``"<dialogue_id>-bc-<speaker>-<i>"``.
    """
    utterances: list[Utterance] = []
    for speaker in sorted(cast):
        voice = cast[speaker]
        for i, form in enumerate(forms):
            # a form shorter than pyloudnorm's 400 ms block is fine: speech.audio shrinks the block
            syn = speak_text(form, voice, pool, config)
            uid = f"{dialogue_id}-bc-{speaker}-{i}"
            path = utterance_path(corpus_dir, audio_dir, dialogue_id, uid, config.audio_format)
            write_audio(path, syn.samples, config.sampling_rate)
            utterances.append(Utterance(
                id=uid, dialogue_id=dialogue_id, turn_index=-1, speaker=speaker, voice=voice.id, text=form,
                audio_path=str(path.relative_to(Path(corpus_dir).resolve())), duration=len(syn.samples) / config.sampling_rate,
                sampling_rate=config.sampling_rate, kind="backchannel", words=syn.words,
                word_times="engine" if syn.words is not None else "asr",
            ))
    return utterances
