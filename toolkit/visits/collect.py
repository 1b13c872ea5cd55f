"""Collecting completed visit report forms: read, check, and turn into Visits rows.

``collect_forms(folder, tracker)`` reads every file in the folder and returns a
``Collection``: one Visits row per good form (the tracker's columns, ready to paste), each
report's deadline and working days late, and every problem at once, each naming the file
and the field (cell) and saying how to fix it. A form with an error gives no row (the data
manager chases it); warnings travel with the rows into the output workbook.

Reading is python-calamine on the two small sheets of each form (the visible form and the
hidden "Form data" sheet), not openpyxl: openpyxl builds every cell, style and validation
object of the workbook, which is what makes the naive way slow (see
``benchmarks/bench_collect_visits.py``). Nothing in the folder is ever modified.

Matching is by the visit reference in the hidden sheet, never by file name, so a visitor
may rename the file. Recorded visits match the tracker's Visit ID; scheduled visits carry
``SIP-<URN>-<YYYY>-<MM>`` (see ``forms``), which becomes the new row's Visit ID.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit.calendar.schedule import visit_deadlines
from toolkit.calendar.workingdays import TrustCalendar
from toolkit.outputs import atomic_path
from toolkit.tracker.model import Tracker
from toolkit.tracker.problems import Problem, ProblemReport, Severity
from toolkit.tracker.schema import VOCABULARIES, Kind, sheet
from toolkit.visits.forms import parse_scheduled_reference
from toolkit.visits.layout import (
    ANSWER_BY_KEY,
    ANSWERS,
    FORM_SHEET,
    FORM_TEMPLATE,
    FORM_VERSION,
    META_SHEET,
    Field,
    FieldKind,
)

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IGNORED_PREFIXES = ("~$", ".~lock", ".")  # Excel / LibreOffice lock files, hidden files
VISITS = sheet("visits")
CHOICES = {
    FieldKind.DESIGNATION: VOCABULARIES["designation"],
    FieldKind.MODE: VOCABULARIES["visit_mode"],
    FieldKind.YESNO: VOCABULARIES["yesno"],
}
TIMELINESS_COLUMNS = ["file", "visit_id", "urn", "school", "role", "visit_last_day", "report_due", "report_sent", "working_days_late"]


class UnreadableFolder(Exception):
    """The folder of forms is missing or is not a folder (the command exits 2)."""


class NotAForm(Exception):
    """A file that cannot be used as a form: ``code`` says why, the message and fix say what to do."""

    def __init__(self, code: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.code, self.message, self.fix = code, message, fix


@dataclass
class FormContent:
    """What one form file holds: its hidden data and the raw values of its fields."""

    path: Path
    meta: dict[str, object]
    values: dict[str, object]  # field key -> raw cell value ("" when empty)

    @property
    def reference(self) -> str:
        return _clean_text(self.meta.get("reference")) or ""


@dataclass
class Collection:
    folder: Path
    rows: pd.DataFrame  # the Visits sheet's columns, one row per good form
    timeliness: pd.DataFrame  # TIMELINESS_COLUMNS
    report: ProblemReport
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.report.problems


# --------------------------------------------------------------------------- reading one file


def _classify_unreadable(path: Path) -> NotAForm | None:
    """Why a file cannot be opened as a workbook, from its first bytes (None if it may be one)."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        return NotAForm("unreadable", "The file is empty.", "Ask the visitor to send the completed form again.")
    if head.startswith(OLE_SIGNATURE):
        import msoffcrypto

        try:
            with open(path, "rb") as fh:
                encrypted = msoffcrypto.OfficeFile(fh).is_encrypted()
        except Exception:  # an OLE file msoffcrypto does not know
            encrypted = None
        if encrypted:
            return NotAForm("password-protected", "The file is password-protected, so it cannot be read.",
                            "Ask the visitor to remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password) and send it again.")
        return NotAForm("not-a-form", "The file is an old-style Excel 97-2003 workbook (.xls), not a visit report form.",
                        "Ask the visitor to complete the .xlsx form they were sent and return it as .xlsx.")
    if not head.startswith(ZIP_SIGNATURE):
        return NotAForm("not-a-form", "The file is not an Excel workbook, so it is not a visit report form.",
                        "Remove it from the folder, or ask the visitor to return the .xlsx form they were sent.")
    return None


