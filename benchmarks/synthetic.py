"""Deterministic synthetic Garrison datasets, on disk or in memory, for benchmarks and tests.

``write_dataset(dir, n)`` writes a real, valid data folder (actors.yaml, sources.yaml,
installations/<id>.yaml in the format of tests/fixtures/good) that loads with zero errors and
zero warnings; ``make_records(n)`` builds the very same installations as ``garrison.model``
objects without touching the disk (for sizes where writing files is pointless).

Both are driven by one seeded generator of plain documents, so for the same
(n, periods_per, seed) the folder and the records describe identical histories.

Command line: ``python benchmarks/synthetic.py DIR N [--periods 5] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import itertools
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import garrison  # noqa: F401
except ImportError:  # run as a script from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from garrison.dataset import Dataset
from garrison.dates import parse_partial
from garrison.model import Actor, Installation, Period, RangeRing, Source
from garrison.vocab import CONFIDENCES, KINDS, STATUSES

#: Synthetic histories live in [FIRST_DAY, LAST_DAY]; LAST_DAY is safely in the past.
FIRST_DAY = dt.date(1950, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)
#: Every synthetic record was "checked" today, so none draws the warning for a record older than a year.
CHECKED = dt.date.today().isoformat()
N_SOURCES = 40

# (id, name, short, colour, parent): 12 fictional actors, two of them with a parent.
ACTORS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("red", "Red Federation", "Red", "#cc0000", None),
    ("red-pmc", "Red private military company", "Red PMC", "#880000", "red"),
    ("blue", "Blue Republic", "Blue", "#0000cc", None),
    ("blue-navy", "Blue Republic Navy", "Blue Navy", "#000088", "blue"),
    ("green", "Green Opposition", "Green", "#00aa00", None),
    ("yellow", "Yellow Kingdom", "Yellow", "#cccc00", None),
    ("orange", "Orange Union", "Orange", "#ff8800", None),
    ("purple", "Purple Coalition", "Purple", "#8800aa", None),
    ("grey", "Grey Militia", "Grey", "#777777", None),
    ("teal", "Teal Alliance", "Teal", "#008888", None),
    ("brown", "Brown Front", "Brown", "#885522", None),
    ("white", "White Mission", "White", "#eeeeee", None),
)
ACTOR_IDS: tuple[str, ...] = tuple(a[0] for a in ACTORS)
COUNTRIES = ("SY", "LY", "ML", "SD", "CF", "IQ", "YE", "AM", "GE", "MD", "BY", "KZ")
PUBLISHERS = ("Example Wire", "Sample Times", "Placeholder Post", "Fixture Gazette")
#: PartialDate is immutable, so equal texts can share one parsed object (a big saving at 100k).
_parse = functools.lru_cache(maxsize=None)(parse_partial)


# --- the generator (plain documents, exactly what a YAML file would hold) -------------------
def source_ids(n_installations: int, periods_per: int = 5) -> list[str]:
    """Source ids; never more than the periods that cite them (so every source is cited)."""
    n = max(1, min(N_SOURCES, n_installations * max(1, periods_per - 2)))
    return [f"src-{k:03d}" for k in range(n)]


def _date_text(day: dt.date, precision: str) -> str:
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _rounded(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 1, 1)
    if precision == "month":
        return dt.date(day.year, day.month, 1)
    return day


_PRECISIONS = ("year", "month", "day")


def _partial(rng: random.Random, day: dt.date, after: dt.date | None, before: dt.date | None = None) -> tuple[str, dt.date]:
    """(text, first day) of `day` at a random precision, coarsened only while it stays in (after, before)."""
    x = rng.random()
    for precision in _PRECISIONS[0 if x < 0.2 else 1 if x < 0.5 else 2:]:
        r = _rounded(day, precision)
        if (after is None or r > after) and (before is None or r < before):
            return _date_text(r, precision), r
    raise AssertionError("unreachable: day precision always fits")


def _history(rng: random.Random, n_periods: int, cite: Iterator[str], sources: list[str]) -> list[dict[str, Any]]:
    first = FIRST_DAY.toordinal() + rng.randrange(0, 40 * 365)  # first record between 1950 and ~1990
    last = LAST_DAY.toordinal()
    starts = sorted(rng.sample(range(first, last + 1), n_periods))
    history: list[dict[str, Any]] = []
    dated: list[tuple[str, dt.date]] = []
    prev: dt.date | None = None
    for s in starts:
        dated.append(_partial(rng, dt.date.fromordinal(s), prev))
        prev = dated[-1][1]
    for j, (text, start) in enumerate(dated):
        operator = rng.choice(ACTOR_IDS)
        period: dict[str, Any] = {"from": text}
        nxt = dated[j + 1][1] if j + 1 < len(dated) else LAST_DAY + dt.timedelta(days=1)
        # a `to` gap now and then: strictly inside (start, next start), so no overlap and no warning
        if (nxt - start).days >= 3 and rng.random() < 0.15:
            end = start + dt.timedelta(days=rng.randrange(1, (nxt - start).days))
            period["to"] = _partial(rng, end, start, nxt)[0]
        period["operator"] = operator
        period["status"] = rng.choice(STATUSES)
        if rng.random() < 0.4:
            period["territory"] = rng.choice([a for a in ACTOR_IDS if a != operator])
        period["confidence"] = rng.choice(CONFIDENCES)
        cited = [next(cite)]
        if rng.random() < 0.3:
            extra = rng.choice(sources)
            if extra not in cited:
                cited.append(extra)
        period["sources"] = cited
        if rng.random() < 0.1:
            period["note"] = f"Synthetic note {j}: sources disagree on the date."
        history.append(period)
    return history


def generate(n_installations: int, periods_per: int = 5, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Installation documents (plain dicts in file key order), deterministic for a seed.

    Each installation has between periods_per - 2 and periods_per + 2 periods (at least 1), so
    the mean is periods_per.
    """
    rng = random.Random(seed)
    sources = source_ids(n_installations, periods_per)
    cycle = itertools.cycle(sources)  # round robin: every source gets cited
    lo, hi = max(1, periods_per - 2), periods_per + 2
    for i in range(n_installations):
        kind = rng.choice(KINDS)
        lat = round(rng.uniform(-60, 70), 4)
        lon = round(rng.uniform(-170, 170), 4)
        doc: dict[str, Any] = {"id": f"syn-{i:06d}", "name": f"Synthetic {kind.replace('_', ' ')} {i}"}
        if rng.random() < 0.2:
            doc["names"] = {"ru": f"Синтетическая база {i}"}
        doc |= {"kind": kind, "country": rng.choice(COUNTRIES), "lat": lat, "lon": lon}
        # position and checked come from i, not rng: the rest of the data stays what each seed always gave
        doc |= {"position": "approximate", "position_km": 5} if i % 10 == 9 else {"position": "exact"}
        doc["checked"] = CHECKED
        if rng.random() < 0.1:
            d = 0.01
            doc["footprint"] = {"type": "Polygon", "coordinates": [[
                [round(lon - d, 4), round(lat - d, 4)], [round(lon + d, 4), round(lat - d, 4)],
                [round(lon + d, 4), round(lat + d, 4)], [round(lon - d, 4), round(lat + d, 4)],
                [round(lon - d, 4), round(lat - d, 4)],
            ]]}
        history = _history(rng, rng.randint(lo, hi), cycle, sources)
        if rng.random() < 0.1:
            start = _parse(history[0]["from"]).start
            ring: dict[str, Any] = {"name": "Synthetic SAM", "km": rng.choice((40, 120, 250, 400)),
                                    "from": _date_text(start, "day")}
            if rng.random() < 0.5:
                ring["to"] = _date_text(LAST_DAY, "month")
            ring["sources"] = [rng.choice(sources)]
            doc["ranges"] = [ring]
        doc["history"] = history
        yield doc


