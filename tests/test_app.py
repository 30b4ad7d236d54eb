"""The Streamlit page, driven headless by streamlit.testing.v1.AppTest (no browser).

The map is a Streamlit Custom Components v2 component (garrison.ui.map_component): in AppTest it
is an element of type ``bidi_component`` whose ``json`` is the map's `data`
(garrison.render.mapstate.map_data). Its timeline (the Date slider, previous/next change, play)
runs in the browser, which reports back through the component's state values `date` and `view`
and its triggers `select`, `place` and `painted` (static/garrison/map/main.js). AppTest cannot interact with
a component, so `browser_sends` builds the rerun request the browser would send: the page's
other widgets as they are, plus the component's state and this run's triggers, under the widget
ids Streamlit gives them -- the app's own on_change callback (garrison.ui.session.sync_map) then
runs exactly as in a browser session. A fresh page's first run leaves the charts for the run the
map's `painted` trigger asks for: `painted(at)` sends it, as the map does once it has drawn.

Each test also checks one thing that must NOT happen (named "must not" below).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pytest
from shown import shown
from streamlit import config as st_config
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

import garrison
from garrison.dates import to_day
from garrison.i18n import messages
from garrison.render.payload import decode_payload
from garrison.ui.panels import recent_window, rule_date

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
BUNDLED = ROOT / "data"

APP = str(ROOT / "app.py")
HOSTILE = "</script><script>alert(1)</script>"
PORT_A = [[34.9, 35.87], [34.9, 35.87]]  # fit bounds of Port A alone


@pytest.fixture
def bundled(monkeypatch):
    monkeypatch.delenv("GARRISON_DATA", raising=False)
    monkeypatch.setenv("GARRISON_WATCH", "0")
    return garrison.Loader(BUNDLED).load()


@pytest.fixture
def good(monkeypatch):
    monkeypatch.setenv("GARRISON_DATA", str(GOOD))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    return garrison.Loader(GOOD).load()


@pytest.fixture
def copy_of_good(good_copy, monkeypatch):
    """A writable copy of the good fixture, served by the app."""
    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    return good_copy


def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def painted(at: AppTest) -> AppTest:
    """The run after the map's first paint: the browser sends `painted` when the data asked for it."""
    assert map_data(at).get("report_paint") is True, "the map was not asked to report its paint"
    return ok(browser_sends(at, painted=True))


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- what the page gives the map ----------------------------------------------------------------
def map_element(at: AppTest):
    (comp,) = [c for c in at.get("bidi_component") if c.proto.component_name.startswith("garrison_map_")]  # exactly one map
    return comp


def map_data(at: AppTest) -> dict:
    """The component's `data` this run (garrison.render.mapstate.map_data)."""
    return json.loads(map_element(at).proto.json)


def shown_date(at: AppTest) -> str:
    """The date the map (and its big date, drawn in the browser) shows."""
    return map_data(at)["date"]


def payload_of(at: AppTest) -> dict:
    """The binary payload the map downloads, read back from disk."""
    url = map_data(at)["payload"]
    assert re.fullmatch(r"/app/static/generated/garrison-[0-9a-f]{20}\.bin", url), url
    return decode_payload((ROOT / "static" / url.removeprefix("/app/static/")).read_bytes())


def bits(mask: str | None, n: int) -> list[bool] | None:
    """A `match` bitmask (base64, LSB first) as booleans."""
    if mask is None:
        return None
    return np.unpackbits(np.frombuffer(base64.b64decode(mask), np.uint8), bitorder="little")[:n].astype(bool).tolist()


def view_of(at: AppTest):
    """The session's one view state (garrison.ui.permalink.View)."""
    return at.session_state["view"]


def browser_sends(at: AppTest, **values) -> AppTest:
    """Rerun as after the map's JS called setStateValue (`date`, `view`) or setTriggerValue (`select`,
    `place`): the component's whole state (what it reported before, updated) and this run's triggers."""
    comp = map_element(at)
    widgets = at._tree.get_widget_states()  # the sidebar's widgets as they are (what a browser sends with it)
    before = at.session_state["map"] if "map" in at.session_state else {}
    state = {k: before[k] for k in ("date", "view") if before.get(k) is not None}
    state |= {k: v for k, v in values.items() if k in ("date", "view")}
    triggers = [{"event": k, "value": v} for k, v in values.items() if k in ("select", "place", "painted")]
    w = widgets.widgets.add()
    w.id, w.json_value = comp.proto.id, json.dumps(state)
    if triggers:
        w = widgets.widgets.add()
        w.id, w.json_trigger_value = _make_trigger_id(comp.proto.id, "events"), json.dumps(triggers)
    return at._run(widgets)


# --- the rest of the page -----------------------------------------------------------------------
def html_blocks(at: AppTest) -> list[str]:
    """The st.html blocks (the selection's details and history; not the charts' places on a first run)."""
    return [h.proto.body for h in at.get("html") if "garrison-chart-wait" not in h.proto.body]


def chart_slots(at: AppTest) -> list[str]:
    """The places a first run keeps for its charts (garrison.ui.map_component.chart_slot)."""
    return [h.proto.body for h in at.get("html") if "garrison-chart-wait" in h.proto.body]


def charts(at: AppTest) -> list:
    """The Vega-Lite charts on the page, as (spec, {dataset name: DataFrame})."""
    out = []
    for el in at.main:
        if type(el.proto).__name__ == "VegaLiteChart":
            data = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}
            out.append((json.loads(el.proto.spec), data))
    return out


def _layer_rows(chart, mark: str) -> list:
    spec, data = chart
    frames = [data[(layer.get("data") or spec.get("data") or {}).get("name")] for layer in spec["layer"]
              if (layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]) == mark]
    assert len(frames) == 1, spec
    return frames[0].to_dict("records")


def rule_dates(chart) -> list[dt.date]:
    return [r["date"].date() for r in _layer_rows(chart, "rule")]


def bar_rows(chart) -> list[dict]:
    return _layer_rows(chart, "bar")


def operator_window(ds) -> tuple[dt.date, dt.date]:
    """The operator chart's default window: the recent part of the record, to its last day."""
    first, last = ds.span()
    return recent_window(ds.periods.change_days(), first, last), last


def params(at: AppTest) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


def no_match_shown(at: AppTest) -> bool:
    """The "no installation matches" warning, in the sidebar and above the map (the map is empty)."""
    side = [w.value for w in at.sidebar.warning if "No installation matches this search." in w.value]
    main = [w.value for w in at.main.warning if "No installation matches this search." in w.value]
    assert len(side) == len(main), (side, main)
    return bool(main)


def buttons(at: AppTest) -> list[str]:
    """The page's buttons but the event feed's items (feed_items)."""
    return [b.label for b in at.button if not (b.key or "").startswith("feed-")]


def clear_button(at: AppTest):
    return next(b for b in at.button if b.label == "Clear selection")


def feed_items(at: AppTest) -> list:
    """The event feed's item buttons, top (newest) first."""
    return [b for b in at.button if (b.key or "").startswith("feed-")]


