"""The static HTML report: corpus summary, realism table, FTO plot, and per-dialogue players.

Pictures are inline base64 PNGs; audio is linked by a path relative to the report
folder. A large corpus gets an index page plus pages of :data:`PAGE_SIZE` dialogues. A small inline script marks each ``<audio>`` with
``data-loaded`` once its metadata loads and each picture with ``data-rendered``, and
counts them on ``<body>`` (``data-audio-loaded``, ``data-plots-rendered``), so a
headless browser can check the page.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from corpus_core.atomic import write_text_atomic
from duplex.records import Timeline
from eval.realism import TurnTakingReport, corpus_turn_taking, format_interval
from eval.realism import format_value as fmt_value
from eval.records import DialogueEval, TurnEval
from eval.report.acoustics import condition_rows, condition_table, side_by_side_players
from eval.report.plots import SPEAKER_COLORS, fto_histogram_png, timeline_png
from eval.turn_taking import TurnTakingStats

__all__ = ["DialogueReportItem", "PAGE_SIZE", "build_report", "render_report_html", "wer_color", "diversity_section",
           "speakers_section"]


@dataclass(frozen=True)
class DialogueReportItem:
    """Everything the report shows for one dialogue.

    :param audio_url: the stereo file, relative to the report folder (``None``: no player).
    :param degraded_url: its degraded copy (acoustic conditions), played beside it.
    """

    timeline: Timeline
    turn_evals: tuple[TurnEval, ...] = ()
    dialogue_eval: DialogueEval | None = None
    audio_url: str | None = None
    degraded_url: str | None = None
    #: the text dialogue's content measures (``Dialogue.meta["content"]``), if any
    content: dict[str, Any] | None = None


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#222}
h1{margin-bottom:4px} h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0} td,th{border:1px solid #ddd;padding:4px 8px;font-size:14px;vertical-align:top}
th{background:#f4f4f4;text-align:left} .pass{background:#d8f3dc} .fail{background:#f8d7da} .na{color:#888}
.cards{display:flex;gap:12px;flex-wrap:wrap} .card{background:#f7f7f9;border-radius:8px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:22px} img{max-width:100%} audio{width:100%;margin:6px 0}
.spk{font-weight:bold;padding:0 6px;border-radius:4px;color:white} .small{color:#666;font-size:13px}
.transcript td.hyp{color:#444} .legend span{display:inline-block;width:14px;height:14px;vertical-align:middle;margin:0 4px 0 10px}
"""

_SCRIPT = """
(function(){
  function count(){
    document.body.dataset.audioLoaded=document.querySelectorAll('audio[data-loaded="1"]').length;
    document.body.dataset.plotsRendered=document.querySelectorAll('img[data-rendered="1"]').length;
  }
  function markImg(img){ if(img.complete && img.naturalWidth>0){img.dataset.rendered='1'; count();} }
  document.querySelectorAll('img.plot').forEach(function(img){ img.addEventListener('load',function(){markImg(img)}); markImg(img); });
  document.querySelectorAll('audio').forEach(function(a){
    function ok(){ a.dataset.loaded='1'; a.dataset.duration=a.duration.toFixed(2); count(); }
    a.addEventListener('loadedmetadata', ok);
    a.addEventListener('error', function(){ a.dataset.loaded='error'; count(); });
    if(a.readyState>=1){ ok(); }
  });
  count();
})();
"""


