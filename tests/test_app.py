"""The Streamlit page, driven headless by streamlit.testing.v1.AppTest (no browser).

The map itself is a streamlit-folium component, so these tests read what the page sends it
(the map script and the per-rerun state message) from the component's arguments.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlencode

import pytest
from shown import shown
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

import garrison
from garrison.dates import to_day
from garrison.ui.panels import rule_date

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
BUNDLED = ROOT / "data"

APP = str(ROOT / "app.py")
HOSTILE = "</script><script>alert(1)</script>"


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


def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["page_complete"] = True  # past the map-first run (tested on its own)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_date(at: AppTest) -> str:
    (box,) = [h.proto.body for h in at.get("html") if "data-testid='garrison-date'" in h.proto.body]
    m = re.search(r">(\d{4}-\d{2}-\d{2})</div>$", box)
    assert m, box
    return m.group(1)


def html_blocks(at: AppTest) -> list[str]:
    """The st.html blocks other than the big date (the selection's details and history)."""
    return [h.proto.body for h in at.get("html") if "data-testid='garrison-date'" not in h.proto.body]


def map_args(at: AppTest) -> dict:
    (comp,) = at.get("component_instance")
    assert comp.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(comp.proto.json_args)


def map_state(at: AppTest) -> dict:
    fg = map_args(at)["feature_group"]
    m = re.search(r"__garrisonQueue \|\| \[\]\)\.push\((.*)\);\s*\n", fg)
    assert m, fg
    return json.loads(m.group(1))


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


def params(at: AppTest) -> dict:
    return {k: at.query_params[k] for k in at.query_params}


# --- it runs ---------------------------------------------------------------------------------
def test_bundled_data_app_runs(bundled):
    at = ok(run_app())
    first, last = bundled.span()
    assert at.title[0].value == "Garrison"
    assert at.session_state["date"] == last and shown_date(at) == last.isoformat()
    epoch = dt.datetime(1970, 1, 1)
    assert (epoch + dt.timedelta(microseconds=at.slider[0].min)).date() == first  # the proto keeps microseconds
    assert (epoch + dt.timedelta(microseconds=at.slider[0].max)).date() == last
    assert any(f"{len(bundled.records)} installations, {len(bundled.sources)} sources" in c.value for c in at.sidebar.caption)
    # nothing selected: the hint is shown, no details panel
    assert at.session_state["select"] is None and at.info and html_blocks(at) == []
    assert params(at) == {"date": last.isoformat()}
    # the problems expander only when the data has problems
    assert bool(at.expander) == bool(bundled.problems)
    # the map is offline: every script and stylesheet comes from /app/static/
    args = map_args(at)
    assert args["js_links"] and all(u.startswith("/app/static/") for u in args["js_links"] + args["css_links"])
    assert re.search(r'"dataUrl":"/app/static/generated/garrison-[0-9a-f]{20}\.json"', args["script"])
    # one bundled script (one request, not five in a row), whose URL names the data to prefetch
    (bundle_url,) = args["js_links"]
    path, _, query = bundle_url.partition("?")
    data_url = re.search(r'"dataUrl":"([^"]+)"', args["script"]).group(1)
    assert re.fullmatch(r"/app/static/generated/scripts-[0-9a-f]{20}\.js", path) and query == urlencode({"data": data_url})
    text = (ROOT / "static" / path.removeprefix("/app/static/")).read_text(encoding="utf-8")
    parts = ["garrison/garrison-prefetch.js", "vendor/leaflet/leaflet.js", "basemap/folium-compat.js", "vendor/topojson-client/topojson-client.min.js",
             "basemap/garrison-basemap.js", "garrison/garrison-map.js"]
    at_ = [text.index((ROOT / "static" / p).read_text(encoding="utf-8")) for p in parts]
    assert at_ == sorted(at_)  # all there, in the order they must run
    assert map_state(at)["day"] == to_day(last)
    # the payload the map loads was written and is the bundled dataset
    url = re.search(r'"dataUrl":"(/app/static/generated/[^"]+)"', args["script"]).group(1)
    payload = json.loads((ROOT / "static" / url.removeprefix("/app/static/")).read_text(encoding="utf-8"))
    assert payload["version"] == bundled.version and len(payload["inst"]["id"]) == len(bundled.records)


def test_good_fixture_app_runs(good):
    at = ok(run_app())
    assert f"{len(good.records)} installations" in " ".join(c.value for c in at.sidebar.caption)
    assert not at.expander  # a clean data folder shows no problems
    assert at.subheader[-1].value == "Installations by operator"
    assert not at.dataframe  # no compare table unless asked for


def test_a_fresh_page_draws_the_map_first_then_everything_else(good):
    at = AppTest.from_file(APP, default_timeout=60)  # a new session: no page_complete yet
    at.query_params.update(date="2016-05-05", select="port-a", compare="2015-01-01")
    at = ok(at.run())
    # first run: the title, the date and the map, already in the permalink's state
    assert shown_date(at) == "2016-05-05"
    assert map_state(at)["day"] == to_day(dt.date(2016, 5, 5)) and map_state(at)["select"] == "port-a"
    assert map_state(at)["compare"] == to_day(dt.date(2015, 1, 1))
    assert [c.value for c in at.sidebar.caption] == ["Loading the filters…"]
    # must not: anything that would compete with the map for the browser's main thread
    assert not at.slider and not at.multiselect and not at.button and not at.toggle and not at.selectbox
    assert not charts(at) and not at.dataframe and not at.subheader
    # the map's first report (or the fallback timer) reruns the page: now everything is there
    at = ok(at.run())
    assert [s.label for s in at.slider] == ["Date"] and at.slider[0].value == dt.date(2016, 5, 5)
    assert {m.label for m in at.multiselect} == {"Operator", "Country", "Kind", "Status"}
    assert {"◀ Previous change", "Next change ▶"} <= {b.label for b in at.button}
    assert at.toggle(key="compare_on").value and at.date_input(key="compare").value == dt.date(2015, 1, 1)
    assert len(charts(at)) == 2 and at.dataframe  # the selection's history and the operator chart; compare table
    assert map_state(at)["day"] == to_day(dt.date(2016, 5, 5)) and shown_date(at) == "2016-05-05"
    assert params(at)["date"] == "2016-05-05" and params(at)["select"] == "port-a"


# --- the permalink read ----------------------------------------------------------------------
def test_query_params_restore_the_view(good):
    at = ok(run_app(date="2024-12-10", select="port-a", op="red", country="SY", kind="naval_base",
                    status="blockaded", q="порт", lat="34.9", lon="35.87", zoom="8"))
    ss = at.session_state
    assert ss["date"] == dt.date(2024, 12, 10) and shown_date(at) == "2024-12-10"
    assert at.slider[0].value == dt.date(2024, 12, 10)
    assert ss["select"] == "port-a"
    assert (ss["f_op"], ss["f_country"], ss["f_kind"], ss["f_status"]) == (["red"], ["SY"], ["naval_base"], ["blockaded"])
    assert ss["q"] == "порт" and at.sidebar.text_input(key="q").value == "порт"
    assert ss["map_view"] == (34.9, 35.87, 8)
    details, periods = html_blocks(at)
    assert "<h3>Port A</h3>" in details and "Порт А" in details
    assert "garrison-period-blockaded" in periods and 'href="https://example.org/two"' in periods
    assert not at.info  # the "click an installation" hint is gone
    history, operators = charts(at)
    assert [r["status"] for r in bar_rows(history)] == ["active", "blockaded"]  # one bar per period
    assert rule_dates(history) == [dt.date(2024, 12, 10)]
    assert rule_dates(operators) == [rule_date(dt.date(2024, 12, 10), *good.span())]  # within a pixel
    state = map_state(at)
    assert state["day"] == to_day("2024-12-10") and state["select"] == "port-a" and state["compare"] is None
    assert state["filter"] == {"operator": ["red"], "country": ["SY"], "kind": ["naval_base"], "status": ["blockaded"],
                               "ids": ["port-a"]}
    assert state["fit"] == [[34.9, 35.87], [34.9, 35.87]]
    assert state["view"] == {"center": [34.9, 35.87], "zoom": 8}
    # the permalink written back is the normalised form of what came in
    assert params(at) == {"date": "2024-12-10", "select": "port-a", "op": "red", "country": "SY", "kind": "naval_base",
                          "status": "blockaded", "q": "порт", "lat": "34.9000", "lon": "35.8700", "zoom": "8"}


def test_range_rings_caption_for_a_selection(good):
    at = ok(run_app(date="2016-01-01", select="base-b"))
    assert any("Long-range SAM (400 km)" in shown(c.value) for c in at.caption)
    after = ok(run_app(date="2024-12-10", select="base-b"))
    assert not any("Long-range SAM" in c.value for c in after.caption)  # no longer deployed


@pytest.mark.parametrize("bad", [
    {"date": "2024-02-30"}, {"date": "yesterday"}, {"select": "../../etc/passwd"}, {"select": HOSTILE},
    {"op": HOSTILE + ",nobody"}, {"lat": "999", "lon": "-999", "zoom": "99"}, {"zoom": "nan"},
    {"compare": "2024-13-01"}, {"kind": "port,submarine"}, {"date": "", "select": ""},
])
def test_invalid_query_params_are_ignored(good, bad):
    at = ok(run_app(**bad))
    last = good.span()[1]
    ss = at.session_state
    assert ss["date"] == last and shown_date(at) == last.isoformat()
    assert ss["select"] is None and html_blocks(at) == []
    assert ss["compare_on"] is False and not at.date_input
    assert ss["f_op"] == [] and ss["f_kind"] == [] and ss["map_view"] == (None, None, None)
    # the bad values are dropped from the address bar, not echoed back
    assert params(at) == {"date": last.isoformat()}
    assert HOSTILE not in json.dumps(map_args(at))


def test_hostile_search_text_is_data_not_markup(good):
    at = ok(run_app(q=HOSTILE))
    assert at.session_state["q"] == HOSTILE and params(at)["q"] == HOSTILE
    fg = map_args(at)["feature_group"]
    assert "</script>" not in fg.lower() and "<script>" not in fg.lower()
    state = map_state(at)
    assert state["filter"]["ids"] == [] and "fit" not in state  # nothing matches: no fit, an empty map
    assert not at.exception


def test_date_outside_the_span_is_clamped(good):
    first, last = good.span()
    assert ok(run_app(date="1900-01-01")).session_state["date"] == first
    assert ok(run_app(date="2999-01-01")).session_state["date"] == last


@pytest.mark.parametrize("inst", ["port-a", "base-b", "site-c"])
def test_select_without_date_opens_at_the_latest_change(good, inst):
    at = ok(run_app(select=inst))
    latest = max(dt.date.fromisoformat(h["start"]) for h in good.history(inst))
    assert at.session_state["date"] == latest and shown_date(at) == latest.isoformat()
    assert at.session_state["select"] == inst
    assert params(at) == {"date": latest.isoformat(), "select": inst}
    assert f"<h3>{good.records[good.index[inst]].name}</h3>" in html_blocks(at)[0]
    assert at.session_state["date"] != good.span()[1]  # not the default "today"


# --- compare ---------------------------------------------------------------------------------
def _table_names(at: AppTest) -> list[str]:
    (table,) = at.dataframe
    return list(table.value["installation"])


def test_compare_toggle_shows_the_changes_table(good):
    at = ok(run_app(date="2024-12-10"))
    assert not at.dataframe and not at.date_input
    at = ok(at.toggle(key="compare_on").set_value(True).run())
    assert at.session_state["compare_on"] is True
    at = ok(at.date_input[0].set_value(dt.date(2020, 1, 1)).run())
    expected = good.compare(dt.date(2020, 1, 1), dt.date(2024, 12, 10))
    assert [c["id"] for c in expected] == ["base-b", "port-a", "site-c"]
    assert _table_names(at) == [c["name"] for c in expected]
    (table,) = at.dataframe
    assert "id" not in table.value.columns  # ids stay internal
    assert list(table.value.columns) == ["installation", "2020-01-01", "2024-12-10"]
    assert any(f"{len(expected)} installation(s) differ" in c.value for c in at.caption)
    assert any(s.value == "Changes between 2020-01-01 and 2024-12-10" for s in at.subheader)
    assert map_state(at)["compare"] == to_day("2020-01-01")
    assert params(at)["compare"] == "2020-01-01"
    # switching it off removes the table, the message and the parameter
    at = ok(at.toggle(key="compare_on").set_value(False).run())
    assert not at.dataframe and map_state(at)["compare"] is None and "compare" not in params(at)


@pytest.mark.parametrize(("date", "compare"), [("2024-12-10", "2025-07-01"), ("2025-07-01", "2016-01-01"),
                                               ("2024-12-07", "2024-12-08")])
def test_compare_from_the_permalink(good, date, compare):
    at = ok(run_app(date=date, compare=compare))
    assert at.session_state["compare_on"] is True and at.date_input[0].value == dt.date.fromisoformat(compare)
    d1, d2 = sorted([dt.date.fromisoformat(date), dt.date.fromisoformat(compare)])
    expected = [c["name"] for c in good.compare(d1, d2)]
    assert expected and _table_names(at) == expected
    assert list(at.dataframe[0].value.columns)[1:] == [d1.isoformat(), d2.isoformat()]  # older date first


@pytest.mark.parametrize("compare", ["1900-01-01", "2999-01-01"])
def test_compare_outside_the_span_is_clamped_not_a_crash(good, compare):
    at = ok(run_app(date="2024-12-10", compare=compare))
    first, last = good.span()
    want = first if compare < "2000" else last
    assert at.session_state["compare_on"] is True and at.session_state["compare"] == want
    assert params(at)["compare"] == want.isoformat()
    assert _table_names(at) == [c["name"] for c in good.compare(*sorted([want, dt.date(2024, 12, 10)]))]


def test_compare_with_the_same_date_shows_an_empty_table(good):
    at = ok(run_app(date="2024-12-10", compare="2024-12-10"))
    (table,) = at.dataframe
    assert len(table.value) == 0 and table.value.columns.is_unique
    assert any("0 installation(s) differ" in c.value for c in at.caption)


# --- previous / next change ------------------------------------------------------------------
def test_previous_and_next_change_buttons(good):
    changes = good.change_dates()
    at = ok(run_app(date="2024-12-10"))
    nxt, prev = at.button[1], at.button[0]
    assert "Next change" in nxt.label and "Previous change" in prev.label
    at = ok(nxt.click().run())
    expected = min(d for d in changes if d > dt.date(2024, 12, 10))
    assert expected == dt.date(2025, 6, 1)  # an explicit `to` is a change too
    assert at.session_state["date"] == expected and shown_date(at) == expected.isoformat()
    assert params(at)["date"] == expected.isoformat()
    at = ok(at.button[1].click().run())
    assert at.session_state["date"] == dt.date(2025, 7, 1)
    # walk back through every earlier change, one click each
    for want in reversed([d for d in changes if d < dt.date(2025, 7, 1)]):
        at = ok(at.button[0].click().run())
        assert at.session_state["date"] == want
    # at the first change there is nothing earlier: the date stays put
    at = ok(at.button[0].click().run())
    assert at.session_state["date"] == changes[0] == good.span()[0]


def test_next_change_after_the_last_change_stays(good):
    at = ok(run_app(date="2025-07-01"))
    at = ok(at.button[1].click().run())
    assert at.session_state["date"] == dt.date(2025, 7, 1)  # no later change: unchanged
    assert map_state(at)["day"] == to_day("2025-07-01")


# --- the map: built once, driven by messages --------------------------------------------------
def test_slider_change_writes_the_permalink_and_keeps_the_map(good):
    at = ok(run_app(date="2024-12-10", select="port-a"))
    before = map_args(at)
    at = ok(at.slider[0].set_value(dt.date(2016, 5, 5)).run())
    assert params(at) == {"date": "2016-05-05", "select": "port-a"}
    assert at.session_state["date"] == dt.date(2016, 5, 5) and shown_date(at) == "2016-05-05"
    after = map_args(at)
    # the map script and the component key are unchanged: streamlit-folium does not remount the map
    assert after["script"] == before["script"] and after["key"] == before["key"]
    assert after["js_links"] == before["js_links"]
    # only the tiny state message changed
    assert after["feature_group"] != before["feature_group"]
    assert map_state(at)["day"] == to_day("2016-05-05")
    # both charts' date rules followed the slider; the history bars did not change
    history, operators = charts(at)
    assert rule_dates(history) == [dt.date(2016, 5, 5)]
    assert rule_dates(operators) == [rule_date(dt.date(2016, 5, 5), *good.span())]
    assert abs((rule_dates(operators)[0] - dt.date(2016, 5, 5)).days) <= (good.span()[1] - good.span()[0]).days / 1200 + 1
    assert len(bar_rows(history)) == len(good.history("port-a"))


def test_neighbouring_days_send_the_identical_operator_chart(good):
    # so Streamlit's message cache sends a reference, not the chart, for most slider steps
    def chart_bytes(at: AppTest) -> bytes:
        return [el.proto for el in at.main if type(el.proto).__name__ == "VegaLiteChart"][-1].SerializeToString()

    span = good.span()
    day = next(dt.date(2016, 5, 1) + dt.timedelta(days=k) for k in range(60)
               if rule_date(dt.date(2016, 5, 1) + dt.timedelta(days=k), *span) == rule_date(dt.date(2016, 5, 2) + dt.timedelta(days=k), *span))
    at = ok(run_app(date=day.isoformat()))
    before = chart_bytes(at)
    at = ok(at.slider[0].set_value(day + dt.timedelta(days=1)).run())
    assert map_state(at)["day"] == to_day(day + dt.timedelta(days=1))  # the map did move
    assert chart_bytes(at) == before
    # a step that crosses to the next rule position does change the chart (the rule moved)
    later = next(day + dt.timedelta(days=k) for k in range(1, 400) if rule_date(day + dt.timedelta(days=k), *span) != rule_date(day, *span))
    at = ok(at.slider[0].set_value(later).run())
    assert chart_bytes(at) != before and rule_dates(charts(at)[-1]) == [rule_date(later, *span)]


def test_search_box_filters_the_map_and_the_permalink(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(at.sidebar.text_input(key="q").input("ПОРТ").run())
    state = map_state(at)
    assert state["filter"]["ids"] == ["port-a"] and state["fit"] == [[34.9, 35.87], [34.9, 35.87]]
    assert params(at)["q"] == "ПОРТ"
    at = ok(at.sidebar.text_input(key="q").input("").run())
    assert "ids" not in map_state(at)["filter"] and "fit" not in map_state(at) and "q" not in params(at)


def test_clear_selection(good):
    at = ok(run_app(date="2024-12-10", select="port-a"))
    (clear,) = [b for b in at.button if b.label == "Clear selection"]
    at = ok(clear.click().run())
    assert at.session_state["select"] is None and html_blocks(at) == [] and at.info
    assert "select" not in params(at) and map_state(at)["select"] is None


# --- problems in the data ---------------------------------------------------------------------
def _broken_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(GOOD, data)
    path = data / "installations" / "site-c.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: active", "status: sunk"), encoding="utf-8")
    return data


