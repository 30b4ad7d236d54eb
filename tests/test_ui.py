"""App logic without Streamlit: permalinks, search, and the panels' HTML and charts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import garrison
from garrison.dataset import Dataset
from garrison.dates import PartialDate, parse_partial
from garrison.model import Installation, Period, Source
from garrison.ui import panels
from garrison.ui.permalink import LIST_KEYS, View, parse_view, to_params
from garrison.ui.search import fold, search_ids

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"

HOSTILE = [
    "</script><script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "<!--",
    "javascript:alert(1)",
    "../../etc/passwd",
    "\u2028\u2029",
    "\x00",
]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return garrison.Loader(GOOD).load()


def _with_records(ds: Dataset, records: list[Installation], sources: dict[str, Source] | None = None) -> Dataset:
    """A Dataset built by hand (bypassing the loader and its checks)."""
    return Dataset(records, dict(ds.actors), dict(sources if sources is not None else ds.sources), [], "mem", "v-test")


def _pd(text: str) -> PartialDate:
    return parse_partial(text)


# --- permalink ------------------------------------------------------------------------------
def test_permalink_round_trip(ds):
    view = View(date=dt.date(2024, 12, 10), compare=dt.date(2016, 3, 1), select="port-a",
                filters={"op": ["red", "blue"], "country": ["SY"], "kind": ["naval_base"], "status": ["active", "seized"]},
                q="Порт", lat=34.9, lon=35.8712, zoom=7)
    params = to_params(view)
    assert params == {"date": "2024-12-10", "compare": "2016-03-01", "select": "port-a", "op": "red,blue",
                      "country": "SY", "kind": "naval_base", "status": "active,seized", "q": "Порт",
                      "lat": "34.9000", "lon": "35.8712", "zoom": "7"}
    assert all(isinstance(v, str) for v in params.values())
    assert parse_view(params, ds) == view
    # and back again: to_params . parse_view is the identity on its own output
    assert to_params(parse_view(params, ds)) == params


def test_empty_view_gives_empty_params_and_back(ds):
    assert to_params(View()) == {}
    v = parse_view({}, ds)
    assert v == View()
    assert v.filters == {k: [] for k in LIST_KEYS}


def test_map_view_needs_all_three_parts(ds):
    assert "lat" not in to_params(View(lat=1.0, lon=2.0))
    assert "zoom" not in to_params(View(lat=1.0, zoom=3))
    v = parse_view({"lat": "-33.5", "lon": "151.25", "zoom": "9"}, ds)
    assert (v.lat, v.lon, v.zoom) == (-33.5, 151.25, 9)
    # a fractional zoom is truncated to an int
    assert parse_view({"lat": "1", "lon": "2", "zoom": "4.9"}, ds).zoom == 4
    # must not: a part of a view kept (the map would centre on a missing longitude)
    for partial in ({"zoom": "4"}, {"lat": "35", "zoom": "5"}, {"lat": "35", "lon": "36"}):
        v = parse_view(partial, ds)
        assert (v.lat, v.lon, v.zoom) == (None, None, None), partial


def test_partial_date_in_link_starts_on_first_day(ds):
    assert parse_view({"date": "2024"}, ds).date == dt.date(2024, 1, 1)
    assert parse_view({"date": "2024-12"}, ds).date == dt.date(2024, 12, 1)


@pytest.mark.parametrize("bad", ["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "0000", "24-01-01",
                                 "2024/01/01", "2024-1-1", " 2024-01-01", "2024-01-01T00:00", "yesterday", "",
                                 "9" * 500, *HOSTILE])
def test_bad_dates_are_ignored(ds, bad):
    v = parse_view({"date": bad, "compare": bad}, ds)
    assert v.date is None and v.compare is None
    assert "date" not in to_params(v) and "compare" not in to_params(v)


@pytest.mark.parametrize("sel", ["nope", "PORT-A", "port-a ", "", *HOSTILE])
def test_unknown_or_hostile_selection_is_ignored(ds, sel):
    v = parse_view({"select": sel}, ds)
    assert v.select is None
    assert v.date is None  # no selection -> no jump to its latest change


def test_unknown_filter_values_are_dropped(ds):
    v = parse_view({"op": "red,ru,,blue," + HOSTILE[0], "country": "SY,XX,sy", "kind": "radar,submarine,naval_base",
                    "status": "active,ACTIVE,sunk," + HOSTILE[1]}, ds)
    assert v.filters == {"op": ["red", "blue"], "country": ["SY"], "kind": ["radar", "naval_base"], "status": ["active"]}
    # kinds are limited to those present in the data
    assert parse_view({"kind": "air_base,port"}, ds).filters["kind"] == ["air_base"]


@pytest.mark.parametrize(("lat", "lon", "zoom"), [
    ("90.0001", "180.5", "19"), ("-91", "-181", "0"), ("nan", "nan", "nan"), ("inf", "-inf", "inf"),
    ("1e400", "-1e400", "1e400"), ("abc", "12,5", "x"), ("", "", ""), ("0x10", "1_000", "-3"), (HOSTILE[0], HOSTILE[1], HOSTILE[2]),
])
def test_out_of_range_or_malformed_map_view_is_ignored(ds, lat, lon, zoom):
    v = parse_view({"lat": lat, "lon": lon, "zoom": zoom}, ds)
    assert v.lat is None and v.lon is None and v.zoom is None
    assert not {"lat", "lon", "zoom"} & set(to_params(v))


def test_a_partial_map_view_is_never_written_back(ds):
    v = parse_view({"lat": "95", "lon": "10", "zoom": "5"}, ds)
    assert (v.lat, v.lon, v.zoom) == (None, None, None)  # one bad part drops the whole view
    assert not {"lat", "lon", "zoom"} & set(to_params(v))


def test_map_view_range_edges_are_accepted(ds):
    v = parse_view({"lat": "-90", "lon": "180", "zoom": "18"}, ds)
    assert (v.lat, v.lon, v.zoom) == (-90.0, 180.0, 18)
    assert parse_view({"lat": "0", "lon": "0", "zoom": "0"}, ds).zoom is None
    assert parse_view({"lat": "0", "lon": "0", "zoom": "1"}, ds).zoom == 1


def test_query_is_capped_and_kept_as_plain_text(ds):
    v = parse_view({"q": "x" * 5000}, ds)
    assert v.q == "x" * 200
    hostile = parse_view({"q": HOSTILE[0]}, ds)
    assert hostile.q == HOSTILE[0]  # data, never markup: it is only matched against names
    assert search_ids(ds, hostile.q) == []


def test_select_without_date_opens_at_latest_change(ds):
    for inst in ("port-a", "base-b", "site-c"):
        v = parse_view({"select": inst}, ds)
        latest = max(parse_partial(h["start"]).start for h in ds.history(inst))
        assert v.select == inst and v.date == latest
    assert parse_view({"select": "base-b"}, ds).date == dt.date(2025, 7, 1)
    # an explicit date wins over the jump
    assert parse_view({"select": "base-b", "date": "2016-02-02"}, ds).date == dt.date(2016, 2, 2)
    # a malformed date with a selection falls back to the latest change, never to the bad value
    assert parse_view({"select": "port-a", "date": "2024-02-30"}, ds).date == dt.date(2024, 12, 8)


_text = hst.text(hst.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None)
@given(hst.dictionaries(hst.sampled_from(["date", "compare", "select", "op", "country", "kind", "status", "q",
                                          "lat", "lon", "zoom", "junk"]),
                        hst.one_of(_text, hst.sampled_from(["2024-12-10", "port-a", "red,blue", "SY", "45.5", "6"]))))
def test_parse_view_never_raises_and_is_idempotent(params):
    ds = garrison.Loader(GOOD).load()
    v = parse_view(params, ds)
    out = to_params(v)
    assert set(out) <= {"date", "compare", "select", "op", "country", "kind", "status", "q", "lat", "lon", "zoom"}
    assert v.select in (None, *ds.index)
    assert to_params(parse_view(out, ds)) == out


# --- search ---------------------------------------------------------------------------------
def test_search_matches_other_languages_and_ignores_case(ds):
    assert search_ids(ds, "Порт") == ["port-a"]
    assert search_ids(ds, "пОрТ а") == ["port-a"]
    assert search_ids(ds, "PORT A") == ["port-a"]
    assert search_ids(ds, "  base  ") == ["base-b"]
    assert search_ids(ds, "site-c") == ["site-c"]  # the id counts too
    assert search_ids(ds, "") == search_ids(ds, "   ") == ["base-b", "port-a", "site-c"]
    assert search_ids(ds, "Хмеймим") == []


def test_search_ignores_accents_and_arabic_diacritics(ds):
    recs = list(ds.records)
    i = ds.index["base-b"]
    recs[i] = dataclasses.replace(recs[i], name="Ḥmeimim Base",
                                  names={"ar": "قاعدة حُمَيْمِيم الجوية", "fr": "Base aérienne de Hmeïmim", "tr": "İSTANBUL Üssü"})
    mem = _with_records(ds, recs)
    assert search_ids(mem, "hmeimim") == ["base-b"]
    assert search_ids(mem, "HMEÏMIM") == ["base-b"]
    assert search_ids(mem, "aerienne") == ["base-b"]
    assert search_ids(mem, "حميميم") == ["base-b"]  # no harakat in the query
    assert search_ids(mem, "حُمَيْمِيم") == ["base-b"]  # harakat in the query too
    assert search_ids(mem, "istanbul üssü") == ["base-b"]
    assert search_ids(mem, "ussu") == ["base-b"]
    assert search_ids(mem, "Порт") == ["port-a"]
    assert fold("ÉCOLE") == fold("école") == "ecole"


# --- panels: HTML ---------------------------------------------------------------------------
class _Tags(HTMLParser):
    """Every start tag with its attributes (what a browser would build)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


