"""Typed records built from validated data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dates import PartialDate


@dataclass(frozen=True, slots=True)
class Claim:
    """What one side says about a period, where sources disagree with the period's own values.

    Names at least one of operator, status and territory, each differing from the period's.
    """

    sources: tuple[str, ...]
    operator: str | None = None
    status: str | None = None
    territory: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """One dated period of an installation's history (half-open: [start, next start))."""

    start: PartialDate
    end: PartialDate | None  # explicit `to` only; otherwise the next period's start ends it
    operator: str
    status: str
    territory: str | None
    confidence: str
    sources: tuple[str, ...]
    note: str | None = None
    line: int = 0
    claims: tuple[Claim, ...] = ()  # conflicting claims (the period is then `disputed`)

    @property
    def disputed(self) -> bool:
        """Whether sources make conflicting claims about this period."""
        return bool(self.claims)


@dataclass(frozen=True, slots=True)
class RangeRing:
    """A named radius (e.g. an air-defence system) drawn only while deployed."""

    name: str
    km: float
    start: PartialDate
    end: PartialDate | None
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(slots=True)
class Installation:
    id: str
    name: str
    kind: str
    country: str
    lat: float
    lon: float
    history: list[Period]
    names: dict[str, str] = field(default_factory=dict)
    footprint: dict[str, Any] | None = None
    ranges: list[RangeRing] = field(default_factory=list)
    aliases: tuple[str, ...] = ()  # other common spellings, any script (searched)
    checked: PartialDate | None = None  # the day the record was last verified against its sources
    position: str | None = None  # "exact" (within about 1 km) or "approximate" (see position_km)
    position_km: float | None = None  # radius of uncertainty, with position "approximate"
    file: str = ""
    line: int = 1
    stale: bool = False  # the file on disk is invalid; this is its last good version


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    short: str
    colour: str
    parent: str | None = None
    flag: str | None = None
    names: dict[str, str] = field(default_factory=dict, hash=False)  # language code -> name (sourced, like installations')


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    date: str | None = None
    language: str | None = None
    archive: str | None = None
    note: str | None = None
    via: str | None = None  # the mirror, aggregator or archive copy actually read
    revision: int | None = None  # Wikipedia only: the article's oldid


@dataclass(frozen=True, slots=True)
class Publisher:
    """A publisher that sources name, and the hosts of its own site (subdomains count)."""

    name: str
    hosts: tuple[str, ...]
    note: str | None = None

    def owns(self, host: str) -> bool:
        """Whether `host` is one of the publisher's hosts or a subdomain of one."""
        host = host.lower().rstrip(".")
        return any(host == h or host.endswith("." + h) for h in self.hosts)


@dataclass(frozen=True, slots=True)
class RoutePeriod:
    start: PartialDate
    end: PartialDate | None
    status: str
    confidence: str
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """A supply route through installations, with its own dated periods."""

    id: str
    name: str
    operator: str
    nodes: tuple[str, ...]
    history: tuple[RoutePeriod, ...]
