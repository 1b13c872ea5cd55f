"""Compliance findings: a worked example for each rule on a small tracker.

Dates are worked out by hand from a 2026/27 calendar (England bank holidays from the
`holidays` package; see test_workingdays for the Christmas arithmetic)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from calendar_examples import assessments, meetings, schools, tracker, visit, visits

from toolkit.calendar.compliance import (
    FINDING_COLUMNS,
    compliance,
    compliance_summary,
    days_against_allocation,
)

D = dt.date
A, B, C = 900001, 900002, 900003


def trust(visit_rows=(), meeting_rows=(), designations=None, school_rows=None):
    t = tracker(
        schools=schools(school_rows or [(A, "Brookside Primary"), (B, "Hollins Lane Primary"), (C, "St Aldhelm's")]),
        assessments=assessments(designations or [(A, "2026/27", "Autumn", "Sustain"), (B, "2026/27", "Autumn", "Improve"),
                                                 (C, "2026/27", "Autumn", "Repair")]),
        visits=visits(list(visit_rows)),
        meetings=meetings(list(meeting_rows)),
    )
    return t


def only(findings, kind):
    return findings[findings["kind"] == kind].reset_index(drop=True)


def test_late_reports_and_how_many_working_days_late():
    t = trust([
        # Tue 15 Sep 2026 -> due Fri 18 Sep. Sent Mon 21 Sep: (Fri 18, Mon 21] = 1 late.
        visit("V1", A, "2026-09-15", report="2026-09-21"),
        # Sent Tue 22 Sep: Mon 21, Tue 22 = 2 late.
        visit("V2", B, "2026-09-15", report="2026-09-22"),
        # Sent on the day it was due: on time.
        visit("V3", C, "2026-09-15", report="2026-09-18"),
        # SIA, Tue 22 - Wed 23 Dec 2026 -> due Wed 30 Dec; sent Tue 5 Jan 2027: Thu 31 Dec = 1,
        # Fri 1 Jan holiday, Mon 4 = 2, Tue 5 = 3 working days late.
        visit("V4", C, "2026-12-22", end="2026-12-23", role="SIA", report="2027-01-05"),
        # A cancelled visit is never late.
        visit("V5", A, "2026-10-01", status="Cancelled", report="2026-12-01"),
    ])
    late = only(compliance(t, as_of=D(2027, 1, 20), year="2026/27"), "late_report")
    assert dict(zip(late["ref"], late["working_days_late"], strict=True)) == {"V1": 1, "V2": 2, "V4": 3}
    v4 = late[late["ref"] == "V4"].iloc[0]
    assert v4["due"].date() == D(2026, 12, 30) and v4["actual"].date() == D(2027, 1, 5)
    assert v4["school"] == "St Aldhelm's"
    assert list(late.columns) == FINDING_COLUMNS


def test_missing_reports_are_held_visits_due_before_as_of_with_none_sent():
    t = trust([
        # Tue 8 Sep 2026 -> due Fri 11 Sep. On Mon 14 Sep it is 1 working day overdue.
        visit("V1", A, "2026-09-08"),
        # Wed 9 Sep -> due Mon 14 Sep = as_of: not yet missing.
        visit("V2", B, "2026-09-09"),
        # Planned visits and roles without visit reports (Other SIT reports half-termly) are not counted.
        visit("V3", C, "2026-09-08", status="Planned"),
        visit("V4", C, "2026-09-08", role="Other SIT"),
    ])
    missing = only(compliance(t, as_of=D(2026, 9, 14), year="2026/27"), "missing_report")
    assert list(missing["ref"]) == ["V1"]
    assert missing.at[0, "working_days_late"] == 1 and missing.at[0, "due"].date() == D(2026, 9, 11)


def test_late_paperwork_by_working_days_short():
    t = trust([
        # Visit Tue 15 Sep 2026: paperwork due by the 5th working day before, Tue 8 Sep
        # (Mon 14, Fri 11, Thu 10, Wed 9, Tue 8). Received Thu 10: Wed 9, Thu 10 = 2 short.
        visit("V1", A, "2026-09-15", paperwork="2026-09-10", report="2026-09-15"),
        # Received Tue 8 Sep: on time.
        visit("V2", B, "2026-09-15", paperwork="2026-09-08", report="2026-09-15"),
        # Paperwork before a January visit: Tue 5 Jan 2027 -> due Thu 24 Dec 2026. Received
        # Tue 29 Dec: (Thu 24, Tue 29] = Tue 29 only (25, 28 Dec bank holidays) = 1 short.
        visit("V3", C, "2027-01-05", paperwork="2026-12-29", report="2027-01-05"),
        # SIA visits have no paperwork rule (policy calendar.paperwork_roles = ["SIP"]).
        visit("V4", C, "2026-09-15", role="SIA", paperwork="2026-09-14", report="2026-09-15"),
    ])
    late = only(compliance(t, as_of=D(2027, 1, 20), year="2026/27"), "late_paperwork")
    assert dict(zip(late["ref"], late["working_days_late"], strict=True)) == {"V1": 2, "V3": 1}


def test_missed_minimum_visits_as_of_a_date():
    t = trust(
        [
            visit("V1", A, "2026-09-15", report="2026-09-15"),
            visit("V2", B, "2026-09-16", status="Planned"),
            # C joined on 1 Oct 2026 (below): its September visit was not yet due.
        ],
        school_rows=[(A, "Brookside Primary"), (B, "Hollins Lane Primary"), (C, "St Aldhelm's")],
    )
    t.schools.loc[t.schools["urn"] == C, "date_joined"] = pd.Timestamp("2026-10-01")
    # On Mon 23 Nov 2026 only September has ended of the minimum months (Sep, Nov, ...).
    missed = only(compliance(t, as_of=D(2026, 11, 23), year="2026/27"), "missed_visit")
    assert list(missed["urn"]) == [B]
    assert missed.at[0, "ref"] == "2026/27 September" and "Planned, not Held" in missed.at[0, "detail"]
    assert missed.at[0, "due"].date() == D(2026, 9, 30)
    # On 1 Dec November is over too, and nobody has a November visit.
    later = only(compliance(t, as_of=D(2026, 12, 1), year="2026/27"), "missed_visit")
    assert sorted(later["ref"].tolist()) == ["2026/27 November"] * 3 + ["2026/27 September"]


def test_on_site_minimum_visits_without_the_learning_walk():
    t = trust([
        visit("V1", A, "2026-09-15", learning_walk=False, report="2026-09-15"),  # finding
        visit("V2", B, "2026-09-15", mode="Remote", learning_walk=False, report="2026-09-15"),  # remote: no walk needed
        visit("V3", C, "2026-09-08", learning_walk=False, report="2026-09-08"),  # an extra visit without...
        visit("V4", C, "2026-09-22", learning_walk=True, report="2026-09-22"),  # ...but the month's walk was done
        visit("V5", A, "2026-10-06", learning_walk=False, report="2026-10-06"),  # October is not a minimum month
    ])
    walks = only(compliance(t, as_of=D(2026, 11, 23), year="2026/27"), "no_learning_walk")
    assert list(walks["ref"]) == ["V1"]
    assert "recorded as No" in walks.at[0, "detail"]


def test_sip_and_sia_days_against_allocation():
    rows = [visit(f"S{i}", A, d, report=d) for i, d in enumerate(
        ["2026-09-15", "2026-10-06", "2026-11-10", "2026-12-01", "2027-01-12", "2027-02-02"])]  # 6 SIP days
    rows += [visit("T1", C, "2026-09-14", role="SIA", days=12, report="2026-09-14"),
             visit("T2", C, "2026-10-05", role="SIA", days=9, report="2026-10-05"),  # 21 SIA days in Autumn
             # a 2-day visit with Days blank counts its working days: Tue 24 - Wed 25 Nov = 2
             visit("T3", B, "2026-11-24", end="2026-11-25", role="SIA", report="2026-11-25")]
    t = trust(rows)
    table = days_against_allocation(t, "2026/27", as_of=D(2027, 3, 1)).set_index("urn")
    # Sustain: 5 SIP days a year; 6 used.
    assert table.at[A, "sip_days_allocated"] == 5 and table.at[A, "sip_days_used"] == 6
    assert table.at[B, "sia_days_used"] == 2 and table.at[B, "sia_days_allocated"] == 10
    assert table.at[C, "sia_days_used_autumn"] == 21 and table.at[C, "sia_days_per"] == "term"
    f = compliance(t, as_of=D(2027, 3, 1), year="2026/27")
    assert only(f, "sip_days_over")["urn"].tolist() == [A]
    sia = only(f, "sia_days_over")
    assert sia["urn"].tolist() == [C] and sia.at[0, "ref"] == "2026/27 Autumn"


def test_sip_days_under_a_fixed_allocation_once_the_year_is_over():
    # Sustain (5 days, not "up to") with 4 held SIP days in 2025/26: under once the year
    # ends. Repair (10 days, not "up to") with none is under too; Improve ("up to 10") is not.
    rows = [visit(f"S{i}", A, d, report=d) for i, d in enumerate(["2025-09-16", "2025-11-11", "2026-01-13", "2026-03-10"])]
    t = trust(rows, designations=[(A, "2025/26", "Autumn", "Sustain"), (B, "2025/26", "Autumn", "Improve"),
                                  (C, "2025/26", "Autumn", "Repair")])
    during = compliance(t, as_of=D(2026, 7, 1), year="2025/26")
    assert only(during, "sip_days_under").empty
    after = compliance(t, as_of=D(2026, 9, 7), year="2025/26")
    assert only(after, "sip_days_under")["urn"].tolist() == [A, C]


def test_meetings_held_off_the_rule():
    t = trust(meeting_rows=[
        # September round: PBs Thu 10 and Fri 11 Sep 2026. EIT rule: Fri 11 + 7 = Fri 18 Sep.
        ("Progress Board", A, "2026-09-10"), ("Progress Board", B, "2026-09-11"),
        # Held Mon 21 Sep: 10 days after, 1 working day after the rule date.
        ("EIT", None, "2026-09-21"),
        # Standards a week after the EIT as held: Mon 28 Sep. On the rule.
        ("Standards Committee", None, "2026-09-28"),
        # January round: PB Mon 11 Jan 2027, EIT Mon 18 Jan (on the rule), no Standards Committee.
        ("Progress Board", A, "2027-01-11"), ("EIT", None, "2027-01-18"),
    ])
    f = compliance(t, as_of=D(2027, 2, 1), year="2026/27")
    off = only(f, "off_rule_meeting")
    assert len(off) == 1
    assert off.at[0, "due"].date() == D(2026, 9, 18) and off.at[0, "actual"].date() == D(2026, 9, 21)
    assert off.at[0, "working_days_late"] == 1 and "10 days after" in off.at[0, "detail"]
    missing = only(f, "missing_meeting")
    # Rounds with a recorded Progress Board (the absence checks for the others are in
    # test_meetings_the_schedule_expects_but_the_tracker_does_not_record).
    missing = missing[missing["ref"].str.contains("after EIT 20")].reset_index(drop=True)
    # Standards rule after the 18 Jan EIT: Mon 25 Jan 2027, before as_of 1 Feb.
    assert missing["ref"].tolist() == ["Standards Committee after EIT 2027-01-18"]
    assert missing.at[0, "due"].date() == D(2027, 1, 25)


def test_meetings_the_schedule_expects_but_the_tracker_does_not_record():
    """Progress Boards in Sep/Jan/May for all, Nov/Mar/Jun for High risk (C is Repair); a
    round with no Progress Board recorded has its EIT and Standards Committee checked from
    the month's end (EIT a week later, rolled to a working day; Standards a week after)."""
    t = trust(meeting_rows=[
        ("Progress Board", A, "2026-09-10"), ("Progress Board", B, "2026-09-11"),
        ("EIT", None, "2026-09-18"), ("Standards Committee", None, "2026-09-25"),
    ])
    # 1 Dec 2026: September is checked (C's PB missing); November's round is over (30 Nov)
    # but its EIT (Mon 7 Dec) is not yet due.
    f = only(compliance(t, as_of=D(2026, 12, 1), year="2026/27"), "missing_meeting")
    assert sorted(zip(f["urn"].astype(int), f["ref"], strict=True)) == [
        (C, "Progress Board November 2026"), (C, "Progress Board September 2026")]
    assert f.set_index("ref").at["Progress Board September 2026", "due"].date() == D(2026, 9, 30)
    # 15 Dec: the November round's EIT (Mon 7 Dec) and Standards Committee (Mon 14 Dec) are missing too.
    f = only(compliance(t, as_of=D(2026, 12, 15), year="2026/27"), "missing_meeting")
    trust_level = f[f["urn"].isna()].set_index("ref")["due"].dt.date.to_dict()
    assert trust_level == {"EIT after November 2026 Progress Boards": D(2026, 12, 7),
                           "Standards Committee after November 2026 EIT": D(2026, 12, 14)}
    # A trust with no meetings recorded at all: every expected meeting to date is flagged
    # (September's round ends Wed 30 Sep: EIT due Wed 7 Oct, Standards Committee Wed 14 Oct).
    f = only(compliance(trust(), as_of=D(2026, 10, 15), year="2026/27"), "missing_meeting")
    assert sorted(f["ref"]) == ["EIT after September 2026 Progress Boards"] + ["Progress Board September 2026"] * 3 + [
        "Standards Committee after September 2026 EIT"]
    assert f.set_index("ref").at["Standards Committee after September 2026 EIT", "due"].date() == D(2026, 10, 14)
    # Recorded, the meeting is not flagged; before its month ends, nothing is due.
    assert only(compliance(trust(), as_of=D(2026, 9, 29), year="2026/27"), "missing_meeting").empty