def wer_color(wer: float) -> str:
    """Background colour of a transcript row: green at WER 0, through yellow, to red at 0.5 and above."""
    hue = 120.0 * (1.0 - min(max(wer, 0.0) / 0.5, 1.0))
    return f"hsl({hue:.0f},70%,86%)"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _fmt(value: Any, pct: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{100 * value:.1f}%" if pct else (f"{value:.3f}" if isinstance(value, float) else str(value))


def _mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def _summary_cards(items: Sequence[DialogueReportItem], realism: TurnTakingReport) -> str:
    evals = [it.dialogue_eval for it in items if it.dialogue_eval is not None]
    ref = sum(e.ref_words for e in evals)
    turns = [t for it in items for t in it.turn_evals if t.kind == "turn"]
    sims = [e.metrics.get("speaker_similarity", {}) for e in evals]
    cards = [
        ("dialogues", str(len(items))),
        ("audio", f"{sum(it.timeline.duration for it in items) / 60:.1f} min"),
        ("WER (pooled)", _fmt(sum(e.errors for e in evals) / ref if ref else None, pct=True)),
        ("cpWER (mono mix)", _fmt(_mean(e.metrics.get("cpwer", {}).get("wer") for e in evals), pct=True)),
        ("turns flagged (WER above threshold or a misheard name)", _fmt(sum(t.flagged for t in turns) / len(turns) if turns else None, pct=True)),
        ("speaker consistency", _fmt(_mean(v for s in sims for v in (s.get("consistency") or {}).values()))),
        ("A-B similarity", _fmt(_mean(s.get("between") for s in sims))),
        ("realism targets met", f"{sum(bool(r.passed) for r in realism.rows if not r.heldout)}/"
                                f"{sum(r.passed is not None for r in realism.rows if not r.heldout)}"),
        ("held-out realism checks met", f"{sum(bool(r.passed) for r in realism.rows if r.heldout)}/"
                                        f"{sum(r.passed is not None for r in realism.rows if r.heldout)}"),
        ("backchannel recall (ASR or VAD)", _fmt(_backchannel_recall(evals), pct=True)),
        *((("realism verdicts undecided (sampling noise)", str(sum(r.undecided for r in realism.rows))),)
          if realism.resample_draws else ()),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><span class="small">{html.escape(k)}</span><b>{html.escape(v)}</b></div>' for k, v in cards
    ) + "</div>"


def _backchannel_recall(evals: Sequence[DialogueEval]) -> float | None:
    counts = [e.metrics["backchannels"] for e in evals if "backchannels" in e.metrics]
    placed = sum(c["placed"] for c in counts)
    return sum(c["heard"] for c in counts) / placed if placed else None


def _realism_table(realism: TurnTakingReport) -> str:
    resampled = realism.resample_draws > 0
    rows = []
    for r in realism.rows:
        cls, verdict = ("na", "-") if r.passed is None else (("pass", "PASS") if r.passed else ("fail", "FAIL"))
        if r.undecided:
            verdict += " (undecided)"
        name = (r.name + (f" (from the {r.source}, not the audio)" if r.source != "audio" else "")
                + (" (held-out: not used for tuning)" if r.heldout else ""))
        extra = (f"<td>{html.escape(format_interval(r))}</td>"
                 f"<td>{'-' if r.pass_share is None else f'{100 * r.pass_share:.0f}%'}</td>") if resampled else ""
        rows.append(f'<tr class="{cls}"><td>{html.escape(name)}</td><td>{html.escape(fmt_value(r.value, r.unit))}'
                    f"</td><td>{html.escape(r.target_text())}</td><td>{verdict}</td>{extra}</tr>")
    jsd = "n/a" if realism.jsd is None else f"{realism.jsd:.3f}"
    rows.append(f'<tr class="na"><td>JSD of FTO histogram vs reference</td><td>{jsd}</td>'
                "<td>0 = same, 1 = disjoint</td><td>-</td>" + ("<td>-</td><td>-</td>" if resampled else "") + "</tr>")
    head = ("<th>95% interval over resampled dialogues</th><th>Resampled corpora that pass</th>" if resampled else "")
    note = (f'<p class="small">Intervals and pass shares: {realism.resample_draws} corpora drawn with replacement '
            "from these dialogues. A verdict marked undecided flips in 5% or more of them: the corpus is too "
            "small for it to say more than sampling noise.</p>") if resampled else ""
    return ("<table><tr><th>Statistic (measured from the audio by VAD)</th><th>Measured</th>"
            f"<th>Human target</th><th>Result</th>{head}</tr>" + "".join(rows) + "</table>" + note)


def _transcript(turn_evals: Sequence[TurnEval]) -> str:
    rows = []
    for t in sorted(turn_evals, key=lambda e: e.start):
        color = SPEAKER_COLORS.get(t.speaker, "#777")
        kind = " (backchannel)" if t.kind == "backchannel" else ""
        flag = " &#9873;" if t.flagged else ""
        rows.append(
            f'<tr style="background:{wer_color(t.wer)}" data-wer="{t.wer:.3f}"><td class="small">{t.start:.2f}-{t.end:.2f} s</td>'
            f'<td><span class="spk" style="background:{color}">{html.escape(t.speaker)}</span>{kind}</td>'
            f"<td>{html.escape(t.reference)}</td><td class=\"hyp\">{html.escape(t.hypothesis)}</td>"
            f"<td>{100 * t.wer:.0f}%{flag}</td></tr>"
        )
    return ('<table class="transcript"><tr><th>time</th><th>speaker</th><th>text (reference)</th>'
            "<th>heard (ASR)</th><th>WER</th></tr>" + "".join(rows) + "</table>")


def content_line(content: dict[str, Any]) -> str:
    """One line of a dialogue's content measures, e.g. "facts 7/7 (100%) | end reached | 20 turns".

    >>> content_line({"facts": 4, "facts_stated": 3, "end_reached": False, "turns": 12,
    ...               "words_per_turn": 8.5, "repetition": False, "contradictions": []})
    'facts 3/4 (75%) | end not reached | 12 turns, 8.5 words per turn'
    """
    info = []
    if content.get("facts"):
        info.append(f"facts {content['facts_stated']}/{content['facts']} "
                    f"({100 * content['facts_stated'] / content['facts']:.0f}%)")
    info.append("end reached" if content.get("end_reached") else "end not reached")
    info.append(f"{content.get('turns', 0)} turns, {content.get('words_per_turn', 0):.1f} words per turn")
    if content.get("repetition"):
        info.append("repetitive")
    if content.get("contradictions"):
        info.append("contradicts: " + ", ".join(content["contradictions"]))
    return " | ".join(info)


def _dialogue_section(item: DialogueReportItem) -> str:
    tl, de = item.timeline, item.dialogue_eval
    metrics = de.metrics if de else {}
    tt = metrics.get("turn_taking") or {}
    parts = [f'<section class="dialogue" id="d-{html.escape(tl.id)}"><h2>{html.escape(tl.id)}</h2>']
    info = [f"{tl.duration:.1f} s"]
    if de:
        info += [f"WER {100 * de.wer:.1f}%", f"CER {100 * de.cer:.1f}%"]
        if "cpwer" in metrics:
            info.append(f"cpWER {100 * metrics['cpwer']['wer']:.1f}%")
        sim = metrics.get("speaker_similarity") or {}
        if sim.get("between") is not None:
            cons = ", ".join(f"{k} {v:.2f}" for k, v in (sim.get("consistency") or {}).items() if v is not None)
            info.append(f"speaker consistency {cons}; A-B similarity {sim['between']:.2f}")
        summ = metrics.get("turn_taking_summary") or {}
        if summ.get("median_fto") is not None:
            info.append(f"median FTO {1000 * summ['median_fto']:+.0f} ms, overlap {100 * summ['overlap_share']:.1f}%")
    parts.append(f'<p class="small">{html.escape(" | ".join(info))}</p>')
    if item.content:
        parts.append(f'<p class="small">{html.escape(content_line(item.content))}</p>')
    if item.degraded_url:
        parts.append(side_by_side_players(tl, item.audio_url, item.degraded_url))
    elif item.audio_url:
        parts.append(f'<audio controls preload="metadata" src="{html.escape(item.audio_url)}"></audio>')
    parts.append(_img(timeline_png(tl, tt.get("ipu_spans", ())), f"timeline of {tl.id}"))
    if item.turn_evals:
        parts.append(_transcript(item.turn_evals))
    parts.append("</section>")
    return "\n".join(parts)


def _conditions_section(items: Sequence[DialogueReportItem]) -> list[str]:
    table = condition_table(condition_rows([(it.timeline, it.turn_evals, it.dialogue_eval) for it in items]))
    return ["<h2>Acoustic conditions: drawn vs measured, WER by condition</h2>", table] if table else []


def diversity_section(meta: dict[str, Any]) -> list[str]:
    """The text's diversity (meta.json ``stages.text.diversity``): a heading and a table, or nothing.

    >>> page = "".join(diversity_section({"stages": {"text": {"diversity": {
    ...     "dialogues": 2, "tokens": 500, "distinct_2": {"20000": None}, "distinct_3": {"20000": None},
    ...     "duplicate_turn_share": 0.25, "template_share": 0.5, "situations": 2,
    ...     "distinct_situations": 2, "max_situation_share": 1, "top_turns": []}}}}))
    >>> "25.0%" in page and "n/a" in page
    True
    """
    div = ((meta.get("stages") or {}).get("text") or {}).get("diversity")
    if not div:
        return []
    pct = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    num = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
    rows = [("dialogues, tokens", f"{div['dialogues']}, {div['tokens']}")]
    for n in ("2", "3"):
        cells = ", ".join(f"{int(b) // 1000}k: {num(v)}" for b, v in div[f"distinct_{n}"].items())
        rows.append((f"distinct-{n} at token budgets", cells))
    rows += [("duplicate turns (4+ words, also in another dialogue)", pct(div.get("duplicate_turn_share"))),
             ("template share (turns that are a scenario line, filled)", pct(div.get("template_share"))),
             ("distinct situations (names left out)",
              f"{div['distinct_situations']} of {div['situations']}; at most {div['max_situation_share']} share one")]
    table = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    top = "".join(f"<li>{html.escape(t['text'])} ({t['dialogues']} dialogues)</li>" for t in div.get("top_turns", []))
    return ["<h2>Text diversity</h2>", f"<table>{table}</table>",
            *([f'<p class="small">Most repeated turns:</p><ol class="small">{top}</ol>'] if top else [])]


def speakers_section(meta: dict[str, Any]) -> list[str]:
    """Speaker diversity (meta.json ``stages.eval.speakers``): distinct speakers, A-B similarity,
    and one row per voice (dialogues, share, WER, cluster), or nothing.

    >>> page = "".join(speakers_section({"stages": {"eval": {"speakers": {
    ...     "distinct_speakers": 2, "embedded": 4, "voices_used": 3, "same_speaker_cosine": 0.85,
    ...     "clusters": [], "ab_similarity": {"dialogues": 2, "mean": 0.61, "median": 0.6, "max": 0.7},
    ...     "voices": {"joe": {"dialogues": 2, "share": 1.0, "wer": 0.02, "cluster": 0}}}}}}))
    >>> "2 distinct" in page and "joe" in page and "2.0%" in page
    True
    """
    spk = ((meta.get("stages") or {}).get("eval") or {}).get("speakers")
    if not spk or not spk.get("voices"):
        return []
    ab = spk.get("ab_similarity") or {}
    head = (f"{spk.get('distinct_speakers') if spk.get('distinct_speakers') is not None else 'n/a'} distinct speakers "
            f"(embedding clusters at cosine {spk.get('same_speaker_cosine')}) from {spk.get('voices_used')} voices; "
            f"A-B similarity mean {_fmt(ab.get('mean'))}, max {_fmt(ab.get('max'))} over {ab.get('dialogues', 0)} dialogues")
    rows = "".join(
        f"<tr><td>{html.escape(v)}</td><td>{r['dialogues']}</td><td>{100 * r['share']:.1f}%</td>"
        f"<td>{_fmt(r.get('wer'), pct=True)}</td><td>{'' if r.get('cluster') is None else r['cluster']}</td></tr>"
        for v, r in sorted(spk["voices"].items(), key=lambda kv: -kv[1]["dialogues"]))
    return ["<h2>Speakers</h2>", f"<p>{html.escape(head)}</p>",
            f"<table><tr><th>voice</th><th>dialogues</th><th>share</th><th>WER</th><th>cluster</th></tr>{rows}</table>"]


def _realism_from_items(items: Sequence[DialogueReportItem]) -> TurnTakingReport:
    stats = [TurnTakingStats.from_dict(it.dialogue_eval.metrics["turn_taking"]) for it in items
             if it.dialogue_eval is not None and "turn_taking" in it.dialogue_eval.metrics]
    bcs = [s.text for it in items for s in it.timeline.segments if s.kind == "backchannel"]
    return corpus_turn_taking(stats, bcs)


#: dialogues per page; a corpus with more gets an index page that links pages of this many
PAGE_SIZE = 50


def _page(title: str, body: Sequence[str]) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_CSS}</style></head>'
            f'<body data-audio-loaded="0" data-plots-rendered="0">{"".join(body)}<script>{_SCRIPT}</script></body></html>')