# --- in memory ------------------------------------------------------------------------------
def actors() -> dict[str, Actor]:
    return {a: Actor(a, name, short, colour, parent) for a, name, short, colour, parent in ACTORS}


def sources(n_installations: int, periods_per: int = 5) -> dict[str, Source]:
    out = {}
    for k, sid in enumerate(source_ids(n_installations, periods_per)):
        out[sid] = Source(sid, f"Synthetic report {k}", PUBLISHERS[k % len(PUBLISHERS)],
                          f"https://example.org/synthetic/{k}", f"{2000 + k % 25:04d}-{1 + k % 12:02d}-01", "en")
    return out


def to_installation(doc: dict[str, Any], file: str = "") -> Installation:
    """The Installation garrison's loader would build from this document (line numbers aside)."""
    history = [
        Period(_parse(p["from"]), _parse(p["to"]) if "to" in p else None, p["operator"], p["status"],
               p.get("territory"), p["confidence"], tuple(p["sources"]), p.get("note"))
        for p in doc["history"]
    ]
    ranges = [RangeRing(r["name"], float(r["km"]), _parse(r["from"]),
                        _parse(r["to"]) if "to" in r else None, tuple(r["sources"]), r.get("note"))
              for r in doc.get("ranges") or []]
    return Installation(doc["id"], doc["name"], doc["kind"], doc["country"], float(doc["lat"]), float(doc["lon"]),
                        history, names=dict(doc.get("names") or {}), footprint=doc.get("footprint"),
                        ranges=ranges, checked=_parse(doc["checked"]), position=doc["position"],
                        position_km=float(doc["position_km"]) if "position_km" in doc else None, file=file)


