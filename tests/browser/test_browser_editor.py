"""The in-app editor in the real app (``streamlit run app.py`` with GARRISON_EDIT=1) in headless Chromium.

Each server serves a tmp copy of the bundled data/, never data/ itself. The history table is a Glide
data grid (canvas): a cell is selected by clicking the first data cell and moving with the arrow
keys, opened with Enter, and a status chosen from the select cell editor's options; the grid's
accessible table (``#glide-cell-<col>-<row>``) confirms which cell changed. Expected values come
from the data, never hard-coded. Each test also checks one thing that must NOT happen ("must not").
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from paths import BUNDLED, ROOT
from playwright.sync_api import expect

import garrison as garrison_lib

pytestmark = pytest.mark.browser

COMMENT = "# analyst note: keep this comment"
PERIOD_COLUMNS = ["from", "to", "operator", "status", "territory", "confidence", "sources", "note"]
STATUS_COL = 1 + PERIOD_COLUMNS.index("status")  # column 0 is the grid's row-marker column (num_rows="dynamic")
ROW_PX = 35  # Glide rows and the header row in Streamlit's data editor


# --- data and servers -------------------------------------------------------------------------------
def copy_data(dest: Path) -> Path:
    shutil.copytree(BUNDLED, dest)
    return dest


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (hidden ones too): relative path -> (bytes, mtime_ns)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed_lines(before: str, after: str) -> list[str]:
    return [ln for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def has_class(name: str) -> re.Pattern:
    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def record(folder: Path, inst_id: str):
    ds = garrison_lib.load(folder)
    return ds.records[ds.index[inst_id]], ds


@pytest.fixture(scope="module")
def edit_data(tmp_path_factory) -> Path:
    """A copy of data/ with a hand-written comment in khmeimim.yaml, kept in lint's normal form."""
    folder = copy_data(tmp_path_factory.mktemp("edit") / "data")
    path = folder / "installations" / "khmeimim.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nhistory:\n" in text
    path.write_text(text.replace("\nhistory:\n", f"\n{COMMENT}\nhistory:\n", 1), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    for args in (["lint", "--fix"], ["lint"]):
        run = subprocess.run([sys.executable, "-m", "garrison", *args, "--data", str(folder)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
    assert COMMENT in path.read_text(encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def edit_server(start_server, edit_data):
    return start_server(edit_data, GARRISON_EDIT="1")


@pytest.fixture(scope="module")
def view_data(tmp_path_factory) -> Path:
    return copy_data(tmp_path_factory.mktemp("view") / "data")


@pytest.fixture(scope="module")
def view_server(start_server, view_data):
    return start_server(view_data, GARRISON_EDIT=None)  # not even inherited from the shell


# --- the editor in the page ---------------------------------------------------------------------------
def edit_form(page):
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("textbox", name="Name", exact=True))


def grid_cell(form, col: int, row: int):
    return form.get_by_test_id("stDataFrame").locator(f"#glide-cell-{col}-{row}")


def set_status_in_grid(g, row: int, old: str, new: str) -> None:
    """Change the status of history row ``row`` from ``old`` to ``new`` through the grid's cell editor."""
    page = g.page
    form = edit_form(page)
    grid = form.get_by_test_id("stDataFrame")
    cell = grid_cell(form, STATUS_COL, row)
    expect(cell).to_have_text(old)
    g.settle()  # no run going on that could redraw the grid under the cell editor
    grid.scroll_into_view_if_needed()
    # the grid scrolls sideways as the selection moves right (a wide sources column): back to the start
    grid.locator(".dvn-scroller").evaluate_all("els => els.forEach(e => { e.scrollLeft = 0; e.scrollTop = 0; })")
    grid.click(position={"x": 60, "y": ROW_PX + ROW_PX // 2})  # the first data row's "from" cell
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(STATUS_COL - 1):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the select cell editor on the selected cell
    page.get_by_role("option", name=new, exact=True).click()
    expect(cell).to_have_text(new)


def save(page) -> None:
    edit_form(page).get_by_role("button", name="Save", exact=True).click()


# --- A: edit a status in the grid, save, see it on the map --------------------------------------------
def test_grid_status_edit_is_saved_and_shown_on_the_map(new_page, page_object, edit_server, edit_data):
    path = edit_data / "installations" / "khmeimim.yaml"
    before_text = path.read_text(encoding="utf-8")
    others = {k: v for k, v in snapshot(edit_data).items() if k != "installations/khmeimim.yaml"}
    rec, _ = record(edit_data, "khmeimim")
    row = len(rec.history) - 1
    latest, previous = rec.history[-1], rec.history[-2]
    old = latest.status
    new = next(s for s in ("abandoned", "destroyed") if s not in (old, previous.status))

    g = page_object(new_page(), edit_server)
    g.open("select=khmeimim")
    set_status_in_grid(g, row, old, new)
    save(g.page)
    expect(g.page.get_by_test_id("stAlertContentSuccess")).to_contain_text(
        re.compile(rf"Saved khmeimim: history\[{row}\] status {old} . {new}"))
    g.settle()
    g.expect_no_exception()

    after_text = path.read_text(encoding="utf-8")
    assert changed_lines(before_text, after_text) == [f"-    status: {old}", f"+    status: {new}"]
    assert COMMENT in after_text
    rec2, ds = record(edit_data, "khmeimim")
    assert [p.status for p in rec2.history] == [p.status for p in rec.history[:-1]] + [new]
    # must not: any other file changes (or a temp file is left behind)
    assert {k: v for k, v in snapshot(edit_data).items() if k != "installations/khmeimim.yaml"} == others

    # the map, opened at a date inside the edited period, styles the marker with the new status
    last = ds.span()[1]
    inside = min(latest.start.start + dt.timedelta(days=20), last).isoformat()
    g.open(f"select=khmeimim&date={inside}", date=inside)
    marker = g.marker("khmeimim")
    expect(marker).to_have_class(has_class(f"garrison-status-{new}"))
    expect(marker).not_to_have_class(has_class(f"garrison-status-{old}"))
    # must not: the period before it changes (the day before the edited period starts)
    before = (latest.start.start - dt.timedelta(days=1)).isoformat()
    g.open(f"select=khmeimim&date={before}", date=before)
    expect(marker).to_have_class(has_class(f"garrison-status-{previous.status}"))
    expect(marker).not_to_have_class(has_class(f"garrison-status-{new}"))


# --- B: two browsers edit the same installation -------------------------------------------------------
def test_second_browser_gets_a_conflict_and_nothing_is_lost(new_page, page_object, edit_server, edit_data):
    inst = "tartus"
    path = edit_data / "installations" / f"{inst}.yaml"
    original = path.read_text(encoding="utf-8")
    rec, _ = record(edit_data, inst)
    row, old = len(rec.history) - 1, rec.history[-1].status
    claimed = {c.status for c in rec.history[-1].claims}  # a claim may not repeat the period's own status
    new = next(s for s in ("abandoned", "destroyed", "seized") if s != old and s not in claimed)
    first_name = f"{rec.name} (first browser)"

    g1, g2 = page_object(new_page(), edit_server), page_object(new_page(), edit_server)
    g1.open(f"select={inst}")
    g2.open(f"select={inst}")  # both forms have loaded the same version of the file
    mount2, version2 = g2.mount(), g2.box.get_attribute("data-garrison-version")

    name = g1.page.get_by_role("textbox", name="Name", exact=True)
    name.fill(first_name)
    save(g1.page)
    expect(g1.page.get_by_test_id("stAlertContentSuccess")).to_contain_text(f"Saved {inst}")
    first = path.read_text(encoding="utf-8")
    assert changed_lines(original, first) == [f"-name: {rec.name}", f"+name: {first_name}"]

    # the second page's file watcher reruns its script, which hands its map the new data (the same
    # mounted map, a new payload)
    expect(g2.details).to_contain_text(first_name)
    expect(g2.box).not_to_have_attribute("data-garrison-version", version2)
    assert g2.mount() == mount2
    g2.settle()
    expect(edit_form(g2.page).get_by_role("textbox", name="Name", exact=True)).to_have_value(rec.name)  # stale form
    set_status_in_grid(g2, row, old, new)
    save(g2.page)
    # the conflict, on the run of the Save click itself: the message and the diff of what changed on disk
    conflict = g2.page.get_by_test_id("stAlertContentError").filter(has_text="changed on disk")
    expect(conflict).to_contain_text("Nothing was overwritten")
    diff = g2.page.get_by_test_id("stCode").filter(has_text="(on disk now)")
    expect(diff).to_contain_text(f"+name: {first_name}")
    expect(diff).to_contain_text(f"-name: {rec.name}")
    expect(g2.page.get_by_role("button", name=re.compile(r"^Reload from disk"))).to_be_visible()

    # must not: the second save overwrites or mixes: the file holds the first change only
    assert path.read_text(encoding="utf-8") == first
    assert record(edit_data, inst)[0].history[-1].status == old
    expect(g2.page.get_by_test_id("stAlertContentSuccess").filter(has_text="Saved")).to_have_count(0)
    g1.expect_no_exception()
    g2.expect_no_exception()


# --- C: without GARRISON_EDIT there is no editor, and nothing is written -------------------------------
def test_without_edit_mode_no_editor_and_nothing_written(new_page, page_object, view_server, view_data):
    before = snapshot(view_data)
    g = page_object(new_page(), view_server)
    page = g.page
    rec, _ = record(view_data, "khmeimim")
    # zoomed in so its marker does not overlap Tartus's; the extra parameters are a hopeful client's
    g.open(f"lat={rec.lat}&lon={rec.lon}&zoom=9&edit=1&ed_target=khmeimim&GARRISON_EDIT=1&ed_draft=khmeimim")

    def no_editor():
        expect(page.get_by_text("Edit data")).to_have_count(0)
        expect(page.get_by_test_id("stForm")).to_have_count(0)
        expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
        expect(page.get_by_role("textbox", name="Edit password")).to_have_count(0)
        expect(page.locator('[role="gridcell"][aria-readonly="false"]')).to_have_count(0)  # no editable grid
        expect(page.get_by_text("Edit mode is off")).to_have_count(0)  # not requested: no hint either

    no_editor()
    # click around: select by a marker click, next change, compare (a read-only table), clear the selection
    g.marker("khmeimim").click()
    expect(g.details.locator("h3")).to_have_text(rec.name)
    g.settle()
    no_editor()
    page.get_by_role("button", name="Next change ▶").click()
    g.settle()
    g.toggle("Compare with a second date").click()
    expect(page.get_by_test_id("stTable")).to_have_count(1)
    g.settle()
    page.get_by_role("button", name="Clear selection").click()
    expect(g.details).to_have_count(0)
    g.settle()
    no_editor()
    g.expect_no_exception()
    # must not: a single byte or mtime in the data folder changes
    assert snapshot(view_data) == before
