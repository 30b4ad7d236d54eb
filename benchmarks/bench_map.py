"""Browser benchmark of the map: the real app (app.py) against a naive rebuild-everything app.

Run on demand (not a pytest test), from anywhere, with the project's Python:

    .venv/bin/python benchmarks/bench_map.py [--sizes bundled,1000,10000,100000] [--runs 15]

For each size (``bundled`` = the project's data/ folder; a number = a synthetic folder written by
``benchmarks/synthetic.py``) each app is started with ``python -m streamlit run`` (cwd = project
root, env GARRISON_DATA, GARRISON_WATCH=0), one server at a time, and driven by headless Chromium
(/usr/bin/chromium) in which every request that does not go to localhost is aborted.

Garrison's map is a Custom Components v2 component in the page itself: its ``.leaflet-container``
carries ``data-garrison-ready="1"`` once drawn, ``data-garrison-date`` / ``-visible`` /
``-restyle-ms``, and ``.garrison.timings`` (performance.now() ms of init, fetch, response,
downloaded, parsed, built, styled, painted). Its timeline is in the component
(``input[type=range][aria-label=Date]``, Play, Speed, Step). Measured per size:

* first paint: navigation start -> the map is drawn (Garrison: ``data-garrison-ready="1"``;
  naive: an iframe whose map has ``data-naive-date`` and a visible marker), polled every
  animation frame, plus the next frame (so the style/layout/paint work is counted). "cold" is
  the first load after the server started (it loads the data folder); "warm" is the median of
  --loads loads in fresh browser contexts (empty HTTP cache), at the benchmark's date; each
  warm load ends when the page is idle (its own reruns over), so the next starts on an idle server.
* charts (Garrison, warm): navigation start -> the operator chart's marks are drawn, plus a frame
  (a fresh page draws its charts on the run its map asks for once it has painted).
* step: the Date slider is focused and ArrowRight (+1 day) pressed --runs times; latency =
  keydown (the event's timestamp) -> ``data-garrison-date`` is the new date (a MutationObserver)
  -> the next frame has been painted (requestAnimationFrame, then a task). Median and p95, and
  Garrison's own ``data-garrison-restyle-ms``. Naive: keydown on the st.slider -> an iframe shows
  the new date with a marker, plus a frame.
* page after a released step (Garrison): keyup -> the rerun the release asked for is over and
  the permalink has the date (stApp ``data-test-script-state="notRunning"`` and ``?date=`` in
  the URL), plus a frame.
* play (Garrison, --play-sizes): Speed "fastest (60 fps)", Step "step: day", Play for
  --play-seconds: steps per second achieved against 60, the page's frame rate idle and while
  playing, frame interval p95, restyle time during play.
* payload: the map's ``garrison-<hash>.bin.gz`` as transferred and decoded (checked with
  garrison.render.payload.decode_payload), and every response of the cold load (page total).
* server memory: VmRSS of the streamlit process after the loads and steps (and VmHWM, its peak).

The app is idle (script not running, websocket quiet for 250 ms) before every step. Warm loads
and steps get half of --budget seconds each per app and size (at least 1 load, 3 steps). The
benchmark's date is the span's last day minus 730 days (or the first day), read from the slider
on the cold load, and both apps are opened at it (``?date=``), so they show the same markers.

Prints the tables, the naive/garrison ratios and the targets with PASS/FAIL (exit status 1 if a
target fails). Servers run in their own process groups and are killed even on errors or Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import dataclasses
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
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [p for p in (str(ROOT / "src"), str(HERE)) if p not in sys.path]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
OFFLINE_ONLY = re.compile(r"^(?!(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?(/|$))")
PAYLOAD_URL = re.compile(r"/garrison-[0-9a-f]+\.bin(\.gz)?$")
EPOCH = dt.date(1970, 1, 1)
BACK_DAYS = 730  # the benchmark's date: this many days before the span's end

# Targets (the issue's), Garrison app.
T_PAINT_1K_S = 1.2
T_PAINT_10K_S = 1.8
T_PAINT_VS_NAIVE = 0.5
T_STEP_1K_MS = 16.0
T_STEP_10K_MS = 50.0
T_PLAY_10K_STEPS = 0.9 * 60  # keeps pace: at least 90 % of 60 steps per second
T_LOAD_100K_S = 6.0
T_STEP_100K_MS = 250.0
T_PAYLOAD_100K_MB = 12.0
T_PAGE_1K_MS = 200.0

# --- in-page instrumentation (top frame only) -------------------------------------------------
INIT_JS = r"""
(() => {
  if (window.top !== window || window.__bench) return;
  const B = window.__bench = { keydown: null, keyup: null, log: [] };
  const stamp = (e) => { const t = performance.now(); return e.timeStamp > 0 && e.timeStamp <= t ? e.timeStamp : t; };
  window.addEventListener("keydown", (e) => { if (e.key.startsWith("Arrow")) B.keydown = stamp(e); }, true);
  window.addEventListener("keyup", (e) => { if (e.key.startsWith("Arrow")) B.keyup = stamp(e); }, true);
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

JS_HELPERS = r"""
function visible(el) {
  if (!el || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  const s = el.ownerDocument.defaultView.getComputedStyle(el);
  return s.visibility !== "hidden" && s.display !== "none" && parseFloat(s.opacity || "1") > 0;
}
function frameDocs() {
  const out = [];
  for (const f of document.querySelectorAll("iframe")) {
    try { if (f.contentDocument) out.push(f.contentDocument); } catch (e) {}
  }
  return out;
}
function naiveShows(expected) {
  for (const d of frameDocs()) {
    const box = d.querySelector(expected ? '[data-naive-date="' + expected + '"]' : "[data-naive-date]");
    if (!box) continue;
    if (box.getAttribute("data-naive-count") === "0") return true;
    for (const m of box.querySelectorAll(".garrison-inst")) { if (visible(m)) return true; }
  }
  return false;
}
"""

# Conditions: true once the page shows what is awaited, false before, or an error string.
PAINT_COND = {
    "garrison": r"""
const box = document.querySelector(".leaflet-container");
if (!box) return false;
if (box.hasAttribute("data-garrison-error")) return "map error: " + box.getAttribute("data-garrison-error");
return box.getAttribute("data-garrison-ready") === "1" && box.hasAttribute("data-garrison-visible");
""",
    "naive": "return naiveShows(null);",
}
NAIVE_DATE_COND = "return naiveShows(expected);"
#: Garrison's whole page drawn: the operator chart's marks (a fresh page draws them on the run after the map's paint)
CHARTS_COND = "return !!document.querySelector('[data-testid=\"stVegaLiteChart\"] svg .role-mark');"


def awaiting(cond: str) -> str:
    """A wait_for_function predicate (polled every animation frame) for `cond`.

    When `cond` first holds (at `seen`, in a rAF callback, before that frame's paint), the next
    rAF callback comes after that frame was painted: `painted`. Returns {seen, painted} (ms since
    navigation) or {error}.
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


# Before a Garrison step: watch for the new date on the map (keydown -> restyled -> painted) and
# for the page after the release (keyup -> script run over and the permalink has the date).
ARM_STEP_JS = r"""
(expected) => {
  const B = window.__bench, box = document.querySelector(".leaflet-container");
  const app = document.querySelector('[data-testid="stApp"]');
  B.keydown = B.keyup = null;
  const s = B.step = { expected, seen: null, painted: null, restyle: null, pageAt: null, pagePainted: null };
  const after = (f) => requestAnimationFrame(() => setTimeout(f, 0));
  const mapObs = new MutationObserver(() => {
    if (s.seen !== null || box.getAttribute("data-garrison-date") !== expected) return;
    s.seen = performance.now();
    s.restyle = parseFloat(box.getAttribute("data-garrison-restyle-ms"));
    mapObs.disconnect();
    after(() => { s.painted = performance.now(); });
  });
  mapObs.observe(box, { attributes: true, attributeFilter: ["data-garrison-date"] });
  const pageOk = () => B.keyup !== null && app.getAttribute("data-test-script-state") === "notRunning"
    && new URLSearchParams(location.search).get("date") === expected;
  const check = () => {
    if (s.pageAt !== null || !pageOk()) return;
    s.pageAt = performance.now();
    appObs.disconnect();
    after(() => { s.pagePainted = performance.now(); });
  };
  const appObs = new MutationObserver(check);
  appObs.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  const loop = () => { check(); if (s.pageAt === null) requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
}
"""

IDLE_JS = r"""
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const log = (window.__bench || {}).log || [];
  const last = log.length ? log[log.length - 1][0] : 0;
  return performance.now() - last >= quietMs;
}
"""

MAP_STATE_JS = r"""
() => {
  const box = document.querySelector(".leaflet-container"), g = box && box.garrison;
  const slider = document.querySelector('input[type=range][aria-label="Date"]');
  return box && {
    date: box.getAttribute("data-garrison-date"), visible: +box.getAttribute("data-garrison-visible"),
    version: box.getAttribute("data-garrison-version"), restyle: parseFloat(box.getAttribute("data-garrison-restyle-ms")),
    timings: g ? Object.assign({}, g.timings) : null,
    min: slider ? +slider.min : null, max: slider ? +slider.max : null, value: slider ? +slider.value : null,
  };
}
"""

FPS_JS = r"""
(ms) => new Promise((resolve) => {
  const t = [];
  const f = (now) => { t.push(now); if (now - t[0] < ms) requestAnimationFrame(f); else resolve(t); };
  requestAnimationFrame(f);
})
"""

ARM_PLAY_JS = r"""
() => {
  const B = window.__bench, box = document.querySelector(".leaflet-container");
  const p = B.play = { changes: [], restyle: [], frames: [], on: true };
  p.obs = new MutationObserver(() => {
    p.changes.push([performance.now(), box.getAttribute("data-garrison-date")]);
    p.restyle.push(parseFloat(box.getAttribute("data-garrison-restyle-ms")));
  });
  p.obs.observe(box, { attributes: true, attributeFilter: ["data-garrison-date"] });
  const f = (now) => { p.frames.push(now); if (p.on) requestAnimationFrame(f); };
  requestAnimationFrame(f);
}
"""

READ_PLAY_JS = r"""
() => {
  const p = window.__bench.play;
  p.on = false;
  p.obs.disconnect();
  return { changes: p.changes, restyle: p.restyle, frames: p.frames };
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


def memory_mb(pid: int) -> tuple[float | None, float | None]:
    """(VmRSS, VmHWM) of a process in MB (Linux /proc)."""
    out = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024.0
    return out.get("VmRSS"), out.get("VmHWM")


# --- measurements ----------------------------------------------------------------------------
@dataclass
class Payload:
    page: int = 0  # decoded bytes of every response of the load
    page_wire: int = 0
    requests: int = 0
    data_url: str | None = None
    data_wire: int | None = None  # the map's garrison-<hash>.bin.gz as transferred
    data_decoded: int | None = None  # ... and inflated (what decode_payload reads)
    data_installations: int | None = None
    aborted: list[str] = field(default_factory=list)
    ws_in: int = 0


@dataclass
class Play:
    steps_per_s: float | None = None
    steps: int = 0
    seconds: float = 0.0
    idle_fps: float | None = None
    play_fps: float | None = None
    frame_p95_ms: float | None = None
    frame_max_ms: float | None = None
    restyle_med_ms: float | None = None
    restyle_p95_ms: float | None = None


@dataclass
class AppResult:
    app: str
    date: str | None = None  # the benchmark's date
    visible: int | None = None
    cold_paint_s: float | None = None
    paints_s: list[float] = field(default_factory=list)
    charts_s: list[float] = field(default_factory=list)  # Garrison: navigation -> the operator chart drawn
    timings: list[dict] = field(default_factory=list)  # Garrison's .garrison.timings per warm load
    step_ms: list[float] = field(default_factory=list)
    restyle_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    ws_step: list[int] = field(default_factory=list)
    play: Play | None = None
    payload: Payload | None = None
    rss_mb: float | None = None
    hwm_mb: float | None = None
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


def med(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def body_size(req) -> tuple[int, int, bytes | None]:
    """(decoded body bytes, bytes on the wire, body) of a finished request."""
    wire = 0
    with contextlib.suppress(Exception):
        wire = int(req.sizes().get("responseBodySize") or 0)
    decoded, body = wire, None
    with contextlib.suppress(Exception):
        resp = req.response()
        if resp is not None:
            body = resp.body()
            decoded = len(body)
    return decoded, wire, body


def day_iso(day: float) -> str:
    return (EPOCH + dt.timedelta(days=int(day))).isoformat()


class MapError(RuntimeError):
    payload: Payload | None = None
    ctx = None


class Bench:
    def __init__(self, browser, args):
        self.browser = browser
        self.args = args

    def new_page(self, timeout_s: float | None = None):
        ctx = self.browser.new_context(viewport=VIEWPORT, service_workers="block")
        aborted: list[str] = []

        def abort(route):
            aborted.append(route.request.url)
            route.abort()

        ctx.route(OFFLINE_ONLY, abort)
        ctx.add_init_script(INIT_JS)
        page = ctx.new_page()
        page.set_default_timeout((timeout_s or self.args.timeout) * 1000)
        return ctx, page, aborted

    def wait(self, page, cond: str, token: str, expected: str | None = None) -> dict:
        t = page.wait_for_function(awaiting(cond), arg={"token": token, "expected": expected},
                                   polling="raf").json_value()
        if t.get("error"):
            raise RuntimeError(t["error"])
        return t

    def wait_idle(self, page, quiet_ms: int = 250) -> None:
        page.wait_for_function(IDLE_JS, arg=quiet_ms, polling=50)

    def load(self, url: str, app: str, collect: bool = False, timeout_s: float | None = None):
        """One page load in a fresh context: (first paint s, Payload or None, ctx, page).

        A map error raises MapError, with the payload as far as it came and the page's stack."""
        ctx, page, aborted = self.new_page(timeout_s)
        finished: list = []
        stacks: list[str] = []

        def console(msg):
            if msg.type in ("warning", "error") and "Garrison" in msg.text:
                with contextlib.suppress(Exception):
                    stacks.append(" | ".join(str(a.evaluate("e => e && e.stack ? e.stack : String(e)")) for a in msg.args))

        page.on("console", console)
        if collect:
            ctx.on("requestfinished", lambda req: finished.append(req))
        page.goto(url, wait_until="commit")
        try:
            t = self.wait(page, PAINT_COND[app], "paint")
        except RuntimeError as e:
            time.sleep(0.5)
            err = MapError(str(e) + (" -- " + stacks[0].replace("\n", " / ") if stacks else ""))
            err.payload, err.ctx = self.collect(page, finished, aborted), ctx
            raise err from None
        paint_s = t["painted"] / 1000.0
        payload = None
        if collect:
            self.wait_idle(page)
            payload = self.collect(page, finished, aborted)
        return paint_s, payload, ctx, page

    def collect(self, page, finished, aborted) -> Payload:
        if True:
            payload = Payload(requests=len(finished), aborted=list(aborted))
            for req in finished:
                decoded, wire, body = body_size(req)
                path = req.url.split("?")[0]
                if PAYLOAD_URL.search(path) and path.endswith(".gz") and body is not None:
                    payload.data_url, payload.data_wire = path, wire
                    if body[:2] == b"\x1f\x8b":
                        body = gzip.decompress(body)
                    payload.data_decoded = len(body)
                    with contextlib.suppress(Exception):
                        from garrison.render.payload import decode_payload

                        p = decode_payload(body)
                        payload.data_installations = len(p["inst"]["id"])
                payload.page += decoded
                payload.page_wire += wire
            with contextlib.suppress(Exception):
                payload.ws_in = int(page.evaluate(
                    "() => window.__bench.log.filter(e => e[1] === 0).reduce((a, e) => a + e[2], 0)"))
        return payload

    # --- Garrison ---
    def garrison_steps(self, page, res: AppResult, runs: int, budget_s: float) -> None:
        self.wait_idle(page)
        slider = page.locator('input[type=range][aria-label="Date"]')
        t_start = t_step = time.monotonic()
        for i in range(runs):
            now = time.monotonic()
            if i >= 3 and (now - t_start) + (now - t_step) > budget_s / 2:
                break
            t_step = now
            st = page.evaluate(MAP_STATE_JS)
            if st["value"] >= st["max"]:
                raise RuntimeError("the slider is at the span's end: no ArrowRight step left")
            expected = day_iso(st["value"] + 1)
            n_log = page.evaluate("() => window.__bench.log.length")
            slider.focus()
            page.evaluate(ARM_STEP_JS, expected)
            page.keyboard.press("ArrowRight")
            page.wait_for_function("() => window.__bench.step.painted !== null", polling="raf")
            page.wait_for_function("() => window.__bench.step.pagePainted !== null", polling="raf")
            self.wait_idle(page)
            s, key = page.evaluate("() => [window.__bench.step, [window.__bench.keydown, window.__bench.keyup]]")
            log = page.evaluate("(n) => window.__bench.log.slice(n)", n_log)
            if key[0] is None or key[1] is None:
                raise RuntimeError("keydown/keyup not seen by the page")
            res.step_ms.append(s["painted"] - key[0])
            res.restyle_ms.append(s["restyle"])
            res.page_ms.append(s["pagePainted"] - key[1])
            res.ws_step.append(sum(n for t, out, n in log if not out and t >= key[0]))

    def garrison_play(self, page, seconds: float) -> Play:
        self.wait_idle(page)
        idle = page.evaluate(FPS_JS, 1000)
        page.get_by_label("Speed").select_option(label="fastest (60 fps)")
        page.get_by_label("Step").select_option(label="step: day")
        page.evaluate(ARM_PLAY_JS)
        page.get_by_role("button", name="▶ Play").click()
        time.sleep(seconds)
        out = page.evaluate(READ_PLAY_JS)
        page.get_by_role("button", name="⏸ Pause").click()
        self.wait_idle(page)
        pl = Play(idle_fps=(len(idle) - 1) / ((idle[-1] - idle[0]) / 1000.0) if len(idle) > 1 else None)
        ch = out["changes"]
        if len(ch) >= 2:
            pl.steps = len(ch) - 1
            pl.seconds = (ch[-1][0] - ch[0][0]) / 1000.0
            pl.steps_per_s = pl.steps / pl.seconds if pl.seconds > 0 else None
            # only the frames while it played
            fr = [t for t in out["frames"] if ch[0][0] <= t <= ch[-1][0]]
            gaps = [b - a for a, b in zip(fr, fr[1:], strict=False)]
            if gaps:
                pl.play_fps = 1000.0 / statistics.mean(gaps)
                pl.frame_p95_ms, pl.frame_max_ms = pctl(gaps, 0.95), max(gaps)
            r = [x for x in out["restyle"] if x == x]
            pl.restyle_med_ms, pl.restyle_p95_ms = med(r), pctl(r, 0.95)
        return pl

    # --- naive ---
    def naive_steps(self, page, res: AppResult, runs: int, budget_s: float) -> None:
        self.wait_idle(page)
        thumb = page.locator('[data-testid="stSlider"] input[type="range"]').first
        t_start = t_step = time.monotonic()
        for i in range(runs):
            now = time.monotonic()
            if i >= 3 and (now - t_start) + (now - t_step) > budget_s / 2:
                break
            t_step = now
            cur = dt.date.fromisoformat((thumb.get_attribute("aria-valuetext") or "")[:10])
            at_max = thumb.evaluate("e => e.value === e.max")
            key, expected = ("ArrowLeft", cur - dt.timedelta(days=1)) if at_max else ("ArrowRight", cur + dt.timedelta(days=1))
            n_log = page.evaluate("() => window.__bench.log.length")
            thumb.focus()
            page.evaluate("() => { window.__bench.keydown = window.__bench.keyup = null; }")
            page.keyboard.press(key)
            shown = self.wait(page, NAIVE_DATE_COND, f"step-{i}", expected.isoformat())
            self.wait_idle(page)
            key_t = page.evaluate("() => window.__bench.keydown")
            log = page.evaluate("(n) => window.__bench.log.slice(n)", n_log)
            if key_t is None:
                raise RuntimeError("keydown not seen by the page")
            res.step_ms.append(shown["painted"] - key_t)
            res.page_ms.append(shown["painted"] - key_t)
            res.ws_step.append(sum(n for t, out, n in log if not out and t >= key_t))

    def run_app(self, url: str, app: str, proc, label: str, date: str | None) -> AppResult:
        args = self.args
        budget = args.budget
        res = AppResult(app)
        # cold: the first load after the server started (the data folder is loaded by it)
        cold_url = url + (f"?date={date}" if date and app == "naive" else "")
        try:
            paint, payload, ctx, page = self.load(cold_url, app, collect=True, timeout_s=args.cold_timeout)
        except MapError as e:  # keep what was measured: the payload, the server's memory
            res.error, res.payload = str(e), e.payload
            res.rss_mb, res.hwm_mb = memory_mb(proc.pid)
            e.ctx.close()
            return res
        res.cold_paint_s, res.payload = paint, payload
        if app == "garrison":
            st = page.evaluate(MAP_STATE_JS)
            back = max(st["min"], st["max"] - BACK_DAYS)
            date = day_iso(back)
        res.date = date
        ctx.close()
        target = url + (f"?date={date}" if date else "")
        t0 = time.monotonic()
        page = ctx = None
        for _ in range(max(1, args.loads)):
            if ctx is not None:
                ctx.close()
            t_load = time.monotonic()
            paint, _, ctx, page = self.load(target, app)
            res.paints_s.append(paint)
            if app == "garrison":
                st = page.evaluate(MAP_STATE_JS)
                res.timings.append(st["timings"] or {})
                res.visible = st["visible"]
                res.charts_s.append(self.wait(page, CHARTS_COND, "charts")["painted"] / 1000.0)
            self.wait_idle(page)  # the page's own runs are over: the next load starts on an idle server
            if (time.monotonic() - t0) + (time.monotonic() - t_load) > budget / 2:
                break
        try:
            if app == "garrison":
                self.garrison_steps(page, res, args.runs, budget)
                if label in args.play_sizes:
                    res.play = self.garrison_play(page, args.play_seconds)
            else:
                res.visible = int(page.evaluate(
                    "() => { for (const f of document.querySelectorAll('iframe')) { try { const b = f.contentDocument"
                    ".querySelector('[data-naive-count]'); if (b) return +b.getAttribute('data-naive-count'); } catch (e) {} }"
                    " return -1; }"))
                self.naive_steps(page, res, args.runs, budget)
        finally:
            ctx.close()
        res.rss_mb, res.hwm_mb = memory_mb(proc.pid)
        return res


# --- datasets --------------------------------------------------------------------------------
def prepare(sizes: list[str], tmp: Path, cache: Path | None) -> list[tuple[str, Path]]:
    out = []
    for s in sizes:
        if s == "bundled":
            out.append(("bundled", ROOT / "data"))
            continue
        n = int(s)
        folder = (cache or tmp) / f"synthetic-{n}"
        done = folder / ".complete"
        if not done.exists():
            import synthetic  # benchmarks/synthetic.py

            if folder.exists():
                shutil.rmtree(folder)
            t = time.perf_counter()
            synthetic.write_dataset(folder, n)
            done.write_text("")
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


TIMING_KEYS = ("init", "fetch", "response", "downloaded", "parsed", "built", "styled", "painted")


def report(results: list[SizeResult]) -> tuple[str, bool]:
    head = ["size", "app", "inst", "shown", "paint cold s", "paint warm s", "charts warm s", "step med ms", "step p95 ms",
            "restyle ms", "page med ms", "n", "data MB wire", "data MB", "page MB wire", "ws/step KB", "RSS MB"]
    rows, errors = [], []
    for sr in results:
        for name in ("garrison", "naive"):
            r = sr.apps.get(name)
            if r is None:
                continue
            if r.error:
                errors.append(f"{sr.label} {name}: {r.error}")
            p = r.payload or Payload()
            rows.append([sr.label, name, sr.n_inst, fmt(r.visible, "d"), fmt(r.cold_paint_s), fmt(r.paint_s),
                         fmt(med(r.charts_s)) if r.charts_s else "—",
                         fmt(med(r.step_ms), ".1f"), fmt(pctl(r.step_ms, 0.95), ".1f"),
                         fmt(med(r.restyle_ms), ".1f"),
                         fmt(med(r.page_ms), ".0f") if name == "garrison" else "=step", len(r.step_ms),
                         fmt(mb(p.data_wire), ".3f"), fmt(mb(p.data_decoded), ".3f"), fmt(mb(p.page_wire), ".2f"),
                         fmt(med(r.ws_step) / 1e3 if r.ws_step else None, ".1f"), fmt(r.rss_mb, ".0f")])
    out = [table(rows, head), ""]
    if errors:
        out += ["errors:", *("  " + e[:1500] for e in errors), ""]

    trows = []
    for sr in results:
        g = sr.apps.get("garrison")
        if g and not g.error and g.timings:
            trows.append([sr.label, "garrison", *[fmt(med([t.get(k) for t in g.timings]), ".0f") for k in TIMING_KEYS],
                          fmt(g.paint_s * 1000 if g.paint_s else None, ".0f")])
    if trows:
        out += ["first paint, where the time goes (medians of the warm loads; the map's own timings, ms since "
                "navigation start: init = GarrisonMap created (Streamlit, the component and Leaflet loaded), fetch -> "
                "response -> downloaded = the payload, parsed = decoded, built = layers given it, styled = first "
                "restyle done, painted = the frame after; bench = the benchmark's paint)",
                table(trows, ["size", "app", *TIMING_KEYS, "bench"]), ""]

    prows = []
    for sr in results:
        g = sr.apps.get("garrison")
        if g and not g.error and g.play:
            p = g.play
            prows.append([sr.label, "garrison", fmt(p.steps_per_s, ".1f"), p.steps, fmt(p.seconds, ".1f"),
                          fmt(p.idle_fps, ".1f"), fmt(p.play_fps, ".1f"), fmt(p.frame_p95_ms, ".1f"),
                          fmt(p.frame_max_ms, ".0f"), fmt(p.restyle_med_ms, ".1f"), fmt(p.restyle_p95_ms, ".1f")])
    if prows:
        out += ["play, fastest (60 fps), step day: steps/s achieved (of 60), the page's frame rate idle just before "
                "and while playing, frame interval p95/max, restyle() time per step",
                table(prows, ["size", "app", "steps/s", "steps", "s", "idle fps", "play fps", "frame p95 ms",
                              "frame max ms", "restyle med ms", "restyle p95 ms"]), ""]

    rrows = []
    for sr in results:
        g, n = sr.apps.get("garrison"), sr.apps.get("naive")
        if not g or not n or g.error or n.error:
            continue
        ratio = lambda a, b: None if not a or not b else a / b  # noqa: E731
        rrows.append([sr.label, "naive/garrison", fmt(ratio(n.cold_paint_s, g.cold_paint_s), ".1f") + "x",
                      fmt(ratio(n.paint_s, g.paint_s), ".1f") + "x",
                      fmt(ratio(med(n.step_ms), med(g.step_ms)), ".0f") + "x",
                      fmt(ratio(med(n.step_ms), med(g.page_ms)), ".1f") + "x"])
    if rrows:
        out += ["ratios (same run): naive step / Garrison step, and naive step / Garrison's page after a released step",
                table(rrows, ["size", "ratio", "paint cold", "paint warm", "step", "step vs page"]), ""]

    checks = []
    by = {sr.label: sr for sr in results}

    def get(size, app="garrison", allow_error=False):
        sr = by.get(size)
        r = sr.apps.get(app) if sr else None
        return None if r is None or (r.error and not allow_error) else r

    def check(label, size, metric, limit, unit, higher=False, need_naive=False, allow_error=False):
        g, n = get(size, allow_error=allow_error), get(size, "naive")
        if g is None or (need_naive and n is None):
            r = by[size].apps.get("garrison") if size in by else None
            checks.append([label, "", "ERROR" if r is not None and r.error else "not run", "FAIL" if r and r.error else "SKIP"])
            if r is not None and r.error:
                return False
            return True
        v, lim = metric(g, n), limit(n) if callable(limit) else limit
        if lim is None:
            checks.append([label, "", fmt(v, ".2f"), "SKIP"])
            return True
        ok = v is not None and (v >= lim if higher else v <= lim)
        spec = ".2f" if unit in ("s", "MB") else ".1f"
        checks.append([label, f"{'>=' if higher else '<='} {format(lim, spec)} {unit}", fmt(v, spec),
                       "PASS" if ok else "FAIL"])
        return ok

    ok = True
    ok &= check("first paint @1k (warm)", "1,000", lambda g, n: g.paint_s, T_PAINT_1K_S, "s")
    ok &= check("first paint @10k (warm)", "10,000", lambda g, n: g.paint_s, T_PAINT_10K_S, "s")
    ok &= check("first paint @1k <= half naive's", "1,000", lambda g, n: g.paint_s,
                lambda n: n.paint_s * T_PAINT_VS_NAIVE if n.paint_s else None, "s", need_naive=True)
    ok &= check("first paint @10k <= half naive's", "10,000", lambda g, n: g.paint_s,
                lambda n: n.paint_s * T_PAINT_VS_NAIVE if n.paint_s else None, "s", need_naive=True)
    ok &= check("step median @1k", "1,000", lambda g, n: med(g.step_ms), T_STEP_1K_MS, "ms")
    ok &= check("step median @10k", "10,000", lambda g, n: med(g.step_ms), T_STEP_10K_MS, "ms")
    ok &= check("play keeps pace @10k (steps/s)", "10,000",
                lambda g, n: g.play.steps_per_s if g.play else None, T_PLAY_10K_STEPS, "/s", higher=True)
    ok &= check("page after released step @1k", "1,000", lambda g, n: med(g.page_ms), T_PAGE_1K_MS, "ms")
    ok &= check("page loads @100k (warm paint)", "100,000", lambda g, n: g.paint_s, T_LOAD_100K_S, "s")
    ok &= check("step median @100k", "100,000", lambda g, n: med(g.step_ms), T_STEP_100K_MS, "ms")
    ok &= check("payload decoded @100k", "100,000",
                lambda g, n: mb(g.payload.data_decoded) if g.payload else None, T_PAYLOAD_100K_MB, "MB",
                allow_error=True)
    g100 = get("100,000", allow_error=True)
    checks.append(["server memory @100k (RSS / peak)", "report",
                   f"{fmt(g100.rss_mb, '.0f')} / {fmt(g100.hwm_mb, '.0f')} MB" if g100 else "not run",
                   "INFO" if g100 else "SKIP"])
    out += ["targets (Garrison app)", table(checks, ["target", "limit", "value", "result"])]
    aborted = sorted({u for sr in results for r in sr.apps.values() if r.payload for u in r.payload.aborted})
    out += ["", f"aborted non-localhost requests: {len(aborted)}", *("  " + u for u in aborted[:20])]
    return "\n".join(out), ok


# --- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="bundled,1000,10000,100000",
                    help="comma-separated: 'bundled' (data/) and/or numbers of synthetic installations")
    ap.add_argument("--runs", type=int, default=15, help="slider steps per app and size (default 15)")
    ap.add_argument("--loads", type=int, default=3, help="warm page loads per app and size (default 3)")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds per app and size: warm loads and steps each get half; a new one starts only "
                         "if it should end within its half (at least 1 warm load and 3 steps) (default 60)")
    ap.add_argument("--apps", default="garrison,naive", help="which apps (default garrison,naive)")
    ap.add_argument("--naive-max", type=int, default=10000,
                    help="largest synthetic size the naive app runs at (default 10000; a naive 100k page is "
                         "~100 MB of HTML per step)")
    ap.add_argument("--play-sizes", default="10000", help="sizes at which play is measured (default 10000)")
    ap.add_argument("--play-seconds", type=float, default=5.0, help="how long to play (default 5)")
    ap.add_argument("--timeout", type=float, default=180.0, help="per wait, seconds (default 180)")
    ap.add_argument("--cold-timeout", type=float, default=1200.0,
                    help="for the cold load (the server loads the data folder), seconds (default 1200)")
    ap.add_argument("--garrison-script", type=Path, default=ROOT / "serve.py",
                    help="the Garrison app to run (default serve.py, as ./scripts/run; an older checkout's app.py)")
    ap.add_argument("--data-dir", type=Path, help="keep the synthetic folders here and reuse them in later runs")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (data, server logs)")
    ap.add_argument("--json", metavar="FILE", help="also write the raw numbers as JSON")
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    apps = [a.strip() for a in args.apps.split(",") if a.strip()]
    args.play_sizes = {"bundled" if s.strip() == "bundled" else f"{int(s):,}" for s in args.play_sizes.split(",") if s.strip()}

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="garrison-bench-map-"))
    results: list[SizeResult] = []
    t_all = time.perf_counter()
    load0 = os.getloadavg()[0]
    try:
        print(f"preparing data in {args.data_dir or tmp}", flush=True)
        datasets = prepare(sizes, tmp, args.data_dir)
        scripts = {"garrison": args.garrison_script.resolve(), "naive": naive_script(tmp)}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            bench = Bench(browser, args)
            try:
                for (label, folder), size in zip(datasets, sizes, strict=True):
                    sr = SizeResult(label, count_installations(folder))
                    results.append(sr)
                    date = None
                    for app in apps:
                        if app == "naive" and size != "bundled" and int(size) > args.naive_max:
                            continue
                        t = time.perf_counter()
                        print(f"[{label}] {app} (load average {os.getloadavg()[0]:.1f}) ...", end="", flush=True)
                        log = tmp / f"server-{app}-{label.replace(',', '')}.log"
                        try:
                            with streamlit_process(scripts[app], folder, log) as (url, proc):
                                sr.apps[app] = bench.run_app(url, app, proc, label, date)
                                date = sr.apps[app].date or date
                        except Exception as e:  # noqa: BLE001 - report and go on
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
    print(f"\ntotal {time.perf_counter() - t_all:.0f} s; load average {load0:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} cores)")
    if args.json:
        Path(args.json).write_text(json.dumps([{
            "size": sr.label, "installations": sr.n_inst,
            "apps": {k: dataclasses.asdict(v) for k, v in sr.apps.items()}} for sr in results], indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
