"""The sample trust's completed visit report forms for one half term (deterministic).

What a data manager would have in the folder after the Autumn 2 2026/27 visits: one form
per held visit, completed with the sample tracker's report text (recommendations one a
line, as visitors type them), with two planted cases the collector must catch:

- ``LATE``: the first SIP form was sent ``LATE_BY`` working days after its deadline
  (the tracker still shows it on time: the form is what compliance should believe);
- ``INCOMPLETE``: the first SIA form came back with its Summary of outcomes empty.

and one form renamed by its visitor (``RENAMED_TO``), which must still match its visit.
``inputs/visit_forms/`` is this module's output; a test checks the bytes match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from toolkit.calendar.workingdays import TrustCalendar, term_dates_for
from toolkit.tracker.model import Tracker
from toolkit.visits.forms import VisitForm, plan_forms, write_form

HALF_TERM = ("2026/27", "Autumn 2")
LATE_BY = 2  # working days
RENAMED_TO = "Visit report - final version.xlsx"
PLANTED = {"late": "first SIP form", "incomplete": "first SIA form", "renamed": "last form"}


def _lines(text: object) -> str | None:
    """Numbered recommendations one a line ("1. ... 2. ..." -> "1. ...\\n2. ...")."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    return re.sub(r"\s+(?=\d+\.\s)", "\n", str(text))


def sample_answers(tracker: Tracker, form: VisitForm) -> dict[str, object] | None:
    """The completed answers for a held visit, from the tracker's row (None if not held)."""
    v = tracker.visits
    row = v[v["visit_id"].astype(str) == form.reference]
    if row.empty or row.iloc[0]["status"] != "Held" or pd.isna(row.iloc[0]["report_sent"]):
        return None
    r = row.iloc[0]
    walk = r["learning_walk"]
    return {
        "visitor": r["visitor"], "purpose": r["purpose"], "activities": r["activities"], "outcomes": r["outcomes"],
        "recommendations": _lines(r["recommendations"]),
        "recommended_designation": r["recommended_designation"] if form.role == "SIP" else None,
        "report_sent": pd.Timestamp(r["report_sent"]).date(),
        "learning_walk": None if not isinstance(walk, bool) else ("Yes" if walk else "No"),
    }


def sample_forms(tracker: Tracker) -> list[tuple[str, VisitForm, dict[str, object]]]:
    """(file name, form, answers) for each completed sample form, planted cases included."""
    year, half = HALF_TERM
    halves = term_dates_for(tracker.term_dates, year, file=tracker.file_name)
    span = halves[halves["half_term"] == half].iloc[0]
    forms = plan_forms(tracker, span["start"].date(), span["end"].date())
    cal = TrustCalendar.from_tracker(tracker)
    out: list[tuple[str, VisitForm, dict[str, object]]] = []
    late_done = incomplete_done = False
    for form in forms:
        answers = sample_answers(tracker, form)
        if answers is None:
            continue
        if form.role == "SIP" and not late_done and form.report_due:
            answers["report_sent"] = cal.working_days(form.urn).after(form.report_due, LATE_BY)
            late_done = True
        elif form.role == "SIA" and not incomplete_done:
            answers["outcomes"] = None
            incomplete_done = True
        out.append((form.file_name, form, answers))
    if out:
        name, form, answers = out[-1]
        out[-1] = (RENAMED_TO, form, answers)
    return out


def write_sample_forms(tracker: Tracker, out_dir: str | Path) -> list[Path]:
    """Write the sample's completed forms into ``out_dir`` (same tracker, same bytes)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [write_form(out / name, form, answers) for name, form, answers in sample_forms(tracker)]


__all__ = ["HALF_TERM", "LATE_BY", "RENAMED_TO", "sample_forms", "write_sample_forms"]
