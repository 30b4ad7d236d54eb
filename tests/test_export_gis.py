"""Every export read back by the clients analysts use: GDAL (through pyogrio), pandas and pyarrow.

GDAL builds points from the `lon`/`lat` columns only when they hold numbers; a text cell (such as a
formula guard's `'-7.9`) makes it drop the point without a word. The GeoPackage and GeoParquet
tables are queried by date with the clients' own engines and checked against `Dataset.state_at`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pyogrio
import pytest
from kml_tree import placemarks
from paths import BUNDLED, FIXTURES, GOOD

from garrison.export import (
    DATE_COLUMNS,
    GPKG_LAYER,
    PERIOD_COLUMNS,
    TYPED_COLUMNS,
    history_csv,
    history_features,
    period_table,
    state_csv,
    to_geojson,
    to_gpkg,
    to_kml,
    to_parquet,
)
from garrison.loader import load

HOSTILE = FIXTURES / "hostile"

#: West of Greenwich and south of the equator: the signs the formula guard used to mangle.
SOUTH_WEST = """\
id: site-sw
name: "-Site SW"
kind: air_base
country: SY
lat: -8.8583
lon: -13.2312
history:
  - from: '2020-01'
    operator: red
    status: active
    confidence: reported
    sources: [s1]
    note: "=HYPERLINK(\\"http://x\\")"
"""


#: West of Greenwich, north of the equator; a year `from`, a month `to` (exclusive) and a gap after it.
GAP = """\
id: site-gap
name: Site Gap
kind: radar
country: LY
lat: 12.5
lon: -1.5
history:
  - from: '2016'
    to: '2024-12'
    operator: red
    status: active
    confidence: reported
    sources: [s1]
  - from: '2025-03'
    operator: green
    status: seized
    confidence: reported
    sources: [s2]
"""

#: Days around every boundary of the fixture data: partial starts, a month `to`, a day `to`, gaps.
QUERY_DAYS = ["1970-12-31", "1971-01-01", "2015-12-31", "2016-01-01", "2024-11-30", "2024-12-01", "2024-12-07",
              "2024-12-08", "2025-02-28", "2025-03-01", "2025-05-31", "2025-06-01", "2025-07-01"]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    (dest / "installations" / "site-sw.yaml").write_text(SOUTH_WEST)
    return dest


@pytest.fixture
def gis_data(data: Path) -> Path:
    """`data` plus an installation with partial dates and a gap in its record."""
    (data / "installations" / "site-gap.yaml").write_text(GAP)
    return data


def _exports(data: Path) -> dict[str, str]:
    ds = load(data, strict=True)
    return {"state": state_csv(ds, "2024-12-08"), "history": history_csv(ds)}


def test_csv_exports_keep_numbers_numbers_for_gdal_and_pandas(data: Path, tmp_path: Path):
    for name, text in _exports(data).items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        frame = pd.read_csv(io.StringIO(text))
        assert frame["lon"].dtype.kind == "f" and frame["lat"].dtype.kind == "f", name
        gdf = pyogrio.read_dataframe(path, X_POSSIBLE_NAMES="lon", Y_POSSIBLE_NAMES="lat")
        assert len(gdf) == len(frame) and gdf.geometry.notna().all() and not gdf.geometry.is_empty.any(), name
        sw = gdf[gdf["id"] == "site-sw"]
        assert len(sw) == 1, name
        assert (sw.geometry.x.iloc[0], sw.geometry.y.iloc[0]) == pytest.approx((-13.2312, -8.8583))
        assert frame.loc[frame["id"] == "site-sw", "lon"].iloc[0] == pytest.approx(-13.2312)
        # Must NOT happen: a text cell that starts like a formula reaching a spreadsheet unguarded.
        assert frame.loc[frame["id"] == "site-sw", "name"].iloc[0] == "'-Site SW"
        if "note" in frame:
            assert frame.loc[frame["id"] == "site-sw", "note"].iloc[0].startswith("'=")


def _kml_schema():
    """OGC's KML 2.2 XML Schema, as pykml ships it (with the Atom and xAL schemas it imports)."""
    import pykml
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(Path(pykml.__file__).parent / "schemas" / "ogckml22.xsd")))


@pytest.mark.parametrize("folder", [GOOD, BUNDLED, HOSTILE], ids=["good", "bundled", "hostile"])
def test_every_kml_export_is_valid_ogc_kml_22(folder: Path, tmp_path: Path):
    from fastkml import kml as fkml
    from lxml import etree

    schema, ds = _kml_schema(), load(folder)
    exports = {"history": to_kml(ds), "state": to_kml(ds, "2024-12-08"),
               "history-ar": to_kml(ds, lang="ar"), "state-ru": to_kml(ds, "2024-12-08", lang="ru")}
    for name, text in exports.items():
        path = tmp_path / f"{name}.kml"
        path.write_text(text, encoding="utf-8")
        assert schema.validate(etree.parse(str(path))), f"{folder.name} {name}: {schema.error_log}"
        doc = fkml.KML.parse(path, validate=True)  # fastkml's validating parser refuses what the schema refuses
        assert list(placemarks(doc)), name