def make_records(n: int, periods_per: int = 5, seed: int = 0) -> tuple[list[Installation], list[str]]:
    """(installations, actor ids) identical to what write_dataset(dir, n, periods_per, seed) loads."""
    return [to_installation(d) for d in generate(n, periods_per, seed)], list(ACTOR_IDS)


def make_dataset(n: int, periods_per: int = 5, seed: int = 0) -> Dataset:
    """A garrison Dataset built straight from in-memory records (no files, no validation)."""
    records, _ = make_records(n, periods_per, seed)
    return Dataset(records, actors(), sources(n, periods_per))


# --- on disk --------------------------------------------------------------------------------
def _q(text: str) -> str:
    """A single-quoted YAML scalar."""
    return "'" + text.replace("'", "''") + "'"


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def installation_yaml(doc: dict[str, Any]) -> str:
    """One installation file, laid out like tests/fixtures/good/installations/*.yaml."""
    out = ["# Synthetic installation (benchmarks/synthetic.py); fictional.",
           f"id: {doc['id']}", f"name: {_q(doc['name'])}"]
    if "names" in doc:
        out.append("names:")
        out += [f"  {lang}: {_q(name)}" for lang, name in doc["names"].items()]
    out += [f"kind: {doc['kind']}", f"country: {doc['country']}", f"lat: {doc['lat']!r}", f"lon: {doc['lon']!r}"]
    out.append(f"position: {doc['position']}")
    if "position_km" in doc:
        out.append(f"position_km: {doc['position_km']}")
    out.append(f"checked: {_q(doc['checked'])}")
    if "footprint" in doc:
        fp = doc["footprint"]
        out += ["footprint:", f"  type: {fp['type']}", "  coordinates:"]
        for ring in fp["coordinates"]:
            out.append("    - " + _flow([_flow([repr(x), repr(y)]) for x, y in ring]))
    if "ranges" in doc:
        out.append("ranges:")
        for r in doc["ranges"]:
            out += [f"  - name: {_q(r['name'])}", f"    km: {r['km']}", f"    from: {_q(r['from'])}"]
            if "to" in r:
                out.append(f"    to: {_q(r['to'])}")
            out.append(f"    sources: {_flow(r['sources'])}")
    out.append("history:")
    for p in doc["history"]:
        out.append(f"  - from: {_q(p['from'])}")
        if "to" in p:
            out.append(f"    to: {_q(p['to'])}")
        out += [f"    operator: {p['operator']}", f"    status: {p['status']}"]
        if "territory" in p:
            out.append(f"    territory: {p['territory']}")
        out += [f"    confidence: {p['confidence']}", f"    sources: {_flow(p['sources'])}"]
        if "note" in p:
            out.append(f"    note: {_q(p['note'])}")
    return "\n".join(out) + "\n"


def actors_yaml() -> str:
    out = ["# Synthetic actors (benchmarks/synthetic.py); fictional."]
    for a in actors().values():
        out += [f"- id: {a.id}", f"  name: {_q(a.name)}", f"  short: {_q(a.short)}", f"  colour: {_q(a.colour)}"]
        if a.parent:
            out.append(f"  parent: {a.parent}")
    return "\n".join(out) + "\n"


def sources_yaml(n_installations: int, periods_per: int = 5) -> str:
    out = ["# Synthetic sources (benchmarks/synthetic.py); example.org is reserved for examples."]
    for s in sources(n_installations, periods_per).values():
        out += [f"- id: {s.id}", f"  title: {_q(s.title)}", f"  publisher: {_q(s.publisher)}",
                f"  date: {_q(s.date)}", f"  url: {s.url}", f"  language: {s.language}"]
    return "\n".join(out) + "\n"


def write_dataset(directory: str | os.PathLike, n_installations: int, periods_per: int = 5, seed: int = 0) -> Path:
    """Write a valid data folder with n_installations files; returns its path.

    An existing installations/ folder is not emptied: write into a fresh directory.
    """
    root = Path(directory)
    inst_dir = root / "installations"
    inst_dir.mkdir(parents=True, exist_ok=True)
    (root / "actors.yaml").write_text(actors_yaml(), encoding="utf-8")
    (root / "sources.yaml").write_text(sources_yaml(n_installations, periods_per), encoding="utf-8")
    for doc in generate(n_installations, periods_per, seed):
        (inst_dir / f"{doc['id']}.yaml").write_text(installation_yaml(doc), encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a synthetic Garrison data folder.")
    ap.add_argument("dir", help="folder to create (installations/, actors.yaml, sources.yaml)")
    ap.add_argument("n", type=int, help="number of installations")
    ap.add_argument("--periods", type=int, default=5, help="mean periods per installation (default 5)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    root = write_dataset(args.dir, args.n, args.periods, args.seed)
    print(f"wrote {args.n} installations to {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
