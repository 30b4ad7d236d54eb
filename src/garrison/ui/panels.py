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
from ..model import Claim, Installation, Period


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


def details_html(ds: Dataset, inst_id: str) -> str:
    """Names and aliases, kind, country, coordinates with their precision, and when the record was checked."""
    rec = ds.records[ds.index[inst_id]]
    names = "".join(f"<li><b>{esc(lang)}</b>: <span dir=\"auto\">{esc(n)}</span></li>" for lang, n in rec.names.items())
    aliases = ", ".join(f'<span dir="auto">{esc(a)}</span>' for a in rec.aliases)
    aliases = f'<p class="garrison-aliases">Also known as: {aliases}</p>' if aliases else ""
    stale = '<p class="garrison-stale-note">⚠ Its file has errors: showing the last valid version.</p>' if rec.stale else ""
    return (f'<div class="garrison-details"><h3>{esc(rec.name)}</h3>{stale}'
            f"<p>{esc(rec.kind.replace('_', ' '))} · {esc(rec.country)} · "
            f"{rec.lat:.4f}, {rec.lon:.4f} <small>(lat, lon)</small> · id <code>{esc(rec.id)}</code></p>"
            f'<p class="garrison-record-meta">{esc(position_label(rec))} · {esc(checked_label(rec))}</p>'
            f"{aliases}"
            f"{'<ul>' + names + '</ul>' if names else ''}</div>")


def date_label(date: PartialDate) -> str:
    """A date as precise as it was written: 3 Dec 2026, Dec 2026 or 2026."""
    d = date.start
    if date.precision == "day":
        return f"{d.day} {d.strftime('%b')} {d.year}"
    return f"{d.strftime('%b')} {d.year}" if date.precision == "month" else str(d.year)


def checked_label(rec: Installation) -> str:
    """When the record was last verified against its sources."""
    return f"Record checked {date_label(rec.checked)}" if rec.checked else "Record check date not given"


def position_label(rec: Installation) -> str:
    """How precise lat/lon are."""
    if rec.position == "exact":
        return "position exact (within about 1 km)"
    if rec.position == "approximate":
        return f"position approximate, ±{rec.position_km:g} km" if rec.position_km else "position approximate"
    return "position precision not given"


def history_html(ds: Dataset, inst_id: str) -> str:
    """Every period with status, operator, territory, confidence, note and its sources as links;
    a disputed period's claims side by side with the record's own values."""
    rows = []
    periods = ds.records[ds.index[inst_id]].history
    for h, period in zip(ds.history(inst_id), periods, strict=True):
        terr = f" · territory: {esc(ds.actor_name(h['territory']))}" if h["territory"] else ""
        until = f" – {esc(h['end'])}" if h["end"] else " – ongoing"
        srcs = []
        for sid in h["sources"]:
            s = ds.sources.get(sid)
            if s:
                srcs.append(f"<li>{link(s.url, s.title)} — {esc(s.publisher)}{', ' + esc(s.date) if s.date else ''}</li>")
        note = f"<p><i>{esc(h['note'])}</i></p>" if h["note"] else ""
        rows.append(
            f'<div class="garrison-period garrison-period-{esc(h["status"])}">'
            f"<b>{esc(h['since'])}</b>{until}: <b>{esc(h['status'])}</b> — {esc(ds.actor_name(h['operator']))}{terr}"
            f" · <span class=\"garrison-conf\">{esc(h['confidence'])}</span>{note}<ul>{''.join(srcs)}</ul>"
            f"{claims_html(ds, period)}</div>")
    return "".join(rows)


_CLAIM_ROWS = ("operator", "status", "territory")


def claims_html(ds: Dataset, period: Period) -> str:
    """Who says what: the record's values and each claim's, side by side (empty for a period without claims).

    One column per side, headed by its sources' publishers; a claim shows "—" for what it does not
    dispute. Each column lists its sources' titles (linked, http(s) only) and publishers.
    """
    if not period.claims:
        return ""
    sides: list[tuple[str, Period | Claim]] = [("This record", period)]
    sides += [(" / ".join(dict.fromkeys(_publisher(ds, s) for s in c.sources)) or "Claim", c) for c in period.claims]
    head = "".join(f"<th>{esc(label)}</th>" for label, _ in sides)
    body = ""
    for field in _CLAIM_ROWS:
        cells = "".join(f"<td>{_claim_value(ds, field, side, side is period)}</td>" for _, side in sides)
        body += f"<tr><th>{field}</th>{cells}</tr>"
    body += "<tr><th>sources</th>" + "".join(f"<td>{_claim_sources(ds, side.sources)}</td>" for _, side in sides) + "</tr>"
    if any(c.note for c in period.claims):  # the period's own note is shown above the table
        body += "<tr><th>note</th><td></td>" + "".join(f"<td><i>{esc(c.note)}</i></td>" if c.note else "<td></td>"
                                                        for c in period.claims) + "</tr>"
    return (f'<table class="garrison-claims"><caption>Sources disagree: who says what</caption>'
            f"<tr><th></th>{head}</tr>{body}</table>")


