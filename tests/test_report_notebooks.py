"""The report notebooks on the sample trust: run by `toolkit batch` (papermill in warm kernels)
and by papermill directly; committee HTML and PDF checked for content, code, links and escaping."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from folder_digest import digest

from toolkit.reports import html as reports

pytestmark = [pytest.mark.notebook, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLE = ROOT / "inputs" / "sample_tracker.xlsx"
SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
# The sample trust's agreed designations for 2026/27 Autumn (sample spec, "designation story").
SCHOOLS = {
    900003: ("St Aldhelm's CofE Primary School", "Repair"),
    900006: ("Castle Hill Academy", "Stabilise"),
    900008: ("Westbury All-Through Academy", "Improve"),
}
# Fragments of notebook code that must never appear in a committee report.
CODE_MARKERS = (
    "from toolkit",
    "import ",
    "display(",
    "reports.table(",
    "read_tracker(",
    "tracker_path =",
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The committed sample tracker and its policy, copied so the tests never touch inputs/."""
    folder = tmp_path_factory.mktemp("inputs")
    shutil.copy(SAMPLE, folder / "sample_tracker.xlsx")
    if (SAMPLE.parent / "policy.toml").exists():
        shutil.copy(SAMPLE.parent / "policy.toml", folder / "policy.toml")
    return folder / "sample_tracker.xlsx"


def _batch_cmd(tracker: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "toolkit", "batch", str(tracker), "--term", "2026/27 Autumn",
        "--out", str(out), "--as-of", "2026-11-23", "--workers", "2", "--no-progress",
        "--schools", *map(str, SCHOOLS),
    ]  # fmt: skip


def _pdf_pages(path: Path) -> list[str]:
    import pypdf

    return [p.extract_text() for p in pypdf.PdfReader(str(path)).pages]


def _check_html(html: str) -> None:
    body = html[html.index("<main>") :]
    for marker in CODE_MARKERS:
        assert marker not in body, f"input code {marker!r} in the report"
    assert "In&nbsp;[" not in html and "Out[" not in html
    assert "<script" not in html.lower()
    assert reports.external_references(html) == []
    for tag in re.finditer(r"<(script|link|img|iframe)\b[^>]*>", html, re.I):
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", tag.group(0), re.I)
    assert "Provenance" in html and "SHA-256" in html




