"""Issue 10's fields (FIELDS.md): aliases, checked, position/position_km, claims, via/revision, publishers.

Each new error and warning has a file in tests/fixtures/bad/ (test_bad_corpus.py checks its exact
place and message); here: the good side (a disputed period with claims loads clean, passes lint
unchanged, is exported and shown), and what a fixture cannot show (a record's age, the optional
publishers table, citations made only by claims, the editor keeping claims).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import shutil
from pathlib import Path

import pytest
from paths import FIXTURES

import garrison
import garrison.checks
from garrison import export
from garrison.edit import open_for_edit, replace_history
from garrison.lint import normalise, run_lint
from garrison.model import Claim, Publisher
from garrison.ui import panels

CLAIMS = FIXTURES / "claims" / "installations" / "disputed-d.yaml"


@pytest.fixture
def claims_copy(good_copy: Path) -> Path:
    """The good fixture plus an installation whose latest period has two conflicting claims."""
    shutil.copy(CLAIMS, good_copy / "installations")
    return good_copy


def _rec(ds: garrison.Dataset, inst_id: str = "disputed-d"):
    return ds.records[ds.index[inst_id]]


# --- loading ---------------------------------------------------------------------------------

def test_a_period_with_claims_loads_clean_and_the_model_carries_every_new_field(claims_copy: Path):
    ds = garrison.Loader(claims_copy).load(strict=True)
    assert ds.errors == [] and ds.warnings == []
    rec = _rec(ds)
    assert rec.aliases == ("Disputed Dee", "Диспут Д")
    assert (rec.checked.text, rec.checked.precision) == ("2026-11-20", "day")
    assert (rec.position, rec.position_km) == ("approximate", 5.0)
    first, last = rec.history
    assert first.claims == () and not first.disputed
    assert last.disputed and last.claims == (
        Claim(("s2",), status="abandoned", note="Fixture report two saw the base empty."),
        Claim(("s2",), operator="green", status="seized"),
    )
    # the period's own values stay the record's assessment: state and changes do not follow a claim
    row = ds.state_at("2025-06-01").set_index("id").loc["disputed-d"]
    assert (row["operator"], row["status"], row["territory"]) == ("red", "reduced", "green")
    assert ds.publishers == {"Example Wire": Publisher("Example Wire", ("example.org",))}


def test_the_installations_frame_has_the_new_columns(claims_copy: Path):
    frame = garrison.Loader(claims_copy).load().installations.set_index("id")
    assert frame.loc["disputed-d", "aliases"] == ["Disputed Dee", "Диспут Д"]
    assert frame.loc["disputed-d", "checked"] == "2026-11-20" and frame.loc["port-a", "checked"] == "2026-11-20"
    assert (frame.loc["disputed-d", "position"], frame.loc["disputed-d", "position_km"]) == ("approximate", 5.0)
    assert frame.loc["port-a", "position"] == "exact" and frame["position_km"].isna().sum() == 3
    assert frame.loc["port-a", "aliases"] == []


def test_a_source_cited_only_by_a_claim_counts_as_cited(claims_copy: Path):
    with (claims_copy / "sources.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- id: s3\n  title: Only a claim cites me\n  publisher: Example Wire\n  url: https://example.org/three\n")
    path = claims_copy / "installations" / "disputed-d.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("      - operator: green\n        status: seized\n        sources: [s2]",
                                                             "      - operator: green\n        status: seized\n        sources: [s3]"),
                    encoding="utf-8")
    ds = garrison.Loader(claims_copy).load()
    assert ds.errors == [] and ds.warnings == [], [str(p) for p in ds.problems]
    # ...and a broken file's claims still count (its citations are read from the parsed document)
    path.write_text(path.read_text(encoding="utf-8").replace("status: reduced", "status: sleeping"), encoding="utf-8")
    ds = garrison.Loader(claims_copy).load()
    assert not [p for p in ds.warnings if "never cited" in p.message], [str(p) for p in ds.warnings]


def test_every_problem_of_a_file_with_claims_is_reported_at_its_place(claims_copy: Path):
    """Problems are collected, never stopped at the first: four faults, four problems."""
    path = claims_copy / "installations" / "disputed-d.yaml"
    text = path.read_text(encoding="utf-8")
    text = (text.replace("confidence: disputed", "confidence: reported")            # line 23
                .replace("      - status: abandoned", "      - status: reduced")      # line 27: the period's own
                .replace("position_km: 5\n", "")                                     # approximate without a radius
                .replace("aliases: [Disputed Dee, Диспут Д]", "aliases: [Disputed Dee, Disputed Dee]"))
    path.write_text(text, encoding="utf-8")
    ds = garrison.Loader(claims_copy).load()
    mine = [(p.line, p.column, p.field) for p in ds.errors if p.path == str(path)]
    assert mine == [(4, 25, "aliases[1]"), (9, 11, "position_km"), (22, 17, "history[1].confidence"),
                    (26, 17, "history[1].claims[0].status")], mine
    assert "disputed-d" not in ds.index


def test_a_period_that_changes_nothing_is_warned_unless_a_gap_lies_between(good_copy: Path):
    site = good_copy / "installations" / "site-c.yaml"
    same = "  - from: '2021'\n    operator: red-pmc\n    status: active\n    confidence: reported\n    sources: [s2]\n"
    site.write_text(site.read_text(encoding="utf-8") + same, encoding="utf-8")
    warned = [p for p in garrison.Loader(good_copy).load().warnings if "changes none" in p.message]
    assert [(p.path, p.line, p.column, p.field) for p in warned] == [(str(site), 16, 5, "history[1]")]
    # a gap (`to`) between the two: nothing to merge
    site.write_text(site.read_text(encoding="utf-8").replace("  - from: '2020-05-26'\n", "  - from: '2020-05-26'\n    to: '2020-12'\n"),
                    encoding="utf-8")
    assert not [p for p in garrison.Loader(good_copy).load().warnings if "changes none" in p.message]
    # a change of territory alone is a change
    site.write_text(site.read_text(encoding="utf-8").replace("    to: '2020-12'\n", "").replace(
        "    status: active\n    confidence: reported\n    sources: [s2]\n", "    status: active\n    territory: blue\n    confidence: reported\n    sources: [s2]\n", 1),
        encoding="utf-8")
    assert not [p for p in garrison.Loader(good_copy).load().warnings if "changes none" in p.message]


# --- checked: a record's age -------------------------------------------------------------------

def test_checked_more_than_a_year_ago_is_a_warning_at_its_line(good_copy: Path, monkeypatch):
    monkeypatch.setattr(garrison.checks, "CHECKED_MAX_AGE", dt.timedelta(days=365))  # the real rule, not conftest's
    port = good_copy / "installations" / "port-a.yaml"
    text = port.read_text(encoding="utf-8")
    today = dt.date.today()
    port.write_text(text.replace("checked: '2026-11-20'", f"checked: '{today - dt.timedelta(days=366)}'"), encoding="utf-8")
    old = [p for p in garrison.Loader(good_copy).load().warnings if p.field == "checked"]
    assert [(p.path, p.line, p.column, p.record) for p in old] == [(str(port), 11, 10, "port-a")]
    assert old[0].message.startswith(f"record last checked {today - dt.timedelta(days=366)}, more than a year ago")
    port.write_text(text.replace("checked: '2026-11-20'", f"checked: '{today - dt.timedelta(days=365)}'"), encoding="utf-8")
    assert not [p for p in garrison.Loader(good_copy).load().warnings if p.field == "checked"]


def test_the_age_of_checked_is_asked_on_the_day_of_loading_not_when_parsed(good_copy: Path):
    """A cached parse must not keep a record fresh for ever: checked_problem takes the day."""
    ds = garrison.Loader(good_copy).load()
    rec = _rec(ds, "port-a")
    parsed = garrison.Loader(good_copy)
    parsed.load()
    doc = parsed.parsed(rec.file)
    assert garrison.checks.checked_problem(rec, doc, rec.file, today=dt.date(2026, 12, 1)) is None
    later = garrison.checks.checked_problem(rec, doc, rec.file, today=dt.date(2026, 11, 20) + garrison.checks.CHECKED_MAX_AGE
                                            + dt.timedelta(days=1))
    assert later is not None and (later.line, later.field, later.severity) == (11, "checked", "warning")


def test_a_missing_position_is_a_warning_for_now():
    """Until the bundled data carries `position` everywhere (issue 10); then POSITION_MISSING becomes "error"."""
    assert garrison.checks.POSITION_MISSING == "warning"


# --- publishers ------------------------------------------------------------------------------

def test_without_a_publishers_table_no_publisher_is_warned(good_copy: Path):
    (good_copy / "publishers.yaml").unlink()
    sources = good_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("https://example.org/one", "https://mirror.example.net/one"),
                       encoding="utf-8")
    ds = garrison.Loader(good_copy).load()
    assert ds.warnings == [] and ds.publishers == {}


@pytest.mark.parametrize("url, warned", [
    ("https://example.org/x", False), ("https://www.example.org/x", False), ("https://EN.Example.org./x", False),
    ("https://notexample.org/x", True), ("https://example.org.evil.net/x", True), ("http://example.com/x", True),
])
def test_a_url_host_must_be_the_publishers_or_a_subdomain_of_it(good_copy: Path, url: str, warned: bool):
    sources = good_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("https://example.org/one", url), encoding="utf-8")
    found = [p for p in garrison.Loader(good_copy).load().warnings if p.field == "[0].url"]
    assert bool(found) == warned, [str(p) for p in found]


def test_a_source_keeps_via_and_revision(good_copy: Path):
    (good_copy / "publishers.yaml").write_text("- name: Example Wire\n  hosts: [example.org]\n- name: Wikipedia\n"
                                               "  hosts: [wikipedia.org]\n", encoding="utf-8")
    sources = good_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "  publisher: Example Wire\n  date: '2016-01-01'\n  url: https://example.org/one\n",
        "  publisher: Wikipedia\n  date: '2016-01-01'\n  url: https://en.wikipedia.org/wiki/One\n"
        "  via: https://mirror.example.net/wiki/One\n  revision: 1234567890\n"), encoding="utf-8")
    ds = garrison.Loader(good_copy).load(strict=True)
    assert ds.warnings == []
    assert (ds.sources["s1"].via, ds.sources["s1"].revision) == ("https://mirror.example.net/wiki/One", 1234567890)


# --- lint, exports, panels, editor ----------------------------------------------------------

def test_the_claims_fixture_is_in_lint_normal_form_and_lint_restores_it(claims_copy: Path, capsys):
    assert run_lint(claims_copy, [], fix=False) == 0, capsys.readouterr()
    text = CLAIMS.read_text(encoding="utf-8")
    messy = (text.replace("      - status: abandoned\n        sources: [s2]\n", "      - status:   abandoned\n        sources:   [ s2 ]\n")
                 .replace("checked: '2026-11-20'", "checked: 2026-11-20"))
    assert messy != text
    assert normalise(messy) == text  # same keys in the same order, the normal indentation, the date quoted


def test_exports_carry_checked_position_and_disputed(claims_copy: Path):
    ds = garrison.Loader(claims_copy).load(strict=True)
    hist = {f["id"]: f["properties"] for f in export.history_features(ds)["features"]}
    assert hist["disputed-d@2025-03"]["disputed"] is True and hist["disputed-d@2019"]["disputed"] is False
    assert (hist["disputed-d@2025-03"]["position"], hist["disputed-d@2025-03"]["position_km"]) == ("approximate", 5.0)
    assert hist["port-a@1971"]["checked"] == "2026-11-20" and hist["port-a@1971"]["position_km"] is None
    json.loads(export.to_geojson(export.history_features(ds)))  # plain JSON: true/false/null
    state = {f["id"]: f["properties"] for f in export.state_features(ds, "2025-06-01")["features"]}
    assert (state["disputed-d"]["checked"], state["disputed-d"]["position"], state["disputed-d"]["position_km"]) == (
        "2026-11-20", "approximate", 5.0)
    rows = export.history_csv(ds).splitlines()
    head = rows[0].split(",")
    assert head[-4:] == ["checked", "position", "position_km", "disputed"]
    since = head.index("since")
    last = next(r for r in rows if r.startswith("disputed-d,") and r.split(",")[since] == "2025-03")
    assert last.endswith(",2026-11-20,approximate,5.0,true")
    state_rows = export.state_csv(ds, "2025-06-01").splitlines()
    assert state_rows[0].endswith(",checked,position,position_km")
    assert any(r.startswith("port-a,") and r.endswith(",2026-11-20,exact,") for r in state_rows)
    table = export.period_table(ds).set_index("period_id")
    assert bool(table.loc["disputed-d@2025-03", "disputed"]) and not bool(table.loc["base-b@2015-09", "disputed"])
    assert table.loc["disputed-d@2025-03", "position_km"] == 5.0
    kml = export.to_kml(ds)
    assert '<Data name="disputed">' in kml and '<Data name="position_km">' in kml and "<value>5</value>" in kml


def test_the_details_panel_shows_checked_position_and_aliases(claims_copy: Path):
    ds = garrison.Loader(claims_copy).load()
    out = panels.details_html(ds, "disputed-d")
    assert "Record checked 20 Nov 2026" in out and "position approximate, ±5 km" in out
    assert 'Also known as: <span dir="auto">Disputed Dee</span>, <span dir="auto">Диспут Д</span>' in out
    port = panels.details_html(ds, "port-a")
    assert "position exact (within about 1 km)" in port and "Also known as" not in port


def test_the_date_label_keeps_the_precision_written():
    from garrison.dates import parse_partial

    assert [panels.date_label(parse_partial(t)) for t in ("2026-12-03", "2026-12", "2026")] == ["3 Dec 2026", "Dec 2026", "2026"]


def test_the_history_panel_lists_claims_side_by_side(claims_copy: Path):
    ds = garrison.Loader(claims_copy).load()
    out = panels.history_html(ds, "disputed-d")
    assert out.count('<table class="garrison-claims">') == 1  # only the disputed period
    table = out[out.index('<table class="garrison-claims">'):out.index("</table>")]
    # one column for the record, one per claim, each headed by its sources' publishers
    assert table.count("<th>This record</th>") == 1 and table.count("<th>Example Wire</th>") == 2
    assert "<td>reduced</td><td><b>abandoned</b></td><td><b>seized</b></td>" in table
    assert "<td>Red Forces</td><td>—</td><td><b>Green Opposition</b></td>" in table
    assert table.count('href="https://example.org/two"') == 2 and "Fixture report two</a> — Example Wire" in table
    assert "<i>Fixture report two saw the base empty.</i>" in table


def test_claims_in_the_history_panel_are_escaped(claims_copy: Path):
    sources = claims_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("title: Fixture report two", "title: '<script>alert(1)</script>'")
                       .replace("  publisher: Example Wire\n  date: '2024-12-11'", "  publisher: '<img src=x onerror=alert(1)>'\n  date: '2024-12-11'"),
                       encoding="utf-8")
    path = claims_copy / "installations" / "disputed-d.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Fixture report two saw the base empty.", "<iframe src=x></iframe>"),
                    encoding="utf-8")
    out = panels.history_html(garrison.Loader(claims_copy).load(), "disputed-d")
    assert "<script" not in out and "<img" not in out and "<iframe" not in out
    assert html.escape("<img src=x onerror=alert(1)>") in out and html.escape("<iframe src=x></iframe>") in out


def test_the_editor_keeps_claims_and_puts_new_keys_in_their_place(claims_copy: Path):
    draft = open_for_edit(claims_copy, "disputed-d")
    replace_history(draft, draft.history_rows())  # a table sending every row back unchanged
    assert draft.diff() == ""
    rows = draft.history_rows()
    rows[1]["note"] = "Edited note."
    replace_history(draft, rows)
    assert draft.render() == CLAIMS.read_text(encoding="utf-8").replace("Sources disagree on whether Red is still there.",
                                                                      "Edited note.")
    rows[1]["claims"][1]["status"] = "destroyed"
    replace_history(draft, rows)
    assert "      - operator: green\n        status: destroyed\n        sources: [s2]\n" in draft.render()
