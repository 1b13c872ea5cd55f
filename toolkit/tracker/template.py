"""Writing the trust tracker workbook: the blank template and filled trackers alike.

Everything comes from ``toolkit.tracker.schema``: the sheets, their columns, the help text and the
closed vocabularies. Adding a column to the schema adds it here (header, help, dropdown,
Instructions entry) with no change to this module.

The file is deterministic, byte for byte: the same rows give the same bytes on every run,
so the committed template and sample can be checked against the code that makes them.
openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry, so the
workbook is saved to memory and re-zipped with a fixed timestamp before the atomic write.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.outputs import atomic_path
from toolkit.policy import Policy, default_policy
from toolkit.tracker.schema import (
    FIRST_DATA_ROW,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    SHEETS,
    SUPPRESSION_CODES,
    TRUST_NAME_CELL,
    TRUST_NAME_LABEL,
    VOCABULARIES,
    Column,
    Kind,
    Sheet,
)

#: Blank rows the template's validations cover; a filled tracker covers its rows plus
#: ``SPARE_ROWS`` so the data manager can keep adding records with dropdowns in place.
TEMPLATE_ROWS = 2000
SPARE_ROWS = 500
#: The fixed timestamp written into the workbook properties and every zip entry.
FIXED_TIME = dt.datetime(2026, 1, 1)
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0"
FREEZE = "B2"
AUTHOR = "School Improvement Toolkit"

# Excel's limits on data-validation text.
_PROMPT_TITLE_MAX = 32
_PROMPT_MAX = 255
# The range a DATE cell must fall in (an obvious typo such as 2062 for 2026 is caught).
_DATE_MIN = dt.date(2000, 1, 1)
_DATE_MAX = dt.date(2099, 12, 31)

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

_KIND_WORDS = {
    Kind.URN: "6-digit URN",
    Kind.TEXT: "text",
    Kind.LONGTEXT: "longer text",
    Kind.CHOICE: "pick from the list",
    Kind.DATE: "date",
    Kind.INT: "whole number",
    Kind.NUMBER: "number",
    Kind.PERCENT: "percentage, 0-100",
    Kind.YESNO: "Yes or No",
}


# --------------------------------------------------------------------------- Lists sheet
def list_name(vocab: str) -> str:
    """The workbook defined name for a vocabulary, e.g. ``list_designation``."""
    return f"list_{vocab}"


def list_ranges() -> dict[str, str]:
    """Each vocabulary's absolute range on the Lists sheet, e.g. ``Lists!$A$2:$A$19``.

    One column per vocabulary, in ``VOCABULARIES`` order, the list name on row 1.
    """
    out: dict[str, str] = {}
    for i, (vocab, values) in enumerate(VOCABULARIES.items(), start=1):
        col = get_column_letter(i)
        out[vocab] = f"{LISTS_SHEET}!${col}$2:${col}${1 + len(values)}"
    return out


# --------------------------------------------------------------------------- validations
def _prompt(col: Column) -> str:
    text = col.help
    if col.suppressible:
        text += " DfE suppression codes such as x or c are allowed."
    if col.required:
        text += " Required."
    return text[:_PROMPT_MAX]


def column_validation(col: Column, ranges: Mapping[str, str]) -> DataValidation:
    """The data validation for one column's data cells, with its help as the input message.

    CHOICE and YESNO columns get a dropdown fed from the Lists sheet; URNs a 6-digit whole
    number; dates a date; non-suppressible numbers their schema range. A suppressible
    column accepts codes such as "x", so it gets the help message but no number check.
    """
    kw: dict[str, Any] = {}
    error = ""
    if col.kind in (Kind.CHOICE, Kind.YESNO) and col.vocab:
        kw = {"type": "list", "formula1": ranges[col.vocab], "allow_blank": True}
        error = f"Pick a value from the dropdown list ({col.header}). The allowed values are on the Lists sheet."
    elif col.kind == Kind.URN:
        kw = {"type": "whole", "operator": "between", "formula1": "100000", "formula2": "999999"}
        error = "A URN is a 6-digit number from Get Information About Schools, e.g. 123456."
    elif col.kind == Kind.DATE:
        lo, hi = (int(to_excel(d)) for d in (_DATE_MIN, _DATE_MAX))
        kw = {"type": "date", "operator": "between", "formula1": str(lo), "formula2": str(hi)}
        error = f"Enter a date between {_DATE_MIN:%d/%m/%Y} and {_DATE_MAX:%d/%m/%Y}."
    elif col.kind in (Kind.INT, Kind.NUMBER, Kind.PERCENT) and not col.suppressible:
        lo = col.minimum if col.minimum is not None else (0 if col.kind == Kind.PERCENT else None)
        hi = col.maximum if col.maximum is not None else (100 if col.kind == Kind.PERCENT else None)
        vtype = "whole" if col.kind == Kind.INT else "decimal"
        if lo is not None and hi is not None:
            kw = {"type": vtype, "operator": "between", "formula1": _num(lo), "formula2": _num(hi)}
            error = f"Enter a number from {_num(lo)} to {_num(hi)}."
        elif lo is not None:
            kw = {"type": vtype, "operator": "greaterThanOrEqual", "formula1": _num(lo)}
            error = f"Enter a number of at least {_num(lo)}."
        elif hi is not None:
            kw = {"type": vtype, "operator": "lessThanOrEqual", "formula1": _num(hi)}
            error = f"Enter a number no more than {_num(hi)}."
        else:
            kw = {"type": vtype, "operator": "between", "formula1": "-1E+99", "formula2": "1E+99"}
            error = "Enter a number."
    dv = DataValidation(
        **kw,
        showInputMessage=True,
        promptTitle=col.header[:_PROMPT_TITLE_MAX],
        prompt=_prompt(col),
    )
    if error:
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.errorTitle = col.header[:_PROMPT_TITLE_MAX]
        dv.error = error[:_PROMPT_MAX]
    dv.allow_blank = True
    return dv


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# --------------------------------------------------------------------------- cell values
def _cell_value(col: Column, value: object) -> object:
    """A record's value as it goes into the cell (dates as dates, booleans as Yes/No)."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if col.kind == Kind.YESNO and isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value.date() if col.kind == Kind.DATE else value
    return value


