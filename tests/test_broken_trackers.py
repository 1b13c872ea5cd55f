"""A catalogue of broken trackers: each is one small mutation of a valid tracker.

Every case copies the valid tracker into ``tmp_path``, breaks it the way a data manager
might (a typo in a dropdown, a URN with five digits, a formula showing #DIV/0!), runs
``toolkit validate`` and checks the exit code and that the problem is named at the right
``Sheet!Cell``. The valid tracker is the committed sample when it exists, else a small
one written here through the template writer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from toolkit import cli
from toolkit.tracker.reader import _sheet_parts
from toolkit.tracker.schema import sheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
D = dt.date


# --------------------------------------------------------------------------- the valid tracker


def small_tracker_rows() -> dict[str, list[dict[str, object]]]:
    """A small, valid trust: two schools, one year of term dates, a row on the main sheets."""
    halves = [
        ("Autumn 1", D(2026, 9, 3), D(2026, 10, 23)),
        ("Autumn 2", D(2026, 11, 2), D(2026, 12, 18)),
        ("Spring 1", D(2027, 1, 5), D(2027, 2, 12)),
        ("Spring 2", D(2027, 2, 22), D(2027, 3, 26)),
        ("Summer 1", D(2027, 4, 12), D(2027, 5, 28)),
        ("Summer 2", D(2027, 6, 7), D(2027, 7, 21)),
    ]
    return {
        "schools": [
            dict(urn=100001, name="Oak Primary", phase="Primary", sixth_form=False, membership="Member"),
            dict(urn=100002, name="Elm Academy", phase="Secondary", sixth_form=True, membership="Member"),
        ],
        "term_dates": [dict(academic_year="2026/27", half_term=h, start=s, end=e) for h, s, e in halves],
        "assessments": [
            dict(urn=100001, academic_year="2026/27", term="Autumn", agreed_designation="Improve",
                 eit_signoff_date=D(2026, 10, 1), assessment_date=D(2026, 9, 20)),
        ],
        "attendance": [
            dict(urn=100001, academic_year="2026/27", term="Autumn", pupil_group="All pupils", cohort=210,
                 attendance_pct=95.1, persistent_absence_pct=12.0, severe_absence_pct=1.2,
                 suspensions=2, permanent_exclusions=0),
            dict(urn=100002, academic_year="2026/27", term="Autumn", pupil_group="All pupils", cohort=900,
                 attendance_pct=92.4, persistent_absence_pct=18.5, severe_absence_pct=2.5,
                 suspensions=14, permanent_exclusions=1),
        ],
        "outcomes": [
            dict(urn=100001, academic_year="2026/27", measure="RWM expected standard %",
                 pupil_group="All pupils", cohort=30, value=64.0),
        ],
        "visits": [
            dict(visit_id="V1", urn=100001, role="SIP", status="Held", mode="On-site",
                 visit_start=D(2026, 9, 15), visit_end=D(2026, 9, 15), days=1,
                 report_sent=D(2026, 9, 17)),
        ],
        "meetings": [dict(meeting_type="EIT", date=D(2026, 9, 24))],
    }


@pytest.fixture(scope="session")
def valid_tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base every broken tracker is made from (the sample tracker when committed)."""
    if SAMPLE.exists():
        return SAMPLE
    from toolkit.tracker.template import write_tracker

    path = tmp_path_factory.mktemp("base") / "tracker.xlsx"
    write_tracker(path, small_tracker_rows())
    return path


# --------------------------------------------------------------------------- mutation helpers


def letter(sheet_key: str, col_key: str) -> str:
    """Column letter of a schema column in a tracker written from the template."""
    return get_column_letter(sheet(sheet_key).keys.index(col_key) + 1)


def ref(sheet_key: str, col_key: str, row: int = 2) -> str:
    return f"{sheet(sheet_key).title}!{letter(sheet_key, col_key)}{row}"