def test_kml_time_spans_keep_the_data_precision_and_sources_are_links(data: Path):
    from fastkml import kml as fkml

    ds = load(data, strict=True)
    doc = fkml.KML.from_string(to_kml(ds).encode())
    by_id = {p.id: p for p in placemarks(doc)}
    base_b = by_id["g.base-b.2015-09"]
    assert base_b.times.begin.resolution.value == "gYearMonth" and base_b.times.end.resolution.value == "date"
    assert by_id["g.site-sw.2020-01"].times.end is None  # ongoing
    assert '<a href="' in base_b.description
    # Must NOT happen: a data string reaching the balloon as live HTML.
    assert "<script>" not in to_kml(load(HOSTILE))


def _expected(ds, day: str) -> list[str]:
    """The library's own answer: period ids of the installations with a record on `day`."""
    frame = ds.state_at(day)
    return sorted(f"{i}@{since}" for i, since in zip(frame["id"], frame["since"], strict=True))


def _check_rows(gdf: gpd.GeoDataFrame, ds) -> None:
    """Point geometry on every row, EPSG:4326, signed coordinates and as-written text dates."""
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(ds.periods) and (gdf.geometry.geom_type == "Point").all() and not gdf.geometry.is_empty.any()
    assert sorted(gdf["period_id"]) == sorted(f"{r.id}@{p.start.text}" for r in ds.records for p in r.history)
    by_id = gdf.set_index("period_id")
    sw, gap = by_id.loc["site-sw@2020-01"], by_id.loc["site-gap@2016"]
    assert (sw.geometry.x, sw.geometry.y) == pytest.approx((-13.2312, -8.8583))  # west and south
    assert (gap.geometry.x, gap.geometry.y) == pytest.approx((-1.5, 12.5))
    # The precision written is kept as text; the typed dates are the library's days.
    assert (gap["from_text"], gap["to_text"]) == ("2016", "2024-12")
    assert by_id.loc["base-b@2015-09", "to_text"] == "2024-12-08"  # an implied end: the next `from`
    assert pd.isna(sw["to_text"]) and pd.isna(sw["to_date"]) and pd.isna(sw["last_date"])  # ongoing
    assert [pd.Timestamp(gap[c]).date() for c in DATE_COLUMNS] == [dt.date(2016, 1, 1), dt.date(2024, 12, 1), dt.date(2024, 11, 30)]


def test_gpkg_reads_back_with_gdal_with_typed_dates_and_answers_date_queries(gis_data: Path, tmp_path: Path):
    ds = load(gis_data, strict=True)
    path = tmp_path / "history.gpkg"
    path.write_bytes(to_gpkg(period_table(ds)))
    assert pyogrio.list_layers(path).tolist() == [[GPKG_LAYER, "Point"]]
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:4326" and list(info["fields"]) == PERIOD_COLUMNS
    # OGR's Date type (not DateTime, not String): GDAL reports it as datetime64[D].
    assert {f: t for f, t in zip(info["fields"], info["dtypes"], strict=True) if f in DATE_COLUMNS} == dict.fromkeys(DATE_COLUMNS, "datetime64[D]")
    gdf = pyogrio.read_dataframe(path)
    assert all(gdf[c].dtype.kind == "M" for c in DATE_COLUMNS)
    _check_rows(gdf, ds)
    for day in QUERY_DAYS:
        # Must NOT happen: a GIS query and the app disagreeing on who held what on a day.
        sql = (f"SELECT period_id FROM {GPKG_LAYER} WHERE from_date <= '{day}' "
               f"AND (to_date IS NULL OR to_date > '{day}')")
        by_sql = pyogrio.read_dataframe(path, sql=sql, read_geometry=False)
        assert sorted(by_sql["period_id"]) == _expected(ds, day), day
        where = f"from_date <= '{day}' AND (last_date IS NULL OR last_date >= '{day}')"
        assert sorted(pyogrio.read_dataframe(path, where=where)["period_id"]) == _expected(ds, day), day


