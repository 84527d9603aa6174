"""The agent pair: two role-playing agents take turns until the dialogue ends.

Each agent sees its own role prompt and private knowledge plus the shared history;
the other agent's prompt stays hidden. Base models (the offline Gemma) get a
transcript-form prompt and write one line at a time, cut at stop sequences.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field, replace

from text_dialogue.critic import CriticConfig, check_dialogue_length, check_turn, clean_turn_text
from text_dialogue.errors import GenerationError
from text_dialogue.llm.base import LLM, GenerationParams
from text_dialogue.personas import sample_persona
from text_dialogue.records import SPEAKERS, Dialogue, Persona, Turn
from text_dialogue.scenario import Scenario

__all__ = ["AgentLoopConfig", "generate_dialogue", "build_prompt", "sample_personas"]

log = logging.getLogger(__name__)
_GOODBYES = ("bye", "goodbye", "talk soon", "see you", "take care")


@dataclass(frozen=True)
class AgentLoopConfig:
    """Options of the agent loop."""

    #: the dialogue stops after this many turns
    max_turns: int = 10
    #: ``None`` uses the scenario's ``target_turns``
    target_turns: int | None = None
    #: an agent ends the dialogue by writing this
    end_marker: str = "<end>"
    #: tries per turn before the dialogue fails
    max_retries: int = 4
    params: GenerationParams = field(default_factory=lambda: GenerationParams(max_tokens=48))
    critic: CriticConfig = field(default_factory=CriticConfig)


def sample_personas(scenario: Scenario, rng: random.Random) -> dict[str, Persona]:
    """One persona per speaker, with different names, drawn from the scenario's slots."""
    a = sample_persona(rng, scenario.roles["A"].role, scenario.roles["A"].persona)
    b = sample_persona(rng, scenario.roles["B"].role, scenario.roles["B"].persona, avoid_names=(a.name,))
    return {"A": replace(a, private_knowledge=_draw(scenario, "A", rng)),
            "B": replace(b, private_knowledge=_draw(scenario, "B", rng))}


def _draw(scenario: Scenario, speaker: str, rng: random.Random) -> str | None:
    facts = scenario.roles[speaker].private_knowledge
    return rng.choice(facts) if facts else None


def build_prompt(scenario: Scenario, personas: dict[str, Persona], speaker: str, turns: list[Turn]) -> str:
    """The transcript prompt agent ``speaker`` continues (its own instructions only)."""
    me, other = personas[speaker], personas["B" if speaker == "A" else "A"]
    lines = [
        f"{scenario.setting} {me.name} is the {me.role}; {other.name} is the {other.role}.",
        f"{me.name} ({me.age_band}, {me.speaking_style}) thinks: {scenario.roles[speaker].prompt}",
    ]
    if me.private_knowledge:
        lines.append(f"Only {me.name} knows: {me.private_knowledge}.")
    lines.append(f"Goal: {scenario.goal}. Everyone speaks in short, natural sentences.")
    if scenario.example:
        names = {"A": personas["A"].name, "B": personas["B"].name}
        example = "\n".join(
            f"{names.get(line[:1], line[:1])}:{line[2:]}" for line in scenario.example.strip().splitlines()
        )
        lines.append(f"\nExample of the form:\n{example}\n\nThe conversation:")
    for turn in turns:
        lines.append(f"{personas[turn.speaker].name}: {turn.text}")
    lines.append(f"{me.name}:")
    return "\n".join(lines)


def _next_turn(
    llm: LLM, prompt: str, index: int, speaker: str, history: list[str], config: AgentLoopConfig,
    stops: tuple[str, ...], rng: random.Random, rejections: Counter,
) -> tuple[Turn, bool]:
    for attempt in range(config.max_retries):
        # Each retry samples a little hotter, to leave the loop the model fell into.
        temperature = config.params.temperature + 0.15 * attempt
        params = replace(config.params, stop=stops, seed=rng.randrange(2**31), temperature=temperature)
        raw = llm.complete(prompt, params).text
        ended = config.end_marker in raw
        text = clean_turn_text(raw.replace(config.end_marker, ""))
        reason = check_turn(text, history, config.critic)
        if reason is None:
            return Turn(index=index, speaker=speaker, text=text), ended
        rejections[reason] += 1
        log.debug("turn %d rejected (%s): %r", index, reason, raw)
    raise GenerationError(f"turn {index}: no usable turn in {config.max_retries} tries ({dict(rejections)})")


def generate_dialogue(
    llm: LLM, scenario: Scenario, dialogue_id: str, seed: int, config: AgentLoopConfig = AgentLoopConfig()
) -> Dialogue:
    """Let the two agents talk until the end marker, a goodbye past the target, or the turn limit.

    :raises GenerationError: when a turn cannot be produced or the dialogue ends too short.
    """
    rng = random.Random(seed)
    personas = sample_personas(scenario, rng)
    target = min(config.target_turns or scenario.target_turns, config.max_turns)
    stops = ("\n", f"{personas['A'].name}:", f"{personas['B'].name}:")
    turns: list[Turn] = []
    rejections: Counter = Counter()
    end_reason = "max_turns"
    if scenario.opening:
        turns.append(Turn(index=0, speaker="A", text=scenario.opening))
    while len(turns) < config.max_turns:
        speaker = SPEAKERS[len(turns) % 2]
        prompt = build_prompt(scenario, personas, speaker, turns)
        history = [t.text for t in turns]
        try:
            turn, ended = _next_turn(llm, prompt, len(turns), speaker, history, config, stops, rng, rejections)
        except GenerationError:
            if len(turns) < config.critic.min_dialogue_turns:
                raise
            end_reason = "critic_stop"  # the model ran dry; keep the turns that passed
            break
        turns.append(turn)
        if ended:
            end_reason = "end_marker"
            break
        if len(turns) >= target and any(g in turn.text.lower() for g in _GOODBYES):
            end_reason = "goal"
            break
    short = check_dialogue_length(len(turns), config.critic)
    if short:
        raise GenerationError(f"dialogue {dialogue_id}: {short} ({len(turns)} turns)")
    return Dialogue(
        id=dialogue_id, turns=tuple(turns), scenario=scenario.name, goal=scenario.goal,
        personas=personas, seed=seed, end_reason=end_reason,
        meta={"rejected_turns": dict(rejections), "llm": llm.model_info()},
    )
