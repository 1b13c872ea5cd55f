"""Print layout of every committee report of the sample term, checked in Chromium and in
the PDFs it prints: no word overflows or breaks inside a table cell (the "Designatio n"
headers and the one-letter-wide "Flags" column of issue 12), A4 pages (portrait, and
landscape for the wide overview), no page ending on a table header or a heading, a
cover sheet whose every key message links to its section, and a contents list with the
page numbers the PDF really has. Page 1 of every PDF is rendered to PNG as an artifact.
"""

from __future__ import annotations

import html as html_module
import io
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_checks import layout_defects, offline_chromium_page, report_files

pytestmark = pytest.mark.e2e

@pytest.fixture(scope="module")
def browser_page():
    with offline_chromium_page() as page:
        yield page


# --------------------------------------------------------------------------- the checker can fail


def test_the_layout_check_finds_broken_words_and_overflowing_cells(browser_page, tmp_path):
    """The old layout (fixed table layout, narrow columns, overflow-wrap: break-word) is
    caught: a header broken mid-word and a word wider than its cell."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en-GB"><body><table style="table-layout:fixed;width:200px">'
        '<colgroup><col style="width:30px"><col style="width:170px"></colgroup>'
        '<thead><tr><th style="overflow-wrap:break-word">Designation</th><th>Note</th></tr></thead>'
        "<tbody><tr><td>Improvement</td><td>fine</td></tr></tbody></table></body></html>"
    )
    defects = layout_defects(browser_page, page.as_uri())
    assert any('word broken across lines: "Designation"' in d for d in defects), defects
    assert any("cell overflows" in d and "Improvement" in d for d in defects), defects


def test_every_report_lays_out_without_overflowing_or_broken_words(browser_page, sample_term_reports):
    files = report_files(sample_term_reports)
    assert len(files) == 22  # 2 trust reports + 2 for each of the 10 schools
    found = {}
    for path in files:
        defects = layout_defects(browser_page, path.as_uri())
        if defects:
            found[str(path.relative_to(sample_term_reports))] = defects[:5]
    assert found == {}


# --------------------------------------------------------------------------- the PDFs


class _Outline(HTMLParser):
    """Headings and table headers of a report, in order (what must not end a page)."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.headers: list[str] = []
        self._in: str | None = None
        self._buf: list[str] = []
        self._thead = False
        self._row: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "h4"):
            self._in, self._buf = tag, []
        elif tag == "thead":
            self._thead, self._row = True, []
        elif tag == "th" and self._thead:
            self._in, self._buf = "th", []

    def handle_endtag(self, tag):
        if tag == self._in and tag in ("h2", "h3", "h4"):
            self.headings.append(" ".join("".join(self._buf).replace("\u00b6", "").split()))
            self._in = None
        elif tag == "th" and self._in == "th":
            self._row.append(" ".join("".join(self._buf).split()))
            self._in = None
        elif tag == "thead":
            self._thead = False
            self.headers.append(" ".join(self._row))

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)


def _words(text: str) -> list[str]:
    """Words as a reader sees them: ligatures the PDF's text layer keeps (\ufb00 for "ff" in
    "different") are spelt out (NFKC)."""
    return re.findall(r"\S+", unicodedata.normalize("NFKC", text))


def _ends_with(page_words: list[str], block: str) -> bool:
    want = _words(block)
    return bool(want) and Counter(page_words[-len(want):]) == Counter(want)


def orphan_defects(html: str, pdf: bytes) -> list[str]:
    """Pages whose last words are a table's header row (no body row under it) or a heading."""
    parsed = _Outline()
    parsed.feed(html)
    defects = []
    pages = PdfReader(io.BytesIO(pdf)).pages
    for n, page in enumerate(pages[:-1], start=1):  # the last page ends the report
        words = _words(page.extract_text() or "")
        for header in parsed.headers:
            if _ends_with(words, header):
                defects.append(f"page {n} ends with a table header row: {header[:60]}")
        for heading in parsed.headings:
            if _ends_with(words, heading):
                defects.append(f"page {n} ends with the heading {heading!r}")
    return defects


