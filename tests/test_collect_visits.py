"""Collecting completed visit report forms: every bad-form case is reported naming the
file and the field, good forms become Visits rows, lateness is counted in working days,
the collected rows feed compliance, and the command's exit codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from toolkit.calendar.compliance import compliance
from toolkit.cli import main
from toolkit.tracker.schema import sheet
from toolkit.visits import (
    UnreadableFolder,
    collect_forms,
    merge_collected,
    plan_forms,
    read_collected,
    write_collection,
    write_form,
)
from toolkit.visits.layout import ANSWER_BY_KEY, META_SHEET

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_FORMS = ROOT / "inputs" / "visit_forms"


@pytest.fixture(scope="module")
def forms(sample_tracker):
    return {f.reference: f for f in plan_forms(sample_tracker, dt.date(2026, 11, 2), dt.date(2027, 1, 29))}


def answers(**changes: object) -> dict[str, object]:
    base = {"purpose": "Review of the reading curriculum.", "activities": "Learning walk, Years 3-6.\nMet the English lead.",
            "outcomes": "Phonics is consistent; <b>fluency</b> & comprehension lag.", "recommendations": "1. Fluency plan.\n2. Review in March.",
            "recommended_designation": "Improve", "report_sent": dt.date(2026, 11, 12), "learning_walk": "Yes"}
    base.update(changes)
    return base


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "returned"
    d.mkdir()
    return d


def only_problem(collection, code: str):
    found = [p for p in collection.report.problems if p.code == code]
    assert len(found) == 1, collection.report.problems
    return found[0]


# --------------------------------------------------------------------------- good forms


def test_a_completed_form_becomes_the_visits_row(sample_tracker, forms, folder):
    write_form(folder / "a.xlsx", forms["V0151"], answers())
    got = collect_forms(folder, sample_tracker)
    assert got.ok and got.files == 1
    [row] = got.rows.to_dict("records")
    tracker_row = sample_tracker.visits.set_index("visit_id").loc["V0151"]
    assert row["visit_id"] == "V0151" and row["urn"] == 900001 and row["status"] == "Held"
    assert row["visit_start"] == pd.Timestamp("2026-11-10") == row["visit_end"]
    assert row["report_sent"] == pd.Timestamp("2026-11-12")
    assert row["activities"] == "Learning walk, Years 3-6.\nMet the English lead."  # line break kept
    assert row["recommended_designation"] == "Improve" and row["learning_walk"] is True
    assert row["paperwork_received"] == tracker_row["paperwork_received"]  # kept from the tracker
    assert list(got.rows.columns) == sheet("visits").keys


def test_a_scheduled_visit_gets_a_new_row_with_its_reference(sample_tracker, forms, folder):
    form = forms["SIP-900004-2027-01"]
    write_form(folder / "jan.xlsx", form, answers(report_sent=form.start + dt.timedelta(days=1)))
    got = collect_forms(folder, sample_tracker)
    assert got.ok
    [row] = got.rows.to_dict("records")
    assert (row["visit_id"], row["urn"], row["role"], row["visitor"]) == ("SIP-900004-2027-01", 900004, "SIP", form.visitor)


def test_a_scheduled_visit_booked_since_is_named(sample_tracker, forms, folder):
    from toolkit.tracker.model import Tracker

    booked = {c: None for c in sample_tracker.visits.columns} | {
        "visit_id": "V0200", "urn": 900004, "role": "SIP", "status": "Planned", "visit_start": pd.Timestamp("2027-01-13")}
    visits = pd.concat([sample_tracker.visits, pd.DataFrame([booked])], ignore_index=True)
    tracker = Tracker({**sample_tracker.tables, "visits": visits}, policy=sample_tracker.policy)
    form = forms["SIP-900004-2027-01"]
    write_form(folder / "jan.xlsx", form, answers(report_sent=form.start + dt.timedelta(days=1)))
    got = collect_forms(folder, tracker)
    p = only_problem(got, "scheduled-now-booked")
    assert p.file == "jan.xlsx" and "V0200" in p.message and "V0200" in p.fix
    assert list(got.rows["visit_id"]) == ["SIP-900004-2027-01"]


def test_lock_files_are_ignored(sample_tracker, forms, folder):
    write_form(folder / "a.xlsx", forms["V0151"], answers())
    (folder / "~$a.xlsx").write_bytes(b"\x00" * 165)
    (folder / ".~lock.a.xlsx#").write_text("user")
    assert collect_forms(folder, sample_tracker).ok


# --------------------------------------------------------------------------- each bad case


def test_empty_required_field(sample_tracker, forms, folder):
    write_form(folder / "ridgeway.xlsx", forms["V0146"], answers(outcomes=None))
    got = collect_forms(folder, sample_tracker)
    p = only_problem(got, "required-field")
    assert (p.file, p.sheet, p.cell) == ("ridgeway.xlsx", "Visit report", ANSWER_BY_KEY["outcomes"].cell)
    assert "Summary of outcomes is empty" in p.message
    assert got.rows.empty  # a form with an error gives no row


def test_recommended_designation_is_a_sips_only(sample_tracker, forms, folder):
    """Optional for a SIP ("the designation the SIP recommends, if any"); left out, with a
    warning naming the field, when another role fills it in."""
    write_form(folder / "sip.xlsx", forms["V0146"], answers(recommended_designation=None))
    write_form(folder / "sia.xlsx", forms["V0145"], answers(recommended_designation="Repair"))
    got = collect_forms(folder, sample_tracker)
    assert not got.report.errors
    p = only_problem(got, "not-for-this-role")
    assert (p.file, p.cell) == ("sia.xlsx", ANSWER_BY_KEY["recommended_designation"].cell)
    rows = got.rows.set_index("visit_id")
    assert sorted(rows.index) == ["V0145", "V0146"] and rows["recommended_designation"].isna().all()


def test_every_empty_field_is_reported_at_once(sample_tracker, forms, folder):
    write_form(folder / "a.xlsx", forms["V0146"], answers(purpose=None, outcomes=None, report_sent=None))
    write_form(folder / "b.xlsx", forms["V0149"], answers(activities=None))
    got = collect_forms(folder, sample_tracker)
    cells = sorted((p.file, p.cell) for p in got.report.errors)
    assert cells == sorted([("a.xlsx", "B21"), ("a.xlsx", "B23"), ("a.xlsx", "B26"), ("b.xlsx", "B22")])


def test_a_report_for_a_visit_the_tracker_says_was_cancelled(sample_tracker, forms, folder):
    from toolkit.tracker.model import Tracker

    visits = sample_tracker.visits.copy()
    visits.loc[visits["visit_id"] == "V0146", "status"] = "Cancelled"
    tracker = Tracker({**sample_tracker.tables, "visits": visits}, policy=sample_tracker.policy)
    write_form(folder / "held after all.xlsx", forms["V0146"], answers())
    got = collect_forms(folder, tracker)
    p = only_problem(got, "was-cancelled")
    assert p.file == "held after all.xlsx" and not got.report.errors
    assert list(got.rows["status"]) == ["Held"]


def test_visit_reference_not_in_the_tracker(sample_tracker, forms, folder):
    write_form(folder / "gone.xlsx", dataclasses.replace(forms["V0146"], reference="V9999"), answers())
    p = only_problem(collect_forms(folder, sample_tracker), "unknown-reference")
    assert p.file == "gone.xlsx" and "V9999" in p.message


def test_two_forms_for_one_visit(sample_tracker, forms, folder):
    write_form(folder / "V0146.xlsx", forms["V0146"], answers())
    write_form(folder / "V0146 (1).xlsx", forms["V0146"], answers(outcomes="Second thoughts."))
    got = collect_forms(folder, sample_tracker)
    dupes = [p for p in got.report.errors if p.code == "duplicate-visit"]
    assert sorted(p.file for p in dupes) == ["V0146 (1).xlsx", "V0146.xlsx"]
    assert all("V0146" in p.message for p in dupes)
    assert got.rows.empty  # neither is guessed at


def test_date_sent_before_the_visit(sample_tracker, forms, folder):
    write_form(folder / "early.xlsx", forms["V0146"], answers(report_sent=dt.date(2026, 11, 4)))
    p = only_problem(collect_forms(folder, sample_tracker), "sent-before-visit")
    assert (p.file, p.cell) == ("early.xlsx", ANSWER_BY_KEY["report_sent"].cell)
    assert "04/11/2026" in p.message and "05/11/2026" in p.message


def test_a_date_typed_as_text_is_read_or_reported(sample_tracker, forms, folder):
    write_form(folder / "uk.xlsx", forms["V0146"], answers(report_sent="12/11/2026"))
    write_form(folder / "bad.xlsx", forms["V0149"], answers(report_sent="next Tuesday"))
    got = collect_forms(folder, sample_tracker)
    p = only_problem(got, "bad-value")
    assert (p.file, p.cell) == ("bad.xlsx", ANSWER_BY_KEY["report_sent"].cell) and "next Tuesday" in p.message
    assert got.rows.set_index("visit_id").at["V0146", "report_sent"] == pd.Timestamp("2026-11-12")


def test_a_form_from_an_older_template(sample_tracker, forms, folder):
    path = write_form(folder / "old.xlsx", forms["V0146"], answers())
    wb = openpyxl.load_workbook(path)
    meta = wb[META_SHEET]
    row = next(r for r in meta.iter_rows(max_col=2) if r[0].value == "version")
    row[1].value = 0
    wb.save(path)
    p = only_problem(collect_forms(folder, sample_tracker), "old-template")
    assert p.file == "old.xlsx" and "older template" in p.message


def test_a_file_that_is_not_a_form(sample_tracker, folder):
    (folder / "notes.txt").write_text("Visit notes, to type up later")
    wb = openpyxl.Workbook()
    wb.active["A1"] = "My own visit notes"
    wb.save(folder / "my notes.xlsx")
    got = collect_forms(folder, sample_tracker)
    assert sorted((p.file, p.code) for p in got.report.errors) == [("my notes.xlsx", "not-a-form"), ("notes.txt", "not-a-form")]


def test_the_blank_template_is_not_a_visit(sample_tracker, folder):
    write_form(folder / "blank.xlsx", None, answers())
    p = only_problem(collect_forms(folder, sample_tracker), "no-reference")
    assert p.file == "blank.xlsx"


def test_an_unreadable_file(sample_tracker, forms, folder):
    path = write_form(folder / "cut.xlsx", forms["V0146"], answers())
    path.write_bytes(path.read_bytes()[:3000])  # an email attachment cut short
    (folder / "empty.xlsx").write_bytes(b"")
    got = collect_forms(folder, sample_tracker)
    assert sorted((p.file, p.code) for p in got.report.errors) == [("cut.xlsx", "unreadable"), ("empty.xlsx", "unreadable")]


def test_a_password_protected_file(sample_tracker, forms, folder):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_form(folder / "locked.xlsx", forms["V0146"], answers()).read_bytes()
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("secret", out)
    (folder / "locked.xlsx").write_bytes(out.getvalue())
    p = only_problem(collect_forms(folder, sample_tracker), "password-protected")
    assert p.file == "locked.xlsx" and "password" in p.fix


def test_a_missing_folder(sample_tracker, tmp_path):
    with pytest.raises(UnreadableFolder, match="does not exist"):
        collect_forms(tmp_path / "nowhere", sample_tracker)


# --------------------------------------------------------------------------- lateness


def test_working_days_late_from_the_date_sent(sample_tracker, forms, folder):
    """V0146 ended Thu 5 Nov 2026; due the 3rd working day after: Tue 10 Nov. Sent Thu 12 Nov
    is 2 working days late (Wed 11, Thu 12); sent Tue 10 Nov is on time."""
    write_form(folder / "late.xlsx", forms["V0146"], answers(report_sent=dt.date(2026, 11, 12)))
    write_form(folder / "ontime.xlsx", forms["V0149"], answers(report_sent=dt.date(2026, 11, 11)))  # Fri 6 -> Wed 11
    t = collect_forms(folder, sample_tracker).timeliness.set_index("visit_id")
    assert t.at["V0146", "report_due"] == pd.Timestamp("2026-11-10") and t.at["V0146", "working_days_late"] == 2
    assert t.at["V0149", "report_due"] == pd.Timestamp("2026-11-11") and t.at["V0149", "working_days_late"] == 0


def test_collected_rows_feed_compliance(sample_tracker, forms, folder, tmp_path):
    write_form(folder / "late.xlsx", forms["V0146"], answers(report_sent=dt.date(2026, 11, 12)))
    out = write_collection(collect_forms(folder, sample_tracker), tmp_path / "visits.xlsx")
    before = hashlib.sha256(Path(sample_tracker.path).read_bytes()).hexdigest()
    merged = merge_collected(sample_tracker, out)
    assert hashlib.sha256(Path(sample_tracker.path).read_bytes()).hexdigest() == before  # tracker untouched
    assert len(merged.visits) == len(sample_tracker.visits)  # V0146 replaced, not added

    def late(t):
        f = compliance(t, as_of=dt.date(2026, 11, 23), year="2026/27")
        return f[(f["kind"] == "late_report") & (f["ref"] == "V0146")]

    assert late(sample_tracker).empty  # the tracker says it was sent on time
    assert list(late(merged)["working_days_late"]) == [2]
    assert any(p.code == "collected-visits" for p in merged.report.warnings)


def test_the_output_workbook_round_trips(sample_tracker, forms, folder, tmp_path):
    write_form(folder / "a.xlsx", forms["V0146"], answers(outcomes="=1+1 is text here"))
    write_form(folder / "b.xlsx", forms["SIP-900004-2027-01"], answers(report_sent=dt.date(2027, 1, 20)))
    got = collect_forms(folder, sample_tracker)
    back = read_collected(write_collection(got, tmp_path / "visits.xlsx"))
    assert list(back["visit_id"]) == list(got.rows["visit_id"])
    assert back.set_index("visit_id").at["V0146", "outcomes"] == "=1+1 is text here"
    headers = [c.value for c in next(openpyxl.load_workbook(tmp_path / "visits.xlsx")["Visits"].iter_rows(max_row=1))]
    assert headers == [c.header for c in sheet("visits").columns]


# --------------------------------------------------------------------------- the command


def test_cli_exit_0_when_every_form_is_good(sample_tracker_path, forms, folder, tmp_path, capsys):
    write_form(folder / "a.xlsx", forms["V0151"], answers())
    assert main(["collect-visits", str(folder), "--tracker", str(sample_tracker_path), "--out", str(tmp_path / "v.xlsx")]) == 0
    assert "1 visit row(s)" in capsys.readouterr().out
    assert (tmp_path / "v.xlsx").is_file()


def test_cli_exit_1_with_problems_naming_file_and_field(sample_tracker_path, tmp_path, capsys):
    code = main(["collect-visits", str(SAMPLE_FORMS), "--tracker", str(sample_tracker_path), "--out", str(tmp_path / "v.xlsx")])
    out = capsys.readouterr()
    assert code == 1
    assert "2026-11-02 900003 SIA V0145.xlsx (Visit report!B23): Summary of outcomes is empty." in out.err
    assert "V0146" in out.out and "2 working day(s) late" in out.out
    assert len(read_collected(tmp_path / "v.xlsx")) == 12  # the good forms' rows are still written


def test_cli_exit_2_for_an_unreadable_folder(sample_tracker_path, tmp_path, capsys):
    args = ["--tracker", str(sample_tracker_path), "--out", str(tmp_path / "v.xlsx")]
    assert main(["collect-visits", str(tmp_path / "nowhere"), *args]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["collect-visits", str(sample_tracker_path), *args]) == 2  # a file, not a folder
    assert "not a folder" in capsys.readouterr().err
    assert not (tmp_path / "v.xlsx").exists()


def test_cli_refuses_to_write_into_the_tracker(sample_tracker_path, tmp_path, capsys):
    assert main(["collect-visits", str(SAMPLE_FORMS), "--tracker", str(sample_tracker_path), "--out", str(sample_tracker_path)]) == 2
    assert "never writes into the tracker" in capsys.readouterr().err


def test_visit_forms_cli_writes_the_range(sample_tracker_path, tmp_path, capsys):
    code = main(["visit-forms", str(sample_tracker_path), "--from", "2027-01-04", "--to", "2027-01-29", "--out", str(tmp_path)])
    assert code == 0
    assert "10 scheduled" in capsys.readouterr().out
    assert len(list(tmp_path.glob("*.xlsx"))) == 10
    assert main(["visit-forms", str(sample_tracker_path), "--from", "2027-01-29", "--to", "2027-01-04", "--out", str(tmp_path)]) == 2


def test_compliance_cli_reads_the_collected_visits(sample_tracker_path, tmp_path, capsys):
    out = tmp_path / "v.xlsx"
    main(["collect-visits", str(SAMPLE_FORMS), "--tracker", str(sample_tracker_path), "--out", str(out)])
    capsys.readouterr()
    base = ["compliance", str(sample_tracker_path), "--as-of", "2026-11-23", "--year", "2026/27", "--format", "csv"]
    assert main(base) == 0
    assert ",V0146," not in capsys.readouterr().out
    assert main([*base, "--visits", str(out)]) == 0
    late = [line for line in capsys.readouterr().out.splitlines() if line.startswith("late_report") and ",V0146," in line]
    assert len(late) == 1 and ",2," in late[0]
    assert main([*base, "--visits", str(tmp_path / "missing.xlsx")]) == 2


def test_batch_passes_the_collected_visits_to_the_notebooks_that_take_them(sample_tracker, sample_tracker_path, tmp_path):
    from toolkit.batch.planning import plan_term
    from toolkit.calendar.terms import Term

    visits = tmp_path / "visits.xlsx"
    plan = plan_term(sample_tracker, sample_tracker_path, Term.parse("2026/27 Autumn"), dt.date(2026, 11, 23),
                     urns=[900003], visits_path=visits)
    given = {Path(j.notebook).stem: j.parameters.get("visits") for j in plan.jobs}
    assert given["lsip_summary"] == given["progress_board_pack"] == str(visits.resolve())
    assert given["designation_review"] is None and given["standards_committee"] is None
