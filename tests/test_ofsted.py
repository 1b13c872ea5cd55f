"""Ofsted under both frameworks: latest inspection, QI1 mapping and limiting judgements."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.assessment import ofsted
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker

URN = 900100
POLICY = default_policy()
AS_AT = dt.date(2026, 12, 18)


def tracker(legacy: list[dict] | None = None, cards: list[dict] | None = None) -> Tracker:
    tables = {}
    if legacy:
        tables["ofsted_legacy"] = pd.DataFrame([{"urn": URN, **r, "inspection_date": pd.Timestamp(r["inspection_date"])} for r in legacy])
    if cards:
        tables["ofsted_report_cards"] = pd.DataFrame([{"urn": URN, **r, "inspection_date": pd.Timestamp(r["inspection_date"])} for r in cards])
    return Tracker(tables)


def card(date: str, safeguarding: str = "Met", **areas: str) -> dict:
    base = {a: "Expected standard" for a in ("inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour", "personal_development_and_wellbeing", "leadership_and_governance")}
    return {"inspection_date": date, **base, **areas, "safeguarding": safeguarding, "category_of_concern": "None"}


def test_latest_inspection_across_both_frameworks():
    t = tracker(
        legacy=[{"inspection_date": "2023-05-10", "overall_effectiveness": "Good", "safeguarding_effective": True, "category_of_concern": "None"}],
        cards=[card("2026-03-04", achievement="Needs attention")],
    )
    latest = ofsted.latest_inspection(t, URN, AS_AT)
    assert latest.framework == ofsted.REPORT_CARD and latest.date == dt.date(2026, 3, 4)
    # Before the report card, the legacy inspection is the latest.
    assert ofsted.latest_inspection(t, URN, dt.date(2025, 12, 19)).framework == ofsted.LEGACY
    assert ofsted.latest_inspection(t, URN, dt.date(2020, 1, 1)) is None


def test_legacy_grades_map_onto_the_four_steps():
    for grade, expected in [("Outstanding", "Sustain"), ("Good", "Sustain"), ("Requires improvement", "Improve"), ("Inadequate", "Stabilise")]:
        insp = ofsted.Inspection(ofsted.LEGACY, dt.date(2023, 5, 10), "Graded", grade, {}, "Met", None)
        step, why = ofsted.qi1_step(POLICY, insp)
        assert step == expected, grade
        assert grade in why and "10 May 2023" in why


def test_legacy_not_graded_uses_the_worst_sub_judgement():
    insp = ofsted.Inspection(ofsted.LEGACY, dt.date(2025, 1, 15), "Graded", "Not graded", {"Quality of education": "Good", "Leadership and management": "Requires improvement"}, "Met", None)
    step, why = ofsted.qi1_step(POLICY, insp)
    assert step == "Improve"
    assert "Leadership and management" in why


def test_report_card_needs_attention_counts():
    # Policy: 2 or more "Needs attention" areas -> Repair; one -> Improve; none -> Sustain.
    t = tracker(cards=[card("2026-03-04", achievement="Needs attention", inclusion="Needs attention", curriculum_and_teaching="Needs attention")])
    assert ofsted.qi1_step(POLICY, ofsted.latest_inspection(t, URN))[0] == "Repair"
    t = tracker(cards=[card("2026-03-04", achievement="Needs attention")])
    assert ofsted.qi1_step(POLICY, ofsted.latest_inspection(t, URN))[0] == "Improve"
    t = tracker(cards=[card("2026-03-04", achievement="Strong standard")])
    assert ofsted.qi1_step(POLICY, ofsted.latest_inspection(t, URN))[0] == "Sustain"
    assert ofsted.limiting_judgements(POLICY, ofsted.latest_inspection(t, URN), AS_AT) == []


def test_report_card_urgent_improvement_is_limiting_with_area_and_date():
    t = tracker(cards=[card("2026-02-03", leadership_and_governance="Urgent improvement")])
    insp = ofsted.latest_inspection(t, URN)
    assert ofsted.limiting_judgements(POLICY, insp, AS_AT) == ["Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026"]
    assert ofsted.qi1_step(POLICY, insp)[0] == "Stabilise"


def test_report_card_safeguarding_not_met_is_limiting_even_with_good_grades():
    t = tracker(cards=[card("2026-01-20", safeguarding="Not met", achievement="Strong standard")])
    insp = ofsted.latest_inspection(t, URN)
    assert ofsted.limiting_judgements(POLICY, insp, AS_AT) == ["Ofsted safeguarding Not met, 20 Jan 2026"]
    assert ofsted.qi1_step(POLICY, insp)[0] == "Stabilise"


def test_legacy_inadequate_category_of_concern_and_safeguarding():
    t = tracker(legacy=[{"inspection_date": "2024-06-12", "overall_effectiveness": "Inadequate", "safeguarding_effective": False, "category_of_concern": "Special measures"}])
    found = ofsted.limiting_judgements(POLICY, ofsted.latest_inspection(t, URN), AS_AT)
    assert found == [
        "Ofsted Inadequate overall effectiveness, 12 Jun 2024",
        "Ofsted safeguarding not effective, 12 Jun 2024",
        "Ofsted category of concern (Special measures), 12 Jun 2024",
    ]


def test_old_inspection_informs_qi1_but_no_longer_limits():
    # ofsted_relevance_years = 5: an Inadequate in Mar 2021 is older than 5 years at Dec 2026.
    t = tracker(legacy=[{"inspection_date": "2021-03-01", "overall_effectiveness": "Inadequate", "safeguarding_effective": True, "category_of_concern": "None"}])
    insp = ofsted.latest_inspection(t, URN)
    assert ofsted.limiting_judgements(POLICY, insp, AS_AT) == []
    assert ofsted.limiting_judgements(POLICY, insp, dt.date(2025, 12, 19)) != []
    assert ofsted.qi1_step(POLICY, insp)[0] == "Stabilise"


def test_limiting_grades_are_a_policy_setting():
    policy = POLICY.model_copy(update={"proposal": POLICY.proposal.model_copy(update={"report_card_limiting_grades": ["Urgent improvement", "Needs attention"]})})
    t = tracker(cards=[card("2026-03-04", achievement="Needs attention")])
    assert ofsted.limiting_judgements(policy, ofsted.latest_inspection(t, URN), AS_AT) == ["Ofsted Needs attention in Achievement, 4 Mar 2026"]


def test_ungraded_visit_without_grades_leaves_previous_judgement():
    t = tracker(legacy=[
        {"inspection_date": "2019-10-01", "overall_effectiveness": "Good", "safeguarding_effective": True, "category_of_concern": "None"},
        {"inspection_date": "2024-02-01", "inspection_type": "Ungraded", "overall_effectiveness": None, "safeguarding_effective": None, "category_of_concern": "None"},
    ])
    found = ofsted.inspections(t, URN)
    assert ofsted.latest_inspection(t, URN).date == dt.date(2024, 2, 1)
    assert ofsted.latest_judged(found).date == dt.date(2019, 10, 1)
