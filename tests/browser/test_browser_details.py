"""Selecting an installation (click on the map) and restoring a view from a permalink."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


CENTER_JS = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"


def has_class(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_clicking_khmeimim_shows_its_history_with_sources(garrison, page, data_for):
    data = data_for("bundled")
    rec = data.record("khmeimim")
    history = data.ds.history("khmeimim")
    # Zoomed in on the base so its marker does not overlap Tartus's (they are 55 km apart).
    garrison.open(f"lat={rec.lat}&lon={rec.lon}&zoom=9")
    marker = garrison.marker("khmeimim")
    expect(page.locator(".garrison-details")).to_have_count(0)
    # zoomed in: the 1:10m land (its gzipped copy) was decoded in the worker
    expect(garrison.map.locator(".leaflet-container")).to_have_attribute("data-gbm-high", "worker")

    marker.click()  # a real click on the marker element inside the iframe
    expect(marker).to_have_class(has_class("garrison-selected"))
    heading = garrison.details.locator("h3")
    expect(heading).to_have_text(rec.name)
    expect(heading).to_contain_text("Khmeimim")
    expect(page).to_have_url(re.compile(r"[?&]select=khmeimim(&|$)"))

    periods = page.locator(".garrison-period")
    expect(periods).to_have_count(len(history))
    for k, h in enumerate(history):
        period = periods.nth(k)
        expect(period).to_have_class(has_class(f"garrison-period-{h['status']}"))
        expect(period.locator("b").nth(1)).to_have_text(h["status"])
        items = period.locator(":scope > ul > li")  # its own sources (a claims table lists its own)
        expect(items).to_have_count(len(h["sources"]))
        for j, sid in enumerate(h["sources"]):
            src = data.ds.sources[sid]
            expect(items.nth(j)).to_contain_text(src.publisher)
            expect(items.nth(j).locator("a")).to_have_attribute("href", src.url)
            expect(items.nth(j).locator("a")).to_have_text(src.title)
    links = garrison.history.locator("a[href^='http']")
    expect(links.first).to_be_visible()
    assert garrison.history.locator(".garrison-period > ul > li a[href^='http']").count() == sum(len(h["sources"]) for h in history)

    # must not: any link in the panels (or anywhere) that is not http(s).
    hrefs = page.locator('[data-testid="stHtml"] a').evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(re.match(r"^https?://", h or "") for h in hrefs), hrefs
    expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
    expect(garrison.map.locator("a[href^='javascript:' i]")).to_have_count(0)
    garrison.expect_no_exception()


def test_permalink_restores_date_selection_and_filter(garrison, page, data_for):
    data = data_for("bundled")
    date = "2019-06-01"
    garrison.open(f"date={date}&select=tartus&op=ru&lat=34.9000&lon=35.9000&zoom=9", date=date)
    garrison.expect_date(date)
    # the view: the map opens where the link points, and the URL keeps it
    lat, lon, zoom = garrison.map_frame().evaluate(CENTER_JS)
    assert (round(lat, 3), round(lon, 3), zoom) == (34.9, 35.9, 9), (lat, lon, zoom)
    expect(page).to_have_url(re.compile(r"[?&]lat=34\.9000&lon=35\.9000&zoom=9(&|$)"))
    expect(garrison.details.locator("h3")).to_have_text(data.record("tartus").name)
    expect(garrison.marker("tartus")).to_have_class(has_class("garrison-selected"))

    now = data.ds.state_at(date)
    russian = set(now.loc[now["operator"] == "ru", "id"])
    assert "tartus" in russian and len(russian) < len(data.ds.records)
    shown = garrison.map.locator(".leaflet-marker-icon.garrison-inst:not(.garrison-filtered)")
    expect(shown).to_have_count(len(russian))
    for inst_id, cls in garrison.marker_classes().items():
        if inst_id in russian:
            assert "garrison-filtered" not in cls.split() and "garrison-op-ru" in cls.split(), (inst_id, cls)
        else:
            assert "garrison-filtered" in cls.split(), (inst_id, cls)

    # must not: the filter's fit-to-result moving the map away from the link's view
    lat2, lon2, zoom2 = garrison.map_frame().evaluate(CENTER_JS)
    assert (round(lat2, 3), round(lon2, 3), zoom2) == (34.9, 35.9, 9)
    # must not: the URL losing its parameters once the app has loaded and rewritten it.
    expect(page).to_have_url(re.compile(rf"[?&]date={date}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]select=tartus(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]op=ru(&|$)"))

    # A link to one installation without a date opens at that installation's latest change.
    latest = max(h["start"] for h in data.ds.history("khmeimim"))
    garrison.open("select=khmeimim", date=latest)
    garrison.expect_date(latest)
    expect(garrison.details.locator("h3")).to_have_text(data.record("khmeimim").name)
    expect(page).to_have_url(re.compile(rf"[?&]date={latest}(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]select=khmeimim(&|$)"))
    garrison.expect_no_exception()


def test_permalink_view_survives_the_map_being_resized(garrison, page):
    """A resize re-derives Leaflet's centre from whole pixels; the link's view must stay exact."""
    garrison.open("lat=34.9000&lon=35.9000&zoom=9")
    frame = garrison.map_frame()
    width = frame.evaluate("() => window.map.getSize().x")
    for dw in (-1, -17, 1, 30):  # odd and even changes: a 1 px change fires no Leaflet "resize"
        page.set_viewport_size({"width": 1400 + dw, "height": 1000})
        frame.wait_for_function("(w) => window.map.getSize().x !== w", arg=width, timeout=10_000)
        width = frame.evaluate("() => window.map.getSize().x")
        garrison.settle()
        lat, lon, zoom = frame.evaluate(CENTER_JS)
        assert (round(lat, 6), round(lon, 6), zoom) == (34.9, 35.9, 9), (dw, lat, lon, zoom)
        expect(page).to_have_url(re.compile(r"[?&]lat=34\.9000&lon=35\.9000&zoom=9(&|$)"))

    # must not: a view the user moved to snapping back to the link's on the next resize
    box = garrison.box.bounding_box()  # a reader's drag (programmatic moves are not the reader's view)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # the drag is over at the first moveend after its dragend: at once without inertia, else when
    # the inertia's pan (started a frame later) ends; a resize during the drag may report a view
    # on the way, so the link is awaited until it holds the view the drag ended at
    frame.evaluate(
        """() => { const m = window.map; window.garrisonDragEnd = null;
          m.once("dragend", () => m.once("moveend", () => {
            window.garrisonDragEnd = (+m.getCenter().lng.toFixed(4)).toFixed(4); })); }"""
    )
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 120, y, steps=6)
    page.mouse.up()
    lon = frame.wait_for_function("() => window.garrisonDragEnd").json_value()
    moved = frame.evaluate(CENTER_JS)
    expect(page).to_have_url(re.compile(rf"[?&]lon={re.escape(lon)}(&|$)"))
    assert moved[1] > 35.9 + 0.2, moved
    garrison.settle()
    page.set_viewport_size({"width": 1400 - 41, "height": 1000})
    frame.wait_for_function("(w) => window.map.getSize().x !== w", arg=width, timeout=10_000)
    garrison.settle()
    lat, lon, zoom = frame.evaluate(CENTER_JS)
    assert zoom == 9 and abs(lat - moved[0]) < 1e-6 and abs(lon - moved[1]) < 1e-6, (moved, lat, lon)
    expect(page).not_to_have_url(re.compile(r"[?&]lon=35\.9000(&|$)"))
    garrison.expect_no_exception()


def test_an_installation_can_be_selected_with_the_keyboard(garrison, page, data_for):
    data = data_for("bundled")
    rec = data.record("khmeimim")
    garrison.open(f"lat={rec.lat}&lon={rec.lon}&zoom=9")
    marker = garrison.marker("khmeimim")
    marker.focus()
    # focus shows its tooltip (the markers are painted on a canvas: the tooltip says which one it is)
    expect(garrison.map.locator(".leaflet-tooltip strong")).to_have_text(rec.name)
    # must not: focus alone selects it
    expect(page.locator(".garrison-details")).to_have_count(0)
    marker.press("Enter")
    expect(marker).to_have_class(has_class("garrison-selected"))
    expect(garrison.details.locator("h3")).to_have_text(rec.name)
    expect(page).to_have_url(re.compile(r"[?&]select=khmeimim(&|$)"))
    garrison.expect_no_exception()
