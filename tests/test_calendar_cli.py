"""`toolkit calendar` and `toolkit compliance` on the committed sample tracker."""

from __future__ import annotations

import csv
import io
import json
import shutil

from icalendar import Calendar

from toolkit.cli import main


def test_calendar_writes_one_file_per_school_and_the_trust(sample_tracker_path, tmp_path, capsys):
    out = tmp_path / "cal"
    assert main(["calendar", str(sample_tracker_path), "--year", "2026/27", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert "trust.ics" in files and len(files) == 11  # ten schools + the trust
    assert any(f.startswith("900004-") for f in files)
    trust = Calendar.from_ical((out / "trust.ics").read_bytes())
    kinds = {str(e["CATEGORIES"].cats[0]) for e in trust.walk("VEVENT")}
    assert {"eit", "standards committee", "progress board", "report deadline", "sip minimum visit"} <= kinds
    assert "calendar files for 2026/27" in capsys.readouterr().out


def test_calendar_default_folder_is_outputs_calendar_year(sample_tracker_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["calendar", str(sample_tracker_path), "--year", "2026/27"]) == 0
    assert (tmp_path / "outputs" / "calendar-2026-27" / "trust.ics").is_file()


def test_calendar_for_a_year_without_term_dates_explains_the_fix(sample_tracker_path, tmp_path, capsys):
    # The sample has term dates for 2025/26 and 2026/27 only.
    tracker = tmp_path / "tracker.xlsx"
    shutil.copy(sample_tracker_path, tracker)
    assert main(["calendar", str(tracker), "--year", "2027/28", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "Term dates" in err and "2027/28" in err and "Fix:" in err
    assert not (tmp_path / "x").exists()


def test_calendar_rejects_a_bad_year(sample_tracker_path, capsys):
    assert main(["calendar", str(sample_tracker_path), "--year", "2026/28"]) == 2
    assert "academic year" in capsys.readouterr().err


def test_compliance_table_lists_the_findings(sample_tracker_path, capsys):
    assert main(["compliance", str(sample_tracker_path), "--as-of", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "Compliance as of Mon 23 Nov 2026" in out
    assert "Visit report sent late (3)" in out
    assert "Minimum SIP visit missed (1)" in out and "March 2026" in out


def test_compliance_csv_and_json(sample_tracker_path, capsys):
    from toolkit.tracker.sample import generate

    planted = generate(10).planted
    assert main(["compliance", str(sample_tracker_path), "--as-of", "2026-11-23", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    late = {r["ref"]: int(r["working_days_late"]) for r in rows if r["kind"] == "late_report"}
    assert late == planted["late_reports"]
    assert main(["compliance", str(sample_tracker_path), "--as-of", "2026-11-23", "--year", "2026/27", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["as_of"] == "2026-11-23" and data["year"] == "2026/27"
    assert {f["academic_year"] for f in data["findings"]} == {"2026/27"}
    assert [f["ref"] for f in data["findings"] if f["kind"] == "missing_report"] == planted["missing_reports"]


def test_compliance_missing_tracker(tmp_path, capsys):
    assert main(["compliance", str(tmp_path / "nope.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err
