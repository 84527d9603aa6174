"""``text.situations: llm`` and ``text.subtopics: llm``: the LLM's values are checked per slot
type, copies and bad values fall back to the generators, the source of every fact is recorded;
proposed sub-topics are spoken as free turns, output that does not parse leaves the scenario's.

The fake LLM answers the form and list prompts with fixed text and realizes each planned
turn from its tag; one test runs the real Gemma 3 270M.
"""

from __future__ import annotations

import random
import re
from typing import Iterator

import pytest
from _require import require

from corpus_core.configs import config_from_mapping
from corpus_core.errors import ConfigError
from text_dialogue.agents import AgentLoopConfig, generate_dialogue, sample_personas
from text_dialogue.critic import CriticConfig
from text_dialogue.invent import check_value, clock_minutes, parse_topics
from text_dialogue.llm.base import LLM, Completion, GenerationParams
from text_dialogue.scenario import get_scenario, situation_key
from text_dialogue.slots import parse_slot

W = "x.yaml roles.A"
#: a short planned dialogue: no chit-chat to fill a duration
SHORT = AgentLoopConfig(duration=None, max_retries=2, guided_tries=0)
GOOD = {"party": "seven", "day": "Tuesday", "time": "8:15 pm", "note": "my aunt is visiting from Ohio",
        "restaurant": "the Crooked Lantern", "offer": "a table near the aquarium", "parking": "free on Elm Street"}


class Fake(LLM):
    """Fills the fact form from ``values`` (by slot label), lists ``topics``, and says each turn's tag."""

    name = "fake"
    config_type = dict

    def __init__(self, values: dict[str, str] | None = None, topics: str = "") -> None:
        super().__init__({})
        self.values = values or {}
        self.topics = topics
        self.forms: list[str] = []
        self.lists: list[str] = []

    def complete(self, prompt: str, params: GenerationParams) -> Completion:
        last = prompt.rsplit("\n", 1)[-1]
        if last == "1.":
            self.lists.append(prompt)
            return Completion(text=self.topics, num_tokens=5)
        slot = re.fullmatch(r"([a-z][a-z ]*) \(.*\):", last)
        if slot:
            self.forms.append(slot.group(1))
            return Completion(text=" " + self.values.get(slot.group(1).replace(" ", "_"), ""), num_tokens=3)
        tag = re.search(r"\[(.*)\]:$", last)
        acts, _, facts = (tag.group(1) if tag else "hello there").partition(": ")
        topic = re.match(r"(bring up|answer about) (.*?)( and |$)", acts)
        say = f" Okay, {acts} now, thanks a lot." if not topic else (
            f" Oh, before I forget, what about {topic.group(2)}?" if topic.group(1) == "bring up"
            else f" Well, {topic.group(2)} is something we can sort out for you.")
        if facts:  # "inform time: eight" -> state the facts
            say += f" Right, so {facts} for us."
        return Completion(text=say, num_tokens=6)


def _drawn(seed: int) -> dict[str, dict[str, str]]:
    facts: dict[str, dict[str, str]] = {}
    sample_personas(get_scenario("booking"), random.Random(seed), facts)
    return facts


@pytest.mark.parametrize("kind, options, value, ok", [
    ("time", {"from": "11:30", "to": "21:30"}, "7:30 pm", True),
    ("time", {"from": "11:30", "to": "21:30"}, "half past six", True),
    ("time", {"from": "11:30", "to": "21:30"}, "seven in the evening", True),
    ("time", {"from": "11:30", "to": "21:30"}, "banana bread", False),
    ("time", {"from": "11:30", "to": "21:30"}, "12", False),  # a bare number is a count
    ("time", {"from": "11:30", "to": "21:30"}, "3 am", False),  # a time, out of the range
    ("count", {"min": 2, "max": 9}, "seven", True),
    ("count", {"min": 2, "max": 9}, "6 people", True),
    ("count", {"min": 2, "max": 9}, "twelve", False),
    ("count", {"min": 2, "max": 9}, "a few", False),
    ("day", {}, "tuesday", True),
    ("day", {}, "Tuesday, 2nd", False),
    ("date", {}, "March 3rd", True),
    ("date", {}, "February 30", False),
    ("price", {"min": 10, "max": 50}, "$42", True),
    ("price", {"min": 10, "max": 50}, "42", False),
    ("price", {"min": 10, "max": 50}, "$420", False),
    ("phone", {}, "555-123-4567", True),
    ("phone", {}, "call me", False),
    ("choice", {"options": ["tea", "coffee"]}, "Coffee", True),
    ("choice", {"options": ["tea", "coffee"]}, "juice", False),
    ("business", {}, "the Crooked Lantern", True),
    ("text", {"examples": ["x"]}, "a table {near} the window", False),
    ("text", {"examples": ["x"]}, "\"I'm sorry, I can't\" (she said)", False),
    ("text", {"examples": ["x"]}, " ".join(["word"] * 20), False),
    ("person", {}, "Ana Ruiz", True),
    ("person", {}, "the host", False),
])
def test_each_slot_type_has_a_checker(kind: str, options: dict, value: str, ok: bool) -> None:
    spec = parse_slot("s", {"type": kind, **options}, W)
    got, why = check_value(spec, value)
    assert (got is not None) is ok, (value, why)
    assert (why is None) is ok
    if kind == "day" and ok:
        assert got == "Tuesday"  # a weekday is written as the generators write it
    if kind == "choice" and ok:
        assert got == "coffee"


