"""The browser's time functions (static/garrison/map/time.js, payload.js) under Node's test runner,
against the Python on the same fixtures: which period holds at a date, what a filter keeps, what
changed since a compare date. README's test command installs Node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
from paths import BUNDLED, FIXTURES, ROOT

from garrison import Loader
from garrison.dates import to_day
from garrison.render.mapstate import filter_masks, int32s, map_data, shown_at
from garrison.render.payload import build_payload, encode_payload
from garrison.ui.permalink import View

NODE = shutil.which("node")
TEST = ROOT / "tests" / "js" / "time.test.mjs"


def _case(name: str, folder: Path, tmp: Path) -> dict:
    ds = Loader(folder).load()
    payload = tmp / f"{name}.bin"
    payload.write_bytes(encode_payload(*build_payload(ds, [])))
    pt = ds.periods
    days = sorted({int(d) for d in pt.change_days()} | {int(d) - 1 for d in pt.change_days()} | {to_day(ds.span()[1])})
    days = days[:: max(1, len(days) // 60)]
    rows = {}
    for day in days:
        snap = pt.state_at(day)
        at = np.full(len(ds.records), -1)
        at[snap.inst] = snap.period
        rows[str(day)] = at.tolist()
    actors = sorted({p.operator for r in ds.records for p in r.history})
    statuses = sorted({p.status for r in ds.records for p in r.history})
    filters = []
    specs = {"none": {}, "op": {"op": actors[:2]}, "status": {"status": statuses[:1]},
             "country+op": {"country": [ds.records[0].country], "op": actors[:3]},
             "kind": {"kind": [ds.records[-1].kind]}}
    for fname, spec in specs.items():
        view = View(filters={k: list(spec.get(k, [])) for k in ("op", "country", "kind", "status")})
        search = [ds.records[0].id, ds.records[-1].id] if fname == "kind" else None
        data = map_data(ds, view, "/x", search_ids=search)
        inst, period = filter_masks(ds, view, search)
        filters.append({"name": fname, "match": data["match"],
                        "shown": {str(d): sorted(int(i) for i in shown_at(ds, inst, period, d)) for d in days}})
    compares = []
    for k in range(0, len(days) - 1, max(1, len(days) // 8)):
        c_day, day = days[k], days[-1 - k // 2]
        before, after = pt.codes_at(c_day), pt.codes_at(day)
        compares.append({"compare_day": c_day, "day": day, "codes": int32s(before),
                         "changed": np.flatnonzero(before != after).tolist()})
        # Python's own compare agrees with the codes (one rule)
        assert sorted(pt.compare(c_day, day)["inst"].tolist()) == compares[-1]["changed"]
    return {"name": name, "payload": str(payload), "rows": rows, "filters": filters, "compares": compares,
            "n_installations": len(ds.records), "offsets": pt.offsets.tolist(), "span": [to_day(d) for d in ds.span()]}


def test_time_functions_agree_with_python_under_node(tmp_path: Path):
    assert NODE, "Node.js is not installed: README's test command (scripts/test) installs it"
    cases = [_case("good", FIXTURES / "good", tmp_path), _case("bundled", BUNDLED, tmp_path)]
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps({"cases": cases}), encoding="utf-8")
    run = subprocess.run([NODE, "--test", str(TEST)], env={"GARRISON_JS_FIXTURE": str(fixture), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # must not: a run that tested nothing
    assert "# pass 6" in run.stdout and "# fail 0" in run.stdout, run.stdout[-2000:]
