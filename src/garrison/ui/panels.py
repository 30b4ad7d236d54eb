"""Safe HTML and charts for the app's panels. Every data string is escaped; links are http(s) only."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa

from ..checks import check_url
from ..dataset import Dataset
from ..dates import PartialDate, from_day, to_day
from ..i18n import DEFAULT, Messages, messages
from ..model import Claim, Installation, Period
from ..names import country_name, language_name
from . import reader

EN = messages(DEFAULT)


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&=^\"'@])")
# where Streamlit's markdown acts although the punctuation is escaped: `:name:` / `:name[` directives
# (Material icons, colours, emoji), autolinks (`scheme://`, `www.`, e-mail `@`)
_MD_DIRECTIVE = re.compile(r"(?<=:)(?=[A-Za-z][\w/+-]*[:\[])|(?<=:)(?=//)|(?<=@)(?=[A-Za-z0-9])|(?<=www)(?=\.)")
_ZWSP = "\u200b"


def md_escape(value: object) -> str:
    """Text that Streamlit's markdown (st.caption, st.error, ...) shows literally.

    Backslashes stop emphasis, links, images, HTML and maths. Streamlit's `:material/icon:`,
    `:red[...]` and emoji directives and the autolinks (`https://`, `www.`, e-mail) ignore them,
    so a zero-width space breaks just those spots; ordinary text such as `file.yaml:12:3` or
    `field: message` is left as it was (copying it gives the same characters).
    """
    text = _MD_DIRECTIVE.sub(_ZWSP, "" if value is None else str(value))
    return _MD_PUNCT.sub(r"\\\1", text).replace("\n", "  \n")


def link(url: str, text: str) -> str:
    """An <a> for an http(s) URL; anything else is shown as inert text."""
    if check_url(url) is not None:
        return f"{esc(text)} <code>{esc(url)}</code>"
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(text)}</a>'


def details_html(ds: Dataset, inst_id: str, m: Messages = EN) -> str:
    """Names and aliases, kind, country, coordinates with their precision, and when the record was checked.

    Codes are shown by their names in the reader's language (country 'SY' as Syria / Сирия,
    language 'ru' as Russian / русский); the record's own id stays, in <code>, as the one the
    permalink and the files use. The heading is the name in the reader's language, or the
    English one marked (garrison.ui.reader).
    """
    _ = m.gettext
    rec = ds.records[ds.index[inst_id]]
    names = "".join(f'<li><b>{esc(language_name(lang, m.lang))}</b>: <span dir="auto"{_lang_attr(lang)}>{esc(n)}</span></li>'
                    for lang, n in rec.names.items())
    aliases = reader.join((f'<span dir="auto">{esc(a)}</span>' for a in rec.aliases), m)
    # (the words outside the f-strings: Babel's extractor does not look inside them)
    known_as, stale_note = esc(_("Also known as: {aliases}")), esc(_("Its file has errors: showing the last valid version."))
    latlon, id_word = esc(_("(lat, lon)")), esc(m.pgettext("record id", "id"))
    aliases = f'<p class="garrison-aliases">{known_as.format(aliases=aliases)}</p>' if aliases else ""
    stale = f'<p class="garrison-stale-note">⚠ {stale_note}</p>' if rec.stale else ""
    return (f'<div class="garrison-details"><h3>{reader.markup(reader.installation(ds, inst_id, m), m)}</h3>{stale}'
            f"<p>{esc(m.term('kind', rec.kind))} · {esc(country_name(rec.country, m.lang))} · "
            # coordinates in one form for every language: what map tools and search engines take
            f"{rec.lat:.4f}, {rec.lon:.4f} <small>{latlon}</small>"
            f" · {id_word} <code>{esc(rec.id)}</code></p>"
            f'<p class="garrison-record-meta">{esc(position_label(rec, m))} · {esc(checked_label(rec, m))}</p>'
            f"{aliases}"
            f"{'<ul>' + names + '</ul>' if names else ''}</div>")


_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def _lang_attr(tag: str) -> str:
    """A lang attribute for a well-formed language tag (screen readers and fonts pick the language), else none."""
    return f' lang="{esc(tag)}"' if _LANG_TAG.match(tag) else ""


def date_label(date: PartialDate, m: Messages = EN) -> str:
    """A date as precise as it was written: 3 Dec 2026, Dec 2026 or 2026 (garrison.ui.reader.short)."""
    return reader.short(date, m)


def checked_label(rec: Installation, m: Messages = EN) -> str:
    """When the record was last verified against its sources."""
    if rec.checked:
        return m.gettext("Record checked {date}").format(date=date_label(rec.checked, m))
    return m.gettext("Record check date not given")


def position_label(rec: Installation, m: Messages = EN) -> str:
    """How precise lat/lon are."""
    _ = m.gettext
    if rec.position == "exact":
        return _("position exact (within about 1 km)")
    if rec.position == "approximate":
        if rec.position_km:
            return _("position approximate, ±{km} km").format(km=m.number(rec.position_km))
        return _("position approximate")
    return _("position precision not given")


def history_html(ds: Dataset, inst_id: str, m: Messages = EN) -> str:
    """Every period with its dates as written ("1971 – 1992", in the reader's forms), status,
    operator, territory, confidence, note and its sources as links; a disputed period's claims side
    by side with the record's own values. Actors are shown by their names in the reader's language."""
    _ = m.gettext
    rows, ongoing = [], esc(_("ongoing"))
    periods = ds.records[ds.index[inst_id]].history
    for h, period in zip(ds.history(inst_id), periods, strict=True):
        terr = (" · " + esc(_("territory: {name}")).format(name=reader.markup(reader.actor(ds, h["territory"], m), m))
                if h["territory"] else "")
        until = f" – {esc(reader.written(h['until'], m))}" if h["until"] else f" – {ongoing}"
        srcs = []
        for sid in h["sources"]:
            s = ds.sources.get(sid)
            if s:
                srcs.append(f"<li>{link(s.url, s.title)} — {esc(s.publisher)}{', ' + esc(reader.written(s.date, m)) if s.date else ''}</li>")
        note = f"<p><i>{esc(h['note'])}</i></p>" if h["note"] else ""
        rows.append(
            f'<div class="garrison-period garrison-period-{esc(h["status"])}">'
            f"<b>{esc(reader.written(h['since'], m))}</b>{until}: <b>{esc(m.term('status', h['status']))}</b> — "
            f"{reader.markup(reader.actor(ds, h['operator'], m), m)}{terr}"
            f" · <span class=\"garrison-conf\">{esc(m.term('confidence', h['confidence']))}</span>{note}<ul>{''.join(srcs)}</ul>"
            f"{claims_html(ds, period, m)}</div>")
    return "".join(rows)


_CLAIM_ROWS = ("operator", "status", "territory")


def _claim_rows(m: Messages) -> dict[str, str]:
    """The claims table's row headings (the glossary's roles: who holds the site, who the land around)."""
    return {"operator": m.pgettext("claims table", "operator"), "status": m.pgettext("claims table", "status"),
            "territory": m.pgettext("claims table", "territory"), "sources": m.pgettext("claims table", "sources"),
            "note": m.pgettext("claims table", "note")}


def claims_html(ds: Dataset, period: Period, m: Messages = EN) -> str:
    """Who says what: the record's values and each claim's, side by side (empty for a period without claims).

    One column per side, headed by its sources' publishers; a claim shows "—" for what it does not
    dispute. Each column lists its sources' titles (linked, http(s) only) and publishers.
    """
    if not period.claims:
        return ""
    _ = m.gettext
    heads = _claim_rows(m)
    sides: list[tuple[str, Period | Claim]] = [(_("This record"), period)]
    sides += [(" / ".join(dict.fromkeys(_publisher(ds, s) for s in c.sources)) or _("Claim"), c) for c in period.claims]
    head = "".join(f"<th>{esc(label)}</th>" for label, _side in sides)
    body = ""
    for field in _CLAIM_ROWS:
        cells = "".join(f"<td>{_claim_value(ds, field, side, side is period, m)}</td>" for _label, side in sides)
        body += f"<tr><th>{esc(heads[field])}</th>{cells}</tr>"
    body += (f"<tr><th>{esc(heads['sources'])}</th>" + "".join(f"<td>{_claim_sources(ds, side.sources)}</td>" for _label, side in sides)
             + "</tr>")
    if any(c.note for c in period.claims):  # the period's own note is shown above the table
        body += (f"<tr><th>{esc(heads['note'])}</th><td></td>"
                 + "".join(f"<td><i>{esc(c.note)}</i></td>" if c.note else "<td></td>" for c in period.claims) + "</tr>")
    caption = esc(_("Sources disagree: who says what"))
    return (f'<table class="garrison-claims"><caption>{caption}</caption>'
            f"<tr><th></th>{head}</tr>{body}</table>")


def _publisher(ds: Dataset, source_id: str) -> str:
    src = ds.sources.get(source_id)
    return src.publisher if src else source_id


def _claim_value(ds: Dataset, field: str, side: Period | Claim, own: bool, m: Messages = EN) -> str:
    value = getattr(side, field)
    if value is None:  # a claim that does not dispute the field, or a period without a territory
        return "—"
    text = reader.markup(reader.actor(ds, value, m), m) if field in ("operator", "territory") else esc(m.term("status", value))
    return f"<b>{text}</b>" if not own else text


def _claim_sources(ds: Dataset, ids: tuple[str, ...]) -> str:
    items = []
    for sid in ids:
        s = ds.sources.get(sid)
        items.append(f"<li>{link(s.url, s.title)} — {esc(s.publisher)}</li>" if s else f"<li><code>{esc(sid)}</code></li>")
    return f"<ul>{''.join(items)}</ul>"


#: Vega-Lite renders these charts as SVG: text stays crisp when zoomed and can be selected (and measured)
SVG = {"embedOptions": {"renderer": "svg"}}
#: The width is the container's; the height grows with the legend below the plot instead of squeezing it
FIT_WIDTH = {"type": "fit-x", "contains": "padding"}
#: A legend entry's width on the charts (swatch, label up to LEGEND_LABEL_PX, gap); as many columns as fit
LEGEND_ENTRY_PX, LEGEND_LABEL_PX = 170, 140
_LEGEND = {"orient": "bottom", "direction": "horizontal", "labelLimit": LEGEND_LABEL_PX, "labelFontSize": 12,  # 14 px line boxes overlap at the legend's 18 px row pitch
           "columns": {"expr": f"max(1, floor(containerSize()[0] / {LEGEND_ENTRY_PX}))"}}
#: The strip's labels: 11 px text, never wider than CHAR_PX per character (a safe bound for
#: the chart's sans-serif at 11 px), with LABEL_PAD px of bar left over
LABEL_FONT_PX, CHAR_PX, LABEL_PAD = 11, 6.0, 8
#: a bar's width in pixels, from the chart's own x scale (so it holds at any width and span)
_BAR_PX = "(scale('x', datum.end) - scale('x', datum.start))"


def _label_px(text: str) -> float:
    return len(text) * CHAR_PX + LABEL_PAD


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a '#rrggbb' colour."""
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two '#rrggbb' colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