# --- it runs ---------------------------------------------------------------------------------
def test_bundled_data_app_runs(bundled):
    at = ok(run_app())
    first, last = bundled.span()
    assert at.title[0].value == "Garrison"
    assert view_of(at).date == last and shown_date(at) == last.isoformat()
    assert any(f"{len(bundled.records)} installations, {len(bundled.sources)} sources" in c.value for c in at.sidebar.caption)
    # nothing selected: the hint is shown, no details panel
    assert view_of(at).select is None and at.info and html_blocks(at) == []
    assert params(at) == {"date": last.isoformat()}
    # the problems expander only when the data has problems
    assert bool(at.expander) == bool(bundled.problems)
    data = map_data(at)
    assert data["version"] == bundled.version and data["select"] is None and data["edit"] is False
    assert data["match"] is None and data["compare"] is None and data["fit"] is None and data["view"] is None
    # the payload the map loads was written and is the bundled dataset, with the timeline's span
    payload = payload_of(at)
    assert payload["version"] == bundled.version and payload["inst"]["id"] == [r.id for r in bundled.records]
    assert payload["span"] == [to_day(first), to_day(last)]
    assert payload["change_days"] == [to_day(d) for d in bundled.change_dates()]
    # must not: the timeline drawn by Streamlit as well (it lives in the map now)
    assert not at.slider and not at.toggle(key="compare_on").value and buttons(at) == []


def test_good_fixture_app_runs(good):
    at = ok(run_app())
    assert f"{len(good.records)} installations" in " ".join(c.value for c in at.sidebar.caption)
    assert not at.expander  # a clean data folder shows no problems
    assert [s.value for s in at.subheader][-2:] == ["Installations by operator", "What changed"]
    assert not compare_tables(at)  # no compare table unless asked for


def test_the_map_is_offline_every_script_and_style_is_served_by_the_app(good):
    at = ok(run_app())
    comp = map_element(at)
    js = comp.proto.js_content
    scripts = json.loads(re.search(r"scripts: (\[[^\]]*\])", js).group(1))
    styles = json.loads(re.search(r"styles: (\[[^\]]*\])", js).group(1))
    imports = re.findall(r'import\(new URL\("([^"]+)"', js)
    assert scripts and styles and imports == ["/app/static/garrison/map/main.js"]
    for url in scripts + styles + imports:
        assert url.startswith("/app/static/") and (ROOT / "static" / url.removeprefix("/app/static/")).is_file(), url
    # must not: anything from the internet with the offline basemap
    assert "http" not in js and "http" not in comp.proto.html_content and "L.tileLayer" not in js


def test_a_fresh_page_draws_the_map_first_and_its_charts_on_the_run_its_paint_asks_for(good):
    """The first run has everything but the charts (their Vega code would delay the map's in the
    browser); the map's `painted` trigger brings them, and later runs never ask again."""
    at = ok(run_app(date="2016-05-05", select="port-a", compare="2015-01-01"))
    data = map_data(at)
    assert (data["date"], data["select"], data["compare"]["date"]) == ("2016-05-05", "port-a", "2015-01-01")
    assert data["report_paint"] is True
    assert {m.label for m in at.multiselect} == {"Operator", "Country", "Kind", "Status"}
    assert at.toggle(key="compare_on").value and at.date_input(key="compare").value == dt.date(2015, 1, 1)
    assert not charts(at) and compare_tables(at)  # the charts wait; the compare table does not
    assert len(chart_slots(at)) == 2  # the history's and the operator chart's places, kept
    # the map comes right under the title, before the details and the charts
    kinds = [el.type for el in at.main]
    assert kinds[1:4] == ["title", "bidi_component", "caption"] and "html" in kinds, kinds  # (kinds[0]: the main block; the map right under the title)
    at = painted(at)
    assert len(charts(at)) == 2 and compare_tables(at)  # the selection's history and the operator chart
    assert not chart_slots(at)
    # must not: the map asked again (a rerun per step), new data for it beyond the flag, or a chart that goes again
    assert "report_paint" not in map_data(at) and {**map_data(at), "report_paint": True} == data
    at = ok(browser_sends(at, date="2016-05-06"))
    assert "report_paint" not in map_data(at) and len(charts(at)) == 2
    # must not: the placeholder of the old first paint
    assert "Loading the filters…" not in [c.value for c in at.sidebar.caption]


# --- the permalink read ----------------------------------------------------------------------
def test_query_params_restore_the_view(good):
    at = painted(ok(run_app(date="2024-12-10", select="port-a", op="red", country="SY", kind="naval_base",
                            status="blockaded", q="порт", lat="34.9", lon="35.87", zoom="8", basemap="osm")))
    view, ss = view_of(at), at.session_state
    assert view.date == dt.date(2024, 12, 10) and shown_date(at) == "2024-12-10"
    assert view.select == "port-a"
    assert view.filters == {"op": ["red"], "country": ["SY"], "kind": ["naval_base"], "status": ["blockaded"]}
    # the sidebar's widgets start from the link
    assert (ss["op"], ss["country"], ss["kind"], ss["status"]) == (["red"], ["SY"], ["naval_base"], ["blockaded"])
    assert at.sidebar.multiselect(key="op").value == ["red"] and at.sidebar.multiselect(key="kind").value == ["naval_base"]
    assert at.sidebar.text_input(key="q").value == "порт" and at.sidebar.radio(key="basemap").value == "osm"
    assert (view.lat, view.lon, view.zoom) == (34.9, 35.87, 8)
    details, periods = html_blocks(at)
    assert "<h3>Port A</h3>" in details and "Порт А" in details
    assert "garrison-period-blockaded" in periods and 'href="https://example.org/two"' in periods
    assert not at.info  # the "click an installation" hint is gone
    history, operators = charts(at)
    assert [r["status"] for r in bar_rows(history)] == ["active", "blockaded"]  # one bar per period
    assert rule_dates(history) == [dt.date(2024, 12, 10)]
    assert rule_dates(operators) == [rule_date(dt.date(2024, 12, 10), *operator_window(good))]  # within a pixel
    data = map_data(at)
    assert data["date"] == "2024-12-10" and data["select"] == "port-a" and data["compare"] is None
    n_inst, n_rows = len(good.records), len(good.periods)
    assert bits(data["match"]["inst"], n_inst) == [r.id == "port-a" for r in good.records]
    assert sum(bits(data["match"]["period"], n_rows)) == 1  # Port A's blockade by red
    assert data["fit"]["bounds"] == PORT_A
    assert data["view"] == {"lat": 34.9, "lon": 35.87, "zoom": 8}
    assert "openstreetmap" in map_element(at).proto.js_content
    # the permalink written back is the normalised form of what came in
    assert params(at) == {"date": "2024-12-10", "select": "port-a", "op": "red", "country": "SY", "kind": "naval_base",
                          "status": "blockaded", "q": "порт", "lat": "34.9000", "lon": "35.8700", "zoom": "8",
                          "basemap": "osm"}


