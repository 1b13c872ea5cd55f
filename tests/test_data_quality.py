"""Nothing passes silently: the tracker's warnings reach every command, report and run index;
strict mode fails on them; .ods trackers are read; the trust's name comes from the tracker;
a closed output pipe ends a command quietly; validate shows progress on a terminal.

Each case mutates the committed sample tracker the way a data manager might.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from toolkit import cli
from toolkit.tracker.problems import UnreadableFile
from toolkit.tracker.reader import read_tracker, summary, validate_tracker
from toolkit.tracker.schema import sheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
TERM = "2026/27 Autumn"


def copy_sample(tmp_path: Path, name: str = "tracker.xlsx") -> Path:
    path = tmp_path / name
    shutil.copyfile(SAMPLE, path)  # no policy.toml beside it: the tracker's own trust name applies
    return path


def edit(path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def add_school_notes_column(wb: openpyxl.Workbook) -> None:
    """A trust-wide warning: an unknown column on the Schools sheet (row 1, no school)."""
    wb["Schools"].cell(row=1, column=len(sheet("schools").columns) + 2, value="My notes")


def clear_signoff(row: int):  # type: ignore[no-untyped-def]
    """A school's warning: an agreed designation without its EIT sign-off date."""
    col = sheet("assessments").keys.index("eit_signoff_date") + 1

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Assessments"]
        if ws.cell(row=row, column=sheet("assessments").keys.index("agreed_designation") + 1).value is None:
            ws.cell(row=row, column=sheet("assessments").keys.index("agreed_designation") + 1, value="Improve")
        ws.cell(row=row, column=col).value = None  # (ws.cell(value=None) would leave it as it is)

    return change


