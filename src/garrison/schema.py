"""Shape validation against the library's JSON Schemas (``garrison/schemas/``, package data).

A data folder carries copies in its ``schema/`` folder for editors (the yaml-language-server
comment at the top of each file points there). Validation always uses the library's own;
a copy that differs from them is reported, and ``garrison lint --fix`` writes fresh copies.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .problems import Problem, field_name
from .yamlsafe import Parsed

SCHEMAS = ("installation", "actors", "sources")
SCHEMA_DIR = Path(__file__).with_name("schemas")  # the library's own: the rules
COPY_DIR = "schema"  # a data folder's copies, for editors


def schema_files() -> list[Path]:
    return sorted(SCHEMA_DIR.glob("*.schema.json"))


def stale_copies(data_dir: str | Path) -> list[Path]:
    """The copies in a data folder's schema/ that differ from the library's (none when it has no schema/)."""
    folder = Path(data_dir) / COPY_DIR
    if not folder.is_dir():
        return []
    return [folder / own.name for own in schema_files()
            if not (folder / own.name).is_file() or (folder / own.name).read_bytes() != own.read_bytes()]


def copy_problems(data_dir: str | Path) -> list[Problem]:
    """A warning per stale schema copy: editors would check files against old rules."""
    return [Problem(str(path), 1, 1, "", "differs from the schema of this Garrison version, so editors check against "
                    "old rules; run `garrison lint --fix` to refresh it", "warning") for path in stale_copies(data_dir)]


def write_copies(data_dir: str | Path) -> list[Path]:
    """Write the library's schemas into the data folder's schema/ where missing or different; the paths written."""
    from .atomic import write_atomic

    folder = Path(data_dir) / COPY_DIR
    folder.mkdir(exist_ok=True)
    written = []
    for own in schema_files():
        copy = folder / own.name
        if not copy.is_file() or copy.read_bytes() != own.read_bytes():
            write_atomic(copy, own.read_bytes())
            written.append(copy)
    return written


@lru_cache(maxsize=8)
def validator(schema_dir: str, name: str) -> Draft202012Validator:
    path = Path(schema_dir) / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def explain(err: ValidationError) -> tuple[tuple, str, bool]:
    """(path, message, points-at-key) for one schema error, in words a data editor knows."""
    path = tuple(err.absolute_path)
    v = err.validator
    if v == "additionalProperties":
        extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
        allowed = ", ".join(err.schema.get("properties", {}))
        if extra:
            return path + (extra[0],), f"unknown field {extra[0]!r} (allowed: {allowed})", True
    if v == "required":
        missing = err.message.split("'")[1] if err.message.count("'") >= 2 else "field"
        return path + (missing,), f"{missing!r} is required but missing", False
    if v == "enum":
        return path, f"{err.instance!r} is not one of: {', '.join(map(str, err.validator_value))}", False
    if v == "pattern":
        desc = err.schema.get("description", "")
        return path, f"{err.instance!r} does not match the expected form. {desc}".strip(), False
    if v == "type":
        hint = ""
        if path and path[-1] in ("from", "to", "date"):
            hint = f"; quote dates: '{err.instance}'"
        return path, f"expected {err.validator_value}, got {type(err.instance).__name__} {_short(err.instance)}{hint}", False
    if v in ("minimum", "maximum") and path and path[-1] in ("lat", "lon"):
        other = "lon" if path[-1] == "lat" else "lat"
        return path, f"{path[-1]} {err.instance} is out of range ({err.message.split(' is ')[-1]}); lat and lon swapped? ({other} is the other key)", False
    return path, err.message if len(err.message) < 300 else err.message[:300] + "...", False


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def schema_problems(parsed: Parsed, name: str, schema_dir: str, file: str) -> list[Problem]:
    """Every schema error in a parsed document, located by line and column."""
    out = []
    for err in sorted(validator(schema_dir, name).iter_errors(parsed.value), key=lambda e: list(map(str, e.absolute_path))):
        path, msg, at_key = explain(err)
        line, col = parsed.where(path, key=at_key)
        out.append(Problem(file, line, col, field_name(path), msg))
    return out