def _sheet_rows(book, name: str) -> list[list[object]]:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _at(rows: list[list[object]], row: int, col: int) -> object:
    if row - 1 < len(rows) and col < len(rows[row - 1]):
        return rows[row - 1][col]
    return ""


def read_form(path: str | Path) -> FormContent:
    """Read one form's hidden data and field values; raise ``NotAForm`` saying why it cannot be."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    bad = _classify_unreadable(path)
    if bad:
        raise bad
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raise NotAForm("unreadable", f"The file is damaged and cannot be read ({exc}).",
                           "Ask the visitor to open it in Excel, save it again and resend it.") from None
        raise NotAForm("not-a-form", "The file is not an Excel workbook, so it is not a visit report form.",
                       "Remove it from the folder, or ask the visitor to return the .xlsx form they were sent.") from None
    names = book.sheet_names
    if META_SHEET not in names or FORM_SHEET not in names:
        raise NotAForm("not-a-form", f"The workbook is not a visit report form (it has no '{FORM_SHEET}' and hidden '{META_SHEET}' sheets).",
                       "Remove it from the folder, or ask the visitor to complete the form they were sent (toolkit visit-forms).")
    try:
        meta_rows = _sheet_rows(book, META_SHEET)
        form_rows = _sheet_rows(book, FORM_SHEET)
    except CalamineError as exc:
        raise NotAForm("unreadable", f"The form is damaged and cannot be read ({exc}).",
                       "Ask the visitor to open it in Excel, save it again and resend it.") from None
    meta = {str(r[0]).strip(): (r[1] if len(r) > 1 else "") for r in meta_rows if r and str(r[0]).strip()}
    if str(meta.get("template", "")).strip() != FORM_TEMPLATE:
        raise NotAForm("not-a-form", "The workbook's hidden form data is not the visit report template's.",
                       "Ask the visitor to complete the form they were sent (toolkit visit-forms).")
    version = _as_int(meta.get("version"))
    if version is None or version < FORM_VERSION:
        raise NotAForm("old-template", f"The form is from an older template (version {meta.get('version') or 'unknown'}; "
                                       f"the current one is {FORM_VERSION}), whose fields sit elsewhere.",
                       "Send the visitor a new form (toolkit visit-forms) and ask them to copy their report into it.")
    if version > FORM_VERSION:
        raise NotAForm("newer-template", f"The form is from a newer template (version {version}) than this toolkit reads ({FORM_VERSION}).",
                       "Update the toolkit, then collect again.")
    values = {f.key: _at(form_rows, f.row, 1) for f in ANSWERS}
    return FormContent(path, meta, values)


def _as_int(value: object) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- field values

_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%a %d %b %Y", "%A %d %B %Y")


def _clean_text(value: object) -> str | None:
    """Text as typed, line breaks kept (Windows CR LF to LF), surrounding blanks dropped."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def parse_date(value: object) -> dt.date | None:
    """A date cell, an Excel serial number or a date typed as text (UK order); None if blank.

    Raises ValueError for text that is not a date.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))).date()
    text = _clean_text(value)
    if text is None:
        return None
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _choice(value: object, options: tuple[str, ...]) -> str | None:
    text = _clean_text(value)
    if text is None:
        return None
    for option in options:
        if " ".join(text.split()).casefold() == option.casefold():
            return option
    raise ValueError(text)


# --------------------------------------------------------------------------- checking


class _Checker:
    def __init__(self, folder: Path) -> None:
        self.report = ProblemReport(str(folder))

    def add(self, severity: Severity, path: Path, message: str, fix: str, *, code: str, f: Field | None = None) -> None:
        self.report.problems.append(Problem(severity, message, fix, file=path.name, sheet=FORM_SHEET if f else "",
                                            cell=f.cell if f else "", code=code))

    def error(self, path: Path, message: str, fix: str, *, code: str, f: Field | None = None) -> None:
        self.add(Severity.ERROR, path, message, fix, code=code, f=f)

    def warning(self, path: Path, message: str, fix: str, *, code: str, f: Field | None = None) -> None:
        self.add(Severity.WARNING, path, message, fix, code=code, f=f)


def _answers(form: FormContent, role: str, check: _Checker) -> dict[str, object] | None:
    """The form's answers as typed values; errors for empty required fields and bad values."""
    out: dict[str, object] = {}
    ok = True
    for f in ANSWERS:
        raw = form.values.get(f.key)
        try:
            if f.kind == FieldKind.DATE:
                value: object = parse_date(raw)
            elif f.kind in CHOICES:
                value = _choice(raw, CHOICES[f.kind])
            else:
                value = _clean_text(raw)
        except ValueError as exc:
            what = "a date, e.g. 12/11/2026" if f.kind == FieldKind.DATE else f"one of {', '.join(CHOICES[f.kind])}"
            check.error(form.path, f"{f.label}: '{exc}' is not {what}.", f"Ask the visitor to correct {f.label} ({f.cell}).",
                        code="bad-value", f=f)
            ok = False
            continue
        if f.sip_only and value is not None and role != "SIP":
            check.warning(form.path, f"{f.label}: only a SIP recommends a designation; this is a {role} visit, so it was left out.",
                          "Nothing to do, unless the visit was a SIP's: then correct the tracker's role.", code="not-for-this-role", f=f)
            value = None
        if value is None and f.required:
            check.error(form.path, f"{f.label} is empty.", f"Ask the visitor to complete {f.label} ({f.cell}) and send the form again.",
                        code="required-field", f=f)
            ok = False
        out[f.key] = value
    if out.get("learning_walk") is not None:
        out["learning_walk"] = out["learning_walk"] == "Yes"
    return out if ok else None


