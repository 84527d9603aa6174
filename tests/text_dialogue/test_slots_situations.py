"""Slot schemas: typed generators, refusals when read, unique situations in the plan, personas."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from corpus_core.errors import ConfigError
from text_dialogue.content import normalize_text
from text_dialogue.personas import sample_persona
from text_dialogue.scenario import get_scenario, load_scenario
from text_dialogue.slots import draw_slot, parse_slot

W = "x.yaml roles.A"
NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}


def test_a_time_reads_as_a_time_and_a_count_is_in_range() -> None:
    time = parse_slot("time", {"type": "time", "from": "17:00", "to": "21:30", "step": 15}, W)
    count = parse_slot("party", {"type": "count", "min": 2, "max": 4, "style": "digits"}, W)
    price = parse_slot("price", {"type": "price", "min": 10, "max": 50}, W)
    for seed in range(200):
        rng = random.Random(seed)
        words = normalize_text(draw_slot(time, rng)["time"]).split()
        assert words[0] in NUMBER_WORDS | {"half", "quarter"}, words
        assert 2 <= int(draw_slot(count, rng)["party"]) <= 4
        value = draw_slot(price, rng)["price"]
        assert value.startswith("$") and 10 <= int(value[1:]) <= 50
        digits = draw_slot(parse_slot("t", {"type": "time", "style": "digits"}, W), rng)["t"]
        assert digits.endswith(("am", "pm"))


@pytest.mark.parametrize("raw, message", [
    ({"type": "colour"}, "unknown type 'colour'"),
    ({"type": "count", "min": 5, "max": 2}, "empty range: min 5 > max 2"),
    ({"type": "choice", "options": []}, "options must be a non-empty list"),
    ({"type": "day", "currency": "USD"}, "option 'currency' does not apply to type day"),
])
def test_a_bad_slot_is_refused_when_read(tmp_path: Path, raw: dict, message: str) -> None:
    text = Path(get_scenario("booking").source).read_text()
    bad = text.replace("      party: {type: count, min: 2, max: 9}", f"      party: {raw}".replace("'", '"'))
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    with pytest.raises(ConfigError) as e:
        load_scenario(path)
    assert str(path) in str(e.value) and "slot 'party'" in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_listed_facts_stay_one_choice() -> None:
    booking = get_scenario("booking")
    from text_dialogue.scenario import draw_facts

    hosts = [draw_facts(booking, "B", random.Random(s))[0]["restaurant"] for s in range(300)]
    listed = {f["restaurant"] for f in booking.roles["B"].facts}
    assert 0 < sum(h in listed for h in hosts) < 90
    assert len(set(hosts)) > 150


def test_personas_vary_and_are_seeded() -> None:
    names = {sample_persona(random.Random(s), "caller").name for s in range(1000)}
    assert len(names) >= 500
    assert sample_persona(random.Random(7), "x") == sample_persona(random.Random(7), "x")
    p = sample_persona(random.Random(1), "student", {"age": {"min": 12, "max": 15}, "age_band": ["young"]})
    assert 12 <= p.age <= 15 and p.occupation and p.background


def test_plan_situations_are_unique_and_the_same_in_every_shard() -> None:
    from duplexsynth.config import RunConfig
    from duplexsynth.plan import Shard, dialogue_plan, planned_situation

    cfg = RunConfig(seed=3, dialogues=1000, scenarios=("booking", "tech_support"))
    plan = dialogue_plan(cfg)
    keys = [planned_situation(get_scenario(p.scenario), p.seed) for p in plan]
    assert len(set(keys)) == 1000
    shards = [p for i in range(4) for p in dialogue_plan(cfg, Shard(i, 4))]
    assert sorted(shards, key=lambda p: p.index) == plan
    assert dialogue_plan(RunConfig(seed=3, dialogues=1000, scenarios=("booking", "tech_support"))) == plan