INKS = ("#111111", "#ffffff")
#: the strip's bar opacity for a period whose start is a day, and one given as a month or year only
EXACT_OPACITY, PARTIAL_OPACITY = 1.0, 0.6


def blend(colour: str, alpha: float, under: str = "#ffffff") -> str:
    """`colour` at `alpha` over `under` (the page's light background), as '#rrggbb'."""
    mix = [round(alpha * int(colour[i:i + 2], 16) + (1 - alpha) * int(under[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def ink(colour: str) -> str:
    """The label colour for a bar of `colour`: dark or white, whichever contrasts more."""
    return max(INKS, key=lambda i: contrast(i, colour))


def _chart_locale(chart: alt.LayerChart, m: Messages) -> alt.LayerChart:
    """The chart's time axis in the reader's language: month and day names (Messages.time_locale)."""
    if m.lang == DEFAULT:
        return chart
    return chart.configure(locale={"time": m.time_locale()})


def history_chart(ds: Dataset, inst_id: str, date: dt.date, m: Messages = EN) -> alt.LayerChart:
    """A strip chart: one bar per period coloured by operator, the slider date marked.

    A bar is labelled "operator · status" when that fits inside it at the chart's current width,
    else its status alone, else nothing: the label is in the bar's tooltip (and the history
    below), so labels never run into each other, whatever the span or the screen. The tooltip
    gives both dates as written ("1971", "1992-06"; in the reader's forms: "июнь 1992"). Every
    word is in the reader's language, actors by their names there (or the English short name, marked).
    """
    _ = m.gettext
    today = dt.date.today()
    exact_word, partial_word = _("exact date"), _("partial date")
    rows, colour_of = [], {}
    for h in ds.history(inst_id):
        end = from_day(to_day(h["end"])) if h["end"] else max(today, date)
        actor = ds.actors.get(h["operator"])
        short = reader.plain(reader.actor(ds, h["operator"], m, short=True), m)
        colour_of.setdefault(short, actor.colour if actor else "#999")
        status = m.term("status", h["status"])
        full, brief = f"{short} · {status}", status
        exact = len(h["since"]) == 10  # the start given to the day
        rows.append({"start": pd.Timestamp(h["start"]), "end": pd.Timestamp(end), "since": reader.written(h["since"], m),
                     "until": reader.written(h["until"], m) or _("ongoing"), "operator": short,
                     "operator_name": reader.plain(reader.actor(ds, h["operator"], m), m),
                     "territory": reader.plain(reader.actor(ds, h["territory"], m), m, "—"), "status": status,
                     "confidence": m.term("confidence", h["confidence"]),
                     "precision": exact_word if exact else partial_word,
                     "label": full, "label_px": _label_px(full), "brief": brief, "brief_px": _label_px(brief),
                     "ink": ink(blend(actor.colour, EXACT_OPACITY if exact else PARTIAL_OPACITY)) if actor else INKS[0]})
    frame = pd.DataFrame(rows)
    used = list(dict.fromkeys(frame["operator"]))
    colours = [colour_of[op] for op in used]
    base = alt.Chart(frame).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(labelOverlap="greedy", labelFlush=True)), x2="end:T",
        tooltip=[alt.Tooltip("since:N", title=m.pgettext("chart", "since")), alt.Tooltip("until:N", title=m.pgettext("chart", "until")),
                 alt.Tooltip("status:N", title=m.pgettext("chart", "status")), alt.Tooltip("operator_name:N", title=m.pgettext("chart", "operator")),
                 alt.Tooltip("territory:N", title=m.pgettext("chart", "territory")), alt.Tooltip("confidence:N", title=m.pgettext("chart", "confidence")),
                 alt.Tooltip("precision:N", title=m.pgettext("chart", "start given as"))])
    bars = base.mark_bar(height=22).encode(
        color=alt.Color("operator:N", title=m.pgettext("chart", "operator"), scale=alt.Scale(domain=used, range=colours), legend=alt.Legend(**_LEGEND)),
        opacity=alt.Opacity("precision:N", scale=alt.Scale(domain=[exact_word, partial_word], range=[EXACT_OPACITY, PARTIAL_OPACITY]), legend=None),
        strokeDash=alt.StrokeDash("status:N", legend=None), stroke=alt.value("#222"), strokeWidth=alt.value(0.6))
    labels = base.mark_text(
        align="left", dx=4, fontSize=LABEL_FONT_PX,
        text=alt.ExprRef(f"{_BAR_PX} >= datum.label_px ? datum.label : {_BAR_PX} >= datum.brief_px ? datum.brief : ''"),
        limit=alt.ExprRef(f"max(0, {_BAR_PX} - {LABEL_PAD})"),  # a safety net: Vega measures and cuts the text
    ).encode(color=alt.Color("ink:N", scale=None, legend=None))
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(date)]})).mark_rule(color="#111", strokeWidth=2).encode(x="date:T")
    return _chart_locale((bars + labels + rule).properties(height=32, usermeta=SVG, autosize=FIT_WIDTH), m)