ALLOWED_TAGS = {"div", "h3", "p", "small", "code", "ul", "li", "b", "span", "i", "a"}


def _hostile_dataset(ds: Dataset, url: str) -> Dataset:
    evil = '</h3><script>alert("x")</script><h3 title="'
    rec = Installation(
        id="evil", name=evil, kind="air_base", country='SY"><img src=x onerror=alert(1)>', lat=1.5, lon=2.25,
        names={'en" onclick="alert(1)': "<b onmouseover=alert(1)>bold</b>", "ar": "'\"<>&"},
        history=[Period(_pd("2016"), None, "red", "active", "blue", "confirmed", ("evil-src",),
                        note='<iframe src="javascript:alert(1)"></iframe>')],
    )
    src = Source("evil-src", '<script>alert("title")</script>', "Pub\" onmouseover=\"alert(1)", url,
                 date="<svg onload=alert(1)>")
    return _with_records(ds, [rec], {"evil-src": src})


def _assert_inert(markup: str) -> list[tuple[str, dict]]:
    tags = _Tags(markup).tags
    assert {t for t, _ in tags} <= ALLOWED_TAGS, tags
    for tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        assert set(attrs) <= {"class", "dir", "href", "target", "rel", "lang"}, (tag, attrs)
        assert re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", attrs.get("lang", "en")), (tag, attrs)
    assert "<script" not in markup and "<img" not in markup and "<iframe" not in markup and "<svg" not in markup
    return tags


