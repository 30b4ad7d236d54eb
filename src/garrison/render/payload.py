"""The data the browser map needs, sent once as a binary file (content-hashed name).

A JSON header (vocabulary looks, actors, layers, routes, strings) and typed columns (positions,
periods) -- see static/garrison/map/payload.js for the layout. Every rule the map needs is
answered here: each period's full end, its state code ("changed" = a different code), the change
days the timeline steps through, each actor's root (a route is held by its operator's family).
Moving the slider then needs nothing from the server. Strings are data, never markup.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ..dates import OPEN_END, to_day
from ..i18n import DEFAULT, LANGUAGES
from ..vocab import CONFIDENCES, KINDS, STATUSES, style_table
from .generated import write_generated
from .layers import LayerDef

KEEP_FILES = 4  # older payloads are removed, keeping a few for pages still open
MAGIC = b"GAR1"


def _root(actors: list, code: dict[str, int], i: int) -> int:
    seen = 0
    while actors[i].parent and actors[i].parent in code and seen < 16:
        i, seen = code[actors[i].parent], seen + 1
    return i


def period_publishers(ds: Dataset) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(publisher names, offsets per period row, indices into the names): who published each
    period's sources, each publisher once per period, in the sources' order."""
    names: dict[str, int] = {}
    offsets, flat = [0], []
    for sources in ds.periods.sources:
        seen = dict.fromkeys(ds.sources[s].publisher for s in sources if s in ds.sources)
        flat += [names.setdefault(n, len(names)) for n in seen]
        offsets.append(len(flat))
    return list(names), np.array(offsets, np.int32), np.array(flat, np.int32)


def translated_names(ds: Dataset) -> dict[str, dict[str, dict[str, str]]]:
    """The names the data gives in the interface's languages, sparse: {lang: {"inst": {index:
    name}, "actors": {code: name}}} (JSON keys are strings). What is missing the map shows in
    English (i18n.js nameOf), as Dataset.name_of / actor_name do; other languages' names stay out
    (the payload is downloaded by every reader)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for lang in LANGUAGES:
        if lang == DEFAULT:
            continue
        inst = {str(i): r.names[lang] for i, r in enumerate(ds.records) if r.names.get(lang)}
        actors = {str(i): a.names[lang] for i, a in enumerate(ds.actors.values()) if a.names.get(lang)}
        if inst or actors:
            out[lang] = {"inst": inst, "actors": actors}
    return out


def build_payload(ds: Dataset, layers: list[LayerDef]) -> tuple[dict, dict[str, np.ndarray]]:
    """The payload as (header, columns)."""
    pt, recs = ds.periods, ds.records
    actors = list(ds.actors.values())
    code = {a.id: i for i, a in enumerate(actors)}
    inst_index = ds.index
    publishers, pub_offsets, pub = period_publishers(ds)
    header = {
        "version": ds.version,
        "open_end": OPEN_END,
        "statuses": list(STATUSES), "kinds": list(KINDS), "confidences": list(CONFIDENCES),
        "looks": style_table(),
        "actors": [{"id": a.id, "name": a.name, "short": a.short, "colour": a.colour,
                    "parent": code.get(a.parent, -1) if a.parent else -1, "root": _root(actors, code, i)}
                   for i, a in enumerate(actors)],
        "inst": {"id": [r.id for r in recs], "name": [r.name for r in recs], "country": [r.country for r in recs]},
        "span": [to_day(d) for d in ds.span()],  # the timeline's first and last day
        "change_days": ds.periods.change_days().tolist(),
        "ranges": [{"inst": i, "name": g.name, "km": g.km, "start": g.start.day,
                    "end": g.end.day if g.end else OPEN_END}
                   for i, r in enumerate(recs) for g in r.ranges],
        "routes": [{"id": rt.id, "name": rt.name, "op": code.get(rt.operator, -1),
                    "nodes": [inst_index[n] for n in rt.nodes],
                    "periods": [{"start": p.start.day, "end": p.end.day if p.end else None, "status": p.status}
                                for p in rt.history]}
                   for rt in ds.routes],
        "layers": [layer.as_json() for layer in layers],
        "publishers": publishers,  # names, for the map's exported pictures' line of sources
        "names": translated_names(ds),  # installations' and actors' names in the interface's languages
    }
    columns = {
        "lat": np.array([r.lat for r in recs], np.float64), "lon": np.array([r.lon for r in recs], np.float64),
        "kind": np.array([KINDS.index(r.kind) for r in recs], np.uint8),
        "stale": np.array([1 if r.stale else 0 for r in recs], np.uint8),
        # 0 where the position is the facility's own, else its uncertainty in km (drawn as approximate)
        "approx_km": np.array([float(r.position_km or 0) if r.position == "approximate" else 0.0 for r in recs], np.float64),
        "offsets": pt.offsets.astype(np.int32), "start": pt.start.astype(np.int32), "end": pt.end.astype(np.int32),
        "op": pt.operator.astype(np.int16), "terr": pt.territory.astype(np.int16),
        "status": pt.status.astype(np.uint8), "conf": pt.confidence.astype(np.uint8),
        "code": pt.state_codes(),
        # the precision a period's start is written at (the ISO text's length: 4 year, 7 month, 10 day)
        "since_len": np.array([len(t) for t in pt.since], np.uint8),
        "pub_offsets": pub_offsets, "pub": pub,  # period row k's publishers: pub[pub_offsets[k]:pub_offsets[k+1]]
    }
    return header, columns


def encode_payload(header: dict, columns: dict[str, np.ndarray]) -> bytes:
    """The binary layout payload.js decodes: magic, header length, JSON header, 8-aligned columns."""
    specs, blobs, offset = {}, [], 0
    for name, arr in columns.items():
        arr = np.ascontiguousarray(arr)
        type_name = arr.dtype.name
        specs[name] = {"type": type_name, "offset": offset, "length": int(arr.size)}
        raw = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        pad = (-len(raw)) % 8
        blobs.append(raw + b"\0" * pad)
        offset += len(raw) + pad
    head = json.dumps({**header, "columns": specs}, ensure_ascii=False, separators=(",", ":")).encode()
    prefix = MAGIC + struct.pack("<I", len(head)) + head
    return prefix + b"\0" * ((-len(prefix)) % 8) + b"".join(blobs)


def decode_payload(data: bytes) -> dict:
    """The inverse of `encode_payload` (the reference for payload.js, used by tests and benchmarks)."""
    if data[:4] != MAGIC:
        raise ValueError("not a Garrison payload")
    (length,) = struct.unpack("<I", data[4:8])
    header = json.loads(data[8:8 + length])
    body = -(-(8 + length) // 8) * 8
    header["col"] = {name: np.frombuffer(data, dtype=np.dtype(spec["type"]).newbyteorder("<"), count=spec["length"],
                                         offset=body + spec["offset"]) for name, spec in header.pop("columns").items()}
    return header


def write_payload(payload: tuple[dict, dict[str, np.ndarray]], folder: str | Path, min_age_s: float = 600.0) -> str:
    """Write the payload as `garrison-<hash>.bin` and its gzipped `.bin.gz` in `folder` (atomic);
    return the name of the `.bin` (the map fetches the `.gz` where the browser can inflate it).

    Beyond the KEEP_FILES newest, files untouched for `min_age_s` are removed (see generated.py).
    """
    return write_generated(folder, "garrison", ".bin", encode_payload(*payload), KEEP_FILES, min_age_s, gzipped=True)
