"""The static HTML report of a corpus (plots with matplotlib, audio players, coloured transcripts)."""

from eval.report.html import (
    DialogueReportItem,
    build_report,
    render_report_html,
    wer_color,
)
from eval.report.plots import fto_histogram_png, timeline_png

__all__ = ["DialogueReportItem", "build_report", "render_report_html", "wer_color", "fto_histogram_png", "timeline_png"]
