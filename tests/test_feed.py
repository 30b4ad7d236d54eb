"""What changed -- the event feed (garrison.feed): changes around a date, newest first, cited, filtered as the map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from paths import BUNDLED, GOOD

import garrison
from garrison.dataset import Dataset
from garrison.dates import to_day
from garrison.feed import feed_items, publishers, what_changed
from garrison.render.mapstate import masks_for


@pytest.fixture(scope="module")
def good() -> Dataset:
    return garrison.Loader(GOOD).load()


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return garrison.Loader(BUNDLED).load()


def _lines(items) -> list[tuple[str, str, str, bool]]:
    return [(i.change.date, i.change.name, what_changed(i.change), i.later) for i in items]


def test_the_changes_around_a_date_newest_first_with_later_ones_on_top(good):
    items = feed_items(good, to_day("2024-12-10"))
    assert _lines(items) == [
        ("2025-07-01", "Base B", "Appeared: Green, seized", True),
        ("2025-06-01", "Base B", "Record ended: Red, withdrawing (territory Green)", True),
        ("2024-12-08", "Base B", "Status: active → withdrawing · Territory: Blue → Green", False),
        ("2024-12-08", "Port A", "Status: active → blockaded · Territory: Blue → Green", False),
        ("2020-05-26", "Site C", "Appeared: Red PMC, active", False),
        ("2015-09", "Base B", "Appeared: Red, active (territory Blue)", False),
        ("1971", "Port A", "Appeared: Red, active (territory Blue)", False),
    ]
    assert items[0].iso == "2025-07-01" and items[-1].iso == "1971-01-01"  # where a click moves the map
    # every item cited: its sources' publishers
    assert all(i.publishers == ("Example Wire",) for i in items)
    # must not: an item twice, or ids where names belong
    assert len({(i.change.inst_id, i.change.day) for i in items}) == len(items)
    assert not any(a in line for _, _, line, _ in _lines(items) for a in ("red-pmc", "green ", "blue"))


def test_the_window_is_bounded_both_ways(good):
    items = feed_items(good, to_day("2024-12-10"), earlier=2, later=1)
    assert [(i.change.date, i.later) for i in items] == [("2025-06-01", True), ("2024-12-08", False), ("2024-12-08", False)]


def test_the_filters_are_the_maps(good):
    items = feed_items(good, to_day("2024-12-10"), *masks_for(good, {"country": ["LY"]}))
    assert [i.change.name for i in items] == ["Site C"]
    green = feed_items(good, to_day("2024-12-10"), *masks_for(good, {"op": ["green"]}))
    assert [(i.change.name, i.change.date) for i in green] == [("Base B", "2025-07-01")]
    # must not: a change the filter keeps neither side of
    assert not feed_items(good, to_day("2024-12-10"), *masks_for(good, {"op": ["blue"]}))


def test_publishers_once_each_in_order(bundled):
    tartus = bundled.records[bundled.index["tartus"]]
    ids = tuple(s for p in tartus.history for s in p.sources)
    pubs = publishers(bundled, ids)
    assert len(pubs) == len(set(pubs)) and pubs[0] == bundled.sources[ids[0]].publisher
    assert publishers(bundled, ("no-such-source",)) == ()


@settings(max_examples=40, deadline=None)
@given(hst.integers(min_value=to_day("1930-01-01"), max_value=to_day("2027-01-01")))
def test_any_date_gives_a_sorted_cited_window(bundled, day):
    items = feed_items(bundled, day)
    days = [i.change.day for i in items]
    assert days == sorted(days, reverse=True) and 0 < len(items) <= 20
    assert [i.later for i in items] == sorted((i.later for i in items), reverse=True)  # later ones on top
    assert all((i.change.day > day) == i.later for i in items)
    assert all(i.publishers for i in items)  # the bundled data cites every period