# --------------------------------------------------------------------------- sheets
def _instructions_rows(policy: Policy, trust_name: str = "") -> list[list[object]]:
    """The Instructions sheet: the trust's name, what each sheet is for and what each column means."""
    min_group = policy.suppression.min_group_size
    codes = ", ".join(SUPPRESSION_CODES)
    rows: list[list[object]] = [
        ["Trust tracker: instructions"],
        [TRUST_NAME_LABEL, trust_name or None, None,
         f"Type the trust's name in {TRUST_NAME_CELL}: it heads every report. (A policy.toml beside the tracker that sets [trust] name overrides it.)"],
        ["How to use this workbook"],
        ["Each sheet below holds one kind of record, one record per row, from row 2 down. Do not rename sheets or change the headers on row 1: the toolkit finds columns by their headers."],
        ["Select a header cell to see a note on what the column means; select a data cell to see the same help as a pop-up message."],
        ["Dropdowns: columns with a closed list (phases, designations, terms, Yes/No ...) have a dropdown. Pick from it; anything else is refused. The lists live on the Lists sheet, which the toolkit maintains: do not edit it."],
        ["Dates: enter real dates (e.g. 03/09/2026). Percentages: on a 0-100 scale; 93, 0.93 and 93% are all read as 93%."],
        [f"Suppression codes: where DfE withholds a figure, enter its code instead of a number ({codes}). The toolkit keeps such a value as suppressed; it is never read as 0."],
        [f"Small groups: any pupil group with fewer than {min_group} pupils is shown as suppressed in committee reports, so enter the real figures here."],
        ["Blank rows are ignored. If anything is wrong, the toolkit lists every problem at once with the sheet, the cell and how to fix it."],
        [],
    ]
    for spec in SHEETS:
        rows.append([f"Sheet: {spec.title}"])
        rows.append([spec.purpose])
        if spec.unique:
            heads = ", ".join(spec.column(k).header for k in spec.unique)
            rows.append([f"Each row is identified by: {heads} (no two rows may share these)."])
        rows.append(["Column", "Required", "Type", "What to enter", "Allowed values"])
        for col in spec.columns:
            allowed = ""
            if col.vocab:
                values = VOCABULARIES[col.vocab]
                allowed = ", ".join(values) if len(values) <= 10 else f"{values[0]} ... {values[-1]} (Lists sheet, column '{col.vocab}')"
            elif col.suppressible:
                allowed = "a number, or a suppression code"
            rows.append([col.header, "Yes" if col.required else "", _KIND_WORDS[col.kind], _prompt(col), allowed])
        rows.append([])
    rows.append([f"Sheet: {LISTS_SHEET}"])
    rows.append(["The allowed values for every dropdown, one list per column. Maintained by the toolkit; do not edit."])
    return rows


