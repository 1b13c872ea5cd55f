"""Worked examples for reading what people type into tracker cells (``toolkit.tracker.cells``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.tracker.cells import (
    blank_mask,
    excel_serial_to_timestamp,
    normalise_choice,
    parse_column,
    percent_scale,
    suggest,
)
from toolkit.tracker.problems import Severity
from toolkit.tracker.schema import sheet

ATT = sheet("attendance")
VISITS = sheet("visits")
ASSESS = sheet("assessments")
SCHOOLS = sheet("schools")


def column(values: list[object]) -> pd.Series:
    """Raw cells as calamine gives them, indexed by Excel row number from 2."""
    return pd.Series(values, index=range(2, 2 + len(values)), dtype=object)


def issue_rows(parsed, code: str) -> list[int]:
    return [r for i in parsed.issues if i.code == code for r in i.mask[i.mask].index.tolist()]


# --------------------------------------------------------------------------- blanks


def test_blank_mask_counts_spaces_and_empty_strings_as_blank() -> None:
    assert blank_mask(column(["", "  ", None, "x", 0.0])).tolist() == [True, True, True, False, False]


# --------------------------------------------------------------------------- percentages


def test_percent_column_of_fractions_is_scaled_to_0_100() -> None:
    # Excel stores 95.1% in a percent-formatted cell as 0.951: a whole column of fractions.
    p = parse_column(column([0.951, 0.9, 1.0, 0.0]), ATT.column("attendance_pct"))
    assert p.values.round(6).tolist() == [95.1, 90.0, 100.0, 0.0]
    assert p.issues == []


def test_percent_text_is_read_as_written() -> None:
    p = parse_column(column(["93%", " 0.8 %", "93"]), ATT.column("attendance_pct"))
    assert p.values.tolist() == [93.0, 0.8, 93.0]


def test_small_percentage_beside_larger_ones_is_not_multiplied() -> None:
    # Severe absence 0.8% beside 2.3% and 5.1%: the column is on the 0-100 scale, and 80
    # lies outside 2.3..5.1, so 0.8 is not a stray fraction: no warning.
    p = parse_column(column([0.8, 2.3, 5.1]), ATT.column("severe_absence_pct"))
    assert p.values.tolist() == [0.8, 2.3, 5.1]
    assert p.issues == []


def test_stray_fraction_in_a_0_100_column_is_warned_not_guessed() -> None:
    # 0.951 among 88..97: 95.1 would fit, so it is flagged; the value stays as typed.
    p = parse_column(column([88.0, 0.951, 97.0]), ATT.column("attendance_pct"))
    assert p.values.tolist() == [88.0, 0.951, 97.0]
    assert issue_rows(p, "percent-ambiguous") == [3]
    (issue,) = p.issues
    assert issue.severity is Severity.WARNING
    assert "95.1%" in issue.message(0.951)


def test_percent_above_100_is_out_of_range() -> None:
    p = parse_column(column([150.0, "101%", 99.0]), ATT.column("attendance_pct"))
    assert issue_rows(p, "out-of-range") == [2, 3]
    assert np.isnan(p.values[2]) and p.values[4] == 99.0


@given(st.floats(min_value=1.01, max_value=100, allow_nan=False))
def test_numbers_above_one_are_never_rescaled(v: float) -> None:
    values, _ = percent_scale(pd.Series([v, 50.0]), pd.Series([False, False]), ATT.column("attendance_pct"))
    assert values.tolist() == [v, 50.0]


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_an_all_fraction_column_is_multiplied_by_100(v: float) -> None:
    values, _ = percent_scale(pd.Series([v]), pd.Series([False]), ATT.column("attendance_pct"))
    assert values.iloc[0] == pytest.approx(v * 100)


# --------------------------------------------------------------------------- numbers and suppression


def test_suppression_codes_are_kept_as_missing_never_zero() -> None:
    p = parse_column(column(["x", " SUPP ", "c", 12.0, "N/A"]), ATT.column("suspensions"))
    assert p.values.isna().tolist() == [True, True, True, False, True]
    assert (p.values.fillna(-1) != 0).all()
    assert p.codes.tolist() == ["x", "supp", "c", None, "n/a"]
    assert p.issues == []


def test_suppression_code_in_a_column_that_cannot_be_suppressed_is_an_error() -> None:
    p = parse_column(column(["x", 1.0]), VISITS.column("days"))
    assert issue_rows(p, "suppression-not-allowed") == [2]
    assert p.codes is None


def test_numbers_stored_as_text_are_accepted() -> None:
    p = parse_column(column(["210", " 1,234 ", 5.0]), ATT.column("cohort"))
    assert p.values.tolist() == [210, 1234, 5]
    assert str(p.values.dtype) == "Int64"


def test_words_dates_and_booleans_are_not_numbers() -> None:
    p = parse_column(column(["several", dt.datetime(2026, 1, 1), True, 3.0]), VISITS.column("days"))
    assert issue_rows(p, "not-a-number") == [2, 3, 4]
    assert p.values[5] == 3.0


def test_counts_must_be_whole_numbers() -> None:
    p = parse_column(column([20.5, 20.0]), ATT.column("cohort"))
    assert issue_rows(p, "not-a-whole-number") == [2]


def test_schema_minimum_applies() -> None:
    p = parse_column(column([-1.0, 0.0]), ATT.column("suspensions"))
    assert issue_rows(p, "out-of-range") == [2]


# --------------------------------------------------------------------------- URNs


def test_urns_must_have_six_digits() -> None:
    p = parse_column(column([100001.0, "100002", 12345.0, 1000000.0, "10000A", 100001.5]), SCHOOLS.column("urn"))
    assert issue_rows(p, "urn-invalid") == [4, 5, 6, 7]
    assert p.values[2] == 100001 and p.values[3] == 100002


def test_a_complete_urn_column_is_plain_int() -> None:
    p = parse_column(column([100001.0, "100002"]), SCHOOLS.column("urn"))
    assert str(p.values.dtype) == "int64"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "typed",
    ["03/02/2026", "3/2/2026", "03/02/26", "2026-02-03", "3 Feb 2026", "3 February 2026", "03-02-2026",
     "3.2.2026", "Tuesday 3rd February 2026", 46056.0, dt.date(2026, 2, 3), dt.datetime(2026, 2, 3, 14, 30)],
)
def test_dates_in_many_spellings_read_uk_day_first(typed: object) -> None:
    p = parse_column(column([typed]), VISITS.column("visit_start"))
    assert p.issues == []
    assert p.values[2] == pd.Timestamp(2026, 2, 3)


@pytest.mark.parametrize("typed", ["31/02/2026", "02/13/2026", "3 Feb", "soon", 5.0, dt.time(9, 0)])
def test_unreadable_dates_are_errors_not_guesses(typed: object) -> None:
    p = parse_column(column([typed]), VISITS.column("visit_start"))
    assert issue_rows(p, "not-a-date") == [2]
    assert pd.isna(p.values[2])


def test_a_date_a_century_out_is_a_typing_slip() -> None:
    p = parse_column(column(["03/02/2206"]), VISITS.column("visit_start"))
    assert issue_rows(p, "date-out-of-range") == [2]


def test_excel_serial_46056_is_3_february_2026() -> None:
    assert excel_serial_to_timestamp(pd.Series([46056.0])).iloc[0] == pd.Timestamp(2026, 2, 3)


# --------------------------------------------------------------------------- choices


def test_dropdown_variants_map_to_the_canonical_spelling() -> None:
    p = parse_column(column([" sustain", "IMPROVE ", "stabilise"]), ASSESS.column("agreed_designation"))
    assert p.values.tolist() == ["Sustain", "Improve", "Stabilise"]
    assert p.issues == []


def test_hyphen_and_space_variants_match() -> None:
    assert normalise_choice("On site") == normalise_choice(" on-SITE ")
    p = parse_column(column(["on site"]), VISITS.column("mode"))
    assert p.values.tolist() == ["On-site"]


def test_academic_year_spellings() -> None:
    p = parse_column(column(["2026-27", "2026/2027", "2026/27", "2026/28"]), ASSESS.column("academic_year"))
    assert p.values.tolist()[:3] == ["2026/27"] * 3
    assert issue_rows(p, "unknown-choice") == [5]


def test_unknown_choice_lists_the_allowed_values_and_suggests() -> None:
    p = parse_column(column(["Sustian"]), ASSESS.column("agreed_designation"))
    (issue,) = p.issues
    assert issue.severity is Severity.ERROR
    assert "Did you mean 'Sustain'?" in issue.message("Sustian")
    assert "Stabilise, Repair, Improve, Sustain" in issue.fix


def test_suggest_gives_nothing_for_a_far_value() -> None:
    assert suggest("Banana", ("Stabilise", "Repair", "Improve", "Sustain")) is None


def test_yes_no_variants() -> None:
    p = parse_column(column(["yes", "N", True, False, "TRUE", "maybe"]), SCHOOLS.column("sixth_form"))
    assert p.values.tolist()[:5] == [True, False, True, False, True]
    assert issue_rows(p, "unknown-choice") == [7]


# --------------------------------------------------------------------------- text


def test_text_is_stripped_and_numbers_become_text() -> None:
    p = parse_column(column(["  Oak Primary ", 123.0, ""]), SCHOOLS.column("name"))
    assert p.values.tolist() == ["Oak Primary", "123", None]


def test_suggestions_only_for_misspelt_words_not_numbers():
    from toolkit.tracker.schema import VOCABULARIES

    assert suggest("primry", VOCABULARIES["phase"]) == "Primary"
    assert suggest("Stabilse", VOCABULARIES["designation"]) == "Stabilise"
    assert suggest("123456", VOCABULARIES["academic_year"]) is None  # was '2035/36'
    assert suggest("Done", VOCABULARIES["visit_status"]) is None
