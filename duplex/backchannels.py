"""Listener backchannels placed at the speaker's pauses inside long turns.

Candidate slots are pause onsets the text and the audio agree on (see
:mod:`duplex.pieces`). At a slot the listener responds with probability
``1 - exp(-rate * partner speech since its last backchannel)``, so the rate per
second of partner speech approaches ``backchannel_rate`` when slots are many and
nearly every slot is taken when they are few. A backchannel starts
``backchannel_onset_min..max`` around the pause onset, at least
``backchannel_min_into_turn`` into the turn, ends before the turn ends, and keeps
``backchannel_own_silence`` of the listener's own silence on both sides (so it reads
as a backchannel, not a turn, in VAP-style event detection).
"""

from __future__ import annotations

import math

import numpy as np

from duplex.placement import Slot
from duplex.records import CHANNEL_OF, Event, Segment
from duplex.timing import TimingConfig, estimate_words
from speech.records import Utterance, Word

__all__ = ["place_backchannels"]

#: a slot this close to the end of the partner's turn is not used
END_MARGIN_SECONDS = 0.3


def _speech_between(segments: list[Segment], a: float, b: float) -> float:
    return sum(max(0.0, min(s.end, b) - max(s.start, a)) for s in segments)


def _free(segments: list[Segment], a: float, b: float) -> bool:
    return all(s.end <= a or s.start >= b for s in segments)


def place_backchannels(
    segments: list[Segment], slots: list[Slot], forms: list[Utterance], config: TimingConfig,
    rng: np.random.Generator,
) -> tuple[list[Segment], list[Event]]:
    """Choose backchannels for the slots; return the new segments and their events.

    :param segments: the placed turn segments (final, after interruptions).
    :param forms: backchannel utterances (``kind="backchannel"``) of both speakers.
    """
    if config.backchannel_rate <= 0 or not forms or not slots:
        return [], []
    usable = [u for u in forms if config.backchannel_min_duration <= u.duration <= config.backchannel_max_duration]
    by_speaker: dict[str, tuple[list[Utterance], np.ndarray]] = {}
    for spk in {u.speaker for u in usable}:
        own = [u for u in usable if u.speaker == spk]
        w = np.array([config.backchannel_weights.get(u.text.strip().lower(), 0.01) for u in own], dtype=float)
        if w.sum() > 0:
            by_speaker[spk] = (own, w / w.sum())
    span: dict[int, tuple[float, float]] = {}
    for s in segments:
        if s.turn_index is not None:
            a, b = span.get(s.turn_index, (s.start, s.end))
            span[s.turn_index] = (min(a, s.start), max(b, s.end))
    talk = {spk: [s for s in segments if s.speaker == spk] for spk in CHANNEL_OF}
    counted_from = {spk: 0.0 for spk in CHANNEL_OF}
    last_end = {spk: -math.inf for spk in CHANNEL_OF}
    new: list[Segment] = []
    events: list[Event] = []
    for slot in sorted(slots, key=lambda s: s.time):
        listener = next(spk for spk in CHANNEL_OF if spk != slot.speaker)
        if listener not in by_speaker or slot.turn_index not in span:
            continue
        t0, t1 = span[slot.turn_index]
        if not t0 + config.backchannel_min_into_turn <= slot.time <= t1 - END_MARGIN_SECONDS:
            continue  # too early in the turn, or cut off by an interruption
        credit = _speech_between(talk[slot.speaker], counted_from[listener], slot.time)
        if rng.random() >= 1.0 - math.exp(-config.backchannel_rate * credit):
            continue
        own, weights = by_speaker[listener]
        form = own[int(rng.choice(len(own), p=weights))]
        onset = slot.time + float(rng.uniform(config.backchannel_onset_min, config.backchannel_onset_max))
        onset = round(max(onset, t0 + config.backchannel_min_into_turn), 4)
        end = round(onset + form.duration, 4)
        quiet = config.backchannel_own_silence
        if end > t1 or onset < last_end[listener] + config.backchannel_refractory:
            continue
        if not _free(talk[listener], onset - quiet, end + quiet):
            continue
        seg = Segment(
            channel=CHANNEL_OF[listener], speaker=listener, start=onset, end=end, text=form.text,
            words=form.words and tuple(Word(w.text, round(w.start + onset, 3), round(w.end + onset, 3))
                                       for w in form.words) or estimate_words(form.text, onset, end),
            kind="backchannel", utterance_id=form.id, source_end=round(form.duration, 4),
        )
        new.append(seg)
        talk[listener].append(seg)
        events.append(Event("backchannel", onset, end, listener))
        counted_from[listener] = end
        last_end[listener] = end
    return new, events
