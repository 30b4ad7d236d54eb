"""The bundled data folder (data/): loads cleanly, is lint-clean, and records the key facts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from paths import BUNDLED, ROOT

import garrison
from garrison.yamlsafe import parse_yaml

SEED_TITLE = "'Everything Might Fall Apart': Kremlin Prepares To Say Goodbye To Military Bases In Syria"
SCHEMA_LINE = "# yaml-language-server: $schema="


@pytest.fixture(scope="module")
def ds() -> garrison.Dataset:
    return garrison.Loader(BUNDLED).load()


def _row(ds: garrison.Dataset, inst_id: str, date: str) -> dict | None:
    state = ds.state_at(date)
    rows = state[state["id"] == inst_id].to_dict("records")
    return rows[0] if rows else None


def _yaml_files() -> list:
    files = [BUNDLED / "actors.yaml", BUNDLED / "sources.yaml", BUNDLED / "routes.yaml"]
    files += [BUNDLED / "publishers.yaml"] if (BUNDLED / "publishers.yaml").exists() else []
    return files + sorted((BUNDLED / "installations").glob("*.yaml"))


def test_loads_without_errors_or_warnings(ds):
    assert [str(p) for p in ds.errors] == []
    assert [str(p) for p in ds.warnings] == []
    assert len(ds.records) >= 100  # issue 10: the breadth a reader following Russia's Syrian bases needs
    assert {r.id for r in ds.records} >= {"tartus", "khmeimim", "al-khadim", "al-jufra"}


def test_every_yaml_file_has_its_schema_comment():
    for path in _yaml_files():
        first = path.read_text(encoding="utf-8").splitlines()[0]
        if path.parent.name == "installations":
            assert first == "# yaml-language-server: $schema=../schema/installation.schema.json", path
        else:
            assert first == f"{SCHEMA_LINE}schema/{path.stem}.schema.json", path


def test_lint_is_clean():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run([sys.executable, "-m", "garrison", "lint", "--data", str(BUNDLED)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_validate_cli_is_clean():
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run([sys.executable, "-m", "garrison", "validate", str(BUNDLED)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 error(s)" in res.stderr
    # Issue 10's new fields and checks, until the data work adding them is merged: these warnings only
    others = [line for line in res.stdout.splitlines() if ": warning: " in line or ": error: " in line]
    assert others == [], "\n".join(others)


def test_sources_are_http_and_all_cited(ds):
    raw = parse_yaml((BUNDLED / "sources.yaml").read_text(encoding="utf-8"), "sources.yaml").value
    assert len(raw) == len(ds.sources)  # none dropped as invalid
    for src in raw:
        assert src["url"].startswith(("http://", "https://")), src["id"]
    cited = {s for rec in ds.records for p in rec.history for s in p.sources}
    cited |= {s for rec in ds.records for rng in rec.ranges for s in rng.sources}
    cited |= {s for route in ds.routes for p in route.history for s in p.sources}
    cited |= {s for rec in ds.records for p in rec.history for c in p.claims for s in c.sources}
    assert set(ds.sources) == cited


def test_seed_source_is_present_without_an_invented_url():
    raw = parse_yaml((BUNDLED / "sources.yaml").read_text(encoding="utf-8"), "sources.yaml").value
    seed = [s for s in raw if s["title"] == SEED_TITLE]
    assert len(seed) == 1
    seed = seed[0]
    assert seed["id"] == "mt-2024-12-11-kremlin-syria-bases"
    assert seed["publisher"] == "The Moscow Times"
    assert seed["date"] == "2024-12-11"
    assert seed["url"] == "https://www.themoscowtimes.com/"
    assert "not found" in seed["note"]


def test_tartus(ds):
    y2016 = _row(ds, "tartus", "2016-06-01")
    assert y2016["operator"] == "ru" and y2016["status"] == "active"
    fall = _row(ds, "tartus", "2024-12-08")
    assert fall["operator"] == "ru"
    assert fall["status"] == "blockaded" and fall["status"] != y2016["status"]
    assert fall["territory"] == "sy-opp"


def test_khmeimim(ds):
    assert _row(ds, "khmeimim", "2015-08-25") is None  # no record before the August 2015 agreement
    assert _row(ds, "khmeimim", "2015-09-29")["status"] == "planned"
    start = _row(ds, "khmeimim", "2015-09-30")
    assert start["operator"] == "ru" and start["status"] == "active"
    assert start["since"] == "2015-09-30"
    fall = _row(ds, "khmeimim", "2024-12-08")
    assert fall["operator"] == "ru" and fall["status"] == "blockaded"


@pytest.mark.parametrize("inst_id", ["tartus", "khmeimim"])
def test_january_2017_agreements(ds, inst_id):
    # the 49-year agreements of 18 Jan 2017 changed no operator, status or territory: no period of
    # their own (a period that changes nothing is warned), they are told in the covering period's note
    starts = [p["since"] for p in ds.history(inst_id)]
    assert "2017-01-18" not in starts
    row = _row(ds, inst_id, "2017-01-18")
    assert (row["operator"], row["status"], row["territory"]) == ("ru", "active", "sy-gov")
    assert row["since"] == {"tartus": "2013-09", "khmeimim": "2015-09-30"}[inst_id]
    covering = next(p for p in ds.history(inst_id) if p["since"] == row["since"])
    assert "2017" in (covering["note"] or "")


def test_fall_of_assad_changes(ds):
    changed = {c["id"]: c for c in ds.changes_between("2024-12-07", "2024-12-08")}
    assert {"tartus", "khmeimim"} <= set(changed)
    for inst_id in ("tartus", "khmeimim"):
        assert changed[inst_id]["date"] == "2024-12-08"
        assert changed[inst_id]["before"]["status"] == "active"
        assert changed[inst_id]["after"]["status"] == "blockaded"


def test_routes(ds):
    routes = {r.id: r for r in ds.routes}
    assert len(routes) >= 6  # the legs Russia - Syria - Libya - Sahel and their replacements after Dec 2024
    inst = {r.id for r in ds.records}
    for route in routes.values():
        assert set(route.nodes) <= inst
        assert route.operator in ds.actors
    assert list(routes["ru-air-bridge-khmeimim-al-khadim"].nodes) == ["khmeimim", "al-khadim"]


def test_the_bundled_schema_copies_are_the_librarys():
    # data/schema/ is what editors check against (each file's yaml-language-server line); the rules are the package's
    from garrison.schema import IDS_FILE, schema_files, stale_copies

    assert [p.name for p in (BUNDLED / "schema").glob("*.json")] and not stale_copies(BUNDLED)
    assert sorted(p.name for p in (BUNDLED / "schema").glob("*.json")) == sorted([p.name for p in schema_files()] + [IDS_FILE])
