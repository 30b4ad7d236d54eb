"""One YAML for reading and writing: the loader reads what the editor and lint write, by YAML 1.2.

Under YAML 1.1 (PyYAML, which read the files before) ``no`` and ``on`` are booleans and ``1:20``
is 80; under 1.2 (ruamel.yaml, which writes them) they are text. A value must read the same in
the loader, in the editor's form and after a save, whichever wrote it: a hand edit or the app.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from paths import GOOD, ROOT
from ruamel.yaml import YAML

from garrison import Loader, yamlsafe
from garrison.edit import open_for_edit, save, set_fields
from garrison.edit.values import to_plain
from garrison.lint import normalise
from garrison.yamlsafe import parse_yaml

#: names that YAML 1.1 reads as something other than the text (a bool, a base-60 number, an octal)
DIFFER_1_1 = ["no", "on", "off", "yes", "y", "n", "NO", "On", "1:20", "190:20:30", "1_000:00"]
#: scalars whose value, not only type, hangs on the version or the library
SCALARS = DIFFER_1_1 + ["017", "0o17", "0x1F", "0b101", "1_000", "+12", "-0", "1e3", "1.5e-3", ".inf", "-.Inf", ".nan",
                        "~", "null", "Null", "true", "False", "TRUE", "2017", "1.", ".5", "12:30:00", "0:59",
                        "'no'", '"on"', "https://example.org/", "[https://example.org/, a:b]"]


def port(data: Path) -> Path:
    return data / "installations" / "port-a.yaml"


def record(data: Path):
    ds = Loader(data).load()
    return {r.id: r for r in ds.records}.get("port-a"), ds


def same(a, b) -> bool:
    """Equal values of equal types (NaN equals NaN; 1 is not True)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("scalar", SCALARS)
def test_reader_and_round_trip_loader_read_every_scalar_alike(scalar: str):
    text = f"value: {scalar}\n"
    read = parse_yaml(text, "x.yaml")
    assert read.problems == []
    editor = to_plain(YAML(typ="rt").load(text))
    assert same(read.value["value"], editor["value"]), (read.value, editor)
    # and the normal form lint and the editor write reads back as the same value
    assert same(parse_yaml(normalise(text), "x.yaml").value["value"], read.value["value"])


@pytest.mark.parametrize("name", DIFFER_1_1)
def test_hand_edited_value_reads_as_the_editor_shows_and_writes_it(good_copy: Path, name: str):
    path = port(good_copy)
    text = path.read_text(encoding="utf-8").replace("name: Port A", f"name: {name}", 1)
    assert f"name: {name}\n" in text
    path.write_text(text, encoding="utf-8")
    rec, ds = record(good_copy)
    assert rec is not None, [str(p) for p in ds.errors]
    assert rec.name == name  # PyYAML's 1.1 reading made it False, True or a number: a schema error
    draft = open_for_edit(good_copy, "port-a")
    assert draft.plain()["name"] == name  # the form shows what the map shows
    set_fields(draft, kind="port")  # an in-app save of another field
    save(draft, draft.digest)
    after = path.read_text(encoding="utf-8")
    assert f"name: {name}\n" in after  # left as the hand wrote it, not requoted
    assert parse_yaml(after, str(path)).value == to_plain(open_for_edit(good_copy, "port-a").doc)
    rec, _ = record(good_copy)
    assert (rec.name, rec.kind) == (name, "port")


@pytest.mark.parametrize("name", DIFFER_1_1 + ["2017", "true", "null", "0o17", "017", "~"])
def test_in_app_save_reads_back_exactly(good_copy: Path, name: str):
    draft = open_for_edit(good_copy, "port-a")
    set_fields(draft, name=name, names={"ru": name})
    assert parse_yaml(draft.render(), "x").value == draft.plain()  # reader == writer, before the save
    save(draft, draft.digest)
    text = port(good_copy).read_text(encoding="utf-8")
    assert parse_yaml(text, "x").value == to_plain(open_for_edit(good_copy, "port-a").doc)
    rec, ds = record(good_copy)
    assert rec is not None, [str(p) for p in ds.errors]
    assert rec.name == name and rec.names == {"ru": name}


def test_a_yaml_1_1_directive_is_refused_at_its_line():
    parsed = parse_yaml("# header\n%YAML 1.1\n---\nid: x\nname: no\n", "f.yaml")
    assert parsed.value is None
    [problem] = parsed.problems
    assert (problem.line, problem.column) == (2, 1) and "YAML 1.2" in problem.message
    assert parse_yaml("%YAML 1.2\n---\nname: no\n", "f.yaml").value == {"name": "no"}


@pytest.mark.skipif(not yamlsafe.C_PARSER, reason="ruamel.yaml.clib is not installed")
def test_c_and_pure_parsers_read_every_fixture_alike(monkeypatch):
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.yaml")) + sorted((ROOT / "data").rglob("*.yaml"))
    assert len(files) > 100
    fast = {f: parse_yaml(f.read_text(encoding="utf-8", errors="surrogateescape"), str(f)) for f in files}
    monkeypatch.setattr(yamlsafe, "C_PARSER", False)
    for f in files:
        slow = parse_yaml(f.read_text(encoding="utf-8", errors="surrogateescape"), str(f))
        got = fast[f]
        assert (repr(got.value), got.positions, got.key_positions, got.problems) == \
               (repr(slow.value), slow.positions, slow.key_positions, slow.problems), f


def test_an_error_names_file_line_column_and_field():
    text = "id: x\nname: !!python/object/apply:os.system ['true']\nlat: !!int abc\n"
    problems = [str(p) for p in parse_yaml(text, "installations/x.yaml").problems]
    assert problems == [
        "installations/x.yaml:2:7: name: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed "
        "(plain YAML only); it was not executed",
        "installations/x.yaml:3:6: lat: cannot read 'abc' as !!int: invalid literal for int() with base 10: 'abc'",
    ]


def test_no_module_of_ours_imports_pyyaml():
    code = ("import sys; sys.modules['yaml'] = None\n"  # importing PyYAML now fails
            "import garrison, garrison.edit, garrison.lint, garrison.cli, garrison.vocab, garrison.schema\n"
            f"ds = garrison.Loader({str(GOOD)!r}).load()\n"
            "assert ds.records and not ds.errors, [str(p) for p in ds.errors]\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "GARRISON_CACHE": os.devnull}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    for path in (ROOT / "src" / "garrison").rglob("*.py"):
        assert "import yaml" not in path.read_text(encoding="utf-8"), path
