"""Period labels as published (ISO intervals, financial years, 3-year spans) parsed to years."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True, slots=True)
class Period:
    """A reference period: first and last calendar year plus a readable label.

    The period's `year` (its key on the time slider) is the year it ends in, so a financial
    year 2020/21 is 2021 and the three years 2011-2013 are 2013.
    """

    start: int
    end: int
    label: str

    @property
    def year(self) -> int:
        """The year the period ends in."""
        return self.end


def _span(start: int, end: int) -> Period:
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    if end == start:
        return Period(start, end, str(start))
    if end == start + 1:
        return Period(start, end, f"{start}/{str(end)[2:]}")
    return Period(start, end, f"{start}\u2013{end}")


_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+Z?)?/P(\d+)([YM])$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4})\s*(?:-|/|to|\u2013)\s*(\d{2}|\d{4})$")
_PACKED = re.compile(r"^(\d{4})(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$")


def _full_year(start: int, tail: str) -> int:
    """Expand the end of a span; a two-digit end must fall 1 to 10 years after the start."""
    if len(tail) == 4:
        return int(tail)
    end = (start // 100) * 100 + int(tail)
    end = end + 100 if end < start else end
    if not start < end <= start + 10:
        raise ValueError(f"{start}-{tail} is not a span of 1 to 10 years")
    return end


def _interval(year: int, month: int, length: int, unit: str, text: str) -> Period:
    """An ISO interval from the first day of a month: years end in the year of their last
    month (2011-04-01/P1Y is 2011/12), quarters and months are named as such."""
    if length < 1 or not 1 <= month <= 12:
        raise ValueError(f"empty or malformed ISO period {text!r}")
    months = 12 * length if unit == "Y" else length
    last = year * 12 + (month - 1) + months - 1
    end = last // 12
    if unit == "M" and length == 3 and month in (1, 4, 7, 10):
        return Period(year, end, f"{year} Q{(month + 2) // 3}")
    if unit == "M":
        return Period(year, end, f"{_MONTHS[month - 1]} {year}" if length == 1 else text)
    return _span(year, end)


def parse_period(text: str) -> Period:
    """Parse a published period label; raise ValueError when it is not recognised.

    Accepts '2019', '2008-04' (a month: April 2008), '2011-2012' and '2020/21' (financial
    years), '2004-01-01T00:00:00/P1Y' and '/P3Y' (ISO 8601 intervals), '202021' and '201820'
    (packed spans used by the Subnational Indicators Explorer), '2019 Q2', ISO dates
    ('2025-04-01': April 2025) and quarters ('2023-07-01/P3M': Q3 2023).
    """
    value = text.strip()
    if match := _YEAR.match(value):
        return _span(int(match[1]), int(match[1]))
    if match := _ISO.match(value):
        return _interval(int(match[1]), int(match[2]), int(match[4]), match[5], text)
    if match := _MONTH.match(value) or _DATE.match(value):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            return Period(year, year, f"{_MONTHS[month - 1]} {year}")
    if match := _QUARTER.match(value):
        return Period(int(match[1]), int(match[1]), f"{match[1]} Q{match[2]}")
    for pattern in (_RANGE, _PACKED):
        if match := pattern.match(value):
            start = int(match[1])
            return _span(start, _full_year(start, match[2]))
    raise ValueError(f"unrecognised period {text!r}")
