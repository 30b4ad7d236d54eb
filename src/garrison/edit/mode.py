"""Whether the in-app editor is on: off by default; a password too when not on loopback only.

Edit mode is enabled by ``GARRISON_EDIT=1`` or by ``[garrison] edit = true`` in the app's
secrets file. When the server listens on anything but a loopback address, the password from
``[garrison] edit_password`` in the secrets must also be given; with none configured there, edit
mode stays off rather than open to the network.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
log = logging.getLogger("garrison.edit")


def _english(message: str) -> str:
    """The messages' default translation (the page passes its language's ``_``; tools keep English)."""
    return message


@dataclass(frozen=True)
class EditMode:
    requested: bool  # the operator turned edit mode on (env or config)
    needs_password: bool  # the server is reachable beyond this machine
    password_configured: bool
    reason: str  # why it is off, in words for the page

    def unlocked(self, given: str | None, expected: str | None) -> bool:
        """Edit mode on for a session: requested, and the password matches where one is needed."""
        if not self.requested:
            return False
        if not self.needs_password:
            return True
        if not expected or not given:
            return False
        # TOML may hold a number (edit_password = 1234): compare as text
        return hmac.compare_digest(str(given).encode("utf-8"), str(expected).encode("utf-8"))


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; False for 0.0.0.0, '' (all interfaces) and others."""
    if not address:
        return False  # Streamlit's default: every interface
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def edit_mode(env: Mapping[str, str], config: Mapping | None, server_address: str | None,
              _: Callable[[str], str] = _english) -> EditMode:
    """Decide edit mode from the environment, the ``[garrison]`` secrets section and the address
    (`_` translates the reason it is off)."""
    config = config or {}
    requested = env.get("GARRISON_EDIT") == "1" or config.get("edit") is True
    needs_password = not is_loopback(server_address)
    configured = bool(config.get("edit_password"))
    if not requested:
        reason = _("Edit mode is off (start with GARRISON_EDIT=1 to edit data in the app).")
    elif needs_password and not configured:
        reason = _("Edit mode is off: the server listens beyond this machine, and no [garrison] edit_password "
                   "is set in .streamlit/secrets.toml.")
    else:
        reason = ""
    return EditMode(requested, needs_password, configured, reason)


def read_only_reason(data_dir: str | os.PathLike, _: Callable[[str], str] = _english) -> str:
    """'' when the data folder can be written here; otherwise why not, in words for the sidebar (`_`: their language).

    Checked up front, so edit mode on a read-only checkout or image says so instead of failing at Save.
    """
    folder = os.fspath(data_dir)
    for path in (folder, os.path.join(folder, "installations")):
        if os.path.isdir(path) and not os.access(path, os.W_OK):
            return _("Edit mode is on, but the data folder is read-only here ({folder} cannot be written): nothing "
                     "can be saved. Edit a writable copy, or fix the folder's permissions.").format(
                folder=os.path.basename(path.rstrip(os.sep)))
    return ""


class PasswordGate:
    """A back-off per client against guessing the edit password.

    The first `free` wrong passwords in a row cost nothing (typos); each one after that locks
    the client out for twice as long as the last, up to `max_wait` seconds, and a password given
    while locked out is not even compared. Every wrong password is logged. A right one clears the
    client's count.
    """

    def __init__(self, free: int = 3, max_wait: float = 300.0, clock: Callable[[], float] = time.monotonic):
        self.free, self.max_wait, self._clock = free, max_wait, clock
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (wrong in a row, locked until)
        self._lock = threading.Lock()

    def check(self, client: str, given: str | None, expected: str | None,
              _: Callable[[str], str] = _english) -> tuple[bool, str]:
        """(unlocked, message for the page, in `_`'s language) for one attempt from `client`."""
        if not given:
            return False, ""
        now = self._clock()
        with self._lock:
            count, until = self._failures.get(client, (0, 0.0))
            if now < until:
                return False, _("Too many wrong passwords: try again in {seconds} s.").format(seconds=int(until - now) + 1)
            if expected and hmac.compare_digest(str(given).encode("utf-8"), str(expected).encode("utf-8")):
                self._failures.pop(client, None)
                return True, ""
            count += 1
            wait = min(2.0 ** (count - self.free), self.max_wait) if count > self.free else 0.0
            self._failures[client] = (count, now + wait)
        log.warning("wrong edit password from %s (%d in a row; next attempt in %.0f s)", client, count, wait)
        if wait:
            return False, _("Wrong password. Too many wrong passwords: try again in {seconds} s.").format(seconds=int(wait))
        return False, _("Wrong password.")


# One gate for the whole server process: a guesser must not reset it by opening a new session
# or by clearing Streamlit's caches.
PASSWORD_GATE = PasswordGate()
