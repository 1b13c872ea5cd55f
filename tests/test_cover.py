"""Cover sheets, worked on the sample trust (2026/27 Autumn, as of Mon 23 Nov 2026): the
key messages a committee member reads first, generated from the data, each linked to the
section that shows it; the one table of human labels; the overview's marks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from toolkit.assessment.designation import assess_trust
from toolkit.assessment.support import capacity_check, trust_support
from toolkit.calendar.terms import Term
from toolkit.reports import committee, cover, overview
from toolkit.reports.labels import days_phrase, label

AUTUMN = Term.parse("2026/27 Autumn")
AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def trust(sample_tracker):
    assessments = assess_trust(sample_tracker, AUTUMN)
    support = trust_support(sample_tracker, AUTUMN, assessments)
    findings = committee.recent_findings(sample_tracker, AS_OF)
    return sample_tracker, assessments, support, findings


def test_standards_cover_says_who_is_at_risk_and_why_what_is_late_and_what_is_asked(trust):
    t, assessments, support, findings = trust
    meeting = committee.meeting_for(t, AUTUMN, committee.STANDARDS, AS_OF)
    c = cover.standards_cover(
        t, assessments, support, findings, meeting,
        capacity=capacity_check(t.policy, support),
        attendance=committee.standards_attendance(t, AUTUMN),
    )  # fmt: skip
    texts = [m.text for m in c.messages]
    # Sample spec: Castle Hill is Stabilise (Ofsted Urgent improvement, 3 Feb 2026),
    # St Aldhelm's is Repair (best fit); worst designation first.
    assert texts[0] == (
        "2 schools at High risk: Castle Hill Academy (Stabilise), St Aldhelm's CofE Primary School (Repair)."
    )
    assert "Castle Hill Academy: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026." in texts
    assert "No school changed designation since 2025/26 Summer." in texts
    # three late reports in the 12-month look-back (V0035 Hollins Lane, V0074 Castle Hill,
    # V0122 Millbrook) and Westbury's V0120 never sent
    assert (
        "3 visit reports late (Castle Hill Academy, Hollins Lane Primary School and Millbrook Academy); "
        "1 visit report not sent (Westbury All-Through Academy)." in texts
    )
    assert "SIA support under-delivered at Castle Hill Academy." in texts
    # each message links to its section: the school's own page, the compliance section ...
    anchors = {m.text: m.anchor for m in c.messages}
    castle = next(a for a in assessments if a.name == "Castle Hill Academy")
    assert anchors["Castle Hill Academy: Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026."] == f"school-{castle.urn}"
    assert anchors["SIA support under-delivered at Castle Hill Academy."] == "Support-deployed-against-the-package-and-capacity"
    assert c.purpose == "For information and assurance" and c.date == meeting
    assert any("late and missing visit reports" in a for a in c.asks)
    assert c.risks[0].startswith("Castle Hill Academy is Stabilise (High risk)")
    html = c._repr_html_()
    assert 'href="#Compliance-with-the-calendar"' in html and "St Aldhelm&#x27;s" in html


def test_a_trust_with_nothing_late_or_at_risk_says_so(trust):
    t, assessments, support, findings = trust
    calm = [a for a in assessments if a.risk == "Low risk"]
    c = cover.standards_cover(t, calm, support.iloc[0:0], findings.iloc[0:0], None)
    texts = [m.text for m in c.messages]
    assert texts[0] == "No school is at High risk."
    assert "No visit report is late or missing." in texts
    assert not any("seek assurance" in a for a in c.asks)
    assert "no meeting date recorded" in c.meeting_line


def test_lsip_cover_asks_eit_to_decide_where_a_sip_recommends_a_change(sample_tracker):
    """Sample spec: V0087 (Millbrook, 24 Mar 2026) recommends Improve while Millbrook is Repair."""
    term = Term.parse("2025/26 Spring")
    as_of = dt.date(2026, 3, 27)
    assessments = assess_trust(sample_tracker, term)
    window = committee.lsip_window(sample_tracker, term, as_of)
    reports = committee.lsip_reports(sample_tracker, window)
    differs = committee.recommendation_differs(sample_tracker, window, {a.urn: a.designation for a in assessments})
    c = cover.lsip_cover(sample_tracker, assessments, window, reports, differs, committee.recent_findings(sample_tracker, as_of))
    assert c.purpose == "For decision"
    assert any(m.text.startswith("A SIP recommends a different designation at Millbrook Academy (Improve, in force Repair)") for m in c.messages)
    assert c.asks[0].startswith("decide the designation")


def test_labels_are_words_and_allocations_are_written_as_set():
    assert label("late_report") == "Visit report sent late"
    assert label("sip_days_under") == "SIP days below allocation"
    assert label("down") == "declined"
    assert label("brand_new_code") == "brand new code"  # never snake_case on a page
    assert days_phrase(10, "year") == "10 a year" and days_phrase(20, "term") == "20 a term"


def test_support_table_writes_the_package_as_the_strategy_sets_it(trust):
    _, _, support, _ = trust
    shown = committee.support_table(support).set_index("School")
    assert shown.loc["Castle Hill Academy", "SIA package"] == "20 a term"
    assert shown.loc["Ridgeway High School and Sixth Form", "SIA package"] == "10 a year"  # not 3.33
    assert "Flags" not in committee.support_table(support, flags=False)


@pytest.mark.parametrize(
    ("value", "national", "measure", "mark"),
    [
        (54.0, 63.0, "RWM expected standard %", "below"),
        (0.21, 0.0, "Progress 8", "above"),
        (65.0, 65.0, "English and maths 4+ %", "in line"),
        (12.0, 14.0, "Persistent absence %", "above"),  # lower is better
        ("suppressed", 63.0, "RWM expected standard %", ""),
        (None, 63.0, "RWM expected standard %", ""),
    ],
)
def test_mark_against_national(value, national, measure, mark):
    assert overview.mark_against_national(value, national, measure) == mark


def test_mark_follows_the_significance_judgement_when_there_is_one(sample_tracker):
    from toolkit.assessment import significance as sig

    policy = sample_tracker.policy
    # 55% of 30 pupils against 63% national: the interval includes national, so in line
    small = sig.percent_comparison(policy, "RWM expected standard %", 55.0, 63.0, 30)
    assert overview.mark_against_national(55.0, 63.0, "RWM expected standard %", small) == "in line"
    # the same gap for 900 pupils is below
    large = sig.percent_comparison(policy, "RWM expected standard %", 55.0, 63.0, 900)
    assert overview.mark_against_national(55.0, 63.0, "RWM expected standard %", large) == "below"
    untested = sig.percent_comparison(policy, "RWM expected standard %", 55.0, 63.0, None)
    assert overview.mark_against_national(55.0, 63.0, "RWM expected standard %", untested) == ""


def test_one_precision_per_column():
    from toolkit.reports.html import column_precision, table

    assert column_precision([2.1, 0.0, 1.8]) == 2
    assert column_precision([95.7, 12.0]) == 1
    assert column_precision([3, 4]) == 0
    out = str(table(pd.DataFrame({"School": ["A", "B", "C"], "Gap": [2.1, 0.0, 1.8]})))
    assert ">2.10<" in out and ">0.00<" in out and ">1.80<" in out


def test_what_moved_names_each_school_and_its_step(trust):
    from dataclasses import replace

    _, assessments, _, _ = trust
    millbrook = next(a for a in assessments if a.name == "Millbrook Academy")
    oakfield = next(a for a in assessments if a.name == "Oakfield School")
    moved = [
        replace(millbrook, movement="down", previous_designation="Sustain"),
        replace(oakfield, movement="up", previous_designation="Improve"),
    ]
    texts = [m.text for m in cover.movement_messages(moved, "designations")]
    assert texts == [
        "1 moved down: Millbrook Academy (Sustain to Improve).",
        "1 moved up: Oakfield School (Improve to Sustain).",
    ]


def test_support_flags_are_listed_as_sentences(trust):
    _, _, support, _ = trust
    castle = support.loc[support["name"] == "Castle Hill Academy"]
    assert committee.support_flag_list(castle) == [
        "under-delivery: SIA days used 6 of 20 planned in 2026/27 Autumn (below 50%)"
    ]
    assert committee.support_flag_list(support.loc[support["name"] == "Oakfield School"]) == []
