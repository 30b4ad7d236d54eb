"""Property tests: the vectorised time queries agree with a plain per-installation reference."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.dates import OPEN_END, PartialDate, from_day
from garrison.model import Installation, Period
from garrison.timeline import PeriodTable

ACTORS = ["a", "b", "c"]
BASE = dt.date(2000, 1, 1).toordinal()


def _pd(day: int) -> PartialDate:
    d = from_day(day)
    return PartialDate(d.isoformat(), d, "day")


@st.composite
def installations(draw) -> list[Installation]:
    out = []
    for i in range(draw(st.integers(0, 12))):
        starts = sorted(draw(st.sets(st.integers(10_900, 11_100), min_size=1, max_size=6)))
        periods = []
        for j, s in enumerate(starts):
            nxt = starts[j + 1] if j + 1 < len(starts) else s + 200
            end = draw(st.one_of(st.none(), st.integers(s + 1, nxt))) if draw(st.booleans()) else None
            periods.append(Period(_pd(s), _pd(end) if end is not None else None, draw(st.sampled_from(ACTORS)),
                                  draw(st.sampled_from(["active", "blockaded", "seized"])),
                                  draw(st.sampled_from([None, *ACTORS])), "confirmed", ("s",)))
        out.append(Installation(f"i{i}", f"I{i}", "air_base", "SY", 0.0, 0.0, periods))
    return out


def reference_state(records: list[Installation], day: int) -> dict[int, int]:
    """installation index -> index of its period at `day`: the obvious loop."""
    out = {}
    for i, rec in enumerate(records):
        for j, p in enumerate(rec.history):
            nxt = rec.history[j + 1].start.day if j + 1 < len(rec.history) else OPEN_END
            end = p.end.day if p.end else nxt
            if p.start.day <= day < end:
                out[i] = j
    return out


def _triple(rec: Installation, j: int | None):
    if j is None:
        return None
    p = rec.history[j]
    return (p.operator, p.status, p.territory)


@settings(max_examples=200, deadline=None)
@given(installations(), st.integers(10_850, 11_350))
def test_state_at_matches_reference(records, day):
    table = PeriodTable(records, ACTORS)
    snap = table.state_at(day)
    got = {int(i): int(p) - int(table.offsets[i]) for i, p in zip(snap.inst, snap.period, strict=True)}
    assert got == reference_state(records, day)


@settings(max_examples=100, deadline=None)
@given(installations())
def test_boundary_days(records):
    """On a period's first day it is current; on its end day it is not."""
    table = PeriodTable(records, ACTORS)
    for i, rec in enumerate(records):
        for j, p in enumerate(rec.history):
            for day in (p.start.day - 1, p.start.day, p.start.day + 1):
                snap = table.state_at(day)
                got = dict(zip(snap.inst.tolist(), (snap.period - table.offsets[snap.inst]).tolist(), strict=True))
                assert got.get(i) == reference_state(records, day).get(i)
            if p.end:
                snap = table.state_at(p.end.day)
                assert reference_state(records, p.end.day).get(i) != j
                assert dict(zip(snap.inst.tolist(), (snap.period - table.offsets[snap.inst]).tolist(), strict=True)).get(i) != j


@settings(max_examples=150, deadline=None)
@given(installations(), st.integers(10_850, 11_350), st.integers(0, 300))
def test_events_and_compare_match_reference(records, d1, span):
    d2 = d1 + span
    table = PeriodTable(records, ACTORS)
    ev = table.events_between(d1, d2)
    # every event is a real day-to-day difference of the reference
    expected = []
    for i, rec in enumerate(records):
        for day in range(d1 + 1, d2 + 1):
            b = _triple(rec, reference_state(records, day - 1).get(i))
            a = _triple(rec, reference_state(records, day).get(i))
            if a != b:
                expected.append((day, i))
    assert sorted(zip(ev["day"].tolist(), ev["inst"].tolist(), strict=True)) == sorted(expected)
    assert ev["day"].is_monotonic_increasing
    # compare = net difference between the two dates
    cmp = table.compare(d1, d2)
    net = [i for i, rec in enumerate(records)
           if _triple(rec, reference_state(records, d1).get(i)) != _triple(rec, reference_state(records, d2).get(i))]
    assert cmp["inst"].tolist() == net


@settings(max_examples=80, deadline=None)
@given(installations())
def test_change_days_are_exactly_the_days_something_may_change(records):
    table = PeriodTable(records, ACTORS)
    days = set(table.change_days().tolist())
    expected = {p.start.day for r in records for p in r.history} | {p.end.day for r in records for p in r.history if p.end}
    assert days == expected


@settings(max_examples=100, deadline=None)
@given(installations(), st.integers(10_850, 11_350))
def test_both_state_at_paths_agree(records, day):
    """The grid path (few periods) and the searchsorted path (long histories) give the same answer."""
    grid, sorted_keys = PeriodTable(records, ACTORS), PeriodTable(records, ACTORS, grid_max_periods=0)
    assert sorted_keys._grid is None
    a, b = grid.state_at(day), sorted_keys.state_at(day)
    assert a.inst.tolist() == b.inst.tolist() and a.period.tolist() == b.period.tolist()


def test_numpy_day_numbers_are_accepted():
    import numpy as np

    from garrison.dates import to_day
    assert to_day(np.int64(5)) == 5 and isinstance(to_day(np.int32(7)), int)
