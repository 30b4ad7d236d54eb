"""The data the browser map needs, sent once as a static JSON file (content-hashed name).

Moving the slider then only sends a tiny message (the date); the browser restyles markers
from these arrays. Strings here are data, never markup: the browser sets them as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..dataset import Dataset
from ..dates import OPEN_END
from ..vocab import CONFIDENCES, KINDS, STATUSES
from .generated import write_generated
from .layers import LayerDef

KEEP_FILES = 4  # older payloads are removed, keeping a few for pages still open
COORD_DECIMALS = 5  # ~1 m; a marker click reports its position at this precision


def build_payload(ds: Dataset, layers: list[LayerDef]) -> dict:
    pt, recs = ds.periods, ds.records
    actor_ids = list(ds.actors)
    code = {a: i for i, a in enumerate(actor_ids)}
    inst_index = ds.index
    return {
        "version": ds.version,
        "open_end": OPEN_END,
        "statuses": list(STATUSES), "kinds": list(KINDS), "confidences": list(CONFIDENCES),
        "actors": [{"id": a.id, "name": a.name, "short": a.short, "colour": a.colour,
                    "parent": code.get(a.parent, -1) if a.parent else -1} for a in ds.actors.values()],
        "inst": {
            "id": [r.id for r in recs], "name": [r.name for r in recs],
            "kind": [KINDS.index(r.kind) for r in recs], "country": [r.country for r in recs],
            "lat": [round(r.lat, COORD_DECIMALS) for r in recs], "lon": [round(r.lon, COORD_DECIMALS) for r in recs],
            "stale": [1 if r.stale else 0 for r in recs],
        },
        "periods": {
            "offsets": pt.offsets.tolist(), "start": pt.start.tolist(), "end": compact_ends(pt.offsets, pt.start, pt.end),
            "op": pt.operator.tolist(), "terr": pt.territory.tolist(),
            "status": pt.status.tolist(), "conf": pt.confidence.tolist(),
        },
        "ranges": [{"inst": i, "name": g.name, "km": g.km, "start": g.start.day,
                    "end": g.end.day if g.end else OPEN_END}
                   for i, r in enumerate(recs) for g in r.ranges],
        "routes": [{"id": rt.id, "name": rt.name, "op": code.get(rt.operator, -1),
                    "nodes": [inst_index[n] for n in rt.nodes],
                    "periods": [{"start": p.start.day, "end": p.end.day if p.end else None, "status": p.status}
                                for p in rt.history]}
                   for rt in ds.routes],
        "layers": [layer.as_json() for layer in layers],
    }


def compact_ends(offsets: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    """Period ends with -1 where a period simply lasts until the next one starts (or, for the
    last, is ongoing): most of them, so the payload at 10k installations is ~0.2 MB smaller.
    The browser expands them once (``expandEnds`` in garrison-map.js)."""
    if len(start) == 0:
        return []
    implied = np.append(start[1:], OPEN_END).astype(end.dtype)
    implied[offsets[1:] - 1] = OPEN_END  # each installation's last period: ongoing unless a `to` says otherwise
    return np.where(end == implied, -1, end).tolist()


def expand_ends(offsets: list[int], start: list[int], ends: list[int]) -> list[int]:
    """The inverse of `compact_ends` (the reference for the browser's decoder, used by tests)."""
    out = list(ends)
    for i in range(len(offsets) - 1):
        for k in range(offsets[i], offsets[i + 1]):
            if out[k] == -1:
                out[k] = start[k + 1] if k + 1 < offsets[i + 1] else OPEN_END
    return out


def write_payload(payload: dict, folder: str | Path, min_age_s: float = 600.0) -> str:
    """Write the payload as `garrison-<hash>.json` and its gzipped `.json.gz` in `folder` (atomic);
    return the name of the `.json` (the map fetches the `.gz` where the browser can inflate it).

    Beyond the KEEP_FILES newest, files untouched for `min_age_s` are removed (see generated.py).
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return write_generated(folder, "garrison", ".json", text, KEEP_FILES, min_age_s, gzipped=True)
