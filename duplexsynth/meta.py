"""meta.json: what made a corpus (versions, backends, models, config, seed) and how each stage went."""

from __future__ import annotations

import json
import platform
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from corpus_core import SCHEMA_VERSION, write_json_atomic
from corpus_core.errors import ManifestError
from duplexsynth.config import RunConfig, config_to_dict

__all__ = ["package_version", "update_meta", "read_meta"]


def package_version(name: str = "duplexsynth") -> str:
    """Installed version of ``name``, or "unknown" when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def read_meta(corpus_dir: Path) -> dict[str, Any]:
    """The corpus's meta.json, or an empty dict before the first stage ran."""
    path = corpus_dir / "meta.json"
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ManifestError(f"{path}: not UTF-8 text (byte {e.start}); restore it or delete it "
                            f"(the next stage writes a new one with its config)") from None
    except json.JSONDecodeError as e:
        raise ManifestError(f"{path}:{e.lineno}: not valid JSON ({e.msg}); restore it or delete it "
                            f"(the next stage writes a new one with its config)") from None
    if not isinstance(meta, dict):
        raise ManifestError(f"{path}: expected a JSON object, found {type(meta).__name__}")
    return meta


def update_meta(corpus_dir: Path, config: RunConfig, stage: str, stage_info: dict[str, Any],
                backends: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge one stage's results into meta.json (written atomically) and return it.

    The config of the latest run is saved whole; per-stage results accumulate.
    """
    meta = read_meta(corpus_dir)
    meta.update({
        "schema_version": SCHEMA_VERSION,
        "duplexsynth": package_version(),
        "python": platform.python_version(),
        "seed": config.seed,
        "config": config_to_dict(config),
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })
    meta.setdefault("created", meta["updated"])
    meta.setdefault("stages", {})[stage] = stage_info
    if backends:
        meta.setdefault("backends", {}).update(backends)
    write_json_atomic(corpus_dir / "meta.json", meta)
    return meta
