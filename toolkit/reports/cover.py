"""The cover sheet every committee report opens with (UK board-paper convention).

A trust board paper starts with a cover sheet: the meeting and its date, what the paper is
for (information or decision), the key messages, what the meeting is asked to do and the
risks. A member who reads only the cover knows which schools are at risk and why, what
moved, what is late and what is asked of them. Every key message here is generated from
the data the report goes on to show, and links (``#anchor``) to the section that shows it.

Public: ``Cover``, ``KeyMessage``, ``standards_cover``, ``lsip_cover``, ``board_cover``,
``review_cover``, ``section_anchor``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.reports.html import HTML, escape
from toolkit.reports.labels import label

#: Headings of the report sections key messages link to (the notebooks' markdown headings).
SECTIONS = {
    "overview": "Trust overview",
    "designations": "Designations and movement since last term",
    "outcomes": "Outcomes against national figures and targets",
    "attendance": "Attendance against national figures and targets, this term",
    "support": "Support deployed against the package and capacity",
    "compliance": "Compliance with the calendar",
    "high_risk": "High risk schools",
    "sip_reports": "SIP reports, school by school",
    "differs": "Where a SIP recommends a different designation",
    "late": "Late and missing visit reports",
    "missed": "Visits missed",
    "pb_designation": "Designation",
    "pb_support": "Support package and its delivery",
    "pb_sdp": "School development plan",
    "pb_groups": "Groups of pupils",
    "pb_visits": "Visits and recommendations",
    "pb_risks": "Risks",
    "rv_summary": "Summary",
    "rv_indicators": "The seven quality indicators",
    "rv_visits": "Visits this year and their recommendations",
    "rv_support": "Support package",
}

#: Calendar findings that mean a visit report is late or missing.
LATE_KINDS = ("late_report", "missing_report")


def section_anchor(heading: str) -> str:
    """The id nbconvert gives a markdown heading (spaces become hyphens), so a key message
    can link to a section written as an ordinary ``## Heading`` in the notebook."""
    return heading.strip().replace(" ", "-")


def school_anchor(urn: int) -> str:
    """The id of a school's own page or block within a trust report."""
    return f"school-{int(urn)}"


@dataclass(frozen=True)
class KeyMessage:
    """One sentence for the cover and the section (``#anchor``) that shows the detail."""

    text: str
    anchor: str


@dataclass
class Cover:
    """A report's cover sheet; displays itself as HTML in the notebook and the report."""

    meeting: str
    date: dt.date | None
    purpose: str
    messages: list[KeyMessage] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)

    @property
    def meeting_line(self) -> str:
        when = f"{self.date.day} {self.date:%B %Y}" if self.date else "no meeting date recorded"
        return f"{self.meeting}, {when}"

    def _repr_html_(self) -> str:
        def items(values: Iterable[str], empty: str) -> str:
            values = list(values)
            if not values:
                return f'<p class="empty">{escape(empty)}</p>'
            return "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>"

        msgs = "".join(
            f'<li><a href="#{escape(m.anchor)}">{escape(m.text)}</a></li>' for m in self.messages
        )
        return (
            '<section class="cover" aria-labelledby="cover-sheet">'
            '<h2 id="cover-sheet">Cover sheet</h2>'
            '<dl class="cover-facts">'
            f"<dt>Meeting</dt><dd>{escape(self.meeting_line)}</dd>"
            f"<dt>Purpose</dt><dd>{escape(self.purpose)}</dd>"
            "</dl>"
            '<h3 id="key-messages">Key messages</h3>'
            + (f'<ul class="key-messages">{msgs}</ul>' if msgs else '<p class="empty">None.</p>')
            + '<h3 id="asked-to">The meeting is asked to</h3>'
            + items(self.asks, "Note the report.")
            + '<h3 id="cover-risks">Risks</h3>'
            + items(self.risks, "No risks flagged by the toolkit.")
            + "</section>"
        )

    def html(self) -> HTML:
        return HTML(self._repr_html_())


# --------------------------------------------------------------------------- shared sentences


