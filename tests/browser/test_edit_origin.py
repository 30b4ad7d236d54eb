"""With edit mode on, only the app's own page can write: raw websocket sessions against the real server.

A page from another origin (another port on localhost), the app reached under a rebound host name,
and a save recorded in one session and replayed in another must each write nothing. The first
scenario proves the raw client can write at all, so the refusals below it are not vacuous.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from paths import BUNDLED
from stream_client import StreamSession
from websockets.exceptions import InvalidStatus

import garrison

pytestmark = pytest.mark.browser

TARGET = "tartus"
QUERY = f"select={TARGET}"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("origin") / "data"
    shutil.copytree(BUNDLED, folder)
    return folder


@pytest.fixture(scope="module")
def server(start_server, data):
    return start_server(data, GARRISON_EDIT="1")


def open_editor(session: StreamSession):
    """Two runs, as a page makes them (the first paint stops after the map): the editor is in the second."""
    session.rerun(QUERY)
    return session.rerun(QUERY)


def save_message(session: StreamSession, name: str) -> bytes:
    """The BackMsg a browser sends when Save is clicked after typing ``name``; sent in this session."""
    save = session.widget("button", "Save")
    session.rerun(QUERY, [session.text("Name", name), session.trigger(save)])
    return session.sent[-1]


def name_on_disk(data: Path) -> str:
    text = (data / "installations" / f"{TARGET}.yaml").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("name:"))


def test_the_apps_own_page_writes_and_a_replay_in_another_session_does_not(server, data):
    path = data / "installations" / f"{TARGET}.yaml"
    original = path.read_bytes()
    ds = garrison.load(data)
    name = ds.records[ds.index[TARGET]].name
    with StreamSession(server.url, origin=server.url) as own:
        run = open_editor(own)
        assert run.exception is None and any(w.label == "Save" for w in run.widgets), run.texts
        recorded = save_message(own, "Tartus (own page)")
        assert name_on_disk(data) == "name: Tartus (own page)"  # the raw client can write
        own.rerun(QUERY)
        save_message(own, name)
    # the file is back byte for byte, so its form has the ids the recording names (but for the token)
    assert path.read_bytes() == original
    before = snapshot(data)
    with StreamSession(server.url, origin=server.url) as other:
        open_editor(other)
        assert any(w.label == "Save" for w in other.last.widgets)  # edit mode is on here too
        other.send_raw(recorded)
        other.rerun(QUERY)
        # must not: the recorded save (the other session's widget ids) writes in this session
        assert snapshot(data) == before
        assert not any(t.startswith("Saved") for t in other.last.texts)


@pytest.mark.parametrize("origin", ["http://localhost:{other}", "http://127.0.0.1:{other}"])
def test_a_page_from_another_origin_gets_no_editor_and_writes_nothing(server, data, origin):
    with StreamSession(server.url, origin=server.url) as own:
        open_editor(own)
        save = own.widget("button", "Save")
        name = own.widget("text_input", "Name")
    before = snapshot(data)
    foreign = origin.format(other=server.port + 1)
    with StreamSession(server.url, origin=foreign) as page:
        run = open_editor(page)
        assert run.exception is None
        assert any("Editing is off for this connection" in t for t in run.texts), run.texts
        assert not any(w.label in ("Save", "Check", "Create", "Add source", "Edit password") for w in run.widgets)
        # a replay with the ids of a real editor's widgets
        page.rerun(QUERY, [StreamSession.value(name, "Hijacked"), StreamSession.trigger(save)])
        page.rerun(QUERY)
        # must not: a byte in the data folder changes
        assert snapshot(data) == before


@pytest.mark.parametrize(("origin", "host"), [
    ("http://rebound.example:{port}", "rebound.example:{port}"),  # a page under a rebound DNS name
    ("http://garrison.attacker.test", "garrison.attacker.test"),
    ("null", "127.0.0.1:{port}"),  # a sandboxed frame or a file:// page
])
def test_a_foreign_host_or_origin_is_refused_at_the_handshake(server, data, origin, host):
    before = snapshot(data)
    with pytest.raises(InvalidStatus) as refused:
        StreamSession(server.url, origin=origin.format(port=server.port), host=host.format(port=server.port))
    assert refused.value.response.status_code == 403
    # must not: the refused connection reaches the app (it would write nothing, but nothing runs at all)
    assert snapshot(data) == before
    assert "Rejecting WebSocket connection" in server.log_tail(20000)