def test_clock_times_read_both_halves_of_the_day_without_am_pm() -> None:
    assert clock_minutes("seven thirty") == {7 * 60 + 30, 19 * 60 + 30}
    assert clock_minutes("quarter to nine pm") == {20 * 60 + 45}
    assert clock_minutes("noon") == {720} and clock_minutes("19:05") == {19 * 60 + 5}


def test_valid_values_are_taken_and_recorded_as_llm() -> None:
    llm = Fake(GOOD)
    d = generate_dialogue(llm, get_scenario("booking"), "b", 4, replace_config(situations="llm"))
    assert d.meta["facts"] == {"A": {k: GOOD[k] for k in ("party", "day", "time", "note")},
                               "B": {k: GOOD[k] for k in ("restaurant", "offer", "parking")}}
    assert set(d.meta["situation_sources"].values()) == {"llm"} and len(d.meta["situation_sources"]) == 7
    assert d.meta["situation_rejects"] == {}
    assert d.personas["A"].private_knowledge == "a table for seven on Tuesday at 8:15 pm; my aunt is visiting from Ohio"
    assert "the Crooked Lantern" in d.personas["B"].private_knowledge
    # the plan speaks the invented facts, and the form asked for every slot once
    assert any("8:15 pm" in t.text for t in d.turns)
    assert llm.forms == ["party", "day", "time", "note", "restaurant", "offer", "parking"]
    assert d.meta["generation"]["calls"] >= 7 + len(d.turns)  # the proposals are counted too


def replace_config(**changes: object) -> AgentLoopConfig:
    from dataclasses import replace

    return replace(SHORT, **changes)  # type: ignore[arg-type]


def test_bad_values_and_copied_examples_fall_back_to_the_generators() -> None:
    seed = 4
    drawn = _drawn(seed)
    scenario = get_scenario("booking")
    assert drawn["A"] not in [dict(f) for f in scenario.roles["A"].facts]  # a generator draw
    bad = {"party": "twelve", "day": "Friday", "time": "banana bread", "note": "it is our anniversary",
           "restaurant": "Luigi's", "offer": "a {slot} table", "parking": "free on Elm Street"}
    d = generate_dialogue(Fake(bad), scenario, "b", seed, replace_config(situations="llm"))
    sources, rejects = d.meta["situation_sources"], d.meta["situation_rejects"]
    assert rejects == {"A.party": "out_of_range", "A.day": "example_copy", "A.time": "not_a_time",
                       "A.note": "example_copy", "B.restaurant": "example_copy", "B.offer": "markup"}
    for key in rejects:
        speaker, slot = key.split(".")
        assert sources[key] == "generator" and d.meta["facts"][speaker][slot] == drawn[speaker][slot]
    assert sources["B.parking"] == "llm" and d.meta["facts"]["B"]["parking"] == "free on Elm Street"


def test_all_refused_gives_the_default_dialogue_and_options_off_never_ask() -> None:
    scenario = get_scenario("booking")
    off = Fake(GOOD, " the garden\n2. the piano")
    default = generate_dialogue(off, scenario, "b", 7, SHORT)
    assert off.forms == [] and off.lists == []
    assert not {"situation_sources", "situation_rejects", "subtopics"} & set(default.meta)
    # every proposal refused: the same facts, plan and turns as with the option off (rng untouched)
    refused = generate_dialogue(Fake({}), scenario, "b", 7, replace_config(situations="llm"))
    assert refused.meta["facts"] == default.meta["facts"] and refused.meta["plan"] == default.meta["plan"]
    assert [t.text for t in refused.turns] == [t.text for t in default.turns]
    assert set(refused.meta["situation_rejects"].values()) == {"empty"}


def test_an_invented_situation_already_used_falls_back_whole() -> None:
    scenario = get_scenario("booking")
    first = generate_dialogue(Fake(GOOD), scenario, "b", 4, replace_config(situations="llm"))
    used = {situation_key(scenario, first.meta["facts"])}
    again = generate_dialogue(Fake(GOOD), scenario, "c", 5, replace_config(situations="llm"), avoid_situations=used)
    assert again.meta["situation_rejects"] == {"situation": "duplicate_situation"}
    assert again.meta["facts"] == _drawn(5) and "llm" not in again.meta["situation_sources"].values()


