"""Lay out each turn (pieces and drawn pauses) and place the turns one after another.

A turn's pieces (see :mod:`duplex.pieces`) are grouped into blocks: every sentence
boundary between pieces of at least ``sentence_pause_min_words`` words and a share of
the clause boundaries between pieces of at least ``phrase_pause_min_words`` words become
a pause drawn from the log-normal. At the other boundaries the speaker runs on
("Sure. What time?" is one breath): the next piece follows
after a silence too short to end the IPU (piper's own silence at a comma, 0.2-0.3 s,
would end it and count as a pause the timing model did not draw), or in the same block
where the engine's silence is that short already. Each block becomes one
:class:`~duplex.records.Segment`. Turns follow each other at drawn floor-transfer
offsets, or the next speaker cuts in (:mod:`duplex.interruptions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from duplex.content_timing import fto_shift, overlap_limit
from duplex.interruptions import plan_interruption
from duplex.pieces import PAD_SECONDS, Piece
from duplex.records import CHANNEL_OF, Event, Segment
from duplex.timing import TimingConfig, draw_fto, draw_pause
from speech.records import Utterance, Word

#: the least silence between two turns of the same speaker on their channel (s)
SELF_GAP = 0.05

__all__ = ["Block", "TurnPlan", "Slot", "plan_turn", "place_turns"]


@dataclass(frozen=True)
class Block:
    """Contiguous audio of one utterance, placed ``offset`` seconds after the turn starts."""

    offset: float
    piece: Piece

    @property
    def duration(self) -> float:
        return self.piece.source_end - self.piece.source_start


@dataclass(frozen=True)
class TurnPlan:
    """One turn laid out relative to its own start.

    :param slots: times (from the turn start) where the speaker pauses: a listener
        may respond there.
    :param pauses: drawn pauses ``(start, end)`` relative to the turn start.
    """

    utterance: Utterance
    blocks: tuple[Block, ...]
    slots: tuple[float, ...]
    pauses: tuple[tuple[float, float], ...]

    def segments_at(self, start: float) -> list[Segment]:
        """The blocks as Segments of a turn starting at ``start`` (absolute seconds)."""
        u = self.utterance
        out = []
        for blk in self.blocks:
            p = blk.piece
            t0 = start + blk.offset
            shift = t0 - p.source_start
            out.append(Segment(
                channel=CHANNEL_OF[u.speaker], speaker=u.speaker, start=round(t0, 4),
                end=round(t0 + blk.duration, 4), text=p.text,
                words=tuple(Word(w.text, round(w.start + shift, 3), round(w.end + shift, 3)) for w in p.words),
                kind="turn", turn_index=u.turn_index, utterance_id=u.id,
                source_start=round(p.source_start, 4), source_end=round(p.source_end, 4),
            ))
        return out


@dataclass(frozen=True)
class Slot:
    """A place where the speaker pauses inside a turn (absolute seconds)."""

    time: float
    speaker: str
    turn_index: int


def _merge(a: Piece, b: Piece) -> Piece:
    return Piece(a.source_start, b.source_end, f"{a.text} {b.text}".strip(), a.words + b.words, b.boundary)


def _words(piece: Piece) -> int:
    return len(piece.text.split())


def plan_turn(utt: Utterance, pieces: list[Piece], config: TimingConfig, rng: np.random.Generator) -> TurnPlan:
    """Group ``pieces`` into blocks separated by drawn pauses; collect the pause slots."""
    blocks: list[Block] = []
    slots: list[float] = []
    pauses: list[tuple[float, float]] = []
    current, offset = pieces[0], 0.0
    for nxt in pieces[1:]:
        end = offset + (current.source_end - current.source_start)
        slots.append(end - PAD_SECONDS)  # the silence onset: a listener may respond here
        draw = rng.random()
        shorter = min(_words(current), _words(nxt))
        if current.boundary == "sentence":
            pause_here = shorter >= config.sentence_pause_min_words
        else:
            pause_here = shorter >= config.phrase_pause_min_words and draw < config.phrase_pause_prob
        if pause_here:
            blocks.append(Block(offset, current))
            pause = draw_pause(rng, config)
            pauses.append((end, end + pause))
            current, offset = nxt, end + pause
        elif nxt.source_start - current.source_end <= config.run_on_silence_max:
            current = _merge(current, nxt)  # the engine's own silence is short already: one block
        else:  # no pause: the next piece follows after a silence below the IPU bridge
            blocks.append(Block(offset, current))
            current, offset = nxt, end + float(rng.uniform(config.run_on_silence_min, config.run_on_silence_max))
    blocks.append(Block(offset, current))
    return TurnPlan(utt, tuple(blocks), tuple(round(s, 4) for s in slots), tuple(pauses))


def _pause_events(plan: TurnPlan, start: float) -> list[Event]:
    return [Event("pause", round(start + a, 4), round(start + b, 4), plan.utterance.speaker) for a, b in plan.pauses]


def place_turns(
    plans: list[TurnPlan], levels: dict[str, np.ndarray], config: TimingConfig, rng: np.random.Generator
) -> tuple[list[Segment], list[Event], list[Slot]]:
    """Place the turns in order; each turn ends after the previous one.

    :param levels: utterance id -> frame levels (dB), to find clean cut points.
    :return: turn segments, events (gap, overlap, pause, interruption) and pause slots.
    """
    turns: list[list[Segment]] = []
    events: list[Event] = []
    slots: list[Slot] = []
    for plan in sorted(plans, key=lambda p: p.utterance.turn_index):
        utt = plan.utterance
        # a speaker never starts before their own previous turn has ended (one voice per channel)
        own_end = max((s.end for t in turns for s in t if s.speaker == utt.speaker), default=0.0)
        if not turns:
            start = config.lead_in
        else:
            prev = turns[-1]
            cut = None
            if prev[0].speaker != utt.speaker and rng.random() < config.interruption_prob:
                total = plan.blocks[-1].offset + plan.blocks[-1].duration
                cut = plan_interruption(prev, total, levels[prev[0].utterance_id or ""], config, rng)
                if cut is not None and cut.start < own_end + SELF_GAP:
                    cut = None
            if cut is not None:
                turns[-1], start = cut.segments, cut.start
                events = [e for e in events if not (e.kind == "pause" and e.start >= cut.end)]
                events.append(Event("interruption", round(start, 4), cut.segments[-1].end, utt.speaker))
            elif prev[0].speaker == utt.speaker:  # the same speaker again: a pause, never an overlap
                start = prev[-1].end + draw_pause(rng, config)
                events.append(Event("pause", prev[-1].end, round(start, 4), utt.speaker))
            else:
                limit = config.max_overlap_share * min(prev[-1].duration, plan.blocks[0].duration)
                # overlaps only over the last words of the previous turn (a completion point)
                limit = min(limit, overlap_limit(prev[-1].words, prev[-1].end, config))
                shift, floor = fto_shift(" ".join(s.text for s in prev), utt.text, config)
                fto = max(draw_fto(rng, config, shift), -limit, floor)
                start = max(prev[-1].end + fto, own_end + SELF_GAP)
                kind = "overlap" if start < prev[-1].end else "gap"
                events.append(Event(kind, round(min(start, prev[-1].end), 4), round(max(start, prev[-1].end), 4),
                                    utt.speaker))
        start = round(start, 4)
        turns.append(plan.segments_at(start))
        events.extend(_pause_events(plan, start))
        slots.extend(Slot(round(start + s, 4), utt.speaker, utt.turn_index) for s in plan.slots)
    segments = [s for turn in turns for s in turn]
    return segments, sorted(events, key=lambda e: (e.start, e.end)), slots
