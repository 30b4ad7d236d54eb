"""Garrison from a read-only checkout (a read-only container image), in headless Chromium.

The server runs in a mount namespace of its own (``unshare``, util-linux) where the whole checkout
-- code, static files, data, the venv -- is a read-only bind mount; only the cache folder
(GARRISON_CACHE, a temporary folder) can be written. The rest of the machine, and the tests, see
the checkout as it is.
"""

from __future__ import annotations

import gzip
import re
import subprocess
import urllib.error
import urllib.request

import pytest
from paths import BUNDLED, ROOT
from playwright.sync_api import expect

from garrison.render.generated import write_generated
from garrison.ui.generated_files import generated_dir
from garrison.ui.generated_route import IMMUTABLE

# sh -c SCRIPT ROOT CMD...: $0 is the checkout, "$@" the server's command
READ_ONLY = ("unshare", "--map-root-user", "--mount", "--propagation", "private", "sh", "-c",
             'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"', str(ROOT))


@pytest.fixture(scope="module")
def read_only_server(start_server):
    # the namespace really is read-only (else the test below would prove nothing)
    probe = subprocess.run([*READ_ONLY, "touch", str(ROOT / "static" / ".garrison-write-probe")],
                           capture_output=True, text=True)
    assert probe.returncode != 0 and "Read-only file system" in probe.stderr, (probe.returncode, probe.stderr)
    assert not (ROOT / "static" / ".garrison-write-probe").exists()
    return start_server(BUNDLED, prefix=READ_ONLY, GARRISON_EDIT="1")


def test_a_read_only_checkout_shows_the_map_and_says_why_edits_cannot_be_saved(read_only_server, page, page_object):
    garrison = page_object(page, read_only_server)
    payloads = []
    page.on("response", lambda r: "garrison-" in r.url and ".bin" in r.url and payloads.append((r.url, r.status)))
    garrison.open()
    expect(garrison.marker("khmeimim")).to_have_count(1)
    expect(garrison.markers.first).to_be_attached()
    # the payload came from the cache folder through serve.py's route, not from the checkout
    assert payloads and all(re.search(r"/garrison/generated/garrison-[0-9a-f]{20}\.bin\.gz$", u) and s == 200
                            for u, s in payloads), payloads
    # edit mode is on, and the sidebar says up front that nothing can be saved here
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("the data folder is read-only here"))).to_be_visible()
    # must not: a traceback or the payload's write error, on the page or in the server's log
    garrison.expect_no_exception()
    expect(page.get_by_text("cannot be written to")).to_have_count(0)
    assert "Traceback" not in read_only_server.log_tail(100_000), read_only_server.log_tail()
    assert not (ROOT / "static" / ".garrison-write-probe").exists()


# --- serve.py's route for the derived files (garrison.ui.generated_route), on the real server ----
def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def test_the_route_sends_a_payload_and_its_gzip_copy_as_they_are_and_for_good(app_server):
    name = write_generated(generated_dir(), "garrison", ".bin", b"\x00route test\xff", keep=64, gzipped=True)
    status, headers, body = fetch(f"{app_server.url}/garrison/generated/{name}")
    assert status == 200 and body == b"\x00route test\xff", status
    assert headers["cache-control"] == IMMUTABLE and headers["content-type"] == "application/octet-stream"
    status, headers, body = fetch(f"{app_server.url}/garrison/generated/{name}.gz")
    assert status == 200 and gzip.decompress(body) == b"\x00route test\xff"
    # must not: the gzip copy sent as an encoding (the browser would inflate it before the map does)
    assert headers["content-type"] == "application/gzip" and "content-encoding" not in headers, headers


def test_the_route_sends_nothing_but_payload_names(app_server):
    folder = generated_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text("cache folder content", encoding="utf-8")
    (folder / "garrison-0123456789abcdef0123.bin.tmp").write_bytes(b"half written")
    (folder.parent / "outside.bin").write_text("cache folder content", encoding="utf-8")
    for path in ("secret.txt", "garrison-0123456789abcdef0123.bin", "garrison-0123456789abcdef0123.bin.tmp",
                 "..%2Foutside.bin", "%2E%2E/outside.bin", "garrison-0123456789ABCDEF0123.bin"):
        status, _, body = fetch(f"{app_server.url}/garrison/generated/{path}")
        assert status in (400, 404) and b"cache folder content" not in body and b"half written" not in body, (path, status)
