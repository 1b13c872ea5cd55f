"""Committee HTML/PDF rendering: no code, no network references, escaping, header/footer, provenance."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from toolkit import __version__
from toolkit.outputs import sha256_file
from toolkit.reports import html as reports

SCRIPT = "<script>alert(1)</script>"
WHEN = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)


def _display(obj) -> dict:
    return new_output("display_data", data={"text/html": str(obj)})


def _header_output(tracker_path: Path, school: str) -> dict:
    meta = {
        "title": "Progress Board pack",
        "trust": "Severn Vale Academy Trust",
        "marking": "OFFICIAL-SENSITIVE",
        "school": school,
        "term": "2026/27 Autumn",
        "tracker_name": tracker_path.name,
        "tracker_sha256": sha256_file(tracker_path),
    }
    return new_output(
        "display_data", data={reports.REPORT_MIME: meta, "text/html": "<h1>banner</h1>"}
    )


@pytest.fixture()
def executed_nb(tmp_path: Path) -> nbformat.NotebookNode:
    """An 'executed' notebook built by hand: code, outputs and papermill metadata, no kernel needed."""
    tracker = tmp_path / "tracker.xlsx"
    tracker.write_bytes(b"not really a workbook, but it has a hash")
    frame = pd.DataFrame(
        {"School": [f"Brook {SCRIPT}"], "Recommendation": [f"Do {SCRIPT} & more"], "Days": [2.5]}
    )
    code = new_code_cell("SECRET_CODE_MARKER = 1\nprint('x')", execution_count=3)
    code.outputs = [
        _header_output(tracker, f"Brook {SCRIPT}"),
        _display(reports.heading(f"Visits at {SCRIPT}")),
        _display(reports.table(frame)),
        _display(reports.text(f"Line one\n{SCRIPT}")),
        _display(reports.heading("Castle Hill Academy", new_page=True)),
        new_output("stream", name="stderr", text="DeprecationWarning: noisy"),
        new_output(
            "display_data", data={"application/javascript": "alert('js')", "text/plain": "js"}
        ),
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
    ]
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Narrative\nSee [the guidance](https://www.gov.uk/guidance)."),
            code,
        ]
    )
    nb.metadata["papermill"] = {
        "parameters": {"tracker": str(tracker), "urn": 900001, "term": "2026/27 Autumn"},
        "input_path": "notebooks/progress_board_pack.ipynb",
    }
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_escape_blanks_and_markup():
    assert reports.escape(None) == ""
    assert reports.escape(float("nan")) == ""
    assert reports.escape(pd.NaT) == ""
    assert reports.escape(SCRIPT) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert reports.escape('a "b" & c') == "a &quot;b&quot; &amp; c"
    assert reports.escape(pd.Timestamp("2026-11-03")) == "3 Nov 2026"


def test_table_escapes_every_cell_and_header_and_shows_suppressed():
    frame = pd.DataFrame({SCRIPT: ["<b>x</b>", "suppressed"], "n": [1.0, float("nan")]})
    out = str(reports.table(frame))
    assert "<script>" not in out and "<b>x</b>" not in out
    assert "&lt;script&gt;" in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert '<td class="suppressed">suppressed</td>' in out
    # a suppressed group never shows as 0
    assert ">0<" not in out and ">0.0<" not in out


def test_html_has_no_code_prompts_scripts_or_network_references(executed_nb):
    html = reports.render_html(executed_nb, generated_at=WHEN)
    assert "SECRET_CODE_MARKER" not in html  # no input code
    assert "In&nbsp;[" not in html and "Out[" not in html  # no prompts
    assert "<script" not in html.lower()  # no scripts at all, not even the escaped payload's tag
    assert "noisy" not in html  # warnings on stderr are not committee material
    assert "widget-state" not in html
    assert reports.external_references(html) == []
    for m in re.finditer(r"<(script|link|img|iframe)\b[^>]*>", html, re.I):
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", m.group(0), re.I), m.group(0)
    assert not re.search(r"@import\s+url\(\s*[\"']?https?:", html, re.I)
    # a plain link in the narrative is allowed: it fetches nothing
    assert 'href="https://www.gov.uk/guidance"' in html
    # images are embedded, not linked
    assert "data:image/png;base64,iVBORw0KGgo=" in html


def test_external_references_detects_cdn_scripts_and_css_imports():
    bad = '<script src="https://cdn.example/require.js"></script><style>@import url("https://fonts.example/x.css");</style><img src="//cdn/x.png">'
    assert len(reports.external_references(bad)) == 3
    assert reports.external_references('<a href="https://example.org">ok</a>') == []


def test_tracker_text_is_escaped_in_body_and_header(executed_nb):
    html = reports.render_html(executed_nb, generated_at=WHEN)
    assert SCRIPT not in html
    assert "Brook &lt;script&gt;alert(1)&lt;/script&gt;" in html  # school name in header/title
    assert "Do &lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html  # recommendation in table
    assert "Visits at &lt;script&gt;" in html


def test_provenance_block(executed_nb, tmp_path):
    html = reports.render_html(executed_nb, generated_at=WHEN)
    prov = html[html.index('class="provenance"') :]
    assert "tracker.xlsx" in prov
    assert sha256_file(tmp_path / "tracker.xlsx") in prov
    assert "<code>urn</code> = 900001" in prov and "<code>term</code> = 2026/27 Autumn" in prov
    assert __version__ in prov
    assert "2026-11-23 09:30:00 UTC" in prov
    assert "progress_board_pack.ipynb" in prov


def test_provenance_without_report_header_hashes_the_tracker_parameter(executed_nb, tmp_path):
    cell = executed_nb.cells[1]
    cell.outputs = [o for o in cell.outputs if reports.REPORT_MIME not in o.get("data", {})]
    meta = reports.report_meta(
        executed_nb, {"title": "Designation review", "school": "Oakfield School"}, generated_at=WHEN
    )
    assert meta.tracker_sha256 == sha256_file(tmp_path / "tracker.xlsx")
    assert meta.trust and meta.marking  # from the policy
    assert meta.title == "Designation review" and meta.school == "Oakfield School"


def test_pdf_is_a4_with_header_footer_and_page_numbers(executed_nb, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    html_path, pdf_path = tmp_path / "r.html", tmp_path / "r.pdf"
    meta = reports.write_report(executed_nb, html_path, pdf_path, generated_at=WHEN)
    assert meta.school.startswith("Brook")
    reader = pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes()))
    n = len(reader.pages)
    assert n >= 2  # the High-risk school heading starts a new page
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4 in points
    texts = [p.extract_text() for p in reader.pages]
    for i, t in enumerate(texts, start=1):
        assert f"Page {i} of {n}" in t
        assert (
            "Severn Vale Academy Trust" in t and "OFFICIAL-SENSITIVE" in t and "2026/27 Autumn" in t
        )
        assert (
            "Brook <script>alert(1)</script>" in t
        )  # the school, as text (it was escaped in the HTML)
    assert texts[-1].count("Castle Hill Academy") >= 1 and "Castle Hill Academy" not in texts[0]


def test_write_report_is_atomic_and_leaves_no_temporary_files(executed_nb, tmp_path):
    reports.write_report(
        executed_nb, tmp_path / "out" / "r.html", tmp_path / "out" / "r.pdf", generated_at=WHEN
    )
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["r.html", "r.pdf"]


def test_css_string_keeps_tracker_text_inside_the_print_css():
    """A school name reaches the @page header as a CSS string: quotes, backslashes and
    '</style>' must stay text, not end the string or the style element."""
    hostile = 'St "A" \\ </style><script>alert(1)</script>'
    quoted = reports.css_string(hostile)
    inner = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in inner and "<" not in inner and ">" not in inner
    assert inner.startswith("St \\22 A\\22  \\5c  \\3c /style\\3e ")
    meta = reports.ReportMeta(trust="Trust", school=hostile, term="2026/27 Autumn", marking="OFFICIAL")
    assert "</style>" not in meta.page_css() and "<script>" not in meta.page_css()


def test_lab_only_cells_are_left_out_of_the_report(executed_nb):
    """The notebook's own title and its JupyterLab instructions are for whoever runs it; the
    report template prints the title, so they would only repeat it or confuse a committee."""
    lab = new_markdown_cell("# Designation review\n\nSet `interactive = True` in JupyterLab.")
    lab.metadata["tags"] = ["lab-only"]
    executed_nb.cells.insert(0, lab)
    html = reports.render_html(executed_nb, generated_at=WHEN)
    assert "interactive = True" not in html and "Set <code>interactive" not in html
    assert "Narrative" in html  # untagged narrative stays
