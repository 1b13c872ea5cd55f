"""Ofsted inspections under either framework: the latest one, QI1, and limiting judgements.

A school's latest inspection may be a legacy inspection (single-word grades until
September 2024, sub-judgements after) or a renewed-framework report card (from November
2025: evaluation areas on a five-point scale, safeguarding Met / Not met, no overall
grade). Both are read into one ``Inspection`` shape (DOMAIN.md "Ofsted, then and now").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from toolkit.policy import Policy
from toolkit.tracker.model import Tracker
from toolkit.tracker.queries import text
from toolkit.tracker.schema import sheet

LEGACY = "legacy"
REPORT_CARD = "report card"

LEGACY_AREAS = (
    "quality_of_education",
    "behaviour_and_attitudes",
    "personal_development",
    "leadership_and_management",
    "early_years",
    "sixth_form",
)
REPORT_CARD_AREAS = (
    "inclusion",
    "curriculum_and_teaching",
    "achievement",
    "attendance_and_behaviour",
    "personal_development_and_wellbeing",
    "leadership_and_governance",
    "early_years",
    "sixth_form",
)


def format_date(day: dt.date) -> str:
    """'3 Feb 2026': the date style used in reasons."""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Inspection:
    framework: str  # LEGACY or REPORT_CARD
    date: dt.date
    inspection_type: str | None = None
    overall: str | None = None  # legacy overall effectiveness (None / "Not graded" after Sep 2024)
    areas: dict[str, str] = field(default_factory=dict)  # area header -> grade, graded areas only
    safeguarding: str | None = None  # "Met" / "Not met" (legacy "effective" Yes -> Met)
    category_of_concern: str | None = None  # "Serious weaknesses" / "Special measures" / None

    @property
    def has_judgement(self) -> bool:
        graded_overall = self.overall not in (None, "Not graded")
        return graded_overall or bool(self.areas) or self.safeguarding == "Not met" or bool(self.category_of_concern)

    def describe(self) -> str:
        """One line for the review: framework, date and the grades."""
        head = f"{'Report card' if self.framework == REPORT_CARD else 'Legacy inspection'} {format_date(self.date)}"
        if self.inspection_type and self.framework == LEGACY:
            head += f" ({self.inspection_type})"
        parts = []
        if self.overall:
            parts.append(f"overall {self.overall}")
        parts += [f"{area}: {grade}" for area, grade in self.areas.items()]
        if self.safeguarding:
            parts.append(f"safeguarding {self.safeguarding}")
        if self.category_of_concern:
            parts.append(f"category of concern: {self.category_of_concern}")
        return head + (": " + "; ".join(parts) if parts else "")

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "date": self.date.isoformat(),
            "inspection_type": self.inspection_type,
            "overall": self.overall,
            "areas": dict(self.areas),
            "safeguarding": self.safeguarding,
            "category_of_concern": self.category_of_concern,
        }


def _concern(v: object) -> str | None:
    s = text(v)
    return None if s is None or s.lower() == "none" else s


def _date(v: object) -> dt.date | None:
    if v is None or pd.isna(v):
        return None
    return pd.Timestamp(v).date()


def inspections(tracker: Tracker, urn: int) -> list[Inspection]:
    """Every inspection of a school under both frameworks, oldest first."""
    found: list[Inspection] = []
    legacy_spec, card_spec = sheet("ofsted_legacy"), sheet("ofsted_report_cards")
    for row in tracker.rows("ofsted_legacy", urn).to_dict("records"):
        day = _date(row.get("inspection_date"))
        if day is None:
            continue
        areas = {legacy_spec.column(a).header: g for a in LEGACY_AREAS if (g := text(row.get(a)))}
        safe = row.get("safeguarding_effective")
        safeguarding = None if safe is None or (isinstance(safe, float) and pd.isna(safe)) else ("Met" if bool(safe) else "Not met")
        found.append(
            Inspection(LEGACY, day, text(row.get("inspection_type")), text(row.get("overall_effectiveness")), areas, safeguarding, _concern(row.get("category_of_concern")))
        )
    for row in tracker.rows("ofsted_report_cards", urn).to_dict("records"):
        day = _date(row.get("inspection_date"))
        if day is None:
            continue
        areas = {card_spec.column(a).header: g for a in REPORT_CARD_AREAS if (g := text(row.get(a)))}
        found.append(Inspection(REPORT_CARD, day, "Report card", None, areas, text(row.get("safeguarding")), _concern(row.get("category_of_concern"))))
    return sorted(found, key=lambda i: (i.date, i.framework))


def latest_inspection(tracker: Tracker, urn: int, on_or_before: dt.date | None = None) -> Inspection | None:
    """The latest inspection (either framework) on or before a date, judged or not."""
    found = [i for i in inspections(tracker, urn) if on_or_before is None or i.date <= on_or_before]
    return found[-1] if found else None


def latest_judged(found: list[Inspection], on_or_before: dt.date | None = None) -> Inspection | None:
    """The latest inspection that carries a judgement; an ungraded visit with no grades
    recorded leaves the previous judgement standing (as Ofsted's own ungraded inspections do)."""
    usable = [i for i in found if i.has_judgement and (on_or_before is None or i.date <= on_or_before)]
    return usable[-1] if usable else None


def is_relevant(policy: Policy, inspection: Inspection, as_at: dt.date) -> bool:
    """An inspection limits the proposal only within ``proposal.ofsted_relevance_years``."""
    years = policy.proposal.ofsted_relevance_years
    try:
        cutoff = as_at.replace(year=as_at.year - years)
    except ValueError:  # 29 February
        cutoff = as_at.replace(year=as_at.year - years, day=28)
    return inspection.date >= cutoff


def limiting_judgements(policy: Policy, inspection: Inspection | None, as_at: dt.date) -> list[str]:
    """Ofsted category-of-concern findings that propose ``proposal.category_of_concern_designation``
    whatever else holds (DOMAIN.md, Decision "proposal rule"): a legacy overall grade in
    ``legacy_limiting_grades``; any report-card area in ``report_card_limiting_grades``;
    safeguarding Not met / not effective (if ``safeguarding_not_met_is_limiting``); a
    recorded category of concern. Only an inspection within ``ofsted_relevance_years`` of
    ``as_at`` counts. Each finding reads like "Ofsted Urgent improvement in Leadership and
    governance, 3 Feb 2026".
    """
    if inspection is None or not is_relevant(policy, inspection, as_at):
        return []
    rule = policy.proposal
    when = format_date(inspection.date)
    found: list[str] = []
    if inspection.framework == LEGACY and inspection.overall in rule.legacy_limiting_grades:
        found.append(f"Ofsted {inspection.overall} overall effectiveness, {when}")
    if inspection.framework == REPORT_CARD:
        for area, grade in inspection.areas.items():
            if grade in rule.report_card_limiting_grades:
                found.append(f"Ofsted {grade} in {area}, {when}")
    if rule.safeguarding_not_met_is_limiting and inspection.safeguarding == "Not met":
        wording = "safeguarding Not met" if inspection.framework == REPORT_CARD else "safeguarding not effective"
        found.append(f"Ofsted {wording}, {when}")
    if inspection.category_of_concern:
        found.append(f"Ofsted category of concern ({inspection.category_of_concern}), {when}")
    return found


def qi1_step(policy: Policy, inspection: Inspection) -> tuple[str | None, str]:
    """Map an inspection onto the four steps for QI1, and say how.

    Legacy: the overall grade through ``data_suggestions.legacy_grade_steps`` (Outstanding
    and Good -> Sustain, "Ofsted good or outstanding"; Requires improvement -> Improve,
    "Approaching ... 'good'"; Inadequate -> Stabilise, "Ofsted inadequate"); after September
    2024 ("Not graded") the worst sub-judgement is used. Report card: any limiting grade ->
    Stabilise; ``report_card_needs_attention_repair`` or more "Needs attention" -> Repair;
    fewer -> Improve; otherwise Sustain. Safeguarding not met or a category of concern ->
    the category-of-concern designation.
    """
    ds, rule = policy.data_suggestions, policy.proposal
    when = format_date(inspection.date)
    concern = rule.category_of_concern_designation
    if inspection.category_of_concern:
        return concern, f"Ofsted category of concern ({inspection.category_of_concern}), {when}"
    if inspection.safeguarding == "Not met":
        return concern, f"Ofsted safeguarding not met, {when}"
    if inspection.framework == LEGACY:
        if inspection.overall in ds.legacy_grade_steps:
            return ds.legacy_grade_steps[inspection.overall], f"Ofsted {inspection.overall} (legacy overall effectiveness), {when}"
        graded = {a: g for a, g in inspection.areas.items() if g in ds.legacy_grade_steps}
        if not graded:
            return None, f"Ofsted inspection {when} recorded no grades"
        area, grade = min(graded.items(), key=lambda kv: policy.rank(ds.legacy_grade_steps[kv[1]]))
        return ds.legacy_grade_steps[grade], f"Ofsted not graded overall, {when}; worst sub-judgement {grade} ({area})"
    limiting = [a for a, g in inspection.areas.items() if g in rule.report_card_limiting_grades]
    if limiting:
        return concern, f"Ofsted report card {when}: {inspection.areas[limiting[0]]} in {', '.join(limiting)}"
    attention = [a for a, g in inspection.areas.items() if g == "Needs attention"]
    if not inspection.areas:
        return None, f"Ofsted report card {when} recorded no area grades"
    if len(attention) >= ds.report_card_needs_attention_repair:
        return "Repair", f"Ofsted report card {when}: Needs attention in {len(attention)} areas ({', '.join(attention)})"
    if attention:
        return "Improve", f"Ofsted report card {when}: Needs attention in {attention[0]}"
    return "Sustain", f"Ofsted report card {when}: every area Expected standard or better"


def area_headers(framework: str) -> list[str]:
    """The evaluation areas of a framework as the tracker heads them, e.g. "Leadership and
    governance" (early years and sixth form last: not every school has them)."""
    spec, keys = (sheet("ofsted_legacy"), LEGACY_AREAS) if framework == LEGACY else (sheet("ofsted_report_cards"), REPORT_CARD_AREAS)
    return [spec.column(k).header for k in keys]


def hypothetical(framework: str, grade: str, day: dt.date, *, area: str | None = None, safeguarding: str = "Met") -> Inspection:
    """An inspection that has not happened, for the what-if (``designation.what_if``).

    Legacy: ``grade`` is the overall effectiveness. Report card: ``grade`` is given to
    ``area`` (default Leadership and governance) and every other area that every school has
    is at "Expected standard", so the one grade the LSIP picks is the one that decides.
    ``safeguarding`` is Met or Not met under either framework.
    """
    if framework == LEGACY:
        return Inspection(LEGACY, day, "What-if", grade, {}, safeguarding, None)
    if framework != REPORT_CARD:
        raise ValueError(f"Unknown inspection framework {framework!r}; use {LEGACY!r} or {REPORT_CARD!r}")
    headers = area_headers(REPORT_CARD)
    core = headers[:-2]  # early years and sixth form apply to some schools only
    chosen = area or core[-1]
    if chosen not in headers:
        raise ValueError(f"{chosen!r} is not a report-card area; use one of {', '.join(headers)}")
    areas = {h: "Expected standard" for h in core} | {chosen: grade}
    return Inspection(REPORT_CARD, day, "What-if", None, areas, safeguarding, None)
