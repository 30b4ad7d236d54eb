"""The editors' schemas: the data's ids and calendar dates, checked in Python and in a real YAML language server.

The language server is yaml-language-server (pinned in tests/lsp/package.json; ./scripts/test runs
`npm ci --prefix tests/lsp`), driven over stdio with LSP JSON-RPC as an editor would: the modeline
at the top of each data file selects the schema in the data folder's schema/.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from paths import BUNDLED, ROOT
from referencing import Registry, Resource

import garrison
from garrison import schema
from garrison.dates import parse_partial
from garrison.yamlsafe import parse_yaml

SERVER = ROOT / "tests" / "lsp" / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
DEADLINE = 30.0  # seconds for any one answer from the server; a cold start takes about one


# --- helpers -------------------------------------------------------------------------------------

def lint_fix(data: Path) -> None:
    """`garrison lint --fix` as a user runs it: writes schema/ (the copies and ids.schema.json)."""
    done = subprocess.run([sys.executable, "-m", "garrison", "lint", "--fix", "--data", str(data)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stdout + done.stderr


def linted_copy(folder: Path) -> Path:
    """A copy of data/ (without its schema/) in `folder`, whose schema/ lint --fix wrote."""
    data = folder / "bundled"
    shutil.copytree(BUNDLED, data, ignore=shutil.ignore_patterns("schema"))
    lint_fix(data)
    return data


@pytest.fixture(scope="module")
def linted(tmp_path_factory) -> Path:
    """A linted copy of data/ shared by the tests that only read it."""
    return linted_copy(tmp_path_factory.mktemp("linted"))


@pytest.fixture
def bundled_copy(tmp_path: Path, linted: Path) -> Path:
    """A linted copy of data/ for one test to change (copied from `linted`: lint --fix runs once)."""
    return Path(shutil.copytree(linted, tmp_path / "bundled"))


def copies_validator(data: Path, name: str) -> Draft202012Validator:
    """A validator over a data folder's copies (as an editor resolves them), not the library's."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((data / "schema").glob("*.schema.json"))]
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)
    return Draft202012Validator(json.loads((data / "schema" / f"{name}.schema.json").read_text()), registry=registry)


def _parse(path: Path) -> Any:
    return parse_yaml(path.read_text(encoding="utf-8"), str(path)).value


def tartus(data: Path) -> Path:
    """An installation file with operators, sources and day-precise dates (the map's best-known base)."""
    return data / "installations" / "tartus.yaml"


# --- dates ---------------------------------------------------------------------------------------

def _is_date(text: str) -> bool:
    try:
        parse_partial(text)
    except ValueError:
        return False
    return True


def test_the_date_pattern_accepts_exactly_the_dates_the_loader_accepts():
    # every month and day (00-32) of years covering each leap rule: ..04, 1900 (not leap), 2000 (leap), year 0
    pattern = re.compile(schema.DATE_PATTERN)
    years = [0, 1, 4, 100, 400, 1600, 1700, 1899, 1900, 1999, 2000, 2016, 2023, 2024, 2100, 2400, 9996, 9999]
    texts = [f"{y:04d}{tail}" for y in years for tail in
             ["", *(f"-{m:02d}" for m in range(14)), *(f"-{m:02d}-{d:02d}" for m in range(14) for d in range(33))]]
    wrong = [t for t in texts if bool(pattern.match(t)) != _is_date(t)]
    assert wrong == []


@pytest.mark.parametrize("text,valid", [("2017-13-45", False), ("2023-02-30", False), ("2024-02-30", False),
                                        ("2023-02-29", False), ("2024-00-10", False), ("2024-04-31", False),
                                        ("0000", False), ("24-01-01", False), ("2024-1-5", False),
                                        ("2024-02-29", True), ("2016", True), ("2024-12", True), ("2024-12-31", True)])
