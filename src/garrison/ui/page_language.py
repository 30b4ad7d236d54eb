"""The page's language and writing direction on its <html> element (lang, dir).

Streamlit has no setting for either, so a tiny Custom Components v2 element sets them in the
page: with dir="rtl" the whole app mirrors (the sidebar moves to the right, the text and tables
run right to left), while the map keeps dir="ltr" for its own controls and coordinates (main.js).
"""

from __future__ import annotations

import streamlit as st

from ..i18n import direction

_JS = """
export default function ({ data, parentElement }) {
  const html = document.documentElement;
  html.lang = data.lang;
  html.dir = data.dir;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app) app.setAttribute("dir", data.dir);
  parentElement.setAttribute("hidden", "");
}
"""
_CSS = ":host, .garrison-page-language { display: none; }"


@st.cache_resource
def _register():
    return st.components.v2.component("garrison_page_language", html='<span class="garrison-page-language"></span>',
                                      js=_JS, css=_CSS, isolate_styles=False)


def page_language(lang: str) -> None:
    """Set the page's lang and dir for `lang` (call once per run, early)."""
    _register()(data={"lang": lang, "dir": direction(lang)}, key="page_language", height=0)
