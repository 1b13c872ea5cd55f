"""Hostile text from the tracker cannot harm a reader or break an output (issue 10):
the network guard reads structure not text, calendars survive any name, control
characters are caught at the cell, protected trackers open in memory only."""

from __future__ import annotations

import datetime as dt
import fcntl
import io
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pandas as pd
import pytest
from calendar_examples import assessments, schools, tracker, visit, visits
from icalendar import Calendar

from toolkit.batch.runfolder import write_run_index
from toolkit.calendar.ics import SLUG_MAX, calendar_bytes, write_calendars
from toolkit.reports.html import escape, external_references
from toolkit.tracker.cells import parse_column
from toolkit.tracker.schema import sheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
A, C = 900001, 900003
INJECTION = "Oak\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:INJECTED\r\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:INJECTED"


# --------------------------------------------------------------------------- network guard


def test_text_content_never_counts_as_a_network_reference():
    # Escaped tracker text, as the report helpers write it, anywhere on the page.
    hostile = 'url(http://evil.example/x.png) @import "http://evil.example/a.css"; <img src="http://e/x">'
    page = (
        f"<html><head><title>{escape(hostile)}</title><style>p{{color:red}}</style></head>"
        f"<body><h1>{escape(hostile)}</h1><p class='free-text'>{escape(hostile)}</p>"
        f"<table><tr><td>{escape(hostile)}</td></tr></table>"
        f'<img alt="{escape(hostile)}" src="data:image/png;base64,iVBORw0KGgo=">'
        '<a href="https://www.gov.uk/guidance">a plain link fetches nothing</a></body></html>'
    )
    assert external_references(page) == []
    # The running header carries the trust's name inside a CSS string: not a URL.
    header = '<style>@page{@top-center{content:"Severn url(http://evil.example/t.png) Trust"}} /* url(//c) */</style>'
    assert external_references(header) == []


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="stylesheet" href="https://cdn.example/x.css">',
        '<script src="//cdn.example/x.js"></script>',
        '<img srcset="a.png 1x, https://cdn.example/b.png 2x">',
        '<video poster="https://cdn.example/p.png"></video>',
        '<div style="background: url(\'//cdn.example/x.png\')"></div>',
        "<style>@import 'https://fonts.example/a.css';</style>",
        "<style>body{background:url(https://cdn.example/x.png)}</style>",
        '<svg><image href="https://cdn.example/x.svg"/></svg>',
        '<iframe src="https://evil.example"></iframe>',
        '<meta http-equiv="refresh" content="0; url=https://evil.example">',
    ],
)
def test_every_structural_reference_is_found(markup):
    assert len(external_references(f"<html><body>{markup}</body></html>")) == 1


def test_control_characters_never_reach_html():
    assert escape("Oak\x00 Primary\x1b<b>") == "Oak Primary&lt;b&gt;"


# --------------------------------------------------------------------------- calendars


def _trust(name_a: str, name_c: str = "St Aldhelm's CofE Primary School"):
    return tracker(
        schools=schools([(A, name_a), (C, name_c)]),
        assessments=assessments([(A, "2026/27", "Autumn", "Sustain"), (C, "2026/27", "Autumn", "Repair")]),
        visits=visits([visit("V1", A, "2026-09-15", report="2026-09-17", paperwork="2026-09-07")]),
    )


CALENDAR_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1] + "/tests")
from calendar_examples import assessments, schools, tracker, visit, visits
from toolkit.calendar.ics import write_calendars
t = tracker(schools=schools([(900001, sys.argv[3]), (900003, "Elm")]),
            assessments=assessments([(900001, "2026/27", "Autumn", "Sustain")]),
            visits=visits([visit("V1", 900001, "2026-09-15", report="2026-09-17", paperwork="2026-09-07")]))