def test_range_rings_caption_for_a_selection(good):
    at = ok(run_app(date="2016-01-01", select="base-b"))
    assert any("Long-range SAM (400 km)" in shown(c.value) for c in at.caption)
    after = ok(run_app(date="2024-12-10", select="base-b"))
    assert view_of(after).select == "base-b"
    assert not any("Long-range SAM" in c.value for c in after.caption)  # no longer deployed


@pytest.mark.parametrize("bad", [
    {"date": "2024-02-30"}, {"date": "yesterday"}, {"select": "../../etc/passwd"}, {"select": HOSTILE},
    {"op": HOSTILE + ",nobody"}, {"lat": "999", "lon": "-999", "zoom": "99"}, {"zoom": "nan"},
    {"compare": "2024-13-01"}, {"kind": "port,submarine"}, {"date": "", "select": ""}, {"basemap": "http://evil.example"},
])
def test_invalid_query_params_are_ignored(good, bad):
    at = ok(run_app(**bad))
    last = good.span()[1]
    view = view_of(at)
    assert view.date == last and shown_date(at) == last.isoformat()
    assert view.select is None and html_blocks(at) == []
    assert at.session_state["compare_on"] is False and not at.date_input
    assert view.filters == {"op": [], "country": [], "kind": [], "status": []}
    assert (view.lat, view.lon, view.zoom) == (None, None, None) and view.basemap == "offline"
    data = map_data(at)
    assert data["select"] is None and data["match"] is None and data["view"] is None and data["compare"] is None
    # the bad values are dropped from the address bar, not echoed back
    assert params(at) == {"date": last.isoformat()}
    comp = map_element(at)
    assert HOSTILE not in comp.proto.json and "evil" not in comp.proto.js_content


@pytest.mark.parametrize("partial", [{"lat": "35", "zoom": "5"}, {"lat": "35", "lon": "999", "zoom": "5"},
                                     {"lat": "35", "lon": "36", "zoom": "nan"}])
def test_a_partial_map_view_in_the_link_is_ignored(good, partial):
    at = ok(run_app(date="2024-12-10", **partial))
    # must not: a view with a hole in it reaching the browser
    assert map_data(at)["view"] is None
    assert (view_of(at).lat, view_of(at).lon, view_of(at).zoom) == (None, None, None)


def test_hostile_search_text_is_data_not_markup(good):
    at = ok(run_app(q=HOSTILE))
    assert view_of(at).q == HOSTILE and at.session_state["q"] == HOSTILE and params(at)["q"] == HOSTILE
    data = map_data(at)
    assert bits(data["match"]["inst"], len(good.records)) == [False] * len(good.records)
    assert data["fit"] is None  # nothing matches: no fit, an empty map
    assert no_match_shown(at)
    # must not: the text reaching the map's script or markup
    comp = map_element(at)
    assert "<script>" not in (comp.proto.json + comp.proto.js_content + comp.proto.html_content).lower()


def test_date_outside_the_span_is_clamped(good):
    first, last = good.span()
    early, late = ok(run_app(date="1900-01-01")), ok(run_app(date="2999-01-01"))
    assert view_of(early).date == first and shown_date(early) == first.isoformat()
    assert view_of(late).date == last and params(late)["date"] == last.isoformat()


@pytest.mark.parametrize("inst", ["port-a", "base-b", "site-c"])
def test_select_without_date_opens_at_the_latest_change(good, inst):
    at = ok(run_app(select=inst))
    latest = max(dt.date.fromisoformat(h["start"]) for h in good.history(inst))
    assert view_of(at).date == latest and shown_date(at) == latest.isoformat()
    assert view_of(at).select == inst and map_data(at)["select"] == inst
    assert params(at) == {"date": latest.isoformat(), "select": inst}
    assert f"<h3>{good.records[good.index[inst]].name}</h3>" in html_blocks(at)[0]
    assert view_of(at).date != good.span()[1]  # not the default "today"


# --- compare ---------------------------------------------------------------------------------
def _table_names(at: AppTest) -> list[str]:
    tables = compare_tables(at)
    return list(tables[0].value["Installation"]) if tables else []


def compare_tables(at: AppTest) -> list:
    return list(at.table)


def _compare_codes(at: AppTest, good, day: dt.date) -> None:
    data = map_data(at)["compare"]
    assert data["date"] == day.isoformat()
    codes = np.frombuffer(base64.b64decode(data["codes"]), "<i4")
    assert codes.tolist() == np.asarray(good.periods.codes_at(day)).tolist() and len(codes) == len(good.records)


def test_compare_toggle_shows_the_changes_table(good):
    at = ok(run_app(date="2024-12-10"))
    assert not compare_tables(at) and not at.date_input and map_data(at)["compare"] is None
    at = ok(at.toggle(key="compare_on").set_value(True).run())
    assert at.session_state["compare_on"] is True and view_of(at).compare == dt.date(2023, 12, 10)  # a year before
    at = ok(at.date_input(key="compare").set_value(dt.date(2020, 1, 1)).run())
    assert view_of(at).compare == dt.date(2020, 1, 1)
    expected = good.compare(dt.date(2020, 1, 1), dt.date(2024, 12, 10))
    assert [c["id"] for c in expected] == ["base-b", "port-a", "site-c"]
    assert _table_names(at) == [c["name"] for c in expected]
    (table,) = compare_tables(at)
    assert list(table.value.columns) == ["Installation", "What changed", "Operator", "Status", "Territory", "Since"]
    assert "id" not in table.value.columns  # ids stay internal
    port = table.value.set_index("Installation").loc["Port A"]
    assert (port["Status"], port["Territory"], port["Since"]) == (r"active → blockaded", r"Blue → Green", r"2024\-12\-08")
    assert any(f"{len(expected)} installations differ" in c.value for c in at.caption)  # the plural, not "installation(s)"
    assert any(s.value == "From 2020-01-01 to 2024-12-10: 2 changed status, 2 changed territory, 1 appeared" for s in at.subheader)
    (download,) = [b for b in at.get("download_button") if b.proto.label == "Download this table (CSV)"]
    _compare_codes(at, good, dt.date(2020, 1, 1))
    assert params(at)["compare"] == "2020-01-01"
    # switching it off removes the table, the message and the parameter
    at = ok(at.toggle(key="compare_on").set_value(False).run())
    assert view_of(at).compare is None and not compare_tables(at) and not at.date_input
    assert map_data(at)["compare"] is None and "compare" not in params(at)


@pytest.mark.parametrize(("date", "compare"), [("2024-12-10", "2025-07-01"), ("2025-07-01", "2016-01-01"),
                                               ("2024-12-07", "2024-12-08")])
def test_compare_from_the_permalink(good, date, compare):
    at = ok(run_app(date=date, compare=compare))
    assert at.session_state["compare_on"] is True and at.date_input(key="compare").value == dt.date.fromisoformat(compare)
    d1, d2 = sorted([dt.date.fromisoformat(date), dt.date.fromisoformat(compare)])
    expected = [c["name"] for c in good.compare(d1, d2)]
    assert expected and _table_names(at) == expected
    assert any(s.value.startswith(f"From {d1} to {d2}: ") for s in at.subheader)  # older date first
    _compare_codes(at, good, dt.date.fromisoformat(compare))
    assert params(at) == {"date": date, "compare": compare}


