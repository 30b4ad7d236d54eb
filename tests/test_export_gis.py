"""Every CSV export read back by the clients analysts use: GDAL (through pyogrio) and pandas.

GDAL builds points from the `lon`/`lat` columns only when they hold numbers; a text cell (such as a
formula guard's `'-7.9`) makes it drop the point without a word.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from kml_tree import placemarks
from paths import BUNDLED, FIXTURES, GOOD

from garrison.export import history_csv, state_csv, to_kml
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


@pytest.fixture
def data(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    (dest / "installations" / "site-sw.yaml").write_text(SOUTH_WEST)
    return dest


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
    for name, text in {"history": to_kml(ds), "state": to_kml(ds, "2024-12-08")}.items():
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
