"""The in-app editor (app_editor.py), driven headless by streamlit.testing.v1.AppTest.

Every test runs the real app.py on a tmp copy of tests/fixtures/good (GARRISON_DATA, GARRISON_WATCH=0)
and checks the files on disk afterwards. Each test also checks one thing that must NOT happen
(named "must not" below). AppTest drives st.data_editor inside the form by assigning the editor's
edit state (edited_rows/added_rows/deleted_rows) on ``at.session_state`` before the run that
clicks a form_submit_button.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
from shown import shown
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

import garrison
from garrison.edit import file_digest, open_for_edit, set_fields
from garrison.yamlsafe import parse_yaml

# paths defined here, not imported from conftest (tests/browser/conftest.py shadows that module name)
ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good"
APP = str(ROOT / "app.py")
COMMENT = "# analyst note: keep this comment"
PASSWORD = "s3cret-edit-pw"


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def server_address():
    """Streamlit's server.address as .streamlit/config.toml sets it (loopback), whatever the cwd."""
    old = st_config.get_option("server.address")
    st_config.set_option("server.address", "127.0.0.1")
    yield
    st_config.set_option("server.address", old)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable copy of the good fixture, with a hand-written comment in port-a.yaml; edit mode off."""
    dest = tmp_path / "data"
    shutil.copytree(GOOD, dest)
    path = dest / "installations" / "port-a.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nhistory:\n" in text
    path.write_text(text.replace("\nhistory:\n", f"\n{COMMENT}\nhistory:\n", 1), encoding="utf-8")
    assert open_for_edit(dest, "port-a").render() == path.read_text(encoding="utf-8")  # lint's normal form
    monkeypatch.setenv("GARRISON_DATA", str(dest))
    monkeypatch.setenv("GARRISON_WATCH", "0")
    for var in ("GARRISON_EDIT", "GARRISON_GIT_COMMIT"):
        monkeypatch.delenv(var, raising=False)
    return dest


@pytest.fixture
def edit_on(data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GARRISON_EDIT", "1")
    return data


# --- helpers --------------------------------------------------------------------------------------
def app(secrets: dict | None = None, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["page_complete"] = True  # past the map-first run (tested on its own)
    at.secrets["garrison"] = dict(secrets or {})  # never a developer's own .streamlit/secrets.toml
    for key, value in params.items():
        at.query_params[key] = value
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def opened(inst_id: str = "port-a") -> AppTest:
    at = ok(app(select=inst_id).run())
    assert editor_shown(at)
    return at


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (hidden ones too): relative path -> (bytes, mtime_ns)."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def port_a(data: Path) -> Path:
    return data / "installations" / "port-a.yaml"


def editor_shown(at: AppTest) -> bool:
    return any("Edit data" in e.label for e in at.expander)


def text_input(at: AppTest, label: str):
    (widget,) = [t for t in at.text_input if t.label == label]
    return widget


def submit(at: AppTest, label: str) -> AppTest:
    """Click the form_submit_button ``label`` and run."""
    (button,) = [b for b in at.form_submit_button if b.label == label]
    button.click()
    return ok(at.run())


def history_editor_key(at: AppTest) -> str:
    (table,) = at.data_editor
    assert table.key and table.key.startswith("ed_hist::")
    return table.key


def edit_history(at: AppTest, edited: dict | None = None, added: list | None = None, deleted: list | None = None) -> None:
    """Stage edits in the history table, as the browser's grid sends them (applied on the next run)."""
    at.session_state[history_editor_key(at)] = {"edited_rows": edited or {}, "added_rows": added or [],
                                                "deleted_rows": deleted or []}


def delete_button(at: AppTest, inst_id: str):
    """The "Delete file" button of ``inst_id``: its key carries the session's write token."""
    (button,) = [b for b in at.button if b.key and b.key.startswith(f"ed_delete::{inst_id}::")]
    return button