class WbEdit:
    """An edit made through openpyxl; several in a row share one load and one save
    (loading and saving the sample is the slow part of these tests)."""

    def __init__(self, change: Callable[[openpyxl.Workbook], None]) -> None:
        self.changes = [change]

    def __call__(self, path: Path) -> None:
        wb = openpyxl.load_workbook(path)
        for change in self.changes:
            change(wb)
        wb.save(path)


def cell_of(wb: openpyxl.Workbook, sheet_key: str, col_key: str, row: int = 2):  # type: ignore[no-untyped-def]
    return wb[sheet(sheet_key).title][f"{letter(sheet_key, col_key)}{row}"]


def set_cell(sheet_key: str, col_key: str, value: object, row: int = 2) -> WbEdit:
    def change(wb: openpyxl.Workbook) -> None:
        cell_of(wb, sheet_key, col_key, row).value = value

    return WbEdit(change)


def get_cell(path: Path, sheet_key: str, col_key: str, row: int = 2) -> object:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return wb[sheet(sheet_key).title][f"{letter(sheet_key, col_key)}{row}"].value
    finally:
        wb.close()


def as_date(value: object) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]


def rewrite_cell_xml(path: Path, sheet_title: str, cell: str, xml: str) -> bool:
    """Replace one cell's XML inside the zip: the honest way to store a cached formula
    value, which openpyxl cannot write (Excel itself saves ``<c t="e"><f>..</f><v>#DIV/0!</v></c>``).
    Returns False (file unchanged) if the cell is not in the sheet XML (an empty cell)."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf)[sheet_title]
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    pattern = re.compile(rb'<c r="' + cell.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    body = dict((i.filename, d) for i, d in items)[part]
    if not pattern.search(body):
        return False
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == part:
                data = pattern.sub(xml.encode(), data, count=1)
            dst.writestr(info, data)
    out.replace(path)
    return True


def formula_error(sheet_key: str, col_key: str, error: str = "#DIV/0!") -> Callable[[Path], None]:
    def mutate(path: Path) -> None:
        cell = f"{letter(sheet_key, col_key)}2"
        xml = f'<c r="{cell}" t="e"><f>1/0</f><v>{error}</v></c>'
        if not rewrite_cell_xml(path, sheet(sheet_key).title, cell, xml):
            set_cell(sheet_key, col_key, "=1/0")(path)  # create the cell first
            assert rewrite_cell_xml(path, sheet(sheet_key).title, cell, xml)

    return mutate


def formula_without_value(sheet_key: str, col_key: str) -> WbEdit:
    """openpyxl saves a formula with no cached value, as any library that cannot calculate does."""
    return set_cell(sheet_key, col_key, '=CONCAT("Ann"," Lee")')


def duplicate_row(sheet_key: str) -> WbEdit:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet(sheet_key).title]
        ws.append([c.value for c in ws[2]])

    return WbEdit(change)


def delete_sheet(sheet_key: str) -> WbEdit:
    return WbEdit(lambda wb: wb.remove(wb[sheet(sheet_key).title]))


def delete_column(sheet_key: str, col_key: str) -> WbEdit:
    idx = sheet(sheet_key).keys.index(col_key) + 1
    return WbEdit(lambda wb: wb[sheet(sheet_key).title].delete_cols(idx))


def add_column(sheet_key: str, header: str) -> WbEdit:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet(sheet_key).title]
        ws.cell(row=1, column=len(sheet(sheet_key).columns) + 2, value=header)

    return WbEdit(change)


def _date_before_year(wb: openpyxl.Workbook) -> None:
    """Move the first assessment's date to the August before its academic year."""
    year = str(cell_of(wb, "assessments", "academic_year").value)
    cell_of(wb, "assessments", "assessment_date").value = D(int(year[:4]), 8, 20)


def _report_before_visit(wb: openpyxl.Workbook) -> None:
    start = as_date(cell_of(wb, "visits", "visit_start").value)
    cell_of(wb, "visits", "visit_end").value = start
    cell_of(wb, "visits", "report_sent").value = start - dt.timedelta(days=2)


def _visit_end_before_start(wb: openpyxl.Workbook) -> None:
    start = as_date(cell_of(wb, "visits", "visit_start").value)
    cell_of(wb, "visits", "visit_end").value = start - dt.timedelta(days=1)