@pytest.mark.parametrize("compare", ["1900-01-01", "2999-01-01"])
def test_compare_outside_the_span_is_clamped_not_a_crash(good, compare):
    at = ok(run_app(date="2024-12-10", compare=compare))
    first, last = good.span()
    want = first if compare < "2000" else last
    assert at.session_state["compare_on"] is True and view_of(at).compare == want
    assert at.date_input(key="compare").value == want and map_data(at)["compare"]["date"] == want.isoformat()
    assert params(at)["compare"] == want.isoformat()
    assert _table_names(at) == [c["name"] for c in good.compare(*sorted([want, dt.date(2024, 12, 10)]))]


def test_compare_with_the_same_date_shows_an_empty_table(good):
    at = ok(run_app(date="2024-12-10", compare="2024-12-10"))
    assert not compare_tables(at) and any(s.value.endswith(": nothing changed") for s in at.subheader)
    assert any("0 installations differ" in c.value for c in at.caption)
    _compare_codes(at, good, dt.date(2024, 12, 10))


def test_compare_turned_on_near_the_first_day_stays_in_the_span(good):
    at = ok(run_app(date="1971-06-01"))
    at = ok(at.toggle(key="compare_on").set_value(True).run())
    first = good.span()[0]
    assert view_of(at).compare == first == at.date_input(key="compare").value  # a year before, clamped
    assert params(at)["compare"] == first.isoformat()


def test_compare_turned_off_and_on_again_near_the_first_day_is_not_a_crash(good):
    at = ok(run_app(date="1971-06-01", compare="1971-03-01"))
    at = ok(at.toggle(key="compare_on").set_value(False).run())  # the picker is hidden: its value is gone
    at = at.toggle(key="compare_on").set_value(True).run()
    # must not: the page failing (and failing again on every rerun) instead of comparing
    ok(at)
    assert view_of(at).compare is not None and view_of(at).compare >= good.span()[0]


# --- the browser's reports: date, view, select, place -----------------------------------------
def test_the_map_reports_a_date_it_moves_the_view_and_the_permalink(good):
    at = ok(run_app(date="2024-12-10", select="port-a"))
    before = map_element(at)
    at = ok(browser_sends(at, date="2016-05-05"))
    assert view_of(at).date == dt.date(2016, 5, 5) and shown_date(at) == "2016-05-05"
    assert params(at) == {"date": "2016-05-05", "select": "port-a"}
    # the same component (its id and definition) and the same payload: nothing for the browser to reload
    after = map_element(at)
    assert (after.proto.id, after.proto.component_name) == (before.proto.id, before.proto.component_name)
    assert json.loads(after.proto.json)["payload"] == json.loads(before.proto.json)["payload"]
    # both charts' date rules followed; the history bars did not change
    history, operators = charts(at)
    assert rule_dates(history) == [dt.date(2016, 5, 5)]
    start, end = operator_window(good)
    assert rule_dates(operators) == [rule_date(dt.date(2016, 5, 5), start, end)]
    assert abs((rule_dates(operators)[0] - dt.date(2016, 5, 5)).days) <= (end - start).days / 1200 + 1
    assert len(bar_rows(history)) == len(good.history("port-a"))
    # a rerun that is not the map's (a sidebar widget) keeps the reported date
    at = ok(at.sidebar.multiselect(key="kind").set_value(["naval_base"]).run())
    assert view_of(at).date == dt.date(2016, 5, 5) and shown_date(at) == "2016-05-05"


@pytest.mark.parametrize(("reported", "want"), [("1900-01-01", "first"), ("2999-01-01", "last"),
                                                ("2025-06-01", "2025-06-01")])
def test_a_reported_date_is_clamped_to_the_span(good, reported, want):
    at = ok(browser_sends(run_app(date="2024-12-10"), date=reported))
    first, last = good.span()
    expected = {"first": first, "last": last}.get(want) or dt.date.fromisoformat(want)
    assert view_of(at).date == expected and shown_date(at) == expected.isoformat()
    assert params(at)["date"] == expected.isoformat()


def test_the_timeline_steps_through_the_change_days_in_the_payload(good):
    """Previous/next change run in the browser, over the payload's change days."""
    at = ok(run_app(date="2024-12-10"))
    days = payload_of(at)["change_days"]
    changes = good.change_dates()
    assert days == [to_day(d) for d in changes] and days == sorted(set(days))
    assert to_day(dt.date(2025, 6, 1)) in days  # an explicit `to` is a change too
    nxt = min(d for d in changes if d > dt.date(2024, 12, 10))
    at = ok(browser_sends(at, date=nxt.isoformat()))  # "Next change ▶" in the browser
    assert view_of(at).date == nxt == dt.date(2025, 6, 1) and params(at)["date"] == "2025-06-01"
    # must not: Streamlit's own timeline widgets, on top of the map's
    assert not at.slider and not any("change" in b for b in buttons(at))


@pytest.mark.parametrize(("lon", "zoom"), [(35.5, 5), (-159.75, 3), (36.0, 18)])
def test_the_map_reports_its_view_it_survives_the_permalink(good, lon, zoom):
    at = ok(browser_sends(run_app(date="2024-12-10"), view={"lat": 35.0, "lon": lon, "zoom": zoom}))
    view = view_of(at)
    assert (view.lat, view.lon, view.zoom) == (35.0, lon, zoom)
    link = params(at)
    assert (link["lat"], link["lon"], link["zoom"]) == ("35.0000", f"{lon:.4f}", str(zoom)) and link["date"] == "2024-12-10"
    again = ok(run_app(**link))
    assert (view_of(again).lat, view_of(again).lon, view_of(again).zoom) == (35.0, lon, zoom)
    assert map_data(again)["view"] == {"lat": 35.0, "lon": lon, "zoom": zoom}
    # must not: the view report moving the date or selecting anything
    assert view_of(again).date == dt.date(2024, 12, 10) and view_of(again).select is None


