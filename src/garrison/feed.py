"""What changed — the event feed: the changes around a date, newest first, each with its sources'
publishers (every item is cited, unlike a news ticker).

"Around": the `EARLIER` latest changes on or before the date and the `LATER` first ones after it,
so the feed is never empty at a quiet date and shows what comes next. The filters are the map's
(garrison.compare.kept); the words are garrison.compare's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .compare import APPEARED, ASPECTS, ENDED, Change, change_of
from .dataset import Dataset
from .dates import from_day

EARLIER, LATER = 15, 5


@dataclass(frozen=True, slots=True)
class FeedItem:
    change: Change
    publishers: tuple[str, ...]  # of the change's sources, each once, in the data's order
    later: bool  # after the date the feed is around

    @property
    def iso(self) -> str:
        """The day the map moves to for this item."""
        return from_day(self.change.day).isoformat()


def _events(ds: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every change in the data (inst, day, before row, after row), oldest first: once per dataset."""
    cached = ds.__dict__.get("_feed_events")
    if cached is None:
        days = ds.periods.change_days()
        ev = ds.periods.events_between(int(days[0]) - 1, int(days[-1])) if len(days) else None
        cached = tuple(np.asarray(ev[c] if ev is not None else [], np.int64) for c in ("inst", "day", "before", "after"))
        ds.__dict__["_feed_events"] = cached
    return cached


def publishers(ds: Dataset, source_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The publishers of these sources, each once (unknown ids are left out: lint reports them)."""
    return tuple(dict.fromkeys(ds.sources[s].publisher for s in source_ids if s in ds.sources))


def feed_items(ds: Dataset, day: int, inst_mask: np.ndarray | None = None, period_mask: np.ndarray | None = None,
               earlier: int = EARLIER, later: int = LATER) -> list[FeedItem]:
    """The changes around `day` that the filters keep, newest first."""
    inst, days, before, after = _events(ds)
    keep = np.ones(len(inst), bool)  # garrison.compare.kept, over all events at once
    if inst_mask is not None:
        keep &= inst_mask[inst]
    if period_mask is not None:
        keep &= ((before >= 0) & period_mask[np.maximum(before, 0)]) | ((after >= 0) & period_mask[np.maximum(after, 0)])
    idx = np.flatnonzero(keep)
    cut = int(np.searchsorted(days[idx], day, side="right"))
    picked = sorted([*idx[cut:cut + later], *idx[max(cut - earlier, 0):cut]], key=lambda k: (-days[k], k))
    out = []
    for k in picked:
        change = change_of(ds, int(inst[k]), int(before[k]), int(after[k]))
        out.append(FeedItem(change, publishers(ds, change.sources), bool(days[k] > day)))
    return out


def what_changed(change: Change) -> str:
    """One line: "Operator: Russia → United States · Status: active → seized"; a record that
    appeared or ended: "Appeared: Israel, seized" / "Record ended: Russia, abandoned"."""
    for kind, side in ((APPEARED, 1), (ENDED, 0)):
        if kind in change.kinds:
            state = [change.states[a][side] for a in ("operator", "status")]
            terr = change.states["territory"][side]
            return f"{kind.capitalize()}: " + ", ".join(v for v in state if v) + (f" (territory {terr})" if terr else "")
    return " · ".join(f"{a.capitalize()}: {change.aspects[a]}" for a in ASPECTS if f"changed {a}" in change.kinds)


__all__ = ["EARLIER", "LATER", "FeedItem", "feed_items", "publishers", "what_changed"]
