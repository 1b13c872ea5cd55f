"""Suggesting an indicator judgement from data, and saying why.

Where the reviewer left a judgement blank, the toolkit suggests one from the data it has
(DOMAIN.md "Designation": "entered by the reviewer, or suggested from data where data
exists"): QI1 from the latest Ofsted inspection, QI2 from outcomes against national figures,
targets and pupil-group gaps, tested for significance (``significance``), QI6 from attendance, persistent absence and suspensions against
national figures and their trend. QI3, QI4, QI5 and QI7 have no data source in the tracker,
so the toolkit says "no evidence" rather than guessing. Every threshold is a
``policy.data_suggestions`` setting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from toolkit.assessment import ofsted
from toolkit.assessment import significance as sig
from toolkit.assessment.figures import fmt, points
from toolkit.assessment.groups import NO_COMPARABLE, group_gaps, suppress_cells
from toolkit.assessment.indicators import descriptor_text, indicator
from toolkit.calendar.terms import SEASONS, Term
from toolkit.policy import Policy
from toolkit.privacy.suppression import SUPPRESSED, Gate, is_suppressed
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import ALL, indexed, num
from toolkit.tracker.schema import MEASURE_INFO

NO_EVIDENCE = "no evidence"
# Fallback term ends when the tracker has no term dates (month, day; year of the season).
_FALLBACK_END = {"Autumn": (12, 31), "Spring": (4, 15), "Summer": (7, 31)}


@dataclass(frozen=True)
class Suggestion:
    """A data-based judgement for one indicator (designation None means no evidence)."""

    indicator: str
    designation: str | None
    reason: str
    facts: tuple[dict[str, object], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {"indicator": self.indicator, "designation": self.designation, "reason": self.reason, "facts": [dict(f) for f in self.facts]}


# ----------------------------------------------------------------------------- steps


def median_step(policy: Policy, steps: list[str]) -> str:
    """Best fit of several judgements: the median step, a tie going to the worse step
    (policy ``proposal.rule = "best_fit"``). E.g. [Repair, Improve, Improve, Sustain] ->
    the lower middle of four, Improve; [Repair, Sustain] -> Repair."""
    ranks = sorted(policy.rank(s) for s in steps)
    return policy.designations.order[ranks[(len(ranks) - 1) // 2]]


def worse(policy: Policy, a: str, b: str) -> str:
    return a if policy.rank(a) <= policy.rank(b) else b


def step_higher_better(gap: float, sustain: float, improve: float, repair: float) -> str:
    """A gap where higher is better (attendance, outcomes): at or above ``sustain`` is
    Sustain, then Improve, Repair, and below ``repair`` Stabilise."""
    if gap >= sustain:
        return "Sustain"
    if gap >= improve:
        return "Improve"
    if gap >= repair:
        return "Repair"
    return "Stabilise"


def step_lower_better(gap: float, sustain: float, improve: float, repair: float) -> str:
    """A gap where lower is better (persistent absence above national): at or below
    ``sustain`` is Sustain, then Improve, Repair, and above ``repair`` Stabilise."""
    if gap <= sustain:
        return "Sustain"
    if gap <= improve:
        return "Improve"
    if gap <= repair:
        return "Repair"
    return "Stabilise"


def _with_descriptor(key: str, step: str) -> str:
    text = descriptor_text(key, step)
    return f"{step} (descriptor: {text})" if text else step


def _points(gap: float, unit: str = "points") -> str:
    side = "above" if gap > 0 else "below"
    return "level with" if round(gap, 1) == 0 else f"{abs(gap):.1f} {unit} {side}"


# ----------------------------------------------------------------------------- dates


def term_end_date(tracker: Tracker, term: Term) -> dt.date:
    """The last day of a term: the end of its second half term in the Term dates sheet, or
    a fixed fallback (31 Dec, 15 Apr, 31 Jul) when the tracker has none. Inspections and
    data on or before this date count for the term's assessment."""
    ends = indexed(tracker.term_dates, "term_ends", _term_ends)
    found = ends.get((term.year.label, f"{term.season} 2"))  # type: ignore[union-attr]
    if found is not None:
        return found
    month, day = _FALLBACK_END[term.season]
    return term.year.month_date(month, day)


