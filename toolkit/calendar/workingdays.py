"""Working days in England, and the school year they sit in.

Every deadline in the strategy is counted in working days ("within 3 working days of the
conclusion of the visit", "at least 5 working days in advance"). DOMAIN.md, Calendar rules:
a working day is a weekday that is not a bank holiday in England, substitute days
included; the policy's ``[calendar]`` section may also take out school holidays and
closure days. Bank holidays come from the ``holidays`` package (never typed in by hand);
term dates and closures come from the tracker.

The arithmetic is numpy's business-day calendar, so a whole column of visits is shifted
in one call (see ``benchmarks/bench_calendar.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import holidays
import numpy as np
import pandas as pd

from toolkit.calendar.terms import AcademicYear
from toolkit.policy import Policy
from toolkit.tracker.problems import InvalidInput, ProblemReport
from toolkit.tracker.schema import HALF_TERMS, sheet

TERM_DATES_SHEET = sheet("term_dates").title
DateLike = dt.date | pd.Timestamp | np.datetime64 | str


# --------------------------------------------------------------------------- sources


@lru_cache(maxsize=64)
def bank_holidays(years: tuple[int, ...], subdivision: str = "ENG") -> tuple[dt.date, ...]:
    """England's bank holidays for calendar ``years``, substitute ("observed") days included.

    Source: DOMAIN.md Calendar rules ("bank holidays in England (substitute days
    included)"), via the ``holidays`` package's UK calendar for the subdivision.
    """
    cal = holidays.country_holidays("GB", subdiv=subdivision, years=list(years))
    return tuple(sorted(cal.keys()))


def term_dates_for(term_dates: pd.DataFrame, year: AcademicYear | str, *, file: str = "(in memory)") -> pd.DataFrame:
    """The six half terms of ``year`` (columns half_term, start, end), in order.

    A year with no term dates (or some half terms missing) cannot be scheduled: the
    error names the Term dates sheet, the year and what to add. Source: DOMAIN.md
    ("term and half-term dates come from the local authority and are input data").
    """
    year = year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year))
    rows = term_dates.loc[term_dates["academic_year"] == year.label, ["half_term", "start", "end"]]
    rows = rows.dropna(subset=["start", "end"])
    missing = [h for h in HALF_TERMS if h not in set(rows["half_term"])]
    if missing:
        report = ProblemReport(file)
        if len(missing) == len(HALF_TERMS):
            message = f"The {TERM_DATES_SHEET} sheet has no term dates for {year.label}, so the calendar for {year.label} cannot be worked out."
        else:
            message = f"The {TERM_DATES_SHEET} sheet is missing {', '.join(missing)} for {year.label}."
        report.error(
            message,
            f"Add a row to the {TERM_DATES_SHEET} sheet for each half term of {year.label} "
            f"({', '.join(missing)}) with its first and last day, from the local authority's term dates.",
            sheet=TERM_DATES_SHEET,
            code="term-dates-missing",
        )
        raise InvalidInput(report)
    order = {h: i for i, h in enumerate(HALF_TERMS)}
    rows = rows.assign(_order=rows["half_term"].map(order)).sort_values("_order").drop(columns="_order")
    return rows.reset_index(drop=True)


def school_holidays(term_dates: pd.DataFrame, year: AcademicYear, *, file: str = "(in memory)") -> list[dt.date]:
    """Every day of academic ``year`` (1 Sep to 31 Aug) outside its six half terms.

    Source: DOMAIN.md Calendar rules (the policy may exclude school holidays).
    """
    halves = term_dates_for(term_dates, year, file=file)
    days = pd.date_range(year.first_day, year.last_day, freq="D")
    in_term = np.zeros(len(days), dtype=bool)
    for start, end in zip(halves["start"], halves["end"], strict=True):
        in_term |= (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
    return [d.date() for d in days[~in_term]]


# --------------------------------------------------------------------------- conversion


def _to_days(values: Any) -> tuple[np.ndarray, bool, pd.Index | None]:
    """Values -> datetime64[D] array; remembers whether a scalar came in, and any index."""
    if isinstance(values, pd.Series):
        arr = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
        return arr, False, values.index
    if isinstance(values, (dt.date, pd.Timestamp, np.datetime64, str)):
        return np.array([pd.Timestamp(values).to_datetime64()], dtype="datetime64[D]"), True, None
    arr = np.asarray(pd.to_datetime(pd.Series(list(values))).to_numpy(dtype="datetime64[D]"))
    return arr, False, None


def _from_days(arr: np.ndarray, scalar: bool, index: pd.Index | None) -> Any:
    if scalar:
        v = arr[0]
        return None if np.isnat(v) else v.astype(dt.date)
    out = pd.Series(arr.astype("datetime64[ns]"), index=index)
    return out


# --------------------------------------------------------------------------- the calendar


class WorkingDays:
    """Working-day arithmetic under the policy, for the trust or one school.

    ``exclude_school_holidays`` and ``exclude_closures`` default to the policy's
    ``[calendar]`` settings; ``school_days=True`` forces both on, which is what a visit
    date needs (the school must be open).
    """

    def __init__(
        self,
        policy: Policy,
        term_dates: pd.DataFrame | None = None,
        closures: pd.DataFrame | None = None,
        *,
        urn: int | None = None,
        file: str = "(in memory)",
        school_days: bool = False,
    ) -> None:
        cal = policy.calendar
        self.policy = policy
        self.urn = urn
        self.file = file
        self.subdivision = cal.bank_holiday_subdivision
        self.rule = cal.non_working_day_rule
        self.exclude_school_holidays = school_days or cal.exclude_school_holidays
        self.exclude_closures = school_days or cal.exclude_closures
        self.term_dates = term_dates if term_dates is not None else pd.DataFrame(columns=["academic_year", "half_term", "start", "end"])
        self._closures = self._closure_days(closures, urn)
        self._span: tuple[int, int] | None = None
        self._cal: np.busdaycalendar | None = None
        self._years_checked: set[int] = set()

    @staticmethod
    def _closure_days(closures: pd.DataFrame | None, urn: int | None) -> list[dt.date]:
        if closures is None or closures.empty:
            return []
        mask = closures["urn"].isna()
        if urn is not None:
            mask |= closures["urn"] == urn
        return [pd.Timestamp(d).date() for d in closures.loc[mask, "date"].dropna()]

    # -- the numpy calendar, built for the academic years in use and extended on demand
    def _calendar_for(self, lo: np.datetime64, hi: np.datetime64) -> np.busdaycalendar:
        first = AcademicYear.of(lo.astype(dt.date)).start_year
        last = AcademicYear.of(hi.astype(dt.date)).start_year
        if self._span and self._span[0] <= first and last <= self._span[1] and self._cal is not None:
            return self._cal
        if self._span:
            first, last = min(first, self._span[0]), max(last, self._span[1])
        first, last = first - 1, last + 1  # margin so short offsets stay inside
        days: set[dt.date] = set(bank_holidays(tuple(range(first, last + 2)), self.subdivision))
        if self.exclude_school_holidays:
            known = set(self.term_dates["academic_year"].dropna())
            for start_year in range(first, last + 1):
                year = AcademicYear(start_year)
                if year.label in known:
                    days.update(school_holidays(self.term_dates, year, file=self.file))
        if self.exclude_closures:
            days.update(self._closures)
        self._span = (first, last)
        self._cal = np.busdaycalendar(weekmask="1111100", holidays=sorted(days))
        return self._cal

    def _cal_for(self, *arrays: np.ndarray, pad_before: int = 0, pad_after: int = 0) -> np.busdaycalendar:
        """A calendar covering the dates (plus padding for offsets); checks term dates exist."""
        parts = [a[~np.isnat(a)] for a in arrays]
        valid = np.concatenate(parts) if parts else np.array([], dtype="datetime64[D]")
        if valid.size == 0:
            anchor = np.datetime64(dt.date(2000, 1, 1), "D")
            return self._calendar_for(anchor, anchor)
        lo, hi = valid.min(), valid.max()
        if self.exclude_school_holidays:
            self._require_years(lo, hi)
        return self._calendar_for(lo - np.timedelta64(pad_before, "D"), hi + np.timedelta64(pad_after, "D"))

    def _require_years(self, lo: np.datetime64, hi: np.datetime64) -> None:
        """School holidays are only known where the tracker has term dates: say so plainly."""
        for start_year in range(AcademicYear.of(lo.astype(dt.date)).start_year, AcademicYear.of(hi.astype(dt.date)).start_year + 1):
            if start_year not in self._years_checked:
                term_dates_for(self.term_dates, AcademicYear(start_year), file=self.file)
                self._years_checked.add(start_year)

    # -- public arithmetic; each accepts a date or a column of dates
    def is_working(self, dates: Any) -> Any:
        """True where the date is a working day (weekday, not a bank holiday, and per policy)."""
        arr, scalar, index = _to_days(dates)
        cal = self._cal_for(arr)
        ok = np.zeros(arr.shape, dtype=bool)
        valid = ~np.isnat(arr)
        ok[valid] = np.is_busday(arr[valid], busdaycal=cal)
        if scalar:
            return bool(ok[0])
        return pd.Series(ok, index=index) if index is not None else ok

    def after(self, dates: Any, n: int) -> Any:
        """The ``n``-th working day after each date (the date itself never counts).

        "Within 3 working days of the conclusion of the visit" (Reporting and
        Communication): the deadline is the 3rd working day after the visit's last day.
        A start on a non-working day counts from the next working day: Saturday + 3 is
        Wednesday.
        """
        arr, scalar, index = _to_days(dates)
        cal = self._cal_for(arr, pad_after=3 * n + 14)
        out = np.busday_offset(arr, n, roll="backward", busdaycal=cal)
        if self.exclude_school_holidays:
            self._check_result(out)
        return _from_days(out, scalar, index)

    def before(self, dates: Any, n: int) -> Any:
        """The ``n``-th working day before each date (the date itself never counts).

        "Paperwork must be emailed to the SIP at least 5 working days in advance of the
        visit" (Strand 5, School Visits): the last day it can arrive.
        """
        arr, scalar, index = _to_days(dates)
        cal = self._cal_for(arr, pad_before=3 * n + 14)
        out = np.busday_offset(arr, -n, roll="forward", busdaycal=cal)
        if self.exclude_school_holidays:
            self._check_result(out)
        return _from_days(out, scalar, index)

    def _check_result(self, out: np.ndarray) -> None:
        valid = out[~np.isnat(out)]
        if valid.size:
            self._require_years(valid.min(), valid.max())

    def roll(self, dates: Any, rule: str | None = None) -> Any:
        """Move a date that falls on a non-working day to a working day.

        Source: DOMAIN.md, Decision: "a date that falls on a non-working day moves to the
        next working day"; ``policy.calendar.non_working_day_rule`` may say "previous".
        """
        rule = rule or self.rule
        arr, scalar, index = _to_days(dates)
        cal = self._cal_for(arr, pad_before=21, pad_after=21)
        out = np.busday_offset(arr, 0, roll="forward" if rule == "next" else "backward", busdaycal=cal)
        return _from_days(out, scalar, index)

    def count_after(self, start: Any, end: Any) -> Any:
        """Working days in the interval (start, end]: how far ``end`` is past ``start``.

        A report sent on the 5th working day after a visit whose deadline was the 3rd is
        ``count_after(deadline, sent) == 2`` working days late. Negative when ``end`` is
        before ``start``; NaN where either is blank.
        """
        a, scalar_a, index = _to_days(start)
        b, scalar_b, index_b = _to_days(end)
        if a.shape != b.shape:
            a, b = np.broadcast_arrays(a, b)
        cal = self._cal_for(a, b)
        valid = ~(np.isnat(a) | np.isnat(b))
        out = np.full(a.shape, np.nan)
        one = np.timedelta64(1, "D")
        lo, hi = np.minimum(a[valid], b[valid]), np.maximum(a[valid], b[valid])
        sign = np.where(b[valid] < a[valid], -1, 1)
        out[valid] = sign * np.busday_count(lo + one, hi + one, busdaycal=cal)
        if scalar_a and scalar_b:
            return None if np.isnan(out[0]) else int(out[0])
        return pd.Series(out, index=index if index is not None else index_b)

    def between(self, first: DateLike, last: DateLike) -> list[dt.date]:
        """The working days from ``first`` to ``last`` inclusive."""
        days = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D")
        mask = self.is_working(pd.Series(days))
        return [d.date() for d, ok in zip(days, mask, strict=True) if ok]


class TrustCalendar:
    """The tracker's working-day calendars, one per school, built once and cached.

    Schools share the trust calendar unless the policy excludes closures and the school
    has its own closure days.
    """

    def __init__(self, policy: Policy, term_dates: pd.DataFrame, closures: pd.DataFrame, *, file: str = "(in memory)") -> None:
        self.policy = policy
        self.term_dates = term_dates
        self.closures = closures
        self.file = file
        self._cache: dict[tuple[int | None, bool], WorkingDays] = {}
        td = term_dates.dropna(subset=["start", "end"]).sort_values("start")
        self._halves = [(f"{y} {h}", pd.Timestamp(s).date(), pd.Timestamp(e).date())
                        for y, h, s, e in zip(td["academic_year"], td["half_term"], td["start"], td["end"], strict=True)]
        own = closures["urn"].dropna() if not closures.empty else pd.Series(dtype="float")
        self._own_closures = {int(u) for u in own}

    @classmethod
    def from_tracker(cls, tracker: Any) -> TrustCalendar:
        return cls(tracker.policy, tracker.term_dates, tracker.closures, file=tracker.file_name)

    def working_days(self, urn: int | None = None, *, school_days: bool = False) -> WorkingDays:
        """Working days for ``urn`` (None: the trust); ``school_days`` for when a school is open."""
        uses_closures = school_days or self.policy.calendar.exclude_closures
        key_urn = urn if (uses_closures and urn in self._own_closures) else None
        key = (key_urn, school_days)
        if key not in self._cache:
            self._cache[key] = WorkingDays(
                self.policy, self.term_dates, self.closures, urn=key_urn, file=self.file, school_days=school_days
            )
        return self._cache[key]

    def half_terms(self, year: AcademicYear) -> pd.DataFrame:
        return term_dates_for(self.term_dates, year, file=self.file)

    def half_term_before(self, day: dt.date) -> tuple[str, dt.date, dt.date] | None:
        """The half term that ends before the one containing ``day`` (or the last before it).

        Source: Strand 5, School Visits: "agendas ... issued ... during the half term
        before the visits".
        """
        halves = self._halves
        current = next((h for h in halves if h[1] <= day <= h[2]), None)
        cutoff = current[1] if current else day
        earlier = [h for h in halves if h[2] < cutoff]
        return earlier[-1] if earlier else None


def years_in(dates: Iterable[dt.date]) -> list[AcademicYear]:
    """The academic years the dates fall in, in order."""
    return sorted({AcademicYear.of(d) for d in dates})
