"""The loaded dataset: installations, periods, actors, sources and problems, with time queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd

from .dates import from_day, iso, to_day
from .model import Actor, Installation, Publisher, Route, Source
from .problems import Problem
from .timeline import DateLike, PeriodTable
from .vocab import CONFIDENCES, STATUSES

STATE_COLUMNS = [
    "id", "name", "kind", "country", "lat", "lon", "operator", "operator_name", "status",
    "territory", "territory_name", "confidence", "since", "sources",
]


@dataclass
class Dataset:
    """Everything loaded from one data folder. Immutable once built; reload makes a new one."""

    records: list[Installation]
    actors: dict[str, Actor]
    sources: dict[str, Source]
    problems: list[Problem] = field(default_factory=list)
    data_dir: str = ""
    version: str = ""  # changes whenever any data file's content changes
    routes: list[Route] = field(default_factory=list)
    publishers: dict[str, Publisher] = field(default_factory=dict)  # publishers.yaml (empty when absent)

    @cached_property
    def periods(self) -> PeriodTable:
        return PeriodTable(self.records, list(self.actors))

    @cached_property
    def installations(self) -> gpd.GeoDataFrame:
        """One row per installation (EPSG:4326), in the same order as the period table."""
        r = self.records
        lon = np.fromiter((x.lon for x in r), float, len(r))
        lat = np.fromiter((x.lat for x in r), float, len(r))
        frame = pd.DataFrame({
            "id": [x.id for x in r], "name": [x.name for x in r],
            "names": [x.names for x in r], "kind": [x.kind for x in r],
            "country": [x.country for x in r], "lat": lat, "lon": lon,
            "file": [x.file for x in r], "stale": np.fromiter((x.stale for x in r), bool, len(r)),
            "aliases": [list(x.aliases) for x in r],
            "checked": [x.checked.text if x.checked else None for x in r],
            "position": [x.position for x in r],
            "position_km": np.fromiter((np.nan if x.position_km is None else x.position_km for x in r), float, len(r)),
        })
        return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")

    @cached_property
    def index(self) -> dict[str, int]:
        return {rec.id: i for i, rec in enumerate(self.records)}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def actor_name(self, actor_id: str | None, lang: str | None = None) -> str | None:
        """An actor's name, in `lang` where actors.yaml gives one (else the English name)."""
        if actor_id not in self.actors:
            return actor_id
        actor = self.actors[actor_id]
        return actor.names.get(lang) or actor.name if lang else actor.name

    def name_of(self, inst_id: str, lang: str | None = None) -> str:
        """An installation's name, in `lang` where its `names` give one (else the English name)."""
        rec = self.records[self.index[inst_id]]
        return rec.names.get(lang) or rec.name if lang else rec.name

    # --- time queries --------------------------------------------------------------------
    @cached_property
    def _decode(self) -> dict[str, np.ndarray]:
        """Object arrays to turn codes and row numbers into values; index -1 reads None."""
        pt, r = self.periods, self.records
        return {
            "id": np.array([x.id for x in r], dtype=object), "name": np.array([x.name for x in r], dtype=object),
            "kind": np.array([x.kind for x in r], dtype=object), "country": np.array([x.country for x in r], dtype=object),
            "lat": np.fromiter((x.lat for x in r), float, len(r)), "lon": np.fromiter((x.lon for x in r), float, len(r)),
            "actor": np.array([*pt.actor_ids, None], dtype=object),
            "actor_name": np.array([*(a.name for a in self.actors.values()), None], dtype=object),
            "status": np.array([*STATUSES, None], dtype=object),
            "confidence": np.array(CONFIDENCES, dtype=object),
        }

    # --- time queries --------------------------------------------------------------------
    def state_at(self, date: DateLike) -> pd.DataFrame:
        """Each installation with a record at `date` and its current period (vectorised)."""
        snap = self.periods.state_at(date)
        pt, inst, rows, d = self.periods, snap.inst, snap.period, self._decode
        op, terr = pt.operator[rows], pt.territory[rows]
        cols = {
            "id": d["id"][inst], "name": d["name"][inst], "kind": d["kind"][inst], "country": d["country"][inst],
            "lat": d["lat"][inst], "lon": d["lon"][inst],
            "operator": d["actor"][op], "operator_name": d["actor_name"][op], "status": d["status"][pt.status[rows]],
            "territory": d["actor"][terr], "territory_name": d["actor_name"][terr],
            "confidence": d["confidence"][pt.confidence[rows]], "since": pt.since[rows], "sources": pt.sources[rows],
        }
        # object dtype keeps None as None (pandas would turn it into NaN in a string column)
        return pd.DataFrame({k: pd.Series(v, dtype=v.dtype, copy=False) for k, v in cols.items()}, columns=STATE_COLUMNS, copy=False)

    def change_dates(self) -> list[dt.date]:
        """Sorted days on which anything changes (for snapping and previous/next)."""
        return [from_day(d) for d in self.periods.change_days()]

    def changes_between(self, d1: DateLike, d2: DateLike) -> list[dict]:
        """Every change on a day in (d1, d2], oldest first, as plain dicts."""
        ev = self.periods.events_between(d1, d2)
        days = [iso(int(x)) for x in ev["day"]]
        return self._changes(ev["inst"].to_numpy(), ev["before"].to_numpy(), ev["after"].to_numpy(), days)

    def compare(self, d1: DateLike, d2: DateLike) -> list[dict]:
        """Installations whose operator/status/territory differ between two dates."""
        diff = self.periods.compare(d1, d2)
        return self._changes(diff["inst"].to_numpy(), diff["before"].to_numpy(), diff["after"].to_numpy(), None)

    def _triples(self, rows: np.ndarray) -> list[dict]:
        """(operator, status, territory) of period rows, decoded at once; row -1 is 'no record'."""
        pt, d = self.periods, self._decode
        safe, none = np.maximum(rows, 0), rows < 0
        op = np.where(none, -1, pt.operator[safe])
        terr = np.where(none, -1, pt.territory[safe])
        status = np.where(none, -1, pt.status[safe])
        return [{"operator": o, "status": s, "territory": t}
                for o, s, t in zip(d["actor"][op].tolist(), d["status"][status].tolist(), d["actor"][terr].tolist(), strict=True)]

    def _changes(self, inst: np.ndarray, before: np.ndarray, after: np.ndarray, days: list[str] | None) -> list[dict]:
        pt, d = self.periods, self._decode
        src_rows = np.where(after >= 0, after, before)
        sources = [list(x) for x in pt.sources[np.maximum(src_rows, 0)].tolist()] if len(src_rows) else []
        out = []
        for k, (i, b, a) in enumerate(zip(inst.tolist(), self._triples(before), self._triples(after), strict=True)):
            row = {"id": d["id"][i], "name": d["name"][i]}
            if days is not None:
                row["date"] = days[k]
            row |= {"before": b, "after": a, "sources": sources[k]}
            out.append(row)
        return out

    def history(self, inst_id: str) -> list[dict]:
        """An installation's periods, oldest first, with labels and resolved ends."""
        i = self.index[inst_id]
        pt = self.periods
        return [pt.describe(row) for row in range(pt.offsets[i], pt.offsets[i + 1])]

    def ranges_at(self, date: DateLike) -> list[tuple[Installation, object]]:
        """(installation, range ring) pairs deployed at `date`."""
        day = to_day(date)
        return [(rec, rng) for rec in self.records for rng in rec.ranges
                if rng.start.day <= day and (rng.end is None or day < rng.end.day)]

    def span(self) -> tuple[dt.date, dt.date]:
        """First recorded day and the last change day (or today, whichever is later)."""
        if not len(self.periods):
            today = dt.date.today()
            return today, today
        days = self.periods.change_days()
        return from_day(int(days[0])), max(from_day(int(days[-1])), dt.date.today())
