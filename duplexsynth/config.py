"""The run configuration: typed dataclasses, loadable from YAML or TOML, saved whole.

Every section is the config dataclass of its stage; :func:`config_from_mapping`
builds nested dataclasses from plain mappings and names any unknown key by its path.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus_core.configs import config_from_mapping, config_to_dict, read_data_file
from corpus_core.errors import ConfigError
from duplex.build import DuplexConfig
from eval.evaluate import EvalConfig
from speech.corpus_casting import CastingConfig
from speech.synthesize import SpeechConfig
from text_dialogue.agents import AgentLoopConfig

__all__ = ["BackendSpec", "RunConfig", "ConfigLayer", "load_config", "config_layers", "merge_layers",
           "check_backend_options", "read_config_file", "upgrade_saved_config", "config_from_mapping", "config_to_dict"]

@dataclass(frozen=True)
class BackendSpec:
    """A backend by registry name plus the fields of its config dataclass."""

    #: registry name; ``None`` = the stage's default (or its environment override)
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunConfig:
    """Everything one corpus run needs; saved into meta.json."""

    #: master seed; each dialogue derives its own seed from it and its index
    seed: int = 0
    #: how many text dialogues ``generate``/``text`` writes
    dialogues: int = 3
    #: scenario names or YAML paths, used round-robin; empty = every shipped scenario
    scenarios: tuple[str, ...] = ()
    llm: BackendSpec = field(default_factory=BackendSpec)
    text: AgentLoopConfig = field(default_factory=AgentLoopConfig)
    #: extra voice bank YAML files added to the shipped bank
    voice_banks: tuple[str, ...] = ()
    #: restrict casting to these voice ids (empty = the whole bank)
    voices: tuple[str, ...] = ()
    #: cast every voice of these TTS backends (empty = the default cast: the bank's voices with
    #: ``cast`` true whose backend is installed; pitch-shifted joes and espeak are off it)
    cast_backends: tuple[str, ...] = ()
    #: voice casts per text dialogue (data augmentation)
    variants: int = 1
    #: corpus-wide casting: a cap on each voice's uses (spreads a multi-speaker bank)
    casting: CastingConfig = field(default_factory=CastingConfig)
    #: cast pairs far apart by speaker embedding (each voice speaks two sentences once to be embedded)
    cast_by_embedding: bool = False
    #: TTS backend name -> options of its config dataclass
    tts: dict[str, dict[str, Any]] = field(default_factory=dict)
    speech: SpeechConfig = field(default_factory=SpeechConfig)
    duplex: DuplexConfig = field(default_factory=DuplexConfig)
    asr: BackendSpec = field(default_factory=BackendSpec)
    eval: EvalConfig = field(default_factory=EvalConfig)
    #: Ray cluster for ``generate --executor ray`` (``None`` = ``RAY_ADDRESS``, else a local one)
    ray_address: str | None = None


#: run-config keys that hold a :class:`BackendSpec`, and the registry each one names
BACKEND_KEYS = ("llm", "asr")


def read_config_file(path: str | Path | None) -> dict[str, Any]:
    """The mapping in a YAML or TOML config file (``{}`` for none)."""
    if path is None:
        return {}
    data = read_data_file(path, "config") or {}
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a mapping at the top level")
    return data


def _spec_name(spec: Any) -> Any:
    return spec.get("name") if isinstance(spec, dict) else None


def _merge(base: dict[str, Any], update: dict[str, Any], keep_backend_options: bool = False) -> dict[str, Any]:
    """``update`` over ``base``, mapping by mapping (a nested key replaces only itself).

    A backend spec (``llm``, ``asr``) that names another backend replaces the old spec
    whole, so options of one backend never leak into another; with
    ``keep_backend_options`` (a bare ``--llm NAME``) the old options stay and are
    checked against the new backend by :func:`check_backend_options`.
    """
    out = dict(base)
    for key, value in update.items():
        old = out.get(key)
        if (key in BACKEND_KEYS and not keep_backend_options and isinstance(old, dict) and isinstance(value, dict)
                and value.get("name") not in (None, _spec_name(old))):
            out[key] = value
        elif isinstance(value, dict) and isinstance(old, dict):
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class ConfigLayer:
    """One source of config values, in the order they apply."""

    #: where the values come from, as ``config show`` prints it
    source: str
    data: dict[str, Any]
    #: a bare backend name on the command line keeps the options set before it
    keep_backend_options: bool = False


def config_layers(path: str | Path | None, overrides: dict[str, Any] | None = None,
                  base: dict[str, Any] | None = None) -> list[ConfigLayer]:
    """The layers a run's config is made of: the corpus's saved config, the file, the options.

    :param overrides: command-line values (``None`` values are left out); ``llm``/``asr``
        may be a bare backend name.
    """
    options = {k: v for k, v in (overrides or {}).items() if v is not None}
    for key in BACKEND_KEYS:
        if isinstance(options.get(key), str):
            options[key] = {"name": options[key]}
    return [ConfigLayer("corpus meta.json", base or {}), ConfigLayer(f"file {path}", read_config_file(path)),
            ConfigLayer("option", options, keep_backend_options=True)]


def merge_layers(layers: list[ConfigLayer]) -> dict[str, Any]:
    """All layers merged into one mapping, later ones winning."""
    data: dict[str, Any] = {}
    for layer in layers:
        data = _merge(data, layer.data, layer.keep_backend_options)
    return data


def check_backend_options(config: RunConfig) -> None:
    """Refuse backend options that the named backend does not take, before any work starts.

    :raises ConfigError: naming the key, the backend and its real options.
    """
    import duplexsynth.backends  # noqa: F401  (registers every backend name)
    from corpus_core.registry import Registry
    from eval.asr.base import ASR_BACKENDS
    from speech.tts.base import TTS_BACKENDS
    from text_dialogue.llm.base import LLM_BACKENDS

    def check(where: str, registry: Registry, name: str | None, options: dict[str, Any]) -> None:
        cls = registry.get_class(name)
        known = {f.name for f in dataclasses.fields(cls.config_type)}  # type: ignore[attr-defined]
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(
                f"config {where}: backend {cls.name!r} takes no option(s) {unknown} "  # type: ignore[attr-defined]
                f"(its options: {sorted(known)}); remove them, or name the backend they belong to"
            )

    check("llm.options", LLM_BACKENDS, config.llm.name, config.llm.options)
    check("asr.options", ASR_BACKENDS, config.asr.name, config.asr.options)
    for name, options in config.tts.items():
        check(f"tts.{name}", TTS_BACKENDS, name, options)


#: keys that older versions saved and that no longer exist (dotted path -> why)
REMOVED_KEYS = {
    "text.params.seed": "the agent loop draws a seed per turn",
    "text.params.stop": "the agent loop sets stop sequences per turn",
    "eval.wer_threshold": "turns are flagged with eval.gate.wer_threshold",
}


def upgrade_saved_config(saved: dict[str, Any], where: str) -> dict[str, Any]:
    """A config saved by an older duplexsynth, converted to today's keys (with a warning).

    Removed keys are dropped; a timing section saved as resolved values (every field)
    becomes the fields that differ from its preset, so the preset can be switched cleanly.
    """
    import copy
    import logging

    from duplex.presets import PRESETS

    saved = copy.deepcopy(saved)
    changed = []
    for dotted in REMOVED_KEYS:
        *parents, leaf = dotted.split(".")
        node: Any = saved
        for key in parents:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and leaf in node:
            del node[leaf]
            changed.append(dotted)
    duplex = saved.get("duplex")
    if isinstance(duplex, dict) and isinstance(duplex.get("timing"), dict):
        preset = PRESETS.get(duplex.get("preset", "telephone"))
        timing = duplex["timing"]
        fields = {f.name for f in dataclasses.fields(preset)} if preset is not None else set()
        # the old format saved every field of its day (newer fields are missing); overrides are few
        if preset is not None and set(timing) <= fields and len(timing) > len(fields) // 2:
            duplex["timing"] = {k: v for k, v in timing.items() if getattr(preset, k) != v}
            changed.append("duplex.timing")
    if changed:
        logging.getLogger(__name__).warning("%s: converted a config saved by an older duplexsynth (%s)",
                                            where, ", ".join(changed))
    return saved


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None,
                base: dict[str, Any] | None = None) -> RunConfig:
    """Read a YAML or TOML config file (or none) and apply command-line overrides.

    :param base: a saved config (a corpus's meta.json ``config``) that the file and the
        overrides update, so later stages of a corpus run with the settings it was made with.
    :raises ConfigError: for an unknown key, a wrong type, or options a backend does not take.
    """
    try:
        config = config_from_mapping(RunConfig, merge_layers(config_layers(path, overrides, base)))
    except ConfigError as e:  # name the file, so the one error line says where to look
        raise ConfigError(f"{path}: {e}" if path is not None and str(path) not in str(e) else str(e)) from None
    check_backend_options(config)
    return config
