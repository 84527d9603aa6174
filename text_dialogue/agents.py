"""The agent pair: two role-playing agents take turns until the dialogue ends.

Each agent sees its own role prompt and private knowledge plus the shared history
(see :mod:`text_dialogue.prompts`). Base models get a transcript prompt and write one
line at a time, cut at stop sequences; chat models (a backend with ``uses_chat``
true and a ``chat(messages, params)`` method) get chat messages. Every turn goes
past the critic; a rejected turn is logged, counted and sampled again.

The dialogue ends when an agent writes the end marker, when the goal is met (a
goodbye or one of the scenario's ``end_phrases`` once the dialogue is near its target
length), or at the turn limit.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from corpus_core.errors import GenerationError
from text_dialogue.critic import (
    CriticConfig,
    check_dialogue_length,
    check_turn,
    clean_turn_text,
)
from text_dialogue.disfluency import DisfluencyConfig, apply_disfluencies
from text_dialogue.llm.base import LLM, Completion, GenerationParams, SamplingConfig
from text_dialogue.personas import sample_persona
from text_dialogue.prompts import build_messages, build_prompt, example_lines
from text_dialogue.records import SPEAKERS, Dialogue, Persona, Turn
from text_dialogue.scenario import Scenario

__all__ = ["AgentLoopConfig", "generate_dialogue", "build_prompt", "sample_personas"]

log = logging.getLogger(__name__)
_GOODBYES = ("bye", "goodbye", "talk soon", "see you", "take care", "have a good", "have a nice")


@dataclass(frozen=True)
class AgentLoopConfig:
    """Options of the agent loop."""

    #: the dialogue stops after this many turns
    max_turns: int = 14
    #: ``None`` uses the scenario's ``target_turns``
    target_turns: int | None = None
    #: turns allowed past the target before the dialogue is cut (if no goodbye came)
    overrun_turns: int = 2
    #: an agent ends the dialogue by writing this
    end_marker: str = "<end>"
    #: tries per turn before the dialogue stops (or fails, when still too short)
    max_retries: int = 4
    #: how much hotter each retry samples, to leave a loop the model fell into
    retry_temperature_step: float = 0.1
    #: sampling options of every turn (the loop sets stop sequences and a seed per turn)
    params: SamplingConfig = field(default_factory=lambda: SamplingConfig(max_tokens=40, temperature=0.7))
    critic: CriticConfig = field(default_factory=CriticConfig)
    #: base models: the private note sits right before the speaker's turn (else at the top)
    note_last: bool = True
    #: fillers and repairs inserted after the critic (off by default)
    disfluency: DisfluencyConfig = field(default_factory=DisfluencyConfig)


def sample_personas(scenario: Scenario, rng: random.Random) -> dict[str, Persona]:
    """One persona per speaker, with different names, drawn from the scenario's slots."""
    a = sample_persona(rng, scenario.roles["A"].role, scenario.roles["A"].persona)
    b = sample_persona(rng, scenario.roles["B"].role, scenario.roles["B"].persona, avoid_names=(a.name,))
    return {"A": replace(a, private_knowledge=_draw(scenario, "A", rng)),
            "B": replace(b, private_knowledge=_draw(scenario, "B", rng))}


def _draw(scenario: Scenario, speaker: str, rng: random.Random) -> str | None:
    facts = scenario.roles[speaker].private_knowledge
    return rng.choice(facts) if facts else None


@dataclass
class _State:
    """What one dialogue's loop accumulates (private to :func:`generate_dialogue`)."""

    rejections: Counter = field(default_factory=Counter)
    tokens: int = 0
    seconds: float = 0.0
    calls: int = 0


def _ask(llm: LLM, scenario: Scenario, personas: dict[str, Persona], speaker: str, turns: list[Turn],
         params: GenerationParams, config: AgentLoopConfig, wrap_up: bool) -> Completion:
    if getattr(llm, "uses_chat", False):
        messages = build_messages(scenario, personas, speaker, turns, config.end_marker, wrap_up)
        return llm.chat(messages, params)  # type: ignore[attr-defined]
    return llm.complete(build_prompt(scenario, personas, speaker, turns, wrap_up, config.note_last), params)


