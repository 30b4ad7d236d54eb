"""Declarative map layers (layers/*.yaml): loaded, checked against layer.schema.json, ordered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ..problems import Problem, field_name
from ..schema import explain
from ..yamlsafe import parse_yaml

LAYER_TYPES = ("installations", "range_rings", "routes")
_SCHEMA = json.loads((Path(__file__).with_name("layer.schema.json")).read_text(encoding="utf-8"))
_ORDER = {"range_rings": 0, "routes": 1, "installations": 2}  # markers on top


@dataclass(frozen=True)
class LayerDef:
    id: str
    type: str
    name: str
    source: str
    visible: bool
    filter: dict[str, list[str]]
    style: dict[str, Any]
    legend: dict[str, Any]

    def as_json(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name, "visible": self.visible,
                "filter": self.filter, "style": self.style, "legend": self.legend}


def load_layers(folder: str | Path) -> tuple[list[LayerDef], list[Problem]]:
    """Every valid layer definition in `folder` (sorted for drawing) and the problems of the rest."""
    layers, problems = [], []
    validator = Draft202012Validator(_SCHEMA)
    for path in sorted(Path(folder).glob("*.yaml")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.append(Problem(str(path), line, 1, "", f"file is not UTF-8 text (byte {exc.start}); save it as UTF-8"))
            continue
        parsed = parse_yaml(text, str(path))
        errs = [p for p in parsed.problems if p.severity == "error"]
        if not errs and isinstance(parsed.value, dict):
            for err in validator.iter_errors(parsed.value):
                where, msg, at_key = explain(err)
                errs.append(Problem(str(path), *parsed.where(where, key=at_key), field_name(where), msg))
            if not errs and parsed.value["id"] != path.stem:
                errs.append(Problem(str(path), *parsed.where(("id",)), "id", f"id must equal the file name {path.stem!r}"))
        elif not errs:
            errs.append(Problem(str(path), 1, 1, "", "a layer file must be a mapping"))
        problems += errs
        if errs:
            continue
        v = parsed.value
        layers.append(LayerDef(v["id"], v["type"], v["name"], v["source"], bool(v.get("visible", True)),
                               dict(v.get("filter") or {}), dict(v.get("style") or {}), dict(v.get("legend") or {})))
    layers.sort(key=lambda layer: (_ORDER[layer.type], layer.id))
    return layers, problems
