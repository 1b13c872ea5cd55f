"""Writing the Appendix D visit report forms: what each form is prefilled with, how it is
protected, the hidden reference, and the committed blank template and sample forms.

Forms are read back here with openpyxl (not the collector's calamine reader), so a test
of the writer does not lean on the code it feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from toolkit.visits import (
    FORM_VERSION,
    collect_forms,
    plan_forms,
    read_form,
    write_form,
    write_forms,
)
from toolkit.visits.forms import form_bytes, scheduled_reference
from toolkit.visits.layout import ANSWER_BY_KEY, ANSWERS, FORM_SHEET, META_SHEET, PREFILLED
from toolkit.visits.sample import LATE_BY, RENAMED_TO, sample_forms

ROOT = Path(__file__).resolve().parents[1]
BLANK = ROOT / "templates" / "visit_report_form.xlsx"
SAMPLE_FORMS = ROOT / "inputs" / "visit_forms"
AUTUMN_2 = (dt.date(2026, 11, 2), dt.date(2026, 12, 18))


@pytest.fixture(scope="module")
def autumn2(sample_tracker):
    return plan_forms(sample_tracker, *AUTUMN_2)


def _cells(path: Path) -> tuple[dict[str, object], dict[str, object], openpyxl.Workbook]:
    wb = openpyxl.load_workbook(path)
    ws = wb[FORM_SHEET]
    values = {f.key: ws[f.cell].value for f in (*PREFILLED, *ANSWERS)}
    meta = {r[0].value: r[1].value for r in wb[META_SHEET].iter_rows(max_col=2)}
    return values, meta, wb


def test_one_form_per_recorded_visit_in_the_range(sample_tracker, autumn2):
    v = sample_tracker.visits
    starts = v["visit_start"]
    expected = v[(starts >= "2026-11-02") & (starts <= "2026-12-18") & (v["status"] != "Cancelled")]["visit_id"]
    recorded = [f.reference for f in autumn2 if f.kind == "recorded"]
    assert sorted(recorded) == sorted(expected)
    assert len(recorded) == 13  # V0145..V0157: the sample's visits up to 20 November


def test_scheduled_minimum_visits_get_a_form_with_their_own_reference(sample_tracker):
    """January is a minimum-visit month; the sample books no January visits yet, so every
    school gets a scheduled SIP form named by school and month, with its SIP as visitor."""
    forms = plan_forms(sample_tracker, dt.date(2027, 1, 4), dt.date(2027, 1, 29))
    scheduled = [f for f in forms if f.kind == "scheduled"]
    schools = sample_tracker.schools
    assert sorted(f.urn for f in scheduled) == sorted(schools["urn"])
    sips = dict(zip(schools["urn"], schools["sip"], strict=True))
    for f in scheduled:
        assert f.reference == f"SIP-{f.urn}-2027-01" == scheduled_reference(f.urn, f.start)
        assert f.role == "SIP" and f.visitor == sips[f.urn]
        assert f.start.month == 1 and np.is_busday(f.start)


def test_prefill_of_a_recorded_sip_visit(sample_tracker, autumn2, tmp_path):
    """V0146: Ridgeway's November SIP visit on Thu 5 Nov 2026."""
    form = next(f for f in autumn2 if f.reference == "V0146")
    path = write_form(tmp_path / "f.xlsx", form)
    values, meta, _ = _cells(path)
    assert values["school"] == "Ridgeway High School and Sixth Form"
    assert values["urn"] == 900005
    assert values["designation"] == "Improve"  # the agreed designation in force (2026/27 Autumn)
    assert values["role"] == "SIP" and values["reference"] == "V0146"
    assert values["visitor"] == "Daniel Varley"
    assert values["visit_start"].date() == dt.date(2026, 11, 5)
    # 5 working days before Thu 5 Nov is Thu 29 Oct; 3 after is Tue 10 Nov (Mon 2..Wed 4, Fri 30
    # are the other four; Fri 6, Mon 9, Tue 10 the three).
    assert values["paperwork_due"].date() == dt.date(2026, 10, 29)
    assert values["report_due"].startswith("Tue 10 Nov 2026, by email to Deputy CEO, LSIP")
    assert "November" in values["agenda"] and "Headteacher's appraisal" in values["agenda"]
    sdp = sample_tracker.sdp_actions
    open_priorities = set(sdp[(sdp["urn"] == 900005) & (sdp["academic_year"] == "2026/27") & sdp["rag"].isin(["Red", "Amber"])]["priority"])
    assert open_priorities and all(p in values["agenda"] for p in open_priorities)
    v = sample_tracker.visits
    previous = v[(v["urn"] == 900005) & (v["visit_start"] < "2026-11-05") & (v["status"] == "Held")].sort_values("visit_start").iloc[-1]
    assert previous["visit_id"] in values["previous"] and previous["recommendations"] in values["previous"]
    assert values["purpose"] == v.loc[v["visit_id"] == "V0146", "purpose"].iloc[0]
    for key in ("activities", "outcomes", "recommendations", "recommended_designation", "report_sent"):
        assert values[key] is None, f"{key} is the visitor's to complete"
    assert meta["reference"] == "V0146" and meta["version"] == FORM_VERSION and meta["urn"] == 900005


