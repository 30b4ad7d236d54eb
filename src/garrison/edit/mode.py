"""Whether the in-app editor is on: off by default; a password too when not on loopback only.

Edit mode is enabled by ``GARRISON_EDIT=1`` or by ``[garrison] edit = true`` in the app's
secrets file. When the server listens on anything but a loopback address, the password from
``[garrison] edit_password`` in the secrets must also be given; with none configured there, edit
mode stays off rather than open to the network.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


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


def edit_mode(env: Mapping[str, str], config: Mapping | None, server_address: str | None) -> EditMode:
    """Decide edit mode from the environment, the ``[garrison]`` secrets section and the address."""
    config = config or {}
    requested = env.get("GARRISON_EDIT") == "1" or config.get("edit") is True
    needs_password = not is_loopback(server_address)
    configured = bool(config.get("edit_password"))
    if not requested:
        reason = "Edit mode is off (start with GARRISON_EDIT=1 to edit data in the app)."
    elif needs_password and not configured:
        reason = ("Edit mode is off: the server listens beyond this machine, and no [garrison] edit_password "
                  "is set in .streamlit/secrets.toml.")
    else:
        reason = ""
    return EditMode(requested, needs_password, configured, reason)
