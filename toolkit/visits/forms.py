"""Writing the visit report forms: one prefilled Appendix D form per visit.

A form is an Excel workbook (``.xlsx``), because every visitor already has Excel or
LibreOffice, the tracker is one, and openpyxl (already a dependency) can give it what a
form needs: protected grey cells for what the tracker knows, yellow boxes that wrap long
text, dropdowns for the designation and the mode, a date check on dates, and a hidden
sheet carrying the visit reference and template version, so a renamed file still matches
its visit. Reading it back with python-calamine is fast (see ``collect``).

Which visits get a form (``plan_forms``): every visit the tracker records (not cancelled)
that starts in the range, and every minimum SIP visit the year's schedule proposes but the
tracker has not booked yet. A scheduled visit has no Visit ID, so its reference is
``SIP-<URN>-<YYYY>-<MM>`` (school, month): the same whenever the forms are written again,
and pasted as the Visit ID when the report comes back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from toolkit.calendar.schedule import (
    MONTH_NAMES,
    TERM_OF_MONTH,
    build_schedule,
    designations_by_term,
    paperwork_deadline,
    report_deadline,
    report_recipients,
)
from toolkit.calendar.terms import AcademicYear
from toolkit.calendar.workingdays import TrustCalendar
from toolkit.outputs import atomic_path
from toolkit.tracker.model import Tracker
from toolkit.tracker.schema import VOCABULARIES
from toolkit.tracker.template import FIXED_TIME, fixed_zip
from toolkit.visits.layout import (
    ANSWERS,
    FORM_SHEET,
    FORM_TEMPLATE,
    FORM_VERSION,
    LAST_ROW,
    META_SHEET,
    PREFILLED,
    SCHEDULED_PREFIX,
    SECTION_ABOUT_ROW,
    SECTION_REPORT_ROW,
    Field,
    FieldKind,
)

AUTHOR = "School Improvement Toolkit"
DATE_FORMAT = "dd/mm/yyyy"
GREY = PatternFill("solid", fgColor="EDEDED")
YELLOW = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="7F7F7F")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LONG_ROW_HEIGHT = 110  # points: about eight lines of wrapped text before the box scrolls
DROPDOWNS = {
    FieldKind.DESIGNATION: VOCABULARIES["designation"],
    FieldKind.MODE: VOCABULARIES["visit_mode"],
    FieldKind.YESNO: VOCABULARIES["yesno"],
}


@dataclass(frozen=True)
class VisitForm:
    """What one form is prefilled with: the tracker's facts about one visit."""

    reference: str  # the Visit ID, or SIP-<URN>-<YYYY>-<MM> for a scheduled visit
    kind: str  # "recorded" or "scheduled"
    urn: int
    school: str
    designation: str | None
    role: str
    visitor: str | None
    start: dt.date
    end: dt.date | None
    mode: str | None = None
    learning_walk: bool | None = None
    paperwork_due: dt.date | None = None
    report_due: dt.date | None = None
    recipients: tuple[str, ...] = ()
    agenda: str = ""
    previous: str = ""
    purpose: str | None = None
    tracker: str = ""

    @property
    def file_name(self) -> str:
        """``2026-11-05 900006 SIA V0147.xlsx``: sorts by date; no names (safe on any disk)."""
        return f"{self.start:%Y-%m-%d} {self.urn} {_safe(self.role)} {_safe(self.reference)}.xlsx"


@dataclass
class FormBatch:
    forms: list[VisitForm] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # already there (not overwritten)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", text).strip("-") or "visit"


def scheduled_reference(urn: int, day: dt.date) -> str:
    """The reference of a minimum SIP visit the schedule proposes (not yet in the tracker)."""
    return f"{SCHEDULED_PREFIX}-{urn}-{day:%Y-%m}"


def parse_scheduled_reference(reference: str) -> tuple[int, int, int] | None:
    """(urn, year, month) of a scheduled reference, or None if it is not one."""
    m = re.fullmatch(rf"{SCHEDULED_PREFIX}-(\d{{6}})-(\d{{4}})-(\d{{2}})", reference.strip())
    if not m or not 1 <= int(m.group(3)) <= 12:
        return None
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