import dataclasses
policy = t.policy.model_copy(update={"trust": t.policy.trust.model_copy(update={"name": sys.argv[3]})})
t = dataclasses.replace(t, policy=policy)
from toolkit.calendar.schedule import build_schedule, school_events
events = build_schedule(t, "2026/27")
write_calendars(t, "2026/27", sys.argv[2], events=events)
print(len(events), len(school_events(events, 900001)), len(school_events(events, 900003)))
"""


@pytest.mark.parametrize("optimize", ["", "1"])
def test_a_line_break_in_a_name_neither_crashes_nor_injects_events(tmp_path, optimize):
    """With and without ``python -O`` (which removes the icalendar library's ``assert``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONOPTIMIZE": optimize}
    run = subprocess.run([sys.executable, "-c", CALENDAR_SCRIPT, str(ROOT), str(tmp_path), INJECTION],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    n_trust, n_a, n_c = (int(x) for x in run.stdout.split())
    assert n_a > 0 and n_c > 0
    files = sorted(tmp_path.glob("*.ics"))
    assert len(files) == 3
    for f in files:
        raw = f.read_bytes()
        assert b"\r\nSUMMARY:INJECTED" not in raw and b"\r\nUID:evil" not in raw
        cal = Calendar.from_ical(raw)
        expected = n_trust if f.name == "trust.ics" else n_a if f.name.startswith(str(A)) else n_c
        assert len(cal.walk("VEVENT")) == expected, f.name
        # The name is there, on one line, escaped by the library.
        if not f.name.startswith(str(C)):  # the trust and Oak carry the hostile name
            assert "INJECTED" in str(cal["X-WR-CALNAME"]) and "\n" not in str(cal["X-WR-CALNAME"])


def test_calendar_names_and_descriptions_are_escaped():
    raw = calendar_bytes([], name="Trust; a,b\nX-EVIL:1", domain="d", stamp=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                         description="line one\nBEGIN:VEVENT\x00")
    assert b"\r\nX-EVIL" not in raw and b"\r\nBEGIN:VEVENT" not in raw and b"\x00" not in raw
    # RFC 5545 TEXT escaping: "\;", "\,", and a line break as "\n" (never a new line).
    assert b"\r\nX-WR-CALNAME:Trust\\; a\\,b X-EVIL:1\r\n" in raw
    assert b"\r\nX-WR-CALDESC:line one\\nBEGIN:VEVENT\r\n" in raw
    Calendar.from_ical(raw)


def test_long_names_get_capped_file_names(tmp_path):
    long_name = "The " + "Very Long Name " * 20 + "Primary School"  # 300+ characters
    paths = write_calendars(_trust(long_name), "2026/27", tmp_path)
    names = sorted(p.name for p in paths)
    assert len(names) == 3
    assert all(len(n) <= len(f"{A}-") + SLUG_MAX + len(".ics") for n in names)


def test_a_calendar_that_cannot_be_written_fails_without_stopping_the_others(tmp_path):
    t = _trust("Brookside Primary School")
    (tmp_path / f"{A}-brookside-primary-school.ics").mkdir()  # something in the way
    errors: list[str] = []
    paths = write_calendars(t, "2026/27", tmp_path, errors=errors)
    assert sorted(p.name for p in paths) == [f"{C}-st-aldhelm-s-cofe-primary-school.ics", "trust.ics"]
    assert len(errors) == 1 and f"{A}-brookside-primary-school.ics" in errors[0]
    with pytest.raises(OSError, match="1 calendar file"):
        write_calendars(t, "2026/27", tmp_path)


def test_a_failed_output_is_counted_in_the_run_index(tmp_path):
    index = write_run_index(tmp_path, title="Run", jobs=[], results={}, finished=True,
                            problems=["calendar 900001-x.ics: OSError: File name too long"])
    text = index.read_text()
    assert "1 other output(s) failed" in text and "File name too long" in text


# --------------------------------------------------------------------------- control characters


def test_control_characters_warn_at_the_cell_and_are_removed():
    col = next(c for c in sheet("schools").columns if c.key == "name")
    raw = pd.Series(["Oak\x00 Primary", "Elm_x001B_ Academy", "Ash Primary"], index=[2, 3, 4], dtype=object)
    parsed = parse_column(raw, col)
    assert list(parsed.values) == ["Oak Primary", "Elm Academy", "Ash Primary"]
    (issue,) = parsed.issues
    assert issue.code == "control-characters" and list(issue.mask[issue.mask].index) == [2, 3]
    assert "U+0000" in issue.message(raw[2]) and "U+001B" in issue.message(raw[3])


# --------------------------------------------------------------------------- password-protected trackers


def _encrypt(src: Path, dst: Path, password: str) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(src.read_bytes())).encrypt(password, out)
    dst.write_bytes(out.getvalue())
    return dst


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory) -> Path:
    return _encrypt(SAMPLE, tmp_path_factory.mktemp("enc") / "protected.xlsx", "correct horse")