def _write_instructions(wb: Workbook, policy: Policy, trust_name: str = "") -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET)
    for letter, width in zip("ABCDE", (32, 10, 18, 70, 40), strict=True):
        ws.column_dimensions[letter].width = width
    for row in _instructions_rows(policy, trust_name):
        cells: list[object] = []
        for i, value in enumerate(row):
            cell = WriteOnlyCell(ws, value)
            text = str(value)
            if text == "Trust tracker: instructions":
                cell.font = _TITLE_FONT
            elif text.startswith("Sheet: ") or text in ("How to use this workbook", TRUST_NAME_LABEL) or (len(row) == 5 and row[0] == "Column"):
                cell.font = _BOLD
            if i == 3 or len(row) == 1:
                cell.alignment = Alignment(vertical="top")
            cells.append(cell)
        ws.append(cells)


def _write_lists(wb: Workbook) -> None:
    ws = wb.create_sheet(LISTS_SHEET)
    vocabs = list(VOCABULARIES.items())
    for i, (_vocab, values) in enumerate(vocabs, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, max(len(v) for v in values) + 2))
    header = []
    for vocab, _ in vocabs:
        cell = WriteOnlyCell(ws, vocab)
        cell.font = _BOLD
        header.append(cell)
    ws.append(header)
    ws.freeze_panes = "A2"
    depth = max(len(v) for _, v in vocabs)
    for r in range(depth):
        ws.append([values[r] if r < len(values) else None for _, values in vocabs])
    for vocab, ref in list_ranges().items():
        wb.defined_names[list_name(vocab)] = DefinedName(list_name(vocab), attr_text=ref)


def _write_sheet(wb: Workbook, spec: Sheet, records: list[Mapping[str, object]], last_row: int, ranges: Mapping[str, str]) -> None:
    ws = wb.create_sheet(spec.title)
    for i, col in enumerate(spec.columns, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = col.width
        if col.kind == Kind.DATE:
            dim.number_format = DATE_FORMAT
        elif col.kind == Kind.PERCENT:
            dim.number_format = PERCENT_FORMAT
    ws.freeze_panes = FREEZE
    for i, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        dv = column_validation(col, ranges)
        dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
        ws.data_validations.append(dv)
    header = []
    for col in spec.columns:
        cell = WriteOnlyCell(ws, col.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _HEADER_ALIGN
        note = Comment(_prompt(col), AUTHOR)
        note.width, note.height = 300, 110
        cell.comment = note
        header.append(cell)
    ws.append(header)
    columns = spec.columns
    for rec in records:
        ws.append([_cell_value(c, rec.get(c.key)) for c in columns])


def build_workbook(
    rows: Mapping[str, list[Mapping[str, object]]] | None = None, *, policy: Policy | None = None, trust_name: str = ""
) -> Workbook:
    """The tracker as an openpyxl (write-only) workbook, ready to save (``trust_name`` in
    Instructions!B2; blank in the template, for the trust to fill in)."""
    policy = policy or default_policy()
    rows = rows or {}
    unknown = set(rows) - {s.key for s in SHEETS}
    if unknown:
        raise KeyError(f"rows names sheets the schema does not have: {sorted(unknown)}")
    wb = Workbook(write_only=True)
    wb.properties.creator = AUTHOR
    wb.properties.lastModifiedBy = AUTHOR
    wb.properties.title = "Trust tracker"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ranges = list_ranges()
    _write_instructions(wb, policy, trust_name)
    for spec in SHEETS:
        records = list(rows.get(spec.key, ()))
        last_row = max(TEMPLATE_ROWS, len(records) + FIRST_DATA_ROW - 1 + SPARE_ROWS)
        _write_sheet(wb, spec, records, last_row, ranges)
    _write_lists(wb)
    return wb


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def fixed_zip(data: bytes) -> bytes:
    """Re-zip an xlsx with a constant timestamp on every entry and in ``docProps/core.xml``.

    openpyxl sets ``modified`` to now when it saves and zips each part with the current
    time, which would make every run's bytes differ.
    """
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body)
    return out.getvalue()


def workbook_bytes(
    rows: Mapping[str, list[Mapping[str, object]]] | None = None, *, policy: Policy | None = None, trust_name: str = ""
) -> bytes:
    """The tracker file's exact bytes (deterministic for the same rows, policy and name)."""
    buf = io.BytesIO()
    build_workbook(rows, policy=policy, trust_name=trust_name).save(buf)
    return fixed_zip(buf.getvalue())


def write_tracker(
    path: str | Path, rows: Mapping[str, list[Mapping[str, object]]] | None = None, *, policy: Policy | None = None,
    trust_name: str = "",
) -> Path:
    """Write the tracker (blank template when ``rows`` is None) atomically to ``path``."""
    data = workbook_bytes(rows, policy=policy, trust_name=trust_name)
    path = Path(path)
    with atomic_path(path, suffix=".xlsx") as tmp:
        tmp.write_bytes(data)
    return path
