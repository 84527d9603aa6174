"""The ground floor every stage stands on.

Record base, JSONL manifests, the corpus folder layout and its lock, atomic writes,
the id sanitizer, the error hierarchy, the backend registry, model cache paths and
seeding. It imports no stage; every stage and the ``duplexsynth`` glue import it.
"""

from corpus_core.atomic import (
    atomic_path,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)
from corpus_core.cache import assemble_once, cache_dir
from corpus_core.errors import (
    BackendError,
    ConfigError,
    DuplexsynthError,
    GenerationError,
    ManifestError,
    MissingDependency,
    UnknownBackend,
)
from corpus_core.ids import sanitize_id
from corpus_core.layout import MANIFESTS, inside
from corpus_core.lock import CorpusLock, CorpusLocked
from corpus_core.manifest import (
    SCHEMA_VERSION,
    ManifestWriter,
    check_schema_version,
    iter_groups,
    iter_jsonl,
    read_manifest,
    rewrite_manifest,
)
from corpus_core.record import Record, record_types
from corpus_core.registry import Registry
from corpus_core.seeding import make_np_rng, make_rng, stable_seed

__all__ = [
    "atomic_path", "write_bytes_atomic", "write_json_atomic", "write_text_atomic", "assemble_once", "cache_dir",
    "BackendError", "ConfigError", "DuplexsynthError", "GenerationError", "ManifestError", "MissingDependency",
    "UnknownBackend", "sanitize_id", "MANIFESTS", "inside", "CorpusLock", "CorpusLocked", "SCHEMA_VERSION",
    "ManifestWriter", "check_schema_version", "iter_groups", "iter_jsonl", "read_manifest", "rewrite_manifest", "Record",
    "record_types", "Registry", "make_np_rng", "make_rng", "stable_seed",
]
