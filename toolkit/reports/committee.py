"""The data behind the Progress Board pack, the LSIP summary and the Standards Committee report.

The notebooks only lay these tables out; every choice of what a body receives lives here,
with its source:

- Progress Board (Appendix B, terms of reference): designation, targets and support
  package (review), delivery of the school development plan (monitor), attainment of
  groups of students (monitor), progress, impact and risk from reports (review), and the
  SIT's work (oversee) -> ``pb_*`` functions.
- LSIP summary (Strand 5: "The Lead School Improvement Partner will summarise the reports
  from the individual School Improvement Partners for the subsequent meeting of the
  Education Improvement Team"; Appendix C) -> ``lsip_*`` functions.
- Standards Committee (DOMAIN.md "Reports the toolkit produces") -> ``standards_*``.

Committee reports carry aggregates only (DOMAIN.md "Data that must be handled with
care"): school-level figures, with any figure for fewer than ``suppression.min_group_size``
pupils shown as suppressed (never 0), and no pupil-level rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from toolkit.calendar.terms import Term
from toolkit.privacy.suppression import SUPPRESSED, Gate
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import benchmark_phases
from toolkit.tracker.schema import MEASURE_INFO

ALL = "All pupils"
PROGRESS_BOARD = "Progress Board"
EIT = "EIT"
STANDARDS = "Standards Committee"
RAG_ORDER = ("Red", "Amber", "Green", "Complete")
# Key measures the Standards Committee sees per school (All pupils), by key stage.
HEADLINE_MEASURES = {
    "KS2": ("RWM expected standard %", "Reading progress", "Maths progress"),
    "KS4": ("Progress 8", "Attainment 8", "English and maths 4+ %"),
    "16-18": ("A level value added",),
}
ATTENDANCE_MEASURES = (
    ("attendance_pct", "Attendance %"),
    ("persistent_absence_pct", "Persistent absence %"),
    ("suspensions", "Suspensions"),
)


def _term(term: str | Term) -> Term:
    return term if isinstance(term, Term) else Term.parse(str(term))


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return pd.Timestamp(value).date()


def _fmt_date(value: object) -> str:
    d = _date(value)
    return f"{d.day} {d:%b %Y}" if d else ""


def _num(value: object) -> float | None:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(f) else f


# --------------------------------------------------------------------------- term and meetings


def term_window(tracker: Tracker, term: str | Term) -> tuple[dt.date, dt.date]:
    """First and last day of a term: from the Term dates sheet (first half term's start to the
    second's end), else the calendar months of the term (Sep-Dec, Jan-Apr, May-Aug)."""
    t = _term(term)
    td = tracker.term_dates
    rows = td.loc[
        (td["academic_year"] == t.year.label) & td["half_term"].astype(str).str.startswith(t.season)
    ]
    starts, ends = rows["start"].dropna(), rows["end"].dropna()
    if len(starts) and len(ends):
        return pd.Timestamp(starts.min()).date(), pd.Timestamp(ends.max()).date()
    first_month, last_month = {"Autumn": (9, 12), "Spring": (1, 4), "Summer": (5, 8)}[t.season]
    last = t.year.month_date(last_month, 28) + dt.timedelta(days=4)
    return t.year.month_date(first_month, 1), last - dt.timedelta(days=last.day)


def meetings_in_term(
    tracker: Tracker, term: str | Term, kind: str, urn: int | None = None
) -> list[dt.date]:
    """Dates of the meetings of ``kind`` (for a school, when ``urn``) within the term, in order."""
    start, end = term_window(tracker, term)
    m = tracker.meetings
    rows = m.loc[m["meeting_type"] == kind]
    if urn is not None:
        rows = rows.loc[rows["urn"] == urn]
    dates = sorted({d for d in (_date(v) for v in rows["date"]) if d and start <= d <= end})
    return dates


def meeting_for(
    tracker: Tracker, term: str | Term, kind: str, as_of: dt.date, urn: int | None = None
) -> dt.date | None:
    """The meeting a paper is for: the next one in the term on or after ``as_of``, else the
    latest one held in the term, else None (no meeting recorded)."""
    dates = meetings_in_term(tracker, term, kind, urn)
    upcoming = [d for d in dates if d >= as_of]
    if upcoming:
        return upcoming[0]
    return dates[-1] if dates else None


def previous_meeting(
    tracker: Tracker, kind: str, before: dt.date, urn: int | None = None
) -> dt.date | None:
    """The latest meeting of ``kind`` strictly before ``before`` (any term)."""
    m = tracker.meetings
    rows = m.loc[m["meeting_type"] == kind]
    if urn is not None:
        rows = rows.loc[rows["urn"] == urn]
    dates = [d for d in (_date(v) for v in rows["date"]) if d and d < before]
    return max(dates) if dates else None


# --------------------------------------------------------------------------- suppression


def suppress_small(value: object, cohort: object, minimum: int) -> object:
    """A figure for fewer than ``minimum`` pupils (or whose cohort is withheld) is suppressed.

    DOMAIN.md "Data that must be handled with care": shown as suppressed, never 0. A blank
    figure stays blank ("no data"), which is different from suppressed.
    """
    return Gate(minimum).figure(value, cohort)


# --------------------------------------------------------------------------- Progress Board pack


def pb_targets(tracker: Tracker, urn: int, term: str | Term) -> pd.DataFrame:
    """The school's targets for the year beside its latest result and the national figure
    (Appendix B: "Review the designation, targets for the academic year ...").

    Latest results are the previous academic year's (published after the year ends); a
    result for fewer pupils than the suppression minimum is shown as suppressed.
    """

    t = _term(term)
    minimum = tracker.policy.suppression.min_group_size
    gate = Gate.of(tracker.policy)
    tg = tracker.targets
    rows = tg.loc[(tg["urn"] == urn) & (tg["academic_year"] == t.year.label)]
    phase = tracker.phase(urn)
    o, a = tracker.outcomes, tracker.attendance
    prev_year = Term(t.year, 0).previous().year.label
    out = []
    for r in rows.to_dict("records"):
        measure, group = str(r["measure"]), str(r["pupil_group"])
        info = MEASURE_INFO.get(measure, {"key_stage": None})
        latest: object = None
        if info["key_stage"] != "All":  # an outcome measure (KS2, KS4, 16-18)
            hit = o.loc[
                (o["urn"] == urn)
                & (o["measure"] == measure)
                & (o["pupil_group"] == group)
                & (o["academic_year"] == prev_year)
            ]
            if len(hit):
                latest = suppress_small(hit["value"].iloc[0], hit["cohort"].iloc[0], minimum)
                # complementary: the groups table shows the same year's groups beside All pupils
                peers = o.loc[(o["urn"] == urn) & (o["measure"] == measure) & (o["academic_year"] == prev_year)]
                if group in gate.groups_of(peers, "value"):
                    latest = SUPPRESSED
        else:
            col = {
                "Attendance %": "attendance_pct",
                "Persistent absence %": "persistent_absence_pct",
                "Severe absence %": "severe_absence_pct",
            }.get(measure)
            if col:
                hit = a.loc[
                    (a["urn"] == urn)
                    & (a["pupil_group"] == group)
                    & (a["academic_year"] == t.year.label)
                    & (a["term"] == t.season)
                ]
                if len(hit):
                    peers = a.loc[(a["urn"] == urn) & (a["academic_year"] == t.year.label) & (a["term"] == t.season)]
                    latest = gate.attendance_groups(peers, col).get(group)
        nat = tracker.national_figure(prev_year if info["key_stage"] != "All" else t.year.label,
            benchmark_phases(phase, info["key_stage"]),
            measure,
            group,
        )
        out.append(
            {
                "Measure": measure,
                "Pupil group": group,
                "Target": _num(r["target"]),
                "Latest": latest,
                "National": nat[0] if nat else None,
            }
        )
    return pd.DataFrame(out, columns=["Measure", "Pupil group", "Target", "Latest", "National"])


def pb_deployments(tracker: Tracker, urn: int, term: str | Term) -> pd.DataFrame:
    """Who the School Improvement Team deployed to the school this term, days planned and used."""
    t = _term(term)
    d = tracker.deployments
    rows = d.loc[(d["urn"] == urn) & (d["academic_year"] == t.year.label) & (d["term"] == t.season)]
    out = rows[["role", "person", "days_planned", "days_used"]].rename(
        columns={
            "role": "Role",
            "person": "Person",
            "days_planned": "Days planned",
            "days_used": "Days used",
        }
    )
    return out.sort_values(["Role", "Person"]).reset_index(drop=True)


def pb_sdp(
    tracker: Tracker, urn: int, term: str | Term, as_of: dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """SDP actions by RAG (counts) and the actions needing attention: Red, Amber, or overdue
    and not Complete (Appendix B: "Monitor closely the delivery of the school development plan")."""
    t = _term(term)
    s = tracker.sdp_actions
    rows = s.loc[(s["urn"] == urn) & (s["academic_year"] == t.year.label)].copy()
    counts = pd.DataFrame(
        {"RAG": list(RAG_ORDER), "Actions": [int((rows["rag"] == r).sum()) for r in RAG_ORDER]}
    )
    due = pd.to_datetime(rows["due_date"])
    overdue = due.notna() & (due < pd.Timestamp(as_of)) & (rows["rag"] != "Complete")
    attention = rows.loc[rows["rag"].isin(["Red", "Amber"]) | overdue].copy()
    attention["Overdue"] = overdue.loc[attention.index].map({True: "Yes", False: ""})
    attention["_o"] = attention["rag"].map({r: i for i, r in enumerate(RAG_ORDER)})
    attention = attention.sort_values(["_o", "due_date"])
    attention = attention[["rag", "priority", "action", "owner", "due_date", "Overdue"]].rename(
        columns={
            "rag": "RAG",
            "priority": "Priority",
            "action": "Action",
            "owner": "Owner",
            "due_date": "Due",
        }
    )
    return counts, attention.reset_index(drop=True)


def visits_between(
    tracker: Tracker,
    urn: int | None,
    since: dt.date | None,
    until: dt.date,
    roles: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Held visits that ended after ``since`` and on or before ``until`` (for one school or all),
    with their Appendix D report fields."""
    v = tracker.visits
    rows = v.loc[v["status"] == "Held"].copy()
    if urn is not None:
        rows = rows.loc[rows["urn"] == urn]
    if roles:
        rows = rows.loc[rows["role"].isin(list(roles))]
    end = pd.to_datetime(rows["visit_end"]).fillna(pd.to_datetime(rows["visit_start"]))
    keep = end <= pd.Timestamp(until)
    if since is not None:
        keep &= end > pd.Timestamp(since)
    rows = rows.loc[keep].assign(_end=end[keep]).sort_values(["_end", "visit_id"])
    return rows.drop(columns="_end").reset_index(drop=True)


VISIT_COLUMNS = (
    "Date",
    "Role",
    "Visitor",
    "Purpose",
    "Outcomes",
    "Recommendations",
    "Recommended designation",
    "Report sent",
)


def visit_table(visits: pd.DataFrame, columns: tuple[str, ...] = VISIT_COLUMNS) -> pd.DataFrame:
    """Visits as shown in a pack (Appendix D fields): date, role, visitor, purpose, outcomes,
    recommendations, recommended designation, report sent; ``columns`` picks some."""
    table = pd.DataFrame(
        {
            "Date": visits["visit_start"].map(_fmt_date),
            "Role": visits["role"],
            "Visitor": visits["visitor"],
            "Purpose": visits["purpose"],
            "Outcomes": visits["outcomes"],
            "Recommendations": visits["recommendations"],
            "Recommended designation": visits["recommended_designation"],
            "Report sent": visits["report_sent"].map(_fmt_date),
        }
    )
    return table[list(columns)]


def school_view(tracker: Tracker, urn: int) -> Tracker:
    """The tracker cut down to one school's rows (trust-wide rows, with no URN, are kept).

    Per-school checks (compliance, support) then cost the same whatever the size of the
    trust, so a batch of N schools' packs costs O(N), not O(N^2).
    """
    from dataclasses import replace

    tables = {}
    for key, frame in tracker.tables.items():
        if "urn" in frame.columns:
            tables[key] = frame.loc[(frame["urn"] == urn) | frame["urn"].isna()]
        else:
            tables[key] = frame
    return replace(tracker, tables=tables)


def headline_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The pupil-group table restricted to the headline measures (``HEADLINE_MEASURES``),
    so a pack shows the groups on the measures the board tracks, not every measure."""
    headline = {m for measures in HEADLINE_MEASURES.values() for m in measures}
    return frame.loc[frame["measure"].isin(list(headline))].reset_index(drop=True)


def pb_visits(
    tracker: Tracker, urn: int, term: str | Term, as_of: dt.date
) -> tuple[dt.date | None, pd.DataFrame]:
    """Visit reports since the school's previous Progress Board, up to ``as_of``.

    Appendix B: PB "receives reports ... from individual SIP, School Improvement Adviser,
    members of the School Improvement Team"; Strand 5: reports are shared with PB "at their
    subsequent meeting".
    """
    meeting = meeting_for(tracker, term, PROGRESS_BOARD, as_of, urn)
    since = previous_meeting(tracker, PROGRESS_BOARD, meeting or as_of, urn)
    until = min(as_of, meeting) if meeting else as_of
    return since, visits_between(tracker, urn, since, until)


def pb_attendance(tracker: Tracker, urn: int, term: str | Term) -> pd.DataFrame:
    """All-pupils attendance, persistent absence and suspensions by term up to this one,
    beside the national figure (Appendix B: review progress, impact and risk)."""

    t = _term(term)
    minimum = tracker.policy.suppression.min_group_size
    a = tracker.attendance
    rows = a.loc[(a["urn"] == urn) & (a["pupil_group"] == ALL)].copy()
    rows["_t"] = [Term.of(y, s) for y, s in zip(rows["academic_year"], rows["term"], strict=True)]
    rows = rows.loc[
        rows["_t"].map(lambda x: (x.year.start_year, x.index) <= (t.year.start_year, t.index))
    ]
    rows = rows.sort_values("_t", key=lambda s: s.map(lambda x: (x.year.start_year, x.index)))
    phases = benchmark_phases(tracker.phase(urn))
    out = []
    for r in rows.to_dict("records"):
        nat = tracker.national_figure(str(r["academic_year"]), phases, "Attendance %", ALL)
        nat_pa = tracker.national_figure(str(r["academic_year"]), phases, "Persistent absence %", ALL
        )
        gated = Gate(minimum).attendance(r)
        out.append(
            {
                "Term": r["_t"].label,
                "Attendance %": gated["attendance_pct"],
                "National attendance %": nat[0] if nat else None,
                "Persistent absence %": gated["persistent_absence_pct"],
                "National persistent absence %": nat_pa[0] if nat_pa else None,
                "Suspensions": gated["suspensions"],
            }
        )
    return pd.DataFrame(out)


def pb_risks(tracker: Tracker, assessment: Any, term: str | Term, as_of: dt.date) -> list[str]:
    """Risks for the board to review, each a plain sentence with its source (Appendix B:
    "Review progress, impact and risk ... to ensure risks do not manifest")."""
    from toolkit.assessment.support import trust_support
    from toolkit.calendar.compliance import FINDING_KINDS, compliance

    t = _term(term)
    risks: list[str] = []
    if tracker.policy.is_high_risk(assessment.designation):
        risks.append(f"Designated {assessment.designation} ({assessment.risk}).")
    if assessment.differs:
        risks.append(
            f"EIT agreed {assessment.agreed} where the toolkit proposes {assessment.proposed}."
        )
    if assessment.movement == "down":
        risks.append(
            f"Designation moved down from {assessment.previous_designation} since {assessment.previous_term}."
        )
    _, attention = pb_sdp(tracker, assessment.urn, t, as_of)
    red = int((attention["RAG"] == "Red").sum())
    overdue = int((attention["Overdue"] == "Yes").sum())
    if red:
        risks.append(f"{red} school development plan action(s) rated Red.")
    if overdue:
        risks.append(
            f"{overdue} school development plan action(s) past their due date and not complete."
        )
    support = trust_support(tracker, t, [assessment])
    for flag in str(support["flags"].iloc[0] if "flags" in support and len(support) else "").split(
        "; "
    ):
        if flag:
            risks.append(f"Support: {flag}.")
    findings = compliance(school_view(tracker, assessment.urn), as_of=as_of, year=t.year)
    mine = findings.loc[findings["urn"] == assessment.urn]
    for kind, n in mine["kind"].value_counts().items():
        risks.append(f"Calendar: {FINDING_KINDS.get(kind, kind)} x{n}.")
    att = pb_attendance(tracker, assessment.urn, t)
    if len(att):
        last = att.iloc[-1]
        v, n = _num(last["Attendance %"]), _num(last["National attendance %"])
        if v is not None and n is not None and v < n:
            risks.append(f"Attendance {v:.1f}% in {last['Term']} is below the national {n:.1f}%.")
    return risks


# --------------------------------------------------------------------------- LSIP summary


@dataclass(frozen=True)
class EitWindow:
    """The EIT meeting a summary is for and the one before it (reports in between count)."""

    meeting: dt.date | None
    previous: dt.date | None
    until: dt.date

    @property
    def label(self) -> str:
        since = f"since the EIT of {_fmt_date(self.previous)}" if self.previous else "to date"
        return f"SIP reports {since}, up to {_fmt_date(self.until)}"


def lsip_window(tracker: Tracker, term: str | Term, as_of: dt.date) -> EitWindow:
    """Strand 5: the LSIP summarises SIP reports "for the subsequent meeting of the EIT", so
    the window is from the previous EIT to this one (or ``as_of`` if that is earlier)."""
    meeting = meeting_for(tracker, term, EIT, as_of)
    previous = previous_meeting(tracker, EIT, meeting or as_of)
    until = min(as_of, meeting) if meeting else as_of
    return EitWindow(meeting, previous, until)


def lsip_reports(tracker: Tracker, window: EitWindow) -> pd.DataFrame:
    """Held SIP visits in the window, school by school (school name first)."""
    rows = visits_between(tracker, None, window.previous, window.until, roles=("SIP",))
    names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))
    table = visit_table(rows)
    table.insert(0, "School", rows["urn"].map(names))
    table.insert(1, "URN", rows["urn"])
    # in date order within a school (the shown "8 Oct 2026" does not sort as text)
    table["_d"] = pd.to_datetime(rows["visit_start"])
    table = table.sort_values(["School", "_d"], kind="stable")
    return table.drop(columns="_d").reset_index(drop=True)


def recommendation_differs(
    tracker: Tracker, window: EitWindow, designations: dict[int, str | None]
) -> pd.DataFrame:
    """SIP reports in the window whose recommended designation differs from the school's
    current one (the designation in force: agreed, else proposed)."""
    rows = visits_between(tracker, None, window.previous, window.until, roles=("SIP",))
    rows = rows.loc[rows["recommended_designation"].notna()]
    names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))
    out = []
    for r in rows.to_dict("records"):
        current = designations.get(int(r["urn"]))
        if r["recommended_designation"] != current:
            out.append(
                {
                    "School": names.get(r["urn"]),
                    "Visit": r["visit_id"],
                    "Date": _fmt_date(r["visit_start"]),
                    "SIP": r["visitor"],
                    "Recommended": r["recommended_designation"],
                    "Current": current or "none",
                }
            )
    return pd.DataFrame(out, columns=["School", "Visit", "Date", "SIP", "Recommended", "Current"])


def compliance_table(findings: pd.DataFrame, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Compliance findings as shown in a report (optionally only some kinds)."""
    from toolkit.calendar.compliance import FINDING_KINDS

    rows = findings if kinds is None else findings.loc[findings["kind"].isin(list(kinds))]
    return pd.DataFrame(
        {
            "Finding": rows["kind"].map(lambda k: FINDING_KINDS.get(k, k)),
            "School": rows["school"].fillna("Trust"),
            "Reference": rows["ref"],
            "Due": rows["due"].map(_fmt_date),
            "Actual": rows["actual"].map(_fmt_date),
            "Working days late": rows["working_days_late"]
            .astype("object")
            .where(rows["working_days_late"].notna(), None),
            "Detail": rows["detail"],
        }
    ).reset_index(drop=True)


# --------------------------------------------------------------------------- Standards Committee


def standards_designations(frame: pd.DataFrame) -> pd.DataFrame:
    """Every school's designation, risk and movement since last term (from ``designations_frame``)."""
    from toolkit.reports.labels import MOVEMENT, label

    return pd.DataFrame(
        {
            "School": frame["name"],
            "Membership": frame["membership"],
            "Previous": frame["previous_designation"].fillna("none"),
            "Designation": frame["designation"].fillna("none"),
            "Movement": frame["movement"].map(
                lambda m: f"{MOVEMENT[m][0]} {MOVEMENT[m][1]}" if m in MOVEMENT else label(m)
            ),
            "Risk": frame["risk"].fillna(""),
            "Proposed": frame["proposed"].fillna("none"),
            "Agreed differs": frame["differs"].map({True: "Yes", False: ""}),
        }
    )


def risk_counts(frame: pd.DataFrame, policy: Any) -> pd.DataFrame:
    """How many schools at each risk level and designation (a count of schools, not pupils)."""
    rows = []
    for d in policy.designations.order:
        rows.append(
            {
                "Designation": d,
                "Risk": policy.risk(d),
                "Schools": int((frame["designation"] == d).sum()),
            }
        )
    rows.append(
        {
            "Designation": "none",
            "Risk": "not assessed",
            "Schools": int(frame["designation"].isna().sum()),
        }
    )
    return pd.DataFrame(rows)


RISK_COLOURS = {"High risk": "#8a1c1c", "Some risk": "#e0a030", "Low risk": "#4f8f5f"}


def risk_chart(risk: pd.DataFrame, term: Term) -> Any:
    """Schools by designation as a bar chart, with its text alternative (the counts)."""
    from toolkit.reports.charts import Chart, figure, png

    fig = figure(6, 2.2)
    ax = fig.subplots()
    colours = [RISK_COLOURS.get(r, "#999999") for r in risk["Risk"]]
    ax.barh(risk["Designation"], risk["Schools"], color=colours)
    ax.invert_yaxis()
    ax.set_xlabel("Schools")
    title = f"Schools by designation, {term.label}"
    ax.set_title(title)
    alt = "; ".join(f"{d} ({r}): {n}" for d, r, n in risk[["Designation", "Risk", "Schools"]].itertuples(index=False))
    return Chart(png(fig), f"Number of schools by designation: {alt}.", risk, title)


def standards_outcomes(tracker: Tracker, term: str | Term) -> pd.DataFrame:
    """Headline results per school (All pupils only) against national and the target.

    Aggregates only; a school figure for fewer than the suppression minimum is suppressed.
    """
    from toolkit.assessment.evidence import outcomes_year

    t = _term(term)
    minimum = tracker.policy.suppression.min_group_size
    o, tg = tracker.outcomes, tracker.targets
    out = []
    for urn, name in zip(tracker.schools["urn"], tracker.schools["name"], strict=True):
        year = outcomes_year(tracker, int(urn), t)
        if year is None:
            continue
        mine = o.loc[(o["urn"] == urn) & (o["academic_year"] == year) & (o["pupil_group"] == ALL)]
        for ks, measures in HEADLINE_MEASURES.items():
            for measure in measures:
                hit = mine.loc[mine["measure"] == measure]
                if hit.empty:
                    continue
                value = suppress_small(hit["value"].iloc[0], hit["cohort"].iloc[0], minimum)
                nat = tracker.national_figure(year, benchmark_phases(tracker.phase(int(urn)), ks), measure, ALL
                )
                target = tg.loc[
                    (tg["urn"] == urn)
                    & (tg["academic_year"] == year)
                    & (tg["measure"] == measure)
                    & (tg["pupil_group"] == ALL),
                    "target",
                ]
                nat_v = nat[0] if nat else None
                against = _against_national(tracker.policy, measure, value, nat_v, hit.iloc[0])
                gap = (
                    None
                    if value == SUPPRESSED or value is None or nat_v is None
                    else float(value) - nat_v
                )
                out.append(
                    {
                        "School": name,
                        "Year": year,
                        "Measure": measure,
                        "School value": value,
                        "National": nat_v,
                        "Gap to national": gap,
                        "Target": _num(target.iloc[0]) if len(target) else None,
                        "Against national": against,
                    }
                )
    return pd.DataFrame(
        out,
        columns=[
            "School",
            "Year",
            "Measure",
            "School value",
            "National",
            "Gap to national",
            "Target",
            "Against national",
        ],
    )


def _against_national(policy: Any, measure: str, value: object, national: float | None, row: Any) -> str:
    """The school's figure against national on the significance basis (DfE band or
    confidence interval for progress scores, the Wilson interval for percentages), through
    ``overview.mark_against_national``; "" where it cannot be tested (suppressed, no cohort,
    or a measure shown for context only, like Attainment 8)."""
    from toolkit.assessment import significance as sig
    from toolkit.reports.overview import mark_against_national

    v = _num(value)
    if v is None or value == SUPPRESSED or national is None:
        return ""
    cohort = _num(row.get("cohort"))
    if sig.is_progress(policy, measure):
        comparison = sig.progress_comparison(
            policy, measure, v, national, cohort,
            lower=_num(row.get("ci_lower")), upper=_num(row.get("ci_upper")), band=row.get("band"),
        )  # fmt: skip
    elif MEASURE_INFO.get(measure, {}).get("unit") == "percent":
        comparison = sig.percent_comparison(policy, measure, v, national, cohort)
    else:
        return ""
    return mark_against_national(v, national, measure, comparison)


def standards_attendance(tracker: Tracker, term: str | Term) -> pd.DataFrame:
    """Each school's attendance and persistent absence this term against national and target."""

    t = _term(term)
    minimum = tracker.policy.suppression.min_group_size
    a, tg = tracker.attendance, tracker.targets
    out = []
    for urn, name in zip(tracker.schools["urn"], tracker.schools["name"], strict=True):
        hit = a.loc[
            (a["urn"] == urn)
            & (a["pupil_group"] == ALL)
            & (a["academic_year"] == t.year.label)
            & (a["term"] == t.season)
        ]
        if hit.empty:
            continue
        r = hit.iloc[0]
        phases = benchmark_phases(tracker.phase(int(urn)))
        nat = tracker.national_figure(t.year.label, phases, "Attendance %", ALL)
        nat_pa = tracker.national_figure(t.year.label, phases, "Persistent absence %", ALL)

        def target(measure: str, urn: object = urn) -> float | None:
            hit_t = tg.loc[
                (tg["urn"] == urn)
                & (tg["academic_year"] == t.year.label)
                & (tg["measure"] == measure)
                & (tg["pupil_group"] == ALL),
                "target",
            ]
            return _num(hit_t.iloc[0]) if len(hit_t) else None

        out.append(
            {
                "School": name,
                "Attendance %": Gate(minimum).attendance(r.to_dict())["attendance_pct"],
                "National": nat[0] if nat else None,
                "Target": target("Attendance %"),
                "Persistent absence %": Gate(minimum).attendance(r.to_dict())["persistent_absence_pct"],
                "National PA": nat_pa[0] if nat_pa else None,
                "Target PA": target("Persistent absence %"),
            }
        )
    return pd.DataFrame(out)


def support_table(support: pd.DataFrame, *, flags: bool = True) -> pd.DataFrame:
    """Support deployed against each school's package (from ``support.trust_support``).

    The package's allocations are written the way the strategy sets them ("10 a year",
    "4 a term"), never as a derived per-term fraction (3.33); ``flags=False`` leaves the
    flags out where the report lists them beside the table.
    """
    from toolkit.reports.labels import days_phrase

    out = pd.DataFrame({"School": support["name"], "Designation": support.get("designation")})

    def phrase(col: str, per: str) -> list[object]:
        vals = support[col] if col in support else pd.Series([None] * len(support))
        return [days_phrase(float(v), per) if _num(v) is not None else "" for v in vals]

    out["SIP package"] = phrase("sip_days_allocated_year", "year")
    for col, name in (("sip_days_planned_year", "SIP planned (year)"), ("sip_days_used_year", "SIP used (year)")):
        out[name] = support.get(col)
    if "sia_days_package" in support:
        out["SIA package"] = [
            days_phrase(float(v), str(per)) if _num(v) is not None else ""
            for v, per in zip(support["sia_days_package"], support["sia_days_per"], strict=True)
        ]
    else:
        out["SIA package"] = phrase("sia_days_allocated_year", "year")
    for col, name in (("sia_days_planned_term", "SIA planned (term)"), ("sia_days_used_term", "SIA used (term)")):
        out[name] = support.get(col)
    if flags and "flags" in support:
        out["Flags"] = support["flags"].fillna("")
    return out.reset_index(drop=True)


def support_flag_list(support: pd.DataFrame) -> list[str]:
    """Every support flag of the schools in ``support`` as a sentence: listed under the
    support table rather than squeezed into a column of it."""
    flags = support.get("flags", [])
    return [f for value in flags for f in str(value or "").split("; ") if f]


def school_summary(tracker: Tracker, term: str | Term, as_of: dt.date) -> pd.DataFrame:
    """One row per school: designation, support and compliance, for the batch's CSV/JSON."""
    from toolkit.assessment.designation import assess_trust, designations_frame
    from toolkit.assessment.support import trust_support
    from toolkit.calendar.compliance import FINDING_KINDS, compliance

    t = _term(term)
    assessments = assess_trust(tracker, t)
    frame = designations_frame(assessments)
    support = trust_support(tracker, t, assessments)
    findings = compliance(tracker, as_of=as_of, year=t.year)
    keep = [
        "urn",
        "name",
        "membership",
        "term",
        "proposed",
        "agreed",
        "differs",
        "designation",
        "risk",
        "previous_designation",
        "movement",
        "support_package",
    ]
    out = frame[[c for c in keep if c in frame.columns]].copy()
    sup_cols = [
        c
        for c in support.columns
        if c.startswith(("sip_", "sia_", "dhts_", "directors_")) or c == "flags"
    ]
    out = out.merge(
        support[["urn", *sup_cols]].rename(columns={"flags": "support_flags"}), on="urn", how="left"
    )
    counts = (
        findings.groupby(["urn", "kind"]).size().unstack(fill_value=0)
        if len(findings)
        else pd.DataFrame()
    )
    for kind in FINDING_KINDS:
        col = f"compliance_{kind}"
        out[col] = [
            int(counts.loc[u, kind]) if (u in counts.index and kind in counts.columns) else 0
            for u in out["urn"]
        ]
    out["compliance_findings"] = out[[f"compliance_{k}" for k in FINDING_KINDS]].sum(axis=1)
    out["as_of"] = as_of.isoformat()
    return out


# --------------------------------------------------------------------------- designation, for any pack


def designation_summary(assessment: Any) -> pd.DataFrame:
    """The designation facts a board or committee reviews, as (item, value) rows."""
    a = assessment
    rows = [
        ("Designation in force", a.designation or "none"),
        ("Risk", a.risk or ""),
        ("Proposed by the toolkit", a.proposal_text),
        ("Agreed by EIT", a.agreed or "not yet signed off"),
        ("EIT sign-off", _fmt_date(a.eit_signoff_date) if a.eit_signoff_date else ""),
        ("Rationale", a.rationale or ""),
        ("Previous term", f"{a.previous_designation or 'none'} ({a.previous_term})"),
        (
            "Movement",
            {
                "up": "improved",
                "down": "declined",
                "same": "no change",
                "new": "first assessment",
            }.get(a.movement, a.movement),
        ),
    ]
    if a.exit_rule:
        rows.append(("Exit from High risk", a.exit_rule))
    return pd.DataFrame(rows, columns=["Item", "Value"])


def designation_history(assessment: Any) -> pd.DataFrame:
    """The designation term by term (proposed, agreed, in force, risk)."""
    h = pd.DataFrame(
        list(assessment.history),
        columns=["term", "proposed", "agreed", "designation", "risk", "differs"],
    )
    return h.rename(
        columns={
            "term": "Term",
            "proposed": "Proposed",
            "agreed": "Agreed",
            "designation": "In force",
            "risk": "Risk",
            "differs": "Agreed differs",
        }
    ).assign(**{"Agreed differs": lambda d: d["Agreed differs"].map({True: "Yes", False: ""})})


def judgements_table(assessment: Any) -> pd.DataFrame:
    """The seven indicator judgements with their source (reviewer, data or none)."""
    return pd.DataFrame(
        [
            {
                "Indicator": j.label,
                "Judgement": j.judgement or "no evidence",
                "Source": j.source,
                "Why": j.reason,
            }
            for j in assessment.judgements
        ]
    )


def recent_findings(tracker: Tracker, as_of: dt.date) -> pd.DataFrame:
    """Compliance findings due within ``reporting.compliance_lookback_days`` up to ``as_of``.

    A committee needs to see a missed March visit in its November papers, so the window is
    a rolling one (policy setting), not the academic year; findings with no due date (e.g. a
    meeting not held) are kept.
    """
    from toolkit.calendar.compliance import compliance

    findings = compliance(tracker, as_of=as_of)
    since = pd.Timestamp(as_of) - pd.Timedelta(
        days=tracker.policy.reporting.compliance_lookback_days
    )
    keep = findings["due"].isna() | (
        (findings["due"] > since) & (findings["due"] <= pd.Timestamp(as_of))
    )
    return findings.loc[keep].reset_index(drop=True)
