"""The LSIP's interactive review and calendar: ipywidgets for JupyterLab and the Voilà app.

Why a module of its own: the static sections in ``review`` are what papermill prints for
committees; this module only arranges them behind pickers, so the printed review and the
interactive one can never disagree. Choosing a school or term re-renders *every* section
(``full_review`` calls the same section functions the notebook does); changing a what-if
recomputes only the proposal (``designation.what_if``), so it answers at once.

The what-if panel sits at the top, beside its result, so an LSIP sees the pickers and the
proposal, risk and support package together on a laptop screen (1366x768), with one line
saying why the proposal did or did not move (``designation.why_proposal``). The inspection
can be a what-if too: a hypothetical legacy grade or report-card area grade, and
safeguarding (``ofsted.hypothetical``).

The app notebooks (``notebooks/app/``) call ``review_app`` / ``calendar_app``; both take
their starting values from the URL query (Voilà puts it in ``$QUERY_STRING``), e.g.
``?urn=900006&term=2026/27+Autumn`` or ``?year=2026/27&as_of=2026-11-23``.
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from toolkit.assessment import ofsted
from toolkit.assessment.designation import SchoolAssessment, what_if, why_proposal
from toolkit.assessment.evidence import term_end_date
from toolkit.calendar.terms import AcademicYear, Term
from toolkit.reports import review as rv
from toolkit.reports.html import HTML, escape
from toolkit.tracker.model import Tracker

KEEP = "(as assessed)"  # a what-if picker left at the recorded judgement
RECORDED = ""  # the inspection picker left at the recorded inspection

# The review's sections in the order of notebooks/designation_review.ipynb.
SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("summary", "Summary", rv.summary_box),
    ("indicators", "The seven quality indicators", rv.indicators_section),
    ("ofsted", "Ofsted", rv.ofsted_section),
    ("outcomes", "Outcomes and pupil groups", rv.outcomes_section),
    ("attendance", "Attendance and behaviour", rv.attendance_section),
    ("support", "Support package", rv.support_section),
    ("visits", "Visits this year and their recommendations", rv.visits_section),
    ("history", "History across terms", rv.history_section),
)

# Enough style for the report's tables inside JupyterLab and Voilà (the printed report has
# its own stylesheet); scoped to the review so it never restyles the page around it.
STYLE = """<style>
.tk-review{font-size:14px;line-height:1.4;color:#1b1f24;max-width:1200px}
.tk-review table{border-collapse:collapse;margin:.4em 0 1em}
.tk-review th,.tk-review td{border:1px solid #c9ced6;padding:3px 6px;text-align:left;vertical-align:top}
.tk-review .callout{border-left:4px solid #8a1c1c;background:#fbeeee;padding:6px 10px}
.tk-review h2{border-bottom:2px solid #1d4e89;margin-top:1.2em}
.tk-result{font-size:14px;line-height:1.35;color:#1b1f24}
.tk-result .tk-proposal{font-size:22px;font-weight:700}
.tk-result .tk-why{border-left:4px solid #1d4e89;background:#eef3fa;padding:6px 10px;margin:6px 0}
.tk-result table{border-collapse:collapse;font-size:12.5px}
.tk-result th,.tk-result td{border:1px solid #c9ced6;padding:2px 6px;text-align:left;vertical-align:top}
</style>"""


# ----------------------------------------------------------------------------- parameters


def app_parameters(query: str | None = None, **defaults: Any) -> dict[str, Any]:
    """Starting values for an app from a URL query string (default ``$QUERY_STRING``, which
    Voilà sets in the kernel), over ``defaults``. Only the names in ``defaults`` are taken,
    so a link can choose the school, term, year or date but never a file to read."""
    raw = os.environ.get("QUERY_STRING", "") if query is None else query
    found = {k: v[-1] for k, v in parse_qs(raw.lstrip("?")).items() if k in defaults and v and v[-1].strip()}
    out = dict(defaults)
    for k, v in found.items():
        out[k] = int(v) if isinstance(defaults[k], int) and v.strip().isdigit() else v.strip()
    return out


# ----------------------------------------------------------------------------- the whole review


def review_header(review: rv.DesignationReview) -> str:
    """The review's title block: what ``report_header`` shows, as plain HTML for a widget."""
    a, policy = review.assessment, review.tracker.policy
    path = getattr(review.tracker, "path", None)
    source = f" Tracker: {escape(Path(path).name)}." if path else ""
    return (
        f'<header data-section="header"><p><strong>{escape(policy.trust.protective_marking)}</strong></p>'
        f"<h1>Designation review: {escape(a.name)}</h1>"
        f"<p>{escape(a.name)} (URN {a.urn}), {escape(policy.trust.name)}, {escape(review.term.label)}.{source}</p></header>"
    )


def full_review(review: rv.DesignationReview) -> str:
    """Every section of the designation review for one school and term, as one HTML string."""
    parts = [STYLE, '<div class="tk-review">', review_header(review)]
    for key, title, section in SECTIONS:
        body = section(review)
        html = body._repr_html_() if hasattr(body, "_repr_html_") else str(body)
        parts.append(f'<section data-section="{key}" aria-labelledby="tk-{key}"><h2 id="tk-{key}">{escape(title)}</h2>{html}</section>')
    parts.append("</div>")
    return "".join(parts)


def what_if_summary(a: SchoolAssessment) -> HTML:
    """The what-if result as a table: judgements used, proposal with reasons, its package."""
    return rv._kv(
        [(j.label, f"{j.judgement or 'no evidence'} ({rv.SOURCE_LABEL.get(j.source, j.source)})") for j in a.judgements]
        + [
            ("Proposal", a.proposal_text),
            ("Risk of the proposal", a.proposed_package.get("risk", "-")),
            ("Support package for the proposal", a.proposed_package.get("summary", "-")),
        ],
        "what-if",
    )


def _days(pkg: dict[str, Any]) -> str:
    if not pkg:
        return "-"
    sia = f"SIA up to {pkg['sia_days']:g} days a {pkg['sia_days_per']}" if pkg.get("sia_days") else "no SIA days"
    return f"SIP {pkg['sip_days_per_year']:g} days a year; {sia}"


def result_card(recorded: SchoolAssessment, changed: SchoolAssessment, *, compare: bool = False) -> str:
    """What an LSIP reads beside the pickers: proposal, risk, package and why; with
    ``compare``, the recorded and what-if proposal and package side by side."""
    pkg = changed.proposed_package
    why = why_proposal(recorded, changed)
    changed_list = [j for j in changed.judgements if j.source == "what-if"]
    short = {i.key: i.short for i in _indicator_list()}
    tried = ", ".join(f"{short.get(j.key, j.name)} {j.judgement}" for j in changed_list)
    if changed.inspection and changed.inspection.get("inspection_type") == "What-if":
        tried = (tried + "; " if tried else "") + "a what-if inspection"
    rows = [
        f'<p class="tk-proposal" data-key="proposal">Proposal: {escape(changed.proposed or "no evidence")}</p>',
        f'<p class="tk-why" data-key="why">{escape(why)}</p>',
        f'<p data-key="tried"><strong>What-if:</strong> {escape(tried or "none yet: the recorded judgements")}</p>',
    ]
    if not compare:
        rows[1:1] = [
            f'<p data-key="risk"><strong>Risk:</strong> {escape(pkg.get("risk", "-"))}</p>',
            f'<p data-key="days"><strong>Support:</strong> {escape(_days(pkg))}</p>',
            f'<p data-key="package"><strong>Package:</strong> {escape(pkg.get("summary", "-"))}</p>',
        ]
    else:  # the table carries risk and package, recorded beside what-if
        rec = recorded.proposed_package
        cmp_rows = [
            ("Proposal", recorded.proposed or "no evidence", changed.proposed or "no evidence"),
            ("Risk", rec.get("risk", "-"), pkg.get("risk", "-")),
            ("Support days", _days(rec), _days(pkg)),
            ("Package", rec.get("summary", "-"), pkg.get("summary", "-")),
        ]
        body = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(a)}</td><td>{escape(b)}</td></tr>' for k, a, b in cmp_rows)
        rows.insert(1, f'<p data-key="package" hidden>{escape(pkg.get("summary", "-"))}</p>')
        rows.append(
            '<table data-key="compare"><caption>Recorded and what-if, side by side</caption>'
            f'<thead><tr><th scope="col"></th><th scope="col">Recorded</th><th scope="col">What-if</th></tr></thead><tbody>{body}</tbody></table>'
        )
    return STYLE + '<div class="tk-result" role="status" aria-live="polite">' + "".join(rows) + "</div>"


# ----------------------------------------------------------------------------- the widget


def _terms(tracker: Tracker, term: Term) -> list[Term]:
    a = tracker.assessments
    return sorted({Term.of(y, s) for y, s in zip(a["academic_year"], a["term"], strict=True)} | {term})


_RENDERERS: weakref.WeakSet[_Rendered] = weakref.WeakSet()


@atexit.register
def _stop_renderers() -> None:
    for r in list(_RENDERERS):
        r.stop()


class _Rendered:
    """Each school's whole review, rendered once per term and kept: the tracker does not
    change while the app runs, and drawing the charts is most of a school switch. After
    the first render a background thread renders the term's other schools while the LSIP
    reads, so a later switch only swaps the page in (charts are matplotlib without pyplot,
    safe off the main thread; the widgets are only ever touched on the main thread)."""

    def __init__(self, tracker: Tracker, urns: list[int]) -> None:
        import threading

        self.tracker, self.urns = tracker, urns
        self.html: dict[tuple[int, str], str] = {}
        self._terms: list[str] = []
        self._lock = threading.Lock()
        self._thread: Any = None
        self._stopping = False
        _RENDERERS.add(self)

    def get(self, review: rv.DesignationReview) -> str:
        key = (review.urn, review.term.label)
        if key not in self.html:
            self.html[key] = full_review(review)
        return self.html[key]

    def warm(self, term: str) -> None:
        """Render the term's other schools in the background (one thread at a time; it ends
        when there is nothing left to draw, so an idle review holds no thread)."""
        import threading

        with self._lock:
            if term not in self._terms:
                self._terms.append(term)
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._work, name="toolkit-prerender", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the background thread (at exit: a thread still drawing while the interpreter
        tears modules down would only print noise)."""
        with self._lock:
            self._stopping = True
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._stopping or not self._terms:
                    self._thread = None
                    return
                term = self._terms.pop(0)
            for urn in self.urns:
                if self._stopping:
                    break
                if (urn, term) not in self.html:
                    try:
                        self.html.setdefault((urn, term), full_review(rv.review_for(self.tracker, urn, term)))
                    except Exception:  # noqa: BLE001 - that school is rendered (and its error shown) when picked
                        continue


def interactive_review(tracker: Tracker, urn: int, term: str | Term, *, whole_review: bool = True, prerender: bool = True) -> Any:
    """Pickers for the school and term, the what-if panel with its result beside it, and
    every section of the review below, re-rendered on each school or term. With
    ``whole_review=False`` (under a printed review whose sections cannot follow) only the
    what-if panel is shown, for that school and term: no picker may show another school
    than the review above it. Returns the widget; ``.pickers`` and ``.latest_what_if()``
    are for tests and scripting, ``.timings`` records the last update's seconds."""
    import ipywidgets as w

    t = term if isinstance(term, Term) else Term.parse(term)
    policy = tracker.policy
    names = [(f"{n} ({u})", int(u)) for u, n in zip(tracker.schools["urn"], tracker.schools["name"], strict=True)]
    wide = {"description_width": "initial"}
    school_pick = w.Dropdown(options=names, value=int(urn), description="School", style=wide, layout=w.Layout(width=f"{max(len(n) for n, _ in names) * 8 + 110}px"))
    term_pick = w.Dropdown(options=[x.label for x in _terms(tracker, t)], value=t.label, description="Term", style=wide, layout=w.Layout(width="210px"))
    label_style = {"description_width": "330px"}
    row = w.Layout(width="570px")
    qi = {j.key: w.Dropdown(options=[KEEP], value=KEEP, description=f"QI{j.key[2:]} {j.name}", style=label_style, layout=row) for j in _indicator_list()}
    frame_pick = w.Dropdown(
        options=[("as recorded", RECORDED), ("Report card (from Nov 2025)", ofsted.REPORT_CARD), ("Legacy (one overall grade)", ofsted.LEGACY)],
        value=RECORDED,
        description="What-if inspection",
        style=label_style,
        layout=row,
    )
    grade_pick = w.Dropdown(options=[], description="Grade", style=label_style, layout=row, disabled=True)
    area_pick = w.Dropdown(options=ofsted.area_headers(ofsted.REPORT_CARD), value="Leadership and governance", description="in the area", style=label_style, layout=row, disabled=True)
    safe_pick = w.Dropdown(options=["Met", "Not met"], value="Met", description="Safeguarding", style=label_style, layout=row, disabled=True)
    reset = w.Button(description="Reset", tooltip="Back to the recorded judgements and inspection", button_style="")
    compare = w.ToggleButton(description="Compare", value=False, tooltip="Recorded and what-if side by side")
    result = w.HTML()
    whole = w.HTML()
    state: dict[str, Any] = {"quiet": False, "latest": None, "review": None, "timings": {}}
    rendered = _Rendered(tracker, [u for _, u in names])

    def hypothetical() -> ofsted.Inspection | None:
        if frame_pick.value == RECORDED or not grade_pick.value:
            return None
        review = state["review"]
        return ofsted.hypothetical(frame_pick.value, grade_pick.value, term_end_date(tracker, review.term), area=area_pick.value, safeguarding=safe_pick.value)

    def refresh_what_if(*_: object) -> None:
        if state["quiet"]:
            return
        started = time.perf_counter()
        review = state["review"]
        overrides = {k: p.value for k, p in qi.items() if p.value != KEEP}
        changed = state["latest"] = what_if(tracker, review.urn, review.term, overrides, hypothetical())
        result.value = result_card(review.assessment, changed, compare=compare.value)
        state["timings"]["what_if"] = time.perf_counter() - started

    def frame_changed(*_: object) -> None:
        state["quiet"] = True
        framework = frame_pick.value
        if framework == ofsted.LEGACY:
            grade_pick.options, grade_pick.value = list(_legacy_grades()), "Good"
        elif framework == ofsted.REPORT_CARD:
            grade_pick.options, grade_pick.value = list(_card_grades()), "Expected standard"
        else:
            grade_pick.options = []
        grade_pick.disabled = safe_pick.disabled = framework == RECORDED
        area_pick.disabled = framework != ofsted.REPORT_CARD
        state["quiet"] = False
        refresh_what_if()

    def set_recorded() -> None:
        """Pickers back to the recorded judgements, each option naming what was recorded."""
        state["quiet"] = True
        for j in state["review"].assessment.judgements:
            p = qi[j.key]
            p.options = [(f"as recorded: {j.judgement or 'no evidence'}", KEEP), *((d, d) for d in policy.designations.order)]
            p.value = KEEP
        frame_pick.value = RECORDED
        state["quiet"] = False
        frame_changed()

    def refresh_school(*_: object) -> None:
        started = time.perf_counter()
        try:
            review = state["review"] = rv.review_for(tracker, school_pick.value, term_pick.value)
            set_recorded()
            if whole_review:
                whole.value = rendered.get(review)
                if prerender:
                    rendered.warm(review.term.label)
        except Exception as e:  # said on the page, where the LSIP is looking, not in a log
            whole.value = f'<div role="alert">The review for URN {school_pick.value}, {escape(term_pick.value)} could not be drawn: {escape(e)}</div>'
            raise
        state["timings"]["school"] = time.perf_counter() - started

    school_pick.observe(refresh_school, names="value")
    term_pick.observe(refresh_school, names="value")
    for p in (*qi.values(), grade_pick, area_pick, safe_pick, compare):
        p.observe(refresh_what_if, names="value")
    frame_pick.observe(frame_changed, names="value")
    reset.on_click(lambda _b: set_recorded())
    refresh_school()

    title = w.HTML("<strong>What if</strong>: change a judgement or try an inspection outcome; the proposal updates at once.")
    pickers_box = w.VBox([title, *qi.values(), frame_pick, grade_pick, area_pick, safe_pick, w.HBox([reset, compare])], layout=w.Layout(width="580px"))
    result.layout = w.Layout(width="620px", margin="0 0 0 16px")
    panel = w.HBox([pickers_box, result], layout=w.Layout(border="1px solid #c9ced6", padding="6px", width="fit-content", flex_flow="row wrap"))
    parts = [w.HBox([school_pick, term_pick]), panel, whole] if whole_review else [panel]
    box = w.VBox(parts)
    box.add_class("tk-interactive-review")
    box.pickers = {"school": school_pick, "term": term_pick, **qi, "inspection": frame_pick, "grade": grade_pick, "area": area_pick, "safeguarding": safe_pick, "compare": compare}
    box.reset = reset
    box.result, box.whole = result, whole
    box.latest_what_if = lambda: state["latest"]
    box.timings = state["timings"]
    box.rendered = rendered.html
    return box


def _indicator_list() -> list[Any]:
    from toolkit.assessment.indicators import indicators

    return list(indicators())


def _legacy_grades() -> tuple[str, ...]:
    from toolkit.tracker.schema import LEGACY_GRADES

    return LEGACY_GRADES


def _card_grades() -> tuple[str, ...]:
    from toolkit.tracker.schema import REPORT_CARD_GRADES

    return REPORT_CARD_GRADES


def _problem(message: str) -> Any:
    import ipywidgets as w

    return w.HTML(f'<div role="alert" style="border-left:4px solid #8a1c1c;padding:6px 10px">{escape(message)}</div>')


def review_app(tracker_path: str | Path, urn: int, term: str, *, policy_path: str | Path | None = None, query: str | None = None) -> Any:
    """The designation review app: read the tracker once, start at the school and term from
    the URL query (``?urn=...&term=...``) or the defaults. A bad query is said plainly, with
    the known URNs, rather than shown as a traceback."""
    from toolkit.tracker.reader import read_tracker

    params = app_parameters(query, urn=int(urn), term=str(term))
    tracker = read_tracker(tracker_path, policy_path=policy_path)
    known = [int(u) for u in tracker.schools["urn"]]
    if params["urn"] not in known:
        return _problem(f"URN {params['urn']} from the link is not in the Schools sheet of {Path(tracker_path).name}; known URNs: {', '.join(map(str, known))}.")
    try:
        Term.parse(params["term"])
    except ValueError as e:
        return _problem(f"The term {params['term']!r} from the link is not a term: {e}")
    return interactive_review(tracker, params["urn"], params["term"])


# ----------------------------------------------------------------------------- the calendar


def calendar_view(tracker: Tracker, year: AcademicYear, as_of: dt.date) -> str:
    """The trust calendar notebook's sections for one year and date: the year at a glance,
    the deadlines in the next four weeks and compliance so far."""
    from toolkit.calendar.chart import year_overview
    from toolkit.calendar.compliance import compliance, compliance_summary
    from toolkit.calendar.schedule import build_schedule, deadline_table
    from toolkit.calendar.workingdays import term_dates_for
    from toolkit.reports.html import heading, table

    events = build_schedule(tracker, year)
    halves = term_dates_for(tracker.term_dates, year, file=tracker.file_name)
    names = dict(zip(tracker.schools["urn"], tracker.schools["name"], strict=True))
    chart = year_overview(events, halves, year, as_of=as_of, title=f"{tracker.policy.trust.name}: {year.label}")
    findings = compliance(tracker, as_of=as_of, year=year)
    summary = compliance_summary(findings).rename(columns={"description": "Finding", "count": "Count"})[["Finding", "Count"]]
    parts = [
        STYLE,
        '<div class="tk-review">',
        f'<header data-section="header"><h1>Trust calendar {escape(year.label)}</h1><p>{escape(tracker.policy.trust.name)}, as of {as_of:%d %B %Y}.</p></header>',
        '<section data-section="overview">',
        heading("The year at a glance", 2)._repr_html_(),
        chart._repr_html_(),
        '</section><section data-section="deadlines">',
        heading("Deadlines coming up", 2)._repr_html_(),
        table(deadline_table(events, as_of, names, days=28), compact=False, empty="No deadlines in the next four weeks.")._repr_html_(),
        '</section><section data-section="compliance">',
        heading("Compliance so far", 2)._repr_html_(),
        table(summary)._repr_html_(),
        "</section></div>",
    ]
    return "".join(parts)


def calendar_app(tracker_path: str | Path, year: str, as_of: str, *, policy_path: str | Path | None = None, query: str | None = None) -> Any:
    """The trust calendar app: pick the academic year and the "as of" date (or pass them in
    the URL query, ``?year=2026/27&as_of=2026-11-23``); the whole calendar re-renders."""
    import ipywidgets as w

    from toolkit.tracker.reader import read_tracker

    params = app_parameters(query, year=str(year), as_of=str(as_of))
    tracker = read_tracker(tracker_path, policy_path=policy_path)
    try:
        start_year, start_day = AcademicYear.parse(params["year"]), dt.date.fromisoformat(params["as_of"])
    except ValueError as e:
        return _problem(f"The year or date from the link is not valid: {e}")
    years = sorted({str(y) for y in tracker.term_dates["academic_year"]} | {start_year.label})
    year_pick = w.Dropdown(options=years, value=start_year.label, description="Academic year", style={"description_width": "initial"})
    day_pick = w.DatePicker(value=start_day, description="As of", style={"description_width": "initial"})
    out = w.HTML()

    def refresh(*_: object) -> None:
        if day_pick.value is None:
            return
        out.value = calendar_view(tracker, AcademicYear.parse(year_pick.value), day_pick.value)

    year_pick.observe(refresh, names="value")
    day_pick.observe(refresh, names="value")
    refresh()
    box = w.VBox([w.HBox([year_pick, day_pick]), out])
    box.pickers = {"year": year_pick, "as_of": day_pick}
    box.view = out
    return box


__all__ = [
    "KEEP",
    "SECTIONS",
    "app_parameters",
    "calendar_app",
    "calendar_view",
    "full_review",
    "interactive_review",
    "result_card",
    "review_app",
    "what_if_summary",
]
