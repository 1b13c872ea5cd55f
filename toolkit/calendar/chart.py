"""The trust's year as one static chart, with a text alternative that says the same.

A timeline: half terms shaded, one row per kind of event (visits, Progress Boards, EIT,
Standards Committee, deadlines, training and reviews), a marker per date, and the "as of"
day marked. Static (a matplotlib ``Figure``, saved as PNG) so it prints in a PDF and needs no JavaScript or CDN.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from toolkit.calendar.schedule import Event
from toolkit.calendar.terms import AcademicYear
from toolkit.reports.charts import Chart, png

# Chart rows, top to bottom: label and the event kinds drawn on it.
ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SIP minimum visits", ("sip_minimum_visit",)),
    ("Other visits", ("sip_extra_visit", "visit")),
    ("Paperwork deadlines", ("paperwork_deadline",)),
    ("Report deadlines", ("report_deadline",)),
    ("Progress Boards", ("progress_board",)),
    ("EIT", ("eit",)),
    ("Standards Committee", ("standards_committee",)),
    ("Deputy CEO reports", ("deputy_ceo_report", "ceo_report")),
    ("Training and SIT", ("lsip_training", "sit_meeting")),
    ("Reviews and audits", ("pupil_premium_review", "safeguarding_audit", "governor_review")),
)


def _row_events(events: list[Event], kinds: tuple[str, ...]) -> list[Event]:
    return [e for e in events if e.kind in kinds]


def year_chart(events: Iterable[Event], halves: pd.DataFrame, year: AcademicYear, *,
               as_of: dt.date | None = None, title: str = "") -> Figure:
    """Draw the year: half terms shaded, a row per kind of event; proposed dates hollow."""
    events = list(events)
    fig = Figure(figsize=(11, 4.8), dpi=110)  # no pyplot: no global state, no GUI backend
    ax = fig.subplots()
    for _, h in halves.iterrows():
        ax.axvspan(h["start"], h["end"] + pd.Timedelta(days=1), color="#e8eef7", zorder=0)
        mid = h["start"] + (h["end"] - h["start"]) / 2
        ax.text(mid, len(ROWS) - 0.35, str(h["half_term"]), ha="center", va="bottom", fontsize=7, color="#34495e")
    for i, (_label, kinds) in enumerate(ROWS):
        y = len(ROWS) - 1 - i
        mine = _row_events(events, kinds)
        booked = [pd.Timestamp(e.start) for e in mine if not e.proposed]
        proposed = [pd.Timestamp(e.start) for e in mine if e.proposed]
        if booked:
            ax.scatter(booked, [y] * len(booked), marker="|", s=120, color="#1f4e79", zorder=3)
        if proposed:
            ax.scatter(proposed, [y] * len(proposed), marker="o", s=22, facecolors="none", edgecolors="#c0392b", zorder=3)
    if as_of is not None:
        ax.axvline(pd.Timestamp(as_of), color="#c0392b", linewidth=1.2, linestyle="--", zorder=4)
        ax.text(pd.Timestamp(as_of), -0.9, f" as of {as_of:%d %b %Y}", color="#c0392b", fontsize=8, va="bottom")
    ax.set_yticks(range(len(ROWS)), [label for label, _ in reversed(ROWS)], fontsize=8)
    ax.set_xlim(pd.Timestamp(year.first_day), pd.Timestamp(year.last_day) + pd.Timedelta(days=1))
    ax.set_ylim(-1, len(ROWS) + 0.2)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title or f"The {year.label} school improvement year", fontsize=11, loc="left")
    fig.text(0.01, 0.01, "Shaded: half terms. Bars: dates in the tracker. Hollow circles: dates proposed by the rules.",
             fontsize=7, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def year_chart_text(events: Iterable[Event], halves: pd.DataFrame, year: AcademicYear, *,
                    as_of: dt.date | None = None) -> str:
    """The chart in words, for screen readers and the printed text alternative."""
    events = list(events)
    parts = [f"Timeline of the {year.label} academic year, {year.first_day.day} {year.first_day:%B %Y} to {year.last_day.day} {year.last_day:%B %Y}."]
    spans = "; ".join(f"{h['half_term']} {h['start']:%d %b} to {h['end']:%d %b %Y}" for _, h in halves.iterrows())
    parts.append(f"Half terms: {spans}.")
    for label, kinds in ROWS:
        mine = _row_events(events, kinds)
        if not mine:
            parts.append(f"{label}: none.")
            continue
        months = Counter(e.start.strftime("%b") for e in mine)
        proposed = sum(e.proposed for e in mine)
        spread = ", ".join(f"{m} {n}" for m, n in months.items())
        extra = f", {proposed} on dates proposed by the rules" if proposed else ""
        parts.append(f"{label}: {len(mine)} ({spread}){extra}.")
    if as_of is not None:
        parts.append(f"The dashed line marks {as_of:%d %B %Y}.")
    return " ".join(parts)


def year_overview(events: Iterable[Event], halves: pd.DataFrame, year: AcademicYear, *,
                  as_of: dt.date | None = None, title: str = "") -> Chart:
    """The year chart with its text alternative (the img's alt text) and the counts it shows."""
    events = list(events)
    fig = year_chart(events, halves, year, as_of=as_of, title=title)
    data = pd.DataFrame(
        [
            {"Row": label, "Dates": len(mine), "Proposed by the rules": sum(e.proposed for e in mine)}
            for label, kinds in ROWS
            for mine in [_row_events(events, kinds)]
        ]
    )
    alt = year_chart_text(events, halves, year, as_of=as_of)
    return Chart(png(fig), alt, data, title or f"The {year.label} school improvement year")
