"""Search that finds: installations by any of their names, in any script, and by the place they are at or near.

A query and every name are compared in two forms:
- *native*: case-folded, without accents or Arabic diacritics (``Хмеймим`` finds ``Авиабаза Хмеймим``);
- *latin key*: transliterated to ASCII with `anyascii`, then put through a small phonetic folding
  (`PHONETIC`) so that common spellings of one name meet: Тартус -> tartus, Tartous -> tartus,
  Хмеймим -> hmaimim = Khmeimim, Latakiya = Latakia.
Near misses (a typo, a spelling the folding does not cover) are caught word by word with
`rapidfuzz`; Arabic script, which `anyascii` writes without vowels (طرطوس -> trtws), is also compared
by consonant skeleton (trts = Tartus).

"Near": a query naming a place of the basemap (static/basemap/places.json: Natural Earth's populated
places and GeoNames' towns) finds the installations within `NEAR_KM` of it, nearest first, after
the ones that carry the name themselves — Latakia finds Khmeimim (about 20 km away) once the basemap has Latakia. The
distance is the data's, not a list kept by hand.

Results are ranked: an exact name, then a name starting with the query, then one containing it,
then fuzzy and skeleton matches, then places near a named place.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii
from rapidfuzz import fuzz, process

from .dataset import Dataset

#: Spelling variants folded together, in order, on the lower-case ASCII form. Each pair is a
#: transliteration habit for the same sound: French ou (Tartous), kh/h (Khmeimim, Hmeimim),
#: c/k (except ch), y/i and ey/ei (Хмеймим -> Khmeymim), iya/ia (Латакия -> Latakiya), q/k, ph/f, dh/d, ee/i.
PHONETIC: tuple[tuple[str, str], ...] = (
    ("ou", "u"), ("kh", "h"), ("ph", "f"), ("dh", "d"), ("ee", "i"), ("q", "k"),
    ("y", "i"), ("iia", "ia"), ("ei", "ai"), (" el ", " al "),
)
NEAR_KM = 30.0  # an installation "near" a place: within this distance of it (Khmeimim-Latakia ~ 20 km)
FUZZY_MIN = 84  # rapidfuzz ratio (0-100) for one word to stand for another: Tartous/Tartus ~ 92, Damask/Damascus ~ 86
_WORD = re.compile(r"[^0-9a-z]+")
_HARD_C = re.compile(r"c(?!h)")
_NATIVE_WORD = re.compile(r"[\W_]+")
_VOWELS = re.compile(r"[aeiouwy]")

# Ranks (higher first); a fuzzy match scales between FUZZY and PREFIX by its ratio.
EXACT, PREFIX, CONTAINS, FUZZY, SKELETON, NEAR = 100, 90, 80, 60, 50, 40


def fold(text: str) -> str:
    """Lowercase, without accents or Arabic diacritics, punctuation as single spaces (the native form)."""
    # compatibility forms first (a mathematical 𝚨 is an Α, which then folds to α), and again after
    # case folding, whose output need not be decomposed: folding twice changes nothing
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NATIVE_WORD.split(plain)).strip()


def latin_key(text: str) -> str:
    """The name transliterated to ASCII, lower case, words separated by one space, `PHONETIC` folded."""
    key = " " + " ".join(_WORD.split(anyascii(text).lower())).strip() + " "
    key = _HARD_C.sub("k", key)  # Damascus = Дамаск (damask); ch (Chad, Чад) stays
    for a, b in PHONETIC:
        key = key.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", key).strip()  # doubled letters: Tartuss, Hmeimmim


def skeleton(word: str) -> str:
    """A latin key's consonants (vowels and the semi-vowels w/y dropped), doubled ones once."""
    return re.sub(r"(.)\1+", r"\1", _VOWELS.sub("", word))


@dataclass(frozen=True, slots=True)
class Name:
    """One searchable name in both forms."""

    text: str
    native: str
    latin: str

    @classmethod
    def of(cls, text: str) -> Name:
        return cls(text, fold(text), latin_key(text))