def test_the_orphan_check_finds_a_header_row_at_a_page_foot():
    html = "<table><thead><tr><th>School</th><th>Risk</th></tr></thead></table><h2>Support</h2>"
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    assert orphan_defects(html, buf.getvalue()) == []  # blank pages end with nothing
    # what a page's text ends with decides it
    assert _ends_with(_words("Page 3 of 9 ... rows above School Risk"), "School Risk")
    assert not _ends_with(_words("School Risk Castle Hill High risk"), "School Risk")


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


#: Page 1 of every report, kept after the run for a person to look at (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[1] / "outputs" / "test-artifacts" / "report-page-1"


def test_every_pdf_is_a4_with_no_orphaned_header_or_heading(sample_term_reports):
    pngs = ARTIFACTS
    shutil.rmtree(pngs, ignore_errors=True)
    pngs.mkdir(parents=True)
    problems: dict[str, list[str]] = {}
    landscape: dict[str, int] = {}
    for html_path in report_files(sample_term_reports):
        pdf_path = html_path.with_suffix(".pdf")
        pdf = pdf_path.read_bytes()
        name = str(html_path.relative_to(sample_term_reports))
        sizes = _page_sizes(pdf)
        mine = [f"page size {s} is not A4" for s in sizes if s not in {(595, 842), (842, 595)}]
        mine += orphan_defects(html_path.read_text(encoding="utf-8"), pdf)
        if mine:
            problems[name] = mine
        landscape[name] = sum(1 for s in sizes if s == (842, 595))
        if shutil.which("pdftoppm"):  # the artifact a person looks at
            stem = name.replace("/", "__").removesuffix(".html")
            subprocess.run(
                ["pdftoppm", "-f", "1", "-l", "1", "-r", "60", "-png", "-singlefile", str(pdf_path), str(pngs / stem)],
                check=True,
            )
    print(f"\nPage 1 of every report, as PNG: {pngs}")
    assert problems == {}
    # the one-page overview prints landscape in both trust reports
    assert landscape["trust/standards-committee.html"] >= 1
    assert landscape["trust/lsip-summary.html"] >= 1


def test_pdfs_are_tagged_with_a_language_and_an_outline(sample_term_reports):
    pdf = PdfReader(str(sample_term_reports / "trust" / "standards-committee.pdf"))
    root = pdf.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert "/StructTreeRoot" in root
    assert str(root.get("/Lang", "")).lower().startswith("en")
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(pdf.outline)
    assert "Cover sheet" in titles and "Trust overview" in titles and "High risk schools" in titles


# --------------------------------------------------------------------------- cover sheet and contents


def test_the_standards_report_opens_with_a_cover_whose_messages_link_to_their_sections(sample_term_reports):
    html = (sample_term_reports / "trust" / "standards-committee.html").read_text(encoding="utf-8")
    cover = html[html.index('id="cover-sheet"'):html.index("</section>", html.index('id="cover-sheet"'))]
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', cover)
    assert len(links) >= 5
    assert [text for target, text in links if target not in ids] == []  # every link lands
    text = html_module.unescape(" ".join(t for _, t in links))
    assert "2 schools at High risk: Castle Hill Academy (Stabilise), St Aldhelm's CofE Primary School (Repair)." in text
    assert "SIA support under-delivered at Castle Hill Academy." in text
    assert "3 visit reports late" in text
    assert "For information and assurance" in cover and "27 November 2026" in cover
    assert "The meeting is asked to" in cover
    # no code reaches the page as a label
    body = re.sub(r"<[^>]+>", " ", html)
    assert "late_report" not in body and "sip_days_under" not in body


CONTENTS = [
    # (report, sections it lists at least, pages it runs to at least)
    ("trust/standards-committee", 8, 9),
    ("trust/lsip-summary", 5, 5),
    ("schools/900006-castle-hill-academy/designation-review", 8, 10),
    ("schools/900006-castle-hill-academy/progress-board-pack", 7, 5),
    ("schools/900001-brookside-primary-school/designation-review", 8, 10),
]