def test_the_map_selects_an_installation_by_id(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(browser_sends(at, select="port-a"))
    assert view_of(at).select == "port-a" and map_data(at)["select"] == "port-a"
    assert "<h3>Port A</h3>" in html_blocks(at)[0]
    assert params(at) == {"date": "2024-12-10", "select": "port-a"}
    # a trigger is this run's only: the next rerun keeps the selection without re-selecting
    at = ok(at.run())
    assert view_of(at).select == "port-a" and at.session_state["map"].get("select") is None
    # another installation replaces it
    at = ok(browser_sends(at, select="base-b"))
    assert view_of(at).select == "base-b" and "<h3>Base B</h3>" in html_blocks(at)[0]


@pytest.mark.parametrize("forged", ["no-such-base", HOSTILE, "../../etc/passwd"])
def test_a_select_of_an_unknown_id_selects_nothing(good, forged):
    at = ok(browser_sends(run_app(date="2024-12-10"), select=forged))
    assert view_of(at).select is None and "select" not in params(at) and html_blocks(at) == []
    assert map_data(at)["select"] is None and HOSTILE not in map_element(at).proto.json
    at = ok(browser_sends(at, select="port-a"))  # the same channel with a real id does select
    assert view_of(at).select == "port-a"


def test_two_installations_50_m_apart_are_each_selectable(copy_of_good):
    port = copy_of_good / "installations" / "port-a.yaml"
    text = port.read_text(encoding="utf-8")
    twin = copy_of_good / "installations" / "port-a-pier.yaml"
    twin.write_text(text.replace("id: port-a", "id: port-a-pier").replace("name: Port A", "name: Port A Pier")
                    .replace("lat: 34.9\n", "lat: 34.90045\n"), encoding="utf-8")  # 0.00045° of latitude ≈ 50 m
    ds = garrison.Loader(copy_of_good).load()
    assert not ds.problems and {"port-a", "port-a-pier"} <= set(ds.index)
    at = ok(run_app(date="2024-12-10"))
    # the payload keeps both positions exactly: the browser can tell them apart
    payload = payload_of(at)
    ids = payload["inst"]["id"]
    lat = payload["col"]["lat"]
    assert lat[ids.index("port-a")] == 34.9 and lat[ids.index("port-a-pier")] == 34.90045
    for inst, name in [("port-a-pier", "Port A Pier"), ("port-a", "Port A"), ("port-a-pier", "Port A Pier")]:
        at = ok(browser_sends(at, select=inst))
        assert view_of(at).select == inst and params(at)["select"] == inst
        # must not: the neighbour shown instead
        assert f"<h3>{name}</h3>" in html_blocks(at)[0]


def test_the_payload_keeps_every_decimal_of_a_position(copy_of_good):
    f = copy_of_good / "installations" / "port-a.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("lat: 34.9\n", "lat: 34.9123456\n"), encoding="utf-8")
    at = ok(run_app(date="2024-12-10"))
    payload = payload_of(at)
    assert payload["col"]["lat"][payload["inst"]["id"].index("port-a")] == 34.9123456  # not rounded
    at = ok(browser_sends(at, select="port-a"))
    assert view_of(at).select == "port-a"


def test_clear_selection(good):
    at = ok(run_app(date="2024-12-10", select="port-a"))
    assert buttons(at) == ["Clear selection"]
    at = ok(clear_button(at).click().run())
    assert view_of(at).select is None and html_blocks(at) == [] and at.info
    assert "select" not in params(at) and map_data(at)["select"] is None
    assert params(at) == {"date": "2024-12-10"}  # must not: the date lost with the selection


def test_the_same_installation_can_be_selected_again_after_clearing(good):
    at = ok(browser_sends(run_app(date="2024-12-10"), select="port-a"))
    assert view_of(at).select == "port-a"
    at = ok(clear_button(at).click().run())
    assert view_of(at).select is None
    at = ok(browser_sends(at, select="port-a"))  # the reader clicks Port A again: the same trigger value
    assert view_of(at).select == "port-a" and "<h3>Port A</h3>" in html_blocks(at)[0]


@pytest.fixture
def edit_mode_on(copy_of_good, monkeypatch):
    """Edit mode on a loopback server (no password), on a writable copy of the good fixture."""
    monkeypatch.setenv("GARRISON_EDIT", "1")
    monkeypatch.delenv("GARRISON_GIT_COMMIT", raising=False)
    old = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield copy_of_good
    st_config.set_option("server.address", old)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _number(at: AppTest, label: str) -> float:
    (widget,) = [n for n in at.number_input if n.label == label]
    return widget.value


def test_a_place_click_in_edit_mode_sets_the_new_installations_position(edit_mode_on):
    before = _files(edit_mode_on)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["garrison"] = {}  # never a developer's own .streamlit/secrets.toml
    at.query_params["date"] = "2024-12-10"
    at = ok(at.run())
    assert map_data(at)["edit"] is True and any("Edit data" in e.label for e in at.expander)
    assert (_number(at, "lat"), _number(at, "lon")) == (0.0, 0.0)
    at = ok(browser_sends(at, place={"lat": 33.5, "lng": 396.25}))  # a world to the east: wrapped to 36.25
    assert (_number(at, "lat"), _number(at, "lon")) == (33.5, 36.25)
    # must not: a click on the map selecting, moving the date or writing anything
    assert view_of(at).select is None and view_of(at).date == dt.date(2024, 12, 10)
    assert _files(edit_mode_on) == before


def test_a_place_click_outside_edit_mode_does_nothing(copy_of_good, monkeypatch):
    monkeypatch.delenv("GARRISON_EDIT", raising=False)
    before = _files(copy_of_good)
    at = ok(run_app(date="2024-12-10"))
    assert map_data(at)["edit"] is False
    at = ok(browser_sends(at, place={"lat": 33.5, "lng": 36.25}, select="base-b"))  # (the select: delivered)
    assert view_of(at).select == "base-b"
    # must not: an editor, a position form, anything else in the view, or a write
    assert not any("Edit data" in e.label for e in at.expander) and not at.number_input and not at.get("form")
    assert params(at) == {"date": "2024-12-10", "select": "base-b"}
    assert map_data(at)["edit"] is False and _files(copy_of_good) == before


# --- the map's data: built once, small per rerun ------------------------------------------------
def test_the_maps_data_is_identical_across_reruns_that_change_nothing(good):
    at = painted(ok(run_app(date="2024-12-10", select="port-a", country="SY", compare="2020-01-01")))
    before = map_element(at)
    for again in (lambda a: a.run(), lambda a: browser_sends(a, date="2024-12-10"),
                  lambda a: a.sidebar.text_input(key="q").input("").run()):
        at = ok(again(at))
        after = map_element(at)
        # must not: new data (the browser would redo its work) or a new component (a remount)
        assert after.proto.json == before.proto.json
        assert (after.proto.id, after.proto.component_name, after.proto.js_content) == \
               (before.proto.id, before.proto.component_name, before.proto.js_content)
    # while a real change does change it
    at = ok(browser_sends(at, date="2016-05-05"))
    assert map_element(at).proto.json != before.proto.json


def test_neighbouring_days_send_the_identical_operator_chart(good):
    # so Streamlit's message cache sends a reference, not the chart, for most steps of the timeline
    def chart_bytes(at: AppTest) -> bytes:
        return [el.proto for el in at.main if type(el.proto).__name__ == "VegaLiteChart"][-1].SerializeToString()

    span = operator_window(good)
    day = next(dt.date(2016, 5, 1) + dt.timedelta(days=k) for k in range(60)
               if rule_date(dt.date(2016, 5, 1) + dt.timedelta(days=k), *span) == rule_date(dt.date(2016, 5, 2) + dt.timedelta(days=k), *span))
    at = painted(ok(run_app(date=day.isoformat())))
    before = chart_bytes(at)
    at = ok(browser_sends(at, date=(day + dt.timedelta(days=1)).isoformat()))
    assert shown_date(at) == (day + dt.timedelta(days=1)).isoformat()  # the map did move
    assert chart_bytes(at) == before
    # a step that crosses to the next rule position does change the chart (the rule moved)
    later = next(day + dt.timedelta(days=k) for k in range(1, 400) if rule_date(day + dt.timedelta(days=k), *span) != rule_date(day, *span))
    at = ok(browser_sends(at, date=later.isoformat()))
    assert chart_bytes(at) != before and rule_dates(charts(at)[-1]) == [rule_date(later, *span)]


def test_search_box_filters_the_map_and_the_permalink(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(at.sidebar.text_input(key="q").input("ПОРТ").run())
    data = map_data(at)
    assert bits(data["match"]["inst"], len(good.records)) == [r.id == "port-a" for r in good.records]
    assert data["match"]["period"] is None and data["fit"]["bounds"] == PORT_A
    assert params(at)["q"] == "ПОРТ" and view_of(at).q == "ПОРТ"
    assert not no_match_shown(at)
    at = ok(at.sidebar.text_input(key="q").input("").run())
    data = map_data(at)
    assert data["match"] is None and data["fit"] is None and "q" not in params(at)


def test_a_search_with_no_hit_says_so(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(at.sidebar.text_input(key="q").input("Atlantis").run())
    assert no_match_shown(at)
    assert view_of(at).select is None  # Enter with nothing found opens nothing
    data = map_data(at)
    assert not any(bits(data["match"]["inst"], len(good.records))) and data["fit"] is None
    # must not: the message for a search that finds something, or with no search at all
    at = ok(at.sidebar.text_input(key="q").input("base").run())
    assert not no_match_shown(at)
    at = ok(at.sidebar.text_input(key="q").input("").run())
    assert not no_match_shown(at)


def test_a_filter_fits_the_map_to_what_it_keeps(good):
    at = ok(run_app(date="2024-12-10"))
    assert map_data(at)["fit"] is None  # must not: a fit without a filter (the map would jump)
    at = ok(at.sidebar.multiselect(key="country").set_value(["SY"]).run())
    fit = map_data(at)["fit"]
    assert fit["bounds"] == [[34.9, 35.87], [35.4, 35.95]]  # Port A and Base B
    assert params(at)["country"] == "SY"
    # an operator filter keeps what that operator holds at the view's date
    at = ok(at.sidebar.multiselect(key="op").set_value(["green"]).run())
    assert map_data(at)["fit"] is None  # nobody green in Syria on 2024-12-10
    at = ok(browser_sends(at, date="2025-07-01"))
    data = map_data(at)
    assert data["fit"]["bounds"] == [[35.4, 35.95], [35.4, 35.95]]  # Base B, seized by green
    assert data["fit"]["key"] != fit["key"]  # a new filter: the map fits again
    at = ok(at.sidebar.multiselect(key="op").set_value([]).run())
    at = ok(at.sidebar.multiselect(key="country").set_value([]).run())
    assert map_data(at)["fit"] is None and map_data(at)["match"] is None and "country" not in params(at)


# --- basemap choice ----------------------------------------------------------------------------
def test_offline_basemap_by_default_online_tiles_only_when_chosen(good):
    at = painted(ok(run_app(date="2024-12-10")))
    assert view_of(at).basemap == "offline"
    offline = map_element(at)
    assert "http" not in offline.proto.js_content and "L.tileLayer" not in offline.proto.js_content
    at = ok(at.sidebar.radio(key="basemap").set_value("osm").run())
    online = map_element(at)
    assert re.search(r'L\.tileLayer\(\s*"https://[^"]*openstreetmap', online.proto.js_content)
    assert "OpenStreetMap" in online.proto.js_content  # the attribution goes with the tiles
    assert online.proto.component_name != offline.proto.component_name and params(at)["basemap"] == "osm"
    # only the tiles come from the internet: the data is the same
    assert online.proto.json == offline.proto.json and shown_date(at) == "2024-12-10"
    at = ok(at.sidebar.radio(key="basemap").set_value("offline").run())
    back = map_element(at)
    assert (back.proto.component_name, back.proto.js_content) == (offline.proto.component_name, offline.proto.js_content)
    assert "basemap" not in params(at)


# --- problems in the data ---------------------------------------------------------------------
def test_broken_installation_file_shows_the_problems(copy_of_good):
    data = copy_of_good
    bad_file = data / "installations" / "site-c.yaml"
    bad_file.write_text(bad_file.read_text(encoding="utf-8").replace("status: active", "status: sunk"), encoding="utf-8")
    ds = garrison.Loader(data).load()
    (err,) = ds.errors
    line = next(i for i, t in enumerate(bad_file.read_text(encoding="utf-8").splitlines(), 1) if "status: sunk" in t)
    assert (Path(err.path), err.line) == (bad_file, line)
    at = ok(run_app(select="site-c"))
    (exp,) = at.expander
    en = messages("en")
    assert exp.label == (f"⚠ {en.ngettext('{n} error', '{n} errors', len(ds.errors))}, "
                         f"{en.ngettext('{n} warning', '{n} warnings', len(ds.warnings))} in the data files")
    (code,) = at.code
    assert f"{bad_file}:{line}:" in code.value and "sunk" in code.value
    # the other installations still load and reach the map; the broken one is not selectable
    assert f"{len(ds.records)} installations" in " ".join(c.value for c in at.sidebar.caption)
    assert [r.id for r in ds.records] == ["base-b", "port-a"] and payload_of(at)["inst"]["id"] == ["base-b", "port-a"]
    assert view_of(at).select is None and "select" not in params(at) and map_data(at)["select"] is None
    at = ok(browser_sends(at, select="site-c"))
    assert view_of(at).select is None
    at = ok(browser_sends(at, select="port-a"))
    assert view_of(at).select == "port-a"


def test_a_file_broken_while_running_is_shown_stale(copy_of_good):
    at = ok(run_app(date="2024-12-10", select="site-c"))
    assert not at.expander and "garrison-stale-note" not in html_blocks(at)[0]
    url, version = map_data(at)["payload"], map_data(at)["version"]
    assert payload_of(at)["col"]["stale"].tolist() == [0, 0, 0]
    path = copy_of_good / "installations" / "site-c.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lat: 27.0", "lat: [27"), encoding="utf-8")
    at = ok(at.run())
    (exp,) = at.expander
    assert "1 error," in exp.label
    assert f"{path}:" in at.code[0].value
    assert view_of(at).select == "site-c"  # still there, with its last good version
    assert "garrison-stale-note" in html_blocks(at)[0]
    # the data changed: a new payload (so the map reloads), with the installation marked stale
    assert map_data(at)["payload"] != url and map_data(at)["version"] != version
    payload = payload_of(at)
    assert payload["col"]["stale"][payload["inst"]["id"].index("site-c")] == 1


def test_last_good_versions_survive_a_viewers_clear_cache(copy_of_good):
    """Streamlit's "Clear cache" (any viewer can press C) empties every st.cache_* for all sessions."""
    import streamlit as st

    at = ok(run_app(date="2024-12-10", select="site-c"))
    path = copy_of_good / "installations" / "site-c.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lat: 27.0", "lat: [27"), encoding="utf-8")
    at = ok(at.run())
    assert "garrison-stale-note" in html_blocks(at)[0]
    url = map_data(at)["payload"]
    st.cache_data.clear()
    st.cache_resource.clear()
    at = ok(at.run())
    # Must NOT happen: the installation shown as its last valid version vanishing for everyone.
    assert view_of(at).select == "site-c"
    assert "garrison-stale-note" in html_blocks(at)[0]
    assert map_data(at)["payload"] == url and "site-c" in payload_of(at)["inst"]["id"]


