"""The event feed and the search box in a real browser: a feed item moves the map's own Date slider
and selects; Enter in the search box opens the best match."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from garrison.dates import to_day
from garrison.feed import feed_items

pytestmark = pytest.mark.browser


def has_class(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_a_feed_item_moves_the_maps_slider_and_selects(garrison, page, data_for, screenshot):
    data = data_for("bundled")
    date = "2024-12-20"
    garrison.open(f"date={date}", date=date)
    # the item to click: the first one before the map's date on another day (read from the data)
    item = next(i for i in feed_items(data.ds, to_day(date)) if not i.later and i.iso != date)
    rec = data.record(item.change.inst_id)
    button = page.get_by_role("button", name=f"{item.change.date} · {rec.name}", exact=True)
    expect(button).to_be_visible()
    expect(page.locator(".garrison-details")).to_have_count(0)

    button.click()
    garrison.settle()
    garrison.expect_date(item.iso)  # the map's slider (aria-valuetext), its big date and its state
    expect(garrison.marker(rec.id)).to_have_class(has_class("garrison-selected"))
    expect(garrison.details.locator("h3")).to_have_text(rec.name)
    expect(page).to_have_url(re.compile(rf"[?&]date={item.iso}(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]select={re.escape(rec.id)}(&|$)"))
    screenshot(page, "feed-item-opened")
    # must not: another installation selected as well
    expect(garrison.root.locator(".leaflet-marker-icon.garrison-selected")).to_have_count(1)
    garrison.expect_no_exception()


def test_enter_in_the_search_box_opens_the_best_match(garrison, page, data_for):
    data = data_for("bundled")
    garrison.open()
    box = page.get_by_role("textbox", name="Search names (any language)")
    box.fill("Тартус")
    box.press("Enter")
    garrison.settle()
    rec = data.record("tartus")
    expect(garrison.details.locator("h3")).to_have_text(rec.name)
    expect(garrison.marker("tartus")).to_have_class(has_class("garrison-selected"))
    expect(page).to_have_url(re.compile(r"[?&]select=tartus(&|$)"))
    # must not: the "no installation matches" warning for a search that found it
    expect(page.get_by_text("No installation matches this search.")).to_have_count(0)

    box.fill("Atlantis")
    box.press("Enter")
    garrison.settle()
    # nothing found: said above the map (and in the sidebar), not a silently empty map
    expect(page.get_by_text("No installation matches this search.")).to_have_count(2)
    garrison.expect_no_exception()
