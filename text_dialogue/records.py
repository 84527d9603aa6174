"""Text-stage records: personas, turns and dialogues."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus_core.record import Record

__all__ = ["Persona", "Turn", "Dialogue", "SPEAKERS"]

#: the two speakers of every dialogue; A is channel 0, B is channel 1
SPEAKERS: tuple[str, str] = ("A", "B")


@dataclass(frozen=True)
class Persona(Record):
    """Who a speaker is, held constant through a dialogue.

    >>> Persona(name="Maya", role="customer", gender="female", age_band="adult").to_dict()["name"]
    'Maya'
    """

    name: str
    role: str = ""
    #: "female", "male" or None when unknown
    gender: str | None = None
    #: "young", "adult" or "senior"
    age_band: str | None = None
    speaking_style: str | None = None
    traits: tuple[str, ...] = ()
    #: what only this speaker knows (the scenario's private facts)
    private_knowledge: str | None = None
    #: family name (``name`` is the first name the dialogue uses)
    surname: str | None = None
    #: age in years, within ``age_band``
    age: int | None = None
    occupation: str | None = None
    #: one line about the speaker, e.g. "grew up in Lake Mary, lives alone, and likes chess"
    background: str | None = None


@dataclass(frozen=True)
class Turn(Record):
    """One speaker's contribution.

    >>> Turn(index=0, speaker="A", text="Hi there.").to_dict()
    {'type': 'Turn', 'index': 0, 'speaker': 'A', 'text': 'Hi there.', 'disfluencies': []}
    """

    index: int
    speaker: str
    text: str
    #: disfluencies inserted into ``text`` (e.g. ``{"kind": "filler", "text": "um"}``)
    disfluencies: tuple[dict[str, Any], ...] = ()
    #: what the TTS is given: ``text`` with numbers, times, symbols spelled out
    #: (:func:`text_dialogue.spoken.to_spoken`); ``None`` when it equals ``text``
    spoken: str | None = None

    @property
    def spoken_text(self) -> str:
        """The words of the turn as spoken: ``spoken`` when set, else ``text``."""
        return self.text if self.spoken is None else self.spoken


@dataclass(frozen=True)
class Dialogue(Record):
    """A text dialogue between speakers A and B.

    :param id: unique, file-name-safe id.
    :param scenario: name of the scenario it was written from ("" when imported).
    :param personas: speaker ("A"/"B") -> persona.
    :param source_id: the id as the user's file gave it, when it was not file-name safe
        (``id`` is then its :func:`corpus_core.ids.sanitize_id` form).
    """

    id: str
    turns: tuple[Turn, ...]
    scenario: str = ""
    goal: str | None = None
    personas: dict[str, Persona] = field(default_factory=dict)
    seed: int | None = None
    #: why the dialogue ended: "end_marker", "max_turns", "imported", ...
    end_reason: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source_id: str | None = None

    def speaker_turns(self, speaker: str) -> list[Turn]:
        """The turns spoken by ``speaker``."""
        return [t for t in self.turns if t.speaker == speaker]
