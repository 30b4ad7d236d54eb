"""Load benchmark: N concurrent sessions clicking through time, against the real server (loopback only).

Run on demand (not a pytest test):

    python benchmarks/bench_load.py [--clients 1,5,10,25] [--actions 20] [--baseline REV]

The app (``app.py`` of this work tree) and the app at git revision ``--baseline`` (checked out
into a temporary worktree; default: 6f9109d, the commit the load work started from; ``none``
skips it) are started one after the other with ``streamlit run`` on the bundled data as
./scripts/run starts it (file watchers on; each version on its own bundled data), each in its own process group, and driven by N raw websocket sessions (``tests/stream_client.py``:
Streamlit's own protobuf protocol, no browser), all in this process, one thread each. Every
session opens the page at ``--query`` (the two script runs a browser makes), then clicks "◀ Previous change"
``--actions`` times, as fast as the server answers (a closed loop, no think time: the worst
case). Measured per app and N:

* latency of each click: the BackMsg sent -> the run's ``script_finished`` received; p50, p95.
* server CPU per click: the server process's user+system CPU time (/proc/<pid>/stat) over the
  clicking phase, divided by the clicks answered.
* throughput: clicks answered per second of wall time.

Prints one table per app, the baseline/current ratios and the targets (server CPU per rerun
<= 30 ms; p95 < 1 s at 25 sessions) with PASS/FAIL; exit status 1 if a target fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(HERE), str(ROOT / "tests")) if p not in sys.path]

from bench_map import streamlit_process  # noqa: E402
from stream_client import StreamSession  # noqa: E402

DEFAULT_BASELINE = "6f9109d"
CPU_TARGET_MS = 30.0
P95_TARGET_S = 1.0
CLICK = "◀ Previous change"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Round:
    clients: int
    latencies_s: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    wall_s: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def clicks(self) -> int:
        return len(self.latencies_s)

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_s)
        return data[min(len(data) - 1, int(q * len(data)))] if data else float("nan")

    @property
    def cpu_ms_per_click(self) -> float:
        return 1000 * self.cpu_s / self.clicks if self.clicks else float("nan")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def run_round(url: str, pid: int, clients: int, actions: int, query: str) -> Round:
    result = Round(clients)
    sessions: list[StreamSession] = []
    try:
        for _ in range(clients):  # open every page first, so the clicking phase is only clicks
            s = StreamSession(url, origin=url.rstrip("/"))
            sessions.append(s)
            s.rerun(query)
            s.rerun(query)
        lock = threading.Lock()
        start = threading.Barrier(clients + 1)

        def click(session: StreamSession) -> None:
            button = session.widget("button", CLICK)
            start.wait()
            for _ in range(actions):
                t0 = time.perf_counter()
                try:
                    session.rerun(query, [StreamSession.trigger(button)])
                except Exception as exc:  # a timeout or a dropped connection is a result, not a crash
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    return
                with lock:
                    result.latencies_s.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=click, args=(s,), daemon=True) for s in sessions]
        for t in threads:
            t.start()
        cpu0, t0 = process_cpu_s(pid), time.perf_counter()
        start.wait()
        for t in threads:
            t.join()
        result.wall_s, result.cpu_s = time.perf_counter() - t0, process_cpu_s(pid) - cpu0
    finally:
        for s in sessions:
            with contextlib.suppress(Exception):
                s.close()
    return result


def measure(label: str, script: Path, cwd: Path, counts: list[int], actions: int, query: str, workdir: Path) -> list[Round]:
    rounds = []
    # each version on its own bundled data: an older version may not read the newer data folder's schema/ copies
    with streamlit_process(script, cwd / "data", workdir / f"{label}.log", cwd=cwd, watch=True) as (url, proc):
        run_round(url, proc.pid, 1, 3, query)  # warm-up: data loaded, payload written, caches filled
        for n in counts:
            r = run_round(url, proc.pid, n, actions, query)
            rounds.append(r)
            print(f"  {label:9} N={n:<3} {r.clicks} clicks, p50 {1000 * r.pct(0.5):7.1f} ms, p95 {1000 * r.pct(0.95):7.1f} ms, "
                  f"CPU {r.cpu_ms_per_click:6.1f} ms/click" + (f", {len(r.errors)} errors" if r.errors else ""), flush=True)
    return rounds


def table(label: str, rounds: list[Round]) -> None:
    print(f"\n{label}")
    print(f"{'N':>4} {'clicks':>7} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/click':>13} {'clicks/s':>9} {'errors':>7}")
    for r in rounds:
        print(f"{r.clients:>4} {r.clicks:>7} {1000 * r.pct(0.5):>8.1f} {1000 * r.pct(0.95):>8.1f} "
              f"{r.cpu_ms_per_click:>13.1f} {r.clicks / r.wall_s if r.wall_s else 0:>9.1f} {len(r.errors):>7}")


@contextlib.contextmanager
def baseline_tree(rev: str, workdir: Path):
    """The project at ``rev`` in a temporary git worktree (removed afterwards)."""
    path = workdir / f"baseline-{rev}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(path), rev], check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", default="1,5,10,25", help="comma-separated session counts")
    ap.add_argument("--actions", type=int, default=20, help="clicks per session and round")
    ap.add_argument("--query", default="select=tartus",
                    help="the page's query string (default: an installation selected, so its details and history chart redraw)")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git revision to compare with, or 'none'")
    args = ap.parse_args(argv)
    counts = [int(c) for c in args.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="garrison-load-") as tmp:
        workdir = Path(tmp)
        print(f"current work tree ({ROOT})")
        current = measure("current", ROOT / "app.py", ROOT, counts, args.actions, args.query, workdir)
        base = None
        if args.baseline != "none":
            with baseline_tree(args.baseline, workdir) as tree:
                print(f"baseline {args.baseline}")
                base = measure("baseline", tree / "app.py", tree, counts, args.actions, args.query, workdir)
    table("current", current)
    if base:
        table(f"baseline {args.baseline}", base)
        print("\nratios baseline/current (higher = current better)")
        for b, c in zip(base, current, strict=True):
            print(f"  N={c.clients:<3} p50 x{b.pct(0.5) / c.pct(0.5):.2f}  p95 x{b.pct(0.95) / c.pct(0.95):.2f}  "
                  f"CPU/click x{b.cpu_ms_per_click / c.cpu_ms_per_click:.2f}")
    ok = True
    cpu = statistics.median(r.cpu_ms_per_click for r in current)
    verdict = cpu <= CPU_TARGET_MS
    ok &= verdict
    print(f"\ntarget: server CPU per rerun <= {CPU_TARGET_MS:.0f} ms (median over rounds): {cpu:.1f} ms "
          f"{'PASS' if verdict else 'FAIL'}")
    at25 = [r for r in current if r.clients == 25]
    if at25:
        verdict = at25[0].pct(0.95) < P95_TARGET_S and not at25[0].errors
        ok &= verdict
        print(f"target: p95 < {P95_TARGET_S:.0f} s with 25 sessions: {at25[0].pct(0.95):.2f} s {'PASS' if verdict else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