def _base_row(tracker: Tracker, form: FormContent, check: _Checker, ids: dict[str, pd.Series]) -> dict[str, object] | None:
    """The tracker's row for a recorded visit, or a new row for a scheduled one; None (with an
    error) when the reference matches neither."""
    ref = form.reference
    urn = _as_int(form.meta.get("urn"))
    if not ref:
        check.error(form.path, "The form has no visit reference: it is the blank template, not a form written for a visit.",
                    "Write the visit's form with toolkit visit-forms and ask the visitor to complete that one.", code="no-reference")
        return None
    if ref in ids:
        row = ids[ref]
        if urn is not None and int(row["urn"]) != urn:
            check.error(form.path, f"Visit {ref} is for URN {urn} on the form but URN {int(row['urn'])} in the tracker.",
                        "Check the tracker's Visit IDs have not been renumbered; write a new form for the visit if they have.",
                        code="urn-mismatch")
            return None
        return {c: row.get(c) for c in VISITS.keys}
    scheduled = parse_scheduled_reference(ref)
    if scheduled is None:
        check.error(form.path, f"The visit reference {ref} is not in the tracker's Visits sheet.",
                    f"Check the visit was not deleted or renumbered in the tracker; if it was, add it back as {ref} or write a new form.",
                    code="unknown-reference")
        return None
    s_urn, year, month = scheduled
    if s_urn not in set(tracker.schools["urn"].dropna().astype(int)):
        check.error(form.path, f"The scheduled visit {ref} is for URN {s_urn}, which is not in the tracker's Schools sheet.",
                    "Check the tracker; write a new form for the visit.", code="unknown-reference")
        return None
    v = tracker.visits
    booked = v[(v["urn"] == s_urn) & (v["role"] == "SIP") & (pd.to_datetime(v["visit_start"]).dt.year == year)
               & (pd.to_datetime(v["visit_start"]).dt.month == month)]
    if len(booked):
        check.warning(form.path, f"The tracker now also records SIP visit(s) {', '.join(map(str, booked['visit_id']))} for URN {s_urn} "
                                 f"in {year}-{month:02d}; this form was written for the scheduled visit {ref}.",
                      f"If it is the same visit, paste this row over {booked['visit_id'].iloc[0]} (keeping that Visit ID) rather than adding {ref}.",
                      code="scheduled-now-booked")
    return {"visit_id": ref, "urn": s_urn, "role": "SIP"}


