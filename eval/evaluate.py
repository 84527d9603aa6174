"""The ASR round trip and the per-dialogue metrics.

For each dialogue: transcribe each channel with word timestamps, assign words to the
timeline's segments by aligning them to the segments' words (:mod:`eval.words`) and score
them (WER/CER with jiwer; backchannels apart, as recall); transcribe
the mono mix for cpWER; embed each turn for speaker similarity; and measure
turn-taking events from each channel's voice activity.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from corpus_core.errors import ConfigError
from duplex.records import Timeline
from eval.asr.base import ASR, ASR_SAMPLING_RATE
from eval.backchannel_recall import backchannel_recall, mark_heard
from eval.cpwer import mono_cpwer
from eval.gate import GateConfig, flag_segments, share_above
from eval.normalize import FILLER_WORDS, normalize_text
from eval.records import DialogueEval, TurnEval
from eval.regions import (
    RegionConfig,
    pack_regions,
    speech_regions,
    unheard_regions,
    unpack_words,
)
from eval.speaker_similarity import (
    SpeakerEncoder,
    SpeakerSimilarityConfig,
    speaker_similarity,
)
from eval.turn_taking import TurnTakingConfig, measure_turn_taking
from eval.vad import VAD, VADConfig, get_vad
from eval.wer import char_errors, word_errors
from eval.words import assign_words, join_words
from speech.audio import resample
from speech.records import Word

log = logging.getLogger(__name__)

__all__ = ["EvalConfig", "EvalTools", "load_eval_tools", "evaluate_timeline", "transcribe_channels", "summarize"]


@dataclass(frozen=True)
class EvalConfig:
    """Options of the eval stage."""

    #: a word belongs to the segment its midpoint lies in, or to one this close (s)
    assign_tolerance: float = 0.3
    #: transcribe only each channel's speech regions (timeline segments plus margins),
    #: packed and batched; False transcribes both whole channels, silence included
    speech_only: bool = True
    #: margins, gaps and chunk length of the speech-only pass
    regions: RegionConfig = field(default_factory=RegionConfig)
    #: transcribe the mono mix too and score it with cpWER (one more ASR pass; it measures
    #: how well both voices come through one channel, crosstalk included)
    cpwer: bool = False
    #: embed each turn with resemblyzer for speaker consistency and distinctness
    speaker_similarity: bool = True
    #: measure turn-taking events from voice activity on each channel
    turn_taking: bool = True
    #: VAD backend for turn-taking: "silero" (default) or "energy"
    vad: str = "silero"
    vad_options: VADConfig = field(default_factory=VADConfig)
    turn_taking_options: TurnTakingConfig = field(default_factory=TurnTakingConfig)
    similarity_options: SpeakerSimilarityConfig = field(default_factory=SpeakerSimilarityConfig)
    #: what the pipeline does with dialogues whose turns fail the WER gate
    gate: GateConfig = field(default_factory=GateConfig)
    #: the stereo file ASR and the metrics run on: "clean" or "degraded" (acoustic conditions)
    audio: str = "clean"

    def __post_init__(self) -> None:
        if self.audio not in ("clean", "degraded"):
            raise ConfigError(f"eval.audio must be 'clean' or 'degraded', got {self.audio!r}")


@dataclass
class EvalTools:
    """Models the metrics need, loaded once per process (``None`` = metric off)."""

    vad: VAD | None = None
    encoder: SpeakerEncoder | None = None


@lru_cache(maxsize=4)
def _cached_tools(vad_name: str, vad_options: VADConfig, want_vad: bool, want_encoder: bool) -> EvalTools:
    return EvalTools(
        vad=get_vad(vad_name, vars(vad_options).copy()) if want_vad else None,
        encoder=SpeakerEncoder() if want_encoder else None,
    )


def load_eval_tools(config: EvalConfig) -> EvalTools:
    """The VAD and speaker encoder ``config`` asks for, built once per process and reused."""
    return _cached_tools(config.vad, config.vad_options, config.turn_taking, config.speaker_similarity)


def _score_channel(timeline: Timeline, channel: int, words: list[Word], config: EvalConfig) -> list[TurnEval]:
    segments = timeline.channel_segments(channel)
    out = []
    for seg, seg_words in zip(segments, assign_words(words, segments, config.assign_tolerance)):
        hyp = join_words(seg_words)
        bc = seg.kind == "backchannel"
        we, ce = word_errors(seg.text, hyp, backchannel=bc), char_errors(seg.text, hyp)
        out.append(TurnEval(
            dialogue_id=timeline.id, channel=channel, speaker=seg.speaker, turn_index=seg.turn_index,
            kind=seg.kind, start=seg.start, end=seg.end, reference=seg.text, hypothesis=hyp,
            wer=round(we.rate, 4), cer=round(ce.rate, 4), ref_words=we.ref_len, errors=we.errors,
            words=tuple(seg_words),
        ))
    return out


def evaluate_timeline(
    timeline: Timeline, stereo: np.ndarray, asr: ASR, config: EvalConfig = EvalConfig(),
    tools: EvalTools | None = None,
) -> tuple[list[TurnEval], DialogueEval]:
    """Transcribe both channels of ``stereo``, score every segment and add dialogue metrics.

    :param stereo: ``(num_samples, 2)`` float audio at ``timeline.sampling_rate``.
    :param tools: preloaded VAD/encoder; ``None`` loads them once per process.
    :return: one :class:`TurnEval` per segment and the dialogue's :class:`DialogueEval`
        (its ``metrics`` hold cpWER, speaker similarity and turn-taking statistics).
    """
    if stereo.ndim != 2 or stereo.shape[1] != 2:
        raise ValueError(f"dialogue {timeline.id}: expected stereo audio (num_samples, 2), got {stereo.shape}")
    tools = tools or load_eval_tools(config)
    sr = timeline.sampling_rate
    words = transcribe_channels(timeline, stereo, asr, config)
    turn_evals: list[TurnEval] = []
    for channel in (0, 1):
        turn_evals += _score_channel(timeline, channel, words[channel], config)
    turn_evals = flag_segments(turn_evals, config.gate)
    summary = summarize(timeline, turn_evals, config.gate.wer_threshold, config.gate.per)
    metrics = dict(summary.metrics)
    if config.cpwer:
        mono = resample(np.ascontiguousarray(stereo.mean(axis=1)), sr, ASR_SAMPLING_RATE)
        if config.speech_only:
            regions = speech_regions(timeline.segments, None, len(mono) / ASR_SAMPLING_RATE, config.regions)
            packed = pack_regions([mono], regions, ASR_SAMPLING_RATE, config.regions)
            mono_words = unpack_words(asr.transcribe_chunks(packed.samples, packed.chunks), packed).get(0, [])
        else:
            mono_words = asr.transcribe(mono)
        metrics["cpwer"] = mono_cpwer(timeline, mono_words, config.assign_tolerance).to_dict()
    if config.speaker_similarity and tools.encoder is not None:
        metrics["speaker_similarity"] = speaker_similarity(timeline, stereo, tools.encoder, config.similarity_options)
    spans = None
    if config.turn_taking and tools.vad is not None:
        stats = measure_turn_taking(stereo, sr, tools.vad, config.turn_taking_options, (words[0], words[1]))
        metrics["turn_taking"] = stats.to_dict()
        metrics["turn_taking_summary"] = stats.summary()
        spans = stats.ipu_spans
    turn_evals = mark_heard(turn_evals, spans)
    metrics["backchannels"] = backchannel_recall(turn_evals)
    return turn_evals, DialogueEval(**{**summary.__dict__, "metrics": metrics})


def transcribe_channels(timeline: Timeline, stereo: np.ndarray, asr: ASR, config: EvalConfig) -> dict[int, list[Word]]:
    """ASR words of each channel, in dialogue time.

    With ``config.speech_only`` the speech regions of both channels go through one
    batched call (:mod:`eval.regions`); otherwise each whole channel is transcribed.
    """
    sr = timeline.sampling_rate
    channels = [resample(np.ascontiguousarray(stereo[:, c]), sr, ASR_SAMPLING_RATE) for c in (0, 1)]
    if not config.speech_only:
        return {c: asr.transcribe(channels[c]) for c in (0, 1)}
    total = len(channels[0]) / ASR_SAMPLING_RATE
    regions = [r for c in (0, 1) for r in speech_regions(timeline.segments, c, total, config.regions)]
    packed = pack_regions(channels, regions, ASR_SAMPLING_RATE, config.regions)
    heard = asr.transcribe_chunks(packed.samples, packed.chunks)
    words = unpack_words(heard, packed)
    # a region with a turn in it that came back empty (the decoder ended its chunk early):
    # transcribe those regions again, packed on their own
    turns = [s for s in timeline.segments if s.kind == "turn"]
    again = [r for r in unheard_regions(heard, packed)
             if any(s.channel == r.channel and s.start < r.end and s.end > r.start for s in turns)]
    if again:
        repacked = pack_regions(channels, again, ASR_SAMPLING_RATE, config.regions)
        for c, extra in unpack_words(asr.transcribe_chunks(repacked.samples, repacked.chunks), repacked).items():
            words[c] = sorted([*words.get(c, []), *extra], key=lambda w: (w.start, w.end))
        log.info("eval: %s: %d region(s) the ASR returned nothing for, transcribed again", timeline.id, len(again))
    return {c: words.get(c, []) for c in (0, 1)}


def _pooled(evals: list[TurnEval]) -> float:
    ref = sum(e.ref_words for e in evals)
    return round(sum(e.errors for e in evals) / ref, 4) if ref else 0.0


def _fillers(texts: list[str]) -> int:
    return sum(w in FILLER_WORDS for t in texts for w in normalize_text(t, keep_fillers=True).split())


def summarize(timeline: Timeline, turn_evals: list[TurnEval], wer_threshold: float = 0.3,
              per: str = "turn") -> DialogueEval:
    """Pooled WER/CER of a dialogue (turn segments only; backchannels are scored apart)."""
    turns = [e for e in turn_evals if e.kind == "turn"]
    chars = [char_errors(e.reference, e.hypothesis) for e in turns]
    char_ref = sum(c.ref_len for c in chars)
    return DialogueEval(
        dialogue_id=timeline.id, wer=_pooled(turns),
        cer=round(sum(c.errors for c in chars) / char_ref, 4) if char_ref else 0.0,
        ref_words=sum(e.ref_words for e in turns), errors=sum(e.errors for e in turns),
        channel_wer={sp: _pooled([e for e in turns if e.speaker == sp]) for sp in ("A", "B")},
        num_turns=len(turns), duration=timeline.duration,
        metrics={
            "backchannel_wer": _pooled([e for e in turn_evals if e.kind == "backchannel"]),
            "num_backchannels": sum(e.kind == "backchannel" for e in turn_evals),
            "share_above_threshold": round(share_above(turn_evals, wer_threshold, per), 4),
            "wer_threshold": wer_threshold,
            # hesitations are not content words: counted apart, never in WER
            "fillers": {"reference": _fillers([e.reference for e in turns]),
                        "hypothesis": _fillers([e.hypothesis for e in turns])},
        },
    )
