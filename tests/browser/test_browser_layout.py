"""The map is the page: its size on a wide screen and a phone, the title and date drawn on the map,
labels that never collide, dark theme, a tap on a phone.

Geometry is checked where a person would look (boxes of what is drawn); every expected state comes
from the data or the page, never from the test. Each test checks one thing that must NOT happen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

#: every label drawn on the map (the basemap's places and countries, the installations'), as boxes
LABEL_BOXES_JS = """() => [...document.querySelectorAll('.gbm-place-text, .gbm-country, .garrison-inst-label')]
  .map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent, box: [r.left, r.top, r.right, r.bottom]}; })
  .filter(l => l.box[2] > l.box[0] && l.box[3] > l.box[1])"""


def overlapping(labels: list[dict]) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes overlap (by more than a sub-pixel rounding)."""
    out = []
    for k, a in enumerate(labels):
        for b in labels[k + 1:]:
            (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = a["box"], b["box"]
            if min(ax1, bx1) - max(ax0, bx0) > 0.5 and min(ay1, by1) - max(ay0, by0) > 0.5:
                out.append((a["text"], b["text"]))
    return out


def show_view(page, lat: float, lon: float, zoom: int) -> None:
    """Move the map and wait until its labels were placed for that view."""
    page.evaluate("""([lat, lon, zoom]) => new Promise((done) => {
        window.map.once('moveend', () => requestAnimationFrame(() => done()));
        window.map.setView([lat, lon], zoom, {animate: false});
    })""", [lat, lon, zoom])


def luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+(?:\.\d+)?", rgb)[:3])
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_map_fills_a_wide_screen_and_shows_its_date(garrison, page, screenshot):
    page.set_viewport_size({"width": 1440, "height": 900})
    garrison.open()
    box = garrison.box.bounding_box()
    assert box["height"] >= 0.7 * 900, f"the map is {box['height']} px high in a 900 px window"
    slider = garrison.slider.bounding_box()
    assert slider["y"] + slider["height"] <= 900, "the timeline under the map is in the first screen too"
    title = garrison.root.get_by_test_id("garrison-map-title")
    expect(title).to_contain_text("Garrison")
    on_map = garrison.root.get_by_test_id("garrison-map-date")
    expect(on_map).to_have_text(garrison.slider.get_attribute("aria-valuetext"))
    # a step of the slider: the date on the map follows it, in the browser
    before = garrison.slider.get_attribute("aria-valuetext")
    garrison.slider.focus()
    page.keyboard.press("ArrowLeft")
    expect(garrison.slider).not_to_have_attribute("aria-valuetext", before)
    expect(on_map).to_have_text(garrison.slider.get_attribute("aria-valuetext"))
    garrison.settle()
    expect(on_map).to_have_text(garrison.slider.get_attribute("aria-valuetext"))
    # the title is inside the map (a screenshot of the map keeps it), the attribution stays
    title_box = title.bounding_box()
    assert box["x"] <= title_box["x"] and title_box["y"] + title_box["height"] <= box["y"] + box["height"]
    expect(garrison.root.locator(".leaflet-control-attribution")).to_be_visible()
    screenshot(page, "wide-1440x900")
    # must not: the map's lower edge below the window (the whole map is seen without scrolling)
    assert box["y"] + box["height"] <= 900, f"the map ends at {box['y'] + box['height']} px in a 900 px window"


@pytest.mark.parametrize("zoom", [3, 6, 9])
def test_no_two_labels_overlap(garrison, page, screenshot, zoom):
    garrison.open("select=tartus")
    show_view(page, 34.9, 35.9, zoom)  # the Syrian coast: bases, towns and country names together
    labels = page.evaluate(LABEL_BOXES_JS)
    assert labels, "no label is drawn on the map"
    installations = page.locator(".garrison-inst-label")
    if zoom >= 7:
        expect(installations.first).to_be_visible()  # installation names from zoom 7
    else:
        expect(installations).to_have_count(0)
    screenshot(page, f"labels-zoom-{zoom}")
    # must not: two labels covering each other
    assert overlapping(labels) == []


def test_the_syrian_coast_names_its_towns_at_zoom_7(garrison, page, screenshot):
    """Latakia and Tartus (GeoNames' towns in the basemap's places) are named at a regional zoom."""
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    garrison.open("lat=35.2000&lon=36.0000&zoom=7")
    for town in ("Latakia", "Tartus"):
        expect(page.locator(".gbm-place-text", has_text=re.compile(f"^{town}$"))).to_be_visible()
    # the towns' source is credited on the map (and so on its pictures, which draw this line)
    expect(garrison.root.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth, GeoNames")
    labels = page.evaluate(LABEL_BOXES_JS)
    screenshot(page, "syrian-coast-zoom-7")
    assert any(u.endswith("/basemap/places.json.gz") for u in fetched), "the places came from elsewhere"
    # must not: two labels covering each other, or the plain places.json fetched next to its gzipped copy
    assert overlapping(labels) == []
    assert not [u for u in fetched if u.endswith("/basemap/places.json")]


def test_towns_that_arrive_late_do_not_cover_the_installation_labels(garrison, page):
    """The basemap's towns (a larger file now) may arrive after the installations' labels were
    placed: those are placed again around the towns."""
    held = []
    page.route("**/basemap/places.json.gz", lambda route: held.append(route))  # the towns wait until released below
    garrison.open("lat=34.9000&lon=35.9000&zoom=9")
    expect(page.locator(".garrison-inst-label").first).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.gbm-country').length > 0")  # countries came
    assert held and page.locator(".gbm-place-text").count() == 0
    before = page.locator(".garrison-inst-label").count()
    held[0].continue_()
    expect(page.locator(".gbm-place-text", has_text=re.compile("^Tartus$"))).to_be_visible()
    labels = page.evaluate(LABEL_BOXES_JS)
    assert before and page.locator(".garrison-inst-label").count()
    # must not: a town's name over an installation's label (or any two labels over each other)
    assert overlapping(labels) == []


def test_installation_labels_follow_the_date_not_every_frame(garrison, page, data_for):
    data = data_for("bundled")
    garrison.open("lat=34.9000&lon=35.9000&zoom=9")
    labelled = set(page.locator(".garrison-inst-label").evaluate_all("els => els.map(e => e.dataset.garrisonLabel)"))
    assert labelled, "no installation label at zoom 9 over the Syrian coast"
    first = data.ds.span()[0]
    held = {r.id for r in data.ds.records if data.state(r.id, first.isoformat()) is not None}
    garrison.slider.focus()
    page.keyboard.press("Home")  # the first day of the data: most of today's bases are not there yet
    expect(garrison.box).to_have_attribute("data-garrison-date", first.isoformat())
    page.wait_for_function("n => document.querySelectorAll('.garrison-inst-label').length !== n", arg=len(labelled))
    now = set(page.locator(".garrison-inst-label").evaluate_all("els => els.map(e => e.dataset.garrisonLabel)"))
    # must not: a label for an installation that has no record at the date shown
    assert now <= held, f"labels for installations not on the map at {first}: {sorted(now - held)}"


def test_dark_theme_keeps_the_map_text_readable(garrison, page, screenshot):
    page.emulate_media(color_scheme="dark")
    garrison.open("select=tartus&lat=34.9000&lon=35.9000&zoom=9")
    app_bg = page.get_by_test_id("stApp").evaluate("e => getComputedStyle(e).backgroundColor")
    assert luminance(app_bg) < 0.1, f"Streamlit's dark theme is not on (background {app_bg})"
    title = garrison.root.get_by_test_id("garrison-map-title")
    colours = title.evaluate("e => [getComputedStyle(e.lastChild).color, getComputedStyle(e).backgroundColor]")
    assert contrast(*colours) >= 4.5, f"title/date on the map: {colours}"
    label = page.locator(".garrison-inst-label").first
    expect(label).to_be_visible()
    fg, halo = label.evaluate("e => { const s = getComputedStyle(e); return [s.color, s.textShadow]; }")
    halo_colour = re.match(r"rgba?\([^)]*\)", halo).group(0)
    assert contrast(fg, halo_colour) >= 4.5, f"installation label {fg} on its halo {halo_colour}"
    page_text = garrison.root.evaluate("e => getComputedStyle(e).color")
    assert luminance(page_text) > 0.5, "the page's own text (the timeline) follows the dark theme"
    screenshot(page, "dark-theme")
    # must not: the page's light text colour leaking into the light map (light on light)
    map_text = garrison.box.evaluate("e => getComputedStyle(e).color")
    assert contrast(map_text, "rgb(246, 244, 238)") >= 4.5, f"text in the map is {map_text} on the light land"


def test_phone_shows_the_map_first_and_a_tap_selects(new_page, page_object, app_server, screenshot):
    phone = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    garrison = page_object(phone, app_server)
    garrison.open("lat=34.9000&lon=35.9000&zoom=8")
    box = garrison.box.bounding_box()
    assert 0 <= box["y"] < 844 and box["height"] >= 0.4 * 844, f"the map on a phone: {box}"
    slider = garrison.slider.bounding_box()
    assert slider["y"] >= box["y"] + box["height"], "the timeline folds under the map"
    marker = garrison.marker("tartus")
    marker.tap()
    expect(phone).to_have_url(re.compile(r"[?&]select=tartus(&|$)"))
    garrison.settle()
    expect(garrison.details).to_be_visible()
    screenshot(phone, "phone-390x844")
    # must not: a control row above the map (the map starts below the page's title only)
    above = phone.evaluate("""y => [...document.querySelectorAll('button, input, select, [role=slider]')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.width && r.bottom <= y && !e.closest('[data-testid=stSidebar], header, [data-testid=stHeader], [data-testid=stToolbar]'); })
        .map(e => e.outerHTML.slice(0, 80))""", box["y"])
    assert above == []


def test_the_date_on_the_map_follows_a_drag_with_one_message(garrison, page):
    page.set_viewport_size({"width": 1440, "height": 900})
    garrison.open()
    on_map = garrison.root.get_by_test_id("garrison-map-date")
    seen = []
    page.expose_function("garrisonSawDate", lambda iso: seen.append(iso))
    on_map.evaluate("""e => new MutationObserver(() => window.garrisonSawDate(e.textContent))
        .observe(e, {childList: true, characterData: true, subtree: true})""")
    sent = int(garrison.box.get_attribute("data-garrison-sent") or 0)
    track = garrison.slider.bounding_box()
    y = track["y"] + track["height"] / 2
    page.mouse.move(track["x"] + track["width"] - 4, y)
    page.mouse.down()
    page.mouse.move(track["x"] + track["width"] * 0.6, y, steps=12)
    page.mouse.up()
    expect(on_map).to_have_text(garrison.slider.get_attribute("aria-valuetext"))
    garrison.settle()
    assert len(set(seen)) > 3, f"the map's date did not follow the drag: {seen}"
    # must not: a message to the server (a rerun) per frame of the drag -- one, for the release
    assert int(garrison.box.get_attribute("data-garrison-sent") or 0) - sent == 1