# --------------------------------------------------------------------------- planning


def _date(value: object) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


def _fmt(d: dt.date) -> str:
    return f"{d:%a} {d.day} {d:%b %Y}"


def _years(start: dt.date, end: dt.date) -> list[AcademicYear]:
    first, last = AcademicYear.of(start), AcademicYear.of(end)
    return [AcademicYear(y) for y in range(first.start_year, last.start_year + 1)]


def _lines_of_enquiry(tracker: Tracker, urn: int, year: AcademicYear) -> list[str]:
    """The school's SDP priorities with actions still Red or Amber: what the visit should probe."""
    sdp = tracker.rows("sdp_actions", urn)
    if sdp.empty:
        return []
    open_ = sdp[(sdp["academic_year"] == year.label) & sdp["rag"].isin(("Red", "Amber"))]
    return list(dict.fromkeys(str(p) for p in open_["priority"].dropna()))


def _previous_recommendations(visits: pd.DataFrame, urn: int, before: dt.date) -> str:
    """The last held visit to the school before ``before`` that recorded recommendations."""
    v = visits[(visits["urn"] == urn) & (visits["status"] == "Held") & visits["recommendations"].notna()]
    v = v[pd.to_datetime(v["visit_start"]) < pd.Timestamp(before)]
    if v.empty:
        return "No earlier visit with recommendations is recorded."
    r = v.sort_values(["visit_start", "visit_id"]).iloc[-1]
    who = f", {r['visitor']}" if _text(r["visitor"]) else ""
    return f"{r['role']} visit on {_fmt(_date(r['visit_start']))} ({r['visit_id']}{who}):\n{r['recommendations']}"


def _agenda(note: str, priorities: list[str]) -> str:
    parts = [note] if note else []
    if priorities:
        parts.append("School development plan priorities still Red or Amber:\n" + "\n".join(f"- {p}" for p in priorities))
    return "\n\n".join(parts) or "None recorded in the tracker."


def _minimum_note(tracker: Tracker, role: str, day: dt.date) -> str:
    cal = tracker.policy.calendar
    if role != "SIP" or day.month not in cal.minimum_visit_months:
        return ""
    note = f"Minimum SIP visit for {MONTH_NAMES[day.month - 1]} (Strand 5)"
    if day.month == cal.appraisal_visit_month:
        note += ", including the Headteacher's appraisal"
    return note + f". On site, it includes a {cal.learning_walk_minutes}-minute learning walk."


