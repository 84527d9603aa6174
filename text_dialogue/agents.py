"""The agent pair: two role-playing agents take turns until the dialogue ends.

Each agent sees its own role prompt and private knowledge plus the shared history
(see :mod:`text_dialogue.prompts`). Base models get a transcript prompt and write one
line at a time, cut at stop sequences; chat models (a backend with ``uses_chat``
true and a ``chat(messages, params)`` method) get chat messages. Every turn goes
past the critic; a rejected turn is logged, counted and sampled again.

Planned mode (the default for scenarios with a ``flow``, see :mod:`text_dialogue.flow`):
the dialogue is first planned as a sequence of dialogue acts with slots filled from
the personas' private facts, up to the target duration; then each turn realizes its
act. The note before a base model's turn shows the act and an example line; a chat
model gets an instruction. A realized turn that leaves out one of the act's facts is
rejected ("missing_fact"), as is one that drops the question its act asks
("dropped_question"), and sampled again; then (base models) the line is started
with the example's words up to a fact and the model writes the rest (``guided_tries``,
counted in ``meta["guided_turns"]``); when every try fails, the act's example line is used
(counted in ``meta["template_turns"]``). Turns that slip out of role (the other's label,
another fact set's value, the other role's fact before it was said; see
:mod:`text_dialogue.role_slips`) are sampled again too. Free-form mode (``mode="free"``,
or a scenario without a flow) lets the agents talk with no plan.

A free-form dialogue ends when an agent writes the end marker, when the goal is met (a
goodbye or one of the scenario's ``end_phrases`` once the dialogue is near its target
length), or at the turn limit; a planned one ends when its plan is realized.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter
from collections.abc import Container
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from corpus_core.errors import GenerationError
from text_dialogue.content import GOODBYES, measure_content, states
from text_dialogue.critic import (
    CriticConfig,
    check_dialogue_length,
    check_turn,
    choose_candidate,
    clean_turn_text,
    copies_example,
    example_word_lines,
)
from text_dialogue.disfluency import DisfluencyConfig, apply_disfluencies
from text_dialogue.flow import WORDS_PER_SECOND, PlannedTurn, fill, plan_flow
from text_dialogue.llm.base import LLM, Completion, GenerationParams, SamplingConfig
from text_dialogue.personas import sample_persona
from text_dialogue.prompts import (
    build_messages,
    build_planned_prompt,
    build_prompt,
    example_lines,
    other_speaker,
)
from text_dialogue.records import SPEAKERS, Dialogue, Persona, Turn
from text_dialogue.role_slips import (
    ForeignValue,
    foreign_words,
    states_other_role,
    strip_own_label,
    uses_foreign_words,
)
from text_dialogue.invent import propose_facts, propose_topics, scenario_topics, side_rng, topics_meta
from text_dialogue.scenario import Scenario, draw_facts, situation_key

__all__ = ["AgentLoopConfig", "generate_dialogue", "build_prompt", "sample_personas", "MODES", "SITUATION_OPTIONS",
           "SUBTOPIC_OPTIONS"]

log = logging.getLogger(__name__)
#: "planned" realizes the scenario's flow (free-form when it has none); "free" never plans
MODES = ("planned", "free")
#: what the base model's example call shows (see ``AgentLoopConfig.example_call``)
EXAMPLE_CALLS = ("plan", "alternate", "other")
#: ``text.situations``: "scenario" (the scenario's generators and listed sets) or "llm"
#: (the LLM invents the values, checked per slot type; see :mod:`text_dialogue.invent`)
SITUATION_OPTIONS = ("scenario", "llm")
#: ``text.subtopics``: "scenario" (the flow's own sub-topics) or "llm" (2 to 4 proposed per dialogue)
SUBTOPIC_OPTIONS = ("scenario", "llm")
#: seconds one free-form turn takes, to turn a duration target into a turn target
_SECONDS_PER_FREE_TURN = 10 / WORDS_PER_SECOND + 0.45


@dataclass(frozen=True)
class AgentLoopConfig:
    """Options of the agent loop."""

    #: "planned" (realize the scenario's flow of dialogue acts) or "free" (no plan)
    mode: str = "planned"
    #: target spoken duration in seconds (estimated from words); planned dialogues add
    #: chit-chat and sub-topics up to it, free-form ones aim at as many turns; ``None``
    #: keeps the scenario's ``target_turns`` and the core flow
    duration: float | None = 80.0
    #: the dialogue stops after this many turns
    max_turns: int = 40
    #: ``None`` uses the scenario's ``target_turns``
    target_turns: int | None = None
    #: turns allowed past the target before the dialogue is cut (if no goodbye came)
    overrun_turns: int = 2
    #: an agent ends the dialogue by writing this
    end_marker: str = "<end>"
    #: tries per turn before the dialogue stops (or fails, when still too short)
    max_retries: int = 4
    #: planned turns with facts, base models: after ``max_retries`` free tries, this many
    #: more start the line with the example's words up to a fact (the model writes the
    #: rest) before the example line itself is used
    guided_tries: int = 2
    #: how much hotter each retry samples, to leave a loop the model fell into
    retry_temperature_step: float = 0.1
    #: base models, planned: the example call shows "plan" (every turn's own line),
    #: "alternate" (another line of each act) or "other" (another line of each act that
    #: states a fact, asks a question or closes; the rest are left out)
    example_call: str = "plan"
    #: planned turns: a try that passes the critic but copies one of the scenario's lines
    #: (slots filled) is kept aside and sampled again up to this many times; the critic
    #: then picks the try in the model's own words, else the copy
    copy_tries: int = 0
    #: sampling options of every turn (the loop sets stop sequences and a seed per turn)
    params: SamplingConfig = field(default_factory=lambda: SamplingConfig(max_tokens=40, temperature=0.7))
    critic: CriticConfig = field(default_factory=CriticConfig)
    #: base models: the private note sits right before the speaker's turn (else at the top)
    note_last: bool = True
    #: fillers and repairs inserted after the critic (off by default)
    disfluency: DisfluencyConfig = field(default_factory=DisfluencyConfig)
    #: a dialogue whose word-trigram Jaccard similarity to one already written exceeds
    #: this is made again with a new seed (:mod:`text_dialogue.near_duplicates`); ``None`` = no check
    max_similarity: float | None = 0.5
    #: where the facts come from: "scenario" (the slot generators, or listed sets as the
    #: scenario's ``situations`` says) or "llm": the LLM proposes each slot's value from the
    #: scenario's description and the personas; a value that fails its slot type's check or
    #: copies an example keeps the generator's (``meta["situation_sources"]`` says which)
    situations: str = "scenario"
    #: planned dialogues: "scenario" (the flow's own sub-topics) or "llm": the model proposes
    #: 2 to 4 sub-topics, each spoken as two free turns before the closing (``meta["subtopics"]``)
    subtopics: str = "scenario"

    def __post_init__(self) -> None:
        if self.max_similarity is not None and not 0 < self.max_similarity <= 1:
            raise ValueError(f"text.max_similarity must be in (0, 1] or null, not {self.max_similarity!r}")
        if self.mode not in MODES:
            raise ValueError(f"text.mode must be one of {MODES}, not {self.mode!r}")
        if self.example_call not in EXAMPLE_CALLS:
            raise ValueError(f"text.example_call must be one of {EXAMPLE_CALLS}, not {self.example_call!r}")
        if self.situations not in SITUATION_OPTIONS:
            raise ValueError(f"text.situations must be one of {SITUATION_OPTIONS}, not {self.situations!r}")
        if self.subtopics not in SUBTOPIC_OPTIONS:
            raise ValueError(f"text.subtopics must be one of {SUBTOPIC_OPTIONS}, not {self.subtopics!r}")
        if self.duration is not None and not self.duration > 0:
            raise ValueError(f"text.duration must be a positive number of seconds or null, not {self.duration!r}")


def sample_personas(scenario: Scenario, rng: random.Random,
                    facts: dict[str, dict[str, str]] | None = None) -> dict[str, Persona]:
    """One persona per speaker, with different names, drawn from the scenario's slots.

    :param facts: filled with each speaker's drawn fact set (slot -> value) when given.
    """
    a = sample_persona(rng, scenario.roles["A"].role, scenario.roles["A"].persona)
    b = sample_persona(rng, scenario.roles["B"].role, scenario.roles["B"].persona, avoid_names=(a.name,))
    out = {}
    for key, persona in (("A", a), ("B", b)):
        values, knowledge = draw_facts(scenario, key, rng)
        out[key] = replace(persona, private_knowledge=knowledge)
        if facts is not None:
            facts[key] = values
    return out


@dataclass
class _State:
    """What one dialogue's loop accumulates (private to :func:`generate_dialogue`)."""

    rejections: Counter = field(default_factory=Counter)
    #: values of the scenario's other fact sets (see :mod:`text_dialogue.role_slips`)
    foreign: tuple[ForeignValue, ...] = ()
    facts: dict[str, dict[str, str]] = field(default_factory=dict)
    #: planned turns realized from a guided start (see ``AgentLoopConfig.guided_tries``)
    guided: int = 0
    #: the scenario's lines filled with this dialogue's values (word tuples), for copies
    examples: set[tuple[str, ...]] = field(default_factory=set)
    #: planned turns that are a copy of an example line because no other try passed
    copies: int = 0
    tokens: int = 0
    prompt_tokens: int = 0
    prompt_evaluated: int = 0
    seconds: float = 0.0
    calls: int = 0

    def count(self, out: Completion) -> None:
        """Add one call's cost (the backend's usage report)."""
        self.calls += 1
        self.tokens += out.num_tokens
        self.prompt_tokens += out.prompt_tokens
        self.prompt_evaluated += out.evaluated_tokens
        self.seconds += out.seconds

    def generation(self, turns: int) -> dict[str, Any]:
        """The ``meta["generation"]`` record: tokens, calls and seconds of the dialogue."""
        return {"tokens": self.tokens, "generated_tokens": self.tokens, "prompt_tokens": self.prompt_tokens,
                "prompt_evaluated_tokens": self.prompt_evaluated, "seconds": round(self.seconds, 3),
                "calls": self.calls, "calls_per_turn": round(self.calls / max(1, turns), 3)}