def test_geoparquet_reads_back_with_typed_dates_and_answers_date_queries(gis_data: Path, tmp_path: Path):
    ds = load(gis_data, strict=True)
    path = tmp_path / "history.parquet"
    path.write_bytes(to_parquet(period_table(ds)))
    schema = pq.read_schema(path)
    assert schema.names == [*PERIOD_COLUMNS, "geometry"]
    assert all(schema.field(c).type == pa.date32() for c in DATE_COLUMNS)
    assert all(pa.types.is_large_string(schema.field(c).type) for c in PERIOD_COLUMNS
               if c not in DATE_COLUMNS and c not in TYPED_COLUMNS)
    assert schema.field("position_km").type == pa.float64() and schema.field("disputed").type == pa.bool_()
    assert json.loads(schema.metadata[b"geo"])["columns"]["geometry"]["geometry_types"] == ["Point"]
    _check_rows(gpd.read_parquet(path), ds)
    table = pads.dataset(path)
    for day in QUERY_DAYS:
        d = dt.date.fromisoformat(day)
        covers = (pads.field("from_date") <= d) & (pads.field("to_date").is_null() | (pads.field("to_date") > d))
        assert sorted(table.to_table(columns=["period_id"], filter=covers)["period_id"].to_pylist()) == _expected(ds, day), day


def test_period_table_on_a_date_is_the_state_on_that_date(gis_data: Path):
    ds = load(gis_data, strict=True)
    for day in QUERY_DAYS:
        assert sorted(period_table(ds, day)["period_id"]) == _expected(ds, day), day
    assert len(period_table(ds, "1900")) == 0
    empty = pq.read_schema(io.BytesIO(to_parquet(period_table(ds, "1900"))))
    assert all(empty.field(c).type == pa.date32() for c in DATE_COLUMNS)  # typed even with no rows


def test_geojson_history_ids_are_stable_and_open_ends_are_null(gis_data: Path, tmp_path: Path):
    ds = load(gis_data, strict=True)
    text = to_geojson(history_features(ds))
    feats = json.loads(text)["features"]
    ids = [f["id"] for f in feats]
    assert ids == [f"{r.id}@{p.start.text}" for r in ds.records for p in r.history] and len(set(ids)) == len(ids)
    assert "site-gap@2016" in ids and "site-gap@2016-01-01" not in ids  # the data's precision, not a padded date
    ongoing = {f"{r.id}@{r.history[-1].start.text}" for r in ds.records if r.history[-1].end is None}
    for f in feats:
        assert "end" in f["properties"]
        assert (f["properties"]["end"] is None) == (f["id"] in ongoing), f["id"]  # null, not "" and not missing
    path = tmp_path / "history.geojson"
    path.write_text(text, encoding="utf-8")
    gdf = pyogrio.read_dataframe(path)
    assert len(gdf) == len(feats) and gdf.crs.to_epsg() == 4326 and (gdf.geometry.geom_type == "Point").all()
    assert gdf["end"].isna().tolist() == [f["id"] in ongoing for f in feats]
    sw = gdf[gdf["id"] == "site-sw"]
    assert (sw.geometry.x.iloc[0], sw.geometry.y.iloc[0]) == pytest.approx((-13.2312, -8.8583))


def test_exports_in_another_language_translate_names_and_words_not_keys():
    """--lang ru: names from `names` (English where the data has none), the balloons' words from
    the catalogs; ids, codes and CSV headers as in English, so files in every language join."""
    from garrison.i18n import messages

    ds = load(BUNDLED)
    ru = messages("ru")
    named = [r for r in ds.records if "ru" in r.names]
    unnamed = [r for r in ds.records if "ru" not in r.names]
    assert named and unnamed
    en_csv, ru_csv = (pd.read_csv(io.StringIO(history_csv(ds, lang=lang))) for lang in (None, "ru"))
    assert list(en_csv.columns) == list(ru_csv.columns)
    assert en_csv["id"].tolist() == ru_csv["id"].tolist() and en_csv["status"].tolist() == ru_csv["status"].tolist()
    names = dict(zip(ru_csv["id"], ru_csv["name"], strict=False))
    assert names[named[0].id] == named[0].names["ru"] and names[unnamed[0].id] == unnamed[0].name
    actors = dict(zip(ru_csv["operator"], ru_csv["operator_name"], strict=False))
    assert "ru" in ds.actors["ru"].names and actors["ru"] == ds.actors["ru"].names["ru"]
    kml = to_kml(ds, "2024-12-08", lang="ru")
    assert ru.gettext("Garrison at {date}").format(date=ru.date("2024-12-08")) in kml
    assert f"<name>{named[0].names['ru']}</name>" in kml or named[0].names["ru"] in kml
    assert ru.term("status", "blockaded") in kml and ru.gettext("operator: {name}").split(":")[0] in kml
    # must NOT happen: a translated key (ExtendedData names and values stay the data's)
    assert '<Data name="status">' in kml and "<value>blockaded</value>" in kml
