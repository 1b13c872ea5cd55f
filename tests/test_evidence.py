"""Data suggestions for blank judgements, each with its reason; "no evidence" otherwise."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.assessment import evidence
from toolkit.calendar.terms import Term
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker

URN = 900200
POLICY = default_policy()
DS = POLICY.data_suggestions
AUTUMN = Term.parse("2026/27 Autumn")


def attendance(values: list[tuple[str, str, float]], pa: float | None = None, suspensions: list[int] | None = None, cohort: int = 400) -> pd.DataFrame:
    rows = []
    for i, (year, term, pct) in enumerate(values):
        rows.append({
            "urn": URN, "academic_year": year, "term": term, "pupil_group": "All pupils", "cohort": cohort,
            "attendance_pct": pct, "persistent_absence_pct": pa, "suspensions": None if suspensions is None else suspensions[i],
        })
    return pd.DataFrame(rows)


def benchmarks(year: str, phase: str, **values: float) -> list[dict]:
    names = {"attendance": "Attendance %", "pa": "Persistent absence %", "suspensions": "Suspension rate %"}
    return [{"academic_year": year, "phase": phase, "measure": names.get(k, k), "pupil_group": "All pupils", "value": v} for k, v in values.items()]


def school(phase: str = "Primary") -> pd.DataFrame:
    return pd.DataFrame([{"urn": URN, "name": "Test School", "phase": phase, "membership": "Member"}])


THREE_TERMS = [("2025/26", "Spring", 90.3), ("2025/26", "Summer", 89.8), ("2026/27", "Autumn", 89.1)]


def test_attendance_below_national_and_falling_is_repair_and_says_why():
    # Worked example: 89.1% against national 91.5% is a gap of -2.4 points. The policy's
    # bands are: >= 0 Sustain, >= -1 Improve, >= -3 Repair, else Stabilise -> Repair.
    assert DS.attendance_gap_improve > -2.4 >= DS.attendance_gap_repair
    t = Tracker({"schools": school(), "attendance": attendance(THREE_TERMS), "benchmarks": pd.DataFrame(benchmarks("2026/27", "Primary", attendance=91.5))})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation == "Repair"
    assert s.reason.startswith("Attendance 89.1% is 2.4 points below national 91.5% and falling over 3 terms -> Repair")
    assert "Attendance and behaviour for all and groups of learners is improving but not at national average." in s.reason


def test_very_low_attendance_that_is_improving_is_repair_not_stabilise():
    # Gap -4.5 is in the Stabilise band, but Stabilise's descriptor needs "not improving".
    rising = [("2025/26", "Spring", 85.0), ("2025/26", "Summer", 86.0), ("2026/27", "Autumn", 87.0)]
    t = Tracker({"schools": school(), "attendance": attendance(rising), "benchmarks": pd.DataFrame(benchmarks("2026/27", "Primary", attendance=91.5))})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation == "Repair"
    assert "rising over 3 terms" in s.reason
    falling = [(y, term, v) for (y, term, _), v in zip(rising, (88.0, 87.5, 87.0), strict=True)]
    t = Tracker({"schools": school(), "attendance": attendance(falling), "benchmarks": pd.DataFrame(benchmarks("2026/27", "Primary", attendance=91.5))})
    assert evidence.suggest_qi6(t, URN, AUTUMN).designation == "Stabilise"


def test_persistent_absence_and_suspensions_can_make_climate_worse():
    # Attendance 92.0 vs 91.5 is Sustain on its own. Persistent absence 20.0 vs national 15.0
    # is 5 points above: above the Improve limit (3), within Repair (8) -> Repair overall.
    steady = [("2025/26", "Spring", 92.0), ("2025/26", "Summer", 92.0), ("2026/27", "Autumn", 92.0)]
    bm = pd.DataFrame(benchmarks("2026/27", "Secondary", attendance=91.5, pa=15.0, suspensions=10.0))
    t = Tracker({"schools": school("Secondary"), "attendance": attendance(steady, pa=20.0, suspensions=[5, 5, 5]), "benchmarks": bm})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation == "Repair"
    assert "persistent absence 20.0% is 5.0 points above national 15.0% -> Repair" in s.reason
    # Suspensions: 30 this term for 400 pupils is 7.5 per 100; the national termly rate is
    # 3.0, so 2.5x national >= the policy's 2.0 -> "well above average" -> Stabilise.
    assert DS.suspension_rate_period == "term"
    bm = pd.DataFrame(benchmarks("2026/27", "Secondary", attendance=91.5, pa=15.0, suspensions=3.0))
    t = Tracker({"schools": school("Secondary"), "attendance": attendance(steady, pa=15.0, suspensions=[5, 5, 30]), "benchmarks": bm})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert DS.suspension_ratio_stabilise <= 7.5 / 3.0
    assert s.designation == "Stabilise"
    assert "suspensions 7.5 per 100 pupils this term are 2.5x national 3.0 -> Stabilise" in s.reason
    # Falling from the previous term's count -> Repair (the descriptor needs "not improving").
    t = Tracker({"schools": school("Secondary"), "attendance": attendance(steady, pa=15.0, suspensions=[5, 40, 30]), "benchmarks": bm})
    assert evidence.suggest_qi6(t, URN, AUTUMN).designation == "Repair"


def test_annual_national_suspension_rate_is_compared_with_an_annualised_rate():
    # Autumn only so far: 30 / 400 x 100 x 3 terms = 22.5 a year, vs national 10.0 -> 2.25x.
    policy = POLICY.model_copy(update={"data_suggestions": DS.model_copy(update={"suspension_rate_period": "year"})})
    steady = [("2025/26", "Spring", 92.0), ("2025/26", "Summer", 92.0), ("2026/27", "Autumn", 92.0)]
    bm = pd.DataFrame(benchmarks("2026/27", "Secondary", attendance=91.5, pa=15.0, suspensions=10.0))
    t = Tracker({"schools": school("Secondary"), "attendance": attendance(steady, pa=15.0, suspensions=[5, 5, 30]), "benchmarks": bm}, policy=policy)
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation == "Stabilise"
    assert "suspensions 22.5 per 100 pupils a year (annualised) are 2.2x national 10.0" in s.reason


def test_no_attendance_or_no_national_figure_is_no_evidence():
    t = Tracker({"schools": school()})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation is None and s.reason.startswith("no evidence")
    t = Tracker({"schools": school(), "attendance": attendance(THREE_TERMS)})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation is None and "no national attendance figure" in s.reason


@pytest.mark.parametrize("key", ["qi3", "qi4", "qi5", "qi7"])
def test_indicators_without_a_data_source_say_no_evidence(key):
    t = Tracker({"schools": school(), "attendance": attendance(THREE_TERMS)})
    s = evidence.suggest(t, URN, AUTUMN, key)
    assert s.designation is None
    assert s.reason.startswith("no evidence: the tracker has no data for")


def test_qi1_without_inspection_is_no_evidence():
    s = evidence.suggest(Tracker({"schools": school()}), URN, AUTUMN, "qi1")
    assert s.designation is None and "no Ofsted inspection" in s.reason


def outcomes(rows: list[tuple[str, str, int, float]], year: str = "2025/26") -> pd.DataFrame:
    return pd.DataFrame([{"urn": URN, "academic_year": year, "measure": m, "pupil_group": g, "cohort": n, "value": v} for m, g, n, v in rows])


def test_qi2_from_outcomes_against_national_uses_last_years_results():
    # Rules changed (issue 9): a difference counts only where it is significant.
    # RWM 58 vs national 61 for 60 pupils: the 95% Wilson interval 45.4 to 69.6 includes 61,
    # so in line -> the "average" step, Improve. Maths progress +0.5 for 60 pupils: the
    # interval estimated as DfE does (+/- 1.96 x 5.5 / sqrt(60)) runs -0.9 to +1.9 and
    # includes 0 -> average -> Improve. Best fit -> Improve.
    out = outcomes([("RWM expected standard %", "All pupils", 60, 58.0), ("Maths progress", "All pupils", 60, 0.5)])
    bm = pd.DataFrame([
        {"academic_year": "2025/26", "phase": "Primary", "measure": "RWM expected standard %", "pupil_group": "All pupils", "value": 61.0},
        {"academic_year": "2025/26", "phase": "Primary", "measure": "Maths progress", "pupil_group": "All pupils", "value": 0.0},
    ])
    t = Tracker({"schools": school(), "outcomes": out, "benchmarks": bm})
    s = evidence.suggest_qi2(t, URN, AUTUMN)
    assert s.designation == "Improve"
    assert s.reason.startswith(
        "Outcomes 2025/26: RWM expected standard % 58 is 3.0 points below national 61 "
        "(95% interval for 60 pupils 45.4 to 69.6 includes national 61) -> in line -> Improve; "
        "Maths progress 0.5 is 0.5 above national 0.0 (95% interval -0.9 to +1.9 (estimated from 60 pupils) includes national 0.0) -> in line -> Improve"
    )
    # Results of the term's own year are not yet published for that term.
    assert evidence.suggest_qi2(t, URN, Term.parse("2025/26 Summer")).designation is None


def test_qi2_target_and_group_gap_limit_the_judgement():
    bm = pd.DataFrame([
        {"academic_year": "2025/26", "phase": "Primary", "measure": "RWM expected standard %", "pupil_group": g, "value": v}
        for g, v in [("All pupils", 61.0), ("Disadvantaged", 46.0)]
    ])
    # All pupils 85 of 60 is significantly above national 61 (interval 73.9 to 91.9): Sustain;
    # but below the school's target 90 -> Improve. (Was 65: now in line, so not a target test.)
    out = outcomes([("RWM expected standard %", "All pupils", 60, 85.0)])
    targets = pd.DataFrame([{"urn": URN, "academic_year": "2025/26", "measure": "RWM expected standard %", "pupil_group": "All pupils", "target": 90.0}])
    t = Tracker({"schools": school(), "outcomes": out, "benchmarks": bm, "targets": targets})
    s = evidence.suggest_qi2(t, URN, AUTUMN)
    assert s.designation == DS.below_target_step == "Improve"
    assert "below target 90" in s.reason
    # No target; Disadvantaged (20 pupils) at 10% is 36 points below its national 46 and
    # the interval 2.8 to 30.1 excludes it: significant, beyond the Repair band (-12) ->
    # Stabilise; outcomes are at most 1 step above it -> Repair. (Was 30%: 30% of 20 pupils
    # has the interval 14.5 to 51.9, which includes 46, so it no longer limits anything.)
    out = outcomes([("RWM expected standard %", "All pupils", 60, 85.0), ("RWM expected standard %", "Disadvantaged", 20, 10.0), ("RWM expected standard %", "Not disadvantaged", 40, 82.5)])
    t = Tracker({"schools": school(), "outcomes": out, "benchmarks": bm})
    s = evidence.suggest_qi2(t, URN, AUTUMN)
    assert s.designation == "Repair"
    # 36 points of 20 pupils is 7.2 -> 7 pupils.
    assert (
        "Disadvantaged (20 pupils) RWM expected standard % 10 is 36.0 points below national 46 "
        "(95% interval for 20 pupils 2.8 to 30.1 excludes national 46) -> below, 7 pupils -> Stabilise, so outcomes are no better than Repair"
    ) in s.reason
    out = out.assign(value=[85.0, 30.0, 82.5])  # a new table: trackers index their tables once
    assert evidence.suggest_qi2(Tracker({"schools": school(), "outcomes": out, "benchmarks": bm}), URN, AUTUMN).designation == "Sustain"


def test_qi2_ignores_a_suppressed_group():
    bm = pd.DataFrame([
        {"academic_year": "2025/26", "phase": "Primary", "measure": "RWM expected standard %", "pupil_group": g, "value": v}
        for g, v in [("All pupils", 61.0), ("EHC plan", 20.0)]
    ])
    # EHC plan has 3 pupils (below the minimum of 6): its 0% must not drag outcomes down.
    # (All pupils raised from 65 to 85 so that it is significantly above national: Sustain.)
    out = outcomes([("RWM expected standard %", "All pupils", 60, 85.0), ("RWM expected standard %", "EHC plan", 3, 0.0)])
    t = Tracker({"schools": school(), "outcomes": out, "benchmarks": bm})
    assert evidence.suggest_qi2(t, URN, AUTUMN).designation == "Sustain"


def test_median_step_ties_go_to_the_worse_step():
    assert evidence.median_step(POLICY, ["Repair", "Sustain"]) == "Repair"
    assert evidence.median_step(POLICY, ["Repair", "Improve", "Improve", "Sustain"]) == "Improve"
    assert evidence.median_step(POLICY, ["Stabilise", "Sustain", "Sustain"]) == "Sustain"


def test_term_end_date_from_term_dates_or_fallback():
    td = pd.DataFrame([{"academic_year": "2026/27", "half_term": "Autumn 2", "start": pd.Timestamp("2026-11-02"), "end": pd.Timestamp("2026-12-18")}])
    assert str(evidence.term_end_date(Tracker({"term_dates": td}), AUTUMN)) == "2026-12-18"
    assert str(evidence.term_end_date(Tracker({}), AUTUMN)) == "2026-12-31"


def test_sustain_needs_every_reportable_group_above_average():
    # All pupils 96.0 vs national 95.1 -> Sustain on its own. Disadvantaged (40 pupils) at
    # 92.0 is below the national figure for disadvantaged pupils (92.6) -> Improve.
    # SEN support has 3 pupils (suppressed): its 80% must not count, nor be named.
    def row(group: str, n: int, pct: float) -> dict:
        return {"urn": URN, "academic_year": "2026/27", "term": "Autumn", "pupil_group": group, "cohort": n, "attendance_pct": pct}

    bm = pd.DataFrame(benchmarks("2026/27", "Primary", attendance=95.1) + [
        {"academic_year": "2026/27", "phase": "Primary", "measure": "Attendance %", "pupil_group": g, "value": v}
        for g, v in (("Disadvantaged", 92.6), ("Not disadvantaged", 96.1), ("SEN support", 93.1), ("No SEN", 95.5), ("EHC plan", 91.1))
    ])
    rows = [row("All pupils", 200, 96.0), row("Disadvantaged", 40, 92.0), row("Not disadvantaged", 160, 97.0),
            row("SEN support", 3, 80.0), row("EHC plan", 7, 95.0), row("No SEN", 190, 96.5)]
    t = Tracker({"schools": school(), "attendance": pd.DataFrame(rows), "benchmarks": bm})
    s = evidence.suggest_qi6(t, URN, AUTUMN)
    assert s.designation == "Improve"
    assert "Not every group is above average (Disadvantaged 92.0% vs 92.6%)" in s.reason
    assert "SEN support" not in s.reason
    # With the disadvantaged pupils at 93.0 every shown group is above average -> Sustain.
    rows[1] = row("Disadvantaged", 40, 93.0)
    t = Tracker({"schools": school(), "attendance": pd.DataFrame(rows), "benchmarks": bm})
    assert evidence.suggest_qi6(t, URN, AUTUMN).designation == "Sustain"