def test_details_html_escapes_every_data_string(ds):
    mem = _hostile_dataset(ds, "https://example.org/ok")
    out = panels.details_html(mem, "evil")
    tags = _assert_inert(out)
    assert ("h3", {}) in tags
    assert html.escape('</h3><script>alert("x")</script>', quote=True) in out
    assert "&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;" in out
    assert "&#x27;&quot;&lt;&gt;&amp;" in out
    assert "1.5000, 2.2500" in out


def test_details_html_of_a_real_record(ds):
    out = panels.details_html(ds, "port-a")
    assert "<h3>Port A</h3>" in out and "Порт А" in out and "naval base" in out and "<code>port-a</code>" in out
    assert "garrison-stale-note" not in out
    recs = [dataclasses.replace(r, stale=True) if r.id == "port-a" else r for r in ds.records]
    assert "garrison-stale-note" in panels.details_html(_with_records(ds, recs), "port-a")


def test_history_html_escapes_and_links_http_sources(ds):
    url = 'https://example.org/a?b=1&c="x" onclick="alert(1)'.replace(" ", "%20")
    out = panels.history_html(_hostile_dataset(ds, url), "evil")
    tags = _assert_inert(out)
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert links == [{"href": url, "target": "_blank", "rel": "noopener noreferrer"}]
    assert "&lt;iframe" in out and "&lt;svg onload=alert(1)&gt;" in out
    assert "Red Forces" in out and "territory: Blue Forces" in out and "ongoing" in out


@pytest.mark.parametrize("url", [
    "javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "ftp://example.org/file",
    "//evil.example/x", "/relative/path", "https:///no-host", "https://example.org/has space",
    "file:///etc/passwd", "",
])
def test_history_html_never_links_a_non_http_url(ds, url):
    out = panels.history_html(_hostile_dataset(ds, url), "evil")
    tags = _assert_inert(out)
    assert not [t for t, _ in tags if t == "a"], out
    assert "href" not in out
    # shown as inert text instead, escaped
    assert f"<code>{html.escape(url, quote=True)}</code>" in out


