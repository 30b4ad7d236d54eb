"""Columnar period table and the time queries behind the slider.

All periods of all installations live in flat numpy arrays ordered by (installation, start).
``state_at`` answers for every installation at once with one ``searchsorted``: no Python loop
per installation. Codes index into ``actor_ids`` / vocab tuples; -1 means "none".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import OPEN_END, iso, to_day
from .model import Installation
from .vocab import CONFIDENCE_CODE, CONFIDENCES, STATUS_CODE, STATUSES

# Keys combine installation index and start day into one sortable int64.
_DAY_OFFSET = 1_000_000  # makes any day since year 1 positive
_STRIDE = 1 << 25  # > OPEN_END + _DAY_OFFSET

DateLike = str | dt.date | int


@dataclass(frozen=True)
class Snapshot:
    """Every installation's current period at one day (installations with no record are absent)."""

    day: int
    inst: np.ndarray  # installation row indices that have a record at `day`
    period: np.ndarray  # matching period row indices


class PeriodTable:
    """All periods as parallel arrays, grouped by installation in chronological order."""

    def __init__(self, records: Sequence[Installation], actor_ids: Sequence[str], grid_max_periods: int = 32):
        self.actor_ids: tuple[str, ...] = tuple(actor_ids)
        code = {a: i for i, a in enumerate(self.actor_ids)}
        n = sum(len(r.history) for r in records)
        self.inst = np.empty(n, np.int64)
        self.start = np.empty(n, np.int64)
        self.end = np.empty(n, np.int64)
        self.explicit_end = np.zeros(n, bool)
        self.operator = np.empty(n, np.int32)
        self.territory = np.empty(n, np.int32)
        self.status = np.empty(n, np.int8)
        self.confidence = np.empty(n, np.int8)
        since: list[str] = []
        until: list[str | None] = []  # where each period ends, as written: its `to`, else the next `from`
        sources: list[tuple[str, ...]] = []
        notes: list[str | None] = []
        self.offsets = np.zeros(len(records) + 1, np.int64)
        row = 0
        for i, rec in enumerate(records):
            hist = rec.history
            for j, p in enumerate(hist):
                self.inst[row] = i
                self.start[row] = p.start.day
                nxt = hist[j + 1].start.day if j + 1 < len(hist) else OPEN_END
                self.end[row] = p.end.day if p.end is not None else nxt
                self.explicit_end[row] = p.end is not None
                self.operator[row] = code.get(p.operator, -1)
                self.territory[row] = code.get(p.territory, -1) if p.territory else -1
                self.status[row] = STATUS_CODE[p.status]
                self.confidence[row] = CONFIDENCE_CODE[p.confidence]
                since.append(p.start.text)
                until.append(p.end.text if p.end is not None else hist[j + 1].start.text if j + 1 < len(hist) else None)
                sources.append(p.sources)
                notes.append(p.note)
                row += 1
            self.offsets[i + 1] = row
        self.since = _objects(since)
        self.until = _objects(until)
        self.sources = _objects(sources)
        self.notes = _objects(notes)
        self.n_installations = len(records)
        self._keys = self.inst * _STRIDE + (self.start + _DAY_OFFSET)
        self._query_base = np.arange(self.n_installations, dtype=np.int64) * _STRIDE + _DAY_OFFSET
        self._grid = self._start_grid(grid_max_periods)

    def _start_grid(self, max_periods: int) -> np.ndarray | None:
        """Start days as a (period position, installation) grid padded with a far-future day.

        Counting `start <= day` row by row is ~3x faster than one searchsorted over all keys,
        for the usual handful of periods per installation; long histories fall back.
        """
        lens = np.diff(self.offsets)
        width = int(lens.max()) if len(lens) else 0
        if width == 0 or width > max_periods:
            return None
        grid = np.full((width, self.n_installations), np.iinfo(np.int32).max, np.int32)
        position = np.arange(len(self.start)) - np.repeat(self.offsets[:-1], lens)
        grid[position, self.inst] = self.start
        return grid

    def __len__(self) -> int:
        return len(self.start)

    # --- queries -----------------------------------------------------------------------
    def state_at(self, date: DateLike) -> Snapshot:
        """Each installation's period at `date`, vectorised over all installations."""
        day = to_day(date)
        if self._grid is not None:
            count = np.zeros(self.n_installations, np.int32)
            for row in self._grid:  # one vectorised pass per period position (a handful)
                count += row <= day
            idx = self.offsets[:-1] + count - 1
            ok = count > 0
        else:
            idx = np.searchsorted(self._keys, self._query_base + day, side="right") - 1
            ok = idx >= 0
            ok &= self.inst[np.where(ok, idx, 0)] == np.arange(self.n_installations)
        ok &= self.end[np.where(ok, idx, 0)] > day
        inst = np.flatnonzero(ok)
        return Snapshot(day, inst, idx[inst])

    def change_days(self) -> np.ndarray:
        """Sorted unique days on which any installation's state may change."""
        ends = self.end[self.explicit_end]
        return np.unique(np.concatenate([self.start, ends]))

    def events_between(self, d1: DateLike, d2: DateLike) -> pd.DataFrame:
        """Changes of operator/status/territory on days in (d1, d2], oldest first.

        Columns: inst, day, before (period row or -1), after (period row or -1).
        """
        a, b = to_day(d1), to_day(d2)
        rows = np.arange(len(self))
        # A period starting in range: `before` is the previous period if it was still running.
        s = rows[(self.start > a) & (self.start <= b)]
        prev = s - 1
        has_prev = (prev >= 0) & (self.inst[np.maximum(prev, 0)] == self.inst[s])
        has_prev &= self.end[np.maximum(prev, 0)] == self.start[s]
        before = np.where(has_prev, prev, -1)
        # A period ending (explicit `to`) in range with nothing starting that day: record ends.
        e = rows[self.explicit_end & (self.end > a) & (self.end <= b)]
        nxt = e + 1
        has_next = (nxt < len(self)) & (self.inst[np.minimum(nxt, len(self) - 1)] == self.inst[e])
        has_next &= self.start[np.minimum(nxt, len(self) - 1)] == self.end[e]
        e = e[~has_next]
        frame = pd.DataFrame({
            "inst": np.concatenate([self.inst[s], self.inst[e]]),
            "day": np.concatenate([self.start[s], self.end[e]]),
            "before": np.concatenate([before, e]),
            "after": np.concatenate([s, np.full(len(e), -1)]),
        })
        frame = frame[self._differs(frame["before"].to_numpy(), frame["after"].to_numpy())]
        return frame.sort_values(["day", "inst"], kind="stable").reset_index(drop=True)

    def compare(self, d1: DateLike, d2: DateLike) -> pd.DataFrame:
        """Installations whose operator/status/territory differ between two dates (net change).

        Columns: inst, before (period row or -1), after (period row or -1).
        """
        s1, s2 = self.state_at(d1), self.state_at(d2)
        before = np.full(self.n_installations, -1, np.int64)
        after = np.full(self.n_installations, -1, np.int64)
        before[s1.inst], after[s2.inst] = s1.period, s2.period
        mask = self._differs(before, after)
        return pd.DataFrame({"inst": np.flatnonzero(mask), "before": before[mask], "after": after[mask]})

    def state_codes(self) -> np.ndarray:
        """One code per period for its (operator, status, territory): equal codes, same state.

        What "changed between two dates" means, as the map looks it up (a differing code).
        """
        codes = getattr(self, "_state_codes", None)
        if codes is None:  # the table never changes once built: computed once
            triples = np.stack([self.operator, self.status.astype(np.int32), self.territory], axis=1)
            codes = (np.unique(triples, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int32)
                     if len(self) else np.zeros(0, np.int32))
            self._state_codes = codes
        return codes

    def codes_at(self, date: DateLike) -> np.ndarray:
        """Each installation's state code at `date` (-1: no record then)."""
        snap = self.state_at(date)
        out = np.full(self.n_installations, -1, np.int32)
        out[snap.inst] = self.state_codes()[snap.period]
        return out

    def _differs(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """True where the (operator, status, territory) triple differs; -1 rows are 'no record'."""
        b, a = np.maximum(before, 0), np.maximum(after, 0)
        same = (self.operator[b] == self.operator[a]) & (self.status[b] == self.status[a]) & (self.territory[b] == self.territory[a])
        both = (before >= 0) & (after >= 0)
        neither = (before < 0) & (after < 0)
        return ~(neither | (both & same))

    # --- decoding ----------------------------------------------------------------------
    def actor(self, code: int) -> str | None:
        return self.actor_ids[code] if code >= 0 else None

    def describe(self, row: int) -> dict:
        """One period row as plain values."""
        if row < 0:
            return {"operator": None, "status": None, "territory": None}
        end = int(self.end[row])
        return {
            "operator": self.actor(int(self.operator[row])),
            "status": STATUSES[self.status[row]],
            "territory": self.actor(int(self.territory[row])),
            "confidence": CONFIDENCES[self.confidence[row]],
            "since": self.since[row],
            "until": self.until[row],  # the end as written (None while ongoing); `end` is its first day
            "start": iso(int(self.start[row])),
            "end": iso(end),
            "sources": list(self.sources[row]),
            "note": self.notes[row],
        }

    def counts_by_operator(self, days: Iterable[int]) -> pd.DataFrame:
        """Number of installations held by each operator on each day (long format)."""
        out = []
        for day in days:
            snap = self.state_at(int(day))
            codes, counts = np.unique(self.operator[snap.period], return_counts=True)
            out += [(int(day), self.actor(int(c)), int(n)) for c, n in zip(codes, counts, strict=True)]
        return pd.DataFrame(out, columns=["day", "operator", "count"])


def _objects(items: list) -> np.ndarray:
    """An object array (items may be tuples, which np.array would unpack)."""
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr
