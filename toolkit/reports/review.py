"""The designation review notebook's building blocks: sections, charts and the what-if panel.

``notebooks/designation_review.ipynb`` stays thin: it calls ``load`` and then one function
per section (DOMAIN.md "Reports": "the seven indicators with evidence and descriptors,
proposed vs agreed designation, trend across terms, support package, outcomes, attendance
and groups"). Every function returns an object Jupyter displays as escaped HTML (tracker
free text is escaped through ``toolkit.reports.html``). Charts are static matplotlib PNGs
embedded in the page, so they survive HTML and PDF export, and each carries a text
alternative: alt text plus a small table of the plotted figures.

The interactive review (pickers, the what-if panel, the Voilà app) lives in
``toolkit.reports.interactive`` and re-renders these same sections.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.assessment import ofsted
from toolkit.assessment.designation import SchoolAssessment, assess_school
from toolkit.assessment.evidence import judged_measure, outcomes_year, term_end_date
from toolkit.assessment.figures import fmt
from toolkit.assessment.groups import display_groups, group_gaps
from toolkit.assessment.packages import package_for
from toolkit.assessment.significance import stale_reason
from toolkit.assessment.support import deployed_days, designations_in_year, school_flags
from toolkit.calendar.terms import Term
from toolkit.privacy.suppression import Gate, is_suppressed
from toolkit.reports.charts import Chart, figure, png
from toolkit.reports.html import HTML, bullet_list, callout, escape, heading, table, text
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import ALL, benchmark_phases, num

SOURCE_LABEL = {"reviewer": "Reviewer", "data": "Suggested from data", "none": "No evidence", "what-if": "What-if"}


# ----------------------------------------------------------------------------- loading


@dataclass
class DesignationReview:
    """One school's review for one term: the tracker, the assessment and the as-of date."""

    tracker: Tracker
    urn: int
    term: Term
    assessment: SchoolAssessment
    as_of: dt.date

    @property
    def title(self) -> str:
        return f"Designation review: {self.assessment.name}, {self.term.label}"


def review_for(tracker: Tracker, urn: int, term: str | Term, as_of: dt.date | str | None = None) -> DesignationReview:
    """Assess a school from an already-read tracker. ``as_of`` (default: the term's last
    day) limits the visits shown to those on or before it."""
    t = term if isinstance(term, Term) else Term.parse(term)
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    return DesignationReview(tracker, int(urn), t, assess_school(tracker, int(urn), t), day or term_end_date(tracker, t))


def load(tracker_path: str | Path, urn: int, term: str | Term, *, policy_path: str | Path | None = None, as_of: dt.date | str | None = None) -> DesignationReview:
    """Read and validate the tracker (with its policy), then assess the school."""
    from toolkit.tracker.reader import read_tracker

    tracker = read_tracker(tracker_path, policy_path=policy_path)
    known = set(int(u) for u in tracker.schools["urn"])
    if int(urn) not in known:
        raise ValueError(f"URN {urn} is not in the Schools sheet of {Path(tracker_path).name}; known URNs: {', '.join(map(str, sorted(known)))}")
    return review_for(tracker, urn, term, as_of)


# ----------------------------------------------------------------------------- charts


# ----------------------------------------------------------------------------- sections


def _kv(rows: list[tuple[str, object]], cls: str = "summary-box") -> HTML:
    body = "".join(f'<tr><th scope="row">{escape(k)}</th><td data-key="{escape(k)}">{escape(v)}</td></tr>' for k, v in rows)
    return HTML(f'<table class="report-table compact {cls}"><tbody>{body}</tbody></table>')


