"""500 steps through time leave the page's DOM the size it was: nothing accumulates per rerun.

streamlit-folium's component library appended a theme <style> to the map's frame on every rerun
(two nodes a step, and a restyle of the whole map for each); the map's script now keeps the newest.
Each step is a key press on the Date slider, waited for on the app's own state (the big date, the
slider's value and the map's ``data-garrison-date`` all show the new day) -- no fixed sleeps.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STEPS = 500
COUNT = """() => ({page: document.getElementsByTagName("*").length,
  map: document.querySelector(".leaflet-container").getElementsByTagName("*").length,
  styles: document.head.querySelectorAll("style").length})"""


def idle(garrison) -> None:
    """Wait for the app's own state: no script run going on (a count mid-run would see stale elements)."""
    expect(garrison.page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


def test_500_steps_leave_the_dom_flat(garrison):
    start = dt.date(2016, 1, 1)
    garrison.open(f"date={start}", date=start.isoformat())
    garrison.slider.focus()
    day = start
    for _ in range(5):  # warm-up: whatever a first step adds once (tooltips, caches) is not growth
        day += dt.timedelta(days=1)
        garrison.slider.press("ArrowRight")
        garrison.expect_date(day.isoformat())
    idle(garrison)
    before = garrison.page.evaluate(COUNT)
    for _ in range(STEPS):
        day += dt.timedelta(days=1)
        garrison.slider.press("ArrowRight")
        garrison.expect_date(day.isoformat())
    idle(garrison)
    after = garrison.page.evaluate(COUNT)
    # must not: the page or the map grow with the number of steps
    assert after["styles"] == before["styles"], (before, after)
    assert after["map"] - before["map"] < 20 and after["page"] - before["page"] < 20, (before, after)
    garrison.expect_no_exception()