def test_broken_installation_file_shows_the_problems(tmp_path, monkeypatch):
    data = _broken_copy(tmp_path)
    monkeypatch.setenv("GARRISON_DATA", str(data))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    ds = garrison.Loader(data).load()
    (err,) = ds.errors
    bad_file = data / "installations" / "site-c.yaml"
    line = next(i for i, t in enumerate(bad_file.read_text(encoding="utf-8").splitlines(), 1) if "status: sunk" in t)
    assert (Path(err.path), err.line) == (bad_file, line)
    at = ok(run_app(select="site-c"))
    (exp,) = at.expander
    assert exp.label.startswith(f"⚠ {len(ds.errors)} error(s), {len(ds.warnings)} warning(s)")
    (code,) = at.code
    assert f"{bad_file}:{line}:" in code.value and "sunk" in code.value
    # the other installations still load; the broken one is not selectable
    assert f"{len(ds.records)} installations" in " ".join(c.value for c in at.sidebar.caption)
    assert [r.id for r in ds.records] == ["base-b", "port-a"]
    assert at.session_state["select"] is None and "select" not in params(at)


def test_a_file_broken_while_running_is_shown_stale(good_copy, monkeypatch):
    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    at = ok(run_app(date="2024-12-10", select="site-c"))
    assert not at.expander and "garrison-stale-note" not in html_blocks(at)[0]
    key = map_args(at)["key"]
    path = good_copy / "installations" / "site-c.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lat: 27.0", "lat: [27"), encoding="utf-8")
    at = ok(at.run())
    (exp,) = at.expander
    assert "1 error(s)" in exp.label
    assert f"{path}:" in at.code[0].value
    assert at.session_state["select"] == "site-c"  # still there, with its last good version
    assert "garrison-stale-note" in html_blocks(at)[0]
    assert map_args(at)["key"] != key  # the data changed: a new payload, so the map reloads