def test_link_helper_only_links_http_and_https():
    assert panels.link("http://example.org/x", "t").startswith('<a href="http://example.org/x"')
    assert panels.link("HTTPS://example.org/x", "t").startswith("<a ")
    assert "<a " not in panels.link("javascript:alert(1)", "t")
    assert panels.esc(None) == "" and panels.esc("<'\">") == "&lt;&#x27;&quot;&gt;"


def test_history_html_of_a_real_record(ds):
    out = panels.history_html(ds, "port-a")
    _assert_inert(out)
    assert out.count('class="garrison-period ') == len(ds.history("port-a")) == 2
    assert "garrison-period-blockaded" in out and "<i>Fixture note.</i>" in out
    assert out.count('href="https://example.org/one"') == 2 and out.count('href="https://example.org/two"') == 1


# --- panels: charts -------------------------------------------------------------------------
def _layers(chart: alt.Chart) -> tuple[dict, list[dict]]:
    spec = chart.to_dict()
    assert "layer" in spec
    return spec, spec["layer"]


def _rows(spec: dict, layer: dict) -> list[dict]:
    name = (layer.get("data") or spec["data"])["name"]
    return spec["datasets"][name]


def _mark(layer: dict) -> str:
    m = layer["mark"]
    return m["type"] if isinstance(m, dict) else m


@pytest.mark.parametrize("inst", ["base-b", "port-a", "site-c"])
def test_history_chart_has_one_bar_per_period_and_the_date_rule(ds, inst):
    date = dt.date(2024, 12, 10)
    chart = panels.history_chart(ds, inst, date)
    assert isinstance(chart, alt.LayerChart)
    spec, layers = _layers(chart)
    bars = [x for x in layers if _mark(x) == "bar"]
    rules = [x for x in layers if _mark(x) == "rule"]
    assert len(bars) == 1 and len(rules) == 1
    rows = _rows(spec, bars[0])
    hist = ds.history(inst)
    assert len(rows) == len(hist)
    assert [r["since"] for r in rows] == [h["since"] for h in hist]
    assert [r["status"] for r in rows] == [h["status"] for h in hist]
    assert all(r["start"] < r["end"] for r in rows)
    assert _rows(spec, rules[0]) == [{"date": "2024-12-10T00:00:00"}]
    assert rules[0]["encoding"]["x"]["field"] == "date"


def test_history_chart_colours_and_precision(ds):
    spec, layers = _layers(panels.history_chart(ds, "base-b", dt.date(2016, 1, 1)))
    bar = next(x for x in layers if _mark(x) == "bar")
    scale = bar["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Red", "Green"], "range": ["#cc0000", "#00aa00"]}
    rows = _rows(spec, bar)
    assert [r["precision"] for r in rows] == ["partial date", "exact date", "exact date"]
    assert rows[1]["end"] == "2025-06-01T00:00:00"  # the explicit `to`
    # the open last period reaches at least today
    assert rows[-1]["end"] >= dt.date.today().isoformat()
    # a slider date after today stretches the open period to it
    later = dt.date.today() + dt.timedelta(days=400)
    spec2, layers2 = _layers(panels.history_chart(ds, "base-b", later))
    assert _rows(spec2, next(x for x in layers2 if _mark(x) == "bar"))[-1]["end"].startswith(later.isoformat())


