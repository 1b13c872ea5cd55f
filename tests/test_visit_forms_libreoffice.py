"""A visitor who uses LibreOffice: a completed form re-saved by LibreOffice Calc still
collects, with its hidden reference, protection, dropdowns and line breaks intact.

LibreOffice comes from scripts/system-deps.sh (libreoffice-calc-nogui). Each run uses its
own profile folder, so it never collides with another soffice on the machine.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from toolkit.visits import collect_forms, plan_forms, write_form
from toolkit.visits.layout import ANSWER_BY_KEY, FORM_SHEET, META_SHEET

pytestmark = pytest.mark.e2e


def soffice_resave(src: Path, out_dir: Path, profile: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is missing: run scripts/system-deps.sh (installs libreoffice-calc-nogui)"
    out_dir.mkdir()
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(src)],
        capture_output=True, text=True, timeout=180, start_new_session=True,
    )
    resaved = out_dir / src.name
    assert proc.returncode == 0 and resaved.is_file(), proc.stdout + proc.stderr
    return resaved


def test_a_form_resaved_by_libreoffice_collects(sample_tracker, tmp_path):
    form = next(f for f in plan_forms(sample_tracker, dt.date(2026, 11, 2), dt.date(2026, 12, 18)) if f.reference == "V0146")
    answers = {"purpose": "Appraisal & review", "activities": "Met the head.\nLearning walk: Years 7-9.\n\nWork scrutiny.",
               "outcomes": "Pupils with attendance < 90% <script>alert(1)</script> reviewed.",
               "recommendations": "1. Attendance plan.\n2. Report to PB.", "recommended_designation": "Improve",
               "report_sent": dt.date(2026, 11, 12), "learning_walk": "Yes", "mode": "On-site"}
    original = write_form(tmp_path / "filled.xlsx", form, answers)
    resaved = soffice_resave(original, tmp_path / "lo", tmp_path / "profile")
    assert resaved.read_bytes() != original.read_bytes()  # LibreOffice really rewrote it

    folder = resaved.parent
    got = collect_forms(folder, sample_tracker)
    assert got.ok, got.report.problems
    [row] = got.rows.to_dict("records")
    assert row["visit_id"] == "V0146"
    for key in ("purpose", "activities", "outcomes", "recommendations", "recommended_designation"):
        assert row[key] == answers[key], key
    assert row["report_sent"].date() == dt.date(2026, 11, 12) and row["learning_walk"] is True

    wb = openpyxl.load_workbook(resaved)
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb[FORM_SHEET]
    assert ws.protection.sheet
    assert not ws[ANSWER_BY_KEY["outcomes"].cell].protection.locked
    assert any(dv.type == "list" and ANSWER_BY_KEY["recommended_designation"].cell in str(dv.sqref)
               for dv in ws.data_validations.dataValidation)
