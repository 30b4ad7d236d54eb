"""Interleaved A/B of the map's first paint: two (or more) checkouts' servers up at once, loads alternating.

Run on demand (not a pytest test), with the project's Python:

    .venv/bin/python benchmarks/bench_paint_ab.py DATA_DIR LOADS SERVE_PY [SERVE_PY ...]

e.g. ``benchmarks/bench_paint_ab.py /tmp/garrison-bench-data/synthetic-1000 12 /tmp/before/serve.py serve.py``.
Each SERVE_PY is started with ``python -m streamlit run`` from its own folder (GARRISON_DATA=DATA_DIR,
GARRISON_WATCH=0); every load is a fresh browser context (empty HTTP cache), the variants take
turns (the order reversed every round), so a machine whose load drifts slows them alike; the
first round (the servers' cold loads) is left out. Per load: the map drawn (``data-garrison-ready``
plus a frame), the operator chart's marks drawn plus a frame, the map's own ``timings``, and when
key files were requested (resource timing); each load ends when the page is idle. Prints the
medians per variant and the paired difference of the last variant against the first.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
KEYS = ["BidiComponent", "/main.js", "/time.js", "/payload.js", "leaflet.js", "garrison-basemap.js", "/installations.js",
        ".bin.gz", "countries-50m", "embed"]
# polled every frame: the first time the condition holds, then the next frame (that frame was painted)
FRAME_AFTER = """(cond) => { if (!new Function(cond)()) return false;
  const w = (window.__ab = window.__ab || {}), s = w[cond] || (w[cond] = {});
  if (!s.seen) { s.seen = performance.now(); requestAnimationFrame(() => { s.painted = performance.now(); }); }
  return s.painted || false; }"""
MAP_DRAWN = "const b = document.querySelector('.leaflet-container'); return !!b && b.getAttribute('data-garrison-ready') === '1';"
CHARTS_DRAWN = "return !!document.querySelector('[data-testid=\"stVegaLiteChart\"] svg .role-mark');"
RESOURCES = """(keys) => { const out = {}; for (const e of performance.getEntriesByType('resource'))
  for (const k of keys) if (e.name.includes(k) && !(k in out)) out[k] = Math.round(e.startTime);
  out.t = Object.fromEntries(Object.entries(document.querySelector('.leaflet-container').garrison.timings)
    .map(([a, v]) => [a, Math.round(v)]));
  return out; }"""
IDLE = "() => document.querySelector('[data-testid=stApp]').getAttribute('data-test-script-state') === 'notRunning'"


def start(script: Path, data: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, GARRISON_DATA=data, GARRISON_WATCH="0")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.headless", "true", "--server.fileWatcherType", "none"], cwd=script.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{script} did not start") from None
            time.sleep(0.2)


def load(browser, port: int) -> dict:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(f"http://localhost:{port}/", wait_until="commit")
        paint = page.wait_for_function(FRAME_AFTER, arg=MAP_DRAWN, timeout=300_000, polling="raf").json_value()
        charts = page.wait_for_function(FRAME_AFTER, arg=CHARTS_DRAWN, timeout=300_000, polling="raf").json_value()
        out = page.evaluate(RESOURCES, KEYS) | {"paint": paint, "charts": charts}
        page.wait_for_function(IDLE, timeout=120_000)
        page.wait_for_timeout(300)  # the page's last messages
        return out
    finally:
        ctx.close()


def main(argv: list[str]) -> int:
    data, n, scripts = argv[0], int(argv[1]), [Path(a).resolve() for a in argv[2:]]
    names = [f"{k}:{s.parent.name}" for k, s in enumerate(scripts)]
    procs, ports = [], {}
    try:
        for name, script in zip(names, scripts, strict=True):
            proc, ports[name] = start(script, data)
            procs.append(proc)
        rows: dict[str, list[dict]] = {v: [] for v in names}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for k in range(n + 1):
                for v in names if k % 2 == 0 else names[::-1]:
                    r = load(browser, ports[v])
                    if k:
                        rows[v].append(r)
                if k:
                    print(k, {v: round(rows[v][-1]["paint"]) for v in names}, f"load {os.getloadavg()[0]:.1f}", flush=True)
            browser.close()
        for v in names:
            rs = rows[v]
            print(f"== {v}: paint {statistics.median(r['paint'] for r in rs):.0f}  charts "
                  f"{statistics.median(r['charts'] for r in rs):.0f}  (n={len(rs)})")
            print("   timings", {t: statistics.median(r["t"][t] for r in rs if t in r["t"])
                                 for t in ("fetch", "init", "response", "parsed", "styled") if any(t in r["t"] for r in rs)})
            print("   requested", {key: statistics.median(r[key] for r in rs if key in r) for key in KEYS if any(key in r for r in rs)})
        first, last = names[0], names[-1]
        d = [b["paint"] - a["paint"] for a, b in zip(rows[first], rows[last], strict=True)]
        print(f"paired {last} - {first}: median {statistics.median(d):.0f} ms; {sum(x < 0 for x in d)}/{len(d)} loads faster")
    finally:
        for proc in procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
