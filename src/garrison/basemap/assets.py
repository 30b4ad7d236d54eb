"""Where the project's static files live, and the URLs they are served under.

Streamlit serves ``<app dir>/static/`` at ``/app/static/`` when
``server.enableStaticServing`` is on (see ``.streamlit/config.toml``).  The
browser side of the map only ever loads URLs built by :func:`static_url`.

``STATIC_URL_BASE`` can be overridden (for ``server.baseUrlPath``, or a test
server that maps the folder elsewhere)::

    from garrison.basemap import assets
    assets.STATIC_URL_BASE = "/garrison/app/static"
    # or: assets.set_static_url_base(...)

Elements read the base when they are created, so set it before building maps.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

#: URL prefix under which the project's ``static/`` folder is served.
STATIC_URL_BASE = "/app/static"

#: Path of the manifest written by ``scripts/vendor_assets.py`` (relative to static/).
MANIFEST_RELPATH = "vendor/MANIFEST.json"

_ENV_STATIC_DIR = "GARRISON_STATIC_DIR"


def find_static_dir() -> Path:
    """The project's ``static/`` folder.

    ``$GARRISON_STATIC_DIR`` wins; otherwise the first ``static/`` holding
    ``vendor/MANIFEST.json`` walking up from this file (``src/garrison/basemap/``
    sits three levels below the project root), then from the working directory.
    Remembered per setting and working directory: the map asks on every rerun.
    """
    return _find_static_dir(os.environ.get(_ENV_STATIC_DIR), os.getcwd())


@functools.lru_cache(maxsize=8)
def _find_static_dir(env: str | None, cwd: str) -> Path:
    if env:
        return Path(env).resolve()
    starts = [Path(__file__).resolve().parent, Path(cwd).resolve()]
    for start in starts:
        for folder in (start, *start.parents):
            candidate = folder / "static"
            if (candidate / MANIFEST_RELPATH).is_file():
                return candidate
    raise FileNotFoundError(
        "project static/ folder not found (run scripts/vendor_assets.py, "
        f"or set ${_ENV_STATIC_DIR})"
    )


def _clean_relpath(relpath: str) -> str:
    rel = str(relpath).replace("\\", "/")
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "://" in rel or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative path inside static/: {relpath!r}")
    return rel


def set_static_url_base(base: str) -> None:
    """Set the URL prefix used by :func:`static_url` (e.g. for a baseUrlPath)."""
    global STATIC_URL_BASE
    if "://" in base or base.startswith("//"):
        raise ValueError("the static base must be a path on the app's own server, not a URL")
    STATIC_URL_BASE = "/" + base.strip("/") if base.strip("/") else ""


def static_url(relpath: str, base: str | None = None) -> str:
    """URL of ``static/<relpath>`` as served by Streamlit (``/app/static/<relpath>``)."""
    rel = _clean_relpath(relpath)
    prefix = (STATIC_URL_BASE if base is None else base).rstrip("/")
    return f"{prefix}/{quote(rel)}"


def static_path(relpath: str) -> Path:
    """Filesystem path of ``static/<relpath>``."""
    return find_static_dir() / _clean_relpath(relpath)


@functools.lru_cache(maxsize=4)
def _load_manifest(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_manifest() -> dict:
    """The vendoring manifest: ``{"packages": {...}, "files": [{path, package, ...}]}``."""
    path = static_path(MANIFEST_RELPATH)
    return _load_manifest(str(path), path.stat().st_mtime)


def manifest_entry(relpath: str) -> dict:
    """The manifest entry of one vendored file (KeyError if it is not vendored)."""
    rel = _clean_relpath(relpath)
    for entry in load_manifest()["files"]:
        if entry["path"] == rel:
            return entry
    raise KeyError(rel)


def verify_manifest() -> list[str]:
    """Problems with the vendored files (missing, hash mismatch, no licence); [] if fine."""
    static = find_static_dir()
    problems = []
    for entry in load_manifest()["files"]:
        path = static / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: missing")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry.get("sha256"):
            problems.append(f"{entry['path']}: sha256 mismatch")
        if not entry.get("license"):
            problems.append(f"{entry['path']}: no licence recorded")
    return problems