@pytest.fixture(scope="module")
def warned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with three warnings: one trust-wide, one on each of two schools."""
    path = copy_sample(tmp_path_factory.mktemp("warned"))

    def change(wb: openpyxl.Workbook) -> None:
        add_school_notes_column(wb)
        ws = wb["Assessments"]
        urns = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
        second = next(r for r, u in enumerate(urns, start=2) if u != urns[0])
        clear_signoff(2)(wb)
        clear_signoff(second)(wb)

    return edit(path, change)


# --------------------------------------------------------------------------- warnings on stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["compliance", "{t}", "--as-of", "2026-11-23", "--format", "csv"],
        ["designations", "{t}", "--term", TERM, "--format", "csv"],
        ["calendar", "{t}", "--year", "2026/27", "--out", "{out}"],
    ],
    ids=["compliance", "designations", "calendar"],
)
def test_commands_print_the_trackers_warnings_and_strict_fails(argv, warned, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = [a.format(t=warned, out=tmp_path / "cal") for a in argv]
    assert cli.main(args) == 0
    err = capsys.readouterr().err
    assert "has 3 warning(s)" in err
    assert "Schools!K1: The column 'My notes'" in err  # the first few, each at its cell
    assert f"toolkit validate {warned}" in err  # and how to see them all
    # --strict: the same warnings fail the command before it produces anything.
    assert cli.main([*args, "--strict"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "error: the tracker" in out.err and "Strict mode" in out.err


def test_a_clean_tracker_prints_no_warning(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["compliance", str(SAMPLE), "--as-of", "2026-11-23", "--strict", "--format", "csv"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_the_policy_setting_makes_every_run_strict(warned, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tracker.xlsx"
    shutil.copyfile(warned, path)
    (tmp_path / "policy.toml").write_text("[data_quality]\nstrict = true\n", encoding="utf-8")
    assert cli.main(["designations", str(path), "--term", TERM]) == 2
    assert cli.main(["validate", str(path)]) == 1  # validate: warnings count as failures too
    assert "count as failures" in capsys.readouterr().err


def test_only_the_first_few_warnings_are_printed(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = copy_sample(tmp_path)

    def change(wb: openpyxl.Workbook) -> None:
        for i in range(12):
            wb["Schools"].cell(row=1, column=len(sheet("schools").columns) + 2 + i, value=f"Notes {i}")

    edit(path, change)
    (tmp_path / "policy.toml").write_text("[data_quality]\nwarnings_shown = 3\n", encoding="utf-8")
    assert cli.main(["compliance", str(path), "--as-of", "2026-11-23", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert "has 12 warning(s)" in err
    assert err.count("The column 'Notes") == 3
    assert "... and 9 more 'unknown-column'" in err


def test_batch_strict_stops_before_making_any_report(warned, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    assert cli.main(["batch", str(warned), "--term", TERM, "--out", str(out), "--strict", "--no-progress"]) == 2
    assert "3 warning(s)" in capsys.readouterr().err
    assert not out.exists()


# --------------------------------------------------------------------------- reports and the run index


def test_each_report_carries_the_warnings_that_touch_it(warned) -> None:  # type: ignore[no-untyped-def]
    from toolkit.reports.html import data_quality_note

    tracker = read_tracker(warned)
    by_school = {p.urn: p for p in tracker.report.warnings if p.urn is not None}
    assert len(by_school) == 2
    (a, pa), (b, pb) = sorted(by_school.items())
    note_a = str(data_quality_note(tracker, urn=a))
    assert pa.where in note_a and pb.where not in note_a  # its own row, not the other school's
    assert "Schools!K1" in note_a  # and the trust-wide one
    assert "2 warning(s) about this school or the whole trust" in note_a
    trust_note = str(data_quality_note(tracker))
    assert all(p.where in trust_note for p in tracker.report.warnings)
    assert "3 warning(s) in the whole tracker" in trust_note
    assert 'role="note"' in trust_note
    clean = str(data_quality_note(read_tracker(SAMPLE), urn=a))
    assert "no warnings" in clean


def test_report_header_emits_the_note_for_the_named_school(warned, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import IPython.display

    from toolkit.reports.html import REPORT_MIME, report_header

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    tracker = read_tracker(warned)
    (urn, problem) = next((p.urn, p) for p in tracker.report.warnings if p.urn is not None)
    report_header("Progress Board pack", tracker=tracker, term=TERM, school=tracker.school_name(urn))
    meta, note = shown
    assert REPORT_MIME in meta  # type: ignore[operator]
    html = note._repr_html_()  # type: ignore[attr-defined]
    assert "Data quality" in html and problem.where in html


def test_a_summarised_note_escapes_tracker_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from toolkit.reports.html import data_quality_note

    path = edit(copy_sample(tmp_path), lambda wb: wb["Schools"].cell(row=1, column=20, value="<script>x</script>"))
    html = str(data_quality_note(read_tracker(path)))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_run_index_lists_the_warnings(warned, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from toolkit.batch.runfolder import DATA_QUALITY, write_run_index
    from toolkit.commands.batch import data_quality_text

    tracker = read_tracker(warned)
    text = data_quality_text(tracker)
    index = write_run_index(tmp_path, title="Run", jobs=[], results={},
                            provenance={"Term": TERM, DATA_QUALITY: text}).read_text(encoding="utf-8")
    assert "<h2>Data quality</h2>" in index and "3 warning(s)" in index
    for p in tracker.report.warnings:
        assert p.where in index
    assert "<th>Data quality</th>" not in index  # a section of its own, not a provenance row
    assert "no warnings" in data_quality_text(read_tracker(SAMPLE))


# --------------------------------------------------------------------------- absences, end to end


def test_a_renamed_visits_sheet_stops_compliance_instead_of_60_missed_visits(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = edit(copy_sample(tmp_path), lambda wb: setattr(wb["Visits"], "title", "Visit"))
    assert cli.main(["compliance", str(path), "--as-of", "2026-11-23", "--format", "json"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and "did you mean 'Visit'?" in out.err


def test_a_missing_visits_sheet_is_said_not_counted_as_missed_visits(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = edit(copy_sample(tmp_path), lambda wb: wb.remove(wb["Visits"]))
    assert cli.main(["compliance", str(path), "--as-of", "2026-11-23", "--format", "json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    kinds = [f["kind"] for f in doc["findings"]]
    assert kinds.count("missed_visit") == 0 and kinds.count("sheet_missing") == 1
    (gone,) = [f for f in doc["findings"] if f["kind"] == "sheet_missing"]
    assert gone["ref"] == "Visits" and "were not checked" in gone["detail"]
    assert "Visits: The tracker has no 'Visits' sheet" in out.err  # and the warning travels
    assert [w["code"] for w in doc["tracker_warnings"]] == ["missing-sheet"]  # with the data too


def test_a_trust_with_no_meetings_recorded_is_flagged(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    def clear(wb: openpyxl.Workbook) -> None:
        ws = wb["Meetings"]
        ws.delete_rows(2, ws.max_row)

    path = edit(copy_sample(tmp_path), clear)
    assert cli.main(["compliance", str(path), "--as-of", "2026-11-23", "--year", "2026/27", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    missing = [f for f in doc["findings"] if f["kind"] == "missing_meeting"]
    boards = [f for f in missing if f["ref"] == "Progress Board September 2026"]
    assert len(boards) == 10  # every school's September Progress Board
    refs = {f["ref"] for f in missing}
    assert {"EIT after September 2026 Progress Boards", "Standards Committee after September 2026 EIT"} <= refs


def test_a_visit_left_planned_after_its_date_is_flagged(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    status = sheet("visits").keys.index("status") + 1
    path = edit(copy_sample(tmp_path), lambda wb: wb["Visits"].cell(row=2, column=status, value="Planned"))
    visit_id = openpyxl.load_workbook(path, read_only=True)["Visits"]["A2"].value
    assert cli.main(["compliance", str(path), "--as-of", "2026-11-23", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    planned = [f for f in doc["findings"] if f["kind"] == "planned_after_date"]
    assert [f["ref"] for f in planned] == [visit_id]


# --------------------------------------------------------------------------- .ods


@pytest.fixture(scope="module")
def ods_tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with one bad dropdown value and merged URN cells, saved by LibreOffice as .ods."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is a system dependency (scripts/system-deps.sh)"
    folder = tmp_path_factory.mktemp("ods")
    xlsx = copy_sample(folder)
    col = sheet("visits").keys.index("status") + 1


    def change(wb: openpyxl.Workbook) -> None:
        wb["Visits"].cell(row=3, column=col, value="Hled")
        wb["Assessments"].merge_cells("A2:A5")

    edit(xlsx, change)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{folder / 'profile'}", "--convert-to", "ods",
         "--outdir", str(folder), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )
    return folder / "tracker.ods"


def test_an_ods_tracker_is_read_and_checked_like_an_xlsx(ods_tracker, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["validate", str(ods_tracker), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    status = f"Visits!{openpyxl.utils.get_column_letter(sheet('visits').keys.index('status') + 1)}3"
    assert [(p["code"], p["where"]) for p in doc["errors"]] == [
        ("merged-cells", "Assessments!A2:A5"),  # merges read from the .ods content, as from an .xlsx
        ("unknown-choice", status),
    ]
    assert "Did you mean 'Held'?" in doc["errors"][1]["message"]
    xlsx_tracker, _ = validate_tracker(SAMPLE)
    assert xlsx_tracker is not None and doc["rows"] == summary(xlsx_tracker)  # every row read
    assert doc["trust_name"] == "Severn Vale Academy Trust"


def test_other_opendocument_files_get_a_libreoffice_friendly_refusal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tracker.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(UnreadableFile, match="OpenDocument text") as info:
        read_tracker(path)
    assert "LibreOffice Calc" in str(info.value) and ".ods" in str(info.value)


# --------------------------------------------------------------------------- the trust's name


def test_the_trust_name_comes_from_the_tracker(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = edit(copy_sample(tmp_path), lambda wb: wb["Instructions"].__setitem__("B2", "Wye Valley Schools Trust"))
    assert read_tracker(path).policy.trust.name == "Wye Valley Schools Trust"
    assert cli.main(["validate", str(path)]) == 0
    assert "Trust name on reports: 'Wye Valley Schools Trust', from the tracker (Instructions!B2)" in capsys.readouterr().out


def test_a_new_tracker_can_be_written_with_the_trusts_name(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "tracker.xlsx"
    assert cli.main(["template", str(path), "--trust-name", "Wye Valley Schools Trust"]) == 0
    capsys.readouterr()
    tracker, report = validate_tracker(path)
    assert tracker is not None and tracker.policy.trust.name == "Wye Valley Schools Trust" and not report.problems


def test_a_policy_file_overrides_the_trackers_trust_name_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = edit(copy_sample(tmp_path), lambda wb: wb["Instructions"].__setitem__("B2", "Wye Valley Schools Trust"))
    (tmp_path / "policy.toml").write_text('[trust]\nname = "Severn Vale Academy Trust"\n', encoding="utf-8")
    tracker = read_tracker(path)
    assert tracker.policy.trust.name == "Severn Vale Academy Trust"
    assert "policy file policy.toml" in tracker.trust_name_source
    (differs,) = [p for p in tracker.report.warnings if p.code == "trust-name-differs"]
    assert differs.where == "Instructions!B2" and "Wye Valley" in differs.message


def test_an_old_tracker_without_the_name_still_validates_and_says_the_default_is_used(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    def old(wb: openpyxl.Workbook) -> None:
        for c in ("A2", "B2", "D2"):
            wb["Instructions"][c] = None

    path = edit(copy_sample(tmp_path), old)
    assert cli.main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "'Example Multi Academy Trust', from the toolkit's default policy" in out
    assert "Instructions!B2: The tracker does not record the trust's name" in out


# --------------------------------------------------------------------------- broken pipe, progress


def test_a_closed_pipe_ends_quietly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`toolkit ... | head -1`: no BrokenPipeError traceback, whatever the timing."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = f"{sys.executable} -m toolkit designations {SAMPLE} --term '{TERM}' --format json | head -1"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.stdout == "{\n"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 141)
    # Deterministic: the reader is gone before the first byte is written.
    child = subprocess.Popen([sys.executable, "-m", "toolkit", "validate", str(SAMPLE), "--format", "json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    child.stdout.close()  # type: ignore[union-attr]
    _, err = child.communicate(timeout=120)
    assert child.returncode == 141 and err == b"", err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_validate_shows_progress_on_a_terminal_only(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from toolkit.commands import validate
    from toolkit.tracker.reader import STEPS

    monkeypatch.setattr(validate, "PROGRESS_DELAY_SECONDS", 0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["validate", str(SAMPLE)]) == 0
    shown = terminal.getvalue()
    assert "Reading:" in shown and f"/{STEPS} [" in shown and "sheet/s" in shown
    monkeypatch.undo()
    proc = subprocess.run([sys.executable, "-m", "toolkit", "validate", str(SAMPLE)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0 and proc.stderr == ""  # piped: no bar
