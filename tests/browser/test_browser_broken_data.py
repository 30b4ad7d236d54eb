"""A broken installation file: the app names it (file:line) and still maps every valid installation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from paths import BUNDLED
from playwright.sync_api import expect

from garrison.i18n import messages

pytestmark = pytest.mark.browser

BROKEN_ID = "zz-broken-status"
BROKEN_YAML = f"""\
id: {BROKEN_ID}
name: Broken Test Base
kind: air_base
country: SY
lat: 36.2
lon: 37.1
history:
  - from: '2016'
    operator: ru
    status: captured
    confidence: confirmed
    sources: [wp-tartus-naval-base]
"""


@pytest.fixture(scope="module")
def broken_data(tmp_path_factory) -> Path:
    """The bundled data plus one installation file with an invalid status."""
    dest = tmp_path_factory.mktemp("broken") / "data"
    shutil.copytree(BUNDLED, dest, ignore=shutil.ignore_patterns("_incoming"))
    (dest / "installations" / f"{BROKEN_ID}.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    return dest


def test_broken_file_is_reported_and_valid_installations_still_mapped(garrison_for, broken_data, data_for, page):
    garrison, data = garrison_for(broken_data), data_for(broken_data)
    errors = [p for p in data.ds.errors if Path(p.path).name == f"{BROKEN_ID}.yaml"]
    assert len(errors) == 1 and errors[0].field == "history[0].status", data.ds.problems
    problem = errors[0]
    assert BROKEN_ID not in data.ds.index
    assert len(data.ds.records) == len(list((BUNDLED / "installations").glob("*.yaml")))

    garrison.open()
    expander = page.get_by_test_id("stExpander").filter(has_text="in the data files")
    expect(expander).to_be_visible()
    expect(expander).to_contain_text(messages("en").ngettext("{n} error", "{n} errors", len(data.ds.errors)))
    expander.locator("summary").click()
    listing = expander.locator("code")
    expect(listing).to_be_visible()
    expect(listing).to_contain_text(f"{BROKEN_ID}.yaml:{problem.line}:{problem.column}: history[0].status")
    expect(listing).to_contain_text(str(problem))

    # every valid installation has its marker
    expect(garrison.markers).to_have_count(len(data.ds.records))
    assert set(garrison.marker_classes()) == set(data.ds.index)
    # must not: a marker for the broken installation.
    expect(garrison.marker(BROKEN_ID)).to_have_count(0)
    expect(garrison.map.locator(f".garrison-inst-{BROKEN_ID}")).to_have_count(0)
    garrison.expect_no_exception()


@pytest.fixture(scope="module")
def live_data(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("live") / "data"
    shutil.copytree(BUNDLED, dest)
    return dest


def test_a_hand_edit_shows_up_live_and_a_broken_one_keeps_the_last_good_version(garrison_for, live_data, data_for, page):
    garrison, data = garrison_for(live_data), data_for(live_data)
    last = data.ds.span()[1].isoformat()
    old = data.status("khmeimim", last)
    new = next(s for s in ("abandoned", "destroyed") if s != old)
    path = live_data / "installations" / "khmeimim.yaml"
    text = path.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition(f"status: {old}")  # the latest period's status
    assert sep
    garrison.open(f"date={last}", date=last)
    marker = garrison.marker("khmeimim")
    expect(marker).to_have_class(re.compile(rf"\bgarrison-status-{old}\b"))

    # saved in an editor: the running app picks it up by itself (its watcher looks every 2 s)
    path.write_text(head + f"status: {new}" + tail, encoding="utf-8")
    expect(marker).to_have_class(re.compile(rf"\bgarrison-status-{new}\b"), timeout=15_000)
    expect(marker).not_to_have_class(re.compile(r"\bgarrison-stale\b"))

    # then broken by a typo: the error is shown and the last good version stays, flagged stale
    path.write_text(head + f"status: {new}x" + tail, encoding="utf-8")
    expect(marker).to_have_class(re.compile(r"\bgarrison-stale\b"), timeout=15_000)
    expect(marker).to_have_class(re.compile(rf"\bgarrison-status-{new}\b"))
    expander = page.get_by_test_id("stExpander").filter(has_text="in the data files")
    expander.locator("summary").click()
    expect(expander.locator("code")).to_contain_text(re.compile(r"khmeimim\.yaml:\d+:\d+: history\[\d+\]\.status"))
    # must not: the installation vanishes from the map, or the page shows an exception
    expect(garrison.markers).to_have_count(len(data.ds.records))
    garrison.expect_no_exception()
