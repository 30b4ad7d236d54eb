"""garrison.edit.mode: edit mode is off by default, and never open to the network without a password."""

from __future__ import annotations

import pytest

from garrison.edit.mode import EditMode, edit_mode, is_loopback
from garrison.edit.origin import own_origins, write_refusal

LOOPBACK = "127.0.0.1"
PUBLIC = "0.0.0.0"
SECRET = "correct horse battery staple"


# --- is_loopback ----------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["127.0.0.1", "127.5.5.5", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_addresses(address: str):
    assert is_loopback(address) is True


@pytest.mark.parametrize("address", ["0.0.0.0", "", None, "::", "192.168.1.5", "10.0.0.1", "example.org",
                                     "128.0.0.1", "localhost.example.org", "127.0.0.1.example.org", "not an address"])
def test_not_loopback(address: str | None):
    # 0.0.0.0, :: and '' (Streamlit's default) listen on every interface: never treated as local
    assert is_loopback(address) is False


# --- edit_mode: requested? ------------------------------------------------------------------------
def test_off_by_default():
    mode = edit_mode({}, None, LOOPBACK)
    assert mode.requested is False
    assert mode.unlocked(None, None) is False
    assert mode.unlocked(SECRET, SECRET) is False  # a password alone never turns it on
    assert "GARRISON_EDIT=1" in mode.reason


@pytest.mark.parametrize("value", ["0", "", "true", "yes", "1 ", "TRUE"])
def test_env_other_than_1_does_not_request(value: str):
    mode = edit_mode({"GARRISON_EDIT": value}, {}, LOOPBACK)
    assert mode.requested is False
    assert not mode.unlocked(None, None)


def test_requested_by_env_on_loopback_needs_no_password():
    mode = edit_mode({"GARRISON_EDIT": "1"}, {}, LOOPBACK)
    assert mode == EditMode(requested=True, needs_password=False, password_configured=False, reason="")
    assert mode.unlocked(None, None) is True
    assert mode.unlocked("anything", None) is True  # nothing to check on loopback


def test_requested_by_config():
    mode = edit_mode({}, {"edit": True}, "::1")
    assert mode.requested and not mode.needs_password and mode.reason == ""
    assert mode.unlocked(None, None)


@pytest.mark.parametrize("value", ["true", "1", 1, "yes"])
def test_config_edit_must_be_the_boolean_true(value):
    # a TOML string "true" or the number 1 is not `edit = true`: it does not turn editing on
    mode = edit_mode({}, {"edit": value}, LOOPBACK)
    assert mode.requested is False
    assert not mode.unlocked(None, None)


def test_config_edit_false_does_not_override_env():
    assert edit_mode({"GARRISON_EDIT": "1"}, {"edit": False}, LOOPBACK).requested is True


# --- off loopback: a password is needed -------------------------------------------------------------
@pytest.mark.parametrize("address", [PUBLIC, "", None, "192.168.1.5", "example.org"])
def test_password_needed_off_loopback(address):
    mode = edit_mode({"GARRISON_EDIT": "1"}, {"edit_password": SECRET}, address)
    assert mode.requested and mode.needs_password and mode.password_configured
    assert mode.reason == ""  # it can be unlocked: the page asks for the password
    assert mode.unlocked(SECRET, SECRET) is True
    assert mode.unlocked(None, SECRET) is False


def test_no_password_configured_off_loopback_stays_locked():
    mode = edit_mode({"GARRISON_EDIT": "1"}, {}, PUBLIC)
    assert mode.requested and mode.needs_password and not mode.password_configured
    assert "edit_password" in mode.reason and "secrets.toml" in mode.reason
    for given in (None, "", "anything", SECRET):
        assert mode.unlocked(given, None) is False
        assert mode.unlocked(given, "") is False


@pytest.mark.parametrize("blank", ["", None])
def test_blank_configured_password_counts_as_none(blank):
    mode = edit_mode({"GARRISON_EDIT": "1"}, {"edit_password": blank}, PUBLIC)
    assert not mode.password_configured and mode.reason
    assert not mode.unlocked("", blank) and not mode.unlocked(None, blank)


def test_unlocked_with_right_wrong_and_missing_password():
    mode = edit_mode({"GARRISON_EDIT": "1"}, {"edit_password": SECRET}, "192.168.1.5")
    assert mode.unlocked(SECRET, SECRET) is True
    assert mode.unlocked(SECRET + " ", SECRET) is False
    assert mode.unlocked(SECRET.upper(), SECRET) is False
    assert mode.unlocked(SECRET[:-1], SECRET) is False
    assert mode.unlocked("", SECRET) is False
    assert mode.unlocked(None, SECRET) is False


