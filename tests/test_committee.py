"""Worked examples for the committee data rules (toolkit.reports.committee), on tiny explicit trackers."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit.calendar.terms import Term
from toolkit.reports import committee
from toolkit.reports.html import SUPPRESSED
from toolkit.tracker.model import Tracker
from toolkit.tracker.schema import sheet

D = dt.date
T = pd.Timestamp
AUTUMN = Term.parse("2026/27 Autumn")


def _table(key: str, rows: list[dict]) -> pd.DataFrame:
    cols = sheet(key).keys
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def _tracker(**tables: list[dict]) -> Tracker:
    base = {
        "schools": [
            {"urn": 100001, "name": "Alpha Primary", "phase": "Primary", "membership": "Member"},
            {"urn": 100002, "name": "Beta Academy", "phase": "Secondary", "membership": "Member"},
        ],
        "term_dates": [
            {
                "academic_year": "2026/27",
                "half_term": "Autumn 1",
                "start": T("2026-09-02"),
                "end": T("2026-10-23"),
            },
            {
                "academic_year": "2026/27",
                "half_term": "Autumn 2",
                "start": T("2026-11-02"),
                "end": T("2026-12-18"),
            },
        ],
    }
    base.update(tables)
    return Tracker({k: _table(k, v) for k, v in base.items()})


def test_suppress_small_groups_never_zero():
    # policy minimum 6 (DOMAIN.md decision): 5 pupils is suppressed, 6 is shown
    assert committee.suppress_small(0.0, 5, 6) == SUPPRESSED
    assert committee.suppress_small(40.0, 6, 6) == 40.0
    assert committee.suppress_small(40.0, None, 6) == SUPPRESSED  # cohort withheld
    assert (
        committee.suppress_small(float("nan"), 30, 6) is None
    )  # no figure is not a suppressed figure


def test_term_window_from_term_dates_and_fallback():
    t = _tracker()
    assert committee.term_window(t, AUTUMN) == (D(2026, 9, 2), D(2026, 12, 18))
    # no Spring dates recorded: the calendar months January to April
    assert committee.term_window(t, "2026/27 Spring") == (D(2027, 1, 1), D(2027, 4, 30))


def test_meeting_for_is_the_next_in_term_else_the_latest_held():
    t = _tracker(
        meetings=[
            {"meeting_type": "Progress Board", "urn": 100001, "date": T("2026-09-20")},
            {"meeting_type": "Progress Board", "urn": 100001, "date": T("2026-11-10")},
            {"meeting_type": "Progress Board", "urn": 100002, "date": T("2026-11-30")},
            {
                "meeting_type": "Progress Board",
                "urn": 100001,
                "date": T("2027-01-15"),
            },  # Spring: not this term
            {"meeting_type": "EIT", "urn": None, "date": T("2026-09-28")},
        ]
    )
    pb = committee.PROGRESS_BOARD
    assert committee.meeting_for(t, AUTUMN, pb, D(2026, 11, 1), 100001) == D(2026, 11, 10)
    assert committee.meeting_for(t, AUTUMN, pb, D(2026, 11, 23), 100001) == D(
        2026, 11, 10
    )  # none left: latest held
    assert committee.meeting_for(t, AUTUMN, pb, D(2026, 11, 23), 100002) == D(2026, 11, 30)
    assert committee.meeting_for(t, AUTUMN, "Standards Committee", D(2026, 11, 23)) is None
    assert committee.previous_meeting(t, pb, D(2026, 11, 10), 100001) == D(2026, 9, 20)
    assert committee.previous_meeting(t, "EIT", D(2026, 9, 28)) is None


def test_sdp_counts_by_rag_and_actions_needing_attention():
    rows = [
        {
            "urn": 100001,
            "academic_year": "2026/27",
            "priority": "P1",
            "action": "A red",
            "rag": "Red",
            "due_date": T("2027-03-01"),
        },
        {
            "urn": 100001,
            "academic_year": "2026/27",
            "priority": "P1",
            "action": "A green overdue",
            "rag": "Green",
            "due_date": T("2026-10-01"),
        },
        {
            "urn": 100001,
            "academic_year": "2026/27",
            "priority": "P2",
            "action": "A complete overdue",
            "rag": "Complete",
            "due_date": T("2026-10-01"),
        },
        {
            "urn": 100001,
            "academic_year": "2026/27",
            "priority": "P2",
            "action": "A green",
            "rag": "Green",
            "due_date": T("2027-06-01"),
        },
        {
            "urn": 100002,
            "academic_year": "2026/27",
            "priority": "P9",
            "action": "Other school",
            "rag": "Red",
            "due_date": T("2027-01-01"),
        },
        {
            "urn": 100001,
            "academic_year": "2025/26",
            "priority": "P0",
            "action": "Last year",
            "rag": "Red",
            "due_date": T("2026-01-01"),
        },
    ]
    counts, attention = committee.pb_sdp(
        _tracker(sdp_actions=rows), 100001, AUTUMN, D(2026, 11, 23)
    )
    assert dict(zip(counts["RAG"], counts["Actions"], strict=True)) == {
        "Red": 1,
        "Amber": 0,
        "Green": 2,
        "Complete": 1,
    }
    # Red first; a Green action past its due date needs attention; a Complete one does not
    assert list(attention["Action"]) == ["A red", "A green overdue"]
    assert list(attention["Overdue"]) == ["", "Yes"]


def _visit(vid: str, urn: int, start: str, **kw) -> dict:
    return {
        "visit_id": vid,
        "urn": urn,
        "role": kw.get("role", "SIP"),
        "status": kw.get("status", "Held"),
        "visit_start": T(start),
        "visit_end": T(kw.get("end", start)),
        "visitor": "Pat",
        "recommendations": kw.get("rec"),
        "recommended_designation": kw.get("recommended"),
    }


def test_visits_between_counts_visits_after_since_up_to_until_and_only_held():
    t = _tracker(
        visits=[
            _visit("V1", 100001, "2026-09-20"),  # on the previous meeting's day: already reported
            _visit("V2", 100001, "2026-09-21"),
            _visit("V3", 100001, "2026-11-09", end="2026-11-10"),  # ends on the meeting day: in
            _visit("V4", 100001, "2026-11-11"),  # after: next meeting
            _visit("V5", 100001, "2026-10-01", status="Planned"),
            _visit("V6", 100002, "2026-10-01"),
        ]
    )
    got = committee.visits_between(t, 100001, D(2026, 9, 20), D(2026, 11, 10))
    assert list(got["visit_id"]) == ["V2", "V3"]
    assert list(committee.visits_between(t, None, D(2026, 9, 20), D(2026, 11, 10))["visit_id"]) == [
        "V2",
        "V6",
        "V3",
    ]


def test_recommendation_differs_from_the_designation_in_force():
    t = _tracker(
        visits=[
            _visit("V1", 100001, "2026-10-05", recommended="Improve"),
            _visit("V2", 100002, "2026-10-06", recommended="Repair"),
            _visit("V3", 100002, "2026-10-07", recommended=None),
            _visit(
                "V4", 100001, "2026-10-08", role="SIA", recommended="Stabilise"
            ),  # SIP reports only
        ]
    )
    window = committee.EitWindow(
        meeting=D(2026, 11, 20), previous=D(2026, 9, 28), until=D(2026, 11, 20)
    )
    got = committee.recommendation_differs(t, window, {100001: "Improve", 100002: "Improve"})
    assert list(got["Visit"]) == ["V2"]
    assert got.iloc[0][["Recommended", "Current"]].tolist() == ["Repair", "Improve"]


def test_school_view_keeps_the_school_and_trust_wide_rows():
    t = _tracker(
        closures=[
            {"urn": None, "date": T("2026-09-01")},
            {"urn": 100002, "date": T("2026-10-01")},
            {"urn": 100001, "date": T("2026-10-02")},
        ],
    )
    v = committee.school_view(t, 100001)
    assert list(v.schools["urn"]) == [100001]
    assert sorted(str(d.date()) for d in v.closures["date"]) == ["2026-09-01", "2026-10-02"]
    assert len(v.term_dates) == 2  # no URN column: kept whole
    assert len(t.schools) == 2  # the original is untouched


def test_standards_outcomes_suppress_a_small_school_figure():
    outcomes = [
        {
            "urn": 100001,
            "academic_year": "2025/26",
            "measure": "RWM expected standard %",
            "pupil_group": "All pupils",
            "cohort": 5,
            "value": 0.0,
        },
        {
            "urn": 100002,
            "academic_year": "2025/26",
            "measure": "Progress 8",
            "pupil_group": "All pupils",
            "cohort": 150,
            "value": -0.2,
        },
    ]
    benchmarks = [
        {
            "academic_year": "2025/26",
            "phase": "Primary",
            "measure": "RWM expected standard %",
            "pupil_group": "All pupils",
            "value": 61.0,
        },
        {
            "academic_year": "2025/26",
            "phase": "Secondary",
            "measure": "Progress 8",
            "pupil_group": "All pupils",
            "value": 0.0,
        },
    ]
    got = committee.standards_outcomes(_tracker(outcomes=outcomes, benchmarks=benchmarks), AUTUMN)
    alpha = got.loc[got["School"] == "Alpha Primary"].iloc[0]
    assert alpha["School value"] == SUPPRESSED and pd.isna(
        alpha["Gap to national"]
    )  # 5 pupils: never 0
    beta = got.loc[got["School"] == "Beta Academy"].iloc[0]
    assert (
        beta["School value"] == -0.2
        and beta["National"] == 0.0
        and round(beta["Gap to national"], 2) == -0.2
    )


def test_lsip_finds_the_planted_recommendation_that_differs(sample_tracker):
    """Sample spec: visit V0087 (Millbrook, 24 Mar 2026) recommends Improve while Millbrook is
    Repair in 2025/26 Spring; the LSIP summary for the March 2026 EIT must list it."""
    from toolkit.assessment.designation import assess_trust

    term = Term.parse("2025/26 Spring")
    window = committee.lsip_window(sample_tracker, term, D(2026, 3, 27))
    assert (window.previous, window.meeting) == (D(2026, 1, 30), D(2026, 3, 27))
    current = {a.urn: a.designation for a in assess_trust(sample_tracker, term)}
    got = committee.recommendation_differs(sample_tracker, window, current)
    row = got.loc[got["Visit"] == "V0087"]
    assert (
        len(row) == 1
        and row.iloc[0]["Recommended"] == "Improve"
        and row.iloc[0]["Current"] == "Repair"
    )


def test_risk_chart_has_a_text_alternative_with_every_count():
    risk = pd.DataFrame(
        {"Designation": ["Stabilise", "Repair", "Improve", "Sustain"],
         "Risk": ["High risk", "High risk", "Some risk", "Low risk"],
         "Schools": [1, 2, 4, 3]}
    )  # fmt: skip
    chart = committee.risk_chart(risk, Term.parse("2026/27 Autumn"))
    assert chart.png.startswith(b"\x89PNG")
    assert "Stabilise (High risk): 1" in chart.alt and "Sustain (Low risk): 3" in chart.alt
    html = chart._repr_html_()
    assert 'alt="Number of schools by designation' in html and "<table" in html