def test_last_good_versions_survive_a_viewers_clear_cache(good_copy, monkeypatch):
    """Streamlit's "Clear cache" (any viewer can press C) empties every st.cache_* for all sessions."""
    import streamlit as st

    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    at = ok(run_app(date="2024-12-10", select="site-c"))
    path = good_copy / "installations" / "site-c.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("lat: 27.0", "lat: [27"), encoding="utf-8")
    at = ok(at.run())
    assert "garrison-stale-note" in html_blocks(at)[0]
    st.cache_data.clear()
    st.cache_resource.clear()
    at = ok(at.run())
    # Must NOT happen: the installation shown as its last valid version vanishing for everyone.
    assert at.session_state["select"] == "site-c"
    assert "garrison-stale-note" in html_blocks(at)[0]



# --- clicks and moves on the map (the component's value, as streamlit-folium reports it) -------
def map_reports(at: AppTest, **value) -> AppTest:
    """Set what the map component returns (as after a click or a pan) and rerun."""
    (comp,) = at.get("component_instance")
    at.session_state[comp.key] = {"last_clicked": None, "zoom": 4, "center": None} | value
    return at.run()


def test_clicking_a_marker_selects_its_installation(good):
    at = ok(run_app(date="2024-12-10"))
    at = ok(map_reports(at, last_clicked={"lat": 34.9, "lng": 35.87}, zoom=6, center={"lat": 35.0, "lng": 36.0}))
    assert at.session_state["select"] == "port-a"
    assert "<h3>Port A</h3>" in html_blocks(at)[0]
    assert params(at) == {"date": "2024-12-10", "select": "port-a", "lat": "35.0000", "lon": "36.0000", "zoom": "6"}
    # (the message of the click's own rerun was built before the click was read; the next one carries it)
    assert ok(at.run()) and map_state(at)["select"] == "port-a"
    # a click on empty map (no marker there) leaves the selection alone
    at = ok(map_reports(at, last_clicked={"lat": 10.0, "lng": 10.0}, zoom=6, center={"lat": 35.0, "lng": 36.0}))
    assert at.session_state["select"] == "port-a"


def test_clicking_a_marker_whose_coordinates_have_more_decimals_than_the_map(good_copy, monkeypatch):
    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    f = good_copy / "installations" / "port-a.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace("lat: 34.9\n", "lat: 34.9123456\n"), encoding="utf-8")
    at = ok(run_app(date="2024-12-10"))
    # the map knows the position rounded as in its payload; that is what a click on the marker reports
    at = ok(map_reports(at, last_clicked={"lat": round(34.9123456, 5), "lng": 35.87}, zoom=6, center={"lat": 35.0, "lng": 36.0}))
    assert at.session_state["select"] == "port-a"
    # must not: a click a few metres off (not on the marker's reported position) selects it
    at = ok(map_reports(run_app(date="2024-12-10"), last_clicked={"lat": 34.91245, "lng": 35.87}))
    assert at.session_state["select"] is None


def test_a_click_nowhere_selects_nothing(good):
    at = ok(map_reports(run_app(date="2024-12-10"), last_clicked={"lat": 34.9001, "lng": 35.87}))
    assert at.session_state["select"] is None and "select" not in params(at) and html_blocks(at) == []


@pytest.mark.parametrize(("lng", "wrapped"), [(395.5, "35.5000"), (-200.25, "159.7500"), (36.0, "36.0000")])
def test_panned_map_view_survives_the_permalink(good, lng, wrapped):
    at = ok(map_reports(run_app(date="2024-12-10"), zoom=5, center={"lat": 35.0, "lng": lng}))
    link = params(at)
    assert (link["lat"], link["lon"], link["zoom"]) == ("35.0000", wrapped, "5")
    again = ok(run_app(**link))
    assert again.session_state["map_view"] == (35.0, float(wrapped), 5)
    assert map_state(again)["view"] == {"center": [35.0, float(wrapped)], "zoom": 5}


def test_the_same_marker_can_be_selected_again_after_clearing(good):
    """garrison-map.js nudges alternate clicks by 1e-9 degrees, so a repeated click is a new value."""
    click = {"last_clicked": {"lat": 34.9, "lng": 35.87}, "zoom": 4}
    at = ok(map_reports(run_app(date="2024-12-10"), **click))
    assert at.session_state["select"] == "port-a"
    (clear,) = [b for b in at.button if b.label == "Clear selection"]
    at = ok(clear.click().run())
    assert at.session_state["select"] is None
    again = {"last_clicked": {"lat": 34.9 + 1e-9, "lng": 35.87}, "zoom": 4}
    at = ok(map_reports(at, **again))  # the user clicks Port A again
    assert at.session_state["select"] == "port-a"


# --- basemap choice ----------------------------------------------------------------------------
def test_offline_basemap_by_default_online_tiles_only_when_chosen(good):
    at = ok(run_app(date="2024-12-10"))
    assert at.session_state["basemap"] == "offline"
    offline = map_args(at)
    assert "http" not in offline["script"] and "L.tileLayer" not in offline["script"]
    at = ok(at.sidebar.radio(key="basemap").set_value("osm").run())
    online = map_args(at)
    assert re.search(r'L\.tileLayer\(\s*"https://[^"]*openstreetmap', online["script"])
    assert "OpenStreetMap" in online["script"]  # the attribution goes with the tiles
    # scripts and styles are still all local; only the tiles come from the internet
    assert all(u.startswith("/app/static/") for u in online["js_links"] + online["css_links"])
    assert map_state(at)["day"] == to_day("2024-12-10")
    at = ok(at.sidebar.radio(key="basemap").set_value("offline").run())
    assert map_args(at)["script"] == offline["script"] and map_args(at)["key"] == offline["key"]


def test_viewers_see_no_server_internals(good_copy, monkeypatch):
    import tomllib

    monkeypatch.setenv("GARRISON_DATA", str(good_copy))
    at = ok(run_app())
    texts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert any("3 installations" in t for t in texts)
    # Must NOT happen: the data folder's absolute path shown to every viewer.
    assert not [t for t in texts if str(good_copy) in t]
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"  # no tracebacks in the page
