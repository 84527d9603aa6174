"""One checker for configs and records: tuple items, fixed lengths, unions, Literal (issue 27)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest

from corpus_core import ManifestError, read_manifest
from corpus_core.configs import config_from_mapping
from corpus_core.errors import ConfigError
from corpus_core.record import Record
from corpus_core.structure import StructureError, structure
from duplex.acoustics.config import NoiseConfig, RoomConfig
from text_dialogue.records import Dialogue


@dataclass(frozen=True)
class _Pick:
    """A config with the annotations the old checkers got wrong."""

    mode: Literal["fast", "slow"] = "fast"
    limit: int | str = 3
    spans: tuple[tuple[float, float], ...] = ()
    names: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Pair(Record):
    """A record with a mixed fixed tuple, as the old record checker read only its first type."""

    id: str
    ipus: tuple[int, float]
    note: str | None = None


def test_words_inside_a_fixed_tuple_name_the_item() -> None:
    with pytest.raises(ConfigError, match=r"^config duplex\.acoustics\.noise\.snr_db\[0\]: expected float, got 'ten'$"):
        config_from_mapping(NoiseConfig, {"snr_db": ["ten", "x"]}, "duplex.acoustics.noise")


def test_a_fixed_tuple_needs_all_its_items() -> None:
    with pytest.raises(ConfigError, match=r"room\.size_min: expected 3 items \(tuple\[float, float, float\]\), found 1"):
        config_from_mapping(RoomConfig, {"size_min": [1]}, "room")


def test_a_lone_number_is_not_a_range() -> None:
    with pytest.raises(ConfigError, match=r"config snr_db: expected tuple\[float, float\], got 5$"):
        config_from_mapping(NoiseConfig, {"snr_db": 5})


def test_ints_in_a_range_become_floats_and_a_lone_value_fills_a_variadic_tuple() -> None:
    noise = config_from_mapping(NoiseConfig, {"snr_db": [5, 15], "folders": "/data/noise"})
    assert noise.snr_db == (5.0, 15.0) and all(type(v) is float for v in noise.snr_db)
    assert noise.folders == ("/data/noise",)


def test_a_union_tries_every_member_in_order() -> None:
    assert config_from_mapping(_Pick, {"limit": 7}).limit == 7
    assert config_from_mapping(_Pick, {"limit": "all"}).limit == "all"
    with pytest.raises(ConfigError, match=r"config limit: expected int \| str, got 2\.5"):
        config_from_mapping(_Pick, {"limit": 2.5})
    with pytest.raises(ConfigError, match=r"limit: expected int \| str, got True"):
        config_from_mapping(_Pick, {"limit": True})  # a bool is no int here


def test_a_literal_takes_only_its_values() -> None:
    assert config_from_mapping(_Pick, {"mode": "slow"}).mode == "slow"
    with pytest.raises(ConfigError, match=r"config mode: expected one of 'fast', 'slow', found 'medium'"):
        config_from_mapping(_Pick, {"mode": "medium"})


def test_nested_tuples_lists_and_dicts_are_checked_item_by_item() -> None:
    pick = config_from_mapping(_Pick, {"spans": [[0, 1.5], [2, 3]], "names": ["a"], "weights": {"a": 1}})
    assert pick.spans == ((0.0, 1.5), (2.0, 3.0)) and pick.names == ["a"] and pick.weights == {"a": 1.0}
    with pytest.raises(ConfigError, match=r"spans\[1\]\[1\]: expected float, got None"):
        config_from_mapping(_Pick, {"spans": [[0, 1], [2, None]]})
    with pytest.raises(ConfigError, match=r"weights\.b: expected float, got 'heavy'"):
        config_from_mapping(_Pick, {"weights": {"a": 1, "b": "heavy"}})
    with pytest.raises(ConfigError, match=r"names\[0\]: expected str, got 3"):
        config_from_mapping(_Pick, {"names": [3]})


def test_a_record_checks_every_item_of_a_mixed_tuple() -> None:
    assert _Pair.from_dict({"id": "x", "ipus": [3, 1]}) == _Pair("x", (3, 1.0))
    with pytest.raises(ManifestError, match=r"^field ipus\[1\]: expected a number, found str 'long'$"):
        _Pair.from_dict({"type": "_Pair", "id": "x", "ipus": [3, "long"]})
    with pytest.raises(ManifestError, match=r"^field ipus\[0\]: expected an integer, found float 2\.5$"):
        _Pair.from_dict({"id": "x", "ipus": [2.5, 1.0]})
    with pytest.raises(ManifestError, match=r"field ipus: expected 2 items"):
        _Pair.from_dict({"id": "x", "ipus": [1, 2, 3]})


def test_a_manifest_line_names_file_line_and_the_nested_field(tmp_path: Path) -> None:
    good = {"type": "Dialogue", "id": "d1", "turns": [{"type": "Turn", "index": 0, "speaker": "A", "text": "Hi."}]}
    bad = {**good, "id": "d2", "turns": [{"type": "Turn", "index": 0, "speaker": "A", "text": "Hi.",
                                          "disfluencies": [{"kind": "filler"}, "um"]}]}
    path = tmp_path / "dialogues.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ManifestError) as caught:
        list(read_manifest(path, Dialogue))
    message = str(caught.value)
    assert "\n" not in message
    assert message == f"{path}:2: field turns[0].disfluencies[1]: expected an object, found str 'um'"


def test_structure_error_keeps_the_path_and_value() -> None:
    with pytest.raises(StructureError) as caught:
        structure(dict[str, tuple[int, ...]], {"a": [1, 2], "b": [1, "2"]})
    error: Any = caught.value
    assert error.path() == "b[1]" and error.value == "2"
