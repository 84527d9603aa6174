"""System prompts for the agent side of a dialogue, from its scenario and persona.

Duplex S2S trainers can condition the agent on a system prompt ("You are the host of
a small restaurant..."); the text stage knew who each speaker was and what the
scenario asked of them, so the export writes that down for the side that becomes the agent.
"""

from __future__ import annotations

from duplex.exports.base import DialogueInfo

__all__ = ["compose_system_prompt"]


def _sentence(text: str | None) -> str:
    """``text`` stripped, with a final full stop if it has no end punctuation."""
    text = " ".join((text or "").split())
    if text and text[-1] not in ".!?":
        text += "."
    return text


def compose_system_prompt(info: DialogueInfo, speaker: str) -> str | None:
    """The system prompt of ``speaker`` ("A" or "B") as the agent, or ``None`` when nothing is known.

    It names the speaker and their role, then gives the scenario's setting and the
    role's instructions, the persona's speaking style and traits, and what only this
    speaker knows.

    >>> from text_dialogue.records import Dialogue, Persona
    >>> d = Dialogue(id="d", turns=(), personas={"B": Persona(name="Sam", role="host")})
    >>> compose_system_prompt(DialogueInfo(d), "B")
    'You are Sam, the host.'
    """
    persona = info.dialogue.personas.get(speaker)
    spec = info.scenario.roles.get(speaker) if info.scenario is not None else None
    name = persona.name if persona is not None else ""
    role = (persona.role if persona is not None else "") or (spec.role if spec is not None else "")
    if name and role:
        parts = [f"You are {name}, the {role}."]
    elif name or role:
        parts = [f"You are {name or 'the ' + role}."]
    else:
        parts = []
    if info.scenario is not None:
        parts.append(_sentence(info.scenario.setting))
    if spec is not None:
        parts.append(_sentence(spec.prompt))
    elif info.dialogue.goal:
        parts.append(_sentence(f"The goal of the conversation: {info.dialogue.goal}"))
    if persona is not None:
        if persona.speaking_style:
            parts.append(_sentence(f"Your speaking style: {persona.speaking_style}"))
        if persona.traits:
            parts.append(_sentence(f"You are {', '.join(persona.traits)}"))
        if persona.private_knowledge:
            parts.append(_sentence(f"What you know: {persona.private_knowledge}"))
    prompt = " ".join(p for p in parts if p)
    return prompt or None