def test_viewers_see_no_server_internals(copy_of_good):
    import tomllib

    at = ok(run_app())
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert any("3 installations" in t for t in texts)
    # Must NOT happen: the data folder's absolute path shown to every viewer (or sent to the map).
    assert not [t for t in texts if str(copy_of_good) in t]
    assert str(copy_of_good) not in map_element(at).proto.json
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"  # no tracebacks in the page


def test_a_payload_pruned_by_another_process_is_written_again(good):
    at = ok(run_app())
    url = map_data(at)["payload"]
    path = ROOT / "static" / url.removeprefix("/app/static/")
    path.unlink()  # another server sharing static/generated/ pruned it
    ok(at.run())
    # must not: the map sent to a file that is gone
    assert map_data(at)["payload"] == url and path.is_file()
    assert payload_of(at)["version"] == good.version


def test_under_serve_py_the_payload_is_kept_in_the_cache_folder_not_the_checkout(good, monkeypatch, tmp_path):
    from garrison.ui.generated_files import ROUTE, SERVED_ENV

    checkout = ROOT / "static" / "generated"
    before = set(checkout.iterdir()) if checkout.is_dir() else set()
    monkeypatch.setenv(SERVED_ENV, "1")
    monkeypatch.setenv("GARRISON_CACHE", str(tmp_path / "cache"))
    at = ok(run_app())
    url = map_data(at)["payload"]
    assert url.startswith(ROUTE + "/"), url
    name = url.rsplit("/", 1)[1]
    assert (tmp_path / "cache" / "generated" / name).is_file() and (tmp_path / "cache" / "generated" / f"{name}.gz").is_file()
    # must not: a file written into the checkout
    assert (set(checkout.iterdir()) if checkout.is_dir() else set()) == before


