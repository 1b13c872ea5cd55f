"""The interactive review: what-if with a hypothetical inspection, the line saying why the
proposal did or did not move, the app's URL parameters, and the widget panel driven as a
user would (pickers, Reset, Compare, school switch re-rendering every section)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.test_designation import POLICY, URN, assessment, build
from toolkit.assessment import ofsted
from toolkit.assessment.designation import assess_school, what_if, why_proposal

TERM = "2026/27 Autumn"


@pytest.fixture(autouse=True)
def close_widgets():
    """Close the widgets a test made (outside a kernel they would otherwise be closed at
    interpreter exit, when ipykernel can no longer be imported, and print noise)."""
    yield
    import ipywidgets

    ipywidgets.Widget.close_all()
DAY = dt.date(2026, 12, 1)
URGENT = [{"urn": URN, "inspection_date": pd.Timestamp("2026-02-03"), "leadership_and_governance": "Urgent improvement", "safeguarding": "Met"}]


def concern_school():
    """Reviewer judged every indicator Sustain, but a report card of 3 Feb 2026 found Urgent
    improvement in Leadership and governance: the proposal is Stabilise whatever else holds."""
    return build([assessment(TERM, ["Sustain"] * 7)], ofsted_report_cards=URGENT)


# ----------------------------------------------------------------------------- hypothetical inspections


def test_hypothetical_report_card_puts_the_grade_in_one_area_and_expected_elsewhere():
    card = ofsted.hypothetical(ofsted.REPORT_CARD, "Needs attention", DAY, area="Achievement")
    assert card.areas["Achievement"] == "Needs attention"
    assert card.areas["Leadership and governance"] == "Expected standard"
    assert "Early years" not in card.areas and card.safeguarding == "Met"
    # one Needs attention -> Improve for QI1 (two would be Repair)
    assert ofsted.qi1_step(POLICY, card)[0] == "Improve"
    with pytest.raises(ValueError, match="not a report-card area"):
        ofsted.hypothetical(ofsted.REPORT_CARD, "Needs attention", DAY, area="Ethos")
    with pytest.raises(ValueError, match="Unknown inspection framework"):
        ofsted.hypothetical("section 8", "Good", DAY)


def test_whatif_inspection_lifts_the_category_of_concern_and_sets_qi1():
    t = concern_school()
    recorded = assess_school(t, URN, TERM)
    assert recorded.proposed == "Stabilise" and recorded.limiting
    # All seven at Sustain changes nothing: the limiting judgement holds, and the line says so.
    same = what_if(t, URN, TERM, {f"qi{i}": "Sustain" for i in range(1, 8)})
    assert same.proposed == "Stabilise"
    assert why_proposal(recorded, same) == (
        "Stabilise stays: the Ofsted category of concern limits the proposal "
        "(Ofsted Urgent improvement in Leadership and governance, 3 Feb 2026)"
    )
    # A new report card with Leadership and governance at Expected standard lifts it.
    card = ofsted.hypothetical(ofsted.REPORT_CARD, "Expected standard", DAY)
    lifted = what_if(t, URN, TERM, {}, card)
    assert lifted.limiting == () and lifted.proposed == "Sustain"
    qi1 = lifted.judgement("qi1")
    assert (qi1.judgement, qi1.source) == ("Sustain", "what-if")
    assert qi1.reason.startswith("what-if: inspection Ofsted report card 1 Dec 2026: every area Expected standard or better")
    assert lifted.inspection["inspection_type"] == "What-if"
    assert why_proposal(recorded, lifted).startswith("Stabilise -> Sustain: with no Ofsted category of concern the proposal is the best fit")
    # The recorded assessment is untouched (the what-if does not leak into the cache).
    assert assess_school(t, URN, TERM).proposed == "Stabilise"
    assert what_if(t, URN, TERM, {}).proposed == "Stabilise"


def test_whatif_legacy_inadequate_or_safeguarding_not_met_limits_a_good_school():
    t = build([assessment(TERM, ["Sustain"] * 7)])
    recorded = assess_school(t, URN, TERM)
    assert recorded.proposed == "Sustain"
    bad = what_if(t, URN, TERM, {}, ofsted.hypothetical(ofsted.LEGACY, "Inadequate", DAY))
    assert bad.proposed == "Stabilise" and bad.limiting == ("Ofsted Inadequate overall effectiveness, 1 Dec 2026",)
    assert why_proposal(recorded, bad).startswith("Sustain -> Stabilise: the Ofsted category of concern limits the proposal")
    unsafe = what_if(t, URN, TERM, {}, ofsted.hypothetical(ofsted.LEGACY, "Good", DAY, safeguarding="Not met"))
    assert unsafe.limiting == ("Ofsted safeguarding not effective, 1 Dec 2026",)
    # A QI1 override wins over the inspection's step; the limiting judgement still applies.
    both = what_if(t, URN, TERM, {"qi1": "Improve"}, ofsted.hypothetical(ofsted.LEGACY, "Good", DAY))
    assert both.judgement("qi1").judgement == "Improve" and both.proposed == "Sustain"


def test_why_proposal_names_the_cap_and_the_exit_rule():
    t = build([assessment(TERM, ["Sustain"] * 7)])
    recorded = assess_school(t, URN, TERM)
    capped = what_if(t, URN, TERM, {"qi6": "Stabilise"})
    assert why_proposal(recorded, capped) == "Sustain -> Repair: no more than 1 step(s) above the worst indicator (Stabilise: Climate), so Repair"
    moved = what_if(t, URN, TERM, {f"qi{i}": "Improve" for i in range(1, 5)})
    assert why_proposal(recorded, moved) == "Sustain -> Improve: best fit of 7 judged indicators (Improve x4, Sustain x3) is Improve"
    assert why_proposal(recorded, what_if(t, URN, TERM, {})).startswith("Sustain stays: as recorded (best fit")
    # Agreed Repair last term; Improve this term is only 1 of the 2 terms needed to leave High risk.
    rows = [assessment("2025/26 Summer", ["Repair"] * 7, agreed="Repair"), assessment(TERM, ["Repair"] * 7)]
    t = build(rows)
    held = what_if(t, URN, TERM, {f"qi{i}": "Improve" for i in range(1, 8)})
    assert held.proposed == "Repair"
    assert why_proposal(assess_school(t, URN, TERM), held).startswith("Repair stays: the rule for leaving High risk holds it (exit from High risk")


# ----------------------------------------------------------------------------- the app's parameters


def test_app_parameters_come_from_the_query_and_only_named_ones():
    from toolkit.reports.interactive import app_parameters

    got = app_parameters("urn=900001&term=2025%2F26+Spring&tracker_path=/etc/passwd", urn=900006, term="2026/27 Autumn")
    assert got == {"urn": 900001, "term": "2025/26 Spring"}
    assert app_parameters("", urn=900006, term="2026/27 Autumn") == {"urn": 900006, "term": "2026/27 Autumn"}
    # a non-number URN stays text, so the app can say it is unknown rather than crash
    assert app_parameters("urn=abc", urn=900006)["urn"] == "abc"


def test_review_app_says_plainly_when_the_link_names_an_unknown_school(monkeypatch):
    from toolkit.reports.interactive import review_app

    sample = "inputs/sample_tracker.xlsx"
    bad = review_app(sample, 900006, "2026/27 Autumn", query="urn=123")
    assert "URN 123 from the link is not in the Schools sheet of sample_tracker.xlsx" in bad.value
    monkeypatch.setenv("QUERY_STRING", "urn=900001")
    app = review_app(sample, 900006, "2026/27 Autumn")
    assert app.pickers["school"].value == 900001 and "Brookside Primary School" in app.whole.value


# ----------------------------------------------------------------------------- the widget, driven as a user would


def two_schools():
    from tests.test_designation import Tracker

    other = 900301
    schools = pd.DataFrame([
        {"urn": URN, "name": "Alpha Academy", "phase": "Secondary", "membership": "Member"},
        {"urn": other, "name": "Beta <Primary> School", "phase": "Primary", "membership": "Member"},
    ])
    rows = [assessment(TERM, ["Sustain"] * 7), assessment(TERM, ["Repair"] * 7, urn=other)]
    return Tracker({"schools": schools, "assessments": pd.DataFrame(rows), "ofsted_report_cards": pd.DataFrame(URGENT)}), other


def test_school_switch_re_renders_every_section_and_resets_the_what_if():
    from toolkit.reports.interactive import KEEP, SECTIONS, interactive_review

    t, other = two_schools()
    box = interactive_review(t, URN, TERM)
    first = box.whole.value
    assert "<h1>Designation review: Alpha Academy</h1>" in first
    for key, title, _ in SECTIONS:
        assert f'data-section="{key}"' in first and title in first
    box.pickers["qi6"].value = "Stabilise"
    box.pickers["school"].value = other
    second = box.whole.value
    assert "<h1>Designation review: Beta &lt;Primary&gt; School</h1>" in second and "Alpha Academy" not in second
    assert box.pickers["qi6"].value == KEEP
    assert box.pickers["qi6"].options[0] == ("as recorded: Repair", KEEP)
    assert box.latest_what_if().urn == other
    # each section's body changed with the school, not only the header
    for key, _, _ in SECTIONS:
        a = first.split(f'data-section="{key}"')[1].split("</section>")[0]
        b = second.split(f'data-section="{key}"')[1].split("</section>")[0]
        assert a != b or key in ("visits", "outcomes", "attendance"), key  # no visits/outcomes/attendance for either


def test_what_if_panel_inspection_reset_and_compare():
    from toolkit.reports.interactive import KEEP, interactive_review

    box = interactive_review(concern_school(), URN, TERM, whole_review=False)
    assert box.whole.value == ""
    card = box.result.value
    assert "Proposal: Stabilise" in card and "Stabilise stays: the Ofsted category of concern limits the proposal" in card
    # a new report card, every area at Expected standard: the limit lifts, QI1 follows it
    box.pickers["inspection"].value = ofsted.REPORT_CARD
    assert not box.pickers["grade"].disabled and not box.pickers["area"].disabled
    card = box.result.value
    assert "Proposal: Sustain" in card and "category of concern limits" not in card
    assert "Stabilise -&gt; Sustain: with no Ofsted category of concern" in card
    # Urgent improvement in the chosen area brings the limit back
    box.pickers["grade"].value = "Urgent improvement"
    assert "Proposal: Stabilise" in box.result.value and "Ofsted Urgent improvement in Leadership and governance, 31 Dec 2026" in box.result.value
    # legacy Good but safeguarding not effective also limits
    box.pickers["inspection"].value = ofsted.LEGACY
    assert box.pickers["area"].disabled and box.pickers["grade"].value == "Good"
    assert "Proposal: Sustain" in box.result.value
    box.pickers["safeguarding"].value = "Not met"
    assert "safeguarding not effective" in box.result.value
    # Compare shows recorded and what-if side by side
    box.pickers["qi6"].value = "Improve"
    box.pickers["compare"].value = True
    compared = box.result.value
    assert '<table data-key="compare">' in compared and "<th scope=\"col\">Recorded</th>" in compared
    # Reset: back to the recorded judgements and inspection
    box.reset.click()
    assert box.pickers["qi6"].value == KEEP and box.pickers["inspection"].value == ""
    assert box.pickers["grade"].disabled
    assert box.latest_what_if().overrides == {} and box.latest_what_if().proposed == "Stabilise"
    assert "none yet: the recorded judgements" in box.result.value


def test_other_schools_are_rendered_in_the_background_and_reused():
    import time

    from toolkit.reports.interactive import full_review, interactive_review
    from toolkit.reports.review import review_for

    t, other = two_schools()
    box = interactive_review(t, URN, TERM)
    deadline = time.monotonic() + 30
    while (other, TERM) not in box.rendered and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(box.rendered) == {(URN, TERM), (other, TERM)}
    # the kept page is the same page a fresh render gives, and the switch shows it
    assert box.rendered[(other, TERM)] == full_review(review_for(t, other, TERM))
    box.pickers["school"].value = other
    assert box.whole.value == box.rendered[(other, TERM)]
