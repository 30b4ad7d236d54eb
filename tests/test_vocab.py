"""vocab.yaml is the one source of truth for kinds, statuses and confidences: the schemas' enums,
the data dictionary's tables, the map's looks (payload), the legend and the KML styles come from
it, and a value added there reaches all of them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from paths import BUNDLED, FIXTURES, ROOT
from ruamel.yaml import YAML

from garrison import vocab
from garrison.schema import SCHEMA_DIR


def _enums(schema: object, name: str) -> list[list[str]]:
    found = []
    if isinstance(schema, dict):
        props = schema.get("properties") or {}
        if isinstance(props.get(name), dict) and "enum" in props[name]:
            found.append(props[name]["enum"])
        for value in schema.values():
            found += _enums(value, name)
    elif isinstance(schema, list):
        for value in schema:
            found += _enums(value, name)
    return found


def test_the_schema_files_list_the_vocabulary():
    for folder in (SCHEMA_DIR, BUNDLED / "schema"):  # routes have a vocabulary of their own
        for path in folder.glob("installation.schema.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            for name, values in vocab.enums().items():
                for enum in _enums(schema, name):
                    assert enum == values, (path, name)
    # must not: a vocabulary missing from the installation schema
    inst = json.loads((SCHEMA_DIR / "installation.schema.json").read_text(encoding="utf-8"))
    assert all(_enums(inst, name) for name in ("kind", "status", "confidence"))


def test_the_data_dictionary_tables_are_the_vocabulary():
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for section, key in (("kind", "kinds"), ("status", "statuses"), ("confidence", "confidences")):
        part = readme.split(f"### {section}\n", 1)[1].split("\n#", 1)[0]
        rows = re.findall(r"^\| `([a-z_]+)` \| (.*) \|$", part, re.M)
        assert rows == [(e["id"], e["meaning"]) for e in vocab.VOCAB[key]], section


def test_every_look_is_one_the_map_can_paint():
    paint_js = (ROOT / "static" / "garrison" / "map" / "paint.js").read_text(encoding="utf-8")
    for shape in {e["shape"] for e in vocab.VOCAB["kinds"]} - {"circle"}:  # circle is the painter's default
        assert f'"{shape}"' in paint_js, shape
    for entry in vocab.VOCAB["statuses"]:
        if entry["paint"] not in ("fill",):
            assert f'"{entry["paint"]}"' in paint_js, entry
        if entry["ring"] != "none":
            assert f'"{entry["ring"]}"' in paint_js, entry


ADDED = """
import json, sys
from garrison import Loader
from garrison.export import to_kml, style_id
from garrison.render.layers import load_layers
from garrison.render.payload import build_payload
ds = Loader(sys.argv[1]).load()
layers, _ = load_layers(sys.argv[2])
header, cols = build_payload(ds, layers)
state = ds.state_at("2025-01-01")
kml = to_kml(ds, "2025-01-01")
print(json.dumps({"errors": [str(p) for p in ds.errors], "status": state[state["id"] == "port-a"]["status"].tolist(),
                  "looks": [s["id"] for s in header["looks"]["statuses"]],
                  "kml_style": style_id("red", "naval_base", "sunk") in kml}))
"""


def test_a_status_added_to_the_vocabulary_reaches_the_schema_the_map_the_legend_and_kml(tmp_path: Path):
    doc = YAML(typ="safe").load(vocab.VOCAB_FILE.read_text(encoding="utf-8"))
    doc["statuses"].append({"id": "sunk", "paint": "cross", "colour": "#263238", "dash": False, "ring": "solid",
                            "scale": 1, "breaks_route": True, "meaning": "Sunk at its berth (a test's status)."})
    vocab_file = tmp_path / "vocab.yaml"
    YAML(typ="safe").dump(doc, vocab_file)
    data = tmp_path / "data"
    subprocess.run(["cp", "-r", str(FIXTURES / "good"), str(data)], check=True)
    port = data / "installations" / "port-a.yaml"
    text = port.read_text(encoding="utf-8")
    assert "status: blockaded" in text  # its period on 2025-01-01
    port.write_text(text.replace("status: blockaded", "status: sunk", 1), encoding="utf-8")
    env = {**os.environ, "GARRISON_VOCAB": str(vocab_file), "GARRISON_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", ADDED, str(data), str(ROOT / "layers")], capture_output=True,
                         text=True, env=env, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout)
    assert out["errors"] == []  # the schema knows it (its enums come from the vocabulary)
    assert out["status"] == ["sunk"]  # the time index holds it (today a KeyError without the vocabulary)
    assert "sunk" in out["looks"]  # the map's looks, from which the browser paints and builds its legend
    assert out["kml_style"]  # a KML style with its look
    # must not: the same file accepted without the added status (the schema decides, not a copy)
    plain = subprocess.run([sys.executable, "-c", ADDED, str(data), str(ROOT / "layers")], capture_output=True,
                           text=True, env={**env, "GARRISON_VOCAB": ""}, timeout=120, cwd=ROOT)
    assert plain.returncode == 0, plain.stderr[-3000:]
    assert any("sunk" in e for e in json.loads(plain.stdout)["errors"])