def _term_ends(frame: pd.DataFrame) -> dict[tuple[str, str], dt.date]:
    if frame.empty:
        return {}
    return {
        (str(y), str(h)): pd.Timestamp(e).date()
        for y, h, e in zip(frame["academic_year"].tolist(), frame["half_term"].tolist(), frame["end"].tolist(), strict=True)
        if e is not None and not pd.isna(e)
    }


# ----------------------------------------------------------------------------- QI1


def suggest_qi1(policy: Policy, found: list[ofsted.Inspection], as_at: dt.date) -> Suggestion:
    """QI1 Ofsted categorisation from the latest judged inspection on or before ``as_at``,
    under either framework (mapping in ``ofsted.qi1_step``)."""
    insp = ofsted.latest_judged(found, as_at)
    if insp is None:
        return Suggestion("qi1", None, f"{NO_EVIDENCE}: no Ofsted inspection recorded on or before {ofsted.format_date(as_at)}")
    step, why = ofsted.qi1_step(policy, insp)
    facts = ({"inspection": insp.describe()},)
    if step is None:
        return Suggestion("qi1", None, f"{NO_EVIDENCE}: {why}", facts)
    return Suggestion("qi1", step, f"{why} -> {_with_descriptor('qi1', step)}", facts)


# ----------------------------------------------------------------------------- QI2


def outcome_step(policy: Policy, measure: str, verdict: sig.Comparison, gap: float) -> str | None:
    """The step a tested measure suggests (DOMAIN.md "Judging from data"):

    - progress scores: DfE's band (or the band placed from the interval) through policy
      ``significance.band_steps`` (default: well above / above Sustain, average Improve,
      below Repair, well below Stabilise);
    - attainment percentages: significantly above -> the "above" step; in line -> the
      "average" step; significantly below -> ``outcome_gap_*`` on the gap, no better than
      the "average" step.
    None when the figure could not be tested."""
    if verdict.band is None:
        return None
    steps = policy.significance.band_steps
    if sig.is_progress(policy, measure) or not verdict.below:
        return steps[verdict.band]
    ds = policy.data_suggestions
    return worse(policy, step_higher_better(gap, ds.outcome_gap_sustain, ds.outcome_gap_improve, ds.outcome_gap_repair), steps["average"])


def outcomes_year(tracker: Tracker, urn: int, term: Term) -> str | None:
    """Outcomes used for a term: the latest academic year before the term's own (a year's
    results are published after it ends, so 2026/27 terms use 2025/26 results)."""
    o = tracker.rows("outcomes", urn)
    years = sorted(set(o.loc[o["academic_year"] < term.year.label, "academic_year"].astype(str)))
    return years[-1] if years else None


def _target(tracker: Tracker, urn: int, year: str, measure: str, group: str = ALL) -> float | None:
    t = tracker.rows("targets", urn)
    if t.empty:
        return None
    found = dict(zip(zip(t["academic_year"].tolist(), t["measure"].tolist(), t["pupil_group"].tolist(), strict=True), t["target"].tolist(), strict=True))
    return num(found.get((year, measure, group)))


def judged_measure(policy: Policy, measure: str) -> bool:
    """Measures QI2 judges: attainment percentages and progress scores. Other scores
    (Attainment 8, scaled scores, APS) are context: a points gap on them has no DfE test."""
    info = MEASURE_INFO.get(measure)
    return info is not None and (info["unit"] == "percent" or sig.is_progress(policy, measure))


def _measure_text(r: dict[str, object], verdict: sig.Comparison) -> str:
    measure = str(r["measure"])
    value, nat = num(r["value"]), num(r["national"])
    gap = (value or 0.0) - (nat or 0.0)
    return f"{measure} {fmt(value, measure)} is {points(gap, measure)} national {fmt(nat, measure)} ({verdict.basis}) -> {verdict.position}"


