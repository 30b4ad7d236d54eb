"""The interface's words for this session's reader: ``_("Save")``, ``ngettext(...)``, ``pgettext(...)``.

The language is the session's (garrison.ui.session.language: the link's or the menu's choice,
else the browser's); outside a session (the CLI, tests without one) it is English. Babel's
extractor (``python -m garrison.catalogs``) finds the messages by these names.
"""

from __future__ import annotations

import streamlit as st

from ..i18n import DEFAULT, Messages, messages
from .session import language


def current() -> Messages:
    """This session's Messages."""
    try:
        view = st.session_state.get("view")
    except Exception:  # no session (bare mode): English
        view = None
    return messages(language(view)) if view is not None else messages(DEFAULT)


def _(message: str) -> str:
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return current().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return current().pgettext(context, message)
