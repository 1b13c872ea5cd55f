"""The validating reader's API: typed tables, errors vs warnings, policy, never writing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_broken_trackers import letter, rewrite_cell_xml, set_cell, small_tracker_rows

from toolkit.tracker import reader as workbook
from toolkit.tracker.problems import InvalidInput, ProblemReport, UnreadableFile
from toolkit.tracker.reader import (
    _Place,
    check_duplicates,
    check_half_terms,
    read_tracker,
    scan_formula_cells,
    validate_tracker,
)
from toolkit.tracker.schema import SHEETS, sheet
from toolkit.tracker.template import write_tracker

D = dt.date


@pytest.fixture
def tracker_path(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.xlsx"
    write_tracker(path, small_tracker_rows(), trust_name="Oak and Elm Trust")
    return path


def codes(report: ProblemReport) -> set[tuple[str, str]]:
    return {(p.code, p.where) for p in report}


# --------------------------------------------------------------------------- typed tables


def test_tables_are_typed_as_the_tracker_docstring_says(tracker_path: Path) -> None:
    t = read_tracker(tracker_path)
    assert t.report.ok
    assert t.schools["urn"].dtype == "int64"
    assert t.schools["sixth_form"].tolist() == [False, True]
    assert pd.api.types.is_datetime64_any_dtype(t.visits["visit_start"])
    assert t.visits["visit_start"].iloc[0] == pd.Timestamp(2026, 9, 15)
    assert str(t.attendance["cohort"].dtype) == "Int64"
    assert t.attendance["attendance_pct"].dtype == "float64"
    assert t.attendance["attendance_pct_code"].tolist() == [None, None]
    assert t.visits["mode"].tolist() == ["On-site"]
    assert t.visits["visitor"].tolist() == [None]
    assert t.schools["_row"].tolist() == [2, 3]
    assert t.path == tracker_path and t.sha256 and len(t.sha256) == 64
    for spec in SHEETS:
        assert set(spec.keys) <= set(t.table(spec.key).columns)


def test_blank_rows_are_skipped_and_row_numbers_kept(tracker_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Schools"]
        ws.insert_rows(3, 2)  # two blank rows between the schools
        ws["B4"] = "   "  # a row holding only spaces is blank too

    wb = openpyxl.load_workbook(tracker_path)
    change(wb)
    wb.save(tracker_path)
    t = read_tracker(tracker_path)
    assert t.schools["_row"].tolist() == [2, 5]
    assert t.schools["urn"].tolist() == [100001, 100002]


def test_headers_match_despite_case_and_spaces(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    ws = wb["Attendance"]
    ws[f"{letter('attendance', 'attendance_pct')}1"] = "  attendance   %  "
    wb.save(tracker_path)
    t = read_tracker(tracker_path)
    assert t.attendance["attendance_pct"].tolist() == [95.1, 92.4]


def test_columns_are_found_by_header_not_position(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    ws = wb["Schools"]
    ws.move_range("A1:A3", cols=20)  # URN moved to the far right
    ws.delete_cols(1)
    wb.save(tracker_path)
    t = read_tracker(tracker_path)
    assert t.schools["urn"].tolist() == [100001, 100002]
    assert t.schools["name"].tolist() == ["Oak Primary", "Elm Academy"]


def test_lists_and_instructions_sheets_are_ignored_but_other_sheets_warned(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    wb.create_sheet("My notes")["A1"] = "anything"
    wb.save(tracker_path)
    t = read_tracker(tracker_path)
    assert ("unknown-sheet", "My notes") in codes(t.report)
    assert not any(p.sheet in ("Lists", "Instructions") for p in t.report)


# --------------------------------------------------------------------------- errors and warnings


def test_read_raises_with_every_error_and_validate_returns_them(tracker_path: Path) -> None:
    set_cell("schools", "urn", 12345)(tracker_path)
    set_cell("visits", "status", "Hled")(tracker_path)
    with pytest.raises(InvalidInput) as info:
        read_tracker(tracker_path)
    report = info.value.report
    assert {("urn-invalid", "Schools!A2"), ("unknown-choice", f"Visits!{letter('visits', 'status')}2")} <= codes(report)
    # The bad URN 12345 also leaves URN 100001's rows without a school: that follows from
    # Schools!A2, so it is one problem naming the sheets and the cause, not one per row.
    (follow_on,) = [p for p in report if p.code == "unknown-urn"]
    assert "Attendance 1" in follow_on.message and "Schools!A2" in follow_on.message
    tracker, same = validate_tracker(tracker_path)
    assert tracker is not None and codes(same) == codes(report)
    assert "Did you mean 'Held'?" in str(info.value)


def test_warnings_do_not_stop_reading(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    wb.remove(wb["Closures"])
    wb.save(tracker_path)
    t = read_tracker(tracker_path)
    assert ("missing-sheet", "Closures") in codes(t.report)
    assert t.closures.empty and "date" in t.closures.columns


def test_many_identical_problems_are_summarised(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    ws = wb["Schools"]
    for i in range(40):
        ws.append([200000 + i, f"School {i}", "Primry", "No", None, None, None, None, "Member"])
    wb.save(tracker_path)
    _, report = validate_tracker(tracker_path)
    phase = [p for p in report if p.code == "unknown-choice"]
    assert len(phase) == workbook.MAX_CELLS_PER_PROBLEM + 1
    assert "15 more cells" in phase[-1].message


def test_dates_outside_term_date_years_are_warnings(tracker_path: Path) -> None:
    set_cell("meetings", "date", D(2030, 1, 10))(tracker_path)
    t = read_tracker(tracker_path)
    assert ("date-outside-term-dates", f"Meetings!{letter('meetings', 'date')}2") in codes(t.report)


def test_agreed_designation_without_signoff_is_a_warning(tracker_path: Path) -> None:
    set_cell("assessments", "eit_signoff_date", None)(tracker_path)
    t = read_tracker(tracker_path)
    assert ("agreed-without-signoff", f"Assessments!{letter('assessments', 'eit_signoff_date')}2") in codes(t.report)


# --------------------------------------------------------------------------- cross-check worked examples


def _place(key: str) -> _Place:
    spec = sheet(key)
    return _Place(spec.title, {k: letter(key, k) for k in spec.keys})


def test_duplicates_name_both_rows() -> None:
    df = pd.DataFrame(
        {"_row": [2, 3, 7], "urn": [100001, 100002, 100001], "academic_year": ["2026/27"] * 3, "term": ["Autumn"] * 3}
    )
    report = ProblemReport("t.xlsx")
    check_duplicates({**{s.key: pd.DataFrame() for s in SHEETS}, "assessments": df}, {"assessments": _place("assessments")}, report)
    (p,) = report.problems
    assert (p.code, p.where) == ("duplicate-row", "Assessments!A7")
    assert "Rows 2 and 7" in p.message


def test_overlapping_half_terms_are_errors() -> None:
    ts = pd.Timestamp
    df = pd.DataFrame(
        {
            "_row": [2, 3, 4],
            "start": [ts(2026, 9, 3), ts(2026, 10, 20), ts(2026, 11, 2)],
            "end": [ts(2026, 10, 23), ts(2026, 12, 18), ts(2026, 10, 30)],
        }
    )
    report = ProblemReport("t.xlsx")
    check_half_terms({"term_dates": df}, {"term_dates": _place("term_dates")}, report)
    found = codes(report)
    # Row 4 ends before it starts; row 3 starts (20 Oct) before row 2 ends (23 Oct).
    assert ("end-before-start", f"Term dates!{letter('term_dates', 'end')}4") in found
    assert ("half-terms-overlap", f"Term dates!{letter('term_dates', 'start')}3") in found
    assert len(report) == 2


def test_consecutive_half_terms_do_not_overlap() -> None:
    ts = pd.Timestamp
    df = pd.DataFrame({"_row": [2, 3], "start": [ts(2026, 9, 3), ts(2026, 10, 24)], "end": [ts(2026, 10, 23), ts(2026, 12, 18)]})
    report = ProblemReport("t.xlsx")
    check_half_terms({"term_dates": df}, {"term_dates": _place("term_dates")}, report)
    assert report.problems == []


# --------------------------------------------------------------------------- formulas


def test_formula_scan_finds_cached_errors_and_uncalculated_formulas(tracker_path: Path) -> None:
    set_cell("visits", "visitor", "=1+1")(tracker_path)  # saved by openpyxl: no cached value
    set_cell("visits", "days", "=1/0")(tracker_path)
    days = f"{letter('visits', 'days')}2"
    assert rewrite_cell_xml(tracker_path, "Visits", days, f'<c r="{days}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    with zipfile.ZipFile(tracker_path) as zf:
        found = scan_formula_cells(zf, workbook._sheet_parts(zf)["Visits"])
    col = sheet("visits").keys.index
    assert found.errors == {(2, col("days") + 1): "#DIV/0!"}
    assert found.no_value == {(2, col("visitor") + 1)}


def test_formula_scan_skips_plain_sheets(tracker_path: Path) -> None:
    with zipfile.ZipFile(tracker_path) as zf:
        assert not scan_formula_cells(zf, workbook._sheet_parts(zf)["Schools"])


# --------------------------------------------------------------------------- policy


def test_policy_beside_the_tracker_is_used(tracker_path: Path) -> None:
    (tracker_path.parent / "policy.toml").write_text("[suppression]\nmin_group_size = 10\n", encoding="utf-8")
    assert read_tracker(tracker_path).policy.suppression.min_group_size == 10


def test_bad_policy_is_reported_not_the_tracker(tracker_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[suppression]\nmin_group_size = -3\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        read_tracker(tracker_path, policy_path=bad)
    assert info.value.report.errors[0].code == "policy-invalid"
    tracker, report = validate_tracker(tracker_path, policy_path=bad)
    assert tracker is None and not report.ok


# --------------------------------------------------------------------------- unreadable and read-only


@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (lambda p: p.unlink(), "does not exist"),
        (lambda p: p.write_text("not a workbook"), "is not an Excel workbook"),
        (lambda p: p.write_bytes(p.read_bytes()[:3000]), "damaged"),
    ],
    ids=["missing", "text", "truncated"],
)
def test_unreadable_files_raise_a_plain_sentence(tracker_path: Path, make, phrase: str) -> None:
    make(tracker_path)
    with pytest.raises(UnreadableFile, match=phrase):
        read_tracker(tracker_path)
    with pytest.raises(UnreadableFile, match=phrase):
        validate_tracker(tracker_path)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnreadableFile, match="not an Excel workbook"):
        read_tracker(path)


def test_reader_never_writes_the_input(tracker_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "readonly.xlsx"
    shutil.copyfile(tracker_path, copy)
    set_cell("schools", "urn", 12345)(copy)  # errors too: the failing path must not write either
    os.utime(copy, (1_700_000_000, 1_700_000_000))
    os.chmod(copy, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # read-only: for a non-root user any write fails
    before = (copy.read_bytes(), copy.stat().st_mtime_ns)
    try:
        validate_tracker(copy)
        read_tracker(tracker_path)
        with pytest.raises(InvalidInput):
            read_tracker(copy)
        assert (copy.read_bytes(), copy.stat().st_mtime_ns) == before
        assert sorted(p.name for p in copy.parent.iterdir()) == sorted(["readonly.xlsx", "tracker.xlsx"])
    finally:
        os.chmod(copy, stat.S_IRUSR | stat.S_IWUSR)


def test_formula_error_in_a_required_column_is_reported_once(tracker_path: Path) -> None:
    name = f"{letter('schools', 'name')}2"
    set_cell("schools", "name", "=1/0")(tracker_path)
    assert rewrite_cell_xml(tracker_path, "Schools", name, f'<c r="{name}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    _, report = validate_tracker(tracker_path)
    at_cell = [p.code for p in report if p.where == f"Schools!{name}"]
    assert at_cell == ["formula-error"]  # not also "required-blank"


def test_uncalculated_formula_in_a_required_column_is_an_error(tracker_path: Path) -> None:
    set_cell("schools", "name", '=UPPER("oak")')(tracker_path)
    _, report = validate_tracker(tracker_path)
    (p,) = [p for p in report if p.where == f"Schools!{letter('schools', 'name')}2"]
    assert (p.code, p.severity.value) == ("formula-no-value", "error")


def test_missing_schools_sheet_is_one_error_not_one_per_urn(tracker_path: Path) -> None:
    wb = openpyxl.load_workbook(tracker_path)
    wb.remove(wb["Schools"])
    wb.save(tracker_path)
    _, report = validate_tracker(tracker_path)
    assert [(p.code, p.where) for p in report.errors] == [("missing-sheet", "Schools")]


def test_python_side_opens_the_tracker_for_reading_only(tracker_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every open of the tracker from Python asks for read-only binary access.

    (calamine opens it from Rust through a read-only API; the bytes/mtime test above
    covers the whole reader.)
    """
    import builtins

    seen: list[str] = []
    real_open = builtins.open

    def spy(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, Path)) and Path(file) == tracker_path:
            seen.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    read_tracker(tracker_path)
    assert seen and set(seen) == {"rb"}


def test_calamine_shows_a_cached_error_as_an_empty_cell(tracker_path: Path) -> None:
    """Why the reader scans the sheet XML: calamine returns "" for ``#DIV/0!``."""
    from python_calamine import CalamineWorkbook

    days = f"{letter('visits', 'days')}2"
    assert rewrite_cell_xml(tracker_path, "Visits", days, f'<c r="{days}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    rows = CalamineWorkbook.from_path(str(tracker_path)).get_sheet_by_name("Visits").to_python()
    assert rows[1][sheet("visits").keys.index("days")] == ""
    _, report = validate_tracker(tracker_path)
    assert ("formula-error", f"Visits!{days}") in codes(report)