def test_batch_on_the_sample_trust(inputs, tmp_path):
    """One batch run (it is the slow part), checked from every side, then a second run killed midway.

    Kept as one test so that ``pytest -n 2`` runs the batch once, not once per worker.
    """
    out = tmp_path / "outputs"
    proc = subprocess.run(
        _batch_cmd(inputs, out), cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = (out / "2026-27-autumn" / "latest").resolve()
    _every_report_is_made_and_listed(run)
    _every_report_html_has_no_code_no_network_and_provenance(run)
    for urn in SCHOOLS:
        _school_pdfs_hold_school_designation_and_page_numbers(run, urn)
    _standards_committee_pdf_has_a_page_per_high_risk_school(run)
    _lsip_summary_shows_late_missing_reports_and_the_missed_visit(run)
    _killing_the_batch_midway_keeps_the_earlier_run_and_lists_only_complete_reports(
        inputs, out, run
    )


def _every_report_is_made_and_listed(run: Path) -> None:
    index = (run / "index.html").read_text()
    assert "Finished" in index
    for stem in ("trust/lsip-summary", "trust/standards-committee"):
        assert (run / f"{stem}.html").is_file() and (run / f"{stem}.pdf").is_file()
        assert f'href="{stem}.html"' in index and f'href="{stem}.pdf"' in index
    for urn in SCHOOLS:
        folders = list((run / "schools").glob(f"{urn}-*"))
        assert len(folders) == 1
        for stem in ("designation-review", "progress-board-pack"):
            assert (folders[0] / f"{stem}.html").is_file() and (
                folders[0] / f"{stem}.pdf"
            ).is_file()
    assert list((run / "calendars").glob("*.ics")), "calendar files"
    summary = pd.read_csv(run / "data" / "schools-summary.csv")
    got = dict(zip(summary["urn"].astype(int), summary["designation"], strict=True))
    for urn, (_, designation) in SCHOOLS.items():
        assert got[urn] == designation
    data = json.loads((run / "data" / "schools-summary.json").read_text())
    assert data["term"] == "2026/27 Autumn" and len(data["schools"]) == len(summary)


def _every_report_html_has_no_code_no_network_and_provenance(run: Path) -> None:
    reports_html = [p for p in sorted(run.rglob("*.html")) if p.name != "index.html"]
    assert len(reports_html) == 2 + 2 * len(SCHOOLS)
    for path in reports_html:
        _check_html(path.read_text())


def _school_pdfs_hold_school_designation_and_page_numbers(run: Path, urn: int) -> None:
    name, designation = SCHOOLS[urn]
    folder = next((run / "schools").glob(f"{urn}-*"))
    for stem in ("designation-review", "progress-board-pack"):
        pages = _pdf_pages(folder / f"{stem}.pdf")
        n = len(pages)
        text = "\n".join(pages)
        assert name in text and designation in text
        assert (
            "Severn Vale Academy Trust" in text
            and "2026/27 Autumn" in text
            and "OFFICIAL-SENSITIVE" in text
        )
        for i in range(1, n + 1):
            assert f"Page {i} of {n}" in pages[i - 1]


def _page_body(page: str) -> str:
    """A page's text without its margin boxes (header, marking, footer, page number), which
    some PDF engines put first in the extracted text."""
    body = re.sub(r"^.*?OFFICIAL-SENSITIVE\n", "", page, count=1, flags=re.S)  # header + marking
    body = re.sub(r"Page \d+ of \d+", "", body)
    body = re.sub(r"Severn Vale Academy Trust \u00b7 Standards Committee report \u00b7 OFFICIAL-SENSITIVE\n?", "", body)
    return body.lstrip()


def _standards_committee_pdf_has_a_page_per_high_risk_school(run: Path) -> None:
    pages = _pdf_pages(run / "trust" / "standards-committee.pdf")
    # each High-risk school's page starts with its heading; Westbury (Improve) gets none
    for urn in (900003, 900006):
        name, designation = SCHOOLS[urn]
        assert any(_page_body(p).startswith(f"{name}: {designation}") for p in pages)
    assert not any("Westbury All-Through Academy: Improve" in p for p in pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]


def _lsip_summary_shows_late_missing_reports_and_the_missed_visit(run: Path) -> None:
    html = (run / "trust" / "lsip-summary.html").read_text()
    # sample spec: Kingsmead's March 2026 minimum visit is missing; 3 late reports, 1 missing
    assert "Minimum SIP visit missed" in html and "Kingsmead Primary School" in html
    assert "Visit report sent late" in html and "Visit report not sent" in html


def _killing_the_batch_midway_keeps_the_earlier_run_and_lists_only_complete_reports(
    inputs: Path, out: Path, earlier: Path
) -> None:
    import os
    import signal
    import time

    before = digest(earlier)
    term_dir = out / "2026-27-autumn"
    proc = subprocess.Popen(_batch_cmd(inputs, out), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    staging = None
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and staging is None:
            for index in term_dir.glob("run-*.incomplete/index.html"):
                if re.search(r'href="(trust|schools)/', index.read_text()):
                    staging = index.parent
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch, its workers and their kernels
        proc.wait(timeout=30)
    assert staging is not None, "the second batch never listed a finished report"
    assert digest(earlier) == before
    assert (term_dir / "latest").resolve() == earlier
    index = (staging / "index.html").read_text()
    assert "Finished" not in index
    listed = re.findall(r'href="((?:trust|schools)/[^"]+)"', index)
    assert listed and len(listed) < 2 * (2 + 2 * len(SCHOOLS))
    for rel in listed:
        data = (staging / rel).read_bytes()
        if rel.endswith(".pdf"):
            assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
        else:
            assert data.rstrip().endswith(b"</html>")


# --------------------------------------------------------------------------- escaping, end to end


def _poison(src: Path, dest: Path, urn: int) -> None:
    """Copy the tracker with <script> in a school name and in that school's visit recommendations."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    for title, column in (("Schools", "School name"), ("Visits", "Recommendations")):
        ws = wb[title]
        headers = [c.value for c in ws[1]]
        urn_col, col = headers.index("URN") + 1, headers.index(column) + 1
        for row in range(2, ws.max_row + 1):
            if ws.cell(row, urn_col).value in (urn, str(urn)):
                old = ws.cell(row, col).value or ""
                ws.cell(row, col).value = f"{old} {SCRIPT}".strip()
    wb.save(dest)


def test_tracker_text_is_escaped_in_the_progress_board_pack(inputs, tmp_path):
    tracker = tmp_path / "poisoned.xlsx"
    _poison(inputs, tracker, 900003)
    nb = papermill.execute_notebook(
        str(NOTEBOOKS / "progress_board_pack.ipynb"),
        str(tmp_path / "out.ipynb"),
        parameters={
            "tracker": str(tracker),
            "urn": 900003,
            "term": "2026/27 Autumn",
            "as_of": "2026-11-23",
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    html = reports.render_html(nb)
    assert SCRIPT not in html
    # the school name (header, title); its apostrophe may itself be escaped, as &#39; or &#x27;
    apostrophes = html.replace("&#39;", "'").replace("&#x27;", "'")
    assert f"St Aldhelm's CofE Primary School {ESCAPED}" in apostrophes
    body = html[html.index("Visits and recommendations") :]
    assert ESCAPED in body  # a visit's recommendations
    _check_html(html)
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(reports.render_pdf(html))
    assert SCRIPT in "\n".join(_pdf_pages(pdf))  # shown as text, not run


def test_notebooks_are_thin_and_parameterised():
    for name in ("progress_board_pack", "lsip_summary", "standards_committee"):
        nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1
        assert set(papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))) >= {
            "tracker",
            "term",
            "as_of",
        }
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert all(len(src.splitlines()) <= 30 for src in code)
        assert not any(re.search(r"^\s*def ", src, re.M) for src in code), (
            "rules belong in toolkit/"
        )
