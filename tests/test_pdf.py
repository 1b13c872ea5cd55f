"""Both PDF engines print the committee CSS (A4, running header, "Page N of M") and fetch
nothing from any network while printing."""

from __future__ import annotations

import http.server
import io
import threading

import pypdf
import pytest

from toolkit.reports import pdf

PAGED = """<!DOCTYPE html><html><head><style>
@page { size: A4; margin: 20mm;
  @top-center { content: "Test Trust \\00b7 Castle Hill Academy"; }
  @bottom-center { content: "Page " counter(page) " of " counter(pages); } }
h2 { break-before: page; }
</style></head><body><h1>Designation review</h1><p>Stabilise</p><h2>Second page</h2></body></html>"""


@pytest.mark.parametrize("engine", sorted(pdf.ENGINES))
def test_engine_prints_a4_with_running_header_and_page_numbers(engine):
    reader = pypdf.PdfReader(io.BytesIO(pdf.html_to_pdf(PAGED, engine)))
    assert len(reader.pages) == 2
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    first, second = (p.extract_text() for p in reader.pages)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "Castle Hill Academy" in first and "Stabilise" in first


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body{color:red}")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.hits
    server.shutdown()


def _referencing(base: str) -> str:
    return (
        f'<html><head><link rel="stylesheet" href="{base}/style.css">'
        f"<style>@import url({base}/more.css); @font-face {{ font-family: X; src: url({base}/f.woff); }}</style>"
        f'</head><body><p style="font-family: X">Report</p><img src="{base}/chart.png"></body></html>'
    )


def test_chromium_prints_but_blocks_every_network_request(local_server):
    """A report that (wrongly) referenced a stylesheet, font and image on a server: Chromium
    still prints it, and the server, which is real and counts requests, gets none."""
    base, hits = local_server
    assert pdf.html_to_pdf(_referencing(base), "chromium").startswith(b"%PDF")
    assert hits == []


def test_weasyprint_refuses_a_network_reference_without_fetching_it(local_server):
    from weasyprint.urls import FatalURLFetchingError

    base, hits = local_server
    with pytest.raises(FatalURLFetchingError, match=base):
        pdf.html_to_pdf(_referencing(base), "weasyprint")
    assert hits == []


def test_unknown_engine_is_named():
    with pytest.raises(pdf.EngineUnavailable, match="choose one of chromium, weasyprint"):
        pdf.engine("latex")


def test_default_engine_follows_the_environment(monkeypatch):
    monkeypatch.setenv("TOOLKIT_PDF_ENGINE", "weasyprint")
    assert pdf.default_engine() == "weasyprint"
    monkeypatch.delenv("TOOLKIT_PDF_ENGINE")
    monkeypatch.setenv("TOOLKIT_CHROMIUM", "/nonexistent/chromium")
    assert pdf.default_engine() == "weasyprint"


