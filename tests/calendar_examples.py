"""Small, explicit trackers for the calendar tests (issue 4): the sample trust's 2026/27
term dates as published in /tmp/sample-spec.md, typed in here so each worked example can
be checked by hand against a paper calendar."""

from __future__ import annotations

import pandas as pd

from toolkit.policy import Policy, default_policy
from toolkit.tracker.model import Tracker

TERM_DATES_2026_27 = [
    ("Autumn 1", "2026-09-02", "2026-10-23"),
    ("Autumn 2", "2026-11-02", "2026-12-18"),
    ("Spring 1", "2027-01-04", "2027-02-12"),
    ("Spring 2", "2027-02-22", "2027-03-25"),
    ("Summer 1", "2027-04-12", "2027-05-28"),
    ("Summer 2", "2027-06-07", "2027-07-21"),
]
TERM_DATES_2025_26 = [
    ("Autumn 1", "2025-09-03", "2025-10-24"),
    ("Autumn 2", "2025-11-03", "2025-12-19"),
    ("Spring 1", "2026-01-05", "2026-02-13"),
    ("Spring 2", "2026-02-23", "2026-03-27"),
    ("Summer 1", "2026-04-13", "2026-05-22"),
    ("Summer 2", "2026-06-01", "2026-07-21"),
]


def ts(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text) if text else pd.NaT


def term_dates(years: dict[str, list[tuple[str, str, str]]] | None = None) -> pd.DataFrame:
    years = years if years is not None else {"2025/26": TERM_DATES_2025_26, "2026/27": TERM_DATES_2026_27}
    rows = [
        {"_row": i + 2, "academic_year": y, "half_term": h, "start": ts(s), "end": ts(e)}
        for i, (y, h, s, e) in enumerate((y, *row) for y, rows in years.items() for row in rows)
    ]
    return pd.DataFrame(rows)


def closures(rows: list[tuple[int | None, str, str]] = ()) -> pd.DataFrame:
    return pd.DataFrame(
        [{"_row": i + 2, "urn": u, "date": ts(d), "reason": r} for i, (u, d, r) in enumerate(rows)],
        columns=["_row", "urn", "date", "reason"],
    )


def policy_with(**calendar: object) -> Policy:
    base = default_policy()
    return base.model_copy(update={"calendar": base.calendar.model_copy(update=calendar)})


SCHOOL_COLUMNS = ["_row", "urn", "name", "phase", "sixth_form", "local_authority", "headteacher", "sip", "date_joined", "membership"]


def schools(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"_row": i + 2, "urn": u, "name": n, "phase": "Primary", "sixth_form": False, "local_authority": None,
             "headteacher": None, "sip": None, "date_joined": pd.NaT, "membership": "Member"}
            for i, (u, n) in enumerate(rows)
        ],
        columns=SCHOOL_COLUMNS,
    )


def assessments(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    """(urn, year, term, agreed designation)."""
    return pd.DataFrame(
        [
            {"_row": i + 2, "urn": u, "academic_year": y, "term": t, "agreed_designation": d, "proposed_designation": d}
            for i, (u, y, t, d) in enumerate(rows)
        ]
    )


VISIT_COLUMNS = [
    "_row", "visit_id", "urn", "role", "visitor", "status", "mode", "visit_start", "visit_end", "days",
    "learning_walk", "paperwork_received", "report_sent", "purpose", "activities", "outcomes",
    "recommendations", "recommended_designation",
]


def visit(visit_id: str, urn: int, start: str, *, end: str | None = None, role: str = "SIP", status: str = "Held",
          mode: str = "On-site", learning_walk: bool | None = True, paperwork: str | None = None,
          report: str | None = None, days: float | None = None) -> dict:
    return {
        "visit_id": visit_id, "urn": urn, "role": role, "visitor": "A Partner", "status": status, "mode": mode,
        "visit_start": ts(start), "visit_end": ts(end or start), "days": float("nan") if days is None else days,
        "learning_walk": learning_walk, "paperwork_received": ts(paperwork), "report_sent": ts(report),
        "purpose": None, "activities": None, "outcomes": None, "recommendations": None, "recommended_designation": None,
    }


def visits(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{"_row": i + 2, **r} for i, r in enumerate(rows)], columns=VISIT_COLUMNS)


def meetings(rows: list[tuple[str, int | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"_row": i + 2, "meeting_type": t, "urn": u, "date": ts(d), "notes": None} for i, (t, u, d) in enumerate(rows)],
        columns=["_row", "meeting_type", "urn", "date", "notes"],
    )


def tracker(policy: Policy | None = None, **tables: pd.DataFrame) -> Tracker:
    tables.setdefault("term_dates", term_dates())
    return Tracker(dict(tables), policy=policy or default_policy())
