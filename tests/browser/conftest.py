"""Browser tests: the REAL Streamlit app in headless Chromium, driven through Playwright.

Fixtures
--------
``app_servers``  (session)  starts ``streamlit run serve.py`` (app.py and its route) once per data folder and kills each
                            process group at the end of the session.
``app_server``              the server for the bundled data; parametrize it indirectly with another
                            data folder (a path, or a name in DATA_FOLDERS):
                            ``@pytest.mark.parametrize("app_server", ["hostile"], indirect=True)``.
``browser``      (session)  Chromium (/usr/bin/chromium; ``playwright install`` is never needed).
``page``                    a fresh context + page per test. Every request is routed: loopback http(s)
                            and ws(s) go through; anything else is recorded and aborted. After the test
                            the fixture asserts that no outside request was attempted, no console error
                            was logged and no uncaught page error happened (in the page or its iframes).
``garrison``                a small page object over ``page`` + ``app_server`` (open a URL, the map
                            iframe, markers, the mount id).
``garrison_for``            ``garrison_for(data_dir)``: the same page object on the app for any folder
                            (e.g. a tmp copy made by a module-scoped fixture).
``data_for``     (session)  ``data_for(folder)`` -> the folder's data as the library loads it, to read
                            expected states from (never hard-coded in the tests).
``start_server`` (module)   ``start_server(folder, GARRISON_EDIT="1")``: a server of its own with extra
                            environment variables (None removes one), optionally through a command
                            ``prefix`` (e.g. ``unshare``); stopped after the module.
``new_page``                ``new_page()``: another page in its own browser context (a second user),
                            routed and checked like ``page``; ``new_page(viewport=..., has_touch=True)``
                            for a phone.
``page_object``             ``page_object(page, server)``: the Garrison page object for those.
``screenshot``              ``screenshot(page, "legend-dark")``: saves a PNG under the artefacts folder
                            ($GARRISON_ARTIFACTS, default ``build/test-artifacts``; not committed) in a
                            subfolder named after the test, prints where, and returns the path.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # no Playwright: leave the browser tests out instead of failing to import them
    if os.environ.get("CI"):  # ... but never in CI, where ./scripts/test has installed it
        raise
    collect_ignore_glob = ["test_*.py"]
    PlaywrightError, expect, sync_playwright = Exception, None, None

from paths import BUNDLED, FIXTURES, ROOT  # noqa: E402  (tests/paths.py)

HOSTILE = FIXTURES / "hostile"
DATA_FOLDERS = {"bundled": BUNDLED, "hostile": HOSTILE}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
#: The map component's root in the page (no iframe): static/garrison/map/main.js mounts it. One
#: root, one map: a locator that finds two fails (a map made twice must not pass unseen).
MAP_ROOT = ".garrison-root"
#: For tests' evaluate() strings: `window.map` is the page's Leaflet map (read from the map
#: element's own `garrison` object; the app itself defines no globals).
MAP_GLOBAL_JS = """Object.defineProperty(window, "map", { configurable: true, get() {
  const box = document.querySelector(".leaflet-container");
  return box && box.garrison ? box.garrison.map : undefined; } });"""
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
STARTUP_DEADLINE_S = 90.0
TIMEOUT_MS = 30_000

# The app reruns its whole script on each interaction; on 2 busy cores a rerun can take seconds.
if expect is not None:
    expect.set_options(timeout=TIMEOUT_MS)


# --- the app server -----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    data_dir: Path
    port: int
    proc: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the whole group: streamlit and anything it spawned
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def start_app(data_dir: Path, log_dir: Path, extra_env: dict[str, str | None] | None = None,
              prefix: tuple[str, ...] = ()) -> AppServer:
    """``python -m streamlit run serve.py`` (the page and its route) on a free port; returns once
    /_stcore/health answers.

    ``extra_env`` adds environment variables for this server (a value of None removes one);
    ``prefix`` runs the command through another (e.g. ``unshare`` for a read-only checkout)."""
    port = _free_port()
    log_path = log_dir / f"streamlit-{port}.log"
    env = dict(os.environ, GARRISON_DATA=str(data_dir), PYTHONUNBUFFERED="1")
    for name, value in (extra_env or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as a whole at teardown
        )
    server = AppServer(Path(data_dir), port, proc, log_path)
    health = f"{server.url}/_stcore/health"
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while True:
        try:
            with urllib.request.urlopen(health, timeout=2) as resp:
                if resp.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"streamlit did not become healthy within {STARTUP_DEADLINE_S}s:\n{server.log_tail()}")
        try:  # the poll interval doubles as "did it die?": no fixed sleep
            code = proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"streamlit exited with {code} before becoming healthy:\n{server.log_tail()}")


class AppServers:
    """One running app per data folder, shared by every test of the session."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self._servers: dict[str, AppServer] = {}

    def get(self, data_dir: Path | str) -> AppServer:
        key = str(Path(DATA_FOLDERS.get(str(data_dir), data_dir)).resolve())
        server = self._servers.get(key)
        if server is None or server.proc.poll() is not None:
            server = self._servers[key] = start_app(Path(key), self.log_dir)
        return server

    def stop_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def app_servers(tmp_path_factory):
    servers = AppServers(tmp_path_factory.mktemp("streamlit-logs"))
    yield servers
    servers.stop_all()