@dataclass(frozen=True)
class _Context:
    """A planned dialogue's fixed prompt material: the plan and its example call."""

    plan: list[PlannedTurn]
    #: slot values of the example call
    values: dict[str, str]
    #: the example call's line per planned turn (``None``: left out)
    lines: list[str | None]


def _ask(llm: LLM, scenario: Scenario, personas: dict[str, Persona], speaker: str, turns: list[Turn],
         params: GenerationParams, config: AgentLoopConfig, wrap_up: bool,
         planned: PlannedTurn | None, context: _Context | None,
         start: str = "") -> Completion:
    if getattr(llm, "uses_chat", False):
        messages = build_messages(scenario, personas, speaker, turns, config.end_marker, wrap_up, planned)
        return llm.chat(messages, params)  # type: ignore[attr-defined]
    if context is not None:
        prompt = build_planned_prompt(scenario, personas, context.plan, turns, context.values, context.lines)
        out = llm.complete(prompt + (f" {start}" if start else ""), params)
        return replace(out, text=f"{start}{out.text}") if start else out
    return llm.complete(build_prompt(scenario, personas, speaker, turns, wrap_up, config.note_last, planned),
                        params)


def guided_start(planned: PlannedTurn, through: str = "last") -> str:
    """The planned line up to and including its first (``through="first"``) or last fact value.

    >>> from text_dialogue.flow import Act
    >>> act = Act(act="inform_time", speaker="A", say=("Around {time}, if that works.",))
    >>> guided_start(PlannedTurn(acts=(act,), line="Around noon, if that works.", values={"time": "noon"},
    ...                          template="Around {time}, if that works."))
    'Around noon'
    """
    slots = list(re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", planned.template))
    slots = [m for m in slots if m.group(1) in planned.values]
    if not slots:
        return ""
    end = (slots[0] if through == "first" else slots[-1]).end()
    return fill(planned.template[:end], planned.values)


def _missing_fact(text: str, planned: PlannedTurn | None) -> bool:
    return planned is not None and not all(states(text, v) for v in planned.values.values())


def _slip(text: str, speaker: str, planned: PlannedTurn | None, turns: list[Turn], state: _State) -> str | None:
    """``"foreign_fact"`` or ``"role_slip"`` when a planned turn states what its speaker cannot know.

    Free-form turns are not checked: their made-up facts are what the content measures
    (contradictions) compare against planned ones.
    """
    if planned is None:
        return None
    if uses_foreign_words(text, state.foreign, turns):
        return "foreign_fact"  # another dialogue's fact (the few-shot example's, most often)
    if states_other_role(text, speaker, state.facts, turns, planned.values.values()):
        return "role_slip"  # the other role's private fact, before that role said it
    return None


def _tries(config: AgentLoopConfig, llm: LLM, planned: PlannedTurn | None,
           context: _Context | None) -> list[str]:
    """The start of each try's line: "" for a free try, then the guided starts."""
    tries = [""] * config.max_retries
    if planned is None or context is None or getattr(llm, "uses_chat", False) or config.guided_tries <= 0:
        return tries
    starts = [guided_start(planned, "first"), guided_start(planned, "last")]
    guided = [s for s in dict.fromkeys(starts) if s] if planned.values else []
    return tries + [guided[min(i, len(guided) - 1)] for i in range(config.guided_tries)] if guided else tries


def _next_turn(llm: LLM, scenario: Scenario, personas: dict[str, Persona], turns: list[Turn],
               avoid: list[str], config: AgentLoopConfig, wrap_up: bool, rng: random.Random,
               state: _State, planned: PlannedTurn | None = None,
               context: _Context | None = None) -> tuple[Turn, bool]:
    index, speaker = len(turns), SPEAKERS[len(turns) % 2]
    names = tuple(p.name for p in personas.values())
    own, other = (personas[speaker].name, speaker), (personas[other_speaker(speaker)].name, other_speaker(speaker))
    stops = ("\n", *(f"{n}:" for n in names))
    kept: list[tuple[str, bool, bool]] = []  # tries that passed but copy an example line
    for attempt, start in enumerate(_tries(config, llm, planned, context)):
        params = GenerationParams(**asdict(config.params), stop=stops, seed=rng.randrange(2**31))
        params = replace(params, temperature=params.temperature + config.retry_temperature_step * attempt)
        out = _ask(llm, scenario, personas, speaker, turns, params, config, wrap_up, planned, context, start)
        state.count(out)
        ended = config.end_marker in out.text
        text, other_label = strip_own_label(clean_turn_text(out.text.replace(config.end_marker, " ")), own, other)
        reason = "role_slip" if other_label else check_turn(text, avoid + [t.text for t in turns], config.critic,
                                                            names, index)
        if reason is None and _missing_fact(text, planned):
            reason = "missing_fact"
        if reason is None and planned is not None and planned.line.rstrip().endswith("?") and "?" not in text:
            reason = "dropped_question"  # the next turn answers this question: it must be asked
        if reason is None:
            reason = _slip(text, speaker, planned, turns, state)
        copy = reason is None and planned is not None and copies_example(text, state.examples)
        if copy:
            kept.append((text, ended, bool(start)))
            if len(kept) <= config.copy_tries:
                reason = "example_copy"  # kept aside: a try in the model's own words is better
        if reason is None:
            state.guided += bool(start)
            state.copies += copy
            return Turn(index=index, speaker=speaker, text=text), ended
        state.rejections[reason] += 1
        log.info("turn %d of %s rejected (%s): %r", index, scenario.name, reason, out.text)
    if kept:
        # every fresh try failed: the critic's choice among the copies that passed
        best = choose_candidate([k[0] for k in kept], [True] * len(kept), state.examples) or 0
        state.copies += 1
        state.guided += kept[best][2]
        return Turn(index=index, speaker=speaker, text=kept[best][0]), kept[best][1]
    raise GenerationError(
        f"turn {index}: no usable turn in {config.max_retries} tries ({dict(state.rejections)})"
    )


def _goal_met(turn: Turn, scenario: Scenario, num_turns: int, target: int, min_turns: int) -> bool:
    text = turn.text.lower()
    if num_turns >= max(min_turns, target - 2) and any(p in text for p in scenario.end_phrases):
        return True
    return num_turns >= max(min_turns, target - 2) and any(g in text for g in GOODBYES)


def _plan(scenario: Scenario, personas: dict[str, Persona], facts: dict[str, dict[str, str]],
          config: AgentLoopConfig, rng: random.Random,
          topics: tuple[str, ...] | None = None) -> list[PlannedTurn] | None:
    if config.mode != "planned" or scenario.flow is None:
        return None
    values = {**facts["A"], **facts["B"], "A_name": personas["A"].name, "B_name": personas["B"].name}
    return plan_flow(scenario.flow, values, rng, config.duration, topics)[: config.max_turns]


def _invent_situation(llm: LLM, scenario: Scenario, personas: dict[str, Persona],
                      facts: dict[str, dict[str, str]], seed: int, avoid: Container[tuple],
                      calls: list[Completion]) -> tuple[dict[str, Persona], dict[str, dict[str, str]], dict[str, Any]]:
    """``text.situations: llm``: each role's facts as the LLM proposes them, checked; the drawn ones where not.

    A situation (:func:`~text_dialogue.scenario.situation_key`) that is in ``avoid`` (or
    is one of the scenario's listed ones) is dropped whole for the drawn facts, which the
    plan made unique. :return: personas (knowledge lines rewritten), facts, and the meta
    fields ``situation_sources`` and ``situation_rejects``.
    """
    new: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    rejects: dict[str, str] = {}
    fallback: dict[str, str] = {}
    for key in SPEAKERS:
        role = scenario.roles[key]
        listed = bool(role.facts) and facts.get(key) in [dict(f) for f in role.facts]
        fallback.update({f"{key}.{k}": "listed" if listed else "generator" for k in facts.get(key) or {}})
        if not role.slots or scenario.situations == "listed":
            new[key] = facts.get(key) or {}
            continue
        got = propose_facts(llm, scenario, key, personas, facts[key], side_rng(seed, f"situation/{key}"))
        calls += got.calls
        new[key] = got.values
        sources.update({f"{key}.{k}": v for k, v in got.sources.items()})
        rejects.update({f"{key}.{k}": v for k, v in got.rejects.items()})
    sources = {**fallback, **sources}
    listed_keys = {situation_key(scenario, {"A": dict(a), "B": dict(b)})
                   for a in scenario.roles["A"].facts or ({},) for b in scenario.roles["B"].facts or ({},)}
    if new != facts and (situation_key(scenario, new) in avoid or situation_key(scenario, new) in listed_keys):
        rejects["situation"] = "duplicate_situation"
        new, sources = facts, fallback
    out = dict(personas)
    for key in SPEAKERS:
        if new[key] != facts.get(key):
            out[key] = replace(personas[key], private_knowledge=scenario.roles[key].knowledge_line(new[key]))
    return out, new, {"situation_sources": sources, "situation_rejects": rejects}


def _planned_topics(scenario: Scenario, plan: list[PlannedTurn]) -> list[str]:
    """The scenario's own sub-topics that ``plan`` holds, in words."""
    flow = scenario.flow
    if flow is None:
        return []
    acts = {a for t in plan for a in t.acts}
    return [words for seq, words in zip(flow.subtopics, scenario_topics(scenario)) if seq[0] in acts]


def _example_values(scenario: Scenario, facts: dict[str, dict[str, str]], personas: dict[str, Persona],
                    rng: random.Random) -> dict[str, str]:
    """Slot values of the few-shot example call: another fact set per role where there is one."""
    out: dict[str, str] = {}
    for key in ("A", "B"):
        options = [f for f in scenario.roles[key].facts if f != facts.get(key)] or list(scenario.roles[key].facts)
        out.update(rng.choice(options) if options else {})
    return {**out, "A_name": personas["A"].name, "B_name": personas["B"].name}


def _example_call(plan: list[PlannedTurn], values: dict[str, str], config: AgentLoopConfig,
                  rng: random.Random) -> list[str | None]:
    """The example call's line per planned turn, drawn once per dialogue (a stable prompt prefix).

    ``config.example_call``: "plan" shows every turn's own line; "alternate" shows, for
    each act, another of its lines where it has one; "other" does so too but leaves out
    the turns that state no fact, ask no question and are not the closing (there the
    model writes from the act's tag, so there is no line to copy).
    """
    if config.example_call == "plan":
        return [None if _has_topic(p) else fill(p.template, values) for p in plan]
    out: list[str | None] = []
    for i, p in enumerate(plan):
        if _has_topic(p):
            out.append(None)  # a free sub-topic of this dialogue: the example call has no line for it
            continue
        # questions (the next turn answers them) and the closing keep their example
        keep = p.values or p.line.rstrip().endswith("?") or i >= len(plan) - 2
        if not keep and config.example_call == "other":
            out.append(None)
            continue
        parts = []
        for act in p.acts:
            others = [line for line in act.say if line not in p.template] or list(act.say)
            parts.append(fill(rng.choice(others), values))
        out.append(" ".join(parts))
    return out


def _has_topic(planned: PlannedTurn) -> bool:
    return any(a.topic for a in planned.acts)


def _alternatives(scenario: Scenario) -> dict[str, list[str]]:
    """slot ("A.day") -> every value the scenario's fact sets have for it."""
    return {f"{k}.{slot}": sorted({f[slot] for f in scenario.roles[k].facts})
            for k in ("A", "B") if scenario.roles[k].facts for slot in scenario.roles[k].facts[0]}


def _realize_planned(llm: LLM, scenario: Scenario, personas: dict[str, Persona], plan: list[PlannedTurn],
                     example_values: dict[str, str], config: AgentLoopConfig, rng: random.Random,
                     state: _State) -> tuple[list[Turn], str, int]:
    """Realize every planned turn; a turn no try realizes falls back to its example line."""
    turns: list[Turn] = []
    fallback = 0
    context = _Context(plan, example_values, _example_call(plan, example_values, config, rng))
    for planned in plan:
        try:
            turn, _ = _next_turn(llm, scenario, personas, turns, [], config, False, rng, state, planned, context)
        except GenerationError:
            fallback += 1
            turn = Turn(index=len(turns), speaker=planned.speaker, text=planned.line)
        turns.append(turn)
    return turns, "flow_done", fallback


def _filled_lines(scenario: Scenario, values: dict[str, str]) -> list[str]:
    """Every line of the scenario's acts, filled with this dialogue's values (what a copy equals)."""
    return [fill(line, values) for act in scenario.flow.acts() for line in act.say] if scenario.flow else []


def _free_target(scenario: Scenario, config: AgentLoopConfig) -> int:
    if config.target_turns:
        return min(config.target_turns, config.max_turns)
    turns = scenario.target_turns
    if config.duration:
        turns = max(turns, round(config.duration / _SECONDS_PER_FREE_TURN))
    return min(turns, config.max_turns)


def _realize_free(llm: LLM, scenario: Scenario, personas: dict[str, Persona], config: AgentLoopConfig,
                  rng: random.Random, state: _State) -> tuple[list[Turn], str]:
    target = _free_target(scenario, config)
    min_turns = config.critic.min_dialogue_turns
    # Lines of the few-shot example count as history: copying them is a repeat.
    avoid = [text for _, text in example_lines(scenario, personas)]
    turns: list[Turn] = []
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
    return turns, end_reason


def generate_dialogue(
    llm: LLM, scenario: Scenario, dialogue_id: str, seed: int, config: AgentLoopConfig = AgentLoopConfig(),
    avoid_situations: Container[tuple] = (),
) -> Dialogue:
    """Plan (when the scenario has a flow and ``config.mode`` is "planned") and realize a dialogue.

    :param llm: any registered backend (base models continue a transcript; chat
        models answer chat messages).
    :param seed: seeds personas, facts, the plan, sampling and disfluencies of this dialogue.
    :return: the dialogue; ``meta["rejected_turns"]`` counts critic rejections by reason,
        ``meta["generation"]`` has token and time totals, ``meta["facts"]`` the drawn
        private facts, ``meta["plan"]`` the act names (planned mode) and
        ``meta["content"]`` the :func:`~text_dialogue.content.measure_content` measures;
        with ``config.situations`` "llm", ``meta["situation_sources"]`` ("A.time": "llm",
        "generator" or "listed") and ``meta["situation_rejects"]`` (slot -> why the LLM's
        value was refused); with ``config.subtopics`` "llm", ``meta["subtopics"]``
        (``source`` "llm" or "scenario", ``topics``, and the model's ``raw`` text when it
        did not parse).
    :param avoid_situations: situation keys (:func:`~text_dialogue.scenario.situation_key`)
        already used; an LLM-invented situation among them falls back to the drawn facts.
    :raises GenerationError: when the dialogue ends too short; the message names the
        reason and the error has ``reason`` and ``rejected_turns`` attributes.
    """
    rng = random.Random(seed)
    facts: dict[str, dict[str, str]] = {}
    personas = sample_personas(scenario, rng, facts)
    # the opt-in LLM proposals draw their seeds from generators of their own (rng is untouched)
    calls: list[Completion] = []
    extra: dict[str, Any] = {}
    if config.situations == "llm":
        personas, facts, invented = _invent_situation(llm, scenario, personas, facts, seed, avoid_situations, calls)
        extra.update(invented)
    topics: list[str] | None = None
    if config.subtopics == "llm" and config.mode == "planned" and scenario.flow is not None:
        topics, out = propose_topics(llm, scenario, personas, side_rng(seed, "subtopics"))
        calls.append(out)
        extra["subtopics"] = topics_meta("llm", topics) if topics else {"raw": out.text}
    plan = _plan(scenario, personas, facts, config, rng, tuple(topics) if topics else None)
    if "subtopics" in extra and not topics:
        extra["subtopics"] = topics_meta("scenario", _planned_topics(scenario, plan or []), extra["subtopics"]["raw"])
    state = _State(foreign=foreign_words(scenario, facts), facts=facts)
    for call in calls:
        state.count(call)
    if plan:
        values = {**facts["A"], **facts["B"], "A_name": personas["A"].name, "B_name": personas["B"].name}
        lines = _filled_lines(scenario, values) + [fill(line, values) for t in plan for a in t.acts if a.topic
                                                   for line in a.say]
        state.examples = example_word_lines(lines)
    meta: dict[str, Any] = {"mode": "planned" if plan else "free", **extra}
    if plan:
        example = _example_values(scenario, facts, personas, rng)
        turns, end_reason, fallback = _realize_planned(llm, scenario, personas, plan, example, config, rng, state)
        meta.update(plan=[t.name for t in plan], template_turns=fallback, guided_turns=state.guided,
                    copied_turns=state.copies)
    else:
        turns, end_reason = _realize_free(llm, scenario, personas, config, rng, state)
    meta.update({
        "rejected_turns": dict(state.rejections),
        "generation": state.generation(len(turns)),
        "llm": llm.model_info(),
        "facts": {k: v for k, v in facts.items() if v},
        "fact_alternatives": _alternatives(scenario),
    })
    min_turns = config.critic.min_dialogue_turns
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
    dialogue = apply_disfluencies(dialogue, rng, config.disfluency)
    content = measure_content(dialogue, end_phrases=scenario.end_phrases)
    return replace(dialogue, meta={**dialogue.meta, "content": content.to_dict()})