def changed_lines(before: str, after: str) -> list[str]:
    return [ln for ln in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def messages(elements) -> list[str]:
    """The messages as a person reads them (the app escapes data strings for Streamlit's markdown)."""
    return [shown(e.value) for e in elements]


def record(data: Path, inst_id: str):
    ds = garrison.Loader(data).load()
    return ds.records[ds.index[inst_id]], ds


# --- edit mode off ----------------------------------------------------------------------------------
def test_edit_mode_off_by_default(data: Path):
    before = snapshot(data)
    at = ok(app(select="port-a").run())
    assert any("Port A" in h.proto.body for h in at.get("html"))  # the selection itself is shown

    assert not editor_shown(at)
    assert len(at.data_editor) == 0
    labels = {b.label for b in at.button}
    assert not labels & {"Save", "Check", "Add source", "Create", "Retire", "Delete file"}, labels
    assert not at.form_submit_button
    assert "Edit password" not in [t.label for t in at.sidebar.text_input]
    assert not [c.value for c in at.caption if "Edit mode" in c.value]  # not requested: not even a hint
    # must not: touch the data folder
    assert snapshot(data) == before


def _crafted_state(at: AppTest, data: Path) -> None:
    """Session state a hostile or stale client could send for the editor's widget keys."""
    tag = f"port-a::{file_digest(port_a(data))[:10]}"
    draft = open_for_edit(data, "port-a")
    set_fields(draft, name="Hijacked")
    state = {
        "ed_target": "port-a",
        f"ed_hist::{tag}": {"edited_rows": {1: {"status": "abandoned"}}, "added_rows": [], "deleted_rows": []},
        "ed_draft::port-a": draft,
        f"FormSubmitter:ed_form::{tag}-Save": True,
        "FormSubmitter:ed_source-Add source": True,
        "ed_confirm::port-a": "port-a",
        "ed_delete::port-a": True,
        "ed_click": {"lat": 1.0, "lng": 2.0},
        "edit_password": "guess",
    }
    for key, value in state.items():
        at.session_state[key] = value


@pytest.mark.parametrize("case", ["unset", "env-0", "config-string-true", "public-no-password", "public-wrong-password"])
def test_crafted_editor_state_with_edit_mode_off_writes_nothing(data: Path, monkeypatch: pytest.MonkeyPatch, case: str):
    secrets: dict = {}
    if case == "env-0":
        monkeypatch.setenv("GARRISON_EDIT", "0")
    elif case == "config-string-true":
        secrets = {"edit": "true"}  # a string, not the TOML boolean
    elif case.startswith("public"):
        monkeypatch.setenv("GARRISON_EDIT", "1")
        st_config.set_option("server.address", "0.0.0.0")
        if case == "public-wrong-password":
            secrets = {"edit_password": PASSWORD}
    before = snapshot(data)
    at = app(secrets, select="port-a")
    _crafted_state(at, data)
    for _ in range(3):
        ok(at.run())
        assert not editor_shown(at) and len(at.data_editor) == 0 and not at.form_submit_button
        assert not at.success
    # must not: write, create or delete anything in the data folder (bytes and mtimes)
    assert snapshot(data) == before
    assert at.session_state["ed_draft::port-a"].digest == file_digest(port_a(data))  # never saved


def test_off_loopback_the_password_unlocks_the_editor(data: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GARRISON_EDIT", "1")
    st_config.set_option("server.address", "0.0.0.0")
    before = snapshot(data)

    at = ok(app(select="port-a").run())  # no password configured: stays off and says why
    assert not editor_shown(at)
    assert "Edit password" not in [t.label for t in at.sidebar.text_input]
    assert [c.value for c in at.caption if "edit_password" in c.value]

    at = ok(app({"edit_password": PASSWORD}, select="port-a").run())
    password = text_input(at.sidebar, "Edit password")
    assert password.proto.type == password.proto.PASSWORD  # masked
    assert not editor_shown(at)
    for wrong in ("", "s3cret", PASSWORD.upper(), PASSWORD + " "):
        text_input(at.sidebar, "Edit password").set_value(wrong)
        ok(at.run())
        assert not editor_shown(at), wrong
        assert (not wrong) or "Wrong password" in at.sidebar.error[0].value  # says so, instead of nothing
    text_input(at.sidebar, "Edit password").set_value(PASSWORD)
    ok(at.run())
    assert editor_shown(at) and len(at.data_editor) == 1
    # must not: unlocking writes anything
    assert snapshot(data) == before


def test_numeric_configured_password_does_not_crash(data: Path, monkeypatch: pytest.MonkeyPatch):
    # regression: edit_password = 1234 in TOML (an int) crashed the page once a password was typed
    monkeypatch.setenv("GARRISON_EDIT", "1")
    st_config.set_option("server.address", "0.0.0.0")
    before = snapshot(data)
    at = ok(app({"edit_password": 1234}).run())
    text_input(at.sidebar, "Edit password").set_value("12345")
    ok(at.run())
    assert not editor_shown(at)  # must not: a wrong password unlocks
    text_input(at.sidebar, "Edit password").set_value("1234")
    ok(at.run())
    assert editor_shown(at)
    assert snapshot(data) == before


# --- edit mode on -------------------------------------------------------------------------------------
def test_editor_shows_the_selected_installation(edit_on: Path):
    data = edit_on
    before = snapshot(data)
    at = opened("port-a")
    rec, _ = record(data, "port-a")
    (target,) = [s for s in at.selectbox if s.label == "Installation to edit"]
    assert target.value == "port-a"
    assert text_input(at, "Name").value == rec.name
    assert text_input(at, "Country").value == rec.country
    table = at.data_editor[0].value
    assert list(table["from"]) == [p.start.text for p in rec.history]
    assert list(table["status"]) == [p.status for p in rec.history]
    assert [b.label for b in at.form_submit_button][:2] == ["Check", "Save"]
    # must not: opening the form writes anything
    assert snapshot(data) == before


def test_no_selection_opens_the_new_installation_form(edit_on: Path):
    # regression: an empty history table made the sources column float64 and st.data_editor refused it
    before = snapshot(edit_on)
    at = ok(app().run())
    (target,) = [s for s in at.selectbox if s.label == "Installation to edit"]
    assert target.value == "__new__"
    assert "Create" in [b.label for b in at.form_submit_button]
    assert "Save" not in [b.label for b in at.form_submit_button]  # must not: an edit form for no record
    assert snapshot(edit_on) == before


def test_save_a_name_changes_only_that_line(edit_on: Path):
    data = edit_on
    path = port_a(data)
    before_text = path.read_text(encoding="utf-8")
    others = {k: v for k, v in snapshot(data).items() if k != "installations/port-a.yaml"}

    at = opened("port-a")
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Save")

    after_text = path.read_text(encoding="utf-8")
    assert changed_lines(before_text, after_text) == ["-name: Port A", "+name: Port Alpha"]
    assert COMMENT in after_text and after_text.startswith("# yaml-language-server:")
    assert any("Saved port-a" in s and "Port Alpha" in s for s in messages(at.success)), messages(at.success)
    # the app re-renders from the new file: the details panel and a fresh form show the new name
    assert any("Port Alpha" in h.proto.body for h in at.get("html"))
    assert text_input(at, "Name").value == "Port Alpha"
    assert record(data, "port-a")[0].name == "Port Alpha"
    # must not: touch any other file, leave a temp file behind, or report an error / conflict
    assert {k: v for k, v in snapshot(data).items() if k != "installations/port-a.yaml"} == others
    assert not at.error and "ed_conflict" not in at.session_state


def test_save_a_history_status_from_the_table(edit_on: Path):
    data = edit_on
    path = port_a(data)
    before_text = path.read_text(encoding="utf-8")
    at = opened("port-a")
    edit_history(at, edited={1: {"status": "withdrawing"}})
    submit(at, "Save")

    after_text = path.read_text(encoding="utf-8")
    assert changed_lines(before_text, after_text) == ["-    status: blockaded", "+    status: withdrawing"]
    assert COMMENT in after_text
    assert any("history[1] status blockaded -> withdrawing" in s for s in messages(at.success))
    rec, ds = record(data, "port-a")
    assert [p.status for p in rec.history] == ["active", "withdrawing"]
    now = ds.state_at("2025-01-01")
    assert now[now["id"] == "port-a"].iloc[0]["status"] == "withdrawing"
    assert list(at.data_editor[0].value["status"]) == ["active", "withdrawing"]  # the reloaded form
    # must not: the earlier period or the flow-style source lists are rewritten
    assert "    sources: [s1, s2]\n" in after_text and "    status: active\n" in after_text


def test_check_shows_the_diff_and_writes_nothing(edit_on: Path):
    before = snapshot(edit_on)
    at = opened("port-a")
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Check")
    assert "No problems found." in messages(at.success)
    assert any("-name: Port A" in c and "+name: Port Alpha" in c for c in messages(at.code))
    # must not: a check saves
    assert snapshot(edit_on) == before
    assert not any("Saved" in s for s in messages(at.success))


INVALID = {
    # case: (how to make the edit, a fragment the error must contain)
    "status-not-in-vocabulary": (lambda at: edit_history(at, edited={1: {"status": "bogus"}}), "history[1].status"),
    "operator-unknown": (lambda at: edit_history(at, edited={0: {"operator": "nobody"}}), "nobody"),
    "impossible-date": (lambda at: edit_history(at, edited={1: {"from": "2024-13-45"}}), "2024-13-45"),
    "country-not-two-letters": (lambda at: text_input(at, "Country").set_value("X1"), "country"),
    "name-with-control-character": (lambda at: text_input(at, "Name").set_value("Port\x07A"), "name"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_edit_shows_an_error_and_writes_nothing(edit_on: Path, case: str):
    make_edit, fragment = INVALID[case]
    before = snapshot(edit_on)
    at = opened("port-a")
    make_edit(at)
    submit(at, "Save")
    errors = messages(at.error)
    assert errors and any(fragment in e for e in errors), errors
    # must not: write anything or claim success
    assert snapshot(edit_on) == before
    assert not at.success


def test_country_longer_than_two_characters_cannot_be_entered(edit_on: Path):
    # 'XX1' is clipped to the field's max_chars=2 ('XX', which the schema's ^[A-Z]{2}$ accepts)
    at = opened("port-a")
    country = text_input(at, "Country")
    assert country.proto.max_chars == 2
    # must not: a 3-character country reaches the file
    country.set_value("XX1")
    submit(at, "Save")
    assert "country: XX1" not in port_a(edit_on).read_text(encoding="utf-8")


def _conflict_after_hand_edit(data: Path) -> tuple[AppTest, str]:
    path = port_a(data)
    at = opened("port-a")  # the form has loaded the file
    hand = path.read_text(encoding="utf-8").replace("note: Fixture note.", "note: Hand edit.")
    path.write_text(hand, encoding="utf-8")
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Save")
    return at, hand


def test_conflict_with_a_hand_edit_keeps_the_file(edit_on: Path):
    path = port_a(edit_on)
    at, hand = _conflict_after_hand_edit(edit_on)
    # shown on the run of the Save click itself (regression: it used to wait for the next interaction)
    assert any("changed on disk" in e and "Nothing was overwritten" in e for e in messages(at.error)), messages(at.error)
    codes = messages(at.code)
    assert any("-    note: Fixture note." in c and "+    note: Hand edit." in c for c in codes), codes  # the diff
    assert any("name: Port Alpha" in c for c in codes)  # "your version", to copy from
    # must not: overwrite the hand edit, mix the form's edit into it, or claim success
    assert path.read_text(encoding="utf-8") == hand
    assert not any("Saved" in s for s in messages(at.success))

    ok(at.run())  # any later rerun: still shown, still nothing written
    assert any("changed on disk" in e for e in messages(at.error))
    assert path.read_text(encoding="utf-8") == hand

    # reload from disk, redo the edit on top of the hand edit: both are kept
    (reload,) = [b for b in at.button if b.label.startswith("Reload from disk")]
    reload.click()
    ok(at.run())
    assert not any("changed on disk" in e for e in messages(at.error))
    assert text_input(at, "Name").value == "Port A"
    assert "Hand edit." in list(at.data_editor[0].value["note"])
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Save")
    assert changed_lines(hand, path.read_text(encoding="utf-8")) == ["-name: Port A", "+name: Port Alpha"]


def test_merge_applies_my_edit_onto_the_hand_edited_file(edit_on: Path):
    path = port_a(edit_on)
    at, hand = _conflict_after_hand_edit(edit_on)
    (merge,) = [b for b in at.button if b.label.startswith("Merge")]
    merge.click()
    ok(at.run())
    text = path.read_text(encoding="utf-8")
    # both kept: the hand edit (a note) and mine (the name), and only those lines changed
    assert changed_lines(hand, text) == ["-name: Port A", "+name: Port Alpha"]
    assert any("Saved" in s and "merged" in s for s in messages(at.success)), messages(at.success)
    # must not: the conflict is still shown after the merge
    assert not any("changed on disk" in e for e in messages(at.error))


def test_merge_is_refused_where_both_changed_the_same_field(edit_on: Path):
    path = port_a(edit_on)
    at = opened("port-a")
    text_input(at, "Name").set_value("Port Alpha")
    hand = path.read_text(encoding="utf-8").replace("name: Port A\n", "name: Port Hand\n")
    path.write_text(hand, encoding="utf-8")
    submit(at, "Save")
    assert any("changed on disk" in e for e in messages(at.error))
    (merge,) = [b for b in at.button if b.label.startswith("Merge")]
    merge.click()
    ok(at.run())
    assert any("not merged" in e and "name" in e for e in messages(at.error)), messages(at.error)
    # must not: anything written over the hand edit
    assert path.read_text(encoding="utf-8") == hand


def test_saving_again_from_the_stale_form_is_still_a_conflict(edit_on: Path):
    path = port_a(edit_on)
    at, hand = _conflict_after_hand_edit(edit_on)
    submit(at, "Save")  # the same stale form again, without reloading
    assert any("changed on disk" in e for e in messages(at.error))
    # must not: the second attempt goes through
    assert path.read_text(encoding="utf-8") == hand


def test_add_a_source(edit_on: Path):
    data = edit_on
    sources = data / "sources.yaml"
    before_text = sources.read_text(encoding="utf-8")
    installations = {k: v for k, v in snapshot(data).items() if k.startswith("installations/")}
    at = opened("port-a")
    for label, value in {"id": "s3", "Publisher": "Example Wire", "Title": "Fixture report three",
                         "URL (http or https)": "https://example.org/three", "Date": "2025-01-02",
                         "Language": "en"}.items():
        text_input(at, label).set_value(value)
    submit(at, "Add source")

    after_text = sources.read_text(encoding="utf-8")
    assert after_text.startswith(before_text)  # appended; the header comments and s1, s2 untouched
    parsed = parse_yaml(after_text, str(sources)).value
    assert parsed[-1] == {"id": "s3", "title": "Fixture report three", "publisher": "Example Wire",
                          "date": "2025-01-02", "url": "https://example.org/three", "language": "en"}
    assert [s["id"] for s in parsed] == ["s1", "s2", "s3"]
    assert any("Saved source s3" in s for s in messages(at.success))
    assert any("3 sources" in c.value for c in at.sidebar.caption)  # the app reloaded the data
    # must not: touch an installation
    assert {k: v for k, v in snapshot(data).items() if k.startswith("installations/")} == installations


@pytest.mark.parametrize("sid, url, fragment", [
    ("s1", "https://example.org/dup", "already exists"),
    ("s9", "javascript:alert(1)", "url"),
    ("Bad Id!", "https://example.org/x", "source id"),
])
def test_bad_source_shows_an_error_and_writes_nothing(edit_on: Path, sid: str, url: str, fragment: str):
    before = snapshot(edit_on)
    at = opened("port-a")
    for label, value in {"id": sid, "Publisher": "P", "Title": "T", "URL (http or https)": url}.items():
        text_input(at, label).set_value(value)
    submit(at, "Add source")
    assert any(fragment in e for e in messages(at.error)), messages(at.error)
    # must not: write sources.yaml (or anything else)
    assert snapshot(edit_on) == before


# --- regressions: bugs found and fixed in the editor -------------------------------------------
def test_retire_writes_only_the_retirement(edit_on: Path):
    # Check (and a refused Save) once left the form's values in the session draft, which Retire then saved
    path = port_a(edit_on)
    before_text = path.read_text(encoding="utf-8")
    at = opened("port-a")
    text_input(at, "Name").set_value("Only checked")
    submit(at, "Check")
    text_input(at, "From (date)").set_value("2025-06-01")
    text_input(at, "Source ids (comma-separated)").set_value("s2")
    submit(at, "Retire")
    assert any("retired" in s for s in messages(at.success)), messages(at.success)
    lines = changed_lines(before_text, path.read_text(encoding="utf-8"))
    assert lines[:2] == ["+  - from: '2025-06-01'", "+    operator: red"] and all(ln.startswith("+") for ln in lines)
    # must not: the checked-only name change is saved along with the retirement
    assert "-name: Port A" not in lines and record(edit_on, "port-a")[0].name == "Port A"


def test_refused_save_does_not_ride_along_with_the_next_save(edit_on: Path):
    path = port_a(edit_on)
    before_text = path.read_text(encoding="utf-8")
    at = opened("port-a")
    edit_history(at, edited={1: {"status": "bogus"}})  # refused by validation
    submit(at, "Save")
    assert at.error
    edit_history(at)  # the table back as loaded
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Save")
    # must not: anything but the name changes
    assert changed_lines(before_text, path.read_text(encoding="utf-8")) == ["-name: Port A", "+name: Port Alpha"]


def test_delete_refuses_a_file_changed_since_the_form_loaded_it(edit_on: Path):
    # delete() was once called without expected_digest: a hand edit made meanwhile went with the file
    path = edit_on / "installations" / "site-c.yaml"
    at = opened("site-c")
    hand = path.read_text(encoding="utf-8").replace("\nhistory:\n", "\n# hand edit made meanwhile\nhistory:\n", 1)
    path.write_text(hand, encoding="utf-8")
    at.text_input(key="ed_confirm::site-c").set_value("site-c")
    delete_button(at, "site-c").click()
    ok(at.run())
    assert any("changed on disk" in e for e in messages(at.error)), messages(at.error)
    # must not: the hand edit made after the form loaded is lost with the file
    assert path.exists() and path.read_text(encoding="utf-8") == hand


def test_delete_needs_the_exact_id(edit_on: Path):
    path = edit_on / "installations" / "site-c.yaml"
    at = opened("site-c")
    at.text_input(key="ed_confirm::site-c").set_value("site-")
    delete_button(at, "site-c").click()
    ok(at.run())
    # must not: delete without the exact id typed
    assert path.exists() and any("confirm" in e for e in messages(at.error)), messages(at.error)
    at.text_input(key="ed_confirm::site-c").set_value("site-c")
    delete_button(at, "site-c").click()
    ok(at.run())
    assert not path.exists()
    assert any("Deleted site-c" in s for s in messages(at.success))
    assert "site-c" not in at.selectbox(key="ed_target").options


@pytest.mark.parametrize("bad_lat", ["'north'", "95.5"])
def test_editor_survives_a_hand_broken_coordinate(edit_on: Path, bad_lat: str):
    # float(doc['lat']) / number_input's min and max once crashed the page for such a file
    path = port_a(edit_on)
    at = opened("base-b")  # port-a is loaded while its file is good
    path.write_text(path.read_text(encoding="utf-8").replace("lat: 34.9", f"lat: {bad_lat}"), encoding="utf-8")
    ok(at.run())
    target = at.selectbox(key="ed_target")
    assert "port-a" in target.options or "Port A (port-a)" in target.options  # still listed: the last good record
    broken = path.read_bytes()
    target.set_value("port-a")
    ok(at.run())  # opening the hand-broken file in the editor
    assert any("lat" in w and "not a valid coordinate" in w for w in messages(at.warning)), messages(at.warning)
    assert text_input(at, "Name").value == "Port A"
    # must not: opening it rewrites the file
    assert path.read_bytes() == broken


def test_an_unknown_kind_on_disk_is_not_silently_replaced(edit_on: Path):
    path = port_a(edit_on)
    at = opened("base-b")  # port-a is loaded while its file is good
    path.write_text(path.read_text(encoding="utf-8").replace("kind: naval_base", "kind: naval_bse"), encoding="utf-8")
    ok(at.run())
    at.selectbox(key="ed_target").set_value("port-a")
    ok(at.run())
    text_input(at, "Name").set_value("Port Alpha")
    submit(at, "Save")
    # the form says what is wrong with the file's kind, and the save is refused by validation
    assert any("naval_bse" in w and "vocabulary" in w for w in messages(at.warning))
    assert any("kind" in e for e in messages(at.error))
    text = path.read_text(encoding="utf-8")
    # must not: a kind the person never touched is changed by the save
    assert "kind: air_base" not in text
    assert "kind: naval_bse" in text and "name: Port A\n" in text


@pytest.mark.parametrize("field, make_edit, fragment", [
    ("country", lambda at: text_input(at, "Country").set_value("X1"), "'X1'"),
    ("history", lambda at: edit_history(at, edited={1: {"status": "bogus"}}), "history[1].status"),
])
def test_errors_show_beside_their_field(edit_on: Path, field: str, make_edit, fragment: str):
    at = opened("port-a")
    make_edit(at)
    submit(at, "Check")
    if field == "country":
        (col,) = [c for c in at.columns if any(t.label == "Country" for t in c.text_input)]
        beside = messages(col.error)
    else:  # under the history table, inside the form (the summary list is outside it)
        (form,) = [f for f in at.get("form") if any(t.label == "Name" for t in f.text_input)]
        beside = [m for m in messages(form.error) if m.startswith("history[")]
    assert beside and all(fragment in m for m in beside), beside
    # must not: a field without a problem gets an error beside it
    (name_col,) = [c for c in at.columns if any(t.label == "Name" for t in c.text_input)]
    assert not name_col.error


_READ_ONLY_SCENARIO = r"""
import json, os, shutil, subprocess, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
mnt, src, app = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
shutil.copytree(src, mnt / "data")
subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
os.environ.update(GARRISON_DATA=str(mnt / "data"), GARRISON_EDIT="1")
at = AppTest.from_file(app, default_timeout=60)
at.session_state["page_complete"] = True
at.secrets["garrison"] = {}
at.query_params["select"] = "port-a"
at.run()
print(json.dumps({"exceptions": [e.value for e in at.exception], "warnings": [w.value for w in at.sidebar.warning],
                  "buttons": [b.label for b in at.form_submit_button], "editors": len(at.data_editor)}))
"""


def test_edit_mode_on_read_only_data_says_so_and_offers_no_save(data: Path, tmp_path: Path):
    """A read-only checkout or image: a real tmpfs remounted read-only, in a mount namespace of its own."""
    import json
    import os
    import subprocess
    import sys

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) to mount a private tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    res = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", _READ_ONLY_SCENARIO,
                          str(mnt), str(data), str(APP)], capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert not got["exceptions"], got
    assert any("read-only" in w and "nothing can be saved" in w for w in got["warnings"]), got
    # must not: a form whose Save can only fail
    assert got["buttons"] == [] and got["editors"] == 0, got


def test_editing_a_period_in_the_grid_keeps_every_periods_claims(edit_on: Path):
    """The grid does not show claims; they ride along, hidden, and are written back untouched."""
    data = edit_on
    shutil.copy(ROOT / "tests" / "fixtures" / "claims" / "installations" / "disputed-d.yaml", data / "installations")
    path = data / "installations" / "disputed-d.yaml"
    before_text = path.read_text(encoding="utf-8")
    at = opened("disputed-d")
    edit_history(at, edited={0: {"note": "An edit of the first period."}})
    submit(at, "Save")
    after_text = path.read_text(encoding="utf-8")
    assert changed_lines(before_text, after_text) == ["+    note: An edit of the first period."]
    rec, _ = record(data, "disputed-d")
    assert [c.status for c in rec.history[1].claims] == ["abandoned", "seized"]
    # must not: the claims removed, or the edited period's neighbour rewritten
    assert "claims removed" not in " ".join(messages(at.success))


def test_the_editor_speaks_the_readers_language(edit_on: Path):
    """?lang=be: the form's labels, buttons and messages come from the Belarusian catalog, and a save still writes."""
    from garrison.i18n import messages as words
    from garrison.vocab import KINDS

    be = words("be")
    at = ok(app(select="port-a", lang="be").run())
    text_input(at, be.gettext("Name")).set_value("Port Alpha")
    submit(at, be.gettext("Save"))
    assert record(edit_on, "port-a")[0].name == "Port Alpha"
    assert any(s.startswith(be.gettext("Saved {what}: ").format(what="port-a")) for s in messages(at.success)), messages(at.success)
    kinds = [s for s in at.selectbox if s.label == be.gettext("Kind")]
    assert kinds and kinds[0].value == record(edit_on, "port-a")[0].kind
    assert kinds[0].options == [be.term("kind", k) for k in KINDS]
    # must NOT happen: an English label left in the form
    assert not [t.label for t in at.text_input if t.label in ("Name", "Country", "Publisher", "Title")]
    assert not [b.label for b in at.form_submit_button if b.label in ("Save", "Check", "Create", "Retire")]
