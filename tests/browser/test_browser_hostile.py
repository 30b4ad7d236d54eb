"""Hostile strings in the data (tests/fixtures/hostile/) are shown as text, never run or parsed as HTML.

Every installation is selected by clicking its marker and hovered for its tooltip; the legend and the
layer control are opened, a supply route is hovered, the compare table is shown. Then: window.__pwned is undefined in the page and in every iframe, each
payload is visible literally in the details panel and the tooltip, and no element was created from a
payload (no svg[onload], img[onerror], [onmouseover] anywhere).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from garrison import vocab

pytestmark = pytest.mark.browser
on_hostile_data = pytest.mark.parametrize("app_server", ["hostile"], indirect=True)

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SVG = "\"'><svg onload=window.__pwned=1>"
TEMPLATE = "`${window.__pwned=1}`"
EVIL_URL = 'https://example.org/"onmouseover="window.__pwned=1'
PAYLOADS = (SCRIPT, IMG, SVG, TEMPLATE)

PROBE = """() => ({
    pwned: typeof window.__pwned,
    created: document.querySelectorAll('svg[onload], img[onerror], [onmouseover]').length,
})"""


def assert_not_pwned(page) -> None:
    checked = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        result = frame.evaluate(PROBE)
        assert result == {"pwned": "undefined", "created": 0}, (frame.url, result)
        checked.append(frame.url)
    assert page.locator(".leaflet-container").count() == 1, "the map (in the page itself) was not there to check"


def test_the_fixture_is_hostile_and_valid(data_for):
    """Guard: the fixture still loads without problems and still carries every payload."""
    data = data_for("hostile")
    assert data.ds.problems == [] and len(data.ds.records) == 4
    text = " ".join(
        [r.name for r in data.ds.records] + [n for r in data.ds.records for n in r.names.values()]
        + [a.name for a in data.ds.actors.values()] + [a.short for a in data.ds.actors.values()]
        + [s.title for s in data.ds.sources.values()] + [s.publisher for s in data.ds.sources.values()]
        + [h["note"] or "" for r in data.ds.records for h in data.ds.history(r.id)])
    for payload in PAYLOADS:
        assert payload in text
    assert any(s.url == EVIL_URL for s in data.ds.sources.values())
    assert [r.name for r in data.ds.routes] and SCRIPT in data.ds.routes[0].name


@on_hostile_data
def test_hostile_strings_stay_text(garrison, page, data_for):
    data = data_for("hostile")
    ds = data.ds
    _, last = ds.span()
    garrison.open()
    assert_not_pwned(page)

    # the legend (open on a wide map) and the layer control (opens on hover)
    legend = garrison.map.locator(".garrison-legend")
    legend.hover()
    expect(legend).to_be_visible()
    # the legend lists the operators painted in view at the date (legend.js): the hostile names among them
    now = ds.state_at(garrison.box.get_attribute("data-garrison-date"))
    painted = {op for op, st in zip(now["operator"], now["status"], strict=True) if vocab.STATUS_LOOKS[st]["colour"] == "operator"}
    assert painted
    for actor in painted:
        expect(legend).to_contain_text(ds.actors[actor].short)
    garrison.map.locator(".garrison-legend-summary").click()  # folded, so the markers below it can be hovered
    expect(legend).to_be_hidden()
    garrison.map.locator(".leaflet-control-layers").hover()
    expect(garrison.map.locator(".leaflet-control-layers-expanded")).to_be_visible()

    # the sidebar's operator picker lists the actors' short names
    picker = page.get_by_role("combobox", name="Operator", exact=True)
    picker.click()
    for actor in ds.actors.values():
        expect(page.get_by_role("option", name=actor.short, exact=True)).to_be_visible()
    picker.press("Escape")
    assert_not_pwned(page)

    for rec in ds.records:
        state = data.state(rec.id, last.isoformat())
        marker = garrison.marker(rec.id)
        marker.hover()
        tip = garrison.map.locator(".leaflet-tooltip").filter(has=garrison.map.locator("strong", has_text=rec.name))
        expect(tip).to_be_visible()
        expect(tip.locator("strong")).to_have_text(rec.name)
        expect(tip).to_contain_text(ds.actors[state["operator"]].short)

        marker.click()
        expect(marker).to_have_class(re.compile(r"(^|\s)garrison-selected(\s|$)"))
        heading = garrison.details.locator("h3")
        expect(heading).to_have_text(rec.name)
        expect(heading).to_be_visible()
        for name in rec.names.values():
            expect(garrison.details).to_contain_text(name)
        periods = page.locator(".garrison-period")
        history = ds.history(rec.id)
        expect(periods).to_have_count(len(history))
        for k, h in enumerate(history):
            period = periods.nth(k)
            expect(period).to_contain_text(ds.actors[h["operator"]].name)
            if h["territory"]:
                expect(period).to_contain_text(ds.actors[h["territory"]].name)
            if h["note"]:
                expect(period).to_contain_text(h["note"])
            for j, sid in enumerate(h["sources"]):
                src, item = ds.sources[sid], period.locator("li").nth(j)
                expect(item).to_contain_text(src.title)
                expect(item).to_contain_text(src.publisher)
                link = item.locator("a")
                expect(link).to_have_attribute("href", src.url)  # one attribute, not broken out of
                expect(link).to_have_attribute("rel", "noopener noreferrer")
                link.hover()  # would fire an injected onmouseover
        assert_not_pwned(page)

    # The literal payloads are on screen as text: in the details panel and in a tooltip.
    garrison.marker("evil-script").hover()
    tip = garrison.map.locator(".leaflet-tooltip").filter(has=garrison.map.locator("strong", has_text=SCRIPT))
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(SCRIPT)
    expect(tip).to_contain_text(IMG)  # its operator at the last date is evil-img ("<img ...>")
    garrison.marker("evil-script").click()
    expect(garrison.details.locator("h3")).to_have_text(SCRIPT)
    for payload in PAYLOADS:
        expect(page.locator(".garrison-details, .garrison-period").filter(has_text=payload).first).to_be_visible()
    expect(garrison.details.get_by_text(SCRIPT, exact=True).first).to_be_visible()

    # A supply route named with payloads: its tooltip shows the name as text.
    route = data.ds.routes[0]
    garrison.map.locator(f".garrison-route-{route.id}").first.hover()
    tip = garrison.map.locator(".leaflet-tooltip").filter(has_text=SCRIPT).last
    expect(tip).to_be_visible()
    expect(tip).to_have_text(route.name)
    assert_not_pwned(page)

    # Compare the last date with the first (a link with both): the table of changes lists
    # payload-named installations.
    first, _ = ds.span()
    garrison.open(f"date={last.isoformat()}&compare={first.isoformat()}", date=last.isoformat())
    expect(page.get_by_test_id("stTable")).to_have_count(1)
    cell = page.get_by_test_id("stTable").locator("td").filter(has_text=SCRIPT).first
    expect(cell).to_be_visible()  # the table's cells (Markdown, escaped) hold the text as text
    expect(garrison.map.locator(".garrison-inst.garrison-changed").first).to_be_attached()
    garrison.settle()
    assert_not_pwned(page)

    # must not: any element created from a payload, in the page or any iframe; nothing ran.
    for where in (page, garrison.map):
        expect(where.locator("svg[onload]")).to_have_count(0)
        expect(where.locator("img[onerror]")).to_have_count(0)
        expect(where.locator("[onmouseover]")).to_have_count(0)
    assert_not_pwned(page)
    garrison.expect_no_exception()