def _row(tracker: Tracker, form: FormContent, check: _Checker, ids: dict[str, pd.Series]) -> dict[str, object] | None:
    base = _base_row(tracker, form, check, ids)
    if base is None:
        role = _clean_text(form.meta.get("role")) or ""
        _answers(form, role, check)  # still report every empty field at once
        return None
    answers = _answers(form, str(base["role"]), check)
    if answers is None:
        return None
    start, end, sent = answers["visit_start"], answers["visit_end"], answers["report_sent"]
    last = end or start
    if end is not None and end < start:
        f = ANSWER_BY_KEY["visit_end"]
        check.error(form.path, f"{f.label} ({end:%d/%m/%Y}) is before the Date of visit ({start:%d/%m/%Y}).",
                    f"Ask the visitor to correct {f.label} ({f.cell}).", code="end-before-start", f=f)
        return None
    if sent < last:
        f = ANSWER_BY_KEY["report_sent"]
        check.error(form.path, f"{f.label} ({sent:%d/%m/%Y}) is before the visit ({last:%d/%m/%Y}).",
                    f"Ask the visitor to correct {f.label} ({f.cell}): the day the report was emailed.", code="sent-before-visit", f=f)
        return None
    if base.get("status") == "Cancelled":
        check.warning(form.path, f"The tracker records visit {base['visit_id']} as Cancelled, but a report came back for it.",
                      "Nothing to do if the visit took place after all: the collected row is marked Held.", code="was-cancelled")
    recorded = base.get("visit_start")
    if recorded is not None and not pd.isna(recorded) and pd.Timestamp(recorded).date() != start:
        f = ANSWER_BY_KEY["visit_start"]
        check.warning(form.path, f"{f.label} is {start:%d/%m/%Y} on the form but {pd.Timestamp(recorded):%d/%m/%Y} in the tracker.",
                      "Nothing to do if the visit moved: the collected row has the form's date.", code="date-changed", f=f)
    row = dict(base)
    row.update({k: v for k, v in answers.items() if k in VISITS.keys})  # the form is the report
    row["visit_end"] = end or start
    row["status"] = "Held"
    for key in ("visitor", "mode", "learning_walk"):  # keep the tracker's value when the form leaves it blank
        if answers.get(key) is None and base.get(key) is not None:
            row[key] = base[key]
    return row


def _files(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(IGNORED_PREFIXES)), key=lambda p: p.name)


def collect_forms(folder: str | Path, tracker: Tracker) -> Collection:
    """Read and check every form in ``folder`` against ``tracker`` (see the module docstring)."""
    folder = Path(folder)
    if not folder.exists():
        raise UnreadableFolder(f"error: the folder {folder} does not exist. Check the path.")
    if not folder.is_dir():
        raise UnreadableFolder(f"error: {folder} is a file, not a folder of forms. Give the folder the completed forms are in.")
    try:
        files = _files(folder)
    except OSError as exc:
        raise UnreadableFolder(f"error: the folder {folder} cannot be read ({exc.strerror}). Check its permissions.") from None
    check = _Checker(folder)
    ids = {str(r["visit_id"]): r for _, r in tracker.visits.iterrows()}
    rows: list[tuple[Path, dict[str, object]]] = []
    for path in files:
        try:
            form = read_form(path)
        except NotAForm as exc:
            check.error(path, exc.message, exc.fix, code=exc.code)
            continue
        except OSError as exc:
            check.error(path, f"The file cannot be opened ({exc.strerror}).", "Check the file's permissions and collect again.", code="unreadable")
            continue
        row = _row(tracker, form, check, ids)
        if row is not None:
            rows.append((path, row))
    by_ref: dict[str, list[Path]] = defaultdict(list)
    for path, row in rows:
        by_ref[str(row["visit_id"])].append(path)
    for ref, paths in by_ref.items():
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p.name for p in paths if p != path)
                check.error(path, f"Two forms for visit {ref}: this one and {others}.",
                            "Keep the right one in the folder (move the other out) and collect again.", code="duplicate-visit")
    good = [(p, r) for p, r in rows if len(by_ref[str(r["visit_id"])]) == 1]
    frame = _frame([r for _, r in good])
    return Collection(folder, frame, timeliness(tracker, frame, [p.name for p, _ in good]), check.report, files=len(files))


