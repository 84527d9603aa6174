"""What each agent is shown: a transcript prompt (base models) or chat messages (chat models).

Each agent sees the shared situation, its own role prompt and private knowledge, and
the shared history; the other agent's prompt and knowledge stay hidden.

For base models the prompt is a transcript: a shared header and one example call
(few-shot, in the speakers' names) come first, then the call so far, then the speaker's
private note right before its name. Putting the note last keeps it close to where the
small model writes (it drifts less), and leaves the header and history a prefix that
both agents share, so llama.cpp reuses its evaluated prompt between turns.
"""

from __future__ import annotations

from text_dialogue.flow import PlannedTurn, fill
from text_dialogue.records import Persona, Turn
from text_dialogue.scenario import Scenario

__all__ = ["example_lines", "build_prompt", "build_planned_prompt", "build_messages", "other_speaker"]


def other_speaker(speaker: str) -> str:
    """``"B"`` for ``"A"`` and the other way round."""
    return "B" if speaker == "A" else "A"


def example_lines(scenario: Scenario, personas: dict[str, Persona]) -> list[tuple[str, str]]:
    """The scenario's example exchange as (speaker name, text) pairs."""
    names = {"A": personas["A"].name, "B": personas["B"].name}
    out = []
    for line in scenario.example.strip().splitlines():
        label, _, text = line.partition(":")
        if text.strip() and label.strip() in names:
            out.append((names[label.strip()], text.strip()))
    return out


def _describe(p: Persona) -> str:
    parts = [x for x in (p.age_band, p.gender) if x]
    desc = f"{p.name}, the {p.role}" + (f" ({', '.join(parts)})" if parts else "")
    if p.speaking_style:
        desc += f", is {p.speaking_style}"
    return desc


def _note(scenario: Scenario, me: Persona, speaker: str, wrap_up: bool, planned: PlannedTurn | None = None) -> str:
    text = scenario.roles[speaker].prompt.rstrip(".")
    if me.private_knowledge:
        text += f". Only {me.name} knows: {me.private_knowledge}"
    if planned is not None:
        # a small base model copies the form of a line far better than it follows an instruction
        return f'({me.name}\'s note: {text}. Next, {planned.instruction()}, for example: "{planned.line}")'
    if wrap_up:
        text += f". Time to wrap up: {scenario.end_condition}"
    return f"({me.name}'s note: {text}.)"


def build_prompt(
    scenario: Scenario,
    personas: dict[str, Persona],
    speaker: str,
    turns: list[Turn],
    wrap_up: bool = False,
    note_last: bool = True,
    planned: PlannedTurn | None = None,
) -> str:
    """The transcript prompt agent ``speaker`` continues (its own instructions only).

    :param wrap_up: tell the speaker that it is time to reach the end condition.
    :param note_last: put the speaker's private note right before its turn (else after the header).
    :param planned: the act(s) this turn realizes, with their example line (planned dialogues).
    """
    a, b = personas["A"], personas["B"]
    lines = [
        f"{scenario.setting} {_describe(a)}. {_describe(b)}.",
        f"Goal: {scenario.goal} They speak in short, natural sentences, one line each.",
        "",
    ]
    me = personas[speaker]
    if not note_last:
        lines[-1:] = [_note(scenario, me, speaker, wrap_up, planned), ""]
    example = example_lines(scenario, personas)
    if example:
        lines += ["An earlier conversation:"] + [f"{name}: {text}" for name, text in example]
        lines += ["", "Today's conversation:"]
    lines += [f"{personas[t.speaker].name}: {t.text}" for t in turns]
    if note_last:
        lines.append(_note(scenario, me, speaker, wrap_up, planned))
    lines.append(f"{me.name}:")
    return "\n".join(lines)