def test_visits_still_planned_after_their_date():
    t = trust([
        visit("V1", A, "2026-09-15", status="Planned"),  # its day has passed: flagged
        visit("V2", B, "2026-09-22", end="2026-09-23", status="Planned"),  # ends 23 Sep, the as-of day: not yet
        visit("V3", C, "2026-09-10", status="Held", report="2026-09-11"),
    ])
    f = only(compliance(t, as_of=D(2026, 9, 23), year="2026/27"), "planned_after_date")
    assert f["ref"].tolist() == ["V1"] and f.at[0, "urn"] == A
    assert "still marked Planned" in f.at[0, "detail"] and f.at[0, "due"].date() == D(2026, 9, 15)
    f = only(compliance(t, as_of=D(2026, 9, 24), year="2026/27"), "planned_after_date")
    assert f["ref"].tolist() == ["V1", "V2"]


def test_summary_lists_every_kind_with_counts():
    t = trust([visit("V1", A, "2026-09-15", report="2026-09-21")])
    summary = compliance_summary(compliance(t, as_of=D(2026, 9, 25), year="2026/27")).set_index("kind")
    assert summary.at["late_report", "count"] == 1
    assert summary.at["missed_visit", "count"] == 0
    assert len(summary) >= 8


def test_sample_trust_findings_match_what_the_generator_planted(sample_tracker):
    """The committed sample tracker, checked on the project's "today", finds exactly the
    exceptions toolkit.tracker.sample planted (and the generator's own reasoning: reports due 3
    working days after the visit, paperwork 5 working days before)."""
    from toolkit.tracker.sample import generate

    planted = generate(10).planted
    f = compliance(sample_tracker, as_of=D(2026, 11, 23))
    late = only(f, "late_report")
    assert dict(zip(late["ref"], late["working_days_late"].astype(int), strict=True)) == planted["late_reports"]
    assert only(f, "missing_report")["ref"].tolist() == planted["missing_reports"]
    paper = only(f, "late_paperwork")
    assert dict(zip(paper["ref"], paper["working_days_late"].astype(int), strict=True)) == planted["late_paperwork"]
    assert only(f, "no_learning_walk")["ref"].tolist() == planted["no_learning_walk"]
    from toolkit.calendar.schedule import MONTH_NAMES

    missed = only(f, "missed_visit")
    assert sorted(zip(missed["urn"].astype(int), missed["ref"], strict=True)) == sorted(
        (urn, f"{year} {MONTH_NAMES[month - 1]}") for urn, year, month in planted["missed_visits"])
    off = only(f, "off_rule_meeting")
    assert [(a.date(), (a - d).days) for a, d in zip(off["actual"], off["due"], strict=True)] == [
        (m["date"], m["days_after"] - 7) for m in planted["off_rule_meetings"]]
    assert only(f, "missing_meeting").empty
    # The one consequence of the planted missed visit: Kingsmead (Sustain, 5 SIP days a
    # year, no extra visits) used 4 SIP days in 2025/26.
    (under,) = only(f, "sip_days_under").itertuples()
    assert (under.urn, under.academic_year) == (planted["missed_visits"][0][0], "2025/26")
    assert set(f["kind"]) == {"late_report", "missing_report", "late_paperwork", "missed_visit", "no_learning_walk",
                              "off_rule_meeting", "sip_days_under"}