def test_non_sip_roles_have_no_paperwork_deadline(autumn2, tmp_path):
    form = next(f for f in autumn2 if f.reference == "V0145")  # SIA
    values, _, _ = _cells(write_form(tmp_path / "f.xlsx", form))
    assert form.role == "SIA" and values["paperwork_due"] is None
    assert values["report_due"].startswith("Thu 5 Nov 2026, by email to Deputy CEO")


def test_prefilled_cells_are_locked_answers_open_with_dropdowns(autumn2, tmp_path):
    _, _, wb = _cells(write_form(tmp_path / "f.xlsx", autumn2[0]))
    ws = wb[FORM_SHEET]
    assert ws.protection.sheet
    assert all(ws[f.cell].protection.locked for f in PREFILLED)
    assert not any(ws[f.cell].protection.locked for f in ANSWERS)
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists[ANSWER_BY_KEY["recommended_designation"].cell] == '"Stabilise,Repair,Improve,Sustain"'
    assert lists[ANSWER_BY_KEY["mode"].cell] == '"On-site,Remote"'
    dates = {str(dv.sqref) for dv in ws.data_validations.dataValidation if dv.type == "date"}
    assert dates == {ANSWER_BY_KEY[k].cell for k in ("visit_start", "visit_end", "report_sent")}
    assert ws[ANSWER_BY_KEY["outcomes"].cell].alignment.wrap_text
    assert wb[META_SHEET].sheet_state == "hidden"


def test_hidden_reference_survives_a_rename(sample_tracker, autumn2, tmp_path):
    form = next(f for f in autumn2 if f.reference == "V0151")
    answers = {"purpose": "P", "activities": "A", "outcomes": "O", "recommendations": "R",
               "recommended_designation": "Sustain", "report_sent": dt.date(2026, 11, 12)}
    folder = tmp_path / "in"
    folder.mkdir()
    write_form(folder / "my report (final) FINAL.xlsx", form, answers)
    assert read_form(folder / "my report (final) FINAL.xlsx").reference == "V0151"
    got = collect_forms(folder, sample_tracker)
    assert got.ok and list(got.rows["visit_id"]) == ["V0151"]


def test_forms_already_in_the_folder_are_kept(autumn2, tmp_path):
    first = write_forms(autumn2[:2], tmp_path)
    started = first.written[0]
    started.write_bytes(b"a visitor's half-finished form")
    again = write_forms(autumn2[:2], tmp_path)
    assert again.skipped == first.written and not again.written
    assert started.read_bytes() == b"a visitor's half-finished form"
    assert len(write_forms(autumn2[:2], tmp_path, overwrite=True).written) == 2


def test_typed_formula_text_stays_text(autumn2, tmp_path):
    path = write_form(tmp_path / "f.xlsx", autumn2[0], {"outcomes": "=HYPERLINK(\"http://x\")"})
    ws = openpyxl.load_workbook(path)[FORM_SHEET]
    assert ws[ANSWER_BY_KEY["outcomes"].cell].data_type == "s"


def test_same_form_same_bytes(autumn2):
    assert form_bytes(autumn2[3]) == form_bytes(autumn2[3])


def test_committed_blank_template_is_what_the_generator_writes():
    assert BLANK.read_bytes() == form_bytes(None), "Regenerate: toolkit visit-forms --blank --out templates/visit_report_form.xlsx"
    values, meta, _ = _cells(BLANK)
    assert meta["version"] == FORM_VERSION and meta["reference"] is None
    assert all(values[f.key] is None for f in PREFILLED)


def test_committed_sample_forms_are_what_the_generator_writes(sample_tracker):
    expected = sample_forms(sample_tracker)
    assert sorted(p.name for p in SAMPLE_FORMS.iterdir()) == sorted(name for name, _, _ in expected)
    for name, form, answers in expected:
        assert (SAMPLE_FORMS / name).read_bytes() == form_bytes(form, answers), (
            f"Regenerate: toolkit visit-forms inputs/sample_tracker.xlsx --sample --out inputs/visit_forms ({name})")


def test_sample_forms_hold_one_late_one_incomplete_and_one_renamed(sample_tracker):
    got = collect_forms(SAMPLE_FORMS, sample_tracker)
    assert got.files == 13
    [error] = got.report.errors
    assert (error.file, error.code, error.cell) == ("2026-11-02 900003 SIA V0145.xlsx", "required-field", ANSWER_BY_KEY["outcomes"].cell)
    late = got.timeliness[got.timeliness["working_days_late"] > 0]
    assert list(late["visit_id"]) == ["V0146"] and list(late["working_days_late"]) == [LATE_BY]
    renamed = got.timeliness[got.timeliness["file"] == RENAMED_TO]
    assert list(renamed["visit_id"]) == ["V0157"]
    recs = got.rows.loc[got.rows["visit_id"] == "V0157", "recommendations"].iloc[0]
    assert recs.count("\n") == 2  # one recommendation a line, as typed


def test_visit_forms_cli_writes_the_blank_template_without_a_tracker(tmp_path):
    from toolkit.cli import main

    assert main(["visit-forms", "--blank", "--out", str(tmp_path / "blank.xlsx")]) == 0
    assert (tmp_path / "blank.xlsx").read_bytes() == BLANK.read_bytes()
    assert main(["visit-forms", "--out", str(tmp_path)]) == 2  # forms need a tracker
