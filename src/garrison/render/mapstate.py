"""What the map shows for a view, decided here once: the filter's and compare's answers as
lookups the browser only reads (see static/garrison/map/time.js).

`map_data` is the component's `data`: the payload's URL and the view, plus
- `match`: null, or bitmasks of the installations and period rows the filters keep (an
  installation is shown at a date when its bit and its current period's bit are set);
- `layers`: each filtering layer's own match, the same way (layers/*.yaml `filter`);
- `compare`: null, or each installation's state code at the compare date;
- `fit`: the bounds of what the filters keep at the view's date, and a key that changes with
  the filters (the map fits once per change).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import numpy as np

from ..dataset import Dataset
from ..dates import to_day
from ..i18n import browser_table
from ..ui.permalink import View
from ..vocab import STATUSES
from .layers import LayerDef


def bitmask(flags: np.ndarray) -> str:
    """A boolean array as base64 of its bits, LSB first (time.js `bit`)."""
    return base64.b64encode(np.packbits(flags.astype(bool), bitorder="little").tobytes()).decode()


def int32s(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<i4").tobytes()).decode()


def _codes(names: Iterable[str], vocabulary: dict[str, int]) -> np.ndarray:
    return np.array([vocabulary[n] for n in names if n in vocabulary], np.int64)


def filter_masks(ds: Dataset, view: View, search_ids: Iterable[str] | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(installations kept, period rows kept) by the view's filters: None where that part is off."""
    return masks_for(ds, view.filters, search_ids)


def masks_for(ds: Dataset, f: dict[str, list[str]], search_ids: Iterable[str] | None = None
              ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(installations kept, period rows kept) for a filter {op, country, kind, status}: None where
    that part is off. `op` and `status` are matched at the date (each period row decides)."""
    f = {k: list(f.get(k) or []) for k in ("op", "country", "kind", "status")}
    recs, pt = ds.records, ds.periods
    inst = None
    if f["country"] or f["kind"] or search_ids is not None:
        keep = np.ones(len(recs), bool)
        if f["country"]:
            keep &= np.isin(np.array([r.country for r in recs], object), f["country"])
        if f["kind"]:
            keep &= np.isin(np.array([r.kind for r in recs], object), f["kind"])
        if search_ids is not None:
            wanted = set(search_ids)
            keep &= np.fromiter((r.id in wanted for r in recs), bool, len(recs))
        inst = keep
    period = None
    if f["op"] or f["status"]:
        keep = np.ones(len(pt), bool)
        if f["op"]:
            keep &= np.isin(pt.operator, _codes(f["op"], {a: i for i, a in enumerate(pt.actor_ids)}))
        if f["status"]:
            keep &= np.isin(pt.status, _codes(f["status"], {s: i for i, s in enumerate(STATUSES)}))
        period = keep
    return inst, period


def kept_rows(ds: Dataset, inst: np.ndarray | None, period: np.ndarray | None) -> np.ndarray | None:
    """The masks as one boolean per period row (None: all kept): a row is kept when its
    installation's bit and its own are set, so on any day the kept rows that hold are exactly what
    the map shows (`shown_at`); the exports take it as `keep`."""
    if inst is None and period is None:
        return None
    keep = np.ones(len(ds.periods), bool)
    if inst is not None:
        keep &= inst[ds.periods.inst]
    if period is not None:
        keep &= period
    return keep


def shown_at(ds: Dataset, inst: np.ndarray | None, period: np.ndarray | None, day: int) -> np.ndarray:
    """Installation indices the map shows at `day` under these masks (the browser's rule, in numpy)."""
    snap = ds.periods.state_at(day)
    keep = np.ones(len(snap.inst), bool)
    if inst is not None:
        keep &= inst[snap.inst]
    if period is not None:
        keep &= period[snap.period]
    return snap.inst[keep]


def _encode(inst: np.ndarray | None, period: np.ndarray | None) -> dict | None:
    if inst is None and period is None:
        return None
    return {"inst": bitmask(inst) if inst is not None else None, "period": bitmask(period) if period is not None else None}


def layer_matches(ds: Dataset, layers: Iterable[LayerDef]) -> dict[str, dict]:
    """Each layer's own filter (layers/*.yaml), as the view's: {layer id: match} for layers that
    filter. A routes layer's `ids` name routes: {"routes": [kept route indices]}."""
    out: dict[str, dict] = {}
    for layer in layers:
        flt = layer.filter
        if not flt:
            continue
        if layer.type == "routes":
            ids = set(flt.get("ids") or [])
            out[layer.id] = {"routes": [k for k, rt in enumerate(ds.routes) if not ids or rt.id in ids]}
            continue
        inst, period = masks_for(ds, {"op": flt.get("operator"), "country": flt.get("country"), "kind": flt.get("kind")},
                                 flt.get("ids"))
        out[layer.id] = _encode(inst, period) or {}
    return out


def map_data(ds: Dataset, view: View, payload_url: str, *, search_ids: Iterable[str] | None = None,
             edit: bool = False, layers: Iterable[LayerDef] = (), lang: str = "en") -> dict:
    """The map component's `data` for this view (JSON), its words in the interface language `lang`."""
    inst, period = filter_masks(ds, view, search_ids)
    data: dict = {
        "payload": payload_url,
        "version": ds.version,
        "date": view.date.isoformat() if view.date else None,
        "select": view.select,
        "match": _encode(inst, period),
        "layers": layer_matches(ds, layers),
        "compare": None,
        "fit": None,
        "view": {"lat": view.lat, "lon": view.lon, "zoom": view.zoom} if view.lat is not None else None,
        "edit": bool(edit),
        "words": browser_table(lang),
    }
    if view.compare is not None:
        data["compare"] = {"date": view.compare.isoformat(), "codes": int32s(ds.periods.codes_at(view.compare))}
    if data["match"] is not None and view.date is not None:
        idx = shown_at(ds, inst, period, to_day(view.date))
        if len(idx):
            lat = np.array([ds.records[i].lat for i in idx])
            lon = np.array([ds.records[i].lon for i in idx])
            data["fit"] = {"bounds": [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]],
                           "key": repr((sorted((k, sorted(v)) for k, v in view.filters.items()), view.q))}
    return data


__all__ = ["bitmask", "filter_masks", "kept_rows", "map_data", "masks_for", "shown_at"]
