"""Take it away: the page's downloads (GeoJSON, CSV, KML), the map's PNG and its animations.

Every downloaded file is opened: the exports are compared byte for byte with what `garrison
export` writes for the same date and filters (run in-process), the pictures are read with
Pillow (and the WebM with PyAV). Each test also checks one thing that must NOT happen.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from paths import BUNDLED
from PIL import Image, ImageChops
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from garrison import cli
from garrison.dates import to_day

pytestmark = pytest.mark.browser
DATE = "2024-12-20"
SYRIA = "lat=35.2&lon=36.6&zoom=7"


class PageRuns:
    """The full script runs the page asks for (the file watcher's fragment runs left out)."""

    def __init__(self, page) -> None:
        self.count = 0
        page.on("websocket", lambda ws: ws.url.endswith("/_stcore/stream") and ws.on("framesent", self._sent))

    def _sent(self, payload) -> None:
        if isinstance(payload, (bytes, bytearray)):
            msg = BackMsg.FromString(bytes(payload))
            if msg.WhichOneof("type") == "rerun_script" and not msg.rerun_script.fragment_id:
                self.count += 1


def cli_export(tmp_path: Path, fmt: str, *args: str) -> bytes:
    out = tmp_path / f"cli.{fmt}"
    assert cli.main(["export", "--data", str(BUNDLED), "--format", fmt, "-o", str(out), *args]) == 0
    return out.read_bytes()


def download(page, button, tmp_path: Path) -> tuple[str, bytes]:
    with page.expect_download() as info:
        button.click()
    d = info.value
    path = tmp_path / d.suggested_filename
    d.save_as(str(path))
    return d.suggested_filename, path.read_bytes()


def test_downloads_are_the_cli_files_for_the_date_and_filters(garrison, page, data_for, tmp_path):
    ds = data_for("bundled").ds
    reruns = PageRuns(page)
    garrison.open(f"date={DATE}&op=ru", date=DATE)
    sidebar = page.get_by_test_id("stSidebar")
    runs = reruns.count
    for when, cli_args in ((DATE, ["--date", DATE, "--op", "ru"]), (None, ["--op", "ru"])):
        for fmt, label in (("geojson", "GeoJSON"), ("csv", "CSV"), ("kml", "KML")):
            buttons = sidebar.get_by_role("button", name=label, exact=True)
            name, body = download(page, buttons.nth(0 if when else 1), tmp_path)
            assert name == f"garrison-{when or 'history'}-filtered.{fmt}"
            assert body == cli_export(tmp_path, fmt, *cli_args), f"{name} differs from `garrison export {' '.join(cli_args)}`"
            text = body.decode("utf-8")
            if fmt == "geojson":
                feats = json.loads(text)["features"]
                ops = {f["properties"]["operator"] for f in feats}
            elif fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(text)))
                feats, ops = rows, {r["operator"] for r in rows}
            else:
                ns = {"k": "http://www.opengis.net/kml/2.2"}
                marks = ET.fromstring(body).findall(".//k:Placemark", ns)
                feats = marks
                ops = {m.find("k:ExtendedData/k:Data[@name='operator']/k:value", ns).text for m in marks}
            assert ops == {"ru"}, f"{name}: operators {ops}"
            expected = (int((ds.state_at(DATE)["operator"] == "ru").sum()) if when
                        else int((ds.periods.operator == ds.periods.actor_ids.index("ru")).sum()))
            assert len(feats) == expected
    # must not: a download reruns the page's script (the files are made on request, apart from runs)
    assert reruns.count == runs


def capture_png(page, garrison, tmp_path: Path, name: str) -> Image.Image:
    fname, body = download(page, garrison.root.get_by_role("button", name="Save the map as a PNG image"), tmp_path)
    assert fname == f"garrison-map-{name}.png"
    return Image.open(io.BytesIO(body)).convert("RGB")


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[k:k + 2], 16) for k in (1, 3, 5))


