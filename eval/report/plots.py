"""Matplotlib pictures for the report, returned as PNG bytes (Agg backend, imported lazily)."""

from __future__ import annotations

import io
from typing import Any, Sequence

from corpus_core.errors import MissingDependency
from corpus_core.intervals import intersect_intervals
from duplex.records import Timeline
from eval.realism import FTO_BIN_EDGES, TurnTakingReport

__all__ = ["fto_histogram_png", "timeline_png", "SPEAKER_COLORS"]

#: lane colours of speaker A and B (also used by the HTML transcript)
SPEAKER_COLORS = {"A": "#1f77b4", "B": "#ff7f0e"}
_BACKCHANNEL_COLOR = "#2ca02c"
_OVERLAP_COLOR = "#d62728"


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingDependency("matplotlib", extra="eval", why="the report's pictures") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    _pyplot().close(fig)
    return buf.getvalue()


def fto_histogram_png(report: TurnTakingReport) -> bytes:
    """Measured floor-transfer offsets against the reference Normal(+200 ms, 400 ms), 0.2 s bins."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    left, width = FTO_BIN_EDGES[:-1], FTO_BIN_EDGES[1] - FTO_BIN_EDGES[0]
    ax.bar(left, report.fto_hist, width=width, align="edge", color="#4c72b0", alpha=0.75,
           label=f"measured ({len(report.ftos)} transfers)")
    ax.step(list(left) + [FTO_BIN_EDGES[-1]], list(report.reference_hist) + [report.reference_hist[-1]],
            where="post", color="black", linewidth=1.8, label="human reference N(+0.2 s, 0.4 s)")
    ax.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
    jsd = "n/a" if report.jsd is None else f"{report.jsd:.3f}"
    ax.set_title(f"Floor-transfer offset (FTO), JSD = {jsd}")
    ax.set_xlabel("FTO (s): < 0 overlap, > 0 gap (clipped to [-1, 2.5])")
    ax.set_ylabel("share of transfers")
    ax.legend(loc="upper right", fontsize=8)
    return _png(fig)


def timeline_png(timeline: Timeline, ipu_spans: Sequence[Sequence[float]] = ()) -> bytes:
    """Two lanes (A above B): turns, backchannels, overlaps and interruptions; VAD IPUs beneath each lane.

    :param ipu_spans: ``(channel, start, end)`` of the IPUs measured by VAD (drawn thin).
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 2.4))
    lane_y = {0: 1.0, 1: 0.0}
    lanes: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for seg in timeline.segments:
        y = lane_y.get(seg.channel, 0.0)
        bc = seg.kind == "backchannel"
        color = _BACKCHANNEL_COLOR if bc else SPEAKER_COLORS.get(seg.speaker, "#777777")
        ax.broken_barh([(seg.start, seg.duration)], (y - 0.3, 0.6), facecolors=color,
                       edgecolor="black" if bc else "none", hatch="//" if bc else None, alpha=0.9)
        if not bc:
            lanes[seg.channel].append((seg.start, seg.end))
        if seg.interrupted:
            ax.plot([seg.end], [y + 0.38], marker="v", color=_OVERLAP_COLOR, markersize=9)
    for s, e in intersect_intervals(lanes[0], lanes[1]):
        ax.axvspan(s, e, color=_OVERLAP_COLOR, alpha=0.25, linewidth=0)
    for ev in timeline.events:
        if ev.kind == "interruption":
            ax.axvline(ev.start, color=_OVERLAP_COLOR, linewidth=1.2, linestyle="--")
    for channel, start, end in ipu_spans:
        y = lane_y.get(int(channel), 0.0) - 0.42
        ax.plot([start, end], [y, y], color="black", linewidth=2.5, solid_capstyle="butt")
    ax.set_yticks([1.0, 0.0], ["A (ch 0)", "B (ch 1)"])
    ax.set_ylim(-0.6, 1.55)
    ax.set_xlim(0, max(timeline.duration, 0.1))
    ax.set_xlabel("time (s)")
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=SPEAKER_COLORS["A"]), plt.Rectangle((0, 0), 1, 1, color=SPEAKER_COLORS["B"]),
        plt.Rectangle((0, 0), 1, 1, facecolor=_BACKCHANNEL_COLOR, hatch="//", edgecolor="black"),
        plt.Rectangle((0, 0), 1, 1, color=_OVERLAP_COLOR, alpha=0.25),
        plt.Line2D([], [], color=_OVERLAP_COLOR, marker="v", linestyle="none"),
        plt.Line2D([], [], color="black", linewidth=2.5),
    ]
    ax.legend(handles, ["turn A", "turn B", "backchannel", "overlap", "interrupted", "VAD speech"],
              loc="upper center", bbox_to_anchor=(0.5, 1.25), ncol=6, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)