@pytest.mark.parametrize(("report", "sections", "pages"), CONTENTS, ids=[c[0].split("/")[-1] for c in CONTENTS])
def test_contents_page_numbers_match_the_pdf(sample_term_reports, report, sections, pages):
    """Every committee report runs to several pages, so each lists its sections with the
    page each starts on; every number is the page of the final PDF the heading is on."""
    html = (sample_term_reports / f"{report}.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav[^>]*class="contents".*?</nav>', html, re.S).group(0)
    entries = re.findall(r'<a href="#([^"]+)">([^<]+)</a><span class="toc-page">(\d*)</span>', nav)
    assert len(entries) >= sections and all(page for _, _, page in entries), entries
    pdf = PdfReader(str(sample_term_reports / f"{report}.pdf"))
    assert len(pdf.pages) >= pages
    texts = [" ".join(_words(p.extract_text() or "")) for p in pdf.pages]
    for _, title, page in entries:
        heading = " ".join(_words(html_module.unescape(title)))
        assert heading in texts[int(page) - 1], f"{report}: {title!r} is not on page {page}"
    numbers = [int(page) for _, _, page in entries]
    assert numbers == sorted(numbers)  # listed in the order they are printed


def test_outcomes_are_one_table_per_phase_marked_against_national(sample_term_reports):
    html = (sample_term_reports / "trust" / "standards-committee.html").read_text(encoding="utf-8")
    captions = re.findall(r'<table class="report-table compact outcomes"><caption>([^<]+)</caption>', html)
    assert captions == [
        "All-through: headline results, all pupils",
        "Primary: headline results, all pupils",
        "Secondary: headline results, all pupils",
    ]
    # on the significance basis: Castle Hill's Progress 8 (-0.63) is below national (its
    # interval excludes 0.00), Oakfield's (0.23) above; Attainment 8 is context, unmarked
    secondary = html[html.index("Secondary: headline results, all pupils"):]
    castle = re.search(r"Castle Hill Academy</th>(.*?)</tr>", secondary, re.S).group(1)
    assert "-0.63 <span class=\"mark mark-below\">\u25bc\u00a0below</span>" in castle
    oakfield = re.search(r"Oakfield School</th>(.*?)</tr>", secondary, re.S).group(1)
    assert "0.23 <span class=\"mark mark-above\">\u25b2\u00a0above</span>" in oakfield
    assert re.search(r">39\.8</td>", castle)  # Attainment 8: no mark


def test_visits_are_blocks_not_seven_column_tables(sample_term_reports):
    for rel in ("trust/lsip-summary.html", "schools/900006-castle-hill-academy/progress-board-pack.html"):
        html = (sample_term_reports / rel).read_text(encoding="utf-8")
        assert html.count('<article class="visit">') >= 1, rel
        assert "<th scope=\"col\">Recommendations</th>" not in html, rel


def test_index_shows_the_term_at_a_glance_with_thumbnails(sample_term_reports):
    index = (sample_term_reports / "index.html").read_text(encoding="utf-8")
    assert "The term at a glance" in index
    glance = index[index.index("The term at a glance"):index.index('<ul class="cards">')]
    assert re.search(r'Stabilise</th><td class="risk-High">High risk</td><td class="num">1<', glance)
    assert re.search(r'Improve</th><td class="risk-Some">Some risk</td><td class="num">5<', glance)
    # this academic year's findings (the summary's window): Westbury's September report
    assert "Westbury All-Through Academy: visit report not sent (1)" in glance
    assert "Castle Hill Academy: under-delivery: SIA days used 6 of 20" in glance
    assert 'Castle Hill Academy (900006)<span class="standing"> \u00b7 Stabilise, High risk</span>' in index
    thumbs = re.findall(r'<img src="(thumbnails/[^"]+\.png)" alt="First page of [^"]+"', index)
    if shutil.which("pdftoppm"):
        assert len(thumbs) == 22
        assert all((sample_term_reports / t).read_bytes().startswith(b"\x89PNG") for t in thumbs)
