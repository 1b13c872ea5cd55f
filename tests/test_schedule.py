"""The year's schedule from the calendar rules: worked examples on small trackers.

Term dates are the sample trust's 2026/27 dates (tests/calendar_examples.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from calendar_examples import (
    TERM_DATES_2025_26,
    assessments,
    meetings,
    policy_with,
    schools,
    term_dates,
    tracker,
    visit,
    visits,
)

from toolkit.calendar.schedule import (
    build_schedule,
    eit_date,
    non_working_visit_problems,
    paperwork_deadline,
    report_deadline,
    report_recipients,
    school_events,
    standards_date,
    upcoming_deadlines,
    visit_deadlines,
)
from toolkit.calendar.workingdays import TrustCalendar, WorkingDays
from toolkit.policy import default_policy
from toolkit.tracker.problems import InvalidInput

D = dt.date
SUSTAIN, REPAIR = 900001, 900003


def two_schools(**tables):
    return tracker(
        schools=schools([(SUSTAIN, "Brookside Primary"), (REPAIR, "St Aldhelm's Primary")]),
        assessments=assessments([(SUSTAIN, "2026/27", "Autumn", "Sustain"), (REPAIR, "2026/27", "Autumn", "Repair")]),
        **tables,
    )


def of(events, kind, urn=None):
    return [e for e in events if e.kind == kind and (urn is None or e.urn == urn)]


def test_report_and_paperwork_deadlines_around_christmas():
    wd = WorkingDays(default_policy(), term_dates())
    # Worked in test_workingdays: 3 working days after Wed 23 Dec 2026 is Wed 30 Dec
    # (25, 26/28 Dec are bank holidays); 5 before Tue 5 Jan 2027 is Thu 24 Dec 2026.
    assert report_deadline(wd, D(2026, 12, 23), default_policy()) == D(2026, 12, 30)
    assert paperwork_deadline(wd, D(2027, 1, 5), default_policy()) == D(2026, 12, 24)


def test_a_two_day_visit_counts_its_report_deadline_from_the_last_day():
    # Visit Tue 24 - Wed 25 Nov 2026. From the END (Wed 25): Thu 26 = 1, Fri 27 = 2,
    # Mon 30 Nov = 3. Counting from the start would wrongly give Fri 27 Nov.
    t = two_schools(visits=visits([visit("V1", SUSTAIN, "2026-11-24", end="2026-11-25")]))
    d = visit_deadlines(TrustCalendar.from_tracker(t), t.visits)
    assert d.at[0, "report_due"].date() == D(2026, 11, 30)
    # Paperwork counts back from the first day, Tue 24 Nov: Mon 23, Fri 20, Thu 19,
    # Wed 18, Tue 17 Nov = 5th working day before.
    assert d.at[0, "paperwork_due"].date() == D(2026, 11, 17)
    events = build_schedule(t, "2026/27")
    (report,) = [e for e in of(events, "report_deadline", SUSTAIN) if "Wed 25 Nov 2026" in e.description]
    assert report.start == D(2026, 11, 30)
    assert report.recipients == ("Deputy CEO", "LSIP")


def test_a_visit_entered_on_a_weekend_is_warned_and_counts_from_the_date_entered():
    # Visit entered as Sat 21 Nov 2026. It is not moved (it is a record of what happened);
    # the report deadline counts the working days after it: Mon 23 = 1, Tue 24 = 2,
    # Wed 25 Nov = 3. A warning points at the Visit start cell (column G, row 2) and says
    # the policy's next working day would be Mon 23 Nov.
    t = two_schools(visits=visits([visit("V9", SUSTAIN, "2026-11-21")]))
    d = visit_deadlines(TrustCalendar.from_tracker(t), t.visits)
    assert d.at[0, "report_due"].date() == D(2026, 11, 25)
    (warning,) = non_working_visit_problems(t)
    assert warning.severity == "warning"
    assert (warning.sheet, warning.cell) == ("Visits", "G2")
    assert "V9" in warning.message and "Sat 21 Nov 2026" in warning.message and "Mon 23 Nov 2026" in warning.message
    assert "Check the date" in warning.fix


def test_a_year_without_term_dates_cannot_be_scheduled():
    t = two_schools()
    t.tables["term_dates"] = term_dates({"2025/26": TERM_DATES_2025_26})
    with pytest.raises(InvalidInput) as err:
        build_schedule(t, "2026/27")
    (problem,) = err.value.report.errors
    assert problem.sheet == "Term dates" and "2026/27" in problem.message and "Add" in problem.fix


def test_five_minimum_sip_visits_with_the_appraisal_in_november():
    t = two_schools(visits=visits([visit("V1", SUSTAIN, "2026-09-15")]))
    events = build_schedule(t, "2026/27")
    mins = of(events, "sip_minimum_visit", SUSTAIN)
    assert [e.start.month for e in mins] == [9, 11, 1, 3, 6]
    # September is booked in the tracker: its real date, not a proposal.
    assert mins[0].start == D(2026, 9, 15) and not mins[0].proposed
    # November carries the Headteacher's appraisal; every visit the learning walk.
    assert "appraisal" in mins[1].title
    assert all("60-minute learning walk" in e.description for e in mins)
    # Unbooked months are proposed on the planning day (10th) moved to a school day:
    # Sun 10 Jan 2027 -> Mon 11 Jan 2027.
    assert mins[2].proposed and mins[2].start == D(2027, 1, 11)


def test_agenda_window_is_the_half_term_before_the_visit():
    t = two_schools()
    events = build_schedule(t, "2026/27")
    # The January visit (Mon 11 Jan 2027, Spring 1) has its agenda issued in Autumn 2.
    (jan,) = [e for e in of(events, "agenda_window", SUSTAIN) if "January" in e.title]
    assert (jan.start, jan.end) == (D(2026, 11, 2), D(2026, 12, 18))


def test_progress_boards_by_designation():
    t = two_schools()
    events = build_schedule(t, "2026/27")
    # All schools: September, January, May. High risk (Repair) also November, March, June.
    assert [e.start.month for e in of(events, "progress_board", SUSTAIN)] == [9, 1, 5]
    assert [e.start.month for e in of(events, "progress_board", REPAIR)] == [9, 11, 1, 3, 5, 6]
    first = of(events, "progress_board", SUSTAIN)[0]
    assert "annual scrutiny of KS2, GCSE and A-level outcomes" in first.description


def test_eit_a_week_after_the_last_progress_board_and_standards_a_week_after_eit():
    # Round: PBs Mon 14 and Fri 18 Sep 2026. EIT = Fri 18 + 7 = Fri 25 Sep; Standards =
    # Fri 25 + 7 = Fri 2 Oct 2026.
    t = two_schools(meetings=meetings([("Progress Board", SUSTAIN, "2026-09-14"), ("Progress Board", REPAIR, "2026-09-18")]))
    events = build_schedule(t, "2026/27")
    eits, stds = of(events, "eit"), of(events, "standards_committee")
    assert eits[0].start == D(2026, 9, 25)
    assert stds[0].start == D(2026, 10, 2)
    # Rounds: Sep, Nov, Jan, Mar, May, Jun (one school is High risk). First EIT finalises
    # designations; the penultimate (May) sets next year's targets and visit agendas.
    assert [e.start.month for e in eits] == [9, 11, 1, 3, 5, 6]
    assert "finalises risk assessments, designations, targets and support packages" in eits[0].description
    assert "next year's targets" in eits[4].description
    assert "next year's targets" not in eits[5].description


def test_eit_falling_on_christmas_moves_by_the_policy_rule():
    # A round ending Fri 18 Dec 2026: +7 days = Fri 25 Dec (Christmas Day). Next working
    # day: Sat, Sun, Mon 28 (substitute Boxing Day) -> Tue 29 Dec. Previous: Thu 24 Dec.
    cal = TrustCalendar(default_policy(), term_dates(), tracker().closures)
    assert eit_date(default_policy(), cal, D(2026, 12, 18)) == D(2026, 12, 29)
    prev = policy_with(non_working_day_rule="previous")
    assert eit_date(prev, TrustCalendar(prev, term_dates(), tracker().closures), D(2026, 12, 18)) == D(2026, 12, 24)
    # Standards Committee a week after an EIT on Tue 29 Dec: Tue 5 Jan 2027.
    assert standards_date(default_policy(), cal, D(2026, 12, 29)) == D(2027, 1, 5)


def test_report_recipients_by_role():
    p = default_policy()
    assert report_recipients(p, "SIP") == ("Deputy CEO", "LSIP")
    assert report_recipients(p, "SIA") == ("Deputy CEO",)
    assert report_recipients(p, "LSIP") == ("CEO", "Deputy CEO")
    assert report_recipients(p, "SLE") == ("Deputy CEO",)


def test_deputy_ceo_reporting_cadence_and_allocation_by_designation():
    t = two_schools()
    events = build_schedule(t, "2026/27")
    # High risk: each half term (6 a year); Low risk: each term (3), on the last day.
    assert len(of(events, "deputy_ceo_report", REPAIR)) == 6
    termly = of(events, "deputy_ceo_report", SUSTAIN)
    assert [e.start for e in termly] == [D(2026, 12, 18), D(2027, 3, 25), D(2027, 7, 21)]
    (alloc,) = of(events, "allocation", REPAIR)
    assert "10" in alloc.title and "up to 20 a term" in alloc.description
    (alloc,) = of(events, "allocation", SUSTAIN)
    assert "5" in alloc.title and "No SIA days" in alloc.description


def test_other_fixed_dates_and_reviews():
    events = build_schedule(two_schools(), "2026/27")
    assert [e.start.month for e in of(events, "lsip_training")] == [10, 6]
    assert len(of(events, "sit_meeting")) == 11  # each month with term days, Sep..Jul
    assert [e.start.month for e in of(events, "governor_review", SUSTAIN)] == [12, 3, 6]
    assert of(events, "pupil_premium_review", SUSTAIN) and of(events, "safeguarding_audit", SUSTAIN)


def test_uids_are_stable_and_unique():
    t = two_schools(visits=visits([visit("V1", SUSTAIN, "2026-09-15")]))
    a, b = build_schedule(t, "2026/27"), build_schedule(t, "2026/27")
    assert [e.uid for e in a] == [e.uid for e in b]
    assert len({e.uid for e in a}) == len(a)
    # Moving the booked visit keeps its uid (identity is the rule slot, not the date).
    t2 = two_schools(visits=visits([visit("V1", SUSTAIN, "2026-09-22")]))
    moved = {e.uid: e for e in build_schedule(t2, "2026/27")}
    (sep,) = [e for e in of(a, "sip_minimum_visit", SUSTAIN) if e.start.month == 9]
    assert moved[sep.uid].start == D(2026, 9, 22)


def test_school_events_and_upcoming_deadlines():
    t = two_schools(visits=visits([visit("V1", SUSTAIN, "2026-11-24", end="2026-11-25")]))
    events = build_schedule(t, "2026/27")
    mine = school_events(events, SUSTAIN)
    assert all(e.urn in (SUSTAIN, None) for e in mine)
    up = upcoming_deadlines(events, D(2026, 11, 23), days=14)
    # Everything listed is still open on Mon 23 Nov and starts within the fortnight
    # (an agenda window that opened on 2 Nov and closes 18 Dec is still open).
    assert (up["end"] >= "2026-11-23").all() and (up["date"] <= "2026-12-07").all()
    assert ((up["kind"] == "agenda_window") & (up["date"] == "2026-11-02")).any()
    assert ((up["kind"] == "report_deadline") & (up["date"] == "2026-11-30")).any()
