"""The history strip and the operator chart as a reader sees them, on a wide screen and a phone.

Streamlit renders the charts with Vega; the app asks for its SVG renderer (panels.SVG), so each
label is an SVG <text> whose box the page measures. Expected labels and legend entries come from
the data (never hard-coded).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
DATE = "2024-12-10"

#: every non-empty SVG text of a chart: its text, role (axis/mark/legend label) and box in the page
TEXT_BOXES_JS = """(root) => [...root.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
  const r = t.getBoundingClientRect(), g = t.closest('g[class*="role-"]');
  return {text: t.textContent, role: g ? g.getAttribute('class') : '', x: r.left, y: r.top, right: r.right, bottom: r.bottom};
})"""


def _overlaps(boxes: list[dict], slack: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than `slack` px both ways."""
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a["right"], b["right"]) - max(a["x"], b["x"]) > slack and min(a["bottom"], b["bottom"]) - max(a["y"], b["y"]) > slack:
                out.append((a["text"], b["text"]))
    return out


def _crowded(ds) -> str:
    """The installation with the most periods under 60 days long (Dec 2024 in Syria), then the most periods."""
    def short(rec) -> int:
        return sum(1 for h in ds.history(rec.id) if h["end"] and (dt.date.fromisoformat(h["end"]) - dt.date.fromisoformat(h["start"])).days < 60)
    return max(ds.records, key=lambda r: (short(r), len(r.history))).id


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_the_history_strips_labels_never_overlap(garrison, page, data_for, screenshot, viewport):
    ds = data_for("bundled").ds
    page.set_viewport_size(VIEWPORTS[viewport])
    crowded = _crowded(ds)
    longest = min(ds.records, key=lambda r: r.history[0].start.day).id  # the widest span (1939 -> now)
    for inst in dict.fromkeys([crowded, "tartus", longest]):
        garrison.open(f"select={inst}&date={DATE}", date=DATE)
        strip = page.get_by_test_id("stVegaLiteChart").first
        operators = list(dict.fromkeys(ds.actors[h["operator"]].short for h in ds.history(inst)))
        expect(strip.locator(".role-legend-label text")).to_have_text(operators)
        expect(strip.locator(".role-mark.layer_0_marks path")).to_have_count(len(ds.history(inst)))  # a bar per period
        strip.scroll_into_view_if_needed()
        boxes = strip.evaluate(TEXT_BOXES_JS)
        labels = [b for b in boxes if "layer_1_marks" in b["role"]]
        statuses = {h["status"] for h in ds.history(inst)}
        assert labels, (inst, boxes)  # some bars are wide enough to be labelled
        assert all(b["text"].split(" · ")[-1] in statuses for b in labels), labels
        screenshot(page, f"strip-{inst}-{viewport}", full_page=True)
        # must not: two texts of the strip (bar labels, axis, legend) drawn over each other
        assert not _overlaps(boxes), (inst, viewport, _overlaps(boxes))
    garrison.expect_no_exception()


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_the_operator_charts_legend_is_whole_and_inside_the_chart(garrison, page, data_for, screenshot, viewport):
    from garrison.dates import to_day
    from garrison.ui import panels

    ds = data_for("bundled").ds
    first, last = ds.span()
    start = panels.recent_window(ds.periods.change_days(), first, last)
    counts = ds.periods.counts_by_operator(panels.sample_days(ds.periods.change_days(), to_day(start), to_day(last)))
    present = {ds.actors[o].short for o in counts.loc[counts["count"] > 0, "operator"]}
    page.set_viewport_size(VIEWPORTS[viewport])
    garrison.open(f"date={DATE}", date=DATE)
    chart = page.get_by_test_id("stVegaLiteChart").last
    labels = chart.locator(".role-legend-label text")
    expect(labels).to_have_count(len(present))
    chart.scroll_into_view_if_needed()
    assert set(labels.all_text_contents()) == present
    # the axis starts at the window, not 1939 (Vega labels every year or every other one, by the width)
    expect(chart.locator(".role-axis-label text").first).to_have_text(re.compile(rf"^({start.year}|{start.year + 1})$"))
    expect(chart.locator(".role-mark.layer_1_marks line, .role-mark.layer_1_marks path")).to_have_count(1)  # the date
    box = chart.bounding_box()
    width = page.evaluate("() => document.documentElement.clientWidth")
    boxes = chart.evaluate(TEXT_BOXES_JS)
    legend = [b for b in boxes if "role-legend-label" in b["role"]]
    screenshot(page, f"operators-{viewport}", full_page=True)
    # must not: a legend entry cut off -- outside the chart's box or the screen, or shortened by Vega
    outside = [b["text"] for b in legend if b["x"] < box["x"] - 0.5 or b["right"] > min(box["x"] + box["width"], width) + 0.5
               or b["bottom"] > box["y"] + box["height"] + 0.5]
    assert not outside, (viewport, outside, box)
    assert not [b["text"] for b in legend if b["text"].endswith("…")]
    assert not _overlaps(boxes), _overlaps(boxes)
    garrison.expect_no_exception()