def test_unlocked_compares_non_ascii_passwords():
    mode = edit_mode({"GARRISON_EDIT": "1"}, {"edit_password": "пароль-ü"}, PUBLIC)
    assert mode.unlocked("пароль-ü", "пароль-ü") is True
    assert mode.unlocked("пароль-u", "пароль-ü") is False


def test_numeric_configured_password_compares_as_text():
    # TOML `edit_password = 1234` is an int; the sidebar field always gives text
    mode = edit_mode({"GARRISON_EDIT": "1"}, {"edit_password": 1234}, PUBLIC)
    assert mode.password_configured
    assert mode.unlocked("1234", 1234) is True
    assert mode.unlocked("12345", 1234) is False
    assert mode.unlocked("", 1234) is False


def test_password_not_requested_means_locked_even_off_loopback():
    mode = edit_mode({}, {"edit_password": SECRET}, PUBLIC)
    assert not mode.requested
    assert mode.unlocked(SECRET, SECRET) is False


# --- guessing the password ---------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_password_gate_backs_off_per_client_and_logs(caplog):
    from garrison.edit.mode import PasswordGate

    clock = FakeClock()
    gate = PasswordGate(free=3, max_wait=300, clock=clock)
    with caplog.at_level("WARNING", logger="garrison.edit"):
        results = [gate.check("10.0.0.9", f"guess{i}", SECRET) for i in range(4)]
    assert [ok for ok, _ in results] == [False] * 4 and results[2][1] == "Wrong password."  # three typos are free
    assert len([r for r in caplog.records if "10.0.0.9" in r.getMessage()]) == 4  # a log line per failure
    assert "try again in 2 s" in results[3][1]
    # Must NOT happen: the right password accepted while locked out (a guesser could not tell).
    ok, msg = gate.check("10.0.0.9", SECRET, SECRET)
    assert not ok and "try again" in msg
    assert gate.check("10.0.0.7", SECRET, SECRET) == (True, "")  # another client is not locked out
    waits = []
    for i in range(12):
        clock.now += 10_000
        gate.check("10.0.0.9", f"more{i}", SECRET)
        waits.append(gate._failures["10.0.0.9"][1] - clock.now)
    assert waits[:3] == [4.0, 8.0, 16.0] and max(waits) == 300  # doubling, capped
    clock.now += 301
    assert gate.check("10.0.0.9", SECRET, SECRET) == (True, "")
    assert "10.0.0.9" not in gate._failures  # a right password clears the count
    assert gate.check("10.0.0.9", "", SECRET) == (False, "")  # an empty field is no attempt


# --- which connections may write (garrison.edit.origin) ------------------------------------------
@pytest.mark.parametrize(("headers", "allowed"), [
    ({"Host": "localhost:8501", "Origin": "http://localhost:8501"}, True),
    ({"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}, True),
    ({"Host": "LOCALHOST:8501", "Origin": "HTTP://LocalHost:8501/"}, True),  # names are case-insensitive
    ({}, True),  # no handshake headers: not a web page (AppTest, a local program)
    ({"Host": "localhost:8501"}, True),  # no Origin: browsers always send one, so not a page
    ({"Host": "localhost:8501", "Origin": "http://localhost:9999"}, False),  # another local port
    ({"Host": "localhost:8501", "Origin": "https://localhost:8501"}, False),  # another scheme
    ({"Host": "rebound.example:8501", "Origin": "http://rebound.example:8501"}, False),  # DNS rebinding
    ({"Host": "localhost:8501", "Origin": "null"}, False),
    ({"Host": "localhost:8501", "Origin": "http://localhost:8501.evil.test"}, False),
    ({"Host": "localhost:8501", "Origin": "http://localhost:8501@evil.test"}, False),
    ({"Host": "localhost", "Origin": "http://localhost"}, False),  # port 80 is not the app's
])
def test_only_the_apps_own_page_may_write(headers, allowed):
    refusal = write_refusal(headers, 8501)
    assert (refusal == "") is allowed, refusal
    if not allowed:
        assert "Editing is off for this connection" in refusal and "http://localhost:8501/" in refusal


def test_an_origin_listed_by_the_operator_may_write():
    proxied = {"Host": "garrison.example.org", "Origin": "https://garrison.example.org"}
    assert write_refusal(proxied, 8501, ["https://garrison.example.org"]) == ""
    assert write_refusal(proxied, 8501, []) != ""
    assert write_refusal(proxied, 8501, ["*"]) != ""  # a wildcard is not an origin: never "anyone may write"
    assert own_origins(8501, ["not a url", ""]) == own_origins(8501)