@dataclass(frozen=True, slots=True)
class Place:
    """A populated place of the basemap: its name(s) and position."""

    name: str
    lat: float
    lon: float
    names: tuple[str, ...] = ()  # other names, any script, when the places file has them


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the installation, its rank and why it matched (shown to the reader)."""

    id: str
    score: float
    why: str


def load_places(path: Path) -> list[Place]:
    """The basemap's places (static/basemap/places.json): `name`, `lat`, `lon`, and any `names`
    ({lang: name}) or Natural Earth `name_xx` keys as other names."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # no basemap places: search by names alone
    out = []
    for row in rows:
        if not isinstance(row, dict) or not row.get("name"):
            continue
        others = [*(row.get("names") or {}).values(), *(v for k, v in row.items() if k.startswith("name_") and isinstance(v, str))]
        out.append(Place(str(row["name"]), float(row["lat"]), float(row["lon"]), tuple(map(str, others))))
    return out


def _direct(query: Name, name: Name) -> float:
    """Exact, prefix or substring match of the query in one name, in either form (0: none)."""
    q, n = query, name
    if q.native and q.native == n.native or q.latin and q.latin == n.latin:
        return EXACT
    for qq, nn in ((q.native, n.native), (q.latin, n.latin)):
        if qq and nn.startswith(qq):
            return PREFIX  # the name's first word
    for qq, nn in ((q.native, n.native), (q.latin, n.latin)):
        if qq and f" {qq}" in f" {nn}":
            return PREFIX - 1  # any later word
    for qq, nn in ((q.native, n.native), (q.latin, n.latin)):
        if len(qq) >= 3 and qq in nn:
            return CONTAINS
    return 0.0


