"""Academic years and terms: parsing the labels people type, and ordering them.

An academic year runs 1 September to 31 August and is written ``2026/27``. A term is
written ``2026/27 Autumn``; on the command line ``2026-27-autumn`` works too, and that
slug names the output folder.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SEASONS = ("Autumn", "Spring", "Summer")
_YEAR = re.compile(r"^\s*(20\d\d)\s*[/\-]\s*(\d\d|20\d\d)\s*$")
_TERM = re.compile(r"^\s*(20\d\d)\s*[/\-]\s*(\d\d|20\d\d)[\s\-_]+([A-Za-z]+)\s*$")


@dataclass(frozen=True, order=True)
class AcademicYear:
    start_year: int

    @classmethod
    def parse(cls, text: str) -> AcademicYear:
        m = _YEAR.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not an academic year; write it like 2026/27")
        start, end = int(m.group(1)), int(m.group(2)[-2:])
        if (start + 1) % 100 != end:
            raise ValueError(f"{text!r} is not an academic year: {start} is followed by {(start + 1) % 100:02d}")
        return cls(start)

    @classmethod
    def of(cls, day: dt.date) -> AcademicYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.start_year, 9, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.start_year + 1, 8, 31)

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def month_date(self, month: int, day: int = 1) -> dt.date:
        """The date in this academic year for a calendar month (Sep..Dec this year, Jan..Aug next)."""
        return dt.date(self.start_year if month >= 9 else self.start_year + 1, month, day)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Term:
    year: AcademicYear
    index: int  # 0 Autumn, 1 Spring, 2 Summer

    @classmethod
    def parse(cls, text: str) -> Term:
        m = _TERM.match(str(text))
        if not m:
            raise ValueError(f"{text!r} is not a term; write it like '2026/27 Autumn'")
        season = m.group(3).capitalize()
        if season not in SEASONS:
            raise ValueError(f"{text!r}: the term must be Autumn, Spring or Summer")
        return cls(AcademicYear.parse(f"{m.group(1)}/{m.group(2)}"), SEASONS.index(season))

    @classmethod
    def of(cls, year: str | AcademicYear, season: str) -> Term:
        y = year if isinstance(year, AcademicYear) else AcademicYear.parse(year)
        return cls(y, SEASONS.index(str(season).capitalize()))

    @property
    def season(self) -> str:
        return SEASONS[self.index]

    @property
    def label(self) -> str:
        return f"{self.year.label} {self.season}"

    @property
    def slug(self) -> str:
        return f"{self.year.start_year}-{(self.year.start_year + 1) % 100:02d}-{self.season.lower()}"

    def previous(self) -> Term:
        return Term(self.year, self.index - 1) if self.index else Term(AcademicYear(self.year.start_year - 1), 2)

    def next(self) -> Term:
        return Term(self.year, self.index + 1) if self.index < 2 else Term(AcademicYear(self.year.start_year + 1), 0)

    def __str__(self) -> str:
        return self.label