def sample_days(days: np.ndarray, first: int, last: int, max_points: int = 160) -> list[int]:
    """Days for the operator chart: every change day when few, else evenly spaced ones.

    Keeps the chart (re-sent on every slider move, for its date rule) small at any data size.
    """
    inside = days[(days >= first) & (days <= last)]
    if len(inside) > max_points:
        inside = inside[np.linspace(0, len(inside) - 1, max_points).round().astype(int)]
    return sorted({first, last, *inside.tolist()})


#: The operator chart's default window holds the latest RECENT_SHARE of the data's change days ...
RECENT_SHARE = 0.8
#: ... and at least RECENT_MIN_YEARS, starting on 1 January
RECENT_MIN_YEARS = 5


def recent_window(days: np.ndarray, first: dt.date, last: dt.date) -> dt.date:
    """Where the operator chart starts by default: the recent, dense part of the record.

    The window reaches back to the first of the latest RECENT_SHARE of the change days (the
    bundled data: 2012, where a 1939 -> now axis would give the Syrian war a tenth of the
    width), at least RECENT_MIN_YEARS before `last`, from 1 January of that year, never before `first`.
    """
    if not len(days):
        return first
    ordered = np.sort(days)
    pivot = from_day(int(ordered[int(len(ordered) * (1 - RECENT_SHARE))]))
    year = min(pivot.year, last.year - RECENT_MIN_YEARS)
    return max(first, dt.date(max(year, dt.MINYEAR), 1, 1))


