"""The turn-taking model's parameters and its random draws.

Every number a duplex timeline depends on lives in :class:`TimingConfig`; the
defaults are the "telephone" preset and come from docs/reference_stats.md:

* floor-transfer offsets (FTO = next start - previous end; negative = overlap)
  ~ Normal(+200 ms, 400 ms) clipped to [-1.0, +2.5] s;
* pauses inside a turn ~ log-normal, median 500 ms, at least 200 ms;
* each dialogue draws its own tempo: ``fto_mean`` + N(0, 100 ms), ``pause_median`` x a
  log-normal factor (sigma 0.2), as dyads differ;
* backchannels about one per 12 s of partner speech, 0.2-0.7 s long, at least
  700 ms into a turn, onset -500..+300 ms around the partner's pause onset (a backchannel
  may overlap the end of the partner's phrase, so overlap grows with the partner's speech);
* interruptions in 3 % of speaker changes, 0.3-1.0 s of overlap, then a fade.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from speech.backchannel_speech import FORM_WEIGHTS
from speech.records import Word

__all__ = ["TimingConfig", "draw_dialogue_timing", "draw_fto", "draw_pause", "estimate_words"]


@dataclass(frozen=True)
class TimingConfig:
    """Parameters of the turn-taking model (times in seconds)."""

    # --- floor transfers -------------------------------------------------------
    #: mean of the floor-transfer offset (next start - previous end)
    fto_mean: float = 0.2
    #: standard deviation of the floor-transfer offset
    fto_std: float = 0.4
    #: lower clip of the floor-transfer offset (the longest overlap)
    fto_min: float = -1.0
    #: upper clip of the floor-transfer offset (the longest gap)
    fto_max: float = 2.5
    #: an overlap never covers more than this share of the overlapped stretches
    max_overlap_share: float = 0.4
    # --- timing that follows content (duplex/content_timing.py) ---------------------
    #: added to the FTO after a question (answers come faster); 0 turns the rule off
    fto_question_shift: float = -0.2
    #: added to the FTO before a dispreferred response ("no", "sorry", "unfortunately"); 0 = off
    fto_dispreferred_shift: float = 0.55
    #: a dispreferred response starts at least this long after the previous turn (no overlap)
    fto_dispreferred_min: float = 0.3
    #: an overlap covers at most the previous turn's last this-many words (its completion
    #: point); 0 forbids overlaps at speaker changes
    overlap_max_words: int = 2
    #: silence before the first turn
    lead_in: float = 0.3
    #: silence after the last sound
    tail: float = 0.5
    # --- pauses inside a turn ----------------------------------------------------
    #: median of the log-normal pause length; docs/reference_stats.md suggests ~0.45 s, 0.5 s keeps
    #: the median pause above the median gap once piper's own short silences count as pauses
    pause_median: float = 0.5
    #: sigma (log scale) of the log-normal pause length
    pause_sigma: float = 0.45
    #: shortest pause (shorter silences merge into one speech run)
    pause_min: float = 0.2
    #: longest pause
    pause_max: float = 2.0
    #: share of clause boundaries (",", ";", ":", dashes) that become a drawn pause;
    #: sentence boundaries do unless ``sentence_pause_min_words`` says otherwise
    phrase_pause_prob: float = 0.35
    #: a clause boundary with fewer words than this on either side ("Sure, what time?",
    #: "Busy, but good.") runs on: the likelihood of a prosodic break grows with the size of
    #: the constituents it separates (Watson & Gibson 2004 [S]); a drawn pause there cut
    #: three-word turns into one-word islands that the VAD counts as backchannels
    phrase_pause_min_words: int = 3
    #: a sentence boundary with fewer words than this on either side ("Sure. What time?",
    #: "Okay. Thanks for calling.") runs on like a short clause boundary (same reason); the
    #: others always pause. 0 pauses at every sentence end (before 2026-11: "Sure." stood
    #: alone between pauses). 3, as for clauses, took a third of the pauses out of a default
    #: run ("Thank you. See you then." ran on too); 2 took a fifth
    sentence_pause_min_words: int = 2
    #: silence at a clause boundary spoken without a pause, drawn uniformly (s) between the
    #: pieces (each keeps 20 ms of its own edge), so it stays below the 200 ms that ends an IPU
    run_on_silence_min: float = 0.05
    run_on_silence_max: float = 0.12
    # --- per-dialogue variation ------------------------------------------------------
    #: standard deviation of a per-dialogue shift of ``fto_mean`` (s), drawn once per
    #: dialogue: dyads differ in tempo (Cavalcanti & Skantze 2025 find a strong per-dyad
    #: component; NeMo's simulator draws per-session silence and overlap means too). 0 = off
    dialogue_fto_sd: float = 0.1
    #: sigma (log scale) of a per-dialogue factor on ``pause_median``; 0 = off
    dialogue_pause_sigma: float = 0.2
    #: frames this far below the utterance's speech level count as silence (dB)
    silence_db: float = -30.0
    #: a text boundary is confirmed by an audio silence at least this long
    min_silence: float = 0.1
    # --- backchannels ------------------------------------------------------------
    #: backchannels per second of partner speech (0 disables them)
    #: one per ~10 s (docs/reference_stats.md: one per 8-15 s). Slots (partner pauses with
    #: 1 s of the listener's own silence around them) limit how many are placed: 0.1 gives
    #: ~4 per conversation-minute on default dialogues, Switchboard's rate; 0.07 gave ~3.5
    backchannel_rate: float = 0.1
    #: a backchannel starts at least this far into the partner's turn
    backchannel_min_into_turn: float = 0.7
    #: earliest onset relative to the partner's pause onset. Below 0 the backchannel overlaps
    #: the end of the partner's phrase; backchannels come per second of partner speech, so
    #: this overlap grows with turn length where the overlap at a floor transfer does not
    #: (-0.2 left long-turn dialogues at 2.8% overlap of speech time, below the human 3-10%)
    backchannel_onset_min: float = -0.5
    #: latest onset relative to the partner's pause onset
    backchannel_onset_max: float = 0.3
    #: shortest and longest backchannel audio that may be used
    backchannel_min_duration: float = 0.15
    backchannel_max_duration: float = 0.75
    #: no backchannel within this time after the listener's previous one ends
    backchannel_refractory: float = 0.8
    #: the listener is silent this long before and after a backchannel
    backchannel_own_silence: float = 1.0
    #: relative weight of each backchannel form (lower-case text); others weigh 0.01
    backchannel_weights: dict[str, float] = field(default_factory=lambda: dict(FORM_WEIGHTS))
    # --- interruptions -----------------------------------------------------------
    #: share of speaker changes where the next speaker cuts in
    interruption_prob: float = 0.03
    #: shortest and longest overlap before the interrupted speaker stops
    interruption_overlap_min: float = 0.3
    interruption_overlap_max: float = 1.0
    #: the interrupted speaker has talked at least this long before being cut in on
    interruption_min_into_turn: float = 1.0
    #: fade-out at the cut
    interruption_fade: float = 0.04
    #: a cut lies on a frame at least this far below the speech level (dB)
    cut_db: float = -20.0

    def __post_init__(self) -> None:
        checks = [
            ("fto_std", self.fto_std >= 0), ("fto_min <= fto_max", self.fto_min <= self.fto_max),
            ("pause_min <= pause_max", 0 < self.pause_min <= self.pause_max), ("pause_median", self.pause_median > 0),
            ("phrase_pause_prob", 0 <= self.phrase_pause_prob <= 1),
            ("phrase_pause_min_words", self.phrase_pause_min_words >= 0),
            ("sentence_pause_min_words", self.sentence_pause_min_words >= 0),
            ("backchannel_rate", self.backchannel_rate >= 0),
            ("run_on_silence_min <= run_on_silence_max", 0 <= self.run_on_silence_min <= self.run_on_silence_max),
            ("dialogue_fto_sd, dialogue_pause_sigma", self.dialogue_fto_sd >= 0 and self.dialogue_pause_sigma >= 0),
            ("interruption_prob", 0 <= self.interruption_prob <= 1),
            ("interruption_overlap_min <= interruption_overlap_max",
             0 < self.interruption_overlap_min <= self.interruption_overlap_max),
            ("backchannel_onset_min <= backchannel_onset_max", self.backchannel_onset_min <= self.backchannel_onset_max),
            ("max_overlap_share", 0 <= self.max_overlap_share < 1), ("lead_in, tail", self.lead_in >= 0 and self.tail >= 0),
        ]
        bad = [name for name, ok in checks if not ok]
        if bad:
            raise ValueError(f"invalid duplex timing value(s): {', '.join(bad)}; see duplex.timing.TimingConfig")


def draw_dialogue_timing(rng: np.random.Generator, config: TimingConfig) -> TimingConfig:
    """``config`` with this dialogue's own tempo: ``fto_mean`` shifted and ``pause_median``
    scaled by draws made once per dialogue (``dialogue_fto_sd``, ``dialogue_pause_sigma``).

    With both at 0 it returns ``config`` itself and draws nothing.
    """
    if config.dialogue_fto_sd == 0 and config.dialogue_pause_sigma == 0:
        return config
    shift = float(rng.normal(0.0, config.dialogue_fto_sd))
    factor = float(np.exp(rng.normal(0.0, config.dialogue_pause_sigma)))
    return replace(config, fto_mean=round(config.fto_mean + shift, 4), pause_median=round(config.pause_median * factor, 4),
                   dialogue_fto_sd=0.0, dialogue_pause_sigma=0.0)


def draw_fto(rng: np.random.Generator, config: TimingConfig, shift: float = 0.0) -> float:
    """One floor-transfer offset from the clipped normal, its mean moved by ``shift``."""
    return float(np.clip(rng.normal(config.fto_mean + shift, config.fto_std), config.fto_min, config.fto_max))


def draw_pause(rng: np.random.Generator, config: TimingConfig) -> float:
    """One pause length from the clipped log-normal."""
    value = config.pause_median * float(np.exp(rng.normal(0.0, config.pause_sigma)))
    return float(np.clip(value, config.pause_min, config.pause_max))


_TOKEN = re.compile(r"\S+")


def estimate_words(text: str, start: float, end: float) -> tuple[Word, ...]:
    """Spread the words of ``text`` over [start, end] in proportion to their length.

    A stand-in until ASR or engine alignments give real word times.
    """
    tokens = _TOKEN.findall(text)
    if not tokens:
        return ()
    weights = np.array([len(t) + 1 for t in tokens], dtype=float)
    edges = start + (end - start) * np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum()
    return tuple(Word(t, round(float(a), 3), round(float(b), 3)) for t, a, b in zip(tokens, edges[:-1], edges[1:]))