def summary_box(review: DesignationReview) -> HTML:
    """Proposed against agreed, risk, movement and the package, with the chain of reasons."""
    a = review.assessment
    pkg = a.package
    rows: list[tuple[str, object]] = [
        ("School", f"{a.name} (URN {a.urn})" + (f", {a.membership}" if a.membership and a.membership != "Member" else "")),
        ("Term", a.term),
        ("Proposed designation", a.proposal_label),
        ("Agreed designation", a.agreed or "not yet agreed by EIT"),
        ("Designation in force", a.designation or "none"),
        ("Risk", a.risk or "-"),
        ("Movement since last term", f"{a.movement} (was {a.previous_designation or 'not assessed'} in {a.previous_term})"),
        ("SIP days a year", f"{pkg['sip_days_per_year']:g}" if pkg else "-"),
        ("SIA days", f"{pkg['sia_days']:g} a {pkg['sia_days_per']}" if pkg else "-"),
    ]
    parts = [_kv(rows), heading("Why this proposal", 3), bullet_list(a.proposal_reasons)]
    if a.differs:
        parts.append(callout(f"The agreed designation ({a.agreed}) differs from the proposal ({a.proposed})."))
    if a.agreed:
        parts += [heading("EIT rationale", 3), text(a.rationale)]
    if a.exit_rule:
        parts.append(callout(a.exit_rule[0].upper() + a.exit_rule[1:]))
    return _join(parts)


def indicators_section(review: DesignationReview) -> HTML:
    """The seven indicators: judgement, where it came from, the Appendix A descriptor, the
    reviewer's evidence and the data's reasoning (all escaped)."""
    rows = [
        {
            "Indicator": j.label,
            "Judgement": j.judgement or "no evidence",
            "Source": SOURCE_LABEL.get(j.source, j.source),
            "Descriptor (Appendix A)": j.descriptor or "-",
            "Reviewer's evidence": j.evidence or "-",
            "Data": (f"{j.data_suggestion}: " if j.data_suggestion else "") + j.data_reason,
        }
        for j in review.assessment.judgements
    ]
    return table(pd.DataFrame(rows), caption="Quality indicators", compact=False, landscape=True)


def ofsted_section(review: DesignationReview) -> HTML:
    """The latest inspection (either framework), its grades and any limiting judgement."""
    found = ofsted.inspections(review.tracker, review.urn)
    end = term_end_date(review.tracker, review.term)
    latest = ofsted.latest_judged(found, end)
    if latest is None:
        return text("No Ofsted inspection recorded (QI1 has no evidence from Ofsted).")
    parts = [text(latest.describe())]
    grades = [{"Area": k, "Grade": v} for k, v in latest.areas.items()]
    if latest.overall:
        grades.insert(0, {"Area": "Overall effectiveness", "Grade": latest.overall})
    if latest.safeguarding:
        grades.append({"Area": "Safeguarding", "Grade": latest.safeguarding})
    parts.append(table(pd.DataFrame(grades), caption=f"{'Report card' if latest.framework == ofsted.REPORT_CARD else 'Legacy inspection'}, {ofsted.format_date(latest.date)}"))
    limiting = ofsted.limiting_judgements(review.tracker.policy, latest, end)
    if limiting:
        parts.append(callout("Limiting judgement: " + "; ".join(limiting) + f" -> proposes {review.tracker.policy.proposal.category_of_concern_designation}"))
    earlier = [i for i in found if i.date <= end and i is not latest]
    if earlier:
        parts += [heading("Earlier inspections", 3), bullet_list([i.describe() for i in reversed(earlier)])]
    return _join(parts)


def _fmt(v: object, digits: int = 1) -> str:
    f = num(v)
    return "-" if f is None else f"{f:.{digits}f}"


