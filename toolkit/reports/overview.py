"""The one-page trust overview: every school as a row, the picture at a glance.

A committee member scans one page: each school's seven indicator judgements as a coloured
matrix (each cell also carries its word, so the page reads in greyscale and to
colour-blind readers), its designation, risk, movement since last term (arrow and words)
and its designation across the terms assessed (a sparkline, with the same terms in words
for screen readers).

Also the compact outcomes: one table per phase, schools as rows and headline measures as
columns, each figure marked against national by ``mark_against_national`` (the one place
that decides "above", "below" or "in line", so it can switch basis in one place).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit.reports.cover import school_anchor
from toolkit.reports.html import HTML, SUPPRESSED, escape
from toolkit.reports.labels import MOVEMENT, label

#: Measures where a lower figure is better (marked "above" national when lower).
LOWER_IS_BETTER = ("Persistent absence %", "Severe absence %", "Suspensions")


def _level(policy: Any, designation: str | None) -> int | None:
    """0 = worst (first in the policy's order) ... n-1 = best; None when not assessed."""
    order = list(policy.designations.order)
    return order.index(designation) if designation in order else None


def sparkline(policy: Any, history: list[dict[str, Any]], width: int = 72, height: int = 20) -> str:
    """Inline SVG of the designation term by term (higher is better), with a text
    alternative naming each term's designation."""
    levels = [_level(policy, h.get("designation")) for h in history]
    n = len(policy.designations.order)
    words = "; ".join(f"{h['term']}: {h.get('designation') or 'not assessed'}" for h in history)
    if not history:
        return '<span class="suppressed">no history</span>'
    step = (width - 8) / max(len(history) - 1, 1)

    def y(level: int) -> float:
        return height - 4 - (height - 8) * level / max(n - 1, 1)

    points = [(4 + i * step, y(lv)) for i, lv in enumerate(levels) if lv is not None]
    path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="2"/>' for x, yy in points[-1:])
    return (
        f'<svg class="sparkline" role="img" aria-label="Designation by term: {escape(words)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>Designation by term: {escape(words)}</title>"
        f'<line x1="2" y1="{y(0):.1f}" x2="{width - 2}" y2="{y(0):.1f}" class="spark-floor"/>'
        f'<polyline points="{path}" fill="none"/>{dots}</svg>'
    )


OVERVIEW_HEADING = "Trust overview"
OVERVIEW_INTRO = (
    "Every school on one page: the seven indicator judgements (each cell names its judgement), "
    "the designation in force, its risk, the movement since last term and the designation "
    "across the terms assessed."
)


def trust_overview(
    assessments: list[Any], policy: Any, *, link_schools: bool = False, note: str = ""
) -> HTML:
    """The overview matrix, with its heading: a landscape page of its own in print (the
    heading travels with the table, so it is never left alone at a page foot)."""
    from toolkit.reports.cover import section_anchor
    if not assessments:
        return HTML('<p class="empty">No schools.</p>')
    indicators = [(j.key, j.name) for j in assessments[0].judgements]
    head = (
        '<th scope="col">School</th>'
        + "".join(
            f'<th scope="col" class="qi"><abbr title="{escape(name)}">{escape(key.upper())}</abbr></th>'
            for key, name in indicators
        )
        + '<th scope="col">Designation</th><th scope="col">Risk</th>'
        '<th scope="col">Movement</th><th scope="col">Trend</th>'
    )
    rows = []
    order = {d: i for i, d in enumerate(policy.designations.order)}
    for a in sorted(assessments, key=lambda a: (order.get(a.designation, 99), a.name)):
        cells = []
        for j in a.judgements:
            word = j.judgement or "no evidence"
            cls = f"j-{j.judgement}" if j.judgement else "j-none"
            cells.append(f'<td class="judgement {escape(cls)}">{escape(word)}</td>')
        arrow, words = MOVEMENT.get(a.movement, ("", label(a.movement)))
        name = escape(a.name)
        if link_schools and policy.is_high_risk(a.designation):
            name = f'<a href="#{school_anchor(a.urn)}">{name}</a>'
        risk = (a.risk or "not assessed").split(" ")[0]
        rows.append(
            f'<tr><th scope="row">{name}</th>{"".join(cells)}'
            f'<td class="judgement j-{escape(a.designation or "none")}"><strong>{escape(a.designation or "none")}</strong></td>'
            f'<td class="risk-{escape(risk)}">{escape(a.risk or "not assessed")}</td>'
            f'<td class="movement"><span aria-hidden="true">{arrow}</span> {escape(words)}</td>'
            f"<td>{sparkline(policy, list(a.history))}</td></tr>"
        )
    key = "; ".join(f"{k.upper()} {n}" for k, n in indicators)
    terms = [h["term"] for h in assessments[0].history]
    trend_note = f"Trend: the designation from {terms[0]} to {terms[-1]}, higher is better." if terms else ""
    return HTML(
        '<div class="landscape-page overview">'
        f'<h2 id="{section_anchor(OVERVIEW_HEADING)}">{OVERVIEW_HEADING}</h2>'
        f'<p>{escape(OVERVIEW_INTRO)}{" " + escape(note) if note else ""}</p>'
        '<table class="report-table overview-table">'
        "<caption>Every school: the seven indicator judgements, designation, risk, movement since last term and trend</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="key">Indicators: {escape(key)}. {escape(trend_note)}</p></div>'
    )


# --------------------------------------------------------------------------- outcomes against national


def mark_against_national(value: object, national: object, measure: str, comparison: Any = None) -> str:
    """"above", "below" or "in line" with national, or "" when it cannot be said.

    The one place every outcomes table marks its figures. With a significance
    ``comparison`` (``toolkit.assessment.significance.Comparison``: a DfE band or a
    confidence interval) the mark is that judgement: a difference inside the interval is
    "in line", and an untested figure is unmarked. Without one, the basis is the figure
    itself (any difference counts).
    """
    if comparison is not None:
        if comparison.band is None:
            return ""
        return {"well_above": "above", "above": "above", "average": "in line"}.get(comparison.band, "below")
    if value is None or national is None or value == SUPPRESSED:
        return ""
    try:
        v, n = float(value), float(national)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if pd.isna(v) or pd.isna(n):
        return ""
    if v == n:
        return "in line"
    better = v < n if measure in LOWER_IS_BETTER else v > n
    return "above" if better else "below"


_MARKS = {"above": ("\u25b2", "above"), "below": ("\u25bc", "below"), "in line": ("\u25cf", "in line")}


def outcomes_by_phase(outcomes: pd.DataFrame, phases: dict[str, str]) -> dict[str, pd.DataFrame]:
    """``committee.standards_outcomes`` (one row per school and measure) as one frame per
    phase: schools as rows, measures as columns, each cell (value, national, mark)."""
    out: dict[str, pd.DataFrame] = {}
    if outcomes is None or outcomes.empty:
        return out
    frame = outcomes.assign(Phase=outcomes["School"].map(phases).fillna("Other"))
    for phase, rows in frame.groupby("Phase", sort=True):
        measures = list(dict.fromkeys(rows["Measure"]))
        table = {}
        for school, mine in rows.groupby("School", sort=False):
            table[school] = {
                m: (
                    r["School value"],
                    r["National"],
                    r["Against national"]
                    if "Against national" in r
                    else mark_against_national(r["School value"], r["National"], m),
                )
                for m, r in zip(mine["Measure"], mine.to_dict("records"), strict=True)
            }
        out[str(phase)] = pd.DataFrame.from_dict(table, orient="index", columns=measures)
    return out


def _fmt(value: object, places: int) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return f"{float(value):,.{places}f}"  # type: ignore[arg-type]


def outcomes_tables(outcomes: pd.DataFrame, phases: dict[str, str]) -> HTML:
    """The compact outcomes: per phase, a table of schools x headline measures, each figure
    with its mark against national (symbol and word) and the national figure in the header."""
    from toolkit.reports.html import column_precision

    parts = []
    for phase, frame in outcomes_by_phase(outcomes, phases).items():
        head = ['<th scope="col">School</th>']
        places = {}
        for m in frame.columns:
            vals = [c[0] for c in frame[m] if isinstance(c, tuple)]
            nats = [c[1] for c in frame[m] if isinstance(c, tuple)]
            places[m] = column_precision([*vals, *nats])
            nat = next((n for n in nats if n is not None and not pd.isna(n)), None)
            nat_text = f'<br><span class="nat">national {_fmt(nat, places[m])}</span>' if nat is not None else ""
            head.append(f'<th scope="col" class="num">{escape(m)}{nat_text}</th>')
        body = []
        for school, row in frame.iterrows():
            cells = [f'<th scope="row">{escape(school)}</th>']
            for m in frame.columns:
                cell = row[m]
                if not isinstance(cell, tuple):
                    cells.append('<td class="num"></td>')
                    continue
                value, _, mark = cell
                if value == SUPPRESSED:
                    cells.append('<td class="num suppressed">suppressed</td>')
                    continue
                symbol, word = _MARKS.get(mark, ("", ""))
                marked = f' <span class="mark mark-{word.replace(" ", "-")}">{symbol}\u00a0{word}</span>' if mark else ""
                cells.append(f'<td class="num">{_fmt(value, places[m])}{marked}</td>')
            body.append(f"<tr>{''.join(cells)}</tr>")
        parts.append(
            f'<table class="report-table compact outcomes"><caption>{escape(phase)}: headline results, all pupils</caption>'
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
    if not parts:
        return HTML('<p class="empty">No results recorded.</p>')
    parts.append(
        '<p class="key">\u25b2 above, \u25bc below, \u25cf in line with national: judged on '
        "DfE's progress band or confidence interval, or the confidence interval of a percentage "
        "for its cohort; a difference inside the interval is in line. An unmarked figure cannot "
        "be tested (no cohort size, or a measure shown for context, like Attainment 8).</p>"
    )
    return HTML("".join(parts))
