"""Details that read well and charts that fit (issue 11): dates at their own precision, period ends
included; names instead of actor ids, country and language codes; the history strip's labels and
the operator chart's window and legend, read from the Vega-Lite specs the app sends.

Each test also checks one thing that must NOT happen ("must not" below).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from paths import BUNDLED, GOOD

import garrison
from garrison import export
from garrison.dates import from_day, to_day
from garrison.names import country_name, language_name
from garrison.ui import panels

WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


@pytest.fixture(scope="module")
def bundled():
    return garrison.Loader(BUNDLED).load()


@pytest.fixture(scope="module")
def good():
    return garrison.Loader(GOOD).load()


class _Text(HTMLParser):
    """The text a reader sees in some markup (attributes left out)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.feed(markup)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def text_of(markup: str) -> str:
    return _Text(markup).text


def _layer(spec: dict, mark: str) -> dict:
    (layer,) = [x for x in spec["layer"] if (x["mark"]["type"] if isinstance(x["mark"], dict) else x["mark"]) == mark]
    return layer


def _rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][(layer.get("data") or spec["data"])["name"]]


# --- names for codes --------------------------------------------------------------------------
def test_country_and_language_names_come_from_cldr():
    assert country_name("SY") == "Syria" and country_name("sy") == "Syria" and country_name("CF") == "Central African Republic"
    assert language_name("ru") == "Russian" and language_name("ar") == "Arabic" and language_name("ar-SY") == "Arabic (Syria)"
    assert country_name("SY", "ru") == "Сирия"  # another interface language asks for its own names
    # must not: an unknown code turned into something else (or an error): it is shown as written
    assert country_name("XQ") == "XQ" and language_name("qqq-zz") == "qqq-zz" and country_name("") == ""


def _free_text(ds, rec) -> set[str]:
    """Words the record's own free text and the names shown for its codes may hold (names, notes,
    titles...; "de" in "Abkhazia (de facto authorities)"): these may be anything."""
    texts = [rec.id, rec.name, *rec.names.values(), *rec.aliases, *(g.name for g in rec.ranges),
             country_name(rec.country), *map(language_name, rec.names)]
    for p in rec.history:
        texts += [p.note or "", *(c.note or "" for c in p.claims)]
        texts += [ds.actor_name(a) or "" for side in (p, *p.claims) for a in (side.operator, side.territory)]
        for sid in [*p.sources, *(s for c in p.claims for s in c.sources)]:
            src = ds.sources.get(sid)
            texts += [sid] if src is None else [src.title, src.publisher, src.date or ""]
    return {w for t in texts for w in WORD.findall(t)}


def test_no_actor_id_or_country_code_is_shown_in_any_bundled_records_details(bundled):
    ds = bundled
    codes = set(ds.actors) | {r.country for r in ds.records} | {lang for r in ds.records for lang in r.names}
    assert {"sy-opp", "SY", "ru"} <= codes
    for rec in ds.records:
        details, history = text_of(panels.details_html(ds, rec.id)), text_of(panels.history_html(ds, rec.id))
        shown = set(WORD.findall(details)) | set(WORD.findall(history))
        # must not: an id or a code where its name belongs
        assert not (shown - _free_text(ds, rec)) & codes, (rec.id, (shown - _free_text(ds, rec)) & codes)
        assert f"· {country_name(rec.country)} ·" in details and country_name(rec.country) != rec.country, rec.id
        for lang in rec.names:
            assert f"{language_name(lang)}:" in details, (rec.id, lang)
        for p in rec.history:
            assert ds.actors[p.operator].name in history, (rec.id, p.operator)
            assert p.territory is None or ds.actors[p.territory].name in history, (rec.id, p.territory)


