"""Scenario flows: plan a dialogue as a sequence of dialogue acts, then realize it turn by turn.

A flow is an ordered list of steps. A step is one dialogue act (who speaks, what the
act is, how it may be said) or a ``branch``: a list of alternative act sequences of
which one is drawn per dialogue. Slots in an act's lines (``{day}``, ``{A_name}``)
are filled from the speakers' private facts (see :func:`text_dialogue.scenario.draw_facts`)
and persona names. ``subtopics`` are act sequences inserted before the closing,
``smalltalk`` act sequences open the dialogue, and one ``preclosing`` sequence (chit-chat
that winds the talk down, "anyway, I won't keep you") comes right before the closing,
until the planned dialogue reaches its target duration ("intent -> attributes -> utterance" planning, as in schema-guided
and DiaSynth-style dialogue generation).

In a scenario YAML file::

    flow:
      - {act: request, speaker: A, say: ["I'd like a table for {party} on {day} at {time}."]}
      - {act: ask, speaker: B, do: ask for a name, say: ["Can I get a name for that?"]}
      - branch:
          - [{act: confirm, speaker: B, say: ["{day} at {time} is free."]}]
          - [{act: decline, speaker: B, say: ["Sorry, {day} is full."]}, ...]

>>> act = Act(act="request", speaker="A", say=("A table for {party}, please.",))
>>> act.slots
('party',)
>>> fill(act.say[0], {"party": "four"})
'A table for four, please.'
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass, field
from typing import Any

from corpus_core.errors import ConfigError

__all__ = ["Act", "Flow", "PlannedTurn", "parse_flow", "plan_flow", "fill", "estimate_seconds", "topic_acts",
           "WORDS_PER_SECOND", "TURN_GAP_SECONDS"]

#: speaking rate used to estimate a planned dialogue's duration, fitted with
#: :data:`TURN_GAP_SECONDS` to the rendered audio of two 20-dialogue default runs (40
#: dialogues, 8055 words in 1032 turns, 2505.8 s; 3.4 had overstated the audio by 8%)
WORDS_PER_SECOND = 3.75
#: mean silence per speaker change in the estimate (gap plus pauses)
TURN_GAP_SECONDS = 0.35
_SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Act:
    """One dialogue act of a flow.

    :param act: the act's name, e.g. "request", "ask", "inform", "confirm", "thank", "goodbye".
    :param speaker: "A" or "B".
    :param say: example lines with ``{slot}`` fields; one is the few-shot example and
        the fallback realization.
    :param do: what the speaker does, in words an instruction-following model reads
        (default: derived from the act's name).
    """

    act: str
    speaker: str
    say: tuple[str, ...]
    do: str = ""
    #: a free sub-topic's words (see :func:`topic_acts`); such an act states no fact and
    #: has no example line of its own in the example call
    topic: str = ""

    @property
    def slots(self) -> tuple[str, ...]:
        """The slot names the act's first line uses, in order (the facts it must state)."""
        return tuple(dict.fromkeys(_SLOT.findall(self.say[0])))

    def instruction(self) -> str:
        """What the speaker should do, for an instruction-following (chat) model."""
        return self.do or f"{self.act.replace('_', ' ')}"


#: a flow step: one act, or alternative act sequences (a branch)
Step = Act | tuple[tuple[Act, ...], ...]


@dataclass(frozen=True)
class Flow:
    """A scenario's plan: core steps plus optional sub-topics and chit-chat openings."""

    steps: tuple[Step, ...]
    #: act sequences inserted before the closing acts to lengthen the dialogue
    subtopics: tuple[tuple[Act, ...], ...] = ()
    #: act sequences that may open the dialogue (chit-chat) before the core steps
    smalltalk: tuple[tuple[Act, ...], ...] = ()
    #: how many of the last core acts form the closing (sub-topics go before them)
    closing: int = 2
    #: chit-chat sequences that wind the talk down; at most one goes right before the closing
    preclosing: tuple[tuple[Act, ...], ...] = ()

    def acts(self) -> list[Act]:
        """Every act of the flow, in every branch, sub-topic and chit-chat sequence."""
        out: list[Act] = []
        for step in self.steps:
            out += [a for seq in step for a in seq] if isinstance(step, tuple) else [step]
        return out + [a for seq in self.subtopics + self.smalltalk + self.preclosing for a in seq]

    def slots(self) -> set[str]:
        """Every slot name any line of the flow uses."""
        return {k for a in self.acts() for line in a.say for k in _SLOT.findall(line)}


@dataclass(frozen=True)
class PlannedTurn:
    """One turn of a plan: the act(s) to realize and the filled example line."""

    #: the acts this turn realizes (two when one speaker has consecutive acts)
    acts: tuple[Act, ...]
    #: the example line with this dialogue's facts filled in
    line: str
    #: slot name -> value the turn must state
    values: dict[str, str] = field(default_factory=dict)
    #: the line before filling (``{slot}`` fields)
    template: str = ""

    @property
    def speaker(self) -> str:
        return self.acts[0].speaker

    @property
    def name(self) -> str:
        """The act names, joined with "+"."""
        return "+".join(a.act for a in self.acts)

    def instruction(self) -> str:
        """What the speaker should do, for an instruction-following model."""
        return ", then ".join(a.instruction() for a in self.acts)

    def tag(self, values: dict[str, str] | None = None) -> str:
        """The act and its facts in a few words, e.g. ``inform time: eight``.

        :param values: other slot values (an example dialogue's); default: this turn's.
        """
        values = self.values if values is None else {k: values[k] for k in self.values if k in values}
        acts = " and ".join(a.act.replace("_", " ") for a in self.acts)
        return acts + (": " + ", ".join(values.values()) if values else "")


def topic_acts(topic: str, opener: str) -> tuple[Act, Act]:
    """A free sub-topic as two acts: ``opener`` brings ``topic`` up, the other speaker answers.

    The lines are only the fallback (used when no try of the model passes the critic).
    """
    other = "B" if opener == "A" else "A"
    return (Act(act=f"bring up {topic}", speaker=opener, say=(f"By the way, I wanted to ask you about {topic}.",),
                do=f"bring up {topic}, in a sentence or two", topic=topic),
            Act(act=f"answer about {topic}", speaker=other, say=(f"Oh, {topic}? Sure, happy to talk about that.",),
                do=f"answer about {topic}, briefly", topic=topic))


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its ``{slot}`` fields replaced by ``values`` (unknown slots stay)."""
    return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _parse_act(raw: Any, where: str) -> Act:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with act, speaker and say; found {raw!r}")
    unknown = set(raw) - {"act", "speaker", "say", "do"}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}; an act has act, speaker, say, do")
    say = raw.get("say")
    say = (say,) if isinstance(say, str) else tuple(say or ())
    if not raw.get("act") or raw.get("speaker") not in ("A", "B") or not say:
        raise ConfigError(f"{where}: an act needs a name (act), a speaker (A or B) and at least one line (say)")
    if not all(isinstance(s, str) and s.strip() for s in say):
        raise ConfigError(f"{where}: every line in say must be a non-empty string")
    for line in say:
        try:
            string.Formatter().parse(line).__iter__().__next__()
        except (ValueError, StopIteration):
            raise ConfigError(f"{where}: line {line!r} has a malformed {{slot}}") from None
    return Act(act=str(raw["act"]), speaker=raw["speaker"], say=say, do=str(raw.get("do") or ""))


def _parse_seq(raw: Any, where: str) -> tuple[Act, ...]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: expected a non-empty list of acts")
    return tuple(_parse_act(a, f"{where}[{i}]") for i, a in enumerate(raw))


def parse_flow(data: dict[str, Any], where: str) -> Flow | None:
    """The flow of a scenario mapping (keys ``flow``, ``subtopics``, ``smalltalk``, ``preclosing``), or None.

    :raises ConfigError: naming the step that is malformed.
    """
    if not data.get("flow"):
        return None
    if not isinstance(data["flow"], list):
        raise ConfigError(f"{where}: flow must be a list of acts and branches")
    steps: list[Step] = []
    for i, raw in enumerate(data["flow"]):
        if isinstance(raw, dict) and "branch" in raw:
            options = raw["branch"]
            if not isinstance(options, list) or not options:
                raise ConfigError(f"{where} flow[{i}]: branch must be a list of act lists")
            steps.append(tuple(_parse_seq(o, f"{where} flow[{i}].branch[{j}]") for j, o in enumerate(options)))
        else:
            steps.append(_parse_act(raw, f"{where} flow[{i}]"))
    seqs = {k: tuple(_parse_seq(s, f"{where} {k}[{j}]") for j, s in enumerate(data.get(k) or ()))
            for k in ("subtopics", "smalltalk", "preclosing")}
    closing = data.get("closing", 2)
    if not isinstance(closing, int) or closing < 0:
        raise ConfigError(f"{where}: closing must be a non-negative integer")
    firsts = [s if isinstance(s, Act) else None for s in steps[:1]] + [q[0] for q in seqs["smalltalk"]]
    if isinstance(steps[0], tuple):
        firsts += [opt[0] for opt in steps[0]]
    if any(a is not None and a.speaker != "A" for a in firsts):
        raise ConfigError(f"{where}: the flow and every smalltalk sequence must start with speaker A")
    return Flow(steps=tuple(steps), closing=closing, **seqs)


def _words(text: str) -> int:
    return len(text.split())


def estimate_seconds(lines: list[str]) -> float:
    """Spoken duration of ``lines`` at :data:`WORDS_PER_SECOND` plus a gap per turn."""
    return sum(_words(s) / WORDS_PER_SECOND + TURN_GAP_SECONDS for s in lines)


def _realize(acts: list[Act], values: dict[str, str], rng: random.Random) -> list[PlannedTurn]:
    """Pick and fill one line per act; consecutive acts of one speaker become one turn."""
    out: list[PlannedTurn] = []
    for act in acts:
        template = rng.choice(act.say)
        line = fill(template, values)
        slots = {k: values[k] for k in _SLOT.findall(template) if k in values}
        if out and out[-1].speaker == act.speaker:
            prev = out[-1]
            out[-1] = PlannedTurn(acts=prev.acts + (act,), line=f"{prev.line} {line}",
                                  values={**prev.values, **slots}, template=f"{prev.template} {template}")
        else:
            out.append(PlannedTurn(acts=(act,), line=line, values=slots, template=template))
    return out


def plan_flow(flow: Flow, values: dict[str, str], rng: random.Random, duration: float | None,
              topics: tuple[str, ...] | None = None) -> list[PlannedTurn]:
    """Draw branches, add chit-chat, sub-topics and a pre-closing up to ``duration`` seconds, fill the slots.

    :param values: slot name -> value (both speakers' facts and ``A_name``/``B_name``).
    :param duration: target spoken duration (estimated); ``None`` plans the core flow only.
    :param topics: free sub-topics (``text.subtopics: llm``) in place of ``flow.subtopics``:
        each is always planned, as two free turns (:func:`topic_acts`) right after the core
        body, the first raised by the speaker other than the body's last; chit-chat and the
        pre-closing still fill up to ``duration``. ``None``: the flow's own sub-topics.
    :return: planned turns; speakers alternate (consecutive acts of one speaker share a turn).
    """
    core: list[Act] = []
    for step in flow.steps:
        core += list(rng.choice(step)) if isinstance(step, tuple) else [step]
    cut = max(0, len(core) - flow.closing)
    body, closing = core[:cut], core[cut:]
    opening: list[Act] = []
    extras: list[tuple[Act, ...]] = []
    small, subtopics = list(flow.smalltalk), list(flow.subtopics) if topics is None else []
    rng.shuffle(small)
    rng.shuffle(subtopics)
    prev = body[-1].speaker if body else "B"
    for topic in topics or ():
        extras.append(topic_acts(topic, "B" if prev == "A" else "A"))
        prev = extras[-1][-1].speaker
    winddown: list[Act] = []
    pre = [rng.choice(flow.preclosing)] if flow.preclosing else []

    seed = rng.random()  # every re-plan picks the same lines for the same acts

    def plan() -> list[PlannedTurn]:
        acts = opening + body + [a for seq in extras for a in seq] + winddown + closing
        return _realize(acts, values, random.Random(seed))

    turns = plan()
    # Lengthen: one chit-chat opening first, then the pre-closing, then sub-topics, then
    # more chit-chat; a sequence that starts with the other speaker than the one before it
    # goes first.
    pool = small[:1] + pre + subtopics + small[1:]
    while duration and estimate_seconds([t.line for t in turns]) < duration and pool:
        if opening or not small:
            last = (extras[-1][-1] if extras else body[-1] if body else None)
            pick = next((q for q in pool if last is None or q[0].speaker != last.speaker), pool[0])
        else:
            pick = pool[0]
        pool.remove(pick)
        if pre and pick is pre[0]:
            winddown = list(pick)
        elif pick in flow.smalltalk and not opening:
            opening = list(pick)
        else:
            extras.append(pick)
        turns = plan()
    return turns
