"""The route serve.py adds to Streamlit's server: the page's derived files from the cache folder.

Kept apart from generated_files.py so the page (app.py) never imports Starlette. Names are
content hashes, so a response never changes: the browser may keep it for good. Only names the
payload writer makes are sent (nothing else in the cache folder, no path), and a `.gz` copy is
sent as it is, as a gzip file the map inflates itself (no Content-Encoding).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from .generated_files import NAME, ROUTE, generated_dir

IMMUTABLE = "public, max-age=31536000, immutable"


def generated_routes(folder: Path | None = None) -> list[Route]:
    """The route, reading from `folder` (by default the cache folder, looked up per request)."""

    async def send(request: Request) -> Response:
        name = request.path_params["name"]
        path = (folder or generated_dir()) / name
        if not NAME.fullmatch(name) or not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        kind = "application/gzip" if name.endswith(".gz") else "application/octet-stream"
        return FileResponse(path, media_type=kind, headers={"Cache-Control": IMMUTABLE})

    return [Route(ROUTE + "/{name}", send, methods=["GET", "HEAD"])]