def _frame(rows: Iterable[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=VISITS.keys)
    for c in VISITS.columns:
        if c.kind == Kind.DATE:
            df[c.key] = pd.to_datetime(df[c.key])
    return df


def timeliness(tracker: Tracker, rows: pd.DataFrame, files: list[str] | None = None) -> pd.DataFrame:
    """Each collected report's deadline and working days late (0 when on time).

    The deadline is the policy's working days after the visit's last day
    (``report_deadline``), on the school's own calendar; late by the working days in
    (deadline, sent], as ``compliance.late_reports`` counts them. Roles without a per-visit
    deadline (``calendar.visit_report_roles``) have none.
    """
    if rows.empty:
        return pd.DataFrame(columns=TIMELINESS_COLUMNS)
    cal = TrustCalendar.from_tracker(tracker)
    d = visit_deadlines(cal, rows)
    due = d["report_due"].where(rows["role"].isin(tracker.policy.calendar.visit_report_roles))
    late = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    for urn in rows["urn"].unique():
        m = (rows["urn"] == urn) & due.notna()
        if m.any():
            counted = cal.working_days(int(urn)).count_after(due[m], rows.loc[m, "report_sent"])
            late[m] = pd.Series(counted, index=rows.index[m]).clip(lower=0).astype("Int64")
    names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))
    return pd.DataFrame({
        "file": files if files is not None else [""] * len(rows), "visit_id": rows["visit_id"], "urn": rows["urn"],
        "school": rows["urn"].map(names), "role": rows["role"], "visit_last_day": d["visit_last_day"], "report_due": due,
        "report_sent": rows["report_sent"], "working_days_late": late,
    }, columns=TIMELINESS_COLUMNS).reset_index(drop=True)


# --------------------------------------------------------------------------- output


def render_problems(report: ProblemReport) -> str:
    """Plain text for a terminal: errors then warnings, each naming the file and the field."""
    lines: list[str] = []
    for title, items in (("Errors (these forms give no row)", report.errors), ("Warnings (rows kept; check these)", report.warnings)):
        if not items:
            continue
        lines.append(f"{title}: {len(items)}")
        for p in items:
            where = f"{p.file} ({p.sheet}!{p.cell})" if p.cell else p.file
            lines.append(f"  {where}: {p.message}")
            lines.append(f"      Fix: {p.fix}")
    return "\n".join(lines) or "No problems found."


def _text_cell(ws, value: object):
    """A cell that keeps typed text as text (never a formula), for the write-only sheet."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _excel(value: object, kind: Kind | None = None) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if kind == Kind.YESNO and isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_collection(collection: Collection, path: str | Path) -> Path:
    """A NEW workbook (atomically): Visits (the tracker's columns, to paste), Report
    timeliness (deadline and working days late per form) and Problems (every problem)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from toolkit.tracker.template import FIXED_TIME

    wb = Workbook(write_only=True)
    wb.properties.creator = "School Improvement Toolkit"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(ws, titles: list[str]) -> None:
        cells = []
        for t in titles:
            c = _text_cell(ws, t)
            c.font = bold
            cells.append(c)
        ws.append(cells)
        ws.freeze_panes = "A2"

    ws = wb.create_sheet(VISITS.title)
    for i, c in enumerate(VISITS.columns):
        ws.column_dimensions[chr(65 + i)].width = c.width
    header(ws, [c.header for c in VISITS.columns])
    for rec in collection.rows.to_dict("records"):
        cells = []
        for c in VISITS.columns:
            cell = _text_cell(ws, _excel(rec.get(c.key), c.kind))
            if c.kind == Kind.DATE and cell.value is not None:
                cell.number_format = "dd/mm/yyyy"
            if c.kind == Kind.LONGTEXT:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)
    ws = wb.create_sheet("Report timeliness")
    header(ws, ["File", "Visit ID", "URN", "School", "Role", "Visit last day", "Report due", "Report sent", "Working days late"])
    for rec in collection.timeliness.to_dict("records"):
        cells = []
        for key in TIMELINESS_COLUMNS:
            cell = _text_cell(ws, _excel(rec[key]))
            if isinstance(cell.value, dt.date):
                cell.number_format = "dd/mm/yyyy"
            cells.append(cell)
        ws.append(cells)
    ws = wb.create_sheet("Problems")
    header(ws, ["Severity", "File", "Field cell", "Problem", "Fix", "Code"])
    for p in collection.report.problems:
        ws.append([_text_cell(ws, v) for v in (str(p.severity), p.file, f"{p.sheet}!{p.cell}" if p.cell else "", p.message, p.fix, p.code)])
    path = Path(path)
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return path
