"""Working days in England: worked examples around Christmas, New Year, half term and Easter.

Each expected date is worked out by hand in the comment above it, from a paper calendar
and the bank holidays as published for England (and checked against the `holidays`
package, which the toolkit uses as its source)."""

from __future__ import annotations

import datetime as dt

import holidays
import pandas as pd
import pytest
from calendar_examples import (
    TERM_DATES_2025_26,
    TERM_DATES_2026_27,
    closures,
    policy_with,
    term_dates,
)

from toolkit.calendar.terms import AcademicYear
from toolkit.calendar.workingdays import (
    TrustCalendar,
    WorkingDays,
    bank_holidays,
    school_holidays,
    term_dates_for,
)
from toolkit.policy import default_policy
from toolkit.tracker.problems import InvalidInput

D = dt.date


def wd(**calendar: object) -> WorkingDays:
    policy = policy_with(**calendar) if calendar else default_policy()
    return WorkingDays(policy, term_dates(), closures())


def test_bank_holidays_come_from_the_holidays_package_with_substitute_days():
    # Christmas 2026 is a Friday; Boxing Day falls on Saturday 26 Dec, so the substitute
    # bank holiday is Monday 28 Dec. New Year's Day 2027 is a Friday.
    days = set(bank_holidays((2026, 2027)))
    assert {D(2026, 12, 25), D(2026, 12, 28), D(2027, 1, 1)} <= days
    assert D(2026, 12, 24) not in days
    reference = holidays.country_holidays("GB", subdiv="ENG", years=[2026, 2027])
    assert days == set(reference)


def test_report_due_three_working_days_after_a_visit_ending_wed_23_dec_2026():
    # Visit ends Wed 23 Dec. Thu 24 = working day 1; Fri 25 Christmas Day; Sat 26, Sun 27
    # weekend (Boxing Day on a Saturday); Mon 28 substitute Boxing Day; Tue 29 = 2;
    # Wed 30 = 3. Due Wed 30 Dec 2026.
    assert wd().after(D(2026, 12, 23), 3) == D(2026, 12, 30)


def test_paperwork_due_five_working_days_before_a_visit_on_tue_5_jan_2027():
    # Counting back from Tue 5 Jan: Mon 4 = 1; Sun 3, Sat 2 weekend; Fri 1 New Year's Day;
    # Thu 31 Dec = 2; Wed 30 = 3; Tue 29 = 4; Mon 28 substitute Boxing Day; Sun 27, Sat 26
    # weekend; Fri 25 Christmas Day; Thu 24 Dec = 5. Paperwork due by Thu 24 Dec 2026.
    assert wd().before(D(2027, 1, 5), 5) == D(2026, 12, 24)


def test_excluding_school_holidays_moves_the_paperwork_deadline_before_christmas():
    # With school holidays excluded, Sat 19 Dec 2026 .. Sun 3 Jan 2027 (between Autumn 2
    # and Spring 1) are not working days. Back from Tue 5 Jan: Mon 4 Jan = 1; Fri 18 Dec
    # = 2; Thu 17 = 3; Wed 16 = 4; Tue 15 Dec = 5.
    assert wd(exclude_school_holidays=True).before(D(2027, 1, 5), 5) == D(2026, 12, 15)


def test_excluding_school_holidays_changes_a_report_deadline_across_october_half_term():
    # A visit on Fri 23 Oct 2026, the last day of Autumn 1. By default the half-term week
    # is made of working days: Mon 26 = 1, Tue 27 = 2, Wed 28 Oct = 3.
    assert wd().after(D(2026, 10, 23), 3) == D(2026, 10, 28)
    # With school holidays excluded, half term (Sat 24 Oct .. Sun 1 Nov) does not count:
    # Mon 2 Nov = 1, Tue 3 = 2, Wed 4 Nov = 3.
    assert wd(exclude_school_holidays=True).after(D(2026, 10, 23), 3) == D(2026, 11, 4)


def test_easter_2027_good_friday_and_easter_monday_are_not_working_days():
    # Good Friday is Fri 26 Mar 2027 and Easter Monday Mon 29 Mar 2027. A visit ending
    # Thu 25 Mar: Fri 26 holiday; weekend; Mon 29 holiday; Tue 30 = 1; Wed 31 = 2;
    # Thu 1 Apr = 3.
    w = wd()
    assert not w.is_working(D(2027, 3, 26))
    assert not w.is_working(D(2027, 3, 29))
    assert w.is_working(D(2027, 3, 30))
    assert w.after(D(2027, 3, 25), 3) == D(2027, 4, 1)


def test_counting_from_a_weekend_starts_on_the_next_working_day():
    # A visit entered as Sat 21 Nov 2026: the working days after it are Mon 23 = 1,
    # Tue 24 = 2, Wed 25 = 3 (not Thu 26, which is what moving Saturday to Monday first
    # and then counting would give).
    assert wd().after(D(2026, 11, 21), 3) == D(2026, 11, 25)
    # Back from Sun 22 Nov: Fri 20 = 1, Thu 19, Wed 18, Tue 17, Mon 16 Nov = 5.
    assert wd().before(D(2026, 11, 22), 5) == D(2026, 11, 16)