def _publisher(ds: Dataset, source_id: str) -> str:
    src = ds.sources.get(source_id)
    return src.publisher if src else source_id


def _claim_value(ds: Dataset, field: str, side: Period | Claim, own: bool) -> str:
    value = getattr(side, field)
    if value is None:  # a claim that does not dispute the field, or a period without a territory
        return "—"
    text = ds.actor_name(value) if field in ("operator", "territory") else value
    return f"<b>{esc(text)}</b>" if not own else esc(text)


def _claim_sources(ds: Dataset, ids: tuple[str, ...]) -> str:
    items = []
    for sid in ids:
        s = ds.sources.get(sid)
        items.append(f"<li>{link(s.url, s.title)} — {esc(s.publisher)}</li>" if s else f"<li><code>{esc(sid)}</code></li>")
    return f"<ul>{''.join(items)}</ul>"


def history_chart(ds: Dataset, inst_id: str, date: dt.date) -> alt.Chart:
    """A strip chart: one bar per period coloured by operator, labelled by status, slider date marked."""
    hist = ds.history(inst_id)
    today = dt.date.today()
    rows = []
    for h in hist:
        end = from_day(to_day(h["end"])) if h["end"] else max(today, date)
        rows.append({"start": pd.Timestamp(h["start"]), "end": pd.Timestamp(end), "since": h["since"],
                     "operator": ds.actors[h["operator"]].short if h["operator"] in ds.actors else h["operator"],
                     "status": h["status"], "confidence": h["confidence"],
                     "precision": "partial date" if len(h["since"]) < 10 else "exact date"})
    frame = pd.DataFrame(rows)
    used = list(dict.fromkeys(frame["operator"]))
    colours = [next((a.colour for a in ds.actors.values() if a.short == op), "#999") for op in used]
    base = alt.Chart(frame).encode(
        x=alt.X("start:T", title=None), x2="end:T",
        tooltip=[alt.Tooltip("since:N", title="since"), "status:N", "operator:N", "confidence:N", "precision:N"])
    bars = base.mark_bar(height=22).encode(
        color=alt.Color("operator:N", scale=alt.Scale(domain=used, range=colours), legend=alt.Legend(orient="bottom")),
        opacity=alt.Opacity("precision:N", scale=alt.Scale(domain=["exact date", "partial date"], range=[1.0, 0.6]), legend=None),
        strokeDash=alt.StrokeDash("status:N", legend=None), stroke=alt.value("#222"), strokeWidth=alt.value(0.6))
    labels = base.mark_text(align="left", dx=3, color="white", fontSize=10).encode(text="status:N")
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(date)]})).mark_rule(color="#111", strokeWidth=2).encode(x="date:T")
    return (bars + labels + rule).properties(height=70)


def sample_days(days: np.ndarray, first: int, last: int, max_points: int = 160) -> list[int]:
    """Days for the operator chart: every change day when few, else evenly spaced ones.

    Keeps the chart (re-sent on every slider move, for its date rule) small at any data size.
    """
    inside = days[(days >= first) & (days <= last)]
    if len(inside) > max_points:
        inside = inside[np.linspace(0, len(inside) - 1, max_points).round().astype(int)]
    return sorted({first, last, *inside.tolist()})


def operator_chart(counts: pd.DataFrame, ds: Dataset, date: dt.date) -> alt.Chart:
    """Installations by operator over time, with the slider date marked."""
    frame = counts.copy()
    frame["date"] = pd.to_datetime([from_day(int(d)) for d in frame["day"]])
    frame["operator"] = [ds.actors[o].short if o in ds.actors else str(o) for o in frame["operator"]]
    used = list(dict.fromkeys(frame["operator"]))
    colours = [next((a.colour for a in ds.actors.values() if a.short == op), "#999") for op in used]
    area = alt.Chart(frame).mark_area(interpolate="step-after").encode(
        x=alt.X("date:T", title=None), y=alt.Y("count:Q", stack=True, title="installations"),
        color=alt.Color("operator:N", scale=alt.Scale(domain=used, range=colours)),
        tooltip=["date:T", "operator:N", "count:Q"])
    rule = alt.Chart(pd.DataFrame({"date": [pd.Timestamp(date)]})).mark_rule(color="#111", strokeWidth=2).encode(x="date:T")
    return (area + rule).properties(height=220)


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