def suggest_qi2(tracker: Tracker, urn: int, term: Term) -> Suggestion:
    """QI2 Outcomes from the latest results (see ``outcomes_year``), judged only as far as
    the numbers allow (``significance``; DOMAIN.md "Judging from data").

    0. Results older than ``significance.outcomes_max_age_years`` drive nothing; a special
       school or AP with no benchmark for its own phase has "no comparable national figure".
    1. Each All-pupils attainment percentage and progress score is tested against national
       (DfE band, published or estimated interval, or Wilson interval for the cohort) and
       stepped by ``outcome_step``; a measure below the school's target is no better than
       ``below_target_step``. Every part of the reason names its basis.
    2. The measures' best fit (``median_step``).
    3. Groups: a reportable group limits the judgement only when it has at least
       ``significance.min_group_size`` pupils and is significantly below national for the
       group; then outcomes are at most ``group_max_steps_above_worst`` above that group's
       step. Small groups and gaps in line limit nothing and are counted in the reason.
    """
    policy = tracker.policy
    ds = policy.data_suggestions
    year = outcomes_year(tracker, urn, term)
    if year is None:
        return Suggestion("qi2", None, f"{NO_EVIDENCE}: no outcomes recorded for a year before {term.year.label}")
    stale = sig.stale_reason(policy, year, term)
    if stale:
        return Suggestion("qi2", None, f"{NO_EVIDENCE}: {stale}", ({"stale_year": year},))
    gaps = group_gaps(tracker, urn, year)
    steps: list[str] = []
    parts: list[str] = []
    facts: list[dict[str, object]] = []
    untested: list[str] = []
    records = gaps.to_dict("records")
    phase = tracker.phase(urn)
    for r in (r for r in records if r["pupil_group"] == ALL and judged_measure(policy, str(r["measure"]))):
        measure = str(r["measure"])
        value, nat = num(r["value"]), num(r["national"])
        if value is None:
            continue
        if nat is None:
            if r["significance"] == NO_COMPARABLE:
                untested.append(measure)
            continue
        verdict = _verdict(r)
        step = outcome_step(policy, measure, verdict, value - nat)
        if step is None:
            untested.append(f"{measure} ({verdict.basis})")
            continue
        target = _target(tracker, urn, year, measure)
        note = ""
        if target is not None and value < target and policy.rank(step) > policy.rank(ds.below_target_step):
            step = ds.below_target_step
            note = f", below target {fmt(target, measure)}"
        steps.append(step)
        parts.append(f"{_measure_text(r, verdict)}{note} -> {step}")
        facts.append({"measure": measure, "group": ALL, "value": value, "national": nat, "gap": value - nat, "target": target, "step": step, "significance": verdict.position, "basis": verdict.basis})
    if not steps:
        if sig.separate_phase(policy, phase) and untested:
            return Suggestion("qi2", None, f"{NO_EVIDENCE}: {year} outcomes: {sig.no_comparable_figure(phase)}")
        why = f" ({'; '.join(untested)})" if untested else ""
        return Suggestion("qi2", None, f"{NO_EVIDENCE}: {year} outcomes have no measure that can be tested against a national figure{why}")
    result = median_step(policy, steps)
    reason = f"Outcomes {year}: " + "; ".join(parts)
    if len(steps) > 1:
        reason += f". Best fit of {len(steps)} measures: {result}"
    worst_group: tuple[str, dict[str, object], sig.Comparison] | None = None
    small = in_line = 0
    for r in (r for r in records if r["pupil_group"] != ALL and not r["suppressed"] and judged_measure(policy, str(r["measure"]))):
        value, nat = num(r["value"]), num(r["national"])
        if value is None or nat is None or r["band"] is None or pd.isna(r["band"]):
            continue
        verdict = _verdict(r)
        if r["significance"] == sig.SMALL_GROUP:
            small += 1
            facts.append({"measure": r["measure"], "group": r["pupil_group"], "value": value, "national": nat, "gap": value - nat, "target": None, "step": "", "significance": sig.SMALL_GROUP, "basis": verdict.basis})
            continue
        if not verdict.below:
            in_line += 1
            facts.append({"measure": r["measure"], "group": r["pupil_group"], "value": value, "national": nat, "gap": value - nat, "target": None, "step": "", "significance": verdict.position, "basis": verdict.basis})
            continue
        step = outcome_step(policy, str(r["measure"]), verdict, value - nat)
        if step is None:  # not tested (cannot happen for a figure below national, kept for safety)
            continue
        facts.append({"measure": r["measure"], "group": r["pupil_group"], "value": value, "national": nat, "gap": value - nat, "target": None, "step": step, "significance": verdict.position, "basis": verdict.basis})
        if worst_group is None or policy.rank(step) < policy.rank(worst_group[0]):
            worst_group = (step, r, verdict)
    if worst_group is not None:
        step, r, verdict = worst_group
        cap = policy.designations.order[min(len(policy.designations.order) - 1, policy.rank(step) + ds.group_max_steps_above_worst)]
        if policy.rank(result) > policy.rank(cap):
            pupils = num(r["gap_to_national_pupils"])
            who = f", {abs(pupils):.0f} pupils" if pupils is not None else ""
            reason += f". {r['pupil_group']} ({num(r['cohort']):.0f} pupils) {_measure_text(r, verdict)}{who} -> {step}, so outcomes are no better than {cap}"
            result = cap
    if small or in_line:
        reason += (
            f". Groups that limit nothing: {in_line} gap(s) not significantly below national, "
            f"{small} small group(s) under {policy.significance.min_group_size} pupils"
        )
    return Suggestion("qi2", result, f"{reason} -> {_with_descriptor('qi2', result)}", tuple(facts))


