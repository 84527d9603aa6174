"""Exports of the duplex stage: moshi, nemo-duplex, lhotse, rttm, ctm, stm, textgrid, streams.

Every format is an :class:`Exporter` registered by name that turns Timelines into
files; ``duplexsynth.exporting.export_corpus`` streams a corpus through them.

>>> sorted(available_exporters())
['ctm', 'lhotse', 'moshi', 'nemo-duplex', 'rttm', 'stm', 'streams', 'textgrid']
"""

from duplex.exports.base import (
    AUDIO_VERSIONS,
    EXPORTERS,
    DialogueInfo,
    Exporter,
    ExportError,
    available_exporters,
    get_exporter,
    register_exporter,
    segment_words,
)
from duplex.exports.ctm import CtmConfig, CtmExporter
from duplex.exports.lhotse_manifests import LhotseConfig, LhotseExporter
from duplex.exports.moshi import MoshiConfig, MoshiExporter
from duplex.exports.nemo_duplex import NemoDuplexConfig, NemoDuplexExporter
from duplex.exports.rttm import RttmConfig, RttmExporter
from duplex.exports.stm import StmConfig, StmExporter
from duplex.exports.streams import StreamsConfig, StreamsExporter
from duplex.exports.textgrid import TextGridConfig, TextGridExporter

__all__ = [
    "AUDIO_VERSIONS",
    "EXPORTERS",
    "DialogueInfo",
    "ExportError",
    "Exporter",
    "available_exporters",
    "get_exporter",
    "register_exporter",
    "segment_words",
    "CtmConfig",
    "CtmExporter",
    "LhotseConfig",
    "LhotseExporter",
    "MoshiConfig",
    "MoshiExporter",
    "NemoDuplexConfig",
    "NemoDuplexExporter",
    "RttmConfig",
    "RttmExporter",
    "StmConfig",
    "StmExporter",
    "StreamsConfig",
    "StreamsExporter",
    "TextGridConfig",
    "TextGridExporter",
]