def _next_turn(llm: LLM, scenario: Scenario, personas: dict[str, Persona], turns: list[Turn],
               avoid: list[str], config: AgentLoopConfig, wrap_up: bool, rng: random.Random,
               state: _State) -> tuple[Turn, bool]:
    index, speaker = len(turns), SPEAKERS[len(turns) % 2]
    names = tuple(p.name for p in personas.values())
    stops = ("\n", *(f"{n}:" for n in names))
    for attempt in range(config.max_retries):
        params = GenerationParams(**asdict(config.params), stop=stops, seed=rng.randrange(2**31))
        params = replace(params, temperature=params.temperature + config.retry_temperature_step * attempt)
        out = _ask(llm, scenario, personas, speaker, turns, params, config, wrap_up)
        state.calls += 1
        state.tokens += out.num_tokens
        state.seconds += out.seconds
        ended = config.end_marker in out.text
        text = clean_turn_text(out.text.replace(config.end_marker, " "))
        reason = check_turn(text, avoid + [t.text for t in turns], config.critic, names, index)
        if reason is None:
            return Turn(index=index, speaker=speaker, text=text), ended
        state.rejections[reason] += 1
        log.info("turn %d of %s rejected (%s): %r", index, scenario.name, reason, out.text)
    raise GenerationError(
        f"turn {index}: no usable turn in {config.max_retries} tries ({dict(state.rejections)})"
    )


def _goal_met(turn: Turn, scenario: Scenario, num_turns: int, target: int, min_turns: int) -> bool:
    text = turn.text.lower()
    if num_turns >= max(min_turns, target - 2) and any(p in text for p in scenario.end_phrases):
        return True
    return num_turns >= max(min_turns, target - 2) and any(g in text for g in _GOODBYES)


def generate_dialogue(
    llm: LLM, scenario: Scenario, dialogue_id: str, seed: int, config: AgentLoopConfig = AgentLoopConfig()
) -> Dialogue:
    """Let the two agents talk until the end marker, the goal, or the turn limit.

    :param llm: any registered backend (base models continue a transcript; chat
        models answer chat messages).
    :param seed: seeds personas, sampling and disfluencies of this dialogue.
    :return: the dialogue; ``meta["rejected_turns"]`` counts critic rejections by reason
        and ``meta["generation"]`` has token and time totals.
    :raises GenerationError: when the dialogue ends too short; the message names the
        reason and the error has ``reason`` and ``rejected_turns`` attributes.
    """
    rng = random.Random(seed)
    personas = sample_personas(scenario, rng)
    target = min(config.target_turns or scenario.target_turns, config.max_turns)
    min_turns = config.critic.min_dialogue_turns
    # Lines of the few-shot example count as history: copying them is a repeat.
    avoid = [text for _, text in example_lines(scenario, personas)]
    turns: list[Turn] = []
    state = _State()
    end_reason = "max_turns"
    if scenario.opening:
        turns.append(Turn(index=0, speaker="A", text=scenario.opening))
    limit = min(config.max_turns, target + config.overrun_turns)
    while len(turns) < limit:
        wrap_up = len(turns) >= target - 1
        try:
            turn, ended = _next_turn(llm, scenario, personas, turns, avoid, config, wrap_up, rng, state)
        except GenerationError:
            end_reason = "critic_stop"  # the model ran dry; keep the turns that passed
            break
        turns.append(turn)
        if ended and len(turns) >= min_turns:
            end_reason = "end_marker"
            break
        if _goal_met(turn, scenario, len(turns), target, min_turns):
            end_reason = "goal"
            break
    meta: dict[str, Any] = {
        "rejected_turns": dict(state.rejections),
        "generation": {"tokens": state.tokens, "seconds": round(state.seconds, 3), "calls": state.calls},
        "llm": llm.model_info(),
    }
    short = check_dialogue_length(len(turns), config.critic)
    if short:
        error = GenerationError(
            f"dialogue {dialogue_id} rejected: {short} ({len(turns)} turns, fewer than {min_turns}; "
            f"ended by {end_reason}; rejected turns {dict(state.rejections)}); "
            "try another seed, more retries (max_retries) or a larger model"
        )
        error.reason = short  # type: ignore[attr-defined]
        error.rejected_turns = dict(state.rejections)  # type: ignore[attr-defined]
        error.meta = meta  # type: ignore[attr-defined]
        raise error
    dialogue = Dialogue(
        id=dialogue_id, turns=tuple(turns), scenario=scenario.name, goal=scenario.goal,
        personas=personas, seed=seed, end_reason=end_reason, meta=meta,
    )
    return apply_disfluencies(dialogue, rng, config.disfluency)