def outcomes_section(review: DesignationReview) -> HTML:
    """Last year's results against national and targets, then every group's gaps (with
    suppression) and a chart of group gaps to national for the headline measure."""
    year = outcomes_year(review.tracker, review.urn, review.term)
    if year is None:
        return text(f"No outcomes recorded for a year before {review.term.year.label}: outcomes (QI2) have no evidence.")
    gaps = group_gaps(review.tracker, review.urn, year)
    policy = review.tracker.policy
    targets = review.tracker.rows("targets", review.urn)
    target_of = {(r["measure"], r["pupil_group"]): r["target"] for r in targets.loc[targets["academic_year"] == year].to_dict("records")}
    allp = gaps.loc[gaps["pupil_group"] == ALL]
    stale = stale_reason(policy, year, review.term)
    headline = pd.DataFrame(
        {
            "Measure": allp["measure"],
            "School": [fmt(v, m, blank="-") if not s else "suppressed" for v, m, s in zip(allp["value"], allp["measure"], allp["suppressed"], strict=True)],
            "National": [fmt(v, m, blank="-") for v, m in zip(allp["national"], allp["measure"], strict=True)],
            "Gap to national": [fmt(v, m, signed=True, gap=True, blank="-") for v, m in zip(allp["gap_to_national"], allp["measure"], strict=True)],
            "Against national": allp["significance"].replace("", "-"),
            "Target": [fmt(num(target_of.get((m, ALL))), m, blank="-") for m in allp["measure"]],
            "Used for QI2": ["too old" if stale else "yes" if judged_measure(policy, m) else "context" for m in allp["measure"]],
        }
    )
    parts = [heading(f"Results {year} (all pupils)", 3), *([text(f"Context only: {stale}.")] if stale else []), table(headline, compact=False)]
    judged = [m for m in allp["measure"] if judged_measure(policy, m)]
    shown = display_groups(gaps.loc[gaps["measure"].isin(judged) & (gaps["pupil_group"] != ALL)])
    groups = pd.DataFrame(
        {
            "Measure": shown["measure"],
            "Group": shown["pupil_group"],
            "Pupils": shown["cohort"],
            "Result": shown["value"],
            "Compared with": shown["comparison_group"].fillna("-"),
            "Gap to them": shown["gap_to_others"],
            "as pupils": shown["gap_to_others_pupils"],
            "Gap to national": shown["gap_to_national"],
            "as pupils ": shown["gap_to_national_pupils"],
            "vs national": shown["significance"].replace("", "-"),
        }
    )
    minimum = policy.suppression.min_group_size
    parts += [
        heading("Pupil groups", 3),
        text(
            f"Gaps are the group's result minus the comparison (points; for percentages also as a number of the group's pupils). "
            f"Groups of fewer than {minimum} pupils are suppressed, and so is a partner group whose figure would reveal them by subtraction. "
            f"A gap counts only when it is significant (DfE band or 95% interval); groups under {policy.significance.min_group_size} pupils are a small group and limit nothing."
        ),
        table(groups, compact=False),
    ]
    if judged:
        parts.append(group_gap_chart(gaps, judged[0]))
    return _join(parts)


