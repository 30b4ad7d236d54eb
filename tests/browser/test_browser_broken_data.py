"""A broken installation file: the app names it (file:line) and still maps every valid installation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from paths import BUNDLED
from playwright.sync_api import expect

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
    expect(expander).to_contain_text(f"{len(data.ds.errors)} error(s)")
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
