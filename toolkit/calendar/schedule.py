"""The trust's year, generated from the strategy's calendar rules.

Each rule below is a named function citing its source (Strand 5, Monitoring, Reporting and
Communication, and DOMAIN.md's Calendar rules). Rule values come from the policy. Where the
strategy gives only a month ("a day visit in September"), the date the tracker records is
used; until one is recorded the schedule *proposes* ``planning_day_of_month``, moved to a
school day, and says so in the event.

``build_schedule(tracker, "2026/27")`` returns a list of ``Event`` for every school and the
trust; ``toolkit.calendar.ics`` turns it into calendar files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from toolkit.calendar.terms import AcademicYear
from toolkit.calendar.workingdays import TrustCalendar, WorkingDays, term_dates_for
from toolkit.policy import Policy
from toolkit.tracker.model import Tracker
from toolkit.tracker.problems import Problem, ProblemReport
from toolkit.tracker.schema import TERMS, sheet

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
ACADEMIC_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)
TERM_OF_MONTH = {9: 0, 10: 0, 11: 0, 12: 0, 1: 1, 2: 1, 3: 1, 4: 1, 5: 2, 6: 2, 7: 2, 8: 2}


@dataclass(frozen=True)
class Event:
    """One entry in the calendar. ``end`` is inclusive; all events are all-day."""

    uid: str
    kind: str
    title: str
    start: dt.date
    end: dt.date
    urn: int | None = None
    description: str = ""
    deadline: bool = False
    recipients: tuple[str, ...] = ()
    proposed: bool = False  # the date is the rule's proposal, not yet in the tracker
    key: str = field(default="", compare=False)  # the identity the uid was made from


def event_uid(urn: int | None, kind: str, key: str) -> str:
    """A stable id from what the event *is* (school, kind, rule key), not when it falls.

    Re-importing a calendar then updates an event that moved rather than duplicating it.
    """
    ident = f"{urn if urn is not None else 'trust'}|{kind}|{key}"
    return hashlib.sha1(ident.encode("utf-8")).hexdigest()[:24]


def make_event(kind: str, key: str, title: str, start: dt.date, end: dt.date | None = None, *,
               urn: int | None = None, **kw: object) -> Event:
    return Event(uid=event_uid(urn, kind, key), kind=kind, title=title, start=start, end=end or start,
                 urn=urn, key=key, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- deadlines


def report_deadline(calendar: WorkingDays, visit_end: object, policy: Policy) -> object:
    """Visit report due ``report_working_days_after`` working days after the visit's END.

    Source: Reporting and Communication ("emailed ... within 3 working days of the
    conclusion of the visit"). Counting starts the day after the last day of the visit, so
    a two-day visit's deadline runs from its second day; an end on a non-working day counts
    from the next working day. Accepts a date or a column.
    """
    return calendar.after(visit_end, policy.calendar.report_working_days_after)


def paperwork_deadline(calendar: WorkingDays, visit_start: object, policy: Policy) -> object:
    """Last day the school's paperwork can reach the visitor before the visit.

    Source: Strand 5, School Visits ("any necessary paperwork must be emailed to the SIP at
    least 5 working days in advance of the visit").
    """
    return calendar.before(visit_start, policy.calendar.paperwork_working_days_before)


def report_recipients(policy: Policy, role: str) -> tuple[str, ...]:
    """Who receives a visit report, by the visitor's role (Reporting and Communication)."""
    return tuple(policy.reporting.recipients.get(role, ()))


def visit_end_dates(visits: pd.DataFrame) -> pd.Series:
    """A visit's last day: Visit end, or Visit start for a day visit left blank."""
    return visits["visit_end"].where(visits["visit_end"].notna(), visits["visit_start"])


def visit_deadlines(cal: TrustCalendar, visits: pd.DataFrame) -> pd.DataFrame:
    """Paperwork and report deadlines for every visit, computed column-wise.

    Schools with their own closure days (when the policy excludes closures) get their own
    calendar; every other visit is shifted in a single call.
    """
    policy = cal.policy
    out = pd.DataFrame(index=visits.index)
    out["visit_last_day"] = pd.to_datetime(visit_end_dates(visits))
    out["paperwork_due"] = pd.Series(pd.NaT, index=visits.index, dtype="datetime64[ns]")
    out["report_due"] = pd.Series(pd.NaT, index=visits.index, dtype="datetime64[ns]")
    if visits.empty:
        return out
    # One calendar object per distinct working-day calendar (shared unless own closures count).
    calendars = {u: cal.working_days(int(u)) for u in visits["urn"].dropna().unique()}
    keys = visits["urn"].map(lambda u: id(calendars[u]) if pd.notna(u) else id(cal.working_days(None)))
    for _, idx in visits.groupby(keys).groups.items():
        urn = visits.loc[idx[0], "urn"]
        wd = calendars[urn] if pd.notna(urn) else cal.working_days(None)
        out.loc[idx, "paperwork_due"] = paperwork_deadline(wd, pd.to_datetime(visits.loc[idx, "visit_start"]), policy)
        out.loc[idx, "report_due"] = report_deadline(wd, out.loc[idx, "visit_last_day"], policy)
    return out


def non_working_visit_problems(tracker: Tracker, cal: TrustCalendar | None = None) -> list[Problem]:
    """Warnings for visits entered on a non-working day (weekend or bank holiday).

    DOMAIN.md Decision: a date on a non-working day moves per the policy rule. A recorded
    visit is not moved (it happened when the tracker says); its report deadline still
    counts from the end date as entered, i.e. from the next working day. The warning asks
    the data manager to check the date.
    """
    cal = cal or TrustCalendar.from_tracker(tracker)
    visits = tracker.visits
    spec = sheet("visits")
    report = ProblemReport(tracker.file_name)
    if visits.empty:
        return []
    wd = cal.working_days(None)
    for key in ("visit_start", "visit_end"):
        dates = pd.to_datetime(visits[key])
        bad = dates.notna() & ~wd.is_working(dates).astype(bool)
        if key == "visit_end":  # a day visit's end repeats its start: one warning is enough
            bad &= dates != pd.to_datetime(visits["visit_start"])
        col = _column_letter(spec.keys.index(key))
        for i in visits.index[bad]:
            day = dates[i].date()
            moved = wd.roll(day)
            report.warning(
                f"Visit {visits.at[i, 'visit_id']}: {spec.column(key).header} {day:%a %d %b %Y} is not a working day. "
                f"Its deadlines count from it as entered (the {tracker.policy.calendar.non_working_day_rule} working day is {moved:%a %d %b %Y}).",
                "Check the date; if the visit was on another day, correct it.",
                sheet=spec.title, cell=f"{col}{int(visits.at[i, '_row'])}" if pd.notna(visits.at[i, "_row"]) else "",
                code="visit-on-non-working-day",
            )
    return report.problems


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --------------------------------------------------------------------------- designation


def designations_by_term(tracker: Tracker, year: AcademicYear) -> dict[int, dict[int, str | None]]:
    """The agreed designation in force for each school in each term of ``year``.

    The latest agreed designation at or before the term (Strand 4: assessed termly; EIT
    signs it off). A school with none yet has None. Read straight from Assessments.
    """
    a = tracker.assessments
    out: dict[int, dict[int, str | None]] = {int(u): {0: None, 1: None, 2: None} for u in tracker.schools["urn"].dropna()}
    if a.empty:
        return out
    a = a.dropna(subset=["agreed_designation"])
    order = a.apply(lambda r: (AcademicYear.parse(str(r["academic_year"])).start_year, TERMS.index(str(r["term"]))), axis=1) if len(a) else []
    a = a.assign(_order=list(order)).sort_values("_order")
    for urn, rows in a.groupby("urn"):
        terms = list(zip(rows["_order"], rows["agreed_designation"], strict=True))
        per = out.setdefault(int(urn), {0: None, 1: None, 2: None})
        for ti in range(3):
            at = (year.start_year, ti)
            current = [d for o, d in terms if o <= at]
            per[ti] = current[-1] if current else None
    return out


# --------------------------------------------------------------------------- context


@dataclass
class _Context:
    tracker: Tracker
    year: AcademicYear
    cal: TrustCalendar
    halves: pd.DataFrame
    designations: dict[int, dict[int, str | None]]
    visits: pd.DataFrame
    meetings: pd.DataFrame
    _proposed: dict[tuple[int, int], dt.date] = field(default_factory=dict)
    _deadlines: dict[tuple[int, str, dt.date], dt.date] = field(default_factory=dict)
    _visits_by_urn: dict[int, list[dict]] = field(default_factory=dict)
    _meeting_index: dict[tuple[str, int | None, int], dt.date] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Index once: per-school DataFrame filtering inside the loop is what makes a naive
        # schedule slow. Visits become plain records carrying their (column-computed) deadlines.
        v = self.visits
        if len(v):
            d = visit_deadlines(self.cal, v)
            recs = pd.DataFrame({
                "visit_id": v["visit_id"].astype(str), "urn": v["urn"].astype(int), "role": v["role"].astype(str),
                "status": v["status"], "mode": v["mode"],
                "start": v["visit_start"].dt.date, "end": d["visit_last_day"].dt.date,
                "paperwork_due": d["paperwork_due"].dt.date, "report_due": d["report_due"].dt.date,
            }).sort_values(["start", "visit_id"]).to_dict("records")
            for r in recs:
                self._visits_by_urn.setdefault(r["urn"], []).append(r)
        m = self.meetings
        for kind, urn, day in zip(m["meeting_type"], m["urn"], m["date"], strict=True):
            key = (str(kind), None if pd.isna(urn) else int(urn), int(day.month))
            d = day.date()
            if key not in self._meeting_index or d < self._meeting_index[key]:
                self._meeting_index[key] = d

    @property
    def policy(self) -> Policy:
        return self.tracker.policy

    def visits_of(self, urn: int) -> list[dict]:
        """The school's visits this year as records, in date order."""
        return self._visits_by_urn.get(urn, [])

    def proposed_date(self, month: int, urn: int | None = None, *, school_day: bool = True) -> dt.date:
        """The rule's proposed date in ``month``: the planning day, moved to a school day."""
        wd = self.cal.working_days(urn, school_days=school_day)
        key = (id(wd), month)
        if key not in self._proposed:
            nominal = self.year.month_date(month, self.policy.calendar.planning_day_of_month)
            self._proposed[key] = wd.roll(nominal)
        return self._proposed[key]

    def deadline(self, urn: int, which: str, day: dt.date) -> dt.date:
        """A paperwork or report deadline for one date, cached per calendar."""
        wd = self.cal.working_days(urn)
        key = (id(wd), which, day)
        if key not in self._deadlines:
            rule = paperwork_deadline if which == "paperwork" else report_deadline
            self._deadlines[key] = rule(wd, day, self.policy)
        return self._deadlines[key]

    def in_month(self, dates: pd.Series, month: int) -> pd.Series:
        first = pd.Timestamp(self.year.month_date(month, 1))
        return (dates >= first) & (dates < first + pd.offsets.MonthBegin(1))

    def recorded_meeting(self, kind: str, month: int, urn: int | None) -> dt.date | None:
        """The first meeting of ``kind`` the tracker records in ``month`` (this academic year)."""
        return self._meeting_index.get((kind, urn, month))


def _fmt(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


# --------------------------------------------------------------------------- visit rules


def minimum_sip_visits(ctx: _Context, urn: int) -> list[tuple[Event, dict | None]]:
    """Five minimum SIP day visits: September, November (with the Headteacher's appraisal),
    January, March and June, each on-site visit with a one-hour learning walk.

    Source: Strand 5, School Visits ("The minimum, for all schools, irrespective of
    designation"). Policy: ``calendar.minimum_visit_months``, ``appraisal_visit_month``,
    ``learning_walk_minutes``.
    """
    cal = ctx.policy.calendar
    sip = [r for r in ctx.visits_of(urn) if r["role"] == "SIP"]
    out: list[tuple[Event, dict | None]] = []
    for month in cal.minimum_visit_months:
        booked = [r for r in sip if r["start"].month == month]
        name = MONTH_NAMES[month - 1]
        title = f"SIP minimum visit ({name})"
        notes = [f"Minimum SIP day visit for {name} (Strand 5)."]
        if month == cal.appraisal_visit_month:
            title += " with Headteacher's appraisal"
            notes.append("Includes the appraisal of the Headteacher.")
        notes.append(f"Each on-site visit includes a {cal.learning_walk_minutes}-minute learning walk.")
        key = f"{ctx.year.label}|{month:02d}"
        if not booked:
            day = ctx.proposed_date(month, urn)
            notes.append("Proposed date: not yet booked in the tracker.")
            ev = make_event("sip_minimum_visit", key, f"Proposed: {title}", day, urn=urn,
                            description=" ".join(notes), proposed=True)
            out.append((ev, None))
        else:
            row = booked[0]
            notes.append(f"Visit {row['visit_id']} ({row['status']}, {row['mode'] or 'mode not recorded'}).")
            ev = make_event("sip_minimum_visit", key, title, row["start"], row["end"], urn=urn, description=" ".join(notes))
            out.append((ev, row))
    return out


def extra_sip_visits(ctx: _Context, urn: int, used: set[str]) -> list[tuple[Event, dict]]:
    """SIP visits beyond the minimum, up to the designation's SIP days (Strand 4 table;
    Strand 5: "requests for extra visits can be made ... through the Deputy CEO")."""
    out = []
    for row in ctx.visits_of(urn):
        if row["role"] != "SIP" or row["visit_id"] in used:
            continue
        ev = make_event("sip_extra_visit", row["visit_id"], "SIP visit (extra day)", row["start"], row["end"], urn=urn,
                        description=f"Extra SIP visit {row['visit_id']} ({row['status']}), within the designation's SIP days.")
        out.append((ev, row))
    return out


def other_visits(ctx: _Context, urn: int) -> list[tuple[Event, dict]]:
    """Visits by SIA, LSIP, SLE and others recorded in the tracker (Reporting and
    Communication: each needs a report to the Deputy CEO / CEO)."""
    out = []
    for row in ctx.visits_of(urn):
        if row["role"] == "SIP":
            continue
        ev = make_event("visit", row["visit_id"], f"{row['role']} visit", row["start"], row["end"], urn=urn,
                        description=f"{row['role']} visit {row['visit_id']} ({row['status']}).")
        out.append((ev, row))
    return out


def sip_allocation(ctx: _Context, urn: int) -> Event | None:
    """The school's SIP and SIA days for the year by its designation (Strand 4 table):
    the five minimum visits plus extra days up to the allocation."""
    designation = ctx.designations.get(urn, {}).get(0) or ctx.designations.get(urn, {}).get(2)
    start = ctx.halves["start"].iloc[0].date()
    if designation is None:
        return make_event("allocation", ctx.year.label, "SIP days: no agreed designation yet", start, urn=urn,
                          description="No agreed designation in the Assessments sheet, so the SIP and SIA allocation is unknown.")
    pkg = ctx.policy.package(designation)
    minimum = len(ctx.policy.calendar.minimum_visit_months)
    extra = max(pkg.sip_days_per_year - minimum, 0)
    upto = "up to " if pkg.sip_days_up_to else ""
    sia = f"SIA days: up to {pkg.sia_days:g} a {pkg.sia_days_per}." if pkg.sia_days else "No SIA days."
    return make_event(
        "allocation", ctx.year.label, f"SIP days {ctx.year.label}: {upto}{pkg.sip_days_per_year:g} ({designation})", start, urn=urn,
        description=f"Designation {designation} ({ctx.policy.risk(designation)}). SIP days {upto}{pkg.sip_days_per_year:g}: "
                    f"{minimum} minimum visits plus up to {extra:g} extra days. {sia}",
    )


def around_visit(ctx: _Context, urn: int, visit: Event, row: dict | None, role: str) -> list[Event]:
    """Around each visit: the agenda window (the half term before), the paperwork deadline
    and the report deadline with its recipients.

    Source: Strand 5, School Visits (agendas "during the half term before the visits";
    paperwork "at least 5 working days in advance") and Reporting and Communication
    (report "within 3 working days of the conclusion of the visit", recipients by role).
    """
    policy = ctx.policy
    out: list[Event] = []
    base = visit.key
    kind_key = f"{visit.kind}|{base}"
    if role == "SIP":
        before = ctx.cal.half_term_before(visit.start)
        if before:
            label, s, e = before
            out.append(make_event("agenda_window", kind_key, f"Issue agenda for {visit.title.removeprefix('Proposed: ')}", s, e,
                                  urn=urn, deadline=True, proposed=visit.proposed,
                                  description=f"Agendas are issued to the SIP and Headteacher during the half term before the visit ({label}); visit on {_fmt(visit.start)}."))
    if row is not None:
        paper_due, report_due = row["paperwork_due"], row["report_due"]
    else:
        paper_due = ctx.deadline(urn, "paperwork", visit.start)
        report_due = ctx.deadline(urn, "report", visit.end)
    if role in policy.calendar.paperwork_roles:
        out.append(make_event("paperwork_deadline", kind_key, f"Paperwork to the {role} for the visit on {_fmt(visit.start)}",
                              paper_due, urn=urn, deadline=True, proposed=visit.proposed,
                              description=f"Paperwork must reach the {role} at least {policy.calendar.paperwork_working_days_before} working days before the visit."))
    if role in policy.calendar.visit_report_roles:
        recipients = report_recipients(policy, role)
        out.append(make_event("report_deadline", kind_key, f"{role} visit report due", report_due, urn=urn, deadline=True,
                              recipients=recipients, proposed=visit.proposed,
                              description=f"Report on the visit ending {_fmt(visit.end)} to {', '.join(recipients)} within "
                                          f"{policy.calendar.report_working_days_after} working days (Appendix D template)."))
    return out


# --------------------------------------------------------------------------- meeting rules


def progress_board_months(ctx: _Context, urn: int) -> list[int]:
    """Progress Board months for a school: all schools in the policy's months; High risk
    schools also in theirs (Monitoring: "September, January and May ... 'High risk' schools
    will also be held in November, March and June"). Risk is the designation in force in
    that month's term."""
    cal = ctx.policy.calendar
    months = set(cal.progress_board_months_all)
    for m in cal.progress_board_months_high_risk:
        if ctx.policy.is_high_risk(ctx.designations.get(urn, {}).get(TERM_OF_MONTH[m])):
            months.add(m)
    return sorted(months, key=ACADEMIC_MONTHS.index)


def progress_boards(ctx: _Context, urns: Iterable[int]) -> list[Event]:
    """Each school's Progress Board meetings; the first of the year considers the annual
    scrutiny of KS2, GCSE and A-level outcomes (Monitoring; Appendix B)."""
    out = []
    for urn in urns:
        for i, month in enumerate(progress_board_months(ctx, urn)):
            day = ctx.recorded_meeting("Progress Board", month, urn)
            proposed = day is None
            day = day or ctx.proposed_date(month, urn)
            note = " First meeting of the year: annual scrutiny of KS2, GCSE and A-level outcomes." if i == 0 else ""
            out.append(make_event("progress_board", f"{ctx.year.label}|{month:02d}",
                                  f"{'Proposed: ' if proposed else ''}Progress Board ({MONTH_NAMES[month - 1]})", day, urn=urn,
                                  proposed=proposed, description=f"Progress Board reviews designation, targets, support and SDP delivery.{note}"))
    return out


def eit_date(policy: Policy, cal: TrustCalendar, last_progress_board: dt.date) -> dt.date:
    """EIT meets ``eit_days_after_progress_board`` days after the last Progress Board of
    the round, moved to a working day by the policy rule (Monitoring: "one week after the
    Progress Board meetings"; DOMAIN.md Decision: 7 days after the last PB meeting)."""
    day = last_progress_board + dt.timedelta(days=policy.calendar.eit_days_after_progress_board)
    return cal.working_days(None).roll(day)


def standards_date(policy: Policy, cal: TrustCalendar, eit: dt.date) -> dt.date:
    """Standards Committee meets ``standards_committee_days_after_eit`` days after EIT,
    moved to a working day (Monitoring: "one week after the EIT meetings")."""
    day = eit + dt.timedelta(days=policy.calendar.standards_committee_days_after_eit)
    return cal.working_days(None).roll(day)


def eit_and_standards(ctx: _Context, boards: list[Event]) -> list[Event]:
    """EIT after each Progress Board round, with the duties of its first and penultimate
    meetings of the year, and the Standards Committee after each EIT (Monitoring; Appendix C)."""
    rounds: dict[int, dt.date] = {}
    for ev in boards:
        m = ev.start.month
        rounds[m] = max(rounds.get(m, ev.start), ev.start)
    months = sorted(rounds, key=ACADEMIC_MONTHS.index)
    out = []
    for i, month in enumerate(months):
        rule = eit_date(ctx.policy, ctx.cal, rounds[month])
        recorded = ctx.recorded_meeting("EIT", rule.month, None)
        eit = recorded if recorded and recorded >= rounds[month] else rule
        duties = "Evaluates progress across the trust from the Progress Board minutes."
        if i == 0:
            duties += (" First EIT of the year: considers the annual scrutiny of KS2, GCSE and A-level outcomes, then finalises "
                       "risk assessments, designations, targets and support packages.")
        if i == len(months) - 2:
            duties += (" Penultimate EIT of the year: sets next year's targets and the key lines of enquiry, steers the SIP "
                       "visit agendas, and drafts support packages.")
        if eit != rule:
            duties += f" The rule date was {_fmt(rule)}."
        key = f"{ctx.year.label}|{month:02d}"
        name = MONTH_NAMES[month - 1]
        out.append(make_event("eit", key, f"EIT after the {name} Progress Boards", eit, description=duties))
        srule = standards_date(ctx.policy, ctx.cal, eit)
        srec = ctx.recorded_meeting("Standards Committee", srule.month, None)
        sday = srec if srec and srec > eit else srule
        out.append(make_event("standards_committee", key, f"Standards Committee after the {name} EIT", sday,
                              description="Scrutinises the outcomes of the Progress Board and EIT meetings."))
    return out


def lsip_training(ctx: _Context) -> list[Event]:
    """LSIP trains the SIPs in October and June (Strand 5, Lead School Improvement Partner)."""
    out = []
    for month in ctx.policy.calendar.lsip_training_months:
        day = ctx.recorded_meeting("LSIP training", month, None)
        proposed = day is None
        day = day or ctx.proposed_date(month, None, school_day=False)
        out.append(make_event("lsip_training", f"{ctx.year.label}|{month:02d}", "LSIP training for SIPs", day,
                              proposed=proposed, description="The LSIP leads the training of the SIPs."))
    return out


def term_months(ctx: _Context) -> list[int]:
    """Months of the academic year with at least one term day."""
    months = []
    for month in ACADEMIC_MONTHS:
        first = pd.Timestamp(ctx.year.month_date(month, 1))
        last = first + pd.offsets.MonthEnd(0)
        if ((ctx.halves["start"] <= last) & (ctx.halves["end"] >= first)).any():
            months.append(month)
    return months


def sit_meetings(ctx: _Context) -> list[Event]:
    """The Deputy CEO chairs a monthly remote SIT meeting (Reporting and Communication);
    and reports to the CEO monthly on each school (Strand 4: "report ... to the CEO monthly")."""
    out = []
    for month in term_months(ctx):
        day = ctx.recorded_meeting("SIT meeting", month, None)
        proposed = day is None
        day = day or ctx.proposed_date(month, None, school_day=False)
        key = f"{ctx.year.label}|{month:02d}"
        out.append(make_event("sit_meeting", key, "SIT meeting (remote, chaired by the Deputy CEO)", day, proposed=proposed,
                              description="Reviews and evaluates the SIT's work in each school."))
        last = ctx.cal.working_days(None).roll((pd.Timestamp(ctx.year.month_date(month, 1)) + pd.offsets.MonthEnd(0)).date(), "previous")
        out.append(make_event("ceo_report", key, "Deputy CEO monthly report to the CEO", last, deadline=True, recipients=("CEO",),
                              description="Actions and impact of each school's tailored plan (Strand 4)."))
    return out


def deputy_ceo_reports(ctx: _Context, urn: int) -> list[Event]:
    """The Deputy CEO reports each school's actions and impact to its Progress Board, the
    Executive Team and the Trust Board committee each half term (High risk) or each term
    (Some and Low risk). Source: Strand 4; policy ``reporting.cadence``. Due on the last
    day of the half term / term."""
    out = []
    for _, row in ctx.halves.iterrows():
        term = TERMS.index(str(row["half_term"]).split()[0])
        designation = ctx.designations.get(urn, {}).get(term)
        risk = ctx.policy.risk(designation) if designation else "Low risk"
        cadence = ctx.policy.reporting.cadence[risk]
        if cadence == "termly" and not str(row["half_term"]).endswith("2"):
            continue
        day = ctx.cal.working_days(urn).roll(row["end"].date(), "previous")
        out.append(make_event("deputy_ceo_report", f"{ctx.year.label}|{row['half_term']}",
                              f"Deputy CEO report ({cadence}, {row['half_term']})", day, urn=urn, deadline=True,
                              recipients=("Progress Board", "Executive Team", "Standards Committee"),
                              description=f"{risk}: the Deputy CEO reports actions and impact {cadence}."))
    return out


def annual_reviews(ctx: _Context, urn: int) -> list[Event]:
    """Reviews across all schools: pupil premium reviews, safeguarding audits and termly
    governor reviews with an external adviser (Monitoring). The strategy gives no months;
    the policy does."""
    cal = ctx.policy.calendar
    out = []
    for kind, meeting, months, title in (
        ("pupil_premium_review", "Pupil premium review", cal.pupil_premium_review_months, "Pupil premium review"),
        ("safeguarding_audit", "Safeguarding audit", cal.safeguarding_audit_months, "Safeguarding audit"),
        ("governor_review", "Governor review", cal.governor_review_months, "Governor review with external adviser"),
    ):
        for month in months:
            day = ctx.recorded_meeting(meeting, month, urn)
            proposed = day is None
            day = day or ctx.proposed_date(month, urn)
            out.append(make_event(kind, f"{ctx.year.label}|{month:02d}", f"{'Proposed: ' if proposed else ''}{title}", day,
                                  urn=urn, proposed=proposed, description=f"{title} ({MONTH_NAMES[month - 1]})."))
    return out


# --------------------------------------------------------------------------- the schedule


def build_schedule(tracker: Tracker, year: AcademicYear | str, *, urns: Iterable[int] | None = None) -> list[Event]:
    """Every event of the academic year for the trust and each school, sorted by date.

    Raises ``InvalidInput`` naming the Term dates sheet when the year's term dates are missing.
    """
    year = year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year))
    ctx = _context(tracker, year)
    all_urns = [int(u) for u in tracker.schools["urn"].dropna()] if urns is None else [int(u) for u in urns]

    events: list[Event] = []
    for urn in all_urns:
        minimum = minimum_sip_visits(ctx, urn)
        used = {str(r["visit_id"]) for _, r in minimum if r is not None}
        alloc = sip_allocation(ctx, urn)
        if alloc:
            events.append(alloc)
        for ev, row in minimum:
            events.append(ev)
            events.extend(around_visit(ctx, urn, ev, row, "SIP"))
        for ev, row in extra_sip_visits(ctx, urn, used):
            events.append(ev)
            events.extend(around_visit(ctx, urn, ev, row, "SIP"))
        for ev, row in other_visits(ctx, urn):
            events.append(ev)
            events.extend(around_visit(ctx, urn, ev, row, row["role"]))
        events.extend(deputy_ceo_reports(ctx, urn))
        events.extend(annual_reviews(ctx, urn))
    boards = progress_boards(ctx, all_urns)
    events.extend(boards)
    events.extend(eit_and_standards(ctx, boards))
    events.extend(lsip_training(ctx))
    events.extend(sit_meetings(ctx))
    events.sort(key=lambda e: (e.start, e.urn or 0, e.kind, e.key))
    return events


def expected_meetings(tracker: Tracker, year: AcademicYear | str) -> list[Event]:
    """The year's Progress Boards (every school), EITs and Standards Committees as the
    schedule expects them: recorded dates where the tracker has them, else ``proposed``.

    Compliance uses it to find the meetings the tracker does not record. Raises
    ``InvalidInput`` when the year has no term dates, like ``build_schedule``.
    """
    year = year if isinstance(year, AcademicYear) else AcademicYear.parse(str(year))
    ctx = _context(tracker, year)
    boards = progress_boards(ctx, [int(u) for u in tracker.schools["urn"].dropna()])
    return boards + eit_and_standards(ctx, boards)


def _context(tracker: Tracker, year: AcademicYear) -> _Context:
    """The year's inputs for the rules, indexed once."""
    halves = term_dates_for(tracker.term_dates, year, file=tracker.file_name)
    cal = TrustCalendar.from_tracker(tracker)
    visits = tracker.visits.assign(visit_start=lambda d: pd.to_datetime(d["visit_start"]),
                                   visit_end=lambda d: pd.to_datetime(d["visit_end"]))
    visits = visits[visits["visit_start"].notna() & (visits["status"] != "Cancelled")]
    first, last = pd.Timestamp(year.first_day), pd.Timestamp(year.last_day)
    visits = visits[(visits["visit_start"] >= first) & (visits["visit_start"] <= last)]
    meetings = tracker.meetings.assign(date=lambda d: pd.to_datetime(d["date"]))
    meetings = meetings[meetings["date"].notna() & (meetings["date"] >= first) & (meetings["date"] <= last)]
    return _Context(tracker, year, cal, halves, designations_by_term(tracker, year), visits, meetings)


def school_events(events: Iterable[Event], urn: int) -> list[Event]:
    """A school's own events plus the trust meetings it feeds (EIT, Standards Committee)."""
    return [e for e in events if e.urn == urn or (e.urn is None and e.kind in {"eit", "standards_committee"})]


def schedule_frame(events: Iterable[Event]) -> pd.DataFrame:
    """The schedule as a table (for notebooks and CSV)."""
    rows = [
        {"date": pd.Timestamp(e.start), "end": pd.Timestamp(e.end), "kind": e.kind, "title": e.title, "urn": e.urn,
         "deadline": e.deadline, "proposed": e.proposed, "recipients": ", ".join(e.recipients), "uid": e.uid}
        for e in events
    ]
    return pd.DataFrame(rows, columns=["date", "end", "kind", "title", "urn", "deadline", "proposed", "recipients", "uid"])


def upcoming_deadlines(events: Iterable[Event], as_of: dt.date, days: int = 28) -> pd.DataFrame:
    """Deadlines from ``as_of`` to ``days`` later, soonest first."""
    df = schedule_frame(e for e in events if e.deadline)
    start, stop = pd.Timestamp(as_of), pd.Timestamp(as_of) + pd.Timedelta(days=days)
    return df[(df["end"] >= start) & (df["date"] <= stop)].sort_values(["date", "urn"]).reset_index(drop=True)


__all__ = [
    "Event", "build_schedule", "designations_by_term", "eit_date", "event_uid", "make_event",
    "non_working_visit_problems", "paperwork_deadline", "report_deadline", "report_recipients", "schedule_frame",
    "school_events", "standards_date", "upcoming_deadlines", "visit_deadlines",
]


def deadline_table(events: Iterable[Event], as_of: dt.date, names: dict[int, str], days: int = 28) -> pd.DataFrame:
    """Upcoming deadlines as people read them: date, school, what, who it goes to."""
    up = upcoming_deadlines(events, as_of, days)
    return pd.DataFrame({
        "Due": [f"{d:%a} {d.day} {d:%b %Y}" if e == d else f"{d:%d %b} to {e:%d %b %Y}" for d, e in zip(up["date"], up["end"], strict=True)],
        "School": [names.get(int(u), f"URN {int(u)}") if pd.notna(u) else "Trust" for u in up["urn"]],
        "Deadline": up["title"].str.removeprefix("Proposed: "),
        "Send to": up["recipients"],
        "Proposed date": ["Yes (not yet booked)" if p else "No" for p in up["proposed"]],
    })