def group_gap_chart(gaps: pd.DataFrame, measure: str) -> Chart:
    """Horizontal bars: each shown group's gap to the national figure for that group.
    Suppressed groups are named in the text alternative, never drawn as 0."""
    rows = gaps.loc[(gaps["measure"] == measure)]
    shown = rows.loc[~rows["suppressed"] & rows["gap_to_national"].notna()]
    hidden = list(rows.loc[rows["suppressed"], "pupil_group"])
    fig = figure(6.5, 0.35 * max(3, len(shown)) + 0.8)
    ax = fig.add_subplot()
    colours = ["#1e6b38" if v >= 0 else "#8a1c1c" for v in shown["gap_to_national"]]
    ax.barh(list(shown["pupil_group"]), list(shown["gap_to_national"]), color=colours)
    ax.axvline(0, color="#1b1f24", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("points against national for the same group")
    ax.set_title(measure, fontsize=9)
    desc = "; ".join(f"{g} {fmt(v, measure, signed=True, gap=True)} ({sg})" for g, v, sg in zip(shown["pupil_group"], shown["gap_to_national"], shown["significance"], strict=True))
    alt = f"Bar chart of each pupil group's gap to national in {measure}: {desc or 'no group has a national figure'}."
    if hidden:
        alt += f" Suppressed (not shown): {', '.join(hidden)}."
    data = pd.DataFrame({"Group": shown["pupil_group"], "Gap to national": [fmt(v, measure, signed=True, gap=True) for v in shown["gap_to_national"]], "Against national": shown["significance"]})
    return Chart(png(fig), alt, data, f"Gap to national by pupil group, {measure}")


def _climate_rows(review: DesignationReview) -> pd.DataFrame:
    a = review.tracker.rows("attendance", review.urn)
    rows = a.loc[a["pupil_group"] == ALL].copy()
    if rows.empty:
        return rows
    rows["_term"] = [Term.of(y, t) for y, t in zip(rows["academic_year"], rows["term"], strict=True)]
    rows = rows.loc[rows["_term"] <= review.term]
    return rows.iloc[sorted(range(len(rows)), key=lambda i: (rows["_term"].iloc[i].year.start_year, rows["_term"].iloc[i].index))]


def attendance_section(review: DesignationReview) -> HTML:
    """Attendance, persistent absence and suspensions by term against national, a chart of
    attendance, and this term's groups (suppressed where small)."""
    rows = _climate_rows(review)
    if rows.empty:
        return text("No attendance recorded: climate for learning (QI6) has no evidence from data.")
    phases = benchmark_phases(_phase(review))
    out = []
    for r in rows.to_dict("records"):
        year = str(r["academic_year"])
        nat = review.tracker.national_figure(year, phases, "Attendance %")
        nat_pa = review.tracker.national_figure(year, phases, "Persistent absence %")
        nat_s = review.tracker.national_figure(year, phases, "Suspension rate %")
        gated = Gate.of(review.tracker.policy).attendance(r)  # the privacy gate: cohort and implied counts
        out.append(
            {
                "Term": r["_term"].label,
                "Attendance %": gated["attendance_pct"],
                "National": nat[0] if nat else None,
                "Persistent absence %": gated["persistent_absence_pct"],
                "National PA": nat_pa[0] if nat_pa else None,
                "Suspensions per 100": gated["suspensions_per_100"],
                "National rate": nat_s[0] if nat_s else None,
                "Permanent exclusions": gated["permanent_exclusions"],
            }
        )
    frame = pd.DataFrame(out)
    shown = frame.map(lambda v: "-" if v is None or (isinstance(v, float) and pd.isna(v)) else (f"{v:g}" if isinstance(v, float) else v))
    parts = [table(shown, caption="Attendance and behaviour, all pupils", compact=False), attendance_chart(frame)]
    parts += [heading(f"Attendance by group, {rows['_term'].iloc[-1].label}", 3), _attendance_groups(review, rows["_term"].iloc[-1])]
    return _join(parts)


def _attendance_groups(review: DesignationReview, term: Term) -> HTML:
    a = review.tracker.rows("attendance", review.urn)
    rows = a.loc[(a["academic_year"] == term.year.label) & (a["term"] == term.season)]
    cohorts = {str(r["pupil_group"]): num(r.get("cohort")) for r in rows.to_dict("records")}
    # The privacy gate: small cohorts, codes withheld at source, and complementary groups.
    gated = Gate.of(review.tracker.policy).attendance_groups(rows, "attendance_pct")
    hidden = {g for g, v in gated.items() if is_suppressed(v)}
    phases = benchmark_phases(_phase(review))
    out = []
    for r in rows.to_dict("records"):
        g = str(r["pupil_group"])
        nat = review.tracker.national_figure(term.year.label, phases, "Attendance %", g)
        if g in hidden:
            out.append({"Group": g, "Pupils": "suppressed", "Attendance %": "suppressed", "National (group)": _fmt(nat[0] if nat else None), "Gap": "suppressed"})
            continue
        att = num(r.get("attendance_pct"))
        gap = None if att is None or nat is None else att - nat[0]
        out.append({"Group": g, "Pupils": f"{cohorts[g]:.0f}", "Attendance %": _fmt(att), "National (group)": _fmt(nat[0] if nat else None), "Gap": "-" if gap is None else f"{gap:+.1f}"})
    return table(pd.DataFrame(out))


def attendance_chart(frame: pd.DataFrame) -> Chart:
    """Attendance by term against national, as a line chart with its figures."""
    values = [v if isinstance(v, float | int) else float("nan") for v in frame["Attendance %"]]  # suppressed: not drawn
    fig = figure()
    ax = fig.add_subplot()
    x = list(range(len(frame)))
    ax.plot(x, values, marker="o", color="#1d4e89", label="School")
    if frame["National"].notna().any():
        ax.plot(x, list(frame["National"]), linestyle="--", color="#5a6470", label="National")
    ax.set_xticks(x, list(frame["Term"]), fontsize=8)
    ax.set_ylabel("attendance %")
    ax.legend(fontsize=8, loc="lower left")
    desc = "; ".join(
        f"{t} {v:.1f}%" + (f" (national {n:.1f}%)" if n is not None and not pd.isna(n) else "")
        for t, v, n in zip(frame["Term"], values, frame["National"], strict=True)
        if v is not None and not pd.isna(v)
    )
    alt = f"Line chart of attendance by term against national: {desc or 'no figure can be shown'}."
    hidden = [t for t, v in zip(frame["Term"], frame["Attendance %"], strict=True) if is_suppressed(v)]
    if hidden:
        alt += f" Suppressed (not shown, fewer than the minimum pupils): {', '.join(hidden)}."
    data = frame[["Term", "Attendance %", "National"]].map(lambda v: "-" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return Chart(png(fig), alt, data, "Attendance by term")


def support_section(review: DesignationReview) -> HTML:
    """The package for the designation in force, what Deployments planned and used, and flags."""
    a = review.assessment
    if not a.designation:
        return text("No designation, so no support package.")
    policy = review.tracker.policy
    pkg = package_for(policy, a.designation)
    items = [
        ("Designation", f"{pkg.designation} ({pkg.risk})"),
        ("SIP days a year", f"{'up to ' if pkg.sip_days_up_to else ''}{pkg.sip_days_per_year:g}"),
        ("SIA days", f"up to {pkg.sia_days:g} a {pkg.sia_days_per}" if pkg.sia_days else "none"),
        ("MAT-wide Deputy Headteachers", f"{pkg.mat_wide_dhts_min}-{pkg.mat_wide_dhts_max}, {pkg.mat_wide_dht_days_per_week:g} days a week" if pkg.mat_wide_dhts_max else "none"),
        ("Directors of Subject", f"{pkg.directors_of_subject} or more" if pkg.directors_of_subject else "none"),
        ("Deputy CEO works intensively", "yes" if pkg.deputy_ceo_intensive else "no"),
        ("EIT support", "yes" if pkg.eit_support else "no"),
        ("Institute of Education (SLEs)", "yes" if pkg.institute_of_education else "no"),
        ("Deputy CEO reports to PB, Executive Team, Trust Board committee", pkg.reporting),
        ("Deputy CEO reports to the CEO", pkg.ceo_reporting),
    ]
    parts = [_kv(items, "support-package")]
    d = review.tracker.rows("deployments", review.urn)
    year = d.loc[d["academic_year"] == review.term.year.label]
    if len(year):
        dep = pd.DataFrame({"Term": year["term"], "Person": year["person"], "Role": year["role"], "Days planned": year["days_planned"], "Days used": year["days_used"]})
        parts += [heading(f"Deployments {review.term.year.label}", 3), table(dep, compact=False)]
    else:
        parts.append(text(f"No deployments recorded for {review.term.year.label}."))
    flags = school_flags(policy, pkg, deployed_days(review.tracker, review.urn, review.term), review.term, designations_in_year(a, review.term))
    if flags:
        parts += [heading("Flags", 3), bullet_list(flags)]
    if a.proposed and a.proposed != a.designation:
        parts.append(callout(f"If the proposal ({a.proposed}) were agreed the package would be: {a.proposed_package.get('summary', '')}"))
    return _join(parts)


def visits_section(review: DesignationReview) -> HTML:
    """This academic year's visits up to the as-of date, with their recommendations."""
    v = review.tracker.rows("visits", review.urn)
    year = review.term.year
    starts = pd.to_datetime(v["visit_start"])
    mask = (starts >= pd.Timestamp(year.first_day)) & (starts <= pd.Timestamp(min(year.last_day, review.as_of)))
    rows = v.loc[mask].assign(_s=starts[mask]).sort_values("_s")
    if rows.empty:
        return text(f"No visits recorded in {year.label} up to {review.as_of:%-d %b %Y}.")
    frame = pd.DataFrame(
        {
            "Date": rows["_s"].dt.strftime("%-d %b %Y"),
            "Role": rows["role"],
            "Visitor": rows["visitor"],
            "Status": rows["status"],
            "Purpose": rows["purpose"],
            "Recommendations": rows["recommendations"],
            "Recommended designation": rows["recommended_designation"],
        }
    )
    parts = [table(frame, caption=f"Visits {year.label} to {review.as_of:%-d %b %Y}", compact=False)]
    current = review.assessment.designation
    differ = rows.loc[rows["recommended_designation"].notna() & (rows["recommended_designation"] != current)]
    for r in differ.to_dict("records"):
        parts.append(callout(f"{r['role']} visit {r['_s']:%-d %b %Y} recommended {r['recommended_designation']}; the designation in force is {current}."))
    return _join(parts)


def history_section(review: DesignationReview) -> HTML:
    """Proposed and agreed designation for every assessed term, as a table and a chart."""
    hist = pd.DataFrame(review.assessment.history)
    shown = pd.DataFrame(
        {
            "Term": hist["term"],
            "Proposed": hist["proposed"].fillna("no evidence"),
            "Agreed": hist["agreed"].fillna("not agreed"),
            "Risk": hist["risk"].fillna("-"),
            "Agreed differs": hist["differs"].map({True: "yes", False: ""}),
        }
    )
    return _join([table(shown, caption="Designation history"), history_chart(review)])


def history_chart(review: DesignationReview) -> Chart:
    """Step chart of the designation by term (higher is better), proposed and agreed."""
    policy = review.tracker.policy
    hist = list(review.assessment.history)
    order = policy.designations.order
    fig = figure(6.5, 2.4)
    ax = fig.add_subplot()
    x = list(range(len(hist)))
    for key, style, label in (("proposed", dict(linestyle="--", marker="o", color="#5a6470"), "Proposed"), ("agreed", dict(marker="s", color="#1d4e89"), "Agreed")):
        ys = [policy.rank(h[key]) if h[key] else float("nan") for h in hist]
        ax.plot(x, ys, label=label, **style)
    ax.set_yticks(range(len(order)), order, fontsize=8)
    ax.set_ylim(-0.4, len(order) - 0.6)
    ax.set_xticks(x, [h["term"] for h in hist], fontsize=8)
    fig.legend(fontsize=8, loc="outside upper right", ncols=2)
    desc = "; ".join(f"{h['term']} proposed {h['proposed'] or 'none'}, agreed {h['agreed'] or 'none'}" for h in hist)
    data = pd.DataFrame({"Term": [h["term"] for h in hist], "Proposed": [h["proposed"] or "-" for h in hist], "Agreed": [h["agreed"] or "-" for h in hist]})
    return Chart(png(fig), f"Designation by term (Stabilise lowest, Sustain highest): {desc}.", data, "Designation history")


def _phase(review: DesignationReview) -> str | None:
    return review.assessment.phase


def _join(parts: list[Any]) -> HTML:
    out = []
    for p in parts:
        out.append(p._repr_html_() if hasattr(p, "_repr_html_") else str(p))
    return HTML("".join(out))