def build_planned_prompt(
    scenario: Scenario,
    personas: dict[str, Persona],
    plan: list[PlannedTurn],
    turns: list[Turn],
    example_values: dict[str, str],
    example_lines: list[str | None] | None = None,
) -> str:
    """The tagged transcript a base model continues to realize ``plan[len(turns)]``.

    Every line carries its act and facts in brackets (``Maya [inform time: eight]: ...``);
    an earlier call realizes the same plan with other facts (``example_values``), so
    the model learns the mapping from tag to words, and only has to say today's facts
    in the same way. Both agents continue one shared transcript: each turn's prompt
    extends the previous one, so llama.cpp reuses its evaluated prefix.

    :param example_values: slot values of the example call (another fact draw).
    :param example_lines: the example call's line for each planned turn (``None``: the
        turn is left out of the example, so the model writes it from its tag alone);
        default: each turn's own line with ``example_values``. Keep them fixed for a
        dialogue: they sit near the start of every prompt of it.
    """
    a, b = personas["A"], personas["B"]
    lines = [
        f"{scenario.setting} {_describe(a)}. {_describe(b)}.",
        f"Goal: {scenario.goal} They speak in short, natural sentences, one line each; "
        "the words in brackets say what each line does.",
        "",
        "An earlier call:",
    ]
    shown = example_lines if example_lines is not None else [fill(p.template, example_values) for p in plan]
    for p, line in zip(plan, shown):
        if line is not None:
            lines.append(f"{personas[p.speaker].name} [{p.tag(example_values)}]: {line}")
    lines += ["", "Today's call:"]
    for p, t in zip(plan, turns):
        lines.append(f"{personas[t.speaker].name} [{p.tag()}]: {t.text}")
    nxt = plan[len(turns)]
    lines.append(f"{personas[nxt.speaker].name} [{nxt.tag()}]:")
    return "\n".join(lines)


def _instruction(personas: dict[str, Persona], speaker: str, turns: list[Turn], planned: PlannedTurn,
                 recent: int) -> str:
    """The per-turn instruction of a planned act: the recent turns, the act and its facts."""
    said = [f'{personas[t.speaker].name}: "{t.text}"' for t in turns[-recent:]] if recent > 0 else []
    text = ("So far: " + " ".join(said) + " ") if said else "You speak first. "
    text += f"Now say {personas[speaker].name}'s next turn. In it, {planned.instruction()}"
    if planned.values:
        facts = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in planned.values.items())
        text += f", and state these facts: {facts}"
    # the scenario's line shows what the act does; copied, every corpus would repeat it
    return (text + f'. A line like "{planned.line}" does this, but use your own, different words. '
            "Reply with the spoken turn only.")


def build_messages(
    scenario: Scenario,
    personas: dict[str, Persona],
    speaker: str,
    turns: list[Turn],
    end_marker: str,
    wrap_up: bool = False,
    planned: PlannedTurn | None = None,
    recent: int = 2,
) -> list[dict[str, str]]:
    """Chat messages for agent ``speaker``: its role as the system message, the history, then the act.

    The system message and the history change only by the turns added, so a server's
    prefix cache (llama.cpp's, vLLM's) reuses every earlier message. The agent's own
    turns are ``assistant`` messages and the other's are ``user`` messages, so a chat
    model answers as the agent.

    :param planned: the act(s) this turn realizes: the last user message then ends with
        an instruction that names the act, the facts to state and the ``recent`` last
        turns, and gives the scenario's line as an example of the act, not its text.
    :param recent: how many last turns the instruction quotes.
    """
    me, other = personas[speaker], personas[other_speaker(speaker)]
    system = [
        f"{scenario.setting} You are {me.name}, the {me.role}, talking with {other.name}, the {other.role}.",
    ]
    who = ", ".join(x for x in (me.age_band, me.gender, me.speaking_style, *me.traits) if x)
    if who:
        system.append(f"You are {who}.")
    system.append(scenario.roles[speaker].prompt)
    if me.private_knowledge:
        system.append(f"Only you know this: {me.private_knowledge}.")
    system.append(f"Goal of the conversation: {scenario.goal} It ends when {scenario.end_condition}.")
    system.append(
        "Say only your next spoken turn, the way people talk: mostly a sentence or two, sometimes "
        "just a few words, now and then a longer sentence with a reason or a detail; "
        "no narration, no stage directions, no name label. "
        f"When the conversation is over, end your turn with {end_marker}."
    )
    messages = [{"role": "system", "content": " ".join(system)}]
    if not turns or turns[0].speaker == speaker:
        messages.append({"role": "user", "content": "(The conversation starts. Say your first line.)"})
    for t in turns:
        messages.append({"role": "assistant" if t.speaker == speaker else "user", "content": t.text})
    if planned is not None:
        note = _instruction(personas, speaker, turns, planned, recent)
    elif wrap_up:
        note = "The conversation has gone on long enough: wrap it up now."
    else:
        return messages
    # the note joins the other's last turn (roles must alternate in many chat templates)
    last = messages[-1]
    messages[-1] = {**last, "content": f"{last['content']}\n\n({note})"}
    return messages
