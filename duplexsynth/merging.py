"""``duplexsynth merge``: join shard corpora (``generate --shard i/n``) into one corpus.

Checks that every input has this schema version and the same run config (the dialogue
count and seed included: shards of one plan share them), that no id occurs in two
inputs, then links (or copies) audio and transcripts and writes each merged manifest
atomically, its records in plan order, so the result reads like the unsharded run's.

Each shard's run screened its own dialogues for near-duplicates; merge screens across
shards: it indexes the merged dialogues in plan order and reports each one more similar
than ``text.max_similarity`` to an earlier one (meta.json ``near_duplicates``, a warning,
and the ``near_duplicates`` count). It keeps them: the records are complete, and which
to drop is the user's call (the ids are listed).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from corpus_core import (
    MANIFESTS,
    SCHEMA_VERSION,
    check_schema_version,
    inside,
    iter_jsonl,
    write_json_atomic,
)
from corpus_core.atomic import atomic_path
from corpus_core.errors import ConfigError, ManifestError
from corpus_core.layout import AUDIO_DIR, DROPPED_FILE, FAILURES_FILE, TRANSCRIPTS_DIR
from corpus_core.manifest import GROUP_END, open_text
from duplexsynth.config import RunConfig, config_from_mapping
from duplexsynth.meta import read_meta
from duplexsynth.plan import dialogue_plan
from text_dialogue.near_duplicates import NearDuplicateIndex

__all__ = ["merge_corpora"]

#: manifest file -> the field that names a record's dialogue
_KEYS = {MANIFESTS["text"]: "id", MANIFESTS["speech"]: "dialogue_id", MANIFESTS["duplex"]: "id",
         MANIFESTS["eval"]: "dialogue_id", DROPPED_FILE: "id"}
_VARIANT = re.compile(r"-v\d+$")
log = logging.getLogger(__name__)


def _check_inputs(inputs: list[Path]) -> dict[str, Any]:
    """The shared meta of ``inputs``; raises when one is no corpus or differs in version or config."""
    metas = []
    for path in inputs:
        meta = read_meta(path)
        if not meta:
            raise ConfigError(f"merge: {path} has no meta.json; give corpus folders made by duplexsynth")
        check_schema_version(meta.get("schema_version"), str(path / "meta.json"))
        metas.append(meta)
    first = metas[0].get("config")
    for path, meta in zip(inputs[1:], metas[1:]):
        if meta.get("config") != first:
            diff = sorted(k for k in set(first or {}) | set(meta.get("config") or {})
                          if (first or {}).get(k) != (meta.get("config") or {}).get(k))
            raise ConfigError(f"merge: {path} was made with another config than {inputs[0]} "
                              f"(differs in: {', '.join(diff)}); merge only shards of one run")
    return metas[0]


def _plan_order(config: dict[str, Any] | None) -> dict[str, int]:
    if not config:
        return {}
    plan = dialogue_plan(config_from_mapping(RunConfig, config))
    return {p.dialogue_id: p.index for p in plan}


def _groups(path: Path, key: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """The record groups of a manifest: consecutive lines with the same ``key`` value."""
    groups: list[tuple[str, list[dict[str, Any]]]] = []
    for _, data in iter_jsonl(path):
        rid = str(data.get(key))
        if groups and groups[-1][0] == rid:
            groups[-1][1].append(data)
        else:
            groups.append((rid, [data]))
    return groups


def _merge_manifest(name: str, inputs: list[Path], out: Path, order: dict[str, int]) -> int:
    key = _KEYS[name]
    seen: dict[str, Path] = {}
    merged: list[tuple[int, int, int, str, list[dict[str, Any]]]] = []
    for n, corpus in enumerate(inputs):
        if not (corpus / name).exists():
            continue
        for i, (rid, records) in enumerate(_groups(corpus / name, key)):
            if rid in seen and seen[rid] != corpus:
                raise ManifestError(f"merge: id {rid!r} is in {name} of both {seen[rid]} and {corpus}; "
                                    "shards of one plan never share ids")
            seen[rid] = corpus
            rank = order.get(rid, order.get(_VARIANT.sub("", rid), len(order)))
            merged.append((rank, n, i, rid, records))
    merged.sort(key=lambda g: g[:3])
    if merged:
        with atomic_path(out / name) as tmp, open_text(tmp, "w") as f:
            for _, _, _, rid, records in merged:
                f.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
                if name != DROPPED_FILE:
                    f.write(json.dumps({"type": GROUP_END, "key": rid, "lines": len(records)}) + "\n")
    return len(merged)


def _link_tree(src: Path, out: Path, rel: str) -> int:
    """Hard-link (or copy) every file under ``src/rel`` to ``out/rel``; same names must hold the same bytes."""
    count = 0
    base = src / rel
    if not base.is_dir():
        return 0
    for path in sorted(base.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        target = inside(out, path.relative_to(src))
        if target.exists():
            if target.read_bytes() != path.read_bytes():
                raise ManifestError(f"merge: {path} and {target} share a name but differ; shards clash")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:  # another file system: copy
            shutil.copy2(path, target)
        count += 1
    return count


def find_near_duplicates(dialogues: Path, threshold: float) -> list[dict[str, Any]]:
    """Each dialogue of the manifest ``dialogues`` more similar than ``threshold`` to an earlier one.

    :return: ``{"id", "similar_to", "similarity"}`` per near-duplicate, in manifest order.
    """
    index = NearDuplicateIndex(threshold)
    found = []
    for _, data in iter_jsonl(dialogues) if dialogues.exists() else ():
        if data.get("type") != "Dialogue":
            continue
        did, texts = str(data["id"]), [str(t.get("text", "")) for t in data.get("turns") or ()]
        dup = index.check_and_add(did, texts)
        if dup is not None:
            found.append({"id": did, "similar_to": dup.similar_to, "similarity": dup.similarity})
    return found


def merge_corpora(out: Path, inputs: list[Path]) -> dict[str, int]:
    """Join ``inputs`` (shard corpora of one run) into the corpus folder ``out``.

    :return: how many record groups each manifest got, how many files were linked, and
        how many dialogues are near-duplicates of a dialogue of another shard (kept, listed
        in meta.json ``near_duplicates``).
    """
    if not inputs:
        raise ConfigError("merge: give at least one input corpus")
    resolved = [p.resolve() for p in inputs]
    if out.resolve() in resolved or len(set(resolved)) != len(resolved):
        raise ConfigError("merge: OUT must be a new folder and each input given once")
    if out.exists() and any(out.iterdir()):
        raise ConfigError(f"merge: {out} is not empty; merge into a new folder")
    meta = _check_inputs(inputs)
    out.mkdir(parents=True, exist_ok=True)
    order = _plan_order(meta.get("config"))
    counts = {name: _merge_manifest(name, inputs, out, order) for name in _KEYS}
    threshold = ((meta.get("config") or {}).get("text") or {}).get("max_similarity", 0.5)
    near = find_near_duplicates(out / MANIFESTS["text"], threshold) if threshold is not None else []
    for d in near:
        log.warning("merge: %s is %.2f similar to %s (above text.max_similarity %s); kept, listed in meta.json",
                    d["id"], d["similarity"], d["similar_to"], threshold)
    counts["near_duplicates"] = len(near)
    counts["files"] = sum(_link_tree(p, out, rel) for p in inputs for rel in (AUDIO_DIR, TRANSCRIPTS_DIR))
    failures = [line for p in inputs if (p / FAILURES_FILE).exists()
                for line in (p / FAILURES_FILE).read_text(encoding="utf-8").splitlines(keepends=True)]
    if failures:
        with atomic_path(out / FAILURES_FILE) as tmp:
            tmp.write_text("".join(failures), encoding="utf-8")
    # each shard's stage figures stay apart: summing wall seconds of parallel shards would mislead
    shards = [{"corpus": str(p), "stages": read_meta(p).get("stages", {})} for p in inputs]
    write_json_atomic(out / "meta.json", {**meta, "schema_version": SCHEMA_VERSION, "stages": {},
                                          "merged_from": shards, "near_duplicates": near})
    return counts
