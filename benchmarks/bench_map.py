"""Browser benchmark of the map: the real app (app.py) against a naive rebuild-everything app.

Run on demand (not a pytest test), from anywhere:

    python benchmarks/bench_map.py [--sizes bundled,1000,10000] [--runs 15]

For each size (``bundled`` = the project's data/ folder; a number = a synthetic folder written by
``benchmarks/synthetic.py`` into a temporary directory) both apps are started with
``python -m streamlit run`` (cwd = project root, env GARRISON_DATA, GARRISON_WATCH=0), one after
the other, and driven by headless Chromium (/usr/bin/chromium) in which every request that does
not go to localhost is aborted. Measured per app:

* first map paint: navigation start -> markers visible in the streamlit-folium iframe (Garrison:
  map container ``data-garrison-ready="1"`` and a visible ``.garrison-inst:not(.garrison-absent)``
  marker; naive: container ``data-naive-date`` set and a visible ``.garrison-inst`` marker).
  "cold" is the first page load after the server started (includes loading the data folder);
  "warm" is the median of --loads further loads, each in a fresh browser context (no HTTP cache).
* scrub latency: the slider thumb is focused and ArrowLeft (one day; ArrowRight at the start of
  the span) is pressed --runs times; latency = keydown -> the map shows the new date (Garrison:
  ``data-garrison-date`` on the map container equals the new date; naive: a component iframe
  whose map carries ``data-naive-date`` = the new date and a visible marker), polled every
  animation frame in the page, plus one more animation frame so that the browser's style, layout
  and paint work for the change is included (the same for first paint). Median and p90. The app
  is left idle (script not running, websocket quiet for 250 ms) between presses.
  It is split into input (keydown -> the rerun request leaves on the websocket), server (-> the
  last websocket message received before the map changed, i.e. the script rerun up to the
  map's delta) and render (-> new map on screen, incl. all main-thread work of the page, since
  the same-origin component iframe shares the page's main thread); "restyle js" is Garrison's
  own restyle() time (``data-garrison-restyle-ms``) and "last frame" the style/layout/paint frame
  after the change was seen (both are parts of render).
* page payload: decoded response bodies of one page load, split into Streamlit's own assets
  (main document, /static/*, /_stcore/*, favicon) and the map's (every request made by the
  component iframe, /component/*, /app/static/*); the websocket is not counted there but its
  received bytes are shown separately (per load and per scrub step).

Large sizes are slow (a naive 10k rerun takes tens of seconds), so --budget caps the time per app
and size: warm loads and scrub steps each get half of it, with at least 1 warm load and 3 steps;
the table's n column says how many steps were measured.

Prints one table, the naive/garrison ratios, the scrub breakdown, and the targets with PASS/FAIL
(exit status 1 if a target fails).
Servers are started in their own process groups and killed even on errors or Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(HERE)) if p not in sys.path]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
SLIDER_SELECTORS = ('[role=slider]', '[data-testid="stSlider"] input[type="range"]')
VIEWPORT = {"width": 1400, "height": 1000}
OFFLINE_ONLY = re.compile(r"^(?!(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?(/|$))")

TARGET_PAINT_1K_S = 2.0
TARGET_SCRUB_1K_MS = 150.0
TARGET_SCRUB_10K_MS = 250.0
TARGET_MAP_PAYLOAD_10K_MB = 3.0

# --- in-page instrumentation (top frame only) -------------------------------------------------
INIT_JS = r"""
(() => {
  if (window.top !== window || window.__bench) return;
  const B = window.__bench = { key: null, log: [] };
  document.addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") B.key = performance.now();
  }, true);
  const size = (d) => typeof d === "string" ? d.length : (d.byteLength !== undefined ? d.byteLength : (d.size || 0));
  const WS = window.WebSocket, send = WS.prototype.send;
  WS.prototype.send = function (d) { B.log.push([performance.now(), 1, size(d)]); return send.call(this, d); };
  window.WebSocket = new Proxy(WS, { construct(target, args) {
    const ws = new target(...args);
    ws.addEventListener("message", (e) => B.log.push([performance.now(), 0, size(e.data)]));
    return ws;
  } });
})();
"""

JS_HELPERS = "const IFRAME = " + json.dumps(IFRAME) + ";\n" + r"""
function visible(el) {
  if (!el || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  const s = el.ownerDocument.defaultView.getComputedStyle(el);
  return s.visibility !== "hidden" && s.display !== "none" && parseFloat(s.opacity || "1") > 0;
}
function docs() {
  const out = [];
  for (const f of document.querySelectorAll(IFRAME)) {
    try { if (f.contentDocument) out.push(f.contentDocument); } catch (e) {}
  }
  return out;
}
"""

# Conditions: true once the map shows what is awaited, false before, or an error string.
PAINT_COND = {
    "garrison": r"""
for (const d of docs()) {
  const err = d.querySelector("[data-garrison-error]");
  if (err) return "map error: " + err.getAttribute("data-garrison-error");
  const box = d.querySelector('[data-garrison-ready="1"]');
  if (!box || !box.getAttribute("data-garrison-date")) continue;
  for (const m of box.querySelectorAll(".leaflet-marker-pane .garrison-inst:not(.garrison-absent)")) {
    if (visible(m)) return true;
  }
}
return false;
""",
    "naive": r"""
for (const d of docs()) {
  const box = d.querySelector("[data-naive-date]");
  if (!box) continue;
  if (box.getAttribute("data-naive-count") === "0") return true;
  for (const m of box.querySelectorAll(".garrison-inst")) { if (visible(m)) return true; }
}
return false;
""",
}
DATE_COND = {
    "garrison": r"""
for (const d of docs()) {
  const err = d.querySelector("[data-garrison-error]");
  if (err) return "map error: " + err.getAttribute("data-garrison-error");
  const box = d.querySelector("[data-garrison-date]");
  if (box && box.getAttribute("data-garrison-date") === expected) return true;
}
return false;
""",
    "naive": r"""
for (const d of docs()) {
  const box = d.querySelector('[data-naive-date="' + expected + '"]');
  if (!box) continue;
  if (box.getAttribute("data-naive-count") === "0") return true;
  for (const m of box.querySelectorAll(".garrison-inst")) { if (visible(m)) return true; }
}
return false;
""",
}

# The whole page has caught up with the step: the script's rerun is over and what it drew shows the
# new date (Garrison's big date; the naive page has nothing but its map, so its map is the page).
PAGE_COND = {
    "garrison": r"""
const app = document.querySelector('[data-testid="stApp"]');
const big = document.querySelector('[data-testid="garrison-date"]');
return !!(app && big && app.getAttribute("data-test-script-state") === "notRunning" && big.textContent.trim() === expected);
""",
    "naive": DATE_COND["naive"],
}


def awaiting(cond: str) -> str:
    """A wait_for_function predicate (polled every animation frame) for `cond`.

    When `cond` first holds (time `seen`), one more animation frame is awaited: its callback
    runs after the browser has done the style, layout and paint work of the frame in which the
    change was seen (for 10k restyled markers that is most of the cost), so `painted` is when the
    new map is on screen. Returns {seen, painted} (page clock, ms since navigation) or {error}.
    """
    return "(a) => {\n" + JS_HELPERS + r"""
const expected = a.expected, B = window.__bench;
if (B.done && B.done.token === a.token) return B.done;
if (B.pending === a.token) return false;
const r = (() => {
""" + cond + r"""
})();
if (typeof r === "string") return { error: r };
if (!r) return false;
B.pending = a.token;
const seen = performance.now();
requestAnimationFrame(() => { B.done = { token: a.token, seen: seen, painted: performance.now() }; });
return false;
}"""


RESTYLE_JS = "() => {\n" + JS_HELPERS + r"""
for (const d of docs()) {
  const box = d.querySelector("[data-garrison-restyle-ms]");
  if (box) return parseFloat(box.getAttribute("data-garrison-restyle-ms"));
}
return null;
}"""
IDLE_JS = r"""
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const log = (window.__bench || {}).log || [];
  const last = log.length ? log[log.length - 1][0] : 0;
  return performance.now() - last >= quietMs;
}
"""


# --- servers ---------------------------------------------------------------------------------
_GROUPS: set[int] = set()


def _kill_group(pgid: int, grace: float = 5.0) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    _GROUPS.discard(pgid)


def _kill_all() -> None:
    for pgid in list(_GROUPS):
        _kill_group(pgid, grace=2.0)


atexit.register(_kill_all)


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)  # unwinds through every `finally`, then atexit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: Path, data_dir: Path, log_path: Path, timeout: float = 120.0):
    """A Streamlit server in its own process group; yields the base URL; always killed."""
    with streamlit_process(script, data_dir, log_path, timeout) as (url, _proc):
        yield url


@contextlib.contextmanager
def streamlit_process(script: Path, data_dir: Path, log_path: Path, timeout: float = 120.0, cwd: Path = ROOT,
                      watch: bool = False):
    """``streamlit_server`` yielding (base URL, process), run from ``cwd`` (whose .streamlit/ applies).

    ``watch``: as ./scripts/run serves the app, with the data folder and the script watched."""
    port = free_port()
    env = dict(os.environ, GARRISON_DATA=str(data_dir), PYTHONUNBUFFERED="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.headless", "true"]
    if not watch:
        env["GARRISON_WATCH"] = "0"
        cmd += ["--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    _GROUPS.add(proc.pid)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({proc.returncode}); see {log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not come up in {timeout:.0f} s; see {log_path}")
            time.sleep(0.1)
        yield f"http://localhost:{port}/", proc
    finally:
        _kill_group(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)


# --- measurements ----------------------------------------------------------------------------
@dataclass
class Payload:
    framework: int = 0
    map: int = 0
    framework_wire: int = 0
    map_wire: int = 0
    requests: int = 0
    aborted: list[str] = field(default_factory=list)
    ws_in: int = 0


@dataclass
class AppResult:
    app: str
    cold_paint_s: float | None = None
    paints_s: list[float] = field(default_factory=list)
    scrub_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    input_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    render_ms: list[float] = field(default_factory=list)
    paint_ms: list[float] = field(default_factory=list)
    restyle_ms: list[float] = field(default_factory=list)
    ws_step: list[int] = field(default_factory=list)
    payload: Payload | None = None
    error: str | None = None

    @property
    def paint_s(self) -> float | None:
        return statistics.median(self.paints_s) if self.paints_s else self.cold_paint_s


@dataclass
class SizeResult:
    label: str
    n_inst: int
    apps: dict[str, AppResult] = field(default_factory=dict)


def pctl(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def is_map_request(req, main_frame) -> bool:
    path = re.sub(r"^https?://[^/]+", "", req.url)
    if path.startswith(("/component/", "/app/static/")):
        return True
    try:
        return req.frame != main_frame
    except Exception:  # noqa: BLE001 - a detached frame is the component iframe
        return True


def body_size(req) -> tuple[int, int]:
    """(decoded body bytes, bytes on the wire) of a finished request.

    A precompressed file (``.gz``: the map's data, the basemap) counts as the bytes it inflates
    to in the page, as a .json the server gzips on the fly did before.
    """
    wire = 0
    with contextlib.suppress(Exception):
        wire = int(req.sizes().get("responseBodySize") or 0)
    decoded = wire
    with contextlib.suppress(Exception):
        resp = req.response()
        if resp is not None:
            body = resp.body()
            gz = urllib.parse.urlsplit(req.url).path.endswith(".gz") and body[:2] == b"\x1f\x8b"
            decoded = len(gzip.decompress(body)) if gz else len(body)
    return decoded, wire


class Bench:
    def __init__(self, browser, args):
        self.browser = browser
        self.args = args

    def new_page(self):
        ctx = self.browser.new_context(viewport=VIEWPORT, service_workers="block")
        aborted: list[str] = []

        def abort(route):
            aborted.append(route.request.url)
            route.abort()

        ctx.route(OFFLINE_ONLY, abort)
        ctx.add_init_script(INIT_JS)
        page = ctx.new_page()
        page.set_default_timeout(self.args.timeout * 1000)
        return ctx, page, aborted

    def wait_map(self, page, cond: str, token: str, expected: str | None = None) -> dict:
        t = page.wait_for_function(awaiting(cond), arg={"token": token, "expected": expected},
                                   polling="raf").json_value()
        if t.get("error"):
            raise RuntimeError(t["error"])
        return t

    def wait_idle(self, page, quiet_ms: int = 250) -> None:
        page.wait_for_function(IDLE_JS, arg=quiet_ms, polling=50)

    def load(self, url: str, app: str, collect: bool = False):
        """One page load in a fresh context: (first paint s, Payload or None, ctx, page)."""
        ctx, page, aborted = self.new_page()
        finished: list = []
        if collect:
            ctx.on("requestfinished", lambda req: finished.append(req))
        page.goto(url, wait_until="commit")
        t = self.wait_map(page, PAINT_COND[app], "paint")
        paint_s = t["painted"] / 1000.0
        payload = None
        if collect:
            self.slider(page)  # Garrison's whole page (drawn after the map's first paint), not just the map
            self.wait_idle(page)
            main = page.main_frame
            payload = Payload(requests=len(finished), aborted=list(aborted))
            for req in finished:
                decoded, wire = body_size(req)
                if is_map_request(req, main):
                    payload.map += decoded
                    payload.map_wire += wire
                else:
                    payload.framework += decoded
                    payload.framework_wire += wire
            payload.ws_in = int(page.evaluate(
                "() => window.__bench.log.filter(e => e[1] === 0).reduce((a, e) => a + e[2], 0)"))
        return paint_s, payload, ctx, page

    def slider(self, page):
        # Garrison draws its slider on the rerun that follows the map's first paint: wait for it
        page.wait_for_function("(sels) => sels.some((s) => document.querySelector(s))", arg=list(SLIDER_SELECTORS),
                               polling=50)
        for sel in SLIDER_SELECTORS:
            loc = page.locator(sel)
            if loc.count():
                return loc.first
        raise RuntimeError("no slider thumb found")

    def scrub(self, page, app: str, res: AppResult, runs: int, budget_s: float) -> None:
        self.wait_idle(page)
        thumb = self.slider(page)
        t_start = t_step = time.monotonic()
        for i in range(runs):
            now = time.monotonic()
            if i >= 3 and (now - t_start) + (now - t_step) > budget_s / 2:
                break  # the next step would likely end past half the budget
            t_step = now
            cur = thumb.get_attribute("aria-valuetext") or ""
            day = dt.date.fromisoformat(cur[:10])
            at_min = thumb.evaluate("e => e.min !== undefined && e.value === e.min")
            key, expected = ("ArrowRight", day + dt.timedelta(days=1)) if at_min else \
                ("ArrowLeft", day - dt.timedelta(days=1))
            n_log = page.evaluate("() => window.__bench.log.length")
            thumb.focus()
            page.keyboard.press(key)
            shown = self.wait_map(page, DATE_COND[app], f"step-{i}", expected.isoformat())
            done = shown["painted"]
            settled = self.wait_map(page, PAGE_COND[app], f"page-{i}", expected.isoformat())
            self.wait_idle(page)
            key_t, log = page.evaluate("(n) => [window.__bench.key, window.__bench.log.slice(n)]", n_log)
            if key_t is None:
                raise RuntimeError("keydown not seen by the page")
            res.scrub_ms.append(done - key_t)
            res.page_ms.append(max(settled["painted"], done) - key_t)
            res.paint_ms.append(shown["painted"] - shown["seen"])
            restyle = page.evaluate(RESTYLE_JS)  # Garrison's own timing of restyle(), if exposed
            if restyle is not None:
                res.restyle_ms.append(float(restyle))
            sent = [t for t, out, _ in log if out and t >= key_t]
            if sent:
                res.input_ms.append(sent[0] - key_t)
                back = [t for t, out, _ in log if not out and sent[0] <= t <= shown["seen"]]
                if back:  # the last message before the map changed carried (or followed) the map's delta
                    res.server_ms.append(back[-1] - sent[0])
                    res.render_ms.append(done - back[-1])
            res.ws_step.append(sum(n for t, out, n in log if not out and t >= key_t))

    def run_app(self, url: str, app: str, budget_s: float) -> AppResult:
        res = AppResult(app)
        # cold: first load after the server started (data folder loaded by the first session)
        paint, payload, ctx, _ = self.load(url, app, collect=True)
        res.cold_paint_s, res.payload = paint, payload
        ctx.close()
        # warm loads: another one starts only if it should end within half the budget
        t0 = time.monotonic()
        page = ctx = None
        for _ in range(self.args.loads):
            if ctx is not None:
                ctx.close()
            t_load = time.monotonic()
            paint, _, ctx, page = self.load(url, app)
            res.paints_s.append(paint)
            if (time.monotonic() - t0) + (time.monotonic() - t_load) > budget_s / 2:
                break
        if page is None:
            paint, _, ctx, page = self.load(url, app)
        try:
            self.scrub(page, app, res, self.args.runs, budget_s)
        finally:
            ctx.close()
        return res


# --- datasets --------------------------------------------------------------------------------
def prepare(sizes: list[str], tmp: Path) -> list[tuple[str, Path]]:
    out = []
    for s in sizes:
        if s == "bundled":
            out.append(("bundled", ROOT / "data"))
            continue
        n = int(s)
        folder = tmp / f"synthetic-{n}"
        import synthetic  # benchmarks/synthetic.py (read-only)

        t = time.perf_counter()
        synthetic.write_dataset(folder, n)
        print(f"  wrote synthetic {n} installations in {time.perf_counter() - t:.1f} s", flush=True)
        out.append((f"{n:,}", folder))
    return out


def count_installations(folder: Path) -> int:
    inst = folder / "installations"
    return sum(1 for p in inst.glob("*.y*ml") if not p.name.startswith(".")) if inst.is_dir() else 0


def naive_script(tmp: Path) -> Path:
    """naive_app.py run from a folder whose static/ is the project's (Streamlit serves
    <script dir>/static at /app/static, and the offline Leaflet lives in the project's static/)."""
    folder = tmp / "naive"
    folder.mkdir(exist_ok=True)
    link = folder / "static"
    if not link.exists():
        link.symlink_to(ROOT / "static", target_is_directory=True)
    script = folder / "naive_app.py"
    if not script.exists():
        script.symlink_to(HERE / "naive_app.py")
    return script


# --- report ----------------------------------------------------------------------------------
def fmt(v, spec=".2f", none="—"):
    return none if v is None else format(v, spec)


def mb(n):
    return None if n is None else n / 1e6


def table(rows: list[list[str]], head: list[str]) -> str:
    w = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(str(c).rjust(w[i]) if i > 1 else str(c).ljust(w[i]) for i, c in enumerate(r))  # noqa: E731
    return "\n".join([line(head), "  ".join("-" * x for x in w), *map(line, rows)])


def report(results: list[SizeResult]) -> tuple[str, bool]:
    head = ["size", "app", "inst", "paint cold s", "paint warm s", "scrub med ms", "scrub p90 ms", "page med ms", "n",
            "framework MB", "map MB", "map MB wire", "ws/load MB", "ws/step KB"]
    rows = []
    for sr in results:
        for name in ("garrison", "naive"):
            r = sr.apps.get(name)
            if r is None:
                continue
            if r.error:
                rows.append([sr.label, name, sr.n_inst, "ERROR: " + r.error[:80], *[""] * 10])
                continue
            p = r.payload or Payload()
            rows.append([sr.label, name, sr.n_inst, fmt(r.cold_paint_s), fmt(r.paint_s),
                         fmt(statistics.median(r.scrub_ms) if r.scrub_ms else None, ".0f"),
                         fmt(pctl(r.scrub_ms, 0.9), ".0f"),
                         fmt(statistics.median(r.page_ms) if r.page_ms else None, ".0f"), len(r.scrub_ms),
                         fmt(mb(p.framework)), fmt(mb(p.map), ".3f"), fmt(mb(p.map_wire), ".3f"),
                         fmt(mb(p.ws_in), ".3f"),
                         fmt(statistics.median(r.ws_step) / 1e3 if r.ws_step else None, ".1f")])
    out = [table(rows, head), ""]

    rrows = []
    for sr in results:
        g, n = sr.apps.get("garrison"), sr.apps.get("naive")
        if not g or not n or g.error or n.error:
            continue
        ratio = lambda a, b: None if not a or not b else a / b  # noqa: E731
        rrows.append([sr.label, "naive/garrison", fmt(ratio(n.paint_s, g.paint_s), ".1f") + "x",
                      fmt(ratio(statistics.median(n.scrub_ms) if n.scrub_ms else None,
                                statistics.median(g.scrub_ms) if g.scrub_ms else None), ".1f") + "x",
                      fmt(ratio(pctl(n.scrub_ms, .9), pctl(g.scrub_ms, .9)), ".1f") + "x"])
    if rrows:
        out += [table(rrows, ["size", "ratio", "first paint (warm)", "scrub median", "scrub p90"]), ""]

    brows = []
    for sr in results:
        for name, r in sr.apps.items():
            if r.error or not r.scrub_ms:
                continue
            brows.append([sr.label, name, fmt(statistics.median(r.input_ms) if r.input_ms else None, ".0f"),
                          fmt(statistics.median(r.server_ms) if r.server_ms else None, ".0f"),
                          fmt(statistics.median(r.render_ms) if r.render_ms else None, ".0f"),
                          fmt(statistics.median(r.restyle_ms) if r.restyle_ms else None, ".1f"),
                          fmt(statistics.median(r.paint_ms) if r.paint_ms else None, ".0f"),
                          fmt(statistics.median(r.scrub_ms), ".0f")])
    if brows:
        out += ["scrub breakdown (medians, ms): input = keydown -> rerun request sent on the websocket; "
                "server = -> last websocket message received before the map showed the date (the "
                "script rerun up to the map's delta); render = -> new map on screen (the frame after the change "
                "was seen in the DOM); restyle js = Garrison's restyle() (data-garrison-restyle-ms); last frame = "
                "the style/layout/paint frame after the change was seen (part of render). Garrison's map follows "
                "the slider in the browser, so its map usually changes before the rerun answers: then server and "
                "render are not recorded for that step, and 'page med ms' (keydown -> the rerun's own output, the "
                "big date, on screen) is the time for the whole page",
                table(brows, ["size", "app", "input", "server", "render", "restyle js", "last frame", "total"]), ""]

    checks = []
    by = {sr.label: sr for sr in results}

    def check(label, size, metric, limit, unit):
        sr = by.get(size)
        g = sr.apps.get("garrison") if sr else None
        if g is None or g.error:
            checks.append([label, f"<= {limit:g} {unit}", "not run", "SKIP"])
            return True
        v = metric(g)
        ok = v is not None and v <= limit
        checks.append([label, f"<= {limit:g} {unit}", fmt(v, ".2f" if unit in ("s", "MB") else ".0f"),
                       "PASS" if ok else "FAIL"])
        return ok

    ok = True
    ok &= check("first paint @1k (warm)", "1,000", lambda g: g.paint_s, TARGET_PAINT_1K_S, "s")
    ok &= check("scrub median @1k", "1,000", lambda g: statistics.median(g.scrub_ms) if g.scrub_ms else None,
                TARGET_SCRUB_1K_MS, "ms")
    ok &= check("scrub median @10k", "10,000", lambda g: statistics.median(g.scrub_ms) if g.scrub_ms else None,
                TARGET_SCRUB_10K_MS, "ms")
    ok &= check("map payload @10k", "10,000", lambda g: mb(g.payload.map) if g.payload else None,
                TARGET_MAP_PAYLOAD_10K_MB, "MB")
    out += ["targets (Garrison app)", table(checks, ["target", "limit", "value", "result"])]
    aborted = sorted({u for sr in results for r in sr.apps.values() if r.payload for u in r.payload.aborted})
    if aborted:
        out += ["", f"aborted non-localhost requests ({len(aborted)}):", *("  " + u for u in aborted[:20])]
    return "\n".join(out), ok


# --- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,1000,10000",
                    help="comma-separated: 'bundled' (data/) and/or numbers of synthetic installations")
    ap.add_argument("--runs", type=int, default=15, help="slider steps per app and size (default 15)")
    ap.add_argument("--loads", type=int, default=3, help="warm page loads per app and size (default 3)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per app and size: warm loads and scrub steps each get half; a new "
                         "one starts only if it should end within its half (at least 1 warm load and "
                         "3 scrub steps always run) (default 60)")
    ap.add_argument("--apps", default="garrison,naive", help="which apps (default garrison,naive)")
    ap.add_argument("--timeout", type=float, default=180.0, help="per wait, seconds (default 180)")
    ap.add_argument("--garrison-script", type=Path, default=ROOT / "app.py",
                    help="the Garrison app to run (default app.py; e.g. a candidate fix kept elsewhere)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (data, server logs)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw numbers as JSON")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="garrison-bench-map-"))
    results: list[SizeResult] = []
    t_all = time.perf_counter()
    try:
        print(f"preparing data in {tmp}", flush=True)
        datasets = prepare(sizes, tmp)
        scripts = {"garrison": args.garrison_script.resolve(), "naive": naive_script(tmp)}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            bench = Bench(browser, args)
            try:
                for label, folder in datasets:
                    sr = SizeResult(label, count_installations(folder))
                    results.append(sr)
                    for app in apps:
                        t = time.perf_counter()
                        print(f"[{label}] {app} ...", end="", flush=True)
                        log = tmp / f"server-{app}-{label.replace(',', '')}.log"
                        try:
                            with streamlit_server(scripts[app], folder, log) as url:
                                sr.apps[app] = bench.run_app(url, app, args.budget)
                        except (RuntimeError, Exception) as e:  # noqa: BLE001 - report and go on
                            if isinstance(e, KeyboardInterrupt):
                                raise
                            traceback.print_exc(file=sys.stderr)
                            sr.apps[app] = AppResult(app, error=f"{type(e).__name__}: {e}".splitlines()[0])
                            print(f" ERROR {sr.apps[app].error} (server log: {log})", end="")
                            args.keep = True
                        print(f" {time.perf_counter() - t:.0f} s", flush=True)
            finally:
                browser.close()
    finally:
        _kill_all()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    text, ok = report(results)
    print()
    print(text)
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps([{
            "size": sr.label, "installations": sr.n_inst,
            "apps": {k: {**{f: getattr(v, f) for f in ("cold_paint_s", "paints_s", "scrub_ms", "page_ms", "input_ms",
                                                        "server_ms", "render_ms", "restyle_ms", "paint_ms",
                                                        "ws_step", "error")},
                         "payload": vars(v.payload) if v.payload else None}
                     for k, v in sr.apps.items()}} for sr in results], indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
