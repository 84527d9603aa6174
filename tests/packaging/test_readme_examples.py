"""The README's config example is a config that loads (it is what users copy first)."""

from __future__ import annotations

import re
from pathlib import Path

from duplexsynth.config import load_config

ROOT = Path(__file__).resolve().parents[2]


def test_every_yaml_block_of_the_readme_loads_as_a_run_config(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    for i, block in enumerate(blocks):
        path = tmp_path / f"readme-{i}.yaml"
        path.write_text(block, encoding="utf-8")
        load_config(path)  # raises ConfigError naming the key when the README drifts from the code