def test_proposed_subtopics_are_spoken_as_free_turns_before_the_closing() -> None:
    llm = Fake(topics=" the garden\n2. the old piano in the corner\n3. bike parking\n4. the garden")
    d = generate_dialogue(llm, get_scenario("booking"), "b", 4, replace_config(subtopics="llm"))
    topics = ["the garden", "the old piano in the corner", "bike parking"]  # the repeat is dropped
    assert d.meta["subtopics"] == {"source": "llm", "topics": topics}
    plan = d.meta["plan"]
    for topic in topics:
        raised = next(i for i, name in enumerate(plan) if name.startswith(f"bring up {topic}"))
        assert plan[raised + 1].startswith(f"answer about {topic}")
        assert topic in d.turns[raised].text and topic in d.turns[raised + 1].text
        assert raised < len(plan) - 3  # before the closing acts
    assert not any(n.startswith(("ask_menu", "ask_first_visit", "ask_occasion", "ask_dessert")) for n in plan)
    # the example call has no line for a free sub-topic: only its tag tells the model
    prompt = next(p for p in llm.lists)
    assert "the garden" not in prompt


@pytest.mark.parametrize("raw", ["", "\n2.\n3.", " a very long rambling sentence that goes on and on about nothing",
                                 " the menu\n2. first visit"])
def test_subtopics_that_do_not_parse_leave_the_scenarios(raw: str) -> None:
    config = replace_config(subtopics="llm", duration=80.0)
    d = generate_dialogue(Fake(topics=raw), get_scenario("booking"), "b", 4, config)
    default = generate_dialogue(Fake(), get_scenario("booking"), "b", 4, replace_config(duration=80.0))
    record = d.meta["subtopics"]
    assert record["source"] == "scenario" and record["raw"] == raw
    assert d.meta["plan"] == default.meta["plan"]  # the scenario's own plan
    own = {"ask_menu": "menu", "ask_first_visit": "first visit", "ask_occasion": "occasion", "ask_dessert": "dessert"}
    assert record["topics"] == [w for act, w in own.items() if any(act in n.split("+") for n in d.meta["plan"])]
    assert record["topics"]  # an 80 s booking plan holds at least one of them


def test_parse_topics_reads_a_list_drops_copies_and_keeps_two_to_four() -> None:
    assert parse_topics("1. the weather\n2. The weather.\n3. a new puppy (a beagle)") == ["the weather", "a new puppy"]
    assert parse_topics("- a\n- the football match") is None  # one usable item
    assert parse_topics("rain, the match, cake, trains, music") == ["rain", "the match", "cake", "trains"]
    assert parse_topics("1. menu\n2. dessert\n3. the harbour", avoid=("menu",)) == ["dessert", "the harbour"]
    assert parse_topics("1. menu\n2. dessert\n3. the harbour", avoid=("menu", "dessert")) is None


@pytest.mark.parametrize("key, value", [("situations", "invent"), ("subtopics", "yes")])
def test_a_bad_option_value_is_refused_naming_the_option(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"text\.{key} must be one of") as err:
        config_from_mapping(AgentLoopConfig, {key: value}, "text")
    assert "\n" not in str(err.value)


@pytest.fixture(scope="module")
def gemma() -> Iterator[LLM]:
    require("llama_cpp")
    from text_dialogue.llm.llamacpp import LlamaCppConfig, LlamaCppLLM

    llm = LlamaCppLLM(LlamaCppConfig(n_threads=2))
    yield llm
    llm.close()


def test_gemma_invents_a_booking_situation_whose_every_fact_passes_its_type(gemma: LLM) -> None:
    scenario = get_scenario("booking")
    config = AgentLoopConfig(duration=None, max_turns=2, max_retries=1, guided_tries=0, situations="llm",
                             critic=CriticConfig(min_dialogue_turns=2))
    d = generate_dialogue(gemma, scenario, "b", 1, config)
    sources = d.meta["situation_sources"]
    assert set(sources) == {f"{k}.{s}" for k in "AB" for s in scenario.roles[k].slot_names()}
    assert set(sources.values()) <= {"llm", "generator", "listed"}
    specs = {f"{k}.{s.name}": s for k in "AB" for s in scenario.roles[k].slots}
    for key, source in sources.items():
        speaker, slot = key.split(".")
        value = d.meta["facts"][speaker][slot]
        assert check_value(specs[key], value)[0] is not None, (key, value, source)  # generator values pass too
        if source == "llm":
            assert key not in d.meta["situation_rejects"]
        else:
            assert d.meta["situation_rejects"][key]  # why the model's value was refused