class _Names:
    """Names folded once, with their runs of k words for the fuzzy and skeleton passes."""

    def __init__(self, names: list[Name]):
        self.names = names
        self._runs: dict[int, tuple[list[str], list[int], dict[str, set[int]]]] = {}

    def runs(self, k: int) -> tuple[list[str], list[int], dict[str, set[int]]]:
        """(each run of k words, the name it is from, {consonant skeleton: names}) -- built once per k."""
        if k not in self._runs:
            runs, owner, skel = [], [], {}
            for j, n in enumerate(self.names):
                words = n.latin.split()
                for i in range(len(words) - k + 1):
                    run = words[i:i + k]
                    runs.append(" ".join(run))
                    owner.append(j)
                    skel.setdefault("".join(skeleton(w) for w in run), set()).add(j)
            self._runs[k] = runs, owner, skel
        return self._runs[k]

    def scores(self, q: Name) -> dict[int, float]:
        """{name index: score} for every name the query matches."""
        out = {j: sc for j, n in enumerate(self.names) if (sc := _direct(q, n))}
        words = q.latin.split()
        if not words or len(q.latin) < 4:
            return out  # too short to guess at
        runs, owner, skel = self.runs(len(words))
        for _, ratio, k in process.extract(q.latin, runs, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN, limit=None):
            sc = FUZZY + (PREFIX - FUZZY - 2) * (ratio - FUZZY_MIN) / (100 - FUZZY_MIN)
            out[owner[k]] = max(out.get(owner[k], 0.0), sc)
        q_skel = "".join(skeleton(w) for w in words)
        if len(q_skel) >= 3:
            for j in skel.get(q_skel, ()):
                out.setdefault(j, SKELETON)
        return out


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def places_near(places: Iterable[Place], points: Sequence[tuple[float, float]], km: float) -> list[Place]:
    """The places within `km` of at least one of `points`, in their order (points bucketed by
    whole degrees, so each place is measured against the few points around it)."""
    cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for lat, lon in points:
        cells.setdefault((math.floor(lat), math.floor(lon)), []).append((lat, lon))
    out = []
    for p in places:
        reach_lat = int(km // 111) + 1  # a degree of latitude is ~111 km; of longitude, less away from the equator
        reach_lon = min(180, int(km // max(111 * math.cos(math.radians(min(abs(p.lat), 89.0))), 1e-6)) + 1)
        cy, cx = math.floor(p.lat), math.floor(p.lon)
        near = (pt for dy in range(-reach_lat, reach_lat + 1) for dx in range(-reach_lon, reach_lon + 1)
                for pt in cells.get((cy + dy, (cx + dx + 180) % 360 - 180), ()))
        if any(_km(p.lat, p.lon, lat, lon) <= km for lat, lon in near):
            out.append(p)
    return out


class SearchIndex:
    """Every installation's names (name, id, names in other languages, aliases) and the basemap's
    places, folded once per dataset."""

    def __init__(self, ds: Dataset, places: Iterable[Place] = ()):
        self._records = [(r.id, r.lat, r.lon) for r in ds.records]
        names, self._owner = [], []
        for k, r in enumerate(ds.records):
            for text in dict.fromkeys((r.name, r.id.replace("-", " "), *r.names.values(), *r.aliases)):
                names.append(Name.of(text))
                self._owner.append(k)
        self._names = _Names(names)
        # a place no installation is near finds nothing: only the others are folded and searched
        self._places = places_near(places, [(lat, lon) for _, lat, lon in self._records], NEAR_KM)
        place_names, self._place_owner = [], []
        for k, p in enumerate(self._places):
            for text in dict.fromkeys((p.name, *p.names)):
                place_names.append(Name.of(text))
                self._place_owner.append(k)
        self._place_names = _Names(place_names)
        self._answers: dict[str, tuple[Hit, ...]] = {}

    def search(self, query: str) -> list[Hit]:
        """Installations the query finds, best first (ties: in the data's order). The last few
        queries' answers are kept: the page asks again on every rerun (each step of the slider)."""
        if query in self._answers:
            return list(self._answers[query])
        hits = self._search(query)
        if len(self._answers) >= 32:
            self._answers.pop(next(iter(self._answers)))
        self._answers[query] = tuple(hits)
        return hits

    def _search(self, query: str) -> list[Hit]:
        q = Name.of(query)
        if not q.native and not q.latin:
            return []
        best: dict[int, tuple[float, str]] = {}
        for j, sc in self._names.scores(q).items():
            k = self._owner[j]
            if sc > best.get(k, (0.0, ""))[0]:
                best[k] = sc, f"name “{self._names.names[j].text}”"
        named = {self._place_owner[j] for j, sc in self._place_names.scores(q).items() if sc >= FUZZY}
        for p in (self._places[k] for k in sorted(named)):  # only a place the query clearly names
            for k, (_, lat, lon) in enumerate(self._records):
                km = _km(p.lat, p.lon, lat, lon)
                sc = NEAR + (1 - km / NEAR_KM) * 5  # nearer first, all below a match of a name
                if km <= NEAR_KM and sc > best.get(k, (0.0, ""))[0]:
                    best[k] = sc, f"{km:.0f} km from {p.name}"
        order = sorted(best, key=lambda k: (-best[k][0], k))
        return [Hit(self._records[k][0], best[k][0], best[k][1]) for k in order]

    def ids(self, query: str) -> list[str]:
        return [h.id for h in self.search(query)]


def best_match(hits: Sequence[Hit]) -> str | None:
    """The installation Enter opens: the first result, if any."""
    return hits[0].id if hits else None



def nearest_record_day(ds: Dataset, inst_id: str, day: int) -> int | None:
    """None when the installation has a record at `day`; else the nearest day on which it has one:
    the last day of its latest record before `day`, or the first day of its first record."""
    pt = ds.periods
    rows = range(int(pt.offsets[ds.index[inst_id]]), int(pt.offsets[ds.index[inst_id] + 1]))
    if not rows or any(pt.start[r] <= day < pt.end[r] for r in rows):
        return None
    ended = [int(pt.end[r]) - 1 for r in rows if pt.end[r] <= day]
    return max(ended) if ended else int(min(pt.start[r] for r in rows))

__all__ = ["Hit", "Name", "Place", "SearchIndex", "best_match", "fold", "latin_key", "load_places", "nearest_record_day", "places_near",
           "skeleton"]
