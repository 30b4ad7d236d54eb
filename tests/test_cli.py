"""The CLI contract, run as a real subprocess; outputs read back with geopandas and fastkml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from fastkml import kml as fkml
from kml_tree import placemarks
from paths import BAD, BUNDLED, GOOD, ROOT


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "garrison", *args], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("given", [".", "./", "../data", "{abs}"])
def test_validate_any_spelling_of_the_data_folder(good_copy: Path, given: str):
    # `--data .` is how the pre-commit hooks call it; "./actors.yaml" once missed the loader's "actors.yaml"
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run([sys.executable, "-m", "garrison", "validate", "--data", given.format(abs=good_copy)],
                         capture_output=True, text=True, env=full_env, cwd=good_copy, timeout=120)
    assert res.returncode == 0 and "3 installations loaded; 0 error(s)" in res.stderr, res.stderr[-2000:]


def test_validate_exit_codes(good_copy: Path):
    ok = run("validate", str(good_copy))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "3 installations loaded; 0 error(s)" in ok.stderr
    (good_copy / "installations" / "unknown-operator.yaml").write_bytes((BAD / "unknown-operator.yaml").read_bytes())
    bad = run("validate", "--data", str(good_copy))
    assert bad.returncode == 1
    assert f"{good_copy}/installations/unknown-operator.yaml:10:15: history[0].operator: unknown actor 'purple'" in bad.stdout
    assert run("validate", str(good_copy / "missing")).returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("state").returncode == 2  # --date is required


def test_env_var_selects_the_data_folder():
    res = run("state", "--date", "2024-12-08", env={"GARRISON_DATA": str(GOOD)})
    assert res.returncode == 0
    assert "port-a" in res.stdout and "blockaded" in res.stdout


def test_bad_date_is_a_usage_error():
    res = run("state", "--date", "2024-02-30", "--data", str(GOOD))
    assert res.returncode == 2 and "impossible date" in res.stderr


def test_state_geojson_is_rfc7946_and_reads_back(tmp_path: Path):
    res = run("state", "--date", "2024-12-08", "--format", "geojson", "--data", str(GOOD))
    assert res.returncode == 0, res.stderr
    fc = json.loads(res.stdout)
    assert fc["type"] == "FeatureCollection" and "crs" not in fc
    props = {f["properties"]["id"]: f for f in fc["features"]}
    port = props["port-a"]
    assert port["geometry"] == {"type": "Point", "coordinates": [35.87, 34.9]}  # lon, lat
    assert set(port["properties"]) == {"id", "name", "kind", "country", "operator", "operator_name", "status", "territory",
                                       "territory_name", "confidence", "since", "sources", "checked", "position", "position_km"}
    assert (port["properties"]["checked"], port["properties"]["position"], port["properties"]["position_km"]) == ("2026-11-20", "exact", None)
    assert port["properties"]["sources"] == ["s1", "s2"] and port["properties"]["territory_name"] == "Green Opposition"
    out = tmp_path / "state.geojson"
    out.write_text(res.stdout)
    gdf = gpd.read_file(out)
    assert sorted(gdf["id"]) == ["base-b", "port-a", "site-c"]
    assert gdf.set_index("id").loc["site-c"].geometry.x == 16.0


def test_state_csv_and_table():
    csv = run("state", "--date", "2024-12-08", "--format", "csv", "--data", str(GOOD)).stdout.splitlines()
    assert csv[0].startswith("id,name,kind,country,lat,lon,operator")
    assert any(line.startswith("port-a,Port A,naval_base,SY,34.9,35.87,red,") and "s1;s2" in line for line in csv)
    table = run("state", "--date", "1980-01-01", "--data", str(GOOD)).stdout
    assert "1 installations" in table and "port-a" in table and "base-b" not in table


def test_changes_json_contract():
    res = run("changes", "--from", "2024-01-01", "--to", "2025-12-31", "--format", "json", "--data", str(GOOD))
    rows = json.loads(res.stdout)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    first = rows[0]
    assert set(first) == {"id", "name", "date", "before", "after", "sources"}
    assert set(first["before"]) == {"operator", "status", "territory"}
    ended = [r for r in rows if r["date"] == "2025-06-01"]
    assert ended and ended[0]["after"] == {"operator": None, "status": None, "territory": None}
    csv = run("changes", "--from", "2024-01-01", "--to", "2025-12-31", "--format", "csv", "--data", str(GOOD)).stdout
    assert csv.splitlines()[0] == "date,id,name,before_operator,before_status,before_territory,after_operator,after_status,after_territory,sources"


def test_history_exports(tmp_path: Path):
    gj = tmp_path / "h.geojson"
    assert run("export", "--format", "geojson", "--data", str(GOOD), "-o", str(gj)).returncode == 0
    gdf = gpd.read_file(gj)
    assert len(gdf) == 6  # one feature per period
    b = gdf[gdf["id"] == "base-b"].sort_values("start")
    assert list(b["start"].astype(str)) == ["2015-09-01", "2024-12-08", "2025-07-01"]
    assert b["end"].isna().tolist() == [False, False, True]

    kml_text = run("export", "--format", "kml", "--data", str(GOOD)).stdout
    doc = fkml.KML.from_string(kml_text.encode())
    marks = list(placemarks(doc))
    assert len(marks) == 6
    spans = sorted((str(p.name), str(p.times.begin.dt) if p.times.begin else None) for p in marks)
    assert ("Base B", "2015-09-01") in spans
    assert all(p.times is not None for p in marks)

    state_kml = run("export", "--date", "2024-12-08", "--format", "kml", "--data", str(GOOD)).stdout
    assert len(list(placemarks(fkml.KML.from_string(state_kml.encode())))) == 3
    csv = run("export", "--format", "csv", "--data", str(GOOD)).stdout.splitlines()
    assert len(csv) == 7


@pytest.mark.parametrize("fmt", ["csv", "kml", "geojson"])
def test_hostile_strings_stay_inert_in_exports(good_copy: Path, fmt: str):
    f = good_copy / "installations" / "site-c.yaml"
    f.write_text(f.read_text().replace("name: Site C", "name: '=HYPERLINK(\"http://x\")<script>alert(1)</script>&'"))
    out = run("export", "--format", fmt, "--data", str(good_copy)).stdout
    if fmt == "csv":
        assert "'=HYPERLINK" in out  # formula defused
    elif fmt == "kml":
        assert "<script>" not in out and "&lt;script&gt;" in out
        names = [str(p.name) for p in placemarks(fkml.KML.from_string(out.encode()))]
        assert '=HYPERLINK("http://x")<script>alert(1)</script>&' in names
    else:
        assert json.loads(out)["features"][-1]["properties"]["name"].endswith("</script>&")


def test_lint_reports_and_fixes_without_touching_comments(good_copy: Path):
    f = good_copy / "installations" / "port-a.yaml"
    messy = f.read_text().replace("  - from: '2024-12-08'", "  - from: 2024-12-08    # the day Assad fell").replace("kind: naval_base", "kind:    naval_base")
    f.write_text(messy)
    res = run("lint", "--data", str(good_copy))
    assert res.returncode == 1 and "port-a.yaml" in res.stdout
    assert run("lint", "--fix", "--data", str(good_copy)).returncode == 0
    fixed = f.read_text()
    assert "# the day Assad fell" in fixed and "from: '2024-12-08'" in fixed and "kind: naval_base" in fixed
    assert run("lint", "--data", str(good_copy)).returncode == 0
    assert run("validate", str(good_copy)).returncode == 0


def test_lint_and_validate_report_a_non_utf8_file_without_a_traceback(good_copy: Path):
    bad = good_copy / "installations" / "latin1.yaml"
    bad.write_bytes("id: latin1\nname: Mers el K\xe9bir\n".encode("latin-1"))
    for args in (("lint", "--data", str(good_copy)), ("validate", str(good_copy))):
        r = run(*args)
        assert r.returncode == 1, (args, r.stderr)
        assert "Traceback" not in r.stderr and "latin1.yaml" in r.stdout + r.stderr


def test_output_errors_are_usage_errors_not_tracebacks(tmp_path: Path):
    missing_dir = run("export", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"), "--data", str(GOOD))
    assert missing_dir.returncode == 2 and "cannot write" in missing_dir.stderr and "x.csv" in missing_dir.stderr
    full_env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "garrison", "state", "--date", "2024-12-08", "--data", str(GOOD)],
                             stdout=full, stderr=subprocess.PIPE, text=True, env=full_env, cwd=ROOT, timeout=120)
    assert res.returncode == 2 and "cannot write standard output" in res.stderr
    # Must NOT happen: a traceback (exit 1 is reserved for invalid data).
    for r in (missing_dir, res):
        assert "Traceback" not in r.stderr


@pytest.mark.parametrize("fmt", ["gpkg", "parquet"])
def test_binary_exports_write_files_and_unwritable_outputs_exit_2(tmp_path: Path, fmt: str):
    out = tmp_path / f"history.{fmt}"
    read = gpd.read_file if fmt == "gpkg" else gpd.read_parquet
    for _ in range(2):  # a second export replaces the file (GDAL would refuse or append to an existing one)
        res = run("export", "--format", fmt, "-o", str(out), "--data", str(GOOD))
        assert res.returncode == 0 and res.stdout == "", res.stderr
    gdf = read(out)
    assert len(gdf) == 6 and gdf.crs.to_epsg() == 4326 and gdf["period_id"].is_unique
    state = tmp_path / f"state.{fmt}"
    assert run("export", "--date", "2024-12-08", "--format", fmt, "-o", str(state), "--data", str(GOOD)).returncode == 0
    assert sorted(read(state)["period_id"]) == ["base-b@2024-12-08", "port-a@2024-12-08", "site-c@2020-05-26"]
    for bad in (tmp_path / "no" / f"x.{fmt}", tmp_path):  # a missing folder; a folder
        res = run("export", "--format", fmt, "-o", str(bad), "--data", str(GOOD))
        assert res.returncode == 2 and f"cannot write {bad}:" in res.stderr and "Traceback" not in res.stderr, res.stderr
    res = run("export", "--format", fmt, "--data", str(GOOD))
    # Must NOT happen: a binary file poured onto a terminal.
    assert res.returncode == 2 and "--output" in res.stderr and res.stdout == ""


def test_changes_with_from_after_to_says_so():
    res = run("changes", "--from", "2025-01-01", "--to", "2024-01-01", "--data", str(GOOD))
    assert res.returncode == 2 and "--from 2025-01-01 is after --to 2024-01-01" in res.stderr


def test_lint_fix_refuses_files_that_are_not_data_files(good_copy: Path, tmp_path: Path):
    other = tmp_path / "notes.yaml"
    other.write_text("a:   1\n")
    inside = good_copy / "schema-like.yaml"
    inside.write_text("b:   2\n")
    res = run("lint", "--fix", str(other), str(inside), "--data", str(good_copy))
    assert res.returncode == 2 and "not a Garrison data file" in res.stderr
    # Must NOT happen: a file lint does not own rewritten.
    assert other.read_text() == "a:   1\n" and inside.read_text() == "b:   2\n"
    ok = run("lint", "--fix", str(good_copy / "installations" / "port-a.yaml"), "--data", str(good_copy))
    assert ok.returncode == 0, ok.stderr


def test_export_lang_names_in_the_language_and_refuses_an_unknown_one():
    from garrison import Loader
    from garrison.i18n import messages

    ds = Loader(BUNDLED).load()
    res = run("export", "--data", str(BUNDLED), "--format", "kml", "--date", "2024-12-08", "--lang", "uk")
    assert res.returncode == 0, res.stderr[-2000:]
    uk = messages("uk")
    assert uk.gettext("Garrison at {date}").format(date=uk.date("2024-12-08")) in res.stdout
    named = next(r for r in ds.records if "uk" in r.names)
    assert named.names["uk"] in res.stdout
    bad = run("export", "--data", str(BUNDLED), "--format", "csv", "--lang", "xx")
    # must NOT happen: an unknown language silently falling back
    assert bad.returncode == 2 and "--lang" in bad.stderr and not bad.stdout
