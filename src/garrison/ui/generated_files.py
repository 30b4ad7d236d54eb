"""Where the page's derived files (the map's payload) are written and the URL they are served at.

Started as ``streamlit run serve.py`` (./scripts/run), Garrison serves them itself from a cache
folder (``$GARRISON_CACHE/generated``, by default the user's cache dir, see parsecache.py) on the
route :data:`ROUTE`, so the checkout and the data can be read-only (a read-only container image).
Started as plain ``streamlit run app.py`` there is no such route: they go to ``static/generated/``
in the checkout, which Streamlit's static serving sends, and a read-only checkout gets a message
saying how to start Garrison instead of a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..parsecache import default_cache_dir

ROUTE = "/garrison/generated"
#: Set (to "1") by serve.py in its own process, where the route exists.
SERVED_ENV = "GARRISON_SERVES_GENERATED"
#: The only names the route sends: content-hashed payloads (render/generated.py) and their gzip copies.
NAME = re.compile(r"garrison-[0-9a-f]{20}\.bin(\.gz)?")


@dataclass(frozen=True)
class Place:
    """A folder the page writes its derived files to, and the URL prefix the browser reads them at."""

    folder: Path
    url: str
    served_by_garrison: bool

    def url_of(self, name: str) -> str:
        return f"{self.url}/{name}"


def generated_dir() -> Path:
    return default_cache_dir() / "generated"


def place(checkout: Path) -> Place:
    """The cache folder and Garrison's route under serve.py; the checkout's static/generated/ otherwise."""
    if os.environ.get(SERVED_ENV) == "1":
        return Place(generated_dir(), ROUTE, True)
    return Place(checkout / "static" / "generated", "/app/static/generated", False)


def cannot_write(place: Place, err: OSError, _: Callable[[str], str] = lambda message: message) -> str:
    """The page's message (in `_`'s language) when the payload cannot be written: what failed and what to do."""
    where = f"{place.folder} ({err.strerror or err})"
    if place.served_by_garrison:
        return _("The map's data file cannot be written to the cache folder {where}. Set GARRISON_CACHE to a "
                 "writable folder and restart Garrison.").format(where=where)
    return _("The map's data file cannot be written to {where}: this checkout is read-only. Start Garrison with "
             "`streamlit run serve.py` (what ./scripts/run does), which keeps such files in a cache folder "
             "(GARRISON_CACHE), or make static/generated/ writable.").format(where=where)