def test_missing_chromium_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("TOOLKIT_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pdf.EngineUnavailable, match="make system-deps"):
        pdf.ChromiumEngine()


def test_chromium_engine_works_inside_a_running_event_loop():
    """A Jupyter kernel runs an asyncio loop; Playwright's sync API refuses such a thread,
    so the engine keeps its browser on a thread of its own."""
    import asyncio

    async def inside_the_loop() -> bytes:
        return pdf.html_to_pdf(PAGED, "chromium")

    assert asyncio.run(inside_the_loop()).startswith(b"%PDF")


# --------------------------------------------------------------------------- contents page numbers

SECTIONED = """<!DOCTYPE html><html lang="en-GB"><head><style>
@page { size: A4; margin: 20mm; }  .new-page { break-before: page; }
</style></head><body><h1>Designation review</h1>
<nav class="contents" aria-labelledby="contents-heading"></nav>
<h2 id="Summary" class="new-page">Summary</h2><p>One.</p>
<h2 id="Ofsted">Ofsted</h2><p>Still page two.</p>
<h2 id="Visits" class="new-page">Visits</h2><p>Three.</p>
<h2 id="Visits-2" class="new-page">Visits</h2><p>Four: the same title again.</p>
</body></html>"""


@pytest.mark.parametrize("engine", sorted(pdf.ENGINES))
def test_contents_get_the_pages_their_sections_print_on(engine):
    """The draft print gives each heading its page (two sections with one title keep their
    own pages); the numbers go into the contents list of the final HTML."""
    from toolkit.reports.html import contents_pages, fill_contents

    body = fill_contents(SECTIONED)
    assert '<a href="#Summary">Summary</a><span class="toc-page"></span>' in body
    pages = contents_pages(body, pdf.html_to_pdf(body, engine, draft=True))
    assert pages == {"Summary": 2, "Ofsted": 2, "Visits": 3, "Visits-2": 4}
    final = fill_contents(body, pages)
    assert '<a href="#Visits-2">Visits</a><span class="toc-page">4</span>' in final


def test_a_draft_is_untagged_and_the_final_print_tagged_with_bookmarks():
    """Only the final PDF needs the structure tree (screen readers) and the outline; the
    draft that only tells the page breaks skips both, and breaks its pages the same way."""
    draft = pypdf.PdfReader(io.BytesIO(pdf.html_to_pdf(SECTIONED, "chromium", draft=True)))
    final = pypdf.PdfReader(io.BytesIO(pdf.html_to_pdf(SECTIONED, "chromium")))
    assert "/StructTreeRoot" in final.trailer["/Root"] and "/StructTreeRoot" not in draft.trailer["/Root"]
    assert final.outline and not draft.outline
    assert len(draft.pages) == len(final.pages) == 4


@pytest.mark.parametrize("engine", sorted(pdf.ENGINES))
def test_a_numbered_pdf_prints_the_numbers_its_html_has(engine):
    """The final PDF (Chromium sets the numbers in the page it already loaded; WeasyPrint
    prints the final HTML) shows the same contents list, numbers included, as the HTML
    written beside it, and every section on the page its entry gives."""
    from toolkit.reports.html import _numbered, fill_contents

    final_html, final_pdf = pdf.numbered_pdf(fill_contents(SECTIONED), _numbered, engine)
    assert '<a href="#Visits-2">Visits</a><span class="toc-page">4</span>' in final_html
    reader = pypdf.PdfReader(io.BytesIO(final_pdf))
    texts = [p.extract_text() for p in reader.pages]
    contents = " ".join(texts[0].split())
    assert "Summary2" in contents.replace(" ", "") and "Visits4" in contents.replace(" ", "")
    assert "Four: the same title again." in texts[3] and "Still page two." in texts[1]
    if engine == "chromium":
        assert "/StructTreeRoot" in reader.trailer["/Root"] and reader.outline


def test_pdfs_print_with_the_headless_shell_when_installed_else_the_browser(monkeypatch, tmp_path):
    """Debian's chromium-headless-shell prints (same pages, faster); the full browser is
    the fallback and stays the browser of the end-to-end tests; $TOOLKIT_CHROMIUM wins."""
    installed = {"chromium": "/usr/bin/chromium", "chromium-headless-shell": "/usr/bin/chromium-headless-shell"}
    monkeypatch.delenv("TOOLKIT_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", installed.get)
    assert pdf.print_executable() == "/usr/bin/chromium-headless-shell"
    assert pdf.chromium_executable() == "/usr/bin/chromium"
    del installed["chromium-headless-shell"]
    assert pdf.print_executable() == "/usr/bin/chromium"
    mine = tmp_path / "my-chromium"
    mine.write_text("")
    monkeypatch.setenv("TOOLKIT_CHROMIUM", str(mine))
    installed["chromium-headless-shell"] = "/usr/bin/chromium-headless-shell"
    assert pdf.print_executable() == pdf.chromium_executable() == str(mine)
