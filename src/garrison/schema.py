"""Shape validation against the library's JSON Schemas (``garrison/schemas/``, package data).

A data folder carries copies in its ``schema/`` folder for editors (the yaml-language-server
comment at the top of each file points there). Validation always uses the library's own;
a copy that differs from them is reported, and ``garrison lint --fix`` writes fresh copies.

Editors also check what only the data knows, which actor, source and installation ids exist,
and whether a date is on the calendar ('2023-02-30' is not). The schemas ask for it with
``"$ref": "ids.schema.json#/$defs/actor_id"`` (``source_id``, ``installation_id``, ``date``)
beside each field's own type, pattern and description, and two files answer:

- the library's ``ids.schema.json`` adds nothing. Validation reports exactly what it did before
  and needs no file from a data folder: the loader checks references and dates itself, with
  file:line messages ("unknown actor 'x'", "'2024-13-40' is an impossible date (month must be
  in 1..12)"), where a schema error would replace those messages, skip the file's other checks,
  or drop a whole source that a date typo made schema-invalid;
- a data folder's ``schema/ids.schema.json`` is generated (:func:`ids_schema`): the library's
  with an ``enum`` of the folder's ids and the calendar-exact date pattern. ``lint --fix`` and
  :func:`write_ids_schema` write it; :func:`stale_copies` reports it once the data moved on.

Why not a derived installation schema with the enums in it: this way every other copy stays
byte-identical to the library's (one set of rules, nothing to keep in step, the staleness check
stays a byte comparison), the library's schemas resolve on their own, and the only generated
file is the one that depends on the data. The date rule sits in the same file because it, too,
must bind editors without binding validation.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from . import datafiles
from .problems import Problem, field_name
from .vocab import with_enums
from .yamlsafe import Parsed, parse_yaml

SCHEMAS = ("installation", "actors", "sources")
SCHEMA_DIR = Path(__file__).with_name("schemas")  # the library's own: the rules
COPY_DIR = "schema"  # a data folder's copies, for editors
IDS_FILE = "ids.schema.json"  # the one copy generated from the data, not copied
ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
_ID = re.compile(ID_PATTERN)


def _date_pattern() -> str:
    """A regex for exactly the dates dates.parse_partial accepts: 'YYYY', 'YYYY-MM', 'YYYY-MM-DD' on the calendar."""
    year = "(?!0000)[0-9]{4}"  # datetime has no year 0
    month = "(?:0[1-9]|1[0-2])"
    day = (f"(?:{month}-(?:0[1-9]|1[0-9]|2[0-8])"  # every month has days 1-28
           "|(?:0[13-9]|1[0-2])-(?:29|30)"  # every month but February has the 29th and 30th
           "|(?:0[13578]|1[02])-31)")  # the long months
    # Gregorian leap years: divisible by 4 but not by 100 (..04, ..08, .., ..96), or by 400 (0400, .., 2000)
    leap = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
    return f"^(?:{year}(?:-{month}|-{day})?|{leap}-02-29)$"


DATE_PATTERN = _date_pattern()


def schema_files() -> list[Path]:
    """The library's schemas that a data folder copies verbatim (its ids.schema.json is made from its data)."""
    return [p for p in sorted(SCHEMA_DIR.glob("*.schema.json")) if p.name != IDS_FILE]


# --- the data's ids --------------------------------------------------------------------------

def data_ids(data_dir: str | Path) -> dict[str, list[str] | None]:
    """The ids a data folder defines, by $defs name; None where the file cannot be read as a list."""
    folder = Path(data_dir)
    return {"actor_id": _list_ids(folder / "actors.yaml", folder),
            "source_id": _list_ids(folder / "sources.yaml", folder),
            "installation_id": _installation_ids(folder / "installations")}


def _list_ids(path: Path, data_dir: Path) -> list[str] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    ids = _ids_in(str(path), str(data_dir), (st.st_ino, st.st_mtime_ns, st.st_size))
    return None if ids is None else list(ids)


@lru_cache(maxsize=16)
def _ids_in(path: str, data_dir: str, stat: tuple[int, int, int]) -> tuple[str, ...] | None:
    """The `id` of every item of a YAML list file (cached by its stat: the loader asks on every reload)."""
    from .loader import read_data_file  # the loader's guarded read (no FIFO, no link out); imported late: it imports us

    try:
        text = read_data_file(path, Path(data_dir)).decode("utf-8")
    except Exception:  # unreadable in any way (gone, a FIFO, a link out, not UTF-8): the ids are unknown
        return None
    value = parse_yaml(text, path).value
    if not isinstance(value, list):
        return None
    return _valid_ids(item.get("id") for item in value if isinstance(item, dict))


def _installation_ids(folder: Path) -> list[str] | None:
    """Installation ids are their file names (the loader checks that each file's id matches)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    return list(_valid_ids(n.rsplit(".", 1)[0] for n in names if datafiles.is_installation_name(n)))


def _valid_ids(ids: Iterable[object]) -> tuple[str, ...]:
    """Sorted, once each, only those of an id's form (the rest the loader reports)."""
    return tuple(sorted({i for i in ids if isinstance(i, str) and _ID.fullmatch(i)}))