def _page_name(number: int) -> str:
    return f"dialogues-{number:04d}.html"


def render_report_html(
    items: Sequence[DialogueReportItem], realism: TurnTakingReport | None = None,
    meta: dict[str, Any] | None = None, title: str = "duplexsynth corpus report", pages: int = 0,
) -> str:
    """The index page as a string (see :func:`build_report` to write it).

    :param pages: 0 = every dialogue on this page; otherwise the page links that many
        dialogue pages (:data:`PAGE_SIZE` dialogues each) instead.
    """
    realism = realism or _realism_from_items(items)
    meta = meta or {}
    about = ", ".join(f"{k}: {v}" for k, v in (("schema", meta.get("schema_version")), ("seed", meta.get("seed")))
                      if v is not None)
    body = [
        f"<h1>{html.escape(title)}</h1>", f'<p class="small">{html.escape(about)}</p>',
        "<h2>Corpus summary</h2>", _summary_cards(items, realism),
        "<h2>Turn-taking realism vs human ranges</h2>", _realism_table(realism),
        _img(fto_histogram_png(realism), "FTO histogram against the human reference"),
        *_conditions_section(items),
        *diversity_section(meta),
        *speakers_section(meta),
        "<h2>Dialogues</h2>",
    ]
    if pages:
        links = []
        for n in range(pages):
            chunk = items[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
            links.append(f'<li><a href="{_page_name(n + 1)}">{html.escape(chunk[0].timeline.id)} ... '
                         f"{html.escape(chunk[-1].timeline.id)}</a> ({len(chunk)} dialogues)</li>")
        body.append("<ul>" + "".join(links) + "</ul>")
    else:
        body += [_LEGEND, *(_dialogue_section(it) for it in items)]
    return _page(title, body)


_LEGEND = ('<p class="small legend">Transcript rows are coloured by WER:<span style="background:'
           f'{wer_color(0)}"></span>0%<span style="background:{wer_color(0.25)}"></span>25%'
           f'<span style="background:{wer_color(0.5)}"></span>50%+ ; &#9873; = above the gate threshold</p>')


def build_report(
    items: Sequence[DialogueReportItem], out_dir: str | Path, realism: TurnTakingReport | None = None,
    meta: dict[str, Any] | None = None, title: str = "duplexsynth corpus report",
) -> Path:
    """Write ``out_dir/index.html`` (atomically) and return its path.

    Up to :data:`PAGE_SIZE` dialogues are shown on the index itself; more go to
    ``dialogues-0001.html``, ... (each page costs the same, whatever the corpus size).

    :param items: one entry per dialogue, in display order.
    :param realism: corpus turn-taking statistics; ``None`` pools them from the items' metrics.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages = 0 if len(items) <= PAGE_SIZE else -(-len(items) // PAGE_SIZE)
    for n in range(pages):
        chunk = items[n * PAGE_SIZE:(n + 1) * PAGE_SIZE]
        nav = ('<p><a href="index.html">index</a>'
               + (f' | <a href="{_page_name(n)}">previous</a>' if n else "")
               + (f' | <a href="{_page_name(n + 2)}">next</a>' if n + 1 < pages else "") + "</p>")
        write_text_atomic(out / _page_name(n + 1), _page(f"{title}: page {n + 1}", [
            f"<h1>{html.escape(title)}: page {n + 1} of {pages}</h1>", nav, _LEGEND,
            *(_dialogue_section(it) for it in chunk), nav]))
    page = render_report_html(items, realism, meta, title, pages)
    write_text_atomic(out / "index.html", page)
    return out / "index.html"