def _verdict(r: dict[str, object]) -> sig.Comparison:
    band = r["band"] if isinstance(r["band"], str) else None
    return sig.Comparison(band, str(r["basis"]), num(r["ci_lower"]), num(r["ci_upper"]))


# ----------------------------------------------------------------------------- QI6


def _attendance_rows(tracker: Tracker, urn: int, term: Term) -> pd.DataFrame:
    """All-pupils attendance rows for a school up to and including a term, oldest first."""
    prepared = indexed(tracker.rows("attendance", urn), "all_pupils_by_term", _all_pupils_by_term)
    keep = [t <= term for t in prepared["_term"]]  # type: ignore[index]
    return prepared.loc[keep]  # type: ignore[union-attr]


def _all_pupils_by_term(a: pd.DataFrame) -> pd.DataFrame:
    rows = a.loc[a["pupil_group"] == ALL].copy()
    if rows.empty:
        rows["_term"] = pd.Series(dtype=object)
        return rows
    rows["_term"] = [Term.of(y, t) for y, t in zip(rows["academic_year"], rows["term"], strict=True)]
    return rows.sort_values("_term", key=lambda s: s.map(lambda t: (t.year.start_year, t.index)))


def trend(values: list[float]) -> str:
    """"rising", "falling" or "flat" from the first to the last of the recent terms."""
    delta = values[-1] - values[0]
    if round(delta, 1) > 0:
        return "rising"
    if round(delta, 1) < 0:
        return "falling"
    return "flat"


