"""duplexsynth: spoken-dialogue corpora from agent-pair LLM dialogues, TTS and duplex timelines.

The glue package: corpus I/O, run config, pipeline and CLI. The stages live in the
top-level packages ``text_dialogue``, ``speech``, ``duplex`` and ``eval``.
"""

from corpus_core import ManifestWriter, read_manifest
from duplexsynth.config import BackendSpec, RunConfig, load_config
from duplexsynth.pipeline import run_duplex, run_eval, run_speech, run_text

__all__ = [
    "BackendSpec", "RunConfig", "load_config", "ManifestWriter", "read_manifest",
    "run_text", "run_speech", "run_duplex", "run_eval",
]
