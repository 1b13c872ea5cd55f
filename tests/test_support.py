"""Support packages by designation, deployments against them, and trust-wide capacity."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.assessment.designation import assess_trust
from toolkit.assessment.packages import package_for
from toolkit.assessment.support import capacity_check, support_flags, trust_support
from toolkit.calendar.terms import Term
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker

POLICY = default_policy()
TERM = "2026/27 Autumn"


@pytest.mark.parametrize(
    ("designation", "sip", "sia_term", "sia_year", "dhts", "reporting"),
    [
        # Strand 4: High risk -> SIP 10 days a year, SIA up to 20 days a term, 1 or 2 DHTs, half-termly.
        ("Stabilise", 10, 20, 60, (1, 2), "half-termly"),
        ("Repair", 10, 20, 60, (1, 2), "half-termly"),
        # Some risk -> SIP up to 10, SIA up to 10 a year (a third of that per term), termly.
        ("Improve", 10, 10 / 3, 10, (0, 0), "termly"),
        # Low risk -> SIP 5 days, no SIA.
        ("Sustain", 5, 0, 0, (0, 0), "termly"),
    ],
)
def test_package_for_each_designation(designation, sip, sia_term, sia_year, dhts, reporting):
    p = package_for(POLICY, designation)
    assert p.sip_days_per_year == sip
    assert p.sia_days_per_term == pytest.approx(sia_term)
    assert p.sia_days_per_year == sia_year
    assert (p.mat_wide_dhts_min, p.mat_wide_dhts_max) == dhts
    assert p.reporting == reporting
    assert p.risk == POLICY.risk(designation)


def test_package_summary_reads_like_the_strategy():
    s = package_for(POLICY, "Improve").summary
    assert s.startswith("SIP up to 10 days a year; SIA up to 10 days a year")
    assert "Deputy CEO reports termly" in s
    assert "Deputy Headteacher" not in s


def build(designations: dict[int, str], deployments: list[dict], joiners: tuple[int, ...] = ()) -> Tracker:
    term = Term.parse(TERM)
    schools = pd.DataFrame([{"urn": u, "name": f"School {u}", "phase": "Primary", "membership": "Prospective joiner" if u in joiners else "Member"} for u in designations])
    rows = []
    for u, d in designations.items():
        row = {"urn": u, "academic_year": term.year.label, "term": term.season, "agreed_designation": d}
        row |= {f"qi{i}_judgement": d for i in range(1, 8)}
        rows.append(row)
    tables = {"schools": schools, "assessments": pd.DataFrame(rows)}
    if deployments:  # else the Tracker supplies the empty Deployments table
        tables["deployments"] = pd.DataFrame([{"academic_year": "2026/27", **r} for r in deployments])
    return Tracker(tables)


def test_over_allocation_and_under_delivery_are_flagged():
    deployments = [
        # Improve school: SIP up to 10 days a year, but 6 + 6 = 12 planned -> over-allocation.
        {"urn": 1, "term": "Autumn", "person": "Ann SIP", "role": "SIP", "days_planned": 6, "days_used": 5},
        {"urn": 1, "term": "Spring", "person": "Ann SIP", "role": "SIP", "days_planned": 6, "days_used": 0},
        # Stabilise school: SIA 18 planned, 4 used: 4 < 0.5 x 18 -> under-delivery.
        {"urn": 2, "term": "Autumn", "person": "Sam SIA", "role": "SIA", "days_planned": 18, "days_used": 4},
        # Sustain school within its 5 SIP days: no flag.
        {"urn": 3, "term": "Autumn", "person": "Ann SIP", "role": "SIP", "days_planned": 2, "days_used": 2},
    ]
    t = build({1: "Improve", 2: "Stabilise", 3: "Sustain"}, deployments)
    frame = trust_support(t, TERM, assess_trust(t, TERM))
    flags = dict(zip(frame["urn"], frame["flags"], strict=True))
    assert flags[1] == "over-allocation: SIP days planned 12 in 2026/27, above the Improve allocation of 10"
    assert flags[2] == "under-delivery: SIA days used 4 of 18 planned in 2026/27 Autumn (below 50%)"
    assert flags[3] == ""
    row = frame.set_index("urn").loc[2]
    assert (row["sia_days_allocated_term"], row["sia_days_planned_term"], row["sia_days_used_term"]) == (20, 18, 4)


def test_sia_days_at_a_sustain_school_and_too_many_dhts_are_over_allocation():
    deployments = [
        {"urn": 1, "term": "Autumn", "person": "Sam SIA", "role": "SIA", "days_planned": 2, "days_used": 2},
        {"urn": 2, "term": "Autumn", "person": "D1", "role": "MAT-wide Deputy Headteacher", "days_planned": 60, "days_used": 55},
        {"urn": 2, "term": "Autumn", "person": "D2", "role": "MAT-wide Deputy Headteacher", "days_planned": 60, "days_used": 55},
        {"urn": 2, "term": "Autumn", "person": "D3", "role": "MAT-wide Deputy Headteacher", "days_planned": 60, "days_used": 55},
    ]
    t = build({1: "Sustain", 2: "Repair"}, deployments)
    flags = dict(zip(*(lambda f: (f["urn"], f["flags"]))(trust_support(t, TERM, assess_trust(t, TERM))), strict=True))
    assert flags[1] == "over-allocation: SIA days planned 2 in 2026/27, above the Sustain allocation of 0"
    assert flags[2] == "over-allocation: 3 MAT-wide Deputy Headteachers deployed in 2026/27 Autumn; the Repair package has 2"


def test_trust_totals_against_capacity():
    # Five High-risk members need at least 5 MAT-wide DHTs (capacity 4) and 5 x 20 = 100 SIA
    # days this term (capacity 60); a High-risk prospective joiner is not counted.
    designations = {u: "Repair" for u in range(1, 6)} | {6: "Stabilise", 7: "Sustain"}
    t = build(designations, [], joiners=(6,))
    support = trust_support(t, TERM, assess_trust(t, TERM))
    cap = capacity_check(POLICY, support).set_index("resource")
    assert cap.loc["MAT-wide Deputy Headteachers (at least)", "allocated"] == 5
    assert cap.loc["MAT-wide Deputy Headteachers (at least)", "flag"] == "over capacity: 5 allocated, capacity 4"
    assert cap.loc["SIA days this term", "allocated"] == 100
    assert cap.loc["SIP days a year", "allocated"] == 5 * 10 + 5
    assert cap.loc["SIP days a year", "flag"] == ""
    flags = support_flags(support, cap.reset_index())
    assert "Trust-wide SIA days this term: over capacity: 100 allocated, capacity 60" in flags
    policy = POLICY.model_copy(update={"capacity": POLICY.capacity.model_copy(update={"include_prospective_joiners": True})})
    assert capacity_check(policy, support).set_index("resource").loc["MAT-wide Deputy Headteachers (at least)", "allocated"] == 6


def test_year_allocation_follows_the_designation_term_by_term():
    from toolkit.assessment.packages import year_allocation

    # Repair, Repair, Improve: SIA 20 + 20 + 10/3 (a third of Improve's 10 a year); SIP 10 throughout.
    sip, sia = year_allocation(POLICY, ["Repair", "Repair", "Improve"])
    assert sip == pytest.approx(10)
    assert sia == pytest.approx(20 + 20 + 10 / 3)


def test_a_school_leaving_high_risk_mid_year_is_not_flagged_for_its_earlier_sia_days():
    # Repair in autumn and spring (20 SIA days a term each), Improve from summer: 38 SIA days
    # planned in the year is within 43.3, though above Improve's 10 a year on its own.
    term = Term.parse("2025/26 Summer")
    schools = pd.DataFrame([{"urn": 1, "name": "Millbrook", "phase": "Secondary", "membership": "Member"}])
    rows = []
    for season, d in (("Autumn", "Repair"), ("Spring", "Repair"), ("Summer", "Improve")):
        rows.append({"urn": 1, "academic_year": "2025/26", "term": season, "agreed_designation": d} | {f"qi{i}_judgement": d for i in range(1, 8)})
    dep = pd.DataFrame([
        {"urn": 1, "academic_year": "2025/26", "term": s, "person": "Sam SIA", "role": "SIA", "days_planned": n, "days_used": n}
        for s, n in (("Autumn", 18), ("Spring", 18), ("Summer", 2))
    ])
    t = Tracker({"schools": schools, "assessments": pd.DataFrame(rows), "deployments": dep})
    frame = trust_support(t, term, assess_trust(t, term))
    assert frame.loc[0, "designation"] == "Improve"
    assert frame.loc[0, "flags"] == ""
    # 48 planned would be above it.
    t.tables["deployments"] = pd.concat([dep, pd.DataFrame([{"urn": 1, "academic_year": "2025/26", "term": "Summer", "person": "Other SIA", "role": "SIA", "days_planned": 10, "days_used": 10}])])
    frame = trust_support(t, term, assess_trust(t, term))
    assert frame.loc[0, "flags"] == "over-allocation: SIA days planned 48 in 2025/26, above the 2025/26 allocation (Repair / Repair / Improve) of 43.3"
