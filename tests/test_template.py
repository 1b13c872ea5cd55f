"""The tracker template: built from the schema, with working dropdowns, and reproducible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from toolkit.tracker.schema import INSTRUCTIONS_SHEET, LISTS_SHEET, SHEETS, VOCABULARIES, Kind
from toolkit.tracker.template import TEMPLATE_ROWS, list_name, workbook_bytes, write_tracker

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "tracker.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = write_tracker(tmp_path_factory.mktemp("tpl") / "tracker.xlsx")
    return openpyxl.load_workbook(path)


def _validations(ws) -> dict[str, object]:
    """Map each validated range (e.g. 'C2:C2000') to its DataValidation."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def _lists_column(wb, vocab: str) -> tuple[str, list[str]]:
    """Find the Lists column headed by ``vocab`` and read its values under the header."""
    ws = wb[LISTS_SHEET]
    for col in ws.iter_cols(min_row=1):
        if col[0].value == vocab:
            values = [c.value for c in col[1:] if c.value is not None]
            return col[0].column_letter, values
    raise AssertionError(f"Lists has no column {vocab}")


def test_committed_template_matches_code():
    """templates/tracker.xlsx is exactly what `toolkit template` writes today (byte-compare)."""
    assert TEMPLATE.read_bytes() == workbook_bytes(), "Regenerate it: .venv/bin/python -m toolkit template"


def test_deterministic_bytes(tmp_path):
    a = write_tracker(tmp_path / "a.xlsx").read_bytes()
    b = write_tracker(tmp_path / "b.xlsx").read_bytes()
    assert a == b


def test_sheet_order_and_headers(template):
    assert template.sheetnames == [INSTRUCTIONS_SHEET, *(s.title for s in SHEETS), LISTS_SHEET]
    for spec in SHEETS:
        ws = template[spec.title]
        headers = [c.value for c in ws[1]]
        assert headers == [c.header for c in spec.columns]
        assert ws.freeze_panes in ("A2", "B2"), spec.title
        for cell, col in zip(ws[1], spec.columns, strict=True):
            assert cell.font.b, f"{spec.title} header {col.header} is bold"
            assert cell.comment is not None and col.help in cell.comment.text
        assert ws.max_row == 1, "the template has no data rows"


def test_every_choice_column_has_list_dropdown_to_its_vocabulary(template):
    checked = 0
    for spec in SHEETS:
        dvs = _validations(template[spec.title])
        for i, col in enumerate(spec.columns, start=1):
            letter = openpyxl.utils.get_column_letter(i)
            dv = dvs[f"{letter}2:{letter}{TEMPLATE_ROWS}"]
            if col.kind in (Kind.CHOICE, Kind.YESNO):
                lists_col, values = _lists_column(template, col.vocab)
                assert dv.type == "list"
                assert dv.formula1 == f"{LISTS_SHEET}!${lists_col}$2:${lists_col}${1 + len(values)}"
                assert tuple(values) == VOCABULARIES[col.vocab]
                assert dv.showErrorMessage and dv.errorStyle == "stop" and "list" in dv.error
                checked += 1
            assert dv.showInputMessage and dv.prompt.startswith(col.help[:200])
    assert checked >= 40


def test_number_and_date_validations(template):
    dvs = _validations(template["Visits"])
    assert dvs["B2:B2000"].type == "whole" and (dvs["B2:B2000"].formula1, dvs["B2:B2000"].formula2) == ("100000", "999999")
    start = dvs["G2:G2000"]  # Visit start
    assert start.type == "date"
    epoch = dt.date(1899, 12, 30)
    assert epoch + dt.timedelta(days=int(start.formula1)) == dt.date(2000, 1, 1)
    days = dvs["I2:I2000"]  # Days, 0..60 in the schema
    assert (days.type, days.formula1, days.formula2) == ("decimal", "0", "60")
    att = _validations(template["Attendance"])
    # Attendance % accepts suppression codes, so no number check (codes must not be refused).
    assert att["F2:F2000"].type is None and att["F2:F2000"].showInputMessage


def test_date_and_percent_column_formats(template):
    ws = template["Term dates"]
    assert ws.column_dimensions["C"].number_format == "yyyy-mm-dd"
    assert template["Attendance"].column_dimensions["F"].number_format == "0.0"


def test_defined_names_for_each_vocabulary(template):
    for vocab in VOCABULARIES:
        letter, values = _lists_column(template, vocab)
        dn = template.defined_names[list_name(vocab)]
        assert dn.attr_text == f"{LISTS_SHEET}!${letter}$2:${letter}${1 + len(values)}"


def test_instructions_mention_every_sheet_and_column(template):
    text = "\n".join(str(c.value) for row in template[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value)
    for spec in SHEETS:
        assert f"Sheet: {spec.title}" in text
        assert spec.purpose in text
        for col in spec.columns:
            assert col.help in text
    assert "suppress" in text.lower() and "dropdown" in text.lower()


def test_rows_are_written_under_headers(tmp_path):
    rows = {
        "schools": [{"urn": 123456, "name": "Test School", "phase": "Primary", "sixth_form": False, "membership": "Member", "date_joined": dt.datetime(2020, 9, 1)}],
    }
    wb = openpyxl.load_workbook(write_tracker(tmp_path / "t.xlsx", rows))
    ws = wb["Schools"]
    values = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]], strict=True))
    assert values["URN"] == 123456 and values["Sixth form"] == "No"
    assert values["Date joined"].date() == dt.date(2020, 9, 1)
    # validations still reach the template's depth for a small tracker
    assert "C2:C2000" in _validations(ws)


def test_unknown_sheet_key_is_refused():
    with pytest.raises(KeyError):
        workbook_bytes({"not_a_sheet": []})


def test_cli_writes_the_template(tmp_path, capsys):
    from toolkit.cli import main

    out = tmp_path / "sub" / "tracker.xlsx"
    assert main(["template", str(out)]) == 0
    assert out.read_bytes() == TEMPLATE.read_bytes()
    assert str(out) in capsys.readouterr().out
