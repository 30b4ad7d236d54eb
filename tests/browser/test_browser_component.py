"""The map component's own promises: selection by id (two installations 50 m apart are each a
click of their own), a click on the empty map selects or creates nothing outside edit mode, and two
maps on one page are independent (no module-level state in the map's scripts)."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from paths import FIXTURES, ROOT
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEAR = textwrap.dedent("""\
    # yaml-language-server: $schema=../../../../data/schema/installation.schema.json
    id: port-a-annex
    name: Port A annex
    kind: logistics_hub
    country: SY
    lat: 34.90045
    lon: 35.87
    position: exact
    checked: '2026-11-20'
    history:
      - from: '1971'
        operator: red
        status: active
        confidence: confirmed
        sources: [s1]
    """)


@pytest.fixture(scope="module")
def near_server(tmp_path_factory, start_server):
    data = tmp_path_factory.mktemp("near") / "data"
    shutil.copytree(FIXTURES / "good", data)
    (data / "installations" / "port-a-annex.yaml").write_text(NEAR, encoding="utf-8")
    return start_server(data)


def test_two_installations_50_m_apart_are_each_selected_by_a_click(page, page_object, near_server):
    g = page_object(page, near_server)
    g.open("lat=34.9002&lon=35.8700&zoom=18")
    for inst, name in (("port-a-annex", "Port A annex"), ("port-a", "Port A")):
        g.marker(inst).click()
        expect(g.details.locator("h3")).to_have_text(name)
        expect(page).to_have_url(re.compile(rf"[?&]select={inst}(&|$)"))
        expect(g.marker(inst)).to_have_class(re.compile(r"(^|\s)garrison-selected(\s|$)"))
    # must not: the other one selected too
    expect(page.locator(".garrison-inst.garrison-selected")).to_have_count(1)
    g.expect_no_exception()


def test_a_click_on_the_empty_map_selects_and_creates_nothing(page, page_object, near_server):
    g = page_object(page, near_server)
    g.open("select=port-a&lat=30.0000&lon=10.0000&zoom=5")
    expect(g.details.locator("h3")).to_have_text("Port A")
    box = g.box.bounding_box()
    sent = g.box.get_attribute("data-garrison-sent")
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)  # the Sahara: no installation
    # must not: anything sent to the server (no selection, no position for a new installation) ...
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")  # the click handled
    assert g.box.get_attribute("data-garrison-sent") == sent
    # ... so the selection stays and no editor appears
    expect(g.details.locator("h3")).to_have_text("Port A")
    expect(page).to_have_url(re.compile(r"[?&]select=port-a(&|$)"))
    expect(page.get_by_text("Edit data")).to_have_count(0)
    g.expect_no_exception()


TWO_MAPS = textwrap.dedent("""\
    import sys
    sys.path.insert(0, {src!r})
    import streamlit as st
    from garrison import Loader
    from garrison.render.layers import load_layers
    from garrison.render.mapstate import map_data
    from garrison.render.mapview import build_map, component_parts
    from garrison.render.payload import build_payload, write_payload
    from garrison.ui.map_component import garrison_map
    from garrison.ui.permalink import View
    import datetime as dt

    ds = Loader({data!r}).load()
    layers, _ = load_layers({layers!r})
    url = "/app/static/generated/" + write_payload(build_payload(ds, layers), {generated!r})
    for key, day in (("left", dt.date(2016, 1, 1)), ("right", dt.date(2025, 1, 1))):
        parts = component_parts(build_map(layers))
        garrison_map(parts, map_data(ds, View(date=day), url, layers=layers), key=key)
    """)


@pytest.fixture(scope="module")
def two_maps_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-maps")
    app = folder / "two_maps.py"
    generated = ROOT / "static" / "generated"
    app.write_text(TWO_MAPS.format(src=str(ROOT / "src"), data=str(FIXTURES / "good"), layers=str(ROOT / "layers"),
                                   generated=str(generated)), encoding="utf-8")
    (folder / "static").symlink_to(ROOT / "static")  # the app's own static files, served as /app/static/
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                             "--server.headless", "true", "--server.enableStaticServing", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    proc.wait(timeout=20)


def test_two_maps_on_one_page_are_independent(page, two_maps_url):
    page.goto(two_maps_url)
    maps = page.locator('.leaflet-container[data-garrison-ready="1"]')
    expect(maps).to_have_count(2)
    expect(maps.nth(0)).to_have_attribute("data-garrison-date", "2016-01-01")
    expect(maps.nth(1)).to_have_attribute("data-garrison-date", "2025-01-01")
    sliders = page.get_by_role("slider", name="Date")
    expect(sliders).to_have_count(2)
    sliders.nth(0).focus()
    sliders.nth(0).press("ArrowRight")
    expect(maps.nth(0)).to_have_attribute("data-garrison-date", "2016-01-02")
    # must not: the other map move with it (state shared between the two)
    expect(maps.nth(1)).to_have_attribute("data-garrison-date", "2025-01-01")
    expect(page.locator(".garrison-inst-port-a")).to_have_count(2)
