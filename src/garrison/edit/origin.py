"""Whether a session's connection came from the app's own page, so that it may write.

A browser page served from any other origin -- another port on localhost, or this server reached
under a rebound host name -- can open a websocket to the app and replay the editor's messages.
Streamlit refuses foreign Host names (``server.allowedHosts`` in .streamlit/config.toml) but lets
any ``localhost`` origin connect whatever its port, so the editor checks the handshake's Origin
and Host itself: both must name the app's own address and port, or an origin the operator listed
in ``server.corsAllowedOrigins`` (e.g. behind a reverse proxy).

Browsers always send Origin with a websocket handshake; a client without one is not a web page
(and a local program could write the data files directly), so only a Host is required then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def own_origins(port: int, extra_origins: Iterable[str] = ()) -> set[str]:
    """The origins of the app's own page: loopback names at the server's port, plus the configured ones."""
    found = {f"http://{host}:{port}" for host in LOCAL_HOSTS}
    found |= {_normal_origin(o) for o in extra_origins if o and o.strip() != "*"}
    return found - {""}


def write_refusal(headers: Mapping[str, str], port: int, extra_origins: Iterable[str] = (),
                  _: Callable[[str], str] = lambda message: message) -> str:
    """'' when this connection may write; otherwise why not, in words for the page (`_`: their language)."""
    lowered = {str(k).lower(): str(v) for k, v in dict(headers or {}).items()}
    origins = own_origins(port, extra_origins)
    hosts = {urlsplit(o).netloc for o in origins}
    host = lowered.get("host", "").strip().lower()
    origin = lowered.get("origin")
    # a Host header leaves out the scheme's default port: try both schemes' defaults
    if host and not {urlsplit(_normal_origin(f"{s}://{host}")).netloc for s in ("http", "https")} & hosts:
        return _("Editing is off for this connection: it reached the server as {host}, which is not the app's own "
                 "address. Open the app at {url} (or list the address in server.corsAllowedOrigins).").format(
            host=repr(host), url=f"http://localhost:{port}/")
    if origin is not None and _normal_origin(origin) not in origins:
        return _("Editing is off for this connection: the page came from {origin}, not from the app itself. "
                 "Open the app at {url}.").format(origin=repr(origin), url=f"http://localhost:{port}/")
    return ""


def _normal_origin(origin: str) -> str:
    """scheme://host:port in lower case with the default port spelled out, '' when it is not an origin."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        return ""
    port = port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"
