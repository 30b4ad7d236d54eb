"""The synthetic dataset generator behind benchmarks/: valid on disk, identical in memory."""

from __future__ import annotations

from pathlib import Path

import garrison
from benchmarks import synthetic
from garrison.timeline import PeriodTable
from garrison.vocab import CONFIDENCES, STATUSES

N = 50
DATES = ("1949-12-31", "1965", "1980-06-15", "1999-12-31", "2010-03", "2024-12-31")


def test_written_folder_loads_with_no_problems(tmp_path: Path):
    folder = synthetic.write_dataset(tmp_path / "data", N)
    ds = garrison.Loader(folder).load(strict=True)
    assert ds.errors == [] and ds.warnings == []
    assert len(ds.records) == N and len(ds.actors) == 12
    periods = [p for r in ds.records for p in r.history]
    assert {p.start.precision for p in periods} == {"year", "month", "day"}
    assert any(p.end is not None for p in periods), "some periods should end early with `to`"
    assert {p.status for p in periods} <= set(STATUSES) and {p.confidence for p in periods} <= set(CONFIDENCES)
    assert len({p.operator for p in periods}) > 6


def test_make_records_matches_the_written_folder(tmp_path: Path):
    loaded = garrison.Loader(synthetic.write_dataset(tmp_path / "data", N, seed=3)).load()
    records, actor_ids = synthetic.make_records(N, seed=3)
    assert actor_ids == list(loaded.actors)
    in_memory = garrison.Dataset(records, synthetic.actors(), synthetic.sources(N))
    table_disk, table_mem = loaded.periods, PeriodTable(records, actor_ids)
    for date in DATES:
        a, b = table_disk.state_at(date), table_mem.state_at(date)
        assert a.inst.tolist() == b.inst.tolist() and a.period.tolist() == b.period.tolist()
        frame = loaded.state_at(date)
        assert frame.equals(in_memory.state_at(date))
    assert any(len(loaded.state_at(d)) for d in DATES)
    assert loaded.changes_between("1990", "2000") == in_memory.changes_between("1990", "2000")


def test_generator_is_deterministic():
    a, _ = synthetic.make_records(20, periods_per=3, seed=7)
    b, _ = synthetic.make_records(20, periods_per=3, seed=7)
    c, _ = synthetic.make_records(20, periods_per=3, seed=8)
    assert [r.history for r in a] == [r.history for r in b]
    assert [r.history for r in a] != [r.history for r in c]
    assert all(1 <= len(r.history) <= 5 for r in a)
