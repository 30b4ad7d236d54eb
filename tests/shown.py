"""What a person reads in a Streamlit markdown message the app escaped with ``panels.md_escape``."""

from __future__ import annotations

import re


def shown(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u200b", "").replace("  \n", "\n")
