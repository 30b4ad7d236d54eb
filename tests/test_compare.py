"""Compare that helps (garrison.compare): before → after per aspect, kinds counted, filters followed, CSV safe."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst
from paths import BUNDLED, GOOD

import garrison
from garrison.compare import CSV_COLUMNS, compare_changes, compare_csv, count_kinds, heading_counts, table_rows
from garrison.dataset import Dataset
from garrison.render.mapstate import masks_for


@pytest.fixture(scope="module")
def good() -> Dataset:
    return garrison.Loader(GOOD).load()


def _rows(ds, d1, d2, **filters):
    return {r["Installation"]: r for r in table_rows(compare_changes(ds, d1, d2, *masks_for(ds, filters)))}


def test_each_aspect_before_and_after_with_names_not_ids(good):
    rows = _rows(good, "2020-01-01", "2024-12-10")
    assert list(rows) == ["Base B", "Port A", "Site C"]  # the data's order (ds.compare's)
    assert rows["Port A"] == {"Installation": "Port A", "What changed": "changed status, changed territory",
                              "Operator": "Red", "Status": "active → blockaded", "Territory": "Blue → Green",
                              "Since": "2024-12-08"}
    assert rows["Site C"]["What changed"] == "appeared" and rows["Site C"]["Operator"] == "— → Red PMC"
    assert rows["Site C"]["Since"] == "2020-05-26"
    # must not: an actor id where a name belongs
    assert not {"red", "red-pmc", "blue", "green"} & {v for r in rows.values() for v in r.values()}


def test_an_end_is_dated_at_the_datas_precision(good):
    (row,) = _rows(good, "2025-05-01", "2025-06-15").values()
    assert row["Installation"] == "Base B" and row["What changed"] == "record ended"
    assert row["Operator"] == "Red → —" and row["Since"] == "2025-06-01"
    (later,) = _rows(good, "2025-06-15", "2025-07-02").values()
    assert later["What changed"] == "appeared" and later["Operator"] == "— → Green" and later["Since"] == "2025-07-01"


def test_the_heading_counts_each_kind_of_change(good):
    changes = compare_changes(good, "2020-01-01", "2024-12-10")
    assert count_kinds(changes) == [("changed status", 2), ("changed territory", 2), ("appeared", 1)]
    assert heading_counts(changes) == "2 changed status, 2 changed territory, 1 appeared"
    assert heading_counts([]) == "nothing changed"
    # the order of the dates does not matter: before is the earlier one
    assert compare_changes(good, "2024-12-10", "2020-01-01") == changes


def test_the_filters_are_the_maps(good):
    # operator Green: Base B went Red -> Green, so it is kept (Green after); Port A stays Red: dropped
    assert list(_rows(good, "2025-01-01", "2025-07-02", op=["green"])) == ["Base B"]
    assert list(_rows(good, "2020-01-01", "2024-12-10", country=["LY"])) == ["Site C"]
    assert list(_rows(good, "2020-01-01", "2024-12-10", status=["blockaded"])) == ["Port A"]
    # must not: a change whose periods the filter keeps neither before nor after
    assert "Port A" not in _rows(good, "2020-01-01", "2024-12-10", op=["blue"])


def test_the_csv_has_before_and_after_columns_and_defuses_formulas(good):
    recs = list(good.records)
    i = good.index["site-c"]
    recs[i] = dataclasses.replace(recs[i], name="=HYPERLINK(\"http://evil.example\")")
    mem = Dataset(recs, dict(good.actors), dict(good.sources), [], "mem", "v-compare")
    rows = list(csv.DictReader(io.StringIO(compare_csv(mem, compare_changes(mem, "2020-01-01", "2024-12-10")))))
    assert list(rows[0]) == CSV_COLUMNS
    port = next(r for r in rows if r["id"] == "port-a")
    assert (port["status_before"], port["status_after"], port["territory_before"], port["territory_after"]) == \
           ("active", "blockaded", "Blue Forces", "Green Opposition")
    assert port["sources"] == "s1;s2" and port["since"] == "2024-12-08"
    # must not: a cell a spreadsheet would run
    site = next(r for r in rows if r["id"] == "site-c")
    assert site["installation"].startswith("'=")


@pytest.fixture(scope="module")
def bundled() -> Dataset:
    return garrison.Loader(BUNDLED).load()


_dates = hst.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 12, 1))


@settings(max_examples=40, deadline=None)
@given(_dates, _dates)
def test_the_table_is_the_datasets_compare(bundled, d1, d2):
    ds = bundled
    changes = compare_changes(ds, d1, d2)
    assert [c.inst_id for c in changes] == [c["id"] for c in ds.compare(*sorted([d1, d2]))]
    assert sum(n for _, n in count_kinds(changes)) >= len(changes)
    assert all(c.kinds for c in changes)
