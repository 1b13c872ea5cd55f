"""Committee-ready output: an executed notebook becomes a self-contained HTML file and an A4 PDF.

Why here and not in nbconvert's CLI: committee papers are emailed and printed, so the
HTML must carry no code, no prompts and no network references (no CDN scripts, fonts or
MathJax), every value from the tracker must be escaped, and the PDF needs a header and
footer naming the trust, school, term and the policy's protective marking. Every report
also states its provenance (tracker file and SHA-256, parameters, toolkit version, time).

Notebooks call the small display helpers here (``report_header``, ``table``, ``text``,
``heading``) so tracker text is escaped wherever it is shown; the batch and the tests call
``render_html`` / ``render_pdf`` / ``write_report``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

import toolkit
from toolkit.outputs import atomic_write, sha256_file
from toolkit.privacy.suppression import SUPPRESSED
from toolkit.privacy.text import strip_control
from toolkit.tracker.queries import is_blank

#: Mime type of the hidden output a notebook emits (``report_header``) to tell the renderer
#: its title, school and term. The renderer strips it before export.
REPORT_MIME = "application/vnd.school-improvement-toolkit.report+json"
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "report"

# Attributes that fetch when the page is opened, on any element (``href`` on every element
# but a plain link, which fetches nothing until clicked); checked by ``external_references``.
_FETCHING_ATTRS = ("src", "srcset", "poster", "data", "background", "href", "xlink:href", "imagesrcset", "lowsrc", "dynsrc")
_CLICK_ONLY = ("a", "area")
_REMOTE = re.compile(r"^\s*(//|[a-z][a-z0-9+.-]*:)", re.IGNORECASE)
_LOCAL_SCHEMES = ("data:", "about:", "#", "mailto:", "tel:", "javascript:")


# --------------------------------------------------------------------------- escaping helpers


def escape(value: object) -> str:
    """HTML-escape any value from the tracker; blank (None/NaN/NaT) becomes ''.

    Tracker free text (school names, evidence, visit recommendations) is typed by people
    and may hold ``<`` or ``&``; it must never reach a report as markup (DOMAIN.md: free
    text is escaped wherever rendered).
    """
    if is_blank(value):  # None, NaN, NaT, pd.NA
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%-d %b %Y")
    return html.escape(strip_control(str(value)), quote=True)


class HTML:
    """A fragment of already-escaped HTML that Jupyter displays as text/html."""

    def __init__(self, markup: str) -> None:
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __add__(self, other: HTML) -> HTML:
        return HTML(self.markup + str(other))


def text(value: object, *, tag: str = "p", cls: str = "free-text") -> HTML:
    """Free text from the tracker as an escaped paragraph; line breaks are kept by CSS."""
    body = escape(value) or '<span class="suppressed">(none recorded)</span>'
    return HTML(f'<{tag} class="{cls}">{body}</{tag}>')


def heading(
    value: object, level: int = 2, *, new_page: bool = False, anchor: str | None = None
) -> HTML:
    """A heading whose text may come from the tracker (a school name), escaped.

    ``new_page`` starts a new printed page (the Standards Committee's page per High-risk school).
    """
    cls = ' class="new-page"' if new_page else ""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return HTML(f"<h{level}{cls}{ident}>{escape(value)}</h{level}>")


def _decimals(value: float) -> int:
    """Places a figure needs on its own: integers none, 10 and above one, smaller ones two."""
    if value == int(value):
        return 0
    return 1 if abs(value) >= 10 else 2


def column_precision(values: Iterable[object]) -> int:
    """One precision for a whole numeric column: the most any of its figures needs.

    A committee reads down a column; 2.10, 0.0 and 1.80 in one column look like different
    kinds of figure, so every figure in a column is shown at the same number of places.
    """
    places = [
        _decimals(float(v))
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and not is_blank(v)
    ]
    return max(places, default=0)


def _cell(value: object, formatter: Any = None, places: int | None = None) -> str:
    if formatter is not None and not is_blank(value):
        return escape(formatter(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return multiline(value)
    if isinstance(value, int | float) and not is_blank(value):
        p = _decimals(float(value)) if places is None else places
        return escape(f"{float(value):,.{p}f}")
    return escape(value)


_DATE = re.compile(r"^(\w{3} )?\d{1,2} \w{3,9} \d{4}$")

#: Tables with at least this many columns are set a size smaller (more fits on a line).
WIDE_COLUMNS = 5
#: Tables with at least this many columns are printed on a landscape page (``@page wide``).
LANDSCAPE_COLUMNS = 9


def table(
    frame: pd.DataFrame,
    *,
    caption: str | None = None,
    formatters: Mapping[str, Any] | None = None,
    row_classes: Iterable[str] | None = None,
    compact: bool | None = None,
    empty: str = "None.",
    landscape: bool | None = None,
    row_headers: bool = False,
) -> HTML:
    """A DataFrame as an escaped HTML table (every header and cell escaped).

    ``row_classes`` gives a CSS class per row (e.g. ``rag-Red``); a value equal to the string
    "suppressed" is shown as suppressed, never as 0. Small tables (``compact``, default: up to
    15 rows) are kept on one printed page. Numbers are right-aligned at one precision per
    column (``column_precision``). Column headers are ``<th scope="col">`` and, with
    ``row_headers``, each row's first cell is its ``<th scope="row">`` (what a screen reader
    announces). Wide tables (``landscape``, default: ``LANDSCAPE_COLUMNS`` or more columns)
    print on a landscape page. Column widths are left to the browser (auto layout), so no
    column is narrower than its longest word and no word is broken.
    """
    if frame is None or len(frame) == 0:
        return HTML(f'<p class="empty">{escape(empty)}</p>')
    formatters = dict(formatters or {})
    compact = len(frame) <= 15 if compact is None else compact
    landscape = len(frame.columns) >= LANDSCAPE_COLUMNS if landscape is None else landscape
    classes = list(row_classes) if row_classes is not None else [""] * len(frame)
    kinds = (
        ["report-table"]
        + (["compact"] if compact else [])
        + (["wide"] if len(frame.columns) >= WIDE_COLUMNS else [])
    )
    out = [f'<table class="{" ".join(kinds)}">']
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    numeric = {
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    }
    # object columns of figures (a figure or "suppressed") are numbers too
    for c in frame.columns:
        if c not in numeric and frame[c].dtype == object:
            vals = [v for v in frame[c] if not is_blank(v) and v != SUPPRESSED]
            if vals and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in vals
            ):
                numeric.add(c)
    places = {c: column_precision(frame[c]) for c in numeric if c not in formatters}
    dates = {
        c
        for c in frame.columns
        if c not in numeric
        and frame[c].notna().any()
        and all(isinstance(v, str) and _DATE.match(v) for v in frame[c] if not is_blank(v) and v != "")
    }
    out.append("<thead><tr>")
    out.extend(
        f'<th scope="col"{" class=num" if c in numeric else ""}>{escape(c)}</th>' for c in frame.columns
    )
    out.append("</tr></thead><tbody>")
    for cls, row in zip(classes, frame.itertuples(index=False, name=None), strict=False):
        out.append(f'<tr class="{escape(cls)}">' if cls else "<tr>")
        for i, (col, value) in enumerate(zip(frame.columns, row, strict=True)):
            tag = "th" if (i == 0 and row_headers) else "td"
            scope = ' scope="row"' if tag == "th" else ""
            if isinstance(value, str) and value == SUPPRESSED:
                out.append(f'<{tag}{scope} class="suppressed">suppressed</{tag}>')
                continue
            num = ' class="num"' if col in numeric else (' class="date"' if col in dates else "")
            shown = _cell(value, formatters.get(col), places.get(col))
            out.append(f"<{tag}{scope}{num}>{shown}</{tag}>")
        out.append("</tr>")
    out.append("</tbody></table>")
    if landscape:
        out = ['<div class="landscape-page">', *out, "</div>"]
    return HTML("".join(out))


def bullet_list(items: Iterable[object], *, empty: str = "None.") -> HTML:
    """Escaped bullet list of tracker text."""
    items = [i for i in items if not is_blank(i)]
    if not items:
        return HTML(f'<p class="empty">{escape(empty)}</p>')
    return HTML(
        "<ul>" + "".join(f'<li class="free-text">{escape(i)}</li>' for i in items) + "</ul>"
    )


def multiline(value: object) -> str:
    """Escaped text whose typed line breaks stay visible (a recommendation a line)."""
    return "<br>".join(escape(line) for line in str(value).split("\n"))


def visit_blocks(visits: pd.DataFrame, *, empty: str = "No visits reported in this period.") -> HTML:
    """Each visit as a block a committee member can read: a line with the date, role,
    visitor and purpose, then its outcomes and recommendations as paragraphs (not a
    seven-column table whose text runs fifteen narrow lines per cell).

    ``visits`` has the columns of ``committee.visit_table`` (any may be missing).
    """
    if visits is None or len(visits) == 0:
        return HTML(f'<p class="empty">{escape(empty)}</p>')
    out = ['<div class="visits">']
    for r in visits.to_dict("records"):
        line = " \u00b7 ".join(
            escape(r.get(k)) for k in ("Date", "Role", "Visitor") if not is_blank(r.get(k))
        )
        out.append(f'<article class="visit"><h4 class="visit-line">{line}</h4>')
        if not is_blank(r.get("Purpose")):
            out.append(f'<p class="visit-purpose"><strong>Purpose:</strong> {multiline(r["Purpose"])}</p>')
        for key in ("Outcomes", "Recommendations"):
            if key in r:
                body = ("" if is_blank(r[key]) else multiline(r[key])) or '<span class="suppressed">(none recorded)</span>'
                out.append(f'<p class="free-text"><strong>{key}:</strong> {body}</p>')
        facts = []
        if not is_blank(r.get("Recommended designation")):
            facts.append(f"Recommended designation: {escape(r['Recommended designation'])}")
        if "Report sent" in r:
            facts.append(f"Report sent: {escape(r['Report sent']) or 'not yet'}")
        if facts:
            out.append('<p class="visit-facts">' + " \u00b7 ".join(facts) + "</p>")
        out.append("</article>")
    out.append("</div>")
    return HTML("".join(out))


CONTENTS_MARK = '<nav class="contents" aria-labelledby="contents-heading"></nav>'
_NAV = re.compile(r'<nav\b[^>]*\bclass="contents"[^>]*>.*?</nav>', re.DOTALL)
_H2 = re.compile(r'<h2\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h2>', re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


def contents() -> HTML:
    """Where the contents list goes; the renderer fills it with the report's sections
    (its ``<h2>`` headings) and, once the PDF is printed, their page numbers."""
    return HTML(CONTENTS_MARK)


def _heading_text(markup: str) -> str:
    return html.unescape(_TAGS.sub("", markup)).replace("\u00b6", "").strip()


def fill_contents(body: str, pages: Mapping[str, int] | None = None) -> str:
    """``body`` with its contents list filled in: one entry per section heading, linked,
    with its page number when ``pages`` (heading id -> page) is given."""
    found = _NAV.search(body)
    if found is None:
        return body
    start, end = found.span()
    rest = body[end:]
    entries = []
    for ident, inner in _H2.findall(rest):
        if ident in {"contents-heading"} or ident == "Provenance":
            continue
        page = (pages or {}).get(ident)
        shown = f"{page}" if page else ""
        entries.append(
            f'<li><a href="#{escape(html.unescape(ident))}">{escape(_heading_text(inner))}</a>'
            f'<span class="toc-page">{shown}</span></li>'
        )
    nav = (
        '<nav class="contents" aria-labelledby="contents-heading">'
        '<h2 id="contents-heading">Contents</h2>'
        f'<ol>{"".join(entries)}</ol>'
        "</nav>"
    )
    return body[:start] + nav + rest


def contents_pages(body: str, pdf: bytes) -> dict[str, int]:
    """Which printed page each section heading of ``body`` falls on.

    Chromium cannot number pages in CSS (``target-counter``), so the report is printed
    once as a draft and the page of each heading read from that PDF, then printed again
    with the numbers. The contents list links to every heading, and a PDF gives each link
    target a named destination on its page: exact, and present in an untagged draft
    (which costs a third less to print). A heading without one (an engine that writes no
    destinations) is looked up in the PDF's outline instead, in document order, so two
    sections with the same title get their own pages.
    """
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    found = _NAV.search(body)
    rest = body[found.end():] if found else body
    headings = _H2.findall(rest)
    named = {str(name).lstrip("/"): dest for name, dest in reader.named_destinations.items()}
    pages: dict[str, int] = {}
    for ident, _ in headings:
        dest = named.get(html.unescape(ident))
        if dest is not None:
            with contextlib.suppress(Exception):  # a destination to no page: try the outline
                pages[ident] = reader.get_destination_page_number(dest) + 1
    if len(pages) < len(headings):
        pages = _outline_pages(reader, headings) | pages
    return pages


def _outline_pages(reader: Any, headings: list[tuple[str, str]]) -> dict[str, int]:
    """Heading id -> page from the PDF's bookmarks, matched by title in document order."""
    marks: list[tuple[str, int]] = []

    def walk(items: Any) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                marks.append((" ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1))

    with contextlib.suppress(Exception):  # no outline at all (an untagged draft)
        walk(reader.outline)
    pages: dict[str, int] = {}
    cursor = 0
    for ident, inner in headings:
        wanted = " ".join(_heading_text(inner).split())
        for i in range(cursor, len(marks)):
            if marks[i][0] == wanted:
                pages[ident] = marks[i][1]
                cursor = i + 1
                break
    return pages


def _numbered(body: str, draft: bytes) -> tuple[str, str, list[str]]:
    """``body`` with the page numbers the ``draft`` PDF gives its contents list, plus the
    numbers themselves and where they go (for ``toolkit.reports.pdf.numbered_pdf``)."""
    final = fill_contents(body, contents_pages(body, draft))
    nav = _NAV.search(final)
    numbers = re.findall(r'<span class="toc-page">([^<]*)</span>', nav.group(0)) if nav else []
    return final, "nav.contents .toc-page", numbers


def callout(value: object) -> HTML:
    """A highlighted, escaped sentence (e.g. 'Agreed differs from proposal')."""
    return HTML(f'<div class="callout">{escape(value)}</div>')


# --------------------------------------------------------------------------- report header / metadata


@dataclass
class ReportMeta:
    """What the template prints around the notebook's outputs: header, footer and provenance."""

    title: str = "Report"
    trust: str = ""
    school: str | None = None
    term: str | None = None
    subtitle: str | None = None
    marking: str = ""
    tracker_name: str = "(not recorded)"
    tracker_sha256: str = "(not recorded)"
    parameters: dict[str, str] = field(default_factory=dict)
    notebook: str = ""
    toolkit_version: str = toolkit.__version__
    generated_at: str = ""
    policy_source: str = "default"

    @property
    def running_header(self) -> str:
        return " \u00b7 ".join(x for x in (self.trust, self.school, self.term) if x)

    @property
    def running_footer(self) -> str:
        return " \u00b7 ".join(x for x in (self.trust, self.title, self.marking) if x)

    def page_css(self) -> str:
        """The ``@page`` margin boxes for this report: running header, marking and footer.

        Written as plain CSS strings rather than CSS running elements, so that every print
        engine (Chromium and WeasyPrint) repeats them on every page.
        """
        return (
            "@page {\n"
            f"  @top-left {{ content: {css_string(self.running_header)}; }}\n"
            f"  @top-right {{ content: {css_string(self.marking)}; }}\n"
            f"  @bottom-left {{ content: {css_string(self.running_footer)}; }}\n"
            "}"
        )


def css_string(value: str) -> str:
    """``value`` as a quoted CSS string that cannot end the string or the <style> element.

    Tracker text (a school's name) reaches the print CSS; every character outside a safe
    set is written as a CSS hex escape, so quotes, backslashes, newlines and ``</style>``
    stay text.
    """
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?()'-_/&+")
    return '"' + "".join(ch if ch in safe else f"\\{ord(ch):x} " for ch in value) + '"'


def report_header(
    title: str,
    *,
    tracker: Any,
    term: object = None,
    school: str | None = None,
    subtitle: str | None = None,
    urn: int | None = None,
) -> None:
    """Tell the renderer (and the reader in Jupyter) what this report is.

    Then emits the report's data-quality note (``data_quality_note``): the tracker's
    warnings on this school (``urn``, or the school found by name) and the trust-wide ones.

    Emits one display output carrying the report's title, school, term, trust name,
    protective marking and the tracker's file name and SHA-256. In Jupyter it shows as a
    title banner; ``render_html`` removes it and prints the same facts in the template's
    header, footer and provenance block.
    """
    from IPython.display import display

    policy = tracker.policy
    path = getattr(tracker, "path", None)
    sha = getattr(tracker, "sha256", None) or (
        sha256_file(path) if path and Path(path).is_file() else "(in memory)"
    )
    meta = {
        "title": title,
        "trust": policy.trust.name,
        "marking": policy.trust.protective_marking,
        "school": school,
        "term": str(term) if term is not None else None,
        "subtitle": subtitle,
        "tracker_name": Path(path).name if path else "(in memory)",
        "tracker_sha256": sha,
        "policy_source": Path(policy.source).name if policy.source != "default" else "default",
    }
    banner = (
        f'<div class="report-banner"><strong>{escape(meta["marking"])}</strong><h1>{escape(title)}</h1>'
        f"<p>{escape(school or '')} {escape(meta['trust'])} {escape(meta['term'] or '')}</p></div>"
    )
    display({REPORT_MIME: meta, "text/html": banner}, raw=True)
    if urn is None and school is not None:
        urn = _urn_of(tracker, school)
    display(data_quality_note(tracker, urn=urn))


def _urn_of(tracker: Any, school: str) -> int | None:
    """The URN of the one school with this name on the Schools sheet, else None."""
    schools = getattr(tracker, "schools", None)
    if schools is None or "name" not in schools:
        return None
    match = schools.loc[schools["name"] == school, "urn"]
    return int(match.iloc[0]) if len(match) == 1 else None


def data_quality_note(tracker: Any, *, urn: int | None = None) -> HTML:
    """The report's "data quality" note: the validator's warnings that touch this report.

    A school's report lists the warnings on that school's rows plus the trust-wide ones;
    a trust report (``urn`` None) counts every warning and lists the first few, with the
    rest summarised by kind. Why: the reader of a committee report must know the figures
    rest on a tracker with known problems, without reading the console of whoever ran it.
    ``report_header`` emits it, so every report carries it.
    """
    report = getattr(tracker, "report", None)
    if report is None:
        return HTML("")
    policy = tracker.policy
    limit = policy.data_quality.report_warnings_shown
    items = report.touching(urn)
    name = escape(getattr(tracker, "file_name", "the tracker"))
    if not items:
        return HTML(
            f'<div class="data-quality" role="note"><p><strong>Data quality:</strong> the tracker ({name}) '
            "passed validation with no warnings.</p></div>"
        )
    scope = "about this school or the whole trust" if urn is not None else "in the whole tracker"
    lines = report.summary_lines(items, first=limit)
    listed = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return HTML(
        f'<div class="data-quality data-quality-warnings" role="note"><p><strong>Data quality:</strong> '
        f"the tracker ({name}) has {len(items)} warning(s) {scope}; this report uses the data as it is.</p>"
        f"<ul>{listed}</ul><p>The data manager can see every warning and its fix with "
        f"<code>toolkit validate {name}</code>.</p></div>"
    )


def _format_parameter(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


def report_meta(
    nb: Any, overrides: Mapping[str, Any] | None = None, *, generated_at: dt.datetime | None = None
) -> ReportMeta:
    """Collect the metadata for ``nb``: its ``report_header`` output, papermill parameters, overrides.

    Notebooks that never call ``report_header`` still get provenance: the parameters come
    from papermill's metadata and the tracker hash from a ``tracker``/``tracker_path`` parameter.
    """
    found: dict[str, Any] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if REPORT_MIME in data:
                found = dict(data[REPORT_MIME])
    params = dict(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    meta = ReportMeta(**{k: v for k, v in found.items() if k in ReportMeta.__dataclass_fields__})
    meta.parameters = {str(k): _format_parameter(v) for k, v in params.items()}
    meta.notebook = Path(nb.metadata.get("papermill", {}).get("input_path", "") or "").name
    if meta.tracker_sha256 == "(not recorded)":
        tracker_param = params.get("tracker") or params.get("tracker_path")
        if tracker_param and Path(str(tracker_param)).is_file():
            meta.tracker_name = Path(str(tracker_param)).name
            meta.tracker_sha256 = sha256_file(str(tracker_param))
    if not meta.trust or not meta.marking:
        from toolkit.policy import load_policy

        tracker_param = params.get("tracker") or params.get("tracker_path")
        policy = load_policy(tracker=tracker_param) if tracker_param else load_policy()
        meta.trust = meta.trust or policy.trust.name
        meta.marking = meta.marking or policy.trust.protective_marking
    for k, v in (overrides or {}).items():
        if v is not None and k in ReportMeta.__dataclass_fields__:
            setattr(meta, k, v)
    if meta.term is None and "term" in params:
        meta.term = str(params["term"])
    when = generated_at or dt.datetime.now(dt.UTC)
    meta.generated_at = meta.generated_at or when.astimezone(dt.UTC).strftime(
        "%Y-%m-%d %H:%M:%S UTC"
    )
    return meta


# --------------------------------------------------------------------------- rendering


LAB_ONLY_TAG = "lab-only"  # cells for the JupyterLab user, left out of committee reports


def _for_export(nb: Any) -> Any:
    """A copy of ``nb`` without the header output, widget state, error tracebacks or stderr,
    and without cells tagged ``lab-only`` (the notebook's own title and instructions for
    whoever runs it in JupyterLab: the report template prints the title itself)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.cells = [c for c in nb.cells if LAB_ONLY_TAG not in c.get("metadata", {}).get("tags", [])]
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if REPORT_MIME in out.get("data", {}):
                continue
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                continue
            kept.append(out)
        cell["outputs"] = kept
    return nb


def _report_exporter_class() -> type:
    """nbconvert's HTMLExporter without its BeautifulSoup pass over the finished page.

    That pass only gives an ``<img>`` without ``alt`` a generic text and makes JupyterLab's
    input and output wrappers focusable. Our template emits neither wrapper, and every
    chart carries its own alt text (``toolkit.reports.charts``; axe's ``image-alt`` rule
    checks every image of every report in ``tests/test_accessibility.py``), so re-parsing
    and re-serialising the whole page was pure cost: about a tenth of a second a report,
    most of the time of turning a notebook into HTML.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node up to the soup (nbconvert 7.16)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


@cache
def _exporter() -> Any:
    """One configured exporter per process (building it loads templates: reuse it)."""
    exporter = _report_exporter_class()(
        extra_template_basedirs=[str(TEMPLATE_DIR.parent)],
        template_name=TEMPLATE_DIR.name,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    # Belt and braces: even if a template block emitted them, these URLs are empty.
    exporter.mathjax_url = ""
    exporter.require_js_url = ""
    exporter.jupyter_widgets_base_url = ""
    exporter.widget_renderer_url = ""
    return exporter


def _render(
    nb: Any, overrides: Mapping[str, Any] | None, generated_at: dt.datetime | None
) -> tuple[str, ReportMeta]:
    meta = report_meta(nb, overrides, generated_at=generated_at)
    body, _ = _exporter().from_notebook_node(
        _for_export(nb), resources={"report": {**asdict(meta), "page_css": meta.page_css()}}
    )
    body = fill_contents(body)
    problems = external_references(body)
    if problems:
        raise ValueError(f"Rendered report would fetch from the network: {problems[:3]}")
    return body, meta


def render_html(
    nb: Any, overrides: Mapping[str, Any] | None = None, *, generated_at: dt.datetime | None = None
) -> str:
    """Render an executed notebook as a self-contained committee HTML page (no code, no CDN)."""
    return _render(nb, overrides, generated_at)[0]


def render_pdf(html_text: str, engine: str | None = None) -> bytes:
    """The committee HTML as an A4 PDF (print CSS: header, footer, page numbers).

    ``engine`` names a ``toolkit.reports.pdf`` engine (default: ``toolkit.reports.pdf.default_engine()``).
    """
    from toolkit.reports.pdf import html_to_pdf

    return html_to_pdf(html_text, engine)


def write_report(
    nb: Any,
    html_path: str | Path,
    pdf_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    generated_at: dt.datetime | None = None,
) -> ReportMeta:
    """Render ``nb`` and write its HTML (and PDF) atomically; returns the metadata used."""
    body, meta = _render(nb, overrides, generated_at)
    if pdf_path is not None:
        if _NAV.search(body):  # a draft first, so the contents list gets page numbers
            from toolkit.reports.pdf import numbered_pdf

            body, pdf = numbered_pdf(body, _numbered)
        else:
            pdf = render_pdf(body)
        atomic_write(pdf_path, pdf)
    atomic_write(html_path, body)
    return meta


def _remote(url: str) -> bool:
    """Whether a URL would be fetched from the network (scheme-relative or a network
    scheme); data: URIs, fragments and local paths fetch nothing from the network."""
    u = html.unescape(url).strip()
    if not u or u.lower().startswith(_LOCAL_SCHEMES):
        return False
    return bool(_REMOTE.match(u)) and not u.lower().startswith("file:")


def _css_string(css: str, i: int) -> tuple[str, int]:
    """The CSS string starting at ``css[i]`` (a quote) and the index after it."""
    quote, j, out = css[i], i + 1, []
    while j < len(css) and css[j] != quote:
        if css[j] == "\\" and j + 1 < len(css):
            j += 1
        out.append(css[j])
        j += 1
    return "".join(out), j + 1


def _css_urls(css: str) -> list[str]:
    """Every URL a style sheet fetches: ``url(...)`` and ``@import "..."`` tokens, read
    as CSS reads them. Text inside a CSS string (a running header holding the trust's
    name, ``content: "... url(http://x) ..."``) and comments are not URLs."""
    urls: list[str] = []
    i, n, low = 0, len(css), css.lower()
    while i < n:
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif css[i] in "\"'":
            _, i = _css_string(css, i)
        elif low.startswith("url(", i):
            j = i + 4
            while j < n and css[j].isspace():
                j += 1
            if j < n and css[j] in "\"'":
                url, j = _css_string(css, j)
            else:
                end = css.find(")", j)
                end = n if end < 0 else end
                url, j = css[j:end], end
            urls.append(url.strip())
            i = j + 1
        elif low.startswith("@import", i):
            j = i + 7
            while j < n and css[j].isspace():
                j += 1
            if j < n and css[j] in "\"'":
                url, i = _css_string(css, j)
                urls.append(url.strip())
            else:
                i = j  # url(...) follows: read by the branch above
        else:
            i += 1
    return urls


def _css_references(css: str) -> list[str]:
    return [u for u in _css_urls(css) if _remote(u)]


class _FetchFinder(HTMLParser):
    """Walks the parsed document (not its text): elements, attributes and style sheets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hits: list[str] = []
        self._in_style = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag == "style":
            self._in_style += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._in_style:
            self._in_style -= 1

    def handle_data(self, data: str) -> None:
        if self._in_style:  # a <style> sheet; text anywhere else is never a reference
            self.hits += [f"<style> {u}" for u in _css_references(data)]

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            name = name.lower()
            if name == "style":
                self.hits += [f"<{tag} style> {u}" for u in _css_references(value)]
            elif name in ("srcset", "imagesrcset"):
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if _remote(url):
                        self.hits.append(f"<{tag} {name}> {url}")
            elif name in _FETCHING_ATTRS and not (name in ("href", "xlink:href") and tag in _CLICK_ONLY):
                if _remote(value):
                    self.hits.append(f"<{tag} {name}> {value}")
            elif tag == "meta" and name == "content" and "url=" in value.lower():
                url = value.lower().split("url=", 1)[1]
                if _remote(url):
                    self.hits.append(f"<meta refresh> {url}")


def external_references(html_text: str) -> list[str]:
    """Every place the HTML would fetch from the network when opened (should be none).

    Reads the parsed document, not its text: ``src``/``href``/``srcset``/``poster`` (and
    the other fetching attributes) on every element, ``<link>``, CSS ``url()`` and
    ``@import`` in ``<style>`` sheets and ``style`` attributes, and meta refresh. Text
    content (a school called ``url(http://x)``) is never a reference, and plain links
    (``<a href="https://...">``) fetch nothing until clicked.
    """
    finder = _FetchFinder()
    finder.feed(html_text)
    finder.close()
    return finder.hits