def _overlapping_half_terms(wb: openpyxl.Workbook) -> None:
    """Start the second half term on the first half term's last day."""
    cell_of(wb, "term_dates", "start", 3).value = as_date(cell_of(wb, "term_dates", "end", 2).value)


date_before_year = WbEdit(_date_before_year)
report_before_visit = WbEdit(_report_before_visit)
visit_end_before_start = WbEdit(_visit_end_before_start)
overlapping_half_terms = WbEdit(_overlapping_half_terms)


def several(*mutations: Callable[[Path], None]) -> Callable[[Path], None]:
    """Apply mutations in order, merging neighbouring openpyxl edits into one load/save."""
    steps: list[Callable[[Path], None]] = []
    for m in mutations:
        if isinstance(m, WbEdit) and steps and isinstance(steps[-1], WbEdit):
            merged = WbEdit(lambda wb: None)
            merged.changes = [*steps[-1].changes, *m.changes]
            steps[-1] = merged
        else:
            steps.append(m)

    def mutate(path: Path) -> None:
        for step in steps:
            step(path)

    return mutate


def rename_sheet(sheet_key: str, new_title: str) -> WbEdit:
    def change(wb: openpyxl.Workbook) -> None:
        wb[sheet(sheet_key).title].title = new_title

    return WbEdit(change)


def merge(sheet_key: str, cells: str) -> WbEdit:
    """Merge a range as Excel does: only the top-left value survives."""
    return WbEdit(lambda wb: wb[sheet(sheet_key).title].merge_cells(cells))