def plan_forms(tracker: Tracker, start: dt.date, end: dt.date) -> list[VisitForm]:
    """One ``VisitForm`` per recorded or scheduled visit starting in [start, end], by date.

    Raises ``InvalidInput`` (naming the Term dates sheet) when a year in the range has no
    term dates: the schedule and the deadlines cannot be worked out without them.
    """
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    policy = tracker.policy
    cal = TrustCalendar.from_tracker(tracker)
    names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))
    sips = dict(zip(tracker.schools["urn"], tracker.schools["sip"], strict=True))
    visits = tracker.visits
    forms: list[VisitForm] = []
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    for year in _years(start, end):
        events = build_schedule(tracker, year)
        designations = designations_by_term(tracker, year)
        candidates: list[dict] = []
        for ev in events:
            if ev.kind == "sip_minimum_visit" and ev.proposed and start <= ev.start <= end and ev.urn is not None:
                candidates.append({"reference": scheduled_reference(ev.urn, ev.start), "kind": "scheduled", "urn": ev.urn,
                                   "role": "SIP", "visitor": _text(sips.get(ev.urn)), "start": ev.start, "end": None,
                                   "mode": None, "learning_walk": None, "purpose": None})
        v = visits[(visits["status"] != "Cancelled") & visits["visit_start"].notna()]
        vs = pd.to_datetime(v["visit_start"])
        v = v[(vs >= max(lo, pd.Timestamp(year.first_day))) & (vs <= min(hi, pd.Timestamp(year.last_day)))]
        for _, r in v.iterrows():
            end_day = _date(r["visit_end"])
            candidates.append({"reference": str(r["visit_id"]), "kind": "recorded", "urn": int(r["urn"]), "role": str(r["role"]),
                               "visitor": _text(r["visitor"]), "start": _date(r["visit_start"]),
                               "end": end_day if end_day and end_day != _date(r["visit_start"]) else None,
                               "mode": _text(r["mode"]), "learning_walk": r["learning_walk"] if isinstance(r["learning_walk"], bool) else None,
                               "purpose": _text(r["purpose"])})
        for c in candidates:
            urn, role, day = c["urn"], c["role"], c["start"]
            wd = cal.working_days(urn)
            last = c["end"] or day
            forms.append(VisitForm(
                reference=c["reference"], kind=c["kind"], urn=urn, school=str(names.get(urn, f"URN {urn}")),
                designation=designations.get(urn, {}).get(TERM_OF_MONTH[day.month]), role=role, visitor=c["visitor"],
                start=day, end=c["end"], mode=c["mode"], learning_walk=c["learning_walk"],
                paperwork_due=paperwork_deadline(wd, day, policy) if role in policy.calendar.paperwork_roles else None,
                report_due=report_deadline(wd, last, policy) if role in policy.calendar.visit_report_roles else None,
                recipients=report_recipients(policy, role),
                agenda=_agenda(_minimum_note(tracker, role, day), _lines_of_enquiry(tracker, urn, year)),
                previous=_previous_recommendations(visits, urn, day), purpose=c["purpose"], tracker=tracker.file_name,
            ))
    forms.sort(key=lambda f: (f.start, f.urn, f.role, f.reference))
    return forms


# --------------------------------------------------------------------------- the workbook


def _prefill_values(form: VisitForm | None) -> dict[str, object]:
    if form is None:
        return {}
    due = (f"{_fmt(form.report_due)}, by email to {', '.join(form.recipients)}" if form.report_due
           else "Half-termly, by the Deputy CEO's deadline (no per-visit deadline for this role).")
    return {
        "school": form.school, "urn": form.urn, "designation": form.designation or "None agreed yet",
        "role": form.role, "reference": form.reference, "paperwork_due": form.paperwork_due,
        "report_due": due, "agenda": form.agenda, "previous": form.previous,
    }


def _answer_values(form: VisitForm | None) -> dict[str, object]:
    if form is None:
        return {}
    walk = None if form.learning_walk is None else ("Yes" if form.learning_walk else "No")
    return {"visitor": form.visitor, "visit_start": form.start, "visit_end": form.end, "mode": form.mode,
            "learning_walk": walk, "purpose": form.purpose}


def _put(ws: Worksheet, f: Field, value: object, *, answer: bool) -> None:
    label = ws[f"A{f.row}"]
    label.value = f.label + (" *" if f.required else "") + (" (SIP, if any)" if f.sip_only else "")
    label.font = Font(bold=True)
    label.alignment = Alignment(wrap_text=True, vertical="top")
    cell = ws[f.cell]
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # typed text stays text, never a formula
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    cell.border = BOX
    cell.fill = YELLOW if answer else GREY
    cell.protection = Protection(locked=not answer)
    if f.kind == FieldKind.DATE:
        cell.number_format = DATE_FORMAT
    if f.kind == FieldKind.LONGTEXT:
        ws.row_dimensions[f.row].height = LONG_ROW_HEIGHT


def _validations(ws: Worksheet) -> None:
    for f in ANSWERS:
        if f.kind in DROPDOWNS:
            dv = DataValidation(type="list", formula1='"' + ",".join(DROPDOWNS[f.kind]) + '"', allow_blank=True)
            dv.error, dv.errorTitle = f"Pick one of: {', '.join(DROPDOWNS[f.kind])}.", f.label
        elif f.kind == FieldKind.DATE:
            dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)  # after 1 Jan 2000
            dv.error, dv.errorTitle = "Enter a date, e.g. 12/11/2026.", f.label
        else:
            dv = DataValidation(allow_blank=True)
        dv.prompt, dv.promptTitle = f.help or f.label, f.label[:32]
        dv.showInputMessage = dv.showErrorMessage = True
        ws.add_data_validation(dv)
        dv.add(f.cell)


