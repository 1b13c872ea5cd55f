"""Pupil-group gaps, in points and pupils, with primary and complementary suppression."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from toolkit.assessment.groups import PARTITIONS, display_groups, group_gaps, suppress_cells
from toolkit.policy import default_policy
from toolkit.tracker.model import Tracker

URN = 900400
YEAR = "2025/26"
POLICY = default_policy()
MIN = POLICY.suppression.min_group_size
M = "RWM expected standard %"


def build(groups: dict[str, tuple[int | None, float | None]], codes: dict[str, str] | None = None, national: dict[str, float] | None = None) -> Tracker:
    rows = []
    for g, (n, v) in groups.items():
        rows.append({"urn": URN, "academic_year": YEAR, "measure": M, "pupil_group": g, "cohort": n, "value": v, "value_code": (codes or {}).get(g)})
    bm = [{"academic_year": YEAR, "phase": "Primary", "measure": M, "pupil_group": g, "value": v} for g, v in (national or {}).items()]
    tables = {"schools": pd.DataFrame([{"urn": URN, "name": "S", "phase": "Primary", "membership": "Member"}]), "outcomes": pd.DataFrame(rows)}
    if bm:
        tables["benchmarks"] = pd.DataFrame(bm)
    return Tracker(tables)


def by_group(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["pupil_group"]: r for r in frame.to_dict("records")}


def test_gap_to_other_pupils_and_national_in_points_and_pupils():
    t = build(
        {"All pupils": (60, 60.0), "Disadvantaged": (20, 30.0), "Not disadvantaged": (40, 75.0)},
        national={"All pupils": 61.0, "Disadvantaged": 46.0},
    )
    g = by_group(group_gaps(t, URN, YEAR))
    d = g["Disadvantaged"]
    # 30 - 75 = -45 points; 45% of 20 pupils = 9 pupils.
    assert (d["comparison_group"], d["gap_to_others"], d["gap_to_others_pupils"]) == ("Not disadvantaged", -45.0, -9.0)
    # 30 - 46 = -16 points; 16% of 20 = 3.2 -> 3 pupils.
    assert (d["national"], d["gap_to_national"], d["gap_to_national_pupils"]) == (46.0, -16.0, -3.0)
    assert g["All pupils"]["gap_to_national"] == -1.0


def test_eal_is_compared_with_all_pupils_minus_eal():
    # Others: (100 x 60 - 20 x 45) / 80 = 63.75; gap -18.75 points; of 20 pupils -> 3.75 -> 4.
    t = build({"All pupils": (100, 60.0), "EAL": (20, 45.0)})
    e = by_group(group_gaps(t, URN, YEAR))["EAL"]
    assert e["comparison_group"] == "Other pupils"
    assert math.isclose(e["comparison_value"], 63.75)
    assert math.isclose(e["gap_to_others"], -18.75) and e["gap_to_others_pupils"] == -4.0


def test_small_group_is_suppressed_never_zero():
    t = build({"All pupils": (60, 60.0), "SEN support": (15, 40.0), "EHC plan": (3, 0.0), "No SEN": (42, 68.0)})
    frame = group_gaps(t, URN, YEAR)
    ehc = by_group(frame)["EHC plan"]
    assert ehc["suppressed"] and ehc["suppression_reason"] == f"fewer than {MIN} pupils"
    assert math.isnan(ehc["value"]) and math.isnan(ehc["cohort"])
    shown = by_group(display_groups(frame))["EHC plan"]
    assert shown["value"] == "suppressed" and shown["cohort"] == "suppressed"
    assert "0" not in (shown["value"], shown["cohort"])


def test_complementary_suppression_stops_recovery_by_subtraction():
    # Boys 4 of 30: Girls (26) plus All pupils would reveal the boys, so Girls goes too.
    t = build({"All pupils": (30, 50.0), "Boys": (4, 25.0), "Girls": (26, 53.8)})
    g = by_group(group_gaps(t, URN, YEAR))
    assert g["Boys"]["suppressed"] and g["Girls"]["suppressed"]
    assert g["Girls"]["suppression_reason"] == "complementary: with All pupils it would reveal Boys"
    assert not g["All pupils"]["suppressed"]
    # Three-way SEN partition: EHC plan small -> the smaller of the other two (SEN support) too.
    t = build({"All pupils": (60, 60.0), "SEN support": (15, 40.0), "EHC plan": (3, 0.0), "No SEN": (42, 68.0)})
    g = by_group(group_gaps(t, URN, YEAR))
    assert g["SEN support"]["suppressed"] and not g["No SEN"]["suppressed"]


def test_a_listed_group_is_suppressed_when_everyone_else_is_a_small_group():
    # EAL 27 of 30: All pupils minus EAL would reveal 3 pupils.
    t = build({"All pupils": (30, 50.0), "EAL": (27, 50.0)})
    assert by_group(group_gaps(t, URN, YEAR))["EAL"]["suppressed"]


def test_source_codes_and_a_small_whole_cohort_suppress():
    t = build({"All pupils": (60, 60.0), "Disadvantaged": (20, None), "Not disadvantaged": (40, 70.0)}, codes={"Disadvantaged": "x"})
    g = by_group(group_gaps(t, URN, YEAR))
    assert g["Disadvantaged"]["suppression_reason"] == "withheld at source (x)"
    assert g["Not disadvantaged"]["suppressed"]  # complementary
    t = build({"All pupils": (5, 60.0), "Boys": (3, 40.0), "Girls": (2, 90.0)})
    assert group_gaps(t, URN, YEAR)["suppressed"].all()


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=7, max_size=7))
def test_no_partition_ever_has_exactly_one_suppressed_member(sizes):
    groups = ["Disadvantaged", "Not disadvantaged", "Boys", "Girls", "SEN support", "EHC plan", "No SEN"]
    cohorts: dict[str, float | None] = {"All pupils": 200.0} | {g: float(n) for g, n in zip(groups, sizes, strict=True)}
    hidden = suppress_cells(cohorts, {}, POLICY)
    for part in PARTITIONS:
        assert sum(g in hidden for g in part) != 1
    for g, n in cohorts.items():
        if n is not None and n < MIN:
            assert g in hidden
