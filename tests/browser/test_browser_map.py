"""The map on the bundled data: markers, the date slider, Play, and compare.

Every expected status comes from the data (``data_for("bundled")``), never from the test.
Each test also checks one thing that must NOT happen (named "must not" below).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from garrison.dates import iso

pytestmark = pytest.mark.browser


def has_class(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_markers_appear_in_the_map_on_the_page(garrison, page, data_for):
    data = data_for("bundled")
    first, last = data.ds.span()
    garrison.open(date=last.isoformat())  # no date in the URL: the app opens at the end of the span
    garrison.expect_date(last.isoformat())

    present = garrison.map.locator(".leaflet-marker-icon.garrison-inst:not(.garrison-absent)")
    expect(present.nth(25)).to_be_attached()  # more than 25 installations held at the default date
    expect(present).to_have_count(len(data.ds.state_at(last)))
    expect(garrison.markers).to_have_count(len(data.ds.records))  # one marker per installation
    expect(present.first).to_be_visible()

    # must not: a marker (or any garrison-inst element) outside the map, a second map, an iframe.
    # (Must not reach outside localhost: asserted by the page fixture for every test.)
    expect(page.locator(".garrison-inst")).to_have_count(len(data.ds.records))
    expect(page.locator(".leaflet-container .garrison-inst")).to_have_count(len(data.ds.records))
    expect(page.locator(".leaflet-container")).to_have_count(1)
    expect(page.locator("iframe")).to_have_count(0)


def test_slider_across_8_december_2024_restyles_in_place(garrison, page, data_for):
    data = data_for("bundled")
    before, after = data.status("tartus", "2024-12-07"), data.status("tartus", "2024-12-08")
    assert before and after and before != after, "the data no longer changes Tartus on 2024-12-08"

    garrison.open("date=2024-12-07", date="2024-12-07")
    garrison.expect_date("2024-12-07")
    tartus = garrison.marker("tartus")
    expect(tartus).to_have_class(has_class(f"garrison-status-{before}"))
    mount = garrison.mount()

    garrison.slider.focus()
    garrison.slider.press("ArrowRight")
    garrison.expect_date("2024-12-08")
    expect(tartus).to_have_class(has_class(f"garrison-status-{after}"))
    expect(tartus).not_to_have_class(has_class(f"garrison-status-{before}"))
    garrison.settle()

    # "Next change" snaps to the next day on which anything in the data changes.
    later = [d for d in data.ds.change_dates() if d.isoformat() > "2024-12-08"]
    nxt = later[0].isoformat()
    page.get_by_role("button", name="Next change ▶").click()
    garrison.expect_date(nxt)
    expect(tartus).to_have_class(has_class(f"garrison-status-{data.status('tartus', nxt)}"))

    # must not: rebuild the base map (same Leaflet instance), or draw it into an iframe.
    expect(garrison.box).to_have_attribute("data-garrison-mount", mount)
    expect(garrison.root).to_have_count(1)
    expect(page.locator("iframe")).to_have_count(0)
    garrison.expect_no_exception()


def test_play_advances_and_stops(garrison, page):
    start = "2020-01-01"
    garrison.open(f"date={start}", date=start)
    mount = garrison.mount()
    garrison.choose("Step", "step: day")
    garrison.choose("Speed", "fast (0.25 s)")

    play = page.get_by_role("button", name="▶ Play", exact=True)
    play.click()
    pause = page.get_by_role("button", name="⏸ Pause", exact=True)
    expect(pause).to_have_attribute("aria-pressed", "true")
    expect(garrison.big_date).not_to_have_text(start)
    page.wait_for_function("d => ((document.querySelector('[data-testid=garrison-date]') || {}).textContent || '') >= d",
                           arg="2020-01-04")
    garrison.expect_no_exception()
    # the map follows: its own date attribute moves on too
    expect(garrison.box).not_to_have_attribute("data-garrison-date", start)
    garrison.map_frame().wait_for_function(
        "d => ((document.querySelector('.leaflet-container[data-garrison-ready]') || {dataset: {}}).dataset.garrisonDate || '') >= d",
        arg="2020-01-04")
    expect(garrison.box).to_have_attribute("data-garrison-mount", mount)

    pause.click()
    expect(play).to_have_attribute("aria-pressed", "false")
    stopped = garrison.wait_stable('[data-testid="garrison-date"]', ms=2000)  # ~8 ticks at 0.25 s
    assert stopped >= "2020-01-04"
    expect(garrison.box).to_have_attribute("data-garrison-date", stopped)
    again = garrison.wait_stable('[data-testid="garrison-date"]', ms=2000)
    assert again == stopped, f"the date kept moving after Play was switched off: {stopped} -> {again}"
    expect(garrison.box).to_have_attribute("data-garrison-date", stopped)

    # must not: remount the map while playing.
    expect(garrison.box).to_have_attribute("data-garrison-mount", mount)
    garrison.expect_no_exception()


def test_compare_lists_and_highlights_changes(garrison, page, data_for):
    data = data_for("bundled")
    d1, d2 = "2024-11-01", "2024-12-31"
    expected = {r["id"] for r in data.ds.compare(d1, d2)}
    assert {"tartus", "khmeimim"} <= expected
    unchanged = {r.id for r in data.ds.records if data.state(r.id, d1) == data.state(r.id, d2)}
    assert unchanged, "the data has no installation unchanged between the two dates"

    garrison.open(f"date={d2}&compare={d1}", date=d2)
    expect(page.get_by_role("switch", name="Compare with a second date", exact=True)).to_be_checked()
    expect(page.get_by_role("heading", name=re.compile(rf"^From {d1} to {d2}: \d+ changed"))).to_be_visible()
    expect(page.get_by_text(f"{len(expected)} installations differ")).to_be_visible()

    # The table is a plain <table>: every row, every column whole (no cut cells).
    table = page.get_by_test_id("stTable")
    names = table.locator("tbody tr td:first-child")
    expect(names).to_have_count(len(expected))
    expected_names = {data.record(i).name for i in expected}
    assert set(n.strip() for n in names.all_inner_texts()) == expected_names
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers == ["Installation", "What changed", "Operator", "Status", "Territory", "Since"], headers
    expect(table.locator("td").filter(has_text="→").first).to_be_visible()  # before → after
    expect(page.get_by_role("button", name="Download this table (CSV)")).to_be_visible()

    changed = garrison.map.locator(".leaflet-marker-icon.garrison-changed")
    expect(changed).to_have_count(len(expected))
    classes = garrison.marker_classes()
    marked = {i for i, cls in classes.items() if "garrison-changed" in cls.split()}
    assert marked == expected
    # must not: an installation whose state is the same at both dates marked as changed.
    for inst_id in sorted(unchanged):
        expect(garrison.marker(inst_id)).not_to_have_class(has_class("garrison-changed"))


def test_the_map_follows_the_slider_while_it_is_dragged(garrison, page, data_for):
    data = data_for("bundled")
    garrison.open("date=2016-01-01", date="2016-01-01")
    mount = garrison.mount()
    box = garrison.slider.bounding_box()
    lo, hi, value = (int(garrison.slider.get_attribute(a) or garrison.slider.input_value()) for a in ("min", "max", "value"))
    x, y = box["x"] + box["width"] * (value - lo) / (hi - lo), box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y, steps=4)
    # while the thumb is held, the map already shows the slider's date ...
    held = garrison.slider.get_attribute("aria-valuetext")
    assert held and held < "2016-01-01"
    expect(garrison.box).to_have_attribute("data-garrison-date", held)
    expect(garrison.big_date).to_have_text(held)
    tartus = garrison.marker("tartus")
    expect(tartus).to_have_class(has_class(f"garrison-status-{data.status('tartus', held)}"))
    # must not: the server told before the release (the permalink still has the old date)
    expect(page).to_have_url(re.compile(r"[?&]date=2016-01-01(&|$)"))
    page.mouse.up()
    garrison.expect_date(held)
    expect(page).to_have_url(re.compile(rf"[?&]date={held}(&|$)"))  # after the release the server has it
    expect(garrison.box).to_have_attribute("data-garrison-mount", mount)  # and the map was never rebuilt


CANVAS_PIXEL_JS = """(id) => {
    // the marker's colour as painted on the map's canvas, under the centre of its (transparent) element
    const el = document.querySelector('.leaflet-marker-icon.garrison-inst-' + id);
    const canvas = document.querySelector('canvas.garrison-canvas');
    const m = el.getBoundingClientRect(), c = canvas.getBoundingClientRect(), ratio = canvas.width / c.width;
    const x = Math.round((m.left + m.width / 2 - c.left) * ratio), y = Math.round((m.top + m.height / 2 - c.top) * ratio);
    return {x, y, rgba: Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data)};
}"""
CANVAS_AT_JS = """([x, y]) => Array.from(document.querySelector('canvas.garrison-canvas').getContext('2d').getImageData(x, y, 1, 1).data)"""


def test_markers_are_painted_on_the_canvas_and_cleared_when_absent(garrison, data_for):
    data = data_for("bundled")
    rec = data.record("tartus")
    first = iso(rec.history[0].start.day)  # Tartus's first period ('1971' starts on 1971-01-01)
    colour = data.ds.actors[rec.history[0].operator].colour.lstrip("#")
    garrison.open(f"date={first}&lat={rec.lat}&lon={rec.lon}&zoom=9", date=first)
    frame = garrison.map_frame()
    painted = frame.evaluate(CANVAS_PIXEL_JS, "tartus")
    want = [int(colour[k:k + 2], 16) for k in (0, 2, 4)]
    assert painted["rgba"][3] > 200 and all(abs(a - b) <= 3 for a, b in zip(painted["rgba"][:3], want, strict=True)), painted
    # one day earlier Tartus has no record: its element hides and its pixels are cleared (a partial repaint)
    garrison.slider.focus()
    garrison.slider.press("ArrowLeft")
    expect(garrison.marker("tartus")).to_have_class(has_class("garrison-absent"))
    expect(garrison.box).not_to_have_attribute("data-garrison-date", first)
    # must not: the old marker left painted where it was
    assert frame.evaluate(CANVAS_AT_JS, [painted["x"], painted["y"]])[3] == 0


def test_a_fresh_page_loads_the_map_from_the_apps_own_files(garrison, page):
    scripts, fetched = [], {}
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    # the app's files: /app/static/ (the checkout's) and /garrison/generated/ (derived, from the cache folder)
    served = re.compile(r"/(?:app/static|garrison)/(.*)$")
    page.on("response", lambda r: r.request.resource_type == "fetch" and (m := served.search(r.url.split("?")[0]))
            and fetched.setdefault(m.group(1), (r.headers.get("content-type"), r.headers.get("content-encoding"))))
    page.goto(f"{garrison.server.url}/")
    expect(garrison.box).to_have_attribute("data-garrison-date", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(garrison.slider).to_be_visible()
    expect(page.get_by_role("button", name="Next change ▶")).to_be_visible()
    expect(page.get_by_text("Installations by operator")).to_be_visible()
    garrison.expect_no_exception()
    t = page.evaluate("() => document.querySelector('.leaflet-container').garrison.timings")
    assert t["fetch"] <= t["response"] <= t["parsed"] <= t["built"] <= t["styled"], t
    assert t["fetch"] <= t["init"], t  # the data was on its way before the map's own code ran
    # the map's own scripts, vendored Leaflet and the basemap, all from /app/static/ (no iframe, no CDN)
    static = [u.split("/app/static/")[1] for u in scripts if "/app/static/" in u]
    assert "vendor/leaflet/leaflet.js" in static and "basemap/garrison-basemap.js" in static, scripts
    expect(page.locator("iframe")).to_have_count(0)
    # the land was decoded in a worker, off the page's main thread
    expect(page.locator(".leaflet-container")).to_have_attribute("data-gbm-low", "worker")
    # the payload, the land and the towns came as their gzipped copies, sent as they are (application/gzip)
    expect(page.locator(".gbm-place-text").first).to_be_visible()  # the towns are drawn: their file came
    gz = {name: how for name, how in fetched.items() if name.endswith(".gz")}
    assert {"basemap/countries-50m.json.gz", "basemap/places.json.gz"} <= gz.keys(), fetched
    assert any(n.startswith("generated/garrison-") for n in gz), fetched
    assert all(how == ("application/gzip", None) for how in gz.values()), gz
    # must not: the payload, the land or the towns also fetched uncompressed
    assert not [n for n in fetched if n.startswith(("generated/garrison-", "basemap/countries-", "basemap/places."))
                and not n.endswith(".gz")], fetched
    # the map follows its slider, on the same mounted map
    mount = garrison.mount()
    day = garrison.slider.get_attribute("aria-valuetext")
    garrison.slider.focus()
    garrison.slider.press("ArrowLeft")
    expect(garrison.box).not_to_have_attribute("data-garrison-date", day)
    assert garrison.mount() == mount


def test_the_legend_folds_on_a_narrow_map_and_opens_on_a_click(garrison, page):
    page.set_viewport_size({"width": 820, "height": 900})
    garrison.open()
    legend, summary = garrison.map.locator(".garrison-legend"), garrison.map.locator(".garrison-legend-summary")
    expect(summary).to_be_visible()
    # must not: the full legend covering a narrow map when it opens
    expect(legend).to_be_hidden()
    summary.click()
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Installations")
    summary.click()
    expect(legend).to_be_hidden()
    garrison.expect_no_exception()


def test_the_page_works_when_the_map_data_cannot_load(browser, app_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    try:
        refused = []
        context.route(re.compile(r"/generated/garrison-[0-9a-f]+\.bin"), lambda r: (refused.append(r.request.url), r.abort()))
        context.route(re.compile(r"^(?!https?://(localhost|127\.0\.0\.1)[:/])"), lambda r: r.abort())
        page = context.new_page()
        page.goto(f"{app_server.url}/")
        expect(page.locator(".leaflet-container[data-garrison-error]")).to_have_count(1)
        # the rest of the page is there: the filters, the chart
        expect(page.get_by_test_id("stSidebar").get_by_text("Operator", exact=True)).to_be_visible()
        expect(page.get_by_text("Installations by operator")).to_be_visible()
        expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)  # must not: charts waiting for a paint that never comes
        assert refused  # it was the map's data that was missing
        # must not: a map that says it is ready without its data
        expect(page.locator(".leaflet-container[data-garrison-ready]")).to_have_count(0)
    finally:
        context.close()


#: Seen from the page's first moment (an init script): the order in which the map's first paint
#: and the first chart appear, the map's box at its paint, and each full rerun the page asks for.
FIRST_PAINT_JS = """(() => {
  const seen = (window.__garrisonFirst = { order: [], box: null });
  new MutationObserver(() => {
    const map = document.querySelector('.leaflet-container[data-garrison-painted="1"]');
    if (map && !seen.order.includes("map")) {
      seen.order.push("map");
      const r = map.getBoundingClientRect();
      seen.box = [r.x, r.y, r.width, r.height];
      seen.chartsAtPaint = document.querySelectorAll('[data-testid=stVegaLiteChart]').length;
    }
    if (document.querySelector('[data-testid=stVegaLiteChart]') && !seen.order.includes("chart")) seen.order.push("chart");
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();"""


def painted(reruns: list) -> list:
    """The rerun requests that carry the map's `painted` trigger."""
    return [m for m in reruns if any('"painted"' in w.json_trigger_value for w in m.rerun_script.widget_states.widgets)]


def test_a_fresh_page_draws_the_map_before_its_charts_and_then_the_charts(garrison, page, data_for):
    reruns = []
    page.on("websocket", lambda ws: ws.url.endswith("/_stcore/stream") and ws.on("framesent", lambda p: isinstance(p, bytes)
            and (m := BackMsg.FromString(p)).WhichOneof("type") == "rerun_script" and not m.rerun_script.fragment_id
            and reruns.append(m)))
    page.add_init_script(FIRST_PAINT_JS)
    inst = next(r.id for r in data_for("bundled").ds.records if len(r.history) > 1)
    garrison.open(f"select={inst}")  # (waits for the charts' run too)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2)  # the selection's history and the operator chart
    expect(charts.last.locator("svg .role-mark").first).to_be_attached()  # drawn, not just mounted
    first = page.evaluate("() => window.__garrisonFirst")
    # the map painted its markers while no chart existed in the page; the charts came after
    assert first["order"] == ["map", "chart"] and first["chartsAtPaint"] == 0, first
    assert garrison.markers.count() > 0
    assert len(painted(reruns)) == 1, reruns  # the run the map's paint asked for
    # must not: the charts' arrival moving the map (it sits above them) or remounting it
    box = garrison.box.bounding_box()
    assert [round(v) for v in first["box"]] == [round(v) for v in (box["x"], box["y"], box["width"], box["height"])]
    mount, before = garrison.mount(), len(reruns)
    # must not: another rerun per slider step (the paint is reported once): one per released step
    for _ in range(3):
        day = garrison.slider.get_attribute("aria-valuetext")
        garrison.slider.focus()
        garrison.slider.press("ArrowRight")
        expect(garrison.box).not_to_have_attribute("data-garrison-date", day)
        garrison.settle()
    # at most one run per released step (Streamlit may fold two quick steps' reports into one run)
    assert 1 <= len(reruns) - before <= 3 and len(painted(reruns)) == 1, reruns[before:]
    assert garrison.mount() == mount
    expect(charts).to_have_count(2)
    garrison.expect_no_exception()
