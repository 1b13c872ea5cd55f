import datetime as dt

import pytest

from toolkit.calendar.terms import AcademicYear, Term


@pytest.mark.parametrize("text", ["2026/27", "2026-27", " 2026 / 2027 "])
def test_academic_year_spellings(text):
    assert AcademicYear.parse(text).label == "2026/27"


def test_academic_year_rejects_non_consecutive_years():
    with pytest.raises(ValueError, match="followed by 27"):
        AcademicYear.parse("2026/28")


def test_academic_year_of_a_date_runs_september_to_august():
    assert AcademicYear.of(dt.date(2026, 8, 31)).label == "2025/26"
    assert AcademicYear.of(dt.date(2026, 9, 1)).label == "2026/27"
    assert AcademicYear.parse("2026/27").month_date(3) == dt.date(2027, 3, 1)


@pytest.mark.parametrize("text", ["2026/27 Autumn", "2026-27-autumn", "2026/27 AUTUMN"])
def test_term_spellings(text):
    t = Term.parse(text)
    assert (t.label, t.slug) == ("2026/27 Autumn", "2026-27-autumn")


def test_term_order_and_neighbours():
    autumn = Term.parse("2026/27 Autumn")
    assert autumn.previous() == Term.parse("2025/26 Summer")
    assert autumn.next() == Term.parse("2026/27 Spring")
    assert Term.parse("2025/26 Summer") < autumn


def test_bad_term_says_how_to_write_it():
    with pytest.raises(ValueError, match="Autumn, Spring or Summer"):
        Term.parse("2026/27 Winter")
