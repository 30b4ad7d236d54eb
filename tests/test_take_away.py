"""The page's downloads and pictures, server side: the map's filters as one keep-mask over period
rows (render/mapstate.py `kept_rows`), the exports and `garrison export` filtered by it, and the
publishers the payload carries for the pictures' line of sources."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from paths import BUNDLED

from garrison import Loader, cli, export
from garrison.dates import to_day
from garrison.render.mapstate import kept_rows, masks_for, shown_at
from garrison.render.payload import build_payload, period_publishers
from garrison.ui.downloads import file_name
from garrison.ui.search import search_ids

FILTERS = [{"op": ["ru"]}, {"kind": ["naval_base", "air_base"]}, {"status": ["blockaded", "withdrawing"]},
           {"country": ["SY"], "op": ["tr"]}]


@pytest.fixture(scope="module")
def ds():
    return Loader(BUNDLED).load()


@pytest.mark.parametrize("filters", FILTERS)
def test_kept_rows_holding_on_a_day_are_what_the_map_shows(ds, filters):
    inst, period = masks_for(ds, filters)
    keep = kept_rows(ds, inst, period)
    pt = ds.periods
    for day in [int(d) for d in pt.change_days()[::7]]:
        snap = pt.state_at(day)
        assert sorted(snap.inst[keep[snap.period]].tolist()) == sorted(shown_at(ds, inst, period, day).tolist())


def test_no_filter_keeps_everything(ds):
    assert kept_rows(ds, *masks_for(ds, {})) is None
    assert export.export_text(ds, "csv", "2024-12-20", None) == export.export_text(ds, "csv", "2024-12-20", np.ones(len(ds.periods), bool))


@pytest.mark.parametrize("filters", FILTERS)
def test_filtered_exports_hold_exactly_the_kept_periods(ds, filters):
    inst, period = masks_for(ds, filters)
    keep = kept_rows(ds, inst, period)
    day = "2024-12-20"
    shown = {ds.records[i].id for i in shown_at(ds, inst, period, to_day(day))}
    feats = json.loads(export.export_text(ds, "geojson", day, keep))["features"]
    assert {f["id"] for f in feats} == shown
    rows = list(csv.DictReader(io.StringIO(export.export_text(ds, "csv", day, keep))))
    assert {r["id"] for r in rows} == shown
    history = json.loads(export.export_text(ds, "geojson", None, keep))["features"]
    assert len(history) == int(keep.sum())
    every = {f["id"] for f in json.loads(export.export_text(ds, "geojson", None))["features"]}
    assert {f["id"] for f in history} < every  # a filter leaves periods out, never makes new ones


def test_cli_export_takes_the_maps_filters(ds, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert cli.main(["export", "--data", str(BUNDLED), "--format", "csv", "--op", "ru", "--kind", "naval_base", "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and {(r["operator"], r["kind"]) for r in rows} == {("ru", "naval_base")}
    assert out.read_text(encoding="utf-8") == export.export_text(ds, "csv", None, kept_rows(ds, *masks_for(ds, {"op": ["ru"], "kind": ["naval_base"]})))
    assert cli.main(["export", "--data", str(BUNDLED), "--format", "geojson", "--date", "2024-12-20", "--search", "Tartus"]) == 0
    ids = {f["id"] for f in json.loads(capsys.readouterr().out)["features"]}
    assert ids and ids <= set(search_ids(ds, "Tartus"))
    # must not: a filter that matches nothing writes the whole history
    assert cli.main(["export", "--data", str(BUNDLED), "--format", "csv", "--op", "no-such-actor", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == 1  # the header alone


def test_payload_names_each_periods_publishers(ds):
    names, offsets, flat = period_publishers(ds)
    assert len(offsets) == len(ds.periods) + 1
    for row in range(0, len(ds.periods), 5):
        got = [names[k] for k in flat[offsets[row]:offsets[row + 1]]]
        assert got == list(dict.fromkeys(ds.sources[s].publisher for s in ds.periods.sources[row] if s in ds.sources))
    header, columns = build_payload(ds, [])
    assert header["publishers"] == names and columns["pub"].tolist() == flat.tolist()


def test_download_names_say_date_and_filter():
    import datetime as dt
    assert file_name("kml", dt.date(2024, 12, 8), False) == "garrison-2024-12-08.kml"
    assert file_name("geojson", None, True) == "garrison-history-filtered.geojson"
