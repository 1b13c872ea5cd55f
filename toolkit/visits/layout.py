"""Where everything sits on the visit report form (Appendix D), declared once.

The form writer (``forms``) and the collector (``collect``) both read this module, so a
field moved here moves in both. A form records the ``FORM_VERSION`` it was written
with; the collector reads fields by the cells of *that* version, so a layout change
must bump the version (an older form is then reported, not misread).

Why fixed cells, not a search for labels: a visitor may retype or translate a label, but
cannot move a protected cell, and reading known cells is what keeps collecting fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FORM_VERSION = 1
FORM_TEMPLATE = "Appendix D visit report"  # the form's identity in its hidden sheet
FORM_SHEET = "Visit report"
META_SHEET = "Form data"  # hidden: the visit reference and template version
SCHEDULED_PREFIX = "SIP"  # scheduled minimum visits: SIP-<URN>-<YYYY>-<MM>
LABEL_COLUMN, VALUE_COLUMN = "A", "B"


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONGTEXT = "longtext"  # a wrapped box; line breaks kept
    DATE = "date"
    DESIGNATION = "designation"  # dropdown: Stabilise, Repair, Improve, Sustain
    MODE = "mode"  # dropdown: On-site, Remote
    YESNO = "yesno"  # dropdown: Yes, No


@dataclass(frozen=True)
class Field:
    key: str  # the Visits column it fills (or a prefill-only key)
    label: str
    row: int
    kind: FieldKind = FieldKind.TEXT
    help: str = ""
    required: bool = False
    sip_only: bool = False  # only a SIP fills it in (the Visits sheet: "the designation the SIP recommends, if any")

    @property
    def cell(self) -> str:
        return f"{VALUE_COLUMN}{self.row}"


# Rows 1-3: title and instructions. Prefilled, protected facts from the tracker:
PREFILLED: tuple[Field, ...] = (
    Field("school", "School", 5),
    Field("urn", "URN", 6),
    Field("designation", "Designation in force", 7),
    Field("role", "Role (e.g. SIP, SIA, SLE)", 8),
    Field("reference", "Visit reference", 9),
    Field("paperwork_due", "Paperwork due to the visitor by", 10, FieldKind.DATE),
    Field("report_due", "Report due by (and to whom)", 11),
    Field("agenda", "Key lines of enquiry / agenda", 12, FieldKind.LONGTEXT),
    Field("previous", "Previous visit's recommendations (to follow up)", 13, FieldKind.LONGTEXT),
)
SECTION_ABOUT_ROW, SECTION_REPORT_ROW = 4, 15

# Fields the visitor completes (Appendix D), in the Visits sheet's words:
ANSWERS: tuple[Field, ...] = (
    Field("visitor", "Visitor", 16, help="Your name.", required=True),
    Field("visit_start", "Date of visit", 17, FieldKind.DATE, "First day of the visit, e.g. 12/11/2026. Change it if the visit moved.", required=True),
    Field("visit_end", "Last day (if more than one day)", 18, FieldKind.DATE, "Leave blank for a one-day visit."),
    Field("mode", "On-site or remote", 19, FieldKind.MODE, "On-site or Remote."),
    Field("learning_walk", "One-hour learning walk", 20, FieldKind.YESNO, "SIP visits: did the visit include the one-hour learning walk?"),
    Field("purpose", "Purpose of visit", 21, FieldKind.LONGTEXT, "Why the visit took place.", required=True),
    Field("activities", "Summary of activities during visit", 22, FieldKind.LONGTEXT, "What you did: meetings, learning walk, work scrutiny ...", required=True),
    Field("outcomes", "Summary of outcomes", 23, FieldKind.LONGTEXT, "What you found.", required=True),
    Field("recommendations", "Recommendations", 24, FieldKind.LONGTEXT, "What the school should do next. Start a new line for each (Alt+Enter).", required=True),
    Field("recommended_designation", "Recommended designation", 25, FieldKind.DESIGNATION,
          "SIP visits: the designation you recommend, if any (Stabilise, Repair, Improve or Sustain).", sip_only=True),
    Field("report_sent", "Date sent", 26, FieldKind.DATE, "The day you email this report.", required=True),
)
LAST_ROW = 26
ANSWER_BY_KEY = {f.key: f for f in ANSWERS}
PREFILL_BY_KEY = {f.key: f for f in PREFILLED}

# The hidden sheet: one key/value pair a row (column A key, column B value).
META_KEYS = ("template", "version", "reference", "kind", "urn", "role", "planned_start", "tracker")