def test_a_cache_folder_that_cannot_be_written_is_named_with_what_to_do(good, monkeypatch, tmp_path):
    from garrison.ui.generated_files import SERVED_ENV

    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(SERVED_ENV, "1")
    monkeypatch.setenv("GARRISON_CACHE", str(tmp_path / "a-file" / "cache"))
    at = run_app().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert any("cannot be written to the cache folder" in e and "GARRISON_CACHE" in e and "a-file" in e for e in errors), errors
    # must not: a map sent to a payload that was never written
    assert not [e for e in at.get("bidi_component")], "the map was drawn without its data"


# --- names and the operator chart's window (issue 11) ------------------------------------------
def test_the_country_filter_lists_country_names_and_keeps_the_codes(good):
    from garrison.names import country_name

    at = ok(run_app(country="SY"))
    box = at.sidebar.multiselect(key="country")
    codes = sorted({r.country for r in good.records}, key=country_name)
    assert box.options == [country_name(c) for c in codes] and "Syria" in box.options
    assert box.value == ["SY"] and params(at)["country"] == "SY"  # the link and the filter keep the code
    # must not: a bare code offered where its name belongs
    assert not set(box.options) & set(codes)


def test_the_operator_chart_shows_the_recent_window_and_the_whole_record_on_request(good):
    first, last = good.span()
    start, _ = operator_window(good)
    assert first < start

    def area_start(at: AppTest) -> dt.date:
        return dt.date.fromisoformat(min(str(r["date"]) for r in _layer_rows(charts(at)[-1], "area"))[:10])

    at = painted(ok(run_app(date="2024-12-10")))
    assert area_start(at) == start and rule_dates(charts(at)[-1]) == [rule_date(dt.date(2024, 12, 10), start, last)]
    whole = at.toggle(key="op_whole")
    assert whole.value is False and str(first.year) in whole.label
    at = ok(whole.set_value(True).run())
    assert area_start(at) == first and rule_dates(charts(at)[-1]) == [rule_date(dt.date(2024, 12, 10), first, last)]
    # a date before the window: the whole record, said so, so that the date stays marked
    at = ok(at.toggle(key="op_whole").set_value(False).run())
    at = ok(browser_sends(at, date="2001-06-01"))
    assert area_start(at) == first and any("whole record" in c.value for c in at.main.caption)
    assert rule_dates(charts(at)[-1]) == [rule_date(dt.date(2001, 6, 1), first, last)]
    # must not: the slider date outside the chart (drawn at the window's edge instead)
    assert first <= rule_dates(charts(at)[-1])[0] < start


# --- search that finds (garrison.search) -----------------------------------------------------------
@pytest.mark.parametrize("query", ["Тартус", "Tartous", "طرطوس"])
def test_enter_in_the_search_opens_the_best_match(bundled, query):
    at = ok(run_app())
    at = ok(at.sidebar.text_input(key="q").input(query).run())  # AppTest's input + run is the Enter
    data = map_data(at)
    # the best match is one of Tartus's two records (the Arabic names of both carry the city's name)
    best = "tartus-syrian-navy" if query == "طرطوس" else "tartus"
    assert view_of(at).select == data["select"] == best and params(at)["select"] == best
    kept = bits(data["match"]["inst"], len(bundled.records))
    assert {r.id for r, k in zip(bundled.records, kept, strict=True) if k} == {"tartus", "tartus-syrian-navy"}
    assert any("Tartus" in h for h in html_blocks(at))  # its details are open
    # must not: the no-match warning, or the date moving (Tartus is on the map at the latest date)
    assert not no_match_shown(at) and shown_date(at) == bundled.span()[1].isoformat()


def test_a_match_with_no_record_at_the_date_opens_at_its_last_day(bundled):
    at = ok(run_app())
    at = ok(at.sidebar.text_input(key="q").input("Berbera").run())
    end = bundled.records[bundled.index["berbera-soviet"]].history[-1].end
    assert view_of(at).select == "berbera-soviet" and shown_date(at) == (end.start - dt.timedelta(days=1)).isoformat()
    # the date moved back, and the map is not empty: no notice about it
    assert not [i for i in at.main.info if "none is on the map" in i.value]
    # moving the date away again: the notice says why the map is empty, naming the match
    at = ok(browser_sends(at, date=bundled.span()[1].isoformat()))
    (notice,) = [i.value for i in at.main.info if "none is on the map" in i.value]
    assert "Berbera" in notice