def test_the_history_strips_tooltips_name_the_actors(bundled):
    ds = bundled
    for rec in ds.records:
        spec = panels.history_chart(ds, rec.id, dt.date(2024, 12, 10)).to_dict()
        rows = _rows(spec, _layer(spec, "bar"))
        tips = {t["field"] for t in _layer(spec, "bar")["encoding"]["tooltip"]}
        assert {"since", "until", "operator_name", "territory"} <= tips
        for row, p in zip(rows, rec.history, strict=True):
            assert row["operator_name"] == ds.actors[p.operator].name
            assert row["territory"] == (ds.actors[p.territory].name if p.territory else "—")
            # must not: an actor id in a tooltip
            assert row["operator_name"] not in ds.actors and row["territory"] not in ds.actors


# --- dates at their own precision, ends included ---------------------------------------------------
def test_every_period_shows_its_start_and_end_as_written(bundled):
    ds = bundled
    year_ends = 0
    for rec in ds.records:
        markup = panels.history_html(ds, rec.id)
        spec = panels.history_chart(ds, rec.id, dt.date(2024, 12, 10)).to_dict()
        rows = _rows(spec, _layer(spec, "bar"))
        for k, p in enumerate(rec.history):
            until = p.end.text if p.end else rec.history[k + 1].start.text if k + 1 < len(rec.history) else None
            assert f"<b>{p.start.text}</b> – {until or 'ongoing'}:" in markup, (rec.id, p.start.text)
            assert (rows[k]["since"], rows[k]["until"]) == (p.start.text, until or "ongoing")
            if until and len(until) == 4:
                year_ends += 1
                padded = f"{until}-01-01"
                # must not: a year's end padded to its first day ("1992-01-01" for "1992")
                assert f"– {padded}" not in markup and rows[k]["until"] != padded, (rec.id, p.start.text)
    assert year_ends  # the bundled data has periods that end in a year (Tartus's Soviet period, 1971 - 1992)


def test_history_exports_keep_the_end_as_written(bundled, tmp_path):
    ds = bundled
    table = export.period_table(ds).set_index("period_id")
    feats = export.history_features(ds)["features"]
    rows = list(csv.DictReader(io.StringIO(export.history_csv(ds))))
    assert len(feats) == len(rows) == len(table)
    for f, row in zip(feats, rows, strict=True):
        props, to_text = f["properties"], table.loc[f["id"], "to_text"]
        assert props["until"] == (None if to_text is None or to_text != to_text else to_text)
        assert row["until"] == (props["until"] or "") and row["since"] == props["since"]
        # the day columns stay days: the first day of the end as written
        assert props["end"] is None or props["end"] == from_day(to_day(props["until"])).isoformat()
    year_end = next(f["properties"] for f in feats if f["properties"]["until"] and len(f["properties"]["until"]) == 4)
    # must not: the end's precision lost (a year written as a padded day) in the text column
    assert year_end["end"] == f"{year_end['until']}-01-01" and year_end["until"] != year_end["end"]
    kml = export.to_kml(ds)
    assert f"<end>{year_end['until']}</end>" in kml  # KML's gYear, as it was


# --- the history strip's labels ------------------------------------------------------------------
def test_strip_labels_show_only_where_they_fit_else_the_tooltip_has_them(good):
    spec = panels.history_chart(good, "base-b", dt.date(2024, 12, 10)).to_dict()
    text = _layer(spec, "text")
    expr = text["mark"]["text"]["expr"]
    # chosen in the browser from the bar's width in pixels, by the chart's own x scale
    assert "scale('x', datum.end) - scale('x', datum.start)" in expr
    assert "datum.label_px ? datum.label" in expr and "datum.brief_px ? datum.brief : ''" in expr
    assert "scale('x'" in text["mark"]["limit"]["expr"]  # and never drawn wider than its bar
    for row in _rows(spec, text):
        assert row["label"] == f"{good.actors[next(a for a in good.actors if good.actors[a].short == row['operator'])].short} · {row['status']}"
        assert row["label_px"] >= len(row["label"]) * panels.CHAR_PX and row["brief_px"] >= len(row["brief"]) * panels.CHAR_PX
        assert {row["label"].split(" · ")[1], row["brief"]} == {row["status"]}
    # must not: a label the tooltip lacks (a hidden label is read there)
    tips = {t["field"] for t in _layer(spec, "bar")["encoding"]["tooltip"]}
    assert {"status", "operator_name", "since", "until"} <= tips
    assert spec["usermeta"]["embedOptions"]["renderer"] == "svg" and spec["autosize"]["type"] == "fit-x"