def _toolkit(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=300)


def test_protected_tracker_opens_with_the_password_from_the_environment(encrypted, tmp_path):
    before = sorted(encrypted.parent.iterdir())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOOLKIT_PASSWORD": "correct horse", "TMPDIR": str(tmp_path)}
    run = _toolkit(["designations", str(encrypted), "--term", "2026/27 Autumn", "--format", "json"], env, tmp_path)
    assert run.returncode == 0, run.stderr
    assert '"tracker": "protected.xlsx"' in run.stdout
    assert "correct horse" not in run.stdout + run.stderr
    # Nothing decrypted reached the disk: no new file beside the tracker or in TMPDIR.
    assert sorted(encrypted.parent.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("password", ["wrong", None])
def test_a_wrong_or_missing_password_exits_2_with_a_sentence(encrypted, tmp_path, password):
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PASSWORD"} | {"PYTHONPATH": str(ROOT)}
    if password:
        env["TOOLKIT_PASSWORD"] = password
    run = _toolkit(["designations", str(encrypted), "--term", "2026/27 Autumn"], env, tmp_path)
    assert run.returncode == 2
    expected = "The password for protected.xlsx is wrong" if password else "protected.xlsx is password-protected and no password was given"
    assert expected in run.stderr and "Traceback" not in run.stderr
    assert "wrong\n" not in run.stderr.replace("is wrong", "")


def test_the_password_is_asked_for_at_a_terminal(encrypted, tmp_path):
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TOOLKIT_PASSWORD"} | {"PYTHONPATH": str(ROOT)}

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([sys.executable, "-m", "toolkit", "validate", str(encrypted)], stdin=slave,
                            stdout=slave, stderr=slave, env=env, cwd=tmp_path, preexec_fn=controlling_terminal)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120
        while b"Password for protected.xlsx" not in seen and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                seen += os.read(master, 4096)
        assert b"Password for protected.xlsx" in seen
        os.write(master, b"correct horse\n")
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        assert proc.wait(timeout=60) == 0, seen.decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"No problems found." in seen
    assert b"correct horse" not in seen  # not echoed


# --------------------------------------------------------------------------- nothing left behind


@pytest.mark.e2e
def test_worker_kernels_keep_no_ipython_history(tmp_path, monkeypatch):
    from jupyter_core.utils import run_sync

    from toolkit.batch.kernel import WarmKernel

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # where history would go
    kernel = WarmKernel()
    kernel.start()
    try:
        outputs: list[str] = []
        code = "ip = get_ipython(); print(ip.history_manager.enabled, ip.profile_dir.location)"
        run_sync(kernel.kc.execute_interactive)(
            code, timeout=60, output_hook=lambda msg: outputs.append(msg["content"].get("text", "")))
        enabled, profile = "".join(outputs).split()
        assert enabled == "False"
        assert profile.startswith(kernel._dir)  # the kernel's own folder, removed by close()
    finally:
        kernel.close()
    assert not Path(kernel._dir).exists()
    assert not list((tmp_path / "ipython").rglob("*"))  # no profile, no history.sqlite