def test_the_editors_schema_rules_out_impossible_dates(linted: Path, text: str, valid: bool):
    doc = _parse(tartus(linted))
    doc["history"][0]["from"] = text
    errors = copies_validator(linted, "installation").iter_errors(doc)
    assert {tuple(e.absolute_path) for e in errors} == (set() if valid else {("history", 0, "from")})


def test_the_loader_still_reports_an_impossible_date_itself(good_copy: Path):
    # must not: a schema error replacing the loader's own message (the library's ids.schema.json adds nothing)
    path = next((good_copy / "installations").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    first = re.search(r"from: '([0-9-]+)'", text)
    path.write_text(text.replace(first[0], "from: '2023-02-30'", 1), encoding="utf-8")
    (error,) = garrison.Loader(good_copy).load().errors
    assert error.message.startswith("'2023-02-30' is an impossible date (") and error.field.endswith(".from")


# --- ids -----------------------------------------------------------------------------------------

def _ids_of(path: Path) -> list[str]:
    return sorted(item["id"] for item in _parse(path))


def test_ids_schema_lists_the_datas_ids(linted: Path):
    defs = json.loads((linted / "schema" / "ids.schema.json").read_text())["$defs"]
    assert defs["actor_id"]["enum"] == _ids_of(linted / "actors.yaml")
    assert defs["source_id"]["enum"] == _ids_of(linted / "sources.yaml")
    assert defs["installation_id"]["enum"] == sorted(p.stem for p in (linted / "installations").glob("*.yaml"))
    # every other copy is the library's, byte for byte
    for own in schema.schema_files():
        assert (linted / "schema" / own.name).read_bytes() == own.read_bytes()
    assert sorted(p.name for p in (linted / "schema").iterdir()) == sorted([schema.IDS_FILE, *(p.name for p in schema.schema_files())])


def test_the_editors_schema_refuses_unknown_ids(linted: Path):
    doc = _parse(tartus(linted))
    doc["history"][0]["operator"] = "no-such-actor"
    doc["history"][0]["sources"] = ["no-such-source"]
    errors = copies_validator(linted, "installation").iter_errors(doc)
    assert {tuple(e.absolute_path) for e in errors} == {("history", 0, "operator"), ("history", 0, "sources", 0)}
    routes = _parse(linted / "routes.yaml")
    routes[0]["nodes"][0] = "no-such-installation"
    assert [tuple(e.absolute_path) for e in copies_validator(linted, "routes").iter_errors(routes)] == [(0, "nodes", 0)]


def test_the_librarys_schema_leaves_references_to_the_loader(good_copy: Path):
    # must not: the library's validation needing a data folder's ids file, or changing its messages
    assert not (good_copy / "schema").exists()
    path = next((good_copy / "installations").glob("*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"operator: \S+", "operator: purple", text, count=1), encoding="utf-8")
    errors = [p.message for p in garrison.Loader(good_copy).load().errors]
    assert errors == ["unknown actor 'purple' (add it to actors.yaml or fix the id)"]


def copy_warnings(data: Path) -> list[tuple[str, str]]:
    """validate's warnings about the schema/ copies, as (file name, message)."""
    return [(Path(p.path).name, p.message) for p in garrison.Loader(data).load().warnings if Path(p.path).parent.name == "schema"]


def test_validate_warns_when_an_actor_is_added_and_lint_fix_refreshes_the_ids(bundled_copy: Path):
    assert copy_warnings(bundled_copy) == []
    with (bundled_copy / "actors.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- id: zz-new\n  name: A new actor\n  short: New\n  colour: '#123456'\n")
    assert copy_warnings(bundled_copy) == [("ids.schema.json", "is out of date with this data folder's ids, so editors "
                                            "complete and check old ones; run `garrison lint --fix` to refresh it")]
    lint_fix(bundled_copy)
    assert "zz-new" in json.loads((bundled_copy / "schema" / "ids.schema.json").read_text())["$defs"]["actor_id"]["enum"]
    assert copy_warnings(bundled_copy) == []


def test_write_ids_schema_writes_only_what_changed(bundled_copy: Path, good_copy: Path):
    ids = bundled_copy / "schema" / "ids.schema.json"
    assert schema.write_ids_schema(bundled_copy) is False  # up to date: not rewritten
    (bundled_copy / "installations" / "zz-new.yaml").write_text("id: zz-new\n", encoding="utf-8")
    assert schema.write_ids_schema(bundled_copy) is True
    assert "zz-new" in json.loads(ids.read_text())["$defs"]["installation_id"]["enum"]
    # must not: give a data folder without editor copies a schema/ folder
    assert schema.write_ids_schema(good_copy) is False and not (good_copy / "schema").exists()


def test_a_broken_actors_file_keeps_the_ids_editors_had(bundled_copy: Path):
    before = json.loads((bundled_copy / "schema" / "ids.schema.json").read_text())["$defs"]["actor_id"]
    (bundled_copy / "actors.yaml").write_text("- id: ru\n  name: [unclosed\n", encoding="utf-8")
    assert schema.write_ids_schema(bundled_copy) is False
    # must not: a second complaint about ids.schema.json beside the broken actors.yaml
    assert copy_warnings(bundled_copy) == []
    assert json.loads((bundled_copy / "schema" / "ids.schema.json").read_text())["$defs"]["actor_id"] == before


def test_the_bundled_ids_schema_is_current():
    # data/schema/ is committed: editors of this repository see its ids
    assert (BUNDLED / "schema" / "ids.schema.json").is_file() and schema.stale_copies(BUNDLED) == []


# --- a real language server -----------------------------------------------------------------------

class LspClient:
    """A minimal LSP client over a child process's stdio (Content-Length framed JSON-RPC)."""

    def __init__(self, command: list[str], cwd: Path):
        self.proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notes: list[dict[str, Any]] = []  # notifications seen so far, in order
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        """Frames off stdout into the inbox until the server exits (then a None-method marker)."""
        out = self.proc.stdout
        while True:
            headers: dict[str, str] = {}
            while (line := out.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if line == b"":
                self.inbox.put({"method": None})
                return
            self.inbox.put(json.loads(out.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        answer = self._wait(lambda m: m.get("id") == self._next_id and "method" not in m)
        assert "error" not in answer, answer
        return answer["result"]

    def notification(self, method: str, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first notification (seen before or arriving before the deadline) with this method passing `test`."""
        for note in self.notes:
            if note["method"] == method and test(note["params"]):
                return note["params"]
        return self._wait(lambda m: m.get("method") == method and test(m["params"]))["params"]

    def _wait(self, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        end = time.monotonic() + DEADLINE
        while (left := end - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                break
            assert message.get("method") is not None or "id" in message, f"server exited: {self._stderr()}"
            if "method" in message and "id" in message:  # a request to the client: answer it plainly
                self.send({"id": message["id"], "result": None})
                continue
            if "method" in message:
                self.notes.append(message)
            if wanted(message):
                return message
        raise AssertionError(f"no answer from the language server within {DEADLINE} s; stderr: {self._stderr()}")

    def _stderr(self) -> str:
        return self.proc.stderr.read1(10_000).decode(errors="replace") if self.proc.poll() is not None else "(running)"

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def lsp(linted: Path) -> Iterator[tuple[LspClient, Path]]:
    """A running yaml-language-server with a linted copy of data/ as its workspace."""
    assert SERVER.is_file(), "yaml-language-server is not installed: run `npm ci --prefix tests/lsp` (./scripts/test does)"
    node = shutil.which("node")
    assert node, "Node.js is missing (./scripts/test installs it from apt)"
    data = linted
    client = LspClient([node, str(SERVER), "--stdio"], cwd=data)
    try:
        client.request("initialize", {"processId": None, "rootUri": data.as_uri(),
                                      "workspaceFolders": [{"uri": data.as_uri(), "name": "data"}],
                                      "capabilities": {"textDocument": {"completion": {"completionItem": {}},
                                                                        "publishDiagnostics": {}}}})
        client.notify("initialized", {})
        # the modeline at the top of each file picks its schema; no schema associations here
        client.notify("workspace/didChangeConfiguration",
                      {"settings": {"yaml": {"validate": True, "completion": True, "schemas": {}}}})
        yield client, data
    finally:
        client.close()


def open_docs(client: LspClient, texts: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """didOpen documents (uri -> text) all at once, and the diagnostics the server publishes for each."""
    for uri, text in texts.items():
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    return {uri: client.notification("textDocument/publishDiagnostics", lambda p, uri=uri: p["uri"] == uri)["diagnostics"]
            for uri in texts}


def open_doc(client: LspClient, uri: str, text: str) -> list[dict[str, Any]]:
    return open_docs(client, {uri: text})[uri]


def errors_in(diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in diagnostics if d.get("severity", 1) == 1]  # LSP: no severity means the client decides; count it


def line_of(text: str, pattern: str) -> int:
    """0-based line of the first match of `pattern` (a regex on one line)."""
    return next(i for i, line in enumerate(text.splitlines()) if re.search(pattern, line))


def test_the_language_server_flags_unknown_ids_bad_latitude_and_impossible_dates(lsp):
    client, data = lsp
    text = tartus(data).read_text(encoding="utf-8")
    broken = re.sub(r"(?m)^lat: .*$", "lat: 95", text, count=1)
    broken = re.sub(r"(?m)^(\s+operator: ).*$", r"\g<1>no-such-actor", broken, count=1)
    broken = re.sub(r"(?m)^(\s*-?\s*from: ).*$", r"\g<1>'2023-02-30'", broken, count=1)
    broken = broken.replace("sources: [", "sources: [no-such-source, ", 1)
    assert len(broken.splitlines()) == len(text.splitlines())
    uri = (data / "installations" / "broken-tartus.yaml").as_uri()  # beside the others: the modeline resolves the same
    diagnostics = open_doc(client, uri, broken)
    lines = {d["range"]["start"]["line"] for d in errors_in(diagnostics)}
    assert lines == {line_of(broken, r"^lat: 95$"), line_of(broken, "operator: no-such-actor"),
                     line_of(broken, "from: '2023-02-30'"), line_of(broken, "no-such-source")}, diagnostics
    words = " ".join(d["message"] for d in diagnostics)
    assert "Unknown actor id" in words and "Unknown source id" in words and "Not a date on the calendar" in words


def test_the_language_server_finds_no_error_in_the_unmodified_files(lsp):
    client, data = lsp
    paths = [data / "actors.yaml", data / "sources.yaml", data / "routes.yaml", *sorted((data / "installations").glob("*.yaml"))]
    found = open_docs(client, {path.as_uri(): path.read_text(encoding="utf-8") for path in paths})
    # must not: an error in valid data (a wrong id list, a date pattern refusing real dates, an unresolved $ref)
    assert {uri: errors_in(d) for uri, d in found.items() if errors_in(d)} == {}
    # ... and not because no schema applied: the modeline picked the workspace's copy
    used = client.request("yaml/get/jsonSchema", tartus(data).as_uri())
    assert [s["uri"] for s in used] == [(data / "schema" / "installation.schema.json").as_uri()]


def test_the_language_server_completes_operator_with_the_actor_ids(lsp):
    client, data = lsp
    text = tartus(data).read_text(encoding="utf-8")
    blank = re.sub(r"(?m)^(\s+operator: ).*$", r"\g<1>", text, count=1)
    row = line_of(blank, r"^\s+operator: $")
    uri = (data / "installations" / "completing-tartus.yaml").as_uri()
    open_doc(client, uri, blank)
    result = client.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": row, "character": len(blank.splitlines()[row])}})
    items = result["items"] if isinstance(result, dict) else result
    offered = {item["label"] for item in items}
    assert offered == set(_ids_of(data / "actors.yaml")), offered
