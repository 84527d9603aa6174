"""Exports of the duplex stage: moshi, lhotse, rttm, ctm, stm, textgrid, streams.

Every format is an :class:`Exporter` registered by name; :func:`export_corpus` streams
a corpus's ``timelines.jsonl`` through the ones asked for and writes each to
``<corpus>/exports/<format>/``.

>>> sorted(available_exporters())
['ctm', 'lhotse', 'moshi', 'rttm', 'stm', 'streams', 'textgrid']
"""

from duplex.exports.base import (
    EXPORTERS,
    ExportError,
    Exporter,
    available_exporters,
    get_exporter,
    register_exporter,
    segment_words,
)
from duplex.exports.ctm import CtmConfig, CtmExporter
from duplex.exports.lhotse_manifests import LhotseConfig, LhotseExporter
from duplex.exports.moshi import MoshiConfig, MoshiExporter
from duplex.exports.rttm import RttmConfig, RttmExporter
from duplex.exports.run import count_dialogues, export_corpus, read_timelines, resolve_formats
from duplex.exports.stm import StmConfig, StmExporter
from duplex.exports.streams import StreamsConfig, StreamsExporter
from duplex.exports.textgrid import TextGridConfig, TextGridExporter

__all__ = [
    "EXPORTERS",
    "ExportError",
    "Exporter",
    "available_exporters",
    "get_exporter",
    "register_exporter",
    "segment_words",
    "export_corpus",
    "count_dialogues",
    "read_timelines",
    "resolve_formats",
    "CtmConfig",
    "CtmExporter",
    "LhotseConfig",
    "LhotseExporter",
    "MoshiConfig",
    "MoshiExporter",
    "RttmConfig",
    "RttmExporter",
    "StmConfig",
    "StmExporter",
    "StreamsConfig",
    "StreamsExporter",
    "TextGridConfig",
    "TextGridExporter",
]