def test_strip_label_ink_contrasts_with_every_operators_bar(bundled):
    for actor in bundled.actors.values():
        for alpha in (panels.EXACT_OPACITY, panels.PARTIAL_OPACITY):
            bar = panels.blend(actor.colour, alpha)
            chosen = panels.ink(bar)
            other = next(i for i in panels.INKS if i != chosen)
            # must not: the less readable of the two inks
            assert panels.contrast(chosen, bar) >= panels.contrast(other, bar), actor.id
            assert panels.contrast(chosen, bar) >= 4.0, (actor.id, alpha)


# --- the operator chart's window and legend ------------------------------------------------------
def test_the_recent_window_holds_most_changes_and_starts_on_a_new_year():
    first, last = dt.date(1939, 4, 12), dt.date(2026, 12, 3)
    days = np.array([to_day(d) for d in ["1939-04-12", "1962-01-01", "1990-05-05"]]
                    + [to_day(dt.date(2012, 1, 1)) + 30 * k for k in range(150)])
    start = panels.recent_window(days, first, last)
    assert start.month == start.day == 1
    assert np.mean(days >= to_day(start)) >= panels.RECENT_SHARE
    # the shortest such window: a year later would leave out more than the share allows
    assert np.mean(days >= to_day(start.replace(year=start.year + 1))) < panels.RECENT_SHARE
    assert 2012 <= start.year < 2020  # within the recent cluster, not at the 1939 outlier
    # a record of the last few months alone still gets RECENT_MIN_YEARS of context, within the data
    recent = np.array([to_day(dt.date(2026, 6, 1)) + k for k in range(100)])
    assert panels.recent_window(recent, dt.date(2000, 1, 1), last) == dt.date(last.year - panels.RECENT_MIN_YEARS, 1, 1)
    assert panels.recent_window(recent, dt.date(2025, 3, 3), last) == dt.date(2025, 3, 3)
    # must not: a window before the data, or a crash on no data
    assert panels.recent_window(np.array([], dtype=np.int64), first, last) == first


def _operator_spec(ds, start: dt.date, end: dt.date) -> dict:
    counts = ds.periods.counts_by_operator(panels.sample_days(ds.periods.change_days(), to_day(start), to_day(end)))
    return panels.operator_chart(counts, ds, end).to_dict(), counts


def test_the_operator_chart_follows_the_recent_window_with_a_legend_of_who_is_in_it(bundled):
    ds = bundled
    first, last = ds.span()
    start = panels.recent_window(ds.periods.change_days(), first, last)
    assert first < start < last
    spec, counts = _operator_spec(ds, start, last)
    area = _layer(spec, "area")
    rows = _rows(spec, area)
    assert min(r["date"] for r in rows) == f"{start.isoformat()}T00:00:00"
    domain = area["encoding"]["color"]["scale"]["domain"]
    present = {ds.actors[o].short for o in counts.loc[counts["count"] > 0, "operator"]}
    assert set(domain) == present == {r["operator"] for r in rows}
    totals = {op: sum(r["count"] for r in rows if r["operator"] == op) for op in domain}
    assert list(domain) == sorted(domain, key=lambda op: -totals[op])  # the largest first
    legend = area["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and "containerSize()[0]" in legend["columns"]["expr"]
    assert spec["autosize"]["type"] == "fit-x" and spec["usermeta"]["embedOptions"]["renderer"] == "svg"
    # the whole record has operators that held nothing in the window: not in its legend
    whole, _ = _operator_spec(ds, first, last)
    gone = set(_layer(whole, "area")["encoding"]["color"]["scale"]["domain"]) - set(domain)
    assert gone
    # must not: a legend entry for an operator that holds nothing in the window
    assert not gone & set(domain) and all(totals[op] > 0 for op in domain)