def _names(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _schools(n: int) -> str:
    return f"{n} school" + ("" if n == 1 else "s")


def _high_risk(assessments: list[Any], policy: Any) -> list[Any]:
    order = {d: i for i, d in enumerate(policy.designations.order)}
    high = [a for a in assessments if policy.is_high_risk(a.designation)]
    return sorted(high, key=lambda a: (order.get(a.designation, 99), a.name))


def _why(a: Any) -> str:
    """The first reason for a school's proposal (the limiting Ofsted judgement if any)."""
    if a.limiting:
        return str(a.limiting[0])
    return str(a.proposal_reasons[0]) if a.proposal_reasons else "no reason recorded"


def movement_messages(assessments: list[Any], anchor: str) -> list[KeyMessage]:
    """Who moved down, who moved up since last term (or that nobody moved)."""
    down = [a for a in assessments if a.movement == "down"]
    up = [a for a in assessments if a.movement == "up"]
    out = []
    for moved, words in ((down, "moved down"), (up, "moved up")):
        if moved:
            detail = ", ".join(f"{a.name} ({a.previous_designation} to {a.designation})" for a in moved)
            out.append(KeyMessage(f"{len(moved)} {words}: {detail}.", anchor))
    if not out and assessments:
        prev = assessments[0].previous_term
        out.append(KeyMessage(f"No school changed designation since {prev}.", anchor))
    return out


def late_reports(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings that are late or missing visit reports."""
    if findings is None or findings.empty:
        return pd.DataFrame(columns=["kind", "school", "ref"])
    return findings.loc[findings["kind"].isin(list(LATE_KINDS))]


def late_message(findings: pd.DataFrame, anchor: str) -> KeyMessage:
    late = late_reports(findings)
    if late.empty:
        return KeyMessage("No visit report is late or missing.", anchor)
    parts = []
    for kind in LATE_KINDS:
        rows = late.loc[late["kind"] == kind]
        if len(rows):
            verb = "late" if kind == "late_report" else "not sent"
            parts.append(f"{len(rows)} visit report{'s' if len(rows) != 1 else ''} {verb} ({_names(sorted(set(rows['school'].fillna('Trust'))))})")
    return KeyMessage("; ".join(parts) + ".", anchor)


def support_messages(support: pd.DataFrame, anchor: str) -> list[KeyMessage]:
    """Under-delivered and over-allocated support, by school."""
    out = []
    if support is None or support.empty or "flags" not in support:
        return out
    for kind, words in (("under-delivery", "under-delivered"), ("over-allocation", "over-allocated")):
        by_role: dict[str, list[str]] = {}
        for r in support.to_dict("records"):
            for flag in str(r.get("flags") or "").split("; "):
                if flag.startswith(kind):
                    role = flag.split(":", 1)[1].strip().split(" ")[0]
                    by_role.setdefault(role, []).append(str(r["name"]))
        for role, names in by_role.items():
            out.append(KeyMessage(f"{role} support {words} at {_names(names)}.", anchor))
    return out


def capacity_messages(capacity: pd.DataFrame | None, anchor: str) -> list[KeyMessage]:
    if capacity is None or capacity.empty:
        return []
    return [
        KeyMessage(f"Trust-wide {r['resource']}: {r['flag']}.", anchor)
        for r in capacity.to_dict("records")
        if r.get("flag")
    ]


# --------------------------------------------------------------------------- per report


def standards_cover(
    tracker: Any,
    assessments: list[Any],
    support: pd.DataFrame,
    findings: pd.DataFrame,
    meeting: dt.date | None,
    *,
    capacity: pd.DataFrame | None = None,
    attendance: pd.DataFrame | None = None,
) -> Cover:
    """The Standards Committee's cover: who is at High risk and why, what moved, what is
    late, support delivery, and what the committee is asked to note and challenge."""
    policy = tracker.policy
    high = _high_risk(assessments, policy)
    a_high = section_anchor(SECTIONS["high_risk"])
    messages: list[KeyMessage] = []
    if high:
        listed = ", ".join(f"{a.name} ({a.designation})" for a in high)
        messages.append(KeyMessage(f"{_schools(len(high))} at High risk: {listed}.", a_high))
        for a in high:
            messages.append(KeyMessage(f"{a.name}: {_why(a)}.", school_anchor(a.urn)))
    else:
        messages.append(KeyMessage("No school is at High risk.", section_anchor(SECTIONS["designations"])))
    some = [a for a in assessments if a.risk == policy.risk(policy.designations.order[2])] if len(policy.designations.order) > 2 else []
    if some:
        messages.append(KeyMessage(f"{_schools(len(some))} at {some[0].risk}.", section_anchor(SECTIONS["overview"])))
    messages += movement_messages(assessments, section_anchor(SECTIONS["designations"]))
    differs = [a for a in assessments if a.differs]
    if differs:
        messages.append(KeyMessage(
            f"EIT's agreed designation differs from the toolkit's proposal at {_names([a.name for a in differs])}.",
            section_anchor(SECTIONS["designations"]),
        ))
    messages.append(late_message(findings, section_anchor(SECTIONS["compliance"])))
    messages += support_messages(support, section_anchor(SECTIONS["support"]))
    messages += capacity_messages(capacity, section_anchor(SECTIONS["support"]))
    if attendance is not None and not attendance.empty:
        below = [
            str(r["School"]) for r in attendance.to_dict("records")
            if isinstance(r.get("Attendance %"), float | int) and r.get("National") is not None
            and not pd.isna(r.get("National")) and r["Attendance %"] < r["National"]
        ]
        if below:
            messages.append(KeyMessage(
                f"Attendance below national at {_schools(len(below))}: {_names(below)}.",
                section_anchor(SECTIONS["attendance"]),
            ))
    asks = [
        "note the designations, the schools at High risk and the movement since last term;",
        "note the support deployed against each package and challenge any under-delivery;",
    ]
    if not late_reports(findings).empty:
        asks.append("seek assurance that the late and missing visit reports are sent;")
    asks.append("agree any further information it needs for its next meeting.")
    risks = [f"{a.name} is {a.designation} ({a.risk}): {_why(a)}." for a in high]
    risks += [m.text for m in support_messages(support, "")]
    late = late_reports(findings)
    if not late.empty:
        risks.append(f"{len(late)} visit report(s) late or missing: the committee's evidence on those visits is incomplete.")
    return Cover("Standards Committee", meeting, "For information and assurance", messages, asks, risks)


def lsip_cover(
    tracker: Any,
    assessments: list[Any],
    window: Any,
    sip_reports: pd.DataFrame,
    differs: pd.DataFrame,
    findings: pd.DataFrame,
) -> Cover:
    """The LSIP summary's cover for EIT: reports received, designations to decide, what is
    late or missed."""
    reported = set(sip_reports["URN"]) if len(sip_reports) else set()
    missing = [a.name for a in assessments if a.urn not in reported]
    messages = [
        KeyMessage(
            f"{len(sip_reports)} SIP report{'s' if len(sip_reports) != 1 else ''} from {_schools(len(reported))} "
            f"{window.label.removeprefix('SIP reports ')}.",
            section_anchor(SECTIONS["sip_reports"]),
        )
    ]
    if missing:
        messages.append(KeyMessage(f"No SIP report in this period from {_names(missing)}.", section_anchor(SECTIONS["sip_reports"])))
    if len(differs):
        detail = ", ".join(f"{r['School']} ({r['Recommended']}, in force {r['Current']})" for r in differs.to_dict("records"))
        messages.append(KeyMessage(f"A SIP recommends a different designation at {detail}.", section_anchor(SECTIONS["differs"])))
    else:
        messages.append(KeyMessage("Every SIP recommendation matches the designation in force.", section_anchor(SECTIONS["differs"])))
    high = _high_risk(assessments, tracker.policy)
    if high:
        messages.append(KeyMessage(
            f"{_schools(len(high))} at High risk: " + ", ".join(f"{a.name} ({a.designation})" for a in high) + ".",
            section_anchor(SECTIONS["overview"]),
        ))
    messages.append(late_message(findings, section_anchor(SECTIONS["late"])))
    missed = findings.loc[findings["kind"].isin(["missed_visit", "no_learning_walk"])] if len(findings) else findings
    if len(missed):
        messages.append(KeyMessage(
            "; ".join(f"{label(k)}: {n}" for k, n in missed["kind"].value_counts().items()) + ".",
            section_anchor(SECTIONS["missed"]),
        ))
    asks = []
    if len(differs):
        asks.append("decide the designation where a SIP recommends a change, and record the rationale;")
    asks += ["note the SIP reports received and any school without one;", "agree action on late or missing reports and missed visits."]
    risks = [f"{a.name} is {a.designation} ({a.risk}): {_why(a)}." for a in high]
    if not late_reports(findings).empty:
        risks.append("Late or missing visit reports: EIT decides designations without that evidence.")
    return Cover("Education Improvement Team (EIT)", window.meeting, "For decision", messages, asks, risks)


def board_cover(
    assessment: Any,
    meeting: dt.date | None,
    risks: list[str],
    *,
    attention: pd.DataFrame | None = None,
    visits: pd.DataFrame | None = None,
    support: pd.DataFrame | None = None,
) -> Cover:
    """A school's Progress Board pack cover: the designation and why, what moved, the plan's
    actions needing attention, visits since the last board, support delivery."""
    a = assessment
    messages = [
        KeyMessage(
            f"Designation {a.designation or 'none'} ({a.risk or 'not assessed'}): {_why(a)}.",
            section_anchor(SECTIONS["pb_designation"]),
        )
    ]
    messages += movement_messages([a], section_anchor(SECTIONS["pb_designation"]))
    if a.differs:
        messages.append(KeyMessage(f"EIT agreed {a.agreed}; the toolkit proposes {a.proposed}.", section_anchor(SECTIONS["pb_designation"])))
    if attention is not None and len(attention):
        red = int((attention["RAG"] == "Red").sum())
        overdue = int((attention["Overdue"] == "Yes").sum())
        messages.append(KeyMessage(
            f"{len(attention)} development plan action{'s' if len(attention) != 1 else ''} need attention ({red} Red, {overdue} overdue).",
            section_anchor(SECTIONS["pb_sdp"]),
        ))
    if visits is not None:
        messages.append(KeyMessage(
            f"{len(visits)} visit report{'s' if len(visits) != 1 else ''} since the last board.",
            section_anchor(SECTIONS["pb_visits"]),
        ))
    if support is not None:
        messages += support_messages(support, section_anchor(SECTIONS["pb_support"]))
    asks = [
        "review the designation and recommend to EIT;",
        "review the delivery of the school development plan and the actions needing attention;",
        "review the risks below and agree actions.",
    ]
    return Cover("Progress Board", meeting, "For review and recommendation to EIT", messages, asks, list(risks))


def review_cover(assessment: Any, risks: list[str], meeting: dt.date | None = None) -> Cover:
    """The designation review's cover: the proposal and why, what EIT agreed, what moved."""
    a = assessment
    messages = [
        KeyMessage(f"Proposed {a.proposed or 'no designation (no evidence)'}: {_why(a)}.", section_anchor(SECTIONS["rv_summary"])),
        KeyMessage(
            f"Agreed by EIT: {a.agreed}." if a.agreed else "Not yet agreed by EIT.",
            section_anchor(SECTIONS["rv_summary"]),
        ),
    ]
    messages += movement_messages([a], section_anchor(SECTIONS["rv_summary"]))
    limiting = [j for j in a.judgements if j.judgement and j.judgement == (a.proposed or "")]
    if limiting:
        messages.append(KeyMessage(
            f"{len(limiting)} of 7 indicators judged {a.proposed}: " + ", ".join(j.name for j in limiting) + ".",
            section_anchor(SECTIONS["rv_indicators"]),
        ))
    asks = ["agree the designation (or record why it differs from the proposal) and the support package."]
    return Cover("Education Improvement Team (EIT) designation review", meeting, "For decision", messages, asks, list(risks))
