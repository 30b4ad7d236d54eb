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
from paths import GOOD

from garrison.export import history_csv, state_csv
from garrison.loader import load

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