def long_text(sheet_key: str, col_key: str, length: int) -> Callable[[Path], None]:
    """A cell longer than Excel's 32,767-character limit, as other programs write it
    (openpyxl cuts text to the limit, so the cell XML is written directly)."""
    def mutate(path: Path) -> None:
        cell = f"{letter(sheet_key, col_key)}2"
        text = ("Observed lessons in every year group. " * (length // 38 + 1))[:length]
        xml = f'<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>'
        assert rewrite_cell_xml(path, sheet(sheet_key).title, cell, xml)

    return mutate


def blank_trust_name(old_layout: bool) -> WbEdit:
    """Clear the trust's name (B2) or, like a tracker from before the name was recorded, the whole row."""
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Instructions"]
        ws["B2"].value = None
        if old_layout:
            ws["A2"].value = ws["D2"].value = None

    return WbEdit(change)


def not_a_workbook(path: Path) -> None:
    path.write_text("URN,School name\n100001,Oak Primary\n", encoding="utf-8")


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def password_protected(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = path.read_bytes()
    enc = path.with_suffix(".enc")
    with open(enc, "wb") as out:
        OOXMLFile(__import__("io").BytesIO(plain)).encrypt("secret", out)
    enc.replace(path)


def removed(path: Path) -> None:
    path.unlink()


def entity_bomb(path: Path) -> None:
    """A billion-laughs DTD in the Schools sheet XML."""
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf)["Schools"]
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            if info.filename == part:
                body = re.sub(rb"^<\?xml[^>]*\?>", b"", data)
                data = b'<?xml version="1.0"?>\n<!DOCTYPE worksheet [' + ents.encode() + b"]>" + body
            dst.writestr(info, data)
    out.replace(path)


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Case:
    mutate: Callable[[Path], None]
    exit_code: int
    expect: tuple[tuple[str, str], ...] = ()  # (problem code, Sheet!Cell or sheet title)
    text: tuple[str, ...] = ()  # phrases that must appear in the output
    subprocess: bool = False  # run as `python -m toolkit validate` (slower) instead of in-process
    absent: tuple[tuple[str, str], ...] = ()  # (code, Sheet!Cell or sheet) that must NOT be reported
    max_errors: int | None = None  # follow-on errors are folded: at most this many errors in all


CASES: dict[str, Case] = {
    # Files that cannot be read at all: exit 2 with a plain sentence.
    "missing-file": Case(removed, 2, text=("does not exist",), subprocess=True),
    "text-renamed-xlsx": Case(not_a_workbook, 2, text=("is not an Excel workbook",)),
    "truncated-zip": Case(truncated, 2, text=("damaged",), subprocess=True),
    "password-protected": Case(password_protected, 2, text=("password-protected",), subprocess=True),
    "empty-file": Case(lambda p: p.write_bytes(b""), 2, text=("is empty",)),
    "xml-entity-bomb": Case(entity_bomb, 2, text=("refused for safety",)),
    # Dropdowns.
    "unknown-dropdown-value": Case(
        set_cell("assessments", "agreed_designation", "Sustian"), 1,
        (("unknown-choice", ref("assessments", "agreed_designation")),), ("Did you mean 'Sustain'?",),
    ),
    "yes-no-not-recognised": Case(
        set_cell("schools", "sixth_form", "Perhaps"), 1, (("unknown-choice", ref("schools", "sixth_form")),)
    ),
    # Numbers, percentages, suppression.
    "suppression-code-in-non-suppressible-column": Case(
        set_cell("visits", "days", "x"), 1, (("suppression-not-allowed", ref("visits", "days")),)
    ),
    "text-in-number-column": Case(
        set_cell("attendance", "suspensions", "several"), 1, (("not-a-number", ref("attendance", "suspensions")),)
    ),
    "out-of-range-percentage": Case(
        set_cell("attendance", "attendance_pct", 150), 1, (("out-of-range", ref("attendance", "attendance_pct")),)
    ),
    "percentage-as-text-over-100": Case(
        set_cell("attendance", "attendance_pct", "101%"), 1, (("out-of-range", ref("attendance", "attendance_pct")),)
    ),
    "fractional-cohort": Case(
        set_cell("attendance", "cohort", 20.5), 1, (("not-a-whole-number", ref("attendance", "cohort")),)
    ),
    # URNs.
    "five-digit-urn": Case(set_cell("schools", "urn", 12345), 1, (("urn-invalid", ref("schools", "urn")),)),
    "unknown-urn": Case(set_cell("visits", "urn", 999999), 1, (("unknown-urn", ref("visits", "urn")),)),
    # Dates.
    "bad-date-text": Case(
        set_cell("visits", "visit_start", "31/02/2026"), 1, (("not-a-date", ref("visits", "visit_start")),)
    ),
    "us-order-date-text": Case(
        set_cell("visits", "visit_start", "09/15/2026"), 1, (("not-a-date", ref("visits", "visit_start")),)
    ),
    "date-outside-academic-year": Case(
        date_before_year, 1, (("date-outside-year", ref("assessments", "assessment_date")),)
    ),
    "report-before-visit": Case(
        report_before_visit, 1, (("report-before-visit", ref("visits", "report_sent")),)
    ),
    "visit-end-before-start": Case(
        visit_end_before_start, 1, (("end-before-start", ref("visits", "visit_end")),)
    ),
    "overlapping-half-terms": Case(
        overlapping_half_terms, 1, (("half-terms-overlap", ref("term_dates", "start", 3)),)
    ),
    # Formulas.
    "formula-error": Case(
        formula_error("attendance", "attendance_pct"), 1,
        (("formula-error", ref("attendance", "attendance_pct")),),
        (f"The formula in {ref('attendance', 'attendance_pct')} gives #DIV/0!",),
    ),
    "formula-not-available": Case(
        formula_error("outcomes", "value", "#N/A"), 1, (("formula-error", ref("outcomes", "value")),), ("#N/A",)
    ),
    "formula-never-calculated": Case(
        formula_without_value("visits", "visitor"), 0, (("formula-no-value", ref("visits", "visitor")),)
    ),
    # Structure.
    "required-blank": Case(
        set_cell("schools", "name", None), 1, (("required-blank", ref("schools", "name")),)
    ),
    "missing-core-sheet": Case(delete_sheet("term_dates"), 1, (("missing-sheet", "Term dates"),)),
    "missing-other-sheet": Case(delete_sheet("closures"), 0, (("missing-sheet", "Closures"),)),
    "missing-required-column": Case(
        delete_column("visits", "status"), 1, (("missing-column", "Visits"),), ("'Status'",)
    ),
    "unknown-extra-column": Case(
        add_column("schools", "My notes"), 0,
        (("unknown-column", f"Schools!{get_column_letter(len(sheet('schools').columns) + 2)}1"),),
    ),
    "duplicate-row": Case(duplicate_row("attendance"), 1, (("duplicate-row", "Attendance"),), ("Rows 2 and",)),
    # A renamed sheet is an error with "did you mean", not an empty sheet (60 missed visits).
    "renamed-sheet": Case(
        rename_sheet("visits", "Visit"), 1, (("missing-sheet", "Visits"),), ("did you mean 'Visit'?",),
        absent=(("unknown-sheet", "Visit"),),
    ),
    # Merged cells: one error at the range, with the fix; what follows from it folded in.
    "merged-header": Case(
        merge("visits", "M1:P1"), 1, (("merged-cells", "Visits!M1:P1"),),
        ("are merged", "Unmerge", "no 'Summary of activities', 'Summary of outcomes', 'Recommendations' column"),
        absent=(("missing-column", "Visits"),),
    ),
    "merged-data-cells": Case(
        merge("assessments", "A2:A5"), 1, (("merged-cells", "Assessments!A2:A5"),), ("stored only in A2",),
        absent=(("required-blank", "Assessments!A3"), ("required-blank", "Assessments!A4")), max_errors=1,
    ),
    "merged-vertical-header": Case(
        merge("schools", "A1:A2"), 1, (("merged-cells", "Schools!A1:A2"),), ("merged with the cells below it",),
        absent=(("required-blank", "Schools!A2"),),
        max_errors=2,  # the merge, and one line folding every unknown URN that follows from it (was 103 errors)
    ),
    "text-over-excel-limit": Case(
        long_text("visits", "activities", 40_000), 0,
        (("text-too-long", ref("visits", "activities")),), ("32,767",),
    ),
    "trust-name-blank": Case(
        blank_trust_name(False), 0, (("trust-name-missing", "Instructions!B2"),), ("Example Multi Academy Trust",),
    ),
    "trust-name-row-absent-old-tracker": Case(
        blank_trust_name(True), 0, (("trust-name-missing", "Instructions!B2"),), ("default name",),
    ),
    # Several problems at once are all reported together.
    "multiple-problems-at-once": Case(
        several(  # the zip edit goes last: an openpyxl save drops cached formula values
            set_cell("schools", "urn", 12345),
            set_cell("visits", "days", "x"),
            set_cell("assessments", "agreed_designation", "Sustian"),
            formula_error("attendance", "attendance_pct"),
        ),
        1,
        (
            ("urn-invalid", ref("schools", "urn")),
            ("suppression-not-allowed", ref("visits", "days")),
            ("unknown-choice", ref("assessments", "agreed_designation")),
            ("formula-error", ref("attendance", "attendance_pct")),
        ),
        subprocess=True,
    ),
}


def run_validate(path: Path, *, in_subprocess: bool, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = ["validate", str(path), "--format", "json"]
    if in_subprocess:
        proc = subprocess.run(
            [sys.executable, "-m", "toolkit", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        return proc.returncode, proc.stdout + proc.stderr
    code = cli.main(args)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_broken_tracker(case: Case, valid_tracker: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tracker.xlsx"
    shutil.copyfile(valid_tracker, path)
    case.mutate(path)
    code, output = run_validate(path, in_subprocess=case.subprocess, capsys=capsys)
    assert code == case.exit_code, output
    for phrase in case.text:
        assert phrase in output, output
    if case.expect:
        doc = json.loads(output)
        found = {(p["code"], p["where"]) for p in doc["errors"] + doc["warnings"]}
        sheets_found = {(p["code"], p["sheet"]) for p in doc["errors"] + doc["warnings"]}
        for code_, where in case.expect:
            assert (code_, where) in found or (code_, where) in sheets_found, (code_, where, sorted(found))
        for p in doc["errors"] + doc["warnings"]:
            assert p["fix"], p  # every problem says how to fix it
    if case.absent or case.max_errors is not None:
        doc = json.loads(output)
        found = {(p["code"], p["where"]) for p in doc["errors"] + doc["warnings"]}
        found |= {(p["code"], p["sheet"]) for p in doc["errors"] + doc["warnings"]}
        for item in case.absent:
            assert item not in found, (item, sorted(found))
        if case.max_errors is not None:
            assert len(doc["errors"]) <= case.max_errors, [p["where"] + " " + p["message"] for p in doc["errors"]]


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 25


def test_valid_tracker_has_no_errors(valid_tracker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_validate(valid_tracker, in_subprocess=False, capsys=capsys)
    assert code == 0, output


# --------------------------------------------------------------------------- accepted variants
# Messy but readable input: validate passes (exit 0) and the reader stores the canonical value.


@dataclass(frozen=True)
class Variant:
    sheet_key: str
    col_key: str
    typed: object
    stored: object  # the value in the typed table
    code: object = None  # the <key>_code for suppressible columns


VARIANTS: dict[str, Variant] = {
    "dropdown-case-and-spaces": Variant("visits", "status", "  held ", "Held"),
    "dropdown-lower-case": Variant("assessments", "agreed_designation", "improve", "Improve"),
    "academic-year-with-hyphen": Variant("attendance", "academic_year", "{year:-}", "{year}"),
    "yes-no-lower-case": Variant("schools", "sixth_form", "yes", True),
    "number-as-text": Variant("attendance", "cohort", " 210 ", 210),
    "percent-as-text": Variant("attendance", "attendance_pct", "93%", 93.0),
    "suppression-code-kept-not-zero": Variant("attendance", "suspensions", "x", None, "x"),
    "suppression-code-upper-case": Variant("attendance", "attendance_pct", "SUPP", None, "supp"),
    "date-as-uk-text": Variant("visits", "report_sent", "17/09/2026", dt.datetime(2026, 9, 17)),
    "date-as-words": Variant("visits", "report_sent", "17 Sep 2026", dt.datetime(2026, 9, 17)),
    "date-as-iso-text": Variant("visits", "report_sent", "2026-09-17", dt.datetime(2026, 9, 17)),
    "date-as-excel-serial": Variant("visits", "report_sent", 46282, dt.datetime(2026, 9, 17)),
}


@pytest.mark.parametrize("variant", list(VARIANTS.values()), ids=list(VARIANTS))
def test_accepted_variant(variant: Variant, valid_tracker: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pandas as pd

    from toolkit.tracker.reader import read_tracker

    path = tmp_path / "tracker.xlsx"
    shutil.copyfile(valid_tracker, path)
    typed, stored = variant.typed, variant.stored
    if isinstance(typed, str) and "{year" in typed:  # same year as the row, typed 2026-27
        year = str(get_cell(path, variant.sheet_key, "academic_year"))
        typed, stored = year.replace("/", "-"), year
    set_cell(variant.sheet_key, variant.col_key, typed)(path)
    code, output = run_validate(path, in_subprocess=False, capsys=capsys)
    assert code == 0, output
    table = read_tracker(path).table(variant.sheet_key)
    row = table.loc[table["_row"] == 2].iloc[0]
    value = row[variant.col_key]
    if stored is None:
        assert pd.isna(value)  # suppressed: missing, never 0
    else:
        assert value == stored
    if variant.code is not None:
        assert row[f"{variant.col_key}_code"] == variant.code


def test_text_report_groups_errors_and_warnings_with_a_summary(
    valid_tracker: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tracker.xlsx"
    shutil.copyfile(valid_tracker, path)
    several(set_cell("visits", "days", "x"), add_column("schools", "My notes"))(path)
    code = cli.main(["validate", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    errors_at, warnings_at = out.index("Errors - stop"), out.index("Warnings - go on")
    assert errors_at < out.index(ref("visits", "days")) < warnings_at
    assert "Fix:" in out
    assert re.search(r"Summary: \d+ schools; rows: Schools \d+", out)