def test_operator_chart_has_the_counts_and_the_date_rule(ds):
    days = [int(d) for d in ds.periods.change_days()]
    counts = ds.periods.counts_by_operator(days)
    date = dt.date(2025, 7, 1)
    spec, layers = _layers(panels.operator_chart(counts, ds, date))
    areas = [x for x in layers if _mark(x) == "area"]
    rules = [x for x in layers if _mark(x) == "rule"]
    assert len(areas) == 1 and len(rules) == 1
    rows = _rows(spec, areas[0])
    assert len(rows) == len(counts)
    assert {r["operator"] for r in rows} == {"Red", "Red PMC", "Green"}
    last = {r["operator"]: r["count"] for r in rows if r["date"] == "2025-07-01T00:00:00"}
    assert last == {"Red": 1, "Red PMC": 1, "Green": 1}
    assert _rows(spec, rules[0]) == [{"date": "2025-07-01T00:00:00"}]
    scale = areas[0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {"Red": "#cc0000", "Red PMC": "#880000", "Green": "#00aa00"}
    assert counts is not None and "date" not in counts.columns  # the input frame is not modified


def test_operator_chart_days_are_capped_and_keep_the_span_ends():
    import numpy as np

    from garrison.ui.panels import sample_days
    days = np.arange(0, 10_000, 3)
    picked = sample_days(days, 30, 9_000, max_points=100)
    assert picked[0] == 30 and picked[-1] == 9_000 and len(picked) <= 102
    assert picked == sorted(set(picked))
    few = np.array([5, 10, 20])
    assert sample_days(few, 0, 30) == [0, 5, 10, 20, 30]


def test_moving_the_date_rule_leaves_the_cached_spec_alone():
    import datetime as dt

    import pandas as pd
    import pyarrow as pa

    import garrison
    from garrison.ui.panels import frozen_datasets, move_date_rule, operator_chart, sample_days
    ds = garrison.Loader(GOOD).load()
    counts = ds.periods.counts_by_operator(sample_days(ds.periods.change_days(), 0, 20_000))
    spec = operator_chart(counts, ds, dt.date(2000, 1, 1)).to_dict()
    moved = move_date_rule(spec, dt.date(2024, 12, 8))
    rules = [layer["data"]["name"] for layer in spec["layer"] if layer["mark"]["type"] == "rule"]
    rule = pa.ipc.open_stream(moved["datasets"][rules[0]]).read_pandas()
    assert rule["date"].tolist() == [pd.Timestamp("2024-12-08")]
    assert spec["datasets"][rules[0]] != moved["datasets"][rules[0]]  # the cached spec is not mutated
    # a spec frozen to Arrow holds the same rows as the one Altair made
    frozen = frozen_datasets(spec)
    for name, rows in spec["datasets"].items():
        assert pa.ipc.open_stream(frozen["datasets"][name]).read_pandas().to_dict("records") == rows


def test_the_chart_rule_moves_in_sub_pixel_steps_so_neighbouring_days_share_one_chart():
    import datetime as dt

    from garrison.ui.panels import rule_date
    first, last = dt.date(1971, 1, 1), dt.date(2026, 12, 1)  # 20,423 days: a step is 34 days
    days = [first + dt.timedelta(days=k) for k in range(0, (last - first).days + 1)]
    snapped = [rule_date(d, first, last) for d in days]
    assert all(first <= s <= last for s in snapped)
    assert max(abs((s - d).days) for s, d in zip(snapped, days, strict=True)) <= 18  # half a step
    assert len(set(snapped)) <= 601  # so most day-to-day steps leave the chart as it was
    assert snapped == sorted(snapped) and rule_date(first, first, last) == first and rule_date(last, first, last) == last
    # a short span (a step under a day) keeps the exact date
    assert rule_date(dt.date(2024, 12, 8), dt.date(2024, 1, 1), dt.date(2025, 1, 1)) == dt.date(2024, 12, 8)


HOSTILE_MARKDOWN = ("![p](https://e.example/p.png) [x](javascript:alert(1)) :material/home: :red[red] "
                    "<img src=x onerror=alert(1)> **b** $x^2$ www.e.example me@evil.example `code` \\ "
                    ":smile: :blue-background[x]")


def test_md_escape_leaves_nothing_for_streamlit_markdown_to_act_on():
    from shown import shown

    from garrison.ui.panels import md_escape
    out = md_escape(HOSTILE_MARKDOWN)
    for active in ("![", "](", ":material/", ":red[", "<img", "**", "$x", "https://", "www.", "me@evil", "`code`"):
        assert not re.search(r"(?<!\\)" + re.escape(active), out), active  # none left unescaped
    assert not re.search(r":(?!\u200b)blue", out)
    assert shown(out) == HOSTILE_MARKDOWN  # and what a person reads is the text as written
    assert md_escape(None) == ""
    # ordinary text gets no invisible characters (copying a file:line:column gives what it says)
    assert "\u200b" not in md_escape("data/x.yaml:12:3: history[0].status: 'capturd' is not one of [...]")


def test_a_hostile_range_name_is_shown_as_text(good_copy, monkeypatch):
    from shown import shown
    from streamlit.testing.v1 import AppTest
    f = good_copy / "installations" / "base-b.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("name: Long-range SAM", "name: " + json.dumps(HOSTILE_MARKDOWN)), encoding="utf-8")
    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["page_complete"] = True  # past the map-first run
    at.query_params.update(date="2016-01-01", select="base-b")
    at.run()
    assert not at.exception
    caption = next(c.value for c in at.caption if "Ranges deployed" in c.value)
    assert HOSTILE_MARKDOWN in shown(caption) and "![" not in caption and ":material/" not in caption