def suggest_qi6(tracker: Tracker, urn: int, term: Term) -> Suggestion:
    """QI6 Climate for learning: the worst of three judgements (each cited in the reason).

    - Attendance: gap to national through ``attendance_gap_*``. Over the last
      ``trend_terms`` terms attendance is "improving" if it rose. Stabilise's descriptor is
      "consistently low and not improving", so a school in the Stabilise band whose
      attendance is improving is Repair ("improving but not at national average").
    - Persistent absence: points above national through ``persistent_absence_gap_*``.
    - Suspensions: suspensions / cohort x 100 for the term (or the year to date, annualised,
      if ``suspension_rate_period = "year"``); at least ``suspension_ratio_stabilise`` times
      national is "well above average" -> Stabilise, or Repair if the count is falling.
    """
    policy = tracker.policy
    ds = policy.data_suggestions
    gate = Gate.of(policy)
    rows = _attendance_rows(tracker, urn, term)
    rows = rows.loc[rows["attendance_pct"].notna()] if not rows.empty else rows
    if rows.empty:
        return Suggestion("qi6", None, f"{NO_EVIDENCE}: no attendance recorded for {term.label} or earlier")
    cur = rows.iloc[-1]
    cur_term: Term = cur["_term"]
    year = cur_term.year.label
    phases = sig.comparison_phases(policy, tracker.phase(urn))
    when = "" if cur_term == term else f" (latest recorded: {cur_term.label})"
    att = float(cur["attendance_pct"])
    nat = tracker.national_figure(year, phases, "Attendance %")
    if nat is None:
        shown = f"{att:.1f}%" if gate.cohort_ok(cur.get("cohort")) else SUPPRESSED  # the privacy gate
        if sig.separate_phase(policy, tracker.phase(urn)):
            return Suggestion("qi6", None, f"{NO_EVIDENCE}: attendance {shown}: {sig.no_comparable_figure(tracker.phase(urn))}")
        return Suggestion("qi6", None, f"{NO_EVIDENCE}: attendance {shown} but no national attendance figure for {year}")
    # The privacy gate decides what may be shown, and so what may drive the judgement: a
    # figure hidden for a small cohort (or a count in disguise) would otherwise be readable
    # from the step it produced (DOMAIN.md: no small group drives a designation).
    gated = gate.attendance(cur.to_dict())
    small = f"{SUPPRESSED} (fewer than {gate.minimum} pupils)"
    if is_suppressed(gated["attendance_pct"]):
        return Suggestion(
            "qi6", None,
            f"{NO_EVIDENCE}: attendance{when} {small}, too few pupils to judge from data; "
            f"judge from the reviewer's evidence",
        )
    gap = att - nat[0]
    shown_rows = [r for r in rows.tail(ds.trend_terms).to_dict("records") if not is_suppressed(gate.attendance(r)["attendance_pct"])]
    recent = [float(r["attendance_pct"]) for r in shown_rows]
    direction = trend(recent) if len(recent) >= 2 else None
    step = step_higher_better(gap, ds.attendance_gap_sustain, ds.attendance_gap_improve, ds.attendance_gap_repair)
    over = f" over {len(recent)} terms" if direction else ""
    text = f"Attendance {att:.1f}%{when} is {_points(gap)} national {nat[0]:.1f}%"
    if direction:
        text += f" and {direction}{over}"
    if step == "Stabilise" and direction == "rising":
        step = "Repair"
        text += " (improving, so not 'consistently low and not improving')"
    steps = [step]
    parts = [f"{text} -> {step}"]
    facts: list[dict[str, object]] = [{"measure": "Attendance %", "term": cur_term.label, "value": att, "national": nat[0], "gap": round(gap, 2), "trend": direction or "", "step": step}]
    pa = num(cur.get("persistent_absence_pct"))  # Series.get: None when the column is absent
    nat_pa = tracker.national_figure(year, phases, "Persistent absence %")
    if pa is not None and nat_pa is not None:
        if is_suppressed(gated["persistent_absence_pct"]):
            parts.append(f"persistent absence {SUPPRESSED} (fewer than {gate.minimum} pupils): not judged")
            facts.append({"measure": "Persistent absence %", "term": cur_term.label, "value": SUPPRESSED, "national": nat_pa[0], "gap": SUPPRESSED, "trend": "", "step": ""})
        else:
            gap_pa = pa - nat_pa[0]
            s = step_lower_better(gap_pa, ds.persistent_absence_gap_sustain, ds.persistent_absence_gap_improve, ds.persistent_absence_gap_repair)
            steps.append(s)
            parts.append(f"persistent absence {pa:.1f}% is {_points(gap_pa)} national {nat_pa[0]:.1f}% -> {s}")
            facts.append({"measure": "Persistent absence %", "term": cur_term.label, "value": pa, "national": nat_pa[0], "gap": round(gap_pa, 2), "trend": "", "step": s})
    sus = _suspension_rate(rows, cur_term, ds.suspension_rate_period)
    nat_s = tracker.national_figure(year, phases, "Suspension rate %")
    if sus is not None and nat_s is not None and nat_s[0] > 0:
        rate, falling = sus[0], sus[1]
        ratio = rate / nat_s[0]
        per = "this term" if ds.suspension_rate_period == "term" else "a year (annualised)"
        s = None
        if is_suppressed(gated["suspensions"]) or gate.small_count(sus[2]):
            line = f"suspensions {per} {SUPPRESSED} (fewer than {gate.minimum}): not judged"
            facts.append({"measure": "Suspension rate %", "term": cur_term.label, "value": SUPPRESSED, "national": nat_s[0], "gap": SUPPRESSED, "trend": "", "step": ""})
        else:
            line = f"suspensions {rate:.1f} per 100 pupils {per} are {ratio:.1f}x national {nat_s[0]:.1f}"
            if ratio >= ds.suspension_ratio_stabilise:
                s = "Repair" if falling else "Stabilise"
                line += f" -> {s}" + (" (falling)" if falling else " (well above average and not improving)")
                steps.append(s)
            facts.append({"measure": "Suspension rate %", "term": cur_term.label, "value": round(rate, 2), "national": nat_s[0], "gap": round(rate - nat_s[0], 2), "trend": "falling" if falling else "", "step": s or ""})
        parts.append(line)
    result = steps[0]
    for s in steps[1:]:
        result = worse(policy, result, s)
    reason = "; ".join(parts)
    if len(steps) > 1:
        reason += f". Worst of these: {result}"
    if result == "Sustain":
        below = groups_below_national(tracker, urn, cur_term, phases)
        if below:
            result = "Improve"
            reason += (
                f". Not every group is above average ({'; '.join(below)}), so not "
                f"'{descriptor_text('qi6', 'Sustain').split('; ')[-1]}' -> Improve"
            )
    return Suggestion("qi6", result, f"{reason} -> {_with_descriptor('qi6', result)}", tuple(facts))


