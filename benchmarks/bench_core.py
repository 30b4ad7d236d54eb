"""Benchmark of garrison's core: loading, reloading and the time queries, against naive loops.

Run on demand (not a pytest test):

    python benchmarks/bench_core.py [--sizes 1000,10000,100000] [--seed 0]

Sizes up to --disk-max (default 10000) are written as real data folders in a temporary
directory and loaded through ``garrison.Loader``; larger sizes are built in memory with
``synthetic.make_records`` (writing 100k files would only time the disk). For every size the
vectorised queries (``PeriodTable.state_at``, ``Dataset.state_at``, ``PeriodTable.events_between``,
``Dataset.changes_between``) are timed beside a naive pure-Python loop over installations and
their periods, run in the same process on the same dates; the naive results are also checked
for equality with the vectorised ones. Prints one table, then the targets with PASS/FAIL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [p for p in (str(HERE.parent / "src"), str(HERE)) if p not in sys.path]

import pandas as pd  # noqa: E402
import synthetic  # noqa: E402

import garrison  # noqa: E402
from garrison.dataset import STATE_COLUMNS, Dataset  # noqa: E402
from garrison.dates import OPEN_END, iso  # noqa: E402
from garrison.model import Installation  # noqa: E402
from garrison.timeline import PeriodTable  # noqa: E402

N_DATES = 200  # random dates for state_at
N_WINDOWS = 50  # random 1-year windows for events_between / changes_between
N_WARM = 20  # unchanged reloads
N_EDITS = 10  # reloads after editing one file
NAIVE_BUDGET_S = 6.0  # per naive query kind and size; at least NAIVE_MIN dates are always run
NAIVE_MIN = 5
QUERY_FIRST = dt.date(1950, 1, 1)
QUERY_LAST = dt.date(2025, 12, 31)

TARGET_STATE_MS = 10.0
TARGET_STATE_RATIO = 50.0
TARGET_WARM_MS = 100.0
TARGET_COLD_MS = 2000.0


# --- naive references: one Python loop over installations and their periods -------------------
def naive_state_at(records: Sequence[Installation], day: int) -> list[tuple[int, int]]:
    """(installation index, global period row) of every installation with a record at `day`."""
    out = []
    row0 = 0
    for i, rec in enumerate(records):
        hist = rec.history
        cur = -1
        for j, p in enumerate(hist):
            if p.start.day > day:
                break
            cur = j
        if cur >= 0:
            p = hist[cur]
            if p.end is not None:
                end = p.end.day
            elif cur + 1 < len(hist):
                end = hist[cur + 1].start.day
            else:
                end = OPEN_END
            if day < end:
                out.append((i, row0 + cur))
        row0 += len(hist)
    return out


def naive_state_frame(ds: Dataset, day: int) -> pd.DataFrame:
    """Dataset.state_at the obvious way: one row tuple per installation, then a DataFrame."""
    names = {a.id: a.name for a in ds.actors.values()}
    rows = []
    for rec in ds.records:
        hist = rec.history
        cur = -1
        for j, p in enumerate(hist):
            if p.start.day > day:
                break
            cur = j
        if cur < 0:
            continue
        p = hist[cur]
        end = p.end.day if p.end is not None else hist[cur + 1].start.day if cur + 1 < len(hist) else OPEN_END
        if day >= end:
            continue
        rows.append((rec.id, rec.name, rec.kind, rec.country, rec.lat, rec.lon, p.operator, names.get(p.operator),
                     p.status, p.territory, names.get(p.territory) if p.territory else None, p.confidence,
                     p.start.text, p.sources))
    frame = pd.DataFrame(rows, columns=STATE_COLUMNS, dtype=object)
    return frame.astype({"lat": float, "lon": float})


def _triple(p) -> tuple:
    return (p.operator, p.status, p.territory)


def naive_events(records: Sequence[Installation], a: int, b: int) -> list[tuple[int, int, int, int]]:
    """(inst, day, before row or -1, after row or -1) for changes on days in (a, b], oldest first."""
    out = []
    row0 = 0
    for i, rec in enumerate(records):
        hist = rec.history
        n = len(hist)
        for j, p in enumerate(hist):
            s = p.start.day
            if s > b:
                break
            if s > a:
                before = -1
                if j > 0:
                    q = hist[j - 1]
                    if q.end is None or q.end.day == s:
                        before = row0 + j - 1
                if before < 0 or _triple(hist[j - 1]) != _triple(p):
                    out.append((i, s, before, row0 + j))
            if p.end is not None:
                e = p.end.day
                if a < e <= b and not (j + 1 < n and hist[j + 1].start.day == e):
                    out.append((i, e, row0 + j, -1))
        row0 += n
    out.sort(key=lambda t: (t[1], t[0]))
    return out


def naive_changes(records: Sequence[Installation], a: int, b: int) -> list[dict]:
    """Dataset.changes_between the obvious way (same dicts)."""
    out = []
    for i, day, before, after in _naive_events_with_periods(records, a, b):
        rec = records[i]
        keys = ("operator", "status", "territory")
        bd = dict(zip(keys, _triple(before), strict=True)) if before is not None else dict.fromkeys(keys)
        ad = dict(zip(keys, _triple(after), strict=True)) if after is not None else dict.fromkeys(keys)
        src = list(after.sources if after is not None else before.sources)
        out.append({"id": rec.id, "name": rec.name, "date": iso(day), "before": bd, "after": ad, "sources": src})
    return out


def _naive_events_with_periods(records, a, b):
    out = []
    for i, rec in enumerate(records):
        hist = rec.history
        for j, p in enumerate(hist):
            s = p.start.day
            if s > b:
                break
            if s > a:
                q = hist[j - 1] if j > 0 else None
                if q is not None and q.end is not None and q.end.day != s:
                    q = None
                if q is None or _triple(q) != _triple(p):
                    out.append((i, s, q, p))
            if p.end is not None:
                e = p.end.day
                if a < e <= b and not (j + 1 < len(hist) and hist[j + 1].start.day == e):
                    out.append((i, e, p, None))
    out.sort(key=lambda t: (t[1], t[0]))
    return out


# --- timing -------------------------------------------------------------------------------------
def _times(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def _ms(seconds: Sequence[float]) -> float:
    return statistics.median(seconds) * 1000


@dataclass
class Row:
    size: str
    what: str
    ms: float
    naive_ms: float | None = None
    ratio: float | None = None
    note: str = ""
    cpu_ratio: float | None = None


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    metrics: dict[tuple[int, str], float] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    def add(self, n: int, what: str, ms: float, naive_ms=None, ratio=None, note: str = "", key: str | None = None,
            cpu_ratio: float | None = None) -> None:
        self.rows.append(Row(f"{n:,}", what, ms, naive_ms, ratio, note, cpu_ratio))
        if key:
            self.metrics[(n, key)] = ms
            if ratio is not None:
                self.metrics[(n, key + "_ratio")] = ratio
            if cpu_ratio is not None:
                self.metrics[(n, key + "_cpu_ratio")] = cpu_ratio
        print(f"  {what:<42} {ms:10.2f} ms" + (f"   naive {naive_ms:10.2f} ms  {_times(ratio)} (CPU {_times(cpu_ratio)})" if ratio else "") +
              (f"   ({note})" if note else ""), flush=True)


def compare_query(res: Results, n: int, what: str, key: str, fast: Callable, naive: Callable,
                  args_list: list[tuple], same: Callable[[tuple], bool]) -> None:
    """Time fast and naive on the same arguments, interleaved (so background load hits both alike).

    The naive loop runs on the first k inputs until NAIVE_BUDGET_S is spent; the ratio is
    median(naive) / median(fast) over those same k inputs.
    """
    fast(*args_list[0])
    naive(*args_list[0])
    gc.collect()
    t_fast, t_naive, c_fast, c_naive = [], [], [], []
    for args in args_list:
        t, c = time.perf_counter(), time.thread_time()
        fast(*args)
        c_fast.append(time.thread_time() - c)
        t_fast.append(time.perf_counter() - t)
        if len(t_naive) < NAIVE_MIN or sum(t_naive) < NAIVE_BUDGET_S:
            t, c = time.perf_counter(), time.thread_time()
            naive(*args)
            c_naive.append(time.thread_time() - c)
            t_naive.append(time.perf_counter() - t)
    k = len(t_naive)
    ratio = _ms(t_naive) / _ms(t_fast[:k])
    cpu_ratio = _ms(c_naive) / max(_ms(c_fast[:k]), 1e-6)
    bad = [args for args in args_list[:k] if not same(args)]
    if bad:
        res.mismatches.append(f"{n:,} {what}: naive and vectorised disagree on {len(bad)} of {k} inputs, e.g. {bad[0]}")
    res.add(n, what, _ms(t_fast), _ms(t_naive), ratio, f"naive on {k}/{len(args_list)}", key=key, cpu_ratio=cpu_ratio)


# --- one size -----------------------------------------------------------------------------------
def bench_disk(res: Results, n: int, periods: int, seed: int, tmp: Path) -> Dataset:
    folder = tmp / f"data-{n}"
    t = time.perf_counter()
    synthetic.write_dataset(folder, n, periods, seed)
    print(f"  (wrote {n:,} files in {time.perf_counter() - t:.1f} s)", flush=True)

    gc.collect()
    loader = garrison.Loader(folder)
    t = time.perf_counter()
    ds = loader.load()
    cold = time.perf_counter() - t
    if ds.problems:
        res.mismatches.append(f"{n:,}: the synthetic folder has {len(ds.problems)} problems, e.g. {ds.problems[0]}")
    res.add(n, "cold load (Loader(dir).load())", cold * 1000, note=f"{loader.parsed_count:,} files parsed", key="cold")

    # a cold start as the CLI and the app make it: with the parse cache (filled by the first, timed by the second)
    cache = tmp / f"cache-{n}"
    garrison.Loader(folder, cache_dir=cache).load()
    gc.collect()
    cached = garrison.Loader(folder, cache_dir=cache)
    t = time.perf_counter()
    from_cache = cached.load()
    cold_cached = time.perf_counter() - t
    if [str(p) for p in from_cache.problems] != [str(p) for p in ds.problems] or len(from_cache.records) != len(ds.records):
        res.mismatches.append(f"{n:,}: a load from the parse cache differs from a load without it")
    res.add(n, "cold load, parse cache filled", cold_cached * 1000, note=f"{cached.parsed_count:,} files parsed; "
            f"x{cold / cold_cached:.1f} faster", key="cold_cached")

    loader.load()  # warm-up
    warm = []
    for _ in range(N_WARM):
        t = time.perf_counter()
        again = loader.load()
        warm.append(time.perf_counter() - t)
        assert again is ds, "an unchanged reload should return the same Dataset"
    res.add(n, "warm reload, nothing changed", _ms(warm), note=f"median of {N_WARM}", key="warm")

    victim = folder / "installations" / f"syn-{n // 2:06d}.yaml"
    original = victim.read_text(encoding="utf-8")
    reload_t, first_t = [], []
    for k in range(N_EDITS):
        victim.write_text(original.replace("name: 'Synthetic", f"name: 'Edited{'!' * (k + 1)} Synthetic", 1), encoding="utf-8")
        before = loader.parsed_count
        t = time.perf_counter()
        edited = loader.load()
        t1 = time.perf_counter()
        edited.state_at("2000-01-01")  # first query rebuilds the PeriodTable and the GeoDataFrame
        t2 = time.perf_counter()
        assert loader.parsed_count == before + 1 and edited is not ds
        reload_t.append(t1 - t)
        first_t.append(t2 - t1)
    victim.write_text(original, encoding="utf-8")
    res.add(n, "reload after editing one file", _ms(reload_t), note=f"median of {N_EDITS}; 1 file re-parsed", key="edit")
    res.add(n, "  then first Dataset.state_at (rebuild)", _ms(first_t), note="PeriodTable + GeoDataFrame")
    return ds


def bench_memory(res: Results, n: int, periods: int, seed: int) -> Dataset:
    t = time.perf_counter()
    records, actor_ids = synthetic.make_records(n, periods, seed)
    print(f"  (generated {n:,} records in memory in {time.perf_counter() - t:.1f} s)", flush=True)
    ds = Dataset(records, synthetic.actors(), synthetic.sources(n, periods))
    assert list(ds.actors) == actor_ids
    return ds


def bench_queries(res: Results, n: int, ds: Dataset, seed: int) -> None:
    rng = random.Random(seed + n)
    lo, hi = QUERY_FIRST.toordinal(), QUERY_LAST.toordinal()
    epoch = dt.date(1970, 1, 1).toordinal()
    days = [rng.randint(lo, hi) - epoch for _ in range(N_DATES)]
    starts = [rng.randint(lo, hi - 365) - epoch for _ in range(N_WINDOWS)]
    windows = [(a, a + 365) for a in starts]
    records = ds.records

    gc.collect()
    t = time.perf_counter()
    table = PeriodTable(records, list(ds.actors))
    build = time.perf_counter() - t
    t = time.perf_counter()
    _ = ds.periods, ds.installations
    res.add(n, "build PeriodTable from records", build * 1000, note=f"{len(table):,} periods", key="build")
    res.add(n, "build Dataset.periods + .installations", (time.perf_counter() - t) * 1000)

    def same_state(args: tuple) -> bool:
        snap = table.state_at(args[0])
        return list(zip(snap.inst.tolist(), snap.period.tolist(), strict=True)) == naive_state_at(records, args[0])

    def same_frame(args: tuple) -> bool:
        got, want = ds.state_at(args[0]), naive_state_frame(ds, args[0])
        return list(got.itertuples(index=False, name=None)) == list(want.itertuples(index=False, name=None))

    def same_events(args: tuple) -> bool:
        ev = table.events_between(*args)
        return list(ev.itertuples(index=False, name=None)) == naive_events(records, *args)

    def same_changes(args: tuple) -> bool:
        return ds.changes_between(*args) == naive_changes(records, *args)

    day_args = [(d,) for d in days]
    compare_query(res, n, "PeriodTable.state_at", "state", table.state_at, lambda d: naive_state_at(records, d),
                  day_args, same_state)
    compare_query(res, n, "Dataset.state_at (DataFrame)", "frame", ds.state_at, lambda d: naive_state_frame(ds, d),
                  day_args, same_frame)
    compare_query(res, n, "PeriodTable.events_between (1 year)", "events", table.events_between,
                  lambda a, b: naive_events(records, a, b), windows, same_events)
    compare_query(res, n, "Dataset.changes_between (1 year)", "changes", ds.changes_between,
                  lambda a, b: naive_changes(records, a, b), windows, same_changes)


# --- report -------------------------------------------------------------------------------------
def table(rows: list[Row]) -> str:
    head = ("size", "measurement", "median ms", "naive ms", "naive/vec", "CPU naive/vec", "notes")
    body = [(r.size, r.what, f"{r.ms:,.2f}", "" if r.naive_ms is None else f"{r.naive_ms:,.2f}",
             "" if r.ratio is None else _times(r.ratio), "" if r.cpu_ratio is None else _times(r.cpu_ratio), r.note)
            for r in rows]
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    right = {2, 3, 4, 5}

    def line(cells) -> str:
        return "| " + " | ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    sep = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), sep, *map(line, body)])


def targets(res: Results) -> list[tuple[str, str, str]]:
    m = res.metrics

    def check(key: tuple[int, str], ok: Callable[[float], bool], fmt: str) -> tuple[str, str]:
        if key not in m:
            return "not run", "SKIP"
        return fmt.format(m[key]), "PASS" if ok(m[key]) else "FAIL"

    out = []
    v, s = check((100_000, "state"), lambda x: x <= TARGET_STATE_MS, "{:.2f} ms")
    out.append((f"PeriodTable.state_at at 100k <= {TARGET_STATE_MS:g} ms median", v, s))
    v, s = check((100_000, "state_ratio"), lambda x: x >= TARGET_STATE_RATIO, "{:,.1f}x")
    out.append((f"PeriodTable.state_at at 100k >= {TARGET_STATE_RATIO:g}x the naive loop (wall clock)", v, s))
    v, s = check((100_000, "state_cpu_ratio"), lambda x: x >= TARGET_STATE_RATIO, "{:,.1f}x")
    out.append((f"PeriodTable.state_at at 100k >= {TARGET_STATE_RATIO:g}x the naive loop (CPU time)", v, s))
    v, s = check((10_000, "cold_cached"), lambda x: x <= TARGET_COLD_MS, "{:.0f} ms")
    out.append((f"cold load of 10k files, parse cache filled <= {TARGET_COLD_MS:g} ms", v, s))
    v, s = check((1_000, "warm"), lambda x: x <= TARGET_WARM_MS, "{:.2f} ms")
    out.append((f"warm reload of 1k unchanged files <= {TARGET_WARM_MS:g} ms median", v, s))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated installation counts")
    ap.add_argument("--periods", type=int, default=5, help="mean periods per installation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--disk-max", type=int, default=10_000, help="largest size written to disk (larger: in memory)")
    args = ap.parse_args(argv)
    sizes = [int(x.replace("_", "")) for x in args.sizes.split(",") if x.strip()]

    started = time.perf_counter()
    res = Results()
    print(f"garrison core benchmark: sizes {sizes}, ~{args.periods} periods each, seed {args.seed}, "
          f"Python {sys.version.split()[0]}, pandas {pd.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="garrison-bench-") as tmpdir:
        tmp = Path(tmpdir)
        # warm-up: imports, compiled JSON Schemas, first-call costs, on a small throwaway folder
        garrison.Loader(synthetic.write_dataset(tmp / "warmup", 20, args.periods, args.seed + 1)).load().state_at("2000")
        for n in sizes:
            where = "files on disk" if n <= args.disk_max else "in memory"
            print(f"\n{n:,} installations ({where})", flush=True)
            ds = bench_disk(res, n, args.periods, args.seed, tmp) if n <= args.disk_max else bench_memory(res, n, args.periods, args.seed)
            bench_queries(res, n, ds, args.seed)
            del ds
            gc.collect()

    print("\n" + table(res.rows))
    print("\nTargets")
    for what, value, status in targets(res):
        print(f"  {status:<4}  {what}: {value}")
    print("\nCorrectness (naive vs vectorised on the same inputs): " + ("all agree" if not res.mismatches else "MISMATCHES"))
    for msg in res.mismatches:
        print("  " + msg)
    print(f"\ntotal {time.perf_counter() - started:.0f} s (load average now {os.getloadavg()[0]:.1f}; "
          "other busy processes inflate every number)")
    return 1 if res.mismatches else 0


if __name__ == "__main__":
    raise SystemExit(main())