def build_form(form: VisitForm | None = None, answers: Mapping[str, object] | None = None) -> Workbook:
    """The form workbook: prefilled from ``form`` (blank template when None); ``answers``
    fills the visitor's boxes (used for the sample and tests: a completed form)."""
    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = AUTHOR
    wb.properties.title = f"Visit report {form.reference}" if form else "Visit report (blank template)"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    ws = wb.active
    ws.title = FORM_SHEET
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 90
    ws["A1"] = "Visit report (Appendix D)"
    ws["A1"].font = Font(bold=True, size=14)
    due = f" Email it by {_fmt(form.report_due)} to {', '.join(form.recipients)}." if form and form.report_due else ""
    ws["A2"] = ("Grey boxes come from the trust tracker and are locked. Complete the yellow boxes (* required) and "
                f"save the file as it is (any name; keep it .xlsx).{due}")
    ws.merge_cells("A2:B2")
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = 45
    for row, title in ((SECTION_ABOUT_ROW, "About the visit (from the tracker)"), (SECTION_REPORT_ROW, "Your report")):
        ws[f"A{row}"] = title
        ws[f"A{row}"].font = Font(bold=True, size=12)
    pre, ans = _prefill_values(form), {**_answer_values(form), **(answers or {})}
    for f in PREFILLED:
        _put(ws, f, pre.get(f.key), answer=False)
    for f in ANSWERS:
        _put(ws, f, ans.get(f.key), answer=True)
    _validations(ws)
    ws.protection.sheet = True  # no password: protects against slips, not people
    ws.protection.formatCells = ws.protection.formatRows = ws.protection.formatColumns = False
    ws.print_area = f"A1:B{LAST_ROW}"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    ws.freeze_panes = None
    ws.sheet_view.selection[0].activeCell = ANSWERS[0].cell
    ws.sheet_view.selection[0].sqref = ANSWERS[0].cell
    meta = wb.create_sheet(META_SHEET)
    values = {"template": FORM_TEMPLATE, "version": FORM_VERSION, "reference": form.reference if form else None,
              "kind": form.kind if form else None, "urn": form.urn if form else None, "role": form.role if form else None,
              "planned_start": form.start if form else None, "tracker": form.tracker if form else None}
    for i, (key, value) in enumerate(values.items(), start=1):
        meta[f"A{i}"] = key
        meta[f"B{i}"] = value
        if isinstance(value, dt.date):
            meta[f"B{i}"].number_format = "yyyy-mm-dd"
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    return wb


def form_bytes(form: VisitForm | None = None, answers: Mapping[str, object] | None = None) -> bytes:
    """The form file's exact bytes (the same for the same form and answers)."""
    buf = io.BytesIO()
    build_form(form, answers).save(buf)
    return fixed_zip(buf.getvalue())


def write_form(path: str | Path, form: VisitForm | None = None, answers: Mapping[str, object] | None = None) -> Path:
    """Write one form atomically (the blank template when ``form`` is None)."""
    path = Path(path)
    with atomic_path(path, suffix=".xlsx") as tmp:
        tmp.write_bytes(form_bytes(form, answers))
    return path


def write_forms(forms: Iterable[VisitForm], out_dir: str | Path, *, overwrite: bool = False) -> FormBatch:
    """Write each form into ``out_dir``. A file already there is left alone (it may be a
    form a visitor has started) unless ``overwrite``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    batch = FormBatch(forms=list(forms))
    for form in batch.forms:
        target = out / form.file_name
        if target.exists() and not overwrite:
            batch.skipped.append(target)
            continue
        batch.written.append(write_form(target, form))
    return batch
