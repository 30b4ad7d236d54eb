"""Partial ISO 8601 dates ('2017', '2017-01', '2017-01-18') that keep their precision.

Queries use day numbers (days since 1970-01-01); a partial date starts on its first day.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = EPOCH.toordinal()
#: Day number standing for "no end" (an ongoing period); far beyond any real date.
OPEN_END = 10**7


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date written with year, month or day precision."""

    text: str
    start: dt.date
    precision: str  # "year" | "month" | "day"

    @property
    def day(self) -> int:
        """Day number of the first day the date covers."""
        return self.start.toordinal() - _EPOCH_ORDINAL

    @property
    def label(self) -> str:
        return self.text


def parse_partial(text: str) -> PartialDate:
    """Parse 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"expected a quoted date string like '2017-01-18', got {type(text).__name__}")
    m = _PATTERN.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date: write 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        start = dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is an impossible date ({exc})") from None
    precision = "day" if m[3] else "month" if m[2] else "year"
    return PartialDate(text, start, precision)


def to_day(value: str | dt.date | int) -> int:
    """Day number of a date, an ISO string (partial allowed) or an existing day number."""
    if isinstance(value, numbers.Integral):  # int or a numpy integer
        return int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    return parse_partial(value).day


def from_day(day: int) -> dt.date:
    return dt.date.fromordinal(int(day) + _EPOCH_ORDINAL)


def iso(day: int) -> str:
    """ISO date string of a day number ('' for an open end)."""
    return "" if day >= OPEN_END else from_day(day).isoformat()