def groups_below_national(tracker: Tracker, urn: int, term: Term, phases: list[str]) -> list[str]:
    """Reportable pupil groups whose attendance this term is below the national figure for
    the same group (Sustain's descriptor: "Attendance of all groups of students is above
    average"). Suppressed groups (see ``groups.suppress_cells``) are not used or named."""
    a = tracker.rows("attendance", urn)
    rows = a.loc[(a["academic_year"] == term.year.label) & (a["term"] == term.season)]
    cohorts = {str(g): num(n) for g, n in zip(rows["pupil_group"].tolist(), rows["cohort"].tolist(), strict=True)}
    withheld = {}
    if "cohort_code" in rows:
        withheld = {str(g): c for g, c in zip(rows["pupil_group"].tolist(), rows["cohort_code"].tolist(), strict=True) if isinstance(c, str) and c}
    hidden = suppress_cells(cohorts, withheld, tracker.policy)
    out = []
    for g, v in zip(rows["pupil_group"].tolist(), rows["attendance_pct"].tolist(), strict=True):
        att = num(v)
        if g == ALL or g in hidden or att is None:
            continue
        nat = tracker.national_figure(term.year.label, phases, "Attendance %", str(g))
        if nat is not None and att < nat[0]:
            out.append(f"{g} {att:.1f}% vs {nat[0]:.1f}%")
    return out


def _suspension_rate(rows: pd.DataFrame, cur_term: Term, period: str) -> tuple[float, bool, float] | None:
    """Suspensions per 100 pupils to compare with the national rate: this term's when the
    national figure is termly; the year to date annualised (x 3 / terms so far) when it is
    annual. Also whether the termly count fell from the previous term, and the count the
    rate comes from (for the privacy gate)."""
    if "suspensions" not in rows:
        return None
    cohort = num(rows.iloc[-1].get("cohort"))
    current = num(rows.iloc[-1].get("suspensions"))
    if current is None or not cohort:
        return None
    count = current
    if period == "term":
        rate = current / cohort * 100
    else:
        year_rows = rows.loc[rows["_term"].map(lambda t: t.year == cur_term.year)]
        known = [c for c in (num(v) for v in year_rows["suspensions"]) if c is not None]
        count = sum(known)
        rate = count / cohort * 100 * len(SEASONS) / len(known)
    prev = [num(v) for v in rows["suspensions"].tail(2)]
    falling = len(prev) == 2 and None not in prev and prev[1] < prev[0]  # type: ignore[operator]
    return rate, bool(falling), float(count)


# ----------------------------------------------------------------------------- dispatch


def no_data_source(key: str) -> Suggestion:
    """QI3, QI4, QI5, QI7: the tracker holds no data to judge them from."""
    return Suggestion(key, None, f"{NO_EVIDENCE}: the tracker has no data for {indicator(key).name}; a reviewer's judgement is needed")


def suggest(tracker: Tracker, urn: int, term: Term, key: str, found: list[ofsted.Inspection] | None = None, memo: dict | None = None) -> Suggestion:
    """The data suggestion for one indicator, or "no evidence". ``memo`` (a dict kept by
    the caller for one school) shares the outcomes suggestion between terms that use the
    same year's results."""
    if key == "qi1":
        return suggest_qi1(tracker.policy, found if found is not None else ofsted.inspections(tracker, urn), term_end_date(tracker, term))
    if key == "qi2":
        if memo is None:
            return suggest_qi2(tracker, urn, term)
        year = outcomes_year(tracker, urn, term)
        # Same year's results, same suggestion, unless they are too old for this term.
        memo_key = ("qi2", urn, year, year and sig.stale_reason(tracker.policy, year, term))
        if memo_key not in memo:
            memo[memo_key] = suggest_qi2(tracker, urn, term)
        return memo[memo_key]
    if key == "qi6":
        return suggest_qi6(tracker, urn, term)
    return no_data_source(key)
