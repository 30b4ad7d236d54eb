"""Closed vocabularies of the data model, read from vocab.yaml (their one source of truth).

Each kind, status and confidence has its meaning and its look there; the schemas' enums, the
map's style table and legend, the KML styles and the data dictionary's tables come from it.
Tuples are in display order (the map's payload codes are list positions).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .yamlsafe import parse_yaml

#: the package's vocabulary; $GARRISON_VOCAB names another file (a fork's, or a test's)
VOCAB_FILE = Path(os.environ.get("GARRISON_VOCAB") or Path(__file__).with_name("vocab.yaml"))
SHAPES = ("circle", "square", "diamond", "triangle", "triangle_down", "bar", "dome", "hourglass", "hexagon", "pentagon",
          "star", "cross")
PAINTS = ("fill", "outline", "half", "stripes", "cross")
RINGS = ("none", "dashed", "solid")
_KEYS = {
    "kinds": {"id", "shape", "scale", "meaning"},
    "statuses": {"id", "paint", "colour", "dash", "ring", "scale", "breaks_route", "meaning"},
    "confidences": {"id", "alpha", "meaning"},
}


class VocabError(ValueError):
    """vocab.yaml is malformed (a programming error: the app cannot draw without it)."""


def _check(section: str, entries: Any) -> list[dict]:
    if not isinstance(entries, list) or not entries:
        raise VocabError(f"{VOCAB_FILE.name}: `{section}` must be a non-empty list")
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        where = f"{VOCAB_FILE.name}: {section}[{n}]"
        if not isinstance(entry, dict) or set(entry) != _KEYS[section]:
            got = sorted(entry) if isinstance(entry, dict) else type(entry).__name__
            raise VocabError(f"{where}: keys must be exactly {sorted(_KEYS[section])}, got {got}")
        if entry["id"] in seen:
            raise VocabError(f"{where}: duplicate id {entry['id']!r}")
        seen.add(entry["id"])
        for key, allowed in (("shape", SHAPES), ("paint", PAINTS), ("ring", RINGS)):
            if key in entry and entry[key] not in allowed:
                raise VocabError(f"{where}: {key} {entry[key]!r} is not one of {', '.join(allowed)}")
    return entries


def load_vocab(path: Path = VOCAB_FILE) -> dict[str, list[dict]]:
    """Every section of vocab.yaml, checked."""
    parsed = parse_yaml(path.read_text(encoding="utf-8"), str(path))  # the data files' reader: YAML 1.2, no tags
    errors = [str(p) for p in parsed.problems if p.severity == "error"]
    if errors:
        raise VocabError("; ".join(errors))
    doc = parsed.value
    if not isinstance(doc, dict) or set(doc) != set(_KEYS):
        raise VocabError(f"{path.name}: top-level keys must be exactly {sorted(_KEYS)}")
    return {section: _check(section, doc[section]) for section in _KEYS}


VOCAB = load_vocab()
KINDS: tuple[str, ...] = tuple(e["id"] for e in VOCAB["kinds"])
STATUSES: tuple[str, ...] = tuple(e["id"] for e in VOCAB["statuses"])
CONFIDENCES: tuple[str, ...] = tuple(e["id"] for e in VOCAB["confidences"])

STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
CONFIDENCE_CODE = {c: i for i, c in enumerate(CONFIDENCES)}
KIND_CODE = {k: i for i, k in enumerate(KINDS)}

#: id -> its entry (shape, paint, ... and meaning), read-only
KIND_LOOKS = MappingProxyType({e["id"]: MappingProxyType(e) for e in VOCAB["kinds"]})
STATUS_LOOKS = MappingProxyType({e["id"]: MappingProxyType(e) for e in VOCAB["statuses"]})
CONFIDENCE_LOOKS = MappingProxyType({e["id"]: MappingProxyType(e) for e in VOCAB["confidences"]})
#: statuses at which a route's node counts as lost (the leg is drawn broken)
ROUTE_BREAKING = frozenset(s for s, look in STATUS_LOOKS.items() if look["breaks_route"])


def style_table() -> dict[str, list[dict]]:
    """The looks for the map's payload, in code order (the browser paints and builds its legend from it)."""
    return {section: [{k: v for k, v in e.items() if k != "meaning"} for e in VOCAB[section]] for section in _KEYS}


def enums() -> dict[str, list[str]]:
    """The schema enums: `kind`, `status`, `confidence`."""
    return {"kind": list(KINDS), "status": list(STATUSES), "confidence": list(CONFIDENCES)}


def with_enums(schema: object) -> object:
    """A copy of a JSON Schema whose `kind`, `status` and `confidence` properties list this
    vocabulary (the schema files carry the same lists for editors; a test keeps them equal)."""
    values = enums()
    if isinstance(schema, list):
        return [with_enums(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: with_enums(value) for key, value in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        for name, sub in props.items():
            if name in values and isinstance(sub, dict) and "enum" in sub:
                props[name] = {**sub, "enum": values[name]}
    return out
