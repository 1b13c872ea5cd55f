"""Compliance with the calendar rules, from the Visits and Meetings sheets.

What the Standards Committee and the LSIP summary need to see (DOMAIN.md, Reports): late
and missing visit reports, late paperwork, minimum visits missed, on-site minimum visits
without the learning walk, SIP and SIA days against each school's allocation, visits left
Planned after their date, and meetings held off the rule or not recorded at all (absences
are checked against the schedule, not only the meetings the tracker lists). A missing Visits
or Meetings sheet is one finding saying its checks were not made, never a list of misses.
Every check takes an explicit ``as_of`` date, so a result never depends on when it is run.

Findings are one DataFrame (``FINDING_COLUMNS``), one row per finding, so the CLI, the
committee report and the notebook render the same thing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from toolkit.calendar.schedule import (
    ACADEMIC_MONTHS,
    MONTH_NAMES,
    eit_date,
    expected_meetings,
    standards_date,
    visit_deadlines,
)
from toolkit.calendar.terms import AcademicYear
from toolkit.calendar.workingdays import TrustCalendar
from toolkit.tracker.model import Tracker
from toolkit.tracker.problems import InvalidInput
from toolkit.tracker.schema import TERMS, sheet

FINDING_COLUMNS = ["kind", "urn", "school", "academic_year", "ref", "due", "actual", "working_days_late", "detail"]
FINDING_KINDS = {
    "late_report": "Visit report sent late",
    "missing_report": "Visit report not sent",
    "late_paperwork": "Paperwork received late",
    "missed_visit": "Minimum SIP visit missed",
    "no_learning_walk": "On-site minimum visit without the learning walk",
    "sip_days_over": "SIP days above allocation",
    "sip_days_under": "SIP days below allocation",
    "sia_days_over": "SIA days above allocation",
    "planned_after_date": "Visit still Planned after its date",
    "off_rule_meeting": "Meeting held off the rule",
    "missing_meeting": "Meeting not held",
    "sheet_missing": "Checks not made: a sheet is missing",
}


def _fmt(d: dt.date | pd.Timestamp) -> str:
    d = pd.Timestamp(d)
    return f"{d:%a} {d.day} {d:%b %Y}"


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    df["due"] = pd.to_datetime(df["due"])
    df["actual"] = pd.to_datetime(df["actual"])
    df["working_days_late"] = pd.to_numeric(df["working_days_late"]).astype("Int64")
    df["urn"] = df["urn"].astype("Int64")
    return df


def _year_of(dates: pd.Series) -> pd.Series:
    return dates.map(lambda d: AcademicYear.of(d.date()).label if pd.notna(d) else None)


class _Checks:
    """Shared inputs for the checks: the visits with their deadlines, computed once."""

    def __init__(self, tracker: Tracker, as_of: dt.date, year: AcademicYear | None) -> None:
        self.tracker = tracker
        self.policy = tracker.policy
        self.as_of = pd.Timestamp(as_of)
        self.year = year
        self.cal = TrustCalendar.from_tracker(tracker)
        v = tracker.visits.copy()
        for col in ("visit_start", "visit_end", "paperwork_received", "report_sent"):
            v[col] = pd.to_datetime(v[col])
        v = v[v["visit_start"].notna()]
        v["academic_year"] = _year_of(v["visit_start"])
        if year is not None:
            v = v[v["academic_year"] == year.label]
        self.visits = v.join(visit_deadlines(self.cal, v))
        self.names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))

    def school(self, urn: object) -> str | None:
        return None if pd.isna(urn) else str(self.names.get(urn, f"URN {int(urn)}"))


# --------------------------------------------------------------------------- visit reports


def late_reports(checks: _Checks) -> pd.DataFrame:
    """Reports sent after their deadline, with how many working days late.

    Source: Reporting and Communication (SIP, SIA, LSIP, SLE reports "within 3 working
    days of the conclusion of the visit"). Late by the working days in (deadline, sent]:
    a report sent the Monday after a Friday deadline is 1 working day late.
    """
    v = checks.visits
    v = v[(v["status"] == "Held") & v["role"].isin(checks.policy.calendar.visit_report_roles) & v["report_sent"].notna()]
    if v.empty:
        return _frame([])
    late = checks.cal.working_days(None).count_after(v["report_due"], v["report_sent"])
    # schools with their own closure days count on their own calendar
    for urn in v["urn"].unique():
        wd = checks.cal.working_days(int(urn))
        if wd is not checks.cal.working_days(None):
            m = v["urn"] == urn
            late[m] = wd.count_after(v.loc[m, "report_due"], v.loc[m, "report_sent"])
    v = v.assign(_late=late)
    rows = []
    for _, r in v[v["_late"] > 0].iterrows():
        rows.append({
            "kind": "late_report", "urn": r["urn"], "school": checks.school(r["urn"]), "academic_year": r["academic_year"],
            "ref": r["visit_id"], "due": r["report_due"], "actual": r["report_sent"], "working_days_late": int(r["_late"]),
            "detail": f"{r['role']} report on the visit ending {_fmt(r['visit_last_day'])} was due {_fmt(r['report_due'])} "
                      f"and sent {_fmt(r['report_sent'])}: {int(r['_late'])} working day(s) late.",
        })
    return _frame(rows)


def missing_reports(checks: _Checks) -> pd.DataFrame:
    """Held visits whose report was due before ``as_of`` and has not been sent.

    Source: Reporting and Communication. ``working_days_late`` is how overdue it is on
    ``as_of``.
    """
    v = checks.visits
    v = v[(v["status"] == "Held") & v["role"].isin(checks.policy.calendar.visit_report_roles)
          & v["report_sent"].isna() & (v["report_due"] < checks.as_of)]
    if v.empty:
        return _frame([])
    overdue = checks.cal.working_days(None).count_after(v["report_due"], pd.Series(checks.as_of, index=v.index))
    rows = []
    for i, r in v.iterrows():
        rows.append({
            "kind": "missing_report", "urn": r["urn"], "school": checks.school(r["urn"]), "academic_year": r["academic_year"],
            "ref": r["visit_id"], "due": r["report_due"], "actual": pd.NaT, "working_days_late": int(overdue[i]),
            "detail": f"No {r['role']} report recorded for the visit ending {_fmt(r['visit_last_day'])}; it was due "
                      f"{_fmt(r['report_due'])} ({int(overdue[i])} working day(s) overdue on {_fmt(checks.as_of)}).",
        })
    return _frame(rows)


def late_paperwork(checks: _Checks) -> pd.DataFrame:
    """Paperwork that reached the visitor later than the deadline before the visit.

    Source: Strand 5, School Visits ("emailed to the SIP at least 5 working days in
    advance of the visit"); roles from ``calendar.paperwork_roles``. ``working_days_late``
    is how many working days short of the notice it was.
    """
    v = checks.visits
    v = v[(v["status"] != "Cancelled") & v["role"].isin(checks.policy.calendar.paperwork_roles) & v["paperwork_received"].notna()]
    if v.empty:
        return _frame([])
    short = checks.cal.working_days(None).count_after(v["paperwork_due"], v["paperwork_received"])
    rows = []
    for i, r in v[short > 0].iterrows():
        rows.append({
            "kind": "late_paperwork", "urn": r["urn"], "school": checks.school(r["urn"]), "academic_year": r["academic_year"],
            "ref": r["visit_id"], "due": r["paperwork_due"], "actual": r["paperwork_received"], "working_days_late": int(short[i]),
            "detail": f"Paperwork for the {r['role']} visit on {_fmt(r['visit_start'])} was due by {_fmt(r['paperwork_due'])} "
                      f"and received {_fmt(r['paperwork_received'])}: {int(short[i])} working day(s) short.",
        })
    return _frame(rows)


# --------------------------------------------------------------------------- minimum visits


def _years_in_scope(checks: _Checks) -> list[AcademicYear]:
    if checks.year is not None:
        return [checks.year]
    labels = set(checks.tracker.term_dates["academic_year"].dropna()) | set(checks.visits["academic_year"].dropna())
    years = sorted(AcademicYear.parse(str(y)) for y in labels)
    return [y for y in years if y.first_day <= checks.as_of.date()]


def _minimum_slots(checks: _Checks) -> pd.DataFrame:
    """Every (school, year, minimum month) whose month has ended by ``as_of``."""
    rows = []
    schools = checks.tracker.schools
    for year in _years_in_scope(checks):
        for month in checks.policy.calendar.minimum_visit_months:
            first = pd.Timestamp(year.month_date(month, 1))
            last = first + pd.offsets.MonthEnd(0)
            if last >= checks.as_of.normalize():
                continue
            for _, s in schools.iterrows():
                joined = s.get("date_joined")
                if pd.notna(joined) and pd.Timestamp(joined) > last:
                    continue
                rows.append({"urn": s["urn"], "academic_year": year.label, "month": month, "first": first, "last": last})
    return pd.DataFrame(rows, columns=["urn", "academic_year", "month", "first", "last"])


def _sip_visits_in_slots(checks: _Checks, slots: pd.DataFrame) -> pd.DataFrame:
    v = checks.visits[checks.visits["role"] == "SIP"]
    v = v.assign(month=v["visit_start"].dt.month)
    return slots.merge(v, on=["urn", "academic_year", "month"], how="left")


def missed_visits(checks: _Checks) -> pd.DataFrame:
    """Minimum SIP visits not held in their month, once the month is over on ``as_of``.

    Source: Strand 5, School Visits (day visits in September, November, January, March and
    June for all schools). A visit still marked Planned after its month counts as missed
    and the detail says so (update the tracker if it took place).
    """
    slots = _minimum_slots(checks)
    if slots.empty:
        return _frame([])
    joined = _sip_visits_in_slots(checks, slots)
    keys = ["urn", "academic_year", "month"]
    held = joined.assign(_held=joined["status"] == "Held").groupby(keys)["_held"].any()
    missed = held[~held].index
    joined = joined.set_index(keys).loc[missed].reset_index() if len(missed) else joined.iloc[0:0]
    rows = []
    for (urn, year, month), g in joined.groupby(keys, sort=True):
        statuses = sorted(set(g["status"].dropna()))
        name = MONTH_NAMES[int(month) - 1]
        if statuses:
            why = f"a SIP visit is recorded but {' / '.join(statuses)}, not Held"
        else:
            why = "no SIP visit is recorded"
        rows.append({
            "kind": "missed_visit", "urn": urn, "school": checks.school(urn), "academic_year": year,
            "ref": f"{year} {name}", "due": g["last"].iloc[0], "actual": pd.NaT, "working_days_late": pd.NA,
            "detail": f"Minimum SIP visit for {name} {g['first'].iloc[0].year} missed: {why}.",
        })
    return _frame(rows)


def no_learning_walk(checks: _Checks) -> pd.DataFrame:
    """On-site minimum visits without the one-hour learning walk.

    Source: Strand 5 ("Each of these on-site visits must include a one-hour learning
    walk"). A month's minimum is met if any held on-site SIP visit in it had the walk;
    otherwise the first such visit is named.
    """
    v = checks.visits[(checks.visits["role"] == "SIP") & (checks.visits["status"] == "Held") & (checks.visits["mode"] == "On-site")
                      & (checks.visits["visit_start"] <= checks.as_of)]
    v = v[v["visit_start"].dt.month.isin(checks.policy.calendar.minimum_visit_months)]
    v = v.assign(_month=v["visit_start"].dt.month, _walk=v["learning_walk"].map(lambda w: w is True or w == True))  # noqa: E712
    keys = ["urn", "academic_year", "_month"]
    walked = v.groupby(keys)["_walk"].transform("any")
    v = v[~walked.astype(bool)]
    rows = []
    for (urn, year, month), g in v.groupby(keys, sort=True):
        r = g.sort_values("visit_start").iloc[0]
        recorded = "not recorded" if r["learning_walk"] is None or pd.isna(r["learning_walk"]) else "recorded as No"
        rows.append({
            "kind": "no_learning_walk", "urn": urn, "school": checks.school(urn), "academic_year": year,
            "ref": r["visit_id"], "due": r["visit_start"], "actual": r["visit_start"], "working_days_late": pd.NA,
            "detail": f"On-site minimum SIP visit on {_fmt(r['visit_start'])} ({MONTH_NAMES[int(month) - 1]}): learning walk "
                      f"{recorded}; each on-site minimum visit includes a {checks.policy.calendar.learning_walk_minutes}-minute learning walk.",
        })
    return _frame(rows)


# --------------------------------------------------------------------------- allocation


def agreed_designations(tracker: Tracker, year: AcademicYear) -> dict[int, str]:
    """Each school's latest agreed designation in ``year`` (or before it, if none yet).

    Source: Strand 4 (termly assessment, signed off by EIT); read from Assessments.
    """
    a = tracker.assessments
    a = a[a["agreed_designation"].notna()]
    if a.empty:
        return {}
    start_year = a["academic_year"].map(lambda y: AcademicYear.parse(str(y)).start_year)
    term = a["term"].map(lambda t: TERMS.index(str(t)))
    a = a.assign(_y=start_year, _t=term)
    a = a[a["_y"] <= year.start_year].sort_values(["_y", "_t"])
    last = a.groupby("urn")["agreed_designation"].last()
    return {int(u): str(d) for u, d in last.items()}


def latest_agreed_designation(tracker: Tracker, urn: int, year: AcademicYear) -> str | None:
    """One school's latest agreed designation for ``year`` (see ``agreed_designations``)."""
    return agreed_designations(tracker, year).get(urn)


def _visit_days(checks: _Checks, v: pd.DataFrame) -> pd.Series:
    """Days a visit used: the Days column, else its working days (start to end inclusive)."""
    counted = checks.cal.working_days(None).count_after(v["visit_start"] - pd.Timedelta(days=1), v["visit_last_day"])
    return v["days"].astype(float).where(v["days"].notna(), counted.astype(float))


def _term_of(checks: _Checks, dates: pd.Series) -> pd.Series:
    """The term a date falls in from the Term dates sheet (holidays go with the term before)."""
    td = checks.tracker.term_dates.dropna(subset=["start"]).sort_values("start")
    if td.empty:
        return dates.dt.month.map({m: TERMS[(ACADEMIC_MONTHS.index(m)) // 4] for m in range(1, 13)})
    starts = td["start"].to_numpy(dtype="datetime64[ns]")
    seasons = td["half_term"].map(lambda h: str(h).split()[0]).to_numpy()
    pos = np.searchsorted(starts, dates.to_numpy(dtype="datetime64[ns]"), side="right") - 1
    return pd.Series([seasons[p] if p >= 0 else "Autumn" for p in pos], index=dates.index)


def days_against_allocation(tracker: Tracker, year: AcademicYear | str, *, as_of: dt.date | None = None) -> pd.DataFrame:
    """SIP days (a year) and SIA days (a term, or a year) used against each school's allocation.

    Source: Strand 4 support table (policy ``[support]``) by the school's latest agreed
    designation for the year; days from held visits (Days column, else working days).
    """
    year = year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year))
    checks = _Checks(tracker, as_of or year.last_day, year)
    return _allocation_table(checks, year)


def _allocation_table(checks: _Checks, year: AcademicYear) -> pd.DataFrame:
    v = checks.visits
    v = v[(v["status"] == "Held") & (v["academic_year"] == year.label) & (v["visit_start"] <= checks.as_of)]
    v = v.assign(_days=_visit_days(checks, v), _term=_term_of(checks, v["visit_start"]))
    designations = agreed_designations(checks.tracker, year)
    sip_used = v[v["role"] == "SIP"].groupby("urn")["_days"].sum()
    sia = v[v["role"] == "SIA"]
    sia_used = sia.groupby("urn")["_days"].sum()
    sia_term = sia.groupby(["urn", "_term"])["_days"].sum()
    rows = []
    for urn, name in zip(checks.tracker.schools["urn"], checks.tracker.schools["name"], strict=True):
        designation = designations.get(int(urn))
        pkg = checks.policy.package(designation) if designation else None
        row = {
            "urn": urn, "school": name, "designation": designation,
            "sip_days_allocated": pkg.sip_days_per_year if pkg else np.nan,
            "sip_days_up_to": pkg.sip_days_up_to if pkg else None,
            "sip_days_used": float(sip_used.get(urn, 0.0)),
            "sia_days_allocated": pkg.sia_days if pkg else np.nan,
            "sia_days_per": pkg.sia_days_per if pkg else None,
            "sia_days_used": float(sia_used.get(urn, 0.0)),
        }
        for term in TERMS:
            row[f"sia_days_used_{term.lower()}"] = float(sia_term.get((urn, term), 0.0))
        rows.append(row)
    return pd.DataFrame(rows)


def allocation_findings(checks: _Checks) -> pd.DataFrame:
    """Schools using more SIP or SIA days than their designation allows, and (once the year
    is over) fewer SIP days than a fixed allocation promises (Strand 4 table)."""
    rows = []
    for year in _years_in_scope(checks):
        table = _allocation_table(checks, year)
        for _, r in table.iterrows():
            if r["designation"] is None:
                continue
            base = {"urn": r["urn"], "school": r["school"], "academic_year": year.label, "ref": f"{year.label} {r['designation']}",
                    "due": pd.NaT, "actual": pd.NaT, "working_days_late": pd.NA}
            if r["sip_days_used"] > r["sip_days_allocated"]:
                rows.append({**base, "kind": "sip_days_over",
                             "detail": f"{r['sip_days_used']:g} SIP days used against {'up to ' if r['sip_days_up_to'] else ''}"
                                       f"{r['sip_days_allocated']:g} for {r['designation']}."})
            elif (not r["sip_days_up_to"] and checks.as_of.date() > year.last_day and r["sip_days_used"] < r["sip_days_allocated"]):
                rows.append({**base, "kind": "sip_days_under",
                             "detail": f"{r['sip_days_used']:g} SIP days used against {r['sip_days_allocated']:g} for {r['designation']}."})
            if r["sia_days_per"] == "term":
                over = [t for t in TERMS if r[f"sia_days_used_{t.lower()}"] > r["sia_days_allocated"]]
                for t in over:
                    rows.append({**base, "kind": "sia_days_over", "ref": f"{year.label} {t}",
                                 "detail": f"{r[f'sia_days_used_{t.lower()}']:g} SIA days used in {t} against up to "
                                           f"{r['sia_days_allocated']:g} a term for {r['designation']}."})
            elif r["sia_days_used"] > r["sia_days_allocated"]:
                rows.append({**base, "kind": "sia_days_over",
                             "detail": f"{r['sia_days_used']:g} SIA days used against up to {r['sia_days_allocated']:g} a year "
                                       f"for {r['designation']}."})
    return _frame(rows)


# --------------------------------------------------------------------------- meetings


def off_rule_meetings(checks: _Checks) -> pd.DataFrame:
    """EIT not held the rule's days after its Progress Board round, and the Standards
    Committee not the rule's days after its EIT (Monitoring; DOMAIN.md Decision: 7 days
    after the last PB meeting of that month's round, moved to a working day).

    A round is the Progress Board meetings of one calendar month. Its EIT is the first EIT
    after the round's last PB and before the next round starts.
    """
    m = checks.tracker.meetings.assign(date=lambda d: pd.to_datetime(d["date"]))
    m = m[m["date"].notna() & (m["date"] <= checks.as_of)]
    pb = m[m["meeting_type"] == "Progress Board"]
    eits = m[m["meeting_type"] == "EIT"]["date"].sort_values().tolist()
    stds = m[m["meeting_type"] == "Standards Committee"]["date"].sort_values().tolist()
    if pb.empty:
        return _frame([])
    rounds = pb.groupby(pb["date"].dt.to_period("M"))["date"].agg(["min", "max"]).sort_index()
    rows = []
    policy = checks.policy.calendar
    bounds = list(rounds["min"].iloc[1:]) + [pd.Timestamp.max]
    for (period, r), nxt in zip(rounds.iterrows(), bounds, strict=True):
        label = f"{MONTH_NAMES[period.month - 1]} {period.year}"
        year = AcademicYear.of(period.start_time.date())
        if checks.year is not None and year != checks.year:
            continue
        expected = pd.Timestamp(eit_date(checks.policy, checks.cal, r["max"].date()))
        held = [d for d in eits if r["max"] < d < nxt]
        base = {"urn": pd.NA, "school": None, "academic_year": year.label, "due": expected}
        if not held:
            if expected < checks.as_of:
                rows.append({**base, "kind": "missing_meeting", "ref": f"EIT after {label} Progress Boards", "actual": pd.NaT,
                             "working_days_late": pd.NA,
                             "detail": f"No EIT recorded after the {label} Progress Board round (last PB {_fmt(r['max'])}); "
                                       f"the rule gives {_fmt(expected)}."})
            continue
        eit = held[0]
        if eit != expected:
            gap = (eit - r["max"]).days
            rows.append({**base, "kind": "off_rule_meeting", "ref": f"EIT {eit.date()}", "actual": eit,
                         "working_days_late": checks.cal.working_days(None).count_after(expected.date(), eit.date()),
                         "detail": f"EIT held {gap} days after the last Progress Board of the {label} round ({_fmt(r['max'])}); "
                                   f"the rule is {policy.eit_days_after_progress_board} days, i.e. {_fmt(expected)}."})
        s_expected = pd.Timestamp(standards_date(checks.policy, checks.cal, eit.date()))
        next_eit = next((d for d in eits if d > eit), pd.Timestamp.max)
        s_held = [d for d in stds if eit < d < next_eit]
        if not s_held:
            if s_expected < checks.as_of:
                rows.append({**base, "kind": "missing_meeting", "ref": f"Standards Committee after EIT {eit.date()}", "due": s_expected,
                             "actual": pd.NaT, "working_days_late": pd.NA,
                             "detail": f"No Standards Committee recorded after the EIT of {_fmt(eit)}; the rule gives {_fmt(s_expected)}."})
        elif s_held[0] != s_expected:
            gap = (s_held[0] - eit).days
            rows.append({**base, "kind": "off_rule_meeting", "ref": f"Standards Committee {s_held[0].date()}", "due": s_expected,
                         "actual": s_held[0], "working_days_late": checks.cal.working_days(None).count_after(s_expected.date(), s_held[0].date()),
                         "detail": f"Standards Committee held {gap} days after the EIT of {_fmt(eit)}; the rule is "
                                   f"{policy.standards_committee_days_after_eit} days, i.e. {_fmt(s_expected)}."})
    return _frame(rows)


def unrecorded_meetings(checks: _Checks) -> pd.DataFrame:
    """Progress Boards, EITs and Standards Committees the schedule expects but the Meetings
    sheet does not record, once their date has passed.

    Source: Monitoring (Progress Boards in September, January and May for all schools, and
    November, March and June for High risk schools; EIT a week after each round; the
    Standards Committee a week after EIT). A Progress Board is due by the end of its month
    (the strategy gives only the month). A round with no Progress Board recorded at all is
    invisible to ``off_rule_meetings``, so its EIT and Standards Committee are checked here,
    against the latest dates the rule allows: a week after the month's end, then a week after
    that EIT.
    """
    m = checks.tracker.meetings.assign(date=lambda d: pd.to_datetime(d["date"]))
    m = m[m["date"].notna()]
    recorded = {kind: sorted(g["date"].tolist()) for kind, g in m.groupby("meeting_type")}
    joined = dict(zip(checks.tracker.schools["urn"], checks.tracker.schools.get("date_joined", pd.Series(dtype=object)), strict=False))
    rows = []
    for year in _years_in_scope(checks):
        try:
            events = expected_meetings(checks.tracker, year)
        except InvalidInput:  # no term dates for the year: the validator warns about that
            continue
        boards = [e for e in events if e.kind == "progress_board"]
        rounds: dict[int, list] = {}
        for ev in boards:
            rounds.setdefault(ev.start.month, []).append(ev)
        starts = sorted(pd.Timestamp(year.month_date(mo, 1)) for mo in rounds)
        for ev in boards:
            month_end = pd.Timestamp(ev.start) + pd.offsets.MonthEnd(0)
            since = joined.get(ev.urn)
            if not ev.proposed or month_end >= checks.as_of.normalize() or (pd.notna(since) and pd.Timestamp(since) > month_end):
                continue
            name = f"{MONTH_NAMES[ev.start.month - 1]} {ev.start.year}"
            rows.append({
                "kind": "missing_meeting", "urn": ev.urn, "school": checks.school(ev.urn), "academic_year": year.label,
                "ref": f"Progress Board {name}", "due": month_end, "actual": pd.NaT, "working_days_late": pd.NA,
                "detail": f"No Progress Board recorded for {checks.school(ev.urn)} in {name}; the schedule expects one "
                          "(record its date on the Meetings sheet if it was held).",
            })
        for month, evs in rounds.items():
            if not all(e.proposed for e in evs):
                continue  # a round with a recorded Progress Board: off_rule_meetings checks its EIT
            first = pd.Timestamp(year.month_date(month, 1))
            later = [t for t in starts if t > first]
            nxt = later[0] if later else pd.Timestamp(year.last_day) + pd.Timedelta(days=1)
            name = MONTH_NAMES[month - 1]
            base = {"urn": pd.NA, "school": None, "academic_year": year.label, "actual": pd.NaT, "working_days_late": pd.NA}
            eits = [d for d in recorded.get("EIT", []) if first <= d < nxt]
            # Judged from the end of the round's month, when its Progress Boards were last due.
            round_end = (first + pd.offsets.MonthEnd(0)).date()
            eit_due = pd.Timestamp(eit_date(checks.policy, checks.cal, round_end))
            if not eits and eit_due < checks.as_of:
                rows.append({**base, "kind": "missing_meeting", "ref": f"EIT after {name} {first.year} Progress Boards",
                             "due": eit_due,
                             "detail": f"No Progress Board and no EIT recorded for the {name} {first.year} round; "
                                       f"the rule gives the EIT a week after the round, by {_fmt(eit_due)} at the latest."})
            eit = eits[0] if eits else eit_due
            sc_due = pd.Timestamp(standards_date(checks.policy, checks.cal, eit.date()))
            scs = [d for d in recorded.get("Standards Committee", []) if eit < d < nxt]
            if not scs and sc_due < checks.as_of:
                rows.append({**base, "kind": "missing_meeting", "ref": f"Standards Committee after {name} {first.year} EIT",
                             "due": sc_due,
                             "detail": f"No Standards Committee recorded after the {name} {first.year} round's EIT; "
                                       f"the rule gives {_fmt(sc_due)}."})
    return _frame(rows)


def planned_after_date(checks: _Checks) -> pd.DataFrame:
    """Visits still marked Planned after their last day.

    Source: DOMAIN.md (a visit is Planned, Held or Cancelled). A visit whose date has passed
    was either held or not: left Planned, its report and the minimum-visit checks cannot be
    judged, so the record needs updating.
    """
    v = checks.visits
    v = v[(v["status"] == "Planned") & v["visit_last_day"].notna() & (v["visit_last_day"] < checks.as_of.normalize())]
    rows = []
    for _, r in v.sort_values(["visit_last_day", "visit_id"]).iterrows():
        rows.append({
            "kind": "planned_after_date", "urn": r["urn"], "school": checks.school(r["urn"]), "academic_year": r["academic_year"],
            "ref": r["visit_id"], "due": r["visit_last_day"], "actual": pd.NaT, "working_days_late": pd.NA,
            "detail": f"{r['role']} visit {r['visit_id']} was planned for {_fmt(r['visit_start'])} and is still marked Planned: "
                      "record it as Held (with its report date) or Cancelled, or correct its date.",
        })
    return _frame(rows)


def missing_sheets(checks: _Checks) -> pd.DataFrame:
    """One finding per sheet the checks need that the tracker does not have: its checks
    were not made. Why: an absent Visits sheet must not read as "every visit missed"."""
    rows = []
    for key, what in (("visits", "visit reports, paperwork, minimum visits and SIP/SIA days"),
                      ("meetings", "Progress Boards, EITs and Standards Committees")):
        if key in checks.tracker.missing_sheets:
            title = sheet(key).title
            rows.append({"kind": "sheet_missing", "urn": pd.NA, "school": None, "academic_year": None, "ref": title,
                         "due": pd.NaT, "actual": pd.NaT, "working_days_late": pd.NA,
                         "detail": f"The tracker has no '{title}' sheet, so {what} were not checked."})
    return _frame(rows)


# Checks that count absences from one sheet are skipped when that sheet is missing.
NEEDS_SHEET = {"visits": ("late_reports", "missing_reports", "late_paperwork", "missed_visits", "no_learning_walk",
                          "allocation_findings", "planned_after_date"),
               "meetings": ("off_rule_meetings", "unrecorded_meetings")}


# --------------------------------------------------------------------------- entry points


CHECKS = (late_reports, missing_reports, late_paperwork, missed_visits, no_learning_walk, allocation_findings,
          planned_after_date, off_rule_meetings, unrecorded_meetings, missing_sheets)


def compliance(tracker: Tracker, *, as_of: dt.date, year: AcademicYear | str | None = None) -> pd.DataFrame:
    """All compliance findings on ``as_of`` (for one academic year, or every year up to it)."""
    year = None if year is None else (year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year)))
    checks = _Checks(tracker, as_of, year)
    skipped = {name for key, names in NEEDS_SHEET.items() if key in tracker.missing_sheets for name in names}
    frames = [check(checks) for check in CHECKS if check.__name__ not in skipped]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _frame([])
    out = pd.concat(frames, ignore_index=True)
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    out = out.assign(_k=out["kind"].map(order)).sort_values(["_k", "due", "urn", "ref"], na_position="last")
    return out.drop(columns="_k").reset_index(drop=True)


def compliance_summary(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts by kind (every kind listed, zero included), with a plain description."""
    counts = findings["kind"].value_counts() if not findings.empty else pd.Series(dtype=int)
    return pd.DataFrame(
        [{"kind": k, "description": d, "count": int(counts.get(k, 0))} for k, d in FINDING_KINDS.items()]
    )
