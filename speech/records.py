"""Speech-stage records: voices, words with times, and one turn's audio."""

from __future__ import annotations

from dataclasses import dataclass

from corpus_core.record import Record

__all__ = ["Voice", "Word", "Utterance"]


@dataclass(frozen=True)
class Voice(Record):
    """One entry of the voice bank: an engine voice plus an optional transform.

    :param id: unique name, e.g. ``"joe"`` or ``"joe-up4"``.
    :param backend: TTS backend name (``"piper"``, ``"espeak"``, ...).
    :param model: backend-specific model: a piper ``.onnx`` path, an espeak voice name,
        a coqui model name; ``None`` selects the backend's offline default.
    :param pitch_semitones: pitch shift applied by resampling (0 = none).
    :param tempo: speaking-rate factor (>1 is faster).

    >>> Voice(id="joe", backend="piper", gender="male").to_dict()["backend"]
    'piper'
    """

    id: str
    backend: str
    model: str | None = None
    speaker: str | None = None
    pitch_semitones: float = 0.0
    tempo: float = 1.0
    gender: str | None = None
    age_band: str | None = None
    accent: str | None = None
    sampling_rate: int | None = None
    #: a reference recording for cloning backends (coqui XTTS ``speaker_wav``)
    speaker_wav: str | None = None
    #: in the default cast; ``False`` (pitch-shifted and robotic voices): cast only when the run
    #: config names it in ``voices``
    cast: bool = True
    #: voices of one group sound like one speaker (their embeddings cluster together, see
    #: ``benchmarks/bench_voices.py --bank default``): casting pairs two of them only when no
    #: other pair fits the personas as well
    speaker_group: str | None = None


@dataclass(frozen=True)
class Word(Record):
    """A word and where it lies in seconds (relative to its audio's start).

    >>> Word("hello", 0.12, 0.48).to_dict()
    {'type': 'Word', 'text': 'hello', 'start': 0.12, 'end': 0.48}
    """

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance(Record):
    """The synthesized audio of one turn (or one backchannel).

    :param id: ``"<dialogue_id>-<turn_index:03d>"`` (backchannels add a suffix).
    :param audio_path: path of the audio file, relative to the corpus folder.
    :param words: engine word alignments; ``None`` means word times come from ASR.
    """

    id: str
    dialogue_id: str
    turn_index: int
    speaker: str
    voice: str
    text: str
    audio_path: str
    duration: float
    sampling_rate: int
    #: "turn" or "backchannel"
    kind: str = "turn"
    words: tuple[Word, ...] | None = None
    #: where word times come from: "engine" or "asr"
    word_times: str = "asr"
    #: the text dialogue this utterance's dialogue derives from (voice variants)
    source_dialogue_id: str | None = None
    #: what the engine was given where it differs from ``text``: the WER gate respelled a
    #: name the ASR missed ("Milpeetas" for "Milpitas"); ``text`` stays the transcript
    tts_text: str | None = None

