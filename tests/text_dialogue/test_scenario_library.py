"""The shipped scenario library and user-added scenario files."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus_core.errors import ConfigError
from text_dialogue.scenario import available_scenarios, get_scenario

KINDS = {"booking", "tech_support", "tutoring", "counseling", "persuasion", "sales", "job_interview",
         "chitchat", "elicitation"}


def test_library_has_every_kind_with_all_fields() -> None:
    library = available_scenarios()
    assert KINDS <= set(library)
    for scenario in library.values():
        assert scenario.goal and scenario.end_condition and scenario.setting
        assert scenario.target_turns >= 4
        for key in ("A", "B"):
            assert scenario.roles[key].role and scenario.roles[key].prompt
        labels = {line.split(":")[0] for line in scenario.example.strip().splitlines()}
        assert labels == {"A", "B"}, scenario.name


def test_elicitation_gives_facts_to_the_user_only() -> None:
    s = get_scenario("elicitation")
    assert s.roles["A"].private_knowledge and not s.roles["B"].private_knowledge


def test_user_scenario_folder_is_added_without_code(tmp_path: Path) -> None:
    (tmp_path / "dentist.yaml").write_text(
        "description: d\nsetting: A dentist's office.\ngoal: book a check-up\n"
        "roles:\n  A: {role: patient, prompt: ask}\n  B: {role: receptionist, prompt: answer}\n"
    )
    library = available_scenarios([tmp_path])
    assert library["dentist"].roles["B"].role == "receptionist"
    assert get_scenario(str(tmp_path / "dentist.yaml")).name == "dentist"


def test_bad_scenario_names_the_missing_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("description: d\nsetting: s\nroles:\n  A: {role: a, prompt: p}\n  B: {role: b, prompt: p}\n")
    with pytest.raises(ConfigError, match="goal"):
        get_scenario(str(bad))
    with pytest.raises(ConfigError, match="available"):
        get_scenario("no_such_scenario")