def test_roll_moves_a_non_working_day_by_the_policy_rule():
    # Sat 10 Oct 2026: next working day Mon 12 Oct; previous Fri 9 Oct.
    assert wd().roll(D(2026, 10, 10)) == D(2026, 10, 12)
    assert wd(non_working_day_rule="previous").roll(D(2026, 10, 10)) == D(2026, 10, 9)
    # Christmas Day Fri 25 Dec 2026 -> Sat, Sun, Mon 28 (substitute) -> Tue 29 Dec.
    assert wd().roll(D(2026, 12, 25)) == D(2026, 12, 29)
    # A working day stays put.
    assert wd().roll(D(2026, 10, 14)) == D(2026, 10, 14)


def test_closure_days_count_only_when_the_policy_says_so():
    # An INSET day on Mon 2 Nov 2026 for every school. Visit ends Fri 30 Oct.
    cl = closures([(None, "2026-11-02", "INSET day"), (900002, "2026-11-03", "Polling day")])
    default = WorkingDays(default_policy(), term_dates(), cl)
    # Default: closures are working days for deadlines: Mon 2 = 1, Tue 3 = 2, Wed 4 Nov = 3.
    assert default.after(D(2026, 10, 30), 3) == D(2026, 11, 4)
    excl = policy_with(exclude_closures=True)
    trust = WorkingDays(excl, term_dates(), cl)
    # Excluded: Tue 3 = 1, Wed 4 = 2, Thu 5 Nov = 3 (the school's own polling day on
    # Tue 3 Nov does not close the trust).
    assert trust.after(D(2026, 10, 30), 3) == D(2026, 11, 5)
    school = WorkingDays(excl, term_dates(), cl, urn=900002)
    # For school 900002 both days are closed: Wed 4 = 1, Thu 5 = 2, Fri 6 Nov = 3.
    assert school.after(D(2026, 10, 30), 3) == D(2026, 11, 6)


def test_count_after_gives_working_days_late():
    # Report due Wed 30 Dec 2026, sent Tue 5 Jan 2027: Thu 31 Dec = 1; Fri 1 Jan holiday;
    # weekend; Mon 4 = 2; Tue 5 = 3. Three working days late.
    assert wd().count_after(D(2026, 12, 30), D(2027, 1, 5)) == 3
    # Sent on the deadline day, or the weekend after a Friday deadline: not late.
    assert wd().count_after(D(2026, 11, 27), D(2026, 11, 27)) == 0
    assert wd().count_after(D(2026, 11, 27), D(2026, 11, 29)) == 0
    # Sent early: negative.
    assert wd().count_after(D(2026, 11, 27), D(2026, 11, 26)) == -1


def test_columns_are_shifted_in_one_call_and_agree_with_single_dates():
    ends = pd.Series(pd.to_datetime(["2026-12-23", None, "2027-03-25", "2026-10-23"]))
    out = wd().after(ends, 3)
    assert list(out.iloc[[0, 2, 3]].dt.date) == [D(2026, 12, 30), D(2027, 4, 1), D(2026, 10, 28)]
    assert pd.isna(out.iloc[1])
    late = wd().count_after(out, pd.Series(pd.to_datetime(["2027-01-05", "2027-01-05", None, "2026-10-28"])))
    assert late.iloc[0] == 3 and pd.isna(late.iloc[1]) and pd.isna(late.iloc[2]) and late.iloc[3] == 0


def test_a_year_without_term_dates_is_a_clear_error():
    only_2025 = term_dates({"2025/26": TERM_DATES_2025_26})
    with pytest.raises(InvalidInput) as err:
        term_dates_for(only_2025, "2026/27", file="tracker.xlsx")
    (problem,) = err.value.report.errors
    assert problem.sheet == "Term dates"
    assert "2026/27" in problem.message and "2026/27" in problem.fix
    assert "Add" in problem.fix and "Term dates" in problem.fix
    assert problem.file == "tracker.xlsx"
    # Working-day arithmetic that needs school holidays for that year says the same.
    w = WorkingDays(policy_with(exclude_school_holidays=True), only_2025, closures())
    with pytest.raises(InvalidInput, match="2026/27"):
        w.after(D(2026, 12, 23), 3)


def test_some_half_terms_missing_are_named():
    partial = term_dates({"2026/27": TERM_DATES_2026_27[:4]})
    with pytest.raises(InvalidInput) as err:
        term_dates_for(partial, "2026/27")
    assert "Summer 1, Summer 2" in err.value.report.errors[0].message


def test_school_holidays_are_the_days_outside_the_half_terms():
    hols = school_holidays(term_dates(), AcademicYear(2026))
    # 1 Sep 2026 is before Autumn 1 (starts Wed 2 Sep); half term Sat 24 Oct..Sun 1 Nov.
    assert D(2026, 9, 1) in hols and D(2026, 9, 2) not in hols
    assert D(2026, 10, 26) in hols and D(2026, 11, 2) not in hols
    assert D(2027, 8, 31) in hols


def test_half_term_before_a_visit():
    cal = TrustCalendar(default_policy(), term_dates(), closures())
    # A visit on Tue 5 Jan 2027 (Spring 1): agendas go out in Autumn 2.
    assert cal.half_term_before(D(2027, 1, 5)) == ("2026/27 Autumn 2", D(2026, 11, 2), D(2026, 12, 18))
    # A visit in September 2026 (Autumn 1): the half term before is 2025/26 Summer 2.
    assert cal.half_term_before(D(2026, 9, 10))[0] == "2025/26 Summer 2"