def test_png_of_the_map_as_shown(garrison, page, data_for, tmp_path, screenshot):
    ds = data_for("bundled").ds
    reruns = PageRuns(page)
    garrison.open(f"date={DATE}&{SYRIA}", date=DATE)
    screenshot(page, "map")
    box = garrison.box
    size = box.evaluate("el => [el.clientWidth, el.clientHeight, devicePixelRatio]")
    tartus = box.evaluate("el => { const m = el.garrison.map, p = m.latLngToContainerPoint([34.915, 35.874]); return [p.x, p.y]; }")
    runs = reruns.count
    before = capture_png(page, garrison, tmp_path, DATE)
    # the legend stands beside the map in the picture too, as on the page: the map's pixels, then its column
    legend_w = page.locator(".garrison-legend-box").evaluate("el => el.getBoundingClientRect().width")
    assert before.size == (round((size[0] + round(legend_w) + 16) * size[2]), round(size[1] * size[2])), (before.size, size, legend_w)
    column = before.crop((int(size[0] * size[2]), 0, before.size[0], int(size[1] * size[2] * 0.8)))
    legend_colours = {c for _, c in column.getcolors(1 << 24) or []}
    shown = {ds.actors[op].colour for op in ds.state_at(DATE)["operator"] if op in ds.actors}
    assert any(hex_rgb(c) in legend_colours for c in shown), "no operator's swatch in the legend column"
    assert len(legend_colours) > 50, "an empty legend column"
    assert len(before.getcolors(1 << 24)) > 500, "a near-blank picture"
    # the markers' colours: the operators at the date, as painted
    colours = {c for _, c in before.getcolors(1 << 24)}
    held = {ds.actors[op].colour for op in ds.state_at(DATE)["operator"] if op in ds.actors}
    assert any(hex_rgb(c) in colours for c in held), "no operator's colour in the picture"
    # must not: the legend drawn over the data (it covered Tartus, at the lower right, once)
    r = 6 * size[2]
    tx, ty = tartus[0] * size[2], tartus[1] * size[2]
    at_tartus = {c for _, c in before.crop((int(tx - r), int(ty - r), int(tx + r), int(ty + r))).getcolors(1 << 24)}
    tartus_op = ds.state_at(DATE).set_index("id").loc["tartus", "operator"]
    want = hex_rgb(ds.actors[tartus_op].colour)  # its fill, give or take the status's shading and anti-aliasing
    assert min(max(abs(a - b) for a, b in zip(c, want, strict=True)) for c in at_tartus) <= 24, "Tartus is covered in the picture"
    # the date band (top left) has text in it
    band = before.crop((0, 0, int(160 * size[2]), int(64 * size[2])))
    assert len(band.getcolors(1 << 24) or []) > 10

    later = "2025-06-01"
    assert ds.state_at(DATE).set_index("id").loc["tartus", "status"] != ds.state_at(later).set_index("id").loc["tartus", "status"]
    garrison.slider.focus()
    page.evaluate("d => document.querySelector('.leaflet-container').garrison.timeline.show(d)", to_day(later))
    garrison.expect_date(later)
    after = capture_png(page, garrison, tmp_path, later)
    r = 14 * size[2]
    x, y = tartus[0] * size[2], tartus[1] * size[2]
    around = (int(x - r), int(y - r), int(x + r), int(y + r))
    assert ImageChops.difference(before.crop(around), after.crop(around)).getbbox(), "Tartus looks the same at both dates"
    assert ImageChops.difference(before.crop((0, 0, int(160 * size[2]), int(64 * size[2]))),
                                 after.crop((0, 0, int(160 * size[2]), int(64 * size[2])))).getbbox(), "the date did not change"
    screenshot(page, "after-png")
    # must not: the picture costs a script run (its pixels are made in the page)
    assert reruns.count == runs


def frame_days(ds, start: str, end: str, unit: str) -> list[int]:
    """The frames an animation has, from the data: every day, or `start`, each change and `end`."""
    a, b = to_day(start), to_day(end)
    if unit == "day":
        return list(range(a, b + 1))
    return sorted({a, b, *(int(d) for d in ds.periods.change_days() if a < d <= b)})


