"""What changed between two states of an installation, in words: the compare table's rows and the
event feed's items share them.

A change is told per aspect -- operator, status, territory -- as "before → after" with the actors'
short names (data/actors.yaml; the CSV has their full names), never ids; an aspect that did not change shows its one value. Its kinds ("changed
operator", "appeared", ...) are what the compare heading counts. Dates keep their precision: the
text the data wrote ("2015-09", "2024-12-08"), for a period's end too.

Filters: the map's own masks (garrison.render.mapstate.filter_masks) decide. A change is kept
when its installation passes and the period before or after it does -- a base that went from Russia
to the transitional government is in the table under the filter "operator: Russia".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .dataset import Dataset
from .dates import to_day
from .export import to_csv
from .timeline import DateLike
from .vocab import STATUSES

ASPECTS = ("operator", "status", "territory")
APPEARED, ENDED = "appeared", "record ended"
ARROW = " → "


@dataclass(frozen=True, slots=True)
class Change:
    """One installation's change between two period rows (-1: no record)."""

    inst_id: str
    name: str
    before: int
    after: int
    kinds: tuple[str, ...]  # APPEARED, ENDED or "changed <aspect>" for each aspect that changed
    aspects: dict[str, str]  # aspect -> "before → after", or its value where it did not change
    states: dict[str, tuple[str | None, str | None]]  # aspect -> (before, after) in words; None: no value
    date: str  # when the change took effect, at the data's precision
    day: int  # that date's first day
    sources: tuple[str, ...]  # the sources of the state after (or of the one that ended)


def _value(ds: Dataset, aspect: str, row: int, short: bool = True) -> str | None:
    """A period row's operator/territory as the actor's (short) name, or its status in words."""
    pt = ds.periods
    if row < 0:
        return None
    if aspect == "status":
        return STATUSES[pt.status[row]].replace("_", " ")
    actor = pt.actor(int((pt.operator if aspect == "operator" else pt.territory)[row]))
    if actor is None:
        return None
    return (ds.actors[actor].short if short else ds.actors[actor].name) if actor in ds.actors else actor


def _end_text(ds: Dataset, row: int) -> tuple[str, int]:
    """A period's end as the data wrote it (an explicit `to`, else the next period's `from`)."""
    pt = ds.periods
    i = int(pt.inst[row])
    period = ds.records[i].history[row - int(pt.offsets[i])]
    if period.end is not None:
        return period.end.text, period.end.day
    return pt.since[row + 1], int(pt.start[row + 1])


def change_of(ds: Dataset, inst: int, before: int, after: int) -> Change:
    """The change from period row `before` to row `after` of installation `inst`, in words."""
    aspects, kinds, states = {}, [], {}
    for aspect in ASPECTS:
        b, a = _value(ds, aspect, before), _value(ds, aspect, after)
        states[aspect] = b, a
        if b != a and before >= 0 and after >= 0:
            kinds.append(f"changed {aspect}")
        # appeared: "— → Russia"; ended: "Russia → —"; unchanged: its one value
        aspects[aspect] = (a or "") if b == a and before >= 0 and after >= 0 else f"{b or '—'}{ARROW}{a or '—'}"
    if before < 0:
        kinds.insert(0, APPEARED)
    if after < 0:
        kinds.insert(0, ENDED)
    pt = ds.periods
    if after >= 0:
        date, day = pt.since[after], int(pt.start[after])
    else:
        date, day = _end_text(ds, before)
    rec = ds.records[inst]
    return Change(rec.id, rec.name, before, after, tuple(kinds), aspects, states, date, day,
                  tuple(pt.sources[after if after >= 0 else before]))


def kept(inst_mask: np.ndarray | None, period_mask: np.ndarray | None, inst: int, before: int, after: int) -> bool:
    """Whether the filters keep a change (the map's masks; see the module's docstring)."""
    if inst_mask is not None and not inst_mask[inst]:
        return False
    if period_mask is None:
        return True
    return bool((before >= 0 and period_mask[before]) or (after >= 0 and period_mask[after]))


def compare_changes(ds: Dataset, d1: DateLike, d2: DateLike, inst_mask: np.ndarray | None = None,
                    period_mask: np.ndarray | None = None) -> list[Change]:
    """The installations whose operator, status or territory differ between the two dates (the
    earlier one is "before"), that the filters keep, in the data's order."""
    a, b = sorted([d1, d2], key=to_day)
    diff = ds.periods.compare(a, b)
    return [change_of(ds, i, bf, af) for i, bf, af in zip(diff["inst"].tolist(), diff["before"].tolist(),
                                                         diff["after"].tolist(), strict=True)
            if kept(inst_mask, period_mask, i, bf, af)]


def count_kinds(changes: list[Change]) -> list[tuple[str, int]]:
    """How many installations changed in each way, most first (an installation may count twice)."""
    order = [APPEARED, ENDED, *(f"changed {a}" for a in ASPECTS)]
    counts = Counter(k for c in changes for k in c.kinds)
    return sorted(((k, n) for k, n in counts.items()), key=lambda kn: (-kn[1], order.index(kn[0])))


def heading_counts(changes: list[Change]) -> str:
    """"3 changed operator, 2 changed status, 1 appeared" -- or "nothing changed"."""
    return ", ".join(f"{n} {k}" for k, n in count_kinds(changes)) or "nothing changed"


TABLE_COLUMNS = ("Installation", "What changed", "Operator", "Status", "Territory", "Since")


def table_rows(changes: list[Change]) -> list[dict]:
    """The compare table: one row per installation, one column per aspect."""
    return [{"Installation": c.name, "What changed": ", ".join(c.kinds), "Operator": c.aspects["operator"],
             "Status": c.aspects["status"], "Territory": c.aspects["territory"], "Since": c.date} for c in changes]


CSV_COLUMNS = ["id", "installation", "what_changed", *(f"{a}_{w}" for a in ASPECTS for w in ("before", "after")),
               "since", "sources"]


def compare_csv(ds: Dataset, changes: list[Change]) -> str:
    """The table as CSV for a spreadsheet: before and after in their own columns, text defused
    against formulas (garrison.export.to_csv)."""
    rows = []
    for c in changes:
        row = {"id": c.inst_id, "installation": c.name, "what_changed": "; ".join(c.kinds), "since": c.date,
               "sources": list(c.sources)}
        for aspect in ASPECTS:
            row[f"{aspect}_before"] = _value(ds, aspect, c.before, short=False)
            row[f"{aspect}_after"] = _value(ds, aspect, c.after, short=False)
        rows.append(row)
    return to_csv(rows, CSV_COLUMNS)


__all__ = ["ASPECTS", "CSV_COLUMNS", "Change", "TABLE_COLUMNS", "change_of", "compare_changes", "compare_csv",
           "count_kinds", "heading_counts", "kept", "table_rows"]
