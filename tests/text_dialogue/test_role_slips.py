"""Role slips are caught and sampled again; guided starts realize facts the model leaves out."""

from __future__ import annotations

from dataclasses import replace

from text_dialogue.agents import AgentLoopConfig, generate_dialogue
from text_dialogue.content import states
from text_dialogue.llm.base import LLM, Completion, GenerationParams
from text_dialogue.records import Turn
from text_dialogue.role_slips import (
    foreign_words,
    states_other_role,
    strip_own_label,
    uses_foreign_words,
)
from text_dialogue.scenario import get_scenario


def _booking_facts(offer: str) -> dict[str, dict[str, str]]:
    booking = get_scenario("booking")
    a = booking.roles["A"].facts[0]
    b = next(f for f in booking.roles["B"].facts if f["offer"] == offer)
    return {"A": dict(a), "B": dict(b)}


def test_values_of_other_fact_sets_are_foreign_by_their_own_words() -> None:
    facts = _booking_facts("a table on the terrace")
    foreign = {f.words: f.distinctive for f in foreign_words(get_scenario("booking"), facts)}
    assert foreign[("round", "table", "near", "fireplace")] == {"round", "near", "fireplace"}
    # today's facts and words of the flow's own lines ("evening") are nobody's slip
    assert not any({"terrace", "evening"} & d for d in foreign.values())
    values = foreign_words(get_scenario("booking"), facts)
    assert uses_foreign_words("Yes, I can give you a round table.", values, []) == ("B.offer",)
    assert uses_foreign_words("We would like to come at half past six.", values, []) == ("A.time",)
    # one common word of a long value is not enough ("after" of "on the street after six")
    assert uses_foreign_words("And after that, what time?", values, []) == ()
    # once the partner said it, repeating it is no slip
    assert uses_foreign_words("A round table, great.", values, [Turn(0, "B", "We have a round table too.")]) == ()


def test_the_other_roles_fact_before_that_role_said_it_is_a_slip() -> None:
    facts = _booking_facts("a table on the terrace")
    early = "Great, and parking is on the street after six, right?"
    assert states_other_role(early, "A", facts, []) == ("B.parking",)
    said = [Turn(0, "B", "Parking is on the street after six.")]
    assert states_other_role(early, "A", facts, said) == ()
    # the caller's own act names the restaurant ("Hello, is this the Olive Tree?")
    assert states_other_role("Hello, is this the Olive Tree?", "A", facts, [], ["the Olive Tree"]) == ()
    assert states_other_role("I'd like a table for four.", "B", facts, []) == ("A.party",)


def test_own_label_is_stripped_and_the_others_label_is_a_slip() -> None:
    assert strip_own_label("A: Under Chen, please.", ("Maya", "A"), ("Tom", "B")) == ("Under Chen, please.", False)
    assert strip_own_label("B: We're full.", ("Maya", "A"), ("Tom", "B"))[1]
    assert strip_own_label("Sure: at eight.", ("Maya", "A"), ("Tom", "B")) == ("Sure: at eight.", False)


class ExampleCopier(LLM):
    """A few-shot copier like a small base model: for a fresh turn it writes the example call's
    line of the same act *with the example's facts* (another dialogue's); given the start of
    a line it finishes it with a few words."""

    name = "copier"
    config_type = dict

    def __init__(self) -> None:
        super().__init__({})
        self.starts: list[str] = []

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        last = prompt.splitlines()[-1]
        if not last.endswith("]:"):  # a guided start follows the tag
            self.starts.append(last.split("]: ", 1)[1])
            return Completion(text=", thanks.", num_tokens=2)
        act = last[last.index("[") + 1 :].split("]")[0].split(":")[0]
        earlier = prompt.split("Today's call:")[0].splitlines()
        line = next(x for x in earlier if "[" in x and x[x.index("[") + 1 :].split("]")[0].split(":")[0] == act)
        return Completion(text=line.split("]: ", 1)[1], num_tokens=8)


def test_guided_starts_realize_the_facts_a_copying_model_gets_wrong() -> None:
    scenario = get_scenario("booking")
    config = AgentLoopConfig(duration=60.0)
    unguided = generate_dialogue(ExampleCopier(), scenario, "g1", seed=5, config=replace(config, guided_tries=0))
    llm = ExampleCopier()
    d = generate_dialogue(llm, scenario, "g1", seed=5, config=config)
    assert d.meta["plan"] == unguided.meta["plan"]
    assert d.meta["rejected_turns"].get("missing_fact", 0) >= 4  # the example call's facts
    # without guided starts every turn with facts falls back to its example line
    assert unguided.meta["template_turns"] >= 8 and unguided.meta.get("guided_turns", 0) == 0
    assert d.meta["template_turns"] <= unguided.meta["template_turns"] - 6
    assert d.meta["content"]["recall"] == 1.0 and not d.meta["content"]["contradictions"]
    # a turn realized from a guided start keeps the model's own ending and states its facts
    guided = [t.text for t in d.turns if t.text.endswith(", thanks.")]
    assert len(guided) == d.meta["guided_turns"] >= 6
    facts = {**d.meta["facts"]["A"], **d.meta["facts"]["B"]}
    assert all(any(states(text, v) for v in facts.values()) for text in guided)


def test_guided_tries_come_only_after_the_free_tries() -> None:
    llm = ExampleCopier()
    tags: list[tuple[str, bool]] = []
    complete = llm.complete

    def spy(prompt: str, params: GenerationParams) -> Completion:
        last = prompt.splitlines()[-1]
        tags.append((last.split("]")[0], not last.endswith("]:")))
        return complete(prompt, params)

    llm.complete = spy  # type: ignore[method-assign]
    generate_dialogue(llm, get_scenario("booking"), "g2", seed=1,
                      config=AgentLoopConfig(duration=None, max_retries=3, guided_tries=1))
    runs: dict[str, list[bool]] = {}
    for tag, guided in tags:
        runs.setdefault(tag, []).append(guided)
    guided_runs = [r for r in runs.values() if any(r)]
    assert guided_runs and all(r == [False] * 3 + [True] for r in guided_runs)
