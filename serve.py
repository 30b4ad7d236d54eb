"""Garrison's server: ``streamlit run serve.py`` (what ./scripts/run starts).

Streamlit's App runs the page (app.py) and adds one route, for the files the page derives from
the data (the map's payload): they are kept in a cache folder ($GARRISON_CACHE, by default the
user's cache dir), not in the checkout, so Garrison runs from a read-only checkout or image.
"""

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from garrison.ui.generated_files import SERVED_ENV  # noqa: E402
from garrison.ui.generated_route import generated_routes  # noqa: E402

os.environ[SERVED_ENV] = "1"  # this process serves the route: the page writes to the cache folder
app = st.App("app.py", routes=generated_routes())
