"""Data flows one way: each package imports only the ground floor and earlier stages."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["corpus_core", "text_dialogue", "speech", "duplex", "eval", "duplexsynth"]


def test_no_package_imports_a_later_one() -> None:
    problems = []
    for rank, package in enumerate(ORDER):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in ORDER and ORDER.index(top) > rank:
                        problems.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not problems, "\n".join(problems)


def test_the_ground_floor_imports_no_stage() -> None:
    for path in sorted((ROOT / "corpus_core").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for stage in ORDER[1:]:
            assert f"from {stage}" not in text and f"import {stage}" not in text, (path, stage)