def operator_chart(counts: pd.DataFrame, ds: Dataset, date: dt.date, m: Messages = EN) -> alt.LayerChart:
    """Installations by operator over the days in `counts`, with the slider date marked.

    The legend has an entry for each operator that holds anything in that window, and only
    those, largest first; it sits below the plot in as many columns as the width allows. Words,
    actors' names and the axis's months are in the reader's language.
    """
    frame = counts[counts["count"] > 0].copy()
    days = [from_day(int(d)) for d in frame["day"]]
    frame["date"] = pd.to_datetime(days)
    frame["when"] = [reader.day(d, m) for d in days]
    names = {o: reader.plain(reader.actor(ds, o, m, short=True), m) if o in ds.actors else str(o) for o in set(frame["operator"])}
    colour_of = {names[o]: ds.actors[o].colour if o in ds.actors else "#999" for o in names}
    frame["operator"] = [names[o] for o in frame["operator"]]
    used = list(frame.groupby("operator", sort=False)["count"].sum().sort_values(ascending=False, kind="stable").index)
    colours = [colour_of[op] for op in used]
    frame["rank"] = frame["operator"].map({op: k for k, op in enumerate(used)})  # the largest at the bottom of the stack
    area = alt.Chart(frame).mark_area(interpolate="step-after").encode(
        x=alt.X("date:T", title=None, axis=alt.Axis(labelOverlap="greedy", labelFlush=True)),
        # an operator absent on a day counts 0 there (filled in the browser: the data stays small)
        y=alt.Y("count:Q", stack=True, title=m.pgettext("chart", "installations"), impute=alt.ImputeParams(value=0)),
        color=alt.Color("operator:N", scale=alt.Scale(domain=used, range=colours), legend=alt.Legend(title=None, **_LEGEND)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("when:N", title=m.pgettext("chart", "date")), alt.Tooltip("operator:N", title=m.pgettext("chart", "operator")),
                 alt.Tooltip("count:Q", title=m.pgettext("chart", "installations"))])
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(date)]})).mark_rule(color="#111", strokeWidth=2).encode(x="date:T")
    return _chart_locale((area + rule).properties(height=200, usermeta=SVG, autosize=FIT_WIDTH), m)