@pytest.fixture(scope="module")
def start_server(tmp_path_factory):
    """``start_server(data_dir, **env)``: a new app server of its own for ``data_dir`` with extra
    environment variables (``GARRISON_EDIT="1"``; None removes a variable), stopped (process group
    killed) when the module's tests are done. For servers that must not be shared, e.g. edit mode."""
    log_dir = tmp_path_factory.mktemp("streamlit-env-logs")
    servers: list[AppServer] = []

    def start(data_dir: Path | str, prefix: tuple[str, ...] = (), **env: str | None) -> AppServer:
        server = start_app(Path(data_dir).resolve(), log_dir, env, prefix)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def app_server(request, app_servers) -> AppServer:
    """The running app for ``request.param`` (a data folder), the bundled data by default."""
    return app_servers.get(getattr(request, "param", BUNDLED))


# --- the browser ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found: ./scripts/test installs Debian's chromium; the browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} not found")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in {h.strip("[]") for h in LOCAL_HOSTS}


@dataclass
class PageLog:
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


class ScriptRuns:
    """The app's script runs as its websocket tells them (Streamlit's own protocol, parsed with its
    protobufs): each rerun the page asks for, each run that starts, each run that finishes. The app
    is settled when a run started after the page's last request and has finished -- whatever the
    timing, and however the server merged requests made while a run was going."""

    def __init__(self, page) -> None:
        self.seq = self.requested = self.started = self.finished = 0
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        if not ws.url.endswith("/_stcore/stream"):
            return
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)) and BackMsg.FromString(bytes(payload)).WhichOneof("type") == "rerun_script":
            self.seq += 1
            self.requested = self.seq

    def _received(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = ForwardMsg.FromString(bytes(payload))
        kind = msg.WhichOneof("type")
        if kind == "session_status_changed" and msg.session_status_changed.script_is_running:
            self.seq += 1
            self.started = self.seq
        elif kind == "new_session":
            self.seq += 1
            self.started = self.seq
        elif kind == "script_finished":
            self.seq += 1
            self.finished = self.seq

    def settled(self) -> bool:
        return self.started > self.requested and self.finished > self.started


ARTIFACTS = Path(os.environ.get("GARRISON_ARTIFACTS") or ROOT / "build" / "test-artifacts")


@pytest.fixture
def screenshot(request):
    """``screenshot(page, name)`` -> the PNG's path, kept as a CI artefact (the folder is printed)."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)

    def take(pg, name: str, **kwargs) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        pg.screenshot(path=str(path), **kwargs)
        print(f"screenshot: {path}")
        return path

    return take


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser, page_log: PageLog):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)

    def on_request(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            page_log.outside.append(f"{route.request.method} {url}")
            route.abort()

    def on_websocket(ws):
        if is_local(ws.url):
            ws.connect_to_server()  # no handlers set: messages are forwarded both ways untouched
        else:
            page_log.outside.append(f"WS {ws.url}")
            ws.close()

    context.route("**/*", on_request)
    context.route_web_socket(re.compile(r".*"), on_websocket)
    context.add_init_script(MAP_GLOBAL_JS)
    pg = context.new_page()
    pg.garrison_runs = ScriptRuns(pg)
    pg.on("console", lambda msg: msg.type == "error" and page_log.console_errors.append(f"{msg.text} @ {msg.location}"))
    pg.on("pageerror", lambda err: page_log.page_errors.append(str(err)))
    yield pg
    try:
        context.close()
    except PlaywrightError:
        pass
    problems = {"requests outside localhost were attempted": page_log.outside,
                "console errors": page_log.console_errors, "uncaught page errors": page_log.page_errors}
    assert not any(problems.values()), "; ".join(f"{k}: {v}" for k, v in problems.items() if v)


@pytest.fixture
def new_page(browser):
    """``new_page()``: another page in a browser context of its own (a second user, own cookies and
    session), routed and watched like ``page``; at teardown the same three assertions are made."""
    log = PageLog()
    contexts = []

    def on_request(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            log.outside.append(f"{route.request.method} {url}")
            route.abort()

    def on_websocket(ws):
        if is_local(ws.url):
            ws.connect_to_server()
        else:
            log.outside.append(f"WS {ws.url}")
            ws.close()

    def make(**options):  # options for the context, e.g. a phone: viewport=..., has_touch=True
        context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "service_workers": "block", **options})
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", on_request)
        context.route_web_socket(re.compile(r".*"), on_websocket)
        context.add_init_script(MAP_GLOBAL_JS)
        contexts.append(context)
        pg = context.new_page()
        pg.garrison_runs = ScriptRuns(pg)
        pg.on("console", lambda msg: msg.type == "error" and log.console_errors.append(f"{msg.text} @ {msg.location}"))
        pg.on("pageerror", lambda err: log.page_errors.append(str(err)))
        return pg

    yield make
    for context in contexts:
        try:
            context.close()
        except PlaywrightError:
            pass
    problems = {"requests outside localhost were attempted": log.outside,
                "console errors": log.console_errors, "uncaught page errors": log.page_errors}
    assert not any(problems.values()), "; ".join(f"{k}: {v}" for k, v in problems.items() if v)


# --- a small page object --------------------------------------------------------------------------
class Garrison:
    """The app as the tests see it: the Streamlit page with the map component in it."""

    def __init__(self, page, server: AppServer):
        self.page = page
        self.server = server
        self.root = page.locator(MAP_ROOT)
        self.map = page  # the map is in the page itself
        self.box = self.root.locator('.leaflet-container[data-garrison-ready="1"]')
        self.markers = self.root.locator(".leaflet-marker-icon.garrison-inst")
        self.big_date = self.root.get_by_test_id("garrison-date")
        self.slider = self.root.get_by_role("slider", name="Date")
        self.details = page.locator(".garrison-details")
        self.history = page.locator('[data-testid="stHtml"]').filter(has=page.locator(".garrison-period"))

    def open(self, query: str = "", date: str | None = None) -> None:
        """Load ``/?query`` and wait until the map has applied a state (optionally: that date) and
        the page has drawn its charts (the run after the map's first paint)."""
        self.page.goto(f"{self.server.url}/{'?' + query if query else ''}")
        expect(self.box).to_have_attribute("data-garrison-date", date or re.compile(r"^\d{4}-\d{2}-\d{2}$"))
        # a fresh page's charts come on the run the map asks for once it has painted: that run too
        expect(self.box).to_have_attribute("data-garrison-painted", "1")
        expect(self.page.locator(".garrison-chart-wait")).to_have_count(0)
        self.settle()
        self.expect_no_exception()

    def settle(self) -> None:
        """Wait until the app has answered everything the page asked: a script run started after
        the page's last rerun request and finished (see ScriptRuns), and the page shows it idle."""
        runs = getattr(self.page, "garrison_runs", None)
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while runs is not None and not runs.settled():
            if time.monotonic() > deadline:
                pytest.fail(f"the app never finished the run for the page's last request ({vars(runs)})")
            self.page.wait_for_timeout(25)  # lets Playwright deliver the websocket's frames
        expect(self.page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")

    def map_frame(self):
        """Where the map's scripts run (for evaluate / wait_for_function): the page itself."""
        return self.page

    def marker(self, inst_id: str):
        return self.root.locator(f".leaflet-marker-icon.garrison-inst-{inst_id}")

    def mount(self) -> str:
        value = self.box.get_attribute("data-garrison-mount")
        assert value, "the map container has no data-garrison-mount"
        return value

    def expect_date(self, iso: str) -> None:
        expect(self.big_date).to_have_text(iso)
        expect(self.slider).to_have_attribute("aria-valuetext", iso)
        expect(self.box).to_have_attribute("data-garrison-date", iso)

    def expect_no_exception(self) -> None:
        """Streamlit shows no exception box (checked now, not waited for)."""
        exc = self.page.get_by_test_id("stException")
        if exc.count():
            pytest.fail(f"the app shows an exception:\n{exc.first.inner_text()}")

    def toggle(self, name: str):
        """The clickable label of an st.toggle (the switch input itself is visually hidden)."""
        return self.page.locator("label").filter(has=self.page.get_by_role("switch", name=name, exact=True))

    def choose(self, combobox: str, option: str) -> None:
        """Pick an option of one of the map's own selects (Speed, Step)."""
        box = self.page.get_by_role("combobox", name=combobox, exact=True)
        box.select_option(label=option)
        expect(box.locator("option:checked")).to_have_text(option)

    def marker_classes(self) -> dict[str, str]:
        """{installation id: class attribute} of every marker in the map."""
        pairs = self.markers.evaluate_all("els => els.map(e => e.getAttribute('class'))")
        out = {}
        for cls in pairs:
            m = re.search(r"\bgarrison-inst-([a-z0-9-]+)", cls)
            if m:
                out[m.group(1)] = cls
        return out

    def wait_stable(self, locator_js: str, ms: int = 2000) -> str:
        """Poll (in the page) until the text of ``locator_js`` stayed the same for ``ms``; return it."""
        handle = self.page.wait_for_function(
            """([sel, ms]) => {
                const el = document.querySelector(sel), v = el ? el.textContent : null, now = performance.now();
                const w = window.__garrisonStable || (window.__garrisonStable = {});
                if (w.sel !== sel || w.v !== v) { Object.assign(w, {sel, v, t: now}); return false; }
                return v !== null && now - w.t >= ms ? JSON.stringify(v) : false;
            }""",
            arg=[locator_js, ms], polling=100, timeout=TIMEOUT_MS,
        )
        value = json.loads(handle.json_value())
        self.page.evaluate("() => { delete window.__garrisonStable; }")
        return value


@pytest.fixture
def garrison(page, app_server) -> Garrison:
    return Garrison(page, app_server)


@pytest.fixture
def page_object():
    """``page_object(page, server)``: the same page object for any page (e.g. from ``new_page``) and
    any server (e.g. from ``start_server``)."""
    return Garrison


@pytest.fixture
def garrison_for(page, app_servers):
    """``garrison_for(data_dir)``: the page object on the app serving any data folder (e.g. a tmp copy)."""
    return lambda data_dir: Garrison(page, app_servers.get(data_dir))


# --- the data, as the library sees it --------------------------------------------------------------
class Data:
    """A data folder loaded by the library: expected states come from here, never hard-coded."""

    def __init__(self, data_dir: Path):
        if str(ROOT / "src") not in sys.path:
            sys.path.insert(0, str(ROOT / "src"))
        import garrison

        self.dir = data_dir
        self.ds = garrison.load(data_dir)

    def state(self, inst_id: str, date: str) -> dict | None:
        """operator/status/territory of one installation at a date (None: no record then)."""
        now = self.ds.state_at(date)
        rows = now[now["id"] == inst_id]
        if not len(rows):
            return None
        row = rows.iloc[0]
        return {"operator": row["operator"], "status": row["status"], "territory": row["territory"]}

    def status(self, inst_id: str, date: str) -> str | None:
        st = self.state(inst_id, date)
        return st["status"] if st else None

    def record(self, inst_id: str):
        return self.ds.records[self.ds.index[inst_id]]


@pytest.fixture(scope="session")
def data_for():
    cache: dict[str, Data] = {}

    def get(folder: Path | str) -> Data:
        path = Path(DATA_FOLDERS.get(str(folder), folder)).resolve()
        if str(path) not in cache:
            cache[str(path)] = Data(path)
        return cache[str(path)]

    return get