def ids_schema(data_dir: str | Path) -> dict[str, Any]:
    """The data folder's ids.schema.json: the library's, with the folder's ids as enums and the exact date pattern."""
    schema = json.loads((SCHEMA_DIR / IDS_FILE).read_text(encoding="utf-8"))
    defs = schema["$defs"]
    written = _written_defs(Path(data_dir) / COPY_DIR / IDS_FILE)
    for name, ids in data_ids(data_dir).items():
        if ids is not None:
            defs[name] = {**defs[name], "enum": ids, "errorMessage": _UNKNOWN[name]}
        elif name in written:  # a file broken mid-edit: editors keep the ids they had, not none
            defs[name] = written[name]
    defs["date"] = {**defs["date"], "pattern": DATE_PATTERN, "patternErrorMessage": _NOT_A_DATE}
    head = {key: schema.pop(key) for key in ("$schema", "$id")}  # the note goes where a reader starts
    return {**head, "$comment": "Generated from this data folder by `garrison lint --fix` (and by in-app saves); do not edit.",
            **schema}


# editors show these instead of "Value is not accepted. Valid values: <every id>"
_UNKNOWN = {"actor_id": "Unknown actor id: not in actors.yaml (add it there, then run garrison lint --fix).",
            "source_id": "Unknown source id: not in sources.yaml (add it there, then run garrison lint --fix).",
            "installation_id": "Unknown installation id: no such file in installations/."}
_NOT_A_DATE = "Not a date on the calendar: write 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' with a month 01-12 and a day that month has."


def _written_defs(path: Path) -> dict[str, Any]:
    try:
        defs = json.loads(path.read_text(encoding="utf-8")).get("$defs")
    except (OSError, ValueError, AttributeError):
        return {}
    return defs if isinstance(defs, dict) else {}


def _ids_bytes(data_dir: str | Path) -> bytes:
    return (json.dumps(ids_schema(data_dir), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_ids_schema(data_dir: str | Path) -> bool:
    """Bring schema/ids.schema.json up to date with the data (call after a save); True if it was written.

    Cheap when nothing changed (ids are cached by file stat; the file is only compared). A data
    folder without schema/ (no editor copies) is left without one.
    """
    folder = Path(data_dir) / COPY_DIR
    return folder.is_dir() and _write_if_different(folder / IDS_FILE, _ids_bytes(data_dir))


def _write_if_different(path: Path, content: bytes) -> bool:
    from .atomic import write_atomic

    try:
        if path.read_bytes() == content:
            return False
    except OSError:
        pass  # missing (or unreadable): write it
    write_atomic(path, content)
    return True


# --- the copies --------------------------------------------------------------------------------

def stale_copies(data_dir: str | Path) -> list[Path]:
    """The copies in a data folder's schema/ that differ from what lint --fix writes (none when it has no schema/)."""
    folder = Path(data_dir) / COPY_DIR
    if not folder.is_dir():
        return []
    return [path for path, content in _copies(data_dir) if _differs(path, content)]


def _copies(data_dir: str | Path) -> list[tuple[Path, bytes]]:
    """Each file of a data folder's schema/ with the bytes it should hold: the library's, and the data's ids."""
    folder = Path(data_dir) / COPY_DIR
    ids = (folder / IDS_FILE, _ids_bytes(data_dir))
    return sorted([(folder / own.name, own.read_bytes()) for own in schema_files()] + [ids])


def _differs(path: Path, content: bytes) -> bool:
    try:
        return path.read_bytes() != content
    except OSError:
        return True


def stale_reason(path: Path) -> str:
    """Why a stale copy matters (validate's warning)."""
    if path.name == IDS_FILE:
        return "is out of date with this data folder's ids, so editors complete and check old ones"
    return "differs from the schema of this Garrison version, so editors check against old rules"


def copy_problems(data_dir: str | Path) -> list[Problem]:
    """A warning per stale schema copy: editors would check files against old rules or old ids."""
    return [Problem(str(path), 1, 1, "", f"{stale_reason(path)}; run `garrison lint --fix` to refresh it", "warning")
            for path in stale_copies(data_dir)]


def write_copies(data_dir: str | Path) -> list[Path]:
    """Write the schemas into the data folder's schema/ where missing or different; the paths written."""
    (Path(data_dir) / COPY_DIR).mkdir(exist_ok=True)
    return [path for path, content in _copies(data_dir) if _write_if_different(path, content)]


# --- validation --------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _registry(schema_dir: str) -> Registry:
    """The schemas of one folder by their $id, so ``ids.schema.json#/...`` resolves there (never over the network)."""
    resources = [Resource.from_contents(json.loads(p.read_text(encoding="utf-8")))
                 for p in sorted(Path(schema_dir).glob("*.schema.json"))]
    return Registry().with_resources((r.id(), r) for r in resources)


@lru_cache(maxsize=8)
def validator(schema_dir: str, name: str) -> Draft202012Validator:
    path = Path(schema_dir) / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    if name == "installation":  # vocab.yaml decides an installation's kinds, statuses and confidences
        schema = with_enums(schema)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry(schema_dir))


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
    if "propertyNames" in err.schema_path:  # a bad key (a `names` language): point at the key itself
        what = err.schema.get("title", "key")
        allowed = f" (one of: {', '.join(map(str, err.validator_value))})" if v == "enum" else ""
        return path + (err.instance,), f"{err.instance!r} is not a known {what}{allowed}", True
    if v == "pattern" and err.validator_value == r"\S":
        return path, f"{err.instance!r} is blank; write the text or leave the entry out", False
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
