"""The proposal rule, the exit from High risk, and whole assessments built from a tracker."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from toolkit.assessment.designation import (
    TermRecord,
    apply_exit_rule,
    assess_school,
    assess_trust,
    designations_frame,
    movement,
    propose,
    what_if,
)
from toolkit.calendar.terms import Term
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker

POLICY = default_policy()
URN = 900300
KEYS = [f"qi{i}" for i in range(1, 8)]


def judgements(*steps: str | None) -> dict[str, str | None]:
    return dict(zip(KEYS, steps, strict=True))


# ----------------------------------------------------------------------------- propose


def test_best_fit_is_the_median_with_ties_to_the_worse_step():
    # Repair x3, Improve x2, Sustain x2: sorted ranks 1,1,1,2,2,3,3 -> median Improve.
    result, reasons = propose(POLICY, judgements("Repair", "Repair", "Repair", "Improve", "Improve", "Sustain", "Sustain"))
    assert result == "Improve"
    assert reasons == ["best fit of 7 judged indicators (Repair x3, Improve x2, Sustain x2) is Improve"]
    # Six judged (one no evidence): Repair x3, Improve x3 -> tie between Repair and Improve -> Repair.
    result, reasons = propose(POLICY, judgements("Repair", "Repair", "Repair", "Improve", "Improve", "Improve", None))
    assert result == "Repair"
    assert reasons[-1] == "not judged, no evidence: Governance"


def test_proposal_is_capped_above_the_worst_indicator():
    # Median Sustain, but one Stabilise: at most max_steps_above_worst (1) above it -> Repair.
    assert POLICY.proposal.max_steps_above_worst == 1
    result, reasons = propose(POLICY, judgements("Sustain", "Sustain", "Sustain", "Sustain", "Improve", "Stabilise", "Improve"))
    assert result == "Repair"
    assert reasons[1] == "no more than 1 step(s) above the worst indicator (Stabilise: Climate), so Repair"


def test_limiting_judgement_proposes_stabilise_whatever_else_holds():
    result, reasons = propose(POLICY, judgements(*["Sustain"] * 7), ["Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026"])
    assert result == POLICY.proposal.category_of_concern_designation == "Stabilise"
    assert f"{result}: {reasons[0]}" == "Stabilise: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026"


def test_worst_rule_is_a_policy_setting():
    policy = POLICY.model_copy(update={"proposal": POLICY.proposal.model_copy(update={"rule": "worst"})})
    result, _ = propose(policy, judgements("Sustain", "Sustain", "Sustain", "Sustain", "Sustain", "Improve", "Sustain"))
    assert result == "Improve"


def test_nothing_judged_proposes_nothing():
    result, reasons = propose(POLICY, judgements(*[None] * 7))
    assert result is None and reasons == ["no indicator has a judgement or data"]


# ----------------------------------------------------------------------------- exit from High risk


def rec(label: str, raw: str, agreed: str | None = None, proposed: str | None = None) -> TermRecord:
    return TermRecord(Term.parse(label), raw, proposed or raw, agreed)


def test_exit_from_high_risk_needs_two_consecutive_terms_below():
    assert POLICY.exit_high_risk.consecutive_terms == 2
    spring = rec("2025/26 Spring", "Repair", agreed="Repair")
    # Summer: first term below High risk -> stays Repair.
    held, note = apply_exit_rule(POLICY, Term.parse("2025/26 Summer"), "Improve", [spring])
    assert held == "Repair"
    assert "1 of the 2 consecutive terms" in note
    # Autumn: second consecutive term below (Summer's raw proposal was Improve) -> leaves.
    summer = rec("2025/26 Summer", "Improve", agreed="Improve", proposed="Repair")
    out, note = apply_exit_rule(POLICY, Term.parse("2026/27 Autumn"), "Improve", [spring, summer])
    assert out == "Improve"
    assert note == "leaves High risk: the proposal has been below High risk for 2 consecutive terms (2025/26 Summer, 2026/27 Autumn)"
    # A school that was never High risk is untouched.
    assert apply_exit_rule(POLICY, Term.parse("2025/26 Summer"), "Improve", [rec("2025/26 Spring", "Improve")]) == ("Improve", "")
    # A High-risk proposal is untouched.
    assert apply_exit_rule(POLICY, Term.parse("2025/26 Summer"), "Repair", [spring]) == ("Repair", "")


def test_exit_rule_terms_is_a_policy_setting():
    policy = POLICY.model_copy(update={"exit_high_risk": POLICY.exit_high_risk.model_copy(update={"consecutive_terms": 1})})
    out, note = apply_exit_rule(policy, Term.parse("2025/26 Summer"), "Improve", [rec("2025/26 Spring", "Repair", agreed="Repair")])
    assert out == "Improve" and note.startswith("leaves High risk")


def test_movement():
    assert movement(POLICY, "Repair", "Improve") == "up"
    assert movement(POLICY, "Improve", "Stabilise") == "down"
    assert movement(POLICY, "Sustain", "Sustain") == "same"
    assert movement(POLICY, None, "Sustain") == "new"


# ----------------------------------------------------------------------------- whole assessments

TERMS = ["2025/26 Autumn", "2025/26 Spring", "2025/26 Summer", "2026/27 Autumn"]


def assessment(term: str, steps: list[str | None], agreed: str | None = None, rationale: str | None = None, urn: int = URN) -> dict:
    t = Term.parse(term)
    row = {"urn": urn, "academic_year": t.year.label, "term": t.season, "agreed_designation": agreed, "rationale": rationale}
    for k, s in zip(KEYS, steps, strict=True):
        row[f"{k}_judgement"] = s
        row[f"{k}_evidence"] = f"evidence for {k}" if s else None
    return row


def build(rows: list[dict], **tables: list[dict]) -> Tracker:
    schools = pd.DataFrame([{"urn": URN, "name": "Test <School> & Co", "phase": "Secondary", "membership": "Member"}])
    frames = {"schools": schools, "assessments": pd.DataFrame(rows)}
    for k, v in tables.items():
        frames[k] = pd.DataFrame(v)
    return Tracker(frames)


def test_blank_judgement_is_filled_from_data_and_named_as_such():
    steps = ["Improve", "Improve", "Improve", "Improve", "Improve", None, "Improve"]
    att = [{"urn": URN, "academic_year": "2026/27", "term": "Autumn", "pupil_group": "All pupils", "cohort": 800, "attendance_pct": 88.0}]
    bm = [{"academic_year": "2026/27", "phase": "Secondary", "measure": "Attendance %", "pupil_group": "All pupils", "value": 91.0}]
    t = build([assessment("2026/27 Autumn", steps, agreed="Improve")], attendance=att, benchmarks=bm)
    a = assess_school(t, URN, "2026/27 Autumn")
    qi6 = a.judgement("qi6")
    # 88.0 vs 91.0 is -3.0: the bottom of the Repair band (>= -3.0) -> Repair, from data.
    assert (qi6.judgement, qi6.source) == ("Repair", "data")
    assert qi6.reason.startswith("Attendance 88.0% is 3.0 points below national 91.0%")
    assert a.judgement("qi1").source == "reviewer"
    # Improve x6 + Repair -> median Improve.
    assert a.proposed == "Improve"


def test_no_evidence_is_said_not_guessed():
    steps = ["Improve", None, None, None, "Improve", None, None]
    a = assess_school(build([assessment("2026/27 Autumn", steps)]), URN, "2026/27 Autumn")
    for key in ("qi2", "qi3", "qi4", "qi6", "qi7"):
        j = a.judgement(key)
        assert j.judgement is None and j.source == "none" and j.reason.startswith("no evidence")
    # Issue 9: 2 of 7 judged is below the policy's minimum of 4, so no proposal is made
    # (was: a proposal from the two, naming the five not judged).
    assert POLICY.proposal.min_judged_indicators == 4
    assert a.proposed is None
    assert a.proposal_reasons == (
        "insufficient evidence: 2 of 7 indicators judged",
        "a proposal needs at least 4 judged indicators; not judged: Outcomes, Leadership, Curriculum, Climate, Governance",
    )
    assert a.proposal_label == "insufficient evidence: 2 of 7 indicators judged"
    assert a.proposal_text.startswith("insufficient evidence: 2 of 7")
    # With four judged the proposal is made and the three not judged are named.
    steps = ["Improve", None, "Improve", "Repair", "Improve", None, None]
    a = assess_school(build([assessment("2026/27 Autumn", steps)]), URN, "2026/27 Autumn")
    assert a.proposed == "Improve"
    assert a.proposal_reasons[-1] == "not judged, no evidence: Outcomes, Climate, Governance"


def test_agreed_designation_that_differs_is_flagged_with_rationale():
    steps = ["Repair", "Repair", "Repair", "Repair", "Improve", "Improve", "Improve"]
    t = build([assessment("2026/27 Autumn", steps, agreed="Improve", rationale="New head in post; strong <early> signs")])
    a = assess_school(t, URN, "2026/27 Autumn")
    assert a.proposed == "Repair" and a.agreed == "Improve"
    assert a.differs is True
    assert a.rationale == "New head in post; strong <early> signs"
    assert a.designation == "Improve" and a.risk == "Some risk"


def test_report_card_urgent_improvement_stabilises_a_school_with_good_judgements():
    rows = [assessment(term, ["Repair"] * 7, agreed=agreed) for term, agreed in zip(TERMS[:2], ["Repair", "Stabilise"], strict=True)]
    card = [{"urn": URN, "inspection_date": pd.Timestamp("2026-02-03"), "leadership_and_governance": "Urgent improvement", "achievement": "Needs attention", "safeguarding": "Met"}]
    t = build(rows, ofsted_report_cards=card)
    autumn = assess_school(t, URN, "2025/26 Autumn")
    assert autumn.proposed == "Repair" and autumn.limiting == ()  # inspection not yet held
    spring = assess_school(t, URN, "2025/26 Spring")
    assert spring.proposal_text.startswith("Stabilise: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026")
    assert (spring.previous_designation, spring.movement, spring.risk) == ("Repair", "down", "High risk")
    assert spring.inspection["framework"] == "report card"


def test_safeguarding_not_met_and_legacy_category_of_concern_both_limit():
    card = [{"urn": URN, "inspection_date": pd.Timestamp("2026-05-12"), "leadership_and_governance": "Strong standard", "safeguarding": "Not met"}]
    t = build([assessment("2026/27 Autumn", ["Sustain"] * 7)], ofsted_report_cards=card)
    a = assess_school(t, URN, "2026/27 Autumn")
    assert a.proposed == "Stabilise"
    assert a.limiting == ("Ofsted safeguarding Not met, 12 May 2026",)
    legacy = [{"urn": URN, "inspection_date": pd.Timestamp("2024-03-06"), "overall_effectiveness": "Requires improvement", "safeguarding_effective": True, "category_of_concern": "Serious weaknesses"}]
    t = build([assessment("2026/27 Autumn", ["Sustain"] * 7)], ofsted_legacy=legacy)
    a = assess_school(t, URN, "2026/27 Autumn")
    assert a.proposal_text.startswith("Stabilise: Ofsted category of concern (Serious weaknesses), 6 Mar 2024")


def test_exit_from_high_risk_across_a_schools_history():
    # Repair, Repair, then judgements best-fitting Improve for two terms (the Millbrook story).
    improve = ["Improve"] * 5 + ["Repair", "Improve"]
    rows = [
        assessment(TERMS[0], ["Repair"] * 7, agreed="Repair"),
        assessment(TERMS[1], ["Repair"] * 7, agreed="Repair"),
        assessment(TERMS[2], improve, agreed="Improve", rationale="EIT judged the improvement secure"),
        assessment(TERMS[3], improve, agreed="Improve"),
    ]
    t = build(rows)
    summer = assess_school(t, URN, TERMS[2])
    assert (summer.raw_proposed, summer.proposed) == ("Improve", "Repair")
    assert summer.differs and "1 of the 2 consecutive terms" in summer.exit_rule
    autumn = assess_school(t, URN, TERMS[3])
    assert autumn.proposed == "Improve" and not autumn.differs
    assert autumn.exit_rule.startswith("leaves High risk")
    assert [h["proposed"] for h in autumn.history] == ["Repair", "Repair", "Repair", "Improve"]
    assert [h["agreed"] for h in autumn.history] == ["Repair", "Repair", "Improve", "Improve"]
    assert autumn.movement == "same" and autumn.previous_designation == "Improve"


def test_what_if_changes_proposal_and_package_at_once():
    t = build([assessment("2026/27 Autumn", ["Improve"] * 7, agreed="Improve")])
    base = assess_school(t, URN, "2026/27 Autumn")
    assert base.proposed == "Improve"
    changed = what_if(t, URN, "2026/27 Autumn", {"Climate": "Stabilise", "qi3": "Stabilise", "5": "Stabilise", "qi4": "Stabilise"})
    # Stabilise x4, Improve x3 -> median Stabilise.
    assert changed.proposed == "Stabilise"
    assert changed.judgement("qi6").source == "what-if"
    expected = POLICY.package("Stabilise")
    assert changed.proposed_package["sia_days"] == expected.sia_days
    assert changed.proposed_package["sip_days_per_year"] == expected.sip_days_per_year
    # The agreed designation (and its package) is what EIT signed off; what-if leaves it.
    assert changed.agreed == "Improve" and changed.package["designation"] == "Improve"
    # Removing the overrides goes back; a bad value is refused.
    assert what_if(t, URN, "2026/27 Autumn", {"qi6": ""}).proposed == "Improve"
    with pytest.raises(ValueError):
        what_if(t, URN, "2026/27 Autumn", {"qi6": "Excellent"})


def test_trust_frame_and_json():
    other = 900301
    schools = pd.DataFrame([
        {"urn": URN, "name": "A", "phase": "Primary", "membership": "Member"},
        {"urn": other, "name": "B", "phase": "Primary", "membership": "Prospective joiner"},
    ])
    rows = [assessment("2026/27 Autumn", ["Sustain"] * 7, agreed="Sustain"), assessment("2026/27 Autumn", ["Improve"] * 7, urn=other)]
    t = Tracker({"schools": schools, "assessments": pd.DataFrame(rows)})
    found = assess_trust(t, "2026/27 Autumn")
    frame = designations_frame(found)
    assert list(frame["urn"]) == [URN, other]
    assert list(frame["proposed"]) == ["Sustain", "Improve"]
    assert list(frame["qi1_source"]) == ["reviewer", "reviewer"]
    assert list(frame["movement"]) == ["new", "new"]
    assert frame.loc[1, "designation"] == "Improve" and pd.isna(frame.loc[1, "agreed"])
    text = json.dumps([a.to_dict() for a in found])
    assert json.loads(text)[0]["judgements"][0]["label"] == "QI1 Ofsted categorisation"


def test_interactive_panel_recomputes_on_a_change():
    from toolkit.reports.interactive import interactive_review

    other = 900301
    schools = pd.DataFrame([
        {"urn": URN, "name": "A", "phase": "Primary", "membership": "Member"},
        {"urn": other, "name": "B", "phase": "Primary", "membership": "Member"},
    ])
    rows = [assessment("2026/27 Autumn", ["Sustain"] * 7, agreed="Sustain"), assessment("2026/27 Autumn", ["Repair"] * 7, urn=other)]
    t = Tracker({"schools": schools, "assessments": pd.DataFrame(rows)})
    box = interactive_review(t, URN, "2026/27 Autumn")
    assert box.latest_what_if().proposed == "Sustain"
    # One Stabilise among six Sustain: median Sustain, capped 1 step above the worst -> Repair,
    # and the package shown is Repair's.
    box.pickers["qi6"].value = "Stabilise"
    latest = box.latest_what_if()
    assert latest.proposed == "Repair"
    assert latest.proposed_package["sia_days"] == POLICY.package("Repair").sia_days
    # Picking another school resets the what-if to that school's own judgements.
    box.pickers["school"].value = other
    assert box.latest_what_if().urn == other and box.latest_what_if().proposed == "Repair"
    assert box.pickers["qi6"].value == "(as assessed)"


def test_review_sections_escape_text_and_suppress_small_groups():
    from toolkit.reports import review

    rows = [assessment("2026/27 Autumn", ["Improve"] * 7, agreed="Repair", rationale="<img src=x onerror=alert(1)>")]
    rows[0]["qi4_evidence"] = "Staffing <b>gaps</b> & turnover"
    out = [
        {"urn": URN, "academic_year": "2025/26", "measure": "English and maths 4+ %", "pupil_group": g, "cohort": n, "value": v}
        for g, n, v in (("All pupils", 100, 60.0), ("Boys", 97, 60.0), ("Girls", 3, 66.7))
    ]
    bm = [{"academic_year": "2025/26", "phase": "Secondary", "measure": "English and maths 4+ %", "pupil_group": g, "value": v} for g, v in (("All pupils", 65.0), ("Boys", 62.0), ("Girls", 68.0))]
    t = build(rows, outcomes=out, benchmarks=bm)
    r = review.review_for(t, URN, "2026/27 Autumn")
    page = "".join(str(f(r)) for f in (review.summary_box, review.indicators_section, review.outcomes_section))
    assert "Staffing &lt;b&gt;gaps&lt;/b&gt; &amp; turnover" in page and "<b>gaps</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert "The agreed designation (Repair) differs from the proposal (Improve)." in page
    # Girls (3 pupils) and, by complementary suppression, Boys are shown as suppressed.
    assert page.count('<td class="suppressed">suppressed</td>') >= 4
    assert ">66.7<" not in page
    chart = review.group_gap_chart(group_gaps_for(t), "English and maths 4+ %")
    assert "Suppressed (not shown): Boys, Girls." in chart.alt
    assert chart.png.startswith(b"\x89PNG")


def group_gaps_for(t: Tracker):
    from toolkit.assessment.groups import group_gaps

    return group_gaps(t, URN, "2025/26")