def arrow_bytes(rows: list[dict]) -> bytes:
    """Rows as an Arrow IPC stream: how Streamlit ships a chart's dataset, and what it sends unchanged when given."""
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.RecordBatchStreamWriter(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def frozen_datasets(spec: dict) -> dict:
    """A copy of a chart spec with every dataset already as Arrow bytes.

    Streamlit converts a spec's datasets to Arrow on every run (about a fifth of a rerun with a
    selection shown); a spec built once per dataset is converted once too.
    """
    return dict(spec, datasets={name: rows if isinstance(rows, bytes) else arrow_bytes(rows)
                                for name, rows in spec["datasets"].items()})


@functools.lru_cache(maxsize=4096)
def _rule_rows(date: dt.date) -> bytes:
    return arrow_bytes([{"date": pd.Timestamp(date)}])


def move_date_rule(spec: dict, date: dt.date) -> dict:
    """A copy of a chart spec (from ``Chart.to_dict()``) with its rule layer moved to `date`.

    Building and validating an Altair chart costs tens of milliseconds; the app builds the
    operator and history charts once per dataset and only moves the rule on each step.
    """
    out = dict(spec, datasets=dict(spec["datasets"]))
    for layer in spec["layer"]:
        mark = layer.get("mark")
        if (mark.get("type") if isinstance(mark, dict) else mark) == "rule":
            out["datasets"][layer["data"]["name"]] = _rule_rows(date)
    return out


def rule_date(date: dt.date, first: dt.date, last: dt.date, steps: int = 600) -> dt.date:
    """`date` rounded to one of `steps` even steps across the chart's span [first, last].

    A step is narrower than a pixel of the operator chart, so the rule looks the same; but
    neighbouring days then give the identical chart, which Streamlit does not send again (its
    message cache), so scrubbing day by day no longer re-sends and re-renders the chart.
    """
    span = max((last - first).days, 1)
    width = span / steps
    if width <= 1:
        return date
    offset = round(round((date - first).days / width) * width)
    return min(max(first + dt.timedelta(days=offset), first), last)