def make_animation(page, garrison, tmp_path, ds, start, end, unit, fmt):
    panel = garrison.root.get_by_role("form", name="Animation")
    if not panel.is_visible():
        garrison.root.get_by_role("button", name="Make an animation of a date range").click()
    panel.get_by_label("From").fill(start)
    panel.get_by_label("To").fill(end)
    panel.get_by_role("combobox", name="Frame step").select_option(unit)
    panel.get_by_role("combobox", name="Frame length").select_option("100")
    panel.get_by_role("combobox", name="Format").select_option(fmt)
    with page.expect_download(timeout=120_000) as info:
        panel.get_by_role("button", name="Make").click()
    d = info.value
    path = tmp_path / d.suggested_filename
    d.save_as(str(path))
    expect(panel.get_by_role("progressbar")).to_have_attribute("value", str(len(frame_days(ds, start, end, unit))))
    return d.suggested_filename, path


def test_animation_gif_and_webm_have_a_frame_per_step(garrison, page, data_for, tmp_path, screenshot):
    import av

    ds = data_for("bundled").ds
    reruns = PageRuns(page)
    garrison.open(f"date={DATE}&{SYRIA}", date=DATE)
    runs, sent = reruns.count, garrison.box.get_attribute("data-garrison-sent")
    start, end = "2024-11-01", "2025-03-01"
    name, path = make_animation(page, garrison, tmp_path, ds, start, end, "change", "gif")
    assert name == f"garrison-{start}-to-{end}-change.gif"
    frames = frame_days(ds, start, end, "change")
    gif = Image.open(path)
    assert gif.n_frames == len(frames)
    # the date on every frame: the title band differs from one frame to the next
    bands = []
    for k in range(gif.n_frames):
        gif.seek(k)
        bands.append(gif.convert("RGB").crop((0, 0, 160, 64)))
    assert all(ImageChops.difference(a, b).getbbox() for a, b in zip(bands, bands[1:], strict=False))
    screenshot(page, "gif-made")

    start, end = "2024-12-01", "2024-12-12"
    for fmt in ("webm", "mp4"):
        name, path = make_animation(page, garrison, tmp_path, ds, start, end, "day", fmt)
        assert name == f"garrison-{start}-to-{end}-day.{fmt}"
        with av.open(str(path)) as video:
            count = sum(1 for _ in video.decode(video=0))
        assert count == len(frame_days(ds, start, end, "day")), fmt
    # must not: an animation frame costs a script run or a message to the server; the map's date is put back
    assert reruns.count == runs
    assert garrison.box.get_attribute("data-garrison-sent") == sent
    garrison.expect_date(DATE)


def test_pictures_in_the_readers_language(garrison, page, tmp_path):
    from garrison.i18n import messages

    ru = messages("ru")
    garrison.open(f"lang=ru&date={DATE}&{SYRIA}", date=DATE)
    png = garrison.root.get_by_role("button", name=ru.gettext("Save the map as a PNG image"), exact=True)
    with page.expect_download() as info:
        png.click()
    assert info.value.suggested_filename == f"garrison-map-{DATE}.png"  # file names stay ISO
    expect(garrison.box).to_have_attribute("data-garrison-png", re.compile(r"^\d+x\d+$"))
    garrison.root.get_by_role("button", name=ru.gettext("Make an animation of a date range"), exact=True).click()
    form = garrison.root.get_by_role("form", name=ru.gettext("Animation"), exact=True)
    expect(form).to_be_visible()
    for name in ("Frame step", "Frame length", "Format"):
        expect(form.get_by_role("combobox", name=ru.gettext(name), exact=True)).to_be_visible()
    expect(form.get_by_role("button", name=ru.gettext("Make"), exact=True)).to_be_visible()
    expect(form.get_by_role("combobox", name=ru.gettext("Frame step"), exact=True).locator("option:checked")).to_have_text(
        ru.gettext("a frame a change"))
    # must NOT happen: an English word left on the control (other than the file types)
    words = form.evaluate("el => [el.textContent, ...[...el.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'))].join(' ')")
    assert not re.search(r"[A-Za-z]{2,}", words.replace("GIF", "").replace("WEBM", "").replace("MP4", "")), words
