"""Loading, validation, incremental reload and time queries on the small fictional fixture."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from paths import BUNDLED, GOOD

import garrison
from garrison.dates import parse_partial, to_day


def test_partial_dates_keep_their_precision():
    y, m, d = parse_partial("2017"), parse_partial("2017-03"), parse_partial("2017-03-05")
    assert (y.start, y.precision, y.label) == (dt.date(2017, 1, 1), "year", "2017")
    assert (m.start, m.precision) == (dt.date(2017, 3, 1), "month")
    assert d.precision == "day"
    for bad in ("2017-13", "2017-02-29", "17", "2017/01/01", "2017-1-1"):
        with pytest.raises(ValueError):
            parse_partial(bad)


def test_good_fixture_loads_clean():
    ds = garrison.Loader(GOOD).load(strict=True)
    assert [r.id for r in ds.records] == ["base-b", "port-a", "site-c"]
    assert ds.errors == [] and ds.warnings == []
    gdf = ds.installations
    assert gdf.crs.to_epsg() == 4326
    port = gdf.set_index("id").loc["port-a"]
    assert (port.geometry.x, port.geometry.y) == (35.87, 34.9)  # lon, lat


def test_state_at_a_year_dated_period_starts_on_january_first():
    ds = garrison.Loader(GOOD).load()
    assert "port-a" not in set(ds.state_at("1970-12-31")["id"])
    row = ds.state_at("1971-01-01").set_index("id").loc["port-a"]
    assert row["since"] == "1971" and row["status"] == "active"


def test_state_on_the_day_of_change_and_in_gaps():
    ds = garrison.Loader(GOOD).load()
    before = ds.state_at("2024-12-07").set_index("id")
    after = ds.state_at("2024-12-08").set_index("id")
    assert before.loc["port-a", "status"] == "active" and before.loc["port-a", "territory"] == "blue"
    assert after.loc["port-a", "status"] == "blockaded" and after.loc["port-a", "territory_name"] == "Green Opposition"
    assert list(after.loc["port-a", "sources"]) == ["s1", "s2"]
    gap = ds.state_at("2025-06-15")  # base-b's `to: 2025-06-01` leaves a gap until 2025-07-01
    assert "base-b" not in set(gap["id"])
    assert ds.state_at("2025-07-01").set_index("id").loc["base-b", "operator"] == "green"


def test_changes_between_is_oldest_first_and_excludes_the_start_day():
    ds = garrison.Loader(GOOD).load()
    rows = ds.changes_between("2024-12-08", "2026-01-01")
    assert [(r["date"], r["id"]) for r in rows] == [("2025-06-01", "base-b"), ("2025-07-01", "base-b")]
    rows = ds.changes_between("2024-12-07", "2024-12-08")
    assert {r["id"] for r in rows} == {"port-a", "base-b"}
    port = next(r for r in rows if r["id"] == "port-a")
    assert port["before"] == {"operator": "red", "status": "active", "territory": "blue"}
    assert port["after"] == {"operator": "red", "status": "blockaded", "territory": "green"}


def test_compare_history_change_dates_and_ranges():
    ds = garrison.Loader(GOOD).load()
    cmp = {r["id"]: r for r in ds.compare("2016-01-01", "2026-01-01")}
    assert set(cmp) == {"port-a", "base-b", "site-c"}
    assert cmp["site-c"]["before"]["operator"] is None
    assert dt.date(2024, 12, 8) in ds.change_dates()
    hist = ds.history("base-b")
    assert [h["since"] for h in hist] == ["2015-09", "2024-12-08", "2025-07-01"]
    assert hist[1]["end"] == "2025-06-01" and hist[2]["end"] == ""
    assert [r.name for _, r in ds.ranges_at("2024-11-30")] == ["Long-range SAM"]
    assert ds.ranges_at("2024-12-01") == []  # `to: '2024-12'` ends it on Dec 1st


def test_reload_reparses_only_changed_files(good_copy: Path):
    loader = garrison.Loader(good_copy)
    first = loader.load()
    parsed = loader.parsed_count
    assert loader.load() is first  # nothing changed: the same dataset object
    assert loader.parsed_count == parsed
    f = good_copy / "installations" / "site-c.yaml"
    f.write_text(f.read_text().replace("Site C", "Site C renamed"))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    second = loader.load()
    assert loader.parsed_count == parsed + 1
    assert second.records[second.index["site-c"]].name == "Site C renamed"
    # touching without changing content: stat differs, hash equal, no re-parse
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    assert loader.load() is second and loader.parsed_count == parsed + 1


def test_invalid_edit_keeps_last_good_version_flagged_stale(good_copy: Path):
    loader = garrison.Loader(good_copy)
    loader.load()
    f = good_copy / "installations" / "port-a.yaml"
    f.write_text(f.read_text().replace("status: blockaded", "status: blokaded"))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    ds = loader.load()
    rec = ds.records[ds.index["port-a"]]
    assert rec.stale and rec.history[-1].status == "blockaded"
    assert any(p.path == str(f) and "blokaded" in p.message for p in ds.errors)
    assert ds.installations.set_index("id").loc["port-a", "stale"]


@pytest.mark.parametrize("edit", [
    ("operator: red", "operator: rde"),  # an unknown actor: only the assembly (reference) check sees it
    ("sources: [s1, s2]", "sources: [s1, s9]"),  # an unknown source
])
def test_an_edit_that_breaks_a_reference_keeps_the_last_good_version_stale(good_copy: Path, edit):
    loader = garrison.Loader(good_copy)
    before = loader.load().records
    f = good_copy / "installations" / "port-a.yaml"
    text = f.read_text()
    assert edit[0] in text
    f.write_text(text.replace(edit[0], edit[1], 1))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    ds = loader.load()
    rec = ds.records[ds.index["port-a"]]  # must not: the installation vanishes from the map
    assert rec.stale and rec.history == before[[r.id for r in before].index("port-a")].history
    assert any(p.path == str(f) and ("rde" in p.message or "s9" in p.message) for p in ds.errors)
    assert any(p.path == str(f) and "last valid version" in p.message for p in ds.warnings)
    # fixed again: the new version, no longer stale
    f.write_text(text)
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    fixed = loader.load()
    assert not fixed.records[fixed.index["port-a"]].stale and not fixed.errors


def test_a_fresh_loader_has_no_last_good(good_copy: Path):
    f = good_copy / "installations" / "port-a.yaml"
    f.write_text(f.read_text().replace("status: blockaded", "status: blokaded"))
    ds = garrison.Loader(good_copy).load()
    assert "port-a" not in ds.index


def test_broken_shared_files_do_not_take_the_dataset_down(good_copy: Path):
    (good_copy / "sources.yaml").write_text("- id: [broken\n")
    ds = garrison.Loader(good_copy).load()
    assert {r.id for r in ds.records} == {"port-a", "base-b", "site-c"}
    assert any(p.path.endswith("sources.yaml") and "syntax" in p.message for p in ds.errors)


def test_missing_data_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        garrison.Loader(tmp_path / "nope").load()


def test_unused_source_is_a_warning(good_copy: Path):
    with (good_copy / "sources.yaml").open("a") as fh:
        fh.write("- id: lonely\n  title: Never cited\n  publisher: Example Wire\n  url: https://example.org/lonely\n")
    ds = garrison.Loader(good_copy).load()
    assert [p.message for p in ds.warnings] == ["source 'lonely' is never cited"]
    assert (ds.warnings[0].line, ds.warnings[0].field) == (14, "[2].id")


def _walk_schema(node, path="#"):
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield f"{path}/{key}", sub
            yield from _walk_schema(sub, f"{path}/{key}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                yield from _walk_schema(node[key], f"{path}/{key}")


@pytest.mark.parametrize("name", ["installation", "actors", "sources"])
def test_every_schema_field_has_a_description(name: str):
    schema = json.loads((BUNDLED / "schema" / f"{name}.schema.json").read_text())
    fields = list(_walk_schema(schema))
    assert fields
    missing = [p for p, sub in fields if not sub.get("description")]
    assert missing == []


def test_day_numbers_round_trip():
    assert to_day("1970-01-02") == 1 and to_day(dt.date(1969, 12, 31)) == -1 and to_day(5) == 5


def test_routes_load_and_report_unknown_nodes(good_copy: Path):
    (good_copy / "routes.yaml").write_text(
        "- id: bridge\n  name: Air bridge\n  operator: red\n  nodes: [base-b, site-c]\n"
        "  history:\n    - from: '2020-05'\n      status: active\n      confidence: reported\n      sources: [s2]\n"
        "- id: broken\n  name: Broken\n  operator: red\n  nodes: [base-b, nowhere]\n"
        "  history:\n    - from: '2020'\n      status: active\n      confidence: reported\n      sources: [s2]\n")
    ds = garrison.Loader(good_copy).load()
    assert [r.id for r in ds.routes] == ["bridge"]
    err = [p for p in ds.errors if p.path.endswith("routes.yaml")]
    assert [(p.line, p.field) for p in err] == [(13, "[1].nodes[1]")]
    assert "unknown or invalid installation 'nowhere'" in err[0].message


def test_an_unreadable_file_is_a_problem_not_a_crash(good_copy: Path):
    (good_copy / "installations" / "folder.yaml").mkdir()  # a folder named like a data file
    ds = garrison.Loader(good_copy).load()
    assert {r.id for r in ds.records} == {"port-a", "base-b", "site-c"}
    assert any(p.path.endswith("folder.yaml") and "not a regular file (a folder" in p.message for p in ds.errors)


def test_actor_names_load_and_share_the_installations_languages(good_copy: Path):
    """An actor's `names` load by language; the languages are the installations' one list."""
    actors = good_copy / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8").replace(
        "  short: Red\n", "  names:\n    ru: Красные\n    ar: الحمر\n  short: Red\n", 1), encoding="utf-8")
    port = good_copy / "installations" / "port-a.yaml"
    port.write_text(port.read_text(encoding="utf-8").replace("names:\n", "names:\n  zz: Zed\n", 1), encoding="utf-8")

    ds = garrison.Loader(good_copy).load()

    assert ds.actors["red"].names == {"ru": "Красные", "ar": "الحمر"}
    assert ds.actors["blue"].names == {}
    bad = [(Path(p.path).name, p.field) for p in ds.errors]
    assert bad == [("port-a.yaml", "names.zz")], [str(p) for p in ds.errors]
    # must not: a code the installation schema refuses passing for an actor (two lists drifting apart)
    actors.write_text(actors.read_text(encoding="utf-8").replace("    ar: الحمر\n", "    zz: Zed\n"), encoding="utf-8")
    ds = garrison.Loader(good_copy).load()
    assert ("actors.yaml", "[0].names.zz") in [(Path(p.path).name, p.field) for p in ds.errors]
    assert "red" not in ds.actors
