"""Where each value of a run's config came from: default, preset, corpus, file or option."""

from __future__ import annotations

import json
from typing import Any

from corpus_core.configs import config_to_dict
from duplexsynth.config import (
    ConfigLayer,
    RunConfig,
    check_backend_options,
    config_from_mapping,
    merge_layers,
)

__all__ = ["ConfigValue", "describe_config", "format_config"]

#: (dotted key, value, source)
ConfigValue = tuple[str, Any, str]


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys for every leaf; an empty mapping is a leaf of its own."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): data}


def describe_config(layers: list[ConfigLayer]) -> tuple[RunConfig, list[ConfigValue]]:
    """The resolved config and, for every leaf value, the layer that set it last.

    Values of the corpus's saved config that equal the default count as "default";
    resolved timing fields that no layer set come from "preset <name>".
    """
    config = config_from_mapping(RunConfig, merge_layers(layers))
    check_backend_options(config)
    resolved = config_to_dict(config)
    timing = config_to_dict(config.duplex.timing_config())
    resolved["duplex"]["timing"] = timing
    final = _flatten(resolved)
    default = _flatten(config_to_dict(RunConfig()))
    sources = {key: "default" for key in final}
    for key in _flatten(timing, "duplex.timing."):
        sources[key] = f"preset {config.duplex.preset}"
    for layer in layers:
        for key, value in _flatten(layer.data).items():
            if key not in final:
                continue
            if layer.source == "corpus meta.json" and default.get(key) == value and key in default:
                continue
            sources[key] = layer.source
    return config, [(key, final[key], sources[key]) for key in final]


def format_config(values: list[ConfigValue]) -> str:
    """``key: value  # source`` lines, aligned."""
    rows = [(key, json.dumps(value, ensure_ascii=False), source) for key, value, source in values]
    width = max(len(k) + len(v) + 2 for k, v, _ in rows)
    return "\n".join(f"{f'{k}: {v}':<{width}}  # {src}" for k, v, src in rows)