# --- compare that helps (garrison.compare) ---------------------------------------------------------
def test_compare_follows_the_sidebar_filters(good):
    at = ok(run_app(date="2024-12-10", compare="2020-01-01"))
    assert _table_names(at) == ["Base B", "Port A", "Site C"]
    at = ok(at.sidebar.multiselect(key="country").set_value(["LY"]).run())
    assert _table_names(at) == ["Site C"]
    assert any(s.value == "From 2020-01-01 to 2024-12-10: 1 appeared" for s in at.subheader)
    assert any("among those the filters keep" in c.value for c in at.caption)
    at = ok(at.sidebar.text_input(key="q").input("Порт").run())  # the search is a filter too: LY and Port A
    # must not: a table of what the map does not show
    assert not compare_tables(at) and any(s.value.endswith(": nothing changed") for s in at.subheader)


def test_compare_turned_on_starts_a_year_before_the_date_shown_now(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(browser_sends(at, date="2025-07-01"))  # the reader moved the map's date first
    at = ok(at.toggle(key="compare_on").set_value(True).run())
    assert view_of(at).compare == at.date_input(key="compare").value == dt.date(2024, 7, 1)
    # must not: the picker's stale start (a year before the date the page opened at)
    assert view_of(at).compare != dt.date(2023, 12, 10)


# --- what changed: the event feed (garrison.feed) -----------------------------------------------
def test_a_feed_item_moves_the_maps_date_and_selects(good):
    at = ok(run_app(date="2024-12-10"))
    items = feed_items(at)
    assert [b.label for b in items] == [r"2025\-07\-01 · Base B", r"2025\-06\-01 · Base B", r"2024\-12\-08 · Base B",
                                        r"2024\-12\-08 · Port A", r"2020\-05\-26 · Site C", r"2015\-09 · Base B", "1971 · Port A"]
    assert any(c.value.startswith("Status: active → blockaded · Territory: Blue → Green") and "Example Wire" in c.value
               for c in at.caption)  # what changed, and who says so
    at = ok(items[3].click().run())  # Port A, 2024-12-08
    data = map_data(at)
    assert (view_of(at).date, view_of(at).select) == (dt.date(2024, 12, 8), "port-a")
    assert (data["date"], data["select"]) == ("2024-12-08", "port-a")
    assert params(at) == {"date": "2024-12-08", "select": "port-a"}
    assert any("Port A" in h for h in html_blocks(at))  # its details are open
    # the item now shown is marked; must not: any other item marked as shown
    assert [b.label for b in feed_items(at) if b.proto.type == "primary"] == [r"2024\-12\-08 · Port A"]


def test_the_feed_follows_the_filters(good):
    at = ok(run_app(date="2024-12-10", country="LY"))
    assert [b.label for b in feed_items(at)] == [r"2020\-05\-26 · Site C"]
    at = ok(run_app(date="2024-12-10", q="Atlantis"))
    # must not: items of installations the map does not show
    assert feed_items(at) == [] and any(c.value == "No change in the data under these filters." for c in at.caption)


def test_hostile_names_in_the_feed_stay_text(copy_of_good):
    path = copy_of_good / "installations" / "port-a.yaml"
    path.write_text(path.read_text().replace("name: Port A", "name: '**bold** [x](http://evil.example) :red[x]'"))
    at = ok(run_app(date="2024-12-10", compare="2020-01-01"))
    label = next(b.label for b in feed_items(at) if "bold" in b.label)
    # the compare table reads Markdown too: its cells are escaped the same way
    assert "\\*\\*bold\\*\\* \\[x\\]\\(http:\u200b//evil" in list(compare_tables(at)[0].value["Installation"])[1]
    assert label == "2024\\-12\\-08 · \\*\\*bold\\*\\* \\[x\\]\\(http:\u200b//evil\\.example\\) :\u200bred\\[x\\]"


# --- the page in the reader's language (garrison.ui.reader, the catalogs) -------------------------
def test_a_russian_link_shows_the_page_in_russian(good):
    ru = messages("ru")
    at = ok(run_app(lang="ru", date="2024-12-10", select="port-a", compare="2020-01-01"))
    subheaders = [s.value for s in at.subheader]
    assert ru.gettext("Installations by operator") in subheaders and ru.gettext("What changed") in subheaders
    assert any(s.startswith("С 1 января 2020\u202fг. по 10 декабря 2024\u202fг.: ") for s in subheaders), subheaders
    assert [h.value for h in at.sidebar.header][:2] == ["Фильтры", "Сравнение"]
    assert "<h3>Порт А</h3>" in html_blocks(at)[0]  # the name the data gives in Russian
    (table,) = compare_tables(at)
    names = list(table.value["Объект"])
    assert "Порт А" in names and r"Base B \(англ\.\)" in names  # no Russian name in the data: the English one, marked
    assert any(c.value.startswith("Данные: 3 объекта, ") for c in at.sidebar.caption)
    labels = [w.label for w in at.sidebar.multiselect]
    assert labels == ["Кто удерживает", "Страна", "Тип", "Статус"]
    assert at.sidebar.selectbox(key="lang").label == "🌐 Язык · Language"  # findable by a reader who reads no Russian
    # must not: an English heading, label or button left on the Russian page
    english = {"Installations by operator", "What changed", "Filter", "Compare", "Operator", "Status", "Clear selection"}
    words = set(subheaders) | {h.value for h in at.sidebar.header} | set(labels) | {b.label for b in at.button}
    assert not english & words


def test_an_english_page_marks_no_name(good):
    at = ok(run_app(date="2024-12-10", select="base-b", compare="2020-01-01"))
    (table,) = compare_tables(at)
    assert "Base B" in list(table.value["Installation"])
    # must not: the "shown in English" mark where English is the page's language
    assert "garrison-name-english" not in html_blocks(at)[0]
    assert not any("(English)" in str(v) for v in table.value.to_numpy().ravel())


@pytest.mark.parametrize("lang", ["ru", "uk", "be", "ar"])
def test_every_language_fills_every_message_of_the_page(bundled, lang):
    """The page with everything open (a selection with claims and rings, compare, filters, a search
    that matches but is not on the map) runs in each language: every placeholder of every
    translation is filled (a wrong one would raise)."""
    m = messages(lang)
    at = ok(run_app(lang=lang, date="2024-12-08", select="khmeimim", compare="2015-01-01", op="ru"))
    assert m.gettext("Installations by operator") in [s.value for s in at.subheader]
    at = ok(at.sidebar.text_input(key="q").input("Berbera").run())
    at = ok(browser_sends(at, date=bundled.span()[1].isoformat()))
    assert at.main.info  # the search's notice, in this language
    # must not: a message left in English, or a placeholder left unfilled
    texts = [c.value for c in at.caption] + [i.value for i in at.main.info] + [s.value for s in at.subheader]
    assert not any(re.search(r"\{[a-z_]+\}", t) for t in texts), texts
    assert "Installations by operator" not in [s.value for s in at.subheader]
